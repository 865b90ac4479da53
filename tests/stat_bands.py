"""Statistical bounds shared by the tests: they come from the maths; seeds are fixed.

A plain module, not conftest.py: tests/browser has its own conftest, and two
modules named conftest cannot both be imported by name."""
from __future__ import annotations

import math

# z = 4.5 two-sided normal tail ~ 7e-6 per check: with fixed seeds the suite is
# deterministic, and a wrong implementation is still far outside these bands.
Z = 4.5


def two_sample_band(rate: float, n1: int, n2: int, z: float = Z) -> float:
    """Largest |f1 - f2| expected between two independent zero fractions at the same rate."""
    return z * math.sqrt(rate * (1 - rate) * (1 / n1 + 1 / n2))
