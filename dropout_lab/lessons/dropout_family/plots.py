"""Figures for lesson 12: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch
from matplotlib.text import Text

from ...ui.figures import freeze_static, new_axes, new_figure, show_mask_grid
from .compute import HIST_EDGES, DropConnectInference, FamilyStats, output_shares


@dataclass
class FamilyView:
    """The dashboard's figure, built once: a rate move only changes the histograms and the rate label (lesson 12)."""

    figure: Figure
    steps: list[StepPatch]
    label: Text

    def __call__(self, shares: Sequence[np.ndarray], rate: float) -> Figure:
        """Draw one rate's histograms: `shares` per method, from compute.output_shares."""
        for ax, step, share in zip(self.figure.axes, self.steps, shares):
            step.set_data(share)
            # The y axis has no ticks, so its limits can follow the data even with a frozen frame.
            ax.set_ylim(0.0, 1.05 * float(share.max()))
        self.label.set_text(f"rate {rate:.2f}")
        return self.figure


def family_view(names: Sequence[str], frozen: bool = True) -> FamilyView:
    """An empty FamilyView; `frozen` draws the unchanging frame (axes, ticks, titles) once (ui.figures.freeze_static).

    The measured and predicted numbers are in the dashboard's readout table, not in the picture:
    text is most of a redraw, and the figure's own text (method names, ticks) never changes.
    """
    fig, axes = new_figure(ncols=len(names), figsize=(9.6, 2.4))
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.14, top=0.8, wspace=0.15)
    steps = []
    for ax, name in zip(axes, names):
        steps.append(ax.stairs(np.zeros(len(HIST_EDGES) - 1), HIST_EDGES, fill=True, color="#3182bd"))
        ax.set_title(name, fontsize=9)
        ax.set_xlim(-6.6, 6.6)   # the limits and ticks autoscaling gave, fixed
        ax.set_xticks([-5, 0, 5])
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    fig.suptitle("each method's outputs on the same N(0, 1) input (measured vs predicted: the readout)", fontsize=9)
    view = FamilyView(fig, steps, fig.text(0.01, 0.97, "", fontsize=9, va="top"))
    if frozen:
        freeze_static(fig, [*view.steps, view.label])
    return view


def plot_family(stats: Sequence[FamilyStats], rate: float) -> Figure:
    """One histogram per method of its outputs on the same input, at one rate (lesson 12)."""
    return family_view([s.name for s in stats], frozen=False)([output_shares(s.out) for s in stats], rate)


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
