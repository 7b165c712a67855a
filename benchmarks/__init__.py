"""Benchmarks: measured figures of the bot against their targets.

The common format, small on purpose so every feature can add its own module:

* every module ``benchmarks/<name>.py`` (not starting with ``_``) is a benchmark;
  helpers live in ``benchmarks/harness/``;
* a benchmark exposes ``run(quick: bool) -> list[Figure]``; ``quick`` means a
  few users and a few seconds (the test suite runs it so it cannot rot);
* ``python -m benchmarks`` (``make bench``) runs them all and prints one table
  with the machine it ran on. A module without ``run`` is run as a script and
  its output is printed below the table.

Each module may also be run alone with its own options, e.g.
``python -m benchmarks.latency --duration 120``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure; ``passed`` is None for figures that have no target."""

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None

    def shown_value(self) -> str:
        if self.value != self.value:  # NaN: nothing was measured
            return "–"
        if abs(self.value) >= 100 or self.value == int(self.value):
            return f"{self.value:,.0f} {self.unit}".strip()
        if abs(self.value) >= 10:
            return f"{self.value:,.1f} {self.unit}".strip()
        return f"{self.value:,.2f} {self.unit}".strip()

    def verdict(self) -> str:
        return "" if self.passed is None else ("yes" if self.passed else "NO")
