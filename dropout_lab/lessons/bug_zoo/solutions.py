"""Fixed versions of the bug zoo's exhibits, as real code: exercises.solution(k) shows one (lesson 08)."""
from __future__ import annotations

import numpy as np

from ...frameworks import load

torch = load("torch")  # the exhibits are PyTorch and NumPy code
nn, F = torch.nn, torch.nn.functional


def solution_1():
    """Exhibit 1, fixed."""
    def predict(model, x):
        """Class scores of a trained torch model for a batch x."""
        model.eval()                 # Dropout -> identity
        with torch.no_grad():        # no graph needed for predictions
            return model(x)
    return predict


def solution_2():
    """Exhibit 2, fixed."""
    class Net(nn.Module):
        def __init__(self, rate=0.5):
            super().__init__()
            self.rate = rate
            self.hidden = nn.Linear(20, 64)
            self.out = nn.Linear(64, 3)

        def forward(self, x):
            h = torch.relu(self.hidden(x))
            h = F.dropout(h, p=self.rate, training=self.training)   # follows train()/eval()
            return self.out(h)
    return Net


def solution_3():
    """Exhibit 3, fixed."""
    def my_dropout(x, rate, rng):
        mask = rng.random(x.shape) >= rate
        return x * mask / (1 - rate)   # divide by KEEP
    return my_dropout


def solution_4():
    """Exhibit 4, fixed."""
    def my_dropout(x, rate, rng):
        mask = rng.random(x.shape) >= rate   # the rate you were given
        return x * mask / (1 - rate)
    return my_dropout


def solution_5():
    """Exhibit 5, fixed."""
    def torch_dropout_from_paper(p):
        """A torch layer for the 2014 paper's dropout setting p (the paper's p = KEEP probability)."""
        return nn.Dropout(p=1 - p)   # torch's p = DROP probability
    return torch_dropout_from_paper


def solution_6():
    """Exhibit 6, fixed."""
    class MyDropout:
        def __init__(self, rate, seed):
            self.rate = rate
            self.rng = np.random.default_rng(seed)   # seeded ONCE

        def __call__(self, x):
            mask = self.rng.random(x.shape) >= self.rate   # a new draw every call
            return x * mask / (1 - self.rate)
    return MyDropout


def solution_7():
    """Exhibit 7, fixed."""
    def my_dropout(x, rate, rng, training):
        keep = 1 - rate
        if training:
            return x * (rng.random(x.shape) >= rate) / keep
        return x   # inverted dropout: the scaling already happened in training
    return my_dropout
