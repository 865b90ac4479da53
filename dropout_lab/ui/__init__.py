"""The shared bases every lesson's UI builds on (lesson 00).

    figures   new_axes, InPlaceFigure, to_png: what a lesson's plots.py draws with
    dashboard Dashboard, readout, @dashboard, all_dashboards(): what widgets.py wires
    checks    CheckResult, check, check_number, Solutions: what exercises.py answers with
    progress  ProgressBar: a training loop's progress, shown without printing

Each is imported on first use, so `import dropout_lab` stays free of matplotlib and
ipywidgets.
"""
from __future__ import annotations

from .._lazy import lazy_submodules

__getattr__ = lazy_submodules(__name__, globals())
