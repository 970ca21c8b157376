"""Standard errors (expected, observed, robust sandwich) and defined parameters (delta method)."""

from __future__ import annotations

import numpy as np
from scipy import special

from .objectives import ml as ml_obj

__all__ = ["numeric_hessian", "numeric_jacobian", "safe_inverse", "vcov_expected", "vcov_observed",
           "casewise_scores", "vcov_sandwich", "wald_table", "vcov_for", "cluster_sums",
           "cluster_checks", "MIN_CLUSTERS_WARN", "ls_unit_information"]

MIN_CLUSTERS_WARN = 30


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
    if not np.all(np.isfinite(M)):  # an information matrix with NaN/inf (an improper point): no inverse
        return np.full(M.shape, np.nan), False
    try:
        eig = np.linalg.eigvalsh(M)
        ok = eig.min() > 1e-10 * max(eig.max(), 1e-300)
        return np.linalg.inv(M), bool(ok)
    except np.linalg.LinAlgError:
        try:
            return np.linalg.pinv(M), False
        except np.linalg.LinAlgError:
            return np.full(M.shape, np.nan), False


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
        sc = ml_obj.ml_casewise_scores(ss.data, imp["sigma"], mu, Si, dsigma, dmu, objective.meanstructure)
        w = getattr(ss, "case_weights", None)
        out.append(sc if w is None else sc * w[:, None])  # sampling weights multiply the scores (lavaan)
    return out


def vcov_sandwich(A_unit: np.ndarray, scores: list[np.ndarray], ntotal: int, H=None) -> tuple[np.ndarray, bool]:
    """Huber-White sandwich ``A^-1 B A^-1`` with A = N * unit information and B = sum of score cross-products
    (A^-1 on the constrained space when ``H`` is given)."""
    Ainv, ok = info_inverse(ntotal * A_unit, H)
    B = sum(s.T @ s for s in scores)
    return Ainv @ B @ Ainv, ok


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
    p = 2 * special.ndtr(-np.abs(z))  # raw ufuncs: scipy.stats objects cost ~100x more per call
    crit = float(special.ndtri(1 - (1 - level) / 2))
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


# --------------------------------------------------------------------------------------------- clusters


def cluster_sums(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Sum the rows of ``scores`` within clusters (rows of the result in sorted cluster order).

    Examples
    --------
    >>> cluster_sums(np.array([[1.0], [2.0], [4.0]]), np.array(["b", "a", "b"])).ravel().tolist()
    [2.0, 5.0]
    """
    uniq, inv = np.unique(ids, return_inverse=True)
    out = np.zeros((len(uniq), scores.shape[1]))
    np.add.at(out, np.asarray(inv).ravel(), scores)
    return out


def cluster_checks(ids: np.ndarray) -> list[str]:
    """Errors (raised) and warnings (returned) about the number of clusters.

    Fewer than 2 clusters: error. Fewer than 30: warning -- cluster-robust standard errors are biased downwards
    with few clusters, and lavaan corrects only by C / (C - 1).

    Examples
    --------
    >>> cluster_checks(np.repeat(np.arange(40), 5))
    []
    >>> cluster_checks(np.repeat(np.arange(10), 5))[0][:40]
    'only 10 clusters: cluster-robust standar'
    """
    import pandas as pd

    from ..errors import DataError

    C = len(np.unique(ids))
    if C < 2:
        raise DataError(f"cluster-robust standard errors need at least 2 clusters, got {C}")
    out = []
    if C < MIN_CLUSTERS_WARN:
        out.append(f"only {C} clusters: cluster-robust standard errors and the scaled test are biased (too small / "
                   f"too liberal) with fewer than about {MIN_CLUSTERS_WARN} clusters; interpret with caution or "
                   "use a multilevel model")
    sizes = pd.Series(ids).value_counts()
    if (sizes == 1).mean() > 0.5:
        out.append("more than half of the clusters have a single case: clustering hardly matters here")
    return out


def cluster_scores(scores: list[np.ndarray], ids: np.ndarray) -> list[np.ndarray]:
    """Casewise scores summed within clusters, times ``sqrt(C / (C - 1))`` (lavaan's small-sample factor)."""
    C = len(np.unique(ids))
    return [cluster_sums(s, ids) * np.sqrt(C / (C - 1)) for s in scores]


# --------------------------------------------------------------------------------------------- vcov of a fit


def ls_unit_information(objective, theta) -> tuple[np.ndarray, list[np.ndarray]]:
    """``E = sum_g f_g Delta_g' W_g Delta_g`` of a least-squares fit and the Jacobians of its blocks."""
    Ds = objective.deltas(theta)
    E = np.zeros((objective.nfree, objective.nfree))
    for b, f, D in zip(objective.blocks_, objective.weights, Ds):
        E += f * (D.T @ b.weigh(D))
    return (E + E.T) / 2, Ds


def info_inverse(A: np.ndarray, H: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Inverse of an information matrix, on the constrained parameter space when ``H`` (the Jacobian of general
    equality and active inequality constraints) is given."""
    if H is None:
        return safe_inverse(A)
    from .constraints import constrained_inverse

    return constrained_inverse(A, H)


def vcov_for(options, objective, theta: np.ndarray, stats, models, design, df: int, H=None) -> dict:
    """Covariance matrix of the estimates of the kind ``options.se``; also the information matrices and
    casewise scores later steps reuse.

    ML family (``objective.blocks_`` absent): "standard" ``(N A)^-1`` with A the unit expected or observed
    information; "robust.huber.white" and "robust.sem" the sandwich ``A^-1 B A^-1`` with B the cross-products of
    the casewise scores (with the expected information and ML estimates this equals lavaan's robust.sem
    ``E^-1 Delta' W Gamma W Delta E^-1 / N``, because ``Delta' W (s - sigma) = 0`` at the ML estimates);
    "robust.cluster" the same with scores summed within clusters times ``sqrt(C / (C - 1))``.

    Least squares: with ``E = sum_g f_g Delta_g' W_g Delta_g`` (unit information), "standard" ``E^-1 / (N - G)``
    (for WLS the ADF covariance; for ULS and DWLS lavaan's naive, not sandwich, matrix) and "robust.sem"
    ``E^-1 (sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g) E^-1 / (N - G)`` (lavaan's ``N - G``).
    """
    N = objective.ntotal
    out: dict = {"warnings": [], "scores": None, "obs_unit": None}
    q = objective.nfree
    if hasattr(objective, "blocks_"):
        E, Ds = ls_unit_information(objective, theta)
        out["E_unit"] = E
        out["deltas"] = Ds
        E_inv, ok = info_inverse(E, H)
        out["E_inv"] = E_inv
        G = len(objective.blocks_)
        nn = N - G  # lavaan: N - G for every least-squares estimator
        if options.se == "none":
            vcov = np.full((q, q), np.nan)
        elif options.se == "standard":
            vcov = E_inv / nn
        else:
            B = np.zeros((q, q))
            for b, f, D in zip(objective.blocks_, objective.weights, Ds):
                WD = b.weigh(D)
                B += f * (WD.T @ b.gamma @ WD)
            vcov = E_inv @ B @ E_inv / nn
        A_unit = E
    else:
        _g, E_unit = objective.grad_info(theta)
        out["E_unit"] = E_unit
        need_obs = options.information == "observed" or options.test == "yuan.bentler.mplus"
        obs_unit = observed_information(objective, theta) if need_obs else None
        out["obs_unit"] = obs_unit
        A_unit = obs_unit if options.information == "observed" else E_unit
        out["A_unit"] = A_unit
        robust = options.se in ("robust.huber.white", "robust.sem", "robust.cluster")
        if robust or options.test == "yuan.bentler.mplus":
            out["scores"] = (objective.casewise_scores(theta) if hasattr(objective, "casewise_scores")
                             else casewise_scores(objective, theta))
        if options.se == "none":
            vcov, ok = np.full((q, q), np.nan), True
        elif options.se == "robust.cluster":
            sc = cluster_scores(out["scores"], design.cluster_ids)
            vcov, ok = vcov_sandwich(A_unit, sc, N, H)
        elif robust:
            vcov, ok = vcov_sandwich(A_unit, out["scores"], N, H)
        else:
            vcov, ok = info_inverse(N * A_unit, H)
    if not ok:
        out["warnings"].append("the information matrix is singular or nearly so (the model may not be identified); "
                               "standard errors are unreliable")
    elif options.se != "none":
        ev = np.linalg.eigvalsh(A_unit)
        if ev.min() > 0 and ev.max() / ev.min() > 1e12:
            out["warnings"].append(f"the information matrix has a large condition number "
                                   f"({ev.max() / ev.min():.3g}); standard errors may be unreliable")
    out["vcov"] = vcov
    return out
