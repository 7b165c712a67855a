"""The broadcast benchmark still runs (at a tiny size) and finds nothing lost or doubled."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "broadcast.py"


def test_the_benchmark_runs_at_a_tiny_size(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("broadcast_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    benchmark = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, benchmark)  # dataclasses look their module up there
    spec.loader.exec_module(benchmark)
    assert benchmark.main(["--users", "40", "--limit", "200", "--retry-after", "0.01", "--too-many", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "part (a): limit 200/s" in out and "part (b): limit off" in out
    assert out.count("lost deliveries 0, duplicated deliveries 0") == 2
    assert "achieved / limit:" in out and "ms per message" in out
