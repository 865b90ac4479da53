"""The multi-seed runs behind lesson 05's curves and its dashboard, stored as runs.json (package data).

    python -m dropout_lab.lessons.keras_custom_dropout.stored_runs

trains the seed's IMDB model on the course's subset (data/imdb) for every seed in SEEDS: once
without dropout, and at every rate in RATES with CustomDropout and with keras.layers.Dropout
(the same seeds, so the same masks). It writes every run's per-epoch curves and its one test
evaluation, with the settings, the command and the library versions, next to this file. The
lesson trains seed 0 itself and checks it against the stored seed 0. The rest would take
minutes, and the lesson has 30 s.
"""
from __future__ import annotations

import json
import platform
import sys
import time

import numpy as np

from . import training

SEEDS = tuple(range(5))
RATES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
COMMAND = "python -m dropout_lab.lessons.keras_custom_dropout.stored_runs"


def config() -> dict:
    """The settings every stored run shares."""
    return {"num_words": training.NUM_WORDS, "val_rows": training.VAL_ROWS, "split_seed": training.SPLIT_SEED,
            "batch_size": training.BATCH_SIZE, "epochs": training.EPOCHS, "l2": training.L2,
            "optimizer": "RMSprop(learning_rate=1e-3)", "seeds": list(SEEDS), "rates": [0.0, *RATES],
            "data": "the course's IMDB subset (data/imdb): 4,000 train / 1,000 validation / 5,000 test reviews"}


def jobs() -> list[tuple[str, float, int]]:
    """(variant, rate, seed) for every run: "none" at rate 0, "custom" and "keras" at every rate."""
    return [("none", 0.0, s) for s in SEEDS] + [(v, r, s) for r in RATES for v in ("custom", "keras") for s in SEEDS]


def run_all(log=print) -> dict:
    """Train every job on the subset and return the JSON-ready results."""
    data = training.load_reviews(source="subset")
    runs, start = [], time.perf_counter()
    for i, (variant, rate, seed) in enumerate(jobs(), 1):
        model = training.build_model(None if variant == "none" else variant, rate or training.RATE, seed)
        curves = training.train(model, data)
        runs.append({"variant": variant, "rate": rate, "seed": seed, "curves": curves.to_json()})
        log(f"{i}/{len(jobs())} {variant} rate {rate} seed {seed}: val loss {curves.val_loss.min():.3f} (best), "
            f"test accuracy {curves.test_accuracy:.4f}")
    keras = training.keras
    provenance = {"command": COMMAND, "python": platform.python_version(), "numpy": np.__version__,
                  "keras": keras.__version__, "backend": keras.backend.backend(),
                  "train_seconds": round(time.perf_counter() - start, 1)}
    return {"config": config(), "provenance": provenance, "runs": runs}


def main() -> int:
    results = run_all()
    training.RUNS_FILE.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {training.RUNS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
