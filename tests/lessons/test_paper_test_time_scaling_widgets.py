"""Lessons 07 and 08: dashboards respond to their controls; plots and exercise checks work."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.paper_test_time_scaling import compute as paper
from dropout_lab.lessons.paper_test_time_scaling import exercises as lesson07
from dropout_lab.lessons.paper_test_time_scaling import solutions
from dropout_lab.mlp import MLPConfig


@pytest.fixture(scope="module")
def mc_study():
    return paper.mc_vs_weight_scaling(TINY, seeds=(0, 1), k_max=10)


def test_mc_dashboard_follows_k(mc_study):
    dash = dl.lessons.paper_test_time_scaling.widgets.mc_vs_weight_scaling_dashboard(mc_study)
    dash.controls["k"].value = 3
    assert dash.result["k"] == 3
    np.testing.assert_array_equal(dash.result["mc_error"], mc_study.mc_error[:, 2])
    expected = 100 * (mc_study.mc_error[:, 2] - mc_study.ws_error).mean()
    assert dash.result["gap_points"] == pytest.approx(expected)
    assert "data-metric='k'>3<" in dash.readout.value
    assert dash.image.value[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def sweep():
    return paper.rate_sweep(TINY, keeps=(0.3, 0.6, 1.0), seeds=(0,), n=8, n_keep=4)


def test_rate_dashboard_follows_keep(sweep):
    dash = dl.lessons.paper_test_time_scaling.widgets.rate_sweep_dashboard(sweep)
    dash.controls["keep"].value = 1.0
    assert dash.result["keep"] == 1.0
    np.testing.assert_allclose(dash.result["test_error"], sweep.test_error[:, 2].mean(axis=1))
    assert "rate (drop)'>0.00<" in dash.readout.value


def test_dashboards_build_without_arguments_and_are_registered():
    dl.lessons.paper_test_time_scaling.widgets, dl.lessons.bug_zoo.widgets  # importing registers them (no need to import other lessons)
    registry = dl.ui.dashboard.REGISTRY
    assert {"07:mc_vs_weight_scaling_dashboard", "07:rate_sweep_dashboard", "08:bug_symptoms_dashboard"} <= set(registry)
    dash = dl.lessons.paper_test_time_scaling.widgets.mc_vs_weight_scaling_dashboard()
    assert dash.controls["k"].max == 50


TINY = MLPConfig(hidden=(16,), epochs=1)


def test_plots_return_figures(mc_study, sweep):
    sizes = paper.size_sweep(TINY, sizes=(20, 40), seeds=(0, 1), min_steps=2)
    figures = [dl.lessons.paper_test_time_scaling.plots.plot_mc_vs_weight_scaling(mc_study, k=5), dl.lessons.paper_test_time_scaling.plots.plot_rate_sweep(sweep, 0.6),
               dl.lessons.paper_test_time_scaling.plots.plot_rate_sweep_compact(sweep), dl.lessons.paper_test_time_scaling.plots.plot_size_sweep(sizes),
               dl.lessons.bug_zoo.plots.plot_symptoms(dl.lessons.bug_zoo.compute.bug_symptoms(0.3))]
    assert all(isinstance(f, Figure) for f in figures)


def test_lesson07_checks():
    assert lesson07.check_paper_p(...) is dl.ui.checks.NOT_ANSWERED
    assert not lesson07.check_paper_p(0.8).passed and "KEEP" in lesson07.check_paper_p(0.8).message
    assert lesson07.check_paper_p(1 - 0.8).passed
    assert lesson07.check_inverted_weights(lambda w, keep: keep * w).passed
    assert not lesson07.check_inverted_weights(lambda w, keep: w / keep).passed
    assert not lesson07.check_inverted_weights(lambda w, keep: w).passed
    assert lesson07.check_ridge_strength((1 - 0.8) / 0.8).passed
    assert not lesson07.check_ridge_strength(0.16).passed


@pytest.mark.parametrize("number", [1, 2, 3])
def test_lesson07_solutions_pass(number):
    check = {1: lesson07.check_paper_p, 2: lesson07.check_inverted_weights, 3: lesson07.check_ridge_strength}[number]
    assert check(getattr(solutions, f"solution_{number}")()).passed
