"""The bug zoo's Keras probes (lesson 08): a learner's Keras code, eagerly and inside a compiled step.

Keras 3 on the TensorFlow backend (the course's configuration). `fit` compiles its step with
`tf.function(one_step_on_data, reduce_retracing=True)` (keras/src/backend/tensorflow/trainer.py,
lines 143-146), so the compiled probes below are what `fit` runs: with a fixed batch size, and with
the batch dimension None (what a data set with a partial last batch gives,
keras/src/trainers/data_adapters/array_data_adapter.py, lines 163-172).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...frameworks import load
from .compute import BUGS, Probe, agreement_band, error_line, mask_agreement, measure


def _tf():
    load("keras")  # quiets TensorFlow's log lines before its first import
    return importlib.import_module("tensorflow")


def graph_mode_available() -> bool:
    """True when Keras runs on TensorFlow, so tf.function can compile a step (lesson 08)."""
    return load("keras").backend.backend() == "tensorflow"


# ---------------------------------------------------------------- exhibit 6: a custom training loop


def small_model(seed: int = 0):
    """8 → Dense(32, relu) → Dropout(0.5) → Dense(1), every initialiser and the dropout seeded (lesson 08)."""
    keras = load("keras")
    init = keras.initializers.GlorotUniform
    return keras.Sequential([keras.Input((8,)),
                             keras.layers.Dense(32, activation="relu", kernel_initializer=init(seed=seed)),
                             keras.layers.Dropout(0.5, seed=seed + 1),
                             keras.layers.Dense(1, kernel_initializer=init(seed=seed + 2))])


@dataclass(frozen=True)
class StepProbe:
    """A learner's train_step run twice with learning rate 0, then once with 0.1 (lesson 08)."""

    frozen_losses: tuple[float, float]   # two steps that cannot move the weights
    eval_loss: float                     # the same batch through model(x, training=False)
    weights_moved: bool                  # after one step at learning rate 0.1


def probe_train_step(train_step: Callable, seed: int = 0) -> StepProbe:
    """Call `train_step(model, optimizer, loss_fn, x, y)` on small_model(): did dropout run and learn (lesson 08)?"""
    keras = load("keras")
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(32, 8)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    model, loss_fn = small_model(seed), keras.losses.MeanSquaredError()
    frozen = keras.optimizers.SGD(learning_rate=0.0)
    losses = tuple(float(train_step(model, frozen, loss_fn, x, y)) for _ in range(2))
    eval_loss = float(loss_fn(y, model(x, training=False)))
    before = [w.copy() for w in model.get_weights()]
    train_step(model, keras.optimizers.SGD(learning_rate=0.1), loss_fn, x, y)
    moved = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    return StepProbe(losses, eval_loss, moved)


# ---------------------------------------------------------------- exhibits 13 and 15: a custom dropout layer


@dataclass(frozen=True)
class KerasLayerProbe:
    """A custom Keras dropout layer, eagerly and inside compiled steps (lesson 08)."""

    first: Probe                          # the first eager training call on ones
    eager_agreement: float                # two eager training calls
    band: tuple[float, float]             # where two independent masks agree (z = Z)
    reproducible: bool                    # a new layer with the same seed gives the same first call
    inference_identity: bool              # layer(x, training=False) is x
    plain_identity: bool                  # layer(x) with no training argument is x
    unknown_batch_error: str | None       # a compiled step with batch dimension None raised this
    unknown_batch_agreement: float | None  # ... or its two calls agree this much
    compiled_agreement: float | None      # two calls of a compiled step with a fixed batch size


def _compiled(layer, shape: tuple[int | None, int] | None):
    tf = _tf()
    signature = None if shape is None else [tf.TensorSpec(shape, tf.float32)]
    return tf.function(lambda t: layer(t, training=True), input_signature=signature)


def _two_calls(step, x) -> float:
    return mask_agreement(np.asarray(step(x)), np.asarray(step(x)))


def probe_keras_layer(layer_class: Callable, rate: float = 0.3, shape: tuple[int, int] = (64, 256),
                      seed: int = 7) -> KerasLayerProbe:
    """Build `layer_class(rate, seed=seed)`; call it eagerly, re-build it, and compile it as fit would (lesson 08)."""
    x = np.ones(shape, dtype="float32")
    layer = layer_class(rate, seed=seed)
    first, second = (np.asarray(layer(x, training=True), dtype=float) for _ in range(2))
    again = np.asarray(layer_class(rate, seed=seed)(x, training=True), dtype=float)
    inference, plain = np.asarray(layer(x, training=False)), np.asarray(layer(x))
    error = unknown = compiled = None
    if graph_mode_available():
        try:
            unknown = _two_calls(_compiled(layer_class(rate, seed=seed), (None, shape[1])), x)
        except Exception as caught:  # the learner's layer: report what a compiled fit step would raise
            error = error_line(caught)
        try:
            compiled = _two_calls(_compiled(layer_class(rate, seed=seed), None), x)
        except Exception as caught:
            error = error or error_line(caught)
    return KerasLayerProbe(measure(first, rate), mask_agreement(first, second), agreement_band(rate, x.size),
                           bool(np.array_equal(first, again)), bool(np.array_equal(inference, x)),
                           bool(np.array_equal(plain, x)), error, unknown, compiled)


def seeded_dropout_calls(seed: int | None, calls: int = 2, shape: tuple[int, int] = (4, 8), rate: float = 0.5):
    """`keras.random.dropout(ones, rate, seed=...)` called `calls` times: an int, a SeedGenerator or None (lesson 08).

    `seed` None here means "one SeedGenerator(0) made once and passed every call".
    """
    keras = load("keras")
    x = np.ones(shape, dtype="float32")
    source = keras.random.SeedGenerator(0) if seed is None else seed
    return [np.asarray(keras.random.dropout(x, rate, seed=source)) for _ in range(calls)]


def exhibit_15_layer():
    """Exhibit 15's broken layer class, built from the lesson's own snippet (lesson 08)."""
    namespace = {"np": np, "keras": load("keras")}
    exec(BUGS[15].buggy_code, namespace)  # a constant of this package: the exhibit exactly as the learner sees it
    return namespace[BUGS[15].defines]


def numpy_layer_in_fit(rows: int, batch_size: int = 16, seed: int = 0) -> str:
    """Fit a tiny model whose dropout is exhibit 15's NumPy layer for one epoch; what happened (lesson 08)?

    Returns 'fit ran' or the error `fit` raised. With rows a multiple of batch_size every batch
    has the same size and fit compiles a step with a fixed batch; otherwise the batch dimension
    is None when the step is traced.
    """
    keras = load("keras")
    layer = exhibit_15_layer()(0.5, seed=seed)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4), layer, keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    try:
        model.fit(rng.normal(size=(rows, 8)), np.zeros((rows, 1)), epochs=1, batch_size=batch_size, verbose=0)
    except Exception as error:  # the point of the demo: fit fails on the NumPy line
        return error_line(error)
    return "fit ran"
