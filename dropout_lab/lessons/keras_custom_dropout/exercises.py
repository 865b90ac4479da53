"""Exercise checks for lesson 05, your own dropout layer in a Keras model."""
from __future__ import annotations

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions


def _build(layer_cls: object, rate: float = 0.2) -> tuple[object, CheckResult | None]:
    """An instance of the learner's class, or the CheckResult that says why there is none."""
    if is_unanswered(layer_cls) or not isinstance(layer_cls, type):
        return None, NOT_ANSWERED
    try:
        return layer_cls(rate, seed=0), None
    except Exception as error:  # a learner's half-written layer may fail in any way
        return None, CheckResult(False, f"building {layer_cls.__name__}(0.2, seed=0) raised "
                                        f"{type(error).__name__}: {error}")


def _probe(layer) -> tuple[np.ndarray | None, np.ndarray | None, CheckResult | None]:
    """The layer's training and inference outputs on ones(1, 1000), or why there are none."""
    from .compute import keras
    x = keras.ops.ones((1, 1000))
    try:
        train, infer = layer(x, training=True), layer(x, training=False)
    except Exception as error:
        return None, None, CheckResult(False, f"calling the layer raised {type(error).__name__}: {error}")
    if train is None or infer is None:  # the `...` body of the exercise cell returns None
        return None, None, NOT_ANSWERED
    return keras.ops.convert_to_numpy(train), keras.ops.convert_to_numpy(infer), None


def _audit_failures(layer_cls: type) -> list[str]:
    from .compute import audit_layer
    audit = audit_layer(lambda rate, seed: layer_cls(rate, seed=seed), layer_cls.__name__)
    return [f"{name} — {result.message}" for name, result in audit.checks.items() if not result.passed]


def _fit_two_steps(layer_cls: type) -> str | None:
    """Run the layer inside a real model.fit (2 steps of 32 rows); None when it ran, else why not."""
    from .compute import _describe, keras
    model = keras.Sequential([keras.Input((16,)), layer_cls(0.5, seed=0), keras.layers.Dense(1)])
    # Not "auto", which turns XLA on only where a GPU is visible: the check runs the same way on every machine.
    model.compile(optimizer="sgd", loss="mse", jit_compile=False)
    try:
        model.fit(np.ones((64, 16), np.float32), np.zeros((64, 1), np.float32), batch_size=32, epochs=1, verbose=0)
    except Exception as error:
        return _describe(error)
    return None


def check_layer_in_fit(layer_cls: object) -> CheckResult:
    """Exercise 1: the book's NumPy layer made to work inside fit (audit, eager and compiled, then a real fit)."""
    layer, problem = _build(layer_cls)
    if problem is not None:
        return problem
    *_, problem = _probe(layer)
    if problem is not None:
        return problem
    failed = _audit_failures(layer_cls)
    if failed:
        return CheckResult(False, "failed: " + "; ".join(failed))
    in_fit = _fit_two_steps(layer_cls)
    return check(in_fit is None, "all eight checks pass and model.fit runs it: a fresh mask every step, drawn by "
                                 "keras.random inside the graph.", f"model.fit raised {in_fit}")


def check_vanilla_layer(layer_cls: object) -> CheckResult:
    """Exercise 2: vanilla dropout — survivors unscaled in training, output × keep at inference."""
    layer, problem = _build(layer_cls)
    if problem is not None:
        return problem
    train, infer, problem = _probe(layer)
    if problem is not None:
        return problem
    survivors = train[train != 0]
    if survivors.size and np.allclose(survivors, 1 / 0.8):
        return CheckResult(False, "survivors are scaled by 1/keep: that is inverted dropout. The vanilla scheme "
                                  "leaves them unscaled (the book's line) and scales at inference instead.")
    if np.allclose(infer, 1.0):
        return CheckResult(False, "inference returns the input unchanged, but training kept only 80 % of it on "
                                  "average: the next layer sees 1.25× what it learned on. Multiply by keep.")
    if np.allclose(infer, 0.2):
        return CheckResult(False, "inference multiplies by the rate (0.2): the old comment's mistake. The "
                                  "expected training output is keep × x = 0.8 x.")
    failed = _audit_failures(layer_cls)
    return check(not failed and np.allclose(infer, 0.8) and np.allclose(survivors, 1.0),
                 "vanilla dropout: unscaled survivors in training, × keep = 0.8 at inference, and every check "
                 "passes, compiled steps included.",
                 "failed: " + ("; ".join(failed) if failed else "inference should give 0.8 × x and survivors 1 × x"))


def check_dropout_off_loss(answer: object, model, data, curves) -> CheckResult:
    """Exercise 3: the trained model's training loss with dropout off (what evaluate() reports on the training rows)."""
    from .training import DropoutOffLoss
    if is_unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, (list, tuple)) and len(answer) == 2:
        return CheckResult(False, "evaluate() returned [loss, accuracy]: the answer is the first number.")
    off = DropoutOffLoss(data.x_train, data.y_train)
    off.set_model(model)
    off.on_epoch_end(0)
    truth = off.losses[0]
    mistakes = {float(curves.loss[-1]): "that is what fit reported for the last epoch: an average over the epoch's "
                                        "steps with dropout on. Evaluate the trained model instead.",
                float(curves.val_loss[-1]): "that is the validation loss: the question is about the training rows."}
    return check_number(answer, truth, f"{truth:.4f}: dropout off, the network fits its training rows much better "
                                       "than fit's number suggests, and better than the validation rows.",
                        "Run the trained model in inference mode (dropout off) over the training rows, e.g. with "
                        "model.evaluate, and take the loss.", rel_tol=1e-4, mistakes=mistakes)


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
