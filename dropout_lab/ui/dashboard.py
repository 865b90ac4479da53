"""Dashboards: thin wiring from ipywidgets controls to a lesson's compute + plot functions.

A dashboard is built from named controls and one `render(**values) -> (Figure, html, result)`
function. Moving a control calls render again and swaps the picture (an Image widget)
and the numbers (an HTML widget). Nothing is printed, so strict nbval and frontends
without a widget manager see stable outputs; displayed without a widget frontend the
dashboard still shows its current figure as a PNG (see `_repr_mimebundle_`).

Tests drive a dashboard by setting `dash.controls["rate"].value = 0.3` and reading
`dash.result` / `dash.readout.value`. Every factory in a lesson's widgets.py is marked
`@dashboard`; `all_dashboards()` finds them all through the lesson manifest, for the
benchmarks, the browser test and the course's own tests.
"""
from __future__ import annotations

import base64
import html
import importlib
import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..lessons import LESSONS, of_module
from .figures import to_png

Render = Callable[..., tuple[Figure, str, Any]]
REGISTRY: dict[str, tuple[str, Callable[[], Dashboard]]] = {}


@dataclass(frozen=True)
class Moves:
    """What the maths says: moving `control` from its minimum to its maximum makes readout `metric`
    grow (direction +1) or shrink (-1). Checked by the widget tests and the browser test."""

    metric: str
    control: str
    direction: int
    why: str


@dataclass(frozen=True)
class Agrees:
    """What the maths says: readout `measured` equals readout `predicted` within `rel_tol` (derived
    from the sample size, e.g. >= 5 standard errors) at every control setting the tests visit."""

    measured: str
    predicted: str
    rel_tol: float
    why: str
    abs_tol: float = 1e-9


class Dashboard(widgets.VBox):
    """Controls, a figure and a readout, redrawn by `render` whenever a control moves.

    `checks` declare how the readout must follow the controls (Moves, Agrees); they travel
    with the dashboard into the page, so the browser test checks the live widget against them.
    """

    def __init__(self, title: str, controls: dict[str, widgets.ValueWidget], render: Render,
                 checks: tuple[Moves | Agrees, ...] = ()) -> None:
        self.title = title
        self.controls = controls
        self.checks = tuple(checks)
        self._render = render
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.readout = widgets.HTML()
        self.readout.add_class("dl-readout")
        self.figure: Figure | None = None
        self.result: Any = None
        declared = html.escape(json.dumps([self._declared(c) for c in self.checks]), quote=True)
        header = widgets.HTML(f"<b data-checks=\"{declared}\">{html.escape(title)}</b>")
        super().__init__([header, widgets.HBox(list(controls.values())), self.readout, self.image])
        self.add_class("dl-dashboard")
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _declared(self, rule: Moves | Agrees) -> dict[str, Any]:
        """A check as JSON for the page; a Moves names its slider by the label the page shows."""
        data = {"kind": type(rule).__name__, **asdict(rule)}
        if isinstance(rule, Moves):
            if rule.control not in self.controls:
                raise ValueError(f"a Moves check names control {rule.control!r}; controls are {list(self.controls)}")
            data["label"] = self.controls[rule.control].description or rule.control
        return data

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def metrics(self) -> dict[str, str]:
        """The readout's numbers as shown, by name (what a learner, and the browser test, reads)."""
        found = re.findall(r"data-metric='([^']*)'>([^<]*)<", self.readout.value)
        return {html.unescape(name): html.unescape(value) for name, value in found}

    def update(self) -> None:
        """Recompute and redraw for the current control values."""
        self.figure, readout_html, self.result = self._render(**self.values())
        self.readout.value = readout_html
        self.image.value = to_png(self.figure)

    def _on_change(self, _change: dict) -> None:
        self.update()

    def _repr_mimebundle_(self, **kwargs):
        # Widget view for live frontends; a PNG and the numbers as text for everything
        # else (static renderers, nbval, a frontend without a widget manager). No HTML:
        # frontends rank it above PNG, and nbval would compare the image bytes inside it.
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self.summary()
        bundle["image/png"] = base64.b64encode(bytes(self.image.value)).decode("ascii")
        return bundle

    def summary(self) -> str:
        """One line of text: the title, the control values and the readout numbers."""
        settings = ", ".join(f"{k}={_fmt(v)}" for k, v in self.values().items())
        numbers = re.sub(r"<[^>]+>", "", self.readout.value).replace("&nbsp;", " ")
        return html.unescape(f"Dashboard: {self.title} ({settings}) — {' '.join(numbers.split())}")


def readout(metrics: dict[str, float | str], digits: int = 4) -> str:
    """HTML for a dashboard's numbers; each value is tagged so browser tests can read it."""
    items = []
    for name, value in metrics.items():
        shown = f"{value:.{digits}g}" if isinstance(value, float) else html.escape(str(value))
        items.append(f"{html.escape(name)}: <span class='dl-metric' data-metric='{html.escape(name)}'>{shown}</span>")
    return " &nbsp;|&nbsp; ".join(items)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def dashboard(factory: Callable[..., Dashboard]) -> Callable[..., Dashboard]:
    """Mark a lesson's dashboard factory; its lesson comes from the module it lives in."""
    lesson = of_module(factory.__module__)
    REGISTRY[f"{lesson.number}:{factory.__name__}"] = (lesson.number, factory)
    return factory


def all_dashboards() -> dict[str, tuple[str, Callable[..., Dashboard]]]:
    """Every dashboard factory of every lesson, as {"03:name": ("03", factory)}, in course order."""
    for lesson in LESSONS:
        module = f"{lesson.package}.widgets"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    order = {lesson.number: i for i, lesson in enumerate(LESSONS)}
    return dict(sorted(REGISTRY.items(), key=lambda item: order.get(item[1][0], len(order))))
