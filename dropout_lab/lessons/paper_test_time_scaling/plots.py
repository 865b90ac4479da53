"""Figures for lesson 07: the paper's Figs. 9, 10 and 11 redrawn from our miniature runs.

Comparisons are drawn as PAIRED differences (same seed: same split, same initialisation)
with their standard error (ddof 1), because that is what the text argues from; the raw
curves show seed means only.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...ui.figures import new_figure
from .compute import MCStudy, RateSweep, SizeSweep

SCHEME_COLOURS = ("C0", "C1")


def plot_mc_vs_weight_scaling(study: MCStudy, k: int | None = None) -> Figure:
    """Fig. 11 in miniature: MC-average test error (left) and NLL (right) vs k, weight scaling as a line (lesson 07)."""
    fig, (left, right) = new_figure(ncols=2, figsize=(7.6, 3.0))
    for ax, mc, ws, label in ((left, 100 * study.mc_error, 100 * study.ws_error, "test error (%)"),
                              (right, study.mc_nll, study.ws_nll, "test NLL (log-loss)")):
        ax.plot(study.ks, mc.mean(axis=0), color="C0")
        ax.axhline(ws.mean(), color="C1")
        if k is not None:
            ax.axvline(k, color="0.3", ls=":", lw=1)
        ax.set(xlabel="k (sampled networks averaged)", ylabel=label, xscale="log", xlim=(1, study.ks[-1]),
               ylim=(0, 1.6 * max(ws.mean(), mc.mean(axis=0)[-1])))
    # A title instead of a legend: the same information, and a legend costs ~10 ms per dashboard redraw.
    fig.suptitle(f"MC average of k nets (blue) vs weight scaling (orange): means over {len(study.seeds)} seeds",
                 fontsize=9)
    return fig


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


def plot_rate_sweep_compact(sweep: RateSweep, keep: float | None = None) -> Figure:
    """Fig. 9's test errors for both schemes on one axes: the dashboard's quick view (lesson 07)."""
    fig, (ax,) = new_figure(ncols=1)
    for s, colour in enumerate(SCHEME_COLOURS):
        ax.plot(sweep.keeps, 100 * sweep.test_error[s].mean(axis=1), color=colour, marker="o", ms=3)
        ax.plot(sweep.keeps, 100 * sweep.train_error[s].mean(axis=1), color=colour, ls="--", lw=1)
    if keep is not None:
        ax.axvline(keep, color="0.3", ls=":", lw=1)
    ax.set(xlabel="keep probability (paper's p)", ylabel="error (%)", ylim=(0, None))
    ax.set_title(f"test (solid) and training (dashed) error, mean of {len(sweep.seeds)} seeds: "
                 f"{sweep.schemes[0]} (blue), {sweep.schemes[1]} (orange)", fontsize=8)
    return fig


def plot_size_sweep(sweep: SizeSweep, size: int | None = None) -> Figure:
    """Fig. 10 in miniature: test error vs set size (left), paired gain of each dropout net ± s.e. (right)."""
    fig, (left, right) = new_figure(ncols=2, figsize=(7.6, 3.2))
    for c, name in enumerate(sweep.conditions):
        left.plot(sweep.sizes, 100 * sweep.test_error[c].mean(axis=1), color=f"C{c + 2}", marker="o", ms=3,
                  label=name)
        if c:
            right.errorbar(sweep.sizes * (1 + 0.03 * (c - 1.5)), 100 * sweep.gain(c), yerr=100 * sweep.gain_sem(c),
                           color=f"C{c + 2}", marker="o", ms=3, capsize=2)
    right.axhline(0.0, color="0.4", lw=1)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xticks(sweep.sizes, [str(s) for s in sweep.sizes])
        ax.minorticks_off()
        ax.set_xlabel("training-set size (rows)")
        if size is not None:
            ax.axvline(size, color="0.3", ls=":", lw=1)
    left.set(ylabel=f"test error (%), mean of {len(sweep.seeds)} seeds", ylim=(0, None))
    right.set(ylabel="gain: plain − dropout (points)")
    right.set_title("paired by seed, ± 1 s.e. (ddof 1); > 0: dropout helps", fontsize=9)
    left.legend(fontsize=7, frameon=False)
    return fig
