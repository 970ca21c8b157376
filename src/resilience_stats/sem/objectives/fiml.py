"""Full-information ML for incomplete data (casewise likelihood, computed per missing-data pattern).

For a pattern with observed variables ``o``, ``n_p`` cases, mean ``ybar_p`` and (biased) covariance ``S_p``::

    loglik_p = -n_p/2 [p_o log(2 pi) + log|Sigma_oo| + tr(Sigma_oo^-1 (S_p + d d'))],   d = ybar_p - mu_o

The discrepancy minimised is ``F = -loglik / N``. The saturated (h1) model comes from EM, finished by the same
FIML machinery when EM is slow.

Sampling weights (lavaan's ``sampling.weights`` with ``missing = "ml"``) multiply each case's log-likelihood by
its weight. Per pattern this only changes the summaries: ``n_p`` is the pattern's sum of weights and
``ybar_p``/``S_p`` its weighted mean and (biased) covariance; ``N`` is the sum of all weights. EM is weighted the
same way, and the casewise scores (robust standard errors, the Yuan-Bentler test) are multiplied by the weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import Pattern, SampleStats, missing_patterns

__all__ = ["FIMLObjective", "fiml_sample_stats", "weighted_patterns", "saturated_partable", "pattern_loglik"]

LOG2PI = np.log(2.0 * np.pi)


def _pattern_arrays(ss: SampleStats):
    """Padded per-pattern arrays (cached on the SampleStats): mask (P, p), n (P), mean (P, p), cov (P, p, p)."""
    cache = getattr(ss, "_pattern_cache", None)
    if cache is None:
        p = ss.p
        P = len(ss.patterns)
        mask = np.zeros((P, p), bool)
        n = np.zeros(P)
        mean = np.zeros((P, p))
        cov = np.zeros((P, p, p))
        for k, pat in enumerate(ss.patterns):
            o = np.flatnonzero(pat.observed)
            mask[k, o] = True
            n[k] = pat.n
            mean[k, o] = pat.mean
            cov[k][np.ix_(o, o)] = pat.cov
        case_pattern = np.empty(ss.data.shape[0], dtype=int)
        for k, pat in enumerate(ss.patterns):
            case_pattern[pat.rows] = k
        cache = dict(mask=mask, n=n, mean=mean, cov=cov, pobs=mask.sum(axis=1), outer=mask[:, :, None] & mask[:, None, :],
                     case_pattern=case_pattern)
        ss._pattern_cache = cache
    return cache


def _pattern_inverses(sigma: np.ndarray, pa: dict):
    """Per pattern: Sigma_oo^-1 padded with zeros (P, p, p) and log|Sigma_oo|; None if a block is not PD."""
    outer = pa["outer"]
    P, p = pa["mask"].shape
    eye = np.eye(p)
    St = np.where(outer, sigma[None, :, :], 0.0)
    miss = ~pa["mask"]
    St[:, np.arange(p), np.arange(p)] += miss  # identity on the missing part
    try:
        L = np.linalg.cholesky(St)
    except np.linalg.LinAlgError:
        return None, None
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    Li = np.linalg.solve(L, np.broadcast_to(eye, St.shape))
    Si = np.transpose(Li, (0, 2, 1)) @ Li
    Si = np.where(outer, Si, 0.0)
    return Si, logdet


def pattern_loglik(sigma: np.ndarray, mu: np.ndarray, patterns, ss: SampleStats | None = None) -> float:
    """Observed-data log-likelihood summed over missing-data patterns (``-inf`` if a block is not PD)."""
    if ss is None:
        ss = SampleStats([str(i) for i in range(len(mu))], int(sum(p.n for p in patterns)), mu, sigma,
                         np.empty((0, len(mu))), list(patterns), True)
    pa = _pattern_arrays(ss)
    Si, logdet = _pattern_inverses(sigma, pa)
    if Si is None:
        return -np.inf
    d = np.where(pa["mask"], pa["mean"] - mu[None, :], 0.0)
    M = pa["cov"] + d[:, :, None] * d[:, None, :]
    tr = np.einsum("kab,kab->k", Si, M)
    return float(-0.5 * np.sum(pa["n"] * (pa["pobs"] * LOG2PI + logdet + tr)))


def pair_trace_matrix(w: np.ndarray, A: np.ndarray, B: np.ndarray, D: np.ndarray) -> np.ndarray:
    """``T[k, l] = sum_p w_p tr(A_p D_k B_p D_l)`` for stacks A, B (P, p, p) and D (q, p, p).

    Summing the Kronecker products over patterns first costs O(P p^4 + q p^4) instead of O(P q^2 p^2).
    """
    p = A.shape[1]
    K = np.einsum("x,xij,xkl->jkli", w, A, B, optimize=True).reshape(p * p, p * p)
    Df = D.reshape(D.shape[0], p * p)
    return (Df @ K) @ Df.T


class FIMLObjective:
    """Multi-group FIML discrepancy ``F = -sum_g loglik_g / N`` with the same interface as ``MLObjective``.

    All missing-data patterns are handled at once with padded arrays (the inverse of each observed block is
    embedded in a p x p matrix of zeros).
    """

    def __init__(self, models, stats: list[SampleStats], meanstructure: bool = True):
        self.models = models
        self.stats = stats
        self.meanstructure = True
        self.ntotal = sum(s.nobs for s in stats)
        self.weights = [s.nobs / self.ntotal for s in stats]
        self.nfree = models[0].nfree

    def loglik(self, theta: np.ndarray) -> float:
        total = 0.0
        for m, ss in zip(self.models, self.stats):
            imp = m.implied(theta)
            total += pattern_loglik(imp["sigma"], imp["mu"], ss.patterns, ss)
        return total

    def value(self, theta: np.ndarray) -> float:
        ll = self.loglik(theta)
        return -ll / self.ntotal if np.isfinite(ll) else np.inf

    def pattern_terms(self, mod, ss, theta):
        """Implied moments, Jacobian and padded per-pattern (Si, M, d, weight) of one group."""
        imp = mod.implied(theta)
        pa = _pattern_arrays(ss)
        Si, _ = _pattern_inverses(imp["sigma"], pa)
        if Si is None:
            Si = np.stack([np.where(o, np.linalg.pinv(np.where(o, imp["sigma"], 0.0)), 0.0) for o in pa["outer"]])
        d = np.where(pa["mask"], pa["mean"] - imp["mu"][None, :], 0.0)
        M = pa["cov"] + d[:, :, None] * d[:, None, :]
        w = pa["n"] / self.ntotal
        return imp, Si, M, d, w

    def _parts(self, theta, with_info: bool):
        g = np.zeros(self.nfree)
        H = np.zeros((self.nfree, self.nfree)) if with_info else None
        for mod, ss in zip(self.models, self.stats):
            imp, Si, M, d, w = self.pattern_terms(mod, ss, theta)
            if with_info:
                dsigma, dmu = mod.jacobian(imp)
            SiM = Si @ M
            dS = np.einsum("k,kab->ab", 0.5 * w, Si - SiM @ Si)
            u = np.einsum("kab,kb->ka", Si, d)  # Si d per pattern
            dm = -(w @ u)
            g += mod.gradient_contract(imp, dS, dm)
            if with_info:
                # sum_p w_p [0.5 tr(Si D_k Si D_l) + dmu_k' Si dmu_l]
                H += 0.5 * pair_trace_matrix(w, Si, Si, dsigma)
                H += dmu @ np.einsum("p,pab->ab", w, Si) @ dmu.T
        if with_info:
            H = (H + H.T) / 2
        return g, H

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self._parts(theta, False)[0]

    def grad_info(self, theta: np.ndarray):
        """Gradient of F and the unit expected (structured) information under missing data."""
        return self._parts(theta, True)

    def casewise_scores(self, theta: np.ndarray) -> list[np.ndarray]:
        """Per group, the casewise scores (N_g x q) of the observed-data log-likelihood."""
        out = []
        for mod, ss in zip(self.models, self.stats):
            imp, Si, _M, _d, _w = self.pattern_terms(mod, ss, theta)
            pa = _pattern_arrays(ss)
            dsigma, dmu = mod.jacobian(imp)
            cp = pa["case_pattern"]
            Z = np.where(np.isnan(ss.data), 0.0, ss.data - imp["mu"][None, :])
            W = np.einsum("iab,ib->ia", Si[cp], Z)
            quad = np.einsum("ia,kab,ib->ik", W, dsigma, W, optimize=True)
            const = np.einsum("pab,kab->pk", Si, dsigma)[cp]
            out.append(_weigh_scores(ss, 0.5 * (quad - const) + W @ dmu.T))
        return out


def _weigh_scores(ss: SampleStats, scores: np.ndarray) -> np.ndarray:
    """Casewise scores times the sampling weights of the cases (lavaan), unchanged without weights."""
    w = getattr(ss, "case_weights", None)
    return scores if w is None else scores * w[:, None]


def saturated_partable(ov: list[str]) -> pd.DataFrame:
    """Parameter table of the unrestricted model: all (co)variances and means free."""
    rows = []
    p = len(ov)
    for j in range(p):
        for i in range(j, p):
            rows.append((ov[j], "~~", ov[i]))
    rows += [(v, "~1", "") for v in ov]
    n = len(rows)
    pt = pd.DataFrame({
        "id": np.arange(1, n + 1), "lhs": pd.Series([r[0] for r in rows], dtype=object),
        "op": pd.Series([r[1] for r in rows], dtype=object), "rhs": pd.Series([r[2] for r in rows], dtype=object),
        "user": 0, "block": 1, "group": 1, "free": np.arange(1, n + 1), "ustart": np.nan, "exo": 0,
        "label": pd.Series([""] * n, dtype=object), "plabel": pd.Series([f".p{i}." for i in range(1, n + 1)], dtype=object),
        "start": np.nan, "est": np.nan, "se": np.nan,
    })
    pt.attrs["meanstructure"] = True
    return pt


def _saturated_start(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = np.nanmean(X, axis=0)
    Xc = np.where(np.isnan(X), 0.0, X - mean)
    obs = (~np.isnan(X)).astype(float)
    cnt = obs.T @ obs
    cov = (Xc.T @ Xc) / np.maximum(cnt, 1)
    # make it positive definite (pairwise covariances need not be)
    ev, V = np.linalg.eigh(cov)
    ev = np.maximum(ev, 1e-3 * max(ev.max(), 1e-12))
    return mean, (V * ev) @ V.T


def _em_step(mean, cov, X, patterns, w=None):
    """One EM iteration for the saturated normal model (``w``: sampling weights of the rows, or None)."""
    n, p = X.shape
    if w is not None:
        n = w.sum()
    T1 = np.zeros(p)
    T2 = np.zeros((p, p))
    for pat in patterns:
        o = pat.observed
        m = ~o
        Y = X[np.ix_(pat.rows, np.flatnonzero(o))]
        if m.any():
            B = np.linalg.solve(cov[np.ix_(o, o)], cov[np.ix_(o, m)])  # (po x pm)
            Yhat = np.empty((len(pat.rows), p))
            Yhat[:, o] = Y
            Yhat[:, m] = mean[m] + (Y - mean[o]) @ B
            C = np.zeros((p, p))
            C[np.ix_(m, m)] = cov[np.ix_(m, m)] - cov[np.ix_(m, o)] @ B
        else:
            Yhat, C = Y, 0.0
        if w is None:
            T1 += Yhat.sum(axis=0)
            T2 += Yhat.T @ Yhat + len(pat.rows) * C
        else:
            wr = w[pat.rows]
            T1 += wr @ Yhat
            T2 += (Yhat.T * wr) @ Yhat + wr.sum() * C
    mean_new = T1 / n
    cov_new = T2 / n - np.outer(mean_new, mean_new)
    return mean_new, cov_new


def _em_step_batched(mean, cov, X, ss: SampleStats):
    """One EM iteration for the saturated normal model, all patterns at once (padded inverses); with sampling
    weights (``ss.case_weights``) the expected sums weigh each case and each pattern's conditional covariance
    by its total weight (lavaan's ``lav_mvnorm_missing_estep``)."""
    pa = _pattern_arrays(ss)
    Si, _ = _pattern_inverses(cov, pa)
    w = getattr(ss, "case_weights", None)
    if Si is None:
        return _em_step(mean, cov, X, ss.patterns, w)
    cp = pa["case_pattern"]
    obs = ~np.isnan(X)
    Z = np.where(obs, X - mean, 0.0)
    W = np.einsum("iab,ib->ia", Si[cp], Z, optimize=True)
    Yhat = np.where(obs, X, mean + W @ cov)
    miss = ~pa["mask"]
    C = cov[None] - cov[None] @ Si @ cov[None]  # conditional covariance (valid on the missing block)
    C = np.where(miss[:, :, None] & miss[:, None, :], C, 0.0)
    if w is None:
        n = X.shape[0]
        mean_new = Yhat.mean(axis=0)
        T2 = Yhat.T @ Yhat + np.einsum("x,xab->ab", pa["n"], C)
    else:
        n = w.sum()
        mean_new = w @ Yhat / n
        T2 = (Yhat.T * w) @ Yhat + np.einsum("x,xab->ab", pa["n"], C)
    return mean_new, T2 / n - np.outer(mean_new, mean_new)


def weighted_patterns(X: np.ndarray, w: np.ndarray, patterns=None) -> list[Pattern]:
    """Missing-data patterns of ``X`` with sampling weights ``w``: each pattern's size is the sum of its cases'
    weights and its mean and covariance are weighted (``cov.wt(method = "ML")``, lavaan's
    ``lav_samplestats_missing_patterns``). A pattern whose weights sum to 0 keeps size 0 (it adds nothing).

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [3.0, np.nan], [2.0, 4.0], [5.0, np.nan]])
    >>> [(p.n, p.mean.tolist()) for p in weighted_patterns(X, np.array([1.0, 3.0, 1.0, 1.0]))]
    [(2.0, [1.5, 3.0]), (4.0, [3.5])]
    """
    from ..data import weighted_moments

    out = []
    for pat in (missing_patterns(X) if patterns is None else patterns):
        wk = w[pat.rows]
        nk = float(wk.sum())
        if nk > 0:
            Y = X[np.ix_(pat.rows, np.flatnonzero(pat.observed))]
            mean, cov = weighted_moments(Y, wk)
        else:
            mean, cov = pat.mean, np.zeros_like(pat.cov)
        out.append(Pattern(pat.observed, pat.rows, nk, mean, cov))
    return out


def fiml_sample_stats(X: np.ndarray, names: list[str], tol: float = 1e-11, max_em: int = 300,
                      weights: np.ndarray | None = None) -> SampleStats:
    """Sample statistics for FIML: missing-data patterns and the saturated (h1) ML estimates.

    The h1 estimates come from EM (converged until no mean/covariance element moves by more than ``tol``);
    if EM is slow (a large fraction of missing information), the FIML optimizer on the saturated model
    finishes from the EM point, so the unrestricted log-likelihood is always accurate to optimizer precision.

    ``weights``: sampling weights of the rows of ``X`` (already normalized). Each case's log-likelihood is
    then multiplied by its weight: the patterns carry weighted sizes and moments, EM is weighted, ``nobs`` is
    the sum of the weights, and the weights are kept as ``case_weights`` (they multiply the casewise scores).
    """
    X = np.asarray(X, dtype=float)
    nonempty = ~np.all(np.isnan(X), axis=1)  # cases without any observed value carry no information
    X = X[nonempty]
    pats = missing_patterns(X)
    nobs = X.shape[0]
    if weights is not None:
        weights = np.asarray(weights, dtype=float)[nonempty]
        pats = weighted_patterns(X, weights, pats)
        nobs = float(weights.sum())
    ss = SampleStats(list(names), nobs, np.zeros(X.shape[1]), np.eye(X.shape[1]), X, pats, True)
    if weights is not None:
        ss.case_weights = weights
        ss.n_raw = X.shape[0]
    if len(pats) == 1 and pats[0].observed.all():
        if weights is None:
            Z = X - X.mean(axis=0)
            ss.mean, ss.cov = X.mean(axis=0), Z.T @ Z / X.shape[0]
        else:
            ss.mean, ss.cov = pats[0].mean.copy(), pats[0].cov.copy()
        ss.h1_converged = True
    else:
        ss.mean, ss.cov, ss.h1_converged = _h1_moments(ss, tol, max_em)
    ss.h1_loglik = pattern_loglik(ss.cov, ss.mean, pats, ss)
    sign, logdet = np.linalg.slogdet(ss.cov)
    ss.logdet_cov = logdet if sign > 0 else float("nan")
    return ss


def _h1_moments(ss: SampleStats, tol: float = 1e-11, max_em: int = 300):
    """Saturated (h1) mean and covariance of incomplete data by EM, finished by the FIML optimizer on the
    saturated model when EM has not converged after ``max_em`` steps; returns (mean, cov, converged)."""
    from ..estimate import minimize
    from ..model import build_models

    X, names = ss.data, ss.names
    mean, cov = _saturated_start(X)
    converged = False
    for _ in range(max_em):
        m2, c2 = _em_step_batched(mean, cov, X, ss)
        change = max(np.abs(m2 - mean).max(), np.abs(c2 - cov).max())
        mean, cov = m2, c2
        if change < tol:
            converged = True
            break
    if not converged:
        p = len(names)
        spt = saturated_partable(list(names))
        models = build_models(spt, ov_order=list(names))
        theta0 = np.concatenate([[cov[i, j] for j in range(p) for i in range(j, p)], mean])
        res = minimize(SaturatedFIMLObjective(models, [ss]), theta0)
        imp = models[0].implied(res.theta)
        mean, cov = imp["mu"].copy(), imp["sigma"].copy()
        converged = bool(res.converged)
    return mean, cov, converged


def weighted_replicate_stats(ss: SampleStats, wts: np.ndarray, exo_idx=()) -> SampleStats:
    """FIML sample statistics of a bootstrap resample of a fit with sampling weights: case i of ``ss`` enters
    with weight ``wts[i]`` (its sampling weight times the number of times it was drawn; not renormalized, as
    lavaan). The patterns are weighted; the h1 moments are only needed for the fixed-x covariates (``exo_idx``):
    the weighted moments of complete columns (their ML estimates), or EM when a covariate is incomplete
    (``missing="ml.x"``)."""
    X = ss.data
    pats = weighted_patterns(X, wts, ss.patterns)
    out = SampleStats(ss.names, float(wts.sum()), np.zeros(X.shape[1]), np.eye(X.shape[1]), X, pats, True)
    out.case_weights = wts
    exo_idx = np.asarray(exo_idx, dtype=int)
    if len(exo_idx) and np.isnan(X[:, exo_idx]).any():
        out.mean, out.cov, _ = _h1_moments(out)
        return out
    complete = ~np.isnan(X).any(axis=0)
    if complete.any():
        from ..data import weighted_moments

        mc, cc = weighted_moments(X[:, complete], wts)
        out.mean[complete] = mc
        out.cov[np.ix_(complete, complete)] = cc
    return out


# --------------------------------------------------------------------------------------------- saturated model


def _vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row/column of each covariance parameter of :func:`saturated_partable` (column by column, i >= j)."""
    a = np.array([i for j in range(p) for i in range(j, p)])
    b = np.array([j for j in range(p) for i in range(j, p)])
    return a, b


def _trace_pairs(A: np.ndarray, B: np.ndarray, a: np.ndarray, b: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """Matrix of tr(A E_k B E_l) over symmetric unit matrices E_k (elements (a_k, b_k), halved on the diagonal)."""
    ab = np.ix_(a, b)
    ba = np.ix_(b, a)
    aa = np.ix_(a, a)
    bb = np.ix_(b, b)
    return cc * (A[ab] * B[ba] + A[aa] * B[bb] + A[bb] * B[aa] + A[ba] * B[ab])


class SaturatedFIMLObjective(FIMLObjective):
    """FIML objective of the unrestricted model (free means and covariances) with closed-form information.

    The generic Jacobian route costs O(q^2 p^2) per pattern with q = p(p+3)/2 parameters; here the
    information uses gathers over the parameter indices directly.
    """

    def __init__(self, models, stats, meanstructure=True):
        super().__init__(models, stats, True)
        p = stats[0].p
        self._a, self._b = _vech_index(p)
        c = np.where(self._a == self._b, 0.5, 1.0)
        self._cc = np.outer(c, c)
        self._c = c

    def _info(self, theta, observed: bool) -> np.ndarray:
        a, b, cc, c = self._a, self._b, self._cc, self._c
        ps = len(a)
        H = np.zeros((self.nfree, self.nfree))
        for mod, ss in zip(self.models, self.stats):
            _imp, Si, M, d, w = self.pattern_terms(mod, ss, theta)
            p = ss.p
            ab, ba = a * p + b, b * p + a

            def vech_pairs(K):
                # sum over the symmetric unit matrices: vec(E_k) = c_k (e_ab + e_ba)
                return cc * (K[np.ix_(ab, ab)] + K[np.ix_(ab, ba)] + K[np.ix_(ba, ab)] + K[np.ix_(ba, ba)])

            def kron_sum(A, B):
                return np.einsum("x,xij,xkl->jkli", w, A, B, optimize=True).reshape(p * p, p * p)

            if observed:
                P = Si @ M @ Si
                H[:ps, :ps] += -0.5 * vech_pairs(kron_sum(Si, Si)) + vech_pairs(kron_sum(Si, P))
                u = np.einsum("xab,xb->xa", Si, d)
                Y = np.einsum("x,xa,xbj->abj", w, u, Si, optimize=True)
                T3 = c[:, None] * (Y[a, b, :] + Y[b, a, :])
                H[:ps, ps:] += T3
                H[ps:, :ps] += T3.T
            else:
                H[:ps, :ps] += 0.5 * vech_pairs(kron_sum(Si, Si))
            H[ps:, ps:] += np.einsum("x,xab->ab", w, Si)
        return (H + H.T) / 2

    def grad_info(self, theta):
        return self.gradient(theta), self._info(theta, observed=False)

    def observed_information(self, theta):
        return self._info(theta, observed=True)

    def casewise_scores(self, theta):
        a, b = self._a, self._b
        mult = np.where(a == b, 0.5, 1.0)
        out = []
        for mod, ss in zip(self.models, self.stats):
            imp, Si, _M, _d, _w = self.pattern_terms(mod, ss, theta)
            cp = _pattern_arrays(ss)["case_pattern"]
            Z = np.where(np.isnan(ss.data), 0.0, ss.data - imp["mu"][None, :])
            Sic = Si[cp]
            W = np.einsum("iab,ib->ia", Sic, Z)
            sc_cov = mult * (W[:, a] * W[:, b] - Sic[:, a, b])
            out.append(_weigh_scores(ss, np.hstack([sc_cov, W])))
        return out


def fiml_gfi(ss: SampleStats, sigma: np.ndarray, mu: np.ndarray, isx: np.ndarray | None = None) -> float:
    """GFI under FIML as lavaan computes it.

    lavaan's ``WLS.obs`` with missing data are the available-case means and the pairwise covariances rescaled
    by (N - 1)/N -- with sampling weights the (weighted) EM moments instead; the weight matrix is the expected
    (structured) h1 information under missing data at the model-implied moments. Fixed-x elements (``isx``)
    are left out.
    """
    from ..model import build_models

    names = ss.names
    p = len(names)
    a, b = _vech_index(p)
    if getattr(ss, "case_weights", None) is not None:
        S, xbar = ss.cov, ss.mean
    else:
        X = pd.DataFrame(ss.data, columns=names)
        n = len(X)
        S = X.cov().to_numpy() * (n - 1) / n
        xbar = X.mean().to_numpy()
    obj = SaturatedFIMLObjective(build_models(saturated_partable(list(names)), ov_order=list(names)), [ss])
    W = obj._info(np.concatenate([sigma[a, b], mu]), observed=False)
    e = np.concatenate([(S - sigma)[a, b], xbar - mu])
    s = np.concatenate([S[a, b], xbar])
    if isx is not None and isx.any():
        keep = np.concatenate([~(isx[a] & isx[b]), ~isx])
        W, e, s = W[np.ix_(keep, keep)], e[keep], s[keep]
    return float(1 - e @ W @ e / (s @ W @ s))
