"""Standardized residuals and residual summaries (lavaan's ``residuals(fit, type = "standardized")`` and
``lavResiduals``), for ML fits with complete or incomplete data and for least-squares fits.

For each group the residual vector ``r = s - sigma(theta)`` stacks the mean residuals (with a mean structure) and
``vech`` of the covariance residuals (``S`` the sample covariance -- divisor N for ML -- or the EM moments with
FIML). Its asymptotic covariance is (lavaan 0.6-14, ``lav_residuals_acov``; Ogasawara 2001)::

    ACOV(r_g) = Q_g ACOV(s_g) Q_g',        Q_g = I - f_g Delta_g A0^-1 Delta_g' A1_g,   A0 = sum_g f_g Delta_g' A1_g Delta_g

* ``ACOV(s_g)`` -- the unstructured h1 covariance of the sample statistics: ``Gamma_NT(S) / N_g`` with
  standard errors (``A1`` expected), ``Gamma_ADF / N_g`` with robust ones; with FIML the inverse of the
  observed FIML h1 information at the EM moments (or its sandwich with the casewise scores), over ``N_g``;
  least squares: the sample statistics' NACOV over N;
* ``A1_g`` -- the structured h1 information of the fit's information type: normal-theory at the implied moments
  (expected), the observed h1 information at the implied moments (MLR, FIML), or the weight matrix W (least
  squares);
* the standardized residual is ``z = r / sqrt(diag ACOV(r))`` (residuals below 1e-5 in size are left as they
  are, as lavaan).

:func:`residual_summary` gives lavaan's ``lavResiduals`` (type "cor.bentler": residuals divided by the sample SDs,
with their SEs and z) and its summary: SRMR with its SE and the test of exact fit, and the unbiased SRMR with CI
and test of close fit (Maydeu-Olivares 2017).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import ModelSpecificationError
from .implied import MomentMap, vech_indices

__all__ = ["standardized_residuals", "residual_summary"]


def _h1_observed(Sigma, mu, S, m, meanstructure: bool) -> np.ndarray:
    """Observed h1 information of one group at (Sigma, mu) with the sample moments (S, m), coordinates
    (mu, vech Sigma) (lavaan's ``lav_mvnorm_information_observed_samplestats``)."""
    p = S.shape[0]
    Si = np.linalg.inv(Sigma)
    d = m - mu if meanstructure else np.zeros(p)
    Wt = S + np.outer(d, d)
    r, c = vech_indices(p)
    from .objectives.fiml import _trace_pairs

    half = np.where(r == c, 0.5, 1.0)
    K = Si @ (2 * Wt - Sigma) @ Si
    I22 = 0.5 * _trace_pairs(Si, K, r, c, np.outer(half, half))  # 0.5 D'(Si x K) D
    if not meanstructure:
        return I22
    u = Si @ d
    I21 = (u[r][:, None] * Si[c, :] + u[c][:, None] * Si[r, :]) * half[:, None]
    out = np.zeros((p + len(r), p + len(r)))
    out[:p, :p] = Si
    out[p:, p:] = I22
    out[p:, :p] = I21
    out[:p, p:] = I21.T
    return out


def _nt_gamma(S, mean_idx, r, c):
    from .objectives.gls import normal_theory_gamma

    return normal_theory_gamma(S, r, c, mean_idx)


def _group_pieces(fit):
    """Per group: residual vector, ACOV(s), A1, Delta, f_g, and the labels of the vector."""
    from .objectives.blocks import adf_gamma

    st = fit._state
    opts, design = st.opts, st.design
    if st.twolevel is not None:
        raise ModelSpecificationError("standardized residuals of two-level models are not available yet; "
                                      "fit.residuals gives the raw residuals of each level")
    if st.ordinal is not None:
        raise ModelSpecificationError("standardized residuals of ordinal (WLSMV/ULSMV) fits are not available yet; "
                                      "fit.residuals gives the raw correlation residuals")
    ms = bool(design.meanstructure)
    fiml = opts.missing in ("fiml", "ml.x")
    robust = opts.se in ("robust.sem", "robust.huber.white", "robust.cluster")
    out = []
    fg = st.objective.weights
    for g, (mod, ss, imp) in enumerate(zip(st.models, st.stats, st.implied)):
        isx = np.array([v in set(design.exo_names) for v in mod.ov])
        mp = MomentMap(mod, ms, isx)
        r_vec = mp.sample_vector(ss.mean, ss.cov) - mp.vector(st.theta)
        D = mp.jacobian(st.theta)
        n = ss.nobs
        keep = np.concatenate([np.ones(len(mp.mean_idx), bool), np.ones(len(mp.r), bool)])
        if hasattr(st.objective, "blocks_"):
            blk = st.objective.blocks_[g]
            A1 = blk.full_weight()
            acov = blk.gamma / st.objective.ntotal
        elif fiml:
            acov, A1 = _fiml_pieces(ss, imp, mod, mp, isx, robust, opts.information)
        else:
            if robust:
                acov = adf_gamma(ss.data, ms, mp.mean_idx, mp.r, mp.c, exo=isx if isx.any() else None) / n
            else:
                acov = _nt_gamma(ss.cov, mp.mean_idx, mp.r, mp.c) / n
            if opts.information == "observed":
                full = _h1_observed(imp["sigma"], imp["mu"], ss.cov, ss.mean, ms)
                A1 = _subset_full(full, mp, mod.p, ms)
            else:
                A1 = np.linalg.inv(_nt_gamma(imp["sigma"], mp.mean_idx, mp.r, mp.c))
        out.append(dict(r=r_vec, acov=acov, A1=A1, D=D, f=fg[g], mp=mp, keep=keep, ss=ss, imp=imp, mod=mod))
    return out


def _subset_full(full, mp, p, ms):
    """Rows of (mu, vech Sigma) kept by the map (fixed-x elements removed)."""
    r_all, c_all = vech_indices(p)
    pos = {(a, b): i for i, (a, b) in enumerate(zip(r_all, c_all))}
    idx = ([int(i) for i in mp.mean_idx] if ms else []) + [(p if ms else 0) + pos[(a, b)] for a, b in zip(mp.r, mp.c)]
    return full[np.ix_(idx, idx)]


def _fiml_pieces(ss, imp, mod, mp, isx, robust, information):
    """ACOV(s) and A1 with missing data (FIML): the saturated model's observed information at the EM moments."""
    from .model import build_models
    from .objectives.fiml import SaturatedFIMLObjective, _vech_index, saturated_partable

    names = ss.names
    p = len(names)
    a, b = _vech_index(p)
    smods = build_models(saturated_partable(names), ov_order=names)
    sobj = SaturatedFIMLObjective(smods, [ss])
    th1 = np.concatenate([ss.cov[a, b], ss.mean])
    Wm = sobj.observed_information(th1)  # coordinates (vech Sigma, mu)
    Wmi = np.linalg.inv(Wm)
    if robust:
        s1 = sobj.casewise_scores(th1)[0]
        J = s1.T @ s1 / ss.nobs
        Wmi = Wmi @ J @ Wmi
    # reorder to (mu, vech Sigma)
    ps = len(a)
    order = np.concatenate([np.arange(ps, ps + p), np.arange(ps)])
    acov_full = Wmi[np.ix_(order, order)] / ss.nobs
    acov = _subset_full(acov_full, mp, p, True)
    # A1: the FIML h1 information (observed, or expected) at the implied moments, with the cases' patterns
    th_imp = np.concatenate([imp["sigma"][a, b], imp["mu"]])
    A1s = sobj.observed_information(th_imp) if information == "observed" else sobj.grad_info(th_imp)[1]
    A1 = _subset_full(A1s[np.ix_(order, order)], mp, p, True)
    return acov, A1


def _residual_acov(pieces, con_jac=None):
    from .inference import info_inverse

    A0 = sum(x["f"] * (x["D"].T @ x["A1"] @ x["D"]) for x in pieces)
    A0i, _ok = info_inverse((A0 + A0.T) / 2, con_jac)
    out = []
    for x in pieces:
        Q = np.eye(len(x["r"])) - x["f"] * x["D"] @ A0i @ x["D"].T @ x["A1"]
        out.append(Q @ x["acov"] @ Q.T)
    return out


def _frames(x, vec, names):
    mp = x["mp"]
    p = len(names)
    nm = len(mp.mean_idx)
    cov = np.full((p, p), np.nan)
    cov[mp.r, mp.c] = vec[nm:]
    cov[mp.c, mp.r] = vec[nm:]
    cov = pd.DataFrame(cov, index=names, columns=names)
    mean = pd.Series(np.full(p, np.nan), index=names)
    if nm:
        mean.iloc[mp.mean_idx] = vec[:nm]
    return cov, mean


def standardized_residuals(fit) -> dict:
    """z-values of the raw residuals (lavaan's ``residuals(fit, type = "standardized")``).

    Returns ``{"cov": DataFrame, "mean": Series}`` (``"mean"`` only with a mean structure); a dict of those by
    group label for a multi-group fit. Elements of the fixed-x block are NaN (not residuals of the model).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(0); f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ np.ones((1, 4)) + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> z = standardized_residuals(cfa(df, "F =~ a + b + c + d"))["cov"]
    >>> z.shape
    (4, 4)
    """
    st = fit._state
    pieces = _group_pieces(fit)
    acovs = _residual_acov(pieces, st.con_jac)
    out = []
    for x, V in zip(pieces, acovs):
        r = x["r"]
        v = np.diag(V)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(np.abs(r) < 1e-5, r, np.where(v > 0, r / np.sqrt(np.where(v > 0, v, 1.0)), np.nan))
        cov, mean = _frames(x, z, list(x["mod"].ov))
        out.append({"cov": cov, "mean": mean} if st.design.meanstructure else {"cov": cov})
    return fit._per_group(out)


def residual_summary(fit) -> dict:
    """lavaan's ``lavResiduals(fit, se = TRUE)``: "cor.bentler" residuals (covariance residuals divided by the
    sample SDs, mean residuals by the sample SD), their standard errors and z-values, and the summary (SRMR,
    its SE, the test of exact fit; the unbiased SRMR with its 90% CI and the test of close fit, H0 = 0.05).

    Returns
    -------
    dict
        ``cov``, ``cov_se``, ``cov_z`` (DataFrames), with a mean structure ``mean``, ``mean_se``, ``mean_z``
        (Series), and ``summary`` (DataFrame: rows srmr, srmr_se, srmr_exactfit_z, srmr_exactfit_pvalue, usrmr,
        usrmr_se, usrmr_ci_lower, usrmr_ci_upper, usrmr_closefit_h0_value, usrmr_closefit_z,
        usrmr_closefit_pvalue; columns cov, and with means also mean and total). A dict by group label for a
        multi-group fit.
    """
    st = fit._state
    pieces = _group_pieces(fit)
    acovs = _residual_acov(pieces, st.con_jac)
    ms = bool(st.design.meanstructure)
    out = []
    for x, V in zip(pieces, acovs):
        ss = x["ss"]
        sd = np.sqrt(np.diag(ss.cov))
        mp = x["mp"]
        nm = len(mp.mean_idx)
        gg = np.concatenate([1.0 / sd[mp.mean_idx], 1.0 / (sd[mp.r] * sd[mp.c])])
        r = x["r"] * gg
        A = V * np.outer(gg, gg)
        se = np.sqrt(np.clip(np.diag(A), 0, None))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(np.abs(r) < 1e-4, r, r / se)
        names = list(x["mod"].ov)
        cov, mean = _frames(x, r, names)
        cov_se, mean_se = _frames(x, se, names)
        cov_z, mean_z = _frames(x, z, names)
        res = {"cov": cov, "cov_se": cov_se, "cov_z": cov_z}
        parts = {"cov": slice(nm, None)}
        if ms:
            res.update(mean=mean, mean_se=mean_se, mean_z=mean_z)
            parts = {"cov": slice(nm, None), "mean": slice(0, nm), "total": slice(0, None)}
        res["summary"] = pd.DataFrame({k: _rms_summary(r[sl], A[sl, sl]) for k, sl in parts.items()})
        out.append(res)
    return fit._per_group(out)


def _rms_summary(stats_: np.ndarray, A: np.ndarray) -> pd.Series:
    """lavaan's ``lav_residuals_summary_rms`` for one part of the residual vector."""
    pstar = len(stats_)
    rms = float(np.sqrt(np.sum(stats_ ** 2) / pstar))
    TR1 = float(np.trace(A))
    TR2 = float(np.sum(A * A.T))
    T = float(stats_ @ stats_)
    if not (TR1 > 0 and T > 0):  # a part without residuals (e.g. saturated means): lavaan gives 0 and NA
        nan = float("nan")
        return pd.Series({"srmr": rms, "srmr_se": nan, "srmr_exactfit_z": nan, "srmr_exactfit_pvalue": nan,
                          "usrmr": 0.0, "usrmr_se": nan, "usrmr_ci_lower": nan, "usrmr_ci_upper": nan,
                          "usrmr_closefit_h0_value": 0.05, "usrmr_closefit_z": nan, "usrmr_closefit_pvalue": nan})
    rms_se = float(np.sqrt(TR2 / (2 * TR1 * pstar)))
    e_rms = float(np.sqrt(TR1 / pstar) * (4 * TR1 ** 2 - TR2) / (4 * TR1 ** 2))
    ez = max(rms - e_rms, 0.0) / rms_se
    eVe = float(stats_ @ A @ stats_)
    k = 1 - (TR2 + 2 * eVe) / (4 * T ** 2)
    u = (1 / k) * np.sqrt(max(T - TR1, 0.0) / pstar)
    se_u = float(np.sqrt((TR2 + 2 * eVe) / (k ** 2 * 2 * pstar * T)))
    q = sps.norm.ppf(0.95)
    cz = (u - 0.05) / se_u
    return pd.Series({"srmr": rms, "srmr_se": rms_se, "srmr_exactfit_z": ez,
                      "srmr_exactfit_pvalue": float(1 - sps.norm.cdf(ez)), "usrmr": float(u), "usrmr_se": se_u,
                      "usrmr_ci_lower": float(u - q * se_u), "usrmr_ci_upper": float(u + q * se_u),
                      "usrmr_closefit_h0_value": 0.05, "usrmr_closefit_z": float(cz),
                      "usrmr_closefit_pvalue": float(1 - sps.norm.cdf(cz))})
