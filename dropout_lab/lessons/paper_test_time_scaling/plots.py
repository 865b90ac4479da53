"""Figures for lesson 07: the paper's Figs. 9, 10 and 11 redrawn from our miniature runs.

Comparisons are drawn as PAIRED differences (same seed: same split, same initialisation)
with their standard error (ddof 1), because that is what the text argues from; the raw
curves show seed means only.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import freeze_static, new_figure
from .compute import MCStudy, RateSweep, SizeSweep

SCHEME_COLOURS = ("C0", "C1")


def _mark(axes: list[Axes], x: float) -> list:
    """The dotted vertical line at the dashboard's setting, on every panel."""
    # Above the data and the spines (zorder 3): where a frozen dashboard draws it, so both pictures agree.
    return [ax.axvline(x, color="0.3", ls=":", lw=1, zorder=3) for ax in axes]


def _marked_view(fig: Figure, axes: list[Axes], x: float) -> Callable[[float], Figure]:
    """A dashboard's figure: the static picture drawn once (freeze_static), then only its markers move.

    Every limit, tick and title of these figures is fixed by the data, so a slider move redraws one
    dotted line per panel instead of the whole figure (~10 ms instead of 120 to 270 ms, measured).
    """
    markers = _mark(axes, x)
    freeze_static(fig, markers)

    def at(value: float) -> Figure:
        for marker in markers:
            marker.set_xdata([value, value])
        return fig

    return at


def _mc_frame(study: MCStudy) -> tuple[Figure, list[Axes]]:
    fig, axes = new_figure(ncols=2, figsize=(7.6, 3.0))
    for ax, mc, ws, label in ((axes[0], 100 * study.mc_error, 100 * study.ws_error, "test error (%)"),
                              (axes[1], study.mc_nll, study.ws_nll, "test NLL (log-loss)")):
        ax.plot(study.ks, mc.mean(axis=0), color="C0")
        ax.axhline(ws.mean(), color="C1")
        ax.set(xlabel="k (sampled networks averaged)", ylabel=label, xscale="log", xlim=(1, study.ks[-1]),
               ylim=(0, 1.6 * max(ws.mean(), mc.mean(axis=0)[-1])))
    # A title instead of a legend: the same information, and a legend costs ~10 ms per dashboard redraw.
    fig.suptitle(f"MC average of k nets (blue) vs weight scaling (orange): means over {len(study.seeds)} seeds",
                 fontsize=9)
    return fig, axes


def plot_mc_vs_weight_scaling(study: MCStudy, k: int | None = None) -> Figure:
    """Fig. 11 in miniature: MC-average test error (left) and NLL (right) vs k, weight scaling as a line (lesson 07)."""
    fig, axes = _mc_frame(study)
    if k is not None:
        _mark(axes, k)
    return fig


def mc_view(study: MCStudy) -> Callable[[int], Figure]:
    """The k dashboard's figure: plot_mc_vs_weight_scaling(study, k), drawn once and redrawn at any k (lesson 07)."""
    return _marked_view(*_mc_frame(study), float(study.ks[-1]))


def plot_mc_paired(study: MCStudy) -> Figure:
    """Fig. 11's paired differences MC − weight scaling vs k, error (left) and NLL (right), ± s.e. (lesson 07)."""
    fig, axes = new_figure(ncols=2, figsize=(7.6, 3.0))
    paired = study.paired()
    ks = np.unique(np.geomspace(1, len(study.ks), 14).astype(int))
    for ax, (name, label) in zip(axes, (("error", "MC − ws, test error (points)"), ("nll", "MC − ws, test NLL"))):
        mean, sem = paired[name]
        ax.errorbar(ks, mean[ks - 1], yerr=sem[ks - 1], color="C0", marker="o", ms=3, capsize=2)
        ax.axhline(0.0, color="0.4", lw=1)
        ax.set(xlabel="k", ylabel=label, xscale="log")
    fig.suptitle(f"paired over {len(study.seeds)} seeds; bars: ± 1 standard error of the mean (ddof 1)", fontsize=9)
    return fig


def plot_rate_sweep(sweep: RateSweep, reference: float = 0.5) -> Figure:
    """Fig. 9 in miniature: test/training error vs keep (left), paired test error − error at `reference` (right)."""
    fig, (left, right) = new_figure(ncols=2, figsize=(7.6, 3.2))
    for s, (scheme, colour) in enumerate(zip(sweep.schemes, SCHEME_COLOURS)):
        left.plot(sweep.keeps, 100 * sweep.test_error[s].mean(axis=1), color=colour, marker="o", ms=3,
                  label=f"{scheme}: test")
        left.plot(sweep.keeps, 100 * sweep.train_error[s].mean(axis=1), color=colour, ls="--", lw=1,
                  label=f"{scheme}: training")
        mean, sem = sweep.paired(s, reference)
        right.errorbar(sweep.keeps + 0.01 * (s - 0.5), 100 * mean, yerr=100 * sem, color=colour, marker="o", ms=3,
                       capsize=2, label=scheme)
    right.axhline(0.0, color="0.4", lw=1)
    left.set(xlabel="keep probability (paper's p)", ylabel=f"error (%), mean of {len(sweep.seeds)} seeds",
             ylim=(0, None))
    right.set(xlabel="keep probability (paper's p)", ylabel=f"test error − at keep {reference:g} (points)")
    right.set_title("paired by seed, ± 1 s.e. (ddof 1)", fontsize=9)
    left.legend(fontsize=7, frameon=False)
    return fig


def _rate_frame(sweep: RateSweep) -> tuple[Figure, list[Axes]]:
    fig, axes = new_figure(ncols=1)
    ax = axes[0]
    for s, colour in enumerate(SCHEME_COLOURS):
        ax.plot(sweep.keeps, 100 * sweep.test_error[s].mean(axis=1), color=colour, marker="o", ms=3)
        ax.plot(sweep.keeps, 100 * sweep.train_error[s].mean(axis=1), color=colour, ls="--", lw=1)
    ax.set(xlabel="keep probability (paper's p)", ylabel="error (%)", ylim=(0, None))
    ax.set_title(f"test (solid) and training (dashed) error, mean of {len(sweep.seeds)} seeds: "
                 f"{sweep.schemes[0]} (blue), {sweep.schemes[1]} (orange)", fontsize=8)
    return fig, axes


def plot_rate_sweep_compact(sweep: RateSweep, keep: float | None = None) -> Figure:
    """Fig. 9's test errors for both schemes on one axes: the dashboard's quick view (lesson 07)."""
    fig, axes = _rate_frame(sweep)
    if keep is not None:
        _mark(axes, keep)
    return fig


def rate_view(sweep: RateSweep) -> Callable[[float], Figure]:
    """The keep dashboard's figure: plot_rate_sweep_compact(sweep, keep), redrawn at any keep (lesson 07)."""
    return _marked_view(*_rate_frame(sweep), float(sweep.keeps[0]))


def _size_frame(sweep: SizeSweep) -> tuple[Figure, list[Axes]]:
    fig, (left, right) = new_figure(ncols=2, figsize=(7.6, 3.2))
    fig.subplots_adjust(bottom=0.30)  # room for the legend under the panels
    for c, name in enumerate(sweep.conditions):
        left.plot(sweep.sizes, 100 * sweep.test_error[c].mean(axis=1), color=f"C{c + 2}", marker="o", ms=3,
                  ls="--" if c in sweep.baselines else "-", label=name)
    drop = sweep.dropout_conditions()
    for b, (baseline, fill) in enumerate(zip(sweep.baselines, ("full", "none"))):
        for k, c in enumerate(drop):
            shift = 1 + 0.025 * (k * len(sweep.baselines) + b - (len(drop) * len(sweep.baselines) - 1) / 2)
            right.errorbar(sweep.sizes * shift, 100 * sweep.gain(c, baseline), yerr=100 * sweep.gain_sem(c, baseline),
                           color=f"C{c + 2}", marker="o", ms=4, fillstyle=fill, capsize=2,
                           ls="-" if b == 0 else ":")
    right.axhline(0.0, color="0.4", lw=1)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xticks(sweep.sizes, [str(s) for s in sweep.sizes])
        ax.minorticks_off()
        ax.set_xlabel("training-set size (rows)")
    left.set(ylabel=f"test error (%), mean of {len(sweep.seeds)} seeds", ylim=(0, None))
    right.set(ylabel="gain: no dropout − dropout (points)")
    over = f"over [{sweep.baselines[0]}]" + (f" (filled), over [{sweep.baselines[1]}] (hollow)"
                                             if len(sweep.baselines) > 1 else "")
    right.set_title(f"gain {over}; paired, ± 1 s.e.", fontsize=8)
    # Under the panels, where no marker crosses it: inside, "best" moved with the marker, and a frozen
    # frame (the dashboard's) needs a legend that stays put and lies under nothing that moves.
    # (An axes' legend placed in figure coordinates: freeze_static freezes axes' children.)
    left.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), bbox_transform=fig.transFigure,
                ncol=2, fontsize=7, frameon=False, handlelength=2.5)
    return fig, [left, right]


def plot_size_sweep(sweep: SizeSweep, size: int | None = None) -> Figure:
    """Fig. 10 in miniature: test error vs set size (left; no-dropout nets dashed), paired gain of each dropout
    net ± s.e. over each no-dropout net (right; filled: over [0], hollow: over a stored control)."""
    fig, axes = _size_frame(sweep)
    if size is not None:
        _mark(axes, size)
    return fig


def size_view(sweep: SizeSweep) -> Callable[[int], Figure]:
    """The rows dashboard's figure: plot_size_sweep(sweep, rows), drawn once and redrawn at any rows (lesson 07)."""
    return _marked_view(*_size_frame(sweep), float(sweep.sizes[0]))
