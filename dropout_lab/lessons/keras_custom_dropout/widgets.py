"""Dashboard for lesson 05: the dropout rate and the three losses of the seed's IMDB model (stored runs)."""
from __future__ import annotations

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard, readout

KEY = ("<small>red: our dropout at this rate (solid: fit's training loss, dotted: training loss with dropout off, "
       "dashed: validation loss) · faint blue: validation loss without dropout · grey line: the epoch</small>")


def make_render():
    """A render function over the stored runs, drawing into one figure in place (lesson 05)."""
    from .plots import rate_view
    from .results import load_runs
    from .results import rate_view as view_of
    stored, figure = load_runs(), rate_view()

    def render(rate: float, epoch: int):
        """The mean curves of 5 seeds at `rate`, and the numbers at `epoch` (lesson 05)."""
        view = view_of(stored, rate, epoch)
        return figure(view), readout(view["readout"]) + " &nbsp;<br>" + KEY, view["readout"]

    return render, stored.rates(), stored.config["epochs"]


@dashboard
def rate_and_losses() -> Dashboard:
    """Slide the rate and the epoch: what fit reports, the dropout-off training loss, validation (lesson 05)."""
    render, rates, epochs = make_render()
    controls = {
        "rate": widgets.SelectionSlider(options=rates, value=0.5, description="rate", continuous_update=False),
        "epoch": widgets.IntSlider(value=epochs, min=1, max=epochs, description="epoch", continuous_update=False),
    }
    checks = (
        Moves("gap fit − off", "rate", +1,
              "fit averages its loss over training steps with dropout on: the more units it drops, the higher "
              "that loss sits above the same network's loss with dropout off"),
        Moves("train loss, dropout off", "epoch", -1, "twenty epochs of training lower the training loss"),
        # Not a statistical agreement: the same seeds give keras.layers.Dropout and our layer the same
        # masks on the TensorFlow backend, so the stored runs agree exactly; 1e-6 covers the 6-decimal rounding.
        Agrees("val loss, your layer", "val loss, keras.layers.Dropout", 1e-6,
               "same seed, same masks: our layer is a drop-in for Keras' own", abs_tol=1e-6),
    )
    return Dashboard("The rate and the three losses (IMDB subset, 5 seeds, stored runs)", controls, render, checks)
