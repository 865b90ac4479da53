"""Figures for lesson 08: what each dropout bug does to the zero fraction and the output scale."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...ui.figures import new_axes
from .compute import Symptoms

MEASURES = ("zero fraction ÷ rate", "training mean", "test output")  # bar order, dark to light


def plot_symptoms(symptoms: Symptoms, ax: Axes | None = None) -> Figure:
    """Three ratios per variant that are all 1 for correct dropout; bugs stick out (lesson 08)."""
    fig, ax = new_axes(ax, figsize=(6.4, 3.0))
    fig.subplots_adjust(left=0.22, right=0.95, bottom=0.14, top=0.9)
    values = np.stack([symptoms.zero_fraction / symptoms.rate, symptoms.train_mean, symptoms.test_mean])
    y = np.arange(len(symptoms.names))[::-1]
    for i, shade in enumerate((1.0, 0.65, 0.3)):  # one colour, three shades: the order of MEASURES
        ax.barh(y + 0.27 * (1 - i), values[i], height=0.27, color=(0.12, 0.47, 0.71, shade))
    ax.axvline(1.0, color="k", lw=1, ls="--")
    ax.set_yticks(y, symptoms.names, fontsize=8)
    top = float(min(max(2.0, 1.05 * values.max()), 12.0))
    ax.set(xlim=(0, top), xticks=[0, 1, 2] if top < 4 else [0, 1, round(top)])
    ax.set_title(f"rate {symptoms.rate:.2f} — dark to light: " + " | ".join(MEASURES), fontsize=9)
    return fig
