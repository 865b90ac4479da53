"""Dashboard: a custom Keras dropout layer's outputs as the rate moves, correct vs old mistakes (lesson 05)."""
from __future__ import annotations

import math

import ipywidgets as widgets

from ...stats import binomial_band, normal_band
from ...ui.dashboard import Dashboard, dashboard, readout

N_UNITS = 1_000_000
Z = 4  # as in keras_custom.audit_layer: two checks per update, so a wider band keeps false alarms rare
KEY = ("<small>key: orange bars: this layer's share of units at each output value · orange line: its mean · "
       "black outlines: correct dropout (rate zeros, the rest at 1/keep) · dotted: 1, the mean to keep</small>")


def verdict(stats) -> dict:
    """The readout numbers and whether zero fraction and mean sit in their z = 4 bands (lesson 05)."""
    low, high = binomial_band(stats.rate, stats.n, z=Z)
    # Var[out] = rate/keep for an input of ones: the mean's band around 1
    mean_low, mean_high = normal_band(1.0, math.sqrt(stats.rate / (1.0 - stats.rate)), stats.n, z=Z)
    return {"zero fraction": stats.zero_fraction, "mean": stats.mean,
            "zero fraction ok": low <= stats.zero_fraction <= high,
            "mean ok": mean_low <= stats.mean <= mean_high}


def make_render():
    """A render function that owns one figure and only updates its artists (lesson 05)."""
    from . import compute as keras_custom  # imports Keras: only when the dashboard is used
    from .plots import OutputStatsView
    # No legend or title: the key and the readout above the figure say it, and text is slow to draw.
    view = OutputStatsView(legend=False, freeze=True, title=False)

    def render(rate: float, layer: str):
        """Run the chosen layer on ones(10^6) in training mode and show its output values (lesson 05)."""
        stats = keras_custom.output_stats(keras_custom.LAYER_VARIANTS[layer], rate, N_UNITS, seed=0)
        result = verdict(stats)
        html = readout({"zero fraction": stats.zero_fraction, "rate": float(rate), "output mean": stats.mean,
                        "verdict": "correct" if result["zero fraction ok"] and result["mean ok"] else "broken"})
        return view.update(stats), html + " &nbsp;<br>" + KEY, result

    return render


@dashboard
def custom_layer_outputs() -> Dashboard:
    """Slide the rate; switch between the correct layer and the two old mistakes (lesson 05)."""
    controls = {
        "rate": widgets.FloatSlider(value=0.2, min=0.05, max=0.9, step=0.05, description="rate",
                                    readout_format=".2f"),
        "layer": widgets.Dropdown(options=["CustomDropout (correct)", "coin flip (rate ignored)",
                                           "÷ rate instead of ÷ keep"], description="layer"),
    }
    dash = Dashboard("Your dropout layer on one million ones (training=True)", controls, make_render())
    dash.data_size = N_UNITS  # judged by benchmarks/bench_widgets.py at 10^6
    return dash
