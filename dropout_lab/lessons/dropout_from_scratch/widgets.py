"""Dashboard: one rate slider, the same input through NumPy, PyTorch and Keras (lesson 01)."""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from ...frameworks import FRAMEWORKS
from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import OutputStats, ones_bands, ones_outputs, output_stats, predicted_stats
from .plots import OutputsFigure

SIZE = 32          # a 32 x 32 input of ones: n = 1024 units per framework
MAX_RATE = 0.9
N = SIZE * SIZE
STEP = 0.05
RATES = np.arange(1, round(MAX_RATE / STEP) + 1) * STEP   # every non-zero slider position (rate 0 is exact)
# Tolerances for measured vs predicted: 5 standard errors at n = 1024, at the worst slider position.
# zero fraction: SE = sqrt(rate·keep/n) <= sqrt(1/(4n)) = 0.0156                     -> abs 0.078
# mean:          SE = sqrt(rate/keep)/sqrt(n), largest at rate 0.9: 3/32 = 0.094     -> rel 0.47 (the mean is 1)
# std:           std = c·sqrt(f(1-f)) with f the kept share, so (delta method)
#                SE/std = |1-2f| / (2·sqrt(n f(1-f))), largest at rate 0.05: 0.064     -> rel 0.32
ZERO_TOL = 5 * math.sqrt(0.25 / N)
MEAN_TOL = 5 * float(np.max(np.sqrt(RATES / (1 - RATES) / N)))
STD_TOL = 5 * float(np.max(np.abs(1 - 2 * (1 - RATES)) / (2 * np.sqrt(N * RATES * (1 - RATES)))))


def _readout(stats: dict[str, OutputStats], predicted: OutputStats, rate: float) -> str:
    """Each framework's zero fraction, mean and std, then the predicted ones and their ±3σ bands beside them."""
    lines = [readout({f"{name} {key}": value for key, value in s.as_dict().items()}) for name, s in stats.items()]
    lines.append(readout({f"predicted {key}": value for key, value in predicted.as_dict().items()}))
    bands = ones_bands(rate, N)  # where 1024 outputs land 99.7 % of the time (ddof 0, as output_stats)
    lines.append(readout({f"±3σ band {key}": f"{low:.4g} – {high:.4g}" for key, (low, high) in
                          (("zero fraction", bands.zero_fraction), ("mean", bands.mean), ("std", bands.std))}))
    return "<br>\n".join(lines)


def _checks() -> tuple[Moves | Agrees, ...]:
    """How every framework's readout must follow the rate, and agree with the prediction."""
    checks: list[Moves | Agrees] = [Moves("predicted std", "rate", +1, "std = sqrt(rate / keep) grows with rate")]
    for name in FRAMEWORKS:
        checks += [
            Moves(f"{name} zero fraction", "rate", +1, "each unit is dropped with probability rate"),
            Moves(f"{name} std", "rate", +1, "std = sqrt(rate / keep) grows with rate"),
            Agrees(f"{name} zero fraction", "predicted zero fraction", 0.0,
                   "5 SE of a zero fraction of 1024 units: 5·sqrt(1/4096)", abs_tol=ZERO_TOL),
            Agrees(f"{name} mean", "predicted mean", MEAN_TOL, "5 SE of the mean of 1024 outputs (worst: rate 0.9)"),
            Agrees(f"{name} std", "predicted std", STD_TOL, "5 SE of the std of 1024 outputs (worst: rate 0.05)"),
        ]
    return tuple(checks)


@dashboard
def three_frameworks(size: int = SIZE) -> Dashboard:
    """Rate and seed sliders over a size x size ones input dropped by NumPy, PyTorch and Keras (lesson 01)."""
    # One figure whose titles and background are drawn once; a move redraws the three images.
    # Each framework's zero fraction is in the readout, beside its mean and std.
    draw = OutputsFigure(freeze=True)
    controls = {
        "rate": widgets.FloatSlider(value=0.5, min=0.0, max=MAX_RATE, step=STEP, description="rate"),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed"),
    }

    def render(rate: float, seed: int):
        outputs = ones_outputs(size, rate, seed)  # cached per setting: a revisited one is not recomputed
        stats = {name: output_stats(y) for name, y in outputs.items()}
        return draw(outputs), _readout(stats, predicted_stats(rate), rate), stats

    return Dashboard("The same dropout in NumPy, PyTorch and Keras (white = kept, black = dropped)", controls, render,
                     _checks())
