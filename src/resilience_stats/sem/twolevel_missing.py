"""Two-level SEM with missing values: full-information ML (lavaan's ``sem(..., cluster = , missing = "ml")``).

The model is that of :mod:`resilience_stats.sem.twolevel`: case i of cluster j has within-level values
``y_i = mu_y + S u_j + e_i`` with ``e_i ~ N(0, Sigma_W)`` and a random effect ``u_j`` on the split variables
(those at both levels; ``S`` selects them), and the cluster has between-only values ``z_j``, with
``(u_j, z_j) ~ N((0, mu_z), Sigma_B)``. Each case is observed on its own subset ``O_i`` of the within-level
variables and each cluster on its own subset ``o_j`` of z (a between-only variable is constant within a
cluster: the cluster's observed value is used, whichever case carries it).

Likelihood per cluster, without forming the ``n_j p``-dimensional covariance matrix of the cluster's values:
first the observed z, ``z_o ~ N(mu_o, Z)`` with ``Z = Sigma_zz[o, o]``; given them the random effect has mean
``m_j = K (z_o - mu_o)`` and covariance ``C = Sigma_uu - K Sigma_zu[o]`` (``K = Sigma_uz[:, o] Z^-1``; z has
no within part, so this conditioning handles its degenerate covariance). With ``W_i = Sigma_W[O_i, O_i]``,
``r_i = y_i,O - mu_O - S_O m_j``, ``A_j = sum_i S_O' W_i^-1 S_O`` and ``p_j = sum_i S_O' W_i^-1 r_i``
(random-effects / Woodbury algebra; ``(I + C A_j)^-1 C`` stays valid when C is singular)::

    -2 loglik_j = log|Z| + (z_o - mu_o)' Z^-1 (z_o - mu_o) + sum_i [log|W_i| + r_i' W_i^-1 r_i]
                  + log|I + C A_j| - p_j' (I + C A_j)^-1 C p_j + (#observed values) log(2 pi)

The inverses of ``W_i`` are computed once per missing-data pattern and those of ``Z`` once per z pattern, so one
evaluation costs about ``O(K p^3 + N p^2 + J p_b^3)`` (K within patterns, p_b split variables). The gradient is
analytic: with ``V`` the covariance of a cluster's observed values, ``d(-2l) = tr[(V^-1 - V^-1 r r' V^-1) dV]
- 2 r' V^-1 d(mean)``, where ``V^-1`` restricted to case i is ``W_i^-1 - W_i^-1 S_O M_j S_O' W_i^-1``
(``M_j = (I + C A_j)^-1 C``, the posterior covariance of the random effect) and ``V^-1 r`` restricted to case i
is ``g_i = W_i^-1 (r_i - S_O M_j p_j)``; the derivatives with respect to ``C`` and ``m_j`` are carried through the
z-conditioning to ``Sigma_uu, Sigma_uz, Sigma_zz, mu_z`` (lavaan 0.6-14 expands the same likelihood into
separate terms: ``lav_mvnorm_cluster_missing_loglik_samplestats_2l`` / ``..._dlogl_2l_samplestats``). The same
pieces summed per cluster give the cluster scores of robust (MLR) standard errors. On complete data the value,
the gradient and the scores equal those of :class:`~resilience_stats.sem.twolevel.TwoLevelObjective`
(tests/test_sem_twolevel.py checks this to 1e-10).

Rows analysed (:func:`resilience_stats.sem.pipeline._twolevel_fit`, lavaan 0.6-14's rules): rows without a
cluster id or without any observed model variable are dropped; with fixed-x, rows with a missing covariate are
deleted; rows with between-only values only add those to their cluster and are not counted in N. The fixed-x
covariates then are complete, and their sample moments are also their ML estimates in the unrestricted model (our
h1 converges to them; lavaan 0.6-14 takes the covariates' fixed values from its unrestricted fit, which its
optimizer stops early, so its values differ by up to about 2e-3). The unrestricted (h1) model is the saturated
two-level model fitted with this likelihood by the package's optimizer (lavaan 0.7 uses EM; both reach the same
maximum, tests/golden/sem_twolevel_fiml_dev.json), and robust (MLR) standard errors and the Yuan-Bentler test come
from the cluster scores (lavaan 0.6-14 refuses MLR here; they are checked against lavaan 0.7-2).

Written here because no Python library fits two-level SEMs (semopy and statsmodels have no level-specific
covariance structures, and statsmodels' MixedLM has neither latent variables nor FIML for multivariate
outcomes); the optimizer, the model Jacobians and the fit measures are the package's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .twolevel import LevelSizes, TwoLevelObjective, varying_within_error

__all__ = ["ClusterMissingData", "cluster_missing_data", "TwoLevelMissingObjective", "start_moments"]


@dataclass
class ClusterMissingData(LevelSizes):
    """The data of a two-level model with missing values, organised by missing-data pattern and cluster.

    Cases are the rows with at least one observed within-level value (rows with between-only values only
    contribute those values to their cluster and are not counted in N, as lavaan), sorted by pattern.
    """

    within: list[str]
    between: list[str]
    z: list[str]
    ids: np.ndarray  # cluster id of each cluster (sorted)
    Y: np.ndarray  # (N, p_w) within-level values, NaN = missing
    case_cluster: np.ndarray  # (N,) cluster index of each case
    zval: np.ndarray  # (J, p_z) the clusters' between-only values, NaN = missing
    patterns: np.ndarray  # (K, p_w) True = observed, one row per within-level missing-data pattern
    case_pattern: np.ndarray  # (N,) pattern of each case
    counts: np.ndarray  # (J, K) cases of each pattern in each cluster
    zpatterns: np.ndarray  # (K_z, p_z) observed-z patterns
    cluster_zpattern: np.ndarray  # (J,) z pattern of each cluster
    between_only_rows: int = 0  # rows that had between-only values only

    def __post_init__(self):
        J = len(self.ids)
        self.n = np.bincount(self.case_cluster, minlength=J)
        # for the optimizer's metric (complete-data expected information at these cluster sizes)
        self.sizes, size_of = np.unique(np.maximum(self.n, 1), return_inverse=True)
        self.size_of = np.asarray(size_of).ravel()
        self.indicator = sparse.csr_matrix((np.ones(self.N), (self.case_cluster, np.arange(self.N))),
                                           shape=(J, self.N))
        self.observed = ~np.isnan(self.Y)
        self.Y0 = np.where(self.observed, self.Y, 0.0)
        assert np.all(np.diff(self.case_pattern) >= 0), "cases must be sorted by pattern"
        ends = np.searchsorted(self.case_pattern, np.arange(len(self.patterns)), side="right")
        self.pattern_cases = [slice(int(a), int(b)) for a, b in zip(np.r_[0, ends[:-1]], ends)]
        self.pattern_freq = np.diff(np.r_[0, ends]).astype(float)
        self.zpattern_clusters = [np.flatnonzero(self.cluster_zpattern == q) for q in range(len(self.zpatterns))]

    @property
    def N(self) -> int:
        return int(self.Y.shape[0])

    @property
    def n_values(self) -> int:
        """Observed values entering the likelihood (within-level values of the cases, z values of the clusters)."""
        return int(self.observed.sum() + (~np.isnan(self.zval)).sum())


def cluster_missing_data(X: np.ndarray, names: list[str], within: list[str], between: list[str],
                         ids: np.ndarray) -> ClusterMissingData:
    """Patterns and cluster summaries of the analysed rows ``X`` (columns ``names``, NaN = missing).

    Raises DataError when a between-only variable takes different observed values within a cluster.

    Examples
    --------
    >>> X = np.array([[1.0, np.nan, 0.5], [2.0, 1.0, np.nan], [np.nan, np.nan, 1.5], [0.5, 0.2, 1.5]])
    >>> d = cluster_missing_data(X, ["y1", "y2", "z"], ["y1", "y2"], ["y1", "y2", "z"], np.array([1, 1, 2, 2]))
    >>> d.N, d.J, d.n.tolist(), d.zval.ravel().tolist(), d.between_only_rows
    (3, 2, [2, 1], [0.5, 1.5], 1)
    >>> d.patterns.tolist()  # observed within-level variables per pattern
    [[True, False], [True, True]]
    """
    z = [v for v in between if v not in within]
    uniq, inv = np.unique(ids, return_inverse=True)
    inv = np.asarray(inv).ravel()
    J = len(uniq)
    Yall = X[:, [names.index(v) for v in within]]
    Zall = X[:, [names.index(v) for v in z]]
    zval = np.full((J, len(z)), np.nan)
    varies = np.zeros(J, bool)
    bad = []
    for c in range(len(z)):
        ok = ~np.isnan(Zall[:, c])
        lo, hi = np.full(J, np.inf), np.full(J, -np.inf)
        np.minimum.at(lo, inv[ok], Zall[ok, c])
        np.maximum.at(hi, inv[ok], Zall[ok, c])
        seen = np.isfinite(lo)
        v = seen & (hi - lo > 1e-8 * np.maximum(1.0, np.abs(np.where(seen, hi, 0.0))))
        if v.any():
            bad.append(z[c])
            varies |= v
        zval[seen, c] = lo[seen]
    if bad:
        raise varying_within_error(bad, uniq[varies])
    has_w = ~np.isnan(Yall).all(axis=1)
    Y = Yall[has_w]
    cc = inv[has_w]
    obs = ~np.isnan(Y)
    patterns, case_pattern = np.unique(obs, axis=0, return_inverse=True)
    case_pattern = np.asarray(case_pattern).ravel()
    order = np.argsort(case_pattern, kind="stable")
    Y, cc, case_pattern = Y[order], cc[order], case_pattern[order]
    counts = np.zeros((J, len(patterns)))
    np.add.at(counts, (cc, case_pattern), 1.0)
    zobs = ~np.isnan(zval)
    if z:
        zpatterns, cluster_zpattern = np.unique(zobs, axis=0, return_inverse=True)
        cluster_zpattern = np.asarray(cluster_zpattern).ravel()
    else:
        zpatterns, cluster_zpattern = np.zeros((1, 0), bool), np.zeros(J, int)
    return ClusterMissingData(list(within), list(between), z, uniq, Y, cc, zval, patterns, case_pattern, counts,
                              zpatterns, cluster_zpattern, int((~has_w).sum()))


def start_moments(d: ClusterMissingData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Moments of each level from the available values (starting values, fixed-x values).

    Level 1: means and covariances of the within-level variables over the cases (pairwise, divisor = number of
    cases observed on both), pooled-within covariances in the rows and columns of split variables; level 2 (in
    ``d.between`` order): means and covariances (pairwise, divisor = clusters) of the cluster means of the split
    variables and of the z values. With complete data these are the moments of the complete-data two-level fit.
    """
    Y, obs = d.Y, d.observed
    cnt = obs.T.astype(float) @ obs
    mean_w = np.nanmean(Y, axis=0)
    Dt = np.where(obs, Y - mean_w, 0.0)
    cov_w = (Dt.T @ Dt) / np.maximum(cnt, 1)
    # cluster means of the within-level variables (available values)
    nobs_j = d.indicator @ obs.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = (d.indicator @ d.Y0) / nobs_j
    dev = np.where(obs, Y - np.nan_to_num(ybar)[d.case_cluster], 0.0)
    ncl = (nobs_j > 0).sum(axis=0)  # clusters observed on each variable
    pooled = (dev.T @ dev) / np.maximum(cnt - np.minimum.outer(ncl, ncl), 1)
    split = [i for i, v in enumerate(d.within) if v in d.between]
    cov_w[split, :] = pooled[split, :]
    cov_w[:, split] = pooled[:, split]
    bnames = d.within + d.z
    B = np.hstack([ybar, d.zval])[:, [bnames.index(v) for v in d.between]]
    okb = ~np.isnan(B)
    mean_b = np.nanmean(B, axis=0)
    Bt = np.where(okb, B - mean_b, 0.0)
    cov_b = (Bt.T @ Bt) / np.maximum(okb.T.astype(float) @ okb, 1)
    return mean_w, cov_w, mean_b, cov_b


class TwoLevelMissingObjective(TwoLevelObjective):
    """``F = -loglik / N`` of a two-level model on data with missing values (see the module docstring), with the
    interface of :class:`~resilience_stats.sem.twolevel.TwoLevelObjective` (value, gradient,
    value_and_gradient, observed_information, cluster_scores, loglik, minus2loglik).

    The optimizer's metric (:meth:`grad_info`) is the complete-data expected information at the observed
    cluster sizes (it ignores the missing values, so it is only a metric; standard errors use the observed
    information, a numerical Hessian of the analytic gradient)."""

    # ------------------------------------------------------------------ likelihood pieces
    def _core(self, theta):
        """All per-pattern / per-cluster quantities at ``theta``; None if a covariance matrix is not PD."""
        d = self.data
        P = self._pieces(theta)
        Sw, mu_y = P["Sw"], P["mu_y"]
        bw = self.bi_w
        pb, pw = len(bw), d.pw
        Sbb = P["Sb"][np.ix_(bw, bw)]
        Sbz = P["Syz"][bw]
        K = len(d.patterns)
        Winv = np.zeros((K, pw, pw))
        val = 0.0
        for k, o in enumerate(d.patterns):
            o = np.flatnonzero(o)
            try:
                L = np.linalg.cholesky(Sw[np.ix_(o, o)])
            except np.linalg.LinAlgError:
                return None
            Li = np.linalg.inv(L)
            Winv[k][np.ix_(o, o)] = Li.T @ Li
            val += d.pattern_freq[k] * 2.0 * np.log(np.diag(L)).sum()
        E = d.Y0 - d.observed * mu_y
        GE = np.empty_like(E)
        for k, idx in enumerate(d.pattern_cases):
            GE[idx] = E[idx] @ Winv[k]
        val += float(np.sum(E * GE))
        J = d.J
        A = (d.counts @ Winv[:, bw][:, :, bw].reshape(K, pb * pb)).reshape(J, pb, pb)
        p0 = np.asarray(d.indicator @ GE[:, bw])
        m = np.zeros((J, pb))
        C = np.empty((J, pb, pb))
        zparts = []
        psd = True
        for q, zo in enumerate(d.zpatterns):
            sel = d.zpattern_clusters[q]
            o = np.flatnonzero(zo)
            if len(o):
                try:
                    Lz = np.linalg.cholesky(P["Szz"][np.ix_(o, o)])
                except np.linalg.LinAlgError:
                    return None
                Lzi = np.linalg.inv(Lz)
                Zinv = Lzi.T @ Lzi
                D = d.zval[np.ix_(sel, o)] - P["mu_z"][o]
                a = D @ Zinv
                Kq = Sbz[:, o] @ Zinv
                Cq = Sbb - Kq @ Sbz[:, o].T
                m[sel] = D @ Kq.T
                val += len(sel) * 2.0 * np.log(np.diag(Lz)).sum() + float(np.sum(a * D))
            else:
                Zinv, a, Kq, Cq = np.zeros((0, 0)), np.zeros((len(sel), 0)), np.zeros((pb, 0)), Sbb
            Cq = (Cq + Cq.T) / 2
            if pb and np.linalg.eigvalsh(Cq)[0] < 0:
                psd = False
            C[sel] = Cq
            zparts.append((sel, o, Zinv, a, Kq))
        Am = np.einsum("jab,jb->ja", A, m)
        p = p0 - Am
        val += float(np.sum(-2.0 * m * p0 + m * Am))
        IC = np.eye(pb) + C @ A
        if pb:
            sign, ld = np.linalg.slogdet(IC)
            if np.any(sign <= 0):
                return None
            if not psd and np.min(np.linalg.eigvals(IC).real) <= 0:  # the clusters' covariance is not PD
                return None
            sol = np.linalg.solve(IC, np.concatenate([(C @ p[:, :, None]), C], axis=2))
            vhat, M = sol[:, :, 0], sol[:, :, 1:]
            M = (M + np.transpose(M, (0, 2, 1))) / 2
            val += float(ld.sum() - np.sum(p * vhat))
        else:
            vhat, M = np.zeros((J, 0)), np.zeros((J, 0, 0))
        return dict(P=P, Winv=Winv, GE=GE, A=A, C=C, m=m, p=p, vhat=vhat, M=M, zparts=zparts, val=val)

    def _derivatives(self, c):
        """Per-cluster pieces of ``d(-2 loglik)``: the within residuals ``g`` (N x p_w), ``h_j``, ``G_C,j`` and
        the z-pattern terms."""
        d = self.data
        bw = self.bi_w
        pb = len(bw)
        G = c["GE"].copy()
        U = (c["m"] + c["vhat"])[d.case_cluster]
        for k, idx in enumerate(d.pattern_cases):
            G[idx] -= U[idx] @ c["Winv"][k][bw, :]
        A, C = c["A"], c["C"]
        h = c["p"] - np.einsum("jab,jb->ja", A, c["vhat"])
        if pb:
            GC = np.linalg.solve(np.eye(pb) + A @ C, A)
            GC = (GC + np.transpose(GC, (0, 2, 1))) / 2 - h[:, :, None] * h[:, None, :]
        else:
            GC = np.zeros((d.J, 0, 0))
        return G, h, GC

    def _contract(self, P, dSw, dmu_y, dSbb, dSbz, dSzz, dmu_z):
        """Gradient of F from the derivatives of ``-2 loglik`` with respect to the two-level moments."""
        d = self.data
        c = 1.0 / (2 * d.N)
        dSB, dmuB = self._between_matrix(dSbb, dSbz, dSzz, dmu_y, dmu_z)
        return (self.models[0].gradient_contract(P["iw"], c * dSw, c * dmu_y)
                + self.models[1].gradient_contract(P["ib"], c * dSB, c * dmuB))

    def _between_matrix(self, dSbb, dSbz, dSzz, dmu_y, dmu_z):
        """Level-2 matrix / vector (``d.between`` order) from the split and z blocks; works on stacked arrays."""
        d = self.data
        pre = dSbb.shape[:-2]
        pbf = len(d.between)
        dSB = np.zeros(pre + (pbf, pbf))
        bb, zb = self.bi_b, self.zi_b
        dSB[..., bb[:, None], bb[None, :]] = dSbb
        dSB[..., bb[:, None], zb[None, :]] = dSbz
        dSB[..., zb[:, None], bb[None, :]] = np.swapaxes(dSbz, -1, -2)
        dSB[..., zb[:, None], zb[None, :]] = dSzz
        dmuB = np.zeros(pre + (pbf,))
        dmuB[..., bb] = dmu_y[..., self.bi_w]
        dmuB[..., zb] = dmu_z
        return dSB, dmuB

    def _value_grad(self, theta, grad: bool = True):
        c = self._core(theta)
        if c is None:
            return np.inf, None
        if not grad:
            return c["val"], None
        d = self.data
        G, h, GC = self._derivatives(c)
        Winv, M = c["Winv"], c["M"]
        bw = self.bi_w
        Q = Winv[:, :, bw]
        Mk = np.einsum("jk,jab->kab", d.counts, M)
        dSw = np.einsum("k,kab->ab", d.pattern_freq, Winv) - np.einsum("kac,kcd,kbd->ab", Q, Mk, Q) - G.T @ G
        dmu_y = -2.0 * G.sum(axis=0)
        dSbb = GC.sum(axis=0)
        pz = d.pz
        dSbz = np.zeros((len(bw), pz))
        dSzz = np.zeros((pz, pz))
        dmu_z = np.zeros(pz)
        for sel, o, Zinv, a, Kq in c["zparts"]:
            if not len(o):
                continue
            GCs = GC[sel].sum(axis=0)
            Hq = h[sel]
            KtH = Hq @ Kq
            dSbz[:, o] += -GCs @ Kq - Hq.T @ a
            dSzz[np.ix_(o, o)] += Kq.T @ GCs @ Kq + a.T @ KtH + KtH.T @ a + len(sel) * Zinv - a.T @ a
            dmu_z[o] += 2.0 * KtH.sum(axis=0) - 2.0 * a.sum(axis=0)
        g = self._contract(c["P"], dSw, dmu_y, dSbb, dSbz, dSzz, dmu_z)
        return c["val"], g

    def loglik(self, theta) -> float:
        return -0.5 * (self.minus2loglik(theta) + self.data.n_values * np.log(2.0 * np.pi))

    # ------------------------------------------------------------------ robust standard errors
    def cluster_scores(self, theta) -> np.ndarray:
        """Per cluster, the gradient of its log-likelihood contribution (J x q), for robust (MLR) SEs."""
        c = self._core(theta)
        if c is None:
            return np.full((self.data.J, self.nfree), np.nan)
        d = self.data
        P = c["P"]
        G, h, GC = self._derivatives(c)
        Winv, M = c["Winv"], c["M"]
        bw = self.bi_w
        J, pw, pz, pb = d.J, d.pw, d.pz, len(bw)
        dsW, dmW = self.models[0].jacobian(P["iw"])  # (q, pw, pw), (q, pw)
        dsB, dmB = self.models[1].jacobian(P["ib"])
        q = self.nfree
        # Sigma_W: sum_k n_jk [W_k^-1 - Q_k M_j Q_k'] - sum_i g_i g_i'
        out = d.counts @ np.einsum("kab,qab->kq", Winv, dsW)
        Q = Winv[:, :, bw]
        R = np.einsum("kac,qab,kbd->kqcd", Q, dsW, Q)
        out -= np.einsum("jk,jcd,kqcd->jq", d.counts, M, R)
        flat = dsW.reshape(q, pw * pw).T
        for s in range(0, d.N, 20000):
            Gs = G[s:s + 20000]
            outer = (Gs[:, :, None] * Gs[:, None, :]).reshape(len(Gs), pw * pw)
            out -= np.asarray(d.indicator[:, s:s + 20000] @ outer) @ flat
        gmu = -2.0 * np.asarray(d.indicator @ G)  # (J, pw)
        out += gmu @ dmW.T
        # between level: split block, z blocks, means
        dSbz = np.zeros((J, pb, pz))
        dSzz = np.zeros((J, pz, pz))
        dmu_z = np.zeros((J, pz))
        for sel, o, Zinv, a, Kq in c["zparts"]:
            if not len(o):
                continue
            KtH = h[sel] @ Kq
            dSbz[np.ix_(sel, np.arange(pb), o)] = -GC[sel] @ Kq - h[sel][:, :, None] * a[:, None, :]
            dSzz[np.ix_(sel, o, o)] = (np.einsum("ca,jcd,db->jab", Kq, GC[sel], Kq)
                                       + a[:, :, None] * KtH[:, None, :] + KtH[:, :, None] * a[:, None, :]
                                       + Zinv[None] - a[:, :, None] * a[:, None, :])
            dmu_z[np.ix_(sel, o)] = 2.0 * KtH - 2.0 * a
        dSB, dmuB = self._between_matrix(GC, dSbz, dSzz, gmu, dmu_z)
        out += np.einsum("jab,qab->jq", dSB, dsB) + dmuB @ dmB.T
        # scores of the log-likelihood: l_j = -(-2 l_j) / 2
        return -0.5 * out
