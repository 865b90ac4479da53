"""Lesson 12's dashboard: a cached rate gives the same numbers and picture; the frozen figure looks like the plot."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread

from dropout_lab.lessons.dropout_family import compute, plots, widgets
from dropout_lab.ui.figures import to_png


def _pixels(figure) -> np.ndarray:
    return imread(io.BytesIO(to_png(figure)))


def _differing(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that differ visibly."""
    return float(np.mean(np.abs(a - b).max(axis=2) > 0.02))


def _numbers(stats) -> list[tuple]:
    return [(s.name, s.mean, s.var, s.zeros, s.predicted_mean, s.predicted_var, s.predicted_zeros) for s in stats]


def test_family_dashboard_draws_the_static_plot_and_caches_each_rate():
    widgets._family.cache_clear()
    dash = widgets.family_dashboard()
    home = (dash.readout.value, dash.image.value, dash.result)
    draws = compute.family_draws(seed=widgets.SEED)
    assert _numbers(dash.result) == _numbers(compute.family_stats(0.3, draws))   # the lesson's numbers, unchanged
    dash.controls["rate"].value = 0.45
    assert widgets._family.cache_info().misses == 2 and dash.readout.value != home[0]
    fresh = compute.family_stats(0.45, draws)                                      # a new rate is computed afresh
    assert _numbers(dash.result) == _numbers(fresh)
    moved = _pixels(dash.figure)
    # the same picture as the static plot: the frozen frame has no line a moving patch could cross
    assert _differing(moved, _pixels(plots.plot_family(fresh, 0.45))) == 0.0
    assert _differing(moved, imread(io.BytesIO(home[1]))) > 0.005                 # and the picture did move
    dash.controls["rate"].value = 0.3
    info = widgets._family.cache_info()
    assert info.misses == 2 and info.hits >= 1                                     # revisited: not recomputed
    assert (dash.readout.value, dash.image.value) == home[:2] and dash.result is home[2]
