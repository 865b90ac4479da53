"""Lesson 11 (Dropout in modern networks): compute against the maths, the dashboard driven, the checks."""
from __future__ import annotations

import dropout_lab as dl
from dropout_lab.lessons.modern_networks import compute, exercises, plots, solutions, widgets


def test_zero_count_lands_in_its_band_and_the_edges_are_exact():
    assert compute.zero_count(0.3, seed=1).inside
    assert compute.zero_count(0.0).zero_fraction == 0.0 and compute.zero_count(1.0).zero_fraction == 1.0


def test_dashboard_follows_the_rate():
    dash = widgets.zero_count_dashboard()
    dash.controls["rate"].value = 0.8
    assert dash.result.inside and abs(dash.result.zero_fraction - 0.8) < 0.05
    assert plots.plot_zero_count(dash.result).axes


def test_exercise_check_takes_the_solution_and_rejects_the_slips():
    assert exercises.check_expected_zeros(solutions.solution_1()).passed
    assert exercises.check_expected_zeros(...) is dl.ui.checks.NOT_ANSWERED
    assert "KEPT" in exercises.check_expected_zeros(750).message
    assert not exercises.check_expected_zeros("250").passed
