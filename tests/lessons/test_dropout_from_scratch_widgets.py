"""Dashboards of lessons 00-02: set the controls, check the numbers follow the maths."""

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch.compute import ones_bands


def test_three_frameworks_follow_the_rate():
    dash = dl.lessons.dropout_from_scratch.widgets.three_frameworks()
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
