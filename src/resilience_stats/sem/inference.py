"""Standard errors (expected, observed, robust sandwich) and defined parameters (delta method)."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from .objectives import ml as ml_obj

__all__ = ["numeric_hessian", "numeric_jacobian", "safe_inverse", "vcov_expected", "vcov_observed",
           "casewise_scores", "vcov_sandwich", "delta_method", "wald_table"]


def numeric_hessian(grad, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Hessian by five-point central differences of an analytic gradient (as lavaan's ``lav_model_hessian``).

    Examples
    --------
    >>> H = numeric_hessian(lambda t: np.array([2 * t[0] * t[1], t[0] ** 2]), np.array([1.0, 2.0]))
    >>> np.round(H, 6).tolist()
    [[4.0, 2.0], [2.0, 0.0]]
    """
    theta = np.asarray(theta, dtype=float)
    q = len(theta)
    H = np.empty((q, q))
    for j in range(q):
        e = np.zeros(q)
        e[j] = h
        H[:, j] = (grad(theta - 2 * e) - 8 * grad(theta - e) + 8 * grad(theta + e) - grad(theta + 2 * e)) / (12 * h)
    return (H + H.T) / 2


def numeric_jacobian(fun, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Jacobian of a vector function by central differences (rows: outputs)."""
    theta = np.asarray(theta, dtype=float)
    f0 = np.atleast_1d(fun(theta))
    J = np.empty((len(f0), len(theta)))
    for j in range(len(theta)):
        e = np.zeros(len(theta))
        e[j] = h * max(1.0, abs(theta[j]))
        J[:, j] = (np.atleast_1d(fun(theta + e)) - np.atleast_1d(fun(theta - e))) / (2 * e[j])
    return J


def safe_inverse(M: np.ndarray) -> tuple[np.ndarray, bool]:
    """Inverse of a symmetric information matrix; returns (inverse, ok). Falls back to a pseudo-inverse."""
    try:
        eig = np.linalg.eigvalsh(M)
        ok = eig.min() > 1e-10 * max(eig.max(), 1e-300)
        return np.linalg.inv(M), bool(ok)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(M), False


def vcov_expected(unit_info: np.ndarray, ntotal: int) -> tuple[np.ndarray, bool]:
    """Covariance of the estimates from the unit expected information: ``(N I)^-1``."""
    return safe_inverse(ntotal * unit_info)


def vcov_observed(objective, theta: np.ndarray, ntotal: int) -> tuple[np.ndarray, bool, np.ndarray]:
    """Covariance from the observed information (Hessian of the discrepancy ``fmin``, times N)."""
    H = numeric_hessian(objective.gradient, theta)
    V, ok = safe_inverse(ntotal * H)
    return V, ok, H


def casewise_scores(objective, theta: np.ndarray) -> list[np.ndarray]:
    """Per group, casewise scores (derivatives of each case's log-likelihood), shape (N_g, q)."""
    out = []
    for mod, ss in zip(objective.models, objective.stats):
        imp = mod.implied(theta)
        dsigma, dmu = mod.jacobian(imp)
        Si = np.linalg.inv(imp["sigma"])
        mu = imp["mu"] if objective.meanstructure else ss.mean
        out.append(ml_obj.ml_casewise_scores(ss.data, imp["sigma"], mu, Si, dsigma, dmu, objective.meanstructure))
    return out


def vcov_sandwich(A_unit: np.ndarray, scores: list[np.ndarray], ntotal: int) -> tuple[np.ndarray, bool]:
    """Huber-White sandwich ``A^-1 B A^-1`` with A = N * unit information and B = sum of score cross-products."""
    Ainv, ok = safe_inverse(ntotal * A_unit)
    B = sum(s.T @ s for s in scores)
    return Ainv @ B @ Ainv, ok


def delta_method(fun, theta: np.ndarray, vcov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and delta-method standard errors of ``fun(theta)`` (a vector function)."""
    val = np.atleast_1d(fun(theta))
    J = numeric_jacobian(fun, theta)
    V = J @ vcov @ J.T
    return val, np.sqrt(np.clip(np.diag(V), 0, None))


def wald_table(est: np.ndarray, se: np.ndarray, level: float = 0.95) -> dict[str, np.ndarray]:
    """z, two-sided p-value and normal-theory confidence interval for estimates with standard errors.

    Examples
    --------
    >>> t = wald_table(np.array([1.0]), np.array([0.5]))
    >>> round(float(t["z"][0]), 3), round(float(t["pvalue"][0]), 4)
    (2.0, 0.0455)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    p = 2 * sps.norm.sf(np.abs(z))
    crit = sps.norm.ppf(1 - (1 - level) / 2)
    lo = np.where(np.isfinite(se), est - crit * se, est)
    hi = np.where(np.isfinite(se), est + crit * se, est)
    return dict(z=z, pvalue=p, ci_lower=lo, ci_upper=hi)


def _pattern_hessian(Si, M, d, Do, Dm, w, with_mean: bool) -> np.ndarray:
    """First-order part (Delta' H_sigma Delta) of the Hessian of ``w * 0.5 [log|S| + tr(S^-1 M)]`` for one pattern.

    ``Do`` (q, po, po) and ``Dm`` (q, po) are the Jacobians of the pattern's Sigma block and mean.
    """
    X = Si @ Do  # (q, po, po)
    T1 = np.einsum("lab,kba->kl", X, X, optimize=True)
    P = Si @ M
    Z = P @ X
    T2 = np.einsum("lab,kba->kl", X, Z, optimize=True)
    H = -0.5 * T1 + T2
    if with_mean:
        u = Si @ d
        V = Do @ u  # (q, po)
        SDm = Dm @ Si  # (q, po)
        T3 = V @ SDm.T
        H = H + T3 + T3.T + SDm @ Dm.T
    return w * H


def observed_information(objective, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Unit observed information (Hessian of the discrepancy F) with analytic first-order part.

    Both parts are in closed form: ``Delta' (d2F / d sigma2) Delta`` per group (and per missing-data pattern for
    FIML), and ``sum_j (dF/d sigma_j) d2 sigma_j`` from :meth:`RAMModel.second_order_contract`. Equals lavaan's
    observed information (a numerical Hessian of the objective) to rounding.
    """
    if hasattr(objective, "observed_information"):
        return objective.observed_information(theta)
    q = len(theta)
    H = np.zeros((q, q))
    fiml = hasattr(objective, "casewise_scores")
    for mod, ss, w in zip(objective.models, objective.stats, objective.weights):
        imp = mod.implied(theta)
        sigma, mu = imp["sigma"], imp["mu"]
        dsigma, dmu = mod.jacobian(imp)
        p = len(mu)
        dS = np.zeros((p, p))
        dm = np.zeros(p)
        if fiml:
            with_mean = True
            from .objectives.fiml import pair_trace_matrix

            _imp, Si_all, M_all, d_all, w_all = objective.pattern_terms(mod, ss, theta)
            T1 = pair_trace_matrix(w_all, Si_all, Si_all, dsigma)
            # tr(Si D_l Si M Si D_k) = tr(Si D_l P D_k) with P = Si M Si
            T2 = pair_trace_matrix(w_all, Si_all, Si_all @ M_all @ Si_all, dsigma)
            U = np.einsum("pab,pb->pa", Si_all, d_all)
            V = np.einsum("kab,pb->pka", dsigma, U, optimize=True)
            SDm = np.einsum("pab,kb->pka", Si_all, dmu, optimize=True)
            T3 = np.einsum("p,pka,pla->kl", w_all, V, SDm, optimize=True)
            T4 = dmu @ np.einsum("p,pab->ab", w_all, Si_all) @ dmu.T
            H += -0.5 * T1 + T2 + T3 + T3.T + T4
            dS = np.einsum("p,pab->ab", 0.5 * w_all, Si_all - Si_all @ M_all @ Si_all)
            dm = -(w_all @ U)
            groups = []
        else:
            with_mean = objective.meanstructure
            groups = [(np.ones(p, bool), w, ss.mean if with_mean else mu, ss.cov)]
        for o, wp, ybar, S in groups:
            oi = np.flatnonzero(o)
            Si = np.linalg.inv(sigma[np.ix_(o, o)])
            d = ybar - mu[o] if with_mean else np.zeros(len(oi))
            M = S + np.outer(d, d)
            Do = dsigma[:, oi][:, :, oi]
            Dm = dmu[:, oi]
            H += _pattern_hessian(Si, M, d, Do, Dm, wp, with_mean)
            dS[np.ix_(oi, oi)] += wp * 0.5 * (Si - Si @ M @ Si)
            if with_mean:
                dm[oi] += -wp * (Si @ d)

        # part with second derivatives of the moments (closed form; zero without free directed effects)
        H += mod.second_order_contract(imp, dS, dm if with_mean else None)
    return (H + H.T) / 2
