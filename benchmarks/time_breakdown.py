"""Where `make test`'s time goes: sum a pytest --durations=0 log by kind of test (issue 15).

    .venv/bin/python -m pytest tests notebooks <the Makefile's NBVAL flags> -n 2 --dist loadfile \
        --durations=0 -q > durations.log
    .venv/bin/python benchmarks/time_breakdown.py durations.log

Prints worker-seconds per kind (nbval, browser, lesson tests, shared tests, site) and the slowest
files; with 2 workers, pytest's wall time is about half the total when the load is balanced.
"""
from __future__ import annotations

import collections
import re
import sys

LINE = re.compile(r"\s*([\d.]+)s (call|setup|teardown)\s+(\S+)")


def kind(path: str) -> str:
    """The kind of test a file holds, for the breakdown."""
    if path.startswith("notebooks/"):
        return "nbval: the lesson notebooks"
    if path.startswith("tests/browser/test_site"):
        return "the website: build + browser"
    if path.startswith("tests/browser/"):
        return "browser: every dashboard in JupyterLab"
    if path.startswith("tests/lessons/"):
        return "lesson tests"
    return "shared tests (package, data, doctor, hygiene, scaffold)"


def breakdown(lines) -> tuple[collections.Counter, collections.Counter]:
    """(seconds per kind, seconds per file) from the lines of a --durations=0 report."""
    kinds, files = collections.Counter(), collections.Counter()
    for line in lines:
        match = LINE.match(line)
        if match:
            seconds, path = float(match.group(1)), match.group(3).split("::")[0]
            kinds[kind(path)] += seconds
            files[path] += seconds
    return kinds, files


def main(path: str) -> int:
    with open(path, encoding="utf-8") as log:
        kinds, files = breakdown(log)
    total = sum(kinds.values())
    if not total:
        print(f"{path}: no durations found (run pytest with --durations=0)")
        return 1
    for name, seconds in kinds.most_common():
        print(f"{name:58s} {seconds:7.1f} s  ({100 * seconds / total:4.1f} %)")
    print(f"{'total worker-seconds':58s} {total:7.1f} s")
    print("slowest files:")
    for name, seconds in files.most_common(12):
        print(f"{seconds:7.1f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]) if len(sys.argv) == 2 else "usage: time_breakdown.py durations.log")
