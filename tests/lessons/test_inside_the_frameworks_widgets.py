"""Dashboards of lessons 03 and 04, driven by setting control values."""

import numpy as np

import dropout_lab as dl
from dropout_lab.ui.dashboard import all_dashboards


def _metric(dash, name):
    marker = f"data-metric='{name}'>"
    return dash.readout.value.split(marker, 1)[1].split("<", 1)[0]


def test_noise_shape_dashboard_counts_coins_per_choice():
    dash = dl.lessons.inside_the_frameworks.widgets.noise_shape_explorer()
    assert "04:noise_shape_explorer" in all_dashboards()
    expected = {"per entry (None)": 180, "shared over time (B, 1, C)": 18, "shared over channels (B, T, 1)": 30,
                "one per sample (B, 1, 1)": 3, "shared over the batch (1, T, C)": 60}
    for choice, coins in expected.items():
        dash.controls["noise_shape"].value = choice
        assert dash.result.draws == coins and _metric(dash, "independent coins") == str(coins)
    dash.controls["noise_shape"].value = "shared over time (B, 1, C)"
    assert dl.lessons.inside_the_frameworks.compute.shares_along(dash.result.keep, (1,))
    dash.controls["rate"].value = 0.0
    assert dash.result.zero_fraction == 0.0
    dash.controls["rate"].value = 0.9
    low, high = dl.binomial_band(0.9, 18, z=4)
    assert low <= dash.result.zero_fraction <= high
    before = dash.result.mask.copy()
    dash.controls["seed"].value = 7
    assert not np.array_equal(before, dash.result.mask)
