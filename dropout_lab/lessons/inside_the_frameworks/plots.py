"""Plots for lesson 04: uniforms and masks, shared (noise_shape) masks, framework speed."""
from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, QuadMesh
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ...ui.figures import InPlaceFigure, freeze_static, new_axes, new_figure

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


# A dashboard draws its unchanging frame once (ui.figures.freeze_static), then only what moves.
# What moves is stacked above everything else, so a static plot drawn in full puts the same
# pixels on top: the dashboard's picture and the static one are identical.
MOVING = 6.0


@dataclass(frozen=True)
class _MaskArtists:
    """A tiled mask: the squares of its entries, the white grid between them, the black frame, the title."""

    ax: Axes
    image: QuadMesh
    grid: LineCollection
    frame: Rectangle

    def moving(self) -> list[Artist]:
        """What a new mask changes, bottom to top."""
        return [self.image, self.grid, self.frame, self.ax.title]


def _grid_segments(shape: tuple[int, int, int]) -> list[list[tuple[float, float]]]:
    """The edges of every entry of the tiled image; none inside the gap columns between samples."""
    batch, time, channels = shape
    segments = []
    for sample in range(batch):
        left, right = sample * (channels + 1), sample * (channels + 1) + channels
        segments += [[(left, y), (right, y)] for y in range(time + 1)]
        segments += [[(x, 0), (x, time)] for x in range(left, right + 1)]
    return segments


def _create_mask(ax: Axes, shape: tuple[int, int, int]) -> _MaskArtists:
    """Artists for a (batch, time, channels) mask, samples side by side; `_update_mask` gives them data."""
    batch, time, channels = shape
    width = batch * (channels + 1) - 1
    ax.set_facecolor("0.35")  # the gap columns between samples (NaN, drawn transparent) show as dark bars
    # Squares without edges plus one collection of white lines: the picture of a pcolormesh with white
    # edges at a tenth of the cost (every edged square is a path of its own; an imshow is resampled).
    image = ax.pcolormesh(np.ma.masked_invalid(np.zeros((time, width))), cmap=MASK_COLOURS, vmin=0, vmax=1)
    grid = ax.add_collection(LineCollection(_grid_segments(shape), colors="white", linewidths=0.5))
    # The frame is drawn on top of the image, as the spines it replaces were.
    frame = ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, clip_on=False,
                                   edgecolor=matplotlib.rcParams["axes.edgecolor"],
                                   linewidth=matplotlib.rcParams["axes.linewidth"]))
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set(xticks=[], yticks=[], xlim=(0, width), ylim=(time, 0))
    ax.set_title("", y=1.0, pad=4, fontsize=9)
    artists = _MaskArtists(ax, image, grid, frame)
    for i, artist in enumerate(artists.moving()):
        artist.set_zorder(MOVING + 0.01 * i)
    return artists


def _update_mask(artists: _MaskArtists, mask: np.ndarray, title: str) -> None:
    artists.image.set_array(np.ma.masked_invalid(tile_samples(mask)))
    artists.ax.set_title(title, y=1.0, pad=4, fontsize=9)


def _mask_image(ax: Axes, mask: np.ndarray, title: str) -> None:
    # Every entry as a coloured square with white edges; the NaN gap columns stay blank.
    _update_mask(_create_mask(ax, mask.shape), mask, title)


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


def _create_noise_shape(ax: Axes, shape: tuple[int, int, int], freeze: bool = False) -> _MaskArtists:
    artists = _create_mask(ax, shape)
    # The colour key sits in the fixed label, drawn once; only the title changes with the choice.
    ax.set(xlabel="samples side by side (columns: channels; red = dropped)", ylabel="time")
    if freeze:
        freeze_static(ax.figure, artists.moving())
    return artists


def _update_noise_shape(artists: _MaskArtists, demo: NoiseShapeDemo) -> None:
    label = "None" if demo.noise_shape is None else str(demo.noise_shape)
    _update_mask(artists, demo.keep, f"noise_shape={label}: {demo.draws} coins for {demo.keep.size} entries")


def plot_noise_shape(demo: NoiseShapeDemo, ax: Axes | None = None) -> Figure:
    """The mask a noise_shape choice draws on (batch, time, channels): samples side by side (lesson 04)."""
    fig, ax = new_axes(ax)
    _update_noise_shape(_create_noise_shape(ax, demo.keep.shape), demo)
    return fig


def noise_shape_updater(shape: tuple[int, int, int]) -> InPlaceFigure:
    """A callable demo -> Figure drawing plot_noise_shape's picture in one figure, frame frozen (lesson 04)."""
    return InPlaceFigure(functools.partial(_create_noise_shape, shape=shape, freeze=True), _update_noise_shape)


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
