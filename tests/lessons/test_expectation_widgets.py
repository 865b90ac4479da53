"""Lesson 02's dashboard, driven by setting control values, against the maths it declares."""
import math

import numpy as np
import pytest

from dropout_lab.lessons.expectation import widgets
from dropout_lab.lessons.expectation.compute import moment_bands, moments, predicted_var, sample_pair
from dropout_lab.stats import Z_CHECK
from dropout_lab.ui.dashboard import REGISTRY, Agrees, Moves


def test_registered_with_checks_that_name_its_readout():
    assert REGISTRY["02:expectation"] == ("02", widgets.expectation)  # no other lesson imported
    dash = widgets.expectation(n=10_000)
    assert {type(c) for c in dash.checks} == {Moves, Agrees}
    for rule in dash.checks:
        named = (rule.metric,) if isinstance(rule, Moves) else (rule.measured, rule.predicted)
        assert all(name in dash.metrics() for name in named), rule
        if isinstance(rule, Moves):
            assert rule.control in dash.controls


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.85])
def test_expectation_mean_stays_at_x_only_with_rescaling(rate):
    dash = widgets.expectation(n=200_000)
    dash.controls["x"].value = 2.0
    dash.controls["rate"].value = rate
    scaled, plain = dash.result["rescaled"], dash.result["not rescaled"]
    assert scaled.rate == rate and scaled.x == 2.0
    assert scaled.within_bands(Z_CHECK) and plain.within_bands(Z_CHECK)
    low, high = moment_bands(2.0, rate, 200_000, Z_CHECK).mean
    assert low <= scaled.mean <= high
    assert abs(plain.mean - (1 - rate) * 2.0) <= Z_CHECK * 2.0 * np.sqrt(rate * (1 - rate) / 200_000)
    metrics = dash.metrics()
    assert metrics["x²·rate/(1-rate)"] == f"{predicted_var(2.0, rate):.4g}"
    assert metrics["|x|·√(rate/(1-rate))"] == f"{math.sqrt(predicted_var(2.0, rate)):.4g}"
    assert metrics["x²·rate·(1-rate)"] == f"{predicted_var(2.0, rate, rescale=False):.4g}"


def test_declared_tolerances_are_five_standard_errors_over_the_slider_range():
    n = 10**6
    rates = np.arange(0.05, 0.901, 0.05)
    mean_rel_se = np.sqrt(rates / (1 - rates) / n)
    var_rel_se = np.abs(1 - 2 * (1 - rates)) / np.sqrt(n * rates * (1 - rates))
    tolerance = {c.measured: c.rel_tol for c in widgets.CHECKS if isinstance(c, Agrees)}
    assert tolerance["mean (rescaled)"] >= 5 * mean_rel_se.max()
    assert tolerance["mean (not rescaled)"] >= 5 * mean_rel_se.max()
    assert tolerance["std (rescaled)"] >= 5 * var_rel_se.max() / 2
    assert tolerance["variance (rescaled)"] >= 5 * var_rel_se.max()
    assert tolerance["variance (not rescaled)"] >= 5 * var_rel_se.max()


def test_a_dashboard_that_forgot_the_factor_would_fail_its_own_check():
    dash = widgets.expectation(n=100_000)
    dash.controls["rate"].value = 0.3
    agrees = next(c for c in widgets.CHECKS if isinstance(c, Agrees) and c.measured == "mean (rescaled)")
    plain = dash.result["not rescaled"]
    assert not math.isclose(plain.mean, plain.x, rel_tol=agrees.rel_tol)


def test_a_revisited_setting_shows_the_same_numbers_and_a_new_one_new_numbers():
    dash = widgets.expectation(n=50_000)
    first = (dash.readout.value, dash.result)
    dash.controls["x"].value = 2.5
    moved = dash.readout.value
    dash.controls["x"].value = 1.5                      # back to the start: served from the cache
    assert (dash.readout.value, dash.result) == first and moved != first[0]
    dash.controls["rate"].value = 0.25                  # a new rate draws its own mask
    scaled, plain = sample_pair(1.5, 0.25, 50_000, 0)
    assert dash.result["rescaled"] == moments(scaled, 1.5, 0.25)
    assert dash.result["not rescaled"] == moments(plain, 1.5, 0.25, False)
