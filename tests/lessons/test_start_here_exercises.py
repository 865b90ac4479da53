"""Lesson 00's exercise checks: the solutions pass; placeholders and the classic slips do not."""
import pytest

import dropout_lab as dl
from dropout_lab.lessons.start_here import exercises, solutions

CASES = [
    (exercises.check_keep, solutions.solution_1, 0.2),
    (exercises.check_paper_to_rate, solutions.solution_2, 0.8),
    (exercises.check_expected_zeros, solutions.solution_3, 0.3),
]


@pytest.mark.parametrize("check, solution, wrong", CASES)
def test_solution_passes_placeholder_and_mistake_do_not(check, solution, wrong):
    assert check(solution()).passed
    assert check(...) is dl.ui.checks.NOT_ANSWERED
    assert not check(wrong).passed
