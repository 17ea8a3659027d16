"""Randomness a test chooses, for the rules that draw at random (a warning's delay)."""

from __future__ import annotations

import random


class Chance(random.Random):
    """`uniform(a, b)` gives `a + (b - a) * fraction`: the low end (0), the high end (1), or
    any point between."""

    def __init__(self, fraction: float) -> None:
        super().__init__(0)
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction
