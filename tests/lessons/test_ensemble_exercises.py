"""Lesson 06 exercise checks: placeholders, right answers written two ways, plausible wrong answers."""
import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.ensemble import compute, solutions
from dropout_lab.lessons.ensemble import exercises as ex

CHECKS = {1: ex.check_distinct_subnetworks, 2: ex.check_nwgm, 3: ex.check_exact_nets, 4: ex.check_disagreeing_input}


@pytest.mark.parametrize("number", CHECKS)
def test_placeholder_is_not_answered(number):
    assert CHECKS[number](...) is dl.ui.checks.NOT_ANSWERED


@pytest.mark.parametrize("number", CHECKS)
def test_solution_passes_its_check(number):
    assert CHECKS[number](getattr(solutions, f"solution_{number}")()).passed


def test_count_right_two_ways_and_wrong():
    assert ex.check_distinct_subnetworks(320_000).passed
    assert ex.check_distinct_subnetworks(compute.expected_distinct(320_000, 100, 0.5)).passed
    assert "EXAMPLE" in ex.check_distinct_subnetworks(10_000).message
    assert "EXIST" in ex.check_distinct_subnetworks(2 ** 100).message
    assert not ex.check_distinct_subnetworks(32).passed
    assert not ex.check_distinct_subnetworks(321_000).passed
    assert not ex.check_distinct_subnetworks("320000").passed


def _nwgm_logsumexp(logits, probabilities):
    log_out = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    g = np.exp(probabilities @ log_out)
    return g / g.sum()


def test_nwgm_right_two_ways_and_wrong():
    assert ex.check_nwgm(solutions.solution_2()).passed
    assert ex.check_nwgm(_nwgm_logsumexp).passed
    arithmetic = lambda z, p: p @ (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))   # noqa: E731
    assert "ARITHMETIC" in ex.check_nwgm(arithmetic).message
    uniform = lambda z, p: np.exp(z.mean(0)) / np.exp(z.mean(0)).sum()                 # noqa: E731
    assert "P(m)" in ex.check_nwgm(uniform).message
    unnormalised = lambda z, p: np.exp(p @ (z - np.log(np.exp(z).sum(1, keepdims=True))))  # noqa: E731
    assert "renormalised" in ex.check_nwgm(unnormalised).message
    assert "raised ZeroDivisionError" in ex.check_nwgm(lambda z, p: 1 / 0).message
    assert "shape" in ex.check_nwgm(lambda z, p: p @ z[:, :2]).message


def test_exact_nets_right_two_ways_and_wrong():
    assert ex.check_exact_nets({"A", "B", "D", "F"}).passed
    assert ex.check_exact_nets("f, d, b, a").passed
    assert "AFTER" in ex.check_exact_nets({"A", "B", "C", "D", "F"}).message
    assert "BEFORE" in ex.check_exact_nets({"A", "D"}).message
    assert "linear" in ex.check_exact_nets({"A", "B", "F"}).message
    assert "choose among" in ex.check_exact_nets({"A", "Z"}).message
    assert not ex.check_exact_nets(42).passed


def test_disagreeing_input_right_two_ways_and_wrong():
    found = solutions.solution_4()
    assert ex.check_disagreeing_input(found).passed
    assert ex.check_disagreeing_input(list(found)).passed
    assert "both pick" in ex.check_disagreeing_input(np.zeros(4)).message
    assert "4 finite numbers" in ex.check_disagreeing_input(np.zeros(3)).message
    assert "4 finite numbers" in ex.check_disagreeing_input([np.nan, 0, 0, 0]).message
    assert not ex.check_disagreeing_input("abcd").passed
