"""Lesson 05's stored multi-seed runs and the numbers drawn from them: NumPy only, no Keras import.

The dashboard loads these in milliseconds; training.py makes them (stored_runs.py writes runs.json).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RUNS_FILE = Path(__file__).resolve().parent / "runs.json"


@dataclass(frozen=True)
class Curves:
    """One run's per-epoch curves and its single test evaluation (lesson 05)."""

    label: str
    loss: np.ndarray          # what fit reports: training loss with dropout on, averaged over the epoch
    loss_off: np.ndarray      # training loss re-evaluated with dropout off at the end of each epoch
    val_loss: np.ndarray
    accuracy: np.ndarray
    val_accuracy: np.ndarray
    test_loss: float
    test_accuracy: float
    masks_drawn: int          # SeedGenerator steps of the first dropout layer (0 without dropout)

    @property
    def epochs(self) -> np.ndarray:
        """1, 2, ..., number of epochs."""
        return np.arange(1, len(self.loss) + 1)

    def to_json(self) -> dict:
        """Plain lists and numbers, rounded to 6 decimals, for runs.json."""
        as_list = lambda a: [round(float(v), 6) for v in a]
        return {"label": self.label, "loss": as_list(self.loss), "loss_off": as_list(self.loss_off),
                "val_loss": as_list(self.val_loss), "accuracy": as_list(self.accuracy),
                "val_accuracy": as_list(self.val_accuracy), "test_loss": round(self.test_loss, 6),
                "test_accuracy": round(self.test_accuracy, 6), "masks_drawn": self.masks_drawn}

    @classmethod
    def from_json(cls, record: dict) -> Curves:
        arrays = {k: np.asarray(record[k]) for k in ("loss", "loss_off", "val_loss", "accuracy", "val_accuracy")}
        return cls(record["label"], **arrays, test_loss=record["test_loss"], test_accuracy=record["test_accuracy"],
                   masks_drawn=record["masks_drawn"])


@dataclass(frozen=True)
class StoredRuns:
    """Every stored run by (variant, rate, seed), with the settings that made them (lesson 05)."""

    config: dict
    runs: dict[tuple[str, float, int], Curves]

    def seeds(self) -> list[int]:
        return sorted({seed for _, _, seed in self.runs})

    def rates(self) -> list[float]:
        return sorted({rate for _, rate, _ in self.runs})

    def stack(self, variant: str, rate: float, metric: str) -> np.ndarray:
        """(seeds, epochs) array of one metric, or (seeds,) for test_loss / test_accuracy."""
        return np.array([getattr(self.runs[variant, rate, s], metric) for s in self.seeds()])


def load_runs(path: Path = RUNS_FILE) -> StoredRuns:
    """The stored multi-seed runs (package data) written by `python -m ...keras_custom_dropout.stored_runs`."""
    stored = json.loads(path.read_text())
    runs = {(r["variant"], float(r["rate"]), int(r["seed"])): Curves.from_json(r["curves"]) for r in stored["runs"]}
    return StoredRuns(stored["config"], runs)


@dataclass(frozen=True)
class Spread:
    """Mean, sample standard deviation and the values over seeds of one number (lesson 05)."""

    values: np.ndarray

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def sd(self) -> float:
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0

    @property
    def se(self) -> float:
        """Standard error of the mean over seeds."""
        return self.sd / np.sqrt(len(self.values))

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.sd:.3f}"


def run_numbers(stored: StoredRuns, variant: str, rate: float) -> dict[str, Spread]:
    """Per-seed numbers of one variant: best validation loss, its epoch, the rise after it, test (lesson 05)."""
    val = stored.stack(variant, rate, "val_loss")
    gap = stored.stack(variant, rate, "loss") - stored.stack(variant, rate, "loss_off")
    return {"best val loss": Spread(val.min(axis=1)), "best epoch": Spread(val.argmin(axis=1) + 1.0),
            "final val loss": Spread(val[:, -1]), "rise after best": Spread(val[:, -1] - val.min(axis=1)),
            "fit loss - dropout-off loss": Spread(gap.mean(axis=1)),
            "epochs with val < fit loss": Spread((val < stored.stack(variant, rate, "loss")).sum(axis=1) * 1.0),
            "test accuracy": Spread(stored.stack(variant, rate, "test_accuracy")),
            "test loss": Spread(stored.stack(variant, rate, "test_loss"))}


def paired(stored: StoredRuns, metric: str, a: tuple[str, float], b: tuple[str, float]) -> Spread:
    """Seed-by-seed differences a - b of one headline number (same seed = same initial weights) (lesson 05)."""
    return Spread(run_numbers(stored, *a)[metric].values - run_numbers(stored, *b)[metric].values)


def rate_view(stored: StoredRuns, rate: float, epoch: int) -> dict:
    """The dashboard's numbers: one rate's mean curves over seeds and their values at `epoch` (lesson 05).

    At rate 0 both layers are the network without dropout. "val loss, keras.layers.Dropout" is
    the same runs with Keras' own layer: same seeds, so the same masks, so the same numbers.
    """
    mine, theirs = ("none", "none") if rate == 0 else ("custom", "keras")
    mean = lambda variant, metric, at=rate: stored.stack(variant, at, metric).mean(axis=0)
    view = {metric: mean(mine, metric) for metric in ("loss", "loss_off", "val_loss")}
    view["reference"], view["epoch"] = mean("none", "val_loss", 0.0), int(epoch)
    i = int(epoch) - 1
    view["readout"] = {"fit's train loss": float(view["loss"][i]),
                       "train loss, dropout off": float(view["loss_off"][i]),
                       "gap fit − off": float(view["loss"][i] - view["loss_off"][i]),
                       "val loss, your layer": float(view["val_loss"][i]),
                       "val loss, keras.layers.Dropout": float(mean(theirs, "val_loss")[i]),
                       "best epoch (validation)": int(np.argmin(view["val_loss"]) + 1)}
    return view
