"""A progress bar for a lesson's training loop that never prints (lessons 05, 07, 09, 10).

Compute functions take a plain `on_step` callable and know nothing of widgets; a lesson
passes `ProgressBar(total).step`. Only the widget changes while training, so stored
notebook outputs hold one fixed line, not a log of epochs.
"""
from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display


class _Bar(widgets.IntProgress):
    """An IntProgress whose text form (static views, nbval) is one fixed line."""

    unit = "steps"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"[progress bar: {self.max} {self.unit}, live in JupyterLab]"
        return bundle


class ProgressBar:
    """Show a bar for `total` steps now; call `.step()` (or the bar itself) once per step."""

    def __init__(self, total: int, description: str = "training", unit: str = "steps", show: bool = True) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ValueError(f"total must be a positive int (the number of steps), got {total!r}")
        self.widget = _Bar(value=0, min=0, max=total, description=description)
        self.widget.unit = unit
        if show:
            display(self.widget)

    def step(self, count: int = 1) -> None:
        """Advance the bar by `count` steps (it stops at its maximum)."""
        self.widget.value = min(self.widget.max, self.widget.value + count)

    def __call__(self, *_args: object) -> None:
        self.step()
