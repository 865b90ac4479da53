"""Dashboards of lessons 00-02: set the controls, check the numbers follow the maths."""
import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.expectation import moment_bands, predicted_var
from dropout_lab.from_scratch import ones_bands


def test_start_here_zero_fraction_tracks_rate():
    dash = dl.widgets.start_here.mask_demo()
    first = dash.image.value
    for rate in (0.0, 0.5, 1.0):
        dash.controls["rate"].value = rate
        fraction = dash.result["zero_fraction"]
        assert fraction == pytest.approx(1 - dash.result["mask"].mean())
        low, high = dl.binomial_band(rate, 20, z=4)
        assert low <= fraction <= high
    assert dash.result["zero_fraction"] == 1.0
    assert dash.image.value != first
    assert 'data-metric="realised zero fraction"' in dash.readout.value.replace("'", '"')


def test_three_frameworks_follow_the_rate():
    dash = dl.widgets.from_scratch.three_frameworks()
    assert set(dash.result) == {"numpy", "torch", "keras"}
    for rate in (0.1, 0.5, 0.8):
        dash.controls["rate"].value = rate
        bands = ones_bands(rate, 32 * 32, z=4)
        for name, stats in dash.result.items():
            assert bands.contains(stats), (name, rate, stats)
    before = {k: v.zero_fraction for k, v in dash.result.items()}
    dash.controls["seed"].value = 5
    after = {k: v.zero_fraction for k, v in dash.result.items()}
    assert before != after  # a new seed draws new masks
    assert "keras zero fraction" in dash.readout.value


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.85])
def test_expectation_mean_stays_at_x_only_with_rescaling(rate):
    dash = dl.widgets.expectation.expectation(n=200_000)
    dash.controls["x"].value = 2.0
    dash.controls["rate"].value = rate
    scaled, plain = dash.result["rescaled"], dash.result["not rescaled"]
    assert scaled.rate == rate and scaled.x == 2.0
    assert scaled.within_bands() and plain.within_bands()
    low, high = moment_bands(2.0, rate, 200_000).mean
    assert low <= scaled.mean <= high
    assert plain.mean == pytest.approx((1 - rate) * 2.0, abs=6 * 2.0 * np.sqrt(rate * (1 - rate) / 200_000))
    assert f"{predicted_var(2.0, rate):.4g}" in dash.readout.value


def test_all_three_are_registered():
    lessons = {lesson for lesson, _ in dl.widgets.all_dashboards().values()}
    assert {"00", "01", "02"} <= lessons
