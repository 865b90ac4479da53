"""Tests of the exact sub-network ensemble (lesson 06)."""
import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.ensemble import compute as E

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


def test_single_softmax_layer_weight_scaling_is_the_geometric_mean():
    for seed in range(5):
        for rate in (0.1, 0.5, 0.8):
            ens = E.exact_ensemble(E.softmax_layer_net(10, 3, seed), X_SOFT, rate)
            assert np.abs(ens.weight_scaled - ens.geometric_mean).max() < 1e-12
            # ... while the arithmetic mean is genuinely different
            assert np.abs(ens.weight_scaled - ens.arithmetic_mean).max() > 1e-4


def test_relu_net_weight_scaling_is_only_an_approximation():
    ens = E.exact_ensemble(E.relu_net(seed=0), X_RELU, 0.5)
    gap = np.abs(ens.weight_scaled - ens.geometric_mean).max()
    assert 1e-6 < gap < 0.1 * ens.weight_scaled.max()


def test_averages_are_distributions():
    ens = E.exact_ensemble(E.relu_net(seed=2), X_RELU, 0.3)
    for avg in (ens.arithmetic_mean, ens.geometric_mean, ens.weight_scaled):
        assert avg.sum() == pytest.approx(1.0, abs=1e-12) and np.all(avg > 0)


def test_monte_carlo_limit_matches_exact_mean_within_normal_band():
    net = E.relu_net(seed=0)
    ens = E.exact_ensemble(net, X_RELU, 0.5)
    k = 200_000
    outputs = E.subnetwork_outputs(net, X_RELU, E.sample_masks(k, net.n_units, 0.5, rng=11), 0.5)
    for c in range(net.n_classes):
        low, high = dl.normal_band(ens.arithmetic_mean[c], ens.output_std[c], k, z=4)
        assert low <= outputs[:, c].mean() <= high


def test_monte_carlo_error_follows_one_over_sqrt_k():
    run = E.monte_carlo(E.relu_net(seed=0), X_RELU, 0.5, k_max=1024, trials=64, rng=0)
    rmse, predicted = run.rmse(), run.predicted_rmse
    # RMS over 64 runs estimates the true RMS within ~ a few times 1/sqrt(2·64) relatively
    for k in (1, 16, 256, 1024):
        assert abs(rmse[k - 1] / predicted[k - 1] - 1) < 4 / math.sqrt(2 * 64)
    assert predicted[0] / predicted[99] == pytest.approx(10.0)


def test_training_step_touches_only_kept_inputs():
    net = E.softmax_layer_net(10, 3, seed=0)
    mask = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1], bool)
    changed = E.weight_gradient_rows(net, X_SOFT, label=1, mask=mask, rate=0.5)
    assert np.array_equal(changed, mask)


def test_gap_survey_separates_the_two_cases():
    survey = E.gap_survey(rate=0.5, nets=10, seed=0)
    assert survey.softmax_gaps.max() < 1e-12
    assert np.median(survey.relu_gaps) > 1e-4
