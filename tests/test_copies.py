"""Marked copies equal their source.

A configuration_*/modeling_* file travels to the Hub as remote code and may import only torch,
transformers and files of its own folder, so where it needs a definition that lives elsewhere in
emotune it keeps a copy marked as transformers marks them::

    # Copied from modeling.vocabularies.chords.vocabulary.PITCH_CLASSES
    PITCH_CLASSES = ("C", ...)

    # Copied from modeling.music2emo.modeling_music2emo.sinusoidal_positions with table->positions
    def sinusoidal_positions(...): ...

The marker sits on the line above the definition (a function, a class or an assignment; above its
decorators if it has any). ``with A->B, C->D`` renames in the source before the comparison. As
transformers' ``utils/check_copies.py`` compares formatted text, the comparison here is of the
syntax trees (formatting and comments aside; docstrings count); for an assignment, of the assigned value.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

MARKER = re.compile(r"^\s*# Copied from ((?:\w+\.)+\w+)(?: with (.+))?\s*$")


@dataclass
class Copy:
    path: Path
    line: int  # 1-based line of the marker
    source: str  # dotted name: module path, then the object (``Class.method`` for a method)
    renames: list[tuple[str, str]]


def marked_copies(root: Path) -> list[Copy]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = MARKER.match(text)
            if match:
                renames = []
                for pair in (match.group(2) or "").split(","):
                    if pair.strip():
                        old, _, new = pair.strip().partition("->")
                        renames.append((old.strip(), new.strip()))
                found.append(Copy(path, number, match.group(1), renames))
    return found


def _statements(body: list[ast.stmt]):
    for node in body:
        yield node
        if isinstance(node, ast.ClassDef):
            yield from _statements(node.body)


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _find(body: list[ast.stmt], dotted: str) -> ast.stmt | None:
    head, _, rest = dotted.partition(".")
    for node in body:
        if head in _names(node):
            if not rest:
                return node
            return _find(node.body, rest) if isinstance(node, ast.ClassDef) else None
    return None


def _comparable(node: ast.stmt) -> str:
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return ast.dump(node.value)
    return ast.dump(node)


def _parse_segment(text: str, node: ast.stmt) -> ast.stmt:
    lines = text.splitlines()[_first_line(node) - 1 : node.end_lineno]
    return ast.parse(textwrap.dedent("\n".join(lines))).body[0]


def resolve_source(copy: Copy, root: Path) -> tuple[Path, str]:
    """The file of the copy's source and the object's dotted name inside it."""
    parts = copy.source.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        path = root.joinpath(*parts[:cut]).with_suffix(".py")
        if path.is_file():
            return path, ".".join(parts[cut:])
    raise LookupError(f"{copy.path}:{copy.line}: no module of {copy.source} under {root}")


def check_copy(copy: Copy, root: Path) -> str | None:
    """None when the copy equals its source, else what is wrong."""
    where = f"{copy.path.relative_to(root)}:{copy.line}"
    source_path, name = resolve_source(copy, root)
    source_text = source_path.read_text(encoding="utf-8")
    source = _find(ast.parse(source_text).body, name)
    if source is None:
        return f"{where}: {copy.source} does not exist"
    segment = "\n".join(source_text.splitlines()[_first_line(source) - 1 : source.end_lineno])
    for old, new in copy.renames:
        segment = segment.replace(old, new)
    expected = ast.parse(textwrap.dedent(segment)).body[0]
    copy_text = copy.path.read_text(encoding="utf-8")
    marked = [node for node in _statements(ast.parse(copy_text).body) if _first_line(node) == copy.line + 1]
    if not marked:
        return f"{where}: the marker is not on the line above a definition"
    if _comparable(_parse_segment(copy_text, marked[0])) != _comparable(expected):
        return f"{where}: differs from {copy.source}; copy the source again (or fix the marker)"
    return None


COPIES = marked_copies(REPO_ROOT / "modeling")


def test_the_remote_code_files_mark_their_copies():
    sources = {copy.source for copy in COPIES}
    assert "modeling.vocabularies.chords.vocabulary.PITCH_CLASSES" in sources
    assert "modeling.music2emo.modeling_music2emo.sinusoidal_positions" in sources


@pytest.mark.parametrize("copy", COPIES, ids=lambda c: f"{c.path.name}:{c.line}")
def test_marked_copies_equal_their_source(copy):
    assert check_copy(copy, REPO_ROOT) is None


def test_a_diverging_copy_is_reported(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "source.py").write_text(
        "NAMES: tuple[str, ...] = ('a', 'b')\n\n\n"
        "def table(length: int):\n    '''Docs.'''\n    values = list(range(length))\n    return values\n"
    )
    copy = tmp_path / "pkg" / "copy.py"
    copy.write_text(
        "# Copied from pkg.source.NAMES\nNAMES = (\n    'a',\n    'b',\n)\n\n\n"
        "# Copied from pkg.source.table with values->rows\n"
        "def table(length: int):\n    '''Docs.'''\n    rows = list(range(length))  # a comment\n    return rows\n"
    )
    names, table = marked_copies(tmp_path)
    assert table.renames == [("values", "rows")]
    assert check_copy(names, tmp_path) is None and check_copy(table, tmp_path) is None
    copy.write_text(copy.read_text().replace("'b'", "'c'").replace("range(length)", "range(length + 1)"))
    assert "differs from pkg.source.NAMES" in check_copy(names, tmp_path)
    assert "differs from pkg.source.table" in check_copy(table, tmp_path)
    copy.write_text("# Copied from pkg.source.missing\nNAMES = ()\n")
    assert "pkg.source.missing does not exist" in check_copy(marked_copies(tmp_path)[0], tmp_path)
