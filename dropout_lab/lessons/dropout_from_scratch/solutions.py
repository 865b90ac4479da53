"""Solutions to lesson 01's exercises, as real code: exercises.solution(k) shows one (lesson 01)."""
from __future__ import annotations

import numpy as np


def solution_1():
    """Exercise 1."""
    survivor = 1 / (1 - 0.75)   # 4.0
    return survivor


def solution_2():
    """Exercise 2."""
    ones_std = (0.75 / (1 - 0.75)) ** 0.5   # sqrt(3) ≈ 1.732
    return ones_std


def solution_3():
    """Exercise 3."""
    def my_dropout(x, rate, rng):
        mask = rng.random(x.shape) >= rate           # keep a unit when its uniform draw is >= rate
        return x * mask / (1 - rate) if rate < 1 else np.zeros_like(x)
    return my_dropout
