"""Expectation, variance and next-layer shrinkage of dropout outputs (lessons 01, 02)."""
import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch import compute as fs
from dropout_lab.lessons.expectation import compute as ex


@pytest.mark.parametrize("x, rate", [(2.0, 0.3), (-1.5, 0.5), (0.7, 0.8), (3.0, 0.05)])
@pytest.mark.parametrize("rescale", [True, False])
def test_sampled_moments_fall_in_their_bands(x, rate, rescale):
    m = ex.sample_moments(x, rate, 200_000, seed=11, rescale=rescale)
    assert m.within_bands()


def test_formulas():
    assert ex.predicted_mean(2.0, 0.3) == 2.0
    assert ex.predicted_mean(2.0, 0.3, rescale=False) == pytest.approx(1.4)
    assert ex.predicted_var(2.0, 0.2) == pytest.approx(4 * 0.2 / 0.8)
    assert ex.predicted_var(2.0, 0.2, rescale=False) == pytest.approx(4 * 0.2 * 0.8)
    assert ex.predicted_mean(1.0, 1.0) == 0.0 and ex.predicted_var(1.0, 1.0) == 0.0


def test_bands_reject_wrong_moments():
    # A sampler that divides by the rate instead of the keep probability misses the band.
    rate, n = 0.2, 100_000
    wrong = dl.dropout_forward(np.ones(n), rate, 0, mode="vanilla")[0] / rate
    bands = ex.moment_bands(1.0, rate, n)
    assert not bands.mean[0] <= wrong.mean() <= bands.mean[1]


def test_sample_pair_is_the_package_dropout_with_one_mask():
    scaled, plain = ex.sample_pair(1.5, 0.3, 10_000, 4)
    np.testing.assert_array_equal(scaled, ex.sample_outputs(1.5, 0.3, 10_000, 4, rescale=True))
    np.testing.assert_array_equal(plain, ex.sample_outputs(1.5, 0.3, 10_000, 4, rescale=False))


def test_moments_match_numpy():
    y = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    m = ex.moments(y, 0.0, 0.1)
    assert m.mean == pytest.approx(float(y.astype(np.float64).mean()), abs=1e-12)
    assert m.var == pytest.approx(float(y.astype(np.float64).var()), rel=1e-9)


def test_variance_band_is_tight_but_honest_at_rate_half():
    # At rate 0.5 the sample variance is second-order in the kept fraction: the band
    # still contains the truth and every seeded sample.
    bands = ex.moment_bands(1.0, 0.5, 10**5)
    assert bands.var[0] < 1.0 < bands.var[1]
    for seed in range(20):
        assert ex.sample_moments(1.0, 0.5, 10**5, seed).within_bands()


@pytest.mark.parametrize("rescale, factor", [(True, 1.0), (False, 0.7)])
def test_next_layer_mean_scales_by_keep_without_rescaling(rescale, factor):
    rng = np.random.default_rng(0)
    weights, x = rng.normal(size=(5, 40)), rng.uniform(0, 2, size=40)
    layer = ex.next_layer_preactivation(weights, x, 0.3, 20_000, seed=1, rescale=rescale)
    np.testing.assert_allclose(layer.predicted, factor * layer.clean)
    assert np.all(np.abs(layer.mean - layer.predicted) <= 4 * layer.std_of_mean)


def test_histogram_counts_two_values():
    scaled, _ = ex.sample_pair(1.0, 0.25, 40_000, 0)
    h = ex.histogram(scaled, -0.05, 1.55, bins=16)  # bins of 0.1: 0 in bin 0, 4/3 in bin 13
    assert h.fractions.sum() == pytest.approx(1.0)
    low, high = dl.binomial_band(0.25, 40_000)
    assert low <= h.fractions[0] <= high
    assert h.fractions[0] + h.fractions[13] == 1.0
    with pytest.raises(ValueError, match="high"):
        ex.histogram(scaled, 1.0, 1.0)


def test_ones_bands_and_frameworks_agree():
    x = np.ones((1000, 100), dtype=np.float32)
    bands = fs.ones_bands(0.5, x.size)
    assert bands.mean[0] < 1 < bands.mean[1] and bands.std[1] == pytest.approx(1.0, abs=1e-5)
    for name, y in fs.outputs_by_framework(x, 0.5, seed=3).items():
        assert bands.contains(fs.output_stats(y)), name


def test_eval_is_identity_in_every_framework():
    x = np.random.default_rng(0).normal(size=(20, 30)).astype(np.float32)
    for name, y in fs.outputs_by_framework(x, 0.5, training=False).items():
        np.testing.assert_array_equal(y, x, err_msg=name)


def test_plots_smoke():
    scaled, plain = ex.sample_pair(1.5, 0.3, 1000, 0)
    m1, m2 = ex.moments(scaled, 1.5, 0.3), ex.moments(plain, 1.5, 0.3, False)
    fig = dl.lessons.expectation.plots.plot_output_histogram(ex.histogram(scaled, -0.1, 2.5),
                                                     ex.histogram(plain, -0.1, 2.5), m1, m2)
    assert len(fig.axes) == 1
    fig = dl.lessons.dropout_from_scratch.plots.plot_outputs({"a": np.ones((4, 4)), "b": np.zeros((4, 4))})
    assert len(fig.axes) == 2
    assert len(dl.ui.figures.plot_mask(np.ones(20, bool), title="t").axes) == 1
    assert dl.ui.figures.to_png(fig).startswith(b"\x89PNG")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n must be a positive int"):
        ex.sample_outputs(1.0, 0.5, 0)
    with pytest.raises(ValueError, match="rate"):
        ex.sample_moments(1.0, 1.5, 10)
    with pytest.raises(ValueError, match="masks"):
        ex.next_layer_preactivation(np.ones((2, 3)), np.ones(3), 0.5, masks=-1)
    with pytest.raises(ValueError, match="weights"):
        ex.next_layer_preactivation(np.ones((2, 4)), np.ones(3), 0.5, masks=10)
    with pytest.raises(ValueError, match="bins"):
        ex.histogram(np.zeros(4, np.float32), 0.0, 1.0, bins=0)


def test_dashboard_updater_reuses_one_figure_and_draws_what_the_static_plot_draws():
    draw = dl.lessons.expectation.plots.output_histogram_updater()
    figures, pngs = [], []
    for rate, x in [(0.2, 1.0), (0.7, 2.5)]:
        scaled, plain = ex.sample_pair(x, rate, 5000, 0)
        high = 1.1 * x / (1 - rate)
        args = (ex.histogram(scaled, -0.05 * high, high), ex.histogram(plain, -0.05 * high, high),
                ex.moments(scaled, x, rate), ex.moments(plain, x, rate, False))
        figures.append(draw(*args))
        pngs.append(dl.ui.figures.to_png(figures[-1]))
        static = dl.lessons.expectation.plots.plot_output_histogram(*args)
        assert dl.ui.figures.to_png(static) == pngs[-1]  # in place == fresh, pixel for pixel
    assert figures[0] is figures[1] and len(figures[0].axes) == 1
    assert pngs[0] != pngs[1]
