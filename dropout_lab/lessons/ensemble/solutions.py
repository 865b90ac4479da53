"""Solutions to lesson 06's exercises, as real code: exercises.solution(k) shows one (lesson 06)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    # Every example of every minibatch draws its own mask: 10^4 · 32 = 320 000 masks. Two masks over
    # 100 units coincide with probability 0.5^100, so ~5e10 pairs give ~4e-20 coincidences: all distinct.
    distinct = 10_000 * 32
    return distinct


def solution_2():
    """Exercise 2."""
    import numpy as np

    def nwgm(logits, probabilities):
        # log Π out(m)^P(m) = Σ P(m) z(m) − Σ P(m) logsumexp z(m); the second term is the same for
        # every class, so renormalising over classes leaves softmax of the mean logits.
        mean = probabilities @ logits
        e = np.exp(mean - mean.max())
        return e / e.sum()
    return nwgm


def solution_3():
    """Exercise 3."""
    # Exact where nothing non-linear lies between a dropped layer and the softmax.
    exact_nets = {"A", "B", "D", "F"}
    return exact_nets


def solution_4():
    """Exercise 4."""
    import numpy as np

    from dropout_lab.lessons.ensemble import compute
    net = compute.softmax_layer_net(4, 3, seed=0)
    rng = np.random.default_rng(1)
    for x in rng.normal(0.0, 2.0, size=(1000, 4)):     # search: random inputs until the two disagree
        picked = compute.exact_ensemble(net, x, 0.5).predicted_classes()
        if picked["arithmetic"] != picked["weight-scaled"]:
            break
    return x
