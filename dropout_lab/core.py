"""Dropout from scratch in NumPy: the one implementation every lesson reads (lesson 01)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validate import as_float_array, as_generator, check_mode, check_rate, resolve_noise_shape

RNGLike = np.random.Generator | int | None


def draw_keep_mask(shape: tuple[int, ...], rate: float, rng: np.random.Generator,
                   dtype: np.dtype = np.float64) -> np.ndarray:
    """Keep-mask of `shape`: a unit survives when its uniform draw is >= rate (lesson 01)."""
    # u ~ U[0, 1) so P(u >= rate) = 1 - rate exactly; the same rule Keras and TF use.
    uniform_dtype = np.float32 if dtype == np.float32 else np.float64
    return rng.random(shape, dtype=uniform_dtype) >= rate


def dropout_forward(
    x: object,
    rate: float,
    rng: RNGLike = None,
    *,
    training: bool = True,
    noise_shape: Sequence[int | None] | None = None,
    mode: str = "inverted",
) -> tuple[np.ndarray, np.ndarray | None]:
    """Apply dropout to `x`; return (output, keep-mask or None at eval) (lesson 01)."""
    x = as_float_array(x)
    rate = check_rate(rate)
    mode = check_mode(mode)
    mask_shape = resolve_noise_shape(noise_shape, x.shape)
    keep = 1.0 - rate
    if not training:
        # Inverted dropout already scaled in training; vanilla scales at test time.
        return (x.copy() if mode == "inverted" else x * x.dtype.type(keep)), None
    mask = draw_keep_mask(mask_shape, rate, as_generator(rng), x.dtype)
    if keep == 0.0:
        return np.zeros_like(x), mask  # every unit dropped; avoids 0 * inf = NaN
    scale = _survivor_scale(rate, mode, x.dtype)
    return x * mask * scale, mask


def _survivor_scale(rate: float, mode: str, dtype: np.dtype) -> np.floating:
    """1/keep (inverted) or 1 (vanilla) in x's dtype; a clear error when 1/keep does not fit in it."""
    scale = 1.0 / (1.0 - rate) if mode == "inverted" else 1.0
    if scale > float(np.finfo(dtype).max):
        raise ValueError(
            f"rate={rate!r} scales survivors by 1/(1 - rate) = {scale:.3g}, more than {np.dtype(dtype).name} "
            f"can hold (max {float(np.finfo(dtype).max):.3g}): use a wider dtype (float32) or a smaller rate")
    return np.dtype(dtype).type(scale)


def dropout_backward(dout: object, mask: np.ndarray | None, rate: float, *,
                     mode: str = "inverted") -> np.ndarray:
    """Gradient of dropout_forward w.r.t. x for the mask it drew (lesson 01)."""
    dout = as_float_array(dout, "dout")
    rate = check_rate(rate)
    mode = check_mode(mode)
    keep = 1.0 - rate
    if mask is None:  # the eval-mode forward was x or x * keep
        return dout.copy() if mode == "inverted" else dout * dout.dtype.type(keep)
    if keep == 0.0:
        return np.zeros_like(dout)
    return dout * np.asarray(mask) * _survivor_scale(rate, mode, dout.dtype)


class Dropout:
    """A NumPy dropout layer with torch.nn.Dropout's train/eval behaviour (lesson 01)."""

    def __init__(self, rate: float, seed: RNGLike = None, mode: str = "inverted") -> None:
        self.rate = check_rate(rate)
        self.mode = check_mode(mode)
        self.rng = as_generator(seed)
        self.training = True
        self.mask: np.ndarray | None = None

    def train(self, mode: bool = True) -> Dropout:
        """Switch to training (a new mask every call) or, with False, to evaluation."""
        self.training = bool(mode)
        return self

    def eval(self) -> Dropout:
        """Switch to evaluation: no mask (identity for inverted dropout)."""
        return self.train(False)

    def __call__(self, x: object) -> np.ndarray:
        out, self.mask = dropout_forward(x, self.rate, self.rng, training=self.training, mode=self.mode)
        return out

    def backward(self, dout: object) -> np.ndarray:
        """Gradient w.r.t. the last input, using the mask the last call drew."""
        return dropout_backward(dout, self.mask, self.rate, mode=self.mode)

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate}, mode={self.mode!r}, training={self.training})"
