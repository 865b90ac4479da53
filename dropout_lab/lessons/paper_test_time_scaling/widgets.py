"""Dashboards for lesson 07: slide over k (MC vs weight scaling) and over keep (the rate sweep).

The lesson trains everything first and hands the results in; moving a slider only redraws.
Called without results (benchmarks, browser tests) a factory trains a quick small study.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ...mlp import MLPConfig
from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import MCStudy, RateSweep, mc_vs_weight_scaling, rate_sweep
from .plots import plot_mc_vs_weight_scaling, plot_rate_sweep_compact

QUICK = MLPConfig(epochs=3)  # a few-second default when no results are passed in


def _render_mc(study: MCStudy, k: int):
    mc = study.mc_error[:, k - 1]
    gap = 100 * float((mc - study.ws_error).mean())
    html = readout({"k": str(k), "MC error (%)": 100 * float(mc.mean()),
                    "weight-scaling error (%)": 100 * float(study.ws_error.mean()),
                    "MC − weight scaling (points)": gap,
                    "sd of MC − ws over seeds (points)": 100 * float((mc - study.ws_error).std())})
    return plot_mc_vs_weight_scaling(study, k), html, {"k": k, "mc_error": mc, "gap_points": gap}


@dashboard
def mc_vs_weight_scaling_dashboard(study: MCStudy | None = None) -> Dashboard:
    """A k slider: test error of the average of k sampled networks vs the weight-scaled net (lesson 07)."""
    study = study or mc_vs_weight_scaling(QUICK, seeds=(0,), k_max=50)
    k = widgets.IntSlider(value=min(50, len(study.ks)), min=1, max=len(study.ks), description="k",
                          continuous_update=False)
    return Dashboard("Monte-Carlo averaging vs weight scaling (paper Fig. 11)", {"k": k},
                     lambda k: _render_mc(study, k))


def _render_rate(sweep: RateSweep, keep: float):
    i = int(np.argmin(np.abs(sweep.keeps - keep)))
    metrics: dict[str, float | str] = {"keep (paper's p)": f"{sweep.keeps[i]:.2f}",
                                       "rate (drop)": f"{1 - sweep.keeps[i]:.2f}"}
    for s, scheme in enumerate(sweep.schemes):
        metrics[f"{scheme}: units"] = str(int(sweep.hidden[s, i]))
        metrics[f"{scheme}: test error (%)"] = 100 * float(sweep.test_error[s, i].mean())
    result = {"keep": float(sweep.keeps[i]), "test_error": sweep.test_error[:, i].mean(axis=1)}
    return plot_rate_sweep_compact(sweep, float(sweep.keeps[i])), readout(metrics), result


@dashboard
def rate_sweep_dashboard(sweep: RateSweep | None = None) -> Dashboard:
    """A keep slider over the precomputed rate sweep: fixed n vs fixed n·keep (lesson 07)."""
    sweep = sweep or rate_sweep(QUICK, keeps=(0.2, 0.5, 1.0), seeds=(0,), n=64, n_keep=32)
    options = [(f"{k:.2f}", float(k)) for k in sweep.keeps]
    keep = widgets.SelectionSlider(options=options, value=options[len(options) // 2][1],
                                   description="keep", continuous_update=False)
    return Dashboard("Effect of the keep probability (paper Fig. 9)", {"keep": keep},
                     lambda keep: _render_rate(sweep, keep))
