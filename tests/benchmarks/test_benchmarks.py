"""The benchmarks still run (at tiny sizes) and print their table: no timing is asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks import Figure
from benchmarks.__main__ import discover
from benchmarks.harness.report import table

ROOT = Path(__file__).resolve().parents[2]
OURS = ["broadcast", "console", "conversation_throughput", "latency", "memory", "storage_load"]


def test_every_benchmark_module_is_found() -> None:
    assert set(OURS) <= set(discover())
    assert "harness" not in discover()


def test_table_shows_value_target_and_verdict() -> None:
    lines = table(
        [Figure("Latency p99", 12.345, "ms", "< 50 ms", True), Figure("Errors", 3, "", "0", False)]
    ).splitlines()
    assert [cell.strip() for cell in lines[0].split("|")[1:5]] == ["Figure", "Value", "Target", "Met"]
    assert "12.3 ms" in lines[2] and "< 50 ms" in lines[2] and "yes" in lines[2]
    assert "NO" in lines[3]


def test_quick_run_prints_one_table_with_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", ",".join(OURS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Machine: " in out and " cores; Python " in out
    for fragment in (
        "Throughput, bot / baseline on the same client",
        "CPU per update, bot",
        "Latency, bot, p99",
        "Latency during the broadcast, bot, p99",
        "achieved / limit while not paused",
        "peak resident memory of the sending process",
        "conversations in progress",
        "'database is locked' errors",
        "answers written per second",
        "Console: list, 3 filters + search, p99",
        "Console: detail, p99",
        "Console: CSV export of",
    ):
        rows = [line for line in out.splitlines() if fragment in line]
        assert len(rows) == 1, (fragment, out)
        assert "FAILED" not in rows[0]
    storage_rows = [line for line in out.splitlines() if line.startswith("| Storage:") and "lost" in line]
    assert "| 0 " in storage_rows[0] and "| yes |" in storage_rows[0]  # a quick run loses nothing either


def test_unknown_benchmark_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "nonsense"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "unknown benchmark(s): nonsense" in done.stderr
