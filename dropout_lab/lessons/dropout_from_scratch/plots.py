"""Pictures of dropout outputs side by side, one per framework (lesson 01)."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...ui.figures import new_figure, plot_mask, show_mask_grid

__all__ = ["plot_mask", "plot_outputs", "OutputsFigure"]


class OutputsFigure:
    """Framework outputs side by side as grey images, drawn once and then redrawn in place (lesson 01).

    A dashboard keeps one and calls it on every slider move: only the images' data, their
    grey scale and the titles change, which skips building figure, axes and ticks again.
    """

    def __init__(self) -> None:
        self.figure: Figure | None = None
        self._images: list = []
        self._axes: list = []

    def __call__(self, outputs: dict[str, np.ndarray], titles: dict[str, str] | None = None) -> Figure:
        """Draw `outputs` (white = the largest value, black = 0) and return the one figure."""
        vmax = max(max(float(np.max(y)) for y in outputs.values()), 1e-12)  # survivors: 1/keep for ones input
        if self.figure is None or len(self._axes) != len(outputs):
            self.figure, self._axes = new_figure(ncols=len(outputs), figsize=(6.4, 2.6))
            self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.08)
            for ax, y in zip(self._axes, outputs.values()):
                show_mask_grid(ax, np.asarray(y), vmax)
            self._images = [ax.images[0] for ax in self._axes]
        for ax, image, (name, y) in zip(self._axes, self._images, outputs.items()):
            image.set_data(np.asarray(y))
            image.set_clim(0.0, vmax)
            ax.set_title((titles or {}).get(name, name), fontsize=9)
        return self.figure


def plot_outputs(outputs: dict[str, np.ndarray], titles: dict[str, str] | None = None) -> Figure:
    """Each framework's dropout output side by side as a grey image (lesson 01)."""
    return OutputsFigure()(outputs, titles)
