"""Dashboard: the output histogram and its mean, with and without rescaling (lesson 02)."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import Moments, histogram, moments, predicted_var, sample_pair
from .plots import output_histogram_updater

# The histogram shows the first 10**5 samples: at 60 bins a picture cannot resolve more
# (bar heights vary by < 0.5 %), and it saves ~15 ms per update. The numbers use all n.
HIST_SAMPLES = 10**5


def _readout(scaled: Moments, plain: Moments) -> str:
    """Measured mean and variance next to what the formulas predict."""
    x, rate = scaled.x, scaled.rate
    return "<br>\n".join([
        readout({"mean (rescaled)": scaled.mean, "x": float(x)}),
        readout({"mean (not rescaled)": plain.mean, "(1-rate)·x": (1 - rate) * x}),
        readout({"variance (rescaled)": scaled.var, "x²·rate/(1-rate)": predicted_var(x, rate)}),
    ])


@dashboard
def expectation(n: int = 10**6, seed: int = 0) -> Dashboard:
    """Rate and x sliders over n dropout outputs of one input value x (lesson 02)."""
    controls = {
        "rate": widgets.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.05, description="rate"),
        "x": widgets.FloatSlider(value=1.5, min=0.5, max=3.0, step=0.25, description="x"),
    }
    # One figure for the dashboard's lifetime: a slider move only updates its artists.
    draw = output_histogram_updater()

    def render(rate: float, x: float):
        scaled_out, plain_out = sample_pair(x, rate, n, seed)  # one mask, two scalings
        scaled, plain = moments(scaled_out, x, rate, True), moments(plain_out, x, rate, False)
        high = 1.1 * x / (1 - rate)
        shown = slice(0, HIST_SAMPLES)
        fig = draw(histogram(scaled_out[shown], -0.05 * high, high),
                   histogram(plain_out[shown], -0.05 * high, high), scaled, plain)
        return fig, _readout(scaled, plain), {"rescaled": scaled, "not rescaled": plain}

    title = (f"Dropout output for one input x, n = {n:,} samples. Blue: rescaled by 1/(1-rate); "
             "orange: not rescaled; vertical lines: sample means")
    return Dashboard(title, controls, render)
