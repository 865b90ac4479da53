"""Solutions to lesson 11's exercises, as real code: exercises.solution(k) shows one (lesson 11)."""
from __future__ import annotations


def solution_1():
    """Exercise 1."""
    import numpy as np
    rates = np.linspace(0, 0.1, 12)          # timm's rule: 0 at the first block, 0.1 at the last
    answer_1 = float(np.sum(1 - rates))      # 11.4: each block runs with probability 1 - rate
    return answer_1


def solution_2():
    """Exercise 2."""
    answer_2 = 32 * 64   # one coin per (image, channel); 28 x 28 positions share it
    return answer_2


def solution_3():
    """Exercise 3."""
    rate, steps = 0.5, 20
    answer_3 = rate / (1 - rate) / steps   # 0.05: T independent coins average out
    return answer_3


def solution_4():
    """Exercise 4 (pitfall 1)."""
    import torch.nn.functional as F
    from torch import nn

    class SelfAttention(nn.Module):
        def __init__(self, width=16, heads=4, dropout=0.3):
            super().__init__()
            self.heads, self.dropout = heads, dropout
            self.qkv, self.out = nn.Linear(width, 3 * width), nn.Linear(width, width)

        def forward(self, x):
            b, n, w = x.shape
            q, k, v = (t.view(b, n, self.heads, -1).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
            p = self.dropout if self.training else 0.0   # the functional call cannot see .eval()
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
            return self.out(y.transpose(1, 2).reshape(b, n, w))
    return SelfAttention


def solution_5():
    """Exercise 5 (pitfall 2)."""
    from torch import nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(16, 32, batch_first=True)   # no dropout argument: it acts between layers only
            self.drop = nn.Dropout(0.3)                    # follows .train() / .eval()

        def forward(self, x):
            return self.drop(self.lstm(x)[0])

    def make_encoder():
        return Encoder()
    return make_encoder


def solution_6():
    """Exercise 6 (pitfall 3)."""
    from torch import nn

    def drop_channels(image, rate):
        # (C, H, W) -> (1, C, H, W): Dropout2d then sees a batch of one and drops whole channels
        return nn.Dropout2d(rate)(image.unsqueeze(0)).squeeze(0)
    return drop_channels


def solution_7():
    """Exercise 7 (pitfall 4)."""
    def locked_dropout(x, rate, rng):
        mask = rng.random((x.shape[0], 1, x.shape[2])) >= rate   # one coin per (sequence, feature)
        return x * mask / (1 - rate)                              # broadcast over every time step
    return locked_dropout


def solution_8():
    """Exercise 8 (pitfall 5)."""
    def drop_path(branch, rate, rng):
        keep = 1 - rate
        coins = rng.random(branch.shape[0]) >= rate                   # one coin per SAMPLE
        coins = coins.reshape((-1,) + (1,) * (branch.ndim - 1))       # (batch, 1, 1, ...)
        return branch * coins / keep
    return drop_path
