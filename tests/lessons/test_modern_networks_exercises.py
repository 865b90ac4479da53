"""Lesson 11's exercise checks: the right answer two ways passes, plausible wrong answers fail with a reason."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dropout_lab as dl
from dropout_lab.lessons.modern_networks import compute, exercises, solutions

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "11_modern_networks.ipynb"
NOT_ANSWERED = dl.ui.checks.NOT_ANSWERED


def _run(code: str, check_call: str):
    namespace = {"np": np, "torch": torch, "nn": nn, "F": F, "dl": dl, "exercises": exercises}
    exec(code, namespace)
    return eval(check_call, namespace)


# ---------------------------------------------------------------- the three predictions


def test_active_blocks():
    assert exercises.check_active_blocks(solutions.solution_1())
    assert exercises.check_active_blocks(12 - 0.1 * 11 / 2 * 12 / 11)       # 12 - mean rate 0.05 * 12
    assert exercises.check_active_blocks(np.float32(11.4))
    for wrong, word in [(10.8, "maximum"), (0.6, "DROPPED"), (11.35, "Huang"), (12, None), ("11.4", "number")]:
        result = exercises.check_active_blocks(wrong)
        assert not result and (word is None or word in result.message), (wrong, result.message)
    assert exercises.check_active_blocks(...) is NOT_ANSWERED


def test_spatial_coins():
    assert exercises.check_spatial_coins(solutions.solution_2())
    assert exercises.check_spatial_coins(np.prod((32, 64)))
    for wrong, word in [(32 * 28 * 28 * 64, "element-wise"), (64, "whole batch"), (32, "whole images"),
                        (784, "OVER"), (2049, None), (2048.5, None), (None, "replace")]:
        result = exercises.check_spatial_coins(wrong)
        assert not result and (word is None or word in result.message), (wrong, result.message)


def test_time_average_variance():
    assert exercises.check_time_average_variance(solutions.solution_3())
    assert exercises.check_time_average_variance(1 / 20)
    for wrong, word in [(1.0, "LOCKED"), (0.0125, "unscaled"), (0.0025, "T²"), (0.5, None), ([0.05], "number")]:
        result = exercises.check_time_average_variance(wrong)
        assert not result and (word is None or word in result.message), (wrong, result.message)


# ---------------------------------------------------------------- the pitfalls


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_rejects_the_buggy_snippet(number):
    result = _run(compute.BUGS[number].buggy_code, exercises.check_call(number))
    assert not result.passed and "raised" not in result.message, result.message


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_accepts_the_solution(number):
    fixed = getattr(solutions, f"solution_{exercises.FIRST_PITFALL + number - 1}")()
    result = exercises.CHECKS[number](fixed)
    assert result.passed, result.message


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_placeholder_and_crashing_code(number):
    check = exercises.CHECKS[number]
    assert check(...) is NOT_ANSWERED

    def crashes(*args, **kwargs):
        raise RuntimeError("boom")

    result = check(crashes)
    assert not result and "raised RuntimeError: boom" in result.message


def test_the_lesson_cells_hold_the_buggy_snippets():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    for number, bug in compute.BUGS.items():
        assert f"{bug.buggy_code}\n\n{exercises.check_call(number)}" in cells, bug.title


def _attention(dropout_p_rule: str):
    code = compute.BUGS[1].buggy_code.replace("dropout_p=self.dropout)", f"dropout_p={dropout_p_rule})")
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(code, namespace)
    return namespace["SelfAttention"]


def test_attention_wrong_fixes():
    assert not exercises.check_attention_eval(_attention("0.0"))                      # never drops
    assert exercises.check_attention_eval(_attention("self.training * self.dropout"))  # right, written another way
    result = exercises.check_attention_eval(_attention("self.dropout if not self.training else 0.0"))  # inverted
    assert not result and "after .eval()" in result.message


def test_encoder_wrong_fixes():
    def two_layers():
        return nn.LSTM(16, 32, num_layers=2, batch_first=True, dropout=0.3)   # drops between layers, not outputs

    class Functional(nn.Module):     # F.dropout keeps dropping in eval
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(16, 32, batch_first=True)

        def forward(self, x):
            return F.dropout(self.lstm(x)[0], 0.3)

    class WrongRate(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.drop = nn.LSTM(16, 32, batch_first=True), nn.Dropout(0.7)

        def forward(self, x):
            return self.drop(self.lstm(x)[0])

    assert "zero" in exercises.check_encoder_dropout(two_layers).message
    assert "eval" in exercises.check_encoder_dropout(Functional).message
    assert not exercises.check_encoder_dropout(WrongRate)
    assert not exercises.check_encoder_dropout(lambda: nn.Sequential())   # no dropout at all


def test_channel_wrong_fixes():
    assert "not constant" in exercises.check_drop_channels(lambda image, rate: nn.Dropout(rate)(image)).message
    assert not exercises.check_drop_channels(lambda image, rate: nn.Dropout2d(1 - rate)(image[None])[0] * 0)
    no_scale = exercises.check_drop_channels(lambda image, rate: nn.Dropout2d(rate)(image[None])[0] * (1 - rate))
    assert not no_scale and "1/keep" in no_scale.message
    assert exercises.check_drop_channels(lambda image, rate: F.dropout2d(image[None], rate, training=True)[0])


def test_locked_wrong_fixes():
    def per_time_only(x, rate, rng):
        return x * (rng.random((x.shape[0], 1, 1)) >= rate) / (1 - rate)

    def unscaled(x, rate, rng):
        return x * (rng.random((x.shape[0], 1, x.shape[2])) >= rate)

    def keep_drop_swapped(x, rate, rng):
        return x * (rng.random((x.shape[0], 1, x.shape[2])) < rate) / (1 - rate)

    def with_dl(x, rate, rng):
        return dl.dropout_forward(x, rate, rng, noise_shape=(x.shape[0], 1, x.shape[2]))[0]

    def fresh_per_step_with_dl(x, rate, rng):              # dropout_forward without a noise_shape
        return dl.dropout_forward(x, rate, rng)[0]

    def per_step_per_sequence(x, rate, rng):               # (batch, time, 1): a new coin every step
        return x * (rng.random((x.shape[0], x.shape[1], 1)) >= rate) / (1 - rate)

    def one_mask_for_the_batch(x, rate, rng):
        return x * (rng.random((1, 1, x.shape[2])) >= rate) / (1 - rate)

    def frozen_seed(x, rate, rng):                         # ignores rng: the same mask on every call
        return x * (np.random.default_rng(0).random((x.shape[0], 1, x.shape[2])) >= rate) / (1 - rate)

    def divided_by_rate(x, rate, rng):
        return x * (rng.random((x.shape[0], 1, x.shape[2])) >= rate) / rate

    for per_step in (fresh_per_step_with_dl, per_step_per_sequence):
        result = exercises.check_locked_dropout(per_step)
        assert not result and "changes from one time step to the next" in result.message
    assert "every feature" in exercises.check_locked_dropout(per_time_only).message
    assert "every sequence in the batch" in exercises.check_locked_dropout(one_mask_for_the_batch).message
    assert "two calls gave the same mask" in exercises.check_locked_dropout(frozen_seed).message
    assert "mean" in exercises.check_locked_dropout(unscaled).message
    assert "mean" in exercises.check_locked_dropout(divided_by_rate).message
    assert not exercises.check_locked_dropout(keep_drop_swapped)
    assert exercises.check_locked_dropout(with_dl)
    assert exercises.check_locked_dropout(solutions.solution_7())


def test_drop_path_wrong_fixes():
    def per_unit(branch, rate, rng):
        return branch * (rng.random(branch.shape) >= rate) / (1 - rate)

    def unscaled(branch, rate, rng):
        return branch * (rng.random(branch.shape[0]) >= rate)[:, None, None]

    def with_dl(branch, rate, rng):
        return dl.dropout_forward(branch, rate, rng, noise_shape=(branch.shape[0], 1, 1))[0]

    assert "inside a sample" in exercises.check_drop_path(per_unit).message
    assert "1/keep" in exercises.check_drop_path(unscaled).message
    assert exercises.check_drop_path(with_dl)


def test_solutions_show_as_code():
    shown = exercises.solution(8)
    assert "rng.random(branch.shape[0])" in shown and not shown.startswith("def solution")
