"""Dashboards for lesson 12: controls wired to compute + plots, nothing else."""
from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets

from ...ui.dashboard import Agrees, Dashboard, Moves, dashboard
from .compute import METHODS, family_draws, family_stats, output_shares
from .plots import family_view

SEED = 0


@lru_cache(maxsize=1)
def _draws():
    return family_draws(seed=SEED)


@lru_cache(maxsize=12)   # the slider's 10 positions (each holds 5 × 65 536 outputs, 2.6 MB)
def _family(rate: float):
    # one rate's numbers and histograms, computed once: a revisited rate is only redrawn
    stats = family_stats(rate, _draws())
    return stats, [output_shares(s.out) for s in stats]


def _cell(name: str, value: float) -> str:
    # the readout format every dashboard uses: a tagged span per number (see ui.dashboard.readout)
    return f"<td><span class='dl-metric' data-metric='{html.escape(name)}'>{value:.4g}</span>&nbsp;</td>"


def family_table(stats) -> str:
    """A table of measured / predicted numbers, each cell tagged as a readout metric."""
    heads = ("mean", "predicted", "variance", "predicted", "zeros", "predicted")
    rows = ["<table><tr><th></th>" + "".join(f"<th>{h}&nbsp;</th>" for h in heads) + "</tr>"]
    for s in stats:
        cells = [_cell(f"{s.name} mean", s.mean), _cell(f"{s.name} mean predicted", s.predicted_mean),
                 _cell(f"{s.name} var", s.var), _cell(f"{s.name} var predicted", s.predicted_var),
                 _cell(f"{s.name} zeros", s.zeros), _cell(f"{s.name} zeros predicted", s.predicted_zeros)]
        rows.append(f"<tr><th>|&nbsp;{s.name}:&nbsp;</th>{''.join(cells)}</tr>")
    return "".join(rows) + "</table>"


def _renderer():
    view = family_view(METHODS)   # one figure per dashboard, its frame drawn once

    def render(rate: float):
        stats, shares = _family(float(rate))
        return view(shares, rate), family_table(stats), stats
    return render


def _agree(name: str, what: str, rel: float, absolute: float, why: str) -> Agrees:
    return Agrees(f"{name} {what}", f"{name} {what} predicted", rel, why, absolute)


@dashboard
def family_dashboard() -> Dashboard:
    """One rate slider, five members of the dropout family on the same input: predicted beside measured."""
    # n = 65 536 outputs, rate <= 0.5 (keep >= 0.5). Means: sd <= sqrt(2/n) = 0.0055, 5 SE = 0.028 -> abs 0.03.
    # Bernoulli variance: relative SE sqrt((3/keep - 1)/n) <= 0.0087, 5 SE = 0.044; Gaussian
    # sqrt((3(1 + 6s + 3s²)/(1 + s)² - 1)/n) <= 0.0100 with s = rate/keep <= 1, 5 SE = 0.05 -> rel 0.06.
    # Zero fractions: sqrt(0.25/n) = 0.002, 5 SE = 0.01. DropBlock's dropped share moves in blocks of
    # up to 25 units: sd <= 25·sqrt(centres)/n ~ 0.014 at rate 0.5 -> 0.07 abs; its variance rel 0.1.
    checks = [Moves("Bernoulli zeros", "rate", +1, "each unit is dropped with probability rate"),
              Moves("Gaussian var", "rate", +1, "multiplicative noise of variance rate/keep"),
              Moves("DropBlock zeros", "rate", +1, "more block centres as γ grows")]
    for name in ("Bernoulli", "Gaussian", "Alpha", "DropConnect", "DropBlock"):
        checks.append(_agree(name, "mean", 0.0, 0.03, "5 SE of a mean of 65 536 outputs"))
    for name in ("Bernoulli", "Gaussian", "Alpha", "DropConnect"):
        checks.append(_agree(name, "var", 0.06, 1e-9, "5 SE of a variance of 65 536 outputs"))
    checks += [_agree("DropBlock", "var", 0.1, 1e-9, "blocks of 25 correlated units"),
               _agree("Bernoulli", "zeros", 0.0, 0.01, "Binomial(65 536, rate)/n"),
               _agree("DropBlock", "zeros", 0.0, 0.07, "exact expected drop share, ± block noise")]
    rate = widgets.FloatSlider(value=0.3, min=0.05, max=0.5, step=0.05, description="rate", continuous_update=False,
                               readout_format=".2f")
    return Dashboard("The dropout family on one input", {"rate": rate}, _renderer(), tuple(checks))
