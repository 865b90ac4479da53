"""Lesson 09 · Monte-Carlo dropout and uncertainty: the code behind notebooks/09_mc_dropout.ipynb.

compute.py (NumPy and the frameworks, pure) -> plots.py (figures) -> widgets.py (dashboards);
exercises.py checks the learner's answers, solutions.py holds the solutions as code.
"""
from __future__ import annotations

from ..._lazy import lazy_submodules

__getattr__ = lazy_submodules(__name__, globals())
