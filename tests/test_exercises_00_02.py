"""Exercise checks of lessons 00-02: solutions pass, placeholders and classic mistakes do not."""
import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.exercises import lesson00, lesson01, lesson02


def run_solution(lesson: str, number: int) -> dict:
    return dl.exercises.run_solution(lesson, number, {"np": np, "dl": dl})


CASES = [
    ("00", 1, lesson00.check_keep, "keep", 0.2),
    ("00", 2, lesson00.check_paper_to_rate, "rate", 0.8),
    ("00", 3, lesson00.check_expected_zeros, "expected_zeros", 0.3),
    ("01", 1, lesson01.check_survivor_value, "survivor", 1 / 0.75),
    ("01", 2, lesson01.check_ones_std, "ones_std", 1.0),
    ("01", 3, lesson01.check_my_dropout, "my_dropout", lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / rate),
    ("02", 1, lesson02.check_variance, "variance", 0.2 / 0.8),
    ("02", 2, lesson02.check_shrunk_preactivation, "shrunk", 10),
    ("02", 3, lesson02.check_scale, "scale", lambda rate: 1 / rate),
]


@pytest.mark.parametrize("lesson, number, checker, name, wrong", CASES)
def test_solution_passes_placeholder_and_mistake_do_not(lesson, number, checker, name, wrong):
    assert checker(run_solution(lesson, number)[name]).passed
    assert checker(...) is dl.exercises.NOT_ANSWERED
    assert not checker(wrong).passed


def test_my_dropout_reports_errors_without_crashing():
    def broken(x, rate, rng):
        raise RuntimeError("boom")
    result = lesson01.check_my_dropout(broken)
    assert not result.passed and "boom" in result.message
    assert not lesson01.check_my_dropout(lambda x, rate, rng: x).passed  # never drops
