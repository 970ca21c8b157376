"""Benchmark: WLSMV CFA of the 25 bfi items (2,800 rows, Big Five model) against lavaan 0.6-14.

Run:  python benchmarks/bench_wlsmv.py   (from the repository root; data in tests/data/bfi.csv)

* ours: ``rs.cfa(items, model, ordered=True, estimator="WLSMV")`` -- polychorics + Gamma, DWLS fit, robust
  standard errors ("fit"), and "fit+indices" also computes every fit measure (scaled-shifted test, baseline,
  robust CFI/RMSEA), which lavaan does while fitting.
* lavaan through Rscript when available: ``cfa(..., ordered = TRUE, estimator = "WLSMV")`` timed inside R with
  ``system.time`` (median of repeated fits; R start-up and data reading excluded).

Prints median milliseconds and ratios (lavaan / ours; > 1 means ours is faster).

BLAS runs single-threaded here (``OPENBLAS_NUM_THREADS=1`` unless set): R uses the reference BLAS, and on a
small, busy machine a multi-threaded BLAS makes these 25 x 25 / 425 x 425 products several times slower.
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

from resilience_stats.sem import cfa  # noqa: E402

DATA = ROOT / "tests" / "data"
MODEL = """
A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5
"""


def _median_ms(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def lavaan_ms(repeat: int) -> float | None:
    """Median milliseconds of lavaan's WLSMV fit, timed inside R; None without Rscript/lavaan."""
    if shutil.which("Rscript") is None:
        return None
    path = str(DATA / "bfi.csv").replace("\\", "/")
    code = f"""
suppressPackageStartupMessages(library(lavaan))
items <- read.csv("{path}")[, 1:25]
m <- '{MODEL}'
invisible(cfa(m, data = items, ordered = TRUE, estimator = "WLSMV"))
one <- function() fitMeasures(cfa(m, data = items, ordered = TRUE, estimator = "WLSMV"))
tt <- replicate({repeat}, system.time(one())[["elapsed"]])
cat(median(tt) * 1000)
"""
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=600)
        return float(out.stdout.strip().split()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


def main(repeat: int = 5) -> None:
    items = pd.read_csv(DATA / "bfi.csv").iloc[:, :25]
    ours_fit = _median_ms(lambda: cfa(items, MODEL, ordered=True, estimator="WLSMV"), repeat)
    ours_all = _median_ms(lambda: cfa(items, MODEL, ordered=True, estimator="WLSMV").fit_indices, repeat)
    lav = lavaan_ms(repeat)
    print(f"WLSMV CFA, 25 items x {len(items)} rows (listwise n = 2436), median of {repeat}")
    print(f"  ours fit            {ours_fit:9.1f} ms")
    print(f"  ours fit+indices    {ours_all:9.1f} ms")
    if lav is None:
        print("  lavaan              (Rscript/lavaan not available)")
        return
    print(f"  lavaan (in R)       {lav:9.1f} ms")
    print(f"  ratio lavaan/ours (fit+indices): {lav / ours_all:6.2f}x")


if __name__ == "__main__":
    main()
