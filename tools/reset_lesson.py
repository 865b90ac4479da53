"""`make reset LESSON=03`: keep the learner's version of a lesson, then restore it as committed.

The learner's copy is written to my-work/NN_<name>.<timestamp>.ipynb and read back before
anything is restored; if it cannot be kept (my-work is a file, the folder is not writable,
the disk is full, ...) the lesson is left exactly as it was and the exit code is 1.
Standard library only, so it runs with any python3 (no course environment needed).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

KEPT = Path("my-work")
USAGE = "Usage: make reset LESSON=03   (LESSON is a two-digit lesson number, got {!r})"


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], check=True, capture_output=True).stdout


def committed_lessons() -> dict[str, str]:
    """Lesson number -> notebook path, for the notebooks committed at HEAD."""
    names = git("ls-tree", "--name-only", "HEAD", "notebooks/").decode().splitlines()
    found = (re.fullmatch(r"notebooks/(\d\d)_[a-z0-9_]+\.ipynb", name) for name in names)
    return {match.group(1): match.group(0) for match in found if match}


def keep_copy(notebook: Path, data: bytes) -> Path:
    """Write the learner's notebook into my-work/ and check it reads back identical; raise OSError if not."""
    if KEPT.exists() and not KEPT.is_dir():
        raise OSError(f"{KEPT} exists but is not a folder")
    KEPT.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target, n = KEPT / f"{notebook.stem}.{stamp}.ipynb", 1
    while target.exists():
        n += 1
        target = KEPT / f"{notebook.stem}.{stamp}-{n}.ipynb"
    try:
        with open(target, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.read_bytes() != data:
            raise OSError(f"{target} does not read back as written")
    except OSError:
        target.unlink(missing_ok=True)
        raise
    return target


def restore(notebook: Path, committed: bytes) -> None:
    """Replace the notebook with its committed version in one step (write aside, then rename)."""
    aside = notebook.with_suffix(".reset-tmp")
    aside.write_bytes(committed)
    os.replace(aside, notebook)


def main(lesson: str) -> int:
    if not re.fullmatch(r"\d\d", lesson):
        print(USAGE.format(lesson))
        return 2
    lessons = committed_lessons()
    if lesson not in lessons:
        print(f"There is no lesson {lesson}. Lessons: {' '.join(sorted(lessons))}")
        return 2
    notebook = Path(lessons[lesson])
    committed = git("show", f"HEAD:{notebook.as_posix()}")
    if notebook.is_file():
        current = notebook.read_bytes()
        if current == committed:
            print(f"{notebook} is unchanged; nothing to reset.")
            return 0
        try:
            kept = keep_copy(notebook, current)
        except OSError as error:
            print(f"Could not keep a copy of your {notebook} in {KEPT}/ ({error}).\n"
                  f"Your lesson was NOT reset: your edits are still in {notebook}. Free some disk space or make "
                  f"{KEPT}/ a writable folder, then run make reset LESSON={lesson} again.")
            return 1
        print(f"Kept your version as {kept.as_posix()}")
    restore(notebook, committed)
    print(f"Restored {notebook}. If it is open in JupyterLab: File > Reload Notebook from Disk.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
