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


def test_the_dashboard_revisits_a_rate_pixel_for_pixel():
    dash = widgets.bug_symptoms_dashboard()
    dash.controls["rate"].value = 0.35
    first = bytes(dash.image.value)
    dash.controls["rate"].value = 0.9
    assert bytes(dash.image.value) != first
    dash.controls["rate"].value = 0.35
    assert bytes(dash.image.value) == first


def _ink(png: bytes):
    """The pixels that are not white, and their bounding box (rows, columns)."""
    import io

    import numpy as np
    from matplotlib.image import imread
    grey = imread(io.BytesIO(png))[..., :3].min(axis=2)
    rows, cols = np.nonzero(grey < 0.9)
    return grey, (rows.min(), rows.max(), cols.min(), cols.max())


def test_stamped_texts_look_like_matplotlib_texts():
    """The grid's numbers and the title are pasted from pictures rendered once: they must look like ax.text."""
    from dropout_lab.ui.figures import new_axes
    for text, fontsize, va in (("2.00", 7, "center"), ("0.50", 7, "center"),
                               ("rate 0.35: all six are 1 for correct dropout", 9, "baseline")):
        pngs = []
        for stamped in (False, True):
            fig, ax = new_axes(figsize=plots.SYMPTOMS_SIZE)
            ax.set_axis_off()
            ax.set(xlim=(0, 6), ylim=(9, 0))
            if stamped:
                stamps = plots._Stamps(ax.transData, [(2.5, 4.5)], fontsize, va=va)
                stamps.texts = [text]
                ax.add_artist(stamps)
            else:
                ax.text(2.5, 4.5, text, ha="center", va=va, fontsize=fontsize)
            pngs.append(to_png(fig))
        (plain, box), (pasted, pasted_box) = _ink(pngs[0]), _ink(pngs[1])
        # where the text would be to within a pixel (the stamp sits on a whole pixel), with the same ink
        assert all(abs(a - b) <= 1 for a, b in zip(box, pasted_box)), (text, box, pasted_box)
        ink, pasted_ink = float((1 - plain).sum()), float((1 - pasted).sum())
        assert abs(ink - pasted_ink) <= 0.02 * ink, (text, ink, pasted_ink)


def _numbers_shown(rate: float) -> set[str]:
    symptoms = compute.bug_symptoms(rate, widgets.N)
    return {f"{v:.2f}" for v in symptoms.values[~symptoms.in_band()]}


def test_a_string_is_rendered_once():
    plots._stamp.cache_clear()
    dash = widgets.bug_symptoms_dashboard()            # rate 0.2: its numbers and its title
    assert plots._stamp.cache_info().currsize == len(_numbers_shown(0.2)) + 1
    dash.controls["rate"].value = 0.5                  # a new rate: only the strings not seen yet are rendered
    new = len(_numbers_shown(0.5) - _numbers_shown(0.2)) + 1
    assert plots._stamp.cache_info().currsize == len(_numbers_shown(0.2)) + 1 + new
    rendered, hits = plots._stamp.cache_info().currsize, plots._stamp.cache_info().hits
    dash.controls["rate"].value = 0.2                  # revisited: everything comes from the cache
    assert plots._stamp.cache_info().currsize == rendered
    symptoms = compute.bug_symptoms(0.2, widgets.N)
    assert plots._stamp.cache_info().hits == hits + int((~symptoms.in_band()).sum()) + 1   # every cell + title
