"""Lesson 07: the paper's weight-scaling rule, §9.1, and the miniature experiments' plumbing."""
from __future__ import annotations

import numpy as np
import pytest

from dropout_lab.lessons.paper_test_time_scaling import compute as paper
from dropout_lab.mlp import MLP, MLPConfig, train_mlp
from dropout_lab.stats import Z_CHECK as Z

TINY = MLPConfig(hidden=(16,), epochs=1)


def test_vanilla_net_equals_inverted_net_with_weights_times_keep():
    data = paper.digits(0)
    trained = train_mlp(data.x_train, data.y_train, MLPConfig(mode="vanilla", epochs=2, hidden=(32,))).model
    result = paper.weight_scaling_equivalence(trained, data.x_test)
    assert result.test_max_abs_diff <= 1e-12
    assert result.train_max_abs_diff <= 1e-12
    assert result.scales == (0.8, 0.5)


def test_equivalence_wants_a_vanilla_net():
    model = MLP.init((3, 2), (0.5,), "inverted", np.random.default_rng(0))
    with pytest.raises(ValueError, match="vanilla"):
        paper.weight_scaling_equivalence(model, np.ones((2, 3)))


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_section_9_1_formula_equals_exact_enumeration(keep, seed):
    rng = np.random.default_rng(seed)
    x, y, w = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4)
    exact = paper.dropout_loss_exact(x, y, w, keep)
    assert abs(exact - paper.dropout_loss_formula(x, y, w, keep)) <= 1e-10 * max(1.0, exact)


def test_exact_enumeration_is_a_real_average_not_the_formula():
    # keep = 1: no dropout, so the loss is the plain squared error; keep = 0: every input dropped.
    x, y, w = np.array([[1.0, 2.0]]), np.array([3.0]), np.array([1.0, 1.0])
    assert paper.dropout_loss_exact(x, y, w, 1.0) == pytest.approx(0.0)
    assert paper.dropout_loss_exact(x, y, w, 0.0) == pytest.approx(9.0)
    # keep = 0.5 by hand: masks (0,0) 9, (1,0) 4, (0,1) 1, (1,1) 0, each with weight 1/4.
    assert paper.dropout_loss_exact(x, y, w, 0.5) == pytest.approx(14 / 4)


def test_sampled_masks_from_the_package_average_to_the_formula():
    rng = np.random.default_rng(3)
    x, y, w = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3)
    losses = paper.dropout_loss_samples(x, y, w, 0.7, 20_000, rng=5)
    half = Z * losses.std() / np.sqrt(len(losses))
    assert abs(losses.mean() - paper.dropout_loss_formula(x, y, w, 0.7)) <= half


def test_dropout_ridge_weights_minimise_the_exact_expected_loss():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=4)
    best = paper.dropout_ridge_weights(x, y, 0.6)
    at_best = paper.dropout_loss_exact(x, y, best, 0.6)
    for step in np.eye(3) * 1e-3:
        assert paper.dropout_loss_exact(x, y, best + step, 0.6) > at_best
        assert paper.dropout_loss_exact(x, y, best - step, 0.6) > at_best


@pytest.mark.parametrize("keep", [-0.1, 1.5, float("nan"), "0.5", True])
def test_bad_keep_names_keep(keep):
    with pytest.raises(ValueError, match="keep"):
        paper.dropout_loss_formula(np.ones((2, 2)), np.ones(2), np.ones(2), keep)


def test_exact_enumeration_refuses_huge_cases():
    with pytest.raises(ValueError, match="20 entries"):
        paper.dropout_loss_exact(np.ones((5, 5)), np.ones(5), np.ones(5), 0.5)


def test_mc_without_dropout_equals_weight_scaling_exactly():
    study = paper.mc_vs_weight_scaling(MLPConfig(hidden=(16,), epochs=1, input_rate=0.0, hidden_rate=0.0),
                                       seeds=(0,), k_max=3)
    assert study.mc_error.shape == (1, 3)
    np.testing.assert_allclose(study.mc_error[0], study.ws_error[0])
    np.testing.assert_allclose(study.mc_nll[0], study.ws_nll[0], rtol=1e-12)


def test_mc_study_shapes_and_crossover():
    study = paper.mc_vs_weight_scaling(TINY, seeds=(0, 1), k_max=4)
    assert study.mc_error.shape == (2, 4) and study.ws_error.shape == (2,)
    fake = paper.MCStudy(np.arange(1, 5), np.array([[0.3, 0.2, 0.1, 0.1]]), np.array([0.15]),
                         np.zeros((1, 4)), np.zeros(1), (0,), 0.0)
    assert fake.crossover_k() == 3
    never = paper.MCStudy(np.arange(1, 3), np.array([[0.3, 0.2]]), np.array([0.1]),
                          np.zeros((1, 2)), np.zeros(1), (0,), 0.0)
    assert never.crossover_k() is None


def test_running_mc_error_averages_the_samples():
    samples = np.array([[[0.9, 0.1]], [[0.2, 0.8]], [[0.2, 0.8]]])
    errors, _ = paper.running_mc_error(samples, np.array([0]))
    np.testing.assert_array_equal(errors, [0.0, 0.0, 1.0])  # class-0 means 0.9, 0.55, 0.433


def test_rate_sweep_widths_and_shapes():
    sweep = paper.rate_sweep(TINY, keeps=(0.5, 1.0), seeds=(0,), n=8, n_keep=4)
    np.testing.assert_array_equal(sweep.hidden, [[8, 8], [8, 4]])
    assert sweep.test_error.shape == (2, 2, 1) == sweep.train_error.shape
    assert sweep.best_keep(0) in (0.5, 1.0)
    with pytest.raises(ValueError, match="keep"):
        paper.rate_sweep(TINY, keeps=(0.0,), seeds=(0,))


def test_size_sweep_shapes_epochs_and_errors():
    sweep = paper.size_sweep(TINY, sizes=(20, 40), seeds=(0, 1), min_steps=5)
    assert sweep.test_error.shape == (2, 2, 2) == sweep.train_error.shape
    assert sweep.gain().shape == (2,) and sweep.gain_sem().shape == (2,)
    np.testing.assert_array_equal(sweep.epochs, [5, 3])   # 1 batch/epoch at 20 rows, 2 at 40: >= 5 steps
    with pytest.raises(ValueError, match="sizes"):
        paper.size_sweep(TINY, sizes=(10_000,), seeds=(0,), min_steps=1)
    with pytest.raises(ValueError, match="seeds"):
        paper.size_sweep(TINY, sizes=(20,), seeds=())
    with pytest.raises(ValueError, match="min_steps"):
        paper.size_sweep(TINY, sizes=(20,), seeds=(0,), min_steps=-1)


@pytest.mark.parametrize("size, epochs, min_steps, expected", [
    (1347, 30, 300, 30),    # 43 batches per epoch: 30 epochs already exceed 300 steps
    (100, 30, 300, 75),     # 4 batches per epoch: 75 epochs for 300 steps
    (32, 1, 0, 1),
])
def test_size_epochs_gives_every_size_enough_epochs_and_steps(size, epochs, min_steps, expected):
    assert paper.size_epochs(size, epochs, min_steps, 32) == expected


def _fake_sizes():
    test = np.array([[[0.10, 0.12], [0.05, 0.07]],       # without dropout: sizes 100, 1000; two seeds
                     [[0.14, 0.12], [0.04, 0.04]]])      # with dropout
    return paper.SizeSweep(np.array([100, 1000]), test, np.zeros_like(test), np.array([75, 30]), (0, 1), 0.0)


def test_size_sweep_gain_and_table_by_hand():
    sweep = _fake_sizes()
    np.testing.assert_allclose(sweep.gain(), [-0.02, 0.02])
    np.testing.assert_allclose(sweep.gain_sem(), [0.02, 0.01])   # paired diffs (-.04, 0) and (.01, .03)
    lines = sweep.table().splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:6] == ["100", "75", "11.00", "13.00", "-2.00", "±"]
    assert lines[2].split()[:6] == ["1000", "30", "6.00", "4.00", "+2.00", "±"]


def _fake_rates():
    test = np.array([[[0.10, 0.12, 0.14], [0.03, 0.03, 0.04]],
                     [[0.05, 0.05, 0.05], [0.04, 0.02, 0.03]]])
    return paper.RateSweep(np.array([0.2, 0.6]), ("fixed n", "fixed n·keep"), np.array([[10, 10], [15, 5]]),
                           test, test / 2, (0, 1, 2), 0.0)


def test_rate_sweep_difference_and_table_by_hand():
    sweep = _fake_rates()
    mean, sem = sweep.difference(0, 0.2, 0.6)
    assert mean == pytest.approx(0.0867, abs=1e-4)                 # diffs .07, .09, .10
    assert sem == pytest.approx(np.std([0.07, 0.09, 0.10], ddof=1) / np.sqrt(3))
    lines = sweep.table().splitlines()
    assert "12.00" in lines[1] and "3.33" in lines[1] and "units 10 10" in lines[1]
    assert "6.00" in lines[2] and "1.67" in lines[2]                # training errors: half the test errors
    assert lines[3].split()[1:3] == ["1.63", "0.47"]                 # sd over seeds (ddof 0) of the test error
    assert "units 15 5" in lines[4]
    assert lines[-1] == "best keep: fixed n 0.6, fixed n·keep 0.6"


def test_mc_table_gap_by_hand():
    study = paper.MCStudy(np.arange(1, 3), np.array([[0.3, 0.1], [0.5, 0.1]]), np.array([0.1, 0.2]),
                          np.zeros((2, 2)), np.zeros(2), (0, 1), 0.0)
    np.testing.assert_allclose(study.gap(1), [0.2, 0.3])
    lines = study.table(ks=(1, 2, 50)).splitlines()                  # k = 50 is out of range: skipped
    assert lines[0] == "weight scaling: 15.00 ± 5.00 % test error"
    assert lines[1] == "MC, k =   1: 40.00 ± 10.00 %   MC − ws = +25.00 ± 5.00 points"
    assert lines[2] == "MC, k =   2: 10.00 ± 0.00 %   MC − ws = -5.00 ± 5.00 points"
    assert len(lines) == 4 and lines[3].endswith(": 2")
    with pytest.raises(ValueError, match="k must"):
        study.gap(3)
