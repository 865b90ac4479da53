"""Dashboard: how sliders work, on a 20-unit dropout mask (lesson 00)."""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from ...core import dropout_forward
from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import dropped_count_range
from .plots import mask_updater

# The realised zero fraction of n units has standard error sqrt(rate·keep/n) <= sqrt(1/(4n));
# at n = 20 that is 0.112, and 5 standard errors are 0.56: a wide tolerance, honestly so, since
# 20 units is a tiny sample (the readout's 95% range says the same in whole units).
UNITS = 20
AGREE_TOL = 5 * math.sqrt(0.25 / UNITS)


@dashboard
def mask_demo(units: int = UNITS) -> Dashboard:
    """A rate slider over a mask of `units` units: dropped units, the expected number and its 95% range (lesson 00)."""
    x = np.ones(units)
    draw = mask_updater(units)  # one figure for the dashboard's lifetime, redrawn in place
    controls = {
        "rate": widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05, description="rate"),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed"),
    }

    def render(rate: float, seed: int):
        out, mask = dropout_forward(x, rate, seed)
        dropped = int(units - mask.sum())
        zero_fraction = float(np.mean(out == 0))
        likely = dropped_count_range(rate, units, 0.025)
        fig = draw(mask, f"{dropped} of {units} units dropped")
        html = readout({"rate": float(rate), "dropped units": str(dropped), "expected": float(units * rate),
                        "95% range": f"{likely.low}–{likely.high}",
                        "realised zero fraction": zero_fraction, "predicted zero fraction": float(rate)})
        return fig, html, {"mask": mask, "zero_fraction": zero_fraction, "range": likely}

    checks = (
        Moves("realised zero fraction", "rate", +1, "each unit is dropped with probability rate"),
        Moves("predicted zero fraction", "rate", +1, "the expected zero fraction is the rate itself"),
        Agrees("realised zero fraction", "predicted zero fraction", 0.0,
               f"5 standard errors of a {units}-unit zero fraction: 5·sqrt(1/(4·{units})) = {AGREE_TOL:.2f}",
               abs_tol=AGREE_TOL),
    )
    return Dashboard(f"A {units}-unit dropout mask (white = kept, black = dropped)", controls, render, checks)
