"""The distribution of dropout's output for one input value, with its mean and ±1 std (lesson 02).

`plot_output_histogram` draws a fresh figure (static use). The dashboard uses an
`output_histogram_updater()` instead: it builds the figure once and afterwards only moves
the existing artists, which skips figure and axes construction on every slider move.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import StepPatch

from ...ui.figures import InPlaceFigure, new_axes
from .compute import Histogram, Moments

SCALED, PLAIN = "tab:blue", "tab:orange"


SPREAD_Y = {"scaled": 0.97, "plain": 0.9}  # heights of the ±1 std bars, in axes units of the share


@dataclass(frozen=True)
class _Artists:
    """What a new rate or x changes: two step outlines, two mean lines, two ±1 std bars, the axes."""

    ax: Axes
    scaled: StepPatch
    plain: StepPatch
    scaled_mean: Line2D
    plain_mean: Line2D
    scaled_spread: Line2D
    plain_spread: Line2D


def _create(ax: Axes) -> _Artists:
    """Empty artists in their final style; `_update` gives them data."""
    artists = _Artists(
        ax,
        ax.stairs([0.0], [0.0, 1.0], fill=True, color=SCALED, alpha=0.5),
        ax.stairs([0.0], [0.0, 1.0], color=PLAIN, linewidth=2),
        ax.axvline(0.0, color=SCALED, linewidth=2),
        ax.axvline(0.0, color=PLAIN, linestyle="--", linewidth=2),
        ax.plot([], [], color=SCALED, linewidth=3, marker="|", markersize=10)[0],
        ax.plot([], [], color=PLAIN, linewidth=3, marker="|", markersize=10)[0],
    )
    ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=8)
    ax.set_ylim(0, 1.05)
    return artists


def _update(artists: _Artists, rescaled: Histogram, plain: Histogram, with_scale: Moments,
            without_scale: Moments) -> None:
    """Move the artists to new histograms and means; set the limits autoscaling would have."""
    ax, x, keep = artists.ax, with_scale.x, 1.0 - with_scale.rate
    artists.scaled.set_data(rescaled.fractions, rescaled.edges)
    artists.plain.set_data(plain.fractions, plain.edges)
    artists.scaled_mean.set_xdata([with_scale.mean, with_scale.mean])
    artists.plain_mean.set_xdata([without_scale.mean, without_scale.mean])
    for line, moments, height in ((artists.scaled_spread, with_scale, SPREAD_Y["scaled"]),
                                  (artists.plain_spread, without_scale, SPREAD_Y["plain"])):
        sd = moments.var ** 0.5  # measured std: the bar spans mean ± 1 std
        line.set_data([moments.mean - sd, moments.mean + sd], [height, height])
    sd = with_scale.var ** 0.5
    low = min(rescaled.edges[0], plain.edges[0], with_scale.mean - sd)
    high = max(rescaled.edges[-1], plain.edges[-1], with_scale.mean + sd)
    pad = 0.05 * (high - low)  # matplotlib's default x margin
    ax.set_xlim(low - pad, high + pad)
    # Few, meaningful ticks (each label costs redraw time): 0, (1-rate)x, x, x/(1-rate).
    ticks = sorted({0.0, round(keep * x, 3), x, round(x / keep, 3)})
    ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks], fontsize=8)
    # One short title instead of axis labels (every glyph costs redraw time); the colour
    # key is in the caller's caption.
    ax.set_title(f"share of outputs, rate = {with_scale.rate:.2f}, x = {x:g}", fontsize=9)


def plot_output_histogram(rescaled: Histogram, plain: Histogram, with_scale: Moments,
                          without_scale: Moments, ax: Axes | None = None) -> Figure:
    """Output histograms with (blue) and without (orange) 1/(1-rate) rescaling, their means and ±1 std (lesson 02)."""
    fig, ax = new_axes(ax)
    _update(_create(ax), rescaled, plain, with_scale, without_scale)
    return fig


def output_histogram_updater() -> InPlaceFigure:
    """A callable drawing plot_output_histogram's picture into one figure, in place (lesson 02)."""
    return InPlaceFigure(_create, _update)
