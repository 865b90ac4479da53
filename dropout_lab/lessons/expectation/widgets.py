"""Dashboard: the output histogram, its mean and ±1 std, with and without rescaling (lesson 02)."""
from __future__ import annotations

import math

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import Moments, PairDraws, predicted_var
from .plots import output_histogram_updater

# The histogram shows the first 10**5 samples: at 60 bins a picture cannot resolve more
# (bar heights vary by < 0.5 %), and it saves ~15 ms per update. The numbers use all n.
HIST_SAMPLES = 10**5


def _readout(scaled: Moments, plain: Moments) -> str:
    """Measured mean, std and variance next to what the formulas predict."""
    x, rate = scaled.x, scaled.rate
    return "<br>\n".join([
        readout({"mean (rescaled)": scaled.mean, "x": float(x)}),
        readout({"mean (not rescaled)": plain.mean, "(1-rate)·x": (1 - rate) * x}),
        readout({"std (rescaled)": math.sqrt(scaled.var), "|x|·√(rate/(1-rate))": math.sqrt(predicted_var(x, rate))}),
        readout({"variance (rescaled)": scaled.var, "x²·rate/(1-rate)": predicted_var(x, rate)}),
        readout({"variance (not rescaled)": plain.var, "x²·rate·(1-rate)": predicted_var(x, rate, rescale=False)}),
    ])


# Tolerances are >= 5 standard errors at n = 10^6 over the whole slider range (rate 0 … 0.9):
# the sample mean's relative SE is sqrt(rate/keep)/sqrt(n) <= 3/1000 (rate 0.9), so 2 % is 6.7 SE;
# the sample variance (ddof=0) is (c x)² f (1 - f) with f the kept fraction, so its relative SE is
# |1 - 2 keep| / sqrt(n keep rate) <= 0.41 % (rate 0.05), and 2.5 % is 6 SE; the std's is half that.
# At rate 0 every variance is exactly 0 on both sides.
CHECKS = (
    Moves("variance (rescaled)", "rate", +1, "Var[out] = x²·rate/(1-rate)"),
    Moves("std (rescaled)", "rate", +1, "std[out] = |x|·√(rate/(1-rate))"),
    Moves("mean (not rescaled)", "rate", -1, "without 1/(1-rate) the mean is (1-rate)·x"),
    Moves("mean (rescaled)", "x", +1, "with 1/(1-rate) the mean is x"),
    Moves("variance (rescaled)", "x", +1, "the variance grows as x²"),
    Agrees("mean (rescaled)", "x", 0.02, "E[out] = x"),
    Agrees("mean (not rescaled)", "(1-rate)·x", 0.02, "E[out] = (1-rate)·x without rescaling"),
    Agrees("std (rescaled)", "|x|·√(rate/(1-rate))", 0.02, "std[out] = |x|·√(rate/(1-rate))"),
    Agrees("variance (rescaled)", "x²·rate/(1-rate)", 0.025, "Var[out] = x²·rate/(1-rate)"),
    Agrees("variance (not rescaled)", "x²·rate·(1-rate)", 0.025, "Var[out] = x²·rate·(1-rate) without rescaling"),
)


@dashboard
def expectation(n: int = 10**6, seed: int = 0) -> Dashboard:
    """Rate and x sliders over n dropout outputs of one input value x (lesson 02)."""
    controls = {
        "rate": widgets.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.05, description="rate"),
        "x": widgets.FloatSlider(value=1.5, min=0.5, max=3.0, step=0.25, description="x"),
    }
    # One figure for the dashboard's lifetime: a slider move only updates its artists.
    draw = output_histogram_updater()
    # sample_pair's draws (one mask, two scalings), each rate's mask drawn once, each setting's numbers cached.
    draws = PairDraws(n, seed, hist_samples=HIST_SAMPLES)

    def render(rate: float, x: float):
        view = draws.view(float(x), float(rate))
        fig = draw(view.scaled_hist, view.plain_hist, view.scaled, view.plain)
        return fig, _readout(view.scaled, view.plain), {"rescaled": view.scaled, "not rescaled": view.plain}

    title = (f"Dropout output for one input x, n = {n:,} samples. Blue: rescaled by 1/(1-rate); "
             "orange: not rescaled; vertical lines: sample means; bars at the top: mean ± 1 std")
    return Dashboard(title, controls, render, checks=CHECKS)
