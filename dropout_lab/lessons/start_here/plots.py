"""Pictures for lesson 00: a small network, the thinned networks dropout trains, and the dashboard's mask strip."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import InPlaceFigure, new_axes, new_figure, show_mask_grid
from .compute import ThinnedNetwork

KEPT, DROPPED, EDGE = "#2b6cb0", "#d0d0d0", "#4a5568"


def _positions(layers: tuple[int, ...]) -> list[np.ndarray]:
    """(x, y) of every unit: one column per layer, each column centred on y = 0."""
    return [np.column_stack([np.full(n, float(i)), (n - 1) / 2 - np.arange(n)]) for i, n in enumerate(layers)]


def plot_network(net: ThinnedNetwork, ax: Axes | None = None, title: str | None = None) -> Figure:
    """One network: kept units blue with their connections, dropped units grey and crossed, no edges (lesson 00)."""
    fig, ax = new_axes(ax, figsize=(2.4, 2.4))
    points = _positions(net.layers)
    for (a, kept_a), (b, kept_b) in zip(zip(points, net.kept), zip(points[1:], net.kept[1:])):
        for i in np.flatnonzero(kept_a):
            for j in np.flatnonzero(kept_b):  # a dropped unit takes its connections with it
                ax.plot([a[i, 0], b[j, 0]], [a[i, 1], b[j, 1]], color=EDGE, linewidth=0.6, alpha=0.6, zorder=1)
    for xy, kept in zip(points, net.kept):
        ax.scatter(xy[kept, 0], xy[kept, 1], s=110, color=KEPT, edgecolors="black", linewidths=0.6, zorder=2)
        ax.scatter(xy[~kept, 0], xy[~kept, 1], s=110, color=DROPPED, edgecolors="#999999", linewidths=0.6, zorder=2)
        ax.scatter(xy[~kept, 0], xy[~kept, 1], s=60, marker="x", color="#777777", linewidths=1.0, zorder=3)
    ax.set_xlim(-0.4, len(net.layers) - 0.6)
    half = max(net.layers) / 2
    ax.set_ylim(-half, half)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def plot_thinned_networks(nets: Sequence[ThinnedNetwork], titles: Sequence[str]) -> Figure:
    """Networks side by side, e.g. the full net and two thinned ones dropout might train on (lesson 00)."""
    if len(nets) != len(titles):
        raise ValueError(f"titles must have one entry per network ({len(nets)}), got {len(titles)}")
    fig, axes = new_figure(ncols=len(nets), figsize=(2.2 * len(nets), 2.5))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.1)
    for ax, net, title in zip(axes, nets, titles):
        plot_network(net, ax=ax, title=title)
    return fig


MASK_FIGSIZE = (6.4, 1.2)  # ui.figures.plot_mask's strip


def mask_updater(units: int) -> InPlaceFigure:
    """A callable (mask, title) -> Figure drawing plot_mask's picture of `units` units in one figure (lesson 00).

    The dashboard keeps one: a slider move only swaps the image's data and the title, instead
    of building a new figure, axes and image each time.
    """
    def create(ax: Axes) -> Axes:
        show_mask_grid(ax, np.zeros(units), 1.0)
        return ax

    def update(ax: Axes, mask: np.ndarray, title: str) -> None:
        values = np.asarray(mask, dtype=float)
        if values.shape != (units,):
            raise ValueError(f"mask must have shape ({units},), got {values.shape}")
        ax.images[0].set_data(values.reshape(1, -1))
        ax.set_title(title, fontsize=10)

    return InPlaceFigure(create, update, figsize=MASK_FIGSIZE)
