"""Solutions to lesson 12's exercises, as real code: exercises.solution(k) shows one (lesson 12)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    import math
    rate = 0.2
    answer_1 = math.sqrt(rate / (1 - rate))   # 0.5: variance rate/keep, like Bernoulli dropout's
    return answer_1


def solution_2():
    """Exercise 2."""
    alpha_prime = -1.0507009873554805 * 1.6732632423543772    # -λα
    q = 1 - 0.1                                               # keep
    a = (q + alpha_prime ** 2 * q * (1 - q)) ** -0.5
    b = -a * (1 - q) * alpha_prime
    answer_2 = a * alpha_prime + b                            # -1.458: where every dropped unit lands
    return answer_2


def solution_3():
    """Exercise 3."""
    keep_prob, block, feat = 0.9, 7, 14
    answer_3 = (1 - keep_prob) / block ** 2 * feat ** 2 / (feat - block + 1) ** 2   # 0.00625
    return answer_3


def solution_4():
    """Exercise 4."""
    rate = 0.5
    x, w = [1, 2], [[1, 1], [1, -1]]          # w[j][i]: input j -> output i
    # shared input coins: Cov(y1, y2) = rate/keep * sum_j x_j^2 w_j1 w_j2
    answer_4 = rate / (1 - rate) * sum(x[j] ** 2 * w[j][0] * w[j][1] for j in range(2))   # -3
    return answer_4


def solution_5():
    """Exercise 5 (pitfall 1)."""
    import torch
    import torch.nn.functional as F

    def selu_block(x, rate):
        return F.alpha_dropout(torch.selu(x), p=rate, training=True)   # training defaults to False!
    return selu_block


def solution_6():
    """Exercise 6 (pitfall 2)."""
    def my_alpha_dropout(x, rate, rng):
        alpha_prime = -1.0507009873554805 * 1.6732632423543772
        q = 1 - rate
        a = (q + alpha_prime ** 2 * q * (1 - q)) ** -0.5
        b = -a * (1 - q) * alpha_prime
        mask = rng.random(x.shape) >= rate
        return a * (x * mask + alpha_prime * (1 - mask)) + b   # dropped -> α', then the affine
    return my_alpha_dropout


def solution_7():
    """Exercise 7 (pitfall 3)."""
    def gaussian_dropout(x, rate, rng):
        return x * rng.normal(1.0, (rate / (1 - rate)) ** 0.5, size=x.shape)   # scale is the STANDARD DEVIATION
    return gaussian_dropout


def solution_8():
    """Exercise 8 (pitfall 4)."""
    import dropout_lab as dl

    def drop_block(x, rate, block_size, rng):
        mask = dl.lessons.dropout_family.compute.dropblock_mask(x.shape, rate, block_size, rng)
        return x * mask * mask.size / mask.sum()   # count(M) / count_ones(M): the mean survives
    return drop_block
