"""Lesson 08, the Keras 3 exhibits (6, 13, 15): each check fails on its snippet and on plausible wrong fixes,
passes on the fix written two ways; and the Keras facts the lesson states, checked against Keras itself."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.bug_zoo import compute as bugzoo
from dropout_lab.lessons.bug_zoo import exercises as lesson08
from dropout_lab.lessons.bug_zoo import keras_probes, solutions

keras = dl.frameworks.load("keras")
tf = importlib.import_module("tensorflow")
EXTRA = {"keras": keras, "tf": tf}

pytestmark = pytest.mark.skipif(not keras_probes.graph_mode_available(), reason="needs Keras on TensorFlow")


def verdict(number: int, code: str):
    scope = {"np": np, "dl": dl, "exercises": lesson08, **EXTRA}
    exec(code, scope)
    return lesson08.CHECKS[number](scope[bugzoo.BUGS[number].defines])


@pytest.mark.parametrize("number", [6, 13, 15])
def test_check_rejects_the_buggy_snippet_and_accepts_the_solution(number):
    result = verdict(number, bugzoo.BUGS[number].buggy_code)
    assert not result.passed and "your code raised" not in result.message, result.message
    fixed = lesson08.CHECKS[number](getattr(solutions, f"solution_{number}")())
    assert fixed.passed, fixed.message


STEP = '''def train_step(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        {body}
    grads = tape.gradient(loss, model.trainable_variables)
    {apply}
    return loss'''
APPLY = "optimizer.apply_gradients(zip(grads, model.trainable_variables))"


def step(body: str, apply: str = APPLY) -> str:
    return STEP.format(body=body, apply=apply)


LAYER = '''class {name}(keras.layers.Layer):
    def __init__(self, rate, seed={seed}, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        {init}

    def call(self, inputs, training=False):
        if not training:
            return inputs
        {call}'''


def layer(name: str, init: str, call: str, seed: int = 3) -> str:
    return LAYER.format(name=name, seed=seed, init=init, call=call)


WRONG = [
    (6, step("loss = loss_fn(y, model(x, training=False))"), "dropout did not run"),
    (6, step("model.trainable = True\n        loss = loss_fn(y, model(x))"), "dropout did not run"),
    (6, step("keras.backend.set_learning_phase(1)\n        loss = loss_fn(y, model(x))"), "raised AttributeError"),
    (6, step("loss = loss_fn(y, model(x, training=True))", apply="pass"), "left every weight"),
    (13, layer("SeededDropout", "self.seed = seed", "return keras.random.dropout(inputs, self.rate, seed=None)"),
     "not reproducible"),
    (13, layer("SeededDropout", "self.seed = seed",
               "return keras.random.dropout(inputs, self.rate, seed=keras.random.SeedGenerator(self.seed))"),
     "same units"),
    (13, layer("SeededDropout", "self.seed, self.calls = seed, 0",
               "self.calls += 1\n        return keras.random.dropout(inputs, self.rate, seed=self.seed + self.calls)"),
     "compiled step"),
    (13, layer("SeededDropout", "self.seed_generator = keras.random.SeedGenerator(seed)",
               "return keras.random.dropout(inputs, 1 - self.rate, seed=self.seed_generator)"), "zero"),
    (15, layer("NumpyDropout", "pass",
               "mask = np.random.rand(*keras.ops.shape(inputs)) >= self.rate\n"
               "        return inputs * mask / (1 - self.rate)", seed=0), "TypeError"),
    (15, layer("NumpyDropout", "pass", "return keras.random.dropout(inputs, self.rate, seed=0)", seed=0),
     "integer seed is stateless"),
    # dropout switched off in training (rate 0, or the input returned): not blamed on the seed
    (13, layer("SeededDropout", "self.seed_generator = keras.random.SeedGenerator(seed)",
               "return keras.random.dropout(inputs, 0.0, seed=self.seed_generator)"), "dropped no unit"),
    (15, layer("NumpyDropout", "pass", "return inputs", seed=0), "dropped no unit"),
    (15, layer("NumpyDropout", "self.rng = np.random.default_rng(seed)",
               "mask = self.rng.random(inputs.shape[-1]) >= self.rate\n"
               "        return inputs * mask / (1 - self.rate)", seed=0), "every example"),
]


@pytest.mark.parametrize("number, code, words", WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)])
def test_a_plausible_wrong_fix_fails_with_its_diagnosis(number, code, words):
    result = verdict(number, code)
    assert not result.passed and words in result.message, result.message


RIGHT = [
    (6, step("predictions = model(x, training=True)\n        loss = keras.ops.mean(loss_fn(y, predictions))")),
    (13, layer("SeededDropout", "self.seed_generator = keras.random.SeedGenerator(seed)",
               "keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator) >= self.rate\n"
               "        return inputs * keras.ops.cast(keep, inputs.dtype) / (1 - self.rate)")),
    (15, layer("NumpyDropout", "self.seed_generator = keras.random.SeedGenerator(seed)",
               "keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator) >= self.rate\n"
               "        return inputs * keras.ops.cast(keep, inputs.dtype) / (1 - self.rate)", seed=0)),
]


@pytest.mark.parametrize("number, code", RIGHT, ids=[str(r[0]) for r in RIGHT])
def test_a_second_right_fix_passes_too(number, code):
    result = verdict(number, code)
    assert result.passed, result.message


# ---------------------------------------------------------------- the Keras facts behind the exhibits


def test_an_integer_seed_repeats_and_a_seed_generator_does_not():
    assert np.array_equal(*keras_probes.seeded_dropout_calls(3))
    assert not np.array_equal(*keras_probes.seeded_dropout_calls(None))


def test_a_plain_model_call_does_not_drop_and_training_true_does():
    model, x = keras_probes.small_model(0), np.ones((4, 8), dtype="float32")
    assert np.array_equal(np.asarray(model(x)), np.asarray(model(x)))
    assert not np.array_equal(np.asarray(model(x, training=True)), np.asarray(model(x, training=True)))


def test_fit_with_the_numpy_layer_raises_on_a_partial_batch_and_runs_on_full_ones():
    assert keras_probes.numpy_layer_in_fit(rows=40).startswith("TypeError")
    assert keras_probes.numpy_layer_in_fit(rows=64) == "fit ran"


def test_the_numpy_layer_is_fresh_eagerly_and_frozen_when_compiled():
    probe = keras_probes.probe_keras_layer(keras_probes.exhibit_15_layer())
    assert probe.band[0] <= probe.eager_agreement <= probe.band[1]
    assert probe.compiled_agreement == 1.0 and probe.unknown_batch_error.startswith("TypeError")


def test_the_right_layer_is_fresh_in_every_mode():
    probe = keras_probes.probe_keras_layer(solutions.solution_15())
    for agreement in (probe.eager_agreement, probe.unknown_batch_agreement, probe.compiled_agreement):
        assert probe.band[0] <= agreement <= probe.band[1]
    assert probe.reproducible and probe.inference_identity and probe.plain_identity
    assert probe.unknown_batch_error is None


def test_keras_batch_norm_in_training_mode_updates_its_moving_mean():
    bn = keras.layers.BatchNormalization()
    x = np.random.default_rng(0).normal(3.0, 1.0, (64, 4)).astype("float32")
    bn(x, training=False)
    before = np.asarray(bn.moving_mean).copy()
    bn(x, training=True)
    assert not np.allclose(before, np.asarray(bn.moving_mean))   # what model(x, training=True) does in MC dropout
