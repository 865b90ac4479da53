"""Dashboard: one rate slider, the same input through NumPy, PyTorch and Keras (lesson 01)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import OutputStats, output_stats, outputs_by_framework
from .plots import plot_outputs


def _readout(stats: dict[str, OutputStats]) -> str:
    """One readout line per framework: zero fraction, mean, std."""
    lines = [readout({f"{name} {key}": value for key, value in s.as_dict().items()}) for name, s in stats.items()]
    return "<br>\n".join(lines)


@dashboard
def three_frameworks(size: int = 32) -> Dashboard:
    """Rate and seed sliders over a size x size ones input dropped by NumPy, PyTorch and Keras (lesson 01)."""
    x = np.ones((size, size), dtype=np.float32)
    controls = {
        "rate": widgets.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.05, description="rate"),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed"),
    }

    def render(rate: float, seed: int):
        outputs = outputs_by_framework(x, rate, seed=seed)
        stats = {name: output_stats(y) for name, y in outputs.items()}
        titles = {name: f"{name}: {s.zero_fraction:.0%} zeros" for name, s in stats.items()}
        return plot_outputs(outputs, titles), _readout(stats), stats

    return Dashboard("The same dropout in NumPy, PyTorch and Keras (white = kept, black = dropped)", controls, render)
