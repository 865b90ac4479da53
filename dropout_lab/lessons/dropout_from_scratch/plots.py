"""Pictures of dropout outputs side by side, one per framework (lesson 01)."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...ui.figures import new_figure, plot_mask, show_mask_grid

__all__ = ["plot_mask", "plot_outputs"]


def plot_outputs(outputs: dict[str, np.ndarray], titles: dict[str, str] | None = None) -> Figure:
    """Each framework's dropout output side by side as a grey image (lesson 01)."""
    fig, axes = new_figure(ncols=len(outputs), figsize=(6.4, 2.6))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.08)
    vmax = max(float(np.max(y)) for y in outputs.values())  # survivors: 1/keep for ones input
    for ax, (name, y) in zip(axes, outputs.items()):
        show_mask_grid(ax, np.asarray(y), vmax)
        ax.set_title((titles or {}).get(name, name), fontsize=9)
    return fig
