"""Plots for lesson 05: the seed model's curves over seeds, and the rate dashboard's view."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import InPlaceFigure, freeze_static, new_figure

STYLES = {"loss": ("fit's training loss", "-"), "loss_off": ("training loss, dropout off", ":"),
          "val_loss": ("validation loss", "--")}
COLOURS = {"none": "tab:blue", "custom": "tab:red", "keras": "tab:orange"}


def _band(ax: Axes, epochs: np.ndarray, runs: np.ndarray, colour: str, style: str, label: str) -> None:
    """Mean over seeds as a line, the lowest-to-highest seed as a shaded band."""
    ax.fill_between(epochs, runs.min(axis=0), runs.max(axis=0), color=colour, alpha=0.15, linewidth=0)
    ax.plot(epochs, runs.mean(axis=0), color=colour, linestyle=style, label=label)


def plot_curves(stored, rate: float = 0.5, axes: list[Axes] | None = None) -> Figure:
    """No dropout vs our dropout at `rate`: three losses per epoch and validation accuracy, over seeds (lesson 05)."""
    if axes is None:
        _, axes = new_figure(ncols=3, figsize=(11.5, 3.4))
    fig = axes[0].figure
    epochs = np.arange(1, stored.config["epochs"] + 1)
    for ax, (variant, r, title) in zip(axes[:2], (("none", 0.0, "no dropout"),
                                                  ("custom", rate, f"our dropout, rate {rate:g}"))):
        for metric, (label, style) in STYLES.items():
            _band(ax, epochs, stored.stack(variant, r, metric), COLOURS[variant], style, label)
        ax.set_title(f"{title} ({len(stored.seeds())} seeds)", fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (cross-entropy + L2)")
        ax.set_ylim(0.0, 0.8)
    axes[0].legend(fontsize=7, loc="lower left")
    for variant, r, label in (("none", 0.0, "no dropout"), ("custom", rate, f"our dropout {rate:g}")):
        _band(axes[2], epochs, stored.stack(variant, r, "val_accuracy"), COLOURS[variant], "--", label)
    axes[2].set_title("validation accuracy (line: mean, band: lowest to highest seed)", fontsize=9)
    axes[2].set_xlabel("epoch")
    axes[2].legend(fontsize=7, loc="lower right")
    return fig


def _create_rate_view(ax: Axes) -> dict:
    lines = {metric: ax.plot([], [], color="tab:red", linestyle=style, label=label)[0]
             for metric, (label, style) in STYLES.items()}
    lines["reference"] = ax.plot([], [], color="tab:blue", linestyle="--", alpha=0.5,
                                 label="validation loss, no dropout")[0]
    lines["epoch"] = ax.axvline(1, color="grey", linewidth=1)
    ax.set_xlim(0.5, 20.5)
    ax.set_ylim(0.0, 0.8)
    ax.set_xticks([1, 5, 10, 15, 20])   # few ticks and no legend (the readout's key says it): text is the
    ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8])  # costly part of a redraw
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss, mean over seeds")
    return lines


def _update_rate_view(lines: dict, view: dict) -> None:
    epochs = np.arange(1, len(view["val_loss"]) + 1)
    for metric in STYLES:
        lines[metric].set_data(epochs, view[metric])
    lines["reference"].set_data(epochs, view["reference"])
    lines["epoch"].set_xdata([view["epoch"], view["epoch"]])


def _create_frozen_rate_view(ax: Axes) -> dict:
    lines = _create_rate_view(ax)
    # Limits and ticks never move: the frame (axes, ticks, labels) is drawn once, a redraw draws five lines.
    freeze_static(ax.figure, list(lines.values()))
    return lines


def rate_view(frozen: bool = True) -> InPlaceFigure:
    """The dashboard's figure, redrawn in place: one rate's three loss curves and the epoch marker (lesson 05).

    `frozen` draws the unchanging frame once (ui.figures.freeze_static): the same picture, about 5x faster.
    """
    return InPlaceFigure(_create_frozen_rate_view if frozen else _create_rate_view, _update_rate_view)


def plot_rate_view(view: dict) -> Figure:
    """The same figure as the dashboard draws, for one `results.rate_view` result (lesson 05)."""
    return rate_view(frozen=False)(view)
