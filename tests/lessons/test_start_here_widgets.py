"""Dashboards of lessons 00-02: set the controls, check the numbers follow the maths."""
import pytest

import dropout_lab as dl


def test_start_here_zero_fraction_tracks_rate():
    dash = dl.lessons.start_here.widgets.mask_demo()
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
