"""How fast is dropout? Interleaved, median timings of each implementation (lesson 04).

Dropout must at least read x and write y, so a plain copy of x is the floor; on top
of that it needs random bits. Implementations are timed round-robin in one run so that
a busy machine slows all of them alike, and medians ignore the odd slow repeat.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._validate import check_rate
from .core import dropout_forward
from .fast import fast_dropout
from .frameworks import is_installed, load, seeded_torch

IMPLEMENTATIONS = ("copy", "dropout_forward", "fast_dropout", "torch", "tensorflow")
Runner = Callable[[], object]


@dataclass(frozen=True)
class SpeedRow:
    """One median timing: implementation, number of float32 elements, rate, seconds."""

    impl: str
    size: int
    rate: float
    seconds: float


@dataclass(frozen=True)
class SpeedTable:
    """Median seconds per (implementation, size, rate), with ratios against a baseline."""

    rows: tuple[SpeedRow, ...]

    def seconds(self, impl: str, size: int, rate: float) -> float:
        """Median seconds of one implementation at one size and rate."""
        for row in self.rows:
            if (row.impl, row.size, row.rate) == (impl, size, rate):
                return row.seconds
        raise KeyError(f"no timing for impl={impl!r}, size={size}, rate={rate}")

    def ratio(self, impl: str, baseline: str, size: int, rate: float) -> float:
        """How many times slower `impl` is than `baseline` (same size and rate)."""
        return self.seconds(impl, size, rate) / self.seconds(baseline, size, rate)

    def implementations(self) -> list[str]:
        return list(dict.fromkeys(row.impl for row in self.rows))

    def to_text(self, baseline: str = "copy") -> str:
        """A table: median ms, GB/s of float32 read + write, and × the baseline."""
        lines = [f"{'implementation':<16}{'size':>10}{'rate':>6}{'median ms':>11}{'GB/s':>8}{'× ' + baseline:>9}"]
        for row in self.rows:
            gbps = 2 * 4 * row.size / row.seconds / 1e9
            times = self.ratio(row.impl, baseline, row.size, row.rate)
            lines.append(f"{row.impl:<16}{row.size:>10.0e}{row.rate:>6}{row.seconds * 1e3:>11.3f}"
                         f"{gbps:>8.2f}{times:>9.2f}")
        return "\n".join(lines)


def available_implementations() -> list[str]:
    """The implementations that can run here (torch / tensorflow only when installed)."""
    return [impl for impl in IMPLEMENTATIONS
            if impl not in ("torch", "tensorflow") or is_installed("torch" if impl == "torch" else "keras")]


def measure_speed(sizes: Sequence[int] = (10**6,), rates: Sequence[float] = (0.5,), repeats: int = 5,
                  implementations: Sequence[str] | None = None, seed: int = 0) -> SpeedTable:
    """Median time of each implementation on float32 data, interleaved (lesson 04)."""
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    impls = list(implementations or available_implementations())
    unknown = set(impls) - set(IMPLEMENTATIONS)
    if unknown:
        raise ValueError(f"implementations must be among {IMPLEMENTATIONS}, got {sorted(unknown)}")
    rows = []
    for size in sizes:
        x = np.random.default_rng(seed).standard_normal(int(size), dtype=np.float32)
        for rate in rates:
            runners = {impl: _runner(impl, x, check_rate(rate), seed) for impl in impls}
            medians = interleaved_medians(runners, repeats)
            rows += [SpeedRow(impl, int(size), float(rate), medians[impl]) for impl in impls]
    return SpeedTable(tuple(rows))


def median_ms(action: Callable[[int], object], repeats: int = 15) -> float:
    """Median wall time in ms of `action(i)` for i = 0 .. repeats-1 (lessons 01, 02)."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def interleaved_medians(runners: dict[str, Runner], repeats: int) -> dict[str, float]:
    """Median seconds of each runner, timed round-robin after one warm-up call each (lesson 04)."""
    for run in runners.values():  # warm-up: first calls pay for imports and allocations
        run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def _runner(impl: str, x: np.ndarray, rate: float, seed: int) -> Runner:
    rng = np.random.default_rng(seed)
    if impl == "copy":
        return x.copy
    if impl == "dropout_forward":
        return lambda: dropout_forward(x, rate, rng)
    if impl == "fast_dropout":
        return lambda: fast_dropout(x, rate, rng)
    if impl == "torch":
        return _torch_runner(x, rate, seed)
    return _tensorflow_runner(x, rate, seed)


def _torch_runner(x: np.ndarray, rate: float, seed: int) -> Runner:
    torch = load("torch")
    tensor = torch.from_numpy(x)

    def run():
        # F.dropout draws from torch's default generator: seed a forked copy so timing leaves no trace.
        with seeded_torch(seed):
            return torch.nn.functional.dropout(tensor, rate, training=True)
    return run


def _tensorflow_runner(x: np.ndarray, rate: float, seed: int) -> Runner:
    load("keras")
    import tensorflow as tf  # noqa: PLC0415 — imported only when TF is timed

    tensor = tf.constant(x)
    if rate == 1.0:  # tf.nn.dropout refuses rate 1
        return lambda: tf.zeros_like(tensor)
    return lambda: tf.nn.dropout(tensor, rate, seed=seed)
