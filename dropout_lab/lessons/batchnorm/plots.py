"""Figures for lesson 10: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import freeze_static, new_axes, new_figure
from .compute import Curves, LayerShift, OrderStudy, RateShift, UnitSample, variance_ratio


def plot_ratio_curves(samples: Sequence[UnitSample], mus: Sequence[float] = (0.0, 1.0, 2.0),
                      ax: Axes | None = None) -> Figure:
    """(1 + rate·(μ/σ)²)/keep against the rate for a few μ/σ, with sampled units as dots (lesson 10)."""
    fig, ax = new_axes(ax, figsize=(5.6, 3.2))
    rates = np.linspace(0, 0.8, 81)
    for i, mu in enumerate(mus):
        ax.plot(rates, [variance_ratio(r, mu) for r in rates], color=f"C{i}", lw=1.5)
        dots = [s for s in samples if s.mu_over_sigma == mu]
        ax.plot([s.rate for s in dots], [s.measured_ratio for s in dots], "o", color=f"C{i}", ms=5)
    ax.set(xlabel="rate", ylabel="Var_train / Var_test", yscale="linear", ylim=(0, None))
    ax.set_title("lines: (1 + rate·(μ/σ)²)/keep for μ/σ = " + ", ".join(f"{m:g}" for m in mus)
                 + "; dots: sampled", fontsize=9)
    return fig


def _create_units(ax: Axes):
    diagonal, = ax.plot([], [], color="0.3", lw=1, ls="--")
    dots = ax.scatter([], [], s=10, color="C0", alpha=0.7, lw=0)
    ax.set(xlabel="predicted ratio, per unit", ylabel="measured ratio, per unit")
    return diagonal, dots, ax


def _update_units(artists, predicted: np.ndarray, measured: np.ndarray, title: str) -> None:
    diagonal, dots, ax = artists
    top = max(float(predicted.max()), float(measured.max())) * 1.05
    low = min(float(predicted.min()), float(measured.min()), 1.0) * 0.95
    diagonal.set_data([low, top], [low, top])
    dots.set_offsets(np.column_stack([predicted, measured]))
    ax.set_xlim(low, top)
    ax.set_ylim(low, top)
    ax.set_title(title, fontsize=9)


UNITS_FIGSIZE = (4.8, 3.6)


def units_picture(predicted: np.ndarray, measured: np.ndarray, title: str) -> Figure:
    """plot_rate_shift's picture drawn once and frozen whole: redrawing it only pastes it (lesson 10).

    The dashboard holds one per rate: each rate has its own limits and ticks, and text is most of a
    redraw, so pictures drawn on build (ui.figures.freeze_static) make a rate move cost a PNG encode.
    """
    fig, ax = new_axes(figsize=UNITS_FIGSIZE)
    _update_units(_create_units(ax), predicted, measured, title)
    freeze_static(fig, [])
    return fig


def plot_rate_shift(shift: RateShift, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Each unit's measured Var(dropout(a))/Var(a) against (1 + rate·(μ/σ)²)/keep; the diagonal is agreement."""
    fig, ax = new_axes(ax, figsize=UNITS_FIGSIZE)
    _update_units(_create_units(ax), shift.predicted, shift.measured,
                  f"rate {shift.rate:g}: one dot per unit" if title is None else title)
    return fig


def plot_layer_shifts(shifts: Sequence[LayerShift], title: str = "") -> Figure:
    """One panel per BatchNorm: running_var / test var per unit against the closed form, else the simulation."""
    fig, axes = new_figure(ncols=len(shifts), figsize=(3.6 * len(shifts), 3.4))
    for ax, shift in zip(axes, shifts):
        closed = bool(np.all(np.isfinite(shift.predicted)))      # a "downstream" BN has no closed form
        _update_units(_create_units(ax), shift.predicted if closed else shift.simulated, shift.measured,
                      f"{title}BN at layer {shift.index} ({shift.kind})")
        if not closed:
            ax.set_xlabel("simulated ratio (train-mode pass), per unit")
    return fig


def plot_orders(study: OrderStudy, ax: Axes | None = None) -> Figure:
    """Test accuracy of each dropout placement, as trained and after re-estimating BN, mean ± sd over seeds."""
    fig, ax = new_axes(ax, figsize=(6.4, 3.2))
    x = np.arange(len(study.orders))
    for shift, values, colour, label in ((-0.1, study.accuracy, "C0", "as trained"),
                                         (0.1, study.recalibrated, "C2", "BN re-estimated, dropout off")):
        mean = [100 * values[o].mean() for o in study.orders]
        sd = [100 * values[o].std(ddof=1) if len(study.seeds) > 1 else 0.0 for o in study.orders]
        ax.errorbar(x + shift, mean, yerr=sd, fmt="o", color=colour, capsize=3, label=label)
    ax.set_xticks(x, study.orders, fontsize=8)
    ax.set(ylabel="test accuracy (%)")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"{len(study.seeds)} seeds, rate {study.rate:g}: mean ± sd", fontsize=9)
    return fig


def plot_curves(curves: dict[str, Curves]) -> Figure:
    """Seed-mean test accuracy and training loss (eval mode) per epoch, one line per order (lesson 10)."""
    fig, (left, right) = new_figure(ncols=2, figsize=(8.4, 3.0))
    for i, (order, c) in enumerate(curves.items()):
        epochs = np.arange(1, len(c.test_accuracy) + 1)
        left.plot(epochs, 100 * c.test_accuracy.mean(1), color=f"C{i}", lw=1.2, label=order)
        right.plot(epochs, c.train_loss.mean(1), color=f"C{i}", lw=1.2)
    left.set(xlabel="epoch", ylabel="test accuracy (%)", ylim=(95, 99.5))
    right.set(xlabel="epoch", ylabel="training cross-entropy (eval mode)", yscale="log")
    left.legend(fontsize=7, frameon=False)
    left.set_title("mean over seeds; lr decays linearly to 0", fontsize=9)
    return fig
