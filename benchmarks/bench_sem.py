"""Benchmarks of the SEM engine against baselines measured in the same run.

Run:  python benchmarks/bench_sem.py   (from the repository root; data in tests/data)

Cases: Holzinger-Swineford 3-factor CFA (N = 301, 21 parameters), PoliticalDemocracy SEM (N = 75, 31 parameters),
HS CFA with FIML on tests/data/hs_missing.csv.

* ours: ``rs.sem.cfa``/``sem`` -- "fit" = estimation, standard errors, standardized solution (the SEMResult);
  "fit+indices" also computes every fit measure (baseline model, RMSEA CI, ...), as lavaan does during fitting.
* semopy: ``semopy.Model(desc).fit(data)`` with its defaults (estimation only; no standard errors).
* lavaan 0.6-14 through Rscript when available: ``cfa()/sem()`` (which computes SEs, test and baseline model),
  timed inside R (median of repeated fits).

Prints median milliseconds and ratios (baseline / ours; > 1 means ours is faster).
"""

from __future__ import annotations

import json
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

from resilience_stats.sem import cfa, sem  # noqa: E402

DATA = ROOT / "tests" / "data"

HS_MODEL = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""
PD_MODEL = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""


def _median_ms(fn, repeat: int = 30, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def _semopy_ms(model: str, data: pd.DataFrame, repeat: int) -> float | None:
    try:
        import semopy
    except ImportError:
        return None

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            semopy.Model(model).fit(data)

    return _median_ms(run, repeat=repeat)


R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
hs <- read.csv("{hs}"); pd <- read.csv("{pd}"); hm <- read.csv("{hm}")
hs_model <- '{hs_model}'
pd_model <- '{pd_model}'
med_ms <- function(expr, n) {{ t <- numeric(n); for (i in seq_len(n)) {{ t[i] <- system.time(eval(expr))[["elapsed"]] }}; 1000 * median(t) }}
invisible(cfa(hs_model, data = hs)); invisible(sem(pd_model, data = pd))
cat(jsonlite::toJSON(list(
  hs_cfa = med_ms(quote(cfa(hs_model, data = hs)), {n}),
  hs_cfa_mlr = med_ms(quote(cfa(hs_model, data = hs, estimator = "MLR")), {n}),
  pd_sem = med_ms(quote(sem(pd_model, data = pd)), {n}),
  hs_fiml = med_ms(quote(cfa(hs_model, data = hm, missing = "ml")), {n})
), auto_unbox = TRUE))
"""


def _lavaan_ms(n: int = 30) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    code = R_SCRIPT.format(hs=DATA / "holzinger_swineford.csv", pd=DATA / "political_democracy.csv",
                           hm=DATA / "hs_missing.csv", hs_model=HS_MODEL, pd_model=PD_MODEL, n=n)
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=600)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except Exception as exc:  # noqa: BLE001 - a benchmark baseline is optional
        print(f"(lavaan timing failed: {exc})")
        return None


def main() -> None:
    hs = pd.read_csv(DATA / "holzinger_swineford.csv")
    pdem = pd.read_csv(DATA / "political_democracy.csv")
    hm = pd.read_csv(DATA / "hs_missing.csv")
    cases = {
        "hs_cfa": (lambda: cfa(hs, HS_MODEL), lambda: cfa(hs, HS_MODEL).fit_indices, HS_MODEL,
                   hs[[f"x{i}" for i in range(1, 10)]]),
        "hs_cfa_mlr": (lambda: cfa(hs, HS_MODEL, estimator="MLR"),
                       lambda: cfa(hs, HS_MODEL, estimator="MLR").fit_indices, None, None),
        "pd_sem": (lambda: sem(PD_MODEL, pdem), lambda: sem(PD_MODEL, pdem).fit_indices, PD_MODEL, pdem),
        "hs_fiml": (lambda: cfa(hm, HS_MODEL, missing="fiml"), lambda: cfa(hm, HS_MODEL, missing="fiml").fit_indices,
                    None, None),
    }
    lav = _lavaan_ms()
    print(f"{'case':<12}{'ours fit':>10}{'ours+fi':>10}{'semopy':>10}{'lavaan':>10}"
          f"{'semopy/ours':>13}{'lavaan/ours+fi':>16}")
    for name, (fit_fn, full_fn, model, data) in cases.items():
        reps = 10 if name == "hs_fiml" else 30
        ours = _median_ms(fit_fn, repeat=reps)
        ours_full = _median_ms(full_fn, repeat=reps)
        semo = _semopy_ms(model, data, repeat=10) if model is not None else None
        lv = lav.get(name) if lav else None
        fmt = lambda v: f"{v:10.1f}" if v is not None else f"{'-':>10}"
        r1 = f"{semo / ours:13.1f}" if semo else f"{'-':>13}"
        r2 = f"{lv / ours_full:16.1f}" if lv else f"{'-':>16}"
        print(f"{name:<12}{fmt(ours)}{fmt(ours_full)}{fmt(semo)}{fmt(lv)}{r1}{r2}")
    print("(median ms; ours fit = estimates + SEs + std solution; ours+fi adds all fit indices and the baseline model)")


if __name__ == "__main__":
    main()
