"""Dashboards for lesson 03: the zero fraction's ~1/√n wobble, and three ways to count zeros after a ReLU."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import ReluDraws, expected_difference, naive_zero_fraction, prob_inside_band, rate_trials
from .plots import zero_counts_updater, zero_fraction_hist_updater

TRIALS = 4000     # seeded trials per histogram: enough for a smooth shape, O(trials) to draw
UNITS = 10**6     # ReLU units in the counting dashboard: drawn once, recounted per update
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
    html = readout({"n": f"{trials.n:,}", "mean": float(trials.fractions.mean()), "rate": float(rate),
                    "measured std": trials.measured_std, "predicted std": trials.predicted_std,
                    "band": f"[{low:.4f}, {high:.4f}]", "inside band": f"{100 * trials.inside:.2f}%",
                    "exact P(inside)": f"{100 * prob_inside_band(trials.n, rate):.2f}%"})
    return draw(trials), html, trials


# Tolerances are >= 5 standard errors at 4000 trials, worst case over the sliders (rate 0.05-0.95,
# n 10-10^6): the mean's SE is at most sqrt(0.25 / 10 / 4000) = 0.0025, so 0.015 is 6 SE; the sample
# std's relative SE is sqrt(2/(T-1) + kurtosis/T) / 2 <= 1.48 % (n = 10, rate 0.05), so 8 % is 5.4 SE;
# the in-band share's SE is sqrt(p(1-p)/T) <= 0.198 points (p = 0.984 at n = 20, rate 0.05), so 1.2 is 6 SE.
HISTOGRAM_CHECKS = (
    Moves("mean", "rate", +1, "the mean zero fraction over trials is ≈ rate"),
    Moves("measured std", "n", -1, "the zero fraction's std is √(rate(1-rate)/n)"),
    Moves("predicted std", "n", -1, "√(rate(1-rate)/n) shrinks as 1/√n"),
    Agrees("mean", "rate", 0.0, "E[K/n] = rate", abs_tol=0.015),
    Agrees("measured std", "predicted std", 0.08, "std of Binomial(n, rate)/n"),
    Agrees("inside band", "exact P(inside)", 0.0, "the in-band share of T trials is Binomial(T, p)/T", abs_tol=1.2),
)


@dashboard
def zero_fraction_histogram() -> Dashboard:
    """Rate and n (log scale) → histogram of realised zero fractions with the ±3σ band (lesson 03)."""
    draw = zero_fraction_hist_updater()
    return Dashboard(f"Realised zero fraction over {TRIALS} seeded forward passes",
                     {"rate": _rate_slider(), "n": _units_slider()},
                     lambda rate, n: _render_histogram(rate, n, draw), checks=HISTOGRAM_CHECKS)


def _render_counts(rate: float, z0: float, draws: ReluDraws, draw):
    count = draws.count(z0, rate)
    zb = count.zero_before
    html = readout({"zeros before": zb,
                    "naive count": count.naive, "z0 + (1-z0)·rate": naive_zero_fraction(zb, rate),
                    "after − before": count.difference, "(1-z0)·rate": expected_difference(zb, rate),
                    "honest count": count.honest, "rate": float(rate)})
    return draw([count]), html, count


# Given the realised z0, naive and after − before carry the binomial noise of the live units over all
# 10^6 units, SE <= sqrt(0.25 / 10^6) = 0.0005: 0.003 is 6 SE. The honest count's SE is
# sqrt(rate(1-rate)/alive) <= sqrt(0.25 / 10^5) = 0.0016 at z0 = 0.9: 0.01 is 6 SE.
COUNT_CHECKS = (
    Moves("naive count", "z0", +1, "zeros already there stay zero: naive = z0 + (1-z0)·rate"),
    Moves("after − before", "z0", -1, "dropout can only zero the live units: E[after − before] = (1-z0)·rate"),
    Moves("naive count", "rate", +1, "more of the live units are dropped"),
    Moves("after − before", "rate", +1, "more of the live units are dropped"),
    Moves("honest count", "rate", +1, "among live units the zero share is rate"),
    Agrees("naive count", "z0 + (1-z0)·rate", 0.0, "naive count given z0", abs_tol=0.003),
    Agrees("after − before", "(1-z0)·rate", 0.0, "after − before is biased low by z0·rate", abs_tol=0.003),
    Agrees("honest count", "rate", 0.0, "the count over live units is unbiased", abs_tol=0.01),
)


@dashboard
def zero_counts(units: int = UNITS) -> Dashboard:
    """Rate and z0 sliders: naive, after − before and honest zero counts of dropout after a ReLU (lesson 03)."""
    draws, draw = ReluDraws(units, SEED), zero_counts_updater()
    controls = {"rate": _rate_slider(),
                "z0": widgets.FloatSlider(value=0.5, min=0.05, max=0.9, step=0.05, description="z0",
                                          continuous_update=False, readout_format=".2f")}
    return Dashboard(f"Counting dropout's zeros in {units:,} ReLU outputs, z0 of them zero before",
                     controls, lambda rate, z0: _render_counts(rate, z0, draws, draw), checks=COUNT_CHECKS)
