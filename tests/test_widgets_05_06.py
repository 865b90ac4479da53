"""Dashboards and plots of lessons 05 and 06, driven by setting control values."""
import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab import ensemble as E
from dropout_lab.widgets import all_dashboards


def test_lesson06_dashboard_is_registered():
    assert any(lesson == "06" for lesson, _ in all_dashboards().values())


def test_mc_dashboard_error_shrinks_with_k_and_follows_sigma_over_sqrt_k():
    dash = dl.widgets.ensemble.mc_convergence()
    assert dash.result["k"] == 16 and bytes(dash.image.value).startswith(b"\x89PNG")
    errors = {}
    for k in (1, 64, 4096):
        dash.controls["k"].value = k
        errors[k] = dash.result["rms error"]
        # 8 runs: the RMS error estimates σ/√k within its sampling noise (~1/√16 relative)
        assert abs(errors[k] / dash.result["predicted rms"] - 1) < 4 / np.sqrt(16)
    assert errors[1] > errors[64] > errors[4096]
    dash.controls["k"].value = 1
    p1 = dash.result["predicted rms"]
    dash.controls["k"].value = 4096
    assert dash.result["predicted rms"] == pytest.approx(p1 / 64)
    assert "data-metric='RMS error'" in dash.readout.value


def test_mc_dashboard_softmax_layer_and_rate():
    dash = dl.widgets.ensemble.mc_convergence()
    relu_gap = dash.result["weight-scaled gap"]
    dash.controls["net"].value = "one softmax layer (12 inputs)"
    assert dash.result["weight-scaled gap"] > 1e-4  # weight scaling is the geometric, not the arithmetic mean
    low = dash.result["predicted rms"]
    dash.controls["rate"].value = 0.9
    assert dash.result["predicted rms"] > low  # sub-networks disagree more at a higher rate
    assert relu_gap > 1e-4


def test_mc_dashboard_matches_compute_function():
    dash = dl.widgets.ensemble.mc_convergence()
    dash.controls["k"].value = 4096
    net = E.relu_net(4, (6, 6), 3, seed=0)
    x = np.random.default_rng(dl.widgets.ensemble.INPUT_SEED).normal(size=4)
    exact = E.exact_ensemble(net, x, 0.5)
    assert dash.result["weight-scaled gap"] == pytest.approx(
        np.abs(exact.weight_scaled - exact.arithmetic_mean).max())


def test_lesson06_plots_return_figures():
    net = E.relu_net(seed=0)
    x = np.random.default_rng(100).normal(size=4)
    ens = E.exact_ensemble(net, x, 0.5)
    run = E.monte_carlo(net, x, 0.5, k_max=256, trials=4, rng=0)
    figures = [
        dl.plots.ensemble.plot_subnetworks(ens, cls=2),
        dl.plots.ensemble.plot_gap_survey(E.gap_survey(nets=3)),
        dl.plots.ensemble.plot_mc_convergence(run, k=16),
    ]
    assert all(isinstance(fig, Figure) for fig in figures)


def test_lesson05_dashboard_flags_each_mistake():
    pytest.importorskip("keras")
    assert any(lesson == "05" for lesson, _ in all_dashboards().values())
    dash = dl.widgets.keras_custom.custom_layer_outputs()
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
    kc = pytest.importorskip("dropout_lab.keras_custom")
    curve = kc.Curves("with dropout", np.array([0.7, 0.5]), np.array([0.6, 0.55]), np.array([0.6, 0.8]),
                      np.array([0.7, 0.75]))
    assert isinstance(dl.plots.keras_custom.plot_curves({"with dropout": curve}), Figure)
    stats = kc.output_stats(kc.CustomDropout, 0.5, n=1000)
    assert isinstance(dl.plots.keras_custom.plot_output_stats(stats), Figure)


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_lesson05_dashboard_updates_one_figure_in_place_without_stale_artists():
    pytest.importorskip("keras")
    dash = dl.widgets.keras_custom.custom_layer_outputs()
    figure, first = dash.figure, bytes(dash.image.value)
    dash.controls["rate"].value = 0.6
    moved = bytes(dash.image.value)
    dash.controls["layer"].value = "÷ rate instead of ÷ keep"
    dash.controls["layer"].value = "CustomDropout (correct)"
    dash.controls["rate"].value = 0.2
    assert dash.figure is figure                   # reused, not rebuilt
    assert moved != first                          # the picture follows the slider
    assert bytes(dash.image.value) == first        # back at the start: nothing left over from other settings


def test_lesson05_frozen_view_looks_like_the_plain_plot():
    kc = pytest.importorskip("dropout_lab.keras_custom")
    from dropout_lab.plots.keras_custom import OutputStatsView
    stats = kc.output_stats(kc.DivideByRateDropout, 0.3, n=10_000)
    frozen = OutputStatsView(legend=False, freeze=True, title=False)
    plain = OutputStatsView(legend=False, title=False)
    a = _pixels(dl.plots.to_png(frozen.update(stats)))
    b = _pixels(dl.plots.to_png(plain.update(stats)))
    assert a.shape == b.shape
    # Same picture up to anti-aliasing where a bar meets the frame (drawn in another order).
    assert np.mean(np.any(a != b, axis=-1)) < 0.002
    with pytest.raises(ValueError, match="freeze"):
        OutputStatsView(legend=True, freeze=True)


def test_lesson05_verdict_uses_z4_bands():
    kc = pytest.importorskip("dropout_lab.keras_custom")
    from dropout_lab.widgets.keras_custom import Z, verdict
    assert Z == 4
    n, rate = 1_000_000, 0.2
    sigma = np.sqrt(rate * (1 - rate) / n)
    inside = kc.OutputStats(rate, n, np.array([0.0, 1.25]), np.array([rate, 1 - rate]), rate + 3.9 * sigma, 1.0)
    outside = kc.OutputStats(rate, n, np.array([0.0, 1.25]), np.array([rate, 1 - rate]), rate + 4.1 * sigma, 1.0)
    assert verdict(inside)["zero fraction ok"] and not verdict(outside)["zero fraction ok"]
