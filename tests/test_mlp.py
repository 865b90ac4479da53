"""The lesson-07 MLP: its dropout IS dl.Dropout, its gradients are right, it learns digits."""
from __future__ import annotations

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.paper_test_time_scaling.compute import digits
from dropout_lab.mlp import MLP, MLPConfig, convert, cross_entropy, softmax, train_mlp


def _loss(model: MLP, x, y, seed: int) -> float:
    # Re-seed so every evaluation draws the same masks (a fixed thinned network).
    twin = model.copy(seed=seed)
    twin.weights, twin.biases = model.weights, model.biases
    return cross_entropy(softmax(twin.train().logits(x)), y)


@pytest.mark.parametrize("mode", ["inverted", "vanilla"])
def test_gradients_match_finite_differences(mode):
    rng = np.random.default_rng(0)
    model = MLP.init((6, 5, 4, 3), (0.2, 0.5, 0.3), mode, rng)
    x, y = rng.random((7, 6)), rng.integers(0, 3, 7)
    twin = model.copy(seed=11)
    proba = softmax(twin.train().logits(x))
    grads = twin.backward((proba - np.eye(3)[y]) / len(y))
    for layer, (dw, _) in enumerate(grads):
        numeric = np.zeros_like(dw)
        for idx in np.ndindex(dw.shape):
            old = model.weights[layer][idx]
            model.weights[layer][idx] = old + 1e-6
            up = _loss(model, x, y, 11)
            model.weights[layer][idx] = old - 1e-6
            down = _loss(model, x, y, 11)
            model.weights[layer][idx] = old
            numeric[idx] = (up - down) / 2e-6
        assert np.abs(numeric - dw).max() <= 1e-6 * max(1.0, np.abs(dw).max())


def test_dropout_layers_are_the_package_layer():
    model = MLP.init((4, 3, 2), (0.1, 0.5), "vanilla", np.random.default_rng(0))
    assert all(type(d) is dl.Dropout for d in model.dropouts)
    assert [d.rate for d in model.dropouts] == [0.1, 0.5]
    assert all(d.mode == "vanilla" for d in model.dropouts)


def test_training_masks_change_and_eval_is_deterministic():
    model = MLP.init((8, 16, 3), (0.2, 0.5), "inverted", np.random.default_rng(1))
    x = np.random.default_rng(2).random((5, 8))
    assert not np.array_equal(model.train().logits(x), model.logits(x))
    assert np.array_equal(model.eval().logits(x), model.logits(x))


def test_train_mlp_learns_digits_and_is_reproducible():
    data = digits(0)
    config = MLPConfig(hidden=(32,), epochs=5, seed=3)
    first = train_mlp(data.x_train, data.y_train, config, data.x_test, data.y_test)
    second = train_mlp(data.x_train, data.y_train, config, data.x_test, data.y_test)
    assert first.epoch_losses[-1] < first.epoch_losses[0]
    assert first.test_error < 0.15  # chance is 0.9; a 5-epoch net is far better
    assert first.test_error == second.test_error
    assert all(np.array_equal(a, b) for a, b in zip(first.model.weights, second.model.weights))
    assert first.seconds > 0 and first.n_train == len(data.x_train)


def test_convert_round_trip_and_scales():
    model = MLP.init((4, 6, 2), (0.25, 0.5), "vanilla", np.random.default_rng(0))
    inverted = convert(model, "inverted")
    assert inverted.mode == "inverted"
    np.testing.assert_allclose(inverted.weights[0], 0.75 * model.weights[0])
    np.testing.assert_allclose(inverted.weights[1], 0.5 * model.weights[1])
    back = convert(inverted, "vanilla")
    for a, b in zip(back.weights, model.weights):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def test_convert_to_vanilla_needs_keep_above_zero():
    model = MLP.init((4, 3, 2), (1.0, 0.5), "inverted", np.random.default_rng(0))
    with pytest.raises(ValueError, match="rate"):
        convert(model, "vanilla")


@pytest.mark.parametrize("changes, word", [
    (dict(input_rate=1.5), "rate"), (dict(hidden_rate=-0.1), "rate"), (dict(mode="paper"), "mode"),
    (dict(hidden=()), "hidden"), (dict(epochs=0), "epochs"), (dict(batch_size=0), "batch_size"),
    (dict(lr=0.0), "lr"), (dict(momentum=1.0), "momentum"),
])
def test_config_rejects_bad_values_by_name(changes, word):
    with pytest.raises((ValueError, TypeError), match=word):
        MLPConfig(**changes)


def test_train_mlp_rejects_mismatched_data():
    with pytest.raises(ValueError, match="x_train"):
        train_mlp(np.zeros((5, 3)), np.zeros(4, dtype=int))



def test_rate_zero_layers_are_skipped_without_changing_the_network():
    # The shortcut in MLP.logits/backward is exact: a rate-0 Dropout returns its input unchanged ...
    x = np.random.default_rng(1).normal(size=(5, 4))
    for mode in ("inverted", "vanilla"):
        np.testing.assert_array_equal(dl.Dropout(0.0, seed=0, mode=mode)(x), x)
    # ... and the other layers keep their own masks: a hand-written pass with the same generator agrees.
    net = MLP.init((4, 6, 3), (0.0, 0.3), "inverted", np.random.default_rng(2))
    twin = MLP(net.weights, net.biases, (0.0, 0.3), seed=7)
    hand_drop = dl.Dropout(0.3, seed=np.random.default_rng(7).spawn(2)[1])   # the generator MLP gives layer 2
    h = np.maximum(x @ twin.weights[0] + twin.biases[0], 0.0)
    np.testing.assert_array_equal(twin.train().logits(x), hand_drop(h) @ twin.weights[1] + twin.biases[1])
