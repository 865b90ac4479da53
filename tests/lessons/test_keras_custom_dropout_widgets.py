"""Dashboards and plots of lessons 05 and 06, driven by setting control values."""
import importlib

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.ui.dashboard import all_dashboards


def test_lesson05_dashboard_flags_each_mistake():
    importlib.import_module("keras")
    assert any(lesson == "05" for lesson, _ in all_dashboards().values())
    dash = dl.lessons.keras_custom_dropout.widgets.custom_layer_outputs()
    assert dash.result["zero fraction ok"] and dash.result["mean ok"]
    dash.controls["layer"].value = "coin flip (rate ignored)"
    assert not dash.result["zero fraction ok"] and dash.result["mean ok"]
    dash.controls["rate"].value = 0.5  # the coin flip is correct at exactly 0.5
    assert dash.result["zero fraction ok"] and dash.result["mean ok"]
    dash.controls["layer"].value = "÷ rate instead of ÷ keep"
    assert dash.result["mean ok"]
    dash.controls["rate"].value = 0.25
    assert not dash.result["mean ok"] and dash.result["mean"] == pytest.approx(3.0, rel=0.01)
    assert "data-metric='verdict'" in dash.readout.value and "broken" in dash.readout.value


def test_lesson05_plots_return_figures():
    kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
    curve = kc.Curves("with dropout", np.array([0.7, 0.5]), np.array([0.6, 0.55]), np.array([0.6, 0.8]),
                      np.array([0.7, 0.75]))
    assert isinstance(dl.lessons.keras_custom_dropout.plots.plot_curves({"with dropout": curve}), Figure)
    stats = kc.output_stats(kc.CustomDropout, 0.5, n=1000)
    assert isinstance(dl.lessons.keras_custom_dropout.plots.plot_output_stats(stats), Figure)


def test_lesson05_dashboard_updates_one_figure_in_place_without_stale_artists():
    importlib.import_module("keras")
    dash = dl.lessons.keras_custom_dropout.widgets.custom_layer_outputs()
    figure, first = dash.figure, bytes(dash.image.value)
    dash.controls["rate"].value = 0.6
    moved = bytes(dash.image.value)
    dash.controls["layer"].value = "÷ rate instead of ÷ keep"
    dash.controls["layer"].value = "CustomDropout (correct)"
    dash.controls["rate"].value = 0.2
    assert dash.figure is figure                   # reused, not rebuilt
    assert moved != first                          # the picture follows the slider
    assert bytes(dash.image.value) == first        # back at the start: nothing left over from other settings


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_lesson05_frozen_view_looks_like_the_plain_plot():
    kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
    from dropout_lab.lessons.keras_custom_dropout.plots import OutputStatsView
    stats = kc.output_stats(kc.DivideByRateDropout, 0.3, n=10_000)
    frozen = OutputStatsView(legend=False, freeze=True, title=False)
    plain = OutputStatsView(legend=False, title=False)
    a = _pixels(dl.ui.figures.to_png(frozen.update(stats)))
    b = _pixels(dl.ui.figures.to_png(plain.update(stats)))
    assert a.shape == b.shape
    # Same picture up to anti-aliasing where a bar meets the frame (drawn in another order).
    assert np.mean(np.any(a != b, axis=-1)) < 0.002
    with pytest.raises(ValueError, match="freeze"):
        OutputStatsView(legend=True, freeze=True)


def test_lesson05_verdict_uses_z4_bands():
    kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
    from dropout_lab.lessons.keras_custom_dropout.widgets import Z, verdict
    assert Z == 4
    n, rate = 1_000_000, 0.2
    sigma = np.sqrt(rate * (1 - rate) / n)
    inside = kc.OutputStats(rate, n, np.array([0.0, 1.25]), np.array([rate, 1 - rate]), rate + 3.9 * sigma, 1.0)
    outside = kc.OutputStats(rate, n, np.array([0.0, 1.25]), np.array([rate, 1 - rate]), rate + 4.1 * sigma, 1.0)
    assert verdict(inside)["zero fraction ok"] and not verdict(outside)["zero fraction ok"]
