"""Ordinary least squares with classical and heteroskedasticity-consistent (HC0-HC4) covariance matrices.

Written here rather than taken from statsmodels for three reasons: the PROCESS models need the coefficient
covariance of several equations at once to build conditional and indirect effects; the bootstrap solves
thousands of regressions on reweighted rows as one batched normal-equation solve (:func:`batched_coefs`),
which statsmodels cannot do; and the HC estimators must equal R's ``sandwich::vcovHC`` exactly:

* HC0: ``omega_i = e_i^2``;  HC1: ``e_i^2 * n / (n - k)``;  HC2: ``e_i^2 / (1 - h_i)``;
* HC3: ``e_i^2 / (1 - h_i)^2``;  HC4: ``e_i^2 / (1 - h_i)^delta_i`` with ``delta_i = min(4, n h_i / k)``;
* ``V = (X'X)^-1 X' diag(omega) X (X'X)^-1`` (``h_i`` the leverages, ``k`` the number of coefficients).

With an HC covariance the model F test is the Wald F of all slopes, ``b' V^-1 b / q`` on (q, n - k)
degrees of freedom (as ``lmtest::waldtest(fit, vcov = vcovHC)`` and PROCESS with ``hc=``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import DataError, ModelSpecificationError

__all__ = ["HC_TYPES", "OLSFit", "batched_coefs", "check_hc", "coef_frame", "design_moments", "ols", "solve_normal",
           "vif"]

HC_TYPES = ("HC0", "HC1", "HC2", "HC3", "HC4")


def check_hc(hc: str | None) -> str | None:
    """``hc`` upper-cased and checked (None for classical standard errors).

    Examples
    --------
    >>> check_hc("hc3"), check_hc(None)
    ('HC3', None)
    """
    if hc is None:
        return None
    if not isinstance(hc, str) or hc.upper() not in HC_TYPES:
        raise ModelSpecificationError(f"hc must be None or one of {', '.join(HC_TYPES)}, not {hc!r}")
    return hc.upper()


@dataclass(frozen=True)
class OLSFit:
    """One least-squares regression.

    Attributes
    ----------
    names : tuple of str
        Coefficient names (the first is the intercept when the design has one).
    coef, se : numpy.ndarray
    vcov : numpy.ndarray
        Classical ``s^2 (X'X)^-1`` or the HC estimator named by ``hc``.
    n, df_resid : int
    r2, adj_r2, mse : float
        R^2, adjusted R^2 and the residual mean square ``SSE / df_resid``.
    f, df1, df2, f_p : float, int, int, float
        Test that all slopes are zero (Wald F with an HC covariance).
    hc : str or None
    resid, leverage : numpy.ndarray
    """

    names: tuple
    coef: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    n: int
    df_resid: int
    r2: float
    adj_r2: float
    mse: float
    f: float
    df1: int
    df2: int
    f_p: float
    hc: str | None
    resid: np.ndarray
    leverage: np.ndarray

    @property
    def t(self) -> np.ndarray:
        """t statistics ``coef / se``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.coef / self.se

    @property
    def p(self) -> np.ndarray:
        """Two-sided p values on ``df_resid`` degrees of freedom."""
        return 2 * sps.t.sf(np.abs(self.t), self.df_resid)


def _hc_omega(resid: np.ndarray, h: np.ndarray, n: int, k: int, hc: str) -> np.ndarray:
    e2 = resid ** 2
    if hc == "HC0":
        return e2
    if hc == "HC1":
        return e2 * n / (n - k)
    one_h = 1.0 - h
    if hc == "HC2":
        return e2 / one_h
    if hc == "HC3":
        return e2 / one_h ** 2
    delta = np.minimum(4.0, n * h / k)
    return e2 / one_h ** delta


def ols(X: np.ndarray, y: np.ndarray, names, hc: str | None = None, intercept: bool = True) -> OLSFit:
    """Fit ``y = X b + e`` by least squares (QR).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, k)
        Design matrix; with ``intercept=True`` its first column is the constant.
    y : numpy.ndarray, shape (n,)
    names : sequence of str
        Names of the columns of ``X``.
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"}
    intercept : bool, default True

    Raises
    ------
    ModelSpecificationError
        Collinear columns (the message names the column that is a combination of the others).
    DataError
        Fewer cases than coefficients + 1.

    Examples
    --------
    >>> X = np.column_stack([np.ones(5), [1.0, 2, 3, 4, 5]])
    >>> fit = ols(X, np.array([2.0, 4.1, 5.9, 8.2, 9.9]), ["constant", "x"])
    >>> round(float(fit.coef[1]), 3), round(fit.r2, 4)
    (1.99, 0.9983)
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = X.shape
    names = tuple(names)
    if n <= k:
        raise DataError(f"{n} complete cases cannot estimate {k} coefficients ({', '.join(names)})")
    q, r = np.linalg.qr(X)
    diag = np.abs(np.diag(r))
    tol = max(n, k) * np.finfo(float).eps * (diag.max() if k else 1.0)
    if k and np.any(diag <= tol * 1e3):
        bad = names[int(np.argmax(diag <= tol * 1e3))]
        raise ModelSpecificationError(f"the term {bad!r} is a linear combination of the other terms "
                                      f"(collinear design); remove it or one of the terms it depends on")
    coef = np.linalg.solve(r, q.T @ y)
    fitted = X @ coef
    resid = y - fitted
    df_resid = n - k
    sse = float(resid @ resid)
    mse = sse / df_resid
    rinv = np.linalg.inv(r)
    xtx_inv = rinv @ rinv.T
    leverage = np.einsum("ij,ij->i", q, q)
    hc = check_hc(hc)
    if hc is None:
        vcov = mse * xtx_inv
    else:
        omega = _hc_omega(resid, leverage, n, k, hc)
        meat = (X * omega[:, None]).T @ X
        vcov = xtx_inv @ meat @ xtx_inv
    vcov = (vcov + vcov.T) / 2
    se = np.sqrt(np.diag(vcov))
    centered = y - y.mean() if intercept else y
    sst = float(centered @ centered)
    r2 = 1 - sse / sst if sst > 0 else float("nan")
    df1 = k - 1 if intercept else k
    adj = 1 - (1 - r2) * (n - (1 if intercept else 0)) / df_resid if df1 > 0 else r2
    slopes = slice(1, k) if intercept else slice(0, k)
    if df1 <= 0:
        f = f_p = float("nan")
    elif hc is None:
        f = (r2 / df1) / ((1 - r2) / df_resid) if r2 < 1 else float("inf")
        f_p = float(sps.f.sf(f, df1, df_resid))
    else:
        b = coef[slopes]
        v = vcov[slopes, slopes]
        f = float(b @ np.linalg.solve(v, b)) / df1
        f_p = float(sps.f.sf(f, df1, df_resid))
    return OLSFit(names=names, coef=coef, se=se, vcov=vcov, n=n, df_resid=df_resid, r2=float(r2),
                  adj_r2=float(adj), mse=mse, f=float(f), df1=df1, df2=df_resid, f_p=float(f_p), hc=hc,
                  resid=resid, leverage=leverage)


def coef_frame(fit: OLSFit, level: float = 0.95) -> pd.DataFrame:
    """The coefficients of a fit: term, coef, se, t, p, ci_lower, ci_upper (t-based intervals).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1, 2, 3]])
    >>> coef_frame(ols(X, np.array([1.0, 3.1, 4.9, 7.0]), ["constant", "x"]))["term"].tolist()
    ['constant', 'x']
    """
    half = sps.t.ppf(0.5 + level / 2, fit.df_resid) * fit.se
    return pd.DataFrame({"term": list(fit.names), "coef": fit.coef, "se": fit.se, "t": fit.t, "p": fit.p,
                         "ci_lower": fit.coef - half, "ci_upper": fit.coef + half})


def vif(X: np.ndarray) -> np.ndarray:
    """Variance inflation factors of the columns of ``X`` (no intercept column): ``1 / (1 - R_j^2)``, the
    diagonal of the inverse correlation matrix (as ``car::vif`` for models without factors); a single
    predictor has VIF 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=200); b = a + rng.normal(size=200)
    >>> np.round(vif(np.column_stack([a, b])), 1).tolist()
    [1.8, 1.8]
    """
    X = np.asarray(X, dtype=float)
    if X.shape[1] == 1:
        return np.ones(1)
    corr = np.corrcoef(X, rowvar=False)
    try:
        return np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        return np.full(X.shape[1], np.inf)


# ============================================================================================ bootstrap solves


def design_moments(X: np.ndarray, y: np.ndarray, intercept: int | None = 0):
    """Row-wise products that turn replicate normal equations into matrix products (see :func:`batched_coefs`).

    With an intercept the other columns are shifted by their full-sample means and every column is scaled by
    its SD (which changes only the intercept, restored afterwards), so the normal equations stay well
    conditioned.

    Returns
    -------
    xx : (n, k*k) rows of ``z_i z_i'``;  xy : (n, k) rows of ``z_i y_i``;  shift, scale : (k,)
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    shift = X.mean(axis=0) if intercept is not None else np.zeros(k)
    scale = X.std(axis=0) if intercept is not None else np.sqrt((X ** 2).mean(axis=0))
    scale[scale == 0] = 1.0
    if intercept is not None:
        shift[intercept] = 0.0
        scale[intercept] = 1.0
    Z = (X - shift) / scale
    xx = (Z[:, :, None] * Z[:, None, :]).reshape(n, k * k)
    xy = Z * np.asarray(y, dtype=float)[:, None]
    return xx, xy, shift, scale


def batched_coefs(weights: np.ndarray, xx: np.ndarray, xy: np.ndarray, shift: np.ndarray,
                  scale: np.ndarray, intercept: int | None = 0) -> np.ndarray:
    """Least-squares coefficients of many reweighted copies of one regression at once.

    Parameters
    ----------
    weights : (B, n)
        Case weights of each replicate (bootstrap counts: how often each row was drawn).
    xx, xy, shift, scale
        From :func:`design_moments` of the full-sample design.
    intercept : int or None, default 0
        Position of the constant column (None: the design has none).

    Returns
    -------
    numpy.ndarray, (B, k)
        Coefficients in the original scale; rows whose weighted design is singular are NaN.

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)]); y = 1 + 2 * np.arange(6.0)
    >>> m = design_moments(X, y)
    >>> np.round(batched_coefs(np.ones((2, 6)), *m), 6).tolist()
    [[1.0, 2.0], [1.0, 2.0]]
    """
    return solve_normal(weights @ xx, weights @ xy, shift, scale, intercept)


def solve_normal(xtx: np.ndarray, xty: np.ndarray, shift: np.ndarray, scale: np.ndarray,
                 intercept: int | None = 0) -> np.ndarray:
    """Solve replicate normal equations given as rows ``xtx`` (B, k*k) and ``xty`` (B, k) (the products of
    case weights with :func:`design_moments`); singular rows give NaN. See :func:`batched_coefs`."""
    B, k = xty.shape
    A = xtx.reshape(B, k, k)
    d = np.sqrt(np.abs(np.einsum("bii->bi", A)))
    d[d == 0] = 1.0
    ok = np.abs(np.linalg.det(A / d[:, :, None] / d[:, None, :])) > 1e-10
    out = np.full((B, k), np.nan)
    if ok.all():
        out = np.linalg.solve(A, xty[..., None])[..., 0]
    elif ok.any():
        out[ok] = np.linalg.solve(A[ok], xty[ok][..., None])[..., 0]
    coef = out / scale
    if intercept is not None:  # y = c + sum_j b_j (x_j - s_j): the constant absorbs -sum_j b_j s_j
        others = np.arange(k) != intercept
        coef[:, intercept] = coef[:, intercept] - coef[:, others] @ shift[others]
    return coef
