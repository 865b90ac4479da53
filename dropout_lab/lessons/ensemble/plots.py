"""Plots for the ensemble view of dropout (lesson 06)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import InPlaceFigure, freeze_static, new_axes
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


MC_XTICKS = [1, 4, 16, 64, 256, 1024, 4096]
MC_YTICKS = [1e-3, 1e-2, 1e-1, 1.0]
MC_XLIM = (0.66, 6200.0)  # 1 ... 4096 with matplotlib's usual 5 % margin on the log axis
# A fixed frame, so the dashboard draws it once: every curve of every dashboard setting lies in
# [2.3e-4, 0.83] (tests/lessons/test_ensemble_widgets.py checks it); a static plot widens it if needed.
MC_YLIM = (1e-4, 1.5)


@dataclass(frozen=True)
class MCCurves:
    """What the convergence plot draws, on the log grid of k (lesson 06)."""

    grid: np.ndarray       # the k values drawn
    runs: np.ndarray       # (runs shown, grid): single runs' errors
    rmse: np.ndarray       # (k_max,): RMS error over all trials at every k (the red dot reads it)
    predicted: np.ndarray  # (grid,): exact σ/√k
    trials: int


def mc_curves(run: MonteCarloRun, show_runs: int = 1) -> MCCurves:
    """The convergence plot's data from one MonteCarloRun: computed once, redrawn at any k (lesson 06)."""
    grid = _log_grid(len(run.ks))
    errors = run.errors()
    return MCCurves(grid, errors[:show_runs, grid - 1], np.sqrt((errors ** 2).mean(axis=0)),
                    run.predicted_rmse[grid - 1], len(errors))


def _plain_log_ticks(ax: Axes, xticks: list[float], yticks: list[float]) -> None:
    """Log-log axes with a few plain-text ticks: mathtext labels cost ~0.1 s per redraw."""
    from matplotlib.ticker import NullLocator
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(xticks, [f"{t:g}" for t in xticks])
    ax.set_yticks(yticks, [f"{t:.0e}".replace("e-0", "e-") if t < 0.1 else f"{t:g}" for t in yticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())


def _create_mc(ax: Axes, show_runs: int = 1, trials: int = 0, ylim: tuple[float, float] = MC_YLIM) -> dict:
    """The convergence plot's fixed frame and its (still empty) moving artists (lesson 06)."""
    artists = {"runs": [ax.plot([], [], color="tab:blue", alpha=0.35, linewidth=1,
                                label="one run" if i == 0 else None)[0] for i in range(show_runs)],
               "rmse": ax.plot([], [], color="tab:blue", linewidth=2, label=f"RMS over {trials} runs")[0],
               "law": ax.plot([], [], "k--", linewidth=1.5, label="exact σ/√k")[0],
               "dot": ax.plot([], [], "o", color="tab:red", markersize=8)[0]}
    _plain_log_ticks(ax, MC_XTICKS, MC_YTICKS)
    ax.set(xlim=MC_XLIM, ylim=ylim, xlabel="k (sub-networks averaged)", ylabel="error vs exact mean")
    return artists


def _update_mc(artists: dict, curves: MCCurves, k: int | None) -> None:
    for line, errors in zip(artists["runs"], curves.runs):
        line.set_data(curves.grid, errors)
    artists["rmse"].set_data(curves.grid, curves.rmse[curves.grid - 1])
    artists["law"].set_data(curves.grid, curves.predicted)
    artists["dot"].set_data(([k], [curves.rmse[k - 1]]) if k is not None else ([], []))


def plot_mc_convergence(run: MonteCarloRun, k: int | None = None, ax: Axes | None = None,
                        show_runs: int = 1, legend: bool = True) -> Figure:
    """Error of the k-sample MC average vs k, log-log, with the exact σ/√k law (lesson 06)."""
    fig, ax = new_axes(ax)
    curves = mc_curves(run, show_runs)
    drawn = np.concatenate([curves.runs.ravel(), curves.rmse[curves.grid - 1], curves.predicted])
    drawn = drawn[drawn > 0]
    ylim = (min(MC_YLIM[0], drawn.min() / 1.5), max(MC_YLIM[1], drawn.max() * 1.5))
    artists = _create_mc(ax, len(curves.runs), curves.trials, ylim)
    _update_mc(artists, curves, k)
    if legend:
        ax.legend(fontsize=8, loc="lower left")
    return fig


def _create_frozen_mc(ax: Axes) -> dict:
    artists = _create_mc(ax)
    # The frame never moves: it is drawn once, and a slider move redraws three lines and a dot.
    freeze_static(ax.figure, [*artists["runs"], artists["rmse"], artists["law"], artists["dot"]])
    return artists


def mc_convergence_view() -> InPlaceFigure:
    """The dashboard's figure: plot_mc_convergence's picture (one run, no legend), redrawn in place (lesson 06).

    Call it with (MCCurves, k). The frame is drawn once (ui.figures.freeze_static).
    """
    return InPlaceFigure(_create_frozen_mc, _update_mc)
