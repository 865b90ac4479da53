"""The house's import rules, read from the source: layers never import upwards (issue 8).

    core      _validate, core, fast, stats       NumPy only
    shared    frameworks, speed, mlp, data, ...  + the frameworks (lazily), never UI
    ui        figures -> dashboard; checks; progress
    lesson    compute -> plots -> widgets; exercises (+ solutions)

A lesson's compute imports no plotting, widget, exercise or ipywidgets code; plots no
widgets; widgets no exercises; no lesson imports another lesson. Function-level imports
count too. A new lesson folder is checked the moment it exists.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dropout_lab"
LESSON_ROLES = ("plots", "widgets", "exercises", "solutions")
UI_LIBRARIES = ("matplotlib", "ipywidgets", "IPython")
CORE = {"dropout_lab._validate", "dropout_lab.core", "dropout_lab.fast", "dropout_lab.stats", "dropout_lab._lazy"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imported_names(source: str, module: str, package: bool) -> set[str]:
    """Every module a source file imports, anywhere in it, as absolute dotted names."""
    names: set[str] = set()
    base = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                root = base[: len(base) - node.level + 1]
                target = ".".join(root + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.add(target)
            # `from . import compute` imports the module dropout_lab.lessons.x.compute
            names |= {f"{target}.{alias.name}" for alias in node.names if is_module(f"{target}.{alias.name}")}
    return names


def is_module(dotted: str) -> bool:
    """True for a module or package of dropout_lab (or a lesson role's name, for planted examples)."""
    relative = Path(*dotted.split(".")[1:]) if dotted.startswith("dropout_lab.") else None
    if relative is None:
        return False
    if (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file():
        return True
    return dotted.startswith("dropout_lab.lessons.") and dotted.rsplit(".", 1)[1] in LESSON_ROLES + ("compute",)


@dataclass(frozen=True)
class Layer:
    name: str
    forbidden: tuple[str, ...]  # prefixes this layer must not import


def layer_of(module: str) -> Layer | None:
    """The layer a package module belongs to and the imports it must not make."""
    parts = module.split(".")
    upper_ui = ("dropout_lab.ui", "dropout_lab.lessons.")
    if module in CORE:
        return Layer("core", UI_LIBRARIES + ("torch", "keras", "tensorflow", "dropout_lab.frameworks",
                                             "dropout_lab.mlp", "dropout_lab.data", "dropout_lab.speed") + upper_ui)
    if module == "dropout_lab.lessons":
        return Layer("manifest", UI_LIBRARIES + ("dropout_lab.ui", "dropout_lab.lessons."))
    if module.startswith("dropout_lab.ui."):
        role = parts[2]
        others = {"figures": ("ipywidgets", "IPython", "dropout_lab.ui.dashboard", "dropout_lab.ui.checks",
                              "dropout_lab.ui.progress"),
                  "dashboard": ("dropout_lab.ui.checks", "dropout_lab.ui.progress"),
                  "checks": ("matplotlib", "ipywidgets", "dropout_lab.ui.figures", "dropout_lab.ui.dashboard"),
                  "progress": ("matplotlib", "dropout_lab.ui.figures", "dropout_lab.ui.checks")}.get(role, ())
        return Layer(f"ui.{role}", others + ("dropout_lab.lessons.",))
    if module.startswith("dropout_lab.lessons.") and len(parts) >= 3:
        lesson = ".".join(parts[:3])
        role = parts[3] if len(parts) > 3 else "__init__"
        other_lessons = ("dropout_lab.lessons.",)  # checked separately: only this lesson's modules are allowed
        own = {r: f"{lesson}.{r}" for r in LESSON_ROLES}
        if role in ("__init__",):
            return Layer("lesson package", UI_LIBRARIES + other_lessons)
        if role == "plots":
            return Layer("plots", ("ipywidgets", "IPython", "dropout_lab.ui.dashboard", "dropout_lab.ui.checks",
                                   "dropout_lab.ui.progress", own["widgets"], own["exercises"], own["solutions"])
                         + other_lessons)
        if role == "widgets":
            return Layer("widgets", ("dropout_lab.ui.checks", own["exercises"], own["solutions"]) + other_lessons)
        if role == "exercises":
            return Layer("exercises", ("matplotlib", "ipywidgets", "dropout_lab.ui.figures", "dropout_lab.ui.dashboard",
                                       own["plots"], own["widgets"]) + other_lessons)
        if role == "solutions":
            return Layer("solutions", UI_LIBRARIES + ("dropout_lab.ui", own["plots"], own["widgets"],
                                                      own["exercises"]) + other_lessons)
        return Layer("compute", UI_LIBRARIES + ("dropout_lab.ui",) + tuple(own.values()) + other_lessons)
    if module == "dropout_lab":
        return Layer("package face", UI_LIBRARIES + ("dropout_lab.ui", "dropout_lab.lessons.", "torch", "keras",
                                                     "tensorflow"))
    return Layer("shared", UI_LIBRARIES + ("dropout_lab.ui", "dropout_lab.lessons."))


def violations(module: str, imports: set[str]) -> list[str]:
    """The imports of `module` that break its layer's rules (its own lesson's compute is always allowed)."""
    layer = layer_of(module)
    if layer is None:
        return []
    own_lesson = ".".join(module.split(".")[:3]) + "." if module.startswith("dropout_lab.lessons.") else None
    bad = []
    for name in sorted(imports):
        for prefix in layer.forbidden:
            hit = name == prefix.rstrip(".") or name.startswith(prefix if prefix.endswith(".") else prefix + ".") \
                or name == prefix
            if prefix == "dropout_lab.lessons." and own_lesson and (name + ".").startswith(own_lesson):
                continue  # modules of the same lesson: their roles are checked by the other prefixes
            if prefix == "dropout_lab.lessons." and name == "dropout_lab.lessons":
                continue  # the manifest itself is data every layer may read
            if hit:
                bad.append(f"{module} ({layer.name}) imports {name}")
                break
    return bad


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[module_name(p) for p in SOURCES])
def test_no_import_points_upwards(path):
    module = module_name(path)
    found = violations(module, imported_names(path.read_text(encoding="utf-8"), module, is_package(path)))
    assert not found, "\n".join(found)


def test_every_lesson_folder_is_checked():
    lessons = {p.parent.name for p in (PACKAGE / "lessons").glob("*/__init__.py")}
    checked = {module_name(p).split(".")[2] for p in SOURCES if module_name(p).startswith("dropout_lab.lessons.")}
    assert lessons <= checked


@pytest.mark.parametrize("module, source, expected", [
    ("dropout_lab.lessons.x.compute", "from ...ui.progress import ProgressBar", "ui.progress"),
    ("dropout_lab.lessons.x.compute", "def f():\n    import ipywidgets", "ipywidgets"),
    ("dropout_lab.lessons.x.compute", "from .exercises import CheckResult", "x.exercises"),
    ("dropout_lab.lessons.x.plots", "from .widgets import thing", "x.widgets"),
    ("dropout_lab.lessons.x.widgets", "from . import exercises", "x.exercises"),
    ("dropout_lab.lessons.x.compute", "from ..y import compute", "lessons.y"),
    ("dropout_lab.stats", "from .frameworks import load", "frameworks"),
    ("dropout_lab.mlp", "import matplotlib.pyplot as plt", "matplotlib"),
])
def test_the_rules_catch_a_planted_violation(module, source, expected):
    found = violations(module, imported_names(source, module, package=False))
    assert found and expected in found[0], found


@pytest.mark.parametrize("module, source", [
    ("dropout_lab.lessons.x.plots", "from .compute import data\nfrom ...ui.figures import new_axes"),
    ("dropout_lab.lessons.x.widgets", "from .plots import p\nfrom ...ui.dashboard import dashboard\nimport ipywidgets"),
    ("dropout_lab.lessons.x.exercises", "from . import solutions\nfrom ...ui.checks import check"),
    ("dropout_lab.ui.dashboard", "from ..lessons import LESSONS"),
])
def test_the_rules_allow_what_the_layers_need(module, source):
    assert not violations(module, imported_names(source, module, package=False))
