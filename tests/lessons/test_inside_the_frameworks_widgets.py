"""Lesson 04's dashboard, driven by setting control values."""
import math

import numpy as np

import dropout_lab as dl
from dropout_lab.lessons.inside_the_frameworks import widgets
from dropout_lab.stats import Z_CHECK
from dropout_lab.ui.dashboard import REGISTRY, Agrees, Moves


def test_noise_shape_dashboard_counts_coins_per_choice():
    dash = widgets.noise_shape_explorer()
    assert REGISTRY["04:noise_shape_explorer"][1] is widgets.noise_shape_explorer   # registered by @dashboard
    expected = {"per entry (None)": 180, "shared over time (B, 1, C)": 18, "shared over channels (B, T, 1)": 30,
                "one per sample (B, 1, 1)": 3, "shared over the batch (1, T, C)": 60}
    for choice, coins in expected.items():
        dash.controls["noise_shape"].value = choice
        metrics = dash.metrics()
        assert dash.result.draws == coins and metrics["independent coins"] == str(coins)
        assert metrics["entries per coin"] == str(180 // coins)
    dash.controls["noise_shape"].value = "shared over time (B, 1, C)"
    assert dl.lessons.inside_the_frameworks.compute.shares_along(dash.result.keep, (1,))
    dash.controls["rate"].value = 0.0
    assert dash.result.zero_fraction == 0.0 and dash.result.mean_zero_fraction == 0.0
    dash.controls["rate"].value = 0.9
    low, high = dl.binomial_band(0.9, 18, z=Z_CHECK)
    assert low <= dash.result.zero_fraction <= high
    before = dash.result.mask.copy()
    dash.controls["seed"].value = 7
    assert not np.array_equal(before, dash.result.mask)


def test_declared_tolerance_covers_the_fewest_coins():
    dash = widgets.noise_shape_explorer()
    kinds = {type(check) for check in dash.checks}
    assert kinds == {Moves, Agrees}
    worst_sd = math.sqrt(0.25 / (3 * widgets.MASKS))   # one coin per sample, rate 0.5
    assert 5 * worst_sd <= widgets.MEAN_TOLERANCE
    dash.controls["noise_shape"].value = "one per sample (B, 1, 1)"
    for rate in (0.1, 0.5, 0.9):
        dash.controls["rate"].value = rate
        metrics = dash.metrics()
        measured = float(metrics[widgets.MEAN_LABEL])
        assert abs(measured - float(metrics["predicted zero fraction (= rate)"])) <= widgets.MEAN_TOLERANCE
