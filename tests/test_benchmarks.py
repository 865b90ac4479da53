"""Dashboards of lessons 03 and 04, driven by setting control values."""
import sys

import pytest

import dropout_lab as dl


def _bench_module():
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).parent.parent / "benchmarks" / "bench_widgets.py"
    spec = importlib.util.spec_from_file_location("bench_widgets", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_widgets"] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_bench_widgets_finds_size_controls_and_times_updates():
    bench = _bench_module()
    dash = dl.lessons.rate_variance.widgets.zero_fraction_histogram()
    attr, settings = bench.control_settings(dash.controls["n"])
    assert attr == "value" and settings[0] == pytest.approx(10) and settings[-1] == pytest.approx(10**6)
    assert bench.size_controls(dash) == ["n"]
    timing = bench.bench("03:zero_fraction_histogram", dl.lessons.rate_variance.widgets.zero_fraction_histogram, 1)
    assert timing.size == 10**6 and len(timing.wall) >= 8
    assert 0 < len(timing.judged) < len(timing.wall)  # only updates with n at 10^6 are judged
