"""Sample statistics of ordinal indicators with exogenous covariates for WLSMV (lavaan's ``conditional.x``).

When a WLSMV model has observed exogenous covariates, lavaan (0.6-14) does not analyse the marginal
polychoric correlations: it conditions on the x's (``conditional.x = TRUE``, its default) and fits the model
to the statistics of the endogenous variables *given* x (``lavaan:::muthen1984`` with ``eXo``):

1. **Listwise deletion** over every endogenous and exogenous variable (``missing = "listwise"``).
2. **Step 1, one regression per endogenous variable** on all x's (raw, not centred):

   * ordinal ``y`` (categories = its observed distinct values): probit regression by ML,
     ``P(y <= k | x) = Phi(tau_k - x'beta)`` -- thresholds ``tau`` and slopes ``beta``
     (``lav_uvord_fit``);
   * continuous ``y``: least squares, ``y = a + x'b + e`` with the ML residual variance ``RSS / N``
     (``lav_uvreg_fit``).

3. **Step 2, one correlation per pair** of endogenous variables, by ML with the step-1 parameters fixed:
   the residual polychoric (two ordinal; likelihood of the case's rectangle of the bivariate normal,
   ``|rho| <= 0.999``, likelihoods under ``sqrt(eps)`` left out), polyserial (continuous x ordinal; the
   continuous residual is standardized, ``|rho| <= 0.995``) or Pearson correlation of the two residuals.
   With covariates lavaan applies *none* of its 2 x 2 / empty-cell corrections.
4. **Gamma (NACOV)**: with ``S`` the casewise scores of step 1 (thresholds / intercepts, slopes, residual
   variances of continuous variables) and ``s_rho`` those of step 2, ``B`` the block lower-triangular
   matrix of sums of outer products (``A11`` block diagonal per variable, ``A22`` diagonal,
   ``A21 = sum s_rho * d log L_pair / d theta_step1``), the influence rows are ``B^-1 s_i`` and
   ``Gamma = N * sum_i IF_i IF_i'``.  Correlations involving a continuous variable are then turned into
   covariances (``cov = rho * sd_i * sd_j``) by the delta method (lavaan's ``H`` matrix), and the rows and
   columns of continuous intercepts are negated (lavaan stores ``-intercept`` in the threshold slot).

Layout of ``wls_obs`` (= ``lavInspect(fit, "wls.obs")``) and of Gamma's rows and columns, as lavaan:

* thresholds, variable by variable in the endogenous order: ``"y|t1", "y|t2", ...`` for an ordinal ``y``,
  one entry ``"y~1"`` holding **minus** the intercept for a continuous ``y``;
* slopes ``vec(SLOPES)`` of the endogenous x exogenous matrix, i.e. **x-major**: ``"y1~x1", "y2~x1", ...,
  "y1~x2", ...`` (lavaan's ``res.slopes``);
* residual variances of the continuous variables, ``"y~~y"``;
* residual covariances ``vech(res.cov, diagonal = FALSE)`` -- strict lower triangle column by column,
  ``"y1~~y2", "y1~~y3", ..., "y2~~y3", ...`` (correlations for two ordinal variables, covariances when a
  continuous variable is involved).

``gamma`` is scaled by N (``gamma.n.minus.one = FALSE``); ``wls_v_diag = 1 / diag(gamma)`` is lavaan's DWLS
weight; the x sample statistics are ``mean_x = colMeans(X)`` and ``cov_x = cov(X)`` with divisor N - 1
(lavaan's ``sample.cov.rescale`` is off for WLS-type estimators).

Why our own code: no Python library fits ordinal probit regressions, residual polychoric/polyserial
correlations and their joint sandwich covariance in lavaan's parameterization; statsmodels' OrderedModel
would give the same step-1 estimates but neither the casewise score layout nor step 2.  Everything is
vectorized over cases and, in step 2, over all pairs at once (Newton on rho with analytic derivatives).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..errors import DataError, ResilienceStatsWarning
from ._bvn import bvn_cdf
from ._common import resolve_items
from .polychoric_acov import _vech_pairs, ordinal_codes

__all__ = ["ConditionalOrdinalMoments", "ordinal_conditional_moments"]

_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))   # lavaan: likelihoods below sqrt(.Machine$double.eps) -> NA
_EPS = float(np.finfo(float).eps)                  # lavaan: polyserial P(y | x) floored at .Machine$double.eps
_OFFSET = 100.0                                    # lavaan: outer category bounds are +-100 - x'beta
_BOUND_ORD = 0.999                                 # nlminb bounds of a polychoric correlation
_BOUND_MIX = 0.995                                 # ... and of a polyserial correlation
_SEPARATION_SD = 5.0                               # |slope| * sd(x) beyond this: separation, not an effect
_TWO_PI = 2.0 * np.pi


@dataclass(repr=False)
class ConditionalOrdinalMoments:
    """Sample statistics of endogenous variables given exogenous covariates, as lavaan's WLSMV computes them.

    Attributes
    ----------
    thresholds : pandas.Series
        Probit thresholds of the ordinal variables given x, ``"y|t1"``, ... (lavaan's ``res.th``).
    intercepts : pandas.Series
        Regression intercepts of the continuous variables (lavaan's ``res.int``; empty without any).
    slopes : pandas.DataFrame
        Endogenous x exogenous regression slopes (probit slopes for ordinal, OLS for continuous variables;
        lavaan's ``res.slopes``).
    res_corr : pandas.DataFrame
        Residual correlations: polychoric (ordinal pairs), polyserial (mixed), Pearson (continuous pairs).
    res_cov : pandas.DataFrame
        lavaan's ``res.cov``: ``res_corr`` rescaled by the residual standard deviations (1 for ordinal).
    res_var : pandas.Series
        Residual variances: 1 for ordinal, ``RSS / N`` for continuous variables.
    wls_obs : pandas.Series
        The statistics vector in lavaan's order and labels (``lavInspect(fit, "wls.obs")``).
    wls_v_diag : pandas.Series
        DWLS weights ``1 / diag(gamma)``.
    gamma : pandas.DataFrame
        NACOV, the asymptotic covariance matrix of ``sqrt(N) * wls_obs`` (``lavInspect(fit, "gamma")``).
    n_obs : int
        Listwise complete cases used.
    n_dropped : int
        Rows dropped for a missing value on any endogenous or exogenous variable.
    categories : dict
        ``{ordinal variable: [observed values]}``; category k (1-based) is the k-th value.
    mean_x : pandas.Series
        Sample means of the exogenous variables.
    cov_x : pandas.DataFrame
        Their covariance matrix with divisor N - 1 (lavaan's ``cov.x``: not rescaled for WLS estimators).
    variables : list of str
        The endogenous variables in the order used everywhere above.
    ordered, continuous, exogenous : list of str
        The ordinal and continuous endogenous variables and the covariates.
    converged : bool
        Whether every step-2 correlation converged (a step-1 regression that cannot converge raises).
    warnings : list of str
        Problems met (correlations near 1, non-convergence).
    """

    thresholds: pd.Series
    intercepts: pd.Series
    slopes: pd.DataFrame
    res_corr: pd.DataFrame
    res_cov: pd.DataFrame
    res_var: pd.Series
    wls_obs: pd.Series
    wls_v_diag: pd.Series
    gamma: pd.DataFrame
    n_obs: int
    n_dropped: int
    categories: dict[str, list]
    mean_x: pd.Series
    cov_x: pd.DataFrame
    variables: list[str]
    ordered: list[str]
    continuous: list[str]
    exogenous: list[str]
    converged: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """Labels of ``wls_obs`` and of Gamma's rows and columns."""
        return list(self.wls_obs.index)

    @property
    def acov(self) -> pd.DataFrame:
        """Sampling covariance matrix of ``wls_obs``, ``gamma / n_obs``."""
        return self.gamma / self.n_obs

    def summary(self) -> pd.DataFrame:
        """One row per statistic of ``wls_obs``.

        Returns
        -------
        pandas.DataFrame
            Columns ``label`` (lavaan's), ``kind`` (``"threshold"``, ``"intercept"`` -- stored negated as
            lavaan does --, ``"slope"``, ``"residual variance"``, ``"residual correlation"`` or
            ``"residual covariance"``), ``estimate`` (the ``wls_obs`` value) and ``se``
            (``sqrt(diag(gamma) / n_obs)``).
        """
        kinds = []
        for lab in self.labels:
            if "|t" in lab:
                kinds.append("threshold")
            elif lab.endswith("~1"):
                kinds.append("intercept")
            elif "~~" in lab:
                a, b = lab.split("~~")
                if a == b:
                    kinds.append("residual variance")
                elif a in self.continuous or b in self.continuous:
                    kinds.append("residual covariance")
                else:
                    kinds.append("residual correlation")
            else:
                kinds.append("slope")
        return pd.DataFrame({"label": self.labels, "kind": kinds, "estimate": self.wls_obs.to_numpy(),
                             "se": np.sqrt(np.diag(self.gamma.to_numpy()) / self.n_obs)})

    def __repr__(self) -> str:
        return (f"ConditionalOrdinalMoments(ordered={len(self.ordered)}, continuous={len(self.continuous)}, "
                f"exogenous={len(self.exogenous)}, n_obs={self.n_obs}, statistics={self.wls_obs.size})")


# ------------------------------------------------------------------------------------ step 1 ----
@dataclass
class _Uni:
    """One endogenous variable after step 1 (private)."""

    name: str
    ordinal: bool
    theta: np.ndarray            # ordinal: (tau..., beta...); continuous: (a, b..., var)
    scores: np.ndarray           # (n, k): thresholds/intercept, slopes, [variance]
    codes: np.ndarray | None = None      # ordinal: 0-based category of each case
    upper: np.ndarray | None = None      # ordinal: upper bound of the case's latent interval, tau - x'beta
    lower: np.ndarray | None = None      # ordinal: lower bound
    resid: np.ndarray | None = None      # continuous: y - yhat


def _bounds_of(theta: np.ndarray, nth: int, codes: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latent interval (lower, upper) of every case: ``tau_{c-1} - x'b``, ``tau_c - x'b`` (+-100 outside)."""
    eta = x @ theta[nth:]
    th = np.concatenate([[-_OFFSET], theta[:nth], [_OFFSET]])
    return th[codes] - eta, th[codes + 1] - eta


def _interval_prob(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Phi(upper) - Phi(lower), from the upper tail when lower > 1 (lavaan's accuracy rule)."""
    out = ndtr(upper) - ndtr(lower)
    big = lower > 1
    out[big] = ndtr(-lower[big]) - ndtr(-upper[big])
    return out


def _dnorm(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / np.sqrt(_TWO_PI)


def _probit_parts(theta, nth, codes, x):
    """Log-likelihood, casewise scores and Hessian of an ordinal probit regression."""
    n = codes.size
    lo, up = _bounds_of(theta, nth, codes, x)
    pi = _interval_prob(lo, up)
    if np.any(~(pi > 0)):
        return -np.inf, None, None, lo, up
    p1, p2 = _dnorm(up), _dnorm(lo)
    a1 = np.zeros((n, nth))                       # d upper / d tau
    a2 = np.zeros((n, nth))                       # d lower / d tau
    rows = np.arange(n)
    top, bot = codes < nth, codes > 0
    a1[rows[top], codes[top]] = 1.0
    a2[rows[bot], codes[bot] - 1] = 1.0
    a1 = np.hstack([a1, -x])
    a2 = np.hstack([a2, -x])
    sc = (a1 * p1[:, None] - a2 * p2[:, None]) / pi[:, None]
    ll = float(np.log(pi).sum())
    g1, g2 = -up * p1 / pi, -lo * p2 / pi
    hess = (a1 * g1[:, None]).T @ a1 - (a2 * g2[:, None]).T @ a2 - sc.T @ sc
    return ll, sc, hess, lo, up


def _probit_fit(name: str, codes: np.ndarray, nth: int, x: np.ndarray, xnames: list[str]) -> _Uni:
    """ML ordinal probit regression by Newton-Raphson with step halving (the log-likelihood is concave)."""
    n, q = x.shape
    freq = np.bincount(codes, minlength=nth + 1).astype(float)
    theta = np.concatenate([ndtri(np.cumsum(freq)[:-1] / n), np.zeros(q)])
    ll, sc, hess, lo, up = _probit_parts(theta, nth, codes, x)
    converged = False
    for _ in range(200):
        grad = sc.sum(axis=0)
        try:
            step = np.linalg.solve(-hess, grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        for _halve in range(60):
            cand = theta + t * step
            if np.all(np.diff(cand[:nth]) > 0):
                out = _probit_parts(cand, nth, codes, x)
                if out[0] >= ll - 1e-12 * abs(ll):
                    break
            t /= 2.0
        else:
            break
        theta = cand
        ll, sc, hess, lo, up = out
        if t == 1.0 and np.max(np.abs(step)) < 1e-10:     # quadratic convergence: error now ~1e-20
            converged = True
            break
    if not converged:
        raise DataError(f"ordinal_conditional_moments: the probit regression of {name} on "
                        f"{', '.join(xnames)} has no finite maximum (perfect or quasi-complete separation: the "
                        f"covariates predict some of its categories exactly)")
    sd_x = x.std(axis=0)
    std_slope = np.abs(theta[nth:]) * sd_x
    sep = [xn for xn, s in zip(xnames, std_slope) if s > _SEPARATION_SD]
    dscale = 1.0 / np.sqrt(np.abs(np.diag(hess)))
    if sep or np.linalg.cond(hess * np.outer(dscale, dscale)) > 1e12:
        raise DataError(f"ordinal_conditional_moments: perfect (or quasi-complete) separation in the probit "
                        f"regression of {name} on {', '.join(sep or xnames)}: a covariate predicts the "
                        f"categories (almost) exactly, so the thresholds and slopes do not exist")
    return _Uni(name=name, ordinal=True, theta=theta, scores=sc, codes=codes, upper=up, lower=lo)


def _ols_fit(name: str, y: np.ndarray, x: np.ndarray) -> _Uni:
    """Least squares of y on (1, x) with the ML residual variance and its casewise scores."""
    n, q = x.shape
    x1 = np.hstack([np.ones((n, 1)), x])
    beta = np.linalg.lstsq(x1, y, rcond=None)[0]
    res = y - x1 @ beta
    var = float(res @ res / n)
    if not var > 1e-12 * max(float(np.var(y)), 1e-300):
        raise DataError(f"ordinal_conditional_moments: {name} is (a linear function of the covariates and) "
                        f"has zero residual variance")
    scores = np.hstack([x1 * (res / var)[:, None], (-0.5 / var + 0.5 * res * res / (var * var))[:, None]])
    return _Uni(name=name, ordinal=False, theta=np.concatenate([beta, [var]]), scores=scores, resid=res)


# ------------------------------------------------------------------------------------ step 2 ----
# Gauss-Legendre rules by |rho| class, as Genz (2004): 6 nodes below 0.3, 12 below 0.75, 20 below 0.925
_GL_RULES = [(0.3, np.polynomial.legendre.leggauss(6)), (0.75, np.polynomial.legendre.leggauss(12)),
             (0.925, np.polynomial.legendre.leggauss(20))]


def _rect_prob(r, ua, la, ub, lb):
    """P(la < X <= ua, lb < Y <= ub) of standard bivariate normals, (n, m) arrays, one rho per column.

    ``F(h, k, r) = Phi(h) Phi(k) + (2 pi)^-1 int_0^asin(r) exp(-(h^2 - 2 h k sin t + k^2) / (2 cos^2 t)) dt``
    (Drezner & Wesolowsky's form, used by Genz for |r| < 0.925, with his Gauss-Legendre rule sizes).  The
    nodes depend only on the pair's rho, so a case costs one exponential per node and corner, and the four
    corners share one integral.  Columns with |rho| >= 0.925 use the general :func:`bvn_cdf`.
    """
    r = np.asarray(r, float).reshape(-1)
    out = (ndtr(ua) - ndtr(la)) * (ndtr(ub) - ndtr(lb))
    lower = 0.0
    for upper, (gx, gw) in _GL_RULES:
        cols = np.nonzero((np.abs(r) >= lower) & (np.abs(r) < upper))[0]
        lower = upper
        if cols.size == 0:
            continue
        half = np.arcsin(r[cols]) / 2.0
        corners = [(1.0, ua[:, cols], ub[:, cols]), (-1.0, la[:, cols], ub[:, cols]),
                   (-1.0, ua[:, cols], lb[:, cols]), (1.0, la[:, cols], lb[:, cols])]
        parts = [(sg, h * k, -(h * h + k * k) / 2.0) for sg, h, k in corners]
        acc = np.zeros((ua.shape[0], cols.size))
        for xj, wj in zip(gx, gw):
            t = half * (1.0 + xj)
            sn, c2 = np.sin(t), np.cos(t) ** 2
            for sg, hk, hs in parts:
                acc += (sg * wj * half) * np.exp((hk * sn + hs) / c2)
        out[:, cols] += acc / _TWO_PI
    hi = np.nonzero(np.abs(r) >= _GL_RULES[-1][0])[0]
    if hi.size:
        rh = r[hi][None, :]
        out[:, hi] = (bvn_cdf(ua[:, hi], ub[:, hi], rh) - bvn_cdf(la[:, hi], ub[:, hi], rh)
                      - bvn_cdf(ua[:, hi], lb[:, hi], rh) + bvn_cdf(la[:, hi], lb[:, hi], rh))
    return out


def _oo_lik(r, ua, la, ub, lb, deriv):
    """Rectangle probabilities of (n, m) case x pair arrays and their first two rho derivatives."""
    lik = _rect_prob(r, ua, la, ub, lb)
    if not deriv:
        return lik, None, None
    r = np.asarray(r, float).reshape(1, -1)
    one = 1.0 - r * r
    norm = 1.0 / (_TWO_PI * np.sqrt(one))
    d1 = d2 = 0.0
    for s, a, b in ((1.0, ua, ub), (-1.0, la, ub), (-1.0, ua, lb), (1.0, la, lb)):
        ab, sq = a * b, a * a + b * b
        dens = s * norm * np.exp(-(sq - 2.0 * r * ab) / (2.0 * one))
        d1 = d1 + dens
        d2 = d2 + dens * (r * one + ab * (1.0 + r * r) - r * sq) / (one * one)
    return lik, d1, d2


def _mix_lik(r, z, u, lo, deriv):
    """Polyserial P(y_ord | z) with its rho derivatives, (n, m) arrays; z = standardized residual."""
    rr = np.sqrt(1.0 - r * r)
    t1, t2 = (u - r * z) / rr, (lo - r * z) / rr
    p = np.maximum(ndtr(t1) - ndtr(t2), _EPS)
    if not deriv:
        return p, None, None
    f1, f2 = _dnorm(t1), _dnorm(t2)
    r3 = rr ** 3
    dt1, dt2 = (r * u - z) / r3, (r * lo - z) / r3
    ddt1 = (u * rr * rr + 3.0 * r * (r * u - z)) / rr ** 5
    ddt2 = (lo * rr * rr + 3.0 * r * (r * lo - z)) / rr ** 5
    d1 = f1 * dt1 - f2 * dt2
    d2 = -t1 * f1 * dt1 * dt1 + f1 * ddt1 + t2 * f2 * dt2 * dt2 - f2 * ddt2
    return p, d1, d2


def _rho_newton(loglik, start: np.ndarray, bound: float, tol: float = 1e-9, max_iter: int = 100):
    """Maximize sum_i log lik_i(rho) for many pairs at once; ``loglik(r, idx, deriv)`` -> (ll, g, h).

    Newton steps (a score-squared step where the curvature is not negative), halved while the
    log-likelihood would decrease; rho kept in [-bound, bound].  A pair stops after a full step below
    ``tol``: Newton converges quadratically, so the remaining error is of order ``tol**2``.  Returns
    (rho, converged flags).
    """
    rho = np.clip(start, -bound, bound).astype(float)
    ll, g, h, bhhh = loglik(rho, np.arange(rho.size), True)
    active = np.ones(rho.size, bool)
    done = np.zeros(rho.size, bool)
    for _ in range(max_iter):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        newton = h[idx] < 0
        step = np.where(newton, -g[idx] / np.where(newton, h[idx], -1.0), g[idx] / np.maximum(bhhh[idx], 1e-300))
        pending = np.ones(idx.size, bool)
        for _halve in range(50):
            pos = np.nonzero(pending)[0]
            if pos.size == 0:
                break
            sub = idx[pos]
            cand = np.clip(rho[sub] + step[pos], -bound, bound)
            l2, g2, h2, b2 = loglik(cand, sub, True)
            good = l2 >= ll[sub] - 1e-13 * np.abs(ll[sub])
            gi = sub[good]
            moved = np.abs(cand[good] - rho[gi])
            rho[gi], ll[gi], g[gi], h[gi], bhhh[gi] = cand[good], l2[good], g2[good], h2[good], b2[good]
            fin = gi[moved < tol]
            active[fin], done[fin] = False, True
            pending[pos[good]] = False
            step[pos[~good]] /= 2.0
        stuck = idx[pending]
        active[stuck] = False                     # no ascent left: numerically at the optimum (or at a bound)
        done[stuck] = True
    return rho, done


def _pearson_start(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Column-wise Pearson correlations (0 where undefined or +-1) -- lavaan's start values."""
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * b).sum(axis=0) / np.sqrt((a * a).sum(axis=0) * (b * b).sum(axis=0))
    return np.where(np.isfinite(r) & (np.abs(r) < 1), r, 0.0)


# ------------------------------------------------------------------------------------ public ----
def ordinal_conditional_moments(
    data: Any,
    ordered: Sequence[str],
    exogenous: Sequence[str],
    endogenous_continuous: Sequence[str] = (),
    *,
    order: Sequence[str] | None = None,
) -> ConditionalOrdinalMoments:
    """Thresholds, slopes and residual correlations given covariates, with Gamma, as lavaan's WLSMV.

    The sample statistics lavaan 0.6-14 fits a WLSMV model to when the model has observed exogenous
    covariates (``conditional.x = TRUE``): per endogenous variable a probit (ordinal) or linear (continuous)
    regression on all covariates, per pair the residual polychoric / polyserial / Pearson correlation, and
    the asymptotic covariance matrix of all of them (see the module docstring for the formulas and layout).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Numeric responses and covariates.  Rows with a missing value on any variable named here are dropped.
    ordered : sequence of str
        Ordinal endogenous variables (any numeric codes; the ordered observed values are the categories).
    exogenous : sequence of str
        Observed exogenous covariates (numeric; dummy-code categorical ones), in this order.
    endogenous_continuous : sequence of str, optional
        Endogenous variables treated as continuous (not ordered).
    order : sequence of str, optional
        Order of the endogenous variables (ordered + continuous) -- lavaan uses the order in which they
        appear in the model syntax (``lavNames(fit, "ov.nox")``).  Default: their order in ``data``.

    Returns
    -------
    ConditionalOrdinalMoments
        ``thresholds``, ``intercepts``, ``slopes``, ``res_corr``, ``res_cov``, ``res_var``, ``wls_obs``,
        ``wls_v_diag``, ``gamma`` (N-scaled), ``mean_x``, ``cov_x``, ``n_obs``, ``n_dropped``,
        ``categories``.

    Raises
    ------
    DataError
        Unknown, repeated or non-numeric variables, no ordinal variable or no covariate, an ordinal variable
        with a single observed category, a constant or collinear covariate, a continuous variable without
        residual variance, too few complete cases, or a probit regression without a finite maximum (perfect
        separation).

    Notes
    -----
    Agrees with ``lavInspect(fit, "sampstat")``, ``lavInspect(fit, "wls.obs")``, ``lavInspect(fit, "gamma")``
    and ``lavInspect(fit, "wls.v")`` of ``sem(model, data, ordered = ..., estimator = "WLSMV")`` for models
    with exogenous covariates in lavaan 0.6-14 (see tests/golden/ordinal_conditional.R): thresholds, slopes and
    variances to about 1e-9, correlations to 1e-8 (polychoric) and 8e-8 (polyserial), Gamma to 2e-7 relative.
    The correlations here are the exact ML estimates; lavaan's ``nlminb`` stops that far short of them.
    Without covariates use :func:`~resilience_stats.psychometrics.polychoric_acov.polychoric_acov`.

    Differences from lavaan: categories are the values observed *after* listwise deletion (lavaan stops with
    an error when a category occurs only in dropped rows); a probit regression without a finite maximum is
    an error here (lavaan returns whatever ``nlminb`` reached); sampling weights are not supported.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> n = 600
    >>> x = rng.normal(size=n)
    >>> f = 0.5 * x + rng.normal(size=n)
    >>> ys = np.column_stack([0.7 * f + rng.normal(scale=0.7, size=n) for _ in range(3)])
    >>> df = pd.DataFrame(np.digitize(ys, [-1.0, 0.0, 1.0]) + 1, columns=["a", "b", "c"]).assign(x=x)
    >>> mom = ordinal_conditional_moments(df, ordered=["a", "b", "c"], exogenous=["x"])
    >>> mom.labels[:3], mom.labels[9:12], mom.labels[-3:]
    (['a|t1', 'a|t2', 'a|t3'], ['a~x', 'b~x', 'c~x'], ['a~~b', 'a~~c', 'b~~c'])
    >>> mom.gamma.shape
    (15, 15)
    >>> bool(0.2 < mom.slopes.loc["a", "x"] < 0.5)
    True
    """
    ordered = [str(v) for v in ordered]
    continuous = [str(v) for v in endogenous_continuous]
    exogenous = [str(v) for v in exogenous]
    _check_names(ordered, continuous, exogenous)
    frame, data_order = _resolve(data, ordered + continuous + exogenous)
    endo = ordered + continuous
    if order is not None:
        order = [str(v) for v in order]
        if sorted(order) != sorted(endo) or len(set(order)) != len(order):
            raise DataError("ordinal_conditional_moments: `order` must list each ordered and continuous "
                            "endogenous variable exactly once")
        names = order
    else:
        names = [c for c in data_order if c in set(endo)]
    complete = frame.notna().all(axis=1).to_numpy()
    n_dropped = int((~complete).sum())
    frame = frame.loc[complete]
    n, p, q = frame.shape[0], len(names), len(exogenous)
    x = frame[exogenous].to_numpy(dtype=float)
    _check_covariates(x, exogenous, n)
    unis, cats = _step1(frame, names, set(ordered), x, exogenous)
    lay = _layout(unis, q)
    rows, cols = _vech_pairs(p)                        # pair m: later variable rows[m], earlier cols[m]
    ctx = _PairContext(x=x, unis=unis, lay=lay)
    rho, s_rho, a21, ok = _step2(ctx, rows, cols, frame[names].to_numpy(dtype=float))
    notes = [f"the correlation of {names[cols[m]]} and {names[rows[m]]} did not converge"
             for m in np.nonzero(~ok)[0]]
    notes += [f"correlation between {names[rows[m]]} and {names[cols[m]]} is (nearly) 1.0"
              for m in np.nonzero(np.abs(rho) > 0.99)[0]]
    res_var = np.array([1.0 if u.ordinal else u.theta[-1] for u in unis])
    gamma = _nacov(unis, lay, rows, cols, rho, s_rho, a21, res_var, notes)

    # --- results: lavaan's order and labels ---------------------------------------------------------------
    th_vals, th_labels = [], []
    for v, u in enumerate(unis):
        if u.ordinal:
            th_vals.extend(u.theta[:lay.nth[v]])
            th_labels.extend(f"{u.name}|t{k + 1}" for k in range(lay.nth[v]))
        else:
            th_vals.append(-u.theta[0])
            th_labels.append(f"{u.name}~1")
    slopes = np.array([u.theta[lay.nth[v]:lay.nth[v] + q] for v, u in enumerate(unis)])
    num = lay.num_idx
    labels = (th_labels + [f"{names[v]}~{exogenous[k]}" for k in range(q) for v in range(p)]
              + [f"{names[v]}~~{names[v]}" for v in num] + [f"{names[c]}~~{names[r]}" for r, c in zip(rows, cols)])
    sd = np.sqrt(res_var)
    wls_obs = np.concatenate([th_vals, slopes.T.ravel(), res_var[num], rho * sd[rows] * sd[cols]])
    corr = np.eye(p)
    corr[rows, cols] = corr[cols, rows] = rho
    is_th = np.array(["|t" in lab for lab in th_labels], dtype=bool)
    xc = x - x.mean(axis=0)
    for msg in notes:
        warnings.warn(f"ordinal_conditional_moments: {msg}", ResilienceStatsWarning, stacklevel=2)
    return ConditionalOrdinalMoments(
        thresholds=pd.Series(np.asarray(th_vals)[is_th], index=np.asarray(th_labels)[is_th].tolist(),
                             name="threshold", dtype=float),
        intercepts=pd.Series([unis[v].theta[0] for v in num], index=[names[v] for v in num],
                             name="intercept", dtype=float),
        slopes=pd.DataFrame(slopes, index=names, columns=exogenous),
        res_corr=pd.DataFrame(corr, index=names, columns=names),
        res_cov=pd.DataFrame(corr * np.outer(sd, sd), index=names, columns=names),
        res_var=pd.Series(res_var, index=names, name="res_var"),
        wls_obs=pd.Series(wls_obs, index=labels, name="wls_obs"),
        wls_v_diag=pd.Series(1.0 / np.diag(gamma), index=labels, name="wls_v"),
        gamma=pd.DataFrame(gamma, index=labels, columns=labels),
        n_obs=int(n),
        n_dropped=n_dropped,
        categories=cats,
        mean_x=pd.Series(x.mean(axis=0), index=exogenous, name="mean_x"),
        cov_x=pd.DataFrame(xc.T @ xc / (n - 1), index=exogenous, columns=exogenous),
        variables=list(names),
        ordered=[v for v in names if v in ordered],
        continuous=[v for v in names if v in continuous],
        exogenous=exogenous,
        converged=bool(ok.all()),
        warnings=notes,
    )


def _step1(frame: pd.DataFrame, names: list[str], ordered: set[str], x: np.ndarray,
           xnames: list[str]) -> tuple[list[_Uni], dict[str, list]]:
    """Probit (ordinal) or least-squares (continuous) regression of every endogenous variable on x."""
    n, q = x.shape
    cats: dict[str, list] = {}
    unis: list[_Uni] = []
    for name in names:
        if name in ordered:
            codes, vals = ordinal_codes(frame[[name]])
            nth = len(vals[0]) - 1
            if nth < 1:
                raise DataError(f"ordinal_conditional_moments: {name} has a single observed category")
            if n <= nth + q:
                raise DataError(f"ordinal_conditional_moments: {n} complete case(s) are too few for the "
                                f"{nth} thresholds and {q} slopes of {name}")
            cats[name] = vals[0]
            unis.append(_probit_fit(name, codes[:, 0], nth, x, xnames))
        else:
            if n <= q + 2:
                raise DataError(f"ordinal_conditional_moments: {n} complete case(s) are too few to regress "
                                f"{name} on {q} covariate(s)")
            unis.append(_ols_fit(name, frame[name].to_numpy(dtype=float), x))
    return unis, cats


@dataclass
class _Layout:
    """Columns of the step-1 scores: thresholds (intercepts), x-major slopes, continuous variances."""

    nth: np.ndarray              # thresholds per variable (1 = the intercept of a continuous variable)
    th_start: np.ndarray
    sl_col: np.ndarray           # (p, q)
    var_col: np.ndarray          # (p,), -1 for ordinal variables
    num_idx: np.ndarray          # continuous variables
    blocks: list                 # each variable's columns (its block of A11)
    d1: int


def _layout(unis: list[_Uni], q: int) -> _Layout:
    p = len(unis)
    nth = np.array([u.theta.size - q - (0 if u.ordinal else 1) for u in unis])
    th_start = np.cumsum(nth) - nth
    n_th = int(nth.sum())
    num_idx = np.array([v for v, u in enumerate(unis) if not u.ordinal], dtype=int)
    sl_col = n_th + np.arange(q)[None, :] * p + np.arange(p)[:, None]
    var_col = np.full(p, -1)
    var_col[num_idx] = n_th + p * q + np.arange(num_idx.size)
    blocks = []
    for v, u in enumerate(unis):
        cols = list(range(th_start[v], th_start[v] + nth[v])) + list(sl_col[v])
        blocks.append(np.array(cols + ([] if u.ordinal else [var_col[v]])))
    return _Layout(nth=nth, th_start=th_start, sl_col=sl_col, var_col=var_col, num_idx=num_idx,
                   blocks=blocks, d1=n_th + p * q + num_idx.size)


def _step2(ctx: "_PairContext", rows: np.ndarray, cols: np.ndarray, raw: np.ndarray):
    """Correlations of all pairs (grouped by kind), their casewise scores (n, pairs) and A21 (pairs, d1)."""
    n, m = ctx.x.shape[0], rows.size
    rho, s_rho, a21, ok = np.zeros(m), np.zeros((n, m)), np.zeros((m, ctx.lay.d1)), np.ones(m, bool)
    is_ord = np.array([u.ordinal for u in ctx.unis])
    kinds = is_ord[rows].astype(int) + is_ord[cols].astype(int)          # 2 ordinal, 1 mixed, 0 continuous
    for kind in (2, 1, 0):
        mm = np.nonzero(kinds == kind)[0]
        if mm.size == 0:
            continue
        if kind == 2:
            est, conv = _fit_oo(ctx, rows[mm], cols[mm], raw)
        elif kind == 1:
            est, conv = _fit_mix(ctx, rows[mm], cols[mm], raw)
        else:
            est, conv = _fit_cc(ctx, rows[mm], cols[mm]), np.ones(mm.size, bool)
        rho[mm], ok[mm] = est, conv
        s_rho[:, mm], a21[mm] = _pair_scores(ctx, kind, rows[mm], cols[mm], est)
    return rho, s_rho, a21, ok


def _nacov(unis, lay: _Layout, rows, cols, rho, s_rho, a21, res_var, notes: list[str]) -> np.ndarray:
    """Gamma = N * sum_i IF_i IF_i' with IF_i = B^-1 s_i, lavaan's H (correlations -> covariances) and the
    sign flip of continuous intercepts (lavaan keeps ``-intercept`` in the threshold slot)."""
    n = s_rho.shape[0]
    inf_uni = np.zeros((n, lay.d1))
    for u, blk in zip(unis, lay.blocks):
        a11 = u.scores.T @ u.scores
        try:
            inv = np.linalg.inv(a11)
        except np.linalg.LinAlgError:
            inv = np.linalg.pinv(a11)
            notes.append(f"the step-1 information of {u.name} is singular: generalized inverse used (as lavaan)")
        inf_uni[:, blk] = u.scores @ inv
    a22 = (s_rho * s_rho).sum(axis=0)
    if np.any(~(a22 > 0)):
        raise DataError("ordinal_conditional_moments: a correlation has zero information (degenerate pair)")
    inf_cor = (s_rho - inf_uni @ a21.T) / a22
    if lay.num_idx.size and rows.size:
        sd = np.sqrt(res_var)
        is_num = lay.var_col >= 0
        inf_cov = inf_cor * (sd[rows] * sd[cols])
        for side, other in ((rows, cols), (cols, rows)):
            m = np.nonzero(is_num[side])[0]
            inf_cov[:, m] += inf_uni[:, lay.var_col[side[m]]] * (rho[m] * sd[other[m]] / (2.0 * sd[side[m]]))
        inf_cor = inf_cov
    infl = np.hstack([inf_uni, inf_cor])
    infl[:, lay.th_start[lay.num_idx]] *= -1.0
    return n * (infl.T @ infl)


# --------------------------------------------------------------------------------- pair helpers ----
@dataclass
class _PairContext:
    """Step-1 results as (n, p) arrays for the pairs (private)."""

    x: np.ndarray
    unis: list
    lay: _Layout

    def __post_init__(self) -> None:
        n = self.x.shape[0]
        zero = np.zeros(n)
        self.up = np.column_stack([u.upper if u.ordinal else zero for u in self.unis])
        self.lo = np.column_stack([u.lower if u.ordinal else zero for u in self.unis])
        self.z = np.column_stack([zero if u.ordinal else u.resid / np.sqrt(u.theta[-1]) for u in self.unis])


def _fit_oo(ctx: _PairContext, a: np.ndarray, b: np.ndarray, raw: np.ndarray):
    """Residual polychoric correlations of ordinal pairs (a, b), all at once."""
    ua, la, ub, lb = ctx.up[:, a], ctx.lo[:, a], ctx.up[:, b], ctx.lo[:, b]

    def loglik(r, idx, deriv):
        lik, d1, d2 = _oo_lik(r[None, :], ua[:, idx], la[:, idx], ub[:, idx], lb[:, idx], deriv)
        ok = lik >= _SQRT_EPS                                     # lavaan: smaller likelihoods are NA
        safe = np.where(ok, lik, 1.0)
        ll = np.where(ok, np.log(safe), 0.0).sum(axis=0)
        s = np.where(ok, d1 / safe, 0.0)
        h = np.where(ok, d2 / safe, 0.0).sum(axis=0) - (s * s).sum(axis=0)
        return ll, s.sum(axis=0), h, (s * s).sum(axis=0)

    start = _pearson_start(raw[:, a], raw[:, b])
    return _rho_newton(loglik, start, _BOUND_ORD)


def _mix_roles(ctx: _PairContext, a: np.ndarray, b: np.ndarray):
    """(continuous, ordinal) variable indices of mixed pairs."""
    a_ord = np.array([ctx.unis[i].ordinal for i in a])
    return np.where(a_ord, b, a), np.where(a_ord, a, b)


def _fit_mix(ctx: _PairContext, a: np.ndarray, b: np.ndarray, raw: np.ndarray):
    """Residual polyserial correlations (continuous x ordinal), all at once."""
    c, o = _mix_roles(ctx, a, b)
    z, u, lo = ctx.z[:, c], ctx.up[:, o], ctx.lo[:, o]
    sd_c = np.sqrt(np.array([ctx.unis[i].theta[-1] for i in c]))
    py1 = _dnorm(z) / sd_c[None, :]

    def loglik(r, idx, deriv):
        pr, d1, d2 = _mix_lik(r[None, :], z[:, idx], u[:, idx], lo[:, idx], deriv)
        ok = py1[:, idx] * pr >= _SQRT_EPS                        # lavaan: smaller likelihoods are NA
        ll = np.where(ok, np.log(pr), 0.0).sum(axis=0)
        s = np.where(ok, d1 / pr, 0.0)
        h = np.where(ok, d2 / pr, 0.0).sum(axis=0) - (s * s).sum(axis=0)
        return ll, s.sum(axis=0), h, (s * s).sum(axis=0)

    # lavaan's start: cor(z, y) * sd_ML(y) / sum(dnorm(thresholds)), halved when above 0.9
    y = raw[:, o]
    dens = np.array([_dnorm(ctx.unis[i].theta[:ctx.lay.nth[i]]).sum() for i in o])
    start = _pearson_start(z, y) * y.std(axis=0) / dens
    start = np.where(np.abs(start) > 0.9, start / 2.0, start)
    return _rho_newton(loglik, start, _BOUND_MIX)


def _fit_cc(ctx: _PairContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlations of the regression residuals of continuous pairs (lavaan: no optimization)."""
    return _pearson_start(ctx.z[:, a], ctx.z[:, b])


def _scores_oo(ctx: _PairContext, a: np.ndarray, b: np.ndarray, r: np.ndarray):
    """Polychoric pairs: s_rho and, per member, the coefficients (U, L) of its threshold indicators."""
    ua, la, ub, lb = ctx.up[:, a], ctx.lo[:, a], ctx.up[:, b], ctx.lo[:, b]
    lik, d1, _ = _oo_lik(r, ua, la, ub, lb, True)
    ok = lik > _SQRT_EPS                                          # lavaan: smaller likelihoods are NA
    inv = np.where(ok, 1.0 / np.where(ok, lik, 1.0), 0.0)
    rr = np.sqrt(1.0 - r * r)

    def edge(u_, l_, uo, lo_):                                    # d lik / d (upper, lower bound of one item)
        zu = _dnorm(u_) * (ndtr((uo - r * u_) / rr) - ndtr((lo_ - r * u_) / rr))
        zl = _dnorm(l_) * (ndtr((uo - r * l_) / rr) - ndtr((lo_ - r * l_) / rr))
        return zu * inv, zl * inv

    return d1 * inv, [(a, "ord", edge(ua, la, ub, lb)), (b, "ord", edge(ub, lb, ua, la))]


def _scores_mix(ctx: _PairContext, a: np.ndarray, b: np.ndarray, r: np.ndarray):
    """Polyserial pairs: s_rho; (d/d intercept, d/d variance) of the continuous, (U, L) of the ordinal member."""
    c, o = _mix_roles(ctx, a, b)
    z, u, lo = ctx.z[:, c], ctx.up[:, o], ctx.lo[:, o]
    var_c = np.array([ctx.unis[i].theta[-1] for i in c])[None, :]
    rr = np.sqrt(1.0 - r * r)
    t1, t2 = (u - r * z) / rr, (lo - r * z) / rr
    f1, f2 = _dnorm(t1), _dnorm(t2)
    pinv = 1.0 / np.maximum(ndtr(t1) - ndtr(t2), _EPS)
    s = pinv * (f1 * (u * r - z) - f2 * (lo * r - z)) / rr ** 3
    diff = (f1 - f2) * pinv
    mu = (z + diff * r / rr) / np.sqrt(var_c)
    var = ((z * z - 1.0) + diff * r * z / rr) / (2.0 * var_c)
    return s, [(c, "cont", (mu, var)), (o, "ord", (f1 * pinv / rr, f2 * pinv / rr))]


def _scores_cc(ctx: _PairContext, a: np.ndarray, b: np.ndarray, r: np.ndarray):
    """Pearson pairs of residuals: s_rho and each member's (d/d intercept, d/d variance)."""
    e1 = np.column_stack([ctx.unis[i].resid for i in a])
    e2 = np.column_stack([ctx.unis[i].resid for i in b])
    v1 = np.array([ctx.unis[i].theta[-1] for i in a])[None, :]
    v2 = np.array([ctx.unis[i].theta[-1] for i in b])[None, :]
    s12 = np.sqrt(v1 * v2)
    one = 1.0 - r * r
    cross = e1 * e2 / s12
    quad = e1 * e1 / v1 - 2.0 * r * cross + e2 * e2 / v2
    s = r / one + cross / one - quad * r / (one * one)
    mu1 = (e1 / v1 - r * e2 / s12) / one
    mu2 = (e2 / v2 - r * e1 / s12) / one
    var1 = -(0.5 / v1 - (e1 * e1 / (v1 * v1) - r * cross / v1) / (2.0 * one))
    var2 = -(0.5 / v2 - (e2 * e2 / (v2 * v2) - r * cross / v2) / (2.0 * one))
    return s, [(a, "cont", (mu1, var1)), (b, "cont", (mu2, var2))]


def _pair_scores(ctx: _PairContext, kind: int, a: np.ndarray, b: np.ndarray, rho: np.ndarray):
    """Casewise scores of rho (n, m) and the rows of A21 (m, d1) = sum_i s_rho * d log L_pair / d theta_1.

    An ordinal member's derivatives are ``1{c = k} U - 1{c = k + 1} L`` for threshold k and ``(L - U) x``
    for its slopes; a continuous member's are ``M`` (intercept), ``M x`` (slopes) and ``V`` (variance).
    """
    score_fn = {2: _scores_oo, 1: _scores_mix, 0: _scores_cc}[kind]
    s, members = score_fn(ctx, a, b, rho[None, :])
    m, lay = a.size, ctx.lay
    a21 = np.zeros((m, lay.d1))
    rows_m = np.arange(m)
    for var_idx, what, (first, second) in members:
        w1, w2 = first * s, second * s                                   # (n, m)
        if what == "ord":
            for j, v in enumerate(var_idx):
                codes, k = ctx.unis[v].codes, lay.nth[v]
                a21[j, lay.th_start[v]:lay.th_start[v] + k] = (
                    np.bincount(codes, weights=w1[:, j], minlength=k + 1)[:k]
                    - np.bincount(codes, weights=w2[:, j], minlength=k + 1)[1:])
            a21[rows_m[:, None], lay.sl_col[var_idx]] = np.einsum("nm,nk->mk", w2 - w1, ctx.x)
        else:
            a21[rows_m, lay.th_start[var_idx]] = w1.sum(axis=0)
            a21[rows_m[:, None], lay.sl_col[var_idx]] = np.einsum("nm,nk->mk", w1, ctx.x)
            a21[rows_m, lay.var_col[var_idx]] = w2.sum(axis=0)
    return s, a21


# ------------------------------------------------------------------------------------- checks ----
def _check_names(ordered: list[str], continuous: list[str], exogenous: list[str]) -> None:
    if not ordered:
        raise DataError("ordinal_conditional_moments: at least one ordered (ordinal) variable is needed")
    if not exogenous:
        raise DataError("ordinal_conditional_moments: at least one exogenous covariate is needed; without "
                        "covariates use polychoric_acov")
    every = ordered + continuous + exogenous
    dup = sorted({v for v in every if every.count(v) > 1})
    if dup:
        raise DataError(f"ordinal_conditional_moments: variable(s) named more than once (a variable is either "
                        f"ordered, continuous or exogenous): {', '.join(dup)}")


def _check_covariates(x: np.ndarray, names: list[str], n: int) -> None:
    q = x.shape[1]
    if n < q + 3:
        raise DataError(f"ordinal_conditional_moments: {n} complete case(s); at least {q + 3} are needed")
    const = [nm for nm, s in zip(names, x.std(axis=0)) if not s > 0]
    if const:
        raise DataError(f"ordinal_conditional_moments: constant covariate(s) (zero variance): {', '.join(const)}")
    x1 = np.hstack([np.ones((n, 1)), x])
    if np.linalg.matrix_rank(x1) < q + 1:
        raise DataError(f"ordinal_conditional_moments: the covariates {', '.join(names)} are collinear "
                        f"(with each other or the intercept)")


def _resolve(data: Any, cols: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Float copy of the named columns, and the order of the columns in the caller's data."""
    try:
        items = resolve_items(data, {"variables": cols}).items
    except DataError as exc:
        raise DataError(f"ordinal_conditional_moments: {exc}") from None
    frame = data if isinstance(data, pd.DataFrame) else data.data
    return items, [str(c) for c in frame.columns]
