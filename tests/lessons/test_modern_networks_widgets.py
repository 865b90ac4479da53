"""Lesson 11's dashboards: cached settings give the same numbers and picture, frozen figures look like the plots."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread

from dropout_lab.lessons.modern_networks import compute, plots, widgets
from dropout_lab.ui.figures import to_png


def _pixels(figure) -> np.ndarray:
    return imread(io.BytesIO(to_png(figure)))


def _differing(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that differ visibly."""
    return float(np.mean(np.abs(a - b).max(axis=2) > 0.02))


# A frozen frame is drawn under the moving artists: where a line or marker crosses a spine or the legend,
# it now lies on top. That touches a few pixels (measured: at most 0.24%, a line lying on the x axis).
FROZEN_TOLERANCE = 0.003


def test_feature_map_dashboard_draws_the_static_plot_and_caches_each_rate():
    widgets._feature_point.cache_clear()
    dash = widgets.feature_map_dashboard()
    home = (dash.readout.value, dash.image.value, dash.result)
    assert dash.result == compute.feature_map_study(0.3, widgets.SEED)   # the lesson's own study, unchanged
    dash.controls["rate"].value = 0.65
    assert widgets._feature_point.cache_info().misses == 2 and dash.readout.value != home[0]
    assert dash.result == compute.feature_map_study(0.65, widgets.SEED)   # a new rate is computed afresh
    maps = compute.digit_feature_maps(seed=widgets.SEED)
    static = plots.plot_feature_maps(maps, compute.feature_map_masks(maps.shape, 0.65, widgets.SEED))
    moved = _pixels(dash.figure)
    assert _differing(moved, _pixels(static)) <= FROZEN_TOLERANCE
    assert _differing(moved, imread(io.BytesIO(home[1]))) > 0.01            # and the picture did move
    dash.controls["rate"].value = 0.3
    info = widgets._feature_point.cache_info()
    assert info.misses == 2 and info.hits >= 1                               # revisited: not recomputed
    assert (dash.readout.value, dash.image.value) == home[:2] and dash.result is home[2]


def test_time_average_dashboard_draws_the_static_plot_and_caches_each_point():
    widgets._time_point.cache_clear()
    dash = widgets.time_average_dashboard()
    home = (dash.readout.value, dash.image.value)
    assert dash.result == compute.time_average(10, 0.5, widgets.SEQUENCES, widgets.SEED)
    assert widgets._time_point.cache_info().misses == 5                     # T = 1, 3, 10, 30, 100
    dash.controls["rate"].value = 0.25
    dash.controls["steps"].value = 37
    assert widgets._time_point.cache_info().misses == 5 + 5 + 1             # a new rate, then one new T
    assert dash.result == compute.time_average(37, 0.25, widgets.SEQUENCES, widgets.SEED)
    points = [compute.time_average(t, 0.25, widgets.SEQUENCES, widgets.SEED) for t in (1, 3, 10, 30, 37, 100)]
    assert _differing(_pixels(dash.figure), _pixels(plots.plot_time_average(points))) <= FROZEN_TOLERANCE
    dash.controls["steps"].value = 10
    dash.controls["rate"].value = 0.5
    assert widgets._time_point.cache_info().misses == 11                    # every point was cached
    assert (dash.readout.value, dash.image.value) == home


def test_drop_path_dashboard_reuses_one_frame_per_zoom():
    dash = widgets.drop_path_schedule_dashboard()
    home = (dash.readout.value, dash.image.value, dash.figure)
    dash.controls["depth"].value = 30
    dash.controls["max_rate"].value = 0.15
    assert plots.drop_rates_zoom(30, 0.15) == (48, 0.2) and dash.figure is not home[2]
    assert _differing(_pixels(dash.figure), _pixels(plots.plot_drop_rates(30, 0.15))) <= FROZEN_TOLERANCE
    zoomed = dash.figure
    dash.controls["depth"].value = 40                                        # the same zoom: the same figure
    assert dash.figure is zoomed
    assert _differing(_pixels(dash.figure), _pixels(plots.plot_drop_rates(40, 0.15))) <= FROZEN_TOLERANCE
    dash.controls["depth"].value = 12
    dash.controls["max_rate"].value = 0.1
    assert dash.figure is home[2] and (dash.readout.value, dash.image.value) == home[:2]


def test_drop_rates_zoom_levels_hold_the_schedule():
    for depth in range(1, 60):
        for max_rate in np.linspace(0, 0.9, 19):
            blocks, top = plots.drop_rates_zoom(depth, float(max_rate))
            assert depth <= blocks and max_rate <= top
    assert plots.drop_rates_zoom(12, 0.1) == (12, 0.1) and plots.drop_rates_zoom(13, 0.11) == (24, 0.2)
    assert plots.drop_rates_zoom(60, 0.9) == (60, 0.9)                       # beyond the levels: the values
