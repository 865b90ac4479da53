"""Dashboards for lesson 10: controls wired to compute + plots, nothing else."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import zero_count
from .plots import plot_zero_count


def _render(rate: float, seed: int):
    count = zero_count(rate, seed=seed)
    html = readout({"zero fraction": count.zero_fraction, "rate (predicted)": float(rate),
                    "band": f"[{count.band[0]:.3f}, {count.band[1]:.3f}]"})
    return plot_zero_count(count), html, count


@dashboard
def zero_count_dashboard() -> Dashboard:
    """A rate slider over one dropout pass of 10 000 ones (lesson 10)."""
    controls = {
        "rate": widgets.FloatSlider(value=0.3, min=0.0, max=0.9, step=0.05, description="rate",
                                    continuous_update=False),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False),
    }
    return Dashboard("Zero fraction of one dropout pass", controls, _render)
