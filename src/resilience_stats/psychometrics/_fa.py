"""Unrotated factor extraction as psych's ``fa`` does it (private): minres, ml and iterated principal axis.

* ``minres`` minimises the sum of squared off-diagonal residuals over the uniquenesses with L-BFGS-B,
  starting from ``1 - SMC`` and bounded to [0.005, 1], using psych's objective and gradient; loadings are the
  first eigenvectors of ``R - diag(psi)`` scaled by the square roots of their (non-negative) eigenvalues.
* ``ml`` minimises the ML discrepancy of the eigenvalues of ``Psi^-1/2 R Psi^-1/2`` (factanal's criterion)
  with its analytic gradient, same start and bounds.
* ``pa`` iterates principal axes with SMCs as first communalities until the sum of communalities changes by
  less than ``min_err`` (0.001) or ``max_iter`` (50) iterations, exactly psych's stopping rule.

The optimiser works on ``100 * psi`` (R's ``parscale = 0.01``) with R's default tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from ._common import smc

__all__ = ["Extraction", "extract", "minres_objective", "minres_gradient"]

_EPS = np.finfo(float).eps


@dataclass
class Extraction:
    loadings: np.ndarray        # p x k, column signs so that column sums are positive
    communality: np.ndarray     # diag(L L')
    values: np.ndarray          # eigenvalues of R with the communalities on the diagonal
    e_values: np.ndarray        # eigenvalues of R
    converged: bool
    iterations: int
    message: str


def _top_eigen(s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    vals, vecs = np.linalg.eigh(s)
    order = np.argsort(vals)[::-1]
    return vals[order][:k], vecs[:, order][:, :k]


def minres_objective(psi: np.ndarray, r: np.ndarray, k: int) -> float:
    """psych's ``fit.residuals`` (fm = "minres"): sum of squared lower-triangle residuals."""
    s = r.copy()
    np.fill_diagonal(s, 1.0 - psi)
    vals, vecs = _top_eigen(s, k)
    vals = np.where(vals < _EPS, 100 * _EPS, vals)
    lam = vecs * np.sqrt(vals)
    res = s - lam @ lam.T
    il = np.tril_indices_from(res, -1)
    return float((res[il] ** 2).sum())


def minres_gradient(psi: np.ndarray, r: np.ndarray, k: int) -> np.ndarray:
    """psych's ``FAgr.minres``: diag(L L' + diag(psi) - R) with L from ``R - diag(psi)``."""
    vals, vecs = _top_eigen(r - np.diag(psi), k)
    lam = vecs * np.sqrt(np.maximum(vals, 0.0))
    return np.einsum("ij,ij->i", lam, lam) + psi - np.diag(r)


def _ml_objective(psi: np.ndarray, r: np.ndarray, k: int) -> float:
    sc = 1.0 / np.sqrt(psi)
    e = np.sort(np.linalg.eigvalsh(r * np.outer(sc, sc)))[::-1][k:]
    return float(-(np.sum(np.log(e) - e) - k + r.shape[0]))


def _ml_gradient(psi: np.ndarray, r: np.ndarray, k: int) -> np.ndarray:
    sc = 1.0 / np.sqrt(psi)
    vals, vecs = _top_eigen(r * np.outer(sc, sc), k)
    load = vecs * np.sqrt(np.maximum(vals - 1.0, 0.0))
    load = np.sqrt(psi)[:, None] * load
    g = np.einsum("ij,ij->i", load, load) + psi - np.diag(r)
    return g / psi**2


def _ml_loadings(psi: np.ndarray, r: np.ndarray, k: int) -> np.ndarray:
    sc = 1.0 / np.sqrt(psi)
    vals, vecs = _top_eigen(r * np.outer(sc, sc), k)
    return np.sqrt(psi)[:, None] * (vecs * np.sqrt(np.maximum(vals - 1.0, 0.0)))


def _uls_loadings(psi: np.ndarray, r: np.ndarray, k: int) -> np.ndarray:
    vals, vecs = _top_eigen(r - np.diag(psi), k)
    return vecs * np.sqrt(np.maximum(vals, 0.0))


def _lbfgsb(fun, grad, start, r, k, upper):
    scale = 0.01  # R: parscale = 0.01 -> optimise x = psi / 0.01
    res = minimize(
        lambda x: fun(x * scale, r, k),
        start / scale,
        jac=lambda x: grad(x * scale, r, k) * scale,
        method="L-BFGS-B",
        bounds=[(0.005 / scale, upper / scale)] * len(start),
        options={"maxcor": 5, "ftol": 1e7 * _EPS, "gtol": 0.0, "maxiter": 100},
    )
    return res.x * scale, bool(res.success), int(res.nit), str(res.message)


def _sign(loadings: np.ndarray) -> np.ndarray:
    s = np.sign(loadings.sum(axis=0))
    s[s == 0] = 1.0
    return loadings * s


def extract(r: np.ndarray, k: int, method: str = "minres", min_err: float = 0.001,
            max_iter: int = 50) -> Extraction:
    """Unrotated ``k``-factor solution of correlation matrix ``r`` as psych's ``fa(..., rotate = "none")``."""
    p = r.shape[0]
    s_smc = smc(r)
    e_values = np.sort(np.linalg.eigvalsh(r))[::-1]
    if method in ("minres", "ml"):
        upper = max(s_smc.max(), 1.0)
        start = np.diag(r) - s_smc
        if method == "minres":
            psi, ok, nit, msg = _lbfgsb(minres_objective, minres_gradient, start, r, k, upper)
            lam = _uls_loadings(psi, r, k)
        else:
            psi, ok, nit, msg = _lbfgsb(_ml_objective, _ml_gradient, start, r, k, upper)
            lam = _ml_loadings(psi, r, k)
    elif method == "pa":
        rm = r.copy()
        if k <= p:
            np.fill_diagonal(rm, s_smc)
        comm = np.trace(rm)
        err, it, ok, msg = comm, 1, True, "converged"
        lam = None
        while err > min_err:
            vals, vecs = _top_eigen(rm, k)
            lam = vecs * np.sqrt(vals.astype(complex)).real
            if np.any(vals < 0):
                msg = "negative eigenvalue among the retained factors"
            new = np.einsum("ij,ij->i", lam, lam)
            comm1 = new.sum()
            np.fill_diagonal(rm, new)
            err = abs(comm - comm1)
            comm = comm1
            it += 1
            if it > max_iter:
                ok, msg = False, f"maximum iteration ({max_iter}) exceeded"
                break
        nit = it - 1
    else:  # pragma: no cover - validated by the caller
        raise ValueError(method)
    lam = _sign(lam)
    h2 = np.einsum("ij,ij->i", lam, lam)
    s = r.copy()
    np.fill_diagonal(s, h2)
    values = np.sort(np.linalg.eigvalsh(s))[::-1]
    return Extraction(loadings=lam, communality=h2, values=values, e_values=e_values, converged=ok,
                      iterations=nit, message=msg)
