"""Dashboard: how sliders work, on a 20-unit dropout mask (lesson 00)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ...core import dropout_forward
from ...ui.dashboard import Dashboard, dashboard, readout
from ...ui.figures import plot_mask


@dashboard
def mask_demo(units: int = 20) -> Dashboard:
    """A rate slider over a mask of `units` units with the realised zero fraction (lesson 00)."""
    x = np.ones(units)
    controls = {
        "rate": widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05, description="rate"),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed"),
    }

    def render(rate: float, seed: int):
        out, mask = dropout_forward(x, rate, seed)
        zero_fraction = float(np.mean(out == 0))
        fig = plot_mask(mask, title=f"{int(units - mask.sum())} of {units} units dropped")
        html = readout({"rate": float(rate), "realised zero fraction": zero_fraction})
        return fig, html, {"mask": mask, "zero_fraction": zero_fraction}

    return Dashboard("A 20-unit dropout mask (white = kept, black = dropped)", controls, render)
