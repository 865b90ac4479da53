"""Lesson 07: dashboards follow their controls and declare their checks; plots and exercise checks work."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.paper_test_time_scaling import compute as paper
from dropout_lab.lessons.paper_test_time_scaling import exercises as lesson07
from dropout_lab.lessons.paper_test_time_scaling import plots, solutions, widgets
from dropout_lab.lessons.paper_test_time_scaling.training import Recipe

TINY = Recipe(hidden=(16,), epochs=1)


@pytest.fixture(scope="module")
def mc_study():
    return paper.mc_vs_weight_scaling(TINY, seeds=(0, 1), k_max=10)


def test_mc_dashboard_follows_k(mc_study):
    dash = widgets.mc_vs_weight_scaling_dashboard(mc_study)
    dash.controls["k"].value = 3
    assert dash.result["k"] == 3
    np.testing.assert_array_equal(dash.result["mc_error"], mc_study.mc_error[:, 2])
    assert dash.result["gap_points"] == pytest.approx(100 * (mc_study.mc_error[:, 2] - mc_study.ws_error).mean())
    assert dash.result["nll_gap"] == pytest.approx((mc_study.mc_nll[:, 2] - mc_study.ws_nll).mean())
    assert "data-metric='k'>3<" in dash.readout.value and "MC NLL" in dash.metrics()
    assert dash.image.value[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def sweep():
    return paper.rate_sweep(TINY, keeps=(0.3, 0.6, 1.0), seeds=(0,), n=8, n_keep=4)


def test_rate_dashboard_follows_keep(sweep):
    dash = widgets.rate_sweep_dashboard(sweep)
    dash.controls["keep"].value = 1.0
    assert dash.result["keep"] == 1.0
    np.testing.assert_allclose(dash.result["test_error"], sweep.test_error[:, 2].mean(axis=1))
    assert "rate (drop)'>0.00<" in dash.readout.value


def test_default_dashboards_show_the_stored_runs():
    rates = widgets.rate_sweep_dashboard()
    stored, _ = paper.load_rate_sweep()
    assert [v for _, v in rates.controls["keep"].options] == list(stored.keeps)
    size = widgets.size_sweep_dashboard()
    stored_sizes, _ = paper.load_size_sweep()
    assert list(size.controls["rows"].options) == list(stored_sizes.sizes)
    size.controls["rows"].value = 400
    i = list(stored_sizes.sizes).index(400)
    assert size.result["gain"] == pytest.approx(100 * stored_sizes.gain(1)[i])
    assert size.result["gain_over_control"] == pytest.approx(100 * stored_sizes.gain(1, 3)[i])


def test_dashboards_are_registered_and_declare_their_checks():
    registry = dl.ui.dashboard.REGISTRY
    assert {"07:mc_vs_weight_scaling_dashboard", "07:rate_sweep_dashboard", "07:size_sweep_dashboard"} <= set(registry)
    for factory in (widgets.rate_sweep_dashboard, widgets.size_sweep_dashboard):
        dash = factory()
        assert dash.checks and all(c.why and c.metric in dash.metrics() for c in dash.checks)
    assert widgets.mc_vs_weight_scaling_dashboard().controls["k"].max == 50


def test_plots_return_figures(mc_study, sweep):
    conditions = {"plain": replace(TINY, input_rate=0.0, hidden_rate=0.0), "dropout": TINY}
    sizes = paper.size_sweep(conditions, sizes=(20, 40), seeds=(0, 1), min_steps=2)
    figures = [plots.plot_mc_vs_weight_scaling(mc_study, k=5), plots.plot_mc_paired(mc_study),
               plots.plot_rate_sweep(sweep, reference=0.6), plots.plot_rate_sweep_compact(sweep, 0.6),
               plots.plot_size_sweep(sizes, 20)]
    assert all(isinstance(f, Figure) for f in figures)


def _visibly_different(a: bytes, b: bytes) -> np.ndarray:
    """Where two PNGs of the same size differ visibly, rows top first."""
    import io

    from matplotlib.image import imread
    first, second = (imread(io.BytesIO(png)) for png in (a, b))
    return np.abs(first - second).max(axis=2) > 0.02


def _off_the_spines(differ: np.ndarray, fig: Figure) -> int:
    """Differing pixels more than 2 px away from every spine of `fig`'s axes."""
    rows, cols = np.indices(differ.shape)
    rows = differ.shape[0] - 1 - rows   # display y runs upwards
    near = np.zeros_like(differ)
    for ax in fig.axes:
        x0, y0, x1, y1 = ax.bbox.extents
        inside_x, inside_y = (cols >= x0 - 2) & (cols <= x1 + 2), (rows >= y0 - 2) & (rows <= y1 + 2)
        near |= inside_y & ((np.abs(cols - x0) <= 2) | (np.abs(cols - x1) <= 2))
        near |= inside_x & ((np.abs(rows - y0) <= 2) | (np.abs(rows - y1) <= 2))
    return int((differ & ~near).sum())


def test_dashboards_draw_what_the_static_plots_draw(mc_study):
    # Each dashboard draws its figure once (freeze_static) and afterwards moves only its dotted marker;
    # what it shows must still be the static plot's picture with the marker at the slider's value, at
    # the slider's first setting and one more: pixel for pixel but on the spines (k = 1 sits on the
    # left spine, and a frozen marker lies on top of it instead of under it).
    rates, sizes = paper.load_rate_sweep()[0], paper.load_size_sweep()[0]
    cases = ((widgets.mc_vs_weight_scaling_dashboard(mc_study), "k", (1, 5), plots.plot_mc_vs_weight_scaling,
              mc_study),
             (widgets.rate_sweep_dashboard(), "keep", (rates.keeps[0], rates.keeps[-1]),
              plots.plot_rate_sweep_compact, rates),
             (widgets.size_sweep_dashboard(), "rows", (sizes.sizes[0], sizes.sizes[-1]), plots.plot_size_sweep,
              sizes))
    for dash, name, ends, plot, data in cases:
        shown = []
        for value in ends:
            dash.controls[name].value = value.item() if hasattr(value, "item") else value
            figure = plot(data, value)
            differ = _visibly_different(bytes(dash.image.value), dl.ui.figures.to_png(figure))
            assert _off_the_spines(differ, figure) == 0 and differ.mean() < 0.01, (name, value)
            shown.append(bytes(dash.image.value))
        assert _off_the_spines(_visibly_different(*shown), figure) > 100, name   # the marker did move


# ---------------------------------------------------------------- exercises


def test_inverted_weights_right_two_ways_and_wrong():
    assert lesson07.check_inverted_weights(solutions.solution_1()).passed
    assert lesson07.check_inverted_weights(lambda w, keep: w * keep).passed
    assert "dividing by keep" in lesson07.check_inverted_weights(lambda w, keep: w / keep).message
    assert not lesson07.check_inverted_weights(lambda w, keep: w).passed
    assert "raised" in lesson07.check_inverted_weights(lambda w, keep: w @ w).message
    assert lesson07.check_inverted_weights(...) is dl.ui.checks.NOT_ANSWERED


def test_inverted_training_right_two_ways_and_wrong():
    assert lesson07.check_inverted_training(solutions.solution_2()).passed
    assert lesson07.check_inverted_training(lambda ws, lr, ks: ([w * k for w, k in zip(ws, ks)],
                                                                 [lr * k * k for k in ks])).passed
    by_keep = lesson07.check_inverted_training(lambda ws, lr, ks: ([w * k for w, k in zip(ws, ks)],
                                                                   [lr * k for k in ks]))
    assert "one more factor keep" in by_keep.message
    same_lr = lesson07.check_inverted_training(lambda ws, lr, ks: ([w * k for w, k in zip(ws, ks)], [lr] * len(ks)))
    assert "same learning rate" in same_lr.message
    unscaled = lesson07.check_inverted_training(lambda ws, lr, ks: (ws, [lr * k * k for k in ks]))
    assert "SAME function" in unscaled.message
    assert "raised" in lesson07.check_inverted_training(lambda ws, lr, ks: 1 / 0).message
    assert "one weight matrix per layer" in lesson07.check_inverted_training(lambda ws, lr, ks: (ws[:1], [lr])).message
    assert lesson07.check_inverted_training(...) is dl.ui.checks.NOT_ANSWERED


def test_ridge_strength_right_two_ways_and_wrong():
    assert lesson07.check_ridge_strength(solutions.solution_3()).passed
    assert lesson07.check_ridge_strength(0.25).passed
    assert "p(1 − p)" in lesson07.check_ridge_strength(0.16).message
    assert "DENOMINATOR" in lesson07.check_ridge_strength(4.0).message
    assert not lesson07.check_ridge_strength("0.25").passed


def test_keep_04_fits_right_and_wrong():
    assert lesson07.check_keep_04_fits(solutions.solution_4()).passed
    # the same answer written another way: the checker fixes architecture and rates itself
    assert lesson07.check_keep_04_fits(replace(solutions.solution_4(), hidden=(7,), hidden_rate=0.1)).passed
    first_version = Recipe(input_rate=0.0, hidden_rate=0.6, epochs=15)       # the lesson's first budget
    assert not lesson07.check_keep_04_fits(first_version).passed
    assert "≤ 150" in lesson07.check_keep_04_fits(Recipe(epochs=500)).message
    assert "Recipe" in lesson07.check_keep_04_fits({"epochs": 60}).message
    assert lesson07.check_keep_04_fits(...) is dl.ui.checks.NOT_ANSWERED


def test_dropout_helps_right_and_wrong():
    assert lesson07.check_dropout_helps(solutions.solution_5()).passed
    assert "no dropout" in lesson07.check_dropout_helps(Recipe(input_rate=0.0, hidden_rate=0.0)).message
    assert "≤ 512" in lesson07.check_dropout_helps(Recipe(hidden=(1024,))).message
    assert not lesson07.check_dropout_helps(Recipe(hidden=(8,), input_rate=0.5, hidden_rate=0.5, epochs=5)).passed
    assert "Recipe" in lesson07.check_dropout_helps(0.5).message
    assert lesson07.check_dropout_helps(...) is dl.ui.checks.NOT_ANSWERED


def _help_errors(recipe):
    return np.array([lesson07._help_error(replace(recipe, seed=seed)) for seed in lesson07.HELP_SEEDS])


def test_dropout_helps_baseline_is_the_stored_converged_plain_net():
    # The check's plain net ignores the answer's optimiser and budget: it is the stored Fig. 10 plain net at
    # 400 rows, bit for bit (and it memorises its rows: the overfitting regime dropout can help in).
    sizes, _ = paper.load_size_sweep()
    i = list(sizes.sizes).index(lesson07.HELP_ROWS)
    stored = sizes.test_error[0, i, list(lesson07.HELP_SEEDS)]
    got = [lesson07._plain_help_error((512,), seed) for seed in lesson07.HELP_SEEDS]
    np.testing.assert_array_equal(got, stored)
    assert np.all(sizes.train_error[0, i, list(lesson07.HELP_SEEDS)] == 0) and np.all(stored > 0.03)   # memorised,
    # yet more than 3 % test error
    assert lesson07.plain_help_recipe((512,), 0).epochs == 100 and sizes.epochs[i] == 100


def test_dropout_helps_rejects_the_learning_rate_trick():
    # One epoch at lr 0.2 beats a plain twin that gets the same one epoch at lr 0.05 by 3-6 points: the old
    # check (whose plain net shared the answer's budget) accepted it. Here the trick is real ...
    trick = Recipe(hidden=(512,), input_rate=0.0, hidden_rate=0.5, epochs=1, lr=0.2)
    same_budget_plain = replace(trick, input_rate=0.0, hidden_rate=0.0, lr=0.05)
    assert np.all(_help_errors(same_budget_plain) - _help_errors(trick) > 0.02)
    # ... and the converged plain net is not fooled by it.
    result = lesson07.check_dropout_helps(trick)
    assert not result.passed and "trained to convergence" in result.message and "whatever yours are" in result.message


def test_dropout_helps_rejects_a_gain_that_survives_switching_dropout_off():
    # A higher learning rate alone (no dropout) beats the stored plain net on every seed; a little input dropout
    # on top keeps that gain, yet does not beat the same recipe without dropout on every seed.
    fast_plain = replace(lesson07.plain_help_recipe((512,), 0), lr=0.2, lr_decay=0.95)
    plain = np.array([lesson07._plain_help_error((512,), seed) for seed in lesson07.HELP_SEEDS])
    assert np.all(plain - _help_errors(fast_plain) > 0)
    result = lesson07.check_dropout_helps(replace(fast_plain, input_rate=0.1))
    assert not result.passed
    assert result.message.startswith("you beat the plain net") and "does as well on some seed" in result.message


def test_dropout_helps_rejects_a_negligible_rate():
    fast_plain = replace(lesson07.plain_help_recipe((512,), 0), lr=0.2, lr_decay=0.95)
    for tiny in (dict(hidden_rate=0.01), dict(input_rate=0.05, hidden_rate=0.05)):
        result = lesson07.check_dropout_helps(replace(fast_plain, **tiny))
        assert not result.passed and "drop almost nothing" in result.message and "0.1" in result.message
