"""Plots for lesson 04: uniforms and masks, shared (noise_shape) masks, framework speed."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ...ui.figures import new_axes, new_figure

if TYPE_CHECKING:
    from ...speed import SpeedTable
    from .compute import MaskTrace, NoiseShapeDemo

MASK_COLOURS = ListedColormap(["#de2d26", "#deebf7"])  # dropped red, kept pale blue


def tile_samples(mask: np.ndarray) -> np.ndarray:
    """A (batch, time, channels) mask as one (time, batch·(channels+1)) image, samples side by side."""
    mask = np.asarray(mask, dtype=float)
    batch, time, channels = mask.shape
    gap = np.full((batch, time, 1), np.nan)  # a blank column between samples
    return np.concatenate([mask, gap], axis=2).transpose(1, 0, 2).reshape(time, batch * (channels + 1))[:, :-1]


def _mask_image(ax: Axes, mask: np.ndarray, title: str) -> None:
    # pcolormesh with white edges shows every entry; the NaN gap columns stay blank.
    image = np.ma.masked_invalid(tile_samples(mask))
    ax.set_facecolor("0.35")  # the gap columns between samples show as dark bars
    ax.pcolormesh(image, cmap=MASK_COLOURS, vmin=0, vmax=1, edgecolors="white", linewidth=0.5)
    ax.set_title(title, y=1.0, pad=4, fontsize=9)
    ax.set(xticks=[], yticks=[], xlim=(0, image.shape[1]), ylim=(image.shape[0], 0))


def plot_uniform_and_mask(trace: MaskTrace, ax: Axes | None = None) -> Figure:
    """TF's stateless uniforms next to the keep-mask uniform >= rate they give (lesson 04)."""
    if ax is not None:
        raise ValueError("ax is not supported: this plot needs two axes of its own")
    fig, (left, right) = new_figure(ncols=2)
    image = left.imshow(trace.uniform, cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(image, ax=left, fraction=0.046)
    for (i, j), u in np.ndenumerate(trace.uniform):
        left.text(j, i, f"{u:.2f}", ha="center", va="center", fontsize=7,
                  color="w" if u < trace.rate else "k")
    right.imshow(trace.mask, cmap=MASK_COLOURS, vmin=0, vmax=1)
    left.set_title(f"uniform u, seed {trace.seed}", fontsize=9)
    right.set_title(f"keep = u >= rate ({trace.rate}); red = dropped", fontsize=9)
    for ax_ in (left, right):
        ax_.set(xticks=[], yticks=[])
    return fig


def plot_framework_masks(masks: dict[str, np.ndarray], ax: Axes | None = None) -> Figure:
    """One image per framework of a (batch, time, channels) mask: samples side by side (lesson 04)."""
    if ax is not None:
        raise ValueError("ax is not supported: this plot needs one axes per framework")
    fig, axes = new_figure(ncols=len(masks), figsize=(2.4 * len(masks), 2.8))
    fig.subplots_adjust(left=0.05, right=0.98, top=0.8, bottom=0.05, wspace=0.15)
    for ax_, (name, mask) in zip(axes, masks.items()):
        # 4-D image masks (batch, height, width, channels): rows are the flattened pixels.
        _mask_image(ax_, mask if mask.ndim == 3 else mask.reshape(mask.shape[0], -1, mask.shape[-1]),
                    textwrap.fill(name, 26, break_long_words=False))
    axes[0].set_ylabel("time / position")
    return fig


def plot_noise_shape(demo: NoiseShapeDemo, ax: Axes | None = None) -> Figure:
    """The mask a noise_shape choice draws on (batch, time, channels): samples side by side (lesson 04)."""
    fig, ax = new_axes(ax)
    label = "None" if demo.noise_shape is None else str(demo.noise_shape)
    _mask_image(ax, demo.keep, f"noise_shape={label}: {demo.draws} coins for {demo.keep.size} entries "
                               f"(red = dropped)")
    ax.set(xlabel="samples side by side (columns: channels)", ylabel="time")
    return fig


def plot_speed(table: SpeedTable, size: int, rate: float, ax: Axes | None = None) -> Figure:
    """Median time of each dropout implementation at one size and rate, as bars (lesson 04)."""
    fig, ax = new_axes(ax)
    names = table.implementations()
    seconds = np.array([table.seconds(name, size, rate) for name in names])
    bars = ax.barh(names, seconds * 1e3, color=["#969696"] + ["#3182bd"] * (len(names) - 1))
    for bar, name in zip(bars, names):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {table.ratio(name, 'copy', size, rate):.1f}× copy", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="median ms (lower is faster)", xlim=(0, seconds.max() * 1e3 * 1.3),
           title=f"dropout on {size:.0e} float32 values at rate {rate}")
    fig.subplots_adjust(left=0.22)
    return fig
