"""Dashboards of lessons 03 and 04, driven by setting control values."""
import math
import sys

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.rate_variance import spread
from dropout_lab.widgets import all_dashboards


def _metric(dash, name):
    marker = f"data-metric='{name}'>"
    return dash.readout.value.split(marker, 1)[1].split("<", 1)[0]


def test_lesson_03_dashboards_registered():
    keys = [key for key, (lesson, _) in all_dashboards().items() if lesson == "03"]
    assert {"03:zero_fraction_histogram", "03:forward_pass_wobble"} <= set(keys)


def test_histogram_spread_shrinks_as_one_over_sqrt_n():
    dash = dl.widgets.rate_variance.zero_fraction_histogram()
    dash.controls["rate"].value = 0.3
    dash.controls["n"].value = 100
    small = dash.result
    dash.controls["n"].value = 10_000
    large = dash.result
    assert (small.n, large.n) == (100, 10_000)
    # predicted std shrinks by exactly sqrt(100); measured stays inside its chi-square band
    assert small.predicted_std / large.predicted_std == pytest.approx(10.0)
    for trials in (small, large):
        low, high = dl.rate_variance.spread_ratio_band(trials.n, 0.3, len(trials.fractions))
        assert low <= trials.measured_std / trials.predicted_std <= high
    assert (large.band[1] - large.band[0]) == pytest.approx((small.band[1] - small.band[0]) / 10)
    assert _metric(dash, "n") == "10,000"


def test_histogram_rate_moves_mean_and_inside_share_is_binomial():
    dash = dl.widgets.rate_variance.zero_fraction_histogram()
    dash.controls["n"].value = 10**6
    dash.controls["rate"].value = 0.7
    trials = dash.result
    assert trials.n == 10**6 and trials.rate == pytest.approx(0.7)
    assert abs(trials.fractions.mean() - 0.7) <= 4 * spread(10**6, 0.7) / math.sqrt(len(trials.fractions))
    p = dl.rate_variance.prob_inside_band(10**6, 0.7)
    assert abs(trials.inside - p) <= 4 * math.sqrt(p * (1 - p) / len(trials.fractions))
    assert _metric(dash, "inside band") == f"{100 * trials.inside:.2f}%"


def test_wobble_settles_with_more_units():
    dash = dl.widgets.rate_variance.forward_pass_wobble()
    dash.controls["units"].value = 32
    wobbly = abs(dash.result - 0.2).max()
    dash.controls["units"].value = 100_000
    settled = abs(dash.result - 0.2).max()
    # 200 passes: the largest deviation is a few sigma, and sigma shrinks by sqrt(3125)
    assert wobbly <= 4.5 * spread(32, 0.2) and settled <= 4.5 * spread(100_000, 0.2)
    assert settled < wobbly / 10
    assert float(_metric(dash, "σ")) == pytest.approx(spread(100_000, 0.2), rel=1e-3)


def _bench_module():
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).parent.parent / "benchmarks" / "bench_widgets.py"
    spec = importlib.util.spec_from_file_location("bench_widgets", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_widgets"] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_bench_widgets_finds_size_controls_and_times_updates():
    bench = _bench_module()
    dash = dl.widgets.rate_variance.zero_fraction_histogram()
    attr, settings = bench.control_settings(dash.controls["n"])
    assert attr == "value" and settings[0] == pytest.approx(10) and settings[-1] == pytest.approx(10**6)
    assert bench.size_controls(dash) == ["n"]
    timing = bench.bench("03:zero_fraction_histogram", dl.widgets.rate_variance.zero_fraction_histogram, 1)
    assert timing.size == 10**6 and len(timing.wall) >= 8
    assert 0 < len(timing.judged) < len(timing.wall)  # only updates with n at 10^6 are judged


def test_noise_shape_dashboard_counts_coins_per_choice():
    dash = dl.widgets.inside_frameworks.noise_shape_explorer()
    assert "04:noise_shape_explorer" in all_dashboards()
    expected = {"per entry (None)": 180, "shared over time (B, 1, C)": 18, "shared over channels (B, T, 1)": 30,
                "one per sample (B, 1, 1)": 3, "shared over the batch (1, T, C)": 60}
    for choice, coins in expected.items():
        dash.controls["noise_shape"].value = choice
        assert dash.result.draws == coins and _metric(dash, "independent coins") == str(coins)
    dash.controls["noise_shape"].value = "shared over time (B, 1, C)"
    assert dl.inside_frameworks.shares_along(dash.result.keep, (1,))
    dash.controls["rate"].value = 0.0
    assert dash.result.zero_fraction == 0.0
    dash.controls["rate"].value = 0.9
    low, high = dl.binomial_band(0.9, 18, z=4)
    assert low <= dash.result.zero_fraction <= high
    before = dash.result.mask.copy()
    dash.controls["seed"].value = 7
    assert not np.array_equal(before, dash.result.mask)
