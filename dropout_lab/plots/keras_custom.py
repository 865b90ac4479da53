"""Plots for lesson 05: training curves with / without the custom dropout, and a layer's output values."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import new_axes, new_figure

COLOURS = {"with dropout": "tab:red", "no dropout": "tab:blue"}


def plot_curves(curves: dict, axes: list[Axes] | None = None) -> Figure:
    """Training (solid) and validation (dashed) loss and accuracy per epoch, per model (lesson 05)."""
    if axes is None:
        fig, axes = new_figure(ncols=2, figsize=(9.6, 3.4))
    fig = axes[0].figure
    loss_ax, acc_ax = axes
    for name, c in curves.items():
        colour = COLOURS.get(name, None)
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


def plot_output_stats(stats, ax: Axes | None = None, legend: bool = True) -> Figure:
    """Share of units at each output value for ones(n), next to what correct dropout gives (lesson 05)."""
    fig, ax = new_axes(ax)
    keep = 1.0 - stats.rate
    expected_x = [0.0, 1.0 / keep] if keep > 0 else [0.0]
    expected_h = [stats.rate, keep] if keep > 0 else [1.0]
    ax.bar(expected_x, expected_h, width=0.35, fill=False, edgecolor="black", linewidth=1.5,
           label="correct: rate zeros, keep at 1/keep")
    ax.bar(stats.values, stats.fractions, width=0.2, color="tab:orange", alpha=0.8, label="this layer")
    ax.axvline(1.0, color="black", linestyle=":", linewidth=1, label="input value (mean to preserve)")
    ax.axvline(stats.mean, color="tab:orange", linewidth=2, label=f"output mean {stats.mean:.3f}")
    right = max(11.0, float(stats.values.max()) + 0.5)
    ax.set_xlim(-0.5, right)
    ax.set_ylim(0, 1)
    ax.set_xticks(np.arange(0, right, 2 if right <= 12 else 5))  # few ticks: text is the costly part of a redraw
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel("output value (input: all ones)")
    ax.set_ylabel("share of units")
    if legend:
        ax.legend(fontsize=8, loc="upper right")
    return fig
