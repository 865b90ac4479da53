"""Dropout from scratch as a torch.nn.Module, checked against nn.Dropout bit for bit (lesson 01).

This module imports torch at the top, so it loads only when a lesson asks for
`dropout_from_scratch.torch_scratch`; `import dropout_lab` stays NumPy-only.

What torch's CPU dropout does (torch 2.13, checked bit for bit in tests/lessons/test_dropout_from_scratch.py):
`F.dropout` -> ATen `_dropout_impl` (aten/src/ATen/native/Dropout.cpp): `noise = empty_like(x)`,
`noise.bernoulli_(1 - p)`, `noise.div_(1 - p)`, `x * noise`. The CPU bernoulli kernel draws one
`bernoulli_distribution<double>` per unit whatever x's dtype (torch/include/ATen/native/cpu/
DistributionTemplates.h, `bernoulli_kernel(self, double p, ...)`), i.e. a float64 uniform u with
53 random bits, kept when `u < 1 - p` (torch/include/ATen/core/DistributionsHelper.h and
TransformationHelper.h). So the mask is `torch.rand(dtype=float64) < 1 - p` from the same state.
"""
from __future__ import annotations

import torch
from torch import nn

from ..._validate import check_rate
from ...frameworks import seeded_torch

ACTIVATIONS = {"linear (none)": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
               "gelu": nn.GELU, "leaky_relu": nn.LeakyReLU}
INPLACE_ERROR = "modified by an inplace operation"  # the start of autograd's message for this trap


def keep_mask(x: torch.Tensor, rate: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Boolean keep-mask like `x`: keep a unit when its float64 uniform draw is < 1 - rate, torch's rule (lesson 01)."""
    keep = 1.0 - check_rate(rate)
    # float64 uniforms whatever x's dtype: P(u < keep) = keep to 2**-53, so a bf16 or fp16 input
    # gets an unbiased mask, and these are the very draws F.dropout makes from the same
    # generator state. empty_like keeps x's memory layout, as ATen's noise tensor does, so the
    # match holds for a transposed x too.
    uniform = torch.empty_like(x, dtype=torch.float64).uniform_(0.0, 1.0, generator=generator)
    return uniform < keep


def apply_mask(x: torch.Tensor, mask: torch.Tensor, rate: float, inplace: bool = False) -> torch.Tensor:
    """Inverted dropout for a given keep-mask, with nn.Dropout's arithmetic: x * (mask / keep) (lesson 01)."""
    keep = 1.0 - check_rate(rate)
    if keep == 0.0:  # every unit dropped: multiply by 0 as ATen does (autograd sees a zero gradient); never / 0
        zero = torch.zeros((), dtype=x.dtype, device=x.device)
        return x.mul_(zero) if inplace else x * zero
    # ATen's order: noise = mask / keep in x's dtype (the survivor factor 1/keep rounded once),
    # then one multiply. x * mask * (1 / keep) differs in the last bit at some rates in float32
    # (torch rounds keep to float32 before dividing), so we copy ATen's order.
    noise = mask.to(x.dtype).div_(keep)
    return x.mul_(noise) if inplace else x * noise


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
        # At rate 1 ATen draws nothing; neither do we, so the generator stays in step with nn.Dropout's.
        self.mask = keep_mask(x, self.rate, self.generator) if self.rate < 1 else torch.zeros_like(x, dtype=torch.bool)
        return apply_mask(x, self.mask, self.rate, self.inplace)

    def extra_repr(self) -> str:
        return f"rate={self.rate}, inplace={self.inplace}"


# ---------------------------------------------------------------- checks the lesson runs

def nn_dropout_from_seed(x: torch.Tensor, rate: float, seed: int) -> torch.Tensor:
    """nn.Dropout(rate) on x with torch's global generator seeded for this call only (lesson 01)."""
    with seeded_torch(seed):  # fork_rng + manual_seed: the global state is restored afterwards
        return nn.Dropout(rate)(x)


def scratch_from_seed(x: torch.Tensor, rate: float, seed: int, inplace: bool = False) -> ScratchDropout:
    """A ScratchDropout whose own generator starts where torch.manual_seed(seed) starts the global one (lesson 01)."""
    return ScratchDropout(rate, inplace=inplace, generator=torch.Generator().manual_seed(seed))


def survivor_factor_mismatches(dtype: torch.dtype, rates: tuple[float, ...], seed: int = 0) -> dict[str, int]:
    """At how many rates two ways of writing the scale differ from F.dropout's output, bit for bit (lesson 01)."""
    ways = {"x * (mask / keep)": lambda x, mask, keep: x * (mask.to(x.dtype) / keep),
            "x * mask * (1 / keep)": lambda x, mask, keep: x * mask * (1 / keep)}
    counts = dict.fromkeys(ways, 0)
    for i, rate in enumerate(rates):
        x = torch.randn(1000, generator=torch.Generator().manual_seed(seed + i)).to(dtype)
        reference = nn_dropout_from_seed(x, rate, seed + i)
        mask = keep_mask(x, rate, torch.Generator().manual_seed(seed + i))
        for name, way in ways.items():
            counts[name] += not torch.equal(way(x, mask, 1.0 - rate), reference)
    return counts


def dtype_rand_mask(x: torch.Tensor, rate: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """The pitfall: uniforms drawn in x's own dtype, `rand(dtype=x.dtype) >= rate` (biased for bf16) (lesson 01)."""
    return torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= check_rate(rate)


def dtype_rand_drop_rate(rate: float, dtype: torch.dtype, rule: str = "u >= rate") -> float:
    """Exact drop probability of a mask drawn as `torch.rand(dtype=dtype)` on the CPU (lesson 01).

    torch.rand in bf16/fp16 draws a float32 uniform k / 2**24 (k uniform on 0 .. 2**24 - 1), rounds it
    to `dtype` and folds a value that rounded up to 1.0 back to 0 (uniform_kernel in
    torch/include/ATen/native/cpu/DistributionTemplates.h; checked bit for bit in the tests). Every k
    is equally likely and the rounded value never decreases with k, so two bisections over k count
    the dropped ones exactly (the tests also count all 2**24 of them one by one).
    `rule` is "u >= rate" (keep when u >= rate) or "u < keep" (the blog's rand_like(x) < keep_prob).
    """
    rate = check_rate(rate)
    if dtype not in (torch.bfloat16, torch.float16, torch.float32):
        raise ValueError(f"dtype must be torch.bfloat16, torch.float16 or torch.float32, got {dtype}")
    if rule not in ("u >= rate", "u < keep"):
        raise ValueError(f"rule must be 'u >= rate' or 'u < keep', got {rule!r}")
    total = 2**24

    def uniform(k: int) -> torch.Tensor:  # the k-th float32 uniform, rounded to dtype (before the fold)
        return torch.tensor([k * 2.0**-24], dtype=torch.float32).to(dtype)

    def kept(u: torch.Tensor) -> bool:  # the comparison exactly as torch evaluates it on a dtype tensor
        return bool(u >= rate) if rule == "u >= rate" else bool(u < 1.0 - rate)

    folded = _first(lambda k: bool(uniform(k) == 1), total)  # k >= folded: rounded up to 1.0, becomes 0
    switch = _first(lambda k: kept(uniform(k)) != kept(uniform(0)), folded)  # where the verdict flips
    kept_below = switch if kept(uniform(0)) else folded - switch
    kept_folded = (total - folded) if kept(torch.zeros(1, dtype=dtype)) else 0
    return 1.0 - (kept_below + kept_folded) / total


def _first(predicate, end: int) -> int:
    """Smallest k in [0, end) where a monotone predicate (False ... False True ... True) holds, else end."""
    low, high = 0, end
    while low < high:
        mid = (low + high) // 2
        if predicate(mid):
            high = mid
        else:
            low = mid + 1
    return low


def autograd_gradient(layer: nn.Module, x: torch.Tensor, dout: torch.Tensor) -> torch.Tensor:
    """d(sum(dout * layer(x)))/dx by autograd: what backward() hands the layer below (lesson 01)."""
    x = x.detach().clone().requires_grad_(True)
    (layer(x) * dout).sum().backward()
    return x.grad


def inplace_backward_error(activation: str, layer: str = "nn", seed: int = 0) -> str | None:
    """Linear -> activation -> Dropout(inplace=True), then backward(): autograd's error, or None (lesson 01)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if layer not in ("nn", "scratch"):
        raise ValueError(f"layer must be 'nn' or 'scratch', got {layer!r}")
    with seeded_torch(seed):  # Linear's initial weights and nn.Dropout's mask come from the global generator
        dropout = nn.Dropout(0.5, inplace=True) if layer == "nn" else ScratchDropout(0.5, inplace=True)
        net = nn.Sequential(nn.Linear(8, 4), ACTIVATIONS[activation](), dropout)
        out = net(torch.randn(5, 8))
    try:
        out.sum().backward()
    except RuntimeError as error:
        return str(error)
    return None
