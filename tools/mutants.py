"""Seed plausible bugs into the core maths, one at a time, and check the unit tests kill each (issue 8).

    .venv/bin/python tools/mutants.py            every mutant; a table of killed / survived
    .venv/bin/python tools/mutants.py F1 S3      only those

Each mutant is one textual edit of core.py, fast.py or stats.py in a throwaway copy of the
repository; the tests of the core maths then run against that copy. A mutant "survives"
when every test still passes: either the tests have a hole or the mutant is equivalent
(the note says which). Exit status 1 when a mutant not listed as equivalent survives.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_core.py", "tests/test_fast.py", "tests/test_stats.py", "tests/test_exact.py",
         "tests/test_properties.py", "tests/test_faults.py"]


@dataclass(frozen=True)
class Mutant:
    key: str
    file: str
    old: str
    new: str
    what: str
    equivalent: str = ""  # why it cannot be told apart, when it cannot


MUTANTS = [
    Mutant("C1", "core.py", "dtype=uniform_dtype) >= rate", "dtype=uniform_dtype) > rate",
           "keep when u > rate instead of u >= rate",
           "u == rate has probability 2**-53 per float64 draw (2**-24 at float32): no test can see it"),
    Mutant("C2", "core.py", "np.float32 if dtype == np.float32 else np.float64", "np.float64",
           "float32 inputs draw float64 uniforms (a different stream)"),
    Mutant("C3", "core.py", "1.0 / (1.0 - rate) if mode", "1.0 / rate if mode", "scale survivors by 1/rate"),
    Mutant("C4", "core.py", 'x.copy() if mode == "inverted" else x * x.dtype.type(keep)',
           'x * x.dtype.type(keep) if mode == "inverted" else x.copy()', "inverted and vanilla swapped at eval"),
    Mutant("C5", "core.py", "return np.zeros_like(x), mask", "return x * mask, mask", "rate 1 keeps x*0 (NaN on inf)"),
    Mutant("C6", "core.py", "dout * np.asarray(mask) * _survivor_scale", "dout * _survivor_scale",
           "backward ignores the mask"),
    Mutant("C7", "core.py", "self.training = bool(mode)", "self.training = True", "eval() does not switch off"),
    Mutant("F1", "fast.py", "[:n] >= t\n", "[:n] > t\n", "16-bit path keeps u > t (off by one)"),
    Mutant("F2", "fast.py", "[:n] >= t8", "[:n] > t8", "8-bit path keeps u > t8 (off by one)"),
    Mutant("F3", "fast.py", "LEVELS / (LEVELS - t)", "1 / (1 - rate)", "scale by the unquantised keep"),
    Mutant("F4", "fast.py", "if t % 256 == 0:", "if t % 128 == 0:", "8-bit path taken at odd multiples of 1/512"),
    Mutant("F5", "fast.py", "(n + 3) // 4", "n // 4 + 1", "draws one raw word too many (stream shifts)"),
    Mutant("F6", "fast.py", "int(round(check_rate(rate) * LEVELS))", "int(check_rate(rate) * LEVELS)",
           "threshold truncated instead of rounded"),
    Mutant("F7", "fast.py",
           "np.multiply(x[start:start + n], keep, out=chunk)\n        np.multiply(chunk, scale, out=chunk)",
           "np.multiply(x[start:start + n], scale, out=chunk)\n        np.multiply(chunk, keep, out=chunk)",
           "scale before masking (overflow → NaN for huge finite x)"),
    Mutant("F8", "fast.py", "if t >= LEVELS:", "if t > LEVELS:", "rate 1 no longer special-cased"),
    Mutant("S1", "stats.py", "binomial(_check_count(n), rate", "binomial(_check_count(n) - 1, rate",
           "zero_fractions draws Binomial(n-1)"),
    Mutant("S2", "stats.py", "math.sqrt(rate * (1.0 - rate) / n)", "math.sqrt(rate * (1.0 - rate)) / n",
           "binomial band divides by n, not sqrt(n)"),
    Mutant("S3", "stats.py", "half = check_z(z) * std / math.sqrt(n)", "half = check_z(z) * std",
           "normal band forgets 1/sqrt(n)"),
    Mutant("S4", "stats.py", "return self.fractions.std(axis=-1, ddof=1)", "return self.fractions.std(axis=-1)",
           "sweep spread with ddof=0"),
    Mutant("S5", "stats.py", "* keep * rate\n", "* keep * keep\n", "predicted variance uses keep² not keep·rate"),
    Mutant("S6", "stats.py", "if f_low <= 0.5 <= f_high:", "if False:", "variance band misses the f = 1/2 peak"),
    Mutant("S7", "stats.py", "return float(np.mean(y[alive] == 0))", "return float(np.mean(y == 0))",
           "zero_fraction(before=) counts units that were already zero"),
    Mutant("S8", "stats.py", "1 / _check_count(n1, \"n1\") + 1 / _check_count(n2, \"n2\")",
           "1 / _check_count(n1, \"n1\")", "two-sample band forgets the second sample"),
]


def run(mutant: Mutant) -> tuple[bool, float, str]:
    """(killed, seconds, first failing test) for one mutant, in a fresh copy of the committed tree."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        path = Path(tmp) / "dropout_lab" / mutant.file
        source = path.read_text()
        if source.count(mutant.old) != 1:
            raise SystemExit(f"{mutant.key}: {mutant.old!r} occurs {source.count(mutant.old)} times in {mutant.file}")
        path.write_text(source.replace(mutant.old, mutant.new))
        started = time.monotonic()
        # `python -m pytest` from the copy puts the copy first on sys.path, ahead of the editable install.
        result = subprocess.run([sys.executable, "-m", "pytest", *TESTS, "-x", "-q", "-p", "no:cacheprovider",
                                 "-m", "not slow and not gpu", "-o", "addopts="],
                                cwd=tmp, capture_output=True, text=True)
        failed = [line.split(" ")[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")]
        return result.returncode != 0, time.monotonic() - started, failed[0] if failed else ""


def main(keys: list[str]) -> int:
    chosen = [m for m in MUTANTS if not keys or m.key in keys]
    print("| mutant | bug | result | killed by |\n|---|---|---|---|")
    holes = 0
    for mutant in chosen:
        killed, seconds, by = run(mutant)
        verdict = "killed" if killed else ("survived (equivalent)" if mutant.equivalent else "SURVIVED")
        holes += not killed and not mutant.equivalent
        note = by or (mutant.equivalent if not killed else "")
        print(f"| {mutant.key} | {mutant.what} | {verdict} ({seconds:.0f} s) | {note} |", flush=True)
    return 1 if holes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
