"""Figure helpers every lesson's plots.py builds on: each plot takes data (and ax=None) and returns the Figure.

Figures are made with matplotlib.figure.Figure directly, not pyplot: nothing is shown
twice in a notebook and no global figure state is kept.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Modest size and dpi keep stored notebooks small (STYLE §8).
FIGSIZE = (6.4, 3.4)
DPI = 80
# Fixed margins instead of a layout engine: constrained layout doubles the redraw time
# of a dashboard (measured: ~85 ms vs ~45 ms per update), and sliders must feel instant.
MARGINS = dict(left=0.1, right=0.97, bottom=0.16, top=0.88, wspace=0.3, hspace=0.45)


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """Return (figure, axes): `ax`'s own figure when given, else a fresh one."""
    if ax is not None:
        return ax.figure, ax
    fig, (axes,) = new_figure(figsize=figsize)
    return fig, axes


def new_figure(ncols: int = 1, nrows: int = 1, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, list[Axes]]:
    """A fresh figure with a grid of axes, returned flat."""
    fig = Figure(figsize=figsize, dpi=DPI)
    fig.subplots_adjust(**MARGINS)
    # A fixed title height skips matplotlib's search for overlapping tick labels, and
    # fewer ticks mean fewer text artists: together ~35% off every dashboard redraw.
    with matplotlib.rc_context({"axes.titley": 1.0}):
        axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes:
        ax.locator_params(nbins=5)
    return fig, axes


class InPlaceFigure:
    """A figure drawn once by `create(ax) -> artists`, then redrawn by `update(artists, *data)`.

    Dashboards use it so that a slider move only changes artists' data and limits and
    skips building the figure, axes and ticks again, about half of a fresh redraw.
    The static plot function draws the same picture with the same create + update.
    """

    def __init__(self, create: Callable[[Axes], Any], update: Callable[..., None],
                 figsize: tuple[float, float] = FIGSIZE) -> None:
        self._create, self._update, self._figsize = create, update, figsize
        self.figure: Figure | None = None
        self._artists: Any = None

    def __call__(self, *data: Any) -> Figure:
        """Draw `data` into the one figure and return it."""
        if self.figure is None:
            self.figure, ax = new_axes(figsize=self._figsize)
            self._artists = self._create(ax)
        self._update(self._artists, *data)
        return self.figure


class _Picture(Artist):
    """A figure-sized RGBA picture pasted as it is: no resampling (unlike figimage), ~0.3 ms."""

    zorder = -1  # below everything the axes draw

    def __init__(self, rgba: np.ndarray) -> None:
        super().__init__()
        self.rgba = rgba[::-1].copy()  # the renderer wants the bottom row first

    def draw(self, renderer) -> None:
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self.rgba)
        gc.restore()


def freeze_static(figure: Figure, moving: list[Artist]) -> None:
    """Draw everything but `moving` once into a picture, then draw only the picture and `moving`.

    Text (tick labels, axis labels, fixed titles) is most of a dashboard redraw; a frame that never
    changes need not be re-rendered. Call it once, after the figure is built and its limits, ticks
    and labels are final: afterwards only the `moving` artists may change. The figure must then be
    saved at its own dpi (to_png does), or the picture would not line up.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    for artist in moving:
        artist.set_visible(False)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    frame = np.asarray(canvas.buffer_rgba()).copy()
    for artist in moving:
        artist.set_visible(True)
    for ax in figure.axes:
        ax.set_axis_off()        # spines, ticks, labels and the patch are in the picture now
        for child in ax.get_children():
            if child not in moving and child is not ax.patch:
                child.set_visible(False)
    figure.patch.set_visible(False)
    for text in figure.texts:
        if text not in moving:
            text.set_visible(False)
    figure.add_artist(_Picture(frame))


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (what a dashboard's Image shows)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()



def show_mask_grid(ax: Axes, values: np.ndarray, vmax: float = 1.0) -> None:
    """Draw a 1-D or 2-D array as grey squares: black = dropped (0), white = kept (lessons 00, 01)."""
    grid = values.reshape(1, -1) if values.ndim == 1 else values
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=max(vmax, 1e-12), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_mask(mask: np.ndarray, ax: Axes | None = None, title: str | None = None) -> Figure:
    """A keep-mask as a strip or grid of squares: white kept, black dropped (lessons 00, 01)."""
    fig, ax = new_axes(ax, figsize=(6.4, 1.2))
    show_mask_grid(ax, np.asarray(mask, dtype=float), 1.0)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
