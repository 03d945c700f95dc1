"""A small MuVi-Sync release in the Zenodo layout, with random values and the real ids and splits."""

import numpy as np

from modeling.vocabularies.chords import CHORD_VOCAB


def first_ids(reference_dir, split, count):
    path = reference_dir / "video2music" / "vevo_meta" / "split" / "v1" / f"{split}.txt"
    return path.read_text().split()[:count]


def write_video(raw, video_id, seconds, rng, *, key="C major", chords=None, emotion_seconds=None):
    def lab(folder, lines):
        path = raw / folder / f"{video_id}.lab"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")

    chords = chords or [CHORD_VOCAB[i] for i in rng.integers(0, 157, seconds)]
    lab("vevo_chord/lab_v2_norm/all", [f"key {key}", *(f"{t} {c}" for t, c in enumerate(chords))])
    emotions = rng.dirichlet(np.ones(6), emotion_seconds or seconds)
    lab("vevo_emotion/6c_l14p/all", ["time exciting fearful tense sad relaxing neutral",
                                     *(f"{t} " + " ".join(f"{p:.4f}" for p in row) for t, row in enumerate(emotions))])  # fmt: skip
    for folder in ("vevo_motion/all", "vevo_loudness/all", "vevo_note_density/all"):
        lab(folder, [f"{t} {v:.3f}" for t, v in enumerate(rng.random(seconds))])
    lab("vevo_scene_offset/all", [f"{t} {t % 4}" for t in range(seconds)])
    semantic = raw / "vevo_semantic/all/2d/clip_l14p" / f"{video_id}.npy"
    semantic.parent.mkdir(parents=True, exist_ok=True)
    np.save(semantic, rng.normal(size=(seconds, 768)).astype(np.float32))


def make_release(raw, reference_dir, counts, seconds=6, seed=0):
    """``counts`` videos per release split (train/val/test), all valid."""
    rng = np.random.default_rng(seed)
    for split, count in counts.items():
        for index, video_id in enumerate(first_ids(reference_dir, split, count)):
            write_video(raw, video_id, seconds + index % 3, rng, key="A minor" if index % 2 else "C major")
    return raw
