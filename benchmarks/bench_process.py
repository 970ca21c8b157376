"""Benchmark: ``rs.process`` with 5,000 bootstrap resamples against R's ``boot`` over ``lm`` (same data, same run).

Run:  python benchmarks/bench_process.py   (from the repository root)

Data: tests/data/process_scores.csv (297 complete cases). Models:

* PROCESS model 4: PBL -> NET, NORM, TRUST (parallel) -> RES with covariates age and female (4 regressions per
  resample; 3 specific indirect effects and their total);
* PROCESS model 7: PBL -> NET -> RES with W = tenure moderating the a path (2 regressions per resample;
  conditional indirect effects at 3 values of W and the index of moderated mediation).

Measured in the same run:

* ours: the whole ``rs.process(..., boot=5000)`` call (regressions, probing, Johnson-Neyman, the bootstrap and
  its intervals), median of 3 runs, with ``n_jobs=1`` and ``n_jobs=2``;
* R 4 (when ``Rscript`` is present): ``boot::boot(data, statistic, R = 5000)`` whose statistic refits the
  model's ``lm()`` regressions and forms the same effects, timed inside R with ``system.time`` (R start-up and
  data reading excluded), plus ``boot.ci(type = "perc")`` for every effect.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import resilience_stats as rs  # noqa: E402

DATA = ROOT / "tests" / "data" / "process_scores.csv"
B = 5000

R_CODE = r"""
suppressPackageStartupMessages(library(boot))
d <- read.csv("{csv}")
d <- d[complete.cases(d), ]
W <- unname(quantile(d$tenure, c(.16, .5, .84), type = 6))
m4 <- function(x, i) {{
  s <- x[i, ]
  a <- sapply(c("NET", "NORM", "TRUST"), function(m) coef(lm(reformulate(c("PBL", "age", "female"), m), s))[2])
  b <- coef(lm(RES ~ PBL + NET + NORM + TRUST + age + female, s))[3:5]
  ind <- a * b
  c(ind, sum(ind))
}}
m7 <- function(x, i) {{
  s <- x[i, ]
  a <- coef(lm(NET ~ PBL + tenure + PBL:tenure + age + female, s))
  b <- coef(lm(RES ~ PBL + NET + age + female, s))[3]
  c((a["PBL"] + a["PBL:tenure"] * W) * b, a["PBL:tenure"] * b)
}}
run <- function(f) {{
  set.seed(1)
  unname(system.time({{
    bt <- boot(d, f, R = {B})
    for (j in seq_along(bt$t0)) boot.ci(bt, type = "perc", index = j)
  }})["elapsed"])
}}
cat(run(m4), run(m7), "\n")
"""


def _median_s(fn, repeat: int = 3) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _r_seconds() -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.R"
        script.write_text(R_CODE.format(csv=DATA.as_posix(), B=B), encoding="utf-8")
        out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        print("R baseline failed:", out.stderr.strip()[-500:])
        return None
    a, b = (float(v) for v in out.stdout.split())
    return a, b


def main() -> None:
    df = pd.read_csv(DATA)
    calls = {
        "model 4": dict(model=4, x="PBL", y="RES", m=["NET", "NORM", "TRUST"], covariates=["age", "female"]),
        "model 7": dict(model=7, x="PBL", y="RES", m=["NET"], w="tenure", covariates=["age", "female"]),
    }
    ours = {}
    for name, kw in calls.items():
        for jobs in (1, 2):
            ours[(name, jobs)] = _median_s(lambda: rs.process(df, boot=B, seed=0, n_jobs=jobs, **kw))
    r = _r_seconds()
    print(f"rs.process with {B:,} bootstrap resamples (n = 297), median of 3 runs")
    for k, name in enumerate(calls):
        line = (f"  {name}: ours {ours[(name, 1)]:.3f} s (n_jobs=1), {ours[(name, 2)]:.3f} s (n_jobs=2)")
        if r is not None:
            line += f"; R boot over lm {r[k]:.2f} s; R / ours = {r[k] / ours[(name, 1)]:.0f}x"
        print(line)
    if r is None:
        print("  (Rscript not found: no R baseline)")


if __name__ == "__main__":
    main()
