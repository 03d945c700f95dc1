"""The music-emotion-recognition pipeline on a CPU: each stage's time, the path before and after, memory.

    python benchmarks/mer_pipeline.py [--minutes 1 5] [--rss-minutes 1 10] [--rounds 2] [--audio auto|FILE|synth]
        [--encoder-size 95m|tiny] [--chord-backend btc|dsp] [--key-method music21|profiles] [--threads N]
        [--skip-encoder] [--skip-configs] [--no-busy] [--quick]

The encoder has MERT-v1-95M's architecture with random weights (``save_random_mert``; the real weights cannot
be downloaded here, the compute is the same), the Music2Emo model reads its 1536 values, the BTC chord model
has the published large-vocabulary size (random weights); all load with ``from_pretrained``. The audio is a
freely licensed recording when one is installed (``--audio auto``: Debian's ``singularity-music``, Max
McCracken, CC BY-SA 3.0; ``apt-get install singularity-music``), looped to each length, else a synthesized
chord progression.

Prints five tables:

1. **Encoder**: seconds per audio minute with all of MERT's layers and with only those Music2Emo pools (and
   whether their embeddings are equal bit for bit), and ``dynamic-int8`` (speed, and its drift: embedding
   cosine similarity and the largest change of a random Music2Emo model's tag scores and valence/arousal);
   from ``benchmarks/mert_encoder.py``, on the recording's 30 s segments.
2. **Stages**: seconds per audio minute of each stage (decode, encoder, chords, key, head) and its share,
   for the path as it was (every encoder layer, stages one after another, two decodes, the key from a MIDI
   file written to disk and parsed by music21) and for today's sequential path (``overlap=False``).
3. **End to end**: the whole pipeline call (``mer(path)``) per configuration, each in a fresh process,
   in alternating rounds (the best round counts: the machine may be shared), with the speed-up over the path
   as it was and whether the results are identical to its results:

   * ``as it was, all layers``: the path before this work, running every encoder layer (the original's time);
   * ``pooled layers``: only the layers Music2Emo pools, the rest as it was;
   * ``sequential``: pooled layers, one decode per consumer, key on the MIDI in memory (``overlap=False``);
   * ``overlapped, not niced``: one decode, chords and key in a background thread beside the encoder, at the
     encoder's scheduling priority;
   * ``overlapped (default)``: the same with the background thread's priority lowered (nice +10), so that it
     takes the cores only when the encoder leaves them idle.

4. **Memory**: peak RSS of the default configuration at each of ``--rss-minutes``.
5. **Threads**: the default configuration end to end (the longest of ``--minutes``, fresh processes,
   alternating rounds) with torch's default thread counts everywhere (``EMOTUNE_THREAD_POLICY=off``: the
   behaviour before the thread policy, the chord thread beside the encoder with torch's full count) and
   with the policy (:func:`modeling.base.devices.thread_budget`: the encoder at torch's count, the chord
   thread at one), on the machine as it is and beside a **busy neighbour** (a process spinning on the last
   CPU, started and stopped by this script: ``benchmarks/busy_neighbour.py``): encoder and total seconds
   per audio minute, and whether the results are identical.

Run it on a quiet machine (load average below 1); ``--threads`` sets torch's intra-op threads as a user would
(default: as torch chooses, one per core; the policy then keeps out). ``--skip-configs`` leaves out tables
2-4. ``--quick`` (under a minute on 2 cores, to check the script, not for figures): the tiny encoder, dsp
chords, profile key, 15 s of audio, one round, table 5 only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from busy_neighbour import busy_neighbour

from modeling.base.devices import THREAD_POLICY_VARIABLE

STAGES = ("decode", "encoder", "chords", "key", "head")
RECORDINGS = ("/usr/share/games/singularity/music", "/usr/share/hyperrogue/music")
CONFIGS = {
    "as it was, all layers": {"layers": "all", "overlap": False, "key": "file"},
    "pooled layers": {"layers": "pooled", "overlap": False, "key": "file"},
    "sequential": {"layers": "pooled", "overlap": False, "key": "memory"},
    "overlapped, not niced": {"layers": "pooled", "overlap": True, "key": "memory", "nice": 0},
    "overlapped (default)": {"layers": "pooled", "overlap": True, "key": "memory"},
}
BASELINE, DEFAULT = "as it was, all layers", "overlapped (default)"


def find_recording(choice: str) -> str | None:
    if choice == "synth":
        return None
    if choice != "auto":
        return choice
    for folder in RECORDINGS:
        found = sorted(Path(folder).glob("*.ogg")) if Path(folder).is_dir() else []
        if found:
            return str(found[0])
    return None


def make_audio(path: Path, minutes: float, source: str | None) -> Path:
    import numpy as np

    from dataset_scripts.synthetic.audio import render_progression
    from modeling.media.audio import write_audio

    if path.exists():
        return path
    if source:
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", source, "-t",
                        str(minutes * 60), "-c:a", "libvorbis", "-q:a", "5", str(path)], check=True)  # fmt: skip
        return path
    bar = render_progression(["C", "G", "A:min", "F", "D:min", "G", "E", "A:min"], 2.0, 44100)
    repeats = int(np.ceil(minutes * 60 / (len(bar) / 44100)))
    write_audio(path, np.tile(bar, repeats)[: int(minutes * 60 * 44100)], 44100)
    return path


def _key_from_a_midi_file(notes):
    """The key as it was found: the MIDI written to disk, parsed by music21's converter, analysed."""
    from music21 import converter

    from modeling.chord_recognition.key import chords_midi_bytes
    from modeling.vocabularies.chords.labels import parse_key

    with tempfile.TemporaryDirectory(prefix="emotune-key-") as folder:
        path = Path(folder) / "chords.mid"
        path.write_bytes(chords_midi_bytes(notes))
        result = converter.parse(str(path)).analyze("key")
    return parse_key(f"{result.tonic.name} {result.mode}")


def run_one(args) -> dict:
    """One configuration and length, in this process: timings, the result and the peak RSS."""
    import torch
    from transformers import pipeline

    import modeling  # noqa: F401
    from modeling.chord_recognition import key as key_module
    from modeling.music2emo.audio_encoder import MertEncoder

    if args.threads:
        torch.set_num_threads(args.threads)
    config = CONFIGS[args.config]
    work = Path(args.work)
    options = {
        "chord_backend": args.chord_backend,
        "key_method": args.key_method,
        "overlap": config["overlap"],
    }
    if args.chord_backend == "btc":
        options["chord_model"] = str(work / "btc")
    mer = pipeline("music-emotion-recognition", model=str(work / "music2emo"), device="cpu", **options)
    if config["layers"] == "all":
        extractor = mer.feature_extractor
        extractor.encoder = MertEncoder(
            str(work / "mert"), extractor.encoder.layers, device="cpu", truncate_layers=False
        )
    mer.feature_extractor.background_nice = config.get("nice", mer.feature_extractor.background_nice)
    if config["key"] == "file":
        key_module._music21_key = _key_from_a_midi_file
    audio = str(work / f"audio-{args.one:g}min.ogg")
    mer(str(work / "audio-warm-up.ogg"))  # first calls compile and load what they need
    start = time.perf_counter()
    inputs = mer.preprocess(audio)
    middle = time.perf_counter()
    result = mer.postprocess(mer.forward(inputs))
    head = time.perf_counter() - middle
    total = time.perf_counter() - start
    features = inputs["features"]
    return {"minutes": args.one, "total": total, "timings": {**features.timings, "head": head},
            "duration": features.duration, "result": result, "threads": torch.get_num_threads(),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def in_a_process(args, config: str, minutes: float, policy: bool = True) -> dict:
    """One configuration and length in a fresh process; ``policy=False``: ``EMOTUNE_THREAD_POLICY=off``."""
    command = [sys.executable, __file__, "--work", args.work, "--one", str(minutes), "--config", config,
               "--chord-backend", args.chord_backend, "--key-method", args.key_method,
               *(["--threads", str(args.threads)] if args.threads else [])]  # fmt: skip
    env = {**os.environ, **({} if policy else {THREAD_POLICY_VARIABLE: "off"})}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        sys.exit(f"{config} ({minutes:g} min) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def encoder_table(args, work: Path) -> None:
    """Table 1, with benchmarks/mert_encoder.py's helpers on the recording's 30 s segments."""
    import numpy as np
    import torch

    spec = importlib.util.spec_from_file_location("mert_encoder", Path(__file__).with_name("mert_encoder.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from modeling.media.audio import AudioInput
    from modeling.music2emo import Music2EmoModel

    minutes = args.minutes[-1]
    segments = [block.copy() for block in AudioInput(work / f"audio-{minutes:g}min.ogg").blocks(24000, 30.0)]
    options = {"all layers": {"truncate_layers": False}, "pooled layers (default)": {},
               "pooled layers + dynamic-int8": {"encoder_quantization": "dynamic-int8"}}  # fmt: skip
    settings = argparse.Namespace(layers=[5, 6], device="cpu")
    encoders = {
        name: bench.load_option(work / "mert", settings, **option) for name, option in options.items()
    }
    best, embeddings = dict.fromkeys(options, float("inf")), {}
    for _ in range(args.rounds):
        for name, encoder in encoders.items():
            embeddings[name], seconds = bench.timed_embed(encoder, segments)
            best[name] = min(best[name], seconds)
    print(f"\n1. Encoder: seconds per audio minute ({minutes:g} min in {len(segments)} segments of 30 s, batch 1, "
          f"{torch.get_num_threads()} threads, best of {args.rounds} interleaved rounds)")  # fmt: skip
    print(f"{'option':<30}{'layers run':>11}{'s / audio min':>15}{'speed-up':>10}")
    for name, encoder in encoders.items():
        print(
            f"{name:<30}{encoder.layers_run:>11}{best[name] / minutes:>15.2f}{best['all layers'] / best[name]:>9.2f}x"
        )
    full, pooled, int8 = embeddings.values()
    print(f"pooled layers' embeddings equal all layers' bit for bit: {np.array_equal(full, pooled)}")
    cosine = (int8 * pooled).sum(1) / np.linalg.norm(int8, axis=1) / np.linalg.norm(pooled, axis=1)
    head = Music2EmoModel.from_pretrained(work / "music2emo").eval()
    (tags, va), (tags8, va8) = bench.head_outputs(head, pooled), bench.head_outputs(head, int8)
    print(f"dynamic-int8 drift: embedding cosine similarity min {cosine.min():.5f}; largest change (per segment / "
          f"clip) of a random Music2Emo's tag score {np.abs(tags8 - tags)[:-1].max():.4f} / "
          f"{np.abs(tags8 - tags)[-1].max():.4f}, valence {np.abs(va8 - va)[:-1, 0].max():.4f} / "
          f"{abs(va8 - va)[-1, 0]:.4f}, arousal {np.abs(va8 - va)[:-1, 1].max():.4f} / {abs(va8 - va)[-1, 1]:.4f}")  # fmt: skip


def configurations_tables(args) -> None:
    """Tables 2 to 4: the configurations' stages, end to end, and the default's memory."""
    runs: dict[tuple[str, float], dict] = {}
    for _ in range(args.rounds):  # configurations alternate; each run a fresh process; the best round counts
        for minutes in args.minutes:
            for config in CONFIGS:
                row = in_a_process(args, config, minutes)
                if (config, minutes) not in runs or row["total"] < runs[config, minutes]["total"]:
                    runs[config, minutes] = row
    longest = args.minutes[-1]
    print(
        f"\n2. Stages: seconds per audio minute ({longest:g} min, {runs[BASELINE, longest]['threads']} threads)"
    )
    print(f"{'path':<24}" + "".join(f"{stage:>14}" for stage in STAGES) + f"{'total':>8}")
    for config in (BASELINE, "sequential"):
        row = runs[config, longest]
        timings, total = row["timings"], sum(row["timings"].get(stage, 0.0) for stage in STAGES)
        print(f"{config:<24}" + "".join(f"{timings.get(stage, 0.0) / longest:>7.2f} ({100 * timings.get(stage, 0.0) / total:>3.0f}%)"
                                        for stage in STAGES) + f"{total / longest:>8.2f}")  # fmt: skip
    print(
        f"\n3. End to end: seconds per audio minute of `mer(path)` (best of {args.rounds} alternating rounds)"
    )
    print(f"{'configuration':<24}" + "".join(f"{f'{m:g} min':>10}" for m in args.minutes)
          + f"{'speed-up':>10}  results as the path as it was")  # fmt: skip
    for config in CONFIGS:
        rows = [runs[config, minutes] for minutes in args.minutes]
        same = all(runs[config, m]["result"] == runs[BASELINE, m]["result"] for m in args.minutes)
        speed = runs[BASELINE, longest]["total"] / runs[config, longest]["total"]
        print(f"{config:<24}" + "".join(f"{row['total'] / row['minutes']:>10.2f}" for row in rows)
              + f"{speed:>9.2f}x  {'identical' if same else 'DIFFERENT'}")  # fmt: skip

    print(f"\n4. Memory: peak RSS of the default configuration ({DEFAULT})")
    peaks = {minutes: in_a_process(args, DEFAULT, minutes)["peak_rss_mb"] for minutes in args.rss_minutes}
    for minutes, peak in peaks.items():
        print(f"{minutes:>6g} min  {peak:>7.0f} MB")
    first, last = args.rss_minutes[0], args.rss_minutes[-1]
    print(f"peak RSS {last:g} min / {first:g} min: {peaks[last] / peaks[first]:.2f}")


def threads_table(args) -> None:
    """Table 5: the default configuration with torch's default thread counts and with the policy, on the
    machine as it is and beside a busy neighbour (fresh processes, alternating rounds, the best counts)."""
    minutes = args.minutes[-1]
    columns = {"idle": nullcontext} if args.no_busy else {"idle": nullcontext, "busy": busy_neighbour}
    best: dict[tuple[str, bool], dict] = {}
    where: dict[str, str | None] = {}
    for column, neighbour in columns.items():
        with neighbour() as where[column]:
            for _ in range(args.rounds):
                for policy in (False, True):
                    row = in_a_process(args, DEFAULT, minutes, policy=policy)
                    if (column, policy) not in best or row["total"] < best[column, policy]["total"]:
                        best[column, policy] = row
    print(f"\n5. Threads: `mer(path)` in the default configuration, seconds per audio minute ({minutes:g} min, best "
          f"of {args.rounds} alternating rounds); default = {THREAD_POLICY_VARIABLE}=off (torch's "
          f"{best['idle', False]['threads']} threads everywhere), policy = the chord thread at one"
          + (f"; busy = beside {where['busy']}" if "busy" in where else ""))  # fmt: skip
    print(f"{'threads':<9}" + "".join(f"{f'{column} encoder':>15}{f'{column} total':>13}" for column in columns)
          + "  results as the default's")  # fmt: skip
    for policy in (False, True):
        row = f"{'policy' if policy else 'default':<9}"
        for column in columns:
            run = best[column, policy]
            row += f"{run['timings'].get('encoder', 0.0) / minutes:>15.2f}{run['total'] / minutes:>13.2f}"
        same = all(best[column, policy]["result"] == best[column, False]["result"] for column in columns)
        print(row + f"  {'identical' if same else 'DIFFERENT'}")
    for column in columns:
        speed = best[column, False]["total"] / best[column, True]["total"]
        print(f"policy speed-up, {column}: {speed:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 5], help="lengths timed end to end")
    parser.add_argument(
        "--rss-minutes", type=float, nargs="+", default=[1, 10], help="lengths of the RSS check"
    )
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds, the best counts (2)")
    parser.add_argument(
        "--audio", default="auto", help="auto (an installed recording, else synth), synth, or a file"
    )
    parser.add_argument("--encoder-size", default="95m", choices=["95m", "tiny"])
    parser.add_argument("--chord-backend", default="btc", choices=["btc", "dsp"])
    parser.add_argument("--key-method", default="music21", choices=["music21", "profiles"])
    parser.add_argument("--threads", type=int, help="set torch's intra-op threads, as a user would")
    parser.add_argument("--skip-encoder", action="store_true", help="leave out table 1")
    parser.add_argument("--skip-configs", action="store_true", help="leave out tables 2-4")
    parser.add_argument("--no-busy", action="store_true", help="leave out table 5's busy-neighbour column")
    parser.add_argument(
        "--quick", action="store_true", help="check the script in under a minute: table 5, tiny"
    )
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args)))
        return
    if args.quick:
        args.minutes, args.rss_minutes, args.rounds, args.encoder_size = [0.25], [0.25], 1, "tiny"
        args.chord_backend, args.key_method, args.skip_encoder, args.skip_configs = (
            "dsp",
            "profiles",
            True,
            True,
        )

    import torch

    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_btc, save_random_mert

    recording = find_recording(args.audio)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="emotune-mer-bench-") as scratch:
        args.work = scratch
        work = Path(scratch)
        save_random_mert(work / "mert", args.encoder_size)
        if args.chord_backend == "btc":
            save_random_btc(work / "btc", "large")
        torch.manual_seed(0)
        Music2EmoModel(
            Music2EmoConfig(
                audio_embedding_dim=1536 if args.encoder_size == "95m" else 64,
                audio_encoder=str(work / "mert"),
            )
        ).save_pretrained(work / "music2emo")
        for minutes in {*args.minutes, *args.rss_minutes}:
            make_audio(work / f"audio-{minutes:g}min.ogg", minutes, recording)
        make_audio(work / "audio-warm-up.ogg", 0.25, recording)
        print(f"MER pipeline on {Path(recording).name if recording else 'a synthesized progression'} (looped), MERT-v1 "
              f"{args.encoder_size} / Music2Emo{' / BTC large' if args.chord_backend == 'btc' else ''} with random "
              f"weights, chords {args.chord_backend}, key "
              f"{args.key_method}, CPU, {os.cpu_count()} cores, load average {load_before:.2f} before")  # fmt: skip
        if not args.skip_encoder:
            encoder_table(args, work)

        if not args.skip_configs:
            configurations_tables(args)
        threads_table(args)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
