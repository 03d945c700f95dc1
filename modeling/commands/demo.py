"""``emotune demo`` (what `make demo` runs): the real models on real recordings when they can be had,
else the whole Music2Emo chain on the built-in synthetic corpus with stand-ins; it says which it ran.

Real: the original Music2Emo student and BTC (installed by ``emotune weights fetch``, fetched here if
missing), the real MERT (``m-a-p/MERT-v1-95M``, from the Hub or its cache) and two freely licensed
recordings from Debian's ``singularity-music`` / ``hyperrogue-music`` (installed with apt-get when
running as root) -> ``emotune predict``.

Stand-in: synthetic corpus -> unified datasets -> features (a tiny random MERT stand-in, the offline
chord backend) -> four teachers -> the distilled student -> evaluation -> ``emotune predict`` on two
held-out clips (one major, fast and loud; one minor, slow and soft).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

NAME = "demo"
HELP = (
    "The original weights on real recordings when they can be had, else the whole Music2Emo chain on a "
    "synthetic corpus with a tiny stand-in encoder (what `make demo` runs)."
)

REAL_DATA_NOTE = """\
The same chain on real data, with the real encoder:
  emotune build-dataset all --raw-dir RELEASES --output-dir data/unified
  emotune extract-features data/unified --output-dir data/features --audio-encoder m-a-p/MERT-v1-95M
  accelerate launch train.py teacher --config configs/music2emo/teacher.yaml data.path=data/features \\
      'data.sources=[deam]' --output-dir outputs/music2emo/teacher-deam        (one per dataset)
  accelerate launch train.py student --config configs/music2emo/student.yaml data.path=data/features
  python train.py evaluate --model outputs/music2emo/student --data data/features
  emotune predict song.mp3 --model outputs/music2emo/student/best
The original published weights instead of training: emotune weights fetch all && emotune predict song.mp3"""

RECORDINGS = (
    ("singularity-music", "/usr/share/games/singularity/music", ("Awakening.ogg", "Media Threat.ogg"),
     "Max McCracken, Endgame: Singularity soundtrack, CC BY-SA 3.0"),
    ("hyperrogue-music", "/usr/share/hyperrogue/music", ("hr3-icyland.ogg", "hr3-hell.ogg"),
     "Shawn Parrotte, HyperRogue soundtrack, CC BY-SA 3.0"),
)  # fmt: skip
"""Debian packages of freely licensed music: package, folder, the two tracks the demo rates, credit."""


def add_arguments(parser) -> None:
    parser.add_argument(
        "--work-dir", type=Path, default=Path("outputs/demo"), help="where everything goes (outputs/demo)"
    )
    parser.add_argument("--n", type=int, default=100, help="synthetic pieces per dataset (100)")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each piece (6 s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument(
        "--chain", choices=["auto", "real", "stand-in"], default="auto",
        help="real: the original weights on real recordings; stand-in: the synthetic chain with a tiny random "
        "encoder; auto: real when the weights are installed or can be fetched, else stand-in (auto)",
    )  # fmt: skip


def _package_root() -> Path:
    """The folder that holds the running ``modeling`` package (a checkout, or site-packages): the steps
    run from there, so ``python -m modeling`` and ``python -m modeling.training`` run this same emotune."""
    return Path(__file__).resolve().parents[2]


def _step(title: str, command: list[str], cwd: Path) -> None:
    print(f"\n=== {title}\n$ {' '.join(command)}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, check=False)
    if done.returncode != 0:
        from ..base.errors import EmotuneError

        raise EmotuneError(f"demo step failed ({title}): exit status {done.returncode}")
    print(f"--- {title}: {time.perf_counter() - start:.0f} s", flush=True)


def _stand_in_chain(args) -> int:
    import shutil

    from dataset_scripts.synthetic.audio import SAMPLING_RATE
    from dataset_scripts.synthetic.corpus import Piece, affect, render_piece

    from ..media.audio import write_audio
    from ..testing import save_random_mert
    from ..training.engine.config import RECIPES_DIR

    root = _package_root()
    work = args.work_dir.resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    emotune = [sys.executable, "-m", "modeling"]
    train = [sys.executable, "-m", "modeling.training"]
    configs = RECIPES_DIR / "music2emo"
    start = time.perf_counter()
    print(
        "emotune demo: the whole Music2Emo chain on a SYNTHETIC corpus, with a TINY RANDOM stand-in for the\n"
        "MERT encoder (the real m-a-p/MERT-v1-95M cannot be downloaded here). It shows the machinery working\n"
        "and learning what the synthetic music encodes (mode -> valence; tempo, loudness -> arousal);\n"
        "the numbers say nothing about real music."
    )
    _step("1. synthetic corpus", [*emotune, "make-synthetic", str(work / "raw"), "--n", str(args.n),
          "--seconds", str(args.seconds), "--seed", str(args.seed), "--no-progress"], root)  # fmt: skip
    _step("2. unified datasets", [*emotune, "build-dataset", "all", "--raw-dir", str(work / "raw"),
          "--output-dir", str(work / "unified"), "--no-progress"], root)  # fmt: skip
    mert = save_random_mert(work / "tiny-mert", "tiny", seed=args.seed)
    print(f"\n(tiny random MERT stand-in saved to {mert})")
    _step("3. features", [*emotune, "extract-features", str(work / "unified"), "--output-dir", str(work / "features"),
          "--audio-encoder", str(mert), "--chord-backend", "dsp", "--no-progress"], root)  # fmt: skip
    data = f"data.path={work / 'features'}"
    sources = ("mtg-jamendo", "deam", "pmemo", "emomusic")
    for source in sources:
        _step(f"4. teacher {source}", [*train, "teacher", "--config", str(configs / "smoke-teacher.yaml"), data,
              f"data.sources=[{source}]", f"model.audio_encoder={mert}", "--output-dir",
              str(work / f"teacher-{source}")], root)  # fmt: skip
    teachers = [f"distillation.teachers.{s}={work / f'teacher-{s}' / 'best'}" for s in sources]
    _step("5. student with distillation", [*train, "student", "--config", str(configs / "smoke-student.yaml"), data,
          *teachers, f"model.audio_encoder={mert}", "--output-dir", str(work / "student")], root)  # fmt: skip
    _step("6. evaluation (test splits)", [*train, "evaluate", "--model", str(work / "student"), "--data",
          str(work / "features")], root)  # fmt: skip

    clips = work / "held-out"
    clips.mkdir()
    examples = {"bright-major.wav": ("major", 168.0, 0.95, 5), "slow-minor.wav": ("minor", 64.0, 0.3, 3)}
    for name, (mode, tempo, loudness, register) in examples.items():
        valence, arousal = affect(mode, tempo, loudness, register)
        piece = Piece(id=name, split="test", tonic=7 if mode == "major" else 2, mode=mode, tempo=tempo,
                      loudness=loudness, register=register, swell=0.0, seconds=args.seconds, valence=valence,
                      arousal=arousal, valence_std=0.0, arousal_std=0.0, tags=())  # fmt: skip
        write_audio(clips / name, render_piece(piece), SAMPLING_RATE)
        print(f"\nheld-out {name}: {mode}, {tempo:.0f} bpm, loudness {loudness} -> expected valence {valence:.1f}, "
              f"arousal {arousal:.1f}")  # fmt: skip
    _step("7. emotune predict on two held-out clips", [*emotune, "predict", *(str(clips / n) for n in examples),
          "--model", str(work / "student" / "best"), "--chord-backend", "dsp", "--top-k", "5"], root)  # fmt: skip
    print(f"\nDemo finished in {time.perf_counter() - start:.0f} s; everything is in {work}.\n")
    print(REAL_DATA_NOTE)
    return 0


def real_models(fetch: bool = True) -> tuple[dict | None, str]:
    """The real models' folders or ids (``model``, ``audio_encoder``, ``chord_model``), or None and why
    not. With ``fetch``, what is missing is fetched as ``emotune weights fetch`` does (Music2Emo and BTC from
    their public homes, MERT from the Hub into its cache); else only what is installed or cached counts."""
    from ..base.defaults import BTC_CHORD_MODEL, MERT_MODEL, MUSIC2EMO_MODEL
    from ..base.errors import WeightsDownloadError, WeightsNotFoundError
    from ..hub import resolve_model
    from ..weights import resolve_or_fetch

    resolve = resolve_or_fetch if fetch else resolve_model
    try:
        return {
            "audio_encoder": resolve(MERT_MODEL),
            "model": resolve(MUSIC2EMO_MODEL),
            "chord_model": resolve(BTC_CHORD_MODEL),
        }, ""
    except (WeightsNotFoundError, WeightsDownloadError) as error:
        return None, str(error)


def find_recordings(packages=RECORDINGS, install: bool = True) -> tuple[list[Path], str]:
    """Two tracks of the first music package present (installing the first with apt-get when ``install``
    and running as root), and their credit; ``([], reason)`` when none can be had."""
    import os
    import shutil

    for _, folder, tracks, credit in packages:
        found = [Path(folder) / track for track in tracks if (Path(folder) / track).is_file()]
        if found:
            return found, credit
    if not install or not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return (
            [],
            f"none of the Debian packages {', '.join(p[0] for p in packages)} is installed (apt-get as root adds one)",
        )
    package = packages[0][0]
    print(f"\n=== installing the Debian package {package} (freely licensed recordings)", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    if subprocess.run(install_command, env=environment, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=environment, check=False)
        subprocess.run(install_command, env=environment, check=False)
    return find_recordings(packages, install=False)


def _real_chain(args, models: dict) -> int:
    work = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    recordings, credit = find_recordings()
    print(
        "emotune demo: the REAL models: the original Music2Emo student (converted from J_all.ckpt), BTC "
        f"(btc_model_large_voca.pt) and MERT ({models['audio_encoder']}).\n"
        f"  Music2Emo: {models['model']}\n  BTC:       {models['chord_model']}"
    )
    if not recordings:
        from dataset_scripts.synthetic.audio import SAMPLING_RATE, render_progression

        from ..media.audio import write_audio

        print(f"No real recordings ({credit}); rating two synthesized progressions instead.")
        clips = work / "clips"
        clips.mkdir(exist_ok=True)
        recordings = [
            write_audio(clips / "major.wav", render_progression(["C", "G", "A:min", "F"] * 4, 1.0), SAMPLING_RATE),
            write_audio(clips / "minor.wav", render_progression(["A:min", "D:min", "E", "A:min"] * 3, 2.0),
                        SAMPLING_RATE),
        ]  # fmt: skip
    else:
        print(f"Recordings: {', '.join(path.name for path in recordings)} ({credit}).")
    start = time.perf_counter()
    _step("emotune predict (the original weights)",
          [sys.executable, "-m", "modeling", "predict", *map(str, recordings), "--model", models["model"],
           "--audio-encoder", models["audio_encoder"], "--chord-model", models["chord_model"], "--top-k", "5",
           "--plot", str(work / "real.png")], work)  # fmt: skip
    print(
        f"\nemotune demo: ran the REAL models on {len(recordings)} clips in {time.perf_counter() - start:.0f} s."
    )
    return 0


def run(args) -> int:
    if args.chain != "stand-in":
        models, reason = real_models(fetch=True)
        if models is not None:
            return _real_chain(args, models)
        if args.chain == "real":
            from ..base.errors import WeightsNotFoundError

            raise WeightsNotFoundError(f"the real models are not available: {reason}")
        print(f"emotune demo: the real models are not available, so the stand-in chain runs. Why: {reason}\n")
    status = _stand_in_chain(args)
    print(
        "\nemotune demo: ran the STAND-IN chain (synthetic corpus, tiny random MERT, models trained here), not the "
        "original weights: `emotune weights fetch all` (the originals, MERT and CLIP) gives the real one."
    )
    return status
