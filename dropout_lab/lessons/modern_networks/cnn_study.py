"""Where dropout goes in a small CNN, and how its rate changes with depth: the study behind lesson 11 §1.

A two-conv CNN on scikit-learn's real 8×8 digits (offline), trained with torch on the CPU
under several dropout layouts and seeds. A full run takes minutes, so its results are
stored next to this file; regenerate them with

    python -m dropout_lab.lessons.modern_networks.cnn_study

The lesson re-runs the stored short `live_check` run and asserts that it reproduces.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..._validate import check_rate
from ...data import load_digits_split
from ...frameworks import load, seeded_torch, torch_threads

RESULTS = Path(__file__).with_name("cnn_study.json")


@dataclass(frozen=True)
class Layout:
    """Dropout rates after conv 1, after conv 2 (+ pool), and in the fully connected head (lesson 11)."""

    conv1: float
    conv2: float
    head: float
    spatial: bool = True   # Dropout2d (whole channels) on the feature maps, else element-wise Dropout

    def __post_init__(self) -> None:
        for rate in (self.conv1, self.conv2, self.head):
            check_rate(rate)


# Each layout once: "spatial rising" is also the spatial side of the element-wise comparison.
LAYOUTS: dict[str, Layout] = {
    "none": Layout(0.0, 0.0, 0.0),
    "head only 0.5": Layout(0.0, 0.0, 0.5),
    "element-wise rising 0.1, 0.2, 0.3": Layout(0.1, 0.2, 0.3, spatial=False),
    "spatial rising 0.1, 0.2, 0.3": Layout(0.1, 0.2, 0.3),
    "spatial constant 0.2, 0.2, 0.2": Layout(0.2, 0.2, 0.2),
    "spatial falling 0.3, 0.2, 0.1": Layout(0.3, 0.2, 0.1),
}
METRICS = ("test_error", "test_nll")   # what summarise and paired read from each stored run


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on besides its layout and seed."""

    n_train: int = 400
    epochs: int = 30
    batch_size: int = 32
    lr: float = 3e-3
    split_seed: int = 0


FULL = Settings()
SEEDS = tuple(range(16))
LIVE = ("spatial rising 0.1, 0.2, 0.3", 0, Settings(epochs=2))   # what the lesson re-runs


def build_cnn(torch, layout: Layout):
    """conv(1→8) ReLU [drop] conv(8→16) ReLU maxpool [drop] flatten(256) fc(64) ReLU [drop] fc(10)."""
    nn = torch.nn
    maps = nn.Dropout2d if layout.spatial else nn.Dropout
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), maps(layout.conv1),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), maps(layout.conv2),
                         nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Dropout(layout.head), nn.Linear(64, 10))


@dataclass(frozen=True)
class Run:
    """One trained network's numbers, measured in eval mode (dropout off)."""

    layout: str
    seed: int
    test_error: float
    test_nll: float
    train_nll: float


def _tensors(torch, settings: Settings):
    data = load_digits_split(seed=settings.split_seed)
    as_images = lambda x: torch.tensor(x, dtype=torch.float32).reshape(-1, 1, 8, 8)  # noqa: E731
    return (as_images(data.x_train[:settings.n_train]), torch.tensor(data.y_train[:settings.n_train]),
            as_images(data.x_test), torch.tensor(data.y_test))


def _evaluate(torch, net, x, y) -> tuple[float, float]:
    net.eval()
    with torch.no_grad():
        logits = net(x)
        nll = float(torch.nn.functional.cross_entropy(logits, y))
        error = float((logits.argmax(dim=1) != y).float().mean())
    return error, nll


@dataclass(frozen=True)
class Fitted:
    """A trained network with its numbers (lesson 11)."""

    run: Run
    net: object   # the torch.nn.Sequential of build_cnn, in eval mode


def fit_cnn(name: str, seed: int, settings: Settings = FULL, on_epoch: Callable[[], None] | None = None) -> Fitted:
    """Train the CNN with layout LAYOUTS[name] from seed `seed` (init, batch order and masks); keep the net."""
    if name not in LAYOUTS:
        raise ValueError(f"name must be one of {list(LAYOUTS)}, got {name!r}")
    torch = load("torch")
    x, y, x_test, y_test = _tensors(torch, settings)
    with torch_threads(1), seeded_torch(seed):
        net = build_cnn(torch, LAYOUTS[name])
        optimiser = torch.optim.Adam(net.parameters(), lr=settings.lr)
        for _ in range(settings.epochs):
            net.train()
            for batch in torch.randperm(len(x)).split(settings.batch_size):
                loss = torch.nn.functional.cross_entropy(net(x[batch]), y[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            if on_epoch is not None:
                on_epoch()
        test_error, test_nll = _evaluate(torch, net, x_test, y_test)
        _, train_nll = _evaluate(torch, net, x, y)
    return Fitted(Run(name, seed, test_error, test_nll, train_nll), net)


def train_cnn(name: str, seed: int, settings: Settings = FULL, on_epoch: Callable[[], None] | None = None) -> Run:
    """Train the CNN with layout LAYOUTS[name] from seed `seed` (init, batch order and masks) (lesson 11)."""
    return fit_cnn(name, seed, settings, on_epoch).run


# build_cnn's two feature-map dropout layers: what they receive, by the maps' size
DROP_SITES = {"after conv 1 (8 channels, 8×8)": 2, "after conv 2 + pool (16 channels, 4×4)": 6}


def site_maps(net, settings: Settings = FULL) -> dict[str, np.ndarray]:
    """The feature maps each map-dropout layer of a trained net receives, on the test digits, eval mode (lesson 11)."""
    torch = load("torch")
    _, _, x_test, _ = _tensors(torch, settings)
    seen: dict[str, np.ndarray] = {}
    hooks = [net[index].register_forward_hook(
        lambda module, args, out, name=name: seen.__setitem__(name, args[0].detach().numpy().astype(np.float64)))
        for name, index in DROP_SITES.items()]
    try:
        net.eval()
        with torch.no_grad():
            net(x_test)
    finally:
        for hook in hooks:
            hook.remove()
    return {name: seen[name] for name in DROP_SITES}


# ---------------------------------------------------------------- stored results and their summary


def run_study(seeds: tuple[int, ...] = SEEDS, settings: Settings = FULL,
              on_run: Callable[[Run], None] | None = None) -> dict:
    """Every layout × seed, plus the short live-check run, as a JSON-ready dict."""
    runs = []
    for name in LAYOUTS:
        for seed in seeds:
            runs.append(train_cnn(name, seed, settings))
            if on_run is not None:
                on_run(runs[-1])
    live_name, live_seed, live_settings = LIVE
    return {"settings": asdict(settings), "seeds": list(seeds),
            "layouts": {name: asdict(layout) for name, layout in LAYOUTS.items()},
            "runs": [asdict(run) for run in runs],
            "live_check": {"settings": asdict(live_settings), **asdict(train_cnn(live_name, live_seed, live_settings))}}


def load_results(path: Path = RESULTS) -> dict:
    """The stored study (see the module docstring for how it was made)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Summary:
    """One metric of one layout over seeds: mean and standard error (lesson 11)."""

    layout: str
    mean: float
    se: float
    n: int
    metric: str = "test_error"


@dataclass(frozen=True)
class Paired:
    """Paired difference of a metric (a − b) over the same seeds: mean, standard error, wins of a (lesson 11)."""

    a: str
    b: str
    mean: float
    se: float
    a_better: int   # seeds on which a is lower (better: both metrics are losses)
    n: int
    metric: str = "test_error"

    def chance(self, threshold: float = 3.0) -> float:
        """P(|t| >= threshold) for a true difference of 0: Student's t with n - 1 degrees of freedom."""
        from scipy import stats
        return float(2 * stats.t.sf(threshold, self.n - 1))

    @property
    def ses(self) -> float:
        """How many standard errors the mean difference lies from 0 (its t statistic)."""
        if self.se > 0:
            return self.mean / self.se
        return 0.0 if self.mean == 0 else math.copysign(math.inf, self.mean)


def _check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {list(METRICS)}, got {metric!r}")
    return metric


def _values(results: dict, layout: str, metric: str) -> dict[int, float]:
    return {run["seed"]: run[metric] for run in results["runs"] if run["layout"] == layout}


def summarise(results: dict, metric: str = "test_error") -> list[Summary]:
    """Mean ± standard error of `metric` ("test_error" or "test_nll") for every stored layout."""
    metric = _check_metric(metric)
    out = []
    for name in results["layouts"]:
        values = np.array(list(_values(results, name, metric).values()))
        out.append(Summary(name, float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values))),
                           len(values), metric))
    return out


def paired(results: dict, a: str, b: str, metric: str = "test_error") -> Paired:
    """Paired difference of `metric`, a − b, over the seeds both have (same seed: same init and data order)."""
    metric = _check_metric(metric)
    ea, eb = _values(results, a, metric), _values(results, b, metric)
    seeds = sorted(set(ea) & set(eb))
    if len(seeds) < 2:
        raise ValueError(f"a and b must share at least 2 seeds; {a!r} and {b!r} share {len(seeds)}")
    diff = np.array([ea[s] - eb[s] for s in seeds])
    return Paired(a, b, float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(len(diff))),
                  int((diff < 0).sum()), len(diff), metric)


def main() -> None:
    """Run the full study and store it next to this file (minutes on a CPU)."""
    results = run_study(on_run=lambda run: print(f"{run.layout:<40} seed {run.seed}: test error {run.test_error:.4f}"))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
