"""Figures for lesson 07: the paper's Figs. 9, 10 and 11 redrawn from our miniature runs."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import new_axes, new_figure
from .compute import MCStudy, RateSweep, SizeSweep


def plot_mc_vs_weight_scaling(study: MCStudy, k: int | None = None, ax: Axes | None = None) -> Figure:
    """Fig. 11 in miniature: MC-average test error vs k, weight scaling as a band (lesson 07)."""
    fig, ax = new_axes(ax)
    mean, std = 100 * study.mc_error.mean(axis=0), 100 * study.mc_error.std(axis=0)
    ws_mean, ws_std = 100 * study.ws_error.mean(), 100 * study.ws_error.std()
    ax.fill_between(study.ks, mean - std, mean + std, color="C0", alpha=0.25, lw=0)
    ax.plot(study.ks, mean, color="C0")
    ax.axhspan(ws_mean - ws_std, ws_mean + ws_std, color="C1", alpha=0.2, lw=0)
    ax.axhline(ws_mean, color="C1")
    if k is not None:
        ax.axvline(k, color="0.3", ls=":", lw=1)
    ax.set(xlabel="k (sampled networks averaged)", ylabel="test error (%)",
           ylim=(0, max(3 * ws_mean, 1.0)), xlim=(1, study.ks[-1]))
    # A title instead of a legend: the same information, and a legend costs ~10 ms per dashboard redraw.
    ax.set_title(f"MC average of k nets (blue) vs weight scaling (orange); bands ±1 sd over {len(study.seeds)} seeds",
                 fontsize=9)
    return fig


def _errorbar(ax: Axes, x: np.ndarray, errors: np.ndarray, label: str, color: str, ls: str = "-") -> None:
    ax.errorbar(x, 100 * errors.mean(axis=-1), yerr=100 * errors.std(axis=-1), color=color, ls=ls,
                marker="o", ms=3, capsize=2, label=label)


def plot_rate_sweep(sweep: RateSweep, keep: float | None = None) -> Figure:
    """Fig. 9 in miniature: test and training error vs keep, fixed n (left) and fixed n·keep (right) (lesson 07)."""
    fig, axes = new_figure(ncols=2, figsize=(7.6, 3.2))
    for s, ax in enumerate(axes):
        _errorbar(ax, sweep.keeps, sweep.test_error[s], "test", "C0")
        _errorbar(ax, sweep.keeps, sweep.train_error[s], "training", "C2", "--")
        if keep is not None:
            ax.axvline(keep, color="0.3", ls=":", lw=1)
        ax.set(title=sweep.schemes[s], xlabel="keep probability (paper's p)")
    top = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:  # one scale, so the two schemes compare at a glance
        ax.set_ylim(0, top)
    axes[0].set_ylabel("error (%), mean ± sd over seeds")
    axes[0].legend(fontsize=8, frameon=False)
    return fig


def plot_size_sweep(sweep: SizeSweep, ax: Axes | None = None) -> Figure:
    """Fig. 10 in miniature: test error vs training-set size, with and without dropout (lesson 07)."""
    fig, ax = new_axes(ax)
    _errorbar(ax, sweep.sizes, sweep.test_error[0], "without dropout", "C3", "--")
    _errorbar(ax, sweep.sizes, sweep.test_error[1], "with dropout", "C0")
    ax.set_xscale("log")
    ax.set_xticks(sweep.sizes, [str(s) for s in sweep.sizes])
    ax.minorticks_off()
    ax.set(xlabel="training-set size (rows)", ylabel="test error (%), mean ± sd")
    ax.legend(fontsize=8, frameon=False)
    return fig


def plot_rate_sweep_compact(sweep: RateSweep, keep: float | None = None, ax: Axes | None = None) -> Figure:
    """Fig. 9's test errors for both schemes on one axes, ±1 sd shaded: the dashboard's quick view (lesson 07)."""
    fig, ax = new_axes(ax)
    for s, (scheme, color) in enumerate(zip(sweep.schemes, ("C0", "C1"))):
        mean, std = 100 * sweep.test_error[s].mean(axis=1), 100 * sweep.test_error[s].std(axis=1)
        ax.fill_between(sweep.keeps, mean - std, mean + std, color=color, alpha=0.2, lw=0)
        ax.plot(sweep.keeps, mean, color=color, marker="o", ms=3)
    if keep is not None:
        ax.axvline(keep, color="0.3", ls=":", lw=1)
    ax.set(xlabel="keep probability (paper's p)", ylabel="test error (%)", ylim=(0, None))
    ax.set_title(f"test error ±1 sd: {sweep.schemes[0]} (blue), {sweep.schemes[1]} (orange)", fontsize=9)
    return fig
