"""Lesson 00's exercise checks: the right answer written two ways passes; each plausible slip gets its message."""
import numpy as np
import pytest

from dropout_lab.lessons.start_here import exercises, solutions
from dropout_lab.ui.checks import NOT_A_NUMBER, NOT_ANSWERED

CASES = {
    exercises.check_keep: (solutions.solution_1, [0.8, 1 - np.float32(0.2)],
                           {0.2: "DROPPED", 80: "percentage", 1.25: "survivor", 0.7: "1 - rate"}),
    exercises.check_paper_to_rate: (solutions.solution_2, [0.2, 1 - 0.8],
                                    {0.8: "KEEP probability", 20: "between 0 and 1", 0.5: "rate = 1 - p"}),
    exercises.check_expected_zeros: (solutions.solution_3, [6, 20 * np.float64(0.3)],
                                     {14: "KEPT", 0.3: "FRACTION", 7: "seed 0", 5: "independently"}),
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_right_answers_pass_and_each_slip_is_named(check):
    solution, rights, wrongs = CASES[check]
    assert check(solution()).passed
    for right in rights:
        assert check(right).passed, right
    for wrong, words in wrongs.items():
        result = check(wrong)
        assert not result.passed and words in result.message, (wrong, result.message)
    assert check(...) is NOT_ANSWERED and check(None) is NOT_ANSWERED
    assert check("0.8") is NOT_A_NUMBER and check(True) is NOT_A_NUMBER
