"""Dashboards for lesson 11: controls wired to compute + plots, nothing else."""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout
from .compute import (
    digit_feature_maps,
    expected_active_blocks,
    feature_map_masks,
    huang_drop_rates,
    linear_drop_rates,
    prepare_maps,
    sampled_active_blocks,
    shuffle_space,
    study_prepared,
    time_average_draws,
    time_average_from,
)
from .plots import DropRatesFigure, feature_map_view, time_average_view

SEED = 0
SEQUENCES = 20_000   # sequences per time-average measurement
MAX_STEPS = 100      # the steps slider's maximum: the time-average draws cover every T up to it
SAMPLES = 4000       # forward passes per DropPath count
MASKS = ("element-wise", "spatial (whole channels)")   # feature_map_masks' names, the figure's rows


@lru_cache(maxsize=1)
def _maps():
    maps = digit_feature_maps(seed=SEED)
    return maps, prepare_maps(maps, shuffle_space(maps, SEED))


@lru_cache(maxsize=64)
def _feature_point(rate: float):
    # one rate's masks and study, computed once: a revisited rate is only redrawn
    maps, prepared = _maps()
    masks = feature_map_masks(maps.shape, rate, SEED)
    return study_prepared(prepared, rate, masks), masks


def _slider(value: float, low: float, high: float, step: float, description: str) -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=False, readout_format=".2f")


def _maps_renderer():
    view = feature_map_view(_maps()[0], MASKS)   # one figure per dashboard, its labels drawn once

    def render(rate: float):
        study, masks = _feature_point(float(rate))
        html = readout({"zero fraction (element-wise)": study.elementwise.zero_fraction,
                        "rate (predicted)": float(rate), "channels dropped (spatial)": study.channels_dropped,
                        "recovered corr (element-wise)": study.elementwise.correlation,
                        "recovered corr (spatial)": study.spatial.correlation,
                        "recovered corr (shuffled control)": study.control.correlation})
        return view(masks), html, study
    return render


@dashboard
def feature_map_dashboard() -> Dashboard:
    """A rate slider over real digits' feature maps: element-wise vs whole-channel dropout (lesson 11)."""
    # 512 images × 8 channels × 64 positions = 262 144 units: the zero fraction's SE is at most
    # sqrt(0.25/262 144) = 0.001, so 5 SE = 0.005; 4096 (image, channel) coins: SE <= 0.0078, 5 SE = 0.04.
    checks = (Moves("zero fraction (element-wise)", "rate", +1, "each unit is dropped with probability rate"),
              Moves("recovered corr (element-wise)", "rate", -1, "fewer kept neighbours, a noisier guess"),
              Agrees("zero fraction (element-wise)", "rate (predicted)", 0.0, "Binomial(262 144, rate)/n", 0.005),
              Agrees("channels dropped (spatial)", "rate (predicted)", 0.0, "Binomial(4096, rate)/n", 0.04))
    return Dashboard("Element-wise vs spatial dropout on real feature maps",
                     {"rate": _slider(0.3, 0.05, 0.9, 0.05, "rate")}, _maps_renderer(), checks)


@lru_cache(maxsize=1)
def _time_draws():
    return time_average_draws(MAX_STEPS, SEQUENCES, SEED)


@lru_cache(maxsize=1024)
def _time_point(steps: int, rate: float):
    # the fixed markers are the same at every slider position: measure each (T, rate) once
    return time_average_from(_time_draws(), steps, rate)


def _time_renderer(draw_steps=(1, 3, 10, 30, 100)):
    view = time_average_view()   # one figure per dashboard, its frame drawn once

    def render(steps: int, rate: float):
        shown = sorted({int(steps), *draw_steps})
        points = [_time_point(t, float(rate)) for t in shown]
        now = points[shown.index(int(steps))]
        html = readout({"per-step variance": now.per_step_var, "per-step predicted": now.per_step_predicted,
                        "locked variance": now.locked_var, "locked predicted": now.locked_predicted})
        return view(points), html, now
    return render


@dashboard
def time_average_dashboard() -> Dashboard:
    """Sliders over T and the rate: a fresh mask per step averages away, a locked mask does not (lesson 11)."""
    # A sample variance of n = 20 000 averages has relative SE sqrt((2 + excess kurtosis)/n). The worst
    # case here is T = 1 at rate 0.1 or 0.7 (excess (1 - 6pq)/pq <= 5.1): sqrt(7.1/20 000) = 0.019, 5 SE = 0.094.
    checks = (Moves("per-step variance", "steps", -1, "T independent coins: variance rate/keep/T"),
              Moves("per-step variance", "rate", +1, "rate/keep grows with the rate"),
              Moves("locked variance", "rate", +1, "one coin: variance rate/keep"),
              Agrees("per-step variance", "per-step predicted", 0.1, "5 SE of a variance of 20 000 averages"),
              Agrees("locked variance", "locked predicted", 0.1, "5 SE of a variance of 20 000 averages"))
    controls = {"steps": widgets.IntSlider(value=10, min=1, max=MAX_STEPS, description="steps T",
                                           continuous_update=False),
                "rate": _slider(0.5, 0.1, 0.7, 0.05, "rate")}
    return Dashboard("The time average of a constant signal after dropout", controls, _time_renderer(), checks)


def _depth_renderer():
    figure = DropRatesFigure()   # one frozen frame per zoom level, per dashboard

    def render(depth: int, max_rate: float):
        linear, huang = linear_drop_rates(depth, max_rate), huang_drop_rates(depth, max_rate)
        measured = float(sampled_active_blocks(linear, SAMPLES, SEED).mean())
        html = readout({"active blocks (linspace, measured)": measured,
                        "active blocks (linspace, predicted)": expected_active_blocks(linear),
                        "active blocks (Huang rule, predicted)": expected_active_blocks(huang)})
        return figure(depth, max_rate), html, measured
    return render


@dashboard
def drop_path_schedule_dashboard() -> Dashboard:
    """Depth and maximum rate: per-block DropPath rates and the expected number of active branches (lesson 11)."""
    # The count of active blocks has variance sum p(1 - p) <= depth/4 = 12, so the mean of 4000 passes
    # has SE <= sqrt(12/4000) = 0.055: 5 SE = 0.28.
    checks = (Moves("active blocks (linspace, predicted)", "depth", +1, "more blocks, more active branches"),
              Moves("active blocks (linspace, predicted)", "max_rate", -1, "higher rates drop more branches"),
              Agrees("active blocks (linspace, measured)", "active blocks (linspace, predicted)", 0.0,
                     "5 SE of the mean of 4000 seeded passes", 0.28))
    controls = {"depth": widgets.IntSlider(value=12, min=2, max=48, description="blocks L", continuous_update=False),
                "max_rate": _slider(0.1, 0.0, 0.5, 0.05, "max rate")}
    return Dashboard("DropPath: the rate rises with depth", controls, _depth_renderer(), checks)

