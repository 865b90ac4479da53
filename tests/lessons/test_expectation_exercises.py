"""Lesson 02's exercise checks: the solutions pass; placeholders and the classic slips do not."""
import pytest

import dropout_lab as dl
from dropout_lab.lessons.expectation import exercises, solutions

CASES = [
    (exercises.check_variance, solutions.solution_1, 0.2 / 0.8),
    (exercises.check_shrunk_preactivation, solutions.solution_2, 10),
    (exercises.check_scale, solutions.solution_3, lambda rate: 1 / rate),
]


@pytest.mark.parametrize("check, solution, wrong", CASES)
def test_solution_passes_placeholder_and_mistake_do_not(check, solution, wrong):
    assert check(solution()).passed
    assert check(...) is dl.ui.checks.NOT_ANSWERED
    assert not check(wrong).passed
