"""``emotune extract-features``: a unified emotion dataset -> a Music2Emo features dataset.

Each recording of a unified dataset folder (``emotune build-dataset``) goes through the MER front
end (:class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatureExtractor`: MERT
embeddings per 30 s segment, chords, key) and becomes one row of
:func:`~dataset_scripts.schema.music2emo_features`, labels copied unchanged. The output folder has
one config per source plus ``all`` (what ``train.py`` reads), a card that records the encoder,
layers, chord backend and key method, and the skip report of the dataset builders: a recording
whose audio cannot be decoded or used is listed there with the error's message, never dropped
silently.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from modeling.dataset_folders import dataset_config_names, load_dataset_folder
from modeling.errors import AudioDecodingError, InvalidAudioError, InvalidInputError

from .hub_layout import DatasetFolder, write_dataset_folder
from .schema import LABEL_COLUMNS, SPLITS, music2emo_features
from .skips import AUDIO_MISSING, AUDIO_UNDECODABLE, Skip, SkipReport

__all__ = ["FeaturesSummary", "extract_features", "feature_row", "features_card"]


@dataclass
class FeaturesSummary:
    """What :func:`extract_features` wrote and skipped."""

    folder: DatasetFolder
    report: SkipReport

    @property
    def text(self) -> str:
        rows = sum(sum(splits.values()) for splits in self.folder.num_rows.values())
        return f"Wrote {rows} feature rows to {self.folder.path}\n{self.report.summary()}"


def feature_row(example: dict, features) -> dict:
    """One features-dataset row: the unified row's id, source, split and labels, plus the extracted
    per-segment embeddings, the encoded key-normalised chords, the chords and the key."""
    row = {name: example[name] for name in ("id", "source", "split", *LABEL_COLUMNS)}
    row.update(
        segment_embeddings=features.segment_embeddings.astype("float32").tolist(),
        chord_root_ids=list(features.encoded.root_ids),
        chord_attr_ids=list(features.encoded.quality_ids),
        chord_attention_mask=list(features.encoded.attention_mask),
        chords=[chord.to_dict() for chord in features.chords],
        key=features.key.name,
        mode=int(features.key.mode_id),
    )
    return row


def _audio_source(audio: dict, scratch: Path) -> Path:
    """The unified dataset's audio cell (path and/or embedded bytes) as a readable file."""
    if audio.get("bytes"):
        suffix = Path(audio.get("path") or "audio.wav").suffix or ".wav"
        path = scratch / f"audio{suffix}"
        path.write_bytes(audio["bytes"])
        return path
    return Path(audio.get("path") or "")


def features_card(dataset: str, extractor_description: str, report: SkipReport) -> str:
    return f"""# Music2Emo features

Features for training Music2Emo, extracted by `emotune extract-features` from the unified emotion
dataset `{dataset}`: one row per recording, the source's labels unchanged.

## Extraction

{extractor_description}

## Columns

- `segment_embeddings`: (segments, embedding size) float32: the audio encoder's hidden states of
  the chosen layers, mean-pooled over time and concatenated, one row per 30 s segment (training
  averages a random run of consecutive segments, evaluation all of them);
- `chord_root_ids`, `chord_attr_ids`, `chord_attention_mask`: the recognised progression
  transposed to C major / A minor, encoded for Music2Emo (at most 100 chords, padded with 0);
- `chords`: the recognised chords in the recording's own key (start, end, Harte label);
- `key`, `mode`: the detected key and its mode (0 major, 1 minor);
- `moods`, `has_moods`, `valence`, `arousal`, `valence_std`, `arousal_std`, `va_source`,
  `quadrant`: the unified labels (see the source dataset's card).

## Rows left out

{report.markdown_table()}

Train with `accelerate launch train.py student --config configs/music2emo/student.yaml
data.features=<this folder>`.
"""


def extract_features(
    dataset: str | Path,
    output_dir: str | Path,
    extractor: Callable,
    *,
    sources: Sequence[str] | None = None,
    splits: Sequence[str] = SPLITS,
    description: str = "",
    progress: bool = True,
) -> FeaturesSummary:
    """Extract Music2Emo features for every recording of a unified dataset folder (or Hub id).

    ``extractor`` is called with an audio path and returns what
    :class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatureExtractor` returns.
    ``sources`` restricts the configs (default: every source config of the dataset).
    """
    from datasets import Audio, Dataset
    from tqdm.auto import tqdm

    accepted = "a folder written by emotune build-dataset, or its Hub id"
    available = [name for name in dataset_config_names(dataset, "dataset", accepted) if name != "all"]
    chosen = list(sources or available)
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise InvalidInputError(f"{dataset} has no config {unknown}. Accepted: {', '.join(available)}")

    configs: dict[str, dict[str, Dataset]] = {}
    skips: list[Skip] = []
    built: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="emotune-features-") as scratch:
        for source in chosen:
            table = load_dataset_folder(dataset, source)
            built[source] = 0
            for split in [name for name in splits if name in table]:
                rows = table[split].cast_column("audio", Audio(decode=False))
                out = []
                for example in tqdm(rows, desc=f"{source}/{split}", unit="clip", disable=not progress):
                    path = _audio_source(example["audio"], Path(scratch))
                    if not path.is_file():
                        skips.append(Skip(source, example["id"], AUDIO_MISSING, f"{path} does not exist"))
                        continue
                    try:
                        features = extractor(str(path))
                    except (AudioDecodingError, InvalidAudioError) as error:
                        skips.append(Skip(source, example["id"], AUDIO_UNDECODABLE, str(error)))
                        continue
                    out.append(feature_row(example, features))
                built[source] += len(out)
                if out:
                    configs.setdefault(source, {})[split] = Dataset.from_list(
                        out, features=music2emo_features()
                    )
    report = SkipReport(skips, built)
    if not configs:
        raise InvalidInputError(
            f"No recording of {dataset} could be turned into features:\n{report.summary()}"
        )
    folder = write_dataset_folder(
        output_dir,
        configs,
        card_body=features_card(str(dataset), description, report),
        card_metadata={"pretty_name": "Music2Emo features", "tags": ["music", "emotion", "mert", "emotune"]},
        combined={"all": list(configs)} if len(configs) > 1 else None,
        default_config="all" if len(configs) > 1 else next(iter(configs)),
        extra_files={"skip_report.json": report.to_json(), "skip_report.tsv": report.to_tsv()},
    )
    return FeaturesSummary(folder=folder, report=report)
