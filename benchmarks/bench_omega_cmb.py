"""Benchmarks of omega hierarchical, EFA on polychoric correlations, Mardia's tests, split halves and the
common-method-bias checks, against R (psych 2.2.9 / lavaan 0.6-14) timed inside R in the same run.

Run:  python benchmarks/bench_omega_cmb.py   (from the repository root; uses tests/data/bfi.csv and
tests/data/example_survey_pbsc.csv; without Rscript only our timings are printed)

Prints seconds and ratios (R / ours; > 1 means ours is faster).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_psychometrics import _row, _time  # noqa: E402  (same timing and printing as the other benchmarks)

import resilience_stats as rs  # noqa: E402

BFI = ROOT / "tests" / "data" / "bfi.csv"
PBSC = ROOT / "tests" / "data" / "example_survey_pbsc.csv"


def _r_seconds(expr: str, repeat: int = 3) -> float | None:
    """Best of ``repeat`` elapsed times of ``expr`` inside R (data: ``items`` = bfi items, ``pbsc``)."""
    if shutil.which("Rscript") is None:
        return None
    code = ("suppressPackageStartupMessages({library(psych); library(lavaan)}); "
            f"items <- read.csv('{BFI}')[, 1:25]; pbsc <- read.csv('{PBSC}'); set.seed(1); "
            f"t <- min(sapply(1:{repeat}, function(i) system.time(suppressWarnings(suppressMessages({expr})))"
            "[['elapsed']])); cat(t)")
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=900)
        return float(out.stdout.strip().split()[-1])
    except Exception:  # noqa: BLE001 - R or a package missing: no baseline
        return None


def _bench(label: str, fn, r_expr: str, repeat: int = 3) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _time(fn, repeat=repeat)
    print(f"{label}: ours {ours:.3f} s")
    _row(f"R: {r_expr[:60]}", ours, _r_seconds(r_expr, repeat))


def main() -> None:
    items = pd.read_csv(BFI).iloc[:, :25]
    pbsc = pd.read_csv(PBSC)
    mm = rs.load_instrument("party_building_social_capital").measurement_model()
    r_mm = mm.replace("\n", "\\n")
    _bench("omega, bfi 25 items, 3 group factors", lambda: rs.omega(items), "omega(items, plot = FALSE)")
    _bench("omega, pbsc 29 items, 7 factors, polychoric", lambda: rs.omega(pbsc, 7, cor="poly"),
           "omega(pbsc, nfactors = 7, poly = TRUE, plot = FALSE)", repeat=2)
    _bench("fa.poly, pbsc 29 items, 7 factors", lambda: rs.efa(pbsc, 7, cor="poly"),
           "fa.poly(pbsc, nfactors = 7)", repeat=2)
    _bench("mardia, bfi 25 items (2436 complete cases)", lambda: rs.mardia(items), "mardia(items, plot = FALSE)")
    _bench("split half, bfi 16 items (6435 splits, exhaustive)", lambda: rs.split_half(items.iloc[:, :16]),
           "splitHalf(items[, 1:16])")
    _bench("split half, bfi 25 items (10000 random splits)", lambda: rs.split_half(items),
           "splitHalf(items)")
    _bench("common-method checks, pbsc (Harman + 3 CFA fits, ML)", lambda: rs.common_method_bias(pbsc, mm),
           "{fa(pbsc, 1, rotate = 'none'); principal(pbsc, 1, rotate = 'none'); fa(pbsc, 1, fm = 'pa', "
           "rotate = 'none'); it <- names(pbsc); m <- '" + r_mm + "'; "
           "f0 <- cfa(m, pbsc); f1 <- cfa(paste('G =~', paste(it, collapse = ' + ')), pbsc); "
           "f2 <- cfa(paste0(m, '\\nCMV =~ ', paste0('1*', it, collapse = ' + '), "
           "'\\nCMV ~~ 0*PBL + 0*NET + 0*NORM + 0*TRUST + 0*RES'), pbsc); anova(f1, f0); anova(f0, f2)}", repeat=2)


if __name__ == "__main__":
    main()
