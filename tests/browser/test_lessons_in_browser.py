"""Every registered dashboard, live in JupyterLab in headless Chromium: each slider moved to its
ends and the readout held against the dashboard's declared maths (issues 5, 15).

The dashboards come from the lesson manifest (dl.ui.dashboard.all_dashboards()), not from a list
kept here: a new lesson's dashboards are driven the moment they exist. They are shown by one
generated notebook (one kernel, one Run All) instead of re-running every lesson, which strict
nbval already does; lesson notebooks display only registered dashboards (tests/test_ui.py).

    .venv/bin/python -m pytest tests/browser -v -s          print what changed on screen
    DL_BROWSER_LESSONS=03,05 ... -m pytest tests/browser     only those lessons' dashboards
    DL_BROWSER_BREAK=1 ... -m pytest tests/browser           every dashboard broken on purpose: all fail
"""
from __future__ import annotations

import os
import time

import pytest
from lab_driver import DashboardFailure, drive_slider, open_notebook, run_all_cells, state

from dropout_lab.ui.dashboard import all_dashboards

ONLY = {n.strip() for n in os.environ.get("DL_BROWSER_LESSONS", "").split(",") if n.strip()}
DASHBOARDS = [key for key, (lesson, _) in all_dashboards().items() if not ONLY or lesson in ONLY]
NOTEBOOK = "zz_all_dashboards.ipynb"
SELF_TEST = ("Self-test: zero fraction", "Self-test: broken")  # the titles of the dashboards below

# The test's own self-check, run at the end of the generated dashboards notebook (same kernel,
# same Run All): one honest dashboard (zero fraction vs rate) and one whose callback raises
# after its first draw.
_SETUP = "%matplotlib inline\nimport numpy as np\nimport ipywidgets as widgets\nimport dropout_lab as dl"
_RENDER = """from dropout_lab.ui.dashboard import Dashboard, Moves, readout

def render(rate):
    out, _ = dl.dropout_forward(np.ones(20_000), rate, rng=0)
    fig, ax = dl.ui.figures.new_axes(figsize=(3, 2))
    ax.bar([0], [dl.zero_fraction(out)])
    return fig, readout({"zero fraction": dl.zero_fraction(out)}), out

def rate_slider():
    return widgets.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.05, description="rate")

CHECKS = (Moves("zero fraction", "rate", +1, "each unit is dropped with probability rate"),)
Dashboard("Self-test: zero fraction", {"rate": rate_slider()}, render, checks=CHECKS)"""
_BROKEN = """def broken(rate):
    if rate != 0.5:
        raise RuntimeError("deliberately broken callback")
    return render(rate)

Dashboard("Self-test: broken", {"rate": rate_slider()}, broken, checks=CHECKS)"""


SELF_TEST_CELLS = (_SETUP, _RENDER, _BROKEN)


def dashboards_notebook(keys: list[str]) -> dict:
    """One cell per dashboard, as a lesson cell shows it, then the checker's own self-test dashboards."""
    import nbformat
    registry = all_dashboards()
    cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport importlib\n\nimport dropout_lab as dl")]
    for key in keys:
        factory = registry[key][1]
        cells.append(nbformat.v4.new_code_cell(
            f"# {key}\nimportlib.import_module({factory.__module__!r}).{factory.__name__}()"))
    cells += [nbformat.v4.new_code_cell(source) for source in SELF_TEST_CELLS]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


@pytest.fixture(scope="module")
def shown(browser, lab):
    """The generated notebook open and run once; every dashboard test reads this page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    started = time.monotonic()
    kernel = open_notebook(page, lab, f"notebooks/{NOTEBOOK}")
    ran = run_all_cells(page, lab, kernel)
    print(f"\nall dashboards: kernel ready + run all {time.monotonic() - started:.1f} s (run all {ran:.1f} s)")
    try:
        yield page, kernel
    finally:
        context.close()
        lab.shutdown_kernels()


def test_there_are_dashboards_to_drive():
    assert DASHBOARDS, f"no registered dashboard for lessons {sorted(ONLY) or 'any'}"


def test_every_dashboard_renders_as_live_sliders(shown):
    page, _ = shown
    rendered = page.locator(".dl-dashboard")
    titles = [state(rendered.nth(i)).title for i in range(rendered.count())]
    assert len(titles) == len(DASHBOARDS) + len(SELF_TEST), \
        f"{len(titles)} of {len(DASHBOARDS)} dashboards (+ {len(SELF_TEST)} self-test) render as widgets"
    for i in range(rendered.count()):
        sliders = state(rendered.nth(i)).sliders
        assert sliders and all(s["handle"] for s in sliders), f"{titles[i]!r} has no draggable slider: {sliders}"


@pytest.mark.parametrize("key", DASHBOARDS)
def test_dashboard_follows_its_maths_in_the_browser(shown, lab, key):
    page, kernel = shown
    dashboard = page.locator(".dl-dashboard").nth(DASHBOARDS.index(key))
    dashboard.scroll_into_view_if_needed(timeout=10_000)
    for index in range(len(state(dashboard).sliders)):
        report = drive_slider(dashboard, lab, kernel, index)
        print(f"  {key}: {report.line()}")


def test_a_broken_dashboard_fails(shown, lab):
    """The checker itself: the honest self-test dashboard passes, the one whose callback raises fails."""
    page, kernel = shown
    dashboards = page.locator(".dl-dashboard")
    honest, broken = (dashboards.nth(len(DASHBOARDS) + i) for i in range(len(SELF_TEST)))
    assert [state(d).title for d in (honest, broken)] == list(SELF_TEST)
    honest.scroll_into_view_if_needed(timeout=10_000)
    good = drive_slider(honest, lab, kernel, 0)
    assert good.checked, "the declared Moves check should apply to the self-test dashboard"
    assert float(good.low.metrics["zero fraction"]) == 0.0
    # The self-test dashboard redraws in milliseconds, so 5 s (not the lessons' 20 s) is ample to call it broken.
    with pytest.raises(DashboardFailure, match="did the callback fail"):
        drive_slider(broken, lab, kernel, 0, update_timeout=5.0)
