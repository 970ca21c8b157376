"""Benchmark of the measurement-invariance sequence against lavaan, measured in the same run.

Run:  python benchmarks/bench_invariance.py   (from the repository root; data in tests/data)

Cases: the four-step sequence (configural, metric, scalar, strict) of
* the Holzinger-Swineford 3-factor CFA across ``school`` (2 groups, N = 301), and
* a 2-factor, 8-item CFA across 20 communities (tests/data/invariance_communities.csv, N = 2864).

* ours: ``rs.invariance(...)`` -- four fits with standard errors and every fit measure (baseline models,
  RMSEA CIs) plus the chi-square difference tests and decisions; also ``rs.partial_invariance`` on HS.
* lavaan 0.6-14 through Rscript when available: the four ``cfa(..., group=, group.equal=)`` calls (which compute
  SEs, test and baseline model), plus ``lavTestLRT``; timed inside R with ``system.time`` (start-up excluded,
  median of repeats).

Prints median milliseconds and ratios (lavaan / ours; > 1 means ours is faster).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from resilience_stats.sem.invariance import invariance, partial_invariance  # noqa: E402

DATA = ROOT / "tests" / "data"
HS_MODEL = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
W_MODEL = "RES =~ res1 + res2 + res3 + res4\n NET =~ net1 + net2 + net3 + net4"


def _median_ms(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


_R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
hs <- read.csv("{hs}", stringsAsFactors = FALSE)
cm <- read.csv("{cm}", stringsAsFactors = FALSE)
ge <- list("", "loadings", c("loadings", "intercepts"), c("loadings", "intercepts", "residuals"))
four <- function(model, data, group) {{
  fits <- lapply(ge, function(g) cfa(model, data = data, group = group, group.equal = g))
  for (i in 2:4) lavTestLRT(fits[[i - 1]], fits[[i]])
}}
med <- function(expr_fun, n) median(replicate(n, system.time(expr_fun())[["elapsed"]]))
a <- med(function() four("{hs_model}", hs, "school"), {n_hs})
b <- med(function() four("{w_model}", cm, "community"), {n_cm})
cat(sprintf("%.6f %.6f\n", 1000 * a, 1000 * b))
"""


def _lavaan_ms(n_hs: int, n_cm: int) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    code = _R_CODE.format(hs=DATA / "holzinger_swineford.csv", cm=DATA / "invariance_communities.csv",
                          hs_model=HS_MODEL.replace("\n", "\\n"), w_model=W_MODEL.replace("\n", "\\n"),
                          n_hs=n_hs, n_cm=n_cm)
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=900)
        a, b = out.stdout.split()[-2:]
        return float(a), float(b)
    except (subprocess.SubprocessError, ValueError):
        return None


def main() -> None:
    hs = pd.read_csv(DATA / "holzinger_swineford.csv")
    cm = pd.read_csv(DATA / "invariance_communities.csv")
    n_hs, n_cm = 10, 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_hs = _median_ms(lambda: invariance(HS_MODEL, hs, "school").table, n_hs)
        ours_cm = _median_ms(lambda: invariance(W_MODEL, cm, "community").table, n_cm)
        ours_partial = _median_ms(lambda: partial_invariance(HS_MODEL, hs, "school", level="scalar"), 3)
    lav = _lavaan_ms(n_hs, 1)  # lavaan needs ~40 s for one 20-group sequence
    print(f"{'case':<40}{'ours ms':>10}{'lavaan ms':>12}{'ratio':>8}")
    for name, ours, ref in (("HS four steps (2 groups)", ours_hs, lav[0] if lav else None),
                            ("communities four steps (20 groups)", ours_cm, lav[1] if lav else None)):
        if ref is None:
            print(f"{name:<40}{ours:>10.1f}{'n/a':>12}{'':>8}")
        else:
            print(f"{name:<40}{ours:>10.1f}{ref:>12.1f}{ref / ours:>8.2f}")
    print(f"{'HS partial scalar (2 freed, ours only)':<40}{ours_partial:>10.1f}")
    if lav is None:
        print("(Rscript/lavaan not available: no lavaan baseline)")


if __name__ == "__main__":
    main()
