"""Lesson 05: the custom Keras dropout layer, the rebuilt mistakes and the audit that catches each one."""
import importlib
import inspect
import math
from pathlib import Path

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.stats import Z_CHECK

kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
keras, ops = kc.keras, kc.keras.ops
SITE = Path(keras.__file__).resolve().parent.parent


def run(layer, x, **kwargs):
    return ops.convert_to_numpy(layer(ops.convert_to_tensor(x, dtype="float32"), **kwargs))


def test_inference_is_identity_and_training_is_inverted_dropout():
    x = np.random.default_rng(0).normal(size=(50, 400)).astype(np.float32)
    layer = kc.CustomDropout(0.3, seed=1)
    assert np.array_equal(run(layer, x), x) and np.array_equal(run(layer, x, training=False), x)
    out = run(layer, x, training=True)
    kept = out != 0
    assert np.allclose(out[kept], x[kept] / 0.7, rtol=1e-6)
    low, high = dl.binomial_band(0.3, x.size, z=Z_CHECK)
    assert low <= 1 - kept.mean() <= high


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.6, 0.9])
def test_statistics_match_numpy_reference(rate):
    n = 200_000
    keras_out = run(kc.CustomDropout(rate, seed=3), np.ones((1, n)), training=True)
    numpy_out, _ = dl.dropout_forward(np.ones((1, n)), rate, rng=3)
    low, high = dl.binomial_band(rate, n, z=Z_CHECK)
    mean_low, mean_high = dl.normal_band(1.0, math.sqrt(rate / (1 - rate)), n, z=Z_CHECK)
    for out in (keras_out, numpy_out):
        assert low <= np.mean(out == 0) <= high
        assert mean_low <= out.mean() <= mean_high


def test_new_mask_each_call_reproducible_from_seed_and_independent_per_example():
    x = np.ones((4, 100))
    a, b = kc.CustomDropout(0.5, seed=7), kc.CustomDropout(0.5, seed=7)
    first_a, second_a = run(a, x, training=True), run(a, x, training=True)
    assert not np.array_equal(first_a, second_a)
    assert np.array_equal(first_a, run(b, x, training=True))
    masks = kc.per_example_masks(0.5, (4, 16), seed=0)
    assert masks.shape == (4, 16) and len({row.tobytes() for row in masks}) == 4  # one row of coins per example


def test_same_seed_same_masks_as_keras_dropout_eager_and_compiled():
    import tensorflow as tf
    x = np.ones((8, 64), np.float32)
    ours, theirs = kc.CustomDropout(0.3, seed=5), keras.layers.Dropout(0.3, seed=5)
    assert np.array_equal(run(ours, x, training=True), run(theirs, x, training=True))
    step_ours = tf.function(lambda v: ours(v, training=True), autograph=False)
    step_theirs = tf.function(lambda v: theirs(v, training=True), autograph=False)
    for _ in range(2):
        assert np.array_equal(step_ours(x).numpy(), step_theirs(x).numpy())


@pytest.mark.parametrize("rate, expected", [(0.0, "ones"), (1.0, "zeros")])
def test_edge_rates_no_nan(rate, expected):
    out = run(kc.CustomDropout(rate, seed=0), np.ones((3, 5)), training=True)
    assert not np.isnan(out).any()
    assert np.array_equal(out, np.ones((3, 5)) if expected == "ones" else np.zeros((3, 5)))


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.5"])
def test_bad_rate_is_named(bad):
    with pytest.raises((ValueError, TypeError), match="rate"):
        kc.CustomDropout(bad)
    with pytest.raises((ValueError, TypeError), match="rate"):
        kc.lambda_dropout(bad)


def test_vanilla_dropout_leaves_survivors_unscaled_and_scales_by_keep_at_inference():
    layer = kc.VanillaDropout(0.25, seed=2)
    out = run(layer, np.ones((1, 10_000)), training=True)
    assert set(np.unique(out)) == {0.0, 1.0}
    assert np.allclose(run(layer, np.ones((2, 3))), 0.75) and np.allclose(run(layer, np.ones((2, 3)), training=False),
                                                                           0.75)


def test_get_config_round_trip_and_serialisation():
    layer = kc.CustomDropout(0.35, seed=11, name="d")
    clone = kc.CustomDropout.from_config(layer.get_config())
    assert (clone.rate, clone.seed, clone.name) == (0.35, 11, "d")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, kc.CustomDropout) and restored.rate == 0.35


def test_a_saved_model_loads_back_with_the_layer(tmp_path):
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, kernel_initializer=keras.initializers.Ones()),
                              kc.CustomDropout(0.4, seed=3, name="drop"), keras.layers.Dense(1)])
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    result = kc.save_round_trip(model, tmp_path, x)
    assert result["same inference outputs"] and result["dropout configs"] == [(0.4, 3)]
    assert "CustomDropout" in result["layers"]


def test_the_lambda_fix_works_but_does_not_load_in_safe_mode(tmp_path):
    layer = kc.lambda_dropout(0.5, seed=0)
    x = np.ones((2, 500))
    assert np.array_equal(run(layer, x), x) and np.mean(run(layer, x, training=True) == 0) > 0.4
    assert kc.lambda_save_fails(tmp_path) != "loaded"
    # the claim behind it: Lambda forwards `training` when the function takes it (lambda_layer.py, 3.15)
    source = (SITE / "keras/src/layers/core/lambda_layer.py").read_text().splitlines()
    assert "_fn_expects_training_arg" in source[80] and 'kwargs["training"] = training' in source[118]


# ------------------------------------------------------------------ the audit

EXPECTED_FAILURES = {
    "CustomDropout (ours)": [], "VanillaDropout (the book's scheme, done right)": [],
    "Lambda with training (minimal fix)": [],
    "coin flip, ÷ 0.5 (old answer)": ["zero fraction ≈ rate"],
    "÷ rate instead of ÷ keep (comment)": ["training mean = inference output"],
    "× rate at test (comment)": ["training mean = inference output"],
    "unscaled, removed at test": ["training mean = inference output"],
    "NumPy draw in call (book's line)": ["runs with batch None (as fit traces it)", "new mask each compiled step"],
    "training=None treated as training": ["plain call = inference, no randomness"],
    "phase fixed at build: 1 (Keras 2 answer)": ["plain call = inference, no randomness"],
    "phase fixed at build: 0 (Keras 2 answer)": ["zero fraction ≈ rate", "new mask each call",
                                                 "new mask each compiled step"],
    "mask ÷ keep, input ignored": ["training mean = inference output", "output = input × mask × scale"],
}
# One mask for the batch is 1,000 coins, not 100,000: its zero fraction (and so its mean) has 10× the spread the
# bands allow, so checks 1 and 2 may fail too, depending on the draw. Its own check must fail.
BATCH_MASK = "one mask for the whole batch"


@pytest.fixture(scope="module")
def audits():
    return kc.audit_all()


def test_each_suspect_fails_exactly_its_own_checks(audits):
    assert set(audits) == set(EXPECTED_FAILURES) | {BATCH_MASK}
    for name, audit in audits.items():
        assert list(audit.checks) == list(kc.CHECK_NAMES)
        if name != BATCH_MASK:
            assert audit.failed() == EXPECTED_FAILURES[name], name
    shared = audits[BATCH_MASK].failed()
    assert "a coin per unit and per example" in shared
    assert set(shared) <= {"zero fraction ≈ rate", "training mean = inference output",
                           "a coin per unit and per example"}


@pytest.mark.parametrize("seed", range(8))
def test_correct_layers_pass_every_check_whatever_the_seed(seed):
    for make in (kc.SUSPECTS["CustomDropout (ours)"], kc.SUSPECTS["VanillaDropout (the book's scheme, done right)"]):
        audit = kc.audit_layer(make, "correct", seed=seed)
        assert audit.passed, audit.lines()


@pytest.mark.parametrize("seed", range(4))
def test_the_batch_mask_and_the_input_blind_layer_fail_their_check_whatever_the_seed(seed):
    shared = kc.audit_layer(kc.SUSPECTS[BATCH_MASK], BATCH_MASK, seed=seed).checks["a coin per unit and per example"]
    assert not shared.passed and "every example in the batch gets the same mask" in shared.message
    blind = kc.audit_layer(kc.SUSPECTS["mask ÷ keep, input ignored"], "blind", seed=seed)
    assert "ignores its input" in blind.checks["output = input × mask × scale"].message


def test_the_input_blind_layer_looks_exactly_like_dropout_on_ones():
    # why the audit's input is not ones: on ones, mask ÷ keep is the correct output, bit for bit
    ones = np.ones((4, 1000), np.float32)
    assert np.array_equal(run(kc.InputBlindDropout(0.2, seed=3), ones, training=True),
                          run(kc.CustomDropout(0.2, seed=3), ones, training=True))


def test_the_audit_input_is_a_batch_of_distinct_values_and_bad_sizes_are_named():
    x = kc.audit_input()
    assert x.shape == (kc.AUDIT_ROWS, kc.AUDIT_UNITS // kc.AUDIT_ROWS) and x.dtype == np.float32
    assert x.min() >= 0.5 and x.max() <= 1.5 and len(np.unique(x)) > 0.9 * x.size
    for bad in (150, 100, 0, 1000.0, True):
        with pytest.raises(ValueError, match="n must be a multiple of 100"):
            kc.audit_input(bad)


def test_failures_give_the_reason(audits):
    numpy_layer = audits["NumPy draw in call (book's line)"].checks
    assert "TypeError" in numpy_layer["runs with batch None (as fit traces it)"].message
    assert "None" in numpy_layer["runs with batch None (as fit traces it)"].message
    assert "trace time" in numpy_layer["new mask each compiled step"].message
    assert "\x1b" not in numpy_layer["runs with batch None (as fit traces it)"].message


@pytest.mark.parametrize("name", ["coin flip, ÷ 0.5 (old answer)", "÷ rate instead of ÷ keep (comment)",
                                  "× rate at test (comment)"])
def test_the_rate_bugs_hide_at_one_half(name):
    assert kc.audit_layer(kc.SUSPECTS[name], name, rate=0.5).passed


def test_a_layer_that_raises_is_a_finding_not_a_crash():
    class Broken(keras.layers.Layer):
        def call(self, inputs, training=None):
            return inputs * undefined_name  # noqa: F821

    audit = kc.audit_layer(lambda rate, seed: Broken(), "broken")
    assert not audit.passed and "NameError" in audit.checks["runs eagerly"].message


def test_the_book_line_under_tf_function():
    seen = kc.trace_numpy_line(units=8)
    assert seen["shape at trace time"] == "(None, 8)" and "TypeError" in seen["batch None"]
    assert np.array_equal(seen["call 1"], seen["call 2"]) and seen["traces"] == 1


def test_masks_survive_our_layer_and_keras_dropout_but_not_a_layer_without_supports_masking():
    assert keras.layers.Dropout(0.5).supports_masking and not keras.layers.Layer().supports_masking
    padding = [[1, 1, 0, 0], [1, 0, 0, 0]]
    for layer in (kc.CustomDropout(0.5, seed=0), keras.layers.Dropout(0.5, seed=0)):
        assert kc.mask_after_embedding(layer)["mask the next layer sees"].tolist() == padding
    lost = kc.mask_after_embedding(kc.NoMaskDropout(0.5, seed=0))
    assert (lost["mask the next layer sees"] == -1).all() and "destroy the mask" in lost["warning"]


def test_a_custom_tape_loop_without_training_true_draws_no_mask():
    model = keras.Sequential([keras.Input((5,)), kc.CustomDropout(0.5, seed=0), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = np.ones((4, 5), np.float32), np.ones((4, 1), np.float32)
    assert kc.tape_loop_counts(model, x, y, training=None) == 0
    assert kc.tape_loop_counts(model, x, y, training=True) == 1


def test_backend_claims_of_the_lesson_hold_in_the_installed_source():
    nn_ops = (SITE / "tensorflow/python/ops/nn_ops.py").read_text().splitlines()
    assert nn_ops[5811].strip() == "keep_mask = random_tensor >= rate"
    assert "tf.nn.experimental.stateless_dropout" in (SITE / "keras/src/backend/tensorflow/random.py").read_text()
    assert "jax.random.bernoulli" in (SITE / "keras/src/backend/jax/random.py").read_text()
    assert "torch.bernoulli" in (SITE / "keras/src/backend/torch/random.py").read_text()
    dropout = (SITE / "keras/src/layers/regularization/dropout.py").read_text()
    assert "self.supports_masking = True" in dropout
    next_source = inspect.getsource(keras.random.SeedGenerator.next)
    assert "np.array([0, 1])" in next_source  # state [seed, counter]: the counter is element 1
