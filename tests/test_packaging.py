"""The two commands and the environment files stay consistent with each other."""
from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs |= {r for r in extra if not r.startswith("dropout-lab[")}
    return {_normalise(r) for r in reqs}


def environment_pip_requirements() -> set[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    pip = [line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- ")]
    return {_normalise(r) for r in pip if r != "-e ."}


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).replace('"', "'").lower()


def test_environment_yml_lists_exactly_the_pyproject_requirements():
    assert environment_pip_requirements() == pyproject_requirements()


def test_environment_yml_installs_the_package_itself():
    assert "      - -e ." in (ROOT / "environment.yml").read_text().splitlines()


def test_torch_is_bounded_above_so_pip_never_pulls_an_unpinned_newer_build():
    torch = [r for r in pyproject_requirements() if r.startswith("torch")]
    assert torch and all("<" in r for r in torch)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#") and not line.startswith("set ")
                and not line.startswith("cd ")]
    assert commands == ["exec make test"]


def test_make_test_runs_unit_tests_and_strict_nbval_over_the_notebooks():
    makefile = (ROOT / "Makefile").read_text()
    test_recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "pytest tests notebooks" in test_recipe
    assert "--nbval " in makefile and "--nbval-lax" not in makefile


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_every_requirement_is_pinned_in_constraints_txt():
    """make setup installs with -c constraints.txt: every direct requirement has an exact version there."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_name(name)] = version
    for requirement in pyproject_requirements():
        assert pins.get(_name(requirement)), f"{requirement} is not pinned in constraints.txt"


def test_setup_installs_with_the_constraints():
    assert "-c constraints.txt -e '.[all]'" in (ROOT / "Makefile").read_text()


def test_install_hints_ask_for_what_pyproject_asks_for():
    from dropout_lab import frameworks
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {_normalise(frameworks.TORCH_REQUIREMENT)} == {_normalise(r) for r in extras["torch"]}
    keras_extra = {_normalise(r.split(";")[0]) for r in extras["keras"]}
    assert {_normalise(r) for r in frameworks.KERAS_REQUIREMENTS} == keras_extra
    assert frameworks.TORCH_REQUIREMENT in frameworks.INSTALL_HINTS["torch"]
