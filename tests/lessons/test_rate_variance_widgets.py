"""Dashboards of lessons 03 and 04, driven by setting control values."""
import math

import pytest

import dropout_lab as dl
from dropout_lab.lessons.rate_variance.compute import spread
from dropout_lab.ui.dashboard import all_dashboards


def test_lesson_03_dashboards_registered():
    keys = [key for key, (lesson, _) in all_dashboards().items() if lesson == "03"]
    assert {"03:zero_fraction_histogram", "03:forward_pass_wobble"} <= set(keys)


def _metric(dash, name):
    marker = f"data-metric='{name}'>"
    return dash.readout.value.split(marker, 1)[1].split("<", 1)[0]


def test_histogram_spread_shrinks_as_one_over_sqrt_n():
    dash = dl.lessons.rate_variance.widgets.zero_fraction_histogram()
    dash.controls["rate"].value = 0.3
    dash.controls["n"].value = 100
    small = dash.result
    dash.controls["n"].value = 10_000
    large = dash.result
    assert (small.n, large.n) == (100, 10_000)
    # predicted std shrinks by exactly sqrt(100); measured stays inside its chi-square band
    assert small.predicted_std / large.predicted_std == pytest.approx(10.0)
    for trials in (small, large):
        low, high = dl.lessons.rate_variance.compute.spread_ratio_band(trials.n, 0.3, len(trials.fractions))
        assert low <= trials.measured_std / trials.predicted_std <= high
    assert (large.band[1] - large.band[0]) == pytest.approx((small.band[1] - small.band[0]) / 10)
    assert _metric(dash, "n") == "10,000"


def test_histogram_rate_moves_mean_and_inside_share_is_binomial():
    dash = dl.lessons.rate_variance.widgets.zero_fraction_histogram()
    dash.controls["n"].value = 10**6
    dash.controls["rate"].value = 0.7
    trials = dash.result
    assert trials.n == 10**6 and trials.rate == pytest.approx(0.7)
    assert abs(trials.fractions.mean() - 0.7) <= 4 * spread(10**6, 0.7) / math.sqrt(len(trials.fractions))
    p = dl.lessons.rate_variance.compute.prob_inside_band(10**6, 0.7)
    assert abs(trials.inside - p) <= 4 * math.sqrt(p * (1 - p) / len(trials.fractions))
    assert _metric(dash, "inside band") == f"{100 * trials.inside:.2f}%"


def test_wobble_settles_with_more_units():
    dash = dl.lessons.rate_variance.widgets.forward_pass_wobble()
    dash.controls["units"].value = 32
    wobbly = abs(dash.result - 0.2).max()
    dash.controls["units"].value = 100_000
    settled = abs(dash.result - 0.2).max()
    # 200 passes: the largest deviation is a few sigma, and sigma shrinks by sqrt(3125)
    assert wobbly <= 4.5 * spread(32, 0.2) and settled <= 4.5 * spread(100_000, 0.2)
    assert settled < wobbly / 10
    assert float(_metric(dash, "σ")) == pytest.approx(spread(100_000, 0.2), rel=1e-3)
