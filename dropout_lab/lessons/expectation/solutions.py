"""Solutions to lesson 02's exercises, as real code: exercises.solution(k) shows one (lesson 02)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    variance = 2**2 * 0.2 / (1 - 0.2)   # 1.0
    return variance


def solution_2():
    """Exercise 2."""
    shrunk = (1 - 0.3) * 10   # 7.0
    return shrunk


def solution_3():
    """Exercise 3."""
    def scale(rate):
        return 1 / (1 - rate)   # the only constant with scale * (1 - rate) * x == x
    return scale
