"""``python -m benchmarks`` (``make bench``): run every benchmark, print one table.

Options: ``--quick`` (a few users and seconds: checks that everything runs),
``--only NAME[,NAME]`` (some modules only), ``--list``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

import benchmarks
from benchmarks import Figure
from benchmarks.harness.report import print_report


def discover() -> list[str]:
    """Every module ``benchmarks/<name>.py`` not starting with '_' (helpers live in ``harness``)."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if not info.ispkg and not info.name.startswith("_")
    )


def run_one(name: str, quick: bool) -> tuple[list[Figure], str]:
    """The module's figures, or (for a module without ``run``) what it printed as a script."""
    module = importlib.import_module(f"benchmarks.{name}")
    run = getattr(module, "run", None)
    if callable(run):
        return list(run(quick)), ""
    root = Path(benchmarks.__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}"], cwd=root, capture_output=True, text=True, check=False
    )
    return [], done.stdout + done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that every benchmark still runs")
    parser.add_argument("--only", help="comma-separated module names")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args(argv)
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        names = wanted
    figures: list[Figure] = []
    other_output: list[str] = []
    failed = False
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            found, printed = run_one(name, args.quick)
        except Exception:  # one broken benchmark must not hide the others' figures
            failed = True
            traceback.print_exc()
            figures.append(Figure(f"{name}: FAILED (see the error above)", float("nan"), ""))
            continue
        figures += found
        if printed:
            other_output.append(f"--- {name} (printed its own figures) ---\n{printed.rstrip()}")
        print(f"  {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print_report(figures, "Benchmarks" + (" (quick: tiny sizes, figures not meaningful)" if args.quick else ""))
    for text in other_output:
        print("\n" + text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
