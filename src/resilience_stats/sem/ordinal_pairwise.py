"""Ordinal sample statistics with pairwise deletion (lavaan's ``missing = "pairwise"`` for WLSMV).

As :func:`~resilience_stats.psychometrics.polychoric_acov.polychoric_acov`, but

* thresholds from all cases that answered the item;
* each polychoric correlation from the cases that answered both items (thresholds held at the univariate values);
* Gamma from the casewise scores with missing contributions set to 0 (lavaan's ``muthen1984`` sums with
  ``na.rm``), scaled by N = all cases with at least one answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

from ..errors import DataError
from ..psychometrics import polychoric_acov as pa

__all__ = ["polychoric_acov_pairwise"]


def polychoric_acov_pairwise(items: pd.DataFrame) -> "pa.OrdinalMoments":
    """Thresholds, polychorics and Gamma with pairwise deletion (see module docstring).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], size=800)
    >>> df = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1.0, columns=["a", "b", "c"])
    >>> df.iloc[:50, 0] = np.nan
    >>> mom = polychoric_acov_pairwise(df)
    >>> mom.n_obs, mom.gamma.shape
    (800, (12, 12))
    """
    X = items.to_numpy(dtype=float)
    names = [str(c) for c in items.columns]
    keep = ~np.all(np.isnan(X), axis=1)
    X = X[keep]
    n, p = X.shape
    if p < 2:
        raise DataError(f"at least 2 ordinal items are needed, got {p}")
    codes = np.full(X.shape, -1, dtype=np.int64)
    cats = []
    for j in range(p):
        obs = ~np.isnan(X[:, j])
        vals, inv = np.unique(X[obs, j], return_inverse=True)
        codes[obs, j] = inv.ravel()
        cats.append(vals.tolist())
    ncat = np.array([len(c) for c in cats])
    single = [nm for nm, k in zip(names, ncat) if k < 2]
    if single:
        raise DataError(f"item(s) with a single observed category: {', '.join(single)}")
    tau = []
    for j in range(p):
        c = codes[codes[:, j] >= 0, j]
        freq = np.bincount(c, minlength=ncat[j]).astype(float)
        tau.append(ndtri(np.cumsum(freq)[:-1] / freq.sum()))
    nth = ncat - 1
    th_end = np.cumsum(nth)
    th_start = th_end - nth
    n_th = int(th_end[-1])
    sc_th = np.zeros((n, n_th))
    a11_inv = np.zeros((n_th, n_th))
    for j in range(p):
        sj = pa.threshold_scores(tau[j])
        obs = codes[:, j] >= 0
        freq = np.bincount(codes[obs, j], minlength=ncat[j]).astype(float)
        blk = slice(th_start[j], th_end[j])
        sc_th[np.ix_(obs, np.arange(th_start[j], th_end[j]))] = sj[codes[obs, j]]
        a11_inv[blk, blk] = np.linalg.inv((sj * freq[:, None]).T @ sj)
    rows, cols = pa._vech_pairs(p)
    n_pairs = rows.size
    rho = np.zeros(n_pairs)
    sc_cor = np.zeros((n, n_pairs))
    a21 = np.zeros((n_pairs, n_th))
    a22 = np.zeros(n_pairs)
    notes = []
    for m in range(n_pairs):
        ia, ib = cols[m], rows[m]
        both = (codes[:, ia] >= 0) & (codes[:, ib] >= 0)
        if both.sum() < 2:
            raise DataError(f"items {names[ia]} and {names[ib]} have fewer than 2 cases in common")
        ca, cb = codes[both, ia], codes[both, ib]
        ka, kb = ncat[ia], ncat[ib]
        freq = np.bincount(ca * kb + cb, minlength=ka * kb).reshape(1, ka, kb).astype(float)
        ta, tb = tau[ia][None, :], tau[ib][None, :]
        est = None
        fit_freq = freq
        if ka == 2 and kb == 2:
            r_q, f_q, note = pa._binary_special(freq[0], float(ta[0, 0]), float(tb[0, 0]))
            fit_freq = f_q[None]
            if note:
                notes.append(f"{names[ia]} x {names[ib]}: {note}")
            est = r_q
        if est is None:
            start = pa._pearson(ca[:, None].astype(float), cb[:, None].astype(float))
            est = float(pa._rho_ml(fit_freq, ta, tb, start)[0])
        rho[m] = est
        r_s = np.clip(np.array([est]), -pa._RHO_BOUND, pa._RHO_BOUND)
        prob, phi = pa._floored_probabilities(r_s, ta, tb)
        ok = prob > pa._PI_FLOOR
        s_rho = np.where(ok, phi / prob, 0.0)[0]
        sc_cor[both, m] = s_rho[ca, cb]
        a22[m] = float((freq[0] * s_rho * s_rho).sum())
        d_ta = pa._cell_threshold_scores(r_s, ta, tb, prob)[0]
        d_tb = pa._cell_threshold_scores(r_s, tb, ta, prob.transpose(0, 2, 1))[0]
        w = freq[0] * s_rho
        a21[m, th_start[ia]:th_end[ia]] = np.einsum("ab,abk->k", w, d_ta)
        a21[m, th_start[ib]:th_end[ib]] = np.einsum("ab,bak->k", w, d_tb)
    if np.any(~(a22 > 0)):
        raise DataError("a polychoric correlation has zero information (degenerate bivariate table)")
    inf_th = sc_th @ a11_inv.T
    inf_cor = (sc_cor - inf_th @ a21.T) / a22
    infl = np.concatenate([inf_th, inf_cor], axis=1)
    gamma = n * (infl.T @ infl)
    th_labels = [f"{names[j]}|t{k + 1}" for j in range(p) for k in range(nth[j])]
    labels = th_labels + [f"{names[c]}~~{names[r]}" for r, c in zip(rows, cols)]
    corr = np.eye(p)
    corr[rows, cols] = rho
    corr[cols, rows] = rho
    return pa.OrdinalMoments(
        thresholds=pd.Series(np.concatenate(tau), index=th_labels, name="threshold"),
        corr=pd.DataFrame(corr, index=names, columns=names),
        gamma=pd.DataFrame(gamma, index=labels, columns=labels),
        wls_v_diag=pd.Series(1.0 / np.diag(gamma), index=labels, name="wls_v"),
        n_obs=int(n), n_dropped=int((~keep).sum()), labels=labels, categories=dict(zip(names, cats)),
        warnings=notes)
