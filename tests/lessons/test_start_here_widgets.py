"""Lesson 00's dashboard: the zero fraction follows the rate; the readout shows the prediction and its range."""
import math

import pytest

import dropout_lab as dl
from dropout_lab.lessons.start_here import widgets
from dropout_lab.stats import Z_CHECK


def test_start_here_zero_fraction_tracks_rate():
    dash = widgets.mask_demo()
    first = dash.image.value
    for rate in (0.0, 0.5, 1.0):
        dash.controls["rate"].value = rate
        fraction = dash.result["zero_fraction"]
        assert fraction == pytest.approx(1 - dash.result["mask"].mean())
        low, high = dl.binomial_band(rate, 20, Z_CHECK)
        assert low <= fraction <= high
        assert float(dash.metrics()["predicted zero fraction"]) == rate
    assert dash.result["zero_fraction"] == 1.0
    assert dash.image.value != first


def test_readout_shows_the_count_its_expectation_and_its_95_percent_range():
    dash = widgets.mask_demo()
    dash.controls["rate"].value = 0.3
    metrics = dash.metrics()
    assert metrics["expected"] == "6" and metrics["95% range"] == "2–10"
    assert int(metrics["dropped units"]) == round(20 * dash.result["zero_fraction"])


def test_agree_tolerance_is_five_standard_errors_of_twenty_units():
    tolerance = widgets.AGREE_TOL
    assert math.isclose(tolerance, 5 * math.sqrt(0.25 / 20))
    dash = widgets.mask_demo()
    for seed in range(21):  # every seed position at the default rate
        dash.controls["seed"].value = seed
        assert abs(dash.result["zero_fraction"] - 0.3) <= widgets.AGREE_TOL


def test_redrawn_in_place_looks_like_plot_mask_pixel_for_pixel():
    dash = widgets.mask_demo()
    figure = dash.figure
    for rate, seed in [(0.3, 0), (0.9, 5), (0.0, 2), (0.3, 0)]:   # and back to the start
        dash.controls["rate"].value, dash.controls["seed"].value = rate, seed
        mask = dash.result["mask"]
        static = dl.ui.figures.plot_mask(mask, title=f"{int(20 - mask.sum())} of 20 units dropped")
        assert dl.ui.figures.to_png(static) == bytes(dash.image.value)
    assert dash.figure is figure  # one figure for the dashboard's lifetime
    with pytest.raises(ValueError, match=r"mask must have shape \(20,\)"):
        dl.lessons.start_here.plots.mask_updater(20)(mask[:5], "five")
