"""Every lesson in the manifest is honest, small, linked and findable by its slug (issues 5, 8).

The lessons are dl.lessons.LESSONS and nothing else: a notebook on disk that the manifest
does not list fails, and so does a listed lesson without its notebook, package or tests.
README's table, lesson 00's course map and every previous/next link must equal what the
manifest generates (`make sync-lessons` rewrites them).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dropout_lab import lessons as manifest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
LESSONS = manifest.LESSONS
MAX_BYTES = 500 * 1024
LINK = re.compile(r"\]\(([^)\s]+\.ipynb)(#[^)]*)?\)")


def cells(lesson: manifest.Lesson) -> list[dict]:
    return json.loads((REPO / lesson.notebook_path).read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(lesson: manifest.Lesson) -> str:
    return "\n".join(source(c) for c in cells(lesson) if c["cell_type"] == "markdown")


def code_cells(lesson: manifest.Lesson) -> list[dict]:
    return [c for c in cells(lesson) if c["cell_type"] == "code" and source(c).strip()]


each_lesson = pytest.mark.parametrize("lesson", LESSONS, ids=[f"{lesson.number}_{lesson.slug}" for lesson in LESSONS])


def test_the_manifest_is_in_order_with_unique_numbers_and_slugs():
    numbers = [lesson.number for lesson in LESSONS]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), numbers
    assert all(re.fullmatch(r"\d\d", n) for n in numbers), numbers
    slugs = [lesson.slug for lesson in LESSONS]
    assert len(set(slugs)) == len(slugs) and all(re.fullmatch(r"[a-z][a-z0-9_]*", s) for s in slugs), slugs
    assert numbers[0] == "00", "lesson 00 holds the course map"


def test_every_notebook_on_disk_is_a_lesson_of_the_manifest():
    on_disk = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
    assert on_disk == {lesson.notebook for lesson in LESSONS}, \
        "notebooks/ and dl.lessons.LESSONS disagree: add the lesson to the manifest (make new-lesson) or remove it"


@each_lesson
def test_the_lesson_has_its_package_and_tests(lesson):
    assert (REPO / "dropout_lab" / "lessons" / lesson.slug / "__init__.py").is_file(), lesson.package
    tests = list((REPO / "tests" / "lessons").glob(f"test_{lesson.slug}*.py"))
    assert tests, f"no tests/lessons/test_{lesson.slug}*.py"


@each_lesson
def test_size_at_most_500_kb(lesson):
    size = (REPO / lesson.notebook_path).stat().st_size
    assert size <= MAX_BYTES, f"{lesson.notebook}: {size / 1024:.0f} KB"


@each_lesson
def test_outputs_are_stored(lesson):
    assert any(c["outputs"] for c in code_cells(lesson)), \
        f"{lesson.notebook} has no stored outputs: run `make execute NB={lesson.notebook_path}`"


@each_lesson
def test_no_stored_errors(lesson):
    for number, cell in enumerate(code_cells(lesson)):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", \
                f"{lesson.notebook} code cell {number}: {output.get('ename')}: {output.get('evalue')}"
            text = "".join(output.get("text", ""))
            assert "Traceback (most recent call last)" not in text, f"{lesson.notebook} code cell {number}"


@each_lesson
def test_execution_counts_run_one_to_n(lesson):
    """Restart-and-run-all order: 1, 2, ..., n with no gaps, no re-runs, nothing skipped."""
    counts = [c["execution_count"] for c in code_cells(lesson)]
    assert counts == list(range(1, len(counts) + 1)), f"{lesson.notebook}: {counts}"


@each_lesson
def test_skeleton_and_title(lesson):
    text = markdown(lesson)
    first = source(cells(lesson)[0]).splitlines()[0]
    assert first.startswith(f"# {lesson.number} · {lesson.title}"), \
        f"{lesson.notebook} must open with '# {lesson.number} · {lesson.title}' (the manifest's title), got {first!r}"
    for heading in ("Summary", "Exercises"):
        assert re.search(rf"^##\s+{heading}\b", text, re.M), f"{lesson.notebook} lacks a '## {heading}' heading"


@each_lesson
def test_numbered_sections_run_one_to_n(lesson):
    numbers = [int(n) for n in re.findall(r"^## (\d+)\.", markdown(lesson), re.M)]
    assert numbers == list(range(1, len(numbers) + 1)), f"{lesson.notebook}: sections {numbers}"


@each_lesson
def test_navigation_is_the_generated_one_and_links_resolve(lesson):
    assert source(cells(lesson)[-1]) == manifest.navigation(lesson), \
        f"{lesson.notebook}: the last cell is not the generated navigation: run `make sync-lessons`"
    for target in (m.group(1) for m in LINK.finditer(markdown(lesson))):
        assert (NOTEBOOKS / target).is_file(), f"{lesson.notebook} links a missing file: {target}"


def test_readme_table_is_generated_from_the_manifest():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert manifest.lesson_table("notebooks/") in readme, "README's lesson table is stale: run `make sync-lessons`"


def test_course_map_in_lesson_00_is_generated_from_the_manifest():
    assert manifest.lesson_table() in markdown(LESSONS[0]), "lesson 00's course map is stale: run `make sync-lessons`"


def test_a_stale_table_is_noticed():
    """The check above can fail: a manifest with one more lesson gives a different table."""
    extra = manifest.Lesson("99", "zz_extra", "Extra", "one more")
    original = manifest.LESSONS
    try:
        manifest.LESSONS = (*original, extra)
        assert manifest.lesson_table("notebooks/") not in (REPO / "README.md").read_text(encoding="utf-8")
    finally:
        manifest.LESSONS = original
