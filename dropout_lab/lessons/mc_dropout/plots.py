"""Figures for lesson 09: each takes compute's data (and ax=None) and returns the Figure."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import freeze_static, new_axes, new_figure
from .compute import METHODS, Band, KSpread, MCErrorBank, Reliability, Study

K_GRID = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)   # the k values drawn as measured points


def plot_passes(probs: np.ndarray, image: np.ndarray, title: str = "") -> Figure:
    """One input: its 8×8 image, and each pass's class probabilities as dots with their mean as bars (lesson 09)."""
    fig, (left, right) = new_figure(ncols=2, figsize=(7.2, 2.8))
    left.imshow(np.asarray(image).reshape(8, 8), cmap="gray_r", interpolation="nearest")
    left.set(xticks=[], yticks=[], title=title or "the input")
    left.set_position([0.03, 0.16, 0.22, 0.7])
    right.set_position([0.34, 0.16, 0.63, 0.7])
    k, classes = probs.shape
    right.bar(np.arange(classes), probs.mean(axis=0), color="#9ecae1", label="mean over passes")
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, probs.shape)   # only spreads the dots sideways
    right.scatter(np.arange(classes)[None, :] + jitter, probs, s=6, color="#08519c", alpha=0.5, lw=0)
    right.set(xticks=range(classes), xlabel="class", ylabel="probability", ylim=(0, 1.02),
              title=f"{k} passes with dropout on (dots) and their mean (bars)")
    return fig


ERROR_FIGSIZE = (5.6, 3.2)


def _create_error(ax: Axes):
    predicted, = ax.plot([], [], color="C1", lw=1.5)
    measured, = ax.plot([], [], "o", color="C0", ms=5)
    current, = ax.plot([], [], "o", color="C3", ms=10, mfc="none", mew=2)
    # Linear axes: log axes' tick machinery costs ~4x the redraw time of a dashboard update.
    ax.set(xlabel="k (passes averaged)", ylabel="sd of the k-pass estimate")
    ax.set_title("", fontsize=9)
    return predicted, measured, current, ax


def _draw_curve(artists, spreads: dict[int, KSpread], title: str) -> None:
    """What depends on the rate only: the σ/√k line, the measured dots, the limits and the title."""
    predicted, measured, _, ax = artists
    ks = [kk for kk in K_GRID if kk in spreads]
    line = np.linspace(1, ks[-1], 80)
    sigma = spreads[ks[0]].per_pass_sd
    predicted.set_data(line, sigma / np.sqrt(line))
    measured.set_data(ks, [spreads[kk].measured for kk in ks])
    ax.set_xlim(0, ks[-1] + 1)
    ax.set_ylim(0, sigma * 1.15)
    ax.title.set_text(title)


def _mark_k(artists, spreads: dict[int, KSpread], k: int) -> None:
    """What a k move changes: the ring on the current k."""
    artists[2].set_data([k], [spreads[k].measured])


def error_title(rate: float, k: int | None = None) -> str:
    """plot_mc_error's title; the dashboard's names no k (its slider and readout do, its ring shows it)."""
    ring = "the slider's k" if k is None else f"k = {k}"
    return f"rate {rate:g}: measured (dots) vs σ/√k (line); ring = {ring}"


class ErrorFigures:
    """The dashboard's plot_mc_error, one figure per rate (lesson 09).

    A rate's curve, limits, ticks and title are drawn once into a frozen frame (ui.figures.freeze_static);
    a k move then redraws only the ring: text is most of a redraw.
    """

    def __init__(self) -> None:
        self._figures: dict[float, tuple[Figure, tuple]] = {}

    def __call__(self, spreads: dict[int, KSpread], k: int, rate: float) -> Figure:
        """The figure of `rate` with the ring on k."""
        if rate not in self._figures:
            fig, ax = new_axes(figsize=ERROR_FIGSIZE)
            artists = _create_error(ax)
            _draw_curve(artists, spreads, error_title(rate))
            freeze_static(fig, [artists[2]])
            self._figures[rate] = fig, artists
        fig, artists = self._figures[rate]
        _mark_k(artists, spreads, k)
        return fig


def error_curve(bank: MCErrorBank, ks: tuple[int, ...] = K_GRID) -> dict[int, KSpread]:
    """bank.spread(k) for every k of `ks` the bank can measure: what plot_mc_error draws (lesson 09)."""
    return {int(k): bank.spread(int(k)) for k in ks if k <= bank.k_max}


def plot_mc_error(bank: MCErrorBank, k: int = 8, ax: Axes | None = None, title: str | None = None) -> Figure:
    """The spread of the k-pass estimate vs k, measured (dots) and σ/√k (line) (lesson 09)."""
    fig, ax = new_axes(ax, figsize=ERROR_FIGSIZE)
    artists, spreads = _create_error(ax), {**error_curve(bank), k: bank.spread(k)}
    _draw_curve(artists, spreads, error_title(bank.rate, k) if title is None else title)
    _mark_k(artists, spreads, k)
    return fig


def plot_band(band: Band, ax: Axes | None = None) -> Figure:
    """The 1-D toy: training points, the MC mean and its ±2 sd band over a wider x range (lesson 09)."""
    fig, ax = new_axes(ax, figsize=(6.4, 3.0))
    ax.axvspan(-1, 1, color="0.93", lw=0)
    ax.fill_between(band.grid, band.mean - 2 * band.sd, band.mean + 2 * band.sd, color="C0", alpha=0.25, lw=0)
    ax.plot(band.grid, band.mean, color="C0", lw=1.5)
    ax.plot(band.grid, np.sin(3 * band.grid), color="0.4", lw=1, ls=":")
    ax.scatter(band.x, band.y, s=8, color="k", zorder=3)
    ax.set(xlabel="x", ylabel="y", ylim=(-4, 4))
    ax.set_title("MC mean ± 2 sd (blue), training data (dots, grey span), sin 3x (dotted)", fontsize=9)
    return fig


def _reliability(ax: Axes, rel: Reliability, title: str) -> None:
    centres = (rel.edges[:-1] + rel.edges[1:]) / 2
    filled = rel.counts > 0
    width = rel.edges[1] - rel.edges[0]
    ax.bar(centres[filled], rel.accuracy[filled], width=width * 0.9, color="#9ecae1", label="accuracy")
    ax.plot(rel.confidence[filled], rel.accuracy[filled], "o", color="#08519c", ms=3)
    ax.plot([0, 1], [0, 1], color="0.3", lw=1, ls="--")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence (max probability)", title=f"{title}: ECE {100 * rel.ece:.2f} %")


def plot_reliability(study: Study, rate: float) -> Figure:
    """Reliability diagrams of weight scaling and MC dropout at one rate, all seeds pooled (lesson 09)."""
    fig, axes = new_figure(ncols=2, figsize=(7.2, 3.2))
    for ax, method in zip(axes, METHODS):
        _reliability(ax, study.pooled_reliability(method, rate), method)
    axes[0].set_ylabel("accuracy in the bin")
    return fig


def reliability_picture(study: Study, rate: float) -> Figure:
    """plot_reliability drawn once and frozen whole: redrawing it only pastes the picture (lesson 09).

    The dashboard holds one per rate (the rate is its only control): text is most of a redraw, so a
    picture drawn on build (ui.figures.freeze_static) makes a rate move cost a PNG encode.
    """
    fig = plot_reliability(study, rate)
    freeze_static(fig, [])
    return fig


def plot_scores(study: Study, rate: float, score: str = "mutual information", ood: str = "held-out 9s",
                ax: Axes | None = None) -> Figure:
    """Histograms of one MC uncertainty score: in-distribution test digits vs one OOD set, first seed (lesson 09)."""
    fig, ax = new_axes(ax, figsize=(6.0, 3.0))
    inside, outside = study.runs[(rate, study.seeds[0])].scores[("MC dropout", ood, score)]
    bins = np.linspace(0, max(inside.max(), outside.max()) + 1e-12, 30)
    ax.hist(inside, bins=bins, density=True, color="C0", alpha=0.6, label="test digits 0-8")
    ax.hist(outside, bins=bins, density=True, color="C3", alpha=0.6, label=ood)
    ax.set(xlabel=f"{score} (MC dropout, rate {rate:g})", ylabel="density")
    ax.legend(fontsize=8, frameon=False)
    return fig
