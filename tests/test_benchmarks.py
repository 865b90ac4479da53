"""The benchmarks measure what they say: every dashboard timed and judged against its PNG floor."""
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
    assert timing.size == 10**6 and len(timing.wall) >= 8 and len(timing.judged) == len(timing.wall)
    assert 0 < timing.floor < max(timing.wall)  # an empty figure is cheaper than a full update


def test_report_judges_by_50_ms_or_the_floor(capsys):
    bench = _bench_module()
    fast = bench.Timing("a", None, 0.0, wall=[0.04], cpu=[0.04], floor=0.01)
    near_floor = bench.Timing("b", None, 0.0, wall=[0.09], cpu=[0.09], floor=0.07)
    slow = bench.Timing("c", None, 0.0, wall=[0.2], cpu=[0.2], floor=0.05)
    assert bench.report([fast, near_floor, slow], limit_ms=50) == 1
    assert capsys.readouterr().out.count("FAIL") == 1


def test_time_breakdown_sums_durations_by_kind_of_test():
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).parent.parent / "benchmarks" / "time_breakdown.py"
    spec = importlib.util.spec_from_file_location("time_breakdown", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    log = ["============ slowest durations ============",
           "12.50s call     notebooks/04_inside_the_frameworks.ipynb::Cell 0",
           "2.00s setup    tests/browser/test_lessons_in_browser.py::test_every_dashboard_renders_as_live_sliders",
           "1.25s call     tests/lessons/test_batchnorm.py::test_x",
           "0.75s teardown tests/lessons/test_batchnorm.py::test_x",
           "3.00s call     tests/test_doctor.py::test_runs",
           "not a duration line"]
    kinds, files = module.breakdown(log)
    assert kinds == {"nbval: the lesson notebooks": 12.5, "browser: every dashboard in JupyterLab": 2.0,
                     "lesson tests": 2.0, "shared tests (package, data, doctor, hygiene, scaffold)": 3.0}
    assert files["tests/lessons/test_batchnorm.py"] == 2.0
