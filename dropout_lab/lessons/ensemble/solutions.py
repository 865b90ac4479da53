"""Solutions to lesson 06's exercises, as real code: exercises.solution(k) shows one (lesson 06)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    # Each of the 10 units is either kept or dropped, independently: 2 choices, 10 times.
    n_subnetworks = 2 ** 10   # 1024
    return n_subnetworks


def solution_2():
    """Exercise 2."""
    # The full network is the mask that keeps all 10 units; each is kept with probability
    # keep = 1 - rate = 0.8, independently.
    p_full = 0.8 ** 10        # ≈ 0.107: about one training step in ten uses the full network
    return p_full


def solution_3():
    """Exercise 3."""
    # For one softmax layer, log-probabilities are linear in the mask (up to a per-mask constant),
    # so averaging them over masks is the same as running the average mask: the weight-scaled net.
    exact_average = "geometric"
    return exact_average


def solution_4():
    """Exercise 4."""
    # The Monte-Carlo error falls as σ/√k: 10× smaller error needs 10² = 100× more samples.
    samples_factor = 100
    return samples_factor
