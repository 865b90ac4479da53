"""dl.speed returns measured tables (the benchmark and lesson 04 use it); no timing is asserted."""
from __future__ import annotations

import pytest

import dropout_lab as dl


def test_measure_speed_times_every_requested_implementation():
    table = dl.speed.measure_speed(sizes=(1000,), rates=(0.5,), repeats=2,
                                   implementations=["copy", "dropout_forward", "fast_dropout"])
    assert table.implementations() == ["copy", "dropout_forward", "fast_dropout"]
    assert all(row.seconds > 0 for row in table.rows)
    assert table.ratio("copy", "copy", 1000, 0.5) == 1.0
    assert "fast_dropout" in table.to_text() and "× copy" in table.to_text()


def test_frameworks_are_timed_when_installed():
    table = dl.speed.measure_speed(sizes=(1000,), rates=(0.1,), repeats=1, implementations=["torch", "tensorflow"])
    assert table.seconds("torch", 1000, 0.1) > 0 and table.seconds("tensorflow", 1000, 0.1) > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="implementations must be among"):
        dl.speed.measure_speed(implementations=["cupy"])
    with pytest.raises(ValueError, match="repeats must be a positive int"):
        dl.speed.measure_speed(repeats=0)
    with pytest.raises(KeyError):
        dl.speed.measure_speed(sizes=(10,), repeats=1, implementations=["copy"]).seconds("copy", 11, 0.5)


def test_median_ms_calls_the_action_with_each_index():
    seen = []
    assert dl.speed.median_ms(seen.append, repeats=4) >= 0 and seen == [0, 1, 2, 3]
