"""Lesson 05's dashboard and plots, driven by setting control values."""
import importlib
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.ui.dashboard import Agrees, Moves, all_dashboards

widgets = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.widgets")
plots = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.plots")
results = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.results")


@pytest.fixture(scope="module")
def stored():
    return results.load_runs()


def test_the_dashboard_is_registered_and_declares_its_maths():
    assert "05:rate_and_losses" in all_dashboards()
    dash = widgets.rate_and_losses()
    kinds = {type(c) for c in dash.checks}
    assert kinds == {Moves, Agrees}
    assert all(name in dash.metrics() for c in dash.checks
               for name in ((c.metric,) if isinstance(c, Moves) else (c.measured, c.predicted)))


def test_moving_the_rate_and_the_epoch_follows_the_stored_runs(stored):
    dash = widgets.rate_and_losses()
    assert dash.controls["rate"].options == tuple(stored.rates()) and dash.controls["epoch"].value == 20
    gaps = []
    for rate in stored.rates():
        dash.controls["rate"].value = rate
        gaps.append(dash.result["gap fit − off"])
        expected = stored.stack("none" if rate == 0 else "custom", rate, "val_loss")[:, 19].mean()
        assert dash.result["val loss, your layer"] == pytest.approx(expected)
        assert dash.result["val loss, your layer"] == dash.result["val loss, keras.layers.Dropout"]
    assert np.all(np.diff(gaps) > 0), gaps  # at epoch 20 the gap grows with every step of the rate
    dash.controls["epoch"].value = 1
    assert dash.result["train loss, dropout off"] > 0.6  # epoch 1: barely trained


def test_the_dashboard_redraws_one_figure_in_place(stored):
    dash = widgets.rate_and_losses()
    figure, first = dash.figure, bytes(dash.image.value)
    dash.controls["rate"].value = 0.2
    moved = bytes(dash.image.value)
    dash.controls["epoch"].value = 5
    dash.controls["epoch"].value = 20
    dash.controls["rate"].value = 0.5
    assert dash.figure is figure and moved != first and bytes(dash.image.value) == first


def test_the_dashboard_needs_no_keras():
    code = ("import sys\nfrom dropout_lab.lessons.keras_custom_dropout import widgets\n"
            "widgets.rate_and_losses()\nprint('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_plots_return_figures(stored):
    assert isinstance(plots.plot_curves(stored, 0.5), Figure)
    assert isinstance(plots.plot_rate_view(results.rate_view(stored, 0.3, 7)), Figure)
    assert isinstance(dl.ui.figures.to_png(plots.plot_curves(stored, 0.2)), bytes)


def _visibly_different(a: bytes, b: bytes) -> float:
    """Share of pixels that differ visibly between two PNGs of the same size."""
    import io

    from matplotlib.image import imread
    first, second = (imread(io.BytesIO(png)) for png in (a, b))
    return float(np.mean(np.abs(first - second).max(axis=2) > 0.02))


def test_the_dashboard_draws_what_plot_rate_view_draws(stored):
    # The dashboard draws its frame once (freeze_static); what it shows must still be plot_rate_view's
    # picture (but for a few pixels where a moving line now lies on top of a spine) at every setting.
    dash = widgets.rate_and_losses()
    shown = []
    for rate, epoch in ((0.0, 1), (0.3, 7), (0.7, 20)):
        dash.controls["rate"].value, dash.controls["epoch"].value = rate, epoch
        static = dl.ui.figures.to_png(plots.plot_rate_view(results.rate_view(stored, rate, epoch)))
        assert _visibly_different(bytes(dash.image.value), static) < 1e-3, (rate, epoch)
        shown.append(bytes(dash.image.value))
    assert _visibly_different(shown[0], shown[2]) > 1e-3   # and the frozen picture does move
