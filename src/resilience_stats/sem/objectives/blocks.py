"""Blocks of a least-squares fit: the sample statistics, their asymptotic covariance (Gamma) and the map.

Shared by the least-squares estimators (:mod:`.gls`, :mod:`.wls`, :mod:`.dwls`, :mod:`.uls`), which differ only in
the weight matrix they put into each :class:`~.ls.LSBlock`.

* Ordered indicators: ``s`` are lavaan's ``wls.obs`` (thresholds, polychoric correlations) and Gamma its NACOV
  (:func:`~resilience_stats.psychometrics.polychoric_acov.polychoric_acov`); the fit function carries lavaan's
  constant ``c = (n - 1) / n``.
* Continuous data: ``s = (xbar, vech S)`` (means only with a mean structure; S the unbiased covariance, divisor
  N - 1, as lavaan uses for these estimators; fixed-x elements left out), the same constant ``c = (n - 1) / n``
  (so the test statistic is ``(N - 1) F``), and Gamma the distribution-free (ADF) asymptotic covariance matrix of
  ``sqrt(N) s``: ``Gamma = (1/N) sum_i (d_i - dbar)(d_i - dbar)'`` with ``d_i = (y_i, vech((y_i - ybar)(y_i -
  ybar)'))`` (lavaan's ``lav_samplestats_Gamma`` with ``gamma.unbiased = FALSE``).
"""

from __future__ import annotations

import numpy as np

from ..implied import ConditionalOrdinalMap, MomentMap, OrdinalMap, vech_indices
from ..model import pt_arrays
from .ls import LSBlock, LSObjective

__all__ = ["ordinal_blocks", "continuous_blocks", "adf_gamma", "build"]


def adf_gamma(X: np.ndarray, meanstructure: bool, mean_idx=None, r=None, c=None, exo=None) -> np.ndarray:
    """Distribution-free asymptotic covariance matrix of ``sqrt(N) (xbar, vech S)`` (biased, 1/N), centred at
    the sample mean (lavaan's ``lav_samplestats_Gamma``).

    With fixed-x covariates (``exo``, a boolean mask over the columns) lavaan's residual-based version: with
    ``yhat`` the OLS prediction of every column from ``(1, x)`` (the x columns predict themselves),
    ``z_i = d(y_i) - d(yhat_i)`` where ``d(y) = (y, vech((y - ybar)(y - ybar)'))``; the x-x rows are zero.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(20000, 2))
    >>> G = adf_gamma(X, False)
    >>> np.round(np.diag(G)).tolist()  # var of x1^2, x2 x1, x2^2 for standard normals: 2, 1, 2
    [2.0, 1.0, 2.0]
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if r is None:
        r, c = vech_indices(p)

    def moments(Y):
        Z = Y - Y.mean(axis=0)
        parts = [Y[:, mean_idx] if mean_idx is not None else Y] if meanstructure else []
        parts.append(Z[:, r] * Z[:, c])
        return np.hstack(parts)

    D = moments(X)
    if exo is not None and np.any(exo):
        Xd = np.hstack([np.ones((n, 1)), X[:, exo]])
        beta = np.linalg.lstsq(Xd, X, rcond=None)[0]
        Yhat = Xd @ beta
        Yhat[:, exo] = X[:, exo]
        D = D - moments(Yhat)
    Dc = D - D.mean(axis=0)
    return Dc.T @ Dc / n


def ordinal_blocks(design, models, stats, weights: str) -> list[LSBlock]:
    """One block per group of an ordinal model. ``weights``: "diagonal" (DWLS) or "unit" (ULS)."""
    pt = design.pt
    a = pt_arrays(pt)
    lhs, op, rhs, grp, free, ustart = a["lhs"], a["op"], a["rhs"], a["group"], a["free"], a["ustart"]
    ov = design.ov
    pos = {v: i for i, v in enumerate(ov)}
    theta_param = pt.attrs.get("parameterization", "delta") == "theta"
    out = []
    for g, (mod, ss) in enumerate(zip(models, stats)):
        mom = ss.moments
        gi = g + 1
        th_row = {(l, r_): k for k, (l, o, r_, gg) in enumerate(zip(lhs, op, rhs, grp)) if o == "|" and gg == gi}
        th_labels = [lab.split("|") for lab in mom.labels if "|" in lab]
        rows = np.array([th_row[(v, t)] for v, t in th_labels], dtype=int)
        d_rows = np.array([np.flatnonzero((op == "~*~") & (lhs == v) & (grp == gi))[0] for v in design.ordered],
                          dtype=int)
        d_free = np.full(len(ov), -1, dtype=int)
        d_value = np.ones(len(ov))
        d_pos = np.array([pos[v] for v in design.ordered], dtype=int)
        d_free[d_pos] = free[d_rows] - 1
        d_value[d_pos] = np.where(np.isfinite(ustart[d_rows]), ustart[d_rows], 1.0)
        kw = dict(th_item=[pos[v] for v, _ in th_labels], th_free=free[rows] - 1,
                  th_value=np.where(np.isfinite(ustart[rows]), ustart[rows], 0.0), d_free=d_free,
                  d_value=d_value, parameterization="theta" if theta_param else "delta")
        if hasattr(mom, "cov_x"):  # conditional on observed covariates (lavaan's conditional.x)
            ys, xs = list(mom.variables), list(mom.exogenous)
            expected = [f"{y}~{x}" for x in xs for y in ys]
            got = [lab for lab in mom.labels if "~" in lab and "~~" not in lab]
            if got != expected:
                raise ValueError("internal: unexpected order of the slopes in the conditional statistics")
            mp = ConditionalOrdinalMap(mod, [pos[v] for v in ys], [pos[v] for v in xs], **kw)
        else:
            mp = OrdinalMap(mod, **kw)
        mp.th_rows = rows
        mp.d_rows = d_rows
        mp.d_pos = d_pos
        s = mom.wls_obs.to_numpy()
        W = mom.wls_v_diag.to_numpy() if weights == "diagonal" else np.ones(len(s))
        n = mom.n_obs
        out.append(LSBlock(mp, s, W, n, c=(n - 1) / n, gamma=mom.gamma.to_numpy()))
    return out


def continuous_blocks(design, models, stats, weight_fn) -> list[LSBlock]:
    """One block per group of a continuous model; ``weight_fn(block_stats) -> W`` gives the weights."""
    out = []
    isx = np.array([v in set(design.exo_names) for v in design.ov])
    for mod, ss in zip(models, stats):
        mp = MomentMap(mod, design.meanstructure, isx)
        s = mp.sample_vector(ss.mean, ss.cov)  # ss.cov is the unbiased covariance here (lavaan)
        gamma = adf_gamma(ss.data, design.meanstructure, mp.mean_idx, mp.r, mp.c, exo=isx if isx.any() else None)
        W = weight_fn(ss, mp, gamma)
        n = ss.nobs
        out.append(LSBlock(mp, s, W, n, c=(n - 1) / n, gamma=gamma))
    return out


def build(design, models, stats, *, ordinal_weights: str | None, weight_fn) -> LSObjective:
    """The least-squares objective of a design: ordinal blocks (``ordinal_weights``) or continuous blocks."""
    if design.ordered:
        if ordinal_weights is None:
            from ...errors import ModelSpecificationError

            raise ModelSpecificationError("this estimator is for continuous data; with ordered indicators use "
                                          "WLSMV (DWLS) or ULSMV (ULS)")
        blocks = ordinal_blocks(design, models, stats, ordinal_weights)
    else:
        blocks = continuous_blocks(design, models, stats, weight_fn)
    obj = LSObjective(models, blocks)
    obj.stats = stats
    return obj
