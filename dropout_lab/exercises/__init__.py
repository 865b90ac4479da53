"""Exercise checks: instant feedback on a learner's answer, solutions kept out of the lesson.

Each lesson has a module `dropout_lab.exercises.lessonNN` whose `check_*` functions
return a `CheckResult`; `dl.exercises.solution("03", 1)` shows a solution on request.
"""
from __future__ import annotations

from .._lazy import lazy_submodules

import html
import importlib
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass


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
    """The answer as a float when it is a real number (numpy scalars too, bools not), else None."""
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        return float(answer)
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


class Solution(str):
    """A solution text that displays as a code block."""

    def __repr__(self) -> str:
        return str(self)


def solution(lesson: str, number: int) -> Solution:
    """The solution to exercise `number` of lesson `lesson` (e.g. solution("03", 1))."""
    module = importlib.import_module(f".lesson{lesson}", __name__)
    solutions = getattr(module, "SOLUTIONS", {})
    if number not in solutions:
        raise ValueError(f"number must be one of {sorted(solutions)} for lesson {lesson}, got {number!r}")
    return Solution(solutions[number].strip())


def run_solution(lesson: str, number: int, namespace: dict | None = None) -> dict:
    """Run a solution's code as a lesson cell would and return the names it defined.

    The default namespace is empty, so a solution must import whatever it uses itself.
    """
    scope = {} if namespace is None else namespace
    exec(solution(lesson, number), scope)  # noqa: S102 — our own solution text, run on request
    return scope


__getattr__ = lazy_submodules(__name__, globals())
