"""Argument checks shared by every dropout implementation: clear errors, never a NaN."""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

MODES = ("inverted", "vanilla")


def check_rate(rate: object) -> float:
    """Return `rate` as a float in [0, 1] or raise naming `rate` and the allowed range."""
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, numbers.Real):
        raise TypeError(
            f"rate must be a real number in [0, 1] (the drop probability), "
            f"got {type(rate).__name__} {rate!r}"
        )
    value = float(rate)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"rate must be in [0, 1] (the drop probability), got {value!r}")
    return value


def check_mode(mode: str) -> str:
    """Return `mode` if it is 'inverted' or 'vanilla', else raise naming the choices."""
    if mode not in MODES:
        raise ValueError(f"mode must be 'inverted' or 'vanilla', got {mode!r}")
    return mode


def as_float_array(x: object, name: str = "x") -> np.ndarray:
    """Turn array-like input into a floating array: ints and bools become float64."""
    array = np.asarray(x)
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real-valued; complex input is not supported")
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must be numeric, got an array of dtype {array.dtype}")
    return array


SEED_MAX = 2**32 - 1  # every framework accepts seeds up to here (NumPy, torch.manual_seed, Keras)


def check_seed(seed: object) -> int:
    """Return `seed` as an int in [0, 2**32 - 1] or raise naming `seed` (every framework, one rule)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int in [0, {SEED_MAX}], got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) <= SEED_MAX:
        raise ValueError(f"seed must be an int in [0, {SEED_MAX}], got {seed!r}")
    return int(seed)


def as_generator(rng: object) -> np.random.Generator:
    """Accept a Generator, an int seed or None (fresh entropy); nothing global is touched."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and int(rng) < 0:
            raise ValueError(f"rng seed must be a non-negative int, got {rng!r}")
        return np.random.default_rng(rng)
    raise TypeError(
        "rng must be a numpy.random.Generator, an int seed or None, "
        f"got {type(rng).__name__}"
    )


def resolve_noise_shape(noise_shape: Sequence[int | None] | None, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The mask shape: `noise_shape` (None entries filled from `shape`), checked to broadcast."""
    if noise_shape is None:
        return tuple(shape)
    try:
        dims = list(noise_shape)
    except TypeError:
        raise TypeError(f"noise_shape must be a tuple of ints, got {noise_shape!r}") from None
    offset = len(shape) - len(dims)
    if offset < 0:
        raise ValueError(f"noise_shape {tuple(noise_shape)} has more dimensions than x.shape {shape}")
    if offset and any(d is None for d in dims):
        # Keras fills None from x's dimension at the same index (from the left); NumPy broadcasting
        # aligns a shorter shape from the right. The two disagree, so a None needs one entry per axis.
        raise ValueError(f"noise_shape {tuple(noise_shape)} has None entries but fewer dimensions than x.shape "
                         f"{shape}: with None, give one entry per dimension of x, as Keras requires "
                         f"(e.g. (None, 1, None)); a shorter noise_shape must be all ints (broadcast from the right)")
    resolved = tuple(shape[offset + i] if d is None else d for i, d in enumerate(dims))
    if not all(isinstance(d, numbers.Integral) and d >= 0 for d in resolved):
        raise TypeError(f"noise_shape must hold non-negative ints or None, got {tuple(noise_shape)}")
    broadcastable = all(d in (1, s) for d, s in zip(resolved, shape[offset:]))
    if not broadcastable:
        raise ValueError(
            f"noise_shape {tuple(noise_shape)} does not broadcast to x.shape {shape}: "
            "each entry must be 1 (shared) or equal to the matching dimension of x"
        )
    return tuple(int(d) for d in resolved)
