"""The long Fig. 9 and Fig. 10 runs behind lesson 07's stored results, at the paper's practical recipe.

    python -m dropout_lab.lessons.paper_test_time_scaling.stored_runs            # both figures
    python -m dropout_lab.lessons.paper_test_time_scaling.stored_runs            # all of them
    python -m dropout_lab.lessons.paper_test_time_scaling.stored_runs fig9       # one of them

writes fig9_runs.json / fig10_runs.json / fig10_control_runs.json / lr_check_runs.json next to
this file (package data): the configuration, the seeds, the command, the library versions and
every network's test and training error. The lesson loads them with compute.load_rate_sweep() /
compute.load_size_sweep() (Fig. 10 with its control appended) / compute.load_lr_check() and runs
only a small live version itself (the full runs take minutes, the lesson has 30 s).

fig10_control is the control Fig. 10 needs: the dropout recipe (lr 0.02, momentum 0.95, max-norm 3,
the same epochs) with both rates 0, over the same sizes and seeds. Compared with it, a gain is
dropout's; compared with the tuned plain net (lr 0.05, momentum 0.9, no max-norm), as the paper
compared, a gain is the whole recipe's: dropout together with its optimiser settings.

The recipe follows the paper's Appendix A where it transfers to 8×8 digits [Appendix A read
through secondary quotes]: momentum 0.95 and a max-norm constraint c = 3 on every hidden unit's
incoming weights for the dropout nets, a learning rate decaying by 0.97 per epoch for every net,
and training until the training loss has flattened (80-100 epochs, at least 800 SGD steps).
One part did not transfer: the "10-100 times" higher learning rate. lr_check (LR_CHECK below)
trains the Fig. 9 recipe as a keep-0.1 net of 256 units (seed 3, all 1347 training rows, 80
epochs) at lr 0.1, 0.05 and 0.02: stored, it ends at 80.2 %, 15.1 % and 2.7 % test error. So the
dropout nets use lr 0.02 (step lr / (1 - momentum) = 0.4, against the plain nets' 0.05 / 0.1 = 0.5).
This is one net on one seed, a check that the larger rates fail here, not a learning-rate sweep.
"""
from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from .compute import RateSweep, SizeSweep, digits, rate_sweep, size_sweep
from .training import Recipe, train_net

HERE = Path(__file__).resolve().parent
COMMAND = "python -m dropout_lab.lessons.paper_test_time_scaling.stored_runs"
SEEDS = tuple(range(6))  # one digits split, one initialisation and one mask stream per seed

PLAIN = Recipe(hidden=(512,), input_rate=0.0, hidden_rate=0.0, lr=0.05, momentum=0.9, lr_decay=0.97, epochs=100)
DROPOUT = replace(PLAIN, hidden_rate=0.5, lr=0.02, momentum=0.95, max_norm=3.0)

# Fig. 9: no input dropout (the paper's Fig. 9a had none [secondary, unconfirmed]); fixed n = 128 units, or
# n = 64 / keep (Appendix A's "n/p units"); the two schemes coincide at keep 0.5.
FIG9 = {"recipe": replace(DROPOUT, hidden=(128,), epochs=80), "keeps": (0.1, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0), "n": 128,
        "n_keep": 64, "seeds": SEEDS}
# Fig. 10: 512 units; without dropout, with hidden dropout only, and with the paper's Fig. 10
# rates (keep 0.8 on the inputs, 0.5 on the hidden units [secondary]). Tiny sets get at least
# 800 SGD steps.
FIG10 = {"conditions": {"no dropout": PLAIN, "hidden dropout 0.5": DROPOUT,
                        "inputs 0.2 + hidden 0.5 (the paper's rates)": replace(DROPOUT, input_rate=0.2)},
         "sizes": (100, 200, 400, 800, 1347), "seeds": SEEDS, "min_steps": 800}
# Fig. 10's control: the dropout recipe with dropout off, same sizes, seeds, epochs (min_steps).
CONTROL = replace(DROPOUT, hidden_rate=0.0)
FIG10_CONTROL = {"conditions": {"the dropout recipe, both rates 0": CONTROL}, "sizes": FIG10["sizes"],
                 "seeds": SEEDS, "min_steps": FIG10["min_steps"]}
# The higher learning rate of Appendix A, tried on one Fig. 9 net (keep 0.1, 256 units, seed 3).
LR_CHECK = {"recipe": replace(FIG9["recipe"], hidden=(256,), hidden_rate=0.9, seed=3), "lrs": (0.1, 0.05, 0.02)}
FILES = {"fig9": HERE / "fig9_runs.json", "fig10": HERE / "fig10_runs.json",
         "fig10_control": HERE / "fig10_control_runs.json", "lr_check": HERE / "lr_check_runs.json"}


def _provenance(seconds: float) -> dict:
    return {"command": COMMAND, "numpy": np.__version__, "python": platform.python_version(),
            "train_seconds": round(seconds, 1)}


def run_fig9(seeds: tuple[int, ...] = SEEDS, on_step=None) -> RateSweep:
    """Fig. 9 at the recipe above (lesson 07)."""
    cfg = FIG9
    return rate_sweep(cfg["recipe"], cfg["keeps"], seeds, cfg["n"], cfg["n_keep"], on_step=on_step)


def run_fig10(seeds: tuple[int, ...] = SEEDS, on_step=None) -> SizeSweep:
    """Fig. 10 at the recipe above (lesson 07)."""
    cfg = FIG10
    return size_sweep(cfg["conditions"], cfg["sizes"], seeds, cfg["min_steps"], on_step=on_step)


def run_fig10_control(seeds: tuple[int, ...] = SEEDS, on_step=None) -> SizeSweep:
    """Fig. 10's control: the dropout recipe with both rates 0, at Fig. 10's sizes and epochs (lesson 07)."""
    cfg = FIG10_CONTROL
    return size_sweep(cfg["conditions"], cfg["sizes"], seeds, cfg["min_steps"], on_step=on_step)


def run_lr_check(on_step=None) -> dict:
    """Train LR_CHECK's net at each of its learning rates on its seed's full training split (lesson 07)."""
    recipe = LR_CHECK["recipe"]
    data = digits(recipe.seed)
    test, train, seconds = [], [], 0.0
    for lr in LR_CHECK["lrs"]:
        result = train_net(data.x_train, data.y_train, replace(recipe, lr=lr), data.x_test, data.y_test)
        test.append(result.test_error)
        train.append(result.train_error)
        seconds += result.seconds
        if on_step is not None:
            on_step()
    return {"check": "learning rate", "recipe": asdict(recipe), "rows": len(data.x_train),
            "lrs": list(LR_CHECK["lrs"]), "test_error": test, "train_error": train, **_provenance(seconds)}


def fig9_record(sweep: RateSweep) -> dict:
    """Everything needed to rebuild (and re-run) a RateSweep, as JSON-able data."""
    return {"figure": "9", "recipe": asdict(FIG9["recipe"]), "keeps": sweep.keeps.tolist(), "n": FIG9["n"],
            "n_keep": FIG9["n_keep"], "seeds": list(sweep.seeds), "schemes": list(sweep.schemes),
            "hidden": sweep.hidden.tolist(), "test_error": sweep.test_error.tolist(),
            "train_error": sweep.train_error.tolist(), **_provenance(sweep.train_seconds)}


def fig10_record(sweep: SizeSweep, cfg: dict = FIG10, figure: str = "10") -> dict:
    """Everything needed to rebuild (and re-run) a SizeSweep, as JSON-able data."""
    return {"figure": figure, "recipes": {name: asdict(r) for name, r in cfg["conditions"].items()},
            "sizes": sweep.sizes.tolist(), "min_steps": cfg["min_steps"], "seeds": list(sweep.seeds),
            "conditions": list(sweep.conditions), "epochs": sweep.epochs.tolist(),
            "test_error": sweep.test_error.tolist(), "train_error": sweep.train_error.tolist(),
            **_provenance(sweep.train_seconds)}


def main(argv: list[str]) -> None:
    """Run the named figures (default: both) and write their JSON files."""
    figures = argv or list(FILES)
    unknown = set(figures) - set(FILES)
    if unknown:
        raise SystemExit(f"figures must be among {sorted(FILES)}, got {sorted(unknown)}")
    for name in figures:
        start = time.perf_counter()
        done = [0]

        def step(done=done, name=name, start=start):
            done[0] += 1
            print(f"{name}: {done[0]} nets, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)

        record = {"fig9": lambda: fig9_record(run_fig9(on_step=step)),
                  "fig10": lambda: fig10_record(run_fig10(on_step=step)),
                  "fig10_control": lambda: fig10_record(run_fig10_control(on_step=step), FIG10_CONTROL,
                                                        "10, control"),
                  "lr_check": lambda: run_lr_check(on_step=step)}[name]()
        FILES[name].write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {FILES[name]}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
