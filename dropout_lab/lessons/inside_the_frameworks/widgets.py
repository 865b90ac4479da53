"""Dashboard for lesson 04: which entries share a dropout coin under each noise_shape."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import NOISE_SHAPES, noise_shape_demo
from .plots import noise_shape_updater

SHAPE = (3, 10, 6)  # (batch, time, channels): small enough to see every entry
MASKS = 2000        # independent masks behind the averaged zero fraction
MEAN_LABEL = f"zero fraction, mean of {MASKS} masks"
# The mean zero fraction of MASKS masks has standard deviation sqrt(rate·keep / (coins·MASKS)) <=
# sqrt(0.25 / (3·2000)) = 0.0065 for the fewest coins (3, one per sample): 5 standard errors = 0.032.
MEAN_TOLERANCE = 0.035


def _render(noise_shape: str, rate: float, seed: int, draw):
    demo = noise_shape_demo(noise_shape, rate, seed, SHAPE, masks=MASKS)  # cached per setting
    html = readout({"mask shape": str(demo.mask.shape), "independent coins": demo.draws,
                    "entries per coin": demo.keep.size // demo.draws, "zero fraction (this mask)": demo.zero_fraction,
                    MEAN_LABEL: demo.mean_zero_fraction, "predicted zero fraction (= rate)": float(rate)})
    return draw(demo), html, demo


@dashboard
def noise_shape_explorer() -> Dashboard:
    """noise_shape choice, rate and seed → the mask on a (batch, time, channels) input (lesson 04)."""
    controls = {
        "noise_shape": widgets.Dropdown(options=list(NOISE_SHAPES), value="shared over time (B, 1, C)",
                                        description="noise_shape"),
        "rate": widgets.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.1, description="rate",
                                    continuous_update=False, readout_format=".1f"),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False),
    }
    checks = (
        Moves(MEAN_LABEL, "rate", +1, "every entry is dropped with probability rate, whatever the noise shape"),
        Agrees(MEAN_LABEL, "predicted zero fraction (= rate)", 0.0,
               "sharing a coin changes how much one mask wobbles, not what it drops on average "
               f"(tolerance: 5 standard errors of {MASKS} masks of 3 coins)", abs_tol=MEAN_TOLERANCE),
    )
    draw = noise_shape_updater(SHAPE)  # one figure, its frame drawn once; a move redraws the mask and title
    return Dashboard(f"Shared masks on x of shape {SHAPE} (batch, time, channels)", controls,
                     lambda noise_shape, rate, seed: _render(noise_shape, rate, seed, draw), checks)
