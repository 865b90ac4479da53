"""Switching on ONLY the dropout layers, in PyTorch and Keras, and what goes wrong otherwise (lesson 09).

Compute layer (no plots, no widgets). torch and Keras are imported inside functions through
`dropout_lab.frameworks.load`. Facts about the frameworks used here, checked in the installed
source (torch 2.13, Keras 3.15) and by the lesson's own experiments:

* torch: `Module.train(mode)` sets `training` on the module and every child
  (torch/nn/modules/module.py, `def train`); every dropout module (Dropout, Dropout1d/2d/3d,
  AlphaDropout, FeatureAlphaDropout) subclasses `_DropoutNd` (torch/nn/modules/dropout.py), and
  BatchNorm uses and updates batch statistics whenever `self.training` is True
  (torch/nn/modules/batchnorm.py, `_BatchNorm.forward`).
* Keras: a layer's `training` comes first from its own call argument, then from the outer call
  (keras/src/layers/layer.py, "5. Infer training value"); BatchNormalization uses batch
  statistics when `training and self.trainable` (keras/src/layers/normalization/
  batch_normalization.py, `call`); and a functional model passes a non-None outer `training`
  to every layer, overwriting what the layer was built with (keras/src/models/functional.py,
  `operation_fn`).
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..._validate import check_rate, check_seed
from ...data import DataSplit
from ...frameworks import load, seeded_torch, torch_threads
from .compute import _check_k

# ---------------------------------------------------------------- a small torch network with BatchNorm


def torch_net(rate: float, width: int = 64, seed: int = 0):
    """64 → width (BatchNorm, ReLU, Dropout(rate)) → 10: the lesson's torch classifier (lesson 09)."""
    nn = load("torch").nn
    with seeded_torch(check_seed(seed)):
        return nn.Sequential(nn.Linear(64, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(check_rate(rate)),
                             nn.Linear(width, 10))


def train_torch(data: DataSplit, rate: float = 0.5, seed: int = 0, epochs: int = 8, batch_size: int = 128,
                on_epoch: Callable[[], None] | None = None):
    """Train torch_net on the digits with Adam (lr 3e-3); returns the model in eval mode (lesson 09)."""
    torch = load("torch")
    model = torch_net(rate, seed=seed)
    x, y = torch.tensor(data.x_train, dtype=torch.float32), torch.tensor(data.y_train)
    order = torch.Generator().manual_seed(check_seed(seed))
    step = adam(list(model.parameters()), lr=3e-3)
    with seeded_torch(seed), torch_threads(1):  # dropout masks: torch's global generator, seeded for this block
        model.train()
        for _ in range(int(epochs)):
            perm = torch.randperm(len(x), generator=order)
            for start in range(0, len(x) - 1, batch_size):   # a last batch of 1 would break BatchNorm
                batch = perm[start:start + batch_size]
                model.zero_grad()
                torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
                step()
            if on_epoch is not None:
                on_epoch()
    return model.eval()


def adam(params: list, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Callable[[], None]:
    """Adam (Kingma & Ba 2015, Algorithm 1) as a closure over `params` (lesson 09).

    Written out because constructing any torch.optim optimiser imports torch._dynamo, which
    costs ~3 s of CPU in a fresh kernel (measured here with python -X importtime).
    """
    torch = load("torch")
    first = [torch.zeros_like(p) for p in params]
    second = [torch.zeros_like(p) for p in params]
    count = [0]

    def step() -> None:
        count[0] += 1
        t = count[0]
        with torch.no_grad():
            for p, m, v in zip(params, first, second):
                m.mul_(betas[0]).add_(p.grad, alpha=1 - betas[0])
                v.mul_(betas[1]).addcmul_(p.grad, p.grad, value=1 - betas[1])
                p.sub_(lr * (m / (1 - betas[0] ** t)) / ((v / (1 - betas[1] ** t)).sqrt() + eps))

    return step


def enable_mc_dropout(model):
    """model.eval(), then every dropout module back to train(): dropout on, BatchNorm frozen (lesson 09)."""
    nn = load("torch").nn
    model.eval()
    for module in model.modules():
        if isinstance(module, nn.modules.dropout._DropoutNd):
            module.train()
    return model


@contextmanager
def mc_dropout(model) -> Iterator[object]:
    """Inside the block only the dropout modules are in train mode; afterwards every module's mode is put back
    as it was, train or eval, module by module (lesson 09)."""
    modes = [(module, module.training) for module in model.modules()]
    enable_mc_dropout(model)
    try:
        yield model
    finally:
        for module, mode in modes:   # Module.train(mode) would recurse into the children: set each one
            module.training = mode


def module_modes(model) -> dict[str, bool]:
    """Every module's `training` flag, by name ('' is the model itself) (lesson 09)."""
    return {name: bool(module.training) for name, module in model.named_modules()}


def torch_passes(model, x: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Softmax outputs of k forward passes in the model's CURRENT mode, shape (k, n, classes) (lesson 09)."""
    torch = load("torch")
    inputs = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    with seeded_torch(check_seed(seed)), torch.no_grad():
        return np.stack([torch.softmax(model(inputs), dim=-1).numpy() for _ in range(_check_k(k))])


def bn_state(model) -> dict[str, np.ndarray]:
    """A copy of every BatchNorm running mean and variance, by name (lesson 09)."""
    nn = load("torch").nn
    return {f"{name}.{buf}": getattr(module, buf).detach().clone().numpy()
            for name, module in model.named_modules() if isinstance(module, nn.modules.batchnorm._BatchNorm)
            for buf in ("running_mean", "running_var")}


def largest_change(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> float:
    """The largest absolute change of any running statistic between two bn_state snapshots (lesson 09)."""
    return max(float(np.max(np.abs(after[key].astype(float) - before[key].astype(float)))) for key in before)


@dataclass(frozen=True)
class ModeEffects:
    """What k MC passes do to a model, done right (only dropout on) and wrong (model.train()) (lesson 09)."""

    right_bn_change: float        # largest change of a BatchNorm buffer: exactly 0 when done right
    wrong_bn_change: float        # ... after the same passes in model.train()
    right_spread: float           # largest sd over passes of a probability: > 0 means dropout is on
    eval_accuracy_before: float   # the deterministic (eval) network on the clean test set
    eval_accuracy_after: float    # ... after k model.train() passes over a batch of other inputs
    bn_row_alone_vs_batch: float  # train mode: largest |BN output of row 0| difference, batch of 2 vs the batch
    bn_row_eval: float            # the same difference in eval mode: exactly 0


def mode_effects(model, x_test: np.ndarray, y_test: np.ndarray, x_other: np.ndarray, k: int = 20,
                 seed: int = 0) -> ModeEffects:
    """Run k MC passes over x_other both ways and measure the side effects (lesson 09). Leaves `model` as it was."""
    import copy
    torch = load("torch")
    model = copy.deepcopy(model)   # the caller's network keeps its statistics

    def accuracy() -> float:
        model.eval()
        with torch.no_grad():
            logits = model(torch.as_tensor(x_test, dtype=torch.float32))
        return float(np.mean(logits.argmax(dim=1).numpy() == np.asarray(y_test)))

    start = bn_state(model)
    right = torch_passes(enable_mc_dropout(model), x_other, k, seed)
    right_change = largest_change(start, bn_state(model))
    before = accuracy()
    torch_passes(model.train(), x_other, k, seed)
    wrong_change = largest_change(start, bn_state(model))
    after = accuracy()
    alone, together = _bn_row_zero(model, x_test, train=True)
    alone_eval, together_eval = _bn_row_zero(model, x_test, train=False)
    return ModeEffects(right_change, wrong_change, float(right.std(axis=0).max()), before, after,
                       float(np.abs(alone - together).max()), float(np.abs(alone_eval - together_eval).max()))


def _bn_row_zero(model, x: np.ndarray, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row 0's output of the first Linear → BatchNorm, in a batch of 2 and in the whole batch."""
    torch = load("torch")
    front = model[:2]                       # Linear, BatchNorm1d
    state = {k: v.clone() for k, v in front.state_dict().items()}
    front.train(train)
    inputs = torch.as_tensor(x, dtype=torch.float32)
    with torch.no_grad():
        alone, together = front(inputs[:2])[0].numpy(), front(inputs)[0].numpy()
    front.load_state_dict(state)           # training-mode calls moved the running statistics: put them back
    model.eval()
    return alone, together


# ---------------------------------------------------------------- the k× cost


@dataclass(frozen=True)
class Cost:
    """What k MC passes cost, against one deterministic pass over the same rows (lesson 09).

    Seconds are medians of repeats on one thread. The multiply-adds are exact: k passes are k
    times the arithmetic. The seconds need not be k times: a call has a fixed cost that a batch
    pays once, and each MC pass draws masks that the deterministic pass never draws.
    """

    k: int
    rows: int
    one_pass: float        # one eval() pass over the rows
    one_row: float         # the same call on a single row: roughly the fixed cost of a call
    looped: float          # k MC passes, one call each
    batched: float         # k MC passes as one call on k·rows rows (a fresh mask per row)
    batched_eval: float    # the same k·rows rows with dropout off: the arithmetic and one call, no masks
    multiply_adds: int     # of the Linear layers, for one pass over the rows

    def ratio(self, which: str) -> float:
        """Seconds of 'looped', 'batched' or 'batched_eval' over one deterministic pass."""
        if which not in ("looped", "batched", "batched_eval"):
            raise ValueError(f"which must be 'looped', 'batched' or 'batched_eval', got {which!r}")
        return getattr(self, which) / self.one_pass


def linear_multiply_adds(model, rows: int) -> int:
    """Multiply-adds of every nn.Linear for `rows` rows: rows · Σ in·out (lesson 09)."""
    nn = load("torch").nn
    return int(rows) * sum(m.in_features * m.out_features for m in model.modules() if isinstance(m, nn.Linear))


def inference_cost(model, x: np.ndarray, k: int = 50, repeats: int = 5, threads: int = 1) -> Cost:
    """Time one deterministic pass against k MC passes, looped and batched, on `threads` threads (lesson 09).

    One thread by default: on matrices this small, splitting the work costs more in
    synchronisation than it saves, and on a busy machine a thread waiting for its partner can
    dominate every timing. Leaves the model in eval mode.
    """
    torch = load("torch")
    k = _check_k(k)
    inputs = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    tiled = inputs.repeat(k, 1)

    def clock(fn) -> float:
        times = []
        for _ in range(int(repeats)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return float(np.median(times))

    with torch.no_grad(), seeded_torch(0), torch_threads(threads):
        model.eval()
        one, one_row = clock(lambda: model(inputs)), clock(lambda: model(inputs[:1]))
        batched_eval = clock(lambda: model(tiled))
        enable_mc_dropout(model)
        looped = clock(lambda: [model(inputs) for _ in range(k)])
        batched = clock(lambda: model(tiled))
    model.eval()
    return Cost(k, len(inputs), one, one_row, looped, batched, batched_eval, linear_multiply_adds(model, len(inputs)))


# ---------------------------------------------------------------- the same summary in torch and Keras


def summarize_logits_torch(logits: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, variance, entropy, expected entropy and MI of (k, n, C) logits with torch ops, float64 (lesson 09)."""
    torch = load("torch")
    probs = torch.softmax(torch.as_tensor(np.asarray(logits, dtype=np.float64)), dim=-1)
    mean = probs.mean(dim=0)
    total = -torch.special.xlogy(mean, mean).sum(dim=-1)          # xlogy(0, 0) = 0
    expected = -torch.special.xlogy(probs, probs).sum(dim=-1).mean(dim=0)
    return {"mean": mean.numpy(), "variance": probs.var(dim=0, unbiased=False).numpy(),
            "predictive_entropy": total.numpy(), "expected_entropy": expected.numpy(),
            "mutual_information": (total - expected).clamp(min=0).numpy()}


def summarize_logits_keras(logits: np.ndarray) -> dict[str, np.ndarray]:
    """The same five arrays with keras.ops on Keras' configured backend, float64 (lesson 09)."""
    ops = load("keras").ops
    probs = ops.softmax(ops.convert_to_tensor(np.asarray(logits, dtype=np.float64)), axis=-1)

    def h(p):   # p·log p with 0·log 0 = 0: log of 1 where p is 0
        return -ops.sum(p * ops.log(ops.where(p > 0, p, ops.ones_like(p))), axis=-1)

    mean = ops.mean(probs, axis=0)
    total, expected = h(mean), ops.mean(h(probs), axis=0)
    out = {"mean": mean, "variance": ops.var(probs, axis=0), "predictive_entropy": total,
           "expected_entropy": expected, "mutual_information": ops.maximum(total - expected, 0.0)}
    return {name: ops.convert_to_numpy(value) for name, value in out.items()}


# ---------------------------------------------------------------- Keras: training=True flips BatchNorm too


def keras_twin(model):
    """The torch net as a Keras functional model with the same weights and BN statistics (lesson 09).

    Keras' momentum is the weight of the OLD statistic (moving = m·moving + (1 − m)·batch), torch's
    the weight of the new one, so torch's 0.1 becomes 0.9; the epsilons are set equal (1e-5).
    """
    keras = load("keras")
    layers = keras.layers
    linear1, bn, _, drop, linear2 = model
    inputs = keras.Input((linear1.in_features,))
    h = layers.Dense(linear1.out_features, name="dense")(inputs)
    h = layers.BatchNormalization(momentum=1 - bn.momentum, epsilon=bn.eps, name="bn")(h)
    h = layers.ReLU(name="relu")(h)
    h = layers.Dropout(drop.p, seed=0, name="dropout")(h)
    outputs = layers.Dense(linear2.out_features, name="logits")(h)
    twin = keras.Model(inputs, outputs)
    numpy = {name: value.detach().numpy() for name, value in model.state_dict().items()}
    twin.get_layer("dense").set_weights([numpy["0.weight"].T, numpy["0.bias"]])
    twin.get_layer("bn").set_weights([numpy["1.weight"], numpy["1.bias"], numpy["1.running_mean"],
                                      numpy["1.running_var"]])
    twin.get_layer("logits").set_weights([numpy["4.weight"].T, numpy["4.bias"]])
    return twin


@functools.lru_cache(maxsize=1)
def always_dropout_class():
    """A keras.layers.Dropout that drops on every call, whatever `training` it is given (lesson 09)."""
    keras = load("keras")

    class AlwaysDropout(keras.layers.Dropout):
        """Dropout that ignores `training`: the layer-level MC switch that predict() cannot turn off."""

        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    return AlwaysDropout


def keras_always_dropout(model):
    """A clone of a Keras model with every Dropout replaced by AlwaysDropout, same weights (lesson 09)."""
    keras = load("keras")
    always = always_dropout_class()

    def clone(layer):
        if isinstance(layer, keras.layers.Dropout):
            return always.from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())

    twin = keras.models.clone_model(model, clone_function=clone)
    twin.set_weights(model.get_weights())
    return twin


def keras_rebuilt_training_true(model):
    """The Keras-2 recipe: rebuild the functional graph calling the Dropout layers with training=True (lesson 09)."""
    keras = load("keras")
    inputs = keras.Input(model.inputs[0].shape[1:])
    h = inputs
    for layer in model.layers[1:]:
        h = layer(h, training=True) if isinstance(layer, keras.layers.Dropout) else layer(h)
    return keras.Model(inputs, h)


def keras_bn_moving_mean(model) -> np.ndarray:
    """A copy of the first BatchNormalization layer's moving mean (lesson 09)."""
    keras = load("keras")
    bn = next(layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization))
    return np.array(keras.ops.convert_to_numpy(bn.moving_mean))


@dataclass(frozen=True)
class KerasCall:
    """One way of calling a Keras model twice on the same input: does dropout run, does BN move? (lesson 09)"""

    recipe: str
    call: str
    passes_differ: bool
    bn_moved: bool


def keras_calls(model, x: np.ndarray) -> list[KerasCall]:
    """Each MC recipe × each way of calling it, on copies of `model` (lesson 09)."""
    keras = load("keras")
    x = np.asarray(x, dtype=np.float32)
    keras.utils.set_random_seed(0)   # Keras' global seed: Dropout(seed=0) layers are seeded anyway
    recipes = {"plain model": lambda: keras_twin_copy(model),
               "Dropout(...)(h, training=True) rebuild": lambda: keras_rebuilt_training_true(keras_twin_copy(model)),
               "AlwaysDropout clone": lambda: keras_always_dropout(model),
               "BatchNormalization trainable=False": lambda: keras_frozen_bn(model)}
    # training=True last: it is the only call that may move BatchNorm, so each recipe needs one copy only.
    calls = {"model(x)": lambda m: m(x), "model.predict(x)": lambda m: m.predict(x, verbose=0, batch_size=len(x)),
             "model(x, training=True)": lambda m: m(x, training=True)}
    rows = []
    for recipe, build in recipes.items():
        candidate = build()
        for call, run in calls.items():
            before = keras_bn_moving_mean(candidate)
            first, second = (keras.ops.convert_to_numpy(run(candidate)) for _ in range(2))
            rows.append(KerasCall(recipe, call, bool(np.abs(first - second).max() > 1e-6),
                                  bool(np.abs(keras_bn_moving_mean(candidate) - before).max() > 0)))
    return rows


def keras_frozen_bn(model):
    """A copy whose BatchNormalization layers have trainable=False: Keras then runs them in inference mode
    even under training=True (batch_normalization.py: `if training and self.trainable`) (lesson 09)."""
    keras = load("keras")
    twin = keras_twin_copy(model)
    for layer in twin.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    return twin


def keras_twin_copy(model):
    """A fresh functional copy of a Keras model with the same weights (so each recipe starts equal)."""
    keras = load("keras")
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    return twin


# ---------------------------------------------------------------- probes for the exercise checks


def reference_model(seed: int = 0):
    """A fixed torch_net whose BatchNorm statistics come from one batch of seeded inputs (lesson 09)."""
    torch = load("torch")
    model = torch_net(0.5, seed=seed)
    bn = model[1]
    bn.momentum = None                       # cumulative average: after one batch, exactly its statistics
    with seeded_torch(seed), torch.no_grad():
        model.train()(probe_inputs(256, seed + 1))
    bn.momentum = 0.1
    return model.eval()


def probe_inputs(n: int = 32, seed: int = 0):
    """n seeded digit-like inputs in [0, 1], shape (n, 64), as a float32 tensor (lesson 09)."""
    torch = load("torch")
    return torch.as_tensor(np.random.default_rng(seed).random((n, 64)), dtype=torch.float32)


@dataclass(frozen=True)
class MCProbe:
    """What a learner's mc_predict(model, x, k) did to a model handed over in `start` mode (lesson 09)."""

    start: str                      # "eval" or "train": the mode the model was in when the learner got it
    shape: tuple[int, ...]
    expected_shape: tuple[int, int, int]
    rows_sum_to_one: bool
    bn_modes: frozenset[bool]       # BatchNorm's `training` during the calls (must be {False})
    dropout_modes: frozenset[bool]  # Dropout's `training` during the calls (must be {True})
    bn_change: float                # largest change of a BatchNorm running statistic (must be 0)
    max_sd: float                   # largest sd over the k passes of any probability (must be > 0)
    repeated: tuple[int, int] | None   # the first two passes that are bit for bit equal (must be None)
    changed_modes: tuple[str, ...]  # modules whose `training` differs after the call (must be empty)


def first_repeat(out: np.ndarray) -> tuple[int, int] | None:
    """The first pair (s, t), s < t, of passes out[s] == out[t] bit for bit, or None (lesson 09)."""
    for t in range(1, len(out)):
        for s in range(t):
            if np.array_equal(out[s], out[t]):
                return s, t
    return None


def probe_mc_predict(fn: Callable, k: int = 8, start: str = "eval") -> MCProbe:
    """Run fn(model, x, k) on the reference model handed over in `start` mode ("eval", or "train" as right after
    a training loop), watching every BatchNorm and Dropout call and the modes left behind (lesson 09)."""
    if start not in ("eval", "train"):
        raise ValueError(f"start must be 'eval' or 'train', got {start!r}")
    torch = load("torch")
    nn = torch.nn
    model, x = reference_model(), probe_inputs()
    model.train(start == "train")
    seen = {"bn": set(), "dropout": set()}
    for module in model.modules():
        kind = "bn" if isinstance(module, nn.modules.batchnorm._BatchNorm) else \
            "dropout" if isinstance(module, nn.modules.dropout._DropoutNd) else None
        if kind:
            module.register_forward_pre_hook(lambda m, _inputs, kind=kind: seen[kind].add(bool(m.training)))
    start_state, start_modes = bn_state(model), module_modes(model)
    with seeded_torch(12345):   # the learner's masks come from torch's generator: seeded, so the check repeats
        out = fn(model, x, k)
    out = np.asarray(out.detach().numpy() if hasattr(out, "detach") else out, dtype=np.float64)
    sums_ok = out.ndim == 3 and bool(np.allclose(out.sum(axis=-1), 1.0, atol=1e-4))
    after = module_modes(model)
    changed = tuple(name or "the model" for name in start_modes if after.get(name) != start_modes[name])
    return MCProbe(start, out.shape, (k, len(x), 10), sums_ok, frozenset(seen["bn"]), frozenset(seen["dropout"]),
                   largest_change(start_state, bn_state(model)),
                   float(out.std(axis=0).max()) if out.ndim == 3 else 0.0,
                   first_repeat(out) if out.ndim == 3 else None, changed)


PROBE_RATE = 0.3   # not 0.5: a learner's clone that hard-codes Dropout(0.5) shows up


def keras_probe_model(rate: float = PROBE_RATE, seed: int = 0):
    """The Keras check's model, 64 → 10 (Dense, BatchNormalization, Dropout(rate)) → an identity Dense (lesson 09).

    The identity read-out makes each pass's logits the dropout output itself, so the check can read the mask
    back from the softmax. BatchNorm's moving statistics sit one batch-sd off the probe batch's own, so a
    pass that used batch statistics gives other logits. Returns (model, x, inference, training): the probe
    inputs and the logits with no unit dropped when BN uses its moving / the batch's statistics.
    """
    keras = load("keras")
    layers = keras.layers
    rng = np.random.default_rng(check_seed(seed))
    x = probe_inputs().numpy()
    kernel = rng.normal(0, 0.5, (64, 10)).astype(np.float32)
    bias = rng.normal(0, 0.1, 10).astype(np.float32)
    pre = x.astype(np.float64) @ kernel + bias
    gamma, beta = rng.uniform(1, 2, 10).astype(np.float32), rng.normal(0, 0.5, 10).astype(np.float32)
    moving_mean = (pre.mean(axis=0) + pre.std(axis=0)).astype(np.float32)
    moving_var = (4 * pre.var(axis=0)).astype(np.float32)
    inputs = keras.Input((64,))
    h = layers.Dense(10, name="dense")(inputs)
    bn = layers.BatchNormalization(name="bn")
    h = layers.Dropout(check_rate(rate), seed=0, name="dropout")(bn(h))
    outputs = layers.Dense(10, name="logits")(h)
    model = keras.Model(inputs, outputs)
    model.get_layer("dense").set_weights([kernel, bias])
    bn.set_weights([gamma, beta, moving_mean, moving_var])
    model.get_layer("logits").set_weights([np.eye(10, dtype=np.float32), np.zeros(10, np.float32)])

    def normalised(mean, var):
        return (gamma * (pre - mean) / np.sqrt(var + bn.epsilon) + beta) / (1 - rate)   # survivors' logits

    return model, x, normalised(moving_mean, moving_var), normalised(pre.mean(axis=0), pre.var(axis=0))


def read_masks(probs: np.ndarray, kept_logits: np.ndarray, tol: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """Read each pass's keep mask back from softmax(mask · kept_logits) (lesson 09).

    probs (k, n, C); kept_logits (n, C), the logits when every unit is kept. Softmax forgets one constant per
    row, so try each: the one making unit j's logit 0 (j dropped), and the one with every unit kept. Returns
    `fits` (k, n), whether some mask reproduces the row within tol, and that mask (k, n, C; True = kept).
    """
    logp = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-300, None))
    shifts = np.concatenate([-logp, (kept_logits - logp).mean(axis=-1, keepdims=True)], axis=-1)   # (k, n, C+1)
    logits = logp[..., None, :] + shifts[..., :, None]                                              # (k, n, C+1, C)
    dropped, kept = np.abs(logits) < tol, np.abs(logits - kept_logits[:, None, :]) < tol
    fits = (dropped | kept).all(axis=-1)
    first = fits.argmax(axis=-1)[..., None, None]
    return fits.any(axis=-1), np.take_along_axis(kept & ~dropped, first, axis=-2)[..., 0, :]


def _keras_state(model) -> tuple[list[bool], list[np.ndarray]]:
    return [bool(layer.trainable) for layer in model.layers], [np.array(w) for w in model.get_weights()]


@dataclass(frozen=True)
class KerasProbe:
    """What a learner's keras_mc_predict(model, x, k) did on keras_probe_model (lesson 09)."""

    shape: tuple[int, ...]
    expected_shape: tuple[int, int, int]
    rows_sum_to_one: bool
    inference_fit: float            # share of (pass, row) that are the network with BN in inference, some mask
    training_fit: float             # ... with BN on the batch's statistics (training mode)
    deterministic: bool             # every pass is the inference network itself: dropout off
    dropped: bool                   # some pass dropped some unit
    repeated: tuple[int, int] | None   # two passes with the same mask on every row (must be None)
    bn_change: float                # largest change of BN's moving mean
    changed: tuple[str, ...]        # what the function changed in the model it was given (must be empty)
    rate: float


def probe_keras_mc_predict(fn: Callable, k: int = 8) -> KerasProbe:
    """Run fn(model, x, k) on keras_probe_model and read every pass's mask back (lesson 09)."""
    keras = load("keras")
    model, x, inference, training = keras_probe_model()
    keras.utils.set_random_seed(12345)
    flags, weights = _keras_state(model)
    before = keras_bn_moving_mean(model)
    out = np.asarray(fn(model, x, k), dtype=np.float64)
    flags_after, weights_after = _keras_state(model)
    changed = tuple(f"{layer.name}.trainable" for layer, a, b in zip(model.layers, flags, flags_after) if a != b)
    if len(weights) != len(weights_after) or any(not np.array_equal(a, b) for a, b in zip(weights, weights_after)):
        changed += ("the weights",)
    bn_change = float(np.abs(keras_bn_moving_mean(model) - before).max())
    if out.shape != (k, len(x), 10):
        return KerasProbe(out.shape, (k, len(x), 10), False, 0.0, 0.0, False, False, None, bn_change, changed,
                          PROBE_RATE)
    sums_ok = bool(np.allclose(out.sum(axis=-1), 1.0, atol=1e-4))
    plain = np.exp(inference * (1 - PROBE_RATE))       # no unit dropped, no 1/keep: the inference network
    deterministic = bool(np.abs(out - plain / plain.sum(axis=-1, keepdims=True)).max() < 1e-5)
    fits, masks = read_masks(out, inference)
    training_fits = read_masks(out, training)[0]
    certain = np.abs(inference) > 0.05            # a unit whose logit is ~0 reads the same kept or dropped
    return KerasProbe(out.shape, (k, len(x), 10), sums_ok, float(fits.mean()), float(training_fits.mean()),
                      deterministic, bool(np.any(~masks & certain)), first_repeat(np.where(certain, masks, False)),
                      bn_change, changed, PROBE_RATE)
