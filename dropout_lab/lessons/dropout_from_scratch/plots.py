"""Pictures of dropout outputs side by side, one per framework (lesson 01)."""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ...ui.figures import freeze_static, new_figure, plot_mask, show_mask_grid

__all__ = ["plot_mask", "plot_outputs", "OutputsFigure"]

# What moves (the images and the frames drawn on top of them) is stacked above everything else,
# so a figure drawn in full puts the same pixels on top as one whose frame was frozen.
MOVING = 6.0


class OutputsFigure:
    """Framework outputs side by side as grey images, drawn once and then redrawn in place (lesson 01).

    A dashboard keeps one and calls it on every slider move: only the images' data and their
    grey scale change, which skips building figure, axes and ticks again. With `freeze=True`
    the titles and the background are drawn once into a picture (ui.figures.freeze_static);
    the titles are then fixed.
    """

    def __init__(self, freeze: bool = False) -> None:
        self.figure: Figure | None = None
        self._freeze = freeze
        self._images: list = []
        self._axes: list = []
        self._titles: dict[str, str] = {}

    def __call__(self, outputs: dict[str, np.ndarray], titles: dict[str, str] | None = None) -> Figure:
        """Draw `outputs` (white = the largest value, black = 0) and return the one figure."""
        vmax = max(max(float(np.max(y)) for y in outputs.values()), 1e-12)  # survivors: 1/keep for ones input
        shown = {name: (titles or {}).get(name, name) for name in outputs}
        if self.figure is None or len(self._axes) != len(outputs):
            self._build(outputs, vmax, shown)
        elif self._freeze and shown != self._titles:
            raise ValueError(f"titles are fixed once the frame is frozen: built with {self._titles}, got {shown}")
        for ax, image, (name, y) in zip(self._axes, self._images, outputs.items()):
            image.set_data(np.asarray(y))
            image.set_clim(0.0, vmax)
            ax.set_title(shown[name], fontsize=9)
        return self.figure

    def _build(self, outputs: dict[str, np.ndarray], vmax: float, titles: dict[str, str]) -> None:
        self.figure, self._axes = new_figure(ncols=len(outputs), figsize=(6.4, 2.6))
        self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.08)
        moving = []
        for ax, (name, y) in zip(self._axes, outputs.items()):
            show_mask_grid(ax, np.asarray(y), vmax)
            ax.set_title(titles[name], fontsize=9)
            # The black frame, drawn over the image as the spines it replaces were.
            for spine in ax.spines.values():
                spine.set_visible(False)
            frame = ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, clip_on=False,
                                           edgecolor=matplotlib.rcParams["axes.edgecolor"],
                                           linewidth=matplotlib.rcParams["axes.linewidth"]))
            moving += [ax.images[0], frame]
        for i, artist in enumerate(moving):
            artist.set_zorder(MOVING + 0.01 * i)
        self._images = [ax.images[0] for ax in self._axes]
        self._titles = dict(titles)
        if self._freeze:
            freeze_static(self.figure, moving)


def plot_outputs(outputs: dict[str, np.ndarray], titles: dict[str, str] | None = None) -> Figure:
    """Each framework's dropout output side by side as a grey image (lesson 01)."""
    return OutputsFigure()(outputs, titles)
