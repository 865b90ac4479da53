"""Solutions to lesson 10's exercises, as real code: exercises.solution(k) shows one (lesson 10)."""
from __future__ import annotations

import dropout_lab as dl


def solution_1():
    """Exercise 1."""
    rate, mu_over_sigma = 0.3, 2.0
    keep = 1 - rate
    ratio = (1 + rate * mu_over_sigma ** 2) / keep   # ((σ² + μ²)/keep − μ²) / σ²
    return ratio


def solution_2():
    """Exercise 2."""
    position = 6   # after the last BatchNorm and its ReLU, in front of Linear(64, 10)
    return position


def solution_3():
    """Exercise 3."""
    rate = 0.5
    test_variance = (1 - rate) / (1 + rate * 0.0 ** 2)   # test / training variance, μ = 0
    return test_variance


def solution_4():
    """Exercise 4."""
    torch = dl.frameworks.load("torch")

    def recalibrate_bn(model, x):
        """Re-estimate every BatchNorm's statistics on the float tensor x, with dropout off."""
        model.eval()                                      # dropout off
        norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None                             # cumulative average over the batches
            m.train()                                     # only BatchNorm collects statistics
        with torch.no_grad():
            for batch in x.split(128):
                model(batch)
        for m in norms:
            m.momentum = 0.1
        model.eval()
    return recalibrate_bn


def solution_5():
    """Exercise 5."""
    torch = dl.frameworks.load("torch")

    def recalibrate_bn(model, x):
        """Re-estimate every BatchNorm's statistics on the float tensor x, with dropout off."""
        model.eval()
        norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
        for module in norms:
            module.reset_running_stats()                  # forget the shifted statistics
            module.momentum = None                        # ... and average every batch equally
            module.train()
        with torch.no_grad():
            for batch in x.split(128):                    # all of x, not one batch
                model(batch)
        for module in norms:
            module.momentum = 0.1                         # torch's default again, for any later training
        model.eval()
    return recalibrate_bn
