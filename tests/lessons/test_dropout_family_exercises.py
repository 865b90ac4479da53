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


def test_alpha_wrong_fixes():
    def zero_not_alpha(x, rate, rng):         # the affine, but dropped units at 0
        a, b = compute.alpha_affine(rate)
        return a * x * (rng.random(x.shape) >= rate) + b

    def no_affine(x, rate, rng):              # α', but no a·z + b
        mask = rng.random(x.shape) >= rate
        return np.where(mask, x, compute.ALPHA_PRIME)

    def with_package(x, rate, rng):
        return compute.alpha_dropout(x, rate, rng)

    assert not exercises.check_my_alpha_dropout(zero_not_alpha)
    assert "mean" in exercises.check_my_alpha_dropout(no_affine).message
    assert exercises.check_my_alpha_dropout(with_package)


def test_gaussian_wrong_fixes():
    variance_as_scale = exercises.check_gaussian_dropout(lambda x, rate, rng: x * rng.normal(1, rate / (1 - rate),
                                                                                              x.shape))
    assert not variance_as_scale and "STANDARD" in variance_as_scale.message
    assert "mean" in exercises.check_gaussian_dropout(lambda x, rate, rng: x * rng.normal(0, 1, x.shape)).message
    assert exercises.check_gaussian_dropout(lambda x, rate, rng: compute.gaussian_dropout(x, rate, rng))


def test_drop_block_wrong_fixes():
    def by_keep(x, rate, block, rng):          # scaled by the target keep, not the realised share
        return x * compute.dropblock_mask(x.shape, rate, block, rng) / (1 - rate)

    def elementwise(x, rate, block, rng):      # plain dropout, renormalised
        mask = rng.random(x.shape) >= rate
        return x * mask * mask.size / mask.sum()

    assert "mean" in exercises.check_drop_block(by_keep).message
    assert not exercises.check_drop_block(elementwise)
    assert exercises.check_drop_block(lambda x, rate, block, rng: compute.dropblock(x, rate, block, rng)[0])
