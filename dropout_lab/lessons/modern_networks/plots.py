"""Figures for lesson 11: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import new_axes, new_figure, show_mask_grid
from .cnn_study import Summary
from .compute import TimeAverage, expected_active_blocks, huang_drop_rates, linear_drop_rates


def plot_feature_maps(maps: np.ndarray, masks: dict[str, np.ndarray], image: int = 0, channels: int = 4) -> Figure:
    """One digit's first feature maps: as computed, then under each keep-mask (lesson 11)."""
    rows = {"feature maps": np.ones_like(maps[image, :channels], dtype=bool)} | \
        {name: mask[image, :channels] for name, mask in masks.items()}
    fig, axes = new_figure(ncols=channels, nrows=len(rows), figsize=(6.4, 1.3 * len(rows) + 0.6))
    vmax = float(maps[image, :channels].max()) or 1.0
    for row, (name, mask) in enumerate(rows.items()):
        for col in range(channels):
            ax = axes[row * channels + col]
            ax.imshow(maps[image, col] * mask[col], cmap="magma", vmin=0, vmax=vmax, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(name, fontsize=8)
            if row == 0:
                ax.set_title(f"channel {col}", fontsize=9)
    return fig


def plot_channel_coins(mask: np.ndarray, title: str, ax: Axes | None = None) -> Figure:
    """The (image, channel) coins of a spatial mask of shape (N, C, H, W): white kept, black dropped."""
    fig, ax = new_axes(ax, figsize=(6.4, 1.6))
    show_mask_grid(ax, np.asarray(mask)[:, :, 0, 0].T.astype(float))
    ax.set(xlabel="image", ylabel="channel", title=title)
    return fig


def time_average_curves(steps: Sequence[int], rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted variance of the time average against T: per-step masks and a locked mask."""
    steps = np.asarray(steps, dtype=float)
    noise = rate / (1 - rate)
    return steps, noise / steps, np.full_like(steps, noise)


def plot_time_average(measured: Sequence[TimeAverage], ax: Axes | None = None) -> Figure:
    """Variance of the time average of a constant signal against T, predicted lines and measured points."""
    fig, ax = new_axes(ax)
    rate = measured[0].rate
    steps, per_step, locked = time_average_curves(np.arange(1, max(m.steps for m in measured) + 1), rate)
    ax.plot(steps, per_step, color="#3182bd", label="fresh mask per step: rate/keep/T")
    ax.plot(steps, locked, color="#e6550d", label="one locked mask: rate/keep")
    ax.plot([m.steps for m in measured], [m.per_step_var for m in measured], "o", color="#3182bd")
    ax.plot([m.steps for m in measured], [m.locked_var for m in measured], "s", color="#e6550d")
    ax.set(xscale="log", yscale="log", xlabel="time steps T averaged", ylabel="variance of the average",
           title=f"rate {rate:.2f}: lines predicted, markers measured")
    ax.legend(fontsize=8)
    return fig


def plot_drop_rates(depth: int, max_rate: float, ax: Axes | None = None) -> Figure:
    """Drop rate of each residual block: timm's linspace from 0, and Huang et al.'s l/L rule."""
    fig, ax = new_axes(ax)
    blocks = np.arange(1, depth + 1)
    linear, huang = linear_drop_rates(depth, max_rate), huang_drop_rates(depth, max_rate)
    ax.plot(blocks, linear, "o-", ms=3, color="#3182bd",
            label=f"linspace(0, {max_rate:.2f}, L): {expected_active_blocks(linear):.2f} active")
    ax.plot(blocks, huang, "s--", ms=3, color="#e6550d",
            label=f"Huang et al. (l/L)·{max_rate:.2f}: {expected_active_blocks(huang):.2f} active")
    ax.set(xlabel="block l", ylabel="drop rate", ylim=(0, max(0.05, 1.1 * max_rate)),
           title=f"{depth} residual blocks: expected active branches in the legend")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def plot_cnn_study(summaries: Sequence[Summary], ax: Axes | None = None) -> Figure:
    """Test error of every dropout layout: mean over seeds ± 2 standard errors (lesson 11)."""
    fig, ax = new_axes(ax, figsize=(6.4, 3.0))
    rows = np.arange(len(summaries))[::-1]
    ax.errorbar([100 * s.mean for s in summaries], rows, xerr=[200 * s.se for s in summaries], fmt="o",
                color="#3182bd", capsize=3)
    ax.set_yticks(rows, [s.layout for s in summaries], fontsize=8)
    ax.set(xlabel="test error (%), mean ± 2 SE over seeds", title=f"{summaries[0].n} seeds per layout")
    fig.subplots_adjust(left=0.45)
    return fig
