"""Figures for lesson 12: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import new_axes, new_figure, show_mask_grid
from .compute import DropConnectInference, FamilyStats

BINS = np.linspace(-6, 6, 61)


def plot_family(stats: Sequence[FamilyStats], rate: float) -> Figure:
    """One histogram per method of its outputs on the same input, measured mean and variance in the title."""
    fig, axes = new_figure(ncols=len(stats), figsize=(9.6, 2.4))
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.14, top=0.78, wspace=0.15)
    for ax, s in zip(axes, stats):
        counts, _ = np.histogram(np.clip(s.out, BINS[0], BINS[-1]), BINS)
        ax.stairs(counts / s.out.size, BINS, fill=True, color="#3182bd")
        ax.set_title(f"{s.name}\nvar {s.var:.2f} (pred {s.predicted_var:.2f})\nzeros {s.zeros:.2f}", fontsize=8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    fig.suptitle(f"the same N(0, 1) input, rate {rate:.2f}", fontsize=9)
    return fig


def plot_dropblock_mask(mask: np.ndarray, ax: Axes | None = None, maps: int = 6) -> Figure:
    """A few maps' DropBlock keep-masks side by side: white kept, black dropped blocks."""
    fig, ax = new_axes(ax, figsize=(6.4, 1.5))
    show_mask_grid(ax, np.concatenate([np.pad(mask[i, 0].astype(float), ((0, 0), (0, 1)), constant_values=1)
                                       for i in range(maps)], axis=1))
    ax.set_title("DropBlock keep-masks of six 16×16 maps (block 5)", fontsize=9)
    return fig


def plot_dropconnect_inference(inference: DropConnectInference, ax: Axes | None = None) -> Figure:
    """Test-time outputs of each ReLU unit: weight scaling and Gaussian moment matching against the MC ensemble."""
    fig, ax = new_axes(ax)
    truth = inference.monte_carlo
    ax.plot(truth, inference.weight_scaling, "o", ms=4, color="#e6550d", label="weight scaling relu(E[y])")
    ax.plot(truth, inference.gaussian_closed, "s", ms=4, color="#3182bd", label="Gaussian moment matching")
    top = float(max(truth.max(), inference.gaussian_closed.max())) * 1.05
    ax.plot([0, top], [0, top], color="grey", lw=1)
    ax.set(xlabel="Monte-Carlo average over real DropConnect masks", ylabel="test-time rule",
           title="DropConnect inference, one input, each point a ReLU unit")
    ax.legend(fontsize=8)
    return fig
