"""Benchmark of the Monte Carlo power analysis: parallel speed-up and a lavaan baseline.

Run:  python benchmarks/bench_power.py [--reps 200] [--quick] [--no-r]   (from the repository root)

Case: a three-factor mediation model (9 indicators, X -> M -> Y with a direct path and the ``:=`` indirect
effect), 200 replicates at each of n = 200, 400, 800 (600 fits), ML.

* ``rs.power`` with ``n_jobs=1`` and ``n_jobs=2`` (loky processes, started before timing: joblib reuses
  its workers across calls, so the start-up cost is paid once per session; it is printed separately); the
  ratio is the parallel speed-up (the tables must be identical);
* R baseline in the same run when ``Rscript`` is present: ``simsem::sim()`` with lavaan when simsem is
  installed, else a plain lavaan loop (``simulateData()`` + ``sem()`` + ``parameterEstimates()`` per
  replicate, one process), timed inside R.

Prints seconds and ratios (baseline / ours; > 1 means ours is faster). Results go to
``benchmarks/results/bench_power.json`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from resilience_stats.power import power  # noqa: E402

POPULATION = """
X =~ 0.8*x1 + 0.7*x2 + 0.7*x3
M =~ 0.8*m1 + 0.7*m2 + 0.6*m3
Y =~ 0.8*y1 + 0.7*y2 + 0.7*y3
M ~ a*0.4*X
Y ~ b*0.3*M + c*0.2*X
ind := a*b
"""
ANALYSIS = """
X =~ x1 + x2 + x3
M =~ m1 + m2 + m3
Y =~ y1 + y2 + y3
M ~ a*X
Y ~ b*M + c*X
ind := a*b
"""
SIZES = [200, 400, 800]

R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
pop <- "{pop}"
ana <- "{ana}"
sizes <- c({sizes})
reps <- {reps}
has_simsem <- requireNamespace("simsem", quietly = TRUE)
t0 <- proc.time()[["elapsed"]]
if (has_simsem) {{
  suppressPackageStartupMessages(library(simsem))
  for (n in sizes) {{
    out <- sim(reps, n = n, model = ana, generate = pop, lavaanfun = "sem", seed = 1, silent = TRUE)
  }}
}} else {{
  set.seed(1)
  for (n in sizes) {{
    for (r in seq_len(reps)) {{
      d <- simulateData(pop, sample.nobs = n, standardized = TRUE)
      fit <- sem(ana, data = d)
      pe <- parameterEstimates(fit)
      fm <- fitMeasures(fit, c("chisq", "cfi", "rmsea", "srmr"))
    }}
  }}
}}
cat(sprintf('{{"seconds": %f, "method": "%s"}}', proc.time()[["elapsed"]] - t0,
            if (has_simsem) "simsem::sim + lavaan" else "lavaan loop (simulateData + sem)"))
"""


def _ours(reps: int, n_jobs: int) -> pd.DataFrame:
    # default analysis model: ANALYSIS with the marker loadings at their population value (0.8)
    return power(POPULATION, n=SIZES, reps=reps, seed=1, n_jobs=n_jobs).table


def time_n_jobs(run, reps: int) -> tuple[float, float, float, bool, pd.DataFrame]:
    """Warm up ``run(reps, n_jobs)`` (imports), start the 2 loky workers (joblib reuses them; timed apart), then
    time n_jobs=1 and n_jobs=2: (worker start, t1, t2, tables identical, table of n_jobs=1)."""
    run(2, 1)
    t0 = time.perf_counter()
    run(8, 2)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    tab1 = run(reps, 1)
    t1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    tab2 = run(reps, 2)
    t2 = time.perf_counter() - t0
    return cold, t1, t2, tab1.equals(tab2), tab1


def run_rscript(code: str) -> dict | None:
    """Run R code whose last printed line is JSON; None when Rscript is absent or the run fails."""
    if shutil.which("Rscript") is None:
        return None
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=3600)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except Exception as exc:  # R without lavaan, a timeout ...
        print(f"(R baseline failed: {exc})")
        return None


def bench_args(argv: list[str] | None, doc: str, reps: int, quick_reps: int) -> tuple[int, bool]:
    """(replicates, whether to run the R baseline) from --reps / --quick / --no-r."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--reps", type=int, default=reps)
    parser.add_argument("--quick", action="store_true", help=f"{quick_reps} replicates, no R baseline")
    parser.add_argument("--no-r", action="store_true", help="skip the R baseline")
    args, _unknown = parser.parse_known_args(argv)  # run_all.py passes its own arguments
    return (quick_reps if args.quick else args.reps), not (args.quick or args.no_r)


def _r_baseline(reps: int) -> dict | None:
    code = R_CODE.format(pop=POPULATION.strip().replace("\n", "\\n"), ana=ANALYSIS.strip().replace("\n", "\\n"),
                         sizes=", ".join(map(str, SIZES)), reps=reps)
    return run_rscript(code)


def main(argv: list[str] | None = None) -> None:
    reps, with_r = bench_args(argv, __doc__, 200, 20)
    cold, t1, t2, identical, _tab = time_n_jobs(_ours, reps)
    r = _r_baseline(reps) if with_r else None
    print(f"{reps} replicates x n = {SIZES} ({reps * len(SIZES)} fits)")
    print(f"{'run':<40}{'seconds':>10}{'ratio':>10}")
    print(f"{'rs.power n_jobs=1':<40}{t1:>10.2f}{'':>10}")
    print(f"{'rs.power n_jobs=2 (loky)':<40}{t2:>10.2f}{t1 / t2:>10.2f}   speed-up n_jobs=1 / n_jobs=2")
    if r is not None:
        print(f"{'R: ' + r['method']:<40}{r['seconds']:>10.2f}{r['seconds'] / t1:>10.2f}   R / ours (n_jobs=1)")
    else:
        print("(no R baseline: Rscript with lavaan not found, or --quick / --no-r)")
    print(f"tables identical across n_jobs: {identical}; starting the 2 loky workers took {cold:.2f} s (not "
          "included above; joblib reuses them across calls)")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_power.json").write_text(json.dumps(
        {"reps": reps, "sizes": SIZES, "ours_n_jobs_1": t1, "ours_n_jobs_2": t2, "speedup": t1 / t2, "worker_start_s": cold,
         "identical": identical, "r": r}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
