"""An output file that grows as results arrive, written by one or several processes, and resumable.

``emotune predict --output OUT`` (``.jsonl``, ``.csv`` or ``.parquet``) writes one record per file
(:mod:`modeling.collection.records`). Every record is written and flushed as soon as its file is done, so
a crash, Ctrl-C or SIGKILL loses only the files in flight:

* one process writing JSON Lines or CSV appends to ``OUT`` itself;
* otherwise (several processes, or Parquet, which cannot grow) each process appends to its own journal
  ``OUT.parts/part-r<run>-p<process>.jsonl``; when every process is done, the main process merges
  ``OUT`` (what an earlier run left) and the journals into ``OUT`` (written beside it and swapped in)
  and removes ``OUT.parts``.

What is in ``OUT`` and the journals counts as done (a last line cut short by a kill does not count), so
``--resume`` processes the rest and the merge holds every file once, in the order of the inputs. A
relaunch may use another number of processes: each run writes journals of its own.

One run at a time: a run holds ``OUT.lock`` (:mod:`.lock`) from before it reads what is done until the
merge. All records of an output have the same optional columns (``--embeddings``, ``--dynamic-model``:
:mod:`.records`); a resume with other options, or with embeddings of another encoder, is refused. A
file-system failure (a full disk, ...) is one :class:`~modeling.base.errors.StorageError`
(:mod:`.locations`): a record is one ``write`` straight to the operating system, so those before it stay
intact, and the merge changes nothing of ``OUT`` or the journals until it swaps the merged file in.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..base.errors import InvalidInputError, StorageError
from .locations import check_output_location, writing_error
from .lock import OutputLock
from .records import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    columns,
    from_csv_row,
    from_jsonl,
    from_parquet_row,
    parquet_features,
    record_extras,
    record_line,
    to_csv_row,
)

__all__ = ["FORMATS", "Journals", "JsonlWriter", "RecordOutput", "read_jsonl", "read_records"]

FORMATS = (".jsonl", ".csv", ".parquet")
"""Output suffixes ``--output`` accepts."""

FSYNC_SECONDS = 10.0
"""Records are flushed to the operating system one by one (a killed process loses none of them) and
synced to the disk at least this often (a power cut loses at most these seconds)."""

_JOURNAL = re.compile(r"part-r(\d+)-p(\d+)\.jsonl$")
_PARQUET_ROWS = 1000


def read_jsonl(path: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(offset, length, record)`` of each complete line of a JSON Lines file (a last line cut short, or
    one that is not JSON, is not a record)."""
    with open(path, "rb") as file:
        offset = 0
        for line in file:
            if line.endswith(b"\n"):
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    yield offset, len(line), record
            offset += len(line)


def _csv_header(path: Path, names: Sequence[str]) -> tuple[str, ...]:
    """The columns of a CSV output's header: :data:`COLUMNS`, then optional columns in their order."""
    extra = tuple(names[len(COLUMNS) :])
    ordered = tuple(name for name in OPTIONAL_COLUMNS if name in extra)
    if tuple(names[: len(COLUMNS)]) != COLUMNS or extra != ordered:
        raise InvalidInputError(
            f"{path} is not an emotune predict CSV (its header is {list(names)[:4]}...). Accepted: a CSV this "
            "command wrote, or a new path"
        )
    return tuple(names)


def _read_csv(path: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(offset, length, record)`` of each complete row of a CSV output (one line a row)."""
    with open(path, "rb") as file:
        header = file.readline()
        if not header.endswith(b"\n"):
            return  # nothing written yet, or a header cut short by a kill
        names = _csv_header(path, next(csv.reader([header.decode("utf-8")]), []))
        offset = len(header)
        for line in file:
            if line.endswith(b"\n"):
                cells = next(csv.reader([line.decode("utf-8")]), [])
                if len(cells) == len(names):
                    yield offset, len(line), from_csv_row(dict(zip(names, cells, strict=True)), names)
            offset += len(line)


def _csv_columns(path: Path) -> tuple[str, ...] | None:
    """The columns of an existing CSV output's header (``None``: no complete header yet)."""
    if not path.is_file():
        return None
    with open(path, "rb") as file:
        header = file.readline()
    if not header.endswith(b"\n"):
        return None
    return _csv_header(path, next(csv.reader([header.decode("utf-8")]), []))


def _read_output(source: Path, form: str) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(offset or row, length, record)`` of an output file in the form ``form`` (a journal: ``.jsonl``)."""
    if not source.exists():
        return
    if form == ".jsonl":
        for offset, length, record in read_jsonl(source):
            if not isinstance(record.get("path"), str):
                raise InvalidInputError(
                    f"{source} holds a line that is not an emotune predict record (no 'path'). Accepted: an "
                    "output this command wrote, or a new path"
                )
            yield offset, length, from_jsonl(record)
    elif form == ".csv":
        yield from _read_csv(source)
    else:
        import pyarrow.parquet as pq

        row = 0
        for batch in pq.ParquetFile(source).iter_batches(batch_size=_PARQUET_ROWS):
            for values in batch.to_pylist():
                yield row, 0, from_parquet_row(values)
                row += 1


def read_records(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records an output file holds now, in its form (its suffix): what a run wrote so far, readable
    while it runs (a last line cut short is not a record; the journals of a launch are not read)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InvalidInputError(f"Cannot read records from {path.name}. Accepted: {', '.join(FORMATS)}")
    return [record for _, _, record in _read_output(path, path.suffix.lower())]


def _complete_length(path: Path, chunk: int = 1 << 16) -> int:
    """Bytes of ``path`` up to its last complete line (read backwards from the end)."""
    with open(path, "rb") as file:
        end = file.seek(0, os.SEEK_END)
        while end > 0:
            start = max(0, end - chunk)
            file.seek(start)
            found = file.read(end - start).rfind(b"\n")
            if found >= 0:
                return start + found + 1
            end = start
    return 0


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _records_text(count: int) -> str:
    return f"{count} record{'s' * (count != 1)}"


class JsonlWriter:
    """Appends records to a JSON Lines (or CSV, columns ``names``) file, one write each, straight to the
    operating system; an incomplete last line left by a killed writer is cut off first. A file-system error
    (a full disk, ...) is an :class:`StorageError` that says the records written before are kept (a line it
    cut short is cut off by the next writer)."""

    def __init__(self, path: Path, form: str = ".jsonl", names: Sequence[str] = COLUMNS):
        self.path, self.form, self.names = Path(path), form, tuple(names)
        self.written = 0
        self.failed = False
        try:
            self.path.parent.mkdir(exist_ok=True)
            new = not self.path.exists() or self.path.stat().st_size == 0
            if not new:
                length = _complete_length(self.path)
                if length != self.path.stat().st_size:
                    os.truncate(self.path, length)
                new = length == 0
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise writing_error(
                error, self.path, "opening it for the records", "what it held is kept"
            ) from None
        self.synced = time.monotonic()
        if new and form == ".csv":
            self._write_line(_csv_line(self.names))

    def write(self, record: dict[str, Any]) -> None:
        line = _csv_line(to_csv_row(record, self.names)) if self.form == ".csv" else record_line(record)
        self._write_line(line)
        self.written += 1

    def _write_line(self, line: str) -> None:
        try:
            _write_all(self.fd, line.encode("utf-8"))
            if time.monotonic() - self.synced > FSYNC_SECONDS:
                os.fsync(self.fd)
                self.synced = time.monotonic()
        except OSError as error:
            self.failed = True
            raise writing_error(
                error,
                self.path,
                "writing the records",
                f"the {_records_text(self.written)} written to it before are kept for --resume",
            ) from None

    def close(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            if not self.failed:
                os.fsync(fd)
        except OSError as error:
            raise writing_error(
                error, self.path, "saving the records", f"the {_records_text(self.written)} written are kept"
            ) from None
        finally:
            os.close(fd)


class Journals:
    """A folder of journals: one JSON Lines file per process and run, ``part-r<run>-p<process>.jsonl``.

    Every process of a run calls :meth:`start_run` before any of them writes (they then agree on the run's
    number), and :meth:`writer` after.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.run = 0

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(path for path in self.folder.iterdir() if _JOURNAL.match(path.name))

    def start_run(self) -> int:
        self.run = max((int(_JOURNAL.match(path.name).group(1)) for path in self.files()), default=-1) + 1
        return self.run

    def writer(self, process_index: int) -> JsonlWriter:
        return JsonlWriter(self.folder / f"part-r{self.run:03d}-p{process_index:05d}.jsonl")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


class RecordOutput:
    """``OUT`` and its journals (see the module docstring).

    Args:
        path: the output file; its suffix (:data:`FORMATS`) chooses the format.
        resume: continue what ``OUT`` and its journals hold. Without it an existing ``OUT`` (or journals) is
            refused, unless ``overwrite`` (:meth:`clear` deletes them).
        extras: the optional columns this run's records have (:data:`~.records.OPTIONAL_COLUMNS`:
            ``embedding`` and ``embedding_encoder`` with ``--embeddings``, ``curve`` with
            ``--dynamic-model``); the records already in ``OUT`` must have the same (:meth:`done`).

    Everything the constructor checks needs no model (nor torch): the format, the place of ``OUT``
    (:func:`~.locations.check_output_location`), whether another run writes it now (:attr:`lock`), whether
    it exists. The run then holds :attr:`lock` until the end.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        resume: bool = False,
        overwrite: bool = False,
        extras: Sequence[str] = (),
    ):
        self.path = Path(path)
        self.form = self.path.suffix.lower()
        if self.form not in FORMATS:
            raise InvalidInputError(
                f"Cannot write results to {self.path.name}: unknown format. Accepted: a path ending in "
                + ", ".join(FORMATS)
            )
        if self.path.is_dir():
            raise InvalidInputError(
                f"--output {self.path} is a folder. Accepted: a file path ending in {', '.join(FORMATS)}"
            )
        check_output_location(self.path, "--output")
        self.extras = tuple(name for name in OPTIONAL_COLUMNS if name in extras)
        self.names = columns(self.extras)
        self.parts = self.path.with_name(self.path.name + ".parts")
        if self.parts.exists() and not self.parts.is_dir():
            raise StorageError(
                f"{self.parts} is a file, in the way of the folder of journals of --output {self.path}. Accepted: "
                "move the file away, or another --output"
            )
        self.journal = Journals(self.parts)
        self.lock = OutputLock(self.path)
        """Held by the run from before it reads what is done until the merge (:mod:`.lock`)."""
        self.lock.check_free()
        if not resume and not overwrite and (self.path.exists() or self.parts.exists()):
            raise InvalidInputError(
                f"{self.path if self.path.exists() else self.parts} already exists. Accepted: --resume to process "
                "only the files it does not hold yet, --overwrite to start again, or another --output"
            )
        self.overwrite = overwrite and not resume
        self.encoders: list[dict] = []
        """The encoders named by the embeddings already written (:meth:`done`)."""

    def clear(self) -> None:
        """With ``overwrite``: delete ``OUT`` and its journals (the main process, before the others read)."""
        if self.overwrite:
            try:
                self.path.unlink(missing_ok=True)
            except OSError as error:
                raise writing_error(
                    error, self.path, "deleting it for --overwrite", "it is unchanged"
                ) from None
            self.journal.remove()

    # --- before the processes start writing (every process reads the same files) --------------------------

    def done(self) -> set[str]:
        """Paths that already have a record (in ``OUT`` or a journal); also fixes this run's number.

        Raises:
            InvalidInputError: records written with other options than this run's :attr:`extras` (an
                ``OUT`` written without ``--embeddings`` resumed with it, or the other way round).
        """
        self.journal.start_run()
        if self.form == ".csv":
            header = _csv_columns(self.path)
            if header is not None and header != self.names:
                self._refuse_extras(self.path, header[len(COLUMNS) :])
        paths, encoders = set(), {}
        for source in [self.path, *self.journal.files()]:
            for _, _, record in self._read(source):
                paths.add(record["path"])
                extras = record_extras(record)
                if extras is not None and extras != self.extras:
                    self._refuse_extras(source, extras)
                encoder = record.get("embedding_encoder")
                if encoder is not None:
                    encoders.setdefault(json.dumps(encoder, sort_keys=True), encoder)
        self.encoders = list(encoders.values())
        return paths

    def _refuse_extras(self, source: Path, found: Sequence[str]) -> None:
        def holding(extras) -> str:
            kinds = [
                what
                for name, what in (
                    ("embedding", "embeddings (--embeddings)"),
                    ("curve", "curves (--dynamic-model)"),
                )
                if name in extras
            ]
            return "with " + " and ".join(kinds) if kinds else "without embeddings or curves"

        raise InvalidInputError(
            f"{source} holds records {holding(found)}, but this run writes records {holding(self.extras)}: one "
            "output holds records of one kind. Accepted: --resume with the options of the run that wrote it, "
            "--overwrite to write it again with these options, or another --output"
        )

    def check_encoder(self, identity: dict) -> None:
        """Refuse to add embeddings of the encoder ``identity`` to an output whose embeddings come from
        another one (embeddings of two encoders cannot be compared)."""
        from .embeddings import describe_encoder, same_encoder

        others = [encoder for encoder in self.encoders if not same_encoder(encoder, identity)]
        if others:
            raise InvalidInputError(
                f"The embeddings in {self.path} come from the encoder {describe_encoder(others[0])}, this run's "
                f"from {describe_encoder(identity)}: embeddings of two encoders cannot be compared. Accepted: "
                "--resume with the model (or --audio-encoder) that wrote them, --overwrite to embed every file "
                "again, or another --output"
            )

    def _read(self, source: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """``(offset or row, length, record)`` of a source: ``OUT`` in its format, or a journal."""
        yield from _read_output(source, self.form if source == self.path else ".jsonl")

    # --- writing ---------------------------------------------------------------------------------------

    def writer(self, process_index: int, num_processes: int) -> JsonlWriter:
        """Where this process appends its records: ``OUT`` itself (one process, JSON Lines or CSV), else its
        journal of this run."""
        if num_processes == 1 and self.form != ".parquet":
            return JsonlWriter(self.path, self.form, self.names)
        return self.journal.writer(process_index)

    # --- the end (main process, once every process has closed its writer) -------------------------------

    def finish(self, order: Sequence[str]) -> dict[str, int]:
        """Merge ``OUT`` and the journals into ``OUT``: each path once, in the order of ``order`` (paths it
        does not name keep their order, after them); returns ``{"records", "failed"}``."""
        place = {path: index for index, path in enumerate(order)}
        journals = self.journal.files()
        sources = [self.path, *journals]
        index, seen, failed = [], set(), 0
        for number, source in enumerate(sources):
            for locator, length, record in self._read(source):
                path = record["path"]
                if path in seen:
                    continue  # a merge cut short after OUT was written: its journals repeat OUT
                seen.add(path)
                failed += record.get("error") is not None
                index.append((place.get(path, len(place) + len(index)), number, locator, length))
        in_place = [(number, locator) for _, number, locator, _ in index]
        index.sort()
        if journals or in_place != [(number, locator) for _, number, locator, _ in index]:
            self._rewrite(sources, index)
        self.journal.remove()
        return {"records": len(index), "failed": failed}

    def _records_in(self, sources: list[Path], index: list[tuple]) -> Iterator[dict[str, Any]]:
        files, groups = {}, {}
        try:
            for _, number, locator, length in index:
                source = sources[number]
                if number == 0 and self.form == ".parquet":
                    yield self._parquet_row(source, locator, groups)
                    continue
                if number not in files:
                    files[number] = open(source, "rb")  # noqa: SIM115 (closed below)
                files[number].seek(locator)
                line = files[number].read(length)
                if number == 0 and self.form == ".csv":
                    cells = next(csv.reader([line.decode("utf-8")]))
                    yield from_csv_row(dict(zip(self.names, cells, strict=True)), self.names)
                else:
                    yield from_jsonl(json.loads(line))
        finally:
            for file in files.values():
                file.close()

    @staticmethod
    def _parquet_row(source: Path, row: int, cache: dict) -> dict[str, Any]:
        import pyarrow.parquet as pq

        if "file" not in cache:
            cache["file"] = pq.ParquetFile(source)
            metadata = cache["file"].metadata
            cache["starts"] = [0]
            for group in range(metadata.num_row_groups):
                cache["starts"].append(cache["starts"][-1] + metadata.row_group(group).num_rows)
        starts = cache["starts"]
        group = next(g for g in range(len(starts) - 1) if starts[g] <= row < starts[g + 1])
        if cache.get("group") != group:
            cache["group"], cache["rows"] = group, cache["file"].read_row_group(group).to_pylist()
        return from_parquet_row(cache["rows"][row - starts[group]])

    def _rewrite(self, sources: list[Path], index: list[tuple]) -> None:
        """Write the merged records beside ``OUT`` and swap them in; on a failure (a full disk) nothing of
        ``OUT`` or the journals has changed, and the half-written file is removed."""
        staging = self.path.with_name(f".{self.path.name}.merging")
        records = self._records_in(sources, index)
        try:
            if self.form == ".parquet":
                _write_parquet(staging, records, self.extras)
            else:
                with open(staging, "w", encoding="utf-8", newline="") as file:
                    if self.form == ".csv":
                        file.write(_csv_line(self.names))
                    for record in records:
                        file.write(
                            _csv_line(to_csv_row(record, self.names))
                            if self.form == ".csv"
                            else record_line(record)
                        )
                    file.flush()
                    os.fsync(file.fileno())
            os.replace(staging, self.path)
        except OSError as error:
            with contextlib.suppress(OSError):
                staging.unlink(missing_ok=True)
            kept = (
                f"{self.path.name} and the journals in {self.parts.name} are unchanged"
                if index and sources[1:]
                else f"{self.path.name} is unchanged"
            )
            raise writing_error(error, self.path, "merging the records into it", kept) from None
        finally:
            records.close()


def _write_parquet(path: Path, records: Iterator[dict[str, Any]], extras: Sequence[str] = ()) -> None:
    """Records as Parquet, ``_PARQUET_ROWS`` a row group (memory stays flat), with ``datasets``' metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    features = parquet_features(extras)
    schema = features.arrow_schema
    names = list(features)
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append({column: record.get(column) for column in names})
            if len(batch) == _PARQUET_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
