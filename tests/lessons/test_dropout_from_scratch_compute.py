"""Lesson 01's bands and predictions: both std conventions, the blog's numbers, the changed share."""
import importlib
import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch import compute
from dropout_lab.stats import Z_CHECK

N = 100_000
# The blog post of seed 003 printed these from torch.ones(1000, 100) at p = 0.5 (data, not our output):
BLOG = [(0.9994800090789795, 1.0000048875808716), (0.9958199858665466, 0.9999962449073792)]


def test_bessel_factor():
    assert compute.bessel_factor(10) == pytest.approx(math.sqrt(10 / 9))
    assert compute.bessel_factor(N) == pytest.approx(1 + 5e-6, abs=1e-10)
    for bad in (1, 0, 2.5, True):
        with pytest.raises(ValueError, match="n must be"):
            compute.bessel_factor(bad)


def test_population_std_can_never_exceed_one_at_rate_half_but_torch_std_can():
    bands = compute.ones_bands(0.5, N, Z_CHECK)
    assert bands.std[1] <= 1 + 1e-6                                   # f(1 - f) <= 1/4, plus float32 slack
    assert bands.std_ddof1[1] == pytest.approx(bands.std[1] * math.sqrt(N / (N - 1)))
    assert bands.std_either == (bands.std[0], bands.std_ddof1[1])


def test_the_blog_numbers_follow_from_its_means_with_ddof_one():
    bands = compute.ones_bands(0.5, N, Z_CHECK)
    for mean, printed in BLOG:
        assert compute.std_from_mean(mean, 0.5, N, ddof=1) == pytest.approx(printed, abs=1e-6)
        assert bands.std_ddof1[0] <= printed <= bands.std_ddof1[1]
    assert not bands.std[0] <= BLOG[0][1] <= bands.std[1]             # the ddof=0 band rejects 1.0000049


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.7])
def test_torch_std_lands_in_the_ddof_one_band(rate):
    torch = importlib.import_module("torch")
    bands = compute.ones_bands(rate, N, Z_CHECK)
    for seed in range(5):
        with dl.frameworks.seeded_torch(seed):
            y = torch.nn.functional.dropout(torch.ones(1000, 100), rate)
        printed = y.std().item()                                     # torch's default: correction = 1
        assert printed == pytest.approx(compute.sample_std(y.numpy(), ddof=1), rel=1e-6)
        assert bands.std_ddof1[0] <= printed <= bands.std_ddof1[1], (rate, seed, printed)
        assert bands.std_either[0] <= compute.sample_std(y.numpy(), ddof=0) <= bands.std_either[1]


def test_std_from_mean_matches_the_sample():
    y, _ = dl.dropout_forward(np.ones(5000), 0.3, 2)
    for ddof in (0, 1):
        assert compute.std_from_mean(float(y.mean()), 0.3, y.size, ddof) == pytest.approx(y.std(ddof=ddof), rel=1e-9)
    with pytest.raises(ValueError, match="mean"):
        compute.std_from_mean(3.0, 0.5, 10)
    with pytest.raises(ValueError, match="rate"):
        compute.std_from_mean(0.0, 1.0, 10)


def test_sample_std_rejects_other_ddof():
    with pytest.raises(ValueError, match="ddof"):
        compute.sample_std([1.0, 2.0], 2)


def test_predicted_stats():
    assert compute.predicted_stats(0.0) == compute.OutputStats(0.0, 1.0, 0.0)
    assert compute.predicted_stats(0.75) == compute.OutputStats(0.75, 1.0, math.sqrt(3))
    assert compute.predicted_stats(1.0) == compute.OutputStats(1.0, 0.0, 0.0)


def test_changed_share_band_contains_two_independent_calls_and_not_one_repeated():
    layer = dl.Dropout(0.3, seed=0)
    a, b = layer(np.ones(10_000)), layer(np.ones(10_000))
    low, high = compute.changed_share_band(0.3, a.size, Z_CHECK)
    assert low <= np.mean((a == 0) != (b == 0)) <= high
    assert not low <= 0.0 <= high  # a mask reused on both calls changes no unit and fails the band


def test_value_set_of_ones_is_zero_and_one_over_keep():
    for name, y in compute.outputs_by_framework(np.ones((100, 100), dtype=np.float32), 0.2, seed=1).items():
        assert set(np.unique(y)) == {0.0, np.float32(1 / 0.8)}, name
