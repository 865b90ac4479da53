"""Plots for lesson 03: realised zero fractions, their ±3σ band, and three ways to count zeros after a ReLU."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, ScalarFormatter
from matplotlib.transforms import ScaledTranslation

from ...ui.figures import InPlaceFigure, freeze_static, new_axes

if TYPE_CHECKING:
    from ...stats import ZeroFractionSweep
    from .compute import RateTrials, ReluCount

BAND_COLOUR = "#9ecae1"
EDGES = np.linspace(0.0, 1.0, 201)  # fixed bins, so a shrinking spread is visible as is
# Dashboards draw their unchanging frame once (ui.figures.freeze_static) and afterwards only
# what moves. What moves sits above every part of the frame (spines 2.5, legend 5), so the
# static plots, drawn in full, put the same pixels on top: the two pictures are identical.
MOVING = 6.0


def _few_ticks(ax: Axes) -> None:
    # Every tick label is rendered text; fewer of them keeps a dashboard redraw fast.
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(4))


def _title(ax: Axes, text: str) -> None:
    # An explicit y skips matplotlib's automatic title placement, which measures the
    # whole x axis on every draw (~15 ms of a dashboard redraw).
    ax.set_title(text, y=1.0, pad=4, fontsize=10)


class _YTicks:
    """The y axis' tick marks and labels as plain artists, which can move in a frozen figure (lesson 03).

    Drawn like matplotlib's own y ticks (same locator, formatter, sizes and placement), but
    the axis itself shows none, so that the frame around them can be drawn once.
    """

    def __init__(self, ax: Axes, nbins: int = 4, most: int = 8) -> None:
        rc = matplotlib.rcParams
        size, pad = rc["ytick.major.size"], rc["ytick.major.pad"]
        along = ax.get_yaxis_transform()  # x in axes units (0 = the left spine), y in data units
        self.marks = ax.plot([], [], linestyle="none", marker=TICKLEFT, markersize=size, color=rc["ytick.color"],
                             markeredgewidth=rc["ytick.major.width"], transform=along, clip_on=False)[0]
        beside = along + ScaledTranslation(-(size + pad) / 72, 0, ax.figure.dpi_scale_trans)
        self.labels = [ax.text(0, 0, "", transform=beside, ha="right", va="center_baseline",
                               fontsize=rc["ytick.labelsize"], clip_on=False) for _ in range(most)]
        self.locator = MaxNLocator(nbins)
        self.formatter = ScalarFormatter()
        self.formatter.set_axis(ax.yaxis)
        ax.set_yticks([])

    def artists(self) -> list[Artist]:
        """Everything the ticks draw."""
        return [self.marks, *self.labels]

    def set_zorder(self, zorder: float) -> None:
        for artist in self.artists():
            artist.set_zorder(zorder)

    def update(self, top: float) -> None:
        """Ticks for y limits (0, top), where matplotlib's locator would put them."""
        ticks = [t for t in self.locator.tick_values(0.0, top) if 0.0 <= t <= top * (1 + 1e-10)]
        self.marks.set_data(np.zeros(len(ticks)), ticks)
        for label, tick, text in zip(self.labels, ticks, self.formatter.format_ticks(ticks)):
            label.set(y=tick, text=text, visible=True)
        for label in self.labels[len(ticks):]:
            label.set_visible(False)


@dataclass(frozen=True)
class _BandedArtists:
    """What a new rate or n changes: the ±3σ band, the rate line, the data, the y ticks, the axes."""

    ax: Axes
    band: Rectangle
    rate_line: Line2D
    data: Artist
    yticks: _YTicks

    def moving(self) -> list[Artist]:
        """The artists an update changes, bottom to top."""
        return [self.band, self.data, self.rate_line, *self.yticks.artists()]


def _raise(artists: Sequence[Artist]) -> None:
    """Stack `artists` above the frame, keeping their order."""
    for i, artist in enumerate(artists):
        artist.set_zorder(MOVING + 0.01 * i)


def _create_hist(ax: Axes, freeze: bool = False) -> _BandedArtists:
    artists = _BandedArtists(ax, ax.axvspan(0, 0, color=BAND_COLOUR, alpha=0.5, lw=0),
                             ax.axvline(0, color="k", lw=1, ls="--"),
                             ax.stairs([0.0], [0.0, 1.0], fill=True, color="#3182bd"), _YTicks(ax))
    ax.set(xlim=(0, 1), xlabel="realised zero fraction (dashed line: rate)", ylabel="share of trials")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    # The y limits follow the data, so the y ticks are drawn by _YTicks; the label sits where
    # matplotlib would put it beside labels like "0.25".
    ax.yaxis.set_label_coords(-0.085, 0.5)
    # A fixed title, drawn once: n and rate are on the sliders, the band's edges in the readout.
    _title(ax, "shaded: the ±3σ band around the rate")
    _raise(artists.moving())
    if freeze:
        freeze_static(ax.figure, artists.moving())
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
    top = 1.05 * shares.max()
    artists.ax.set_ylim(0, top)
    artists.yticks.update(top)


def plot_zero_fraction_hist(trials: RateTrials, ax: Axes | None = None) -> Figure:
    """Histogram of realised zero fractions of RateTrials with the ±3σ band (lesson 03)."""
    fig, ax = new_axes(ax)
    _update_hist(_create_hist(ax), trials)
    return fig


def zero_fraction_hist_updater() -> InPlaceFigure:
    """A callable trials -> Figure drawing plot_zero_fraction_hist's picture in one figure, frame frozen (lesson 03)."""
    return InPlaceFigure(functools.partial(_create_hist, freeze=True), _update_hist)


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

    def moving(self) -> list[Artist]:
        """The artists an update changes, bottom to top."""
        return [*self.lines, *self.points]


def _create_counts(ax: Axes, freeze: bool = False) -> _CountArtists:
    styles = [(NAIVE, "o", "naive: all zeros / all units   z0 + (1 - z0)·rate"),
              (DIFFERENCE, "^", "after − before   (1 - z0)·rate"),
              (HONEST, "s", "honest: zeros among live units   rate")]
    lines = tuple(ax.plot([], [], color=colour, lw=1, label=label)[0] for colour, _, label in styles)
    points = tuple(ax.plot([], [], marker, color=colour, ms=5)[0] for colour, marker, _ in styles)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="share of zeros before dropout z0 (lines: predicted, marks: measured)",
           ylabel="zero count after dropout")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    _few_ticks(ax)
    _title(ax, "counting dropout's zeros")  # fixed, drawn once: the rate is on its slider and in the readout
    artists = _CountArtists(ax, lines, points)
    _raise(artists.moving())
    if freeze:
        freeze_static(ax.figure, artists.moving())
    return artists


def _update_counts(artists: _CountArtists, counts: Sequence[ReluCount]) -> None:
    rate = counts[0].rate
    predicted = (_Z + (1 - _Z) * rate, (1 - _Z) * rate, np.full_like(_Z, rate))
    z0 = [c.zero_before for c in counts]
    measured = ([c.naive for c in counts], [c.difference for c in counts], [c.honest for c in counts])
    for line, points, curve, values in zip(artists.lines, artists.points, predicted, measured):
        line.set_data(_Z, curve)
        points.set_data(z0, values)


def plot_zero_counts(counts: Sequence[ReluCount], ax: Axes | None = None) -> Figure:
    """Naive, after − before and honest zero counts (marks) against predictions (lines) as z0 grows (lesson 03)."""
    if not counts or len({c.rate for c in counts}) != 1:
        raise ValueError("counts must be a non-empty sequence of ReluCount at one rate")
    fig, ax = new_axes(ax)
    _update_counts(_create_counts(ax), counts)
    return fig


def zero_counts_updater() -> InPlaceFigure:
    """A callable counts -> Figure drawing plot_zero_counts' picture in one figure, frame frozen (lesson 03)."""
    return InPlaceFigure(functools.partial(_create_counts, freeze=True), _update_counts)
