"""Solutions to lesson 01's exercises, as real code: exercises.solution(k) shows one (lesson 01)."""
from __future__ import annotations

import numpy as np


def solution_1():
    """Exercise 1."""
    survivor = 1 / (1 - 0.75)   # 4.0
    return survivor


def solution_2():
    """Exercise 2."""
    ones_std = (0.75 / (1 - 0.75)) ** 0.5   # sqrt(rate / keep) = sqrt(3) ≈ 1.732
    return ones_std


def solution_3():
    """Exercise 3."""
    # mean (5·0 + 5·2) / 10 = 1; every value is 1 away from it: squared deviations sum to 10.
    torch_std = (10 / (10 - 1)) ** 0.5   # ≈ 1.0541; NumPy's default (ddof=0) would print 1.0
    return torch_std


def solution_4():
    """Exercise 4."""
    def my_backward(dout, mask, rate):
        if rate == 1:                        # every unit dropped: no gradient reaches x
            return np.zeros_like(dout)
        return dout * mask / (1 - rate)      # through the survivors, scaled like them
    return my_backward


def solution_5():
    """Exercise 5."""
    def my_dropout(x, rate, rng):
        mask = rng.random(x.shape) >= rate           # keep a unit when its uniform draw is >= rate
        return x * mask / (1 - rate) if rate < 1 else np.zeros_like(x)
    return my_dropout
