"""The reminders benchmark still runs (at a tiny size: figures are not checked, only that it works)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_at_a_tiny_size() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "reminders.py"),
            "--planned",
            "40",
            "--burst",
            "10",
            "--rate",
            "1000",
            "--lead",
            "1.5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "planned reminders in the database:  40 (2 sessions, 10 trainees)" in out
    assert "burst 1, rate limit off:            10 sent" in out
    assert "burst 2, rate limit 1000/s:" in out and "10 sent" in out
    for figure in (
        "start-up until scheduler armed",
        "delay due -> send, p99",
        "delay beyond rate-limit waiting",
        "peak memory",
    ):
        assert figure in out
