"""Speed of dropout on float32 data: NumPy core, fast path, PyTorch CPU, TensorFlow, and a copy.

    .venv/bin/python benchmarks/bench_dropout.py [--repeats 9] [--quick]

All implementations run interleaved in one process (dl.speed.measure_speed) and the
median of the repeats is reported. A copy of x is the floor: dropout must read x and
write y. Targets at 1e7 elements: dropout_forward <= 0.5 x torch CPU F.dropout (issue 2);
fast_dropout <= 1.5 x copy at rate 0.5 and <= 2.5 x copy at rate 0.1 (issue 15).
Also reports how long `import dropout_lab` takes in a fresh interpreter (target < 0.3 s).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import dropout_lab as dl

TARGETS = [  # (implementation, baseline, rate, largest allowed ratio at 1e7)
    ("dropout_forward", "torch", 0.1, 0.5),
    ("dropout_forward", "torch", 0.5, 0.5),
    ("fast_dropout", "copy", 0.5, 1.5),
    ("fast_dropout", "copy", 0.1, 2.5),
]


def import_seconds(repeats: int = 5) -> float:
    """Median wall time of `import dropout_lab` in a fresh interpreter, minus bare startup."""
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start
    bare = statistics.median(run("pass") for _ in range(repeats))
    full = statistics.median(run("import dropout_lab") for _ in range(repeats))
    return full - bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="sizes 1e3..1e6 only, no targets")
    args = parser.parse_args()
    sizes = [10**k for k in range(3, 7 if args.quick else 8)]
    table = dl.speed.measure_speed(sizes=sizes, rates=(0.1, 0.5), repeats=args.repeats)
    print(table.to_text())
    failures = 0
    if not args.quick:
        print("\nTargets at 1e7 float32 elements:")
        for impl, baseline, rate, limit in TARGETS:
            ratio = table.ratio(impl, baseline, 10**7, rate)
            ok = ratio <= limit
            failures += not ok
            print(f"  {'PASS' if ok else 'FAIL'}  {impl} / {baseline} at rate {rate}: {ratio:.2f} (target <= {limit})")
    seconds = import_seconds()
    failures += seconds >= 0.3
    verdict = "PASS" if seconds < 0.3 else "FAIL"
    print(f"  {verdict}  import dropout_lab: {seconds:.3f} s above bare startup (target < 0.3 s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
