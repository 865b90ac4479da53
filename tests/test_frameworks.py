"""The same dropout through NumPy, PyTorch and Keras: bands, survivors, eval identity, seeds."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab import frameworks
from dropout_lab.stats import Z_CHECK as Z
from dropout_lab.stats import two_sample_band

FRAMEWORKS = ["numpy", "torch", "keras"]
X = np.ones((1000, 100), dtype=np.float32)


def test_import_dropout_lab_loads_no_framework_and_no_plotting():
    code = ("import sys, json, dropout_lab; "
            "print(json.dumps([m for m in ('torch', 'tensorflow', 'keras', 'matplotlib', 'ipywidgets') "
            "if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_zero_fraction_in_band_and_survivors_are_x_over_keep(framework, rate):
    x = np.random.default_rng(0).normal(size=(1000, 100)).astype(np.float32)
    y = dl.run_dropout(framework, x, rate, seed=1)
    assert y.dtype == np.float32 and y.shape == x.shape
    low, high = dl.binomial_band(rate, x.size, z=Z)
    assert low <= dl.zero_fraction(y) <= high
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / np.float32(1 - rate), rtol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_mean_one_and_std_one_for_ones_at_rate_half(framework):
    # Output is 0 or 2 with probability 1/2 each: mean 1, std 1 (population), both
    # fixed functions of the zero fraction f: mean = 2(1-f), std = 2 sqrt(f(1-f)).
    y = dl.run_dropout(framework, X, 0.5, seed=3)
    low, high = dl.binomial_band(0.5, X.size, z=Z)
    assert 2 * (1 - high) <= y.mean() <= 2 * (1 - low)
    assert 2 * math.sqrt(high * (1 - high)) <= y.std() <= 1.0 + 1e-6


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_eval_is_identity(framework):
    x = np.random.default_rng(0).normal(size=(50, 30)).astype(np.float32)
    assert np.array_equal(dl.run_dropout(framework, x, 0.5, seed=0, training=False), x)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_same_seed_same_output_other_seed_other_output(framework):
    a = dl.run_dropout(framework, X, 0.5, seed=7)
    assert np.array_equal(a, dl.run_dropout(framework, X, 0.5, seed=7))
    assert not np.array_equal(a, dl.run_dropout(framework, X, 0.5, seed=8))


def test_frameworks_agree_with_each_other_within_two_sample_bands():
    fractions = {fw: dl.zero_fraction(dl.run_dropout(fw, X, 0.3, seed=11)) for fw in FRAMEWORKS}
    for a in FRAMEWORKS:
        for b in FRAMEWORKS:
            assert abs(fractions[a] - fractions[b]) <= two_sample_band(0.3, X.size, X.size)


def test_torch_seeding_leaves_the_global_generator_untouched():
    torch = pytest.importorskip("torch")
    before = torch.random.get_rng_state().clone()
    dl.run_dropout("torch", X, 0.5, seed=1)
    assert torch.equal(before, torch.random.get_rng_state())


@pytest.mark.parametrize("framework, rate, error", [
    ("jax", 0.5, ValueError), ("torch", 1.5, ValueError), ("keras", "x", TypeError)])
def test_bad_arguments_are_rejected(framework, rate, error):
    with pytest.raises(error):
        dl.run_dropout(framework, X, rate, seed=0)


def test_missing_framework_says_how_to_install_it(monkeypatch):
    real_find_spec = frameworks.importlib.util.find_spec
    monkeypatch.setattr(frameworks.importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real_find_spec(name, *a))
    with pytest.raises(frameworks.FrameworkNotInstalled, match="pip install"):
        dl.run_dropout("torch", X, 0.5, seed=0)
    info = dl.framework_info("torch")
    assert not info.installed and "not installed" in info.line() and "pip install" in info.line()


def test_framework_info_names_version_and_device():
    lines = dl.describe_frameworks().splitlines()
    assert [line.split()[0] for line in lines] == ["numpy", "torch", "keras"]
    torch_info = dl.framework_info("torch")
    assert torch_info.version == __import__("torch").__version__
    assert torch_info.device in {"cpu", "cuda", "mps"}
    keras_info = dl.framework_info("keras")
    assert keras_info.device.split(":")[0] in {"cpu", "gpu", "cuda"} and "backend" in keras_info.line()


@pytest.mark.slow
def test_keras_on_the_torch_backend_gives_the_same_statistics():
    code = ("import numpy as np, json, dropout_lab as dl; x = np.ones((1000, 100), np.float32); "
            "y = dl.run_dropout('keras', x, 0.3, seed=2); "
            "print(json.dumps([dl.frameworks.keras_backend(), dl.zero_fraction(y), "
            "np.unique(y).astype(float).round(6).tolist()]))")
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    backend, fraction, values = json.loads(out.stdout.strip().splitlines()[-1])
    low, high = dl.binomial_band(0.3, 100_000, z=Z)
    assert backend == "torch" and low <= fraction <= high
    assert values == [0.0, round(1 / 0.7, 6)]


def test_keras_device_on_the_jax_backend_asks_jax(monkeypatch):
    import types
    fake_jax = types.SimpleNamespace(devices=lambda: [types.SimpleNamespace(platform="gpu", id=0)])
    monkeypatch.setattr(frameworks, "keras_backend", lambda: "jax")
    monkeypatch.setitem(sys.modules, "jax", fake_jax)
    assert frameworks.keras_device() == "gpu:0"
    monkeypatch.setattr(frameworks, "keras_backend", lambda: "openvino")
    assert "not detected" in frameworks.keras_device()


def test_torch_threads_sets_the_count_for_the_block_and_restores_it_even_after_an_error():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    with dl.frameworks.torch_threads(1) as inside:
        assert inside is torch and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError, match="inside"), dl.frameworks.torch_threads(1):
        raise RuntimeError("inside")
    assert torch.get_num_threads() == before
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="count"), dl.frameworks.torch_threads(bad):
            pass
