"""Adding a lesson is one folder + one notebook + one manifest line, made by one command (issue 8).

In a throwaway copy of the repository, `tools/lessons.py new` scaffolds a lesson; then the
manifest, hygiene and import-rule tests, the new lesson's own tests, strict nbval on its
notebook and the dashboard registry must all pick it up, with no other edit.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SLUG = "zz_throwaway"
pytestmark = pytest.mark.slow  # a copy of the repository and a notebook run


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    return [name for name in listed if (REPO / name).is_file()]


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> tuple[Path, str]:
    copy = tmp_path_factory.mktemp("repo")
    for name in tracked_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    done = run([sys.executable, "tools/lessons.py", "new", SLUG, "Throwaway lesson",
                "--summary", "a lesson made by the scaffolding test"], copy)
    assert done.returncode == 0, done.stdout + done.stderr
    number = next(p.name[:2] for p in (copy / "notebooks").glob(f"*_{SLUG}.ipynb"))
    return copy, number


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_one_folder_one_notebook_one_manifest_line(scaffolded):
    copy, number = scaffolded
    assert (copy / "dropout_lab" / "lessons" / SLUG / "compute.py").is_file()
    assert (copy / "notebooks" / f"{number}_{SLUG}.ipynb").is_file()
    diff = subprocess.run(["git", "diff", "--no-index", "--stat", str(REPO / "dropout_lab/lessons/__init__.py"),
                           str(copy / "dropout_lab/lessons/__init__.py")], capture_output=True, text=True).stdout
    assert "2 insertions" in diff and "deletion" not in diff, diff  # one Lesson(...) entry, on two lines


def test_every_check_picks_the_new_lesson_up(scaffolded):
    copy, number = scaffolded
    done = run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "tests/test_notebook_hygiene.py",
                "tests/test_layers.py", f"tests/lessons/test_{SLUG}.py", f"notebooks/{number}_{SLUG}.ipynb",
                "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "notebooks/sanitize.cfg"], copy)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    for picked_up in (f"test_skeleton_and_title[{number}_{SLUG}] PASSED",
                      f"test_navigation_is_the_generated_one_and_links_resolve[{number}_{SLUG}] PASSED",
                      f"test_no_import_points_upwards[dropout_lab.lessons.{SLUG}.compute] PASSED",
                      f"{number}_{SLUG}::ipynb::Cell 0 PASSED"):
        assert picked_up in done.stdout, picked_up


def test_the_registry_and_readme_list_it(scaffolded):
    copy, number = scaffolded
    registry = "from dropout_lab.ui.dashboard import all_dashboards; print(list(all_dashboards()))"
    done = run([sys.executable, "-c", registry], copy)
    assert f"'{number}:zero_count_dashboard'" in done.stdout, done.stdout + done.stderr
    assert f"notebooks/{number}_{SLUG}.ipynb" in (copy / "README.md").read_text()
    assert run([sys.executable, "tools/lessons.py", "check"], copy).returncode == 0


def test_bad_slugs_are_refused_with_the_rule(tmp_path):
    done = run([sys.executable, str(REPO / "tools/lessons.py"), "--repo", str(REPO), "new", "Bad-Slug", "T"], REPO)
    assert done.returncode != 0 and "SLUG must be" in done.stderr
    done = run([sys.executable, str(REPO / "tools/lessons.py"), "--repo", str(REPO), "new", "rate_variance", "T"], REPO)
    assert done.returncode != 0 and "taken" in done.stderr
