"""Plots for the ensemble view of dropout (lesson 06)."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import new_axes
from .compute import Ensemble, GapSurvey, MonteCarloRun

AVERAGE_STYLES = {  # name -> (colour, line style)
    "arithmetic mean": ("tab:blue", "-"),
    "geometric mean (normalised)": ("tab:orange", "--"),
    "weight-scaled network": ("black", ":"),
}


def plot_subnetworks(ensemble: Ensemble, cls: int = 0, ax: Axes | None = None) -> Figure:
    """Distribution of one class's probability over all 2^n sub-networks, with the three averages (lesson 06)."""
    fig, ax = new_axes(ax)
    values = ensemble.outputs[:, cls]
    heights, edges = np.histogram(values, bins=40, range=(0.0, 1.0), weights=ensemble.probabilities)
    ax.stairs(heights, edges, fill=True, color="0.8", label=f"{len(values)} sub-networks (weighted by P(mask))")
    averages = (ensemble.arithmetic_mean, ensemble.geometric_mean, ensemble.weight_scaled)
    for (name, (colour, style)), avg in zip(AVERAGE_STYLES.items(), averages):
        ax.axvline(avg[cls], color=colour, linestyle=style, linewidth=2, label=f"{name}: {avg[cls]:.4f}")
    ax.set_xlabel(f"P(class {cls}) predicted by a sub-network")
    ax.set_ylabel("probability mass")
    ax.set_title(f"Every thinned sub-network, rate = {ensemble.rate:g}")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_gap_survey(survey: GapSurvey, ax: Axes | None = None) -> Figure:
    """|weight-scaled − geometric mean| for one softmax layer vs a ReLU net, log scale (lesson 06)."""
    fig, ax = new_axes(ax)
    floor = 1e-18  # an exact 0 has no place on a log axis; draw it at the floor
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(survey.softmax_gaps))  # spread only
    for x, gaps, colour in ((0, survey.softmax_gaps, "tab:green"), (1, survey.relu_gaps, "tab:red")):
        ax.plot(x + jitter, np.maximum(gaps, floor), "o", color=colour, alpha=0.6, markersize=4)
    ax.axhline(np.finfo(float).eps, color="0.4", linestyle="--", linewidth=1, label="float64 epsilon")
    ax.set_yscale("log")
    ax.set_xticks([0, 1], ["one softmax layer\n(dropout on its inputs)", "ReLU net\n(dropout on hidden units)"])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylabel("gap (max over classes)")
    ax.set_title(f"|weight-scaled − geometric mean|, {len(survey.relu_gaps)} random nets each, "
                 f"rate = {survey.rate:g}", fontsize=10)
    ax.legend(fontsize=8, loc="center left")
    return fig


def _log_grid(k_max: int, points: int = 60) -> np.ndarray:
    """About `points` distinct k values spread evenly on a log axis (few artists, fast redraw)."""
    return np.unique(np.geomspace(1, k_max, points).astype(int))


def _plain_log_ticks(ax: Axes, xticks: list[float], yticks: list[float]) -> None:
    """Log-log axes with a few plain-text ticks: mathtext labels cost ~0.1 s per redraw."""
    from matplotlib.ticker import NullLocator
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(xticks, [f"{t:g}" for t in xticks])
    ax.set_yticks(yticks, [f"{t:.0e}".replace("e-0", "e-") if t < 0.1 else f"{t:g}" for t in yticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())


def plot_mc_convergence(run: MonteCarloRun, k: int | None = None, ax: Axes | None = None,
                        show_runs: int = 1, legend: bool = True) -> Figure:
    """Error of the k-sample MC average vs k, log-log, with the exact σ/√k law (lesson 06)."""
    fig, ax = new_axes(ax)
    grid = _log_grid(len(run.ks))
    errors = run.errors()
    rmse = np.sqrt((errors ** 2).mean(axis=0))
    for trial in range(min(show_runs, len(errors))):
        ax.plot(grid, errors[trial, grid - 1], color="tab:blue", alpha=0.35, linewidth=1,
                label="one run" if trial == 0 else None)
    ax.plot(grid, rmse[grid - 1], color="tab:blue", linewidth=2, label=f"RMS over {len(errors)} runs")
    ax.plot(grid, run.predicted_rmse[grid - 1], "k--", linewidth=1.5, label="exact σ/√k")
    if k is not None:
        ax.plot([k], [rmse[k - 1]], "o", color="tab:red", markersize=8)
    _plain_log_ticks(ax, [1, 4, 16, 64, 256, 1024, 4096], [1e-3, 1e-2, 1e-1, 1.0])
    ax.set_xlabel("k (sub-networks averaged)")
    ax.set_ylabel("error vs exact mean")
    if legend:
        ax.legend(fontsize=8, loc="lower left")
    return fig
