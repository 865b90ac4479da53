"""Dashboards and plots of lessons 05 and 06, driven by setting control values."""
import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.ensemble import compute as E
from dropout_lab.ui.dashboard import all_dashboards


def test_lesson06_dashboard_is_registered():
    assert any(lesson == "06" for lesson, _ in all_dashboards().values())


def test_mc_dashboard_error_shrinks_with_k_and_follows_sigma_over_sqrt_k():
    dash = dl.lessons.ensemble.widgets.mc_convergence()
    assert dash.result["k"] == 16 and bytes(dash.image.value).startswith(b"\x89PNG")
    errors = {}
    for k in (1, 64, 4096):
        dash.controls["k"].value = k
        errors[k] = dash.result["rms error"]
        # 64 runs: the RMS error estimates σ/√k within 5 of its standard errors (RMS_REL_TOL, derived below)
        assert abs(errors[k] / dash.result["predicted rms"] - 1) < dl.lessons.ensemble.widgets.RMS_REL_TOL
    assert errors[1] > errors[64] > errors[4096]
    dash.controls["k"].value = 1
    p1 = dash.result["predicted rms"]
    dash.controls["k"].value = 4096
    assert dash.result["predicted rms"] == pytest.approx(p1 / 64)
    assert "data-metric='RMS error'" in dash.readout.value


def test_mc_dashboard_softmax_layer_and_rate():
    dash = dl.lessons.ensemble.widgets.mc_convergence()
    relu_gap = dash.result["weight-scaled gap"]
    dash.controls["net"].value = "one softmax layer (12 inputs)"
    assert dash.result["weight-scaled gap"] > 1e-4  # weight scaling is the geometric, not the arithmetic mean
    low = dash.result["predicted rms"]
    dash.controls["rate"].value = 0.9
    assert dash.result["predicted rms"] > low  # sub-networks disagree more at a higher rate
    assert relu_gap > 1e-4


def test_mc_dashboard_matches_compute_function():
    dash = dl.lessons.ensemble.widgets.mc_convergence()
    dash.controls["k"].value = 4096
    net = E.relu_net(4, (6, 6), 3, seed=0)
    x = np.random.default_rng(dl.lessons.ensemble.widgets.INPUT_SEED).normal(size=4)
    exact = E.exact_ensemble(net, x, 0.5)
    assert dash.result["weight-scaled gap"] == pytest.approx(
        np.abs(exact.weight_scaled - exact.arithmetic_mean).max())


def test_lesson06_plots_return_figures():
    net = E.relu_net(seed=0)
    x = np.random.default_rng(100).normal(size=4)
    ens = E.exact_ensemble(net, x, 0.5)
    run = E.monte_carlo(net, x, 0.5, k_max=256, trials=4, rng=0)
    figures = [
        dl.lessons.ensemble.plots.plot_subnetworks(ens, cls=2),
        dl.lessons.ensemble.plots.plot_gap_survey(E.gap_survey(nets=3)),
        dl.lessons.ensemble.plots.plot_mc_convergence(run, k=16),
    ]
    assert all(isinstance(fig, Figure) for fig in figures)


def test_declared_tolerance_is_at_least_five_standard_errors_everywhere():
    """RMS_REL_TOL ≥ 5 × the exact relative s.e. of the RMS over TRIALS runs, at every slider state."""
    w = dl.lessons.ensemble.widgets
    worst = 0.0
    for make in w.NETS.values():
        net = make()
        x = np.random.default_rng(w.INPUT_SEED).normal(size=net.weights[0].shape[0])
        for rate in np.round(np.arange(0.1, 0.95, 0.1), 2):
            tr, tr2, fourth = E.output_moments(E.exact_ensemble(net, x, rate))
            for k in w.K_OPTIONS:
                var_mse = (fourth - tr ** 2 + 2 * (k - 1) * tr2) / k ** 3 / w.TRIALS
                worst = max(worst, 0.5 * np.sqrt(var_mse) / (tr / k))   # δ√M / √M ≈ ½ δM / M
    assert 5 * worst <= w.RMS_REL_TOL < 1.0, worst


def test_mc_dashboard_declares_its_checks():
    dash = dl.lessons.ensemble.widgets.mc_convergence()
    kinds = {type(c).__name__ for c in dash.checks}
    assert kinds == {"Moves", "Agrees"} and all(c.why for c in dash.checks)


def _visibly_different(a: bytes, b: bytes) -> float:
    """Share of pixels that differ visibly between two PNGs of the same size."""
    import io

    from matplotlib.image import imread
    first, second = (imread(io.BytesIO(png)) for png in (a, b))
    return float(np.mean(np.abs(first - second).max(axis=2) > 0.02))


def test_mc_dashboard_draws_what_plot_mc_convergence_draws():
    # The dashboard draws its frame once (freeze_static) and its curves from the cache; the picture must
    # still be plot_mc_convergence's for the same run (but for a few pixels on the spines).
    w = dl.lessons.ensemble.widgets
    dash = w.mc_convergence()
    shown = []
    for k, rate, net in ((1, 0.1, list(w.NETS)[1]), (64, 0.5, list(w.NETS)[0]), (4096, 0.9, list(w.NETS)[0])):
        dash.controls["k"].value, dash.controls["rate"].value, dash.controls["net"].value = k, rate, net
        run = w._runs(net, rate)[0]
        static = dl.ui.figures.to_png(dl.lessons.ensemble.plots.plot_mc_convergence(run, k, legend=False))
        assert _visibly_different(bytes(dash.image.value), static) < 1e-3, (k, rate, net)
        shown.append(bytes(dash.image.value))
    assert _visibly_different(shown[0], shown[1]) > 1e-3   # and the frozen picture does move


def test_mc_dashboard_frame_holds_every_setting():
    """The fixed limits the dashboard's frozen frame uses contain every curve at every setting it reaches."""
    w, p = dl.lessons.ensemble.widgets, dl.lessons.ensemble.plots
    low, high = p.MC_YLIM
    for net in w.NETS:
        for rate in np.round(np.arange(0.1, 0.95, 0.1), 2):
            curves = w._runs(net, float(rate))[2]
            drawn = np.concatenate([curves.runs.ravel(), curves.rmse, curves.predicted])
            assert low < drawn.min() and drawn.max() < high, (net, rate, drawn.min(), drawn.max())
    assert p.MC_XLIM[0] < min(w.K_OPTIONS) and max(w.K_OPTIONS) < p.MC_XLIM[1]


def test_mc_dashboard_cache_revisits_and_recomputes():
    w = dl.lessons.ensemble.widgets
    w._runs.cache_clear()
    dash = w.mc_convergence()
    first = dict(dash.result)
    assert w._runs.cache_info().misses == 1
    dash.controls["rate"].value = 0.3                    # a new setting: sampled afresh
    assert w._runs.cache_info().misses == 2 and dash.result["predicted rms"] != first["predicted rms"]
    dash.controls["rate"].value = 0.5                    # revisited: the cache, the same numbers
    assert w._runs.cache_info().misses == 2 and dash.result == first
    # the cached numbers are those of a fresh, uncached run
    net = w.NETS[dash.controls["net"].value]()
    x = np.random.default_rng(w.INPUT_SEED).normal(size=4)
    fresh = E.monte_carlo(net, x, 0.5, k_max=w.K_OPTIONS[-1], trials=w.TRIALS, rng=0)
    assert first["rms error"] == fresh.rmse()[first["k"] - 1]
