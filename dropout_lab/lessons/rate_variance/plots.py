"""Plots for lesson 03: realised zero fractions, their ±3σ band, and three ways to count zeros after a ReLU."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ...ui.figures import InPlaceFigure, new_axes

if TYPE_CHECKING:
    from ...stats import ZeroFractionSweep
    from .compute import RateTrials, ReluCount

BAND_COLOUR = "#9ecae1"
EDGES = np.linspace(0.0, 1.0, 201)  # fixed bins, so a shrinking spread is visible as is


def _few_ticks(ax: Axes) -> None:
    # Every tick label is rendered text; fewer of them keeps a dashboard redraw fast.
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(4))


def _title(ax: Axes, text: str) -> None:
    # An explicit y skips matplotlib's automatic title placement, which measures the
    # whole x axis on every draw (~15 ms of a dashboard redraw).
    ax.set_title(text, y=1.0, pad=4, fontsize=10)


@dataclass(frozen=True)
class _BandedArtists:
    """What a new rate or n changes: the ±3σ band, the rate line, the data, the axes."""

    ax: Axes
    band: Rectangle
    rate_line: Line2D
    data: Artist


def _create_hist(ax: Axes) -> _BandedArtists:
    artists = _BandedArtists(ax, ax.axvspan(0, 0, color=BAND_COLOUR, alpha=0.5, lw=0),
                             ax.axvline(0, color="k", lw=1, ls="--"),
                             ax.stairs([0.0], [0.0, 1.0], fill=True, color="#3182bd"))
    ax.set(xlim=(0, 1), xlabel="realised zero fraction (dashed line: rate)", ylabel="share of trials")
    _few_ticks(ax)
    return artists


def _update_hist(artists: _BandedArtists, trials: RateTrials) -> None:
    n, rate = trials.n, trials.rate
    # Small n: one bin per possible count k/n; large n: fixed bins over [0, 1].
    edges = (np.arange(n + 2) - 0.5) / n if n <= 200 else EDGES
    counts, _ = np.histogram(trials.fractions, bins=edges)
    used = np.flatnonzero(counts)  # draw only the occupied bins: fewer vertices, faster redraw
    first, last = used[0], used[-1] + 1
    shares = counts[first:last] / counts.sum()
    low, high = trials.band
    artists.band.set_x(low)
    artists.band.set_width(high - low)
    artists.rate_line.set_xdata([rate, rate])
    artists.data.set_data(shares, edges[first:last + 1])
    artists.ax.set_ylim(0, 1.05 * shares.max())
    _title(artists.ax, f"n = {n:,}, rate {rate:.2f}: shaded ±3σ = ±{3 * trials.predicted_std:.4f}")


def plot_zero_fraction_hist(trials: RateTrials, ax: Axes | None = None) -> Figure:
    """Histogram of realised zero fractions of RateTrials with the ±3σ band (lesson 03)."""
    fig, ax = new_axes(ax)
    _update_hist(_create_hist(ax), trials)
    return fig


def zero_fraction_hist_updater() -> InPlaceFigure:
    """A callable trials -> Figure drawing plot_zero_fraction_hist's picture in one figure (lesson 03)."""
    return InPlaceFigure(_create_hist, _update_hist)


def plot_spread_vs_n(sweep: ZeroFractionSweep, ax: Axes | None = None) -> Figure:
    """Measured spread of the zero fraction vs n (log-log) against sqrt(rate(1-rate)/n) (lesson 03)."""
    fig, ax = new_axes(ax)
    measured, predicted = sweep.spread(), sweep.predicted_spread()
    for i, rate in enumerate(sweep.rates):
        line, = ax.plot(sweep.ns, predicted[i], lw=1)
        ax.plot(sweep.ns, measured[i], "o", color=line.get_color(), ms=4, label=f"rate {rate:.2f}")
    ax.set(xscale="log", yscale="log", xlabel="units n", ylabel="std of zero fraction",
           title="measured (dots) vs sqrt(rate(1-rate)/n) (lines): slope -1/2")
    ax.legend(fontsize=8, frameon=False)
    return fig



NAIVE, DIFFERENCE, HONEST = "#de2d26", "#fd8d3c", "#3182bd"
_Z = np.linspace(0.0, 1.0, 101)


@dataclass(frozen=True)
class _CountArtists:
    """The three predicted lines and their measured points, as the rate or z0 changes."""

    ax: Axes
    lines: tuple[Line2D, Line2D, Line2D]
    points: tuple[Line2D, Line2D, Line2D]


def _create_counts(ax: Axes) -> _CountArtists:
    styles = [(NAIVE, "o", "naive: all zeros / all units   z0 + (1 - z0)·rate"),
              (DIFFERENCE, "^", "after − before   (1 - z0)·rate"),
              (HONEST, "s", "honest: zeros among live units   rate")]
    lines = tuple(ax.plot([], [], color=colour, lw=1, label=label)[0] for colour, _, label in styles)
    points = tuple(ax.plot([], [], marker, color=colour, ms=5)[0] for colour, marker, _ in styles)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="share of zeros before dropout z0 (lines: predicted, marks: measured)",
           ylabel="zero count after dropout")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    _few_ticks(ax)
    return _CountArtists(ax, lines, points)


def _update_counts(artists: _CountArtists, counts: Sequence[ReluCount]) -> None:
    rate = counts[0].rate
    predicted = (_Z + (1 - _Z) * rate, (1 - _Z) * rate, np.full_like(_Z, rate))
    z0 = [c.zero_before for c in counts]
    measured = ([c.naive for c in counts], [c.difference for c in counts], [c.honest for c in counts])
    for line, points, curve, values in zip(artists.lines, artists.points, predicted, measured):
        line.set_data(_Z, curve)
        points.set_data(z0, values)
    _title(artists.ax, f"counting dropout's zeros at rate {rate:.2f}")


def plot_zero_counts(counts: Sequence[ReluCount], ax: Axes | None = None) -> Figure:
    """Naive, after − before and honest zero counts (marks) against predictions (lines) as z0 grows (lesson 03)."""
    if not counts or len({c.rate for c in counts}) != 1:
        raise ValueError("counts must be a non-empty sequence of ReluCount at one rate")
    fig, ax = new_axes(ax)
    _update_counts(_create_counts(ax), counts)
    return fig


def zero_counts_updater() -> InPlaceFigure:
    """A callable counts -> Figure drawing plot_zero_counts' picture in one figure (lesson 03)."""
    return InPlaceFigure(_create_counts, _update_counts)
