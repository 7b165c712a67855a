"""The indicators benchmark still runs at a tiny size (no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_indicators_benchmark_runs_quickly_through_the_real_page() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "indicators"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("Indicators page, all time, p99", "Indicators page, one quarter, p99"):
        assert name in done.stdout
