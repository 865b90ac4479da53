"""Keep the generated lesson lists in step with the manifest, and scaffold a new lesson (issue 8).

    python tools/lessons.py sync                       README table, lesson 00's map, every nav cell
    python tools/lessons.py check                      the same, but only report what is out of date
    python tools/lessons.py new SLUG "Title" [--number NN] [--summary "..."] [--no-execute]

`make sync-lessons` and `make new-lesson SLUG=... TITLE=...` call these. `new` copies
tools/lesson_template/ into dropout_lab/lessons/<slug>/, writes notebooks/NN_<slug>.ipynb and
tests/lessons/test_<slug>.py, adds one line to dropout_lab/lessons/__init__.py, re-runs `sync`
and executes the new notebook so its outputs are stored. Run it from the repository root
(or pass --repo); it imports the manifest of the repository it writes to.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # build_site, next to this file
TEMPLATE = Path(__file__).resolve().parent / "lesson_template"
SLUG = re.compile(r"[a-z][a-z0-9_]*")


def manifest(repo: Path):
    """The dropout_lab.lessons module of `repo` (freshly imported, so a just-added line counts)."""
    sys.path.insert(0, str(repo))
    for name in [m for m in sys.modules if m == "dropout_lab" or m.startswith("dropout_lab.")]:
        del sys.modules[name]
    try:
        return importlib.import_module("dropout_lab.lessons")
    finally:
        sys.path.remove(str(repo))


def replace_between_markers(text: str, block: str, start: str, end: str) -> str:
    """Put `block` (which starts with `start` and ends with `end`) in place of the marked region."""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"no generated region ({start} ... {end}) found")
    return pattern.sub(lambda _: block, text, count=1)


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def save_notebook(path: Path, notebook: dict) -> None:
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def set_source(cell: dict, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True)


LAUNCH_START = "<!-- launch: generated from [project.urls] Repository in pyproject.toml -->"
LAUNCH_END = "<!-- launch: end -->"


def launch_section(url: str | None) -> str:
    """README's Binder and Colab lines, from the one place the repository URL lives."""
    conda = ("  Locally with conda: `conda env create -f environment.yml && conda activate dropout-lab && "
             "jupyter lab`.\n")
    # A clone, not `pip install git+...`: the course's data (data/, e.g. the IMDB subset) lives beside the
    # package, so an editable install of a clone is what finds it.
    colab_cell = ("  ```python\n  !git clone --depth 1 {url} dropout-lab\n  %pip install -e dropout-lab   "
                  "# Colab already has torch, keras, tensorflow\n  from google.colab import output\n"
                  "  output.enable_custom_widget_manager()   # without it the sliders show as text\n  ```\n\n"
                  "  Colab is best-effort: devices and versions are Colab's, so a few printed numbers can differ\n"
                  "  from the stored outputs.\n")
    if not url:
        body = ("- **Binder** and **Google Colab** open a lesson from the course's public repository, whose URL "
                "is not set yet.\n  Whoever publishes the course sets it once, as `Repository` under "
                "`[project.urls]` in `pyproject.toml`, and runs\n  `make sync-lessons`: the Binder and Colab "
                "links here and on every page of the website follow from it.\n"
                "  `environment.yml` describes the environment for Binder and conda.\n" + conda)
    else:
        github = url.rstrip("/").removeprefix("https://github.com/")
        binder = f"https://mybinder.org/v2/gh/{github}/HEAD?labpath=notebooks%2F00_start_here.ipynb"
        colab = f"https://colab.research.google.com/github/{github}/blob/main/notebooks/00_start_here.ipynb"
        body = (f"- **Binder**: [launch the course]({binder}) (built from `environment.yml`).\n" + conda +
                f"- **Google Colab**: [open lesson 00]({colab}) (or any lesson: File → Open notebook → GitHub), "
                "then in a first cell install the course package and switch on widget support:\n\n"
                + colab_cell.format(url=url))
    return f"{LAUNCH_START}\n{body}{LAUNCH_END}"


def planned_changes(repo: Path) -> dict[Path, str]:
    """Every generated file's new text, for the files whose text would change."""
    from build_site import repository_url
    lessons = manifest(repo)
    changes: dict[Path, str] = {}
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = replace_between_markers(text, lessons.lesson_table("notebooks/"), lessons.TABLE_START, lessons.TABLE_END)
    new = replace_between_markers(new, launch_section(repository_url(repo)), LAUNCH_START, LAUNCH_END)
    if new != text:
        changes[readme] = new
    for lesson in lessons.LESSONS:
        path = repo / lesson.notebook_path
        if not path.is_file():
            continue
        notebook = load_notebook(path)
        before = json.dumps(notebook)
        last = notebook["cells"][-1]
        if last["cell_type"] != "markdown" or not source(last).startswith("---"):
            raise ValueError(f"{path.name}: the last cell must be the markdown navigation cell (starting with ---)")
        set_source(last, lessons.navigation(lesson))
        if lesson is lessons.LESSONS[0]:
            for cell in notebook["cells"]:
                if cell["cell_type"] == "markdown" and lessons.TABLE_START in source(cell):
                    set_source(cell, replace_between_markers(source(cell), lessons.lesson_table(),
                                                             lessons.TABLE_START, lessons.TABLE_END))
        if json.dumps(notebook) != before:
            changes[path] = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    return changes


def sync(repo: Path) -> list[Path]:
    """Rewrite the generated parts of README.md and the notebooks; return the files changed."""
    changes = planned_changes(repo)
    for path, text in changes.items():
        path.write_text(text, encoding="utf-8")
    return list(changes)


# ---------------------------------------------------------------- a new lesson


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def manifest_line(number: str, slug: str, title: str, summary: str) -> str:
    """The new Lesson(...) entry, as two lines of Python (json.dumps quotes like Python, apostrophes included)."""
    words, lines = summary.split(" "), [""]
    for word in words:  # wrap the summary into string pieces of at most ~100 characters
        lines[-1:] = [lines[-1] + " " + word] if len(lines[-1]) + len(word) < 100 else [lines[-1] + " ", word]
    pieces = [json.dumps(piece.lstrip(" ") if i == 0 else piece, ensure_ascii=False) for i, piece in enumerate(lines)]
    number, slug, title = (json.dumps(s, ensure_ascii=False) for s in (number, slug, title))
    indent = "\n" + " " * 11
    return f"    Lesson({number}, {slug}, {title},{indent}{indent.join(pieces)}),\n"


def add_to_manifest(repo: Path, line: str) -> None:
    path = repo / "dropout_lab" / "lessons" / "__init__.py"
    text = path.read_text(encoding="utf-8")
    end = text.index("\n)\n", text.index("LESSONS: tuple[Lesson, ...] = ("))
    path.write_text(text[:end + 1] + line + text[end + 1:], encoding="utf-8")


def new_lesson(repo: Path, slug: str, title: str, number: str | None = None, summary: str | None = None,
               execute: bool = True) -> Path:
    """Scaffold lesson `slug`: package folder, notebook, tests, manifest line; then sync and execute."""
    lessons = manifest(repo)
    if not SLUG.fullmatch(slug):
        raise SystemExit(f"SLUG must be lower case letters, digits and _ (a Python name), got {slug!r}")
    if any(lesson.slug == slug for lesson in lessons.LESSONS):
        raise SystemExit(f"SLUG {slug!r} is taken: lessons are {[lesson.slug for lesson in lessons.LESSONS]}")
    number = number or f"{int(lessons.LESSONS[-1].number) + 1:02d}"
    if not re.fullmatch(r"\d\d", number) or any(lesson.number == number for lesson in lessons.LESSONS):
        raise SystemExit(f"NUMBER must be two digits not yet used, got {number!r}")
    if int(number) <= int(lessons.LESSONS[-1].number):
        raise SystemExit(f"NUMBER must come after the last lesson ({lessons.LESSONS[-1].number}); renumber by hand")
    if not title.strip():
        raise SystemExit("TITLE must not be empty")
    summary = summary or f"{title.lower()}: (one line on what the learner sees)"
    values = {"LESSON_NUMBER": number, "LESSON_SLUG": slug, "LESSON_TITLE": title}
    package = repo / "dropout_lab" / "lessons" / slug
    package.mkdir(parents=True)
    for path in sorted((TEMPLATE / "package").glob("*.py")):
        (package / path.name).write_text(fill(path.read_text(encoding="utf-8"), values), encoding="utf-8")
    tests = repo / "tests" / "lessons" / f"test_{slug}.py"
    tests.write_text(fill((TEMPLATE / "test_lesson.py").read_text(encoding="utf-8"), values), encoding="utf-8")
    notebook = repo / "notebooks" / f"{number}_{slug}.ipynb"
    notebook.write_text(fill((TEMPLATE / "lesson.ipynb").read_text(encoding="utf-8"), values), encoding="utf-8")
    add_to_manifest(repo, manifest_line(number, slug, title, summary))
    sync(repo)
    if execute:
        execute_notebook(repo, notebook)
    return notebook


def execute_notebook(repo: Path, notebook: Path) -> None:
    """Run the notebook top to bottom in a fresh kernel and store its outputs (as `make execute` does)."""
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
               "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.store_widget_state=False",
               "--ExecutePreprocessor.record_timing=False", str(notebook)]
    env = {**os.environ, "PYTHONPATH": str(repo), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    subprocess.run(command, cwd=repo, env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="rewrite the generated lesson lists")
    commands.add_parser("check", help="exit 1 when a generated lesson list is out of date")
    new = commands.add_parser("new", help="scaffold a new lesson")
    new.add_argument("slug")
    new.add_argument("title")
    new.add_argument("--number")
    new.add_argument("--summary")
    new.add_argument("--no-execute", action="store_true")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    if args.command == "sync":
        for path in sync(repo):
            print(f"updated {path.relative_to(repo)}")
    elif args.command == "check":
        stale = planned_changes(repo)
        for path in stale:
            print(f"out of date: {path.relative_to(repo)} (run `make sync-lessons`)")
        return 1 if stale else 0
    else:
        notebook = new_lesson(repo, args.slug, args.title, args.number, args.summary, not args.no_execute)
        print(f"created {notebook.relative_to(repo)}, dropout_lab/lessons/{args.slug}/, "
              f"tests/lessons/test_{args.slug}.py and its manifest line; README and links updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
