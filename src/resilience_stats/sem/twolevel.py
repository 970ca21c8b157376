"""Two-level SEM (residents nested in communities): lavaan's ``level: 1`` / ``level: 2`` models with ``cluster=``.

The observed variables of a two-level model are split by where they appear in the syntax: *within-level*
variables (level 1; those that also appear at level 2 have a within and a between part, "split" variables; the
others are within-only) and *between-only* variables z (level 2 only: community characteristics, constant
within a community). The level-1 model implies ``(Sigma_W, mu_W)`` over the within-level variables, the level-2
model ``(Sigma_B, mu_B)`` over the split and the between-only variables (each a RAM model of its own,
:mod:`resilience_stats.sem.model`).

Likelihood (lavaan 0.6-14, ``lav_mvnorm_cluster_loglik_samplestats_2l``), written per cluster j with its size
``n_j``, its within-level cluster means ``ybar_j``, its z values ``z_j`` and its within SSCP ``W_j``: with
``v_j = (z_j, ybar_j)`` of mean ``(mu_z, mu_y)`` (``mu_y = mu_W + mu_B`` on the split variables) and covariance
``Omega_j = [[S_zz, S_zy], [S_yz, S_b + S_w / n_j]]`` (``S_b``, ``S_yz``, ``S_zz`` from ``Sigma_B``; zero between
variance for within-only variables; ``S_w = Sigma_W``)::

    -2 loglik = sum_j [(n_j - 1) log|S_w| + tr(S_w^-1 W_j) + log|Omega_j| + r_j' Omega_j^-1 r_j + p_w log n_j]
                + (N p_w + J p_z) log(2 pi)

(``r_j = v_j - mean``; the same as lavaan's form with ``Sigma_j = n_j Sigma_b.z + S_w``). Clusters of equal size
share ``Omega``. The discrepancy minimised is ``F = -loglik / N``; its gradient is analytic (derivatives with
respect to ``Sigma_W``, ``mu_W``, ``Sigma_B``, ``mu_B`` contracted with each level's RAM model), the information
for the optimizer and the standard errors is the observed one (a numerical Hessian of the analytic gradient; lavaan
uses the observed information for two-level models), and the cluster-level scores give the robust (MLR) standard
errors. The unrestricted (h1) model is the saturated two-level model fitted with the same likelihood (lavaan
uses EM to a loglik change of 1e-4; ours is maximised to the optimizer's precision, so the chi-square can be
smaller by up to about 2e-4).

Fixed-x: exogenous covariates of level 1 take their total sample moments (divisor N), those of level 2 the
moments of their cluster values (divisor J); the log-likelihood of the covariates is subtracted from the reported
log-likelihoods, as lavaan does.

Missing values (``missing="fiml"``): :mod:`resilience_stats.sem.twolevel_missing` evaluates the same likelihood
case by case (per missing-data pattern, random-effects algebra per cluster) with the same interface.

Written here because no Python library fits two-level SEMs: semopy and statsmodels have no level-specific
covariance structures, and statsmodels' MixedLM has no latent variables or multivariate outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, ModelSpecificationError

__all__ = ["ClusterData", "LevelSizes", "cluster_data", "varying_within_error", "TwoLevelObjective", "LOG2PI"]

LOG2PI = np.log(2.0 * np.pi)


class LevelSizes:
    """Numbers of clusters and of within-level and between-only variables of a two-level data summary (with
    ``ids``, ``within`` and ``z`` attributes)."""

    @property
    def J(self) -> int:
        return len(self.ids)

    @property
    def pw(self) -> int:
        return len(self.within)

    @property
    def pz(self) -> int:
        return len(self.z)


@dataclass
class ClusterData(LevelSizes):
    """The data of a two-level model summarised by cluster."""

    within: list[str]  # within-level variables (split and within-only), in level-1 model order
    between: list[str]  # level-2 variables (split and between-only), in level-2 model order
    z: list[str]  # between-only variables
    n: np.ndarray  # cluster sizes (J)
    ybar: np.ndarray  # (J, p_w) cluster means of the within-level variables
    zval: np.ndarray  # (J, p_z) values of the between-only variables
    W: np.ndarray  # (J, p_w, p_w) within-cluster SSCP
    ids: np.ndarray  # cluster id of each cluster (sorted)
    Y: np.ndarray  # (N, p_w) the within-level data
    case_cluster: np.ndarray  # cluster index of each case
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0))  # distinct sizes
    size_of: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # index into sizes per cluster

    @property
    def N(self) -> int:
        return int(self.n.sum())

    @property
    def S_PW(self) -> np.ndarray:
        """Pooled within-cluster covariance (divisor N - J)."""
        return self.W.sum(axis=0) / (self.N - self.J)


def varying_within_error(bad: list[str], where: np.ndarray) -> DataError:
    """The error for between-only variables ``bad`` that vary within the clusters ``where`` (ids)."""
    shown = ", ".join(str(v) for v in where[:5]) + (", ..." if len(where) > 5 else "")
    return DataError(f"level-2 variable(s) {', '.join(bad)} vary within {len(where)} cluster(s) (ids {shown}); a "
                     "variable that appears only at level 2 must be constant within each cluster (a community "
                     "characteristic); correct the data, add it to level 1 as well, or use its cluster means")


def cluster_data(frame: pd.DataFrame, X: np.ndarray, names: list[str], within: list[str], between: list[str],
                 ids: np.ndarray) -> ClusterData:
    """Summaries by cluster of the analysed rows ``X`` (columns ``names``) with cluster ids ``ids``.

    Raises DataError for fewer than two clusters or a between-only variable that varies within a cluster.
    """
    z = [v for v in between if v not in within]
    uniq, inv = np.unique(ids, return_inverse=True)
    inv = np.asarray(inv).ravel()
    J = len(uniq)
    if J < 2:
        raise DataError(f"a two-level model needs at least 2 clusters, got {J}")
    n = np.bincount(inv, minlength=J)
    wi = [names.index(v) for v in within]
    zi = [names.index(v) for v in z]
    Y = X[:, wi]
    sums = np.zeros((J, len(wi)))
    np.add.at(sums, inv, Y)
    ybar = sums / n[:, None]
    D = Y - ybar[inv]
    W = np.zeros((J, len(wi), len(wi)))
    np.add.at(W, inv, D[:, :, None] * D[:, None, :])
    zval = np.zeros((J, len(zi)))
    if zi:
        Z = X[:, zi]
        zsum = np.zeros((J, len(zi)))
        np.add.at(zsum, inv, Z)
        zval = zsum / n[:, None]
        dev = np.abs(Z - zval[inv])
        varies = dev > 1e-8 * np.maximum(1.0, np.abs(Z))
        bad = [z[k] for k in np.flatnonzero(varies.any(axis=0))]
        if bad:
            raise varying_within_error(bad, uniq[np.unique(inv[varies.any(axis=1)])])
    sizes, size_of = np.unique(n, return_inverse=True)
    return ClusterData(list(within), list(between), z, n, ybar, zval, W, uniq, Y, inv, sizes,
                       np.asarray(size_of).ravel())


class TwoLevelObjective:
    """``F = -loglik / N`` of a two-level model (see the module docstring) with the interface of the optimizer.

    Parameters
    ----------
    models : [RAMModel, RAMModel]
        The level-1 (over ``data.within``) and level-2 (over ``data.between``) models; ``rows`` index one table.
    data : ClusterData
    """

    meanstructure = True

    def __init__(self, models, data: ClusterData):
        self.models = models
        self.data = data
        self.nfree = models[0].nfree
        self.ntotal = data.N
        self.weights = [1.0]
        self.stats: list = []
        d = data
        self.both = [v for v in d.within if v in d.between]
        self.bi_w = np.array([d.within.index(v) for v in self.both], dtype=int)  # split vars in within order
        self.bi_b = np.array([d.between.index(v) for v in self.both], dtype=int)  # and in between order
        self.zi_b = np.array([d.between.index(v) for v in d.z], dtype=int)

    # ------------------------------------------------------------------ moments
    def _pieces(self, theta):
        d = self.data
        iw = self.models[0].implied(theta)
        ib = self.models[1].implied(theta)
        Sw, muW = iw["sigma"], iw["mu"]
        SB, muB = ib["sigma"], ib["mu"]
        pw, pz = d.pw, d.pz
        Sb = np.zeros((pw, pw))
        Sb[np.ix_(self.bi_w, self.bi_w)] = SB[np.ix_(self.bi_b, self.bi_b)]
        Syz = np.zeros((pw, pz))
        Syz[self.bi_w] = SB[np.ix_(self.bi_b, self.zi_b)]
        Szz = SB[np.ix_(self.zi_b, self.zi_b)]
        mu_y = muW.copy()
        mu_y[self.bi_w] += muB[self.bi_b]
        mu_z = muB[self.zi_b]
        return dict(iw=iw, ib=ib, Sw=Sw, Sb=Sb, Syz=Syz, Szz=Szz, mu_y=mu_y, mu_z=mu_z)

    def _omega(self, P, n):
        pz = self.data.pz
        pw = self.data.pw
        O = np.empty((pz + pw, pz + pw))
        O[:pz, :pz] = P["Szz"]
        O[:pz, pz:] = P["Syz"].T
        O[pz:, :pz] = P["Syz"]
        O[pz:, pz:] = P["Sb"] + P["Sw"] / n
        return O

    def minus2loglik(self, theta) -> float:
        """-2 loglik without the constant ``(N p_w + J p_z) log(2 pi)``; ``inf`` if a matrix is not PD."""
        return self._value_grad(theta, grad=False)[0]

    def loglik(self, theta) -> float:
        d = self.data
        m2 = self.minus2loglik(theta)
        return -0.5 * (m2 + (d.N * d.pw + d.J * d.pz) * LOG2PI)

    def _value_grad(self, theta, grad: bool = True):
        d = self.data
        P = self._pieces(theta)
        try:
            Lw = np.linalg.cholesky(P["Sw"])
        except np.linalg.LinAlgError:
            return np.inf, None
        Swi = np.linalg.inv(P["Sw"])
        logdet_w = 2.0 * np.log(np.diag(Lw)).sum()
        Wtot = d.W.sum(axis=0)
        N, J = d.N, d.J
        val = (N - J) * logdet_w + np.sum(Swi * Wtot) + d.pw * np.log(d.n).sum()
        mean = np.concatenate([P["mu_z"], P["mu_y"]])
        R = np.hstack([d.zval, d.ybar]) - mean  # (J, pz + pw)
        pz = d.pz
        gO_w = np.zeros((d.pw, d.pw))  # d(-2l)/d S_w from the Omegas
        G_tot = np.zeros((pz + d.pw, pz + d.pw))  # d(-2l)/d(S_zz, S_yz, S_b) summed
        gm = np.zeros(pz + d.pw)
        for k, s in enumerate(d.sizes):
            sel = d.size_of == k
            Js = int(sel.sum())
            O = self._omega(P, s)
            try:
                Lo = np.linalg.cholesky(O)
            except np.linalg.LinAlgError:
                return np.inf, None
            Oi = np.linalg.inv(O)
            Rs = R[sel]
            T = Rs.T @ Rs
            val += Js * 2.0 * np.log(np.diag(Lo)).sum() + np.sum(Oi * T)
            if grad:
                G = Js * Oi - Oi @ T @ Oi
                G_tot += G
                gO_w += G[pz:, pz:] / s
                gm += -2.0 * Oi @ Rs.sum(axis=0)
        if not grad:
            return val, None
        # derivatives of F = (-2l) / (2N) with respect to each level's implied moments
        c = 1.0 / (2 * N)
        dSw = c * ((N - J) * Swi - Swi @ Wtot @ Swi + gO_w)
        dmuW = c * gm[pz:]
        pb = len(d.between)
        dSB = np.zeros((pb, pb))
        Gyy, Gzy = G_tot[pz:, pz:], G_tot[:pz, pz:]
        dSB[np.ix_(self.bi_b, self.bi_b)] = c * Gyy[np.ix_(self.bi_w, self.bi_w)]
        dSB[np.ix_(self.zi_b, self.bi_b)] = c * Gzy[:, self.bi_w]
        dSB[np.ix_(self.bi_b, self.zi_b)] = c * Gzy[:, self.bi_w].T
        dSB[np.ix_(self.zi_b, self.zi_b)] = c * G_tot[:pz, :pz]
        dmuB = np.zeros(pb)
        dmuB[self.bi_b] = dmuW[self.bi_w]
        dmuB[self.zi_b] = c * gm[:pz]
        g = (self.models[0].gradient_contract(P["iw"], dSw, dmuW)
             + self.models[1].gradient_contract(P["ib"], dSB, dmuB))
        return val, g

    # ------------------------------------------------------------------ optimizer interface
    def value(self, theta) -> float:
        v = self._value_grad(theta, grad=False)[0]
        return v / (2 * self.data.N) if np.isfinite(v) else np.inf

    def gradient(self, theta) -> np.ndarray:
        v, g = self._value_grad(theta)
        return g if g is not None else np.full(self.nfree, np.nan)

    def value_and_gradient(self, theta):
        v, g = self._value_grad(theta)
        return (v / (2 * self.data.N) if np.isfinite(v) else np.inf), g

    def grad_info(self, theta):
        """Gradient of F and the expected information (per case) -- the optimizer's metric."""
        return self.gradient(theta), self.expected_information(theta)

    def expected_information(self, theta) -> np.ndarray:
        """Expected information of ``F`` (unit: divided by N): ``[(N - J)/2 tr(Sw^-1 dSw Sw^-1 dSw) + sum_j {1/2
        tr(Om_j^-1 dOm_j Om_j^-1 dOm_j) + dmu' Om_j^-1 dmu}] / N`` from each level's model Jacobian."""
        d = self.data
        P = self._pieces(theta)
        dSw, dmuW = self.models[0].jacobian(P["iw"])  # (q, pw, pw), (q, pw)
        dSB, dmuB = self.models[1].jacobian(P["ib"])  # (q, pb, pb), (q, pb)
        q, pw, pz = self.nfree, d.pw, d.pz
        m = pz + pw
        dOB = np.zeros((q, m, m))  # the between part of dOmega (same for every size)
        zi, bw, bb = self.zi_b, self.bi_w, self.bi_b
        dOB[:, :pz, :pz] = dSB[:, zi][:, :, zi]
        yz = dSB[:, bb][:, :, zi]  # (q, both, z)
        dOB[:, pz + bw[:, None], np.arange(pz)[None, :]] = yz
        dOB[:, np.arange(pz)[:, None], pz + bw[None, :]] = np.transpose(yz, (0, 2, 1))
        dOB[:, pz + bw[:, None], pz + bw[None, :]] = dSB[:, bb][:, :, bb]
        dmu = np.zeros((q, m))
        dmu[:, pz:] = dmuW
        dmu[:, pz + bw] += dmuB[:, bb]
        dmu[:, :pz] = dmuB[:, zi]
        Swi = np.linalg.inv(P["Sw"])
        X = Swi @ dSw
        H = 0.5 * (d.N - d.J) * np.einsum("kab,lba->kl", X, X)
        for k, s in enumerate(d.sizes):
            Js = int(np.sum(d.size_of == k))
            Oi = np.linalg.inv(self._omega(P, s))
            dO = dOB.copy()
            dO[:, pz:, pz:] += dSw / s
            Y = Oi @ dO
            H += Js * (0.5 * np.einsum("kab,lba->kl", Y, Y) + dmu @ Oi @ dmu.T)
        H = H / d.N
        return (H + H.T) / 2

    def observed_information(self, theta):
        from .inference import numeric_hessian

        return numeric_hessian(self.gradient, theta)

    def cluster_scores(self, theta) -> np.ndarray:
        """Per cluster, the gradient of its log-likelihood contribution (J x q), for robust (MLR) SEs."""
        d = self.data
        P = self._pieces(theta)
        Swi = np.linalg.inv(P["Sw"])
        pz = d.pz
        mean = np.concatenate([P["mu_z"], P["mu_y"]])
        R = np.hstack([d.zval, d.ybar]) - mean
        Oinv = [np.linalg.inv(self._omega(P, s)) for s in d.sizes]
        pb = len(d.between)
        out = np.zeros((d.J, self.nfree))
        for j in range(d.J):
            s = d.n[j]
            Oi = Oinv[d.size_of[j]]
            r = R[j]
            G = Oi - Oi @ np.outer(r, r) @ Oi
            gm = -2.0 * Oi @ r
            dSw = 0.5 * ((s - 1) * Swi - Swi @ d.W[j] @ Swi + G[pz:, pz:] / s)
            dmuW = 0.5 * gm[pz:]
            dSB = np.zeros((pb, pb))
            dSB[np.ix_(self.bi_b, self.bi_b)] = 0.5 * G[pz:, pz:][np.ix_(self.bi_w, self.bi_w)]
            dSB[np.ix_(self.zi_b, self.bi_b)] = 0.5 * G[:pz, pz:][:, self.bi_w]
            dSB[np.ix_(self.bi_b, self.zi_b)] = 0.5 * G[:pz, pz:][:, self.bi_w].T
            dSB[np.ix_(self.zi_b, self.zi_b)] = 0.5 * G[:pz, :pz]
            dmuB = np.zeros(pb)
            dmuB[self.bi_b] = dmuW[self.bi_w]
            dmuB[self.zi_b] = 0.5 * gm[:pz]
            # scores of the log-likelihood: minus the derivative of -loglik
            out[j] = -(self.models[0].gradient_contract(P["iw"], dSw, dmuW)
                       + self.models[1].gradient_contract(P["ib"], dSB, dmuB))
        return out


def _cov_blocks(pt: pd.DataFrame, ov_levels: dict) -> list[np.ndarray]:
    """Per level, the matrix of free-parameter indices (0-based, -1 = none) of the saturated covariances."""
    blocks = []
    lhs, op, rhs, lev, free = (pt[c].to_numpy() for c in ("lhs", "op", "rhs", "level", "free"))
    for L in (1, 2):
        names = list(ov_levels[L])
        idx = np.full((len(names), len(names)), -1)
        for a, o, b, lv, f in zip(lhs, op, rhs, lev, free):
            if lv == L and o == "~~" and f > 0:
                i, j = names.index(a), names.index(b)
                idx[i, j] = idx[j, i] = f - 1
        blocks.append(idx)
    return blocks


def _psd(S: np.ndarray) -> bool:
    try:
        return bool(np.linalg.eigvalsh(S).min() > 1e-10 * max(1.0, float(np.abs(np.diag(S)).max())))
    except np.linalg.LinAlgError:
        return False


def fit_saturated(objective, pt: pd.DataFrame, ov_levels: dict, theta0: np.ndarray, minimize):
    """The unrestricted (h1) two-level model: maximum likelihood over positive semi-definite within and between
    covariance matrices, as lavaan's EM gives.

    With small between-community variances the unconstrained maximum can have a covariance matrix that is not
    positive definite (a negative between variance), whose log-likelihood is not that of any normal model and
    would inflate the chi-square; the fit is then repeated with each level's covariance matrix written as
    ``L L'`` (``L`` lower triangular; gradient ``2 M L`` with ``M`` the symmetric matrix of the covariance
    derivatives, off-diagonal halved). Returns an optimizer result with ``theta`` in the saturated model's own
    parameters.
    """
    from scipy import optimize

    res = minimize(objective, theta0)
    blocks = _cov_blocks(pt, ov_levels)

    def cov(theta, idx):
        return np.where(idx >= 0, theta[np.maximum(idx, 0)], 0.0)

    if np.isfinite(res.fmin) and all(_psd(cov(res.theta, idx)) for idx in blocks if idx.size):
        return res
    tril = [np.tril_indices(idx.shape[0]) for idx in blocks]

    def to_theta(phi):
        theta = phi[: len(theta0)].copy()
        k = len(theta0)
        Ls = []
        for idx, (r, c) in zip(blocks, tril):
            L = np.zeros(idx.shape)
            L[r, c] = phi[k: k + len(r)]
            k += len(r)
            S = L @ L.T
            theta[idx[r, c]] = S[r, c]
            Ls.append(L)
        return theta, Ls

    def fun(phi):
        v = objective.value(to_theta(phi)[0])
        return v if np.isfinite(v) else 1e10

    is_cov = np.isin(np.arange(len(theta0)), np.concatenate([i[i >= 0] for i in blocks]))

    def grad(phi):
        theta, Ls = to_theta(phi)
        g = objective.gradient(theta)
        out = [np.where(is_cov, 0.0, g)]
        for idx, L, (r, c) in zip(blocks, Ls, tril):
            G = np.where(idx >= 0, g[np.maximum(idx, 0)], 0.0)
            M = np.where(np.eye(len(G), dtype=bool), G, G / 2)
            out.append((2 * M @ L)[r, c])
        return np.concatenate(out)

    phi0 = [res.theta.copy() if np.isfinite(res.fmin) else np.asarray(theta0, float).copy()]
    for idx in blocks:
        S = cov(phi0[0], idx)
        w, V = np.linalg.eigh((S + S.T) / 2)
        S = (V * np.maximum(w, 1e-4 * max(1.0, float(np.abs(w).max())))) @ V.T
        phi0.append(np.linalg.cholesky(S)[np.tril_indices(len(S))])
    sp = optimize.minimize(fun, np.concatenate(phi0), jac=grad, method="BFGS", options=dict(maxiter=5000, gtol=1e-8))
    theta = to_theta(sp.x)[0]
    res.theta, res.fmin = theta, float(objective.value(theta))
    res.converged = bool(sp.success or np.max(np.abs(grad(sp.x))) < 1e-5)
    res.method, res.message = "bfgs (covariances as L L')", str(sp.message)
    return res
