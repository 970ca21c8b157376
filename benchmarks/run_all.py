"""Run every benchmark in this folder: ``python benchmarks/run_all.py`` (or ``make bench``).

Each ``bench_*.py`` prints its own timings next to a baseline measured in the same run (semopy, a naive
implementation, or R's lavaan/psych when ``Rscript`` is present), as ratios.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        runpy.run_path(str(script), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
