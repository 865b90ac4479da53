"""Lesson 07: the paper's weight-scaling rule, the training equivalence, §9.1, and the experiments' plumbing."""
from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest

from dropout_lab.lessons.paper_test_time_scaling import compute as paper
from dropout_lab.lessons.paper_test_time_scaling import stored_runs
from dropout_lab.lessons.paper_test_time_scaling.training import Recipe, max_norm_, train_net
from dropout_lab.mlp import MLP, MLPConfig, train_mlp
from dropout_lab.stats import Z_CHECK as Z

TINY = Recipe(hidden=(16,), epochs=1)


def test_train_net_with_defaults_takes_the_very_steps_of_train_mlp():
    data = paper.digits(0)
    a = train_mlp(data.x_train, data.y_train, MLPConfig(hidden=(16,), epochs=2, seed=3), data.x_test, data.y_test)
    b = train_net(data.x_train, data.y_train, Recipe(hidden=(16,), epochs=2, seed=3), data.x_test, data.y_test)
    for u, v in zip(a.model.weights + a.model.biases, b.model.weights + b.model.biases):
        assert np.array_equal(u, v)
    assert a.test_error == b.test_error and np.array_equal(a.epoch_losses, b.epoch_losses)


def test_recipe_checks_its_knobs():
    for bad in (dict(max_norm=0.0), dict(bias_lr=-1.0), dict(lr_decay=0.0), dict(weight_lr_scales=(1.0,)),
                dict(hidden_rate=1.5), dict(momentum=1.0)):
        with pytest.raises((ValueError, TypeError)):
            Recipe(**bad)


def test_max_norm_caps_each_units_incoming_weights():
    w = np.array([[3.0, 0.1], [4.0, 0.1]])       # column norms 5 and 0.14
    max_norm_(w, 2.0)
    assert np.allclose(np.linalg.norm(w, axis=0), [2.0, np.sqrt(0.02)]) and np.allclose(w[:, 0], [1.2, 1.6])


def test_max_norm_holds_after_training_and_learning_rates_apply_per_layer():
    data = paper.digits(0)
    run = train_net(data.x_train, data.y_train, replace(TINY, max_norm=0.5, lr=0.2, epochs=2))
    assert np.linalg.norm(run.model.weights[0], axis=0).max() <= 0.5 + 1e-12
    frozen = train_net(data.x_train, data.y_train, replace(TINY, weight_lr_scales=(1e-300, 1.0), bias_lr=1e-300))
    assert np.allclose(frozen.model.weights[0], frozen.initial_weights[0], atol=1e-250)
    assert not np.allclose(frozen.model.weights[1], frozen.initial_weights[1])


def test_vanilla_net_equals_inverted_net_with_weights_times_keep():
    data = paper.digits(0)
    trained = train_net(data.x_train, data.y_train, Recipe(mode="vanilla", epochs=2, hidden=(32,))).model
    result = paper.weight_scaling_equivalence(trained, data.x_test)
    assert result.test_max_abs_diff <= 1e-12 and result.train_max_abs_diff <= 1e-12
    assert result.scales == (0.8, 0.5)


def test_equivalence_wants_a_vanilla_net():
    model = MLP.init((3, 2), (0.5,), "inverted", np.random.default_rng(0))
    with pytest.raises(ValueError, match="vanilla"):
        paper.weight_scaling_equivalence(model, np.ones((2, 3)))


@pytest.mark.parametrize("rates", [(0.2, 0.5), (0.0, 0.3), (0.5, 0.7)])
def test_training_equivalence_lr_times_keep_squared(rates):
    data = paper.digits(1)
    vanilla = Recipe(hidden=(24, 12), input_rate=rates[0], hidden_rate=rates[1], mode="vanilla", epochs=3, seed=2)
    twin = paper.training_equivalence(vanilla, data)
    assert twin.weight_max_abs_diff < 1e-12 and twin.bias_max_abs_diff < 1e-12
    assert twin.test_errors[0] == twin.test_errors[1]
    # ... and it is the lr × keep² that does it: plain inverted training with the same lr drifts away.
    keeps = vanilla.keeps()
    van = train_net(data.x_train, data.y_train, vanilla)
    inv = train_net(data.x_train, data.y_train, replace(vanilla, mode="inverted"),
                    initial_weights=[k * w for k, w in zip(keeps, van.initial_weights)])
    assert max(np.abs(wi - k * wv).max() for wi, wv, k in zip(inv.model.weights, van.model.weights, keeps)) > 1e-3


def test_inverted_twin_recipe_scales_and_refuses():
    twin = paper.inverted_twin_recipe(Recipe(mode="vanilla", lr=0.1))
    assert twin.mode == "inverted" and twin.bias_lr == 0.1
    assert twin.weight_lr_scales == pytest.approx((0.64, 0.25))
    for bad in (Recipe(mode="inverted"), Recipe(mode="vanilla", max_norm=3.0)):
        with pytest.raises(ValueError, match="vanilla"):
            paper.inverted_twin_recipe(bad)


def test_compare_schemes_shapes_and_paired_difference():
    comp = paper.compare_schemes(TINY, seeds=(0, 1))
    assert comp.test_error.shape == (2, 2) and comp.disagree.shape == (2,)
    diff, se = comp.paired()
    d = comp.test_error[1] - comp.test_error[0]
    assert diff == pytest.approx(d.mean()) and se == pytest.approx(d.std(ddof=1) / np.sqrt(2))


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_section_9_1_formula_equals_exact_enumeration(keep, seed):
    rng = np.random.default_rng(seed)
    x, y, w = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4)
    exact = paper.dropout_loss_exact(x, y, w, keep)
    assert abs(exact - paper.dropout_loss_formula(x, y, w, keep)) <= 1e-10 * max(1.0, exact)


def test_section_9_1_gamma_is_uncentred():
    # A constant column does not vary at all, yet it is penalised: Γ is a root-sum-of-squares, not an sd.
    x, y, w = np.array([[5.0, 1.0], [5.0, -1.0]]), np.array([1.0, 0.0]), np.array([0.2, 0.3])
    penalty = paper.dropout_loss_formula(x, y, w, 0.5) - np.sum((y - 0.5 * x @ w) ** 2)
    assert penalty == pytest.approx(0.25 * (50 * 0.2 ** 2 + 2 * 0.3 ** 2))


def test_exact_enumeration_is_a_real_average_not_the_formula():
    # keep = 1: no dropout, so the loss is the plain squared error; keep = 0: every input dropped.
    x, y, w = np.array([[1.0, 2.0]]), np.array([3.0]), np.array([1.0, 1.0])
    assert paper.dropout_loss_exact(x, y, w, 1.0) == pytest.approx(0.0)
    assert paper.dropout_loss_exact(x, y, w, 0.0) == pytest.approx(9.0)
    # keep = 0.5 by hand: masks (0,0) 9, (1,0) 4, (0,1) 1, (1,1) 0, each with weight 1/4.
    assert paper.dropout_loss_exact(x, y, w, 0.5) == pytest.approx(14 / 4)


def test_sampled_masks_from_the_package_average_to_the_formula():
    rng = np.random.default_rng(3)
    x, y, w = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3)
    losses = paper.dropout_loss_samples(x, y, w, 0.7, 20_000, rng=5)
    half = Z * losses.std() / np.sqrt(len(losses))
    assert abs(losses.mean() - paper.dropout_loss_formula(x, y, w, 0.7)) <= half


def test_dropout_ridge_weights_minimise_the_exact_expected_loss():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=4)
    best = paper.dropout_ridge_weights(x, y, 0.6)
    at_best = paper.dropout_loss_exact(x, y, best, 0.6)
    for step in np.eye(3) * 1e-3:
        assert paper.dropout_loss_exact(x, y, best + step, 0.6) > at_best
        assert paper.dropout_loss_exact(x, y, best - step, 0.6) > at_best


@pytest.mark.parametrize("keep", [-0.1, 1.5, float("nan"), "0.5", True])
def test_bad_keep_names_keep(keep):
    with pytest.raises(ValueError, match="keep"):
        paper.dropout_loss_formula(np.ones((2, 2)), np.ones(2), np.ones(2), keep)


def test_exact_enumeration_refuses_huge_cases():
    with pytest.raises(ValueError, match="20 entries"):
        paper.dropout_loss_exact(np.ones((5, 5)), np.ones(5), np.ones(5), 0.5)


def test_mc_without_dropout_equals_weight_scaling_exactly():
    study = paper.mc_vs_weight_scaling(Recipe(hidden=(16,), epochs=1, input_rate=0.0, hidden_rate=0.0),
                                       seeds=(0,), k_max=3)
    assert study.mc_error.shape == (1, 3)
    np.testing.assert_allclose(study.mc_error[0], study.ws_error[0])
    np.testing.assert_allclose(study.mc_nll[0], study.ws_nll[0], rtol=1e-12)


def test_mc_study_shapes_and_crossover():
    study = paper.mc_vs_weight_scaling(TINY, seeds=(0, 1), k_max=4)
    assert study.mc_error.shape == (2, 4) and study.ws_error.shape == (2,)
    fake = paper.MCStudy(np.arange(1, 5), np.array([[0.3, 0.2, 0.1, 0.1]]), np.array([0.15]),
                         np.zeros((1, 4)), np.zeros(1), (0,), 0.0)
    assert fake.crossover_k() == 3
    never = paper.MCStudy(np.arange(1, 3), np.array([[0.3, 0.2]]), np.array([0.1]),
                          np.zeros((1, 2)), np.zeros(1), (0,), 0.0)
    assert never.crossover_k() is None


def test_running_mc_error_averages_the_samples():
    samples = np.array([[[0.9, 0.1]], [[0.2, 0.8]], [[0.2, 0.8]]])
    errors, nll = paper.running_mc_error(samples, np.array([0]))
    np.testing.assert_array_equal(errors, [0.0, 0.0, 1.0])  # class-0 means 0.9, 0.55, 0.433
    np.testing.assert_allclose(nll, -np.log([0.9, 0.55, 1.3 / 3]))


def test_mc_table_and_paired_differences_by_hand():
    study = paper.MCStudy(np.arange(1, 3), np.array([[0.3, 0.1], [0.5, 0.1]]), np.array([0.1, 0.2]),
                          np.array([[0.9, 0.5], [1.1, 0.7]]), np.array([0.4, 0.4]), (0, 1), 0.0)
    np.testing.assert_allclose(study.gap(1), [0.2, 0.3])
    np.testing.assert_allclose(study.nll_gap(2), [0.1, 0.3])
    mean, sem = study.paired()["error"]
    np.testing.assert_allclose(mean, [25.0, -5.0])
    np.testing.assert_allclose(sem, [5.0, 5.0])                      # diffs (20, 30) and (0, -10): sd 7.07 / √2
    lines = study.table(ks=(1, 2, 50)).splitlines()                  # k = 50 is out of range: skipped
    assert "ddof 1" in lines[0] and lines[1] == "weight scaling: error 15.00 %   NLL 0.400"
    assert lines[2].startswith("MC, k =   1:  error 40.00 %   NLL 1.000   MC − ws: error +25.00 ± 5.00 points")
    assert lines[3].endswith("NLL +0.200 ± 0.100") and len(lines) == 5
    with pytest.raises(ValueError, match="k must"):
        study.gap(3)


def test_rate_sweep_widths_and_shapes():
    sweep = paper.rate_sweep(TINY, keeps=(0.5, 1.0), seeds=(0,), n=8, n_keep=4)
    np.testing.assert_array_equal(sweep.hidden, [[8, 8], [8, 4]])
    assert sweep.test_error.shape == (2, 2, 1) == sweep.train_error.shape
    assert sweep.best_keep(0) in (0.5, 1.0)
    with pytest.raises(ValueError, match="keep"):
        paper.rate_sweep(TINY, keeps=(0.0,), seeds=(0,))


def _fake_rates():
    test = np.array([[[0.10, 0.12, 0.14], [0.03, 0.03, 0.04]],
                     [[0.05, 0.05, 0.05], [0.04, 0.02, 0.03]]])
    return paper.RateSweep(np.array([0.2, 0.6]), ("fixed n", "fixed n·keep"), np.array([[10, 10], [15, 5]]),
                           test, test / 2, (0, 1, 2), 0.0)


def test_rate_sweep_difference_and_table_by_hand():
    sweep = _fake_rates()
    mean, sem = sweep.difference(0, 0.2, 0.6)
    assert mean == pytest.approx(0.0867, abs=1e-4)                 # diffs .07, .09, .10
    assert sem == pytest.approx(np.std([0.07, 0.09, 0.10], ddof=1) / np.sqrt(3))
    lines = sweep.table().splitlines()
    assert "12.00" in lines[1] and "3.33" in lines[1] and "units 10 10" in lines[1]
    assert lines[2].split()[2:4] == ["1.15", "0.33"] and "ddof 1" in lines[2]   # s.e. of the test error (ddof 1)
    assert "6.00" in lines[3] and "1.67" in lines[3]                # training errors: half the test errors
    assert "units 15 5" in lines[4]
    assert lines[-1] == "best keep: fixed n 0.60, fixed n·keep 0.60"


def _fake_sizes():
    test = np.array([[[0.10, 0.12], [0.05, 0.07]],       # without dropout: sizes 100, 1000; two seeds
                     [[0.14, 0.12], [0.04, 0.04]]])      # with dropout
    return paper.SizeSweep(np.array([100, 1000]), ("plain", "dropout"), test, np.zeros_like(test),
                           np.array([75, 30]), (0, 1), 0.0)


def test_size_sweep_gain_and_table_by_hand():
    sweep = _fake_sizes()
    np.testing.assert_allclose(sweep.gain(), [-0.02, 0.02])
    np.testing.assert_allclose(sweep.gain_sem(), [0.02, 0.01])   # paired diffs (-.04, 0) and (.01, .03)
    np.testing.assert_array_equal(sweep.wins(), [0, 2])
    lines = sweep.table().splitlines()
    assert len(lines) == 4 and lines[0] == "[0] plain | [1] dropout"
    assert lines[2].split()[:5] == ["100", "75", "11.00", "13.00", "-2.00"] and "(0/2)" in lines[2]
    assert lines[3].split()[:5] == ["1000", "30", "6.00", "4.00", "+2.00"] and "(2/2)" in lines[3]
    with pytest.raises(ValueError, match="condition"):
        sweep.gain(0)


def test_size_sweep_shapes_epochs_and_errors():
    conditions = {"plain": replace(TINY, input_rate=0.0, hidden_rate=0.0), "dropout": TINY}
    sweep = paper.size_sweep(conditions, sizes=(20, 40), seeds=(0, 1), min_steps=5)
    assert sweep.test_error.shape == (2, 2, 2) == sweep.train_error.shape
    np.testing.assert_array_equal(sweep.epochs, [5, 3])   # 1 batch/epoch at 20 rows, 2 at 40: >= 5 steps
    with pytest.raises(ValueError, match="sizes"):
        paper.size_sweep(conditions, sizes=(10_000,), seeds=(0,), min_steps=1)
    with pytest.raises(ValueError, match="seeds"):
        paper.size_sweep(conditions, sizes=(20,), seeds=())
    with pytest.raises(ValueError, match="min_steps"):
        paper.size_sweep(conditions, sizes=(20,), seeds=(0,), min_steps=-1)
    with pytest.raises(ValueError, match="without dropout"):
        paper.size_sweep({"dropout": TINY, "plain": conditions["plain"]}, sizes=(20,), seeds=(0,))


@pytest.mark.parametrize("size, epochs, min_steps, expected", [
    (1347, 30, 300, 30),    # 43 batches per epoch: 30 epochs already exceed 300 steps
    (100, 30, 300, 75),     # 4 batches per epoch: 75 epochs for 300 steps
    (32, 1, 0, 1),
])
def test_size_epochs_gives_every_size_enough_epochs_and_steps(size, epochs, min_steps, expected):
    assert paper.size_epochs(size, epochs, min_steps, 32) == expected


def test_stored_fig9_is_complete_and_reproducible():
    sweep, record = paper.load_rate_sweep()
    cfg = stored_runs.FIG9
    assert tuple(record["seeds"]) == cfg["seeds"] and record["keeps"] == list(cfg["keeps"])
    assert record["recipe"]["max_norm"] == 3.0 and record["recipe"]["input_rate"] == 0.0
    assert sweep.test_error.shape == (2, len(cfg["keeps"]), len(cfg["seeds"]))
    assert record["command"].startswith("python -m")
    np.testing.assert_array_equal(sweep.hidden, paper.sweep_widths(cfg["keeps"], cfg["n"], cfg["n_keep"]))
    # Re-train one stored network (fixed n, keep 1.0, seed 0): the stored numbers are this code's output.
    data = paper.digits(0)
    one = train_net(data.x_train, data.y_train, replace(cfg["recipe"], seed=0, hidden_rate=0.0), data.x_test,
                    data.y_test)
    assert one.test_error == sweep.test_error[0, -1, 0] and one.train_error == sweep.train_error[0, -1, 0]


def test_stored_fig10_is_complete_and_reproducible():
    sweep, record = paper.load_size_sweep()
    cfg = stored_runs.FIG10
    names = list(cfg["conditions"]) + list(stored_runs.FIG10_CONTROL["conditions"])
    assert list(sweep.conditions) == names and tuple(record["seeds"]) == cfg["seeds"]
    assert sweep.test_error.shape == (len(names), len(cfg["sizes"]), len(cfg["seeds"]))
    assert sweep.baselines == (0, 3) and sweep.dropout_conditions() == (1, 2)
    plain = cfg["conditions"]["no dropout"]
    np.testing.assert_array_equal(sweep.epochs, [paper.size_epochs(s, plain.epochs, cfg["min_steps"], 32)
                                                 for s in cfg["sizes"]])
    data = paper.digits(1)   # re-train one stored network: no dropout, 100 rows, seed 1
    one = train_net(data.x_train[:100], data.y_train[:100], replace(plain, seed=1, epochs=int(sweep.epochs[0])),
                    data.x_test, data.y_test)
    assert one.test_error == sweep.test_error[0, 0, 1]


def test_stored_fig10_dropout_run_is_reproduced_bit_for_bit():
    # One stored DROPOUT network (hidden dropout 0.5, 100 rows, seed 0; ~0.2 s): masks, shuffles and the
    # max-norm cap are all re-drawn from the seed, so the errors must be the stored floats exactly.
    sweep, _ = paper.load_size_sweep()
    data = paper.digits(0)
    recipe = replace(stored_runs.FIG10["conditions"]["hidden dropout 0.5"], seed=0, epochs=int(sweep.epochs[0]))
    assert recipe.hidden_rate == 0.5 and recipe.max_norm == 3.0
    one = train_net(data.x_train[:100], data.y_train[:100], recipe, data.x_test, data.y_test)
    assert one.test_error == sweep.test_error[1, 0, 0] and one.train_error == sweep.train_error[1, 0, 0]


def test_stored_fig10_control_is_the_dropout_recipe_with_dropout_off():
    sweep, record = paper.load_size_sweep()
    ctrl = record["control"]
    dropout = stored_runs.FIG10["conditions"]["hidden dropout 0.5"]
    (recipe,) = ctrl["recipes"].values()
    # Everything but the two rates is the dropout nets' recipe: lr, momentum, max-norm, decay, epochs, width.
    assert {**recipe, "hidden": tuple(recipe["hidden"])} == {**asdict(dropout), "hidden_rate": 0.0}
    assert recipe["input_rate"] == 0.0 and recipe["lr"] != stored_runs.PLAIN.lr
    assert ctrl["sizes"] == record["sizes"] and ctrl["seeds"] == record["seeds"] and ctrl["epochs"] == record["epochs"]
    assert ctrl["command"].startswith("python -m")
    data = paper.digits(2)   # re-train one stored control network: 200 rows, seed 2
    one = train_net(data.x_train[:200], data.y_train[:200],
                    replace(stored_runs.CONTROL, seed=2, epochs=int(sweep.epochs[1])), data.x_test, data.y_test)
    assert one.test_error == sweep.test_error[3, 1, 2] and one.train_error == sweep.train_error[3, 1, 2]


def test_stored_lr_check_is_reproducible():
    rec = paper.load_lr_check()
    cfg = stored_runs.LR_CHECK
    assert rec["lrs"] == list(cfg["lrs"]) and rec["recipe"]["hidden_rate"] == 0.9 and rec["recipe"]["momentum"] == 0.95
    assert len(rec["test_error"]) == len(rec["train_error"]) == len(cfg["lrs"])
    data = paper.digits(cfg["recipe"].seed)   # re-train the lr 0.02 net (~1 s)
    assert rec["rows"] == len(data.x_train)
    one = train_net(data.x_train, data.y_train, replace(cfg["recipe"], lr=0.02), data.x_test, data.y_test)
    i = rec["lrs"].index(0.02)
    assert one.test_error == rec["test_error"][i] and one.train_error == rec["train_error"][i]


def test_with_control_appends_baselines_and_gains_pair_with_either():
    sweep = _fake_sizes()
    control = paper.SizeSweep(sweep.sizes, ("off",), np.array([[[0.13, 0.10], [0.06, 0.05]]]),
                              np.zeros((1, 2, 2)), sweep.epochs, sweep.seeds, 1.0)
    both = sweep.with_control(control)
    assert both.conditions == ("plain", "dropout", "off") and both.baselines == (0, 2)
    np.testing.assert_allclose(both.gain(1, 2), [-0.015, 0.015])   # (.13-.14, .10-.12), (.06-.04, .05-.04)
    np.testing.assert_allclose(both.gain_sem(1, 2), [0.005, 0.005])
    np.testing.assert_array_equal(both.wins(1, 2), [0, 2])
    np.testing.assert_allclose(both.gain(1), sweep.gain(1))   # the default baseline is still [0]
    assert "[2] − [1]" in both.table(2).splitlines()[1]
    gains = both.gain_table(2).splitlines()
    assert gains[0].startswith("gain over [2] off") and gains[2].split()[:4] == ["100", "-1.50", "±", "0.50"]
    with pytest.raises(ValueError, match="condition must be one trained with dropout"):
        both.gain(2)
    with pytest.raises(ValueError, match="baseline must be one trained without dropout"):
        both.gain(1, 1)
    with pytest.raises(ValueError, match="same sizes, seeds and epochs"):
        sweep.with_control(replace(control, epochs=np.array([75, 31])))


def test_stored_runs_command_line_refuses_unknown_figures():
    assert set(stored_runs.FILES) == {"fig9", "fig10", "fig10_control", "lr_check"}
    with pytest.raises(SystemExit, match="figures must be among"):
        stored_runs.main(["fig12"])


def test_t_critical_matches_closed_forms_not_the_normal_two():
    # 1 degree of freedom is a Cauchy: t = tan(π (q − 1/2)); 2 degrees: t = (2q − 1) / √(2q(1 − q)); q = 0.975
    assert paper.t_critical(2) == pytest.approx(np.tan(np.pi * 0.475), rel=1e-9)      # 12.706
    assert paper.t_critical(3) == pytest.approx(0.95 / np.sqrt(2 * 0.975 * 0.025), rel=1e-9)   # 4.303
    assert paper.t_critical(6) == pytest.approx(2.5706, abs=1e-4)     # six seeds: not 2, not 1.96
    assert paper.t_critical(8) == pytest.approx(2.3646, abs=1e-4)
    assert paper.t_critical(6, 0.5) < paper.t_critical(6) < paper.t_critical(6, 0.99)


def test_t_interval_covers_the_true_mean_95_percent_of_the_time_where_2_se_does_not():
    rng = np.random.default_rng(0)
    draws = 20_000
    values = rng.normal(size=(draws, 6))                     # six "seeds", true mean 0
    low, high = paper.t_interval(values)
    coverage = np.mean((low <= 0) & (high >= 0))
    band = Z * np.sqrt(0.95 * 0.05 / draws)                  # 4.5 σ of a binomial proportion: 0.007
    assert abs(coverage - 0.95) < band
    mean, se = values.mean(axis=1), values.std(axis=1, ddof=1) / np.sqrt(6)
    two_se = np.mean(np.abs(mean) <= 2 * se)                 # P(|T5| < 2) = 0.898: ±2 s.e. is no 95 % interval
    assert 0.95 - two_se > 2 * band


def test_size_sweep_gain_interval_by_hand():
    sweep = _fake_sizes()                                    # paired diffs (-.04, 0) and (.01, .03): 1 dof
    low, high = sweep.gain_interval()
    t = np.tan(np.pi * 0.475)
    np.testing.assert_allclose(low, [-0.02 - t * 0.02, 0.02 - t * 0.01])
    np.testing.assert_allclose(high, [-0.02 + t * 0.02, 0.02 + t * 0.01])
    lines = sweep.gain_table().splitlines()
    assert "gain ± 12.706 s.e., 1 degrees of freedom" in lines[0]
    assert lines[2].split()[-2:] == [f"[{100 * low[0]:+.2f},", f"{100 * high[0]:+.2f}]"]


@pytest.mark.parametrize("n", [1, 0, 2.0, True, "6"])
def test_t_critical_refuses_bad_n(n):
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        paper.t_critical(n)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True, "0.95"])
def test_t_critical_refuses_bad_level(level):
    with pytest.raises(ValueError, match="level must be a number strictly between 0 and 1"):
        paper.t_critical(6, level)


def test_t_interval_wants_a_seed_axis():
    with pytest.raises(ValueError, match="values must have at least one axis"):
        paper.t_interval(0.5)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        paper.t_interval([0.5])
