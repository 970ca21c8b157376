"""Starting values for the free parameters (simple, data-based, close to lavaan's defaults)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import SampleStats
from .model import RAMModel

__all__ = ["start_values"]


def _communalities(C: np.ndarray) -> np.ndarray:
    """One-factor communality guess for each indicator from its covariance block ``C``."""
    k = C.shape[0]
    d = np.diag(C).copy()
    if k == 1:
        return d * 0.5
    if k == 2:
        h = np.full(2, abs(C[0, 1]))
    else:
        h = np.empty(k)
        for i in range(k):
            others = [j for j in range(k) if j != i]
            num = den = 0.0
            for a in range(len(others)):
                for b in range(a + 1, len(others)):
                    j, l = others[a], others[b]
                    num += C[i, j] * C[i, l]
                    den += C[j, l]
            h[i] = abs(num / den) if den != 0 else abs(C[i, others]).mean()
    return np.clip(h, 0.05 * d, 0.95 * d)


def start_values(pt: pd.DataFrame, models: list[RAMModel], stats: list[SampleStats],
                 method: str = "data") -> np.ndarray:
    """Starting vector for the free parameters.

    Loadings from one-factor communalities of each factor's indicators (scaled to the marker), residual variances
    ``s_ii - h_i``, factor variances from the marker's communality, regressions and covariances 0, intercepts the
    sample means. ``start(...)`` modifiers override. ``method="simple"`` gives lavaan's "simple" values instead
    (free loadings 1, residual variances half the sample variances, factor variances 0.05), used as a second
    start when the first solution is improper.

    Examples
    --------
    >>> from resilience_stats.sem.syntax import build_partable
    >>> from resilience_stats.sem.model import build_models
    >>> from resilience_stats.sem.data import sample_stats
    >>> rng = np.random.default_rng(1); f = rng.normal(size=(500, 1))
    >>> X = f @ np.ones((1, 3)) + rng.normal(size=(500, 3))
    >>> pt = build_partable("f =~ a + b + c"); mods = build_models(pt)
    >>> start_values(pt, mods, [sample_stats(X, ["a", "b", "c"])]).round(1).tolist()
    [1.2, 1.0, 1.2, 0.8, 1.1, 0.8]
    """
    from .model import pt_arrays

    arrays = pt_arrays(pt)
    nfree = models[0].nfree
    sums = np.zeros(nfree)
    counts = np.zeros(nfree)
    for mod, ss in zip(models, stats):
        sub = {k: v[mod.rows] for k, v in arrays.items()}
        S = ss.cov
        ovi = {v: i for i, v in enumerate(mod.ov)}
        lvset = set(mod.lv)
        lam: dict[tuple[str, str], float] = {}
        psi: dict[str, float] = {}
        resid: dict[str, float] = {}
        for f in mod.lv:
            sel = (sub["op"] == "=~") & (sub["lhs"] == f)
            ind_rhs, ind_free, ind_ustart = sub["rhs"][sel], sub["free"][sel], sub["ustart"][sel]
            inds = [v for v in ind_rhs if v in ovi]
            if not inds:
                continue
            idx = [ovi[v] for v in inds]
            C = S[np.ix_(idx, idx)]
            h = _communalities(C)
            # sign relative to the first indicator
            sign = np.sign(C[0])
            sign[sign == 0] = 1.0
            fixed = [(v, u) for v, fr, u in zip(ind_rhs, ind_free, ind_ustart)
                     if fr == 0 and v in ovi and np.isfinite(u) and u != 0]
            if fixed:
                mk = inds.index(fixed[0][0])
                v = float(fixed[0][1])
                var = h[mk] / v**2
                scale = np.sqrt(var)
                sign = sign * np.sign(C[mk, 0] if mk else 1.0) * np.sign(v)
            else:
                lsel = np.flatnonzero((sub["op"] == "~~") & (sub["lhs"] == f) & (sub["rhs"] == f))
                var = float(sub["ustart"][lsel[0]]) if len(lsel) and sub["free"][lsel[0]] == 0 else 1.0
                scale = np.sqrt(var) if var > 0 else 1.0
            psi[f] = var
            for k, v in enumerate(inds):
                lam[(f, v)] = sign[k] * np.sqrt(h[k]) / scale
                resid[v] = max(S[ovi[v], ovi[v]] - h[k], 0.1 * S[ovi[v], ovi[v]])
        for k in range(len(mod.rows)):
            fr = mod.free[k]
            if fr < 0:
                continue
            lhs, op, rhs = sub["lhs"][k], sub["op"][k], sub["rhs"][k]
            if np.isfinite(sub["start"][k]):
                val = float(sub["start"][k])
            elif op == "=~":
                val = 1.0 if method == "simple" else lam.get((lhs, rhs), 1.0)
            elif op == "~~" and lhs == rhs:
                if lhs in lvset:
                    val = 0.05 if method == "simple" else psi.get(lhs, 0.05)
                elif lhs in resid and method != "simple":
                    val = resid[lhs]
                else:
                    val = 0.5 * S[ovi[lhs], ovi[lhs]] if lhs in ovi else 0.05
            elif op == "~1":
                val = ss.mean[ovi[lhs]] if lhs in ovi else 0.0
            else:
                val = 0.0
            sums[fr] += val
            counts[fr] += 1
    out = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    return out
