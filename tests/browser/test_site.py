"""The course website, built offline and read in a real browser with the network cut (issue 14).

The site is built into a temporary folder exactly as `make site` builds it, served on a loopback
port, and every page is opened in headless Chromium with every request outside that server
blocked: no request may fail, no console error may appear, every figure must load, every
internal link must resolve, math must render, and previous/next must follow the manifest.
"""
from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from dropout_lab.lessons import LESSONS

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import build_site  # noqa: E402

pytestmark = pytest.mark.slow
MAX_BYTES = 50 * 10**6
SCREENSHOTS = REPO / "test-output" / "site"  # what each page looked like in the last run (git-ignored)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site.build(REPO, out, tmp_path_factory.mktemp("site-work"))
    return out


@pytest.fixture(scope="module")
def served(site):
    """The site on a free loopback port, for the length of the module."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # one line per request would bury pytest's output
            pass
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


PAGES = ["index.html", *(f"lessons/{lesson.notebook.removesuffix('.ipynb')}.html" for lesson in LESSONS)]


def test_every_lesson_has_a_page_and_the_site_is_small(site):
    for page in PAGES:
        assert (site / page).is_file(), page
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert size <= MAX_BYTES, f"site is {size / 1e6:.1f} MB"


def test_no_page_asks_for_anything_outside_the_site(site):
    """No CDN: no script, stylesheet, font or image is loaded from another host."""
    remote = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!127\.0\.0\.1)[^"']+\.(?:js|css|woff2?|ttf|png|svg)""")
    for page in site.rglob("*.html"):
        found = remote.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(site)} loads {found[:3]}"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_in_a_browser(browser, served, page):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    outside, failed, errors = [], [], []

    def route(request_route):
        if urlparse(request_route.request.url).hostname in ("127.0.0.1", None):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()
    context.route("**/*", route)
    tab = context.new_page()
    tab.on("requestfailed", lambda request: failed.append(request.url))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        tab.goto(urljoin(served, page), wait_until="networkidle", timeout=60_000)
        assert not outside, f"{page} asked for outside resources: {outside[:5]}"
        assert not failed, f"{page}: requests failed: {failed[:5]}"
        assert not errors, f"{page}: console errors: {errors[:5]}"
        broken = tab.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        assert not broken, f"{page}: figures that did not load: {broken[:5]}"
        if page != "index.html":
            assert tab.locator("article img").count() >= 1, f"{page} shows no figure"
            assert tab.locator("mjx-container").count() + (0 if "$" in tab.content() else 1) >= 1, \
                f"{page}: math did not render"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{Path(page).stem}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(site, page):
    html = (site / page).read_text(encoding="utf-8")
    for target in re.findall(r'href="([^"#:?]+\.html)(?:#[^"]*)?"', html):
        assert (site / page).parent.joinpath(target).resolve().is_file(), f"{page} links a missing page: {target}"


def test_previous_and_next_follow_the_manifest(site):
    for index, lesson in enumerate(LESSONS):
        html = (site / PAGES[index + 1]).read_text(encoding="utf-8")
        nav = html[html.find('class="prev-next-area"'):]
        if index + 1 < len(LESSONS):
            following = LESSONS[index + 1].notebook.removesuffix(".ipynb")
            assert f"{following}.html" in nav, f"{lesson.notebook}: next is not {following}"


def test_dashboards_appear_as_figures_with_the_live_note(site):
    for lesson in LESSONS:
        html = (site / f"lessons/{lesson.notebook.removesuffix('.ipynb')}.html").read_text(encoding="utf-8")
        cells = json.loads((REPO / lesson.notebook_path).read_text(encoding="utf-8"))["cells"]
        dashboards = sum(build_site.is_dashboard(cell) for cell in cells if cell["cell_type"] == "code")
        assert html.count("A dashboard, shown at its default settings") == dashboards, lesson.notebook
        assert "application/vnd.jupyter.widget-view+json" not in html, f"{lesson.notebook}: a dead widget box"
        assert "Run this lesson live" in html, lesson.notebook
