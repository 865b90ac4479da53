"""Every lesson dashboard, live in JupyterLab in headless Chromium: run all, move every slider (issue 5).

Run alone with `.venv/bin/python -m pytest tests/browser -v -s` (prints what changed on
screen). DL_BROWSER_BREAK=1 breaks every lesson dashboard on purpose: all lessons then fail.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lab_driver import DashboardFailure, drive_dashboards, drive_slider, open_notebook, run_all_cells

REPO = Path(__file__).resolve().parents[2]


def stored_dashboards(path: Path) -> int:
    """How many dashboards the lesson displays, from its stored outputs."""
    count = 0
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            count += "".join(text).startswith("Dashboard: ")
    return count


LESSONS = {p.name: stored_dashboards(p) for p in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
WITH_DASHBOARDS = [name for name, count in LESSONS.items() if count]


def drive(page, lab, name: str, expected: int) -> list:
    started = time.monotonic()
    kernel = open_notebook(page, lab, f"notebooks/{name}")
    ran = run_all_cells(page, lab, kernel)
    reports = drive_dashboards(page, lab, kernel, expected)
    print(f"\n{name}: run all {ran:.1f} s, {len(reports)} slider(s) driven, "
          f"total {time.monotonic() - started:.1f} s")
    for report in reports:
        print("   ", report.line())
    return reports


def test_some_lesson_has_a_dashboard():
    assert WITH_DASHBOARDS, f"no lesson in notebooks/ displays a dl.ui.dashboard.Dashboard: {list(LESSONS)}"


@pytest.mark.parametrize("name", WITH_DASHBOARDS)
def test_lesson_dashboards_respond(page, lab, name):
    drive(page, lab, name, LESSONS[name])


def test_a_broken_dashboard_fails(page, lab, reference_notebooks):
    """The checker itself: the honest dashboard passes, the one whose callback raises fails."""
    kernel = open_notebook(page, lab, f"notebooks/{next(iter(reference_notebooks))}")
    run_all_cells(page, lab, kernel)
    dashboards = page.locator(".dl-dashboard")
    assert dashboards.count() == 2
    good = drive_slider(dashboards.nth(0), lab, kernel, 0)
    assert good.checked, "the zero-fraction expectation should apply to the self-test dashboard"
    assert float(good.low.metrics["zero fraction"]) == 0.0
    with pytest.raises(DashboardFailure, match="did the callback fail"):
        drive_slider(dashboards.nth(1), lab, kernel, 0)
