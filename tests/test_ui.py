"""The dashboard wiring, the plot helpers and the exercise checks every lesson builds on."""
from __future__ import annotations

import base64
import io
import math
import re

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.rate_variance import solutions as solutions_03
from dropout_lab.ui.checks import (
    NOT_A_NUMBER,
    NOT_ANSWERED,
    CheckResult,
    Solutions,
    as_number,
    check,
    check_number,
    is_unanswered,
    solution_body,
)
from dropout_lab.ui.dashboard import Dashboard, readout


def zero_fraction_dashboard() -> Dashboard:
    def render(rate: float):
        y, _ = dl.dropout_forward(np.ones(10_000), rate, rng=0)
        fig, ax = dl.ui.figures.new_axes()
        ax.plot(y[:50])
        fraction = dl.zero_fraction(y)
        return fig, readout({"zero fraction": fraction}), fraction
    return Dashboard("Zero fraction", {"rate": widgets.FloatSlider(value=0.2, min=0, max=1, step=0.1)}, render)


def test_moving_a_control_recomputes_and_redraws():
    dash = zero_fraction_dashboard()
    first_png, first = dash.image.value, dash.result
    dash.controls["rate"].value = 0.8
    assert dash.result > first + 0.5 and dash.image.value != first_png
    assert "data-metric='zero fraction'" in dash.readout.value
    assert bytes(dash.image.value).startswith(b"\x89PNG")


def test_without_a_widget_frontend_a_dashboard_shows_its_figure_and_numbers():
    bundle = zero_fraction_dashboard()._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Dashboard: Zero fraction (rate=0.2) — zero fraction: 0.2")
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG") and "text/html" not in bundle
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_readout_formats_and_escapes():
    html = readout({"mean": 1.234567, "note": "<b>"})
    assert ">1.235<" in html and "&lt;b&gt;" in html


def test_plot_helpers_return_figures_and_reuse_a_given_axes():
    fig, ax = dl.ui.figures.new_axes()
    assert isinstance(fig, Figure)
    assert dl.ui.figures.new_axes(ax) == (fig, ax)
    fig2, axes = dl.ui.figures.new_figure(ncols=3)
    assert len(axes) == 3 and dl.ui.figures.to_png(fig2).startswith(b"\x89PNG")


def test_every_registered_dashboard_builds_and_renders():
    dashboards = dl.ui.dashboard.all_dashboards()
    for key, (lesson, factory) in dashboards.items():
        dash = factory()
        assert isinstance(dash, Dashboard), key
        assert bytes(dash.image.value).startswith(b"\x89PNG") and dash.readout.value, key
        assert lesson.isdigit() and len(lesson) == 2, key


def test_check_results_read_well():
    assert repr(check(True, "well done", "hint")) == "✅ Correct: well done"
    assert not check(False, "well done", "try again")
    assert "Not yet" in CheckResult(False, "x")._repr_html_()
    assert not NOT_ANSWERED and is_unanswered(...) and is_unanswered(None) and not is_unanswered(0)


def test_solution_rejects_an_unknown_exercise():
    with pytest.raises(ValueError, match="number must be one of"):
        Solutions(solutions_03).show(99)


def test_as_number_takes_real_numbers_only():
    for value in (3, 0.25, np.float32(0.5), np.int64(7), np.float64(-1.5)):
        assert as_number(value) == float(value) and type(as_number(value)) is float
    for value in (np.array(0.25), np.array([0.25]), np.float32(0.25)):  # what a learner's computation returns
        assert as_number(value) == 0.25
    import torch
    assert as_number(torch.tensor(0.25)) == 0.25 and as_number(torch.tensor([0.25])) == 0.25
    for value in (True, np.bool_(False), "0.2", None, ..., [0.2], np.array([1.0, 2.0]), np.array([[1.0]]), 1 + 2j,
                  np.array(True), torch.tensor([1.0, 2.0])):
        assert as_number(value) is None, value


def test_check_number_placeholder_non_number_right_and_wrong():
    assert check_number(..., 0.2, "yes", "hint") is NOT_ANSWERED
    assert check_number(None, 0.2, "yes", "hint") is NOT_ANSWERED
    assert check_number("0.2", 0.2, "yes", "hint") is NOT_A_NUMBER
    assert check_number(True, 1.0, "yes", "hint") is NOT_A_NUMBER
    assert check_number(np.float32(0.2), 0.2, "yes", "hint") == CheckResult(True, "yes")
    assert check_number(0.3, 0.2, "yes", "hint") == CheckResult(False, "hint")


def test_check_number_tolerances():
    assert check_number(1.0000005, 1.0, "yes", "hint")               # default rel_tol=1e-6
    assert not check_number(1.00001, 1.0, "yes", "hint")
    assert not check_number(1e-9, 0.0, "yes", "hint")                # relative tolerance alone never admits 0
    assert check_number(1e-9, 0.0, "yes", "hint", abs_tol=1e-6)
    exact = {"rel_tol": 0.0, "abs_tol": 1e-9}                        # an integer answer: only that integer
    assert check_number(2_250_000, 2_250_000, "yes", "hint", **exact)
    assert not check_number(2_250_001, 2_250_000, "yes", "hint", **exact)


def test_check_number_explains_known_mistakes_before_the_truth():
    mistakes = {0.8: "that is the keep probability", 5: "divided by the rate"}
    keep_slip = CheckResult(False, "that is the keep probability")
    assert check_number(0.8, 0.2, "yes", "hint", mistakes=mistakes) == keep_slip
    assert check_number(0.8 + 1e-9, 0.2, "yes", "hint", mistakes=mistakes).message == "that is the keep probability"
    assert check_number(5.0, 0.2, "yes", "hint", mistakes=mistakes).message == "divided by the rate"
    assert check_number(0.81, 0.2, "yes", "hint", mistakes=mistakes) == CheckResult(False, "hint")
    assert check_number(0.2, 0.2, "yes", "hint", mistakes=mistakes) == CheckResult(True, "yes")
    # a mistake equal to the truth would shadow it: the mistake is checked first, by design
    assert not check_number(0.2, 0.2, "yes", "hint", mistakes={0.2: "no"})


def test_solution_shows_the_body_a_learner_types():
    def solution_9():
        """Exercise 9."""
        # a comment the learner should see
        answer = 2 + 2   # 4
        return answer

    def solution_8():
        def my_dropout(x):
            return x
        return my_dropout

    assert solution_body(solution_9) == "# a comment the learner should see\nanswer = 2 + 2   # 4"
    assert solution_body(solution_8) == "def my_dropout(x):\n    return x"
    shown = Solutions(solutions_03).show(1)
    assert repr(shown) == str(shown) and "sqrt" in shown and not shown.startswith("def ")


def test_every_lesson_with_widgets_is_registered():
    lessons = {lesson for lesson, _ in dl.ui.dashboard.all_dashboards().values()}
    assert {"00", "01", "02"} <= lessons


# ---------------------------------------------------------------- every dashboard against its declared maths

def _number(text: str | None) -> float | None:
    try:
        return float(text.replace("−", "-").rstrip("%")) if text is not None else None
    except ValueError:
        return None


def _move_to_end(control, end: str) -> None:
    """Set a slider (or a selection slider) to its minimum or maximum, as a learner's Home / End key would."""
    if hasattr(control, "options") and hasattr(control, "index"):
        control.index = 0 if end == "min" else len(control.options) - 1
    else:
        control.value = control.min if end == "min" else control.max
        if hasattr(control, "base"):  # FloatLogSlider: min/max are exponents
            control.value = control.base ** (control.min if end == "min" else control.max)


DECLARING = [key for key, (_, factory) in dl.ui.dashboard.all_dashboards().items()]


@pytest.mark.parametrize("key", DECLARING)
def test_every_dashboard_follows_its_declared_checks(key):
    dash = dl.ui.dashboard.all_dashboards()[key][1]()
    moves = [c for c in dash.checks if isinstance(c, dl.ui.dashboard.Moves)]
    agrees = [c for c in dash.checks if isinstance(c, dl.ui.dashboard.Agrees)]
    for name, control in dash.controls.items():
        if not (hasattr(control, "max") or hasattr(control, "index")):
            continue
        seen = {}
        for end in ("min", "max"):
            _move_to_end(control, end)
            seen[end] = dash.metrics()
            shown_bad = {m: v for m, v in seen[end].items() if re.search(r"nan|inf", str(v), re.I)}
            assert not shown_bad, f"{key} at {name}={end} shows {shown_bad}: say why a number is missing instead"
            for rule in agrees:
                measured, predicted = _number(seen[end].get(rule.measured)), _number(seen[end].get(rule.predicted))
                if measured is not None and predicted is not None:
                    assert math.isclose(measured, predicted, rel_tol=rule.rel_tol, abs_tol=rule.abs_tol), \
                        f"{key} at {name}={end}: {rule.measured} {measured} vs {rule.predicted} {predicted} " \
                        f"({rule.why})"
        for rule in (r for r in moves if r.control == name):
            low, high = _number(seen["min"].get(rule.metric)), _number(seen["max"].get(rule.metric))
            assert low is not None and high is not None, f"{key}: readout has no number {rule.metric!r}"
            assert (high - low) * rule.direction > 0, \
                f"{key}: {rule.metric} {low} -> {high} as {name} rises ({rule.why})"
    for rule in dash.checks:
        named = (rule.metric,) if isinstance(rule, dl.ui.dashboard.Moves) else (rule.measured, rule.predicted)
        assert all(n in dash.metrics() for n in named), f"{key}: a declared check names a metric not in the readout"


def test_a_frozen_figure_looks_like_the_plain_one_and_still_moves():
    from matplotlib.image import imread

    from dropout_lab.ui.figures import freeze_static, new_axes, to_png

    def build():
        fig, ax = new_axes()
        ax.set(xlim=(0, 10), ylim=(0, 1), xlabel="x", ylabel="share", title="a fixed title")
        line, = ax.plot([0, 10], [0.2, 0.8], color="tab:red")
        return fig, line
    plain, plain_line = build()
    frozen, frozen_line = build()
    freeze_static(frozen, [frozen_line])
    def differing(a, b):  # share of pixels that differ visibly
        return float(np.mean(np.abs(a - b).max(axis=2) > 0.02))
    pixels = [imread(io.BytesIO(to_png(f))) for f in (plain, frozen)]
    # The same picture, but for the few pixels where a moving line now crosses a spine on top of it.
    assert differing(*pixels) < 1e-3
    for line in (plain_line, frozen_line):
        line.set_ydata([0.9, 0.1])
    moved = [imread(io.BytesIO(to_png(f))) for f in (plain, frozen)]
    assert differing(*moved) < 1e-3 and differing(moved[1], pixels[1]) > 1e-3
