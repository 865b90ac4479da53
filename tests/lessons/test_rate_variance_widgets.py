"""Lesson 03's dashboards, driven by setting control values, against the maths they declare."""
import math

import pytest

import dropout_lab as dl
from dropout_lab.lessons.rate_variance import compute, widgets
from dropout_lab.lessons.rate_variance.compute import spread
from dropout_lab.stats import Z_CHECK
from dropout_lab.ui.dashboard import REGISTRY, Agrees, Moves


def test_lesson_03_dashboards_registered_with_declared_checks():
    keys = {key for key, (lesson, _) in REGISTRY.items() if lesson == "03"}  # no other lesson imported
    assert keys == {"03:zero_fraction_histogram", "03:zero_counts"}
    for key in keys:
        dash = REGISTRY[key][1]()
        kinds = {type(c) for c in dash.checks}
        assert kinds == {Moves, Agrees}, key
        for rule in dash.checks:
            named = (rule.metric,) if isinstance(rule, Moves) else (rule.measured, rule.predicted)
            assert all(name in dash.metrics() for name in named), (key, rule)
            if isinstance(rule, Moves):
                assert rule.control in dash.controls, (key, rule)


def test_histogram_spread_shrinks_as_one_over_sqrt_n():
    dash = widgets.zero_fraction_histogram()
    dash.controls["rate"].value = 0.3
    dash.controls["n"].value = 100
    small = dash.result
    dash.controls["n"].value = 10_000
    large = dash.result
    assert (small.n, large.n) == (100, 10_000)
    # predicted std shrinks by exactly sqrt(100); measured stays inside its chi-square band
    assert small.predicted_std / large.predicted_std == pytest.approx(10.0)
    for trials in (small, large):
        low, high = compute.spread_ratio_band(trials.n, 0.3, len(trials.fractions))
        assert low <= trials.measured_std / trials.predicted_std <= high
    assert (large.band[1] - large.band[0]) == pytest.approx((small.band[1] - small.band[0]) / 10)
    assert dash.metrics()["n"] == "10,000"


def test_histogram_rate_moves_mean_and_inside_share_is_binomial():
    dash = widgets.zero_fraction_histogram()
    dash.controls["n"].value = 10**6
    dash.controls["rate"].value = 0.7
    trials = dash.result
    assert trials.n == 10**6 and trials.rate == pytest.approx(0.7)
    assert abs(trials.fractions.mean() - 0.7) <= Z_CHECK * spread(10**6, 0.7) / math.sqrt(len(trials.fractions))
    p = compute.prob_inside_band(10**6, 0.7)
    assert abs(trials.inside - p) <= Z_CHECK * math.sqrt(p * (1 - p) / len(trials.fractions))
    metrics = dash.metrics()
    assert metrics["inside band"] == f"{100 * trials.inside:.2f}%"
    assert metrics["exact P(inside)"] == f"{100 * p:.2f}%" and metrics["rate"] == "0.7"


@pytest.mark.parametrize("z0, rate", [(0.5, 0.2), (0.9, 0.05), (0.05, 0.95)])
def test_counts_dashboard_shows_each_count_beside_its_prediction(z0, rate):
    dash = widgets.zero_counts(units=200_000)
    dash.controls["z0"].value = z0
    dash.controls["rate"].value = rate
    count = dash.result
    assert count == compute.relu_count((200_000,), z0, rate, seed=widgets.SEED)  # the package's dropout
    zb, metrics = count.zero_before, dash.metrics()
    assert float(metrics["zeros before"]) == pytest.approx(zb, rel=1e-3)
    assert float(metrics["z0 + (1-z0)·rate"]) == pytest.approx(compute.naive_zero_fraction(zb, rate), rel=1e-3)
    assert float(metrics["(1-z0)·rate"]) == pytest.approx(compute.expected_difference(zb, rate), rel=1e-3)
    assert abs(count.difference - compute.expected_difference(zb, rate)) <= Z_CHECK * count.sigma()
    assert abs(count.honest - rate) <= Z_CHECK * count.honest_sigma()


def test_counts_dashboard_after_minus_before_falls_as_z0_grows():
    dash = widgets.zero_counts(units=100_000)
    dash.controls["rate"].value = 0.2
    seen = []
    for z0 in (0.05, 0.5, 0.9):
        dash.controls["z0"].value = z0
        seen.append(dash.result)
    assert seen[0].difference > seen[1].difference > seen[2].difference
    assert seen[0].naive < seen[1].naive < seen[2].naive
    for count in seen:  # the honest count stays on the rate
        assert abs(count.honest - 0.2) <= Z_CHECK * count.honest_sigma()


def test_declared_tolerances_cover_five_standard_errors_at_the_dashboards_sizes():
    checks = {c.measured: c for c in widgets.COUNT_CHECKS if isinstance(c, Agrees)}
    worst_naive = math.sqrt(0.25 / widgets.UNITS)                    # live share x rate x keep <= 1/4
    worst_honest = math.sqrt(0.25 / (widgets.UNITS * (1 - 0.9)))     # fewest live units at z0 = 0.9
    assert checks["naive count"].abs_tol >= 5 * worst_naive and checks["after − before"].abs_tol >= 5 * worst_naive
    assert checks["honest count"].abs_tol >= 5 * worst_honest * 1.01  # z0 is realised, a hair above 0.9 at most
    hist = {c.measured: c for c in widgets.HISTOGRAM_CHECKS if isinstance(c, Agrees)}
    assert hist["mean"].abs_tol >= 5 * math.sqrt(0.25 / 10 / widgets.TRIALS)


def test_dashboards_tolerate_nothing_wrong():
    # A dashboard that reported the difference as the honest count would break its own Agrees check.
    dash = widgets.zero_counts(units=100_000)
    count = dash.result
    honest = next(c for c in widgets.COUNT_CHECKS if isinstance(c, Agrees) and c.measured == "honest count")
    assert not math.isclose(count.difference, count.rate, rel_tol=honest.rel_tol, abs_tol=honest.abs_tol)
    assert dl.ui.dashboard.REGISTRY["03:zero_counts"][0] == "03"
