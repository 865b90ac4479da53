"""Dashboard for lesson 08: slide the rate and see which measurement catches which dropout bug."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import bug_symptoms
from .plots import symptoms_figure

N = 100_000  # units per measurement: 200 rows of 500


def _render(rate: float, draw):
    symptoms = bug_symptoms(rate, N)
    fine = symptoms.looks_right()
    hidden = [name for name, ok in zip(symptoms.names[1:], fine[1:]) if ok]
    correct = symptoms.values[0]
    html = readout({"rate": f"{rate:.2f}",
                    "correct layer's zero fraction": float(correct[0] * rate),
                    "correct layer's training mean": float(correct[1]), "E[out]": 1.0,
                    "two fresh masks agree": float(correct[4] * symptoms.q), "keep² + rate²": float(symptoms.q),
                    "bugs visible": str(int((~fine[1:]).sum())),
                    "bugs hiding at this rate": ", ".join(hidden) or "none"})
    return draw(symptoms), html, dict(zip(symptoms.names, fine.tolist()))


# Tolerances for the Agrees checks: at least 5 standard errors at N = 100 000 units, worst case over
# the slider's range [0.05, 0.95]:
#   zero fraction: relative SE √(keep / (rate·N)), largest at rate 0.05: 1.4 %  -> 7 %
#   training mean: relative SE √(rate / (keep·N)), largest at rate 0.95: 1.4 %  -> 7 %
#   agreement of two masks: relative SE √((1 − q) / (q·N)), largest at rate 0.5: 0.32 %  -> 2 %
CHECKS = (
    Moves("correct layer's zero fraction", "rate", +1, "each unit is dropped with probability rate"),
    Agrees("correct layer's zero fraction", "rate", 0.07, "the zero fraction of N units is Binomial(N, rate)/N"),
    Agrees("correct layer's training mean", "E[out]", 0.07, "inverted dropout preserves the mean: E[out] = x = 1"),
    Agrees("two fresh masks agree", "keep² + rate²", 0.02, "two independent masks agree on a unit w.p. keep² + rate²"),
)


@dashboard
def bug_symptoms_dashboard() -> Dashboard:
    """A rate slider: six measurements of the correct layer and eight buggy ones (lesson 08)."""
    rate = widgets.FloatSlider(value=0.2, min=0.05, max=0.95, step=0.05, description="rate",
                               continuous_update=False, readout_format=".2f")
    draw = symptoms_figure(bug_symptoms(0.2, N).names)
    return Dashboard("Which measurement catches which dropout bug?", {"rate": rate},
                     lambda rate: _render(rate, draw), checks=CHECKS)
