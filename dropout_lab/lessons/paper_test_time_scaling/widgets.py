"""Dashboards for lesson 07: slide over k (MC vs weight scaling), keep (Fig. 9) and data-set size (Fig. 10).

The lesson trains (or loads) everything first and hands the results in; moving a slider only
redraws its dotted marker: each figure is drawn once (plots.mc_view, rate_view, size_view).
Called without results (benchmarks, browser tests) the Fig. 9 and Fig. 10 factories load the
stored long runs (stored_runs.py) and the Fig. 11 factory trains one quick net.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ...ui.dashboard import Dashboard, Moves, dashboard, readout
from .compute import MCStudy, RateSweep, SizeSweep, load_rate_sweep, load_size_sweep, mc_vs_weight_scaling
from .plots import mc_view, rate_view, size_view
from .training import Recipe

QUICK = Recipe(epochs=3)  # a few-second default when no results are passed in

MC_CHECKS = (
    Moves("MC error (%)", "k", -1, "averaging more sampled networks lowers the error (paper Fig. 11): one thinned "
          "net is far worse than the average of 50"),
    Moves("MC NLL", "k", -1, "the log-loss is convex in the averaged probabilities, so its expectation can only "
          "fall as k grows; from k = 1 to 50 it falls by far more than its noise"),
)


def _standard_error(values: np.ndarray) -> float | str:
    """Standard error of a mean over seeds; one seed has none, so say so instead of showing NaN."""
    if len(values) < 2:
        return "n/a (one seed)"
    return float(values.std(ddof=1) / np.sqrt(len(values)))


def _render_mc(study: MCStudy, draw, k: int):
    err, nll = 100 * study.gap(k), study.nll_gap(k)
    sem = _standard_error(err)
    html = readout({"k": str(k), "MC error (%)": 100 * float(study.mc_error[:, k - 1].mean()),
                    "weight-scaling error (%)": 100 * float(study.ws_error.mean()),
                    "MC − ws error (points)": float(err.mean()), "± s.e. (points)": sem,
                    "MC NLL": float(study.mc_nll[:, k - 1].mean()), "weight-scaling NLL": float(study.ws_nll.mean()),
                    "MC − ws NLL": float(nll.mean())})
    result = {"k": k, "mc_error": study.mc_error[:, k - 1], "gap_points": float(err.mean()),
              "nll_gap": float(nll.mean())}
    return draw(k), html, result


@dashboard
def mc_vs_weight_scaling_dashboard(study: MCStudy | None = None) -> Dashboard:
    """A k slider: test error and NLL of the average of k sampled networks vs the weight-scaled net (lesson 07)."""
    study = study or mc_vs_weight_scaling(QUICK, seeds=(0,), k_max=50)
    k = widgets.IntSlider(value=min(50, len(study.ks)), min=1, max=len(study.ks), description="k",
                          continuous_update=False)
    draw = mc_view(study)
    return Dashboard("Monte-Carlo averaging vs weight scaling (paper Fig. 11)", {"k": k},
                     lambda k: _render_mc(study, draw, k), checks=MC_CHECKS)


RATE_CHECKS = (
    Moves("fixed n·keep: units", "keep", -1, "n·keep is fixed, so the width n = (n·keep) / keep shrinks as keep grows"),
    Moves("fixed n: training error (%)", "keep", -1, "with n fixed, keep 0.1 leaves about a tenth of the units per "
          "step: the net underfits (paper Fig. 9a), while at keep 1 it fits its training rows"),
)


def _render_rate(sweep: RateSweep, draw, keep: float):
    i = sweep.index(keep)
    metrics: dict[str, float | str] = {"keep (paper's p)": f"{sweep.keeps[i]:.2f}",
                                       "rate (drop)": f"{1 - sweep.keeps[i]:.2f}"}
    for s, scheme in enumerate(sweep.schemes):
        metrics[f"{scheme}: units"] = str(int(sweep.hidden[s, i]))
        metrics[f"{scheme}: test error (%)"] = 100 * float(sweep.test_error[s, i].mean())
        metrics[f"{scheme}: training error (%)"] = 100 * float(sweep.train_error[s, i].mean())
    result = {"keep": float(sweep.keeps[i]), "test_error": sweep.test_error[:, i].mean(axis=1)}
    return draw(float(sweep.keeps[i])), readout(metrics), result


@dashboard
def rate_sweep_dashboard(sweep: RateSweep | None = None) -> Dashboard:
    """A keep slider over a rate sweep (default: the stored long run): fixed n vs fixed n·keep (lesson 07)."""
    sweep = sweep or load_rate_sweep()[0]
    options = [(f"{k:.2f}", float(k)) for k in sweep.keeps]
    keep = widgets.SelectionSlider(options=options, value=options[len(options) // 2][1],
                                   description="keep", continuous_update=False)
    draw = rate_view(sweep)
    return Dashboard("Effect of the keep probability (paper Fig. 9)", {"keep": keep},
                     lambda keep: _render_rate(sweep, draw, keep), checks=RATE_CHECKS)


SIZE_CHECKS = (
    Moves("no dropout: test error (%)", "rows", -1, "more training data, lower test error: 100 rows are far too few "
          "for 10 digits"),
    Moves("with dropout: test error (%)", "rows", -1, "the same for the dropout nets"),
)


def _render_size(sweep: SizeSweep, draw, rows: int):
    i = int(np.flatnonzero(sweep.sizes == rows)[0])
    gain = 100 * sweep.paired_gain(1)[i]
    metrics = {"rows": str(rows), "epochs": str(int(sweep.epochs[i])),
               "no dropout: test error (%)": 100 * float(sweep.test_error[0, i].mean()),
               "with dropout: test error (%)": 100 * float(sweep.test_error[1, i].mean()),
               "gain over no dropout (points)": float(gain.mean()),
               "± s.e. (points)": _standard_error(gain),
               "seeds where dropout wins": f"{int((gain > 0).sum())} of {len(gain)}",
               "dropout: training error (%)": 100 * float(sweep.train_error[1, i].mean())}
    result = {"rows": rows, "gain": float(gain.mean())}
    for b in sweep.baselines[1:]:   # a control: the dropout recipe with dropout off
        over = 100 * sweep.paired_gain(1, b)[i]
        metrics[f"{sweep.conditions[b]}: test error (%)"] = 100 * float(sweep.test_error[b, i].mean())
        metrics["gain over it, dropout's own (points)"] = float(over.mean())
        metrics["± s.e. of that gain (points)"] = _standard_error(over)
        result["gain_over_control"] = float(over.mean())
    return draw(rows), readout(metrics), result


@dashboard
def size_sweep_dashboard(sweep: SizeSweep | None = None) -> Dashboard:
    """A rows slider over a data-set-size sweep (default: the stored long run), plain vs dropout (lesson 07)."""
    sweep = sweep or load_size_sweep()[0]
    options = [int(s) for s in sweep.sizes]
    rows = widgets.SelectionSlider(options=options, value=options[len(options) // 2], description="rows",
                                   continuous_update=False)
    draw = size_view(sweep)
    return Dashboard(f"Effect of the data-set size (paper Fig. 10): {sweep.conditions[1]}", {"rows": rows},
                     lambda rows: _render_size(sweep, draw, rows), checks=SIZE_CHECKS)
