"""The distribution of dropout's output for one input value, with its mean (lesson 02)."""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..expectation import Histogram, Moments
from . import new_axes

SCALED, PLAIN = "tab:blue", "tab:orange"


def plot_output_histogram(rescaled: Histogram, plain: Histogram, with_scale: Moments,
                          without_scale: Moments, ax: Axes | None = None) -> Figure:
    """Output histograms with (blue) and without (orange) 1/(1-rate) rescaling, and their means (lesson 02)."""
    fig, ax = new_axes(ax)
    x, keep = with_scale.x, 1.0 - with_scale.rate
    ax.stairs(rescaled.fractions, rescaled.edges, fill=True, color=SCALED, alpha=0.5)
    ax.stairs(plain.fractions, plain.edges, color=PLAIN, linewidth=2)
    ax.axvline(with_scale.mean, color=SCALED, linewidth=2)
    ax.axvline(without_scale.mean, color=PLAIN, linestyle="--", linewidth=2)
    # Few, meaningful ticks (each label costs redraw time): 0, (1-rate)x, x, x/(1-rate).
    ticks = sorted({0.0, round(keep * x, 3), x, round(x / keep, 3)})
    ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks], fontsize=8)
    ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=8)
    ax.set_ylim(0, 1.05)
    # One short title instead of axis labels; the colour key is in the caller's caption.
    ax.set_title(f"fraction of outputs at each value, rate = {with_scale.rate:.2f}, x = {x:g}", fontsize=9)
    return fig
