"""Chi-square tests and fit indices with lavaan's definitions (``fitMeasures``)."""

from __future__ import annotations

import numpy as np
from scipy import optimize, special
from scipy import stats as sps

__all__ = ["rmsea", "rmsea_ci", "rmsea_pvalue", "cfi", "tli", "srmr_bentler", "incremental_indices",
           "yuan_bentler_mplus_trace", "h1_information_and_scores"]


def rmsea(chisq: float, df: float, n: int, c_hat: float = 1.0, ngroups: int = 1) -> float:
    """RMSEA = sqrt(max(chisq/N/df - c/N, 0)) * sqrt(G) (lavaan uses N, not N - 1).

    Examples
    --------
    >>> round(rmsea(85.3055217699727, 24, 301), 6)
    0.092121
    """
    if not np.isfinite(df) or df <= 0:
        return 0.0 if df == 0 else float("nan")
    return float(np.sqrt(max(chisq / n / df - c_hat / n, 0.0)) * np.sqrt(ngroups))


def rmsea_ci(chisq: float, df: float, n: int, level: float = 0.90, c_hat: float = 1.0,
             ngroups: int = 1) -> tuple[float, float]:
    """Confidence interval of RMSEA by inverting the noncentral chi-square distribution (as lavaan).

    Examples
    --------
    >>> [round(v, 5) for v in rmsea_ci(85.3055217699727, 24, 301)]
    [0.07142, 0.11368]
    """
    if not (np.isfinite(chisq) and np.isfinite(df)) or df <= 0:
        return float("nan"), float("nan")
    upper_p = 1 - (1 - level) / 2
    lower_p = (1 - level) / 2

    def cdf(lam):
        # raw ufuncs (scipy.stats distribution objects cost ~100x more per call)
        return float(special.chndtr(chisq, df, lam)) if lam > 0 else float(special.chdtr(df, chisq))

    if df < 1 or cdf(0) - upper_p < 0:
        lo = 0.0
    else:
        lam = optimize.brentq(lambda l: cdf(l) - upper_p, 0, chisq, xtol=1e-12)
        lo = np.sqrt(c_hat * lam / (n * df)) * np.sqrt(ngroups)
    n_rmsea = max(n, chisq * 4)
    if df < 1 or cdf(n_rmsea) - lower_p > 0 or cdf(0) - lower_p < 0:
        hi = 0.0
    else:
        lam = optimize.brentq(lambda l: cdf(l) - lower_p, 0, n_rmsea, xtol=1e-12)
        hi = np.sqrt(c_hat * lam / (n * df)) * np.sqrt(ngroups)
    return float(lo), float(hi)


def rmsea_pvalue(chisq: float, df: float, n: int, h0: float = 0.05, c_hat: float = 1.0,
                 ngroups: int = 1, notclose: bool = False) -> float:
    """P-value of the test of close fit (RMSEA <= h0); ``notclose=True`` gives the not-close-fit p-value."""
    if not np.isfinite(chisq) or df <= 0:
        return float("nan")
    ncp = n * df / c_hat * h0**2 / ngroups
    cdf = float(special.chndtr(chisq, df, ncp))
    return float(cdf if notclose else 1 - cdf)


def cfi(chisq, df, chisq_null, df_null, c_hat=1.0, c_hat_null=1.0) -> float:
    """Comparative fit index (with scaling factors: the robust CFI of Brosseau-Liard & Savalei, 2014)."""
    if not np.all(np.isfinite([chisq, df, chisq_null, df_null, c_hat, c_hat_null])):
        return float("nan")
    robust = df > 0 and c_hat != 1 and c_hat_null != 1
    t1 = max(chisq - (c_hat if robust else 1) * df, 0)
    t2 = max(chisq - (c_hat if robust else 1) * df, chisq_null - (c_hat_null if robust else 1) * df_null, 0)
    if np.isclose(t1, 0) and np.isclose(t2, 0):
        return 1.0
    return float(1 - t1 / t2)


def tli(chisq, df, chisq_null, df_null, c_hat=1.0, c_hat_null=1.0) -> float:
    """Tucker-Lewis index (NNFI)."""
    if not np.all(np.isfinite([chisq, df, chisq_null, df_null, c_hat, c_hat_null])):
        return float("nan")
    robust = df > 0 and c_hat != 1 and c_hat_null != 1
    t1 = (chisq - (c_hat if robust else 1) * df) * df_null
    t2 = (chisq_null - (c_hat_null if robust else 1) * df_null) * df
    if df > 0 and abs(t2) > 0:
        return float(1 - t1 / t2)
    return 1.0


def incremental_indices(chisq, df, chisq_null, df_null) -> dict[str, float]:
    """NNFI, RFI, NFI, PNFI, IFI and RNI as lavaan defines them."""
    out = {}
    out["nnfi"] = tli(chisq, df, chisq_null, df_null)
    out["rfi"] = float(((chisq_null / df_null) - (chisq / df)) / (chisq_null / df_null)) if df > 0 else float("nan")
    nfi = float((chisq_null - chisq) / chisq_null) if chisq_null != 0 else float("nan")
    out["nfi"] = nfi
    if df > df_null:  # lavaan: not defined when the model has more df than the baseline (pnfi still is)
        out["rfi"] = out["nfi"] = float("nan")
    out["pnfi"] = float((df / df_null) * nfi)
    out["ifi"] = float((chisq_null - chisq) / (chisq_null - df))
    t2 = chisq_null - df_null
    out["rni"] = float(1 - (chisq - df) / t2) if t2 != 0 else float("nan")
    return out


def srmr_bentler(S, sigma, xbar=None, mu=None, mask=None) -> tuple[float, float]:
    """SRMR (Bentler): residuals scaled by the sample standard deviations; returns (with means, without means).

    ``mask`` selects the variables to include (default all).
    """
    sd = np.sqrt(np.diag(S))
    R = (S - sigma) / np.outer(sd, sd)
    idx = np.tril_indices(S.shape[0])
    ss_cov = np.sum(R[idx] ** 2)
    ncov = len(idx[0])
    nomean = float(np.sqrt(ss_cov / ncov))
    if xbar is None or mu is None:
        return nomean, nomean
    m = (xbar - mu) / sd
    return float(np.sqrt((ss_cov + np.sum(m**2)) / (ncov + len(m)))), nomean


def _vech_indices(p: int):
    return np.tril_indices(p)


def h1_information_and_scores(Y: np.ndarray, mean: np.ndarray, cov: np.ndarray, meanstructure: bool,
                              keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Unit information A1 and first-order information B1 of the saturated (h1) model at (mean, cov).

    Parameters are (mu, vech(Sigma)) -- the trace tr(A1^-1 B1) does not depend on the parametrisation.
    ``keep`` is a boolean mask over the h1 parameters (drops fixed-x elements).
    """
    p = cov.shape[0]
    Si = np.linalg.inv(cov)
    r, c = _vech_indices(p)
    Z = Y - mean
    W = Z @ Si
    # score wrt Sigma_rc (symmetric element): 0.5 * (2 - delta_rc) * (W_r W_c - Si_rc)
    mult = np.where(r == c, 0.5, 1.0)
    sc_cov = mult * (W[:, r] * W[:, c] - Si[r, c])
    # A1 (cov part): 0.5 * tr(Si E_a Si E_b) with symmetric unit matrices
    # = mult_a mult_b * 2 * (Si_ra,rb Si_ca,cb + Si_ra,cb Si_ca,rb) * 0.5  (see Magnus-Neudecker)
    A_cov = 0.5 * np.outer(mult, mult) * 2 * (Si[np.ix_(r, r)] * Si[np.ix_(c, c)] + Si[np.ix_(r, c)] * Si[np.ix_(c, r)])
    if meanstructure:
        sc = np.hstack([W, sc_cov])
        A = np.zeros((p + len(r), p + len(r)))
        A[:p, :p] = Si
        A[p:, p:] = A_cov
    else:
        sc, A = sc_cov, A_cov
    B = sc.T @ sc / Y.shape[0]
    if keep is not None:
        A = A[np.ix_(keep, keep)]
        B = B[np.ix_(keep, keep)]
    return A, B


def yuan_bentler_mplus_trace(A1_list, B1_list, B0_list, E_inv, weights) -> tuple[float, float, float]:
    """trace(U Gamma) of the Mplus variant of the Yuan-Bentler test: sum_g tr(A1^-1 B1) - f_g tr(E^-1 B0_g).

    Returns (trace, trace_h1, trace_h0).
    """
    h1 = sum(float(np.sum(B1 * np.linalg.inv(A1).T)) for A1, B1 in zip(A1_list, B1_list))
    h0 = sum(w * float(np.sum(B0 * E_inv.T)) for B0, w in zip(B0_list, weights))
    return h1 - h0, h1, h0


# --------------------------------------------------------------------------------------------- assembly


def _gfi_group(S, sigma, xbar=None, mu=None, isx=None):
    """GFI of one group with the ML weight matrix at the implied covariance (lavaan's WLS.V); fixed-x
    moments (``isx``) are left out, as lavaan does."""
    try:
        Si = np.linalg.inv(sigma)
    except np.linalg.LinAlgError:
        return float("nan")
    E = S - sigma
    S0 = S.copy()
    if isx is not None and isx.any():
        block = np.outer(isx, isx)
        E = np.where(block, 0.0, E)
        S0 = np.where(block, 0.0, S0)
    R = Si @ E
    T = Si @ S0
    t1 = 0.5 * np.trace(R @ R)
    t2 = 0.5 * np.trace(T @ T)
    if xbar is not None:
        keep = ~isx if isx is not None else np.ones(len(xbar), bool)
        d = np.where(keep, xbar - mu, 0.0)
        m0 = np.where(keep, xbar, 0.0)
        t1 += d @ Si @ d
        t2 += m0 @ Si @ m0
    return 1 - t1 / t2
