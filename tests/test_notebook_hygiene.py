"""Every lesson is honest, small and linked (issue 5): stored outputs from one clean run,
no stored errors, ≤ 500 KB, the course skeleton, and links a newcomer can follow."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
LESSON_NAME = re.compile(r"\d\d_[a-z0-9_]+\.ipynb")  # a kept copy like 03_x.2026....ipynb is not a lesson
LESSONS = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if LESSON_NAME.fullmatch(p.name))
MAX_BYTES = 500 * 1024
LINK = re.compile(r"\]\(([^)\s]+\.ipynb)(#[^)]*)?\)")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(path: Path) -> str:
    return "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")


def code_cells(path: Path) -> list[dict]:
    return [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]


lesson = pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])


def test_the_nine_lessons_exist():
    assert [p.name[:2] for p in LESSONS] == [f"{i:02d}" for i in range(9)], [p.name for p in LESSONS]


@lesson
def test_size_at_most_500_kb(path):
    assert path.stat().st_size <= MAX_BYTES, f"{path.name}: {path.stat().st_size / 1024:.0f} KB"


@lesson
def test_outputs_are_stored(path):
    with_output = [c for c in code_cells(path) if c["outputs"]]
    assert with_output, f"{path.name} has no stored outputs: run `make execute NB=notebooks/{path.name}`"


@lesson
def test_no_stored_errors(path):
    for number, cell in enumerate(code_cells(path)):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", \
                f"{path.name} code cell {number}: {output.get('ename')}: {output.get('evalue')}"
            text = "".join(output.get("text", ""))
            assert "Traceback (most recent call last)" not in text, f"{path.name} code cell {number}"


@lesson
def test_execution_counts_run_one_to_n(path):
    """Restart-and-run-all order: 1, 2, ..., n with no gaps, no re-runs, nothing skipped."""
    counts = [c["execution_count"] for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: {counts}"


@lesson
def test_skeleton_headings(path):
    text = markdown(path)
    assert re.match(r"\s*# \S", text), f"{path.name} must open with a '# Title' cell"
    for heading in ("Summary", "Exercises"):
        assert re.search(rf"^##\s+{heading}\b", text, re.M), f"{path.name} lacks a '## {heading}' heading"


@lesson
def test_previous_and_next_links(path):
    """The last cells link the neighbours, and every .ipynb link points at an existing file."""
    index = LESSONS.index(path)
    links = [m.group(1) for m in LINK.finditer(markdown(path))]
    for target in links:
        assert (path.parent / target).is_file(), f"{path.name} links a missing file: {target}"
    tail = "\n".join(source(c) for c in cells(path)[-2:])
    expected = [LESSONS[i].name for i in (index - 1, index + 1) if 0 <= i < len(LESSONS)]
    for name in expected:
        assert f"]({name})" in tail, f"{path.name}: no link to {name} at the bottom"


def test_readme_lesson_table_links_every_lesson():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(notebooks/([^)\s]+\.ipynb)\)", readme))
    assert {p.name for p in LESSONS} <= linked, sorted({p.name for p in LESSONS} - linked)
    for name in linked:
        assert (NOTEBOOKS / name).is_file(), f"README links a missing notebook: {name}"


def test_start_here_links_every_lesson():
    start = next(p for p in LESSONS if p.name.startswith("00_"))
    linked = {m.group(1) for m in LINK.finditer(markdown(start))}
    missing = {p.name for p in LESSONS[1:]} - linked
    assert not missing, f"{start.name} (the course map) does not link {sorted(missing)}"
