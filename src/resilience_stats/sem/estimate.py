"""One optimizer over a single free-parameter vector, shared by all groups.

Equality constraints are built into the parameter table (rows sharing a free index), so the optimizer works on an
unconstrained vector. The default method is Fisher scoring (Gauss-Newton with the expected information) with a
step-halving line search; when it fails, scipy's BFGS with the analytic gradient takes over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from .data import SampleStats
from .model import RAMModel
from .objectives import ml as ml_obj

__all__ = ["MLObjective", "OptimResult", "fisher_scoring", "minimize", "quasi_newton"]


class MLObjective:
    """Multi-group ML discrepancy ``F = sum_g (N_g / N) F_g`` for complete data.

    Parameters
    ----------
    models : list of RAMModel
    stats : list of SampleStats
    meanstructure : bool
    """

    def __init__(self, models: list[RAMModel], stats: list[SampleStats], meanstructure: bool):
        self.models = models
        self.stats = stats
        self.meanstructure = meanstructure
        ntot = sum(s.nobs for s in stats)
        self.weights = [s.nobs / ntot for s in stats]
        self.ntotal = ntot
        self.nfree = models[0].nfree

    def value(self, theta: np.ndarray) -> float:
        f = 0.0
        for mod, ss, w in zip(self.models, self.stats, self.weights):
            imp = mod.implied(theta)
            logdet_s = ss.logdet_cov if np.isfinite(ss.logdet_cov) else 0.0  # constant; singular S: see api
            fg = ml_obj.ml_value(imp["sigma"], imp["mu"], ss.cov, ss.mean, logdet_s, self.meanstructure)
            if not np.isfinite(fg):
                return np.inf
            f += w * fg
        return f

    def group_parts(self, theta: np.ndarray):
        """Per group: implied moments, Jacobian, dF/dSigma, dF/dmu and Sigma^-1."""
        out = []
        for mod, ss in zip(self.models, self.stats):
            imp = mod.implied(theta)
            dsigma, dmu = mod.jacobian(imp)
            dS, dm, Si = ml_obj.ml_derivatives(imp["sigma"], imp["mu"], ss.cov, ss.mean, self.meanstructure)
            out.append((imp, dsigma, dmu, dS, dm, Si))
        return out

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray | None]:
        """F and its gradient in one pass (one Cholesky per group); ``(inf, None)`` if Sigma is not PD.

        Needs finite ``log|S|`` (a positive definite sample covariance); otherwise use ``value``/``gradient``.
        """
        f = 0.0
        g = np.zeros(self.nfree)
        ms = self.meanstructure
        for mod, ss, w in zip(self.models, self.stats, self.weights):
            imp = mod.implied(theta)
            try:
                L = np.linalg.cholesky(imp["sigma"])
            except np.linalg.LinAlgError:
                return np.inf, None
            Li = np.linalg.inv(L)
            Si = Li.T @ Li
            logdet = 2.0 * np.log(np.diag(L)).sum()
            Seff = ss.cov
            dm = None
            if ms:
                d = ss.mean - imp["mu"]
                Seff = Seff + np.outer(d, d)
                dm = -(Si @ d)
            SiS = Si @ Seff
            f += w * 0.5 * (logdet + np.trace(SiS) - ss.logdet_cov - ss.p)
            g += w * mod.gradient_contract(imp, 0.5 * (Si - SiS @ Si), dm)
        return f, g

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        g = np.zeros(self.nfree)
        for mod, ss, w in zip(self.models, self.stats, self.weights):
            imp = mod.implied(theta)
            dS, dm, _Si = ml_obj.ml_derivatives(imp["sigma"], imp["mu"], ss.cov, ss.mean, self.meanstructure)
            g += w * mod.gradient_contract(imp, dS, dm if self.meanstructure else None)
        return g

    def grad_info(self, theta: np.ndarray):
        """Gradient of F and the (weighted) unit expected information."""
        g = np.zeros(self.nfree)
        H = np.zeros((self.nfree, self.nfree))
        for (imp, dsigma, dmu, dS, dm, Si), w in zip(self.group_parts(theta), self.weights):
            g += w * (dsigma.reshape(self.nfree, -1) @ dS.reshape(-1))
            if self.meanstructure:
                g += w * (dmu @ dm)
            H += w * ml_obj.ml_expected_information(Si, dsigma, dmu, self.meanstructure)
        return g, H


@dataclass
class OptimResult:
    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    method: str
    message: str = ""


def fisher_scoring(objective, theta0: np.ndarray, maxit: int = 500, tol: float = 1e-9,
                   n_scoring: int = 8) -> OptimResult:
    """Fisher scoring, then BFGS updates started from the expected information.

    Pure scoring converges only linearly when the model misfits; after ``n_scoring`` scoring steps the expected
    information is used as the initial Hessian approximation of a BFGS iteration (analytic gradient, Armijo
    step halving), which converges superlinearly. Stops when the largest absolute gradient element is below
    ``tol`` or F stops changing.

    Examples
    --------
    >>> class Quad:
    ...     def value(self, t): return float(((t - 1.0) ** 2).sum())
    ...     def gradient(self, t): return 2 * (t - 1.0)
    ...     def grad_info(self, t): return 2 * (t - 1.0), 2 * np.eye(len(t))
    >>> fisher_scoring(Quad(), np.zeros(2)).theta.round(6).tolist()
    [1.0, 1.0]
    """
    theta = np.asarray(theta0, dtype=float).copy()
    f = objective.value(theta)
    if not np.isfinite(f):
        return OptimResult(theta, f, False, 0, "fisher", "objective not finite at the starting values")
    Bk = None
    g = None
    for it in range(1, maxit + 1):
        scoring = it <= n_scoring
        if scoring or Bk is None:
            g, H = objective.grad_info(theta)
            Bk = H
        if np.max(np.abs(g)) < tol:
            return OptimResult(theta, f, True, it, "fisher")
        step = -_solve(Bk, g)
        slope = g @ step
        if not slope < 0:  # not a descent direction: restart from the expected information
            g, Bk = objective.grad_info(theta)
            step = -_solve(Bk, g)
            slope = g @ step
            if not slope < 0:  # information singular/indefinite here: steepest descent
                step = -g
                slope = -(g @ g)
        t = 1.0
        accepted = False
        while t > 1e-12:
            new = theta + t * step
            fnew = objective.value(new)
            if np.isfinite(fnew) and fnew <= f + 1e-4 * t * slope:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            converged = np.max(np.abs(g)) < 1e-6
            return OptimResult(theta, f, converged, it, "fisher", "line search failed")
        gnew = objective.gradient(new)
        s_vec, y_vec = new - theta, gnew - g
        sy = s_vec @ y_vec
        if not scoring and sy > 1e-16:
            Bs = Bk @ s_vec
            Bk = Bk - np.outer(Bs, Bs) / (s_vec @ Bs) + np.outer(y_vec, y_vec) / sy
        change = f - fnew
        theta, f, g = new, fnew, gnew
        if np.max(np.abs(g)) < tol:
            return OptimResult(theta, f, True, it, "fisher")
        if np.max(np.abs(s_vec)) < 1e-13 and change <= 1e-15 * max(1.0, abs(f)):
            return OptimResult(theta, f, bool(np.max(np.abs(g)) < 1e-6), it, "fisher", "no further progress")
    return OptimResult(theta, f, False, maxit, "fisher", "iteration limit reached")


def _solve(B: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Solve B x = g; least squares when B is singular."""
    try:
        return np.linalg.solve(B, g)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(B, g, rcond=None)[0]


def minimize(objective, theta0: np.ndarray, maxit: int = 500) -> OptimResult:
    """Fisher scoring, with a BFGS fallback (analytic gradient) when scoring does not converge."""
    res = fisher_scoring(objective, theta0, maxit=maxit)
    if res.converged:
        return res
    start = res.theta if np.isfinite(res.fmin) else theta0

    def fun(t):
        v = objective.value(t)
        return v if np.isfinite(v) else 1e10

    sp = optimize.minimize(fun, start, jac=objective.gradient, method="BFGS",
                           options=dict(maxiter=2000, gtol=1e-9))
    g = objective.gradient(sp.x)
    theta = sp.x
    if np.isfinite(sp.fun):  # polish with scoring from the BFGS solution
        res2 = fisher_scoring(objective, theta, maxit=50)
        if np.isfinite(res2.fmin) and res2.fmin <= sp.fun + 1e-12:
            return OptimResult(res2.theta, res2.fmin, res2.converged or np.max(np.abs(g)) < 1e-6,
                               res.iterations + sp.nit + res2.iterations, "fisher+bfgs", res2.message)
    return OptimResult(theta, float(sp.fun), bool(np.max(np.abs(g)) < 1e-6), res.iterations + sp.nit,
                       "fisher+bfgs", str(sp.message))


def quasi_newton(objective, theta0: np.ndarray, Hinv0: np.ndarray, tol: float = 1e-7,
                 maxit: int = 100) -> OptimResult:
    """BFGS (inverse-Hessian form) from a given inverse Hessian, Armijo backtracking (warm starts: refits).

    Only value and gradient are evaluated (in one pass when the objective has ``value_and_gradient`` and the
    sample covariance is positive definite), so a warm-started refit of nearby data takes a handful of cheap
    iterations. Converged when ``max |gradient| < tol``.

    Examples
    --------
    >>> class Quad:
    ...     def value(self, t): return float(((t - 1.0) ** 2).sum())
    ...     def gradient(self, t): return 2 * (t - 1.0)
    >>> r = quasi_newton(Quad(), np.zeros(2), 0.5 * np.eye(2))
    >>> r.converged, r.theta.round(6).tolist()
    (True, [1.0, 1.0])
    """
    fast = hasattr(objective, "value_and_gradient") and all(
        np.isfinite(getattr(s, "logdet_cov", np.nan)) for s in getattr(objective, "stats", [None]))

    def fg(t):
        if fast:
            return objective.value_and_gradient(t)
        v = objective.value(t)
        return (v, objective.gradient(t)) if np.isfinite(v) else (np.inf, None)

    theta = np.asarray(theta0, dtype=float).copy()
    f, g = fg(theta)
    if g is None:
        return OptimResult(theta, f, False, 0, "quasi-newton", "objective not finite at the start")
    Hi = Hinv0.copy()
    for it in range(1, maxit + 1):
        if np.max(np.abs(g)) < tol:
            return OptimResult(theta, f, True, it, "quasi-newton")
        step = -(Hi @ g)
        slope = g @ step
        if not slope < 0:
            Hi = Hinv0.copy()
            step = -(Hi @ g)
            slope = g @ step
        t = 1.0
        while True:
            new = theta + t * step
            fn, gn = fg(new)
            if gn is not None and fn <= f + 1e-4 * t * slope:
                break
            t *= 0.5
            if t < 1e-10:
                return OptimResult(theta, f, False, it, "quasi-newton", "line search failed")
        s_vec, y_vec = new - theta, gn - g
        sy = s_vec @ y_vec
        if sy > 1e-16:
            rho = 1.0 / sy
            Hy = Hi @ y_vec
            Hi = Hi + (rho * rho * (y_vec @ Hy) + rho) * np.outer(s_vec, s_vec) - rho * (
                np.outer(Hy, s_vec) + np.outer(s_vec, Hy))
        theta, f, g = new, fn, gn
    return OptimResult(theta, f, bool(np.max(np.abs(g)) < tol), maxit, "quasi-newton", "iteration limit reached")
