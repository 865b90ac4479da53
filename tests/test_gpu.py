"""The GPU path, checked where a CUDA device is present (issue 16): `make test-gpu` runs these.

Without a GPU (CI, most laptops) every test here is skipped with the reason. On a GPU they check
that torch (and Keras on its torch backend, when KERAS_BACKEND=torch) put the work on the device
and say so; that zero fraction, mean and std land in the same bands as on the CPU; that eval is
the identity; that seeds reproduce on the same device; and that CPU and GPU masks for the same
seed DIFFER (different generators: the CPU's mt19937 stream vs CUDA's Philox) while their
statistics agree within the bands of two independent draws.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.stats import Z_CHECK, binomial_band, normal_band, two_sample_band


def cuda_present() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


pytestmark = [pytest.mark.gpu, pytest.mark.skipif(
    not cuda_present(), reason="no CUDA device visible (torch.cuda.is_available() is False: a CPU-only torch build "
                               "or no driver); `make test-gpu` on a machine with a GPU runs these")]
X = np.ones((1000, 1000), np.float32)
RATE = 0.3


def keras_on_torch() -> bool:
    return dl.frameworks.keras_backend() == "torch"


def gpu_frameworks() -> list[str]:
    return ["torch"] + (["keras"] if keras_on_torch() else [])


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_the_work_runs_on_the_gpu_and_says_so(framework):
    if framework not in gpu_frameworks():
        pytest.skip("Keras runs on the GPU here only on its torch backend (KERAS_BACKEND=torch)")
    run = dl.frameworks.run_dropout_on(framework, X, RATE, seed=0)
    assert "cuda" in run.device.lower() or "gpu" in run.device.lower(), run.device
    assert "cuda" in dl.framework_info(framework).device.lower()


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_statistics_land_in_the_cpu_bands(framework):
    if framework not in gpu_frameworks():
        pytest.skip("Keras on the GPU needs KERAS_BACKEND=torch here")
    y = dl.run_dropout(framework, X, RATE, seed=1)
    n, keep = y.size, 1 - RATE
    low, high = binomial_band(RATE, n, Z_CHECK)
    assert low <= dl.zero_fraction(y) <= high
    mean_low, mean_high = normal_band(1.0, math.sqrt(RATE / keep), n, Z_CHECK)
    assert mean_low <= float(y.mean(dtype=np.float64)) <= mean_high
    assert set(np.unique(y)) <= {0.0, np.float32(1 / keep)}


def test_eval_is_identity_and_seeds_reproduce_on_the_device():
    assert np.array_equal(dl.run_dropout("torch", X, RATE, seed=2, training=False), X)
    first, again = (dl.run_dropout("torch", X, RATE, seed=2, device="cuda") for _ in range(2))
    assert np.array_equal(first, again)


def test_cpu_and_gpu_masks_differ_but_agree_in_distribution():
    cpu = dl.run_dropout("torch", X, RATE, seed=3, device="cpu") != 0
    gpu = dl.run_dropout("torch", X, RATE, seed=3, device="cuda") != 0
    assert not np.array_equal(cpu, gpu), "same seed, different generators: the masks should differ"
    assert abs(cpu.mean() - gpu.mean()) <= two_sample_band(RATE, cpu.size, gpu.size)
    # independent masks agree on keep² + rate² of the units
    agree = float(np.mean(cpu == gpu))
    q = (1 - RATE) ** 2 + RATE ** 2
    assert abs(agree - q) <= Z_CHECK * math.sqrt(q * (1 - q) / cpu.size)
