"""The two dataset schemas emotune writes.

* :func:`unified_features`: one row per recording from any source (MTG-Jamendo, DEAM, PMEmo,
  EmoMusic, ...), labels on one scale: 56 multi-hot mood/theme tags and valence-arousal on 1-9.
* :func:`music2emo_features`: one row per recording after MER feature extraction (per-segment
  MERT embeddings, chords, key) plus the same labels: what training reads.

A label a source does not have is marked, never invented: ``has_moods`` is False (and ``moods``
all zeros) where a source has no tags; ``valence``/``arousal`` are null where it has no VA;
``va_source`` says whether VA was ``annotated`` or derived from the tag ``lexicon``.
"""

from __future__ import annotations

from datasets import Audio, Features, List, Value

from modeling.vocabularies.emotion import NUM_MOOD_TAGS

__all__ = ["LABEL_COLUMNS", "SOURCES", "SPLITS", "music2emo_features", "unified_features"]

SOURCES = ("mtg-jamendo", "deam", "pmemo", "emomusic")
SPLITS = ("train", "validation", "test")

_LABELS = {
    "moods": List(Value("float32"), length=NUM_MOOD_TAGS),
    "has_moods": Value("bool"),
    "valence": Value("float32"),
    "arousal": Value("float32"),
    "valence_std": Value("float32"),
    "arousal_std": Value("float32"),
    "va_source": Value("string"),
    "quadrant": Value("string"),
}
LABEL_COLUMNS = tuple(_LABELS)


def unified_features() -> Features:
    """Schema of the unified emotion-label datasets (``emotune build-dataset``).

    ``dynamic`` holds per-time-step valence/arousal (1-9) where a source has them (DEAM, PMEmo,
    EmoMusic): ``time`` in seconds from the start of the audio; empty lists elsewhere.
    """
    return Features(
        {
            "id": Value("string"),
            "source": Value("string"),
            "split": Value("string"),
            "audio": Audio(),
            "duration": Value("float32"),
            **_LABELS,
            "dynamic": {
                "time": List(Value("float32")),
                "valence": List(Value("float32")),
                "arousal": List(Value("float32")),
            },
        }
    )


def music2emo_features() -> Features:
    """Schema of a features dataset (``emotune extract-features``).

    ``segment_embeddings`` is (num_segments, embedding_dim): one pooled audio-encoder embedding per
    30 s segment, kept per segment because training averages a random run of consecutive segments.
    ``chord_*`` are the key-normalised progression encoded for Music2Emo (padded to 100 with 0);
    ``chords`` the recognised chords in the original key.
    """
    return Features(
        {
            "id": Value("string"),
            "source": Value("string"),
            "split": Value("string"),
            "segment_embeddings": List(List(Value("float32"))),
            "chord_root_ids": List(Value("int64")),
            "chord_attr_ids": List(Value("int64")),
            "chord_attention_mask": List(Value("int64")),
            "chords": List({"start": Value("float32"), "end": Value("float32"), "label": Value("string")}),
            "key": Value("string"),
            "mode": Value("int64"),
            **_LABELS,
        }
    )
