"""Benchmark: multilevel regression (rs.multilevel) against statsmodels' MixedLM and R's lme4.

Run:  python benchmarks/bench_multilevel.py   (from the repository root; tests/data/multilevel_communities.csv,
tests/data/sleepstudy.csv)

* ours: ``rs.multilevel`` (statsmodels' optimizer at a tight tolerance, then lme4's vcov, AIC/BIC, conditional
  modes, R^2, singular-fit check) for a null model, a random-intercept model and a random-slope model with a
  cross-level interaction (1060 residents in 40 communities), and sleepstudy's (Days | Subject);
* baseline in the same run: statsmodels' ``MixedLM.fit(reml=True)`` with its default settings on the same design;
* lme4 through Rscript when available: ``lmer()`` with its default control and with the tight control the golden
  values use (tests/golden/multilevel_lme4.R), timed inside R (median; R start-up excluded).

Prints median milliseconds and ratios (> 1 means ours is faster).
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import shutil
import subprocess
import sys
import timeit
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import resilience_stats as rs  # noqa: E402

COMM = ROOT / "tests" / "data" / "multilevel_communities.csv"
SLEEP = ROOT / "tests" / "data" / "sleepstudy.csv"
FULL = dict(x=["NET", "NORM"], w=["PBL_mean", "urban"], cluster="community",
            center={"NET": "group", "NORM": "grand"}, interactions=[("NET", "PBL_mean")])
CASES = {
    "community null": ("comm", dict(y="RES", cluster="community"), "RES ~ 1 + (1 | community)"),
    "community random intercept": ("comm", dict(y="RES", **FULL),
                                   "RES ~ NET_cwc + NORM_gmc + PBL_mean + urban + NET_cwc:PBL_mean + (1 | community)"),
    "community random slope": ("comm", dict(y="RES", random_slopes=["NET"], **FULL),
                               "RES ~ NET_cwc + NORM_gmc + PBL_mean + urban + NET_cwc:PBL_mean + "
                               "(1 + NET_cwc | community)"),
    "sleepstudy (Days | Subject)": ("sleep", dict(y="Reaction", x="Days", cluster="Subject", random_slopes="Days"),
                                    "Reaction ~ Days + (1 + Days | Subject)"),
}
TIGHT = ('lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_rel = 1e-14, ftol_rel = 1e-16, '
         'ftol_abs = 1e-16, xtol_abs = 1e-14, maxeval = 1e5))')


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    return 1000 * float(np.median(timeit.repeat(fn, number=1, repeat=repeat)))


def lme4_ms(repeat: int) -> dict | None:
    """{case: (default ms, tight ms)}; None without Rscript/lme4."""
    if shutil.which("Rscript") is None:
        return None
    lines = [
        "suppressPackageStartupMessages(library(lme4))",
        f'comm <- read.csv("{str(COMM).replace(chr(92), "/")}")',
        f'sleep <- read.csv("{str(SLEEP).replace(chr(92), "/")}")',
        "comm$NET_cwc <- comm$NET - ave(comm$NET, comm$community); comm$PBL_mean <- ave(comm$PBL, comm$community)",
        "comm$NORM_gmc <- comm$NORM - mean(comm$NORM)",
        f"tight <- {TIGHT}",
        "tm <- function(f) { invisible(f()); median(replicate(%d, system.time(f())[['elapsed']])) * 1000 }" % repeat,
    ]
    for name, (data, _, formula) in CASES.items():
        d = "comm" if data == "comm" else "sleep"
        lines.append(f'cat("{name}", tm(function() lmer({formula}, data = {d})), '
                     f'tm(function() lmer({formula}, data = {d}, control = tight)), sep = "\\t"); cat("\\n")')
    try:
        out = subprocess.run(["Rscript", "-e", "\n".join(lines)], capture_output=True, text=True, timeout=900)
        rows = [line.split("\t") for line in out.stdout.strip().splitlines()]
        return {r[0]: (float(r[1]), float(r[2])) for r in rows if len(r) == 3}
    except (subprocess.SubprocessError, ValueError):
        return None


def main(repeat: int = 5) -> None:
    from statsmodels.regression.mixed_linear_model import MixedLM

    data = {"comm": pd.read_csv(COMM), "sleep": pd.read_csv(SLEEP)}
    r_times = lme4_ms(repeat) or {}
    print(f"{'model':30s} {'ours ms':>9s} {'statsmodels ms':>15s} {'ratio':>6s} {'lme4 ms':>8s} {'ratio':>6s} "
          f"{'lme4 tight ms':>14s} {'ratio':>6s}")
    for name, (d, kw, _) in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = rs.multilevel(data[d], **kw)
            design = fit._design

            def baseline():
                return MixedLM(design.y, design.X, groups=design.codes, exog_re=design.Z).fit(reml=True)

            ours = _median_ms(lambda: rs.multilevel(data[d], **kw), repeat)
            base = _median_ms(baseline, repeat)
        r_default, r_tight = r_times.get(name, (float("nan"), float("nan")))
        print(f"{name:30s} {ours:9.1f} {base:15.1f} {base / ours:6.2f} {r_default:8.1f} {r_default / ours:6.2f} "
              f"{r_tight:14.1f} {r_tight / ours:6.2f}")
    if not r_times:
        print("(lme4 timings skipped: Rscript or lme4 not available)")


if __name__ == "__main__":
    main()
