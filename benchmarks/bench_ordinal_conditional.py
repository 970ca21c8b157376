"""Benchmark: sample statistics of ordinal items given covariates (lavaan's conditional.x) against lavaan 0.6-14.

Run:  python benchmarks/bench_ordinal_conditional.py   (from the repository root; tests/data/survey_ordinal_x.csv)

* ours: ``ordinal_conditional_moments`` -- probit regressions on age + female, residual polychorics and Gamma
  for 8 and for all 16 five-point items (n = 800);
* baseline in the same run: ``polychoric_acov`` on the same items without covariates (no covariates: every
  statistic depends on frequency tables only);
* lavaan through Rscript when available: ``sem(model, ordered = TRUE, estimator = "WLSMV", do.fit = FALSE)``
  (sample statistics + Gamma, no model fit), timed inside R with ``system.time`` (median; R start-up excluded).

Prints median milliseconds and ratios (> 1 means ours is faster).
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from resilience_stats.psychometrics.ordinal_conditional import ordinal_conditional_moments  # noqa: E402
from resilience_stats.psychometrics.polychoric_acov import polychoric_acov  # noqa: E402

DATA = ROOT / "tests" / "data" / "survey_ordinal_x.csv"
X = ["age", "female"]


def _median_ms(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def _model(items: list[str]) -> str:
    half = len(items) // 2
    return (f"F1 =~ {' + '.join(items[:half])}\nF2 =~ {' + '.join(items[half:])}\n"
            f"F1 ~ age + female\nF2 ~ F1 + age")


def lavaan_ms(items: list[str], repeat: int) -> float | None:
    """Median milliseconds of lavaan's sample statistics with conditional.x; None without Rscript/lavaan."""
    if shutil.which("Rscript") is None:
        return None
    path = str(DATA).replace("\\", "/")
    code = f"""
suppressPackageStartupMessages(library(lavaan))
d <- read.csv("{path}")
m <- '{_model(items)}'
one <- function() sem(m, data = d, ordered = TRUE, estimator = "WLSMV", do.fit = FALSE)
invisible(one())
tt <- replicate({repeat}, system.time(one())[["elapsed"]])
cat(median(tt) * 1000)
"""
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=600)
        return float(out.stdout.strip().split()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


def main(repeat: int = 5) -> None:
    data = pd.read_csv(DATA)
    all_items = [c for c in data.columns if c not in X]
    for label, items in (("8 items", all_items[:4] + all_items[8:12]), ("16 items", all_items)):
        ours = _median_ms(lambda: ordinal_conditional_moments(data, ordered=items, exogenous=X), repeat)
        base = _median_ms(lambda: polychoric_acov(data, ordered=items), repeat)
        lav = lavaan_ms(items, repeat)
        print(f"{label}, n = {len(data)}, 2 covariates")
        print(f"  ordinal_conditional_moments   {ours:9.1f} ms")
        print(f"  polychoric_acov (no x)        {base:9.1f} ms   ratio ours/baseline = {ours / base:6.2f}")
        if lav is None:
            print("  lavaan                        not available (Rscript/lavaan missing)")
        else:
            print(f"  lavaan do.fit = FALSE         {lav:9.1f} ms   ratio lavaan/ours = {lav / ours:6.2f}")


if __name__ == "__main__":
    main()
