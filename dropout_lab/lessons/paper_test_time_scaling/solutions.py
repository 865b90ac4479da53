"""Solutions to lesson 07's exercises, as real code: exercises.solution(k) shows one (lesson 07)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    rate = 1 - 0.8   # the paper's p = 0.8 is the KEEP probability
    return rate


def solution_2():
    """Exercise 2."""
    def to_inverted(w, keep):
        # vanilla test time computes (h * keep) @ w == h @ (keep * w)
        return keep * w
    return to_inverted


def solution_3():
    """Exercise 3."""
    p = 0.8
    strength = (1 - p) / p   # p(1-p)||Γw||² = p(1-p)/p² ||Γ w̃||²
    return strength
