"""Check a learner's setup and say what to do about each problem (lesson 00).

    .venv/bin/python -m dropout_lab.doctor     (or `python -m dropout_lab.doctor` in any install)

Prints Python, package versions, the devices torch and Keras use (and the GPU, or why torch
cannot see one), which lessons need a framework that is missing, whether the ipywidgets
JupyterLab extension is installed and enabled, and whether each running JupyterLab server has
it active. Each line is printed as soon as it is known (importing torch and TensorFlow takes
a few seconds). Exit code 0 when all is well, 1 otherwise. Works on a minimal install too
(`pip install dropout-lab` without the lab extras): what is missing is reported, not raised.
"""
from __future__ import annotations

import html
import importlib.metadata as metadata
import json
import platform
import re
import sys
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_PYTHON = ((3, 10), (3, 12))
SETUP_FIX = "run `make setup` in the course folder (or: pip install -e '.[all]')"
# Distribution names, as pip knows them; alternatives separated by "|".
PACKAGES = ("numpy", "scipy", "matplotlib", "scikit-learn", "ipywidgets", "jupyterlab",
            "jupyterlab_widgets", "ipykernel", "tensorflow-cpu|tensorflow")
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
_CONFIG_DATA = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was found and, for a problem, what to do."""

    ok: bool
    what: str
    fix: str = ""

    def lines(self) -> list[str]:
        out = [f"  {'ok ' if self.ok else 'XX '} {self.what}"]
        label = "fix" if not self.ok else "hint"  # an ok line may still say how to do better
        return out + ([f"       {label}: {self.fix}"] if self.fix else [])


def check_python(version: tuple[int, int] = sys.version_info[:2]) -> Finding:
    """Python must be one the course supports (3.10-3.12)."""
    low, high = SUPPORTED_PYTHON
    shown = platform.python_version() if tuple(version) == sys.version_info[:2] else f"{version[0]}.{version[1]}"
    text = f"Python {shown} ({sys.executable})"
    if low <= tuple(version) <= high:
        return Finding(True, text)
    return Finding(False, f"{text} is not supported (3.10-3.12)",
                   "install Python 3.11, then `make clean && make setup PYTHON=python3.11`")


def check_package(name: str) -> Finding:
    """Installed version of one distribution (first of the alternatives that is installed)."""
    for candidate in name.split("|"):
        try:
            return Finding(True, f"{candidate} {metadata.version(candidate)}")
        except metadata.PackageNotFoundError:
            continue
    return Finding(False, f"{name.split('|')[0]} is not installed", SETUP_FIX)


def check_widget_versions() -> Finding | None:
    """ipywidgets 8 needs the JupyterLab manager from jupyterlab_widgets 3."""
    try:
        widgets, lab = metadata.version("ipywidgets"), metadata.version("jupyterlab_widgets")
    except metadata.PackageNotFoundError:
        return None  # reported by check_package
    if widgets.split(".")[0] == "8" and lab.split(".")[0] != "3":
        return Finding(False, f"ipywidgets {widgets} with jupyterlab_widgets {lab}: sliders will not show",
                       "pip install 'jupyterlab_widgets>=3,<4', then restart JupyterLab")
    return None


def lessons_needing(framework: str) -> list[str]:
    """The numbers of the lessons that import `framework` (from the manifest)."""
    from .lessons import LESSONS
    return [lesson.number for lesson in LESSONS if framework in lesson.frameworks]


def check_frameworks() -> list[Finding]:
    """torch and Keras: version and device, via dl.framework_info; a missing one names the lessons it blocks."""
    from .frameworks import framework_info
    findings = []
    for name in ("numpy", "torch", "keras"):
        try:
            info = framework_info(name)
        except Exception as error:  # a broken install must be reported, not crash the doctor
            findings.append(Finding(False, f"{name} fails to import: {error}", SETUP_FIX))
            continue
        if info.installed:
            findings.append(Finding(True, info.line()))
        else:
            needed = ", ".join(lessons_needing(name)) or "none"
            findings.append(Finding(False, f"{name} is not installed (lessons that need it: {needed})", info.detail))
    return findings


def cuda_hint() -> str:
    """How to get a CUDA build of torch, within the same bound as pyproject.toml's torch extra."""
    from .frameworks import TORCH_REQUIREMENT
    return ("to use a GPU, install a CUDA build of torch within the course's bound from PyTorch's own index, e.g. "
            f"pip install '{TORCH_REQUIREMENT}' --index-url https://download.pytorch.org/whl/cu126 "
            "(pick the CUDA version your driver supports: https://pytorch.org/get-started/locally/)")


def check_gpu() -> Finding:
    """The GPU torch sees, or why it sees none (a CPU-only build, no driver or device). A CPU is fine."""
    try:
        import torch
    except Exception:  # no torch: check_frameworks already said so
        return Finding(True, "GPU: not checked (torch is not installed); every lesson runs on the CPU")
    if torch.cuda.is_available():
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        return Finding(True, f"GPU: {names} (CUDA {torch.version.cuda}); torch and Keras lessons use it")
    if torch.version.cuda is None:
        return Finding(True, f"GPU: none used — this torch ({torch.__version__}) is a CPU-only build; every "
                             f"lesson runs on the CPU", cuda_hint())
    return Finding(True, f"GPU: none visible — torch {torch.__version__} is built for CUDA {torch.version.cuda} "
                         "but finds no driver or device (nvidia-smi shows what the driver sees); "
                         "lessons run on the CPU")


def disabled_extensions(config_dirs: Iterable[str]) -> set[str]:
    """Extensions disabled in any labconfig/page_config.json (as `jupyter labextension disable` writes)."""
    disabled: set[str] = set()
    for folder in config_dirs:
        path = Path(folder) / "labconfig" / "page_config.json"
        try:
            entries = json.loads(path.read_text()).get("disabledExtensions", {})
        except (OSError, ValueError):
            continue
        if isinstance(entries, dict):
            disabled |= {name for name, off in entries.items() if off}
        else:
            disabled |= set(entries)
    return disabled


def check_widget_extension(data_dirs: Iterable[str] | None = None,
                           config_dirs: Iterable[str] | None = None) -> Finding:
    """The ipywidgets JupyterLab extension must be installed and not disabled."""
    if data_dirs is None or config_dirs is None:
        try:
            from jupyter_core.paths import jupyter_config_path, jupyter_path
        except ImportError:
            return Finding(False, "Jupyter is not installed (no jupyter_core), so the widget extension cannot be "
                                  "checked and the lessons cannot be opened", SETUP_FIX)
        data_dirs = jupyter_path("labextensions") if data_dirs is None else data_dirs
        config_dirs = jupyter_config_path() if config_dirs is None else config_dirs
    found = [Path(d) / WIDGET_EXTENSION / "package.json" for d in data_dirs]
    found = [p for p in found if p.is_file()]
    if not found:
        return Finding(False, f"ipywidgets JupyterLab extension ({WIDGET_EXTENSION}) is not installed",
                       "pip install 'jupyterlab_widgets>=3' (part of `make setup`), then restart JupyterLab")
    version = json.loads(found[0].read_text()).get("version", "?")
    if WIDGET_EXTENSION in disabled_extensions(config_dirs):
        return Finding(False, f"ipywidgets JupyterLab extension {version} is installed but disabled",
                       f"jupyter labextension enable {WIDGET_EXTENSION}, then restart JupyterLab")
    return Finding(True, f"ipywidgets JupyterLab extension {version}: installed, enabled ({found[0].parent})")


def widget_extension_active(page_html: str) -> bool | None:
    """From a JupyterLab page: is the widget manager loaded? None when the page has no config."""
    match = _CONFIG_DATA.search(page_html)
    if not match:
        return None
    config = json.loads(html.unescape(match.group(1)))
    loaded = {ext.get("name") for ext in config.get("federated_extensions", [])}
    disabled = config.get("disabledExtensions", [])
    return WIDGET_EXTENSION in loaded and WIDGET_EXTENSION not in disabled


def fetch_lab_page(server: dict, timeout: float = 3.0) -> str:
    """The /lab page of a running server (its token attached)."""
    url = f"{server['url'].rstrip('/')}/lab?token={server.get('token', '')}"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def running_servers() -> list[dict]:
    """Jupyter servers this user has running (from the Jupyter runtime directory)."""
    from jupyter_server.serverapp import list_running_servers
    return list(list_running_servers())


def check_servers(servers: list[dict], fetch: Callable[[dict], str] = fetch_lab_page) -> list[Finding]:
    """For each running JupyterLab: is the widget extension active in it?"""
    if not servers:
        return [Finding(True, "no running JupyterLab found (start the course with `make lab`)")]
    findings = []
    for server in servers:
        where = f"JupyterLab at {server['url']} (pid {server.get('pid', '?')}, folder {server.get('root_dir', '?')})"
        try:
            active = widget_extension_active(fetch(server))
        except OSError as error:
            findings.append(Finding(True, f"{where}: could not be asked ({error}); if its sliders show as "
                                          "text, restart it with `make lab`"))
            continue
        if active:
            findings.append(Finding(True, f"{where}: widget extension active"))
        elif active is None:
            findings.append(Finding(True, f"{where}: not a JupyterLab page; open the course with `make lab`"))
        else:
            findings.append(Finding(False, f"{where}: widget extension NOT active, sliders show as text",
                                    "stop that server and start the course from this environment with "
                                    "`make lab` (it includes jupyterlab_widgets)"))
    return findings


def run_checks(servers: Callable[[], list[dict]] = running_servers) -> Iterator[Finding]:
    """Every check, in the order the report prints them, each yielded as soon as it is done."""
    yield check_python()
    yield from (check_package(name) for name in PACKAGES)
    yield from (f for f in [check_widget_versions()] if f)
    yield from check_frameworks()
    yield check_gpu()
    yield check_widget_extension()
    try:
        yield from check_servers(servers())
    except Exception as error:  # no jupyter_server: already reported as a missing package
        yield Finding(False, f"cannot list running servers: {error}", SETUP_FIX)


HEADER = "Dropout Lab doctor: checking your setup (importing torch and TensorFlow takes a few seconds) ..."


def verdict(findings: list[Finding]) -> str:
    """The last line: all good, or how many problems."""
    problems = sum(not f.ok for f in findings)
    return "All good." if not problems else f"{problems} problem(s): see the 'fix:' lines above."


def report(findings: list[Finding]) -> str:
    """The whole report as one text, ending with the verdict."""
    return "\n".join([HEADER, *(line for f in findings for line in f.lines()), verdict(findings)])


def main() -> int:
    """Print each finding as it is made, then the verdict; 0 when all is well, 1 otherwise."""
    print(HEADER, flush=True)
    findings = []
    for finding in run_checks():
        findings.append(finding)
        print("\n".join(finding.lines()), flush=True)
    print(verdict(findings))
    return 0 if all(f.ok for f in findings) else 1


if __name__ == "__main__":
    sys.exit(main())
