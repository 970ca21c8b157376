"""Benchmarks of the community-level analyses (composite index, QCA) against baselines measured in the same run.

Run:  python benchmarks/bench_indices_qca.py   (from the repository root)

* composite index: entropy weights + TOPSIS + obstacle degrees of 300 communities x 3 waves x 12 indicators,
  ``rs.composite_index`` vs a naive implementation written here (Python loops over cells, as a spreadsheet
  does it). Both give the same closeness (checked).
* QCA: the parsimonious solution of a fuzzy data set with 8 conditions and 60 cases, ``rs.qca.minimize`` (cubes
  built level by level with numpy masks) vs the classic tabular Quine-McCluskey merge (pairs of implicants
  differing in one literal, remainders as don't-cares) written here. Both give the same prime implicants
  (checked). R's ``QCA::minimize`` is timed too (inside R) when ``Rscript`` has the QCA package.

Prints seconds and ratios (baseline / ours; > 1 means ours is faster).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import resilience_stats as rs  # noqa: E402
from resilience_stats import qca  # noqa: E402
from resilience_stats.qca.boolean import cube_term, prime_implicants  # noqa: E402
from resilience_stats.qca.sets import term_string  # noqa: E402


def _time(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# -- composite index ------------------------------------------------------------------------------------------
def _index_data(seed: int = 1) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    n, waves, k = 300, 3, 12
    inds = [f"x{j + 1}" for j in range(k)]
    rows = rng.uniform(1, 5, size=(n * waves, k))
    frame = pd.DataFrame(rows, columns=inds)
    frame.insert(0, "wave", np.repeat(np.arange(1, waves + 1), n))
    frame.insert(0, "community", np.tile([f"C{i:03d}" for i in range(n)], waves))
    return frame, inds


def _naive_index(frame: pd.DataFrame, inds: list[str]) -> list[float]:
    import math

    rows = frame[inds].values.tolist()
    n, k = len(rows), len(inds)
    lo = [min(r[j] for r in rows) for j in range(k)]
    hi = [max(r[j] for r in rows) for j in range(k)]
    z = [[(r[j] - lo[j]) / (hi[j] - lo[j]) for j in range(k)] for r in rows]
    d = []
    for j in range(k):
        total = sum(z[i][j] for i in range(n))
        e = 0.0
        for i in range(n):
            p = z[i][j] / total
            if p > 0:
                e -= p * math.log(p)
        d.append(1 - e / math.log(n))
    w = [v / sum(d) for v in d]
    v = [[z[i][j] * w[j] for j in range(k)] for i in range(n)]
    best = [max(v[i][j] for i in range(n)) for j in range(k)]
    worst = [min(v[i][j] for i in range(n)) for j in range(k)]
    out = []
    for i in range(n):
        dp = math.sqrt(sum((v[i][j] - best[j]) ** 2 for j in range(k)))
        dn = math.sqrt(sum((v[i][j] - worst[j]) ** 2 for j in range(k)))
        gap = [w[j] * (1 - z[i][j]) for j in range(k)]
        _obstacle = [g / sum(gap) for g in gap]
        out.append(dn / (dp + dn))
    return out


def bench_index() -> None:
    frame, inds = _index_data()
    ours = rs.composite_index(frame, inds)
    naive = _naive_index(frame, inds)
    assert np.allclose(ours.scores["closeness"], naive, atol=1e-12)
    t_ours = _time(lambda: rs.composite_index(frame, inds))
    t_naive = _time(lambda: _naive_index(frame, inds))
    print(f"composite index (300 communities x 3 waves x 12 indicators): ours {t_ours:.3f} s, naive loops "
          f"{t_naive:.3f} s, ratio {t_naive / t_ours:.1f}")


# -- QCA ------------------------------------------------------------------------------------------------------
def _qca_data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, k = 60, 8
    x = np.round(rng.uniform(size=(n, k)), 2)
    x[x == 0.5] = 0.51
    z = np.maximum(np.minimum(x[:, 0], 1 - x[:, 1]), np.minimum(x[:, 2], x[:, 3]))
    y = np.clip(np.round(z + rng.normal(0, 0.15, n), 2), 0, 1)
    frame = pd.DataFrame(x, columns=[f"C{j + 1}" for j in range(k)])
    frame["Y"] = y
    frame.index = [f"c{i + 1}" for i in range(n)]
    return frame


def _tabular_qm(k: int, on: list[int], dont_care: list[int]) -> set[str]:
    """Classic Quine-McCluskey: merge implicants that differ in one literal until nothing merges."""
    current = {tuple((r >> (k - 1 - j)) & 1 for j in range(k)) for r in [*on, *dont_care]}
    primes = set()
    while current:
        merged, used = set(), set()
        for a, b in combinations(sorted(current), 2):
            diff = [j for j in range(k) if a[j] != b[j]]
            if len(diff) == 1 and a[diff[0]] != -1 and b[diff[0]] != -1:
                c = list(a)
                c[diff[0]] = -1
                merged.add(tuple(c))
                used |= {a, b}
        primes |= current - used
        current = merged
    on_set = set(on)

    def covers_on(t):
        return any(all(v < 0 or ((r >> (k - 1 - j)) & 1) == v for j, v in enumerate(t)) for r in on_set)

    return {term_string(t, [f"C{j + 1}" for j in range(k)]) for t in primes if covers_on(t)}


def _r_qca_seconds(frame: pd.DataFrame) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        frame.to_csv(path, index_label="case")
        code = (f'suppressPackageStartupMessages(library(QCA)); d <- read.csv("{path}", row.names = 1); '
                'tt <- truthTable(d, outcome = "Y", incl.cut = 0.8); '
                't <- system.time(for (i in 1:3) minimize(tt, include = "?"))[["elapsed"]] / 3; cat(t)')
        res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True)
        if res.returncode != 0:
            return None
        return float(res.stdout.strip())


def bench_qca() -> None:
    frame = _qca_data()
    tt = qca.truth_table(frame, "Y", incl_cut=0.8)
    k = len(tt.conditions)
    pos = [r - 1 for r in tt.rows("1")]
    neg = [r - 1 for r in tt.rows("0") + tt.rows("C")]
    rem = sorted(set(range(2 ** k)) - set(pos) - set(neg))
    ours_pis = {term_string(cube_term(m, v, k), tt.conditions) for m, v in prime_implicants(k, pos, neg)}
    assert ours_pis == _tabular_qm(k, pos, rem), "prime implicants differ"
    t_ours = _time(lambda: qca.minimize(tt, include="?"))
    t_naive = _time(lambda: _tabular_qm(k, pos, rem), repeat=1)
    line = (f"QCA parsimonious solution (8 conditions, 60 cases, {len(ours_pis)} prime implicants): ours "
            f"{t_ours:.3f} s, tabular Quine-McCluskey {t_naive:.3f} s, ratio {t_naive / t_ours:.1f}")
    r = _r_qca_seconds(frame)
    line += f"; R QCA::minimize {r:.3f} s, ratio {r / t_ours:.2f}" if r is not None else "; R QCA not installed"
    print(line)


if __name__ == "__main__":
    bench_index()
    bench_qca()
