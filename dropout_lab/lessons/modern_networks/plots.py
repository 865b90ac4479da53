"""Figures for lesson 11: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ...ui.figures import freeze_static, new_axes, new_figure, show_mask_grid
from .cnn_study import Summary
from .compute import TimeAverage, huang_drop_rates, linear_drop_rates

GAP = 2   # empty cells between the tiles of the feature-map mosaic


@dataclass
class FeatureMapView:
    """One digit's feature maps as one mosaic image, built once: a rate move only swaps its pixels (lesson 11).

    One image in one axes, not one axes per map: a redraw resamples one picture instead of eight.
    """

    figure: Figure
    maps: np.ndarray          # (channels, H, W): the digit's first maps
    names: list[str]          # the masks' rows, below the unmasked row
    mosaic: AxesImage

    def __call__(self, masks: dict[str, np.ndarray], image: int = 0) -> Figure:
        """Show the maps, then the maps under each (N, C, H, W) keep-mask, for the view's image."""
        rows = [self.maps] + [self.maps * masks[name][image, :len(self.maps)] for name in self.names]
        self.mosaic.set_data(_mosaic(rows))
        return self.figure


def _mosaic(rows: Sequence[np.ndarray]) -> np.ndarray:
    """(channels, H, W) tiles per row laid out on a grid with GAP empty (NaN) cells between them."""
    channels, h, w = rows[0].shape
    grid = np.full((len(rows) * (h + GAP) - GAP, channels * (w + GAP) - GAP), np.nan)
    for r, tiles in enumerate(rows):
        for c, tile in enumerate(tiles):
            grid[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = tile
    return grid


def feature_map_view(maps: np.ndarray, names: Sequence[str], image: int = 0, channels: int = 4,
                     frozen: bool = True) -> FeatureMapView:
    """The maps' figure with one row per mask name; `frozen` draws the labels once (ui.figures.freeze_static)."""
    shown = np.asarray(maps)[image, :channels]
    names = list(names)
    fig, ax = new_axes(figsize=(6.4, 1.3 * (len(names) + 1) + 0.6))
    fig.subplots_adjust(left=0.06, right=0.94, bottom=0.1, top=0.9)
    vmax = float(shown.max()) or 1.0
    cmap = matplotlib.colormaps["magma"].with_extremes(bad="white")   # the gaps
    blank = _mosaic([shown] * (len(names) + 1))
    mosaic = ax.imshow(blank, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    _, h, w = shown.shape
    for c in range(len(shown)):
        ax.text(c * (w + GAP) + (w - 1) / 2, -1.0, f"channel {c}", ha="center", va="bottom", fontsize=9)
    for r, name in enumerate(["feature maps", *names]):
        ax.text(-1.0, r * (h + GAP) + (h - 1) / 2, name, rotation=90, ha="right", va="center", fontsize=8)
    view = FeatureMapView(fig, shown, names, mosaic)
    if frozen:
        freeze_static(fig, [mosaic])
    return view


def plot_feature_maps(maps: np.ndarray, masks: dict[str, np.ndarray], image: int = 0, channels: int = 4) -> Figure:
    """One digit's first feature maps: as computed, then under each keep-mask (lesson 11)."""
    return feature_map_view(maps, list(masks), image, channels, frozen=False)(masks, image)


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


# Fixed limits, so a frozen frame fits every slider setting: T in 1..100 and rates 0.1..0.7 put every
# line and marker between 1.1e-3 (0.1/0.9/100) and 2.4 (0.7/0.3, plus sampling noise).
TIME_XLIM, TIME_YLIM = (0.79, 126.0), (5e-4, 5.0)


@dataclass
class TimeAverageView:
    """Variance of the time average against T, built once: a move only changes lines, markers and the rate."""

    figure: Figure
    lines: dict[str, Line2D]
    label: Text

    def __call__(self, measured: Sequence[TimeAverage]) -> Figure:
        """Draw the predicted lines up to the largest T measured and one marker per measurement."""
        rate = measured[0].rate
        steps, per_step, locked = time_average_curves(np.arange(1, max(m.steps for m in measured) + 1), rate)
        self.lines["per-step"].set_data(steps, per_step)
        self.lines["locked"].set_data(steps, locked)
        self.lines["per-step measured"].set_data([m.steps for m in measured], [m.per_step_var for m in measured])
        self.lines["locked measured"].set_data([m.steps for m in measured], [m.locked_var for m in measured])
        self.label.set_text(f"rate {rate:.2f}")
        return self.figure


def time_average_view(ax: Axes | None = None, frozen: bool = True) -> TimeAverageView:
    """An empty TimeAverageView; `frozen` draws axes, ticks, labels and legend once (ui.figures.freeze_static)."""
    fig, ax = new_axes(ax)
    lines = {"per-step": ax.plot([], [], color="#3182bd", label="fresh mask per step: rate/keep/T")[0],
             "locked": ax.plot([], [], color="#e6550d", label="one locked mask: rate/keep")[0],
             "per-step measured": ax.plot([], [], "o", color="#3182bd")[0],
             "locked measured": ax.plot([], [], "s", color="#e6550d")[0]}
    ax.set(xscale="log", yscale="log", xlim=TIME_XLIM, ylim=TIME_YLIM, xlabel="time steps T averaged",
           ylabel="variance of the average", title="lines predicted, markers measured")
    ax.legend(fontsize=8, loc="lower left")   # below the falling line: never covered by a marker
    view = TimeAverageView(fig, lines, _corner_label(ax))
    if frozen:
        freeze_static(fig, [*lines.values(), view.label])
    return view


def _corner_label(ax: Axes) -> Text:
    # the one text that changes, above the axes' left corner (the fixed title is centred)
    return ax.text(0.0, 1.02, "", transform=ax.transAxes, fontsize=9, va="bottom")


def plot_time_average(measured: Sequence[TimeAverage], ax: Axes | None = None) -> Figure:
    """Variance of the time average of a constant signal against T, predicted lines and measured points."""
    view = time_average_view(ax, frozen=False)
    fig = view(measured)
    _widen(view.lines["locked"].axes, [m.steps for m in measured],
           [v for m in measured for v in (m.per_step_var, m.locked_var, m.per_step_predicted, m.locked_predicted)])
    return fig


def _widen(ax: Axes, xs: Sequence[float], ys: Sequence[float]) -> None:
    """Grow the fixed log limits to hold data outside them (a static plot of settings no slider reaches)."""
    positive = [y for y in ys if y > 0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    if min(xs) < x0 or max(xs) > x1:
        ax.set_xlim(min(x0, min(xs) / 1.3), max(x1, max(xs) * 1.3))
    if positive and (min(positive) < y0 or max(positive) > y1):
        ax.set_ylim(min(y0, min(positive) / 2), max(y1, max(positive) * 2))


# A few fixed zoom levels instead of autoscaling: each level's frame (limits, ticks, legend) is drawn once,
# and a schedule still fills most of the picture (L = 12 at max rate 0.1 is not squeezed into a corner).
DEPTH_LEVELS = (12, 24, 48)
RATE_LEVELS = (0.1, 0.2, 0.3, 0.5)
HEADROOM = 1.45   # the y axis reaches 1.45 × the level: the legend sits above the data


def drop_rates_zoom(depth: int, max_rate: float) -> tuple[int, float]:
    """The (largest block, largest rate) the axes show: the smallest level holding the schedule (lesson 11)."""
    return (next((level for level in DEPTH_LEVELS if depth <= level), depth),
            next((level for level in RATE_LEVELS if max_rate <= level), max_rate))


@dataclass
class DropRatesView:
    """Per-block DropPath rates of both schedules at one zoom, built once: a move changes the two lines."""

    figure: Figure
    lines: dict[str, Line2D]
    label: Text

    def __call__(self, depth: int, max_rate: float) -> Figure:
        """Draw the linspace and Huang schedules for `depth` blocks up to `max_rate`."""
        blocks = np.arange(1, depth + 1)
        self.lines["linspace"].set_data(blocks, linear_drop_rates(depth, max_rate))
        self.lines["huang"].set_data(blocks, huang_drop_rates(depth, max_rate))
        self.label.set_text(f"L = {depth}, max rate {max_rate:.2f}")
        return self.figure


def drop_rates_view(zoom: tuple[int, float], ax: Axes | None = None, frozen: bool = True) -> DropRatesView:
    """An empty DropRatesView for drop_rates_zoom's `zoom`; `frozen` draws the frame once (ui.figures.freeze_static).

    The expected numbers of active branches are in the dashboard's readout, not in the legend, so
    the legend never changes.
    """
    fig, ax = new_axes(ax)
    lines = {"linspace": ax.plot([], [], "o-", ms=3, color="#3182bd", label="timm: linspace(0, max rate, L)")[0],
             "huang": ax.plot([], [], "s--", ms=3, color="#e6550d", label="Huang et al.: (l/L)·max rate")[0]}
    blocks, top = zoom
    top = max(top, 0.05)
    ax.set(xlim=(0.0, blocks + 1.0), ylim=(0.0, HEADROOM * top), xlabel="block l", ylabel="drop rate",
           title="drop rate of each residual block")
    ax.set_xticks(sorted({1, *np.linspace(0, blocks, 5)[1:].astype(int)}))
    step = 0.05 if top <= 0.1 else 0.1
    ax.set_yticks(np.arange(0.0, top + step / 2, step))
    ax.legend(fontsize=8, loc="upper left")
    view = DropRatesView(fig, lines, _corner_label(ax))
    if frozen:
        freeze_static(fig, [*lines.values(), view.label])
    return view


class DropRatesFigure:
    """The dashboard's figure: one frozen DropRatesView per zoom level, each built when first needed (lesson 11)."""

    def __init__(self) -> None:
        self._views: dict[tuple[int, float], DropRatesView] = {}

    def __call__(self, depth: int, max_rate: float) -> Figure:
        zoom = drop_rates_zoom(depth, max_rate)
        if zoom not in self._views:
            self._views[zoom] = drop_rates_view(zoom)
        return self._views[zoom](depth, max_rate)


def plot_drop_rates(depth: int, max_rate: float, ax: Axes | None = None) -> Figure:
    """Drop rate of each residual block: timm's linspace from 0, and Huang et al.'s l/L rule."""
    return drop_rates_view(drop_rates_zoom(depth, max_rate), ax, frozen=False)(depth, max_rate)


def plot_cnn_study(errors: Sequence[Summary], nlls: Sequence[Summary] | None = None) -> Figure:
    """Test error (and test NLL, when given) of every layout: mean over seeds ± 2 standard errors (lesson 11)."""
    panels = [errors] if nlls is None else [errors, nlls]
    fig, axes = new_figure(ncols=len(panels), figsize=(3.6 + 3.0 * len(panels), 3.0))
    rows = np.arange(len(errors))[::-1]
    for ax, summaries in zip(axes, panels):
        scale, label = (100, "test error (%)") if summaries[0].metric == "test_error" else (1, "test NLL (nats)")
        ax.errorbar([scale * s.mean for s in summaries], rows, xerr=[2 * scale * s.se for s in summaries], fmt="o",
                    color="#3182bd", capsize=3)
        ax.set_yticks(rows, [s.layout for s in summaries] if ax is axes[0] else [], fontsize=8)
        ax.set(xlabel=f"{label}, mean ± 2 SE")
    fig.suptitle(f"{errors[0].n} seeds per layout, the same seeds for every layout", fontsize=9)
    fig.subplots_adjust(left=0.32 if nlls is not None else 0.45, wspace=0.08, top=0.88)
    return fig
