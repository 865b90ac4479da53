"""Lesson 12's exercise checks: the right answer two ways passes, plausible wrong answers fail with a reason."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import dropout_lab as dl
from dropout_lab.lessons.dropout_family import compute, exercises, solutions

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "12_dropout_family.ipynb"
NOT_ANSWERED = dl.ui.checks.NOT_ANSWERED


def _run(code: str, check_call: str):
    namespace = {"np": np, "torch": torch, "F": F, "dl": dl, "exercises": exercises}
    exec(code, namespace)
    return eval(check_call, namespace)


def test_gaussian_std():
    assert exercises.check_gaussian_std(solutions.solution_1()) and exercises.check_gaussian_std(0.5)
    for wrong, word in [(0.25, "VARIANCE"), (0.2, "spread"), (math.sqrt(0.2), "1/keep"), (2.0, "KEEP"),
                        ("0.5", "number"), (0.6, None)]:
        result = exercises.check_gaussian_std(wrong)
        assert not result and (word is None or word in result.message), (wrong, result.message)
    assert exercises.check_gaussian_std(...) is NOT_ANSWERED


def test_alpha_dropped_value():
    assert exercises.check_alpha_dropped_value(solutions.solution_2())
    a, _ = compute.alpha_affine(0.1)
    assert exercises.check_alpha_dropped_value(a * 0.9 * compute.ALPHA_PRIME)
    for wrong, word in [(compute.ALPHA_PRIME, "before the affine"), (0.0, "never outputs 0"),
                        (a * compute.ALPHA_PRIME, "shift b"), (1.4577, None)]:
        result = exercises.check_alpha_dropped_value(wrong)
        assert not result and (word is None or word in result.message), (wrong, result.message)


def test_dropblock_gamma():
    assert exercises.check_dropblock_gamma(solutions.solution_3()) and exercises.check_dropblock_gamma(0.00625)
    for wrong, word in [(0.1, "whole 7×7"), (0.1 / 49, "inside the map"), (0.9 / 49 * 196 / 64, "keep_prob"),
                        (None, "replace")]:
        result = exercises.check_dropblock_gamma(wrong)
        assert not result and word in result.message, (wrong, result.message)


def test_dropout_covariance():
    assert exercises.check_dropout_covariance(solutions.solution_4()) and exercises.check_dropout_covariance(-3)
    for wrong, word in [(0, "DropConnect"), (3, "sign"), (-0.75, "unscaled"), (-1.5, None), ([-3], "number")]:
        result = exercises.check_dropout_covariance(wrong)
        assert not result and (word is None or word in result.message), (wrong, result.message)


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_rejects_the_buggy_snippet(number):
    result = _run(compute.BUGS[number].buggy_code, exercises.check_call(number))
    assert not result.passed and "raised" not in result.message, result.message


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_accepts_the_solution(number):
    result = exercises.CHECKS[number](getattr(solutions, f"solution_{exercises.FIRST_PITFALL + number - 1}")())
    assert result.passed, result.message


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_placeholder_and_crashing_code(number):
    check = exercises.CHECKS[number]
    assert check(...) is NOT_ANSWERED

    def crashes(*args):
        raise RuntimeError("boom")

    result = check(crashes)
    assert not result and "raised RuntimeError: boom" in result.message


def test_the_lesson_cells_hold_the_buggy_snippets():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    for number, bug in compute.BUGS.items():
        assert f"{bug.buggy_code}\n\n{exercises.check_call(number)}" in cells, bug.title


def test_selu_block_wrong_fixes():
    module_way = exercises.check_selu_block(lambda x, rate: torch.nn.AlphaDropout(rate).train()(torch.selu(x)))
    assert module_way, module_way.message                                               # right, another way
    twice = exercises.check_selu_block(lambda x, rate: F.alpha_dropout(F.alpha_dropout(torch.selu(x), rate, True),
                                                                       rate, True))
    assert not twice
    plain = exercises.check_selu_block(lambda x, rate: F.dropout(torch.selu(x), rate, training=True))
    assert not plain


def test_selu_block_more_wrong_fixes():
    for wrong, word in [(lambda x, rate: x, "DROP probability"),                         # no SELU, no dropout
                        (lambda x, rate: torch.selu(F.alpha_dropout(x, rate, True)), "DROP probability"),
                        (lambda x, rate: F.alpha_dropout(torch.selu(x), 1 - rate, True), "DROP probability"),
                        (lambda x, rate: F.alpha_dropout(x, rate, True), "after the SELU"),
                        (lambda x, rate: torch.nn.AlphaDropout(rate).eval()(torch.selu(x)), "training")]:
        result = exercises.check_selu_block(wrong)
        assert not result and word in result.message, result.message


# ---------------------------------------------------------------- pitfall 2: Alpha dropout from scratch

ALPHA_PRIME = compute.ALPHA_PRIME


def _right_a(q):
    return (q + ALPHA_PRIME ** 2 * q * (1 - q)) ** -0.5       # Klambauer et al. 2017, q = keep


def _right_b(a, q):
    return -a * (1 - q) * ALPHA_PRIME


def _alpha(a_of_q=_right_a, b_of=_right_b, dropped_to=ALPHA_PRIME):
    """Alpha dropout with one ingredient swapped for a learner's slip."""
    def fn(x, rate, rng):
        q = 1 - rate
        a = a_of_q(q)
        mask = rng.random(x.shape) >= rate
        return a * np.where(mask, x, dropped_to) + b_of(a, q)
    return fn


def test_alpha_dropout_right_answers():
    for right in [_alpha(), lambda x, rate, rng: compute.alpha_dropout(x, rate, rng),
                  lambda x, rate, rng: _alpha()(x.astype(np.float32), rate, rng).astype(np.float32),   # float32
                  lambda x, rate, rng: torch.nn.AlphaDropout(rate)(torch.as_tensor(x)).numpy()]:  # torch's layer
        result = exercises.check_my_alpha_dropout(right)
        assert result, result.message


@pytest.mark.parametrize("wrong, words", [
    (lambda x, rate, rng: x, ["output is the input", "drops nothing"]),          # identity: mean 0, var 1 trivially
    (lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / (1 - rate), ["are 0"]),   # the snippet: plain dropout
    (lambda x, rate, rng: np.where(rng.random(x.shape) >= rate, x, ALPHA_PRIME), ["itself", "a·z + b"]),  # no affine
    (_alpha(dropped_to=0.0), ["set to 0 before the affine"]),                   # zeros, then the right affine
    (lambda x, rate, rng: _right_a(1 - rate) * x + _right_b(_right_a(1 - rate), 1 - rate),
     ["nothing was dropped"]),                                                   # the affine alone
    (_alpha(a_of_q=lambda q: ((1 - q) * (1 + q * ALPHA_PRIME ** 2)) ** -0.5), ["check a and b"]),   # q <-> 1 - q
    (_alpha(b_of=lambda a, q: a * (1 - q) * ALPHA_PRIME), ["check a and b"]),    # the sign of b
    (_alpha(b_of=lambda a, q: -a * q * ALPHA_PRIME), ["check a and b"]),         # keep instead of rate in b
    (_alpha(a_of_q=lambda q: q ** -0.5), ["check a and b"]),                     # inverted dropout's 1/sqrt(keep)
    (lambda x, rate, rng: _alpha()(x, 1 - rate, rng), ["check a and b"]),        # rate and keep swapped throughout
])
def test_alpha_dropout_wrong_answers(wrong, words):
    result = exercises.check_my_alpha_dropout(wrong)
    assert not result and all(word in result.message for word in words), result.message


def test_alpha_dropout_wrong_share_or_wrong_kept_units():
    def drops_half(x, rate, rng):             # the right a, b for `rate`, but the coin at 0.5
        a, b = compute.alpha_affine(rate)
        return a * np.where(rng.random(x.shape) >= 0.5, x, ALPHA_PRIME) + b

    def kept_unscaled(x, rate, rng):          # dropped units right, kept units left as x
        mask = rng.random(x.shape) >= rate
        return np.where(mask, x, compute.alpha_dropped_value(rate))

    result = exercises.check_my_alpha_dropout(drops_half)
    assert not result and "expected 0.3" in result.message, result.message
    result = exercises.check_my_alpha_dropout(kept_unscaled)
    assert not result and "kept units are not a·x + b" in result.message, result.message


def test_alpha_probe_reads_the_dropped_units():
    probe = compute.alpha_probe(lambda x, rate, rng: compute.alpha_dropout(x, rate, rng), 0.3)
    low, high = dl.binomial_band(0.3, probe["n"], dl.stats.Z_CHECK)
    assert low <= probe["dropped"] <= high and probe["kept_error"] < 1e-12 and not probe["unchanged"]
    assert probe["mode"] == pytest.approx(compute.alpha_dropped_value(0.3)) and probe["zeros"] == 0
    with pytest.raises(ValueError, match="shape"):
        compute.alpha_probe(lambda x, rate, rng: x[:10], 0.3)


# ---------------------------------------------------------------- pitfall 3: Gaussian dropout


def _std(rate):
    return math.sqrt(rate / (1 - rate))


def test_gaussian_dropout_right_answers():
    for right in [solutions.solution_7(), lambda x, rate, rng: compute.gaussian_dropout(x, rate, rng),
                  lambda x, rate, rng: x + x * _std(rate) * rng.standard_normal(x.shape)]:   # x + x·σ·ε is x·r
        result = exercises.check_gaussian_dropout(right)
        assert result, result.message


@pytest.mark.parametrize("wrong, words", [
    (lambda x, rate, rng: x, ["output is the input"]),
    (lambda x, rate, rng: x * rng.normal(1.0, rate, size=x.shape), ["STANDARD DEVIATION", "rate is not it"]),
    (lambda x, rate, rng: x + rng.normal(0.0, _std(rate), x.shape), ["MULTIPLY", "zero stays zero"]),   # additive
    (lambda x, rate, rng: x + (x != 0) * rng.normal(0.0, _std(rate), x.shape), ["x = -3", "Var[out]/x²"]),
    (lambda x, rate, rng: x * rng.normal(1.0, math.sqrt(rate), x.shape), ["1/keep"]),          # variance rate
    (lambda x, rate, rng: x * rng.normal(1.0, rate / (1 - rate), x.shape), ["is the variance"]),  # variance as sd
    (lambda x, rate, rng: x * rng.normal(0.0, _std(rate), x.shape), ["mean 1"]),               # noise of mean 0
    (lambda x, rate, rng: x * rng.normal(1.0, _std(rate)), ["one noise value per unit"]),      # one draw for all
    (lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / (1 - rate), ["Bernoulli"]),     # same two moments!
])
def test_gaussian_dropout_wrong_answers(wrong, words):
    result = exercises.check_gaussian_dropout(wrong)
    assert not result and all(word in result.message for word in words), result.message


def test_gaussian_probe_inputs():
    probe = compute.gaussian_probe(lambda x, rate, rng: compute.gaussian_dropout(x, rate, rng), 0.5)
    assert probe["at_zero"] == 0 and set(probe["by_input"]) == {1.0, -3.0}
    for moments in probe["by_input"].values():   # out/x is the noise itself: N(1, 1) at rate 0.5
        assert abs(moments["mean"] - 1) <= dl.stats.Z_CHECK / math.sqrt(probe["n"])
        assert abs(moments["var"] - 1) <= dl.stats.Z_CHECK * math.sqrt(2 / probe["n"])


# ---------------------------------------------------------------- pitfall 4: DropBlock

MASK = compute.dropblock_mask


def test_drop_block_right_answers():
    def per_example(x, rate, block, rng):      # renormalised map by map: also keeps the mean exactly
        mask = MASK(x.shape, rate, block, rng)
        return x * mask / mask.mean(axis=(1, 2, 3), keepdims=True)

    for right in [solutions.solution_8(), lambda x, rate, block, rng: compute.dropblock(x, rate, block, rng)[0],
                  per_example]:
        result = exercises.check_drop_block(right)
        assert result, result.message


@pytest.mark.parametrize("wrong, words", [
    (lambda x, rate, block, rng: x * MASK(x.shape, rate, block, rng), ["0.8", "mask.size / mask.sum()"]),  # snippet
    (lambda x, rate, block, rng: x * MASK(x.shape, rate, block, rng) / (1 - rate), ["not 1"]),   # target keep
    (lambda x, rate, block, rng: x * (lambda m: m * m.sum() / m.size)(MASK(x.shape, rate, block, rng)),
     ["not 1"]),                                                                   # the ratio upside down
    (lambda x, rate, block, rng: x, ["0.000 of the units are zero"]),             # identity
    (lambda x, rate, block, rng: x * (lambda m: m * m.size / m.sum())(MASK(x.shape, 0.0, block, rng)),
     ["0.000 of the units are zero"]),                                             # rate 0
    (lambda x, rate, block, rng: (lambda m: m * m.size / m.sum())(MASK(x.shape, rate, block, rng)),
     ["multiply x itself"]),                                                       # forgets x
    (lambda x, rate, block, rng: x * (lambda m: m * m.size / m.sum())(MASK((1, *x.shape[1:]), rate, block, rng)),
     ["same dropped blocks", "per example"]),                                      # one mask for the batch
    (lambda x, rate, block, rng: x * (lambda m: m * m.size / m.sum())(rng.random(x.shape) >= rate),
     ["0.200 of the units are zero"]),                                             # single units, not blocks
])
def test_drop_block_wrong_answers(wrong, words):
    result = exercises.check_drop_block(wrong)
    assert not result and all(word in result.message for word in words), result.message
