"""Figures for lesson 08: which measurement catches which dropout bug, and what the bugs cost."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.transforms import Transform

from ...ui.figures import InPlaceFigure, freeze_static, new_axes
from .compute import EXHIBITS_OF, Symptoms, Z
from .cost import Costs

SHORT = ("zeros\n÷ rate", "training\nmean", "test\noutput", "test\nrepeats", "two calls\nagree ÷ q",
         "two rows\nagree ÷ q")
SYMPTOMS_SIZE = (6.4, 3.6)
_CELLS = ListedColormap([(0.88, 0.42, 0.36), (0.91, 0.94, 0.91)])  # 0: outside the band, 1: inside


def _label(name: str) -> str:
    exhibits = EXHIBITS_OF.get(name, ())
    return f"{name} ({', '.join(map(str, exhibits))})" if exhibits else name


@lru_cache(maxsize=1024)
def _stamp(text: str, fontsize: float, va: str, dpi: float) -> tuple[np.ndarray, int, int]:
    """`text` rendered once, centred at (ha) and `va` of an anchor pixel: (RGBA, bottom row first), dx, dy."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    width, height = 600, 40  # pixels: room for the title; the picture is cropped to the glyphs below
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    fig.patch.set_visible(False)
    fig.text(0.5, 0.5, text, ha="center", va=va, fontsize=fontsize)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())[::-1]  # bottom row first, as the renderer wants it
    rows, cols = np.nonzero(rgba[..., 3])
    if not len(rows):
        return np.zeros((1, 1, 4), np.uint8), 0, 0
    crop = rgba[rows.min():rows.max() + 1, cols.min():cols.max() + 1].copy()
    return crop, int(cols.min()) - width // 2, int(rows.min()) - height // 2


class _Stamps(Artist):
    """Short texts pasted as pictures rendered once per string: ~0.1 ms each instead of ~2 ms (lesson 08).

    Text layout and glyph rendering are most of a redraw; the grid's numbers take few distinct values
    ("0.50", "2.00", ...) and the title one per rate, so each is rendered once and pasted afterwards.
    Looks like ax.text(x, y, s, ha="center", va=va, fontsize=fontsize) (to within a sub-pixel shift).
    """

    zorder = 3  # where matplotlib draws texts

    def __init__(self, transform: Transform, positions: list[tuple[float, float]], fontsize: float,
                 va: str = "center") -> None:
        super().__init__()
        self.set_transform(transform)
        self.positions, self.fontsize, self.va = positions, fontsize, va
        self.texts = [""] * len(positions)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        gc = renderer.new_gc()
        points = self.get_transform().transform(self.positions)
        for (x, y), text in zip(points, self.texts):
            if text:
                picture, dx, dy = _stamp(text, self.fontsize, self.va, renderer.dpi)
                renderer.draw_image(gc, round(x) + dx, round(y) + dy, picture)
        gc.restore()


def _create_symptoms(ax: Axes, names: tuple[str, ...]):
    rows, cols = len(names), len(SHORT)
    mesh = ax.pcolormesh(np.ones((rows, cols)), cmap=_CELLS, vmin=0, vmax=1, edgecolors="white", linewidth=1)
    numbers = _Stamps(ax.transData, [(j + 0.5, i + 0.5) for i in range(rows) for j in range(cols)], 7)
    ax.add_artist(numbers)
    # Labels as plain texts on an axis-less grid: the tick machinery doubled the redraw time (measured).
    for j, label in enumerate(SHORT):
        ax.text(j + 0.5, rows + 0.15, label, ha="center", va="top", fontsize=7, clip_on=False)
    for i, name in enumerate(names):
        ax.text(-0.1, i + 0.5, _label(name), ha="right", va="center", fontsize=7, clip_on=False)
    ax.set(xlim=(0, cols), ylim=(rows, 0))   # first variant on top
    ax.set_axis_off()
    ax.figure.subplots_adjust(left=0.3, right=0.98, bottom=0.16, top=0.91)
    ax.set_title("", fontsize=9)  # where the title goes; it is drawn as a stamp (one per rate)
    title = _Stamps(ax.title.get_transform(), [ax.title.get_position()], 9, va="baseline")
    ax.add_artist(title)
    return mesh, numbers, title


def _update_symptoms(artists, symptoms: Symptoms) -> None:
    mesh, numbers, title = artists
    inside = symptoms.in_band()
    mesh.set_array(inside.astype(float).ravel())
    # numbers only where a check fires: fewer glyphs, a faster redraw
    numbers.texts = ["" if ok else f"{value:.2f}" for ok, value in zip(inside.ravel(), symptoms.values.ravel())]
    title.texts = [f"rate {symptoms.rate:.2f}: all six are 1 for correct dropout; red: outside its {Z:g}σ band"]


def plot_symptoms(symptoms: Symptoms, ax: Axes | None = None) -> Figure:
    """A grid, variants × six measurements, red where a measurement is outside a correct layer's band (lesson 08)."""
    fig, ax = new_axes(ax, figsize=SYMPTOMS_SIZE)
    _update_symptoms(_create_symptoms(ax, symptoms.names), symptoms)
    return fig


def _create_frozen_symptoms(ax: Axes, names: tuple[str, ...]):
    artists = _create_symptoms(ax, names)
    # The labels never change: drawn once into the frame; a redraw paints the grid, its numbers and the title.
    freeze_static(ax.figure, list(artists))
    return artists


def symptoms_figure(names: tuple[str, ...]) -> InPlaceFigure:
    """The dashboard's redraw-in-place version of plot_symptoms (same picture), its labels drawn once."""
    return InPlaceFigure(lambda ax: _create_frozen_symptoms(ax, names), _update_symptoms, figsize=SYMPTOMS_SIZE)


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
