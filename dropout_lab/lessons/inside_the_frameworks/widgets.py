"""Dashboard for lesson 04: which entries share a dropout coin under each noise_shape."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import NOISE_SHAPES, noise_shape_demo
from .plots import plot_noise_shape

SHAPE = (3, 10, 6)  # (batch, time, channels): small enough to see every entry


def _render(noise_shape: str, rate: float, seed: int):
    demo = noise_shape_demo(noise_shape, rate, seed, SHAPE)
    html = readout({"mask shape": str(demo.mask.shape), "independent coins": demo.draws,
                    "entries": demo.keep.size, "zero fraction": demo.zero_fraction})
    return plot_noise_shape(demo), html, demo


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
    return Dashboard(f"Shared masks on x of shape {SHAPE} (batch, time, channels)", controls, _render)
