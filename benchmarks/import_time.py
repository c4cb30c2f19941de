"""How long does ``import kteach`` take, and does it pull in heavy modules?

Run:  .venv/bin/python benchmarks/import_time.py

Each try starts a fresh Python with ``-X importtime`` and reads the cumulative time of the
top-level ``kteach`` import (numpy included, since kteach needs it). The best of 5 tries is
reported against the target. It also lists the heavy modules that ``import kteach`` loaded:
matplotlib, ipywidgets, graphviz and IPython must only be imported on first use.
This is a benchmark, not a test: it reports, and exits 0 unless kteach cannot be imported.
"""
from __future__ import annotations

import subprocess
import sys

TARGET_SECONDS = 0.3
TRIES = 5
HEAVY = ("matplotlib", "ipywidgets", "graphviz", "pygraphviz", "IPython", "ipykernel")
CHILD = "import kteach, sys; print('\\n'.join(sorted(sys.modules)))"


def import_once() -> tuple[dict[str, float], set[str]]:
    """Import kteach in a fresh interpreter; return {top-level module: seconds} and sys.modules."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", CHILD],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"`import kteach` failed:\n{run.stderr[-2000:]}")
    seconds = {}
    for line in run.stderr.splitlines():
        # "import time: self [us] | cumulative | imported package"; each module appears once
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit():
            seconds[name.strip()] = int(cumulative) / 1e6
    return seconds, set(run.stdout.split())


def main() -> None:
    runs = [import_once() for _ in range(TRIES)]
    best = min(runs, key=lambda run: run[0].get("kteach", float("inf")))
    seconds, modules = best
    total = seconds.get("kteach", float("nan"))
    numpy = seconds.get("numpy", 0.0)
    verdict = "MET" if total < TARGET_SECONDS else "MISSED"
    print(f"import kteach: {total:.3f} s (best of {TRIES}; numpy's part {numpy:.3f} s)")
    print(f"target: < {TARGET_SECONDS} s -> {verdict}")

    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    heavy_roots = sorted({m.split(".")[0] for m in heavy})
    if heavy_roots:
        print(f"PROBLEM: import kteach also imported {', '.join(heavy_roots)} "
              f"({len(heavy)} modules); these must be imported on first use instead.")
    else:
        print(f"OK: no heavy module imported ({', '.join(HEAVY)})")


if __name__ == "__main__":
    main()
