"""Solutions to lesson 00's exercises, as real code: exercises.solution(k) shows one (lesson 00)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    keep = 1 - 0.2   # 0.8
    return keep


def solution_2():
    """Exercise 2."""
    rate = 1 - 0.8   # the paper's p = 0.8 is a keep probability; nn.Dropout(p=0.2), keras Dropout(0.2)
    return rate


def solution_3():
    """Exercise 3."""
    expected_zeros = 20 * 0.3   # 6.0 on average; any one mask varies around it
    return expected_zeros
