"""Dashboards for lesson 03: the realised zero fraction wobbles around the rate by ~1/√n."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ...stats import binomial_band, zero_fractions
from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import rate_trials, spread
from .plots import wobble_updater, zero_fraction_hist_updater

TRIALS = 4000  # seeded trials per histogram: enough for a smooth shape, O(trials) to draw
PASSES = 200   # forward passes in the wobble plot
SEED = 0


def _rate_slider(value: float = 0.2) -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=0.05, max=0.95, step=0.05, description="rate",
                               continuous_update=False, readout_format=".2f")


def _units_slider(value: float = 32, description: str = "n") -> widgets.FloatLogSlider:
    # Log scale 10 … 10^6; the value is rounded to a whole number of units in render.
    return widgets.FloatLogSlider(value=value, base=10, min=1, max=6, step=0.05, description=description,
                                  continuous_update=False, readout_format=".3g")


def _render_histogram(rate: float, n: float, draw):
    trials = rate_trials(rate, int(round(n)), TRIALS, SEED)
    low, high = trials.band
    html = readout({"n": f"{trials.n:,}", "mean": float(trials.fractions.mean()),
                    "measured std": trials.measured_std, "predicted std": trials.predicted_std,
                    "band": f"[{low:.4f}, {high:.4f}]", "inside band": f"{100 * trials.inside:.2f}%"})
    return draw(trials), html, trials


@dashboard
def zero_fraction_histogram() -> Dashboard:
    """Rate and n (log scale) → histogram of realised zero fractions with the ±3σ band (lesson 03)."""
    draw = zero_fraction_hist_updater()
    return Dashboard(f"Realised zero fraction over {TRIALS} seeded trials",
                     {"rate": _rate_slider(), "n": _units_slider()},
                     lambda rate, n: _render_histogram(rate, n, draw))


def _render_wobble(rate: float, units: float, draw):
    n = int(round(units))
    fractions = zero_fractions(n, rate, PASSES, np.random.default_rng(SEED))
    low, high = binomial_band(rate, n)
    worst = float(np.abs(fractions - rate).max())
    html = readout({"units": f"{n:,}", "σ": spread(n, rate), "largest |fraction - rate|": worst,
                    "band": f"[{low:.4f}, {high:.4f}]"})
    return draw(fractions, rate, n, 0.25), html, fractions


@dashboard
def forward_pass_wobble() -> Dashboard:
    """A units slider: successive forward passes wobble for 32 units and settle for 100 000 (lesson 03)."""
    draw = wobble_updater()
    return Dashboard(f"Zero fraction of {PASSES} forward passes",
                     {"rate": _rate_slider(), "units": _units_slider(32, "units")},
                     lambda rate, units: _render_wobble(rate, units, draw))
