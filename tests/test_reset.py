"""Learners' work is safe: `make reset` keeps their copy, `make lab` never writes a notebook (issue 5)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRISTINE = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
EDITED = PRISTINE.replace('"cells": []', '"cells": [{"cell_type": "markdown", "metadata": {}, "source": "my notes"}]')


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A tiny git clone of the course: the real Makefile and one committed lesson."""
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.fail("make reset needs git and make on PATH")
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / "tools").mkdir()
    shutil.copy(REPO / "tools" / "reset_lesson.py", tmp_path / "tools" / "reset_lesson.py")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "03_rate_variance.ipynb").write_text(PRISTINE)
    for args in (["git", "init", "-q"], ["git", "add", "."],
                 ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "course"]):
        assert run(args, tmp_path).returncode == 0
    return tmp_path


def test_reset_keeps_the_learners_copy_and_restores_the_lesson(course):
    lesson = course / "notebooks" / "03_rate_variance.ipynb"
    lesson.write_text(EDITED)
    result = run(["make", "reset", "LESSON=03"], course)
    assert result.returncode == 0, result.stdout + result.stderr
    kept = list((course / "my-work").glob("03_rate_variance.*.ipynb"))
    assert len(kept) == 1 and re.fullmatch(r"03_rate_variance\.\d{8}-\d{6}\.ipynb", kept[0].name)
    assert kept[0].read_text() == EDITED
    assert lesson.read_text() == PRISTINE
    assert f"my-work/{kept[0].name}" in result.stdout


def test_reset_twice_in_a_second_keeps_both_copies(course):
    lesson = course / "notebooks" / "03_rate_variance.ipynb"
    for text in (EDITED, EDITED + " "):
        lesson.write_text(text)
        assert run(["make", "reset", "LESSON=03"], course).returncode == 0
    assert sorted(p.read_text() for p in (course / "my-work").iterdir()) == [EDITED, EDITED + " "]


def test_reset_of_an_unchanged_lesson_does_nothing(course):
    result = run(["make", "reset", "LESSON=03"], course)
    assert result.returncode == 0 and "nothing to reset" in result.stdout
    assert not (course / "my-work").exists()


def test_reset_restores_a_deleted_lesson(course):
    lesson = course / "notebooks" / "03_rate_variance.ipynb"
    lesson.unlink()
    assert run(["make", "reset", "LESSON=03"], course).returncode == 0
    assert lesson.read_text() == PRISTINE


@pytest.mark.parametrize("lesson, message", [("", "Usage: make reset LESSON=03"), ("3", "two-digit"),
                                             ("03;rm", "two-digit"), ("42", "There is no lesson 42")])
def test_reset_refuses_a_bad_lesson(course, lesson, message):
    lesson_file = course / "notebooks" / "03_rate_variance.ipynb"
    lesson_file.write_text(EDITED)
    result = run(["make", "reset", f"LESSON={lesson}"], course)
    assert result.returncode != 0 and message in result.stdout
    assert lesson_file.read_text() == EDITED  # nothing touched


def test_reset_stops_before_restoring_when_my_work_is_a_file(course):
    lesson = course / "notebooks" / "03_rate_variance.ipynb"
    lesson.write_text(EDITED)
    (course / "my-work").write_text("not a folder")
    result = run(["make", "reset", "LESSON=03"], course)
    assert result.returncode != 0 and "NOT reset" in result.stdout, result.stdout + result.stderr
    assert lesson.read_text() == EDITED  # the learner's edits are still there


def test_reset_stops_before_restoring_when_the_disk_is_full(course):
    """A file-size limit of 0 makes every write fail as a full disk would (EFBIG instead of ENOSPC)."""
    lesson = course / "notebooks" / "03_rate_variance.ipynb"
    lesson.write_text(EDITED)
    result = subprocess.run(["sh", "-c", "ulimit -f 0 && make reset LESSON=03"], cwd=course,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "NOT reset" in result.stdout, result.stdout + result.stderr
    assert lesson.read_text() == EDITED
    assert not list((course / "my-work").glob("*.ipynb"))  # no half-written copy left behind


def test_kept_copies_are_inside_the_folder_make_lab_serves():
    recipe = re.search(r"^lab:.*\n\t(.*)\n", (REPO / "Makefile").read_text(), re.M).group(1)
    assert "--ServerApp.root_dir=. " in recipe and "notebooks/00_start_here.ipynb" in recipe


def test_lab_and_setup_never_write_notebooks():
    """Dry-run every recipe `make lab` could run (-B: as if nothing were installed yet)."""
    result = run(["make", "-n", "-B", "lab", "setup"], REPO)
    assert result.returncode == 0, result.stderr
    writes = re.compile(r"nbconvert|--inplace|\b(cp|mv|rm|tee|sed -i|git (checkout|restore|show|reset))\b|>")
    offending = [line for line in result.stdout.splitlines() if writes.search(line)]
    assert not offending, offending
    assert "jupyter lab" in result.stdout
