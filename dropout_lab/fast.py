"""Fast inverted dropout: the same maths as dropout_forward, at near-copy speed (lesson 04)."""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, as_generator, check_rate
from .core import RNGLike

# 2**16 threshold levels: the keep probability is quantised to multiples of 2**-16.
LEVELS = 1 << 16
# 64 Ki elements: x, y, the random bits and the mask of one chunk fit in L2 cache together.
CHUNK = 1 << 16


def threshold(rate: float) -> int:
    """Integer threshold t: a 16-bit draw u keeps its unit when u >= t (lesson 04)."""
    return int(round(check_rate(rate) * LEVELS))


def effective_rate(rate: float) -> float:
    """The drop probability fast_dropout really uses: rate rounded to a multiple of 2**-16."""
    return threshold(rate) / LEVELS


def fast_dropout(x: object, rate: float, rng: RNGLike = None, *,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Inverted training-time dropout on float32 data, fast; the keep probability is
    quantised to 2**-16 and survivors are scaled by 1/keep_effective so E[y] = x (lesson 04)."""
    x32 = np.ascontiguousarray(as_float_array(x), dtype=np.float32)
    t = threshold(rate)
    y = _output_buffer(out, x32.shape)
    if t >= LEVELS:  # rate 1: every unit dropped
        y.fill(0.0)
        return y
    scale = np.float32(LEVELS / (LEVELS - t))
    _dropout_chunks(x32.reshape(-1), y.reshape(-1), t, scale, _fast_bits(as_generator(rng)))
    return y


def _fast_bits(rng: np.random.Generator) -> np.random.BitGenerator:
    # Random bits are most of the cost. SFC64 is NumPy's fastest bit generator (~1.5x
    # PCG64 here); seeding it from the caller's generator keeps results reproducible.
    return np.random.SFC64(rng.integers(0, 2**63))


def _output_buffer(out: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype=np.float32)
    if not isinstance(out, np.ndarray) or out.dtype != np.float32 or out.shape != shape:
        raise ValueError(f"out must be a float32 array of shape {shape}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    return out


def _dropout_chunks(x: np.ndarray, y: np.ndarray, t: int, scale: np.float32, bits) -> None:
    # Work chunk by chunk so every pass after the first read of x stays in cache:
    # the cost is then one read of x, one write of y and the random bits.
    keep = np.empty(CHUNK, dtype=bool)
    for start in range(0, x.size, CHUNK):
        n = min(CHUNK, x.size - start)
        # One raw 64-bit draw gives four independent 16-bit uniforms: no float conversion.
        raw = bits.random_raw((n + 3) // 4).view(np.uint16)[:n]
        np.greater_equal(raw, t, out=keep[:n])
        chunk = y[start:start + n]
        np.multiply(x[start:start + n], scale, out=chunk)
        np.multiply(chunk, keep[:n], out=chunk)
