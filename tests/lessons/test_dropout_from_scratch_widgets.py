"""Lesson 01's dashboard: every framework's readout follows the rate and sits next to the prediction."""
import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch import widgets
from dropout_lab.lessons.dropout_from_scratch.compute import ones_bands
from dropout_lab.stats import Z_CHECK


def test_three_frameworks_follow_the_rate_and_show_the_prediction():
    dash = widgets.three_frameworks()
    assert set(dash.result) == {"numpy", "torch", "keras"}
    for rate in (0.05, 0.1, 0.5, 0.8, 0.9):
        dash.controls["rate"].value = rate
        bands = ones_bands(rate, 32 * 32, Z_CHECK)
        metrics = dash.metrics()
        assert float(metrics["predicted std"]) == float(f"{math.sqrt(rate / (1 - rate)):.4g}")
        for name, stats in dash.result.items():
            assert bands.contains(stats), (name, rate, stats)
            # the declared tolerances hold at every rate, not only at the slider's ends
            assert abs(stats.zero_fraction - rate) <= widgets.ZERO_TOL
            assert math.isclose(stats.std, math.sqrt(rate / (1 - rate)), rel_tol=widgets.STD_TOL)


def test_a_new_seed_draws_new_masks():
    dash = widgets.three_frameworks()
    before = {k: v.zero_fraction for k, v in dash.result.items()}
    dash.controls["seed"].value = 5
    assert before != {k: v.zero_fraction for k, v in dash.result.items()}


def test_tolerances_are_five_standard_errors_at_1024_units():
    n, zero_tol, std_tol = 1024, widgets.ZERO_TOL, widgets.STD_TOL
    assert math.isclose(zero_tol, 5 * math.sqrt(0.25 / n))
    assert math.isclose(widgets.MEAN_TOL, 5 * 3 / 32)                  # sqrt(0.9 / 0.1) / sqrt(1024)
    rates = np.arange(1, 19) * 0.05
    assert math.isclose(std_tol, 5 * 0.9 / (2 * math.sqrt(n * 0.05 * 0.95)))
    assert std_tol >= 5 * np.max(np.abs(2 * rates - 1) / (2 * np.sqrt(n * rates * (1 - rates)))) - 1e-12


def test_redrawn_in_place_looks_like_the_static_plot():
    dash = widgets.three_frameworks()
    for rate, seed in [(0.3, 0), (0.9, 4), (0.3, 0)]:  # and back: the frozen frame keeps no trace of a move
        dash.controls["rate"].value, dash.controls["seed"].value = rate, seed
        outputs = dl.lessons.dropout_from_scratch.compute.outputs_by_framework(np.ones((32, 32), np.float32),
                                                                               rate, seed)
        static = dl.lessons.dropout_from_scratch.plots.plot_outputs(outputs)  # drawn in full, titles = names
        assert dl.ui.figures.to_png(static) == bytes(dash.image.value)


def test_outputs_are_cached_per_setting_and_recomputed_for_a_new_one():
    ones_outputs = dl.lessons.dropout_from_scratch.compute.ones_outputs
    first = ones_outputs(8, 0.4, 2)
    assert ones_outputs(8, 0.4, 2) is first                                   # revisited: not recomputed
    fresh = dl.lessons.dropout_from_scratch.compute.outputs_by_framework(np.ones((8, 8), np.float32), 0.4, seed=2)
    assert all(np.array_equal(first[name], fresh[name]) for name in fresh)    # and what a fresh run gives
    other = ones_outputs(8, 0.4, 3)                                           # a new seed: new masks
    assert not all(np.array_equal(first[name], other[name]) for name in first)
    assert not any(y.flags.writeable for y in first.values())                # shared: nobody can change them


def test_a_frozen_figure_keeps_its_titles():
    draw = dl.lessons.dropout_from_scratch.plots.OutputsFigure(freeze=True)
    outputs = {"a": np.ones((4, 4)), "b": np.zeros((4, 4))}
    draw(outputs)
    with pytest.raises(ValueError, match="titles are fixed"):
        draw(outputs, {"a": "a: 0% zeros"})
    titled = dl.lessons.dropout_from_scratch.plots.OutputsFigure()  # drawn in full: titles may change
    titled(outputs)
    assert titled(outputs, {"a": "a: 0% zeros"}).axes[0].get_title() == "a: 0% zeros"


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_readout_shows_the_three_sigma_bands_around_the_prediction(rate):
    dash = widgets.three_frameworks()
    dash.controls["rate"].value = rate
    shown = dash.metrics()
    for key in ("zero fraction", "mean", "std"):
        low, high = (float(v) for v in shown[f"±3σ band {key}"].split(" – "))
        assert low <= float(shown[f"predicted {key}"]) <= high
        for name in ("numpy", "torch", "keras"):   # seed 0: every framework's 1024 outputs inside ±3σ
            assert low <= float(shown[f"{name} {key}"]) <= high, (rate, name, key)
