"""Dropout from scratch as a torch.nn.Module, checked against nn.Dropout (lesson 01).

This module imports torch at the top, so it loads only when a lesson asks for
`dl.torch_scratch`; `import dropout_lab` stays NumPy-only.
"""
from __future__ import annotations

import torch
from torch import nn

from ..._validate import check_rate


def keep_mask(x: torch.Tensor, rate: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Boolean keep-mask shaped like `x`: a unit survives when its uniform draw is >= rate (lesson 01)."""
    # The same rule as dl.draw_keep_mask and Keras: u ~ U[0, 1), so P(u >= rate) = 1 - rate.
    uniform = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return uniform >= rate


def apply_mask(x: torch.Tensor, mask: torch.Tensor, rate: float, inplace: bool = False) -> torch.Tensor:
    """Inverted dropout for a given keep-mask: x * mask * (1 / (1 - rate)) (lesson 01)."""
    rate = check_rate(rate)
    keep = 1.0 - rate
    if keep == 0.0:  # every unit dropped; dividing by 0 would turn 0 * inf into NaN
        return x.zero_() if inplace else torch.zeros_like(x)
    # Multiply by the reciprocal (as nn.Dropout and dl.dropout_forward do), so the same
    # mask gives bit-for-bit the same output as the NumPy package.
    scale = 1.0 / keep
    if inplace:
        return x.mul_(mask).mul_(scale)
    return x * mask * scale


class ScratchDropout(nn.Module):
    """torch.nn.Dropout rebuilt by hand: rate = drop probability, optional inplace, seeded (lesson 01)."""

    def __init__(self, rate: float = 0.5, inplace: bool = False,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.rate = check_rate(rate)
        self.inplace = bool(inplace)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
        self.generator = generator  # None: torch's default generator, like nn.Dropout
        self.mask: torch.Tensor | None = None  # the last keep-mask, for teaching and tests

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Training: a fresh mask on every call. Eval (or rate 0): the input itself."""
        if not self.training or self.rate == 0.0:
            self.mask = None
            return x
        self.mask = keep_mask(x, self.rate, self.generator)
        return apply_mask(x, self.mask, self.rate, self.inplace)

    def extra_repr(self) -> str:
        return f"rate={self.rate}, inplace={self.inplace}"
