"""Benchmark: the 21-indicator party-building mediation model (fit on 800 and 100,000 respondents; bootstrap).

Run:  python benchmarks/bench_sem_mediation.py   (from the repository root)

Model (chen_zhang's structure without the second-order factor): PBL (3 items) -> NET (4), NORM (4), TRUST (5)
-> RES (5); 21 indicators, 3 specific indirect effects, their sum and the total effect as ``:=`` parameters.
Data are simulated with numpy from standardized population values (loadings .70-.85, a-paths .5, b-paths .25,
direct path .15), continuous indicators.

Measured in the same run:

* ours: ``rs.sem(model, data)`` (estimates, SEs, standardized solution; fit indices are lazy, not included),
  and ``rs.sem(model, data).fit_indices`` (every fit measure) against lavaan's ``fitMeasures(sem(model, data))``;
  with numpy's default BLAS threads and with one BLAS thread (``threadpoolctl``);
* semopy: ``semopy.Model(model).fit(data)`` with its defaults (estimation only);
* lavaan 0.6-14 through Rscript when available: ``sem(model, data)`` timed inside R with ``system.time`` over
  repeated fits (R start-up excluded);
* fit time on 100,000 vs on 800 respondents (the estimation works on moments: target within 3x);
* 1,000 bootstrap replicates: ours ``fit.bootstrap(n=1000)`` cold (the first call in a fresh Python process, which
  refits all replicates in batches in that process) and warm, vs lavaan ``se = "bootstrap", bootstrap = 1000``
  (serial, lavaan's default; timed inside R).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from resilience_stats.sem import sem  # noqa: E402

MODEL = """
PBL   =~ pbl1 + pbl2 + pbl3
NET   =~ net1 + net2 + net3 + net4
NORM  =~ norm1 + norm2 + norm3 + norm4
TRUST =~ tr1 + tr2 + tr3 + tr4 + tr5
RES   =~ res1 + res2 + res3 + res4 + res5
NET   ~ a1*PBL
NORM  ~ a2*PBL
TRUST ~ a3*PBL
RES   ~ c*PBL + b1*NET + b2*NORM + b3*TRUST
ind_net   := a1*b1
ind_norm  := a2*b2
ind_trust := a3*b3
ind_total := ind_net + ind_norm + ind_trust
total     := c + ind_total
"""
FACTORS = {"PBL": 3, "NET": 4, "NORM": 4, "TRUST": 5, "RES": 5}
PREFIX = {"PBL": "pbl", "NET": "net", "NORM": "norm", "TRUST": "tr", "RES": "res"}
LOADINGS = (0.80, 0.75, 0.85, 0.72, 0.78)


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    """Standardized population: a = .5, b = .25, c = .15; loadings .72-.85; continuous indicators.

    Examples
    --------
    >>> simulate(10, 1).shape
    (10, 21)
    """
    rng = np.random.default_rng(seed)
    pbl = rng.standard_normal(n)
    eta = {"PBL": pbl}
    for f in ("NET", "NORM", "TRUST"):
        eta[f] = 0.5 * pbl + np.sqrt(0.75) * rng.standard_normal(n)
    lin = 0.15 * pbl + 0.25 * (eta["NET"] + eta["NORM"] + eta["TRUST"])
    eta["RES"] = lin + np.sqrt(max(1 - lin.var(), 0.1)) * rng.standard_normal(n)
    cols = {}
    for f, k in FACTORS.items():
        for j in range(k):
            lam = LOADINGS[j % len(LOADINGS)]
            cols[f"{PREFIX[f]}{j + 1}"] = lam * eta[f] + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
    return pd.DataFrame(cols)


def _median_s(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _semopy_s(data: pd.DataFrame, repeat: int) -> float | None:
    try:
        import semopy
    except ImportError:
        return None
    desc = "\n".join(line for line in MODEL.splitlines() if ":=" not in line)
    desc = desc.replace("a1*", "").replace("a2*", "").replace("a3*", "").replace("c*", "")
    desc = desc.replace("b1*", "").replace("b2*", "").replace("b3*", "")

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            semopy.Model(desc).fit(data)

    return _median_s(run, repeat)


def _lavaan(files: dict, n_rep: int, boot: bool) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    model = MODEL.replace("\n", "\\n")
    code = [
        "suppressPackageStartupMessages(library(lavaan))",
        f'model <- "{model}"',
        "out <- list()",
    ]
    for key, path in files.items():
        code += [
            f'd <- read.csv("{path}")',
            "invisible(sem(model, data = d))",
            f"tm <- system.time(for (i in 1:{n_rep}) sem(model, data = d))",
            f'out[["{key}"]] <- unname(tm[["elapsed"]]) / {n_rep}',
            f"tm <- system.time(for (i in 1:{n_rep}) fitMeasures(sem(model, data = d)))",
            f'out[["{key}_fm"]] <- unname(tm[["elapsed"]]) / {n_rep}',
        ]
    if boot:
        code += [
            f'd <- read.csv("{files["n800"]}")',
            "set.seed(1)",
            'tm <- system.time(sem(model, data = d, se = "bootstrap", bootstrap = 1000))',
            'out[["boot1000"]] <- unname(tm[["elapsed"]])',
        ]
    code.append("cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = 8))")
    try:
        res = subprocess.run(["Rscript", "-e", "\n".join(code)], capture_output=True, text=True, timeout=1800)
        return json.loads(res.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, json.JSONDecodeError, IndexError):
        return None


def _cold_bootstrap(path: Path) -> tuple[float, float]:
    """Seconds of ``fit.bootstrap(n=1000)`` (and of fit + bootstrap) in a fresh Python process: the first
    bootstrap call, nothing warm (imports excluded, as lavaan's time is measured inside R)."""
    code = "\n".join([
        "import sys, time, warnings", f"sys.path.insert(0, {str(ROOT / 'src')!r})",
        "import pandas as pd", "from resilience_stats.sem import sem",
        f"MODEL = {MODEL!r}", f"d = pd.read_csv({str(path)!r})",
        "t0 = time.perf_counter(); fit = sem(MODEL, d); t1 = time.perf_counter()",
        "b = fit.bootstrap(n=1000, seed=1, progress=False); t2 = time.perf_counter()",
        "print(t2 - t1, t2 - t0)"])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    boot, total = map(float, out.stdout.split()[-2:])
    return boot, total


def _fmt(v: float | None, unit: str = "ms") -> str:
    if v is None:
        return "n/a"
    return f"{v * 1000:.1f} ms" if unit == "ms" else f"{v:.2f} s"


def main() -> None:
    d800, d100k = simulate(800, 1), simulate(100_000, 2)
    tmp = Path(tempfile.mkdtemp(prefix="bench_med_"))
    files = {"n800": tmp / "n800.csv", "n100k": tmp / "n100k.csv"}
    d800.to_csv(files["n800"], index=False)
    d100k.to_csv(files["n100k"], index=False)

    from threadpoolctl import threadpool_limits

    ours800 = _median_s(lambda: sem(MODEL, d800), repeat=10)
    ours800_fm = _median_s(lambda: sem(MODEL, d800).fit_indices, repeat=10)
    ours100k_fm = _median_s(lambda: sem(MODEL, d100k).fit_indices, repeat=5)
    ours100k = _median_s(lambda: sem(MODEL, d100k), repeat=5)
    with threadpool_limits(limits=1):  # small matrices: BLAS threads only add overhead/contention
        ours800_1 = _median_s(lambda: sem(MODEL, d800), repeat=10)
        ours100k_1 = _median_s(lambda: sem(MODEL, d100k), repeat=5)
    semo800 = _semopy_s(d800, repeat=3)
    semo100k = _semopy_s(d100k, repeat=1)
    fit = sem(MODEL, d800)
    # 1,000 replicates, cold: the first bootstrap of a fresh process (no worker pool, nothing cached)
    boot_cold, boot_cold_total = _cold_bootstrap(files["n800"])
    t = time.perf_counter()
    b1 = fit.bootstrap(n=1000, seed=1, progress=False)
    boot_warm = time.perf_counter() - t
    b2 = fit.bootstrap(n=1000, seed=1, n_jobs=2, progress=False)
    same = b1.draws.equals(b2.draws)
    lav = _lavaan({k: str(v) for k, v in files.items()}, n_rep=5, boot=True)

    print(f"21-indicator mediation model ({fit.n_params} free parameters); cores: {os.cpu_count()}")
    print(f"{'case':<28}{'ours':>12}{'semopy':>12}{'lavaan':>12}{'semopy/ours':>13}{'lavaan/ours':>13}")

    def row(name, ours, semo, lv, unit="ms"):
        r1 = f"{semo / ours:.1f}x" if semo else "n/a"
        r2 = f"{lv / ours:.1f}x" if lv else "n/a"
        print(f"{name:<28}{_fmt(ours, unit):>12}{_fmt(semo, unit):>12}{_fmt(lv, unit):>12}{r1:>13}{r2:>13}")

    row("fit, N = 800", ours800, semo800, lav and lav.get("n800"))
    row("fit, N = 100,000", ours100k, semo100k, lav and lav.get("n100k"))
    row("fit + all fit indices, 800", ours800_fm, None, lav and lav.get("n800_fm"))
    row("fit + all fit indices, 100k", ours100k_fm, None, lav and lav.get("n100k_fm"))
    row("fit, N = 800, 1 BLAS thread", ours800_1, semo800, lav and lav.get("n800"))
    row("fit, N = 100,000, 1 BLAS th.", ours100k_1, semo100k, lav and lav.get("n100k"))
    row("bootstrap 1000, cold", boot_cold, None, lav and lav.get("boot1000"), unit="s")
    row("bootstrap 1000, cold + fit", boot_cold_total, None, lav and lav.get("boot1000"), unit="s")
    row("bootstrap 1000, warm", boot_warm, None, lav and lav.get("boot1000"), unit="s")
    print(f"fit time N = 100,000 / N = 800: {ours100k / ours800:.2f} (default BLAS threads), "
          f"{ours100k_1 / ours800_1:.2f} (1 BLAS thread); target <= 3")
    l_fm = lav and lav.get("n800_fm")
    print(f"single fit with all fit indices: target at most 1/5 of lavaan's time "
          f"({'%.1fx faster' % (l_fm / ours800_fm) if l_fm else 'lavaan not available'})")
    lb = lav and lav.get("boot1000")
    print(f"bootstrap: n_ok = {b1.n_ok}, n_failed = {b1.n_failed}; identical draws for n_jobs=-1 and 2: {same}; "
          f"target: cold at least 20x faster than lavaan's se='bootstrap' "
          f"({'%.1fx' % (lb / boot_cold) if lb else 'lavaan not available'})")


if __name__ == "__main__":
    main()
