"""Lesson 06 exercise checks: placeholders, right and wrong answers, solutions that pass."""
import pytest

import dropout_lab as dl
from dropout_lab.lessons.ensemble import exercises as ex
from dropout_lab.lessons.ensemble import solutions

CHECKS = {1: ex.check_subnetwork_count, 2: ex.check_full_network_probability,
          3: ex.check_exact_average, 4: ex.check_samples_factor}


@pytest.mark.parametrize("number", CHECKS)
def test_placeholder_is_not_answered(number):
    assert CHECKS[number](...) is dl.ui.checks.NOT_ANSWERED


@pytest.mark.parametrize("number", CHECKS)
def test_solution_passes_its_check(number):
    assert CHECKS[number](getattr(solutions, f"solution_{number}")()).passed


@pytest.mark.parametrize("number, wrong", [(1, 20), (1, 100), (2, 0.2 ** 10), (2, 0.8), (3, "arithmetic"),
                                           (4, 10), (4, 3.16), (1, True)])
def test_wrong_answers_fail(number, wrong):
    assert not CHECKS[number](wrong).passed


def test_rate_keep_mix_up_gets_a_specific_hint():
    assert "DROPPED" in ex.check_full_network_probability(0.2 ** 10).message
