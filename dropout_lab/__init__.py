"""Dropout Lab: dropout from scratch, checked against PyTorch and Keras (lesson 00).

`import dropout_lab as dl` is cheap: it imports NumPy only. Framework adapters import
torch / Keras when first called; plots and widgets (matplotlib, ipywidgets) load on
first use of `dl.plots`, `dl.widgets`, ... through the module `__getattr__` below.
"""
from __future__ import annotations

from ._lazy import lazy_submodules
from .frameworks import quiet_tensorflow

quiet_tensorflow()

from .core import Dropout, dropout_backward, dropout_forward  # noqa: E402
from .fast import effective_rate, fast_dropout  # noqa: E402
from .frameworks import describe_frameworks, framework_info, run_dropout  # noqa: E402
from .stats import binomial_band, normal_band, zero_fraction, zero_fraction_sweep, zero_fractions  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Dropout", "dropout_forward", "dropout_backward", "fast_dropout", "effective_rate",
    "run_dropout", "framework_info", "describe_frameworks", "binomial_band", "normal_band",
    "zero_fraction", "zero_fractions", "zero_fraction_sweep",
]


__getattr__ = lazy_submodules(__name__, globals())
