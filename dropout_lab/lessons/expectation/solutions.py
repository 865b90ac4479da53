"""Solutions to lesson 02's exercises, as real code: exercises.solution(k) shows one (lesson 02)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    x, rate = 3, 0.2
    variance = x**2 * rate / (1 - rate)   # 2.25 = E[out²] - E[out]² = 9/0.8 - 9
    return variance


def solution_2():
    """Exercise 2."""
    shrunk = (1 - 0.3) * 10   # 7.0: expectation is linear, and there is no bias to stay put
    return shrunk


def solution_3():
    """Exercise 3."""
    def scale(rate):
        return 1 / (1 - rate)   # scale * (1 - rate) * x == x: test time can be the identity
    return scale


def solution_4():
    """Exercise 4."""
    c_train, rate = 2.0, 0.2
    c_test = c_train * (1 - rate)   # 1.6: the invariant is c_train * keep == c_test
    return c_test
