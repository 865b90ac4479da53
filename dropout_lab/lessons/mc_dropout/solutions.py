"""Solutions to lesson 09's exercises, as real code: exercises.solution(k) shows one."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    expected_zeros = 1000 * 0.25   # each of the 1000 units is dropped with probability 0.25
    return expected_zeros
