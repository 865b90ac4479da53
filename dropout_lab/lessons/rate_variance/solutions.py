"""Solutions to lesson 03's exercises, as real code: exercises.solution(k) shows one (lesson 03)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    import math
    answer_1 = math.sqrt(0.2 * 0.8 / 32)   # 0.0707: about 2.3 of the 32 units
    return answer_1


def solution_2():
    """Exercise 2."""
    import math
    # 3 * sqrt(0.25 / n) <= 0.001  <=>  n >= (3 / 0.001)**2 * 0.25; round up to a whole unit
    answer_2 = math.ceil((3 / 0.001) ** 2 * 0.5 * 0.5)   # 2_250_000
    return answer_2


def solution_3():
    """Exercise 3."""
    # zeros already there (0.4) + dropout's share of the rest (0.6 * 0.25)
    answer_3 = 0.4 + 0.6 * 0.25   # 0.55
    return answer_3


def solution_4():
    """Exercise 4."""
    # only the 70 % live units can be zeroed; each is, with probability 0.2
    answer_4 = (1 - 0.3) * 0.2   # 0.14: biased low by z0 * rate = 0.06
    return answer_4


def solution_5():
    """Exercise 5."""
    def dropout_share(before, after):
        alive = before != 0                  # units dropout could still zero
        return (after[alive] == 0).mean()
    return dropout_share
