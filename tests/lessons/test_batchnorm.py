"""Lesson 10 (Dropout and BatchNorm): the closed forms against hand values and sampling; the per-unit
measurement and its standard error; the networks, the shift and the fix; the dashboard's tolerance; the
exercise checks against wrong answers and right answers written two ways; the exhibits."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.image import imread
from scipy import stats
from torch import nn

import dropout_lab as dl
from dropout_lab.lessons.batchnorm import compute, exercises, plots, solutions, widgets
from dropout_lab.stats import Z_CHECK
from dropout_lab.ui.figures import to_png

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "10_batchnorm.ipynb"

# ---------------------------------------------------------------- the closed forms


def test_train_variance_hand_values():
    assert compute.train_variance(0.0, 1.0, 0.5) == pytest.approx(2.0)           # Li et al.'s Fig. 1: 1/keep
    assert compute.train_variance(2.0, 1.0, 0.3) == pytest.approx((1 + 4) / 0.7 - 4)
    assert compute.train_variance(3.0, 2.0, 0.0) == pytest.approx(2.0)           # no dropout, no shift
    assert compute.variance_ratio(0.3, 2.0) == pytest.approx(22 / 7)
    assert compute.variance_ratio(0.3, -2.0) == compute.variance_ratio(0.3, 2.0)  # the mean enters squared
    assert compute.shifted_test_variance(0.5) == pytest.approx(0.5)


def test_closed_forms_reject_bad_input():
    with pytest.raises(ValueError, match="rate must be < 1"):
        compute.variance_ratio(1.0)
    with pytest.raises(ValueError, match="rate must be in"):
        compute.variance_ratio(1.5)
    with pytest.raises(ValueError, match="var must be >= 0"):
        compute.train_variance(0.0, -1.0, 0.2)
    with pytest.raises(ValueError, match="mu_over_sigma must be a finite number"):
        compute.variance_ratio(0.2, float("nan"))


@pytest.mark.parametrize("rate, mu", [(0.1, 0.0), (0.5, 0.0), (0.3, 2.0), (0.7, 1.0), (0.5, -3.0)])
def test_sampled_unit_lands_in_its_band(rate, mu):
    u = compute.sampled_unit(rate, mu, n=100_000, seed=7)
    true = compute.train_variance(mu, 1.0, rate)
    assert abs(u.measured_train_var - true) <= Z_CHECK * u.se
    assert u.measured_ratio == pytest.approx(true, rel=0.05)


def test_sampled_unit_standard_error_is_honest():
    """Over 200 seeds the measured variance scatters by the SE the samples claim (within 20 %)."""
    values = np.array([compute.sampled_unit(0.5, 1.0, n=5_000, seed=s).measured_train_var for s in range(200)])
    se = compute.sampled_unit(0.5, 1.0, n=5_000, seed=0).se
    assert 0.8 < values.std(ddof=1) / se < 1.2


def test_through_linear_ratio_against_a_direct_simulation():
    rng = np.random.default_rng(0)
    x = rng.normal(0.5, 1.0, (200_000, 5))
    w = rng.normal(size=(3, 5))
    rate = 0.4
    y, _ = dl.dropout_forward(x, rate, rng)
    z_train, z_test = y @ w.T, x @ w.T
    predicted = compute.through_linear_ratio(w, np.mean(x ** 2, axis=0), z_test.var(axis=0), rate)
    assert np.allclose(z_train.var(axis=0) / z_test.var(axis=0), predicted, rtol=0.03)


# ---------------------------------------------------------------- the dashboard's measurement


def test_rate_shift_agrees_within_its_standard_error_and_the_se_is_honest():
    a = np.random.default_rng(1).normal(1.0, 1.0, (2000, 16)) * np.linspace(0.5, 2, 16)
    shift = compute.rate_shift(a, 0.5, repeats=2, seed=0)
    z = (shift.measured - shift.predicted) / shift.se
    assert np.all(np.abs(z) < Z_CHECK)
    means = np.array([compute.rate_shift(a, 0.5, repeats=2, seed=s).mean_measured for s in range(150)])
    assert 0.8 < means.std(ddof=1) / (shift.rel_se * shift.mean_predicted) < 1.2
    zero = compute.rate_shift(a, 0.0)
    assert np.allclose(zero.measured, 1.0) and np.allclose(zero.predicted, 1.0) and zero.rel_se == 0.0


def test_dashboard_tolerance_is_five_standard_errors_at_every_rate():
    for a in (widgets.default_activations(),
              compute.first_layer_activations(compute.train("dropout → BN", compute.digits(0), epochs=2),
                                              compute.digits(0).x_train)):
        for rate in widgets.RATES:
            assert 5 * compute.rate_shift(a, rate, repeats=4, seed=0).rel_se <= widgets.REL_TOL, rate


def test_dashboard_moves_and_plots():
    dash = widgets.variance_shift_dashboard()
    dash.controls["rate"].value = 0.7
    high = dash.result.mean_predicted
    dash.controls["rate"].value = 0.1
    assert dash.result.mean_predicted < high
    assert plots.plot_rate_shift(dash.result).axes


def test_dashboard_shows_each_rates_picture_snaps_to_the_grid_and_revisits():
    a = np.random.default_rng(2).normal(1.0, 1.0, (500, 12)) * np.linspace(0.5, 2, 12)
    dash = widgets.variance_shift_dashboard(a)
    seen = {}
    for rate in (0.05, 0.35, 0.7):
        dash.controls["rate"].value = rate
        shift = compute.rate_shift(a, rate, repeats=4, seed=0)              # recomputed here
        assert dash.metrics()["measured ratio (mean over units)"] == f"{shift.mean_measured:.4g}", rate
        static = plots.plot_rate_shift(shift, title=widgets._title(shift))
        pixels = [imread(io.BytesIO(to_png(f))) for f in (dash.figure, static)]
        assert np.abs(pixels[0] - pixels[1]).max() == 0.0, rate         # the picture drawn on build is the plot's
        seen[rate] = dash.metrics(), bytes(dash.image.value)
    assert seen[0.05][0] != seen[0.7][0] and seen[0.05][1] != seen[0.7][1]
    dash.controls["rate"].value = 0.33                   # off the 0.05 grid, as code (not the browser) can set it
    assert dash.metrics()["rate"] == "0.35" and (dash.metrics(), bytes(dash.image.value)) == seen[0.35]
    dash.controls["rate"].value = 0.05                   # a revisited rate: the same numbers and picture
    assert (dash.metrics(), bytes(dash.image.value)) == seen[0.05]


# ---------------------------------------------------------------- the networks


def _kinds(order):
    return [type(m).__name__ for m in compute.build(order, 0.5, width=8)]


def test_build_places_one_dropout_as_named_and_is_seeded():
    assert _kinds("dropout → BN")[:4] == ["Linear", "Dropout", "BatchNorm1d", "ReLU"]
    assert _kinds("BN → dropout")[:5] == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert _kinds("dropout after last BN")[-2:] == ["Dropout", "Linear"]
    assert all(_kinds(o).count("Dropout") == 1 for o in compute.ORDERS[1:])   # placement alone differs
    assert "Dropout" not in _kinds("no dropout")
    a, b = compute.build("BN → dropout", seed=3), compute.build("BN → dropout", seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    with pytest.raises(ValueError, match="order must be one of"):
        compute.build("dropout after BN")


def test_handwritten_adam_first_step():
    p = torch.tensor([1.0, -2.0], requires_grad=True)
    step = compute.adam([p], lr=0.1)
    (p * torch.tensor([3.0, -1.0])).sum().backward()
    step()
    assert torch.allclose(p.detach(), torch.tensor([0.9, -1.9]), atol=1e-6)


def _one_batch(seed):
    d = compute.digits(seed)
    return dl.data.DataSplit(d.name, d.description, d.x_train[:129], d.y_train[:129], d.x_test, d.y_test)


def test_stacked_training_equals_separate_plain_training():
    """One Adam step (rate 0): the side-by-side run of two seeds equals each seed's plain nn.Sequential loop."""
    stacked, _ = compute.train_seeds("dropout → BN", (0, 1), rate=0.0, epochs=1, data=_one_batch)
    for seed, model in zip((0, 1), stacked):
        d = _one_batch(seed)
        plain = compute.build("dropout → BN", 0.0, compute.WIDTH, seed)
        x, y = torch.tensor(d.x_train, dtype=torch.float32), torch.tensor(d.y_train)
        batch = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:128]
        plain.train()
        nn.functional.cross_entropy(plain(x[batch]), y[batch]).backward()
        compute.adam(list(plain.parameters()), 3e-3)(1.0)
        # A Linear's bias right before a BN has zero gradient in exact arithmetic (BN subtracts the mean): its
        # float gradient is rounding noise, which Adam scales up to a full lr step of either sign. Skip those.
        for key, value in plain.state_dict().items():
            if key in ("0.bias", "4.bias"):
                continue
            assert torch.allclose(value.double(), model.state_dict()[key].double(), atol=1e-6), (seed, key)


def test_variance_shift_on_the_shifted_reference():
    model, x = compute.shifted_reference()
    first, second = compute.variance_shift(model, x.numpy(), 0.5)
    assert first.kind == "direct" and second.kind == "downstream"
    mean, se = first.agreement()
    assert abs(mean - 1) <= Z_CHECK * se                        # the first BN learned exactly what the maths says
    assert first.measured.mean() > 2                            # and that is far from 1
    # the train-mode pass IS how the reference got its statistics (other masks): it reproduces both layers
    for shift in (first, second):
        mean, se = shift.agreement("simulated")
        assert abs(mean - 1) <= Z_CHECK * se + 0.02


def _shuffled_deviations(rows: int, batch_size: int, shuffles: int = 40) -> list[np.ndarray]:
    """running_var / test var − 1 per BN, (shuffles, units), re-estimated on `shuffles` row orders of the digits."""
    model, _ = compute.shifted_reference()
    x = compute.digits(0).x_train[:rows]
    rng = np.random.default_rng(0)
    out = [[], []]
    for _ in range(shuffles):
        order = x[rng.permutation(len(x))]
        check = compute.check_recalibrated(compute.recalibrate(model, order, batch_size), order, batch_size)
        for layer in range(2):
            out[layer].append(check.ratios[layer] - 1)
    return [np.array(d) for d in out]


def test_first_bn_deviation_follows_the_chi2_law_over_row_orders():
    """Equal batches (1280 rows = 10 × 128): ratio − 1 = ((K − 1) − χ²_{K−1})/(K(n − 1)), quantile by quantile."""
    k, n = 10, 128
    first, _ = _shuffled_deviations(k * n, n)
    scale = 1 / (k * (n - 1))
    sd = np.sqrt(2 * (k - 1)) * scale
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        predicted = ((k - 1) - stats.chi2.ppf(1 - q, k - 1)) * scale
        assert abs(np.quantile(first, q) - predicted) < 0.3 * sd, q
    assert first.max() <= (k - 1) * scale + 1e-5              # the bounded side: all batch means equal
    # the long tail is below 1: a symmetric normal band would be too wide above and too narrow below
    assert -np.quantile(first, 0.001) > 1.5 * np.quantile(first, 0.999)


@pytest.mark.parametrize("rows, batch_size", [(1347, 128), (1280, 32)])
def test_recalibration_band_covers_every_shuffle_and_is_not_loose(rows, batch_size):
    """Over 40 row orders × 64 units, no unit leaves its band, and no band is 3× the empirical 0.1 % tail."""
    deviations = _shuffled_deviations(rows, batch_size)
    for layer, d in enumerate(deviations):
        below, above = compute.recalibration_band(rows, batch_size, downstream=layer == 1)
        assert -d.min() <= below and d.max() <= above, (layer, d.min(), d.max(), below, above)
        tails = -np.quantile(d, 0.001), np.quantile(d, 0.999)
        if layer == 0:
            assert below < 3 * tails[0] and above < 3 * tails[1], (below, above, tails)
        else:   # below another BN the band is symmetric: judge it by the longer tail
            assert below < 3 * max(tails), (below, tails)


def test_recalibration_band_rejects_bad_input():
    with pytest.raises(ValueError, match="batch_size"):
        compute.recalibration_band(100, 128)
    with pytest.raises(ValueError, match="z must be"):
        compute.recalibration_band(1024, 128, z=0)


def test_check_recalibrated_fails_as_trained_and_with_dropout_on_and_passes_after_the_fix():
    model, _ = compute.shifted_reference()
    x = compute.digits(0).x_train
    assert not compute.check_recalibrated(model, x).passed                       # as "trained": shifted
    fixed = compute.recalibrate(model, x)
    check = compute.check_recalibrated(fixed, x)
    assert check.passed and len(check.bands) == 2 and min(check.bands[1]) > max(check.bands[0])
    # exhibit 4's bug (every BN re-estimated with model.train(), dropout on) is caught by the same test
    assert not compute.check_recalibrated(copy_with_dropout_on_recalibration(model, x), x).passed


def copy_with_dropout_on_recalibration(model, x):
    """Exhibit 4's bug: every BN re-estimated with model.train(), dropout on."""
    import copy
    model = copy.deepcopy(model).train()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.reset_running_stats()
            m.momentum = None
    with torch.no_grad():
        for batch in torch.as_tensor(x, dtype=torch.float32).split(128):
            model(batch)
    return model.eval()


def test_recalibrate_returns_the_ratio_to_one_and_leaves_weights_alone():
    model, x = compute.shifted_reference()
    fixed = compute.recalibrate(model, x.numpy())
    assert compute.check_recalibrated(fixed, x.numpy()).passed
    weights = [k for k in model.state_dict() if k.endswith(("weight", "bias"))]
    assert all(torch.equal(model.state_dict()[k], fixed.state_dict()[k]) for k in weights)
    assert not any(m.training for m in fixed.modules())
    assert all(m.momentum == 0.1 for m in fixed.modules() if isinstance(m, nn.BatchNorm1d))


def test_a_quick_order_study():
    calls = []
    study = compute.order_study(orders=("dropout → BN", "dropout after last BN"), seeds=(0, 1), epochs=3,
                                on_order=lambda: calls.append(1))
    assert len(calls) == 2 and set(study.models) == {(o, s) for o in study.orders for s in (0, 1)}
    assert all(0.5 < a < 1 for a in np.concatenate(list(study.accuracy.values())))
    assert study.curves["dropout → BN"].test_accuracy.shape == (3, 2)
    assert "re-estimated" in study.table() and plots.plot_orders(study).axes and plots.plot_curves(study.curves).axes
    last = study.shifts[("dropout after last BN", 0)]
    assert all(s.kind == "none" for s in last)                 # no BatchNorm after the only dropout
    assert [s.kind for s in study.shifts[("dropout → BN", 0)]] == ["direct", "downstream"]
    assert not study.checks_before[("dropout → BN", 0)].passed and study.checks_after[("dropout → BN", 0)].passed
    assert plots.plot_layer_shifts(study.shifts[("dropout → BN", 0)]).axes
    diff, se = study.paired(np.array([1.0, 3.0]), np.array([0.0, 1.0]))
    assert diff == 1.5 and se == pytest.approx(0.5)


def test_ratio_curves_plot():
    samples = [compute.sampled_unit(r, m, n=1000) for r in (0.2, 0.5) for m in (0.0, 1.0)]
    assert plots.plot_ratio_curves(samples, (0.0, 1.0)).axes


# ---------------------------------------------------------------- the exercises


def test_ratio_check():
    assert exercises.check_ratio(solutions.solution_1()).passed
    assert exercises.check_ratio(22 / 7).passed
    assert exercises.check_ratio(...) is dl.ui.checks.NOT_ANSWERED
    for wrong, words in ((1 / 0.7, "mean 0"), ((1 + 0.7 * 4) / 0.3, "swaps"), (0.7 / 2.2, "inverse"),
                         ((1 + 0.3 * 2) / 0.7, "squared"), (2.2, "keep"), (1 + 0.3 * 4 / 0.7, "σ²")):
        result = exercises.check_ratio(wrong)
        assert not result.passed and words in result.message, (wrong, result.message)
    assert not exercises.check_ratio("3.14").passed and not exercises.check_ratio(3.0).passed


def test_placement_check():
    assert exercises.check_placement(solutions.solution_2()).passed
    assert exercises.check_placement(5).passed and exercises.check_placement(np.int64(6)).passed
    for position in range(5):
        result = exercises.check_placement(position)
        assert not result.passed and "BatchNorm at position" in result.message, position
    assert "logits" in exercises.check_placement(7).message
    assert "positions run" in exercises.check_placement(8).message
    assert "int position" in exercises.check_placement(6.0).message
    assert "int position" in exercises.check_placement(True).message


def test_test_variance_check():
    assert exercises.check_test_variance(solutions.solution_3()).passed
    assert exercises.check_test_variance(1 / 2).passed
    assert "training/test" in exercises.check_test_variance(2).message
    assert "learned under dropout" in exercises.check_test_variance(1).message
    assert "keep²" in exercises.check_test_variance(0.25).message


def namespace() -> dict:
    return {"np": np, "torch": torch, "nn": nn, "dl": dl, "compute": compute, "exercises": exercises}


def defined(code: str, name: str):
    scope = namespace()
    exec(code, scope)
    return scope[name]


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_rejects_the_buggy_snippet(number):
    scope = namespace()
    exec(compute.BUGS[number].buggy_code, scope)
    result = eval(exercises.check_call(number), scope)
    assert not result.passed and "raised" not in result.message, result.message


def test_each_buggy_snippet_gets_its_own_diagnosis():
    verdicts = [exercises.check_recalibration(defined(compute.BUGS[n].buggy_code, "recalibrate_bn")) for n in (4, 5)]
    assert "dropout was ON" in verdicts[0].message and "momentum = 0.1" in verdicts[1].message
    assert "reset value 1" in verdicts[1].message


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_each_exhibit_has_one_bug_and_its_documented_fix_passes(number):
    """The notebook says: fix the line marked # BUG?. Replacing that one line must be enough."""
    bug = compute.BUGS[number]
    assert bug.buggy_code.count("# BUG?") == 1 and "# BUG?" not in bug.fixed_code
    assert not exercises.check_recalibration(defined(bug.buggy_code, bug.defines)).passed
    result = exercises.check_recalibration(defined(bug.fixed_code, bug.defines))
    assert result.passed, result.message


def _variant(code, old, new):
    assert old in code
    return exercises.check_recalibration(defined(code.replace(old, new), "recalibrate_bn"))


RESET_AND_AVERAGE = """    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.reset_running_stats()   # forget the shifted statistics
            module.momentum = None         # a plain average over every batch
"""
ALL_BATCHES = "for batch in x.split(128):\n            model(batch)"


RATES_ZERO_THEN_RESTORED = """def recalibrate_bn(model, x):
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.reset_running_stats()
            module.momentum = None
    rates = {m: m.p for m in model.modules() if isinstance(m, nn.Dropout)}
    for m in rates:
        m.p = 0.0                    # dropout off by its rate during the passes
    model.train()
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
    for m, p in rates.items():
        m.p = p                      # ... and put back
    model.eval()"""


def test_wrong_fixes_of_exhibit_4_are_rejected_with_their_own_reason():
    bug = compute.BUGS[4]
    only_eval = _variant(bug.buggy_code, bug.marked_line, "    model.eval()")      # no BN ever in train mode
    assert not only_eval.passed and "no BatchNorm was in training mode" in only_eval.message
    # the old exhibit's one-line fix: eval + BN.train(), but no reset and torch's momentum 0.1 (2.84x, not 1)
    kept_old = _variant(bug.fixed_code, RESET_AND_AVERAGE, "")
    assert not kept_old.passed and "shifted statistics training left behind" in kept_old.message, kept_old.message
    p_zero = _variant(bug.buggy_code, bug.marked_line, "    for module in model.modules():\n"
                                                       "        if isinstance(module, nn.Dropout):\n"
                                                       "            module.p = 0.0\n"
                                                       "    model.train()")   # dropout off by rate 0, never restored
    assert not p_zero.passed and "rate p was changed" in p_zero.message
    # Dropout off by p = 0 during the passes, p put back afterwards, is right too: nothing was dropped.
    rates_zero = exercises.check_recalibration(defined(RATES_ZERO_THEN_RESTORED, "recalibrate_bn"))
    assert rates_zero.passed, rates_zero.message


def test_wrong_fixes_of_exhibit_5_are_rejected_with_their_own_reason():
    bug = compute.BUGS[5]
    deleted = _variant(bug.buggy_code, bug.marked_line + "\n", "")     # torch's default momentum, 0.1, again
    assert not deleted.passed and "momentum = 0.1" in deleted.message
    last_batch = _variant(bug.buggy_code, bug.marked_line, "            module.momentum = 1.0")
    assert not last_batch.passed and "LAST batch" in last_batch.message, last_batch.message
    one_batch = _variant(bug.fixed_code, ALL_BATCHES, "model(x[:128])")
    assert not one_batch.passed and "only 128 of the 1024 rows" in one_batch.message
    no_reset = _variant(bug.fixed_code, "            module.reset_running_stats()\n", "")
    assert not no_reset.passed and "reset_running_stats() first" in no_reset.message, no_reset.message
    whole = _variant(bug.fixed_code, ALL_BATCHES, "model(x)")
    assert whole.passed, whole.message                                 # one batch of all of x is right too
    for size in (16, 32, 64, 256):   # any batch size is right: the band follows the smallest batch used
        other = _variant(bug.fixed_code, ALL_BATCHES, f"for batch in x.split({size}):\n            model(batch)")
        assert other.passed, (size, other.message)


def test_paired_comparison_hand_values():
    p = compute.paired([0.9, 0.8, 0.7, 0.6], [1.0, 1.0, 0.7, 0.5])
    assert np.allclose(p.diffs, [-0.1, -0.2, 0.0, 0.1]) and p.counts == (2, 1, 1)
    assert p.mean == pytest.approx(-0.05) and p.se == pytest.approx(np.std([-0.1, -0.2, 0, 0.1], ddof=1) / 2)
    assert p.band(2) == pytest.approx((-0.05 - 2 * p.se, -0.05 + 2 * p.se))
    assert p.t_interval() == pytest.approx(stats.t.interval(0.95, 3, loc=-0.05, scale=p.se), rel=1e-12)
    with pytest.raises(ValueError, match="level must be a number strictly between 0 and 1"):
        p.t_interval(95)
    assert p.sign_p == pytest.approx(1.0)                    # 2 lower, 1 higher: 2·P(Bin(3, ½) ≥ 2) = 1
    assert compute.paired([0.0] * 8, [1.0] * 7 + [0.0]).sign_p == pytest.approx(2 / 2 ** 7)   # 7 of 7, tie out
    diffs = np.array([-1.56, -1.78, -0.44, -0.22, -0.22, -0.22, -0.22, 0.0])
    q = compute.paired(diffs, np.zeros(8))                   # scipy's own tests as the oracle
    assert q.t_p == pytest.approx(stats.ttest_1samp(diffs, 0).pvalue, rel=1e-9)
    assert q.sign_p == pytest.approx(stats.binomtest(7, 7).pvalue, rel=1e-9)
    assert p.t_p == pytest.approx(stats.ttest_1samp(p.diffs, 0).pvalue, rel=1e-9)
    rng = np.random.default_rng(3)       # the 95 % t interval excludes 0 exactly when the t-test's p < 0.05
    for _ in range(200):
        r = compute.paired(rng.normal(0.5, 1.0, 8), np.zeros(8))
        low, high = r.t_interval()
        assert (low > 0 or high < 0) == (r.t_p < 0.05)
    assert "95 % t interval, 7 dof" in q.line(4.5)
    with pytest.raises(ValueError, match="same length >= 2"):
        compute.paired([1.0], [1.0])


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_accepts_the_solution(number):
    result = exercises.CHECKS[number](getattr(solutions, f"solution_{number}")())
    assert result.passed, result.message


def test_recalibration_check_other_right_answer_and_wrong_ones():
    returns_a_copy = exercises.check_recalibration(lambda model, x: compute.recalibrate(model, x.numpy()))
    assert returns_a_copy.passed
    no_reset = '''
def recalibrate_bn(model, x):
    model.eval()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.momentum = None
            m.train()
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
    model.eval()
'''
    assert "old, shifted statistics" in exercises.check_recalibration(defined(no_reset, "recalibrate_bn")).message
    left_on = '''
def recalibrate_bn(model, x):
    model.eval()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.reset_running_stats()
            m.momentum = None
            m.train()
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
'''
    assert "training mode" in exercises.check_recalibration(defined(left_on, "recalibrate_bn")).message
    stepped = '''
def recalibrate_bn(model, x):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01)
    model.eval()
'''
    assert "weights changed" in exercises.check_recalibration(defined(stepped, "recalibrate_bn")).message
    assert "raised" in exercises.check_recalibration(lambda model, x: model.nope).message
    assert exercises.check_recalibration(None) is dl.ui.checks.NOT_ANSWERED


def test_the_lesson_cells_hold_the_buggy_snippets():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]]
    for number, bug in compute.BUGS.items():
        assert f"{bug.buggy_code}\n\n{exercises.check_call(number)}" in cells, bug.title
