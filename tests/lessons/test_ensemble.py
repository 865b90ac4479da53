"""Tests of the exact sub-network ensemble (lesson 06)."""
import math
from itertools import product

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.ensemble import compute as E
from dropout_lab.stats import Z_CHECK

X_RELU = np.random.default_rng(100).normal(size=4)
X_SOFT = np.random.default_rng(101).normal(size=10)


@pytest.mark.parametrize("n", [1, 5, 12])
@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_mask_probabilities_sum_to_one(n, rate):
    masks = E.all_masks(n)
    assert masks.shape == (2 ** n, n) and len(np.unique(masks, axis=0)) == 2 ** n
    assert E.mask_probabilities(masks, rate).sum() == pytest.approx(1.0, abs=1e-12)


def test_mask_probability_formula_and_index():
    masks = E.all_masks(4)
    probs = E.mask_probabilities(masks, 0.25)
    i = E.mask_index(np.array([1, 0, 1, 1], bool))
    assert masks[i].tolist() == [True, False, True, True]
    assert probs[i] == pytest.approx(0.75 ** 3 * 0.25)
    assert all(E.mask_index(m) == j for j, m in enumerate(masks))


@pytest.mark.parametrize("bad", [0, 13, 20, 2.5, True])
def test_too_many_units_refused_clearly(bad):
    with pytest.raises(ValueError, match=r"n \(droppable units\) must be an int in \[1, 12\]"):
        E.all_masks(bad)


def test_nets_with_too_many_units_refused():
    with pytest.raises(ValueError, match="12"):
        E.softmax_layer_net(n_inputs=13)
    with pytest.raises(ValueError, match="12"):
        E.relu_net(hidden=(8, 8))
    with pytest.raises(ValueError, match="drop_hidden"):
        E.relu_net(hidden=(6, 6), drop_hidden=(True,))
    with pytest.raises(ValueError, match="activation"):
        E.relu_net(activation="tanh")


def test_bad_rate_named():
    with pytest.raises(ValueError, match="rate"):
        E.exact_ensemble(E.relu_net(), X_RELU, 1.5)


def test_sampled_masks_are_dropout_masks():
    # The same generator state gives the same mask as the package's dropout_forward.
    masks = E.sample_masks(3, 12, 0.3, rng=7)
    _, reference = dl.dropout_forward(np.ones((3, 12)), 0.3, rng=7)
    assert np.array_equal(masks, reference)


def test_subnetwork_with_all_units_kept_and_rate_zero_is_full_network():
    net = E.relu_net(seed=3)
    full = E.subnetwork_outputs(net, X_RELU, None, 0.0)
    kept = E.subnetwork_outputs(net, X_RELU, np.ones((1, net.n_units), bool), 0.0)
    assert np.allclose(full, kept, atol=1e-15, rtol=0)


def test_subnetwork_matches_dropout_forward_per_layer():
    # Rebuild one sub-network by hand with dl.dropout_forward's masks and compare.
    net = E.relu_net(seed=1)
    rate = 0.4
    rng = np.random.default_rng(5)
    h1_pre = np.maximum(X_RELU @ net.weights[0] + net.biases[0], 0)
    h1, m1 = dl.dropout_forward(h1_pre, rate, rng)
    h2, m2 = dl.dropout_forward(np.maximum(h1 @ net.weights[1] + net.biases[1], 0), rate, rng)
    logits = h2 @ net.weights[2] + net.biases[2]
    mask = np.concatenate([m1, m2])[None, :]
    assert np.allclose(E.subnetwork_logits(net, X_RELU, mask, rate)[0], logits, atol=1e-12)


def test_input_dropout_and_linear_nets_by_hand():
    net = E.relu_net(4, (3,), 2, seed=2, drop_hidden=(False,), drop_inputs=True)
    mask = np.array([[1, 0, 1, 1]], bool)
    by_hand = np.maximum(X_RELU * mask[0] / 0.5 @ net.weights[0] + net.biases[0], 0) @ net.weights[1] + net.biases[1]
    assert np.allclose(E.subnetwork_logits(net, X_RELU, mask, 0.5)[0], by_hand, atol=1e-12)
    lin = E.linear_net(4, (3,), 2, seed=2)
    by_hand = (X_RELU @ lin.weights[0] + lin.biases[0]) * np.array([1, 0, 1]) / 0.5 @ lin.weights[1] + lin.biases[1]
    assert np.allclose(E.subnetwork_logits(lin, X_RELU, np.array([[1, 0, 1]], bool), 0.5)[0], by_hand, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_geometric_mean_is_softmax_of_mean_logits_for_any_net(seed, rate):
    for net in (E.relu_net(seed=seed), E.relu_net(4, (4, 4, 4), 3, seed=seed), E.softmax_layer_net(10, 3, seed)):
        x = np.random.default_rng(seed).normal(size=net.weights[0].shape[0])
        ens = E.exact_ensemble(net, x, rate)
        assert np.abs(np.exp(E.log_softmax(ens.mean_logits)) - ens.geometric_mean).max() < 1e-12
        assert np.allclose(ens.jensen_gap, ens.mean_logits - ens.weight_scaled_logits)


@pytest.mark.parametrize("seed", range(3))
def test_weight_scaling_is_exact_without_a_nonlinearity_after_a_dropped_layer(seed):
    exact = [E.softmax_layer_net(10, 3, seed), E.relu_net(4, (12,), 3, seed),       # Hinton et al. 2012's case
             E.linear_net(4, (6, 6), 3, seed), E.relu_net(4, (6, 6), 3, seed, drop_hidden=(False, True))]
    inexact = [E.relu_net(4, (6, 6), 3, seed), E.relu_net(4, (6,), 3, seed, drop_hidden=(False,), drop_inputs=True)]
    for rate in (0.1, 0.5, 0.8):
        for net in exact:
            x = np.random.default_rng(seed).normal(size=net.weights[0].shape[0])
            ens = E.exact_ensemble(net, x, rate)
            assert np.abs(ens.weight_scaled - ens.geometric_mean).max() < 1e-12
            assert np.abs(ens.jensen_gap).max() < 1e-12
        for net in inexact:
            x = np.random.default_rng(seed + 10).normal(size=net.weights[0].shape[0])
            assert np.abs(E.exact_ensemble(net, x, rate).jensen_gap).max() > 1e-6


def test_single_softmax_layer_arithmetic_mean_differs():
    for seed in range(5):
        ens = E.exact_ensemble(E.softmax_layer_net(10, 3, seed), X_SOFT, 0.5)
        assert np.abs(ens.weight_scaled - ens.arithmetic_mean).max() > 1e-4


def test_averages_are_distributions():
    ens = E.exact_ensemble(E.relu_net(seed=2), X_RELU, 0.3)
    for avg in (ens.arithmetic_mean, ens.geometric_mean, ens.weight_scaled):
        assert avg.sum() == pytest.approx(1.0, abs=1e-12) and np.all(avg > 0)


def test_geometric_mean_minimises_the_pooled_reverse_kl():
    ens = E.exact_ensemble(E.relu_net(seed=0), X_RELU, 0.5)
    best = ens.pooled_kl(ens.geometric_mean)
    rng = np.random.default_rng(1)
    for _ in range(300):
        q = ens.geometric_mean * np.exp(0.05 * rng.normal(size=3))
        assert ens.pooled_kl(q / q.sum()) > best
    with pytest.raises(ValueError, match="probability vector"):
        ens.pooled_kl([0.5, 0.5, 0.5])


def test_exact_predictions_match_one_input_at_a_time():
    net = E.relu_net(seed=4)
    xs = np.random.default_rng(3).normal(size=(5, 4))
    pred = E.exact_predictions(net, xs, 0.5)
    for row, x in enumerate(xs):
        ens = E.exact_ensemble(net, x, 0.5)
        assert np.allclose(pred.arithmetic[row], ens.arithmetic_mean) and np.allclose(pred.geometric[row],
                                                                                      ens.geometric_mean)
    flips = pred.disagreement("arithmetic")
    assert np.array_equal(flips, pred.arithmetic.argmax(1) != pred.weight_scaled.argmax(1))
    with pytest.raises(ValueError, match="other"):
        pred.disagreement("harmonic")


def test_minibatch_gradients_by_hand_rows_and_bias():
    net = E.softmax_layer_net(6, 3, seed=0)
    xs = np.random.default_rng(2).normal(size=(2, 6))
    masks = np.array([[1, 1, 0, 0, 1, 0], [0, 1, 0, 1, 1, 0]], bool)
    grad_w, grad_b = E.masked_step_gradients(net, xs, [0, 2], masks, 0.5)
    probs = [E.subnetwork_outputs(net, xs[i], masks[i:i + 1], 0.5)[0] - np.eye(3)[y] for i, y in enumerate((0, 2))]
    by_hand = sum(np.outer(xs[i] * masks[i] / 0.5, probs[i]) for i in range(2)) / 2
    assert np.allclose(grad_w, by_hand, atol=1e-14) and np.allclose(grad_b, (probs[0] + probs[1]) / 2, atol=1e-14)
    assert np.array_equal(np.abs(grad_w).sum(axis=1) > 0, masks.any(axis=0))   # units 2 and 5: no example kept them
    assert np.abs(grad_b).sum() > 0


def test_training_step_of_one_example_touches_only_kept_inputs():
    net = E.softmax_layer_net(10, 3, seed=0)
    mask = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1], bool)
    assert np.array_equal(E.weight_gradient_rows(net, X_SOFT, label=1, mask=mask, rate=0.5), mask)


def test_momentum_moves_rows_without_gradient():
    net = E.softmax_layer_net(4, 3, seed=0)
    xs, ys = np.random.default_rng(0).normal(size=(2, 4)), np.array([0, 1])
    first = np.ones((2, 4), bool)
    second = np.array([[1, 1, 0, 1], [1, 0, 0, 1]], bool)    # unit 2 dropped by both examples
    no_grad, moved = E.momentum_moves(net, xs, ys, (first, second), 0.5, momentum=0.9)
    assert no_grad.tolist() == [False, False, True, False] and moved[2]
    no_grad, moved = E.momentum_moves(net, xs, ys, (first, second), 0.5, momentum=0.0)
    assert no_grad[2] and not moved[2]                       # plain SGD: that row stays put


@pytest.mark.parametrize("n, draws, rate", [(3, 5, 0.3), (4, 1, 0.5), (2, 0, 0.5), (3, 7, 0.0), (3, 7, 1.0)])
def test_expected_distinct_by_enumeration(n, draws, rate):
    p = E.mask_probabilities(E.all_masks(n), rate)
    assert E.expected_distinct(draws, n, rate) == pytest.approx(float(np.sum(1 - (1 - p) ** draws)), abs=1e-12)


def test_expected_distinct_against_counted_masks():
    for n, draws, seed in ((12, 5000, 0), (16, 20_000, 1)):
        mean = E.expected_distinct(draws, n, 0.5)
        lam = draws / 2 ** n
        sd_bound = math.sqrt(2 ** n * math.exp(-lam) * (1 - math.exp(-lam)))   # ≥ the count's sd (negative correlation)
        assert abs(E.count_distinct(draws, n, 0.5, seed) - mean) < Z_CHECK * sd_bound
    assert E.expected_distinct(320_000, 100, 0.5) == pytest.approx(320_000, rel=1e-9)
    with pytest.raises(ValueError, match="draws"):
        E.expected_distinct(-1, 4, 0.5)


def test_mse_variance_formula_against_simulation():
    net = E.relu_net(seed=0)
    run = E.monte_carlo(net, X_RELU, 0.5, k_max=8, trials=20_000, rng=3)
    squared = (run.errors() ** 2)
    for k in (1, 2, 8):
        sd_one = run.mse_std(k) * math.sqrt(run.running_means.shape[0])    # sd of one trial's squared error
        assert squared[:, k - 1].std() == pytest.approx(sd_one, rel=0.05)   # 20 000 trials: ~1 % noise
        assert squared[:, k - 1].mean() == pytest.approx(run.moments[0] / k, rel=Z_CHECK * sd_one / (run.moments[0] / k)
                                                         / math.sqrt(20_000))


def test_mse_band_covers_as_often_as_it_should():
    # At z = 2 the band should miss about 2·Φ(−2) = 4.6 % of runs; 400 runs of 16 trials each.
    net = E.relu_net(seed=0)
    misses, runs = 0, 400
    for seed in range(runs):
        run = E.monte_carlo(net, X_RELU, 0.5, k_max=16, trials=16, rng=seed)
        low, high = run.mse_band(16, z=2.0)
        misses += not low <= run.mse()[15] <= high
    low, high = dl.binomial_band(0.0455, runs, z=Z_CHECK)
    assert low <= misses / runs <= high


def test_monte_carlo_limit_matches_exact_mean_within_normal_band():
    net = E.relu_net(seed=0)
    ens = E.exact_ensemble(net, X_RELU, 0.5)
    k = 200_000
    outputs = E.subnetwork_outputs(net, X_RELU, E.sample_masks(k, net.n_units, 0.5, rng=11), 0.5)
    for c in range(net.n_classes):
        low, high = dl.normal_band(ens.arithmetic_mean[c], ens.output_std[c], k, z=Z_CHECK)
        assert low <= outputs[:, c].mean() <= high


def test_monte_carlo_error_inside_its_chi_square_band():
    run = E.monte_carlo(E.relu_net(seed=0), X_RELU, 0.5, k_max=1024, trials=64, rng=0)
    for k in (1, 16, 256, 1024):
        low, high = run.mse_band(k)
        assert low <= run.mse()[k - 1] <= high
    assert run.predicted_rmse[0] / run.predicted_rmse[99] == pytest.approx(10.0)


def test_gap_survey_separates_the_two_cases_and_counts_flips():
    survey = E.gap_survey(rate=0.5, nets=10, seed=0)
    assert survey.softmax_gaps.max() < 1e-12
    assert np.median(survey.relu_gaps) > 1e-4
    assert set(survey.relu_flips) == {"arithmetic", "geometric"} and survey.relu_flips["arithmetic"].shape == (10,)


def test_trained_survey_shapes_and_flip_rate():
    survey = E.trained_survey(seeds=(0,), epochs=5)
    assert survey.n_inputs == 45 and set(survey.test_error) == {"arithmetic", "geometric", "weight-scaled"}
    rate, se = survey.flip_rate("arithmetic")
    assert 0 <= rate <= 1 and se == pytest.approx(math.sqrt(rate * (1 - rate) / 45))


def test_all_masks_cover_every_product():
    assert {tuple(m) for m in E.all_masks(3).astype(int)} == set(product((0, 1), repeat=3))
