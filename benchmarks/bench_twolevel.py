"""Benchmarks of two-level SEM (``level: 1`` / ``level: 2`` with ``cluster=``) against lavaan measured in the same run.

Run:  python benchmarks/bench_twolevel.py   (from the repository root; data in tests/data)

Cases (lavaan's Demo.twolevel model, 2500 cases in 200 clusters; tests/data):

* demo_ml / demo_mlr: complete data (demo_twolevel.csv), ML and MLR;
* demo_fiml_ml: FIML on demo_twolevel_missing.csv (~10% of y1-y6 missing), lavaan's ``missing = "ml"``;
* demo_fiml_mlr: the same with MLR -- lavaan 0.6-14 refuses it, so there is no baseline unless the environment
  variable LAVAAN_DEV_LIB names a library with a newer lavaan (see tests/golden/sem_twolevel_fiml_dev.R; about
  4 minutes per fit there).

Timed: ours ``rs.sem(...)`` plus ``.fit_indices`` (the baseline model, robust statistics), lavaan
``fitMeasures(sem(...))``, each inside its own language. Complete-data fits: median of repeated fits; FIML fits:
lavaan is timed once (one fit takes 15-60 s), ours as the median of 3. Prints seconds and lavaan / ours (> 1 means
ours is faster).
"""

from __future__ import annotations

import json
import os
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

from resilience_stats.sem import sem  # noqa: E402

DATA = ROOT / "tests" / "data"

MODEL = json.loads((ROOT / "tests" / "golden" / "sem_twolevel.json").read_text())["models"]["demo"]

CASES = {  # name -> (data file, keyword arguments of rs.sem, lavaan arguments, repeats in R)
    "demo_ml": ("demo_twolevel.csv", {}, "", 5),
    "demo_mlr": ("demo_twolevel.csv", {"estimator": "MLR"}, ', estimator = "MLR"', 3),
    "demo_fiml_ml": ("demo_twolevel_missing.csv", {"missing": "fiml"}, ', missing = "ml"', 1),
    "demo_fiml_mlr": ("demo_twolevel_missing.csv", {"missing": "fiml", "estimator": "MLR"},
                      ', missing = "ml", estimator = "MLR"', 0),
}

R_SCRIPT = r"""
lib <- Sys.getenv("LAVAAN_DEV_LIB")
suppressPackageStartupMessages(if (nzchar(lib)) library(lavaan, lib.loc = lib) else library(lavaan))
model <- '{model}'
med_s <- function(expr, n) {{
  t <- numeric(n); for (i in seq_len(n)) t[i] <- system.time(eval(expr))[["elapsed"]]; median(t)
}}
out <- list(version = as.character(packageVersion("lavaan", lib.loc = if (nzchar(lib)) lib else NULL)))
{cases}
cat(jsonlite::toJSON(out, auto_unbox = TRUE))
"""


def _lavaan_s(names: list[str]) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    lines = []
    for name in names:
        file, _, args, n = CASES[name]
        if n == 0:
            continue
        call = f'fitMeasures(sem(model, data = d, cluster = "cluster"{args}))'
        lines.append(f'd <- read.csv("{DATA / file}"); invisible(sem(model, data = d, cluster = "cluster"))' if n > 1
                     else f'd <- read.csv("{DATA / file}")')
        lines.append(f'out[["{name}"]] <- tryCatch(med_s(quote({call}), {n}), error = function(e) NA)')
    code = R_SCRIPT.format(model=MODEL, cases="\n".join(lines))
    try:
        res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=1800)
        return json.loads(res.stdout.strip().splitlines()[-1])
    except Exception as exc:  # noqa: BLE001 - a benchmark baseline is optional
        print(f"(lavaan timing failed: {exc})")
        return None


def _median_s(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    if os.environ.get("LAVAAN_DEV_LIB"):
        CASES["demo_fiml_mlr"] = CASES["demo_fiml_mlr"][:3] + (1,)
    lav = _lavaan_s(list(CASES))
    print(f"lavaan {lav.get('version') if lav else '(not available)'}")
    print(f"{'case':<15}{'ours (s)':>10}{'lavaan (s)':>12}{'lavaan/ours':>13}")
    for name, (file, kw, _, n) in CASES.items():
        data = pd.read_csv(DATA / file)

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return sem(MODEL, data, cluster="cluster", **kw).fit_indices

        ours = _median_s(run, repeat=3 if "fiml" in name else 5)
        lv = lav.get(name) if lav else None
        lv = lv if isinstance(lv, (int, float)) else None
        lv_txt = f"{lv:12.2f}" if lv is not None else f"{'refused' if n == 0 else '-':>12}"
        ratio = f"{lv / ours:13.1f}" if lv is not None else f"{'-':>13}"
        print(f"{name:<15}{ours:10.2f}{lv_txt}{ratio}")
    print("(ours: rs.sem + fit_indices, median of repeated fits; lavaan: fitMeasures(sem(...)), median in R, "
          "FIML timed once; lavaan 0.6-14 refuses two-level FIML with MLR)")


if __name__ == "__main__":
    main()
