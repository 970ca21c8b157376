"""Parameter table -> RAM model matrices, model-implied moments and their derivatives.

The RAM (reticular action model) form is used: with all variables v = (observed, latent), ``A`` holds the
directed effects (``A[i, j]`` is the effect of variable j on variable i: loadings and regressions), ``S`` the
(residual) variances and covariances and ``m`` the intercepts/means. With ``B = (I - A)^-1`` and ``G`` the
observed rows of ``B``::

    Sigma = G S G'          mu = G m

This covers observed variables in regressions, latent variables regressed on latent variables, residual
covariances and a mean structure without phantom variables.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError
from .syntax import variable_names, Formula, Modifier

__all__ = ["RAMModel", "build_models", "model_variable_names", "pt_arrays", "prime_arrays"]


_ARRAY_CACHE: dict[int, tuple] = {}


def pt_arrays(pt: pd.DataFrame) -> dict[str, np.ndarray]:
    """Plain numpy columns of a parameter table (fast access in inner loops).

    Cached per table object (the cache entry dies with the table); do not modify the returned arrays.
    """
    key = id(pt)
    hit = _ARRAY_CACHE.get(key)
    if hit is not None and hit[0]() is pt and hit[1] == len(pt):
        return hit[2]
    out = _pt_arrays(pt)
    try:
        ref = weakref.ref(pt, lambda _r, key=key: _ARRAY_CACHE.pop(key, None))
        _ARRAY_CACHE[key] = (ref, len(pt), out)
    except TypeError:
        pass
    return out


def prime_arrays(pt: pd.DataFrame, arrays: dict) -> None:
    """Store the numpy columns of a table that was just built from them (saves converting them back)."""
    key = id(pt)
    out = {}
    for c in ("lhs", "op", "rhs", "label"):
        out[c] = np.asarray(arrays[c], dtype=object)
    for c in ("free", "group", "exo", "user"):
        out[c] = np.asarray(arrays[c]).astype(int)
    for c in ("ustart", "start"):
        out[c] = np.asarray(arrays[c], dtype=float)
    try:
        ref = weakref.ref(pt, lambda _r, key=key: _ARRAY_CACHE.pop(key, None))
        _ARRAY_CACHE[key] = (ref, len(pt), out)
    except TypeError:
        pass


def _pt_arrays(pt: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for c in ("lhs", "op", "rhs", "label"):
        out[c] = np.asarray(pt[c].to_numpy(dtype=object), dtype=object)
    for c in ("free", "group", "exo", "user"):
        out[c] = pt[c].to_numpy(dtype=int)
    for c in ("ustart", "start"):
        out[c] = pt[c].to_numpy(dtype=float)
    return out


def model_variable_names(pt: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Observed and latent variable names of a parameter table, in lavaan's order.

    Examples
    --------
    >>> from resilience_stats.sem.syntax import build_partable
    >>> model_variable_names(build_partable("f =~ a + b + c; f ~ x"))
    (['a', 'b', 'c', 'x'], ['f'])
    """
    a = pt_arrays(pt)
    g0 = a["group"][a["op"] != ":="].min() if len(a["op"]) else 1
    sel = (a["op"] != ":=") & (a["group"] == g0)
    formulas = [Formula(l, o, r, Modifier()) for l, o, r in zip(a["lhs"][sel], a["op"][sel], a["rhs"][sel])]
    vn = variable_names(formulas, fixed_x=False)
    return vn.ov, vn.lv


@dataclass
class RAMModel:
    """RAM matrices of one group and the map from the free-parameter vector into them.

    Attributes
    ----------
    ov, lv : list of str
        Observed and latent variable names (observed first in the RAM variable order).
    rows : numpy.ndarray
        Partable row positions (0-based) that belong to this group.
    kind : numpy.ndarray
        Per row: 0 = A (directed), 1 = S (symmetric), 2 = m (mean).
    r, c : numpy.ndarray
        Matrix position of each row.
    free : numpy.ndarray
        0-based free index per row or -1 for fixed rows.
    value : numpy.ndarray
        Value of fixed rows (free rows are overwritten from theta).
    """

    ov: list[str]
    lv: list[str]
    rows: np.ndarray
    kind: np.ndarray
    r: np.ndarray
    c: np.ndarray
    free: np.ndarray
    value: np.ndarray
    nfree: int
    meanstructure: bool
    # cached index sets
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def n(self) -> int:
        return len(self.ov) + len(self.lv)

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fill A, S and m for the free-parameter vector ``theta``."""
        n = self.n
        vals = self.value.copy()
        f = self.free >= 0
        vals[f] = theta[self.free[f]]
        A = np.zeros((n, n))
        S = np.zeros((n, n))
        m = np.zeros(n)
        k = self.kind
        A[self.r[k == 0], self.c[k == 0]] = vals[k == 0]
        S[self.r[k == 1], self.c[k == 1]] = vals[k == 1]
        S[self.c[k == 1], self.r[k == 1]] = vals[k == 1]
        m[self.r[k == 2]] = vals[k == 2]
        return A, S, m

    def row_values(self, theta: np.ndarray) -> np.ndarray:
        """Parameter value of every row of this group (fixed or free)."""
        vals = self.value.copy()
        f = self.free >= 0
        vals[f] = theta[self.free[f]]
        return vals

    def implied(self, theta: np.ndarray) -> dict:
        """Model-implied moments and intermediate matrices.

        Returns
        -------
        dict
            ``sigma`` (p x p), ``mu`` (p), ``B`` = (I - A)^-1, ``G`` (observed rows of B), ``S``, ``m``,
            ``cov_all`` (implied covariance of all variables, n x n), ``mean_all``.
        """
        key = theta.tobytes()
        last = self._cache.get("implied")
        if last is not None and last[0] == key:
            return last[1]
        A, S, m = self.matrices(theta)
        n = self.n
        try:
            B = np.linalg.inv(np.eye(n) - A)
        except np.linalg.LinAlgError:
            raise ModelSpecificationError("I - A is singular: the model has a non-recursive loop with unit effects")
        G = B[: self.p]
        BS = B @ S
        cov_all = BS @ B.T
        sigma = cov_all[: self.p, : self.p]
        mean_all = B @ m
        out = dict(A=A, S=S, m=m, B=B, G=G, sigma=(sigma + sigma.T) / 2, mu=mean_all[: self.p],
                   cov_all=cov_all, mean_all=mean_all)
        self._cache["implied"] = (key, out)
        return out

    def _aggregation(self) -> tuple[np.ndarray, np.ndarray]:
        """0/1 matrix mapping free rows to free indices (equality constraints sum derivatives)."""
        if "agg" not in self._cache:
            f = np.flatnonzero(self.free >= 0)
            M = np.zeros((self.nfree, len(f)))
            M[self.free[f], np.arange(len(f))] = 1.0
            self._cache["agg"] = (f, M)
        return self._cache["agg"]

    def gradient_contract(self, imp: dict, W: np.ndarray, w_mu: np.ndarray | None = None) -> np.ndarray:
        """Gradient of ``tr(W Sigma(theta)) + w_mu' mu(theta)`` with respect to the free parameters.

        This equals ``Delta' [vec W; w_mu]`` without forming the Jacobian (a few n x n products instead), which
        is all an ML/FIML gradient needs: pass ``W = dF/dSigma`` and ``w_mu = dF/dmu``.
        """
        B, S = imp["B"], imp["S"]
        p = self.p
        if "bt_rows" not in self._cache:
            f = np.flatnonzero(self.free >= 0)
            self._cache["bt_rows"] = (f, self.kind[f], self.r[f], self.c[f], self.free[f],
                                      np.where(self.r[f] != self.c[f], 2.0, 1.0))
        f, kind, r, c, fidx, mult = self._cache["bt_rows"]
        Bp = B[:p]  # G = F B
        K = Bp.T @ W @ Bp  # B' Wn B
        GA = 2.0 * (K @ S @ B.T)
        vals = np.empty(len(f))
        a = kind == 0
        if w_mu is not None:
            bw = Bp.T @ w_mu
            GA = GA + np.outer(bw, imp["mean_all"])
            mm = kind == 2
            vals[mm] = bw[r[mm]]
        vals[a] = GA[r[a], c[a]]
        s = kind == 1
        vals[s] = mult[s] * K[r[s], c[s]]
        if w_mu is None:
            vals[kind == 2] = 0.0
        return np.bincount(fidx, weights=vals, minlength=self.nfree)

    def second_order_contract(self, imp: dict, W: np.ndarray, w_mu: np.ndarray | None = None) -> np.ndarray:
        """Hessian of ``tr(W Sigma(theta)) + w_mu' mu(theta)`` with W, w_mu fixed (q x q).

        This is the part of an observed information matrix that involves second derivatives of the model
        moments. In RAM form Sigma and mu are linear in S and m, so only pairs involving a directed effect
        (A) contribute; with dB = B E_kl B = b_k beta_l' (b_k = B[:, k], beta_l = B[l, :]) the closed forms are
        used for (A, A), (A, S) and (A, m) pairs.
        """
        f, M = self._aggregation()
        kind, r, c = self.kind[f], self.r[f], self.c[f]
        nr = len(f)
        Hr = np.zeros((nr, nr))
        a_idx = np.flatnonzero(kind == 0)
        if len(a_idx) == 0:
            return np.zeros((self.nfree, self.nfree))
        B, S, m = imp["B"], imp["S"], imp["m"]
        p = self.p
        Bp = B[:p]
        K = Bp.T @ W @ Bp  # B' Wn B; its columns are u_k = B' Wn b_k
        U = K
        wn_b = (w_mu @ Bp) if w_mu is not None else np.zeros(self.n)  # b_k . wn for every k
        v = Bp.T @ w_mu if w_mu is not None else np.zeros(self.n)
        mu_all = imp["mean_all"] if w_mu is not None else np.zeros(self.n)
        BS = B @ S
        KS = K @ S
        ra, ca = r[a_idx], c[a_idx]
        # (A, A): H[(r,c),(k,l)] = 2 beta_l[r] (B S u_k)[c] + 2 u_k[r] (B S beta_l)[c] + 2 (K S beta_l)[r] b_k[c]
        #                          + (b_k . wn) beta_l[r] mu[c] + (beta_l . m) v[r] b_k[c]
        kk, ll = ra, ca  # the second parameter (k, l) runs over the same list
        beta = B[ll, :]  # (na, n): beta_l rows
        u = U[:, kk].T  # (na, n): u_k
        bk = B[:, kk].T  # (na, n): b_k
        BSu = u @ BS.T  # (na, n): (B S u_k)
        BSb = beta @ BS.T  # (na, n): (B S beta_l)
        KSb = beta @ KS.T  # (na, n): (K S beta_l)
        bm = beta @ m  # (na,)
        haa = (2 * beta[:, ra].T * BSu[:, ca].T + 2 * u[:, ra].T * BSb[:, ca].T + 2 * KSb[:, ra].T * bk[:, ca].T
               + (wn_b[kk])[None, :] * beta[:, ra].T * mu_all[ca][:, None]
               + bm[None, :] * v[ra][:, None] * bk[:, ca].T)
        Hr[np.ix_(a_idx, a_idx)] = haa
        # (A, S): H[(r,c),(i,j)] = mult_ij (beta_c[i] u_r[j] + u_r[i] beta_c[j])
        s_idx = np.flatnonzero(kind == 1)
        if len(s_idx):
            si, sj = r[s_idx], c[s_idx]
            mult = np.where(si != sj, 2.0, 1.0)  # d phi / d S_ij = mult * K_ij
            bc = B[ca, :]  # beta_c for each A row
            ur = U[:, ra].T  # u_r
            has = mult[None, :] * (bc[:, si] * ur[:, sj] + ur[:, si] * bc[:, sj])
            Hr[np.ix_(a_idx, s_idx)] = has
            Hr[np.ix_(s_idx, a_idx)] = has.T
        # (A, m): H[(r,c), i] = beta_c[i] (b_r . wn)
        m_idx = np.flatnonzero(kind == 2)
        if len(m_idx) and w_mu is not None:
            mi = r[m_idx]
            ham = B[ca][:, mi] * wn_b[ra][:, None]
            Hr[np.ix_(a_idx, m_idx)] = ham
            Hr[np.ix_(m_idx, a_idx)] = ham.T
        return M @ Hr @ M.T

    def jacobian(self, imp: dict) -> tuple[np.ndarray, np.ndarray]:
        """Derivatives of Sigma and mu with respect to every free parameter.

        Returns
        -------
        dsigma : numpy.ndarray, shape (nfree, p, p)
        dmu : numpy.ndarray, shape (nfree, p)
        """
        f, M = self._aggregation()
        p = self.p
        G, B, S = imp["G"], imp["B"], imp["S"]
        kind, r, c = self.kind[f], self.r[f], self.c[f]
        nr = len(f)
        D = np.zeros((nr, p, p))
        Dm = np.zeros((nr, p))
        a = kind == 0
        if a.any():
            C = B @ S @ G.T  # n x p
            bm = imp["mean_all"]
            X = G[:, r[a]].T[:, :, None] * C[c[a]][:, None, :]
            D[a] = X + X.transpose(0, 2, 1)
            Dm[a] = G[:, r[a]].T * bm[c[a]][:, None]
        s = kind == 1
        if s.any():
            X = G[:, r[s]].T[:, :, None] * G[:, c[s]].T[:, None, :]
            offd = (r[s] != c[s])[:, None, None]
            D[s] = np.where(offd, X + X.transpose(0, 2, 1), X)
        mm = kind == 2
        if mm.any():
            Dm[mm] = G[:, r[mm]].T
        dsigma = (M @ D.reshape(nr, p * p)).reshape(self.nfree, p, p)
        dmu = M @ Dm
        return dsigma, dmu


def build_models(pt: pd.DataFrame, ov_order: list[str] | None = None) -> list[RAMModel]:
    """Build one :class:`RAMModel` per group from a parameter table.

    Parameters
    ----------
    pt : pandas.DataFrame
        Parameter table from :func:`~resilience_stats.sem.syntax.build_partable`.
    ov_order : list of str, optional
        Order of the observed variables (default: lavaan's model order).

    Examples
    --------
    >>> from resilience_stats.sem.syntax import build_partable
    >>> mod = build_models(build_partable("f =~ a + b + c"))[0]
    >>> mod.ov, mod.lv, mod.nfree
    (['a', 'b', 'c'], ['f'], 6)
    """
    ov, lv = model_variable_names(pt)
    if ov_order is not None:
        ov = list(ov_order)
    names = ov + lv
    index = {v: i for i, v in enumerate(names)}
    a = pt_arrays(pt)
    if ((a["op"] == "|") & (a["group"] > 0)).any() and not pt.attrs.get("ordered"):
        k = int(np.flatnonzero(a["op"] == "|")[0])
        raise ModelSpecificationError(f"thresholds ({a['lhs'][k]} | {a['rhs'][k]}) need ordered (categorical) "
                                      "indicators: pass ordered=[...] (estimator WLSMV)")
    nfree = int(a["free"].max()) if len(a["free"]) else 0
    meanstructure = bool((a["op"] == "~1").any())
    models = []
    # thresholds and scale factors of ordered indicators are not RAM entries (see sem/implied.py)
    notdef = ~np.isin(a["op"], [":=", "|", "~*~"])
    for g in sorted(set(a["group"][notdef].tolist())):
        rows = np.flatnonzero((a["group"] == g) & notdef)
        kind = np.empty(len(rows), dtype=int)
        r = np.empty(len(rows), dtype=int)
        c = np.empty(len(rows), dtype=int)
        for k, (lhs, op, rhs) in enumerate(zip(a["lhs"][rows], a["op"][rows], a["rhs"][rows])):
            if op == "=~":
                kind[k], r[k], c[k] = 0, index[rhs], index[lhs]
            elif op == "~":
                kind[k], r[k], c[k] = 0, index[lhs], index[rhs]
            elif op == "~~":
                kind[k], r[k], c[k] = 1, index[lhs], index[rhs]
            elif op == "~1":
                kind[k], r[k], c[k] = 2, index[lhs], index[lhs]
            else:
                raise ModelSpecificationError(f"operator {op!r} is not supported by the estimator")
        value = a["ustart"][rows].copy()
        value[np.isnan(value)] = 0.0
        free = a["free"][rows] - 1
        mod = RAMModel(ov, lv, rows, kind, r, c, free, value, nfree, meanstructure)
        mod.exo = a["exo"][rows]
        mod.exo_names = []
        models.append(mod)
    return models
