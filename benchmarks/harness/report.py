"""The machine a run happened on, and the table of figures (Markdown, to paste into the docs)."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib import metadata

from benchmarks import Figure


def cpu_model() -> str:
    """The CPU's name from /proc/cpuinfo (Linux), else what the platform module knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> str:
    """One line: CPU, cores, Python, OS and the versions that shape the figures."""
    return (
        f"{cpu_model()}, {usable_cores()} cores; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}; SQLite {sqlite3.sqlite_version}; "
        f"python-telegram-bot {_version('python-telegram-bot')}, aiohttp {_version('aiohttp')}, "
        f"httpx {_version('httpx')}, aiosqlite {_version('aiosqlite')}"
    )


def table(figures: list[Figure]) -> str:
    rows = [("Figure", "Value", "Target", "Met")]
    rows += [(f.name, f.shown_value(), f.target, f.verdict()) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def print_report(figures: list[Figure], title: str = "Benchmarks") -> None:
    print(f"\n{title}\nMachine: {machine()}\n")
    print(table(figures), flush=True)
