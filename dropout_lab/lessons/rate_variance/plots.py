"""Plots for lesson 03: realised zero fractions, their ±3σ band, and the naive-count bias."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ...stats import binomial_band
from ...ui.figures import InPlaceFigure, new_axes

if TYPE_CHECKING:
    from ...stats import ZeroFractionSweep
    from .compute import RateTrials

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


def _create_wobble(ax: Axes) -> _BandedArtists:
    artists = _BandedArtists(ax, ax.axhspan(0, 0, color=BAND_COLOUR, alpha=0.5, lw=0),
                             ax.axhline(0, color="k", lw=1, ls="--"),
                             ax.plot([], [], color="#3182bd", lw=1)[0])
    ax.set(xlabel="forward pass", ylabel="zero fraction")
    _few_ticks(ax)
    return artists


def _update_wobble(artists: _BandedArtists, fractions: np.ndarray, rate: float, n: int,
                   window: float) -> None:
    low, high = binomial_band(rate, n)
    artists.band.set_y(low)
    artists.band.set_height(high - low)
    artists.rate_line.set_ydata([rate, rate])
    artists.data.set_data(np.arange(1, len(fractions) + 1), fractions)
    artists.ax.set(ylim=(max(0.0, rate - window), min(1.0, rate + window)), xlim=(1, len(fractions)))
    _title(artists.ax, f"{len(fractions)} forward passes through {n:,} units at rate {rate:.2f} (shaded: ±3σ)")


def plot_wobble(fractions: np.ndarray, rate: float, n: int,
                ax: Axes | None = None, window: float = 0.25) -> Figure:
    """Zero fraction of successive forward passes through n units, with the ±3σ band (lesson 03)."""
    fig, ax = new_axes(ax)
    _update_wobble(_create_wobble(ax), fractions, rate, n, window)
    return fig


def zero_fraction_hist_updater() -> InPlaceFigure:
    """A callable trials -> Figure drawing plot_zero_fraction_hist's picture in one figure (lesson 03)."""
    return InPlaceFigure(_create_hist, _update_hist)


def wobble_updater() -> InPlaceFigure:
    """A callable (fractions, rate, n, window) -> Figure drawing plot_wobble's picture in one figure (lesson 03)."""
    return InPlaceFigure(_create_wobble, _update_wobble)


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


def plot_naive_bias(zero_before: np.ndarray, naive: np.ndarray, correct: np.ndarray,
                    rate: float, ax: Axes | None = None) -> Figure:
    """Naive vs correct zero counts after dropout as the input's own zero share grows (lesson 03)."""
    fig, ax = new_axes(ax)
    z = np.linspace(0, 1, 101)
    ax.plot(z, z + (1 - z) * rate, color="#de2d26", lw=1, label="z0 + (1 - z0)·rate")
    ax.plot(zero_before, naive, "o", color="#de2d26", ms=4, label="naive count (measured)")
    ax.axhline(rate, color="k", lw=1, ls="--", label="rate")
    ax.plot(zero_before, correct, "s", color="#3182bd", ms=4, label="count among non-zero inputs")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="zero share before dropout z0",
           ylabel="zero fraction after", title=f"counting zeros at rate {rate:.2f}")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return fig
