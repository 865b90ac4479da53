"""Solutions to lesson 07's exercises, as real code: exercises.solution(k) shows one (lesson 07)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    def to_inverted(w, keep):
        # vanilla test time computes (h * keep) @ w == h @ (keep * w)
        return keep * w
    return to_inverted


def solution_2():
    """Exercise 2."""
    def inverted_twin(weights, lr, keeps):
        # Same function at the start: W'₀ = keep·W₀. The inverted gradient is (1/keep)·∂L/∂W, and
        # the step of W' must be keep times vanilla's: lr' · (1/keep) = keep · lr, so lr' = lr · keep².
        initial = [k * w for k, w in zip(keeps, weights)]
        rates = [lr * k ** 2 for k in keeps]
        return initial, rates
    return inverted_twin


def solution_3():
    """Exercise 3."""
    p = 0.8
    strength = (1 - p) / p   # p(1-p)||Γw||² = p(1-p)/p² ||Γ w̃||²
    return strength


def solution_4():
    """Exercise 4."""
    from dropout_lab.lessons.paper_test_time_scaling.training import Recipe
    # Longer training with a learning rate that decays, so the noisy steps settle.
    recipe = Recipe(hidden=(128,), input_rate=0.0, hidden_rate=0.6, epochs=80, lr=0.02, momentum=0.95,
                    max_norm=3.0, lr_decay=0.97)
    return recipe


def solution_5():
    """Exercise 5."""
    from dropout_lab.lessons.paper_test_time_scaling.training import Recipe
    # Wide enough to overfit 400 rows, the paper's rates (inputs 0.2, hidden 0.5) and its practical
    # recipe (momentum 0.95, max-norm 3), trained until the loss flattens.
    recipe = Recipe(hidden=(512,), input_rate=0.2, hidden_rate=0.5, epochs=100, lr=0.02, momentum=0.95,
                    max_norm=3.0, lr_decay=0.97)
    return recipe
