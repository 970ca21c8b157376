"""Normal-theory maximum likelihood discrepancy for complete data.

For one group with N cases, sample mean ``xbar`` and covariance ``S`` (divided by N)::

    F = 0.5 * [log|Sigma| + tr(S Sigma^-1) - log|S| - p + (xbar - mu)' Sigma^-1 (xbar - mu)]

(lavaan's ``fmin``; chisq = 2 N F). The functions return the value, the derivatives of F with respect to Sigma and
mu (as full matrices, the caller contracts them with the model Jacobian) and the unit expected information.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ml_value", "ml_derivatives", "ml_expected_information", "ml_casewise_scores", "ml_loglik"]

LOG2PI = np.log(2.0 * np.pi)


def _chol_inv(sigma: np.ndarray) -> tuple[np.ndarray, float] | tuple[None, None]:
    try:
        L = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None, None
    Linv = np.linalg.inv(L)
    return Linv.T @ Linv, 2.0 * np.log(np.diag(L)).sum()


def ml_value(sigma, mu, S, xbar, logdet_S, meanstructure: bool) -> float:
    """ML discrepancy F of one group (``inf`` when Sigma is not positive definite).

    Examples
    --------
    >>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> float(ml_value(S, np.zeros(2), S, np.zeros(2), np.linalg.slogdet(S)[1], False))
    0.0
    """
    Si, logdet = _chol_inv(sigma)
    if Si is None:
        return np.inf
    p = S.shape[0]
    f = logdet + np.sum(S * Si) - logdet_S - p
    if meanstructure:
        d = xbar - mu
        f += d @ Si @ d
    return 0.5 * f


def ml_derivatives(sigma, mu, S, xbar, meanstructure: bool):
    """Derivatives of F with respect to Sigma (p x p) and mu (p), and Sigma^-1."""
    Si, _ = _chol_inv(sigma)
    if Si is None:
        Si = np.linalg.pinv(sigma)
    Seff = S
    dmu = None
    if meanstructure:
        d = xbar - mu
        Seff = S + np.outer(d, d)
        dmu = -(Si @ d)
    dsig = 0.5 * (Si - Si @ Seff @ Si)
    return dsig, dmu, Si


def ml_expected_information(Si, dsigma, dmu, meanstructure: bool) -> np.ndarray:
    """Unit (per case) expected information of the free parameters.

    ``0.5 tr(Si dS_k Si dS_l) + dmu_k' Si dmu_l``.
    """
    q = dsigma.shape[0]
    X = Si @ dsigma @ Si  # (q, p, p)
    H = 0.5 * X.reshape(q, -1) @ dsigma.reshape(q, -1).T
    if meanstructure:
        H = H + dmu @ Si @ dmu.T
    return (H + H.T) / 2


def ml_casewise_scores(Y, sigma, mu, Si, dsigma, dmu, meanstructure: bool) -> np.ndarray:
    """Casewise scores (derivatives of each case's log-likelihood) with respect to the free parameters.

    Returns an array of shape (N, q).
    """
    Z = Y - mu  # (N, p)
    W = Z @ Si  # rows: Si z_i
    q = dsigma.shape[0]
    # d l_i / d Sigma = 0.5 (Si z z' Si - Si)  -> contract with dsigma
    Dflat = dsigma.reshape(q, -1)
    # sum_ab (W_a W_b) D_kab  = W D_k W'
    quad = np.einsum("ia,kab,ib->ik", W, dsigma, W, optimize=True)
    const = (Si.reshape(-1) @ Dflat.T)  # tr(Si D_k)
    scores = 0.5 * (quad - const[None, :])
    if meanstructure:
        scores = scores + W @ dmu.T
    return scores


def ml_loglik(sigma, mu, S, xbar, n, meanstructure: bool = True) -> float:
    """Normal log-likelihood of a complete-data group at (mu, Sigma).

    Without a mean structure the sample mean is used for mu (the mean part is saturated).
    """
    Si, logdet = _chol_inv(sigma)
    if Si is None:
        return -np.inf
    p = S.shape[0]
    val = p * LOG2PI + logdet + np.sum(S * Si)
    if meanstructure:
        d = xbar - mu
        val += d @ Si @ d
    return -0.5 * n * val


# --------------------------------------------------------------------------------------------- many refits at once


def batch_moments(X: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means, covariances (divided by the total count) and log-determinants of R resamples of the rows of X,
    resample r repeating row i ``counts[r, i]`` times -- one matrix product for all of them.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 2.0]])
    >>> m, S, ld = batch_moments(X, np.array([[1, 1, 1], [0, 2, 1]]))
    >>> m.round(4).tolist()
    [[2.0, 2.0], [2.6667, 2.6667]]
    """
    c = np.asarray(counts, dtype=float)
    n = c.sum(axis=1, keepdims=True)
    center = X.mean(axis=0)
    Xc = X - center
    means = c @ Xc / n
    p = X.shape[1]
    outer = (Xc[:, :, None] * Xc[:, None, :]).reshape(len(X), p * p)
    covs = (c @ outer).reshape(-1, p, p) / n[:, :, None] - means[:, :, None] * means[:, None, :]
    covs = (covs + np.transpose(covs, (0, 2, 1))) / 2
    sign, logdet = np.linalg.slogdet(covs)
    return means + center, covs, np.where(sign > 0, logdet, np.nan)


class BatchRAM:
    """The RAM matrices of one block for many parameter vectors at once (index arrays precomputed)."""

    def __init__(self, mod):
        self.mod = mod
        self.n, self.p = mod.n, mod.p
        self.f = np.flatnonzero(mod.free >= 0)
        k = mod.kind
        self.a, self.s, self.mm = np.flatnonzero(k == 0), np.flatnonzero(k == 1), np.flatnonzero(k == 2)
        exo = getattr(mod, "exo", np.zeros(len(k), int))
        self.exo_s = np.flatnonzero((exo == 1) & (k == 1))
        self.exo_m = np.flatnonzero((exo == 1) & (k == 2))
        self.mult = np.where(mod.r != mod.c, 2.0, 1.0)

    def values(self, thetas: np.ndarray, S: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Row values (R, rows) with fixed-x rows at each resample's moments."""
        mod = self.mod
        vals = np.repeat(mod.value[None, :], len(thetas), axis=0)
        vals[:, self.f] = thetas[:, mod.free[self.f]]
        if len(self.exo_s):
            vals[:, self.exo_s] = S[:, mod.r[self.exo_s], mod.c[self.exo_s]]
        if len(self.exo_m):
            vals[:, self.exo_m] = m[:, mod.r[self.exo_m]]
        return vals

    def implied(self, vals: np.ndarray) -> dict:
        mod = self.mod
        R, n, p = len(vals), self.n, self.p
        A = np.zeros((R, n, n))
        Sm = np.zeros((R, n, n))
        mv = np.zeros((R, n))
        A[:, mod.r[self.a], mod.c[self.a]] = vals[:, self.a]
        Sm[:, mod.r[self.s], mod.c[self.s]] = vals[:, self.s]
        Sm[:, mod.c[self.s], mod.r[self.s]] = vals[:, self.s]
        mv[:, mod.r[self.mm]] = vals[:, self.mm]
        B = np.linalg.inv(np.eye(n)[None] - A)
        G = B[:, :p, :]
        sigma = G @ Sm @ np.transpose(G, (0, 2, 1))
        mean_all = np.einsum("rij,rj->ri", B, mv)
        return dict(B=B, S=Sm, m=mv, sigma=(sigma + np.transpose(sigma, (0, 2, 1))) / 2, mean_all=mean_all,
                    mu=mean_all[:, :p])

    def gradient_contract(self, imp: dict, W: np.ndarray, w_mu: np.ndarray | None, nfree: int) -> np.ndarray:
        """Batched :meth:`RAMModel.gradient_contract`: (R, nfree)."""
        mod = self.mod
        B, S = imp["B"], imp["S"]
        Bp = B[:, : self.p, :]
        K = np.transpose(Bp, (0, 2, 1)) @ W @ Bp
        GA = 2.0 * (K @ S @ np.transpose(B, (0, 2, 1)))
        R = len(B)
        vals = np.zeros((R, len(mod.kind)))
        if w_mu is not None:
            bw = np.einsum("rpi,rp->ri", Bp, w_mu)
            GA = GA + bw[:, :, None] * imp["mean_all"][:, None, :]
            vals[:, self.mm] = bw[:, mod.r[self.mm]]
        vals[:, self.a] = GA[:, mod.r[self.a], mod.c[self.a]]
        vals[:, self.s] = self.mult[self.s] * K[:, mod.r[self.s], mod.c[self.s]]
        g = np.zeros((R, nfree))
        f = self.f
        np.add.at(g.T, mod.free[f], vals[:, f].T)
        return g


def batch_value_grad(blocks: list, thetas: np.ndarray, moments: list, weights, meanstructure: bool,
                     nfree: int) -> tuple[np.ndarray, np.ndarray]:
    """ML discrepancy F and its gradient for R parameter vectors, each with its own sample moments
    (``moments[g] = (means, covs, logdet)`` of group g, batched); F is ``inf`` where Sigma is not positive
    definite."""
    R = len(thetas)
    F = np.zeros(R)
    g = np.zeros((R, nfree))
    bad = np.zeros(R, bool)
    for blk, (mean, cov, logdet_s), w in zip(blocks, moments, weights):
        imp = blk.implied(blk.values(thetas, cov, mean))
        sigma = imp["sigma"]
        L, ok = _batch_cholesky(sigma)
        bad |= ~ok
        Li = np.linalg.inv(L)
        Si = np.transpose(Li, (0, 2, 1)) @ Li
        logdet = 2.0 * np.log(np.abs(np.diagonal(L, axis1=1, axis2=2))).sum(axis=1)
        Seff = cov
        w_mu = None
        if meanstructure:
            d = mean - imp["mu"]
            Seff = cov + d[:, :, None] * d[:, None, :]
            w_mu = -np.einsum("rij,rj->ri", Si, d)
        SiS = Si @ Seff
        F += w * 0.5 * (logdet + np.trace(SiS, axis1=1, axis2=2) - logdet_s - blk.p)
        W = 0.5 * (Si - SiS @ Si)
        g += w * blk.gradient_contract(imp, W, w_mu, nfree)
    F[bad] = np.inf
    return F, g


def _batch_cholesky(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of a stack; failures get the identity and ``ok`` False."""
    try:
        return np.linalg.cholesky(M), np.ones(len(M), bool)
    except np.linalg.LinAlgError:
        out = np.empty_like(M)
        ok = np.ones(len(M), bool)
        for i, m in enumerate(M):
            try:
                out[i] = np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                out[i] = np.eye(M.shape[1])
                ok[i] = False
        return out, ok
