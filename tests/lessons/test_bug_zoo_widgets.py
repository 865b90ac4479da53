"""Lesson 08: the dashboard responds to its rate, declares its maths, and draws what plot_symptoms draws."""
from __future__ import annotations

from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.bug_zoo import compute, cost, plots, widgets
from dropout_lab.ui.dashboard import Agrees, Moves
from dropout_lab.ui.figures import to_png


def test_bugzoo_dashboard_lists_the_hidden_bugs():
    dash = widgets.bug_symptoms_dashboard()
    assert dash.result["divide by rate"] is False and dash.result["correct (inverted)"] is True
    dash.controls["rate"].value = 0.5
    assert dash.result["divide by rate"] is True and dash.result["scaled twice"] is False
    assert dash.result["same mask every call"] is False and dash.result["one mask per batch"] is False
    assert "divide by rate, rate fixed at 0.5, keep/drop swapped" in dash.readout.value
    assert dash.metrics()["bugs visible"] == "5"


def test_the_dashboard_declares_moves_and_agreements_on_its_readout():
    dash = widgets.bug_symptoms_dashboard()
    kinds = {type(c) for c in dash.checks}
    assert kinds == {Moves, Agrees} and all(c.rel_tol >= 0.02 for c in dash.checks if isinstance(c, Agrees))
    metrics = dash.metrics()
    for c in dash.checks:
        names = (c.metric,) if isinstance(c, Moves) else (c.measured, c.predicted)
        assert all(n in metrics for n in names)
    # only the correct layer's zero fraction may end in "zero fraction": the browser test's generic rule
    assert [n for n in metrics if n.endswith("zero fraction")] == ["correct layer's zero fraction"]


def test_the_dashboard_redraws_the_static_figure_pixel_for_pixel():
    dash = widgets.bug_symptoms_dashboard()
    dash.controls["rate"].value = 0.35
    assert bytes(dash.image.value) == to_png(plots.plot_symptoms(compute.bug_symptoms(0.35, widgets.N)))


def test_plots_return_figures():
    assert isinstance(plots.plot_symptoms(compute.bug_symptoms(0.3)), Figure)
    costs = cost.bug_costs((0, 1), cost.CostConfig(hidden=8, epochs=1))
    assert isinstance(plots.plot_costs(costs), Figure)
    assert "08:bug_symptoms_dashboard" in dl.ui.dashboard.REGISTRY
