"""Dashboard: Monte-Carlo averages of k sub-networks converging to the exact ensemble (lesson 06)."""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from . import compute as ensemble
from .plots import MCCurves, mc_convergence_view, mc_curves

K_OPTIONS = tuple(2 ** i for i in range(13))  # 1 ... 4096, evenly spaced on a log scale
NETS = {
    "ReLU net (6 + 6 hidden units)": lambda: ensemble.relu_net(4, (6, 6), 3, seed=0),
    "one softmax layer (12 inputs)": lambda: ensemble.softmax_layer_net(12, 3, seed=0),
}
INPUT_SEED = 100  # the one input row every sub-network sees
TRIALS = 64      # independent MC runs per (net, rate): the RMS over them estimates σ/√k to ~15 % (see CHECKS)
KEY = (f"<small>key: thin blue: one run's error · thick blue: RMS error over {TRIALS} runs · dashed: exact σ/√k · "
       "red dot: the chosen k</small>")
# The RMS over 64 runs is sqrt of a mean of 64 squared errors; its relative standard error is
# ½·sd(MSE)/E(MSE), computed exactly from the enumeration (MonteCarloRun.mse_std) at every k,
# rate and net the controls reach: at most 0.154 (k = 1, the ReLU net at rate 0.9, heavy tails).
# 0.8 is more than 5 of those (tests/lessons/test_ensemble_widgets.py recomputes the bound).
RMS_REL_TOL = 0.8
CHECKS = (
    Moves("RMS error", "k", -1, "the Monte-Carlo error of an average of k sub-networks shrinks as σ/√k"),
    Moves("σ/√k", "k", -1, "σ/√k falls as k grows"),
    Agrees("RMS error", "σ/√k", RMS_REL_TOL, "E‖mean of k − exact‖² = tr Σ / k exactly; 64 runs estimate it "
           "within 5 standard errors (≤ 0.8 relative, derived from the exact 4th moment)"),
)


@lru_cache(maxsize=32)  # 2 nets x 9 rates: every setting the controls reach fits
def _runs(net_name: str, rate: float) -> tuple[ensemble.MonteCarloRun, np.ndarray, MCCurves]:
    # Sampling all 4096 masks once per (net, rate), and the curves drawn from them, makes moving k a
    # pure redraw; a (net, rate) seen before is a redraw too (~0.2 s to sample one the first time).
    net = NETS[net_name]()
    x = np.random.default_rng(INPUT_SEED).normal(size=net.weights[0].shape[0])
    run = ensemble.monte_carlo(net, x, rate, k_max=K_OPTIONS[-1], trials=TRIALS, rng=0)
    return run, ensemble.exact_ensemble(net, x, rate).weight_scaled, mc_curves(run)


def make_render():
    """A render function drawing into one figure, redrawn in place (lesson 06)."""
    # One panel only: a second one doubles the redraw time of every slider move.
    figure = mc_convergence_view()

    def render(k: int, rate: float, net: str):
        """Figure, readout and numbers for k samples at this rate (lesson 06)."""
        run, weight_scaled, curves = _runs(net, round(float(rate), 2))
        html, result = readout_of(run, weight_scaled, curves, k)
        return figure(curves, k), html, result

    return render


def readout_of(run: ensemble.MonteCarloRun, weight_scaled: np.ndarray, curves: MCCurves,
               k: int) -> tuple[str, dict]:
    """Readout HTML and numbers for k samples of one cached run (lesson 06)."""
    result = {
        "k": k,
        "error": float(np.sqrt(((run.running_means[0, k - 1] - run.exact) ** 2).sum())),
        "rms error": float(curves.rmse[k - 1]),
        "predicted rms": float(run.predicted_rmse[k - 1]),
        "weight-scaled gap": float(np.abs(weight_scaled - run.exact).max()),
    }
    estimate = run.running_means[0, k - 1]
    html = readout({"k": str(k), "MC estimate": np.array2string(estimate, precision=3),
                    "exact mean": np.array2string(run.exact, precision=3),
                    "this run's error": result["error"], "RMS error": result["rms error"],
                    "σ/√k": result["predicted rms"], "|weight-scaled − exact mean|": result["weight-scaled gap"]})
    html += " &nbsp;<br>" + KEY
    return html, result


@dashboard
def mc_convergence() -> Dashboard:
    """Slide k (log scale) and watch the MC average approach the exact ensemble mean (lesson 06)."""
    controls = {
        "k": widgets.SelectionSlider(options=K_OPTIONS, value=16, description="k samples"),
        "rate": widgets.FloatSlider(value=0.5, min=0.1, max=0.9, step=0.1, description="rate",
                                    continuous_update=False),
        "net": widgets.Dropdown(options=list(NETS), value=list(NETS)[0], description="network"),
    }
    return Dashboard("Monte-Carlo dropout vs the exact ensemble", controls, make_render(), checks=CHECKS)
