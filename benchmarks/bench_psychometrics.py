"""Benchmarks of the psychometrics subpackage against baselines measured in the same run.

Run:  python benchmarks/bench_psychometrics.py   (from the repository root; uses tests/data/bfi.csv)

* polychoric, 25 items x 2800 rows (300 pairs):
  ours vs (a) a naive per-pair loop (scipy ``multivariate_normal.cdf`` cells + ``minimize_scalar``), timed
  on a subset of pairs and extrapolated to 300, (b) semopy's ``polychoric_corr`` per pair (subset,
  extrapolated), (c) ``psych::polychoric`` through Rscript (time measured inside R) when R is available.
* parallel analysis, 100 iterations (kind="fa"):
  ours (batched fits, Wishart-drawn correlation matrices; also simulation="data") vs (a) a naive loop (one simulated data set and one minres fit at a time, same code path
  otherwise), (b) ``psych::fa.parallel(fa = "fa", n.iter = 100)`` through Rscript when available.

Prints seconds and ratios (baseline / ours; > 1 means ours is faster).
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

from resilience_stats.psychometrics import parallel_analysis, polychoric  # noqa: E402
from resilience_stats.psychometrics._fa import extract  # noqa: E402
from resilience_stats.psychometrics.parallel import _batched_corr  # noqa: E402

DATA = ROOT / "tests" / "data" / "bfi.csv"


def _time(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _naive_polychoric_pairs(items: pd.DataFrame, pairs: list[tuple[int, int]]) -> list[float]:
    from scipy.optimize import minimize_scalar
    from scipy.stats import multivariate_normal, norm

    x = items.to_numpy()
    lo = np.nanmin(x)
    k = int(np.nanmax(x) - lo + 1)
    tau = []
    for j in range(x.shape[1]):
        v = x[~np.isnan(x[:, j]), j] - lo
        cum = np.cumsum(np.bincount(v.astype(int), minlength=k))[:-1] / v.size
        tau.append(np.concatenate([[-10.0], norm.ppf(cum), [10.0]]))
    out = []
    for i, j in pairs:
        ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
        tab = np.zeros((k, k))
        np.add.at(tab, ((x[ok, i] - lo).astype(int), (x[ok, j] - lo).astype(int)), 1)

        def nll(r, i=i, j=j, tab=tab):
            mvn = multivariate_normal(cov=[[1, r], [r, 1]])
            f = np.array([[mvn.cdf([a, b]) for b in tau[j]] for a in tau[i]])
            p = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
            return -(tab[p > 0] * np.log(p[p > 0])).sum()

        out.append(minimize_scalar(nll, bounds=(-0.999, 0.999), method="bounded").x)
    return out


def _semopy_pairs(items: pd.DataFrame, pairs):
    from semopy.polycorr import polychoric_corr

    x = items.to_numpy()
    out = []
    for i, j in pairs:
        ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
        out.append(polychoric_corr(x[ok, i], x[ok, j]))
    return out


def _naive_parallel(items: pd.DataFrame, n_iter: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n, p = items.shape
    vals = []
    for _ in range(n_iter):
        r = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        vals.append(extract(r, 1, "minres").values)
    return np.array(vals)


def _rscript_seconds(expr: str) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    code = (f"suppressPackageStartupMessages(library(psych)); items <- read.csv('{DATA}')[, 1:25]; "
            f"set.seed(1); t <- system.time({expr}); cat(t[['elapsed']])")
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=600)
        return float(out.stdout.strip().split()[-1])
    except Exception:  # noqa: BLE001 - R missing or psych not installed: no baseline
        return None


def _row(name: str, ours: float, base: float | None, note: str = "") -> None:
    if base is None:
        print(f"  {name:<48s} {'n/a':>9s}")
        return
    print(f"  {name:<48s} {base:9.3f} s   ratio baseline/ours = {base / ours:8.1f}x  {note}")


def main() -> None:
    items = pd.read_csv(DATA).iloc[:, :25]
    n, p = items.shape
    print(f"data: bfi {p} items x {n} rows ({int(items.isna().sum().sum())} missing values)\n")

    # ------------------------------------------------------------------ polychoric
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_poly = _time(lambda: polychoric(items))
    print(f"polychoric 25 x 2800 (300 pairs): ours {t_poly:.3f} s")
    all_pairs = [(i, j) for i in range(p) for j in range(i + 1, p)]
    sub = all_pairs[:6]
    t0 = time.perf_counter()
    _naive_polychoric_pairs(items, sub)
    t_naive = (time.perf_counter() - t0) * len(all_pairs) / len(sub)
    _row("naive loop (scipy mvn.cdf), extrapolated", t_poly, t_naive, f"(timed on {len(sub)} pairs)")
    try:
        sub2 = all_pairs[:30]
        t0 = time.perf_counter()
        _semopy_pairs(items, sub2)
        t_sem = (time.perf_counter() - t0) * len(all_pairs) / len(sub2)
        _row("semopy polychoric_corr per pair, extrapolated", t_poly, t_sem, f"(timed on {len(sub2)} pairs)")
    except Exception as exc:  # noqa: BLE001
        print(f"  semopy baseline unavailable: {exc}")
    _row("psych::polychoric (Rscript, inside R)", t_poly, _rscript_seconds("psych::polychoric(items)"))

    # ------------------------------------------------------------ parallel analysis
    t_pa = _time(lambda: parallel_analysis(items, n_iter=100, seed=0, kind="fa"), repeat=2)
    print(f"\nparallel analysis kind='fa', 100 iterations: ours {t_pa:.3f} s")
    t_pa_data = _time(lambda: parallel_analysis(items, n_iter=100, seed=0, kind="fa", simulation="data"), repeat=2)
    print(f"  ours with simulation='data' (n x p normal data sets as psych): {t_pa_data:.3f} s")
    t0 = time.perf_counter()
    _naive_parallel(items, 100)
    t_loop = time.perf_counter() - t0
    _row("naive loop (simulation only, one set at a time)", t_pa, t_loop)
    _row("psych::fa.parallel(fa='fa', n.iter=100) (Rscript)", t_pa,
         _rscript_seconds("psych::fa.parallel(items, fa = 'fa', n.iter = 100, plot = FALSE)"))
    t_pca = _time(lambda: parallel_analysis(items, n_iter=100, seed=0, kind="pca"), repeat=2)
    print(f"parallel analysis kind='pca', 100 iterations: ours {t_pca:.3f} s")

    # batched correlation sanity (same numbers as np.corrcoef)
    x = np.random.default_rng(0).standard_normal((2, 50, 4))
    assert np.allclose(_batched_corr(x)[1], np.corrcoef(x[1], rowvar=False))


if __name__ == "__main__":
    main()
