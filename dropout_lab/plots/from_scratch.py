"""Pictures of dropout masks and outputs (lessons 00, 01)."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import new_axes, new_figure


def _show_grid(ax: Axes, values: np.ndarray, vmax: float) -> None:
    """Draw a 1-D or 2-D array as grey squares: black = dropped (0), white = kept."""
    grid = values.reshape(1, -1) if values.ndim == 1 else values
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=max(vmax, 1e-12), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_mask(mask: np.ndarray, ax: Axes | None = None, title: str | None = None) -> Figure:
    """A keep-mask as a strip or grid of squares: white kept, black dropped (lessons 00, 01)."""
    fig, ax = new_axes(ax, figsize=(6.4, 1.2))
    _show_grid(ax, np.asarray(mask, dtype=float), 1.0)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_outputs(outputs: dict[str, np.ndarray], titles: dict[str, str] | None = None) -> Figure:
    """Each framework's dropout output side by side as a grey image (lesson 01)."""
    fig, axes = new_figure(ncols=len(outputs), figsize=(6.4, 2.6))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.08)
    vmax = max(float(np.max(y)) for y in outputs.values())  # survivors: 1/keep for ones input
    for ax, (name, y) in zip(axes, outputs.items()):
        _show_grid(ax, np.asarray(y), vmax)
        ax.set_title((titles or {}).get(name, name), fontsize=9)
    return fig
