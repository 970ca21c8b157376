"""Model-implied sample statistics of one block, as the vector a least-squares estimator compares.

A least-squares discrepancy (GLS, WLS, DWLS, ULS; :mod:`resilience_stats.sem.objectives.ls`) compares a vector of
sample statistics ``s`` with its model-implied counterpart ``sigma(theta)``; it needs that vector and its
Jacobian ``Delta = d sigma / d theta'``. A *map* turns the RAM model of a block (:class:`~.model.RAMModel`) into
both, analytically:

* :class:`MomentMap` -- continuous data: ``(mu, vech(Sigma))`` in lavaan's ``wls.obs`` order (means first
  when there is a mean structure, then the lower triangle column by column including the diagonal), without
  the elements of the fixed-x block (they are reproduced exactly and are not data).
* :class:`OrdinalMap` -- ordered indicators, lavaan's delta or theta parameterization: model thresholds, then
  the off-diagonal latent-response correlations in ``vech(R, diagonal = FALSE)`` order. With ``Sigma0`` and
  ``mu*`` the implied covariance and means of the latent responses y* from the RAM model and ``delta_v`` the
  scale factor of item v::

      threshold_k(v) = (tau_k - mu*_v) * delta_v          correlation_ij = delta_i delta_j Sigma0_ij

  *delta*: ``delta_v`` is a parameter (``v ~*~ v``, fixed to 1 in the reference group) and the residual
  variances of y* are not parameters (their RAM entries are 0; the reported value is ``1 / delta^2 -
  diag(Sigma0)``). *theta*: the residual variances of y* are parameters (fixed to 1 in the reference group)
  and ``delta_v = 1 / sqrt(Sigma0_vv)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MomentMap", "OrdinalMap", "vech_indices"]


def vech_indices(p: int, diagonal: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of lavaan's ``vech`` (lower triangle, column by column).

    Examples
    --------
    >>> [a.tolist() for a in vech_indices(3)]
    [[0, 1, 2, 1, 2, 2], [0, 0, 0, 1, 1, 2]]
    >>> [a.tolist() for a in vech_indices(3, diagonal=False)]
    [[1, 2, 2], [0, 0, 1]]
    """
    k = 0 if diagonal else 1
    rows = [i for j in range(p) for i in range(j + k, p)]
    cols = [j for j in range(p) for i in range(j + k, p)]
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


class MomentMap:
    """``sigma(theta) = (mu, vech Sigma)`` of a continuous block (fixed-x elements left out).

    Parameters
    ----------
    model : RAMModel
    meanstructure : bool
    exo : array of bool, optional
        Observed variables that are fixed-x covariates (their mean and (co)variance block is dropped).
    """

    def __init__(self, model, meanstructure: bool, exo=None):
        self.model = model
        self.meanstructure = bool(meanstructure)
        p = model.p
        isx = np.zeros(p, bool) if exo is None else np.asarray(exo, bool)
        r, c = vech_indices(p)
        keep_cov = ~(isx[r] & isx[c])
        self.r, self.c = r[keep_cov], c[keep_cov]
        self.mean_idx = np.flatnonzero(~isx) if self.meanstructure else np.zeros(0, int)

    def sample_vector(self, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
        return np.concatenate([mean[self.mean_idx], cov[self.r, self.c]])

    def vector(self, theta: np.ndarray) -> np.ndarray:
        imp = self.model.implied(theta)
        return np.concatenate([imp["mu"][self.mean_idx], imp["sigma"][self.r, self.c]])

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        imp = self.model.implied(theta)
        dsigma, dmu = self.model.jacobian(imp)
        return np.hstack([dmu[:, self.mean_idx], dsigma[:, self.r, self.c]]).T

    def vector_and_jacobian(self, theta: np.ndarray):
        return self.vector(theta), self.jacobian(theta)


class OrdinalMap:
    """Thresholds and latent-response correlations of an ordinal block (see the module docstring).

    Parameters
    ----------
    model : RAMModel
        Latent-response model of the block; observed variables in the order of the sample statistics.
    th_item : array of int
        Item (observed-variable index) of each threshold statistic.
    th_free, th_value : arrays
        0-based free index of each model threshold (-1 when fixed) and the value of fixed ones.
    d_free, d_value : arrays
        Scale factor (``~*~``) of each observed variable: free index (-1 fixed) and fixed value (delta only).
    parameterization : {"delta", "theta"}
    """

    def __init__(self, model, th_item, th_free, th_value, d_free=None, d_value=None,
                 parameterization: str = "delta"):
        self.model = model
        p = model.p
        self.th_item = np.asarray(th_item, dtype=int)
        self.th_free = np.asarray(th_free, dtype=int)
        self.th_value = np.asarray(th_value, dtype=float)
        self.d_free = np.full(p, -1, int) if d_free is None else np.asarray(d_free, dtype=int)
        self.d_value = np.ones(p) if d_value is None else np.asarray(d_value, dtype=float)
        self.parameterization = parameterization
        self.pairs = vech_indices(p, diagonal=False)
        self.nth = len(self.th_item)

    # ------------------------------------------------------------------ pieces
    def thresholds(self, theta: np.ndarray) -> np.ndarray:
        f = self.th_free
        return np.where(f >= 0, theta[np.maximum(f, 0)], self.th_value) if len(f) else np.zeros(0)

    def scale(self, theta: np.ndarray, sigma0: np.ndarray) -> np.ndarray:
        """Scale factors delta of every observed variable."""
        if self.parameterization == "theta":
            return 1.0 / np.sqrt(np.diag(sigma0))
        f = self.d_free
        return np.where(f >= 0, theta[np.maximum(f, 0)], self.d_value)

    def scale_factors(self, theta: np.ndarray) -> np.ndarray:
        """delta of every observed variable at ``theta`` (the reported ``~*~`` values)."""
        return self.scale(theta, self.model.implied(theta)["sigma"])

    def residual_variances(self, theta: np.ndarray) -> np.ndarray:
        """Residual variances of y* (delta: ``1/delta^2 - diag(Sigma0)``; theta: the parameters)."""
        imp = self.model.implied(theta)
        s0 = imp["sigma"]
        if self.parameterization == "theta":
            m = self.model
            vals = m.row_values(theta)
            out = np.zeros(m.p)
            for k in np.flatnonzero((m.kind == 1) & (m.r == m.c) & (m.r < m.p)):
                out[m.r[k]] = vals[k]
            return out
        d = self.scale(theta, s0)
        return 1.0 / d ** 2 - np.diag(s0)

    # ------------------------------------------------------------------ map
    def vector(self, theta: np.ndarray) -> np.ndarray:
        imp = self.model.implied(theta)
        s0, mu = imp["sigma"], imp["mu"]
        d = self.scale(theta, s0)
        it = self.th_item
        th = (self.thresholds(theta) - mu[it]) * d[it]
        i, j = self.pairs
        return np.concatenate([th, d[i] * d[j] * s0[i, j]])

    def vector_and_jacobian(self, theta: np.ndarray):
        m = self.model
        imp = m.implied(theta)
        s0, mu = imp["sigma"], imp["mu"]
        dsig, dmu = m.jacobian(imp)  # (q, p, p), (q, p)
        q = len(theta)
        p = m.p
        d = self.scale(theta, s0)
        # derivative of delta: (q, p)
        if self.parameterization == "theta":
            dd = -0.5 * np.diagonal(dsig, axis1=1, axis2=2) * (d ** 3)[None, :]
        else:
            dd = np.zeros((q, p))
            f = np.flatnonzero(self.d_free >= 0)
            dd[self.d_free[f], f] = 1.0
        it = self.th_item
        tau = self.thresholds(theta)
        dtau = np.zeros((q, self.nth))
        f = np.flatnonzero(self.th_free >= 0)
        dtau[self.th_free[f], f] = 1.0
        cen = tau - mu[it]
        th = cen * d[it]
        Dth = (dtau - dmu[:, it]) * d[it][None, :] + cen[None, :] * dd[:, it]
        i, j = self.pairs
        cor = d[i] * d[j] * s0[i, j]
        Dcor = (d[i] * d[j])[None, :] * dsig[:, i, j] + s0[i, j][None, :] * (dd[:, i] * d[j] + d[i] * dd[:, j])
        return np.concatenate([th, cor]), np.hstack([Dth, Dcor]).T

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        return self.vector_and_jacobian(theta)[1]


class ConditionalOrdinalMap(OrdinalMap):
    """Ordinal block with observed exogenous covariates x, lavaan's ``conditional.x``: the statistics are those
    of the latent responses y* *given* x -- thresholds at x = 0, the slopes of y* on x and the residual
    correlations::

        threshold_k(v) = (tau_k - mu0_v) delta_v        slope_vx = delta_v B[v, x]        cor_ij = delta_i delta_j Sigma0_ij

    where ``B = (I - A)^-1``, ``mu0 = B m0`` and ``Sigma0 = B S0 B'`` are the implied means and covariances with
    the covariates' means and (co)variances set to zero (``m0``, ``S0``), i.e. the parts that do not flow from x.
    Delta parameterization: ``delta`` are the scale factors and the residual variances of y* make its variance
    *given x* equal to ``1 / delta^2``; theta: ``delta = 1 / sqrt(diag Sigma0)``. Slopes are ordered x-major
    (``y1~x1, y2~x1, ..., y1~x2, ...``), correlations over the y's only (lavaan's ``wls.obs``).

    Parameters
    ----------
    model : RAMModel
    y_idx, x_idx : arrays of int
        Positions of the endogenous ordinal and of the exogenous observed variables in ``model.ov``.
    th_item, th_free, th_value, d_free, d_value, parameterization
        As :class:`OrdinalMap` (``th_item`` and ``d_*`` index ``model.ov``).
    """

    def __init__(self, model, y_idx, x_idx, th_item, th_free, th_value, d_free=None, d_value=None,
                 parameterization: str = "delta"):
        super().__init__(model, th_item, th_free, th_value, d_free, d_value, parameterization)
        self.y_idx = np.asarray(y_idx, dtype=int)
        self.x_idx = np.asarray(x_idx, dtype=int)
        i, j = vech_indices(len(self.y_idx), diagonal=False)
        self.pairs = (self.y_idx[i], self.y_idx[j])
        self.nth = len(self.th_item) + len(self.y_idx) * len(self.x_idx)  # thresholds and slopes

    def _conditional(self, theta: np.ndarray) -> dict:
        m = self.model
        imp = m.implied(theta)
        x = self.x_idx
        S0 = imp["S"].copy()
        S0[np.ix_(x, x)] = 0.0
        m0 = imp["m"].copy()
        m0[x] = 0.0
        B = imp["B"]
        G = B[: m.p]
        cov_all = B @ S0 @ B.T
        mean_all = B @ m0
        return dict(imp, S=S0, m=m0, sigma=cov_all[: m.p, : m.p], mu=mean_all[: m.p], cov_all=cov_all,
                    mean_all=mean_all, G=G)

    def scale_factors(self, theta: np.ndarray) -> np.ndarray:
        return self.scale(theta, self._conditional(theta)["sigma"])

    def residual_variances(self, theta: np.ndarray) -> np.ndarray:
        c = self._conditional(theta)
        if self.parameterization == "theta":
            return super().residual_variances(theta)
        d = self.scale(theta, c["sigma"])
        return 1.0 / d ** 2 - np.diag(c["sigma"])

    def vector(self, theta: np.ndarray) -> np.ndarray:
        return self.vector_and_jacobian(theta, jac=False)[0]

    def vector_and_jacobian(self, theta: np.ndarray, jac: bool = True):
        m = self.model
        c = self._conditional(theta)
        s0, mu, B = c["sigma"], c["mu"], c["B"]
        d = self.scale(theta, s0)
        it = self.th_item
        tau = self.thresholds(theta)
        cen = tau - mu[it]
        th = cen * d[it]
        y, x = self.y_idx, self.x_idx
        slopes = (d[y][:, None] * B[np.ix_(y, x)]).T.ravel()  # x-major
        i, j = self.pairs
        cor = d[i] * d[j] * s0[i, j]
        vec = np.concatenate([th, slopes, cor])
        if not jac:
            return vec, None
        q = len(theta)
        dsig, dmu = m.jacobian(c)
        if self.parameterization == "theta":
            dd = -0.5 * np.diagonal(dsig, axis1=1, axis2=2) * (d ** 3)[None, :]
        else:
            dd = np.zeros((q, m.p))
            f = np.flatnonzero(self.d_free >= 0)
            dd[self.d_free[f], f] = 1.0
        dtau = np.zeros((q, len(it)))
        f = np.flatnonzero(self.th_free >= 0)
        dtau[self.th_free[f], f] = 1.0
        Dth = (dtau - dmu[:, it]) * d[it][None, :] + cen[None, :] * dd[:, it]
        # d B[y, x] / d theta: only directed effects (A entries r <- c) enter, dB = B E_rc B
        dBxy = np.zeros((q, len(x), len(y)))
        fr = np.flatnonzero((m.free >= 0) & (m.kind == 0))
        for k in fr:
            r_, c_ = m.r[k], m.c[k]
            dBxy[m.free[k]] += np.outer(B[c_, x], B[y, r_])  # (x, y)
        Bxy = B[np.ix_(y, x)].T  # (x, y)
        Dsl = (dBxy * d[y][None, None, :] + Bxy[None, :, :] * dd[:, y][:, None, :]).reshape(q, -1)
        Dcor = (d[i] * d[j])[None, :] * dsig[:, i, j] + s0[i, j][None, :] * (dd[:, i] * d[j] + d[i] * dd[:, j])
        return vec, np.hstack([Dth, Dsl, Dcor]).T
