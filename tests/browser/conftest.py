"""Fixtures for the real-browser test: a throwaway JupyterLab and headless Debian Chromium (issues 5, 15).

Both are started once per test session and stopped whatever happens (finally blocks;
the server's whole process group, kernels included, is killed if it does not exit).
"""
from __future__ import annotations

import os
from pathlib import Path

import lab_server
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DL_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "apt-get install -y chromium   (as root; `make test` does it for you when run as root)"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]
SCREENSHOTS = REPO / "test-output" / "browser"

# DL_BROWSER_BREAK=1 breaks every dashboard on purpose (its callback raises after the first
# draw) in the copied lessons, to show that this test notices: every lesson must then fail.
BREAK_DASHBOARDS = os.environ.get("DL_BROWSER_BREAK") == "1"


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; missing → fail (never skip) with the exact install command."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}. The browser test needs it. Install it with:\n"
                    f"    {INSTALL_HINT}", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> lab_server.LabServer:
    """JupyterLab on a free loopback port, serving the generated dashboards notebook (self-test at its end)."""
    from test_lessons_in_browser import DASHBOARDS, NOTEBOOK, dashboards_notebook
    root = tmp_path_factory.mktemp("lab-root")
    notebooks = {NOTEBOOK: dashboards_notebook(DASHBOARDS)}
    lab_server.prepare_root(REPO, root, notebooks, break_dashboards=BREAK_DASHBOARDS)
    server = lab_server.start(root, tmp_path_factory.mktemp("lab-home"))
    try:
        yield server
    finally:
        lab_server.stop(server)


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless Chromium driven by Playwright (sync API); never downloads a browser."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS,
                                              headless=True, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    """After a failed test, a full-page screenshot of the page it used goes to test-output/browser/."""
    yield
    report = getattr(request.node, "rep_call", None)
    page = request.node.funcargs.get("shown", (None,))[0] if "shown" in request.node.funcargs else None
    if report is not None and report.failed and page is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "_").rstrip("]")
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, timeout=20_000)
        except Exception as error:  # a screenshot must never hide the real failure
            print(f"screenshot failed: {error}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
