"""Drive a lesson in JupyterLab like a learner: run all cells, move every dashboard slider (issue 5)."""
from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lab_server import LabServer
from playwright.sync_api import Locator, Page

RUN_ALL_TIMEOUT = 180.0   # one lesson, top to bottom, on a shared 2-core CPU
UPDATE_TIMEOUT = 20.0     # one slider move: kernel round trip + compute + redraw (target 50 ms)
SETTLE = 0.5              # a dashboard counts as settled when unchanged this long


class DashboardFailure(AssertionError):
    """What a learner would see go wrong, in words."""


# ---------------------------------------------------------------- what the maths says
# Every dashboard declares its own checks (dropout_lab.ui.dashboard.Moves / Agrees) and carries
# them into the page as JSON on its title (data-checks): the same rules tests/test_ui.py applies
# in Python are applied here to what is on screen.

# ---------------------------------------------------------------- reading the page
_STATE_JS = """d => ({
  title: (d.querySelector('.widget-html-content b') || {}).textContent || '',
  checks: JSON.parse((d.querySelector('.widget-html-content b[data-checks]') || {dataset: {checks: '[]'}})
                     .dataset.checks || '[]'),
  metrics: Object.fromEntries([...d.querySelectorAll('span.dl-metric')]
                              .map(e => [e.dataset.metric, e.textContent.trim()])),
  image: (d.querySelector('img.widget-image') || {}).src || '',
  sliders: [...d.querySelectorAll('.widget-slider')].map(s => ({
      label: ((s.querySelector('.widget-label') || {}).textContent || '').trim(),
      value: ((s.querySelector('.widget-readout') || {}).textContent || '').trim(),
      handle: !!s.querySelector('.noUi-handle')})),
})"""


@dataclass
class DashboardState:
    """What is on screen for one dashboard."""

    title: str
    checks: list[dict]
    metrics: dict[str, str]
    image: str
    sliders: list[dict]

    def output(self) -> tuple:
        return tuple(sorted(self.metrics.items())), self.image


@dataclass
class SliderReport:
    """One slider moved to both ends: the numbers seen there."""

    dashboard: str
    slider: str
    low: DashboardState
    high: DashboardState
    checked: list[str] = field(default_factory=list)

    def line(self) -> str:
        changes = ", ".join(f"{k} {self.low.metrics.get(k)}→{v}" for k, v in self.high.metrics.items()
                            if v != self.low.metrics.get(k))
        return f"{self.dashboard[:50]!r}: {self.slider} {_value(self.low, self.slider)}→" \
               f"{_value(self.high, self.slider)}: {changes or 'figure redrawn'}" \
               + (f" [{'; '.join(self.checked)}]" if self.checked else "")


def state(dashboard: Locator) -> DashboardState:
    return DashboardState(**dashboard.evaluate(_STATE_JS))


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.2):
    """Poll `condition` until truthy; a bounded wait that says what it waited for."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DashboardFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------- the notebook
def open_notebook(page: Page, server: LabServer, path: str, timeout: float = 90) -> str:
    """Open `path` in JupyterLab and wait for its kernel to be connected and idle; return its id."""
    # ?reset: start from an empty workspace, so only this notebook is open.
    page.goto(server.url(f"lab/tree/{path}?reset"), timeout=timeout * 1000)
    page.wait_for_selector(".jp-Notebook", timeout=timeout * 1000)

    def kernel_ready():
        for session in server.api("sessions"):
            kernel = session.get("kernel") or {}
            if session["path"] == path and kernel.get("connections", 0) >= 1 \
                    and kernel.get("execution_state") == "idle":
                return kernel["id"]
        return None
    return wait_for(kernel_ready, timeout, f"the kernel of {path} to start")


_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(c => {
  const stderr = c.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  return {
    prompt: ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    empty: !((c.querySelector('.cm-content') || {}).textContent || '').trim(),
    error: !!(stderr && stderr.querySelector('pre')) && /Traceback|Error/.test(stderr.textContent),
  };
})"""


def menu(page: Page, top: str, item: str) -> None:
    """Click a menu-bar entry, then one of its items, as a learner would."""
    page.click(f".lm-MenuBar-item:has-text('{top}')", timeout=10_000)
    page.click(f".lm-Menu-item:has-text('{item}')", timeout=10_000)


def run_all_cells(page: Page, server: LabServer, kernel_id: str, timeout: float = RUN_ALL_TIMEOUT) -> float:
    """Run → Run All Cells from the menu bar; wait until every cell ran; return seconds taken."""
    # Clear stored outputs first, so "every prompt numbered" can only mean this run finished.
    menu(page, "Edit", "Clear Outputs of All Cells")
    wait_for(lambda: all(c["prompt"] in ("[ ]:", "") for c in page.evaluate(_PROMPTS_JS)), 15,
             "the stored outputs to be cleared")
    start = time.monotonic()
    menu(page, "Run", "Run All Cells")

    def finished():
        cells = page.evaluate(_PROMPTS_JS)
        busy = any(c["prompt"] == "[*]:" for c in cells)
        done = all(re.fullmatch(r"\[\d+\]:", c["prompt"]) or c["empty"] for c in cells)
        idle = server.api(f"kernels/{kernel_id}")["execution_state"] == "idle"
        errors = any(c["error"] for c in cells)
        return (not busy and idle and (done or errors)) and cells
    cells = wait_for(finished, timeout, "Run All Cells to finish", interval=0.5)
    failed = [i for i, c in enumerate(cells) if c["error"]]
    if failed:
        raise DashboardFailure(f"code cell(s) {failed} show an error after Run All Cells")
    return time.monotonic() - start


# ---------------------------------------------------------------- a dashboard
def settled(dashboard: Locator, server: LabServer, kernel_id: str, before: DashboardState,
            slider: str, expect_change: bool, update_timeout: float = UPDATE_TIMEOUT) -> DashboardState:
    """Wait until the dashboard redrew after a move (when the value changed) and stopped changing."""
    if expect_change:
        wait_for(lambda: state(dashboard).output() != before.output(), update_timeout,
                 f"dashboard {before.title!r} to update after moving {slider!r} "
                 f"(its numbers and figure stayed as they were: did the callback fail?)")
    last, since = state(dashboard), time.monotonic()
    deadline = time.monotonic() + UPDATE_TIMEOUT
    while time.monotonic() - since < SETTLE:
        if time.monotonic() > deadline:
            raise DashboardFailure(f"dashboard {before.title!r} kept changing for {UPDATE_TIMEOUT:.0f} s")
        time.sleep(0.15)
        now = state(dashboard)
        if now != last or server.api(f"kernels/{kernel_id}")["execution_state"] != "idle":
            last, since = now, time.monotonic()
    return last


def press(dashboard: Locator, index: int, key: str) -> None:
    """Focus a slider's handle and press a key, as a keyboard user would."""
    handle = dashboard.locator(".widget-slider").nth(index).locator(".noUi-handle")
    handle.focus(timeout=10_000)
    handle.press(key, timeout=10_000)


def type_value(dashboard: Locator, index: int, text: str) -> None:
    """Type a value into a slider's readout box and press Enter."""
    box = dashboard.locator(".widget-slider").nth(index).locator(".widget-readout")
    box.click(timeout=10_000)
    box.press("Control+a")
    box.type(text)
    box.press("Enter")


def check_numbers(current: DashboardState) -> None:
    """No readout may show NaN or infinity."""
    bad = {k: v for k, v in current.metrics.items() if re.search(r"nan|inf", v, re.I)}
    if bad:
        raise DashboardFailure(f"dashboard {current.title!r} shows {bad}")


def drive_slider(dashboard: Locator, server: LabServer, kernel_id: str, index: int,
                 update_timeout: float = UPDATE_TIMEOUT) -> SliderReport:
    """Home → End on one slider, check the output follows, then type the start value back."""
    start = settled(dashboard, server, kernel_id, state(dashboard), "", expect_change=False)
    label, value0 = start.sliders[index]["label"], start.sliders[index]["value"]
    press(dashboard, index, "Home")
    low = settled(dashboard, server, kernel_id, start, label,
                  expect_change=_slider_value(dashboard, index) != value0, update_timeout=update_timeout)
    press(dashboard, index, "End")
    high = settled(dashboard, server, kernel_id, low, label, expect_change=True)
    for seen in (start, low, high):
        check_numbers(seen)
    report = SliderReport(start.title, label, low, high)
    report.checked = check_expectations(report)
    restore(dashboard, index, value0)  # put the slider back where the lesson left it
    moved_back = _slider_value(dashboard, index) != high.sliders[index]["value"]
    settled(dashboard, server, kernel_id, high, label, expect_change=moved_back)
    return report


def restore(dashboard: Locator, index: int, value: str, max_presses: int = 40) -> None:
    """Type the value into the slider's box; where that is ignored (a SelectionSlider), step to it."""
    if _slider_value(dashboard, index) == value:
        return
    handle = dashboard.locator(".widget-slider").nth(index).locator(".noUi-handle")
    before = handle.get_attribute("aria-valuenow")
    type_value(dashboard, index, value)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:  # an accepted value moves the handle at once
        if handle.get_attribute("aria-valuenow") != before:
            return
        time.sleep(0.05)
    press(dashboard, index, "Home")
    for _ in range(max_presses):
        if _slider_value(dashboard, index) == value:
            return
        press(dashboard, index, "ArrowRight")
    raise DashboardFailure(f"could not put slider {index} back to {value!r}")


def _slider_value(dashboard: Locator, index: int) -> str:
    return state(dashboard).sliders[index]["value"]


def check_expectations(report: SliderReport) -> list[str]:
    """Apply the dashboard's declared checks to a min→max move of one slider; return what was checked."""
    checked = []
    for rule in report.high.checks:
        if rule["kind"] == "Moves" and rule["label"] == report.slider:
            low, high = (_number(seen.metrics.get(rule["metric"])) for seen in (report.low, report.high))
            if low is None or high is None:
                raise DashboardFailure(f"dashboard {report.dashboard!r}: its readout shows no number "
                                       f"{rule['metric']!r} (declared in its checks)")
            if (high - low) * rule["direction"] <= 0:
                raise DashboardFailure(
                    f"dashboard {report.dashboard!r}: moving {report.slider!r} from min to max should make "
                    f"{rule['metric']!r} {'grow' if rule['direction'] > 0 else 'shrink'} ({rule['why']}), "
                    f"but it went {low:g} → {high:g}")
            checked.append(f"{rule['metric']} {'↑' if rule['direction'] > 0 else '↓'}")
        elif rule["kind"] == "Agrees":
            for seen in (report.low, report.high):
                measured, predicted = (_number(seen.metrics.get(rule[k])) for k in ("measured", "predicted"))
                if measured is None or predicted is None:
                    continue
                if not math.isclose(measured, predicted, rel_tol=rule["rel_tol"], abs_tol=rule["abs_tol"]):
                    raise DashboardFailure(
                        f"dashboard {report.dashboard!r} with {report.slider!r} at {_value(seen, report.slider)}: "
                        f"{rule['measured']} = {measured:g} but {rule['predicted']} = {predicted:g} "
                        f"({rule['why']}; tolerance {rule['rel_tol']:.0%})")
                checked.append(f"{rule['measured']} ≈ {rule['predicted']} at {_value(seen, report.slider)}")
    return checked


def _value(seen: DashboardState, slider: str) -> str:
    return next(s["value"] for s in seen.sliders if s["label"] == slider)


def _number(text: str | None) -> float | None:
    try:
        value = float(text.replace("−", "-").rstrip("%")) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def drive_dashboards(page: Page, server: LabServer, kernel_id: str, expected: int) -> list[SliderReport]:
    """Check every dashboard renders as live sliders, then move each slider and check the output."""
    dashboards = page.locator(".dl-dashboard")
    found = dashboards.count()
    if found < expected:
        text = page.locator(".jp-Notebook").inner_text()
        fallback = re.findall(r"interactive\(children=.{0,40}|Dashboard: .{0,40}", text)
        raise DashboardFailure(f"{found} of {expected} dashboards render as widgets"
                               + (f"; text fallback shown instead: {fallback}" if fallback else ""))
    reports = []
    for i in range(found):
        dashboard = dashboards.nth(i)
        dashboard.scroll_into_view_if_needed(timeout=10_000)
        current = state(dashboard)
        sliders = current.sliders
        if not sliders or not all(s["handle"] for s in sliders):
            raise DashboardFailure(f"dashboard {current.title!r} has no draggable slider: {sliders}")
        for index in range(len(sliders)):
            reports.append(drive_slider(dashboard, server, kernel_id, index))
    return reports
