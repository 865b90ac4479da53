"""Figures for lesson 08: which measurement catches which dropout bug, and what the bugs cost."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ...ui.figures import InPlaceFigure, new_axes
from .compute import EXHIBITS_OF, Symptoms, Z
from .cost import Costs

SHORT = ("zeros\n÷ rate", "training\nmean", "test\noutput", "test\nrepeats", "two calls\nagree ÷ q",
         "two rows\nagree ÷ q")
SYMPTOMS_SIZE = (6.4, 3.6)
_CELLS = ListedColormap([(0.88, 0.42, 0.36), (0.91, 0.94, 0.91)])  # 0: outside the band, 1: inside


def _label(name: str) -> str:
    exhibits = EXHIBITS_OF.get(name, ())
    return f"{name} ({', '.join(map(str, exhibits))})" if exhibits else name


def _create_symptoms(ax: Axes, names: tuple[str, ...]):
    rows, cols = len(names), len(SHORT)
    mesh = ax.pcolormesh(np.ones((rows, cols)), cmap=_CELLS, vmin=0, vmax=1, edgecolors="white", linewidth=1)
    texts = [[ax.text(j + 0.5, i + 0.5, "", ha="center", va="center", fontsize=7) for j in range(cols)]
             for i in range(rows)]
    # Labels as plain texts on an axis-less grid: the tick machinery doubled the redraw time (measured).
    for j, label in enumerate(SHORT):
        ax.text(j + 0.5, rows + 0.15, label, ha="center", va="top", fontsize=7, clip_on=False)
    for i, name in enumerate(names):
        ax.text(-0.1, i + 0.5, _label(name), ha="right", va="center", fontsize=7, clip_on=False)
    ax.set(xlim=(0, cols), ylim=(rows, 0))   # first variant on top
    ax.set_axis_off()
    ax.figure.subplots_adjust(left=0.3, right=0.98, bottom=0.16, top=0.91)
    title = ax.set_title("", fontsize=9)
    return mesh, texts, title


def _update_symptoms(artists, symptoms: Symptoms) -> None:
    mesh, texts, title = artists
    inside = symptoms.in_band()
    mesh.set_array(inside.astype(float).ravel())
    for i, row in enumerate(texts):
        for j, text in enumerate(row):  # numbers only where a check fires: fewer glyphs, a faster redraw
            text.set_text("" if inside[i, j] else f"{symptoms.values[i, j]:.2f}")
    title.set_text(f"rate {symptoms.rate:.2f}: all six are 1 for correct dropout; red: outside its {Z:g}σ band")


def plot_symptoms(symptoms: Symptoms, ax: Axes | None = None) -> Figure:
    """A grid, variants × six measurements, red where a measurement is outside a correct layer's band (lesson 08)."""
    fig, ax = new_axes(ax, figsize=SYMPTOMS_SIZE)
    _update_symptoms(_create_symptoms(ax, symptoms.names), symptoms)
    return fig


def symptoms_figure(names: tuple[str, ...]) -> InPlaceFigure:
    """The dashboard's redraw-in-place version of plot_symptoms (same picture)."""
    return InPlaceFigure(lambda ax: _create_symptoms(ax, names), _update_symptoms, figsize=SYMPTOMS_SIZE)


def plot_costs(costs: Costs, ax: Axes | None = None) -> Figure:
    """Test error of every variant, one dot per seed and the mean, lines joining each seed's runs (lesson 08)."""
    fig, ax = new_axes(ax, figsize=(6.4, 3.0))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.17, top=0.88)
    x = np.arange(len(costs.names))
    for s in range(len(costs.seeds)):  # paired: the same seed's networks, joined
        ax.plot(x, 100 * costs.errors[:, s], color="0.75", lw=0.8, marker="o", ms=3, zorder=1)
    ax.scatter(x, 100 * costs.errors.mean(axis=1), color=(0.12, 0.47, 0.71), s=40, zorder=2, label="mean over seeds")
    ax.set_xticks(x, costs.names, fontsize=8)
    ax.set_ylabel("test error (%)")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"digits, {len(costs.seeds)} seeds (grey: one seed's five networks)", fontsize=9)
    return fig
