"""Dashboards for lesson 09: slide over k and the rate (the MC estimate settles as 1/√k), and over the rate
(calibration of MC dropout vs weight scaling). Everything is computed on build, readouts included, and so is
what a move does not change in the picture (a frozen frame per rate): a move redraws only the k ring (issue 15).
Called without arguments (tests, benchmarks, the browser test) a factory runs a quick small study.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from sklearn.metrics import roc_auc_score

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import METHODS, MCErrorBank, Study, auroc, error_banks, paired, uncertainty_study
from .plots import ErrorFigures, error_curve, reliability_picture

K_MAX = 32
# The measured sd comes from passes // k independent k-pass estimates of each of 64 inputs. Its relative
# standard error (delta method, MCErrorBank.spread().rel_se) is at most ~0.03 at k = 32 (32 groups) for the
# lesson's banks of 1024 passes; tests/lessons/test_mc_dropout.py checks that 5 standard errors stay below
# REL_TOL at every k and rate of both the quick and the lesson's banks.
REL_TOL = 0.15


def quick_study() -> Study:
    """Three rates, one seed, three epochs: what a factory builds when no study is handed in."""
    return uncertainty_study(rates=(0.1, 0.3, 0.5), seeds=(0,), k=20, epochs=3)


def _rate_slider(rates) -> widgets.SelectionSlider:
    options = [(f"{r:g}", float(r)) for r in rates]
    return widgets.SelectionSlider(options=options, value=options[-1][1], description="rate",
                                   continuous_update=False)


def _render_error(curves: dict[float, dict], k: int, rate: float, draw):
    spread = curves[rate][int(k)]
    html = readout({"k": str(k), "rate": f"{rate:g}", "measured sd of the k-pass estimate": spread.measured,
                    "predicted σ/√k": spread.predicted, "per-pass sd σ": spread.per_pass_sd,
                    "cost (forward passes)": str(k)})
    return draw(curves[rate], int(k), rate), html, spread


@dashboard
def mc_error_dashboard(banks: dict[float, MCErrorBank] | None = None) -> Dashboard:
    """k and rate sliders: the spread of the k-pass MC estimate, measured beside σ/√k (lesson 09)."""
    banks = banks or error_banks(quick_study())
    curves = {rate: error_curve(bank, tuple(range(1, K_MAX + 1))) for rate, bank in banks.items()}  # every k, once
    draw = ErrorFigures()
    for rate in curves:                      # each rate's frame drawn now, not on the learner's first move
        draw(curves[rate], 1, rate)
    controls = {"k": widgets.IntSlider(value=8, min=1, max=K_MAX, description="k", continuous_update=False),
                "rate": _rate_slider(sorted(banks))}
    checks = (
        Moves("measured sd of the k-pass estimate", "k", -1, "the average of k independent passes has sd σ/√k"),
        Moves("predicted σ/√k", "k", -1, "σ/√k falls as k grows"),
        Moves("per-pass sd σ", "rate", +1, "more dropout, more disagreement between thinned networks (a unit's "
              "dropout variance grows as rate/(1 − rate), lesson 02); measured on these trained nets"),
        Agrees("measured sd of the k-pass estimate", "predicted σ/√k", REL_TOL,
               "≥ 5 standard errors of the measured sd at k ≤ 32 (see REL_TOL)"),
    )
    return Dashboard("How many passes? The MC estimate settles as 1/√k", controls,
                     lambda k, rate: _render_error(curves, k, rate, draw), checks)


def _calibration_readout(study: Study, rate: float) -> tuple[str, dict]:
    """The readout's numbers at one rate (computed once per rate, on build)."""
    ece = {m: study.values("ece", m, rate) for m in METHODS}
    diff, se = paired(ece["MC dropout"], ece["weight scaling"])
    scores = study.runs[(rate, study.seeds[0])].scores[("MC dropout", "noisy digits", "mutual information")]
    labels = np.r_[np.zeros(len(scores[0])), np.ones(len(scores[1]))]
    html = readout({"rate": f"{rate:g}", "seeds": str(len(study.seeds)),
                    "ECE weight scaling (%)": 100 * float(ece["weight scaling"].mean()),
                    "ECE MC dropout (%)": 100 * float(ece["MC dropout"].mean()),
                    "MC − ws (points)": 100 * diff,
                    "± s.e.": "n/a" if se != se else f"{100 * se:.3f}",
                    "AUROC of MI, noisy digits (ours)": auroc(*scores),
                    "AUROC of MI, noisy digits (sklearn)": float(roc_auc_score(labels, np.r_[scores[0], scores[1]]))})
    return html, {"rate": rate, "ece": ece}


@dashboard
def calibration_dashboard(study: Study | None = None) -> Dashboard:
    """A rate slider over the study: reliability diagrams of weight scaling and MC dropout (lesson 09)."""
    study = study or quick_study()
    readouts = {rate: _calibration_readout(study, rate) for rate in study.rates}
    pictures = {rate: reliability_picture(study, rate) for rate in study.rates}
    checks = (Agrees("AUROC of MI, noisy digits (ours)", "AUROC of MI, noisy digits (sklearn)", 1e-9,
                     "the same rank statistic computed twice: Mann-Whitney ranks vs sklearn's ROC curve"),)
    return Dashboard("Calibration: weight scaling vs MC dropout (all seeds pooled)",
                     {"rate": _rate_slider(study.rates)},
                     lambda rate: (pictures[rate], *readouts[rate]), checks)
