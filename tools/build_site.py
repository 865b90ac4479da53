"""Build the course as a static website from the stored notebook outputs, offline (issue 14).

    python tools/build_site.py [--out site]          what `make site` runs

Nothing is re-executed: the pages show the outputs `make execute` stored. Every page follows
the lesson manifest (dl.lessons.LESSONS) in order; a dashboard appears as its figure and
numbers at the default values, with a line saying how to move its sliders live. Everything a
page loads is served from the site itself: MathJax is vendored from the npm registry at
build time (a pinned, checksummed tarball), widget JavaScript is not loaded at all.

The book's source is generated into a scratch folder (build/site-src by default) from
README.md, the notebooks and the manifest; jupyter-book 1.x (Sphinx + MyST-NB) builds it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MATHJAX = ("mathjax", "3.2.2", "1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09")
# Of MathJax's es5 folder, what tex-chtml.js loads (the other combined builds are not used).
MATHJAX_KEEP = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre", "adaptors", "core.js", "loader.js",
                "startup.js")
DASHBOARD_PREFIX = "Dashboard: "


def repository_url(repo: Path = REPO) -> str | None:
    """The course's public repository, from pyproject.toml's [project.urls] Repository (None while unset).

    Read with a regular expression, not tomllib, so the tool runs on Python 3.10 too."""
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = re.search(r'^Repository\s*=\s*"([^"]+)"', section.group(1), re.M) if section else None
    return found.group(1) if found else None


def live_links(notebook: str, url: str | None) -> str:
    """How to run one lesson live: JupyterLab always; Binder and Colab when the repository URL is known."""
    local = "`make lab` in a clone of the course (see *Run it live* on the first page)"
    if not url:
        return (f"**Run this lesson live** to move the sliders: {local}. Binder and Colab links appear here once "
                "the course's repository URL is set; it is not set yet (`Repository` under `[project.urls]` in "
                "pyproject.toml).")
    github = url.rstrip("/").removeprefix("https://github.com/")
    binder = f"https://mybinder.org/v2/gh/{github}/HEAD?labpath=notebooks%2F{notebook}"
    colab = f"https://colab.research.google.com/github/{github}/blob/main/notebooks/{notebook}"
    return f"**Run this lesson live** to move the sliders: {local}, [Binder]({binder}) or [Colab]({colab})."


def dashboard_note() -> dict:
    """The line shown under every dashboard on the site."""
    return {"cell_type": "markdown", "metadata": {}, "id": "site-dashboard-note",
            "source": "*A dashboard, shown at its default settings. Its sliders move in a live run of this "
                      "lesson (JupyterLab, Binder or Colab): see the top of the page.*"}


def is_dashboard(cell: dict) -> bool:
    """True for a code cell whose output is a course dashboard (its text form starts 'Dashboard: ')."""
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get("text/plain", "")
        if "".join(text).startswith(DASHBOARD_PREFIX):
            return True
    return False


def site_notebook(path: Path, url: str | None) -> dict:
    """A lesson as the site shows it: launch links first, a note under each dashboard, widget views dropped."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        cells.append(cell)
        if cell["cell_type"] == "code":
            for output in cell.get("outputs", []):
                output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
            if is_dashboard(cell):
                cells.append(dashboard_note())
    launch = {"cell_type": "markdown", "metadata": {}, "id": "site-launch", "source": live_links(path.name, url)}
    title = 1 if cells and cells[0]["cell_type"] == "markdown" else 0
    cells.insert(title, launch)
    for i, cell in enumerate(cells):  # ids must be unique within a notebook
        cell["id"] = f"{cell.get('id', 'c')}-{i}"
    notebook["cells"] = cells
    return notebook


def intro_page(repo: Path, url: str | None) -> str:
    """The home page: README without its first heading, plus how to run the course live."""
    readme = (repo / "README.md").read_text(encoding="utf-8")
    body = readme.split("\n", 1)[1] if readme.startswith("# ") else readme
    body = body.replace("](notebooks/", "](lessons/")
    for target in ("CONTRIBUTING.md", "LICENSE", "CITATION.cff", "data/README.md"):
        # Files of the repository, not pages of the site: link them on the repository, or name them.
        link = f"({url.rstrip('/')}/blob/main/{target})" if url else ""
        body = re.sub(rf"\[([^\]]+)\]\({re.escape(target)}\)", (rf"[\1]{link}" if url else rf"\1 (`{target}`)"), body)
    live = ("\n## Run it live\n\nThe pages of this site show every lesson as it ran on a CPU, with its numbers "
            "and figures. To move the sliders, run the course yourself: `git clone` the course, then `make lab` "
            "(it sets up a virtual environment and opens lesson 00 in JupyterLab). ")
    live += (f"Binder and Colab: open a lesson from {url}." if url else
             "Binder and Colab links need the course's public repository URL, which is not set yet "
             "(`Repository` under `[project.urls]` in pyproject.toml).")
    return "# Dropout Lab\n" + body.replace("\n## Opening the course", live + "\n\n## Opening the course", 1)


def book_config(url: str | None) -> str:
    """jupyter-book's _config.yml: offline (no execution, no CDN), dashboards as PNG, local MathJax."""
    config = {
        "title": "Dropout Lab",
        "author": "The Dropout Lab authors",
        "execute": {"execute_notebooks": "off"},
        "only_build_toc_files": True,
        "html": {"use_edit_page_button": False, "use_repository_button": bool(url), "home_page_in_navbar": True,
                 "extra_footer": "Built from the stored outputs of the course notebooks."},
        "repository": {"url": url or "", "branch": "main", "path_to_book": ""},
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "", "colab_url": "", "thebe": False},
        "sphinx": {
            "config": {
                # jupyter-book adds every .js in the book's _static/ to every page: MathJax's own files
                # must not be, so they live in vendor/ (copied to the site's _static/mathjax/).
                "mathjax_path": "mathjax/tex-chtml.js",
                "html_static_path": ["vendor"],
                "nb_ipywidgets_js": {},
                # Dashboards carry a widget view, a PNG and a text line: show the PNG, never a dead box.
                "nb_mime_priority_overrides": [["html", "application/vnd.jupyter.widget-view+json", None],
                                               ["html", "image/png", 5]],
                "html_theme_options": {"use_download_button": False, "use_fullscreen_button": False,
                                       "default_mode": "light", "navigation_with_keys": False},
                "suppress_warnings": ["myst.header", "misc.highlighting_failure"],
            },
        },
    }
    return json.dumps(config, indent=2)  # JSON is valid YAML


def table_of_contents(lessons) -> str:
    chapters = [{"file": f"lessons/{lesson.notebook.removesuffix('.ipynb')}"} for lesson in lessons]
    return json.dumps({"format": "jb-book", "root": "intro", "chapters": chapters}, indent=2)


def vendored_mathjax(cache: Path) -> Path:
    """MathJax's es5 folder from the npm registry (checksummed, cached in build/vendor)."""
    name, version, sha256 = MATHJAX
    tarball = cache / f"{name}-{version}.tgz"
    if not tarball.is_file() or hashlib.sha256(tarball.read_bytes()).hexdigest() != sha256:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache), "--silent"],
                       check=True, capture_output=True)
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{tarball.name}: sha256 {digest} is not the pinned {sha256}")
    unpacked = cache / f"{name}-{version}"
    if not unpacked.is_dir():
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
    return unpacked / "package" / "es5"


def copy_mathjax(es5: Path, static: Path) -> None:
    target = static / "mathjax"
    for part in MATHJAX_KEEP:
        source = es5 / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def write_source(repo: Path, source: Path, cache: Path) -> None:
    """The book's source: config, table of contents, home page, the lessons as the site shows them."""
    sys.path.insert(0, str(repo))
    from dropout_lab.lessons import LESSONS
    url = repository_url(repo)
    if source.exists():
        shutil.rmtree(source)
    (source / "lessons").mkdir(parents=True)
    (source / "_config.yml").write_text(book_config(url))
    (source / "_toc.yml").write_text(table_of_contents(LESSONS))
    (source / "intro.md").write_text(intro_page(repo, url), encoding="utf-8")
    for lesson in LESSONS:
        notebook = site_notebook(repo / lesson.notebook_path, url)
        (source / "lessons" / lesson.notebook).write_text(json.dumps(notebook), encoding="utf-8")
    copy_mathjax(vendored_mathjax(cache), source / "vendor")


def build(repo: Path, out: Path, work: Path) -> float:
    """Generate the source, build it with jupyter-book, put the HTML in `out`; return seconds taken."""
    started = time.monotonic()
    source = work / "site-src"
    write_source(repo, source, work / "vendor")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jupyter_book), "build", str(source), "--path-output", str(work / "site-build"),
                    "--builder", "html", "--keep-going", "--quiet"], check=True)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(work / "site-build" / "_build" / "html", out)
    for page in out.rglob("*.html"):
        page.write_text(patched(page.read_text(encoding="utf-8")), encoding="utf-8")
    return time.monotonic() - started


THEBE = re.compile(r'\s*<script>const THEBE_JS_URL = [^<]*</script>'
                   r'|\s*<script async="async" src="[^"]*sphinx-thebe\.js[^"]*"></script>')


def patched(html: str) -> str:
    """Two fixes to the generated pages, each for an error a fresh browser shows in its console.

    sphinx-thebe goes: the site never runs code in the page (thebe would come from a CDN), and
    jupyter-book 1.0.4 declares its THEBE_JS_URL constant twice. The page's first-visit theme mode
    is "light": the template reads localStorage's "mode" or "", which the theme script rejects.
    """
    html = THEBE.sub("", html)
    return html.replace('localStorage.getItem("mode") || ""', 'localStorage.getItem("mode") || "light"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "site")
    parser.add_argument("--work", type=Path, default=REPO / "build")
    args = parser.parse_args(argv)
    seconds = build(REPO, args.out.resolve(), args.work.resolve())
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"site built in {seconds:.1f} s: {args.out / 'index.html'} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
