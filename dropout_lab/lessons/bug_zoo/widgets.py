"""Dashboard for lesson 08: slide the rate and watch which bugs show themselves and which hide."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Dashboard, dashboard, readout
from .compute import bug_symptoms
from .plots import plot_symptoms


def _render(rate: float):
    symptoms = bug_symptoms(rate)
    fine = symptoms.looks_right()
    hidden = [name for name, ok in zip(symptoms.names[1:], fine[1:]) if ok]
    html = readout({"rate": f"{rate:.2f}", "bugs visible": str(int((~fine[1:]).sum())),
                    "bugs hiding at this rate": ", ".join(hidden) or "none"})
    return plot_symptoms(symptoms), html, dict(zip(symptoms.names, fine.tolist()))


@dashboard
def bug_symptoms_dashboard() -> Dashboard:
    """A rate slider: zero fraction and output scale of the correct layer and four buggy ones (lesson 08)."""
    rate = widgets.FloatSlider(value=0.2, min=0.05, max=0.95, step=0.05, description="rate",
                               continuous_update=False, readout_format=".2f")
    return Dashboard("Which dropout bugs can you see at this rate?", {"rate": rate}, _render)
