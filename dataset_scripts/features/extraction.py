"""``emotune extract-features``: a unified emotion dataset -> a Music2Emo features dataset.

Each recording of a unified dataset folder (``emotune build-dataset``) goes through the MER front
end (:class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatureExtractor`: MERT
embeddings per 30 s segment, chords, key) and becomes one row of
:func:`~dataset_scripts.schema.music2emo_features`, labels copied unchanged. The output folder has
one config per source plus ``all`` (what ``train.py`` reads), a card that records the encoder,
layers, chord backend and key method, and the skip report of the dataset builders: a recording
whose audio cannot be decoded or used is listed there with the error's message, never dropped
silently.

Collections of any size: each recording is written to a journal as soon as its features are done
(``OUTPUT_DIR.parts/``, one per process: :class:`modeling.collection.output.Journals`), so a crash or a
kill loses only the recordings in flight and ``resume=True`` extracts the rest; under ``accelerate launch``
every process extracts its own share of the recordings and the main process writes the dataset folder from
all the journals at the end (the same folder, byte for byte, as one process writes). Decoding, chords and
key of the next recordings overlap with the encoder (:class:`modeling.collection.FeatureRunner`).

One run at a time writes a folder: the run holds ``OUTPUT_DIR.lock`` from before it reads the journals until
the folder is written (:mod:`modeling.collection.lock`; the main process for a whole launch). A file-system
failure (a full disk, ...) ends the run with one :class:`~modeling.base.errors.StorageError`; the journals
written before stay for ``--resume``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from modeling.base.errors import InvalidInputError
from modeling.collection.locations import writing_error
from modeling.hub.datasets import dataset_config_names, load_dataset_folder

from ..hub_layout import DatasetFolder, write_dataset_folder
from ..releases.skips import AUDIO_MISSING, AUDIO_UNDECODABLE, Skip, SkipReport
from ..schema import LABEL_COLUMNS, SPLITS, music2emo_features

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


def _audio_source(audio: dict, scratch: Path, name: str = "audio") -> Path:
    """The unified dataset's audio cell (path and/or embedded bytes) as a readable file (embedded bytes are
    written to ``scratch/<name><suffix>``)."""
    if audio.get("bytes"):
        suffix = Path(audio.get("path") or "audio.wav").suffix or ".wav"
        path = scratch / f"{name}{suffix}"
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


def _work_items(
    dataset, chosen: Sequence[str], splits: Sequence[str]
) -> tuple[dict, list[tuple[str, str, int]]]:
    """The unified rows of the chosen sources (``{(source, split): rows}``, audio not decoded) and the work
    items ``(source, split, row)`` in order."""
    from datasets import Audio

    tables, items = {}, []
    for source in chosen:
        table = load_dataset_folder(dataset, source)
        for split in [name for name in splits if name in table]:
            rows = table[split].cast_column("audio", Audio(decode=False))
            tables[source, split] = rows
            items += [(source, split, row) for row in range(len(rows))]
    return tables, items


def extract_features(
    dataset: str | Path,
    output_dir: str | Path,
    extractor,
    *,
    sources: Sequence[str] | None = None,
    splits: Sequence[str] = SPLITS,
    description: str = "",
    progress: bool = True,
    resume: bool = False,
    overwrite: bool = False,
    overlap: bool = True,
    processes=None,
    row_columns: Callable[[dict, object], dict] | None = None,
    schema=None,
    lock=None,
) -> FeaturesSummary | None:
    """Extract Music2Emo features for every recording of a unified dataset folder (or Hub id).

    ``extractor`` is a :class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatureExtractor`.
    ``sources`` restricts the configs (default: every source config of the dataset). ``resume`` continues an
    interrupted run from its journals (``OUTPUT_DIR.parts``); without it, journals left by one are refused
    unless ``overwrite``. ``processes`` (:class:`modeling.collection.Processes`, default: this launch's)
    share the recordings; the main process writes the folder and returns the summary, the others ``None``.
    ``row_columns(example, features)`` adds columns to each row and ``schema`` is then the dataset's
    schema (the time-resolved columns: :mod:`dataset_scripts.features.dynamic`, whose extractor observes
    the encoder's frames of one file at a time: the files' stages then run one after another).
    ``lock`` (:class:`modeling.collection.OutputLock` of ``output_dir``, default: a new one) is held from
    before the journals are read until the folder is written; the run holding it may have taken it already.

    Raises:
        modeling.base.errors.StorageError: the folder cannot be written there, another run is writing it, a
            file-system failure (a full disk: the journals stay for ``resume``).
    """

    from modeling.collection import Processes

    from .output import FeaturesOutput

    output = FeaturesOutput(output_dir, resume=resume, overwrite=overwrite, option="output_dir", lock=lock)
    lock = output.lock
    processes = processes or Processes()
    taken_here = not lock.held
    processes.main_decides(lambda: lock.acquire(processes.count))  # the processes of a launch are one run
    try:
        return _extract(
            dataset, Path(output_dir), extractor, output.journals, processes,
            sources=sources, splits=splits, description=description, progress=progress, resume=resume,
            overwrite=overwrite, overlap=overlap, row_columns=row_columns, schema=schema,
        )  # fmt: skip
    finally:
        if taken_here:
            lock.release()


def _extract(
    dataset, output_dir: Path, extractor, journals, processes, *, sources, splits, description, progress, resume,
    overwrite, overlap, row_columns, schema,
) -> FeaturesSummary | None:  # fmt: skip
    """:func:`extract_features` once the output is checked and locked."""
    from modeling.collection import CollectionProgress, FeatureRunner
    from modeling.collection.output import read_jsonl

    if resume and not journals.files() and (output_dir / "README.md").is_file():
        if processes.is_main:
            print(f"{output_dir} is complete: no interrupted extraction to resume")
        return None
    accepted = "a folder written by emotune build-dataset, or its Hub id"
    available = [name for name in dataset_config_names(dataset, "dataset", accepted) if name != "all"]
    chosen = list(sources or available)
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise InvalidInputError(f"{dataset} has no config {unknown}. Accepted: {', '.join(available)}")
    with processes.main_first():  # the main process fills the datasets cache, the others read it
        tables, items = _work_items(dataset, chosen, splits)
    if overwrite and not resume and processes.is_main:
        journals.remove()
    processes.wait_for_everyone()
    ids = {part: list(rows["id"]) for part, rows in tables.items()}
    done = {}
    for _, _, record in (entry for path in journals.files() for entry in read_jsonl(path)):
        source, split, row = record["key"]
        if row >= len(ids.get((source, split), ())) or ids[source, split][row] != record["id"]:
            raise InvalidInputError(
                f"{journals.folder} was written for another version of {dataset} (its row {source}/{split}/{row} "
                f"is {record['id']!r}). Accepted: --overwrite to start again"
            )
        done[source, split, row] = True
    journals.start_run()
    processes.wait_for_everyone()  # every process has read the journals before any writes
    mine = processes.share([item for item in items if item not in done])

    writer = journals.writer(processes.index) if mine else None
    bar = CollectionProgress(
        len(mine),
        " ".join(["features", processes.label()]).strip(),
        enabled=progress and processes.is_main and bool(mine),
    )
    with tempfile.TemporaryDirectory(prefix="emotune-features-") as scratch:
        present, paths, examples = [], {}, {}
        for item in mine:
            example = tables[item[0], item[1]][item[2]]
            path = _audio_source(example.pop("audio"), Path(scratch), f"{len(paths)}")
            if path.is_file():
                present.append(item)
                paths[item], examples[item] = path, example
            else:
                writer.write(
                    {
                        "key": list(item),
                        "id": example["id"],
                        "skip": [AUDIO_MISSING, f"{path} does not exist"],
                    }
                )
                bar.update(False, None, {})

        def release(item) -> None:
            if Path(scratch) in paths[item].parents:
                paths[item].unlink(missing_ok=True)

        runner = FeatureRunner(extractor, overlap=overlap and row_columns is None)
        try:
            for outcome in runner.run(present, source=lambda item: str(paths[item]), release=release):
                example = examples.pop(outcome.item)
                key = {"key": list(outcome.item), "id": example["id"]}
                if outcome.error is not None:
                    writer.write({**key, "skip": [AUDIO_UNDECODABLE, str(outcome.error)]})
                else:
                    row = feature_row(example, outcome.features)
                    if row_columns is not None:
                        row.update(row_columns(example, outcome.features))
                    writer.write({**key, "row": row})
                bar.update(outcome.error is None, outcome.duration, outcome.timings)
        finally:
            if writer is not None:
                writer.close()
            bar.close()
    if mine and processes.count > 1:
        print(f"{processes.label()}: {bar.summary()}", flush=True)
    processes.wait_for_everyone()
    summary = None
    if processes.is_main:
        try:
            summary = _write_features(dataset, output_dir, journals, tables, chosen, description, schema)
        except OSError as error:
            kept = f"the journals in {journals.folder} are kept: the same command with --resume writes it from them"
            raise writing_error(error, output_dir, "writing the features dataset", kept) from None
        journals.remove()
        if mine and processes.count == 1:
            print(bar.summary())
    processes.wait_for_everyone()
    return summary


def _write_features(
    dataset, output_dir: Path, journals, tables: dict, chosen: Sequence[str], description: str, schema=None
) -> FeaturesSummary:
    """The features dataset folder from the journals: rows in the order of the unified dataset."""
    from datasets import Dataset

    from modeling.collection.output import read_jsonl

    index = {}
    for number, path in enumerate(journals.files()):
        for offset, length, record in read_jsonl(path):
            index.setdefault(tuple(record["key"]), (number, offset, length))
    files = [open(path, "rb") for path in journals.files()]  # noqa: SIM115 (closed below)
    configs: dict[str, dict[str, Dataset]] = {}
    skips: list[Skip] = []
    built = dict.fromkeys(chosen, 0)
    try:
        for (source, split), rows in tables.items():
            out = []
            for row in range(len(rows)):
                number, offset, length = index[source, split, row]
                files[number].seek(offset)
                record = json.loads(files[number].read(length))
                if "skip" in record:
                    skips.append(Skip(source, record["id"], *record["skip"]))
                else:
                    out.append(record["row"])
            built[source] += len(out)
            if out:
                configs.setdefault(source, {})[split] = Dataset.from_list(
                    out, features=schema or music2emo_features()
                )
    finally:
        for file in files:
            file.close()
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
