"""Lesson 08: every check fails on its bug (the lesson's own snippet) and passes on the fix."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dropout_lab as dl
from dropout_lab.lessons.bug_zoo import compute as bugzoo
from dropout_lab.lessons.bug_zoo import exercises as lesson08
from dropout_lab.lessons.bug_zoo import solutions

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_bug_zoo.ipynb"


def _run(code: str, check_call: str):
    namespace = {"np": np, "torch": torch, "nn": nn, "F": F, "dl": dl, "exercises": lesson08}
    exec(code, namespace)
    return eval(check_call, namespace)


@pytest.mark.parametrize("number", sorted(bugzoo.BUGS))
def test_check_rejects_the_buggy_snippet(number):
    bug = bugzoo.BUGS[number]
    result = _run(bug.buggy_code, lesson08.check_call(number))
    assert not result.passed
    assert "raised" not in result.message  # it fails for the bug, not because the snippet crashed


@pytest.mark.parametrize("number", sorted(bugzoo.BUGS))
def test_check_accepts_the_solution(number):
    fixed = getattr(solutions, f"solution_{number}")()
    result = lesson08.CHECKS[number](fixed)
    assert result.passed, result.message


def test_the_lesson_cells_hold_the_buggy_snippets():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    for number, bug in bugzoo.BUGS.items():
        assert f"{bug.buggy_code}\n\n{lesson08.check_call(number)}" in cells, bug.title


@pytest.mark.parametrize("check", [lesson08.check_predict, lesson08.check_functional_net, lesson08.check_divide,
                                   lesson08.check_rate_used, lesson08.check_paper_to_torch,
                                   lesson08.check_fresh_masks, lesson08.check_test_time_scale])
def test_placeholder_is_not_answered(check):
    assert check(...) is dl.ui.checks.NOT_ANSWERED


# Wrong "fixes" that look plausible must fail too.

def test_no_grad_alone_does_not_fix_forgetting_eval():
    def predict(model, x):
        with torch.no_grad():
            return model(x)
    assert not lesson08.check_predict(predict).passed


def test_removing_dropout_does_not_fix_the_functional_net():
    class Net(nn.Module):
        def __init__(self, rate=0.5):
            super().__init__()
            self.hidden, self.out = nn.Linear(20, 64), nn.Linear(64, 3)

        def forward(self, x):
            return self.out(torch.relu(self.hidden(x)))
    assert "no longer runs" in lesson08.check_functional_net(Net).message


def test_vanilla_dropout_is_a_valid_fix_for_double_scaling():
    def vanilla(x, rate, rng, training):
        return x * (rng.random(x.shape) >= rate) if training else x * (1 - rate)
    result = lesson08.check_test_time_scale(vanilla)
    assert result.passed and "vanilla" in result.message


def test_dividing_by_half_still_fails_the_divide_check():
    def half(x, rate, rng):
        return x * (rng.random(x.shape) >= rate) / 0.5
    assert not lesson08.check_divide(half).passed


def test_fresh_entropy_every_call_breaks_reproducibility():
    class Unseeded:
        def __init__(self, rate, seed):
            self.rate = rate

        def __call__(self, x):
            return x * (np.random.default_rng().random(x.shape) >= self.rate) / (1 - self.rate)
    assert "same seed" in lesson08.check_fresh_masks(Unseeded).message


def test_a_crashing_fix_is_reported_not_raised():
    def broken(x, rate, rng):
        raise RuntimeError("oops")
    result = lesson08.check_divide(broken)
    assert not result.passed and "RuntimeError" in result.message


def test_probe_dropout_measures_the_package_dropout_inside_its_bands():
    for rate in (0.1, 0.5, 0.9):
        probe = bugzoo.probe_dropout(lambda x, r, rng: dl.dropout_forward(x, r, rng)[0], rate, seed=3)
        assert probe.rate_ok and probe.mean_ok
        assert probe.survivor_value == pytest.approx(1 / (1 - rate))


def test_agreement_band_holds_independent_masks_and_excludes_repeats():
    rate, n = 0.3, 50_000
    rng = np.random.default_rng(0)
    a, b = (rng.random(n) >= rate for _ in range(2))
    low, high = bugzoo.agreement_band(rate, n)
    assert low <= bugzoo.mask_agreement(a, b) <= high < bugzoo.mask_agreement(a, a) == 1.0


def test_torch_seeding_is_local():
    before = torch.random.get_rng_state()
    with dl.frameworks.seeded_torch(0):
        torch.rand(3)
    assert torch.equal(before, torch.random.get_rng_state())


def test_symptoms_hide_at_half_and_show_elsewhere():
    assert list(bugzoo.bug_symptoms(0.5).looks_right()) == [True, True, True, True, False]
    assert list(bugzoo.bug_symptoms(0.3).looks_right()) == [True, False, False, False, False]
    with pytest.raises(ValueError, match="rate"):
        bugzoo.bug_symptoms(1.0)


def test_solution_lookup_names_the_range():
    with pytest.raises(ValueError, match="number"):
        lesson08.solution(99)
