"""Checks for lesson 07's exercises: convert, retrace, derive, and two experiments to make work."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, as_number, check_number, is_unanswered
from . import compute, solutions, stored_runs
from .training import Recipe, train_net

# Exercise 4: the fixed-n Fig. 9 net at keep 0.4 (128 units, no input dropout) must fit its training
# rows as well as the keep-0.6 net did in the lesson's first 15-epoch budget (0.46 % wrong, stored in
# the first version of this lesson): that is what "no longer underfits" means here.
FIT_SEEDS, FIT_TARGET, MAX_EPOCHS = (0, 1), 0.005, 150
# Exercise 5: dropout must beat the same net without it on every one of these seeds, 400 training rows.
# Two nets without dropout, so the gain is dropout's and not the optimiser's: the plain net of the stored
# Fig. 10 run (its own lr, momentum, decay and budget, whatever the answer's), trained to convergence, and
# the answer's own recipe with both rates set to 0 (the same lr, momentum, epochs, max-norm: only dropout off).
# Three seeds cannot tell a negligible rate from chance: a hidden rate of 0.01 on a plain net at lr 0.2 (decay
# 0.95) beat its own twin without dropout on seeds 0, 1 and 2, yet over seeds 0-11 by only +0.20 ± 0.13 points
# (6 wins, 2 ties, 4 losses), while the solution's gain over its twin was +1.13 ± 0.24 (11 wins, 1 tie). Hence
# a floor on the rate, below the paper's 0.2 (inputs) and 0.5 (hidden units).
HELP_SEEDS, HELP_ROWS, MAX_WIDTH, MIN_RATE = (0, 1, 2), 400, 512, 0.1


def _raised(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_inverted_weights(to_inverted) -> CheckResult:
    """Exercise 1: `to_inverted(w, keep)` turns a vanilla-trained weight matrix into the inverted net's."""
    if is_unanswered(to_inverted):
        return NOT_ANSWERED
    rng = np.random.default_rng(7)
    w = rng.normal(size=(5, 3))
    h = rng.random((4, 5))
    for keep in (0.5, 0.8):
        try:
            got = np.asarray(to_inverted(w.copy(), keep), dtype=float)
        except Exception as error:  # a learner's code may raise anything: report it, never crash
            return _raised(error)
        if got.shape != w.shape:
            return CheckResult(False, f"return an array shaped like w {w.shape}, got {got.shape}.")
        # The vanilla test-time layer sees h * keep; the inverted one sees h unchanged.
        if not np.allclose(h @ got, (h * keep) @ w, rtol=0, atol=1e-12):
            hint = ("dividing by keep makes it larger; " if np.allclose(got, w / keep) else "")
            return CheckResult(False, f"at keep = {keep} the inverted layer h @ W' must equal the vanilla test layer "
                                      f"(h·keep) @ W; {hint}which single factor does that?")
    return CheckResult(True, "W' = keep · W: the same test-time network, with the scaling moved into the weights.")


def _twin_setup():
    data = compute.digits(0)
    vanilla = Recipe(hidden=(16,), input_rate=0.2, hidden_rate=0.5, mode="vanilla", epochs=2, lr=0.05, seed=0)
    run = train_net(data.x_train, data.y_train, vanilla, data.x_test, data.y_test)
    return data, vanilla, run


def check_inverted_training(inverted_twin) -> CheckResult:
    """Exercise 2: inverted_twin(weights, lr, keeps) → (initial weights, weight lrs) that retrace vanilla SGD."""
    if is_unanswered(inverted_twin):
        return NOT_ANSWERED
    data, vanilla, run = _twin_setup()
    keeps = vanilla.keeps()
    try:
        weights, lrs = inverted_twin([w.copy() for w in run.initial_weights], vanilla.lr, keeps)
        weights, lrs = [np.asarray(w, dtype=float) for w in weights], [float(r) for r in lrs]
    except Exception as error:  # a learner's code may raise anything: report it, never crash
        return _raised(error)
    if [w.shape for w in weights] != [w.shape for w in run.initial_weights] or len(lrs) != len(keeps):
        return CheckResult(False, "return (one weight matrix per layer, shaped like the input's; one learning rate "
                                  "per layer).")
    if not all(r > 0 for r in lrs):
        return CheckResult(False, "every learning rate must be positive.")
    twin = replace(vanilla, mode="inverted", bias_lr=vanilla.lr, weight_lr_scales=tuple(r / vanilla.lr for r in lrs))
    inv = train_net(data.x_train, data.y_train, twin, data.x_test, data.y_test, initial_weights=weights)
    gap = max(float(np.abs(wi - k * wv).max()) for wi, wv, k in zip(inv.model.weights, run.model.weights, keeps))
    if gap <= 1e-10:
        return CheckResult(True, f"W'₀ = keep·W₀ and lr × keep² per layer: after 2 epochs |W' − keep·W| = {gap:.0e}. "
                                 "The gradient w.r.t. W' is 1/keep times the vanilla one, and the step must be keep "
                                 "times the vanilla step.")
    start_ok = all(np.allclose(w, k * w0) for w, w0, k in zip(weights, run.initial_weights, keeps))
    if not start_ok:
        return CheckResult(False, "the two nets must start as the SAME function: which initial weights make the "
                                  "inverted net (inputs ÷ keep) compute what the vanilla net computes?")
    ratios = [r / vanilla.lr for r in lrs]
    if np.allclose(ratios, keeps):
        return CheckResult(False, "lr × keep is not enough: the gradient w.r.t. W' = keep·W is already 1/keep times "
                                  "the vanilla one, so the step needs one more factor keep.")
    if np.allclose(ratios, 1.0):
        return CheckResult(False, f"with the same learning rate the runs drift apart (|W' − keep·W| = {gap:.2g} "
                                  "after 2 epochs): the inverted gradient is 1/keep times larger.")
    return CheckResult(False, f"the runs drift apart (|W' − keep·W| = {gap:.2g}): work out how the gradient "
                              "w.r.t. W' = keep·W relates to the vanilla one, then what step keeps W' = keep·W.")


def check_ridge_strength(strength: object) -> CheckResult:
    """Exercise 3: with w̃ = p·w, §9.1's penalty is λ‖Γw̃‖²; give λ for the paper's p = 0.8 (keep)."""
    if not is_unanswered(strength) and as_number(strength) is None:
        return CheckResult(False, "answer with a number.")
    return check_number(strength, 0.25,
                        "λ = (1 − p) / p = 0.25: a smaller keep probability means a stronger, per-feature L2 penalty.",
                        "p(1 − p)‖Γw‖² with w = w̃ / p gives ((1 − p) / p)‖Γw̃‖².", rel_tol=1e-9, abs_tol=1e-9,
                        mistakes={0.16: "p(1 − p) = 0.16 multiplies ‖Γw‖²; rewrite it in terms of w̃ = p·w (w = w̃ / p).",
                                  4.0: "that is p / (1 − p); w = w̃ / p puts p² in the DENOMINATOR of p(1 − p)."})


def _recipe(answer: object) -> Recipe | CheckResult:
    if is_unanswered(answer):
        return NOT_ANSWERED
    if not isinstance(answer, Recipe):
        return CheckResult(False, f"answer with a Recipe (from dropout_lab.lessons.paper_test_time_scaling.training), "
                                  f"got {type(answer).__name__}.")
    if answer.epochs > MAX_EPOCHS:
        return CheckResult(False, f"keep epochs ≤ {MAX_EPOCHS} (the check trains several nets); got {answer.epochs}.")
    return answer


def check_keep_04_fits(answer: object) -> CheckResult:
    """Exercise 4: a Recipe under which the fixed-n keep-0.4 net stops underfitting (training error ≤ 0.5 %)."""
    recipe = _recipe(answer)
    if isinstance(recipe, CheckResult):
        return recipe
    fixed = replace(recipe, hidden=(128,), input_rate=0.0, hidden_rate=0.6, mode="inverted")
    runs = []
    for seed in FIT_SEEDS:
        data = compute.digits(seed)
        runs.append(train_net(data.x_train, data.y_train, replace(fixed, seed=seed), data.x_test, data.y_test))
    fit = float(np.mean([r.train_error for r in runs]))
    test = float(np.mean([r.test_error for r in runs]))
    if fit <= FIT_TARGET:
        return CheckResult(True, f"training error {100 * fit:.2f} %, test error {100 * test:.2f} % (seeds "
                                 f"{FIT_SEEDS}): the keep-0.4 net no longer underfits, and the 'flat region' of the "
                                 "paper's Fig. 9a can start at 0.4.")
    return CheckResult(False, f"training error {100 * fit:.2f} % > {100 * FIT_TARGET:.1f} %: the thinner sub-networks "
                              "learn slowly. Train longer, and let the steps settle (a decaying learning rate).")


def plain_help_recipe(hidden: tuple[int, ...], seed: int) -> Recipe:
    """Exercise 5's fixed baseline: the stored Fig. 10 plain net (lr 0.05, momentum 0.9, decay 0.97) at 400 rows."""
    plain = stored_runs.FIG10["conditions"]["no dropout"]
    epochs = compute.size_epochs(HELP_ROWS, plain.epochs, stored_runs.FIG10["min_steps"], plain.batch_size)
    return replace(plain, hidden=tuple(hidden), epochs=epochs, seed=seed)


@lru_cache(maxsize=16)
def _plain_help_error(hidden: tuple[int, ...], seed: int) -> float:
    """Test error of exercise 5's baseline: it does not depend on the answer, so train it once per width and seed."""
    return _help_error(plain_help_recipe(hidden, seed))


def _help_error(recipe: Recipe) -> float:
    data = compute.digits(recipe.seed)
    x, y = data.x_train[:HELP_ROWS], data.y_train[:HELP_ROWS]
    return train_net(x, y, recipe, data.x_test, data.y_test).test_error


def _points(gains) -> str:
    return ", ".join(f"{g:+.2f}" for g in gains)


def check_dropout_helps(answer: object) -> CheckResult:
    """Exercise 5: a dropout Recipe that beats, on 400 digits and every seed, both nets without dropout.

    One is the converged plain net of the stored Fig. 10 run (fixed settings, so a short run or a
    learning rate that cripples it is no way in); the other is the answer with both rates set to 0, so
    that a better learning rate, momentum, budget or max-norm alone does not count as dropout helping.
    """
    recipe = _recipe(answer)
    if isinstance(recipe, CheckResult):
        return recipe
    if recipe.input_rate == 0 and recipe.hidden_rate == 0:
        return CheckResult(False, "that recipe has no dropout (both rates 0).")
    if max(recipe.hidden) > MAX_WIDTH:
        return CheckResult(False, f"keep every hidden layer ≤ {MAX_WIDTH} units; got {recipe.hidden}.")
    if max(recipe.input_rate, recipe.hidden_rate) < MIN_RATE:
        return CheckResult(False, f"rates of {recipe.input_rate:g} (inputs) and {recipe.hidden_rate:g} (hidden) drop "
                                  f"almost nothing: use at least {MIN_RATE:g} on one of them (the paper: 0.2 and "
                                  "0.5). Three seeds cannot tell such a tiny rate's effect from run-to-run noise.")
    off = replace(recipe, input_rate=0.0, hidden_rate=0.0)   # the same recipe, dropout switched off
    over_plain, over_off = [], []
    for seed in HELP_SEEDS:
        mine = _help_error(replace(recipe, seed=seed))
        over_plain.append(_plain_help_error(tuple(recipe.hidden), seed) - mine)
        over_off.append(_help_error(replace(off, seed=seed)) - mine)
    over_plain, over_off = 100 * np.array(over_plain), 100 * np.array(over_off)
    if np.all(over_plain > 0) and np.all(over_off > 0):
        return CheckResult(True, f"gain on every seed over the converged plain net ({_points(over_plain)} points) and "
                                 f"over your recipe without dropout ({_points(over_off)}): dropout helps once the net "
                                 "is wide enough to overfit and trained long enough to converge.")
    if not np.all(over_plain > 0):
        helps = "on every seed" if np.all(over_off > 0) else "not on every seed either"
        return CheckResult(False, f"the plain net trained to convergence (the check's own settings: lr 0.05, momentum "
                                  f"0.9, decay 0.97, {plain_help_recipe(recipe.hidden, 0).epochs} epochs, whatever "
                                  f"yours are) does as well or better on some seed: gains {_points(over_plain)} "
                                  f"points. Over your recipe with both rates 0, dropout gains {_points(over_off)}: "
                                  f"{helps}. A net has to overfit before dropout can help: make it wider, train until "
                                  "the loss flattens (a decaying learning rate, high momentum, max-norm), and try the "
                                  "paper's rates.")
    return CheckResult(False, f"you beat the plain net ({_points(over_plain)} points), but your recipe with both rates "
                              f"0 (the same lr, momentum, epochs and max-norm) does as well on some seed: dropout's "
                              f"own gain over it is {_points(over_off)} points. A gain that survives switching "
                              "dropout off comes from the training settings (a learning rate, a budget), not from "
                              "dropout: use the paper's rates (0.2 on inputs, 0.5 on hidden units) on a net that "
                              "overfits.")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
