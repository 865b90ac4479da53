"""The backward pass of dropout, checked numerically by central differences (lesson 01).

Forward, for a fixed keep-mask m: y = x * m / keep. Every y_i depends on x_i alone, with
dy_i/dx_i = m_i / keep, so by the chain rule dL/dx = dL/dy * m / keep: the gradient flows
through the units that survived, scaled like them, and is 0 where a unit was dropped.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...core import dropout_backward, dropout_forward

Backward = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """df/dx by central differences (f(x + h e_i) - f(x - h e_i)) / 2h, one coordinate at a time (lesson 01)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, 1e-12): CS231n's yardstick for gradient checks (0 where both are 0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


@dataclass(frozen=True)
class GradientCheck:
    """A backward pass against the numerical gradient of the same forward pass (lesson 01)."""

    analytic: np.ndarray
    numeric: np.ndarray
    mask: np.ndarray

    @property
    def relative_error(self) -> float:
        """The largest relative difference between the two gradients."""
        return relative_error(self.analytic, self.numeric)


def gradient_check(rate: float, shape: tuple[int, ...] = (4, 5), seed: int = 0,
                   backward: Backward = dropout_backward) -> GradientCheck:
    """Check `backward(dout, mask, rate)` against central differences of dl.dropout_forward, float64 (lesson 01)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    dout = rng.normal(size=shape)           # the upstream gradient dL/dy, for L = sum(dout * y)
    mask_seed = seed + 1                    # the same seed draws the same mask on every forward call

    def loss(x_: np.ndarray) -> float:
        return float(np.sum(dout * dropout_forward(x_, rate, mask_seed)[0]))

    _, mask = dropout_forward(x, rate, mask_seed)
    return GradientCheck(np.asarray(backward(dout, mask, rate), dtype=np.float64), numerical_gradient(loss, x), mask)


def forgets_the_scale(dout: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    """A wrong backward pass, for the lesson to catch: routes the gradient through the mask but drops 1/keep."""
    return dout * mask
