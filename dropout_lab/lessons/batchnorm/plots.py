"""Figures for lesson 10: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import new_axes
from .compute import ZeroCount


def plot_zero_count(count: ZeroCount, ax: Axes | None = None) -> Figure:
    """The measured zero fraction as a bar, the predicted band shaded (lesson 10)."""
    fig, ax = new_axes(ax, figsize=(4.8, 2.6))
    ax.axhspan(*count.band, color="#9ecae1", alpha=0.6, lw=0)
    ax.bar([0], [count.zero_fraction], width=0.5, color="#3182bd")
    ax.set(xticks=[], ylim=(0, 1), ylabel="zero fraction",
           title=f"rate {count.rate:.2f}, n = {count.n:,}: band shaded")
    return fig
