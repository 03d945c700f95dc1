"""Share of scene cuts that coincide with a chord change, with and without ``align_to_scenes``.

    python benchmarks/scene_alignment.py [--model DIR] [--regression-model DIR] [--clip-model DIR]
        [--seconds 60] [--seeds 0 1 2 3 4]

Runs the ``video-to-music`` pipeline on a generated video (test patterns with a hard cut every 10 s,
see ``video2music_pipeline.make_video``) once per seed, with and without ``align_to_scenes``, and
prints the pipeline's ``cut_alignment`` (the share of detected cuts where the chord differs from the
second before) next to the share of the other seconds where the chord changes (the base rate).
Without model folders the AMT, the bi-GRU and CLIP are random models (published AMT size, tiny
CLIP). A random AMT changes chord almost every second, so every cut "aligns" by chance; to stand in
for a trained model's habit of holding a chord, ``--hold-bias B`` (default 20) adds B to the random
AMT's output bias for C and B / 2 for G, so it prefers to hold C. The figures then show what the
option enforces, not what a trained model would choose.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch
from transformers import pipeline
from video2music_pipeline import make_video

from modeling.testing import save_random_clip
from modeling.video2music.configuration_amt import AMTConfig
from modeling.video2music.configuration_amt_regression import AMTRegressionConfig
from modeling.video2music.modeling_amt import AMTModel
from modeling.video2music.modeling_amt_regression import AMTRegressionModel
from modeling.vocabularies.chords import CHORD_VOCAB


def change_rate_elsewhere(chords: list[str], cuts: list[int]) -> float:
    """Share of seconds that are not cuts at which the chord differs from the second before."""
    cut_set = set(cuts)
    others = [s for s in range(1, len(chords)) if s not in cut_set]
    return float(np.mean([chords[s] != chords[s - 1] for s in others]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="AMT folder or id (default: random, published size)")
    parser.add_argument("--regression-model", help="bi-GRU folder or id (default: random)")
    parser.add_argument("--clip-model", help="CLIP folder or id (default: random tiny CLIP)")
    parser.add_argument("--seconds", type=int, default=60, help="video length (60 s: 5 cuts)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--hold-bias", type=float, default=20.0, help="random AMT only (see above)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="emotune-align-") as tmp:
        root = Path(tmp)
        torch.manual_seed(0)
        model, regression = args.model, args.regression_model
        if model is None:
            model = root / "amt"
            amt = AMTModel(AMTConfig())
            with torch.no_grad():
                amt.lm_head.bias[CHORD_VOCAB.index("C")] += args.hold_bias
                amt.lm_head.bias[CHORD_VOCAB.index("G")] += args.hold_bias / 2
            amt.save_pretrained(model)
        if regression is None:
            regression = root / "regression"
            AMTRegressionModel(AMTRegressionConfig()).save_pretrained(regression)
        clip = args.clip_model or str(save_random_clip(root / "clip", "tiny", seed=0))
        v2m = pipeline(
            "video-to-music",
            model=str(model),
            regression_model=str(regression),
            clip_model=clip,
            progress=False,
        )
        video = make_video(root / "video.mp4", args.seconds, "640x360", 30)
        print(
            f"{'align_to_scenes':>16}  {'seed':>4}  {'cuts':>4}  {'cut alignment':>13}  {'change rate elsewhere':>21}"
        )
        summary: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for align in (False, True):
            for seed in args.seeds:
                result = v2m(str(video), primer="C Am F G", key="C major", output=root / f"out-{align}-{seed}.mp4",
                             seed=seed, align_to_scenes=align)  # fmt: skip
                cuts, chords = result["scene_cuts"], result["normalized_chords"]
                pair = (result["cut_alignment"], change_rate_elsewhere(chords, cuts))
                summary[align].append(pair)
                print(
                    f"{align!s:>16}  {seed:>4}  {len(cuts):>4}  {pair[0]:>13.2f}  {pair[1]:>21.2f}",
                    flush=True,
                )
        for align, pairs in summary.items():
            mean = np.mean(pairs, axis=0)
            print(
                f"align_to_scenes={align}: cut alignment {mean[0]:.2f}, chord changes elsewhere {mean[1]:.2f} "
                f"(mean over {len(pairs)} seeds)"
            )


if __name__ == "__main__":
    main()
