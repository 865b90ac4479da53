"""The distribution of dropout's output for one input value, with its mean and ±1 std (lesson 02).

`plot_output_histogram` draws a fresh figure (static use). The dashboard uses an
`output_histogram_updater()` instead: it builds the figure once, draws its unchanging frame
(y axis, spines, title) once into a picture, and afterwards only moves the artists that
change, which skips figure construction and most of the text on every slider move.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN, Line2D
from matplotlib.patches import StepPatch
from matplotlib.transforms import ScaledTranslation

from ...ui.figures import InPlaceFigure, freeze_static, new_axes
from .compute import Histogram, Moments

SCALED, PLAIN = "tab:blue", "tab:orange"
TICK_FONTSIZE = 8

SPREAD_Y = {"scaled": 0.97, "plain": 0.9}  # heights of the ±1 std bars, in axes units of the share
# What moves is stacked above every part of the frame (spines: zorder 2.5), so the static plot,
# drawn in full, puts the same pixels on top as the dashboard's frozen frame: identical pictures.
MOVING = 6.0


class _XTicks:
    """Tick marks and labels under the x axis as plain artists, which can move in a frozen figure (lesson 02).

    Drawn as matplotlib draws x ticks (sizes, pad, placement), but the axis itself shows none.
    """

    def __init__(self, ax: Axes, most: int = 4) -> None:
        rc = matplotlib.rcParams
        size, pad = rc["xtick.major.size"], rc["xtick.major.pad"]
        along = ax.get_xaxis_transform()  # x in data units, y in axes units (0 = the bottom spine)
        self.marks = ax.plot([], [], linestyle="none", marker=TICKDOWN, markersize=size, color=rc["xtick.color"],
                             markeredgewidth=rc["xtick.major.width"], transform=along, clip_on=False)[0]
        below = along + ScaledTranslation(0, -(size + pad) / 72, ax.figure.dpi_scale_trans)
        self.labels = [ax.text(0, 0, "", transform=below, ha="center", va="top", fontsize=TICK_FONTSIZE,
                               clip_on=False) for _ in range(most)]
        ax.set_xticks([])

    def artists(self) -> list[Artist]:
        """Everything the ticks draw."""
        return [self.marks, *self.labels]

    def update(self, ticks: list[float], labels: list[str]) -> None:
        """Show `labels` at the data positions `ticks`."""
        self.marks.set_data(ticks, np.zeros(len(ticks)))
        for text, tick, label in zip(self.labels, ticks, labels):
            text.set(x=tick, text=label, visible=True)
        for text in self.labels[len(ticks):]:
            text.set_visible(False)


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
    xticks: _XTicks

    def moving(self) -> list[Artist]:
        """The artists an update changes, bottom to top (the order a full draw puts them in)."""
        return [self.scaled, self.plain, self.scaled_mean, self.plain_mean, self.scaled_spread,
                self.plain_spread, *self.xticks.artists()]


def _create(ax: Axes, freeze: bool = False) -> _Artists:
    """Empty artists in their final style; `_update` gives them data. `freeze`: draw the frame once."""
    artists = _Artists(
        ax,
        ax.stairs([0.0], [0.0, 1.0], fill=True, color=SCALED, alpha=0.5),
        ax.stairs([0.0], [0.0, 1.0], color=PLAIN, linewidth=2),
        ax.axvline(0.0, color=SCALED, linewidth=2),
        ax.axvline(0.0, color=PLAIN, linestyle="--", linewidth=2),
        ax.plot([], [], color=SCALED, linewidth=3, marker="|", markersize=10)[0],
        ax.plot([], [], color=PLAIN, linewidth=3, marker="|", markersize=10)[0],
        _XTicks(ax),
    )
    ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=TICK_FONTSIZE)
    ax.set_ylim(0, 1.05)
    # One short, fixed title instead of axis labels (every glyph costs redraw time); rate and x
    # are on the sliders, and the colour key is in the caller's caption.
    ax.set_title("share of outputs", fontsize=9)
    for i, artist in enumerate(artists.moving()):
        artist.set_zorder(MOVING + 0.01 * i)
    if freeze:
        freeze_static(ax.figure, artists.moving())
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
    artists.xticks.update(ticks, [f"{t:.3g}" for t in ticks])


def plot_output_histogram(rescaled: Histogram, plain: Histogram, with_scale: Moments,
                          without_scale: Moments, ax: Axes | None = None) -> Figure:
    """Output histograms with (blue) and without (orange) 1/(1-rate) rescaling, their means and ±1 std (lesson 02)."""
    fig, ax = new_axes(ax)
    _update(_create(ax), rescaled, plain, with_scale, without_scale)
    return fig


def output_histogram_updater() -> InPlaceFigure:
    """A callable drawing plot_output_histogram's picture into one figure, in place, frame frozen (lesson 02)."""
    return InPlaceFigure(functools.partial(_create, freeze=True), _update)
