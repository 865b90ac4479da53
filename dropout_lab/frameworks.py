"""The same dropout through NumPy, PyTorch and Keras 3, imported only when asked (lessons 00, 01, 04)."""
from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ._validate import as_float_array, check_rate, check_seed
from .core import dropout_forward

FRAMEWORKS = ("numpy", "torch", "keras")
# The same requirements as pyproject.toml's extras (tests/test_packaging.py keeps them in step).
# torch is bounded above: an unbounded pip install may pull a multi-GB CUDA build of a newer release.
TORCH_REQUIREMENT = "torch>=2.7,<=2.13.0"
KERAS_REQUIREMENTS = ("keras>=3.5", "tensorflow-cpu>=2.16", "tensorflow>=2.16")
INSTALL_HINTS = {
    "torch": f"pip install '{TORCH_REQUIREMENT}'   (or, in the course folder: pip install -e '.[torch]')",
    "keras": f"pip install '{KERAS_REQUIREMENTS[0]}' '{KERAS_REQUIREMENTS[1]}' on Linux x86-64, "
             f"'{KERAS_REQUIREMENTS[0]}' '{KERAS_REQUIREMENTS[2]}' elsewhere   "
             "(or, in the course folder: pip install -e '.[keras]')",
}


class FrameworkNotInstalled(ImportError):
    """Raised when a lesson asks for a framework that is not installed, with how to install it."""


def quiet_tensorflow() -> None:
    """Keep TensorFlow's C++ log lines and oneDNN notice out of notebook outputs."""
    # Must happen before TensorFlow is first imported; setdefault respects the learner's choice.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def is_installed(framework: str) -> bool:
    """True when `framework` can be imported (checked without importing it)."""
    _check_framework(framework)
    return framework == "numpy" or importlib.util.find_spec(framework) is not None


def load(framework: str):
    """Import and return the framework module, or raise FrameworkNotInstalled saying how to get it."""
    _check_framework(framework)
    if framework == "keras":
        quiet_tensorflow()
    if not is_installed(framework):
        raise FrameworkNotInstalled(f"{framework} is not installed. Install it with: {INSTALL_HINTS[framework]}")
    return importlib.import_module(framework)


def _check_framework(framework: str) -> None:
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {FRAMEWORKS}, got {framework!r}")


def torch_device(device: str | None = None) -> str:
    """The torch device to use: `device` if given, else 'cuda' when a GPU is present, else 'cpu'."""
    if device is not None:
        return device
    torch = load("torch")
    return "cuda" if torch.cuda.is_available() else "cpu"


def keras_backend() -> str:
    """The configured Keras 3 backend ('tensorflow' unless KERAS_BACKEND says otherwise)."""
    return load("keras").backend.backend()


def keras_device(device: str | None = None) -> str:
    """The device Keras will use: `device` if given, else the backend's GPU when present, else CPU.

    Keras reads the backend from KERAS_BACKEND or ~/.keras/keras.json ("backend"); it is
    TensorFlow when neither sets one.
    """
    if device is not None:
        return device
    backend = keras_backend()
    if backend == "torch":
        return "cuda:0" if torch_device() == "cuda" else "cpu:0"
    if backend == "tensorflow":
        tf = importlib.import_module("tensorflow")
        return "gpu:0" if tf.config.list_physical_devices("GPU") else "cpu:0"
    if backend == "jax":
        first = importlib.import_module("jax").devices()[0]  # JAX puts arrays on its first device
        return f"{first.platform}:{first.id}"
    return f"cpu:0 (backend {backend!r}: device not detected)"


@dataclass(frozen=True)
class FrameworkInfo:
    """What a lesson needs to know about one framework: version, device, how to install it."""

    name: str
    installed: bool
    version: str | None
    device: str | None
    detail: str

    def line(self) -> str:
        """One human-readable line, e.g. 'torch 2.13.0 — device: cpu'."""
        if not self.installed:
            return f"{self.name}: not installed — {self.detail}"
        return f"{self.name} {self.version} — device: {self.device}{self.detail}"


def framework_info(framework: str) -> FrameworkInfo:
    """Version and device of one framework, or how to install it (lesson 00)."""
    if not is_installed(framework):
        return FrameworkInfo(framework, False, None, None, INSTALL_HINTS[framework])
    if framework == "numpy":
        return FrameworkInfo("numpy", True, np.__version__, "cpu", "")
    module = load(framework)
    if framework == "torch":
        return FrameworkInfo("torch", True, module.__version__, torch_device(), "")
    return FrameworkInfo("keras", True, module.__version__, keras_device(), f" (backend: {keras_backend()})")


def describe_frameworks() -> str:
    """One line per framework: version and device, or how to install it (lesson 00)."""
    return "\n".join(framework_info(name).line() for name in FRAMEWORKS)


@contextmanager
def seeded_torch(seed: int, device: str | None = None) -> Iterator[object]:
    """Seed torch's global generator(s) for one block only, and yield torch (lessons 01, 04, 08).

    `F.dropout` and `nn.Dropout` take no generator, so a reproducible torch dropout needs the
    global one seeded. `fork_rng` saves its state (and the GPU's, for a CUDA `device`) and
    puts it back afterwards: nothing outside the block sees a changed random stream.
    """
    torch = load("torch")
    seed = check_seed(seed)
    cuda = [torch.device(device).index or 0] if device and str(device).startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield torch


@contextmanager
def torch_threads(count: int = 1) -> Iterator[object]:
    """Run torch on `count` intra-op threads for one block, then restore the setting; yield torch (lessons 08-11).

    The lessons' networks are tiny: on a shared 2-core machine a second thread mostly waits for
    the first (lesson 10's study: 37 s wall with two, 12 s with one), and one thread also keeps
    every sum in one order, so results do not depend on the machine's core count.
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive int (threads), got {count!r}")
    torch = load("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(int(count))
    try:
        yield torch
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class DropoutRun:
    """A framework's dropout output as a NumPy array, and the device the framework really used."""

    output: np.ndarray
    device: str


def run_dropout(framework: str, x: object, rate: float, *, seed: int, training: bool = True,
                device: str | None = None) -> np.ndarray:
    """Run the framework's own dropout on `x` and return a NumPy array (lessons 01, 04)."""
    return run_dropout_on(framework, x, rate, seed=seed, training=training, device=device).output


def run_dropout_on(framework: str, x: object, rate: float, *, seed: int, training: bool = True,
                   device: str | None = None) -> DropoutRun:
    """run_dropout, also saying where the work ran: the GPU when present unless `device` says otherwise."""
    _check_framework(framework)
    x = as_float_array(x)
    rate = check_rate(rate)
    seed = check_seed(seed)
    runner = {"numpy": _run_numpy, "torch": _run_torch, "keras": _run_keras}[framework]
    return runner(x, rate, seed, training, device)


def _run_numpy(x, rate, seed, training, device) -> DropoutRun:
    return DropoutRun(dropout_forward(x, rate, np.random.default_rng(seed), training=training)[0], "cpu")


def _run_torch(x, rate, seed, training, device) -> DropoutRun:
    torch = load("torch")
    device = torch_device(device)
    tensor = torch.as_tensor(x, device=device)
    with seeded_torch(seed, device):
        out = torch.nn.functional.dropout(tensor, rate, training=training)
    return DropoutRun(out.detach().cpu().numpy(), str(out.device))


def _run_keras(x, rate, seed, training, device) -> DropoutRun:
    keras = load("keras")
    layer = keras.layers.Dropout(rate, seed=seed, dtype=str(x.dtype))
    with keras.device(keras_device(device)):
        out = layer(keras.ops.convert_to_tensor(x, dtype=str(x.dtype)), training=training)
    # TF tensors name their device ('/job:localhost/.../device:GPU:0'); torch tensors have a torch.device.
    used = str(getattr(out, "device", keras_device(device)))
    return DropoutRun(keras.ops.convert_to_numpy(out), used)
