"""Exercise checks: instant feedback on a learner's answer, solutions kept out of the lesson.

Each lesson's exercises.py has `check_*` functions returning a `CheckResult`, and a
`solution(k)` that shows exercise k's solution on request. Solutions are real functions
`solution_1`, `solution_2`, ... in the lesson's solutions.py (linted and tested like any
code); `Solutions.show` prints a function's body as the code a learner types in a cell.
"""
from __future__ import annotations

import ast
import html
import inspect
import math
import numbers
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: passed or not, and a message that helps."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"{'✅ Correct' if self.passed else '❌ Not yet'}: {self.message}"

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#b42318"
        return f"<div style='color:{colour}'>{html.escape(repr(self))}</div>"


NOT_ANSWERED = CheckResult(False, "replace the ... with your answer, then run the cell again.")


def check(condition: bool, correct: str, hint: str) -> CheckResult:
    """Passed with the `correct` message when `condition` holds, else the `hint`."""
    return CheckResult(True, correct) if condition else CheckResult(False, hint)


def is_unanswered(answer: object) -> bool:
    """True for the placeholders a lesson leaves for the learner (... or None)."""
    return answer is Ellipsis or answer is None


NOT_A_NUMBER = CheckResult(False, "the answer should be a number, e.g. 0.123 or 1000.")


def as_number(answer: object) -> float | None:
    """The answer as a float when it is one real number, else None.

    Python and NumPy numbers count, and so does a one-element array or tensor (what a learner's
    computation often returns, e.g. `y.std()` in torch or `x.mean(axis=0)` of one column); bools,
    strings, lists and complex numbers do not.
    """
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, numbers.Real):
        return float(answer)
    item = getattr(answer, "item", None)
    numel = getattr(answer, "numel", None)  # torch tensors; NumPy arrays have .size
    size = numel() if callable(numel) else getattr(answer, "size", None)
    if callable(item) and getattr(answer, "ndim", 1) <= 1 and size == 1:
        value = item()
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            return float(value)
    return None


def check_number(answer: object, truth: float, correct: str, hint: str, *, rel_tol: float = 1e-6,
                 abs_tol: float = 0.0, mistakes: Mapping[float, str] | None = None) -> CheckResult:
    """Check a numeric answer against `truth` within math.isclose tolerances; known `mistakes` get their own message."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    value = as_number(answer)
    if value is None:
        return NOT_A_NUMBER
    for wrong, message in (mistakes or {}).items():
        if math.isclose(value, wrong, rel_tol=rel_tol, abs_tol=abs_tol):
            return CheckResult(False, message)
    return check(math.isclose(value, truth, rel_tol=rel_tol, abs_tol=abs_tol), correct, hint)


class SolutionCode(str):
    """A solution's code: shown as plain code in a notebook, without quotes."""

    def __repr__(self) -> str:
        return str(self)


def solution_body(function: Callable[..., Any]) -> str:
    """A solution function's body as a learner types it in a cell: no def line, docstring or final `return`."""
    lines = textwrap.dedent(inspect.getsource(function)).splitlines()
    body = ast.parse("\n".join(lines)).body[0].body
    first = body[0]
    start = first.end_lineno if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        else first.lineno - 1
    last = body[-1]
    end = last.lineno - 1 if isinstance(last, ast.Return) and len(body) > 1 else len(lines)
    return textwrap.dedent("\n".join(lines[start:end])).strip("\n")


class Solutions:
    """The solutions of one lesson: functions named solution_1, solution_2, ... in a module."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def numbers(self) -> list[int]:
        """The exercise numbers that have a solution."""
        return sorted(int(name.split("_")[1]) for name in vars(self.module) if re.fullmatch(r"solution_\d+", name))

    def function(self, number: int) -> Callable[..., Any]:
        """The solution function of exercise `number` (a ValueError names the numbers there are)."""
        if number not in self.numbers():
            raise ValueError(f"number must be one of {self.numbers()}, got {number!r}")
        return getattr(self.module, f"solution_{number}")

    def show(self, number: int) -> SolutionCode:
        """Exercise `number`'s solution as code to read (or paste into the cell)."""
        return SolutionCode(solution_body(self.function(number)))
