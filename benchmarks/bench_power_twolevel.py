"""Benchmark of Monte Carlo power for a two-level (community) design: parallel speed-up and a lavaan baseline.

Run:  python benchmarks/bench_power_twolevel.py [--reps 100] [--quick] [--no-r]   (from the repository root)

Case: residents in communities -- a within-community factor (3 items), a between-community factor predicted by
the community-level ``pbl`` and predicting the community-level ``res`` (between indirect effect ``ind := a*b``),
ICC 0.15; ``reps`` replicates at each of 30 and 60 communities of 20 residents (600 and 1200 rows), ML.

* ``rs.power`` with ``n_jobs=1`` and ``n_jobs=2`` (loky workers started before timing; the tables must be
  identical);
* R baseline in the same run when ``Rscript`` is present: lavaan 0.6-14 ``sem(..., cluster=)`` +
  ``parameterEstimates()`` + ``fitMeasures()`` on *the same* replicate data sets (lavaan 0.6-14's
  ``simulateData`` has no two-level models; the data are drawn here with the replicate seeds ``rs.power``
  uses), one process, timed inside R. The mean estimates of a, b and ind over the replicates are compared with
  ``rs.power``'s ``mean_est`` (same data, so they agree to the fits' precision).

Prints seconds and ratios (baseline / ours; > 1 means ours is faster). Results go to
``benchmarks/results/bench_power_twolevel.json`` (gitignored).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from resilience_stats.power import analysis_syntax, power  # noqa: E402
from resilience_stats.simulate import population, simulate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_power import bench_args, run_rscript, time_n_jobs  # noqa: E402  (shared with the single-level benchmark)

POPULATION = """
level: 1
  NETw =~ 0.8*net1 + 0.7*net2 + 0.7*net3
level: 2
  NETb =~ 0.9*net1 + 0.9*net2 + 0.8*net3
  NETb ~ a*0.4*pbl
  res ~ b*0.4*NETb + c*0.1*pbl
  ind := a*b
"""
ICC = 0.15
CLUSTERS = [30, 60]
SIZE = 20
SEED = 1

R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
ana <- "{ana}"
d <- read.csv("{path}")
t0 <- proc.time()[["elapsed"]]
rows <- list()
for (key in unique(d$key)) {{
  sub <- d[d$key == key, ]
  fit <- tryCatch(sem(ana, data = sub, cluster = "community"), error = function(e) NULL)
  if (is.null(fit) || !lavInspect(fit, "converged")) next
  pe <- parameterEstimates(fit)
  fm <- fitMeasures(fit, c("chisq", "cfi", "rmsea", "srmr"))
  rows[[length(rows) + 1]] <- c(key = key, pe$est[match(c("a", "b", "ind"), pe$label)])
}}
secs <- proc.time()[["elapsed"]] - t0
est <- do.call(rbind, rows)
k <- sub("_.*", "", est[, 1])
out <- lapply(split(as.data.frame(est[, 2:4]), k), function(x) colMeans(apply(x, 2, as.numeric)))
cat(sprintf('{{"seconds": %f, "fits": %d, "mean_est": %s}}', secs, nrow(est),
            paste0("{{", paste(sprintf('"%s": [%s]', names(out),
                                       sapply(out, function(v) paste(sprintf("%.10f", v), collapse = ", "))),
                               collapse = ", "), "}}")))
"""


def _ours(reps: int, n_jobs: int) -> pd.DataFrame:
    return power(POPULATION, n_clusters=CLUSTERS, cluster_size=SIZE, icc=ICC, reps=reps, seed=SEED, n_jobs=n_jobs,
                 cluster="community").table


def _replicate_data(reps: int) -> pd.DataFrame:
    """The data sets rs.power fits: SeedSequence(seed).spawn(designs)[i].spawn(reps)[r] (see power.py)."""
    pop = population(POPULATION, icc=ICC)
    frames = []
    for k, child in zip(CLUSTERS, np.random.SeedSequence(SEED).spawn(len(CLUSTERS))):
        for r, ss in enumerate(child.spawn(reps)):
            d = simulate(pop, None, np.random.default_rng(ss), clusters={"k": k, "size": SIZE, "name": "community"})
            frames.append(d.assign(key=f"{k}_{r}"))
    return pd.concat(frames, ignore_index=True)


def _r_baseline(reps: int) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "replicates.csv"
        _replicate_data(reps).to_csv(path, index=False)
        ana = analysis_syntax(population(POPULATION, icc=ICC))
        return run_rscript(R_CODE.format(ana=ana.replace("\n", "\\n"), path=path.as_posix()))


def main(argv: list[str] | None = None) -> None:
    reps, with_r = bench_args(argv, __doc__, 100, 10)
    cold, t1, t2, identical, tab1 = time_n_jobs(_ours, reps)
    r = _r_baseline(reps) if with_r else None
    print(f"{reps} replicates x {CLUSTERS} communities of {SIZE} ({reps * len(CLUSTERS)} two-level fits)")
    print(f"{'run':<44}{'seconds':>10}{'ratio':>10}")
    print(f"{'rs.power n_jobs=1':<44}{t1:>10.2f}{'':>10}")
    print(f"{'rs.power n_jobs=2 (loky)':<44}{t2:>10.2f}{t1 / t2:>10.2f}   speed-up n_jobs=1 / n_jobs=2")
    agree = None
    if r is not None:
        print(f"{'R: lavaan sem(cluster=) on the same data':<44}{r['seconds']:>10.2f}{r['seconds'] / t1:>10.2f}"
              "   R / ours (n_jobs=1)")
        ours = tab1[tab1["label"].isin(["a", "b", "ind"])].set_index(["n_clusters", "label"])["mean_est"]
        agree = max(abs(ours[(int(k), lab)] - v) for k, vals in r["mean_est"].items()
                    for lab, v in zip(["a", "b", "ind"], vals))
        print(f"mean estimates of a, b, ind: largest |ours - lavaan| = {agree:.2e} ({r['fits']} lavaan fits "
              "converged)")
    else:
        print("(no R baseline: Rscript with lavaan not found, or --quick / --no-r)")
    print(f"tables identical across n_jobs: {identical}; starting the 2 loky workers took {cold:.2f} s (not "
          "included above)")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_power_twolevel.json").write_text(json.dumps(
        {"reps": reps, "clusters": CLUSTERS, "size": SIZE, "ours_n_jobs_1": t1, "ours_n_jobs_2": t2,
         "speedup": t1 / t2, "worker_start_s": cold, "identical": identical, "r": r, "max_mean_est_diff": agree},
        indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
