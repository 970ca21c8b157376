"""Reliability of factors with ordinal indicators: categorical omega (Green & Yang, 2009).

For a factor with ordinal indicators j = 1..k, loadings lambda_j on the latent-response (y*) scale, factor
variance psi and thresholds tau_j (delta parameterization, var(y*) = 1)::

    num   = sum_jj' [ sum_cc' Phi2(tau_jc, tau_j'c'; lambda_j lambda_j' psi) - sum_c Phi(tau_jc) sum_c' Phi(tau_j'c') ]
    den   = sum_jj' [ sum_cc' Phi2(tau_jc, tau_j'c'; rho_jj') - sum_c Phi(tau_jc) sum_c' Phi(tau_j'c') ]
    omega = num / den

(sums over all ordered pairs including j = j'; Phi2 the bivariate normal CDF). It is the share of the variance
of the *observed* sum score that the factor explains. As semTools 0.5-6 ``compRelSEM(fit)`` (``omegaCat``): the
denominator uses the sample polychoric correlations (``obs.var = TRUE``, the default) or the model-implied ones
(``obs.var = False``), the thresholds are the model's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..errors import ModelSpecificationError
from ..psychometrics._bvn import bvn_cdf

__all__ = ["ordinal_omega", "categorical_omega"]


def _phi2(t1: np.ndarray, t2: np.ndarray, r: float) -> np.ndarray:
    if r >= 1.0:
        return ndtr(np.minimum(t1[:, None], t2[None, :]))
    return bvn_cdf(t1[:, None], t2[None, :], r)


def categorical_omega(loadings: np.ndarray, psi: float, thresholds: list[np.ndarray], denom: np.ndarray) -> float:
    """Green & Yang's categorical omega for one factor.

    Parameters
    ----------
    loadings : array (k,)
        Loadings of the indicators on the y* scale.
    psi : float
        Factor variance.
    thresholds : list of arrays
        Thresholds of each indicator.
    denom : array (k, k)
        Correlation matrix of y* in the denominator (sample or model-implied polychorics).

    Examples
    --------
    >>> th = [np.array([-1.0, 0.0, 1.0])] * 3
    >>> R = np.full((3, 3), 0.49); np.fill_diagonal(R, 1.0)
    >>> round(categorical_omega(np.full(3, 0.7), 1.0, th, R), 4)
    0.6981
    """
    lam = np.asarray(loadings, dtype=float)
    true = np.outer(lam, lam) * psi
    num = den = 0.0
    k = len(lam)
    for j in range(k):
        for jp in range(k):
            t1, t2 = np.asarray(thresholds[j], float), np.asarray(thresholds[jp], float)
            marg = ndtr(t1).sum() * ndtr(t2).sum()
            num += _phi2(t1, t2, true[j, jp]).sum() - marg
            den += _phi2(t1, t2, denom[j, jp]).sum() - marg
    return float(num / den)


def ordinal_omega(fit, obs_var: bool = True) -> pd.Series:
    """Categorical omega of every factor of an ordinal (WLSMV/ULSMV) fit, as semTools' ``compRelSEM(fit)``.

    Parameters
    ----------
    fit : SEMResult
        A fit with ordinal indicators (``ordered=``); each factor's indicators must all be ordinal.
    obs_var : bool
        Denominator from the sample polychoric correlations (True, semTools' default) or the model-implied
        correlations (False).

    Returns
    -------
    pandas.Series
        Omega per factor (factors with a single indicator are skipped, as semTools).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(5); f = rng.normal(size=(800, 1))
    >>> ys = f @ np.full((1, 4), .7) + rng.normal(scale=.7, size=(800, 4))
    >>> df = pd.DataFrame(np.digitize(ys, [-1, 0, 1]) + 1, columns=list("abcd"))
    >>> om = ordinal_omega(cfa(df, "F =~ a + b + c + d", ordered=True))
    >>> bool(0.6 < om["F"] < 0.9)
    True
    """
    st = fit._state
    o = getattr(st, "ordinal", None)
    if o is None:
        raise ModelSpecificationError("ordinal_omega needs a fit with ordered indicators (estimator WLSMV/ULSMV)")
    est = fit.estimates
    mod = st.models[0]
    ov = list(mod.ov)
    cov_all = st.implied[0]["cov_all"]
    names = ov + list(mod.lv)
    R = o["R"][0] if obs_var else o["implied_cor"][0]
    th = est[est["op"] == "|"]
    out = {}
    for f in mod.lv:
        rows = est[(est["op"] == "=~") & (est["lhs"] == f) & est["rhs"].isin(ov)]
        inds = rows["rhs"].tolist()
        if len(inds) < 2:
            continue
        lam = rows["est"].to_numpy(float)
        psi = float(cov_all[names.index(f), names.index(f)])
        taus = [th.loc[th["lhs"] == v, "est"].to_numpy(float) for v in inds]
        idx = [ov.index(v) for v in inds]
        out[f] = categorical_omega(lam, psi, taus, R[np.ix_(idx, idx)])
    return pd.Series(out, name="omega_ordinal", dtype=float)
