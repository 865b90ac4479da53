"""The framework layers lesson 12 checks its NumPy versions against: Keras GaussianDropout and AlphaDropout,
torch AlphaDropout and F.alpha_dropout. torch and Keras are imported inside the functions."""
from __future__ import annotations

import inspect
import math

import numpy as np

from ...frameworks import load, seeded_torch
from .compute import alpha_dropout_with_mask, alpha_dropped_value


def keras_gaussian_dropout(x: np.ndarray, rate: float, seed: int = 0) -> np.ndarray:
    """keras.layers.GaussianDropout(rate, seed)(x, training=True) as a NumPy array (lesson 12)."""
    keras = load("keras")
    x = np.asarray(x, dtype=np.float32)
    return keras.ops.convert_to_numpy(keras.layers.GaussianDropout(rate, seed=seed)(x, training=True))


def keras_gaussian_stddev_source() -> str:
    """The line of GaussianDropout.call that sets the noise's standard deviation (installed Keras)."""
    keras = load("keras")
    return next(line.strip() for line in inspect.getsource(keras.layers.GaussianDropout.call).splitlines()
                if "stddev =" in line)


def torch_alpha_dropout(x: np.ndarray, rate: float, seed: int = 0) -> np.ndarray:
    """torch.nn.AlphaDropout(rate) in training mode on x, seeded (lesson 12)."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        return torch.nn.AlphaDropout(rate).train()(torch.as_tensor(np.asarray(x, dtype=np.float32))).numpy()


def keras_alpha_dropout(x: np.ndarray, rate: float, seed: int = 0) -> np.ndarray:
    """keras.layers.AlphaDropout(rate, seed)(x, training=True) (restored in Keras 3) (lesson 12)."""
    keras = load("keras")
    x = np.asarray(x, dtype=np.float32)
    return keras.ops.convert_to_numpy(keras.layers.AlphaDropout(rate, seed=seed)(x, training=True))


def recovered_keep_mask(out: np.ndarray, rate: float) -> np.ndarray:
    """Which units a framework kept: every dropped unit equals a·keep·α' (float32 rounding allowed)."""
    return ~np.isclose(out, alpha_dropped_value(rate), rtol=0.0, atol=1e-5)


def rebuild_from_mask(x: np.ndarray, framework_out: np.ndarray, rate: float) -> float:
    """Max |framework output - our alpha dropout with the framework's own mask| (lesson 12)."""
    ours = alpha_dropout_with_mask(np.asarray(x, dtype=np.float32), rate, recovered_keep_mask(framework_out, rate))
    return float(np.abs(ours - framework_out).max())


def torch_alpha_dropout_default_training() -> bool:
    """The default of F.alpha_dropout's `training` argument in the installed torch (False!)."""
    torch = load("torch")
    return inspect.signature(torch.nn.functional.alpha_dropout).parameters["training"].default


def torch_functional_alpha_dropout(x: np.ndarray, rate: float, seed: int = 0) -> np.ndarray:
    """F.alpha_dropout(x, p=rate) with its defaults, as a lesson might call it in a training step."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        return torch.nn.functional.alpha_dropout(torch.as_tensor(np.asarray(x, dtype=np.float32)), p=rate).numpy()


def selu_block_probe(selu_block, rate: float = 0.3, n: int = 20_000, seed: int = 0) -> dict:
    """Run a learner's selu_block(x, rate) on seeded normal x: unchanged? dropped share? kept units right?"""
    torch = load("torch")
    from .compute import alpha_affine
    with seeded_torch(seed), torch.no_grad():
        x = torch.randn(n)
        activations = torch.selu(x).numpy()
        out = torch.as_tensor(selu_block(x, rate)).numpy()
    if out.shape != (n,):
        raise ValueError(f"selu_block must return x's shape {(n,)}, got {out.shape}")
    kept = recovered_keep_mask(out, rate)
    a, b = alpha_affine(rate)
    error = float(np.abs(out[kept] - (a * activations[kept] + b)).max()) if kept.any() else math.inf
    return {"unchanged": bool(np.array_equal(out, activations)), "dropped": float(1 - kept.mean()), "n": n,
            "kept_error": error}
