"""Lesson 09 (Monte-Carlo dropout and uncertainty): the NumPy maths against hand cases, identities and
sklearn; the 1/√k spread and its standard error; the study's bookkeeping; the 1-D toy over seeds."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.image import imread
from sklearn.metrics import roc_auc_score

from dropout_lab.lessons.mc_dropout import compute, plots, widgets
from dropout_lab.mlp import MLP
from dropout_lab.stats import Z_CHECK
from dropout_lab.ui.figures import to_png

# ---------------------------------------------------------------- entropy, MI, the summary


def test_entropy_hand_values_and_zero_probabilities():
    assert compute.entropy([0.25] * 4) == pytest.approx(math.log(4), rel=1e-12)
    assert compute.entropy([1.0, 0.0, 0.0]) == 0.0                      # 0 log 0 = 0, not NaN
    assert compute.entropy([0.5, 0.5, 0.0]) == pytest.approx(math.log(2), rel=1e-12)
    with pytest.raises(TypeError, match="p must be"):
        compute.entropy(["a"])


def test_summary_of_hand_made_passes():
    disagree = compute.summarize_passes([[[1.0, 0.0]], [[0.0, 1.0]]])
    assert disagree.mean.tolist() == [[0.5, 0.5]] and disagree.variance.tolist() == [[0.25, 0.25]]
    assert disagree.predictive_entropy[0] == pytest.approx(math.log(2), rel=1e-12)
    assert disagree.expected_entropy[0] == 0.0
    assert disagree.mutual_information[0] == pytest.approx(math.log(2), rel=1e-12)
    # (0.9, 0.1) and (0.1, 0.9): MI = ln 2 − H(0.9, 0.1), computed by hand
    h = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    mixed = compute.summarize_passes([[[0.9, 0.1]], [[0.1, 0.9]]])
    assert mixed.mutual_information[0] == pytest.approx(math.log(2) - h, rel=1e-12)
    assert mixed.prediction.shape == (1,) and mixed.max_prob[0] == 0.5


def test_identical_passes_have_zero_variance_and_zero_mi():
    probs = compute.softmax_passes(np.random.default_rng(1).normal(size=(1, 50, 7)))
    same = compute.summarize_passes(np.repeat(probs, 8, axis=0))
    assert same.variance.max() < 1e-15 and same.mutual_information.max() < 1e-12
    assert np.allclose(same.predictive_entropy, same.expected_entropy, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(2, 6), st.floats(0.1, 8.0), st.integers(0, 2**31))
def test_mi_is_between_zero_and_the_predictive_entropy(k, classes, scale, seed):
    s = compute.summarize_logits(np.random.default_rng(seed).normal(0, scale, (k, 5, classes)))
    assert np.all(s.mutual_information >= 0)
    assert np.all(s.mutual_information <= s.predictive_entropy + 1e-12)
    assert np.all(s.predictive_entropy <= math.log(classes) + 1e-12)
    assert np.allclose(s.mean.sum(axis=-1), 1.0)


def test_summary_rejects_bad_passes():
    with pytest.raises(ValueError, match="shape"):
        compute.summarize_passes(np.ones((4, 3)) / 3)
    with pytest.raises(ValueError, match="softmax"):
        compute.summarize_passes(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match="logits must have shape"):
        compute.softmax_passes(np.zeros((3, 4)))


# ---------------------------------------------------------------- k passes of an MLP


def _tiny_model(seed: int = 0) -> MLP:
    return MLP.init((6, 16, 3), (0.0, 0.5), "inverted", np.random.default_rng(seed))


def test_mc_probabilities_shape_seeding_and_fresh_masks():
    model, x = _tiny_model(), np.random.default_rng(2).random((5, 6))
    a, b = compute.mc_probabilities(model, x, 40, seed=3), compute.mc_probabilities(model, x, 40, seed=3)
    assert a.shape == (40, 5, 3) and np.array_equal(a, b)                 # seeded: repeatable
    assert not np.array_equal(a, compute.mc_probabilities(model, x, 40, seed=4))
    assert len({p.tobytes() for p in a}) == 40                            # every pass its own masks
    with pytest.raises(ValueError, match="k must be"):
        compute.mc_probabilities(model, x, 0)


def test_mc_probabilities_average_to_the_same_ensemble_as_separate_passes():
    """One batch of k·n rows is k independent passes: its mean agrees with 400 separate passes within the band."""
    model, x = _tiny_model(), np.random.default_rng(2).random((3, 6))
    batched = compute.mc_probabilities(model, x, 4000, seed=5)
    sampler = model.copy(seed=6).train()
    separate = np.stack([compute.softmax(sampler.logits(x)) for _ in range(4000)])
    se = np.sqrt(batched.var(axis=0) / 4000 + separate.var(axis=0) / 4000)
    assert np.all(np.abs(batched.mean(axis=0) - separate.mean(axis=0)) <= Z_CHECK * se + 1e-12)


# ---------------------------------------------------------------- the 1/√k spread


def _gaussian_bank(sigma: np.ndarray, passes: int, seed: int) -> compute.MCErrorBank:
    rng = np.random.default_rng(seed)
    return compute.MCErrorBank(0.5, 0.5 + rng.normal(size=(passes, len(sigma))) * sigma)


def test_spread_at_k_one_is_the_per_pass_sd_exactly():
    bank = _gaussian_bank(np.linspace(0.01, 0.2, 30), 256, 0)
    s = bank.spread(1)
    assert s.measured == pytest.approx(s.predicted, rel=1e-12) == pytest.approx(s.per_pass_sd, rel=1e-12)


def test_spread_follows_sigma_over_root_k_and_its_standard_error_is_honest():
    """Over 300 banks with known σ, measured/true has the sd the delta-method SE claims (within 20 %)."""
    sigma = np.linspace(0.0, 0.3, 40)                   # some inputs never vary, like confident digits
    true = math.sqrt(np.mean(sigma ** 2))
    for k in (4, 16):
        ratios, ses = [], []
        for seed in range(300):
            s = _gaussian_bank(sigma, 512, seed).spread(k)
            ratios.append(s.measured / (true / math.sqrt(k)))
            ses.append(s.rel_se)
        ratios = np.array(ratios)
        assert abs(ratios.mean() - 1) < Z_CHECK * ratios.std() / math.sqrt(len(ratios)) + 0.01   # unbiased to ~1 %
        assert 0.8 < ratios.std() / np.mean(ses) < 1.2


def test_spread_rejects_k_beyond_two_groups():
    bank = _gaussian_bank(np.ones(3), 10, 0)
    assert bank.k_max == 5
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 5\]"):
        bank.spread(6)


# ---------------------------------------------------------------- calibration and AUROC


def test_ece_of_a_hand_example_and_the_bin_edges():
    probs = np.array([[0.95, 0.05], [0.08, 0.92], [0.65, 0.35], [0.55, 0.45]])
    labels = np.zeros(4, dtype=int)
    assert compute.expected_calibration_error(probs, labels) == pytest.approx((2 * 0.435 + 0.35 + 0.45) / 4)
    rel = compute.reliability(np.array([[1.0, 0.0], [0.5, 0.5], [0.7, 0.3]]), np.array([0, 1, 0]), bins=10)
    assert rel.counts[9] == 1 and rel.counts[4] == 1 and rel.counts[6] == 1   # 1.0 → last bin; 0.5 → (0.4, 0.5]
    assert compute.expected_calibration_error(np.array([[0.8, 0.2]] * 5), np.array([0, 0, 0, 0, 1])) == \
        pytest.approx(0.0, abs=1e-12)                                        # 80 % sure, 80 % right
    with pytest.raises(ValueError, match="bins must be"):
        compute.reliability(probs, labels, bins=0)
    with pytest.raises(ValueError, match="labels"):
        compute.reliability(probs, labels[:3])


def test_ece_of_a_calibrated_sampler_is_small_and_of_an_overconfident_one_large():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1.0, 20_000)
    right = rng.random(20_000) < conf                      # correct with probability = confidence
    probs = np.stack([conf, 1 - conf], axis=1)
    labels = np.where(right, 0, 1)
    # each of 5 filled bins: |acc − conf| has sd ≈ sqrt(0.25/4000); the weighted sum stays well below 0.02
    assert compute.expected_calibration_error(probs, labels) < 0.02
    sure = np.stack([np.full(20_000, 0.99), np.full(20_000, 0.01)], axis=1)
    assert compute.expected_calibration_error(sure, labels) > 0.2


def test_auroc_agrees_with_sklearn_with_ties_and_is_symmetric():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = rng.integers(0, 6, 40).astype(float), rng.integers(2, 9, 25).astype(float)   # many ties
        labels = np.r_[np.zeros(len(a)), np.ones(len(b))]
        assert compute.auroc(a, b) == pytest.approx(roc_auc_score(labels, np.r_[a, b]), abs=1e-12)
        assert compute.auroc(a, b) + compute.auroc(b, a) == pytest.approx(1.0, abs=1e-12)
        assert compute.auroc(np.exp(a), np.exp(b)) == pytest.approx(compute.auroc(a, b), abs=1e-12)  # ranks only
    assert compute.auroc([0, 1], [2, 3]) == 1.0 and compute.auroc([2, 3], [0, 1]) == 0.0
    assert compute.auroc([1, 1], [1, 1, 1]) == 0.5
    with pytest.raises(ValueError, match="finite"):
        compute.auroc([np.nan], [1.0])
    with pytest.raises(ValueError, match="at least one"):
        compute.auroc([], [1.0])


def test_paired_difference_and_its_standard_error():
    diff, se = compute.paired([1.0, 2.0, 4.0], [0.0, 1.0, 1.0])
    assert diff == pytest.approx(5 / 3) and se == pytest.approx(np.std([1, 1, 3], ddof=1) / math.sqrt(3))


def test_corrupt_is_seeded_and_clipped():
    x = np.random.default_rng(0).random((10, 64))
    noisy = compute.corrupt(x, 0.5, 3)
    assert noisy.min() >= 0 and noisy.max() <= 1 and np.array_equal(noisy, compute.corrupt(x, 0.5, 3))
    assert np.array_equal(compute.corrupt(x, 0.0, 3), x)
    with pytest.raises(ValueError, match="noise_sd"):
        compute.corrupt(x, -1.0, 0)


def test_the_ood_split_holds_out_every_nine():
    split = compute.ood_split(0)
    assert compute.HELD_OUT not in split.y_train and compute.HELD_OUT not in split.y_in
    assert len(split.ood["held-out 9s"]) == 180          # scikit-learn's digits hold 180 nines
    assert split.ood["noisy digits"].shape == split.x_in.shape


# ---------------------------------------------------------------- the study (a quick one)


@pytest.fixture(scope="module")
def quick():
    return compute.uncertainty_study(rates=(0.1, 0.5), seeds=(0, 1), k=10, epochs=3)


def test_quick_study_bookkeeping(quick):
    assert set(quick.runs) == {(r, s) for r in (0.1, 0.5) for s in (0, 1)}
    run = quick.runs[(0.5, 0)]
    assert ("weight scaling", "held-out 9s", "mutual information") not in run.auroc   # one pass: MI is 0
    assert ("MC dropout", "noisy digits", "mutual information") in run.auroc
    for key, (inside, outside) in run.scores.items():
        labels = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
        assert run.auroc[key] == pytest.approx(roc_auc_score(labels, np.r_[inside, outside]), abs=1e-12)
    assert quick.values("ece", "MC dropout", 0.5).shape == (2,)
    pooled = quick.pooled_reliability("weight scaling", 0.1)
    assert pooled.counts.sum() == sum(len(compute.ood_split(s).y_in) for s in (0, 1))
    assert "MC − ws" in quick.table() and "AUROC" in quick.ood_table(0.5)
    with pytest.raises(ValueError, match="metric"):
        quick.values("f1", "MC dropout", 0.5)


def test_confidence_bookkeeping_of_the_quick_study(quick):
    run, model, split = quick.runs[(0.5, 1)], quick.models[(0.5, 1)], compute.ood_split(1)
    stacked = np.concatenate([split.x_in, *split.ood.values()])
    passes = compute.mc_probabilities(model, stacked, quick.k, seed=1)[:, :len(split.x_in)]   # as judge draws them
    assert run.confidence["MC dropout"] == pytest.approx(passes.mean(axis=0).max(axis=1).mean(), rel=1e-12)
    assert run.confidence[compute.ONE_PASS] == pytest.approx(passes.max(axis=2).mean(), rel=1e-12)
    assert run.accuracy[compute.ONE_PASS] == pytest.approx(np.mean(passes.argmax(axis=2) == split.y_in), rel=1e-12)
    assert run.confidence["weight scaling"] == pytest.approx(model.predict_proba(split.x_in).max(axis=1).mean())
    for method in compute.METHODS:   # accuracy − confidence is the count-weighted height of the bars over the diagonal
        rel = run.reliability[method]
        filled = rel.counts > 0
        height = np.sum(rel.counts[filled] * (rel.accuracy[filled] - rel.confidence[filled])) / rel.counts.sum()
        assert quick.under_confidence(method, 0.5)[1] == pytest.approx(height, abs=1e-12)
    assert quick.confidence_table().count(compute.ONE_PASS) == 2          # one row per rate
    with pytest.raises(ValueError, match="method must be"):
        quick.values("nll", compute.ONE_PASS, 0.5)                      # one pass has no NLL here
    assert "paired mean ± s.e." in quick.ood_table(0.5) and "paired" in quick.table()


def test_the_mc_average_is_less_confident_and_more_under_confident_than_weight_scaling():
    # The lesson's networks at rate 0.5 over five seeds: the cause §6 gives for MC's worse ECE.
    study = compute.uncertainty_study((0.5,), (0, 1, 2, 3, 4), k=25, epochs=12)
    ws, one, mc = (study.values("confidence", m, 0.5) for m in ("weight scaling", compute.ONE_PASS, "MC dropout"))
    assert np.all(mc <= one + 1e-12) and np.all(mc < ws)
    gap, se = compute.paired(study.under_confidence("MC dropout", 0.5), study.under_confidence("weight scaling", 0.5))
    assert gap > Z_CHECK * se
    acc = compute.paired(study.values("accuracy", "MC dropout", 0.5), study.values("accuracy", "weight scaling", 0.5))
    assert abs(acc[0]) < Z_CHECK * acc[1] + 0.005      # ... while as accurate: the gap is confidence, not accuracy


def test_error_banks_and_plots_of_the_quick_study(quick):
    banks = compute.error_banks(quick, n_inputs=16, passes=64)
    assert set(banks) == {0.1, 0.5} and banks[0.5].samples.shape == (64, 16)
    assert plots.plot_mc_error(banks[0.5], k=4).axes
    assert plots.plot_reliability(quick, 0.5).axes and plots.plot_scores(quick, 0.5).axes
    x = compute.ood_split(0).x_in[:1]
    assert plots.plot_passes(compute.mc_probabilities(quick.models[(0.5, 0)], x, 8)[:, 0], x[0]).axes


def test_dashboard_tolerance_is_five_standard_errors_of_the_quick_banks():
    banks = compute.error_banks(widgets.quick_study())
    for bank in banks.values():
        for k in range(1, widgets.K_MAX + 1):
            s = bank.spread(k)
            assert 5 * s.rel_se * math.sqrt(1 + 1 / k) <= widgets.REL_TOL, (bank.rate, k, s.rel_se)


@pytest.mark.slow
def test_dashboard_tolerance_covers_the_lessons_banks():
    study = compute.uncertainty_study((0.1, 0.3, 0.5), (0, 1, 2, 3, 4), k=25, epochs=12)
    for bank in compute.error_banks(study, n_inputs=64, passes=1024, seed=0).values():
        for k in range(1, widgets.K_MAX + 1):
            s = bank.spread(k)
            assert 5 * s.rel_se * math.sqrt(1 + 1 / k) <= widgets.REL_TOL and s.agrees(Z_CHECK), (bank.rate, k)


def _pixels(fig) -> np.ndarray:
    return imread(io.BytesIO(to_png(fig)))


def _differing(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that differ visibly between two pictures of the same size."""
    assert a.shape == b.shape
    return float(np.mean(np.abs(a - b).max(axis=2) > 0.02))


def test_calibration_dashboard_shows_each_rates_picture_and_numbers_and_revisits_them(quick):
    dash = widgets.calibration_dashboard(quick)
    seen = {}
    for index, rate in enumerate(quick.rates):
        dash.controls["rate"].index = index
        # the picture drawn on build is the static plot's, pixel for pixel
        assert _differing(_pixels(dash.figure), _pixels(plots.plot_reliability(quick, rate))) == 0.0, rate
        shown = dash.metrics()
        # numbers computed on build equal the study's, recomputed here another way
        for method in compute.METHODS:
            assert shown[f"ECE {method} (%)"] == f"{100 * quick.values('ece', method, rate).mean():.4g}", rate
        seen[rate] = shown, bytes(dash.image.value), dash.figure
    assert seen[0.1][0] != seen[0.5][0] and seen[0.1][1] != seen[0.5][1]
    dash.controls["rate"].index = 0                      # a revisited rate: the same numbers and picture
    assert dash.metrics() == seen[0.1][0] and bytes(dash.image.value) == seen[0.1][1] and dash.figure is seen[0.1][2]


def test_error_dashboard_redraws_the_ring_in_its_rates_figure_as_the_static_plot_draws_it(quick):
    banks = compute.error_banks(quick, n_inputs=16, passes=64)
    dash = widgets.mc_error_dashboard(banks)
    figures = {}
    for rate in (0.1, 0.5):
        dash.controls["rate"].value = rate
        for k in (1, 5, 32):
            dash.controls["k"].value = k
            static = plots.plot_mc_error(banks[rate], k, title=plots.error_title(rate))
            assert _differing(_pixels(dash.figure), _pixels(static)) == 0.0, (rate, k)   # pixel for pixel
            assert dash.result == banks[rate].spread(k), (rate, k)          # recomputed another way
            figures.setdefault(rate, dash.figure)
            assert dash.figure is figures[rate], "a k move redraws the rate's figure in place"
    assert figures[0.1] is not figures[0.5]
    dash.controls["k"].value = 5
    before = dash.metrics(), bytes(dash.image.value)
    dash.controls["rate"].value = 0.1
    assert dash.metrics() != before[0]
    dash.controls["rate"].value = 0.5                    # a revisited setting: the same numbers and picture
    assert (dash.metrics(), bytes(dash.image.value)) == before
    assert "k = 8" in plots.error_title(0.5, 8) and "k =" not in plots.error_title(0.5)


# ---------------------------------------------------------------- the 1-D toy


def test_toy_config_validates():
    with pytest.raises(ValueError, match="rate must be < 1"):
        compute.ToyConfig(rate=1.0)
    with pytest.raises(ValueError, match="steps"):
        compute.ToyConfig(steps=0)


@pytest.mark.slow
def test_the_band_is_wider_far_from_the_data_in_twelve_seeds():
    for seed in range(12):
        band = compute.toy_band(compute.ToyConfig(), seed)
        assert min(band.sd_far()) > band.sd_inside(), seed


def test_toy_band_shapes_and_fit():
    band = compute.toy_band(compute.ToyConfig(steps=300), 0, passes=50)
    assert band.grid.shape == band.mean.shape == band.sd.shape == (121,)
    inside = np.abs(band.grid) <= 1
    assert np.abs(band.mean[inside] - np.sin(3 * band.grid[inside])).mean() < 0.3   # it learned the curve
    assert plots.plot_band(band).axes
