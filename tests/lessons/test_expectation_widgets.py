"""Dashboards of lessons 00-02: set the controls, check the numbers follow the maths."""
import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.expectation.compute import moment_bands, predicted_var


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.85])
def test_expectation_mean_stays_at_x_only_with_rescaling(rate):
    dash = dl.lessons.expectation.widgets.expectation(n=200_000)
    dash.controls["x"].value = 2.0
    dash.controls["rate"].value = rate
    scaled, plain = dash.result["rescaled"], dash.result["not rescaled"]
    assert scaled.rate == rate and scaled.x == 2.0
    assert scaled.within_bands() and plain.within_bands()
    low, high = moment_bands(2.0, rate, 200_000).mean
    assert low <= scaled.mean <= high
    assert plain.mean == pytest.approx((1 - rate) * 2.0, abs=6 * 2.0 * np.sqrt(rate * (1 - rate) / 200_000))
    assert f"{predicted_var(2.0, rate):.4g}" in dash.readout.value
