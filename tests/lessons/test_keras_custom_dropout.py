"""Tests of lesson 05's custom Keras dropout layer, its buggy variants and the training helpers."""
import importlib
import math

import numpy as np
import pytest

import dropout_lab as dl

kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
keras, ops = kc.keras, kc.keras.ops


def run(layer, x, **kwargs):
    return ops.convert_to_numpy(layer(ops.convert_to_tensor(x, dtype="float32"), **kwargs))


def test_inference_is_identity_and_training_is_inverted_dropout():
    x = np.random.default_rng(0).normal(size=(50, 400)).astype(np.float32)
    layer = kc.CustomDropout(0.3, seed=1)
    assert np.array_equal(run(layer, x), x) and np.array_equal(run(layer, x, training=False), x)
    out = run(layer, x, training=True)
    kept = out != 0
    assert np.allclose(out[kept], x[kept] / 0.7, rtol=1e-6)
    low, high = dl.binomial_band(0.3, x.size, z=4)
    assert low <= 1 - kept.mean() <= high


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.6, 0.9])
def test_statistics_match_numpy_reference(rate):
    # zero fraction and mean of the Keras layer vs the package's NumPy dropout, both within bands
    n = 200_000
    keras_out = run(kc.CustomDropout(rate, seed=3), np.ones((1, n)), training=True)
    numpy_out, _ = dl.dropout_forward(np.ones((1, n)), rate, rng=3)
    low, high = dl.binomial_band(rate, n, z=4)
    mean_low, mean_high = dl.normal_band(1.0, math.sqrt(rate / (1 - rate)), n, z=4)
    for out in (keras_out, numpy_out):
        assert low <= np.mean(out == 0) <= high
        assert mean_low <= out.mean() <= mean_high


def test_new_mask_each_call_reproducible_from_seed():
    x = np.ones((4, 100))
    a, b = kc.CustomDropout(0.5, seed=7), kc.CustomDropout(0.5, seed=7)
    first_a, second_a = run(a, x, training=True), run(a, x, training=True)
    assert not np.array_equal(first_a, second_a)
    assert np.array_equal(first_a, run(b, x, training=True))


@pytest.mark.parametrize("rate, expected", [(0.0, "ones"), (1.0, "zeros")])
def test_edge_rates_no_nan(rate, expected):
    out = run(kc.CustomDropout(rate, seed=0), np.ones((3, 5)), training=True)
    assert not np.isnan(out).any()
    assert np.array_equal(out, np.ones((3, 5)) if expected == "ones" else np.zeros((3, 5)))


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.5"])
def test_bad_rate_is_named(bad):
    with pytest.raises((ValueError, TypeError), match="rate"):
        kc.CustomDropout(bad)


def test_get_config_round_trip_and_serialisation():
    layer = kc.CustomDropout(0.35, seed=11, name="d")
    clone = kc.CustomDropout.from_config(layer.get_config())
    assert (clone.rate, clone.seed, clone.name) == (0.35, 11, "d")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, kc.CustomDropout) and restored.rate == 0.35


def test_audit_passes_correct_layer_and_fails_each_mistake_on_its_own_check():
    audits = {
        "ok": kc.audit_layer(lambda r, s: kc.CustomDropout(r, seed=s), "ok"),
        "coin": kc.audit_layer(lambda r, s: kc.CoinFlipDropout(r, seed=s), "coin"),
        "rate": kc.audit_layer(lambda r, s: kc.DivideByRateDropout(r, seed=s), "rate"),
        "keras2": kc.audit_layer(lambda r, s: kc.keras2_lambda_dropout(r, s), "keras2"),
    }
    assert audits["ok"].passed
    failed = {name: [c for c, r in a.checks.items() if not r.passed] for name, a in audits.items()}
    assert failed["coin"] == ["zero fraction ≈ rate"]
    assert failed["rate"] == ["mean preserved"]
    assert failed["keras2"] == ["runs under Keras 3"]
    message = audits["keras2"].checks["runs under Keras 3"].message
    assert "learning_phase" in message and "\x1b" not in message


def test_both_numeric_bugs_hide_at_rate_one_half():
    for cls in (kc.CoinFlipDropout, kc.DivideByRateDropout):
        assert kc.audit_layer(lambda r, s: cls(r, seed=s), cls.__name__, rate=0.5).passed


def test_keras2_learning_phase_is_gone():
    assert not hasattr(keras.backend, "learning_phase")
    assert not hasattr(keras.backend, "set_learning_phase")


def test_model_shape_and_no_dropout_twin():
    model = kc.build_model(30, rate=0.5, seed=0)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense", "CustomDropout", "Dense"]
    assert [layer.units for layer in model.layers if hasattr(layer, "units")] == [16, 16, 1]
    assert model.get_layer("hidden_1").kernel_regularizer is not None
    x = np.random.default_rng(0).integers(0, 2, size=(8, 30)).astype("float32")
    plain = kc.without_dropout(model)
    assert np.array_equal(ops.convert_to_numpy(model(x)), ops.convert_to_numpy(plain(x)))
    assert not np.array_equal(ops.convert_to_numpy(model(x, training=True)),
                              ops.convert_to_numpy(model(x, training=True)))


def test_same_seed_same_initial_weights_with_and_without_dropout():
    a, b = kc.build_model(20, 0.5, seed=4), kc.build_model(20, None, seed=4)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def test_fit_draws_one_mask_per_step_predict_and_evaluate_none():
    data = dl.data.load_breast_cancer_multi_hot(seed=0)
    small = dl.data.DataSplit(data.name, data.description, data.x_train[:100], data.y_train[:100],
                              data.x_test[:20], data.y_test[:20])
    model = kc.build_model(small.n_features, 0.5, seed=0)
    curves = kc.train(model, small, epochs=2, batch_size=32)
    state = model.get_layer("my_dropout").seed_generator.state
    assert int(ops.convert_to_numpy(state)[1]) == 2 * 4  # ceil(100 / 32) = 4 steps an epoch
    model.predict(small.x_test, verbose=0)
    model.evaluate(small.x_test, small.y_test, verbose=0)
    assert int(ops.convert_to_numpy(state)[1]) == 8
    assert curves.loss.shape == (2,) and np.all(np.isfinite(curves.val_loss))


def test_output_stats_counts_values():
    stats = kc.output_stats(kc.CustomDropout, 0.25, n=100_000, seed=0)
    assert np.allclose(stats.values, [0.0, 4 / 3])
    assert stats.fractions.sum() == pytest.approx(1.0)
    assert stats.zero_fraction == pytest.approx(stats.fractions[0])


@pytest.mark.parametrize("cls", [kc.CustomDropout, kc.CoinFlipDropout, kc.DivideByRateDropout])
def test_kept_layer_draws_what_a_new_layer_draws(cls):
    x = ops.ones((1, 5000))
    for rate in (0.3, 0.7, 0.3):  # revisiting a rate must not continue the old random stream
        kept = ops.convert_to_numpy(kc.fresh_layer(cls, rate, seed=3)(x, training=True))
        new = ops.convert_to_numpy(cls(rate, seed=3)(x, training=True))
        assert np.array_equal(kept, new)
    assert kc.fresh_layer(cls, 0.3, seed=3) is kc.fresh_layer(cls, 0.6, seed=3)
    with pytest.raises(ValueError, match="rate"):
        kc.fresh_layer(cls, 1.5, seed=3)


def test_output_stats_general_case_and_mean():
    stats = kc.output_stats(kc.CustomDropout, 0.0, n=1000)
    assert stats.zero_fraction == 0.0 and stats.mean == pytest.approx(1.0)
    stats = kc.output_stats(kc.CustomDropout, 1.0, n=1000)
    assert stats.values.tolist() == [0.0] and stats.fractions.tolist() == [1.0] and stats.mean == 0.0
