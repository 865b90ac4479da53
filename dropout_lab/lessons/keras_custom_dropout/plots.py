"""Plots for lesson 05: training curves with / without the custom dropout, and a layer's output values."""
from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from ...ui.figures import new_axes, new_figure

COLOURS = {"with dropout": "tab:red", "no dropout": "tab:blue"}


def plot_curves(curves: dict, axes: list[Axes] | None = None) -> Figure:
    """Training (solid) and validation (dashed) loss and accuracy per epoch, per model (lesson 05)."""
    if axes is None:
        fig, axes = new_figure(ncols=2, figsize=(9.6, 3.4))
    fig = axes[0].figure
    loss_ax, acc_ax = axes
    for name, c in curves.items():
        colour = COLOURS.get(name)
        loss_ax.plot(c.epochs, c.loss, color=colour, label=f"{name}: train (fit, dropout on)" if name == "with dropout"
                     else f"{name}: train")
        loss_ax.plot(c.epochs, c.val_loss, color=colour, linestyle="--", label=f"{name}: validation")
        acc_ax.plot(c.epochs, c.accuracy, color=colour)
        acc_ax.plot(c.epochs, c.val_accuracy, color=colour, linestyle="--")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss (cross-entropy + L2)")
    loss_ax.legend(fontsize=7)
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_title("solid: train · dashed: validation", fontsize=9)
    return fig


# Fixed axes for every layer and rate the lesson shows: the largest output is 1/rate = 20 (the
# ÷ rate bug at rate 0.05), so the x-range never has to change and the frame can be drawn once.
X_RANGE = (-0.5, 21.0)
EXPECTED_WIDTH, LAYER_WIDTH = 0.7, 0.35  # bar widths in output units


def _bars(values, heights, width: float) -> list[np.ndarray]:
    """One rectangle (4 corners) per bar, centred on its value: the vertices of a PolyCollection."""
    return [np.array([[v - width / 2, 0.0], [v - width / 2, h], [v + width / 2, h], [v + width / 2, 0.0]])
            for v, h in zip(values, heights)]


def _expected(rate: float) -> tuple[list[float], list[float]]:
    """What correct inverted dropout gives on ones: a share `rate` of zeros, the rest at 1/keep."""
    keep = 1.0 - rate
    return ([0.0, 1.0 / keep], [rate, keep]) if keep > 0 else ([0.0], [1.0])


class OutputStatsView:
    """Lesson 05's output-value figure, built once and then updated in place (lesson 05).

    `update(stats)` only changes the data of a few artists and returns the same Figure.
    With `freeze=True` (the dashboard) the frame, ticks and labels, which never change, are
    drawn once into a picture (a figimage) and the axes stop drawing them: text is most of
    the cost of a redraw here. A frozen figure must be saved at its own dpi, as
    `plots.to_png` does; at another dpi the picture would not line up.
    """

    def __init__(self, ax: Axes | None = None, legend: bool = True, freeze: bool = False,
                 title: bool = True) -> None:
        if freeze and (ax is not None or legend):
            raise ValueError("freeze=True needs a figure of its own without a legend (ax=None, legend=False)")
        self.figure, self.ax = new_axes(ax)
        self._freeze_pending = freeze
        self._show_title = title  # a dashboard's readout already prints the numbers; glyphs cost ~5 ms
        ax = self.ax
        ax.set_xlim(*X_RANGE)
        ax.set_ylim(0, 1)
        ax.set_xticks([0, 1, 5, 10, 15, 20])  # few ticks: text is the costly part of a redraw
        ax.set_yticks([0, 0.5, 1])
        ax.set_xlabel("output value (input: all ones)")
        ax.set_ylabel("share of units")
        self.input_line = ax.axvline(1.0, color="black", linestyle=":", linewidth=1,
                                     label="input value (mean to preserve)")
        self.layer = ax.add_collection(PolyCollection([], facecolors="tab:orange", alpha=0.8, label="this layer"))
        self.expected = ax.add_collection(PolyCollection([], facecolors="none", edgecolors="black", linewidths=1.5,
                                                         label="correct: rate zeros, keep at 1/keep"))
        self.mean = ax.axvline(1.0, color="tab:orange", linewidth=2, label="output mean")
        self.title = ax.set_title("", fontsize=9)
        if legend:
            ax.legend(fontsize=8, loc="upper right")

    def update(self, stats, title: str | None = None) -> Figure:
        """Show `stats` (an `OutputStats`): bars, expected outline, mean line and title (lesson 05)."""
        self.expected.set_verts(_bars(*_expected(stats.rate), EXPECTED_WIDTH))
        self.layer.set_verts(_bars(stats.values, stats.fractions, LAYER_WIDTH))
        self.mean.set_xdata([stats.mean, stats.mean])
        if self._show_title:
            self.title.set_text(f"rate {stats.rate:.2f}: output mean {stats.mean:.3f}" if title is None else title)
        if self._freeze_pending:
            self._freeze_frame()
        return self.figure

    def _freeze_frame(self) -> None:
        """Draw the unchanging parts once into a picture and stop drawing them one by one."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        moving = (self.expected, self.layer, self.mean, self.title)
        for artist in moving:
            artist.set_visible(False)
        canvas = FigureCanvasAgg(self.figure)
        canvas.draw()
        frame = np.asarray(canvas.buffer_rgba()).copy()
        for artist in moving:
            artist.set_visible(True)
        self.ax.set_axis_off()            # spines, ticks, tick labels and axis labels are in the picture
        self.input_line.set_visible(False)
        self.figure.add_artist(_Picture(frame))
        self._freeze_pending = False


class _Picture(Artist):
    """A figure-sized RGBA picture pasted as is: no resampling, unlike figimage (~0.3 ms vs ~8 ms)."""

    zorder = -1  # below everything the axes draw

    def __init__(self, rgba: np.ndarray) -> None:
        super().__init__()
        self.rgba = rgba[::-1].copy()  # the renderer wants the bottom row first

    def draw(self, renderer) -> None:
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self.rgba)
        gc.restore()


def plot_output_stats(stats, ax: Axes | None = None, legend: bool = True) -> Figure:
    """Share of units at each output value for ones(n), next to what correct dropout gives (lesson 05)."""
    return OutputStatsView(ax, legend=legend).update(stats)
