"""General constraints of a model: nonlinear equalities (``b1 == (b2 + b3)^2``) and inequalities (``b1 > 0``).

Constraints between two labels or a label and a number are built into the parameter table (shared or fixed free
indices; :mod:`resilience_stats.sem.partable`). Everything else is kept here as functions of the free-parameter
vector and handled the way lavaan 0.6-14 does (``lav_constraints``, ``nlminb.constr``,
``lav_model_information_augment_invert``):

* **estimation** -- an augmented Lagrangian: minimize ``F(theta) - sum_k lambda_k c_k + (mu / 2) sum_k c_k^2`` over
  theta (an inequality ``c_k >= 0`` with ``c_k > lambda_k / mu`` is inactive and contributes the constant
  ``-lambda_k^2 / (2 mu)``), then ``lambda <- lambda - mu c`` (inequalities: ``max(0, .)``) while the constraints
  shrink, else ``mu <- 10 mu``, until ``max |c| < 1e-9`` (our own implementation; the inner minimizer is the
  engine's optimizer on the Lagrangian);
* **standard errors** -- the covariance of the free parameters is ``Z (Z' I Z)^-1 Z'`` with ``Z`` a basis of the
  null space of the Jacobian of the equality constraints and of the *active* inequality constraints (lavaan's
  augmented information inverse; a parameter on an active bound gets a standard error of about 0);
* **degrees of freedom** -- each nonredundant equality constraint adds one (``df = ndat - npar + rank``);
  inequality constraints, active or not, do not change df or the number of parameters (as lavaan).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError
from .estimate import OptimResult, minimize
from .syntax import eval_expression

__all__ = ["Constraints", "constrained_minimize", "null_space", "constrained_inverse"]

ACTIVE_TOL = 1e-5  # an inequality with c > ACTIVE_TOL at the solution is inactive (lavaan)


class Constraints:
    """The general constraints of a parameter table as functions of the free-parameter vector.

    Parameters
    ----------
    pt : pandas.DataFrame
        Parameter table with ``attrs["general_constraints"]`` and ``attrs["definitions"]``.

    Examples
    --------
    >>> from resilience_stats.sem.partable import build_partable
    >>> pt = build_partable("y ~ a*x1 + b*x2\\n a == b^2\\n b > 0.5")
    >>> cons = Constraints(pt)
    >>> cons.n_eq, cons.n_ineq
    (1, 1)
    >>> ceq, cin = cons.values(np.array([4.0, 2.0, 1.0]))
    >>> ceq.tolist(), cin.tolist()
    ([0.0], [1.5])
    """

    def __init__(self, pt: pd.DataFrame):
        self.general = list(pt.attrs.get("general_constraints", []))
        self.definitions = list(pt.attrs.get("definitions", []))
        self.source: dict[str, tuple] = {}
        free = pt["free"].to_numpy()
        ustart = pt["ustart"].to_numpy(dtype=float)
        for lab, plab, op, fr, us in zip(pt["label"], pt["plabel"], pt["op"], free, ustart):
            if op == ":=":
                continue
            value = ("free", int(fr) - 1) if fr > 0 else ("fixed", float(us) if np.isfinite(us) else 0.0)
            if lab and lab not in self.source:
                self.source[lab] = value
            self.source.setdefault(plab, value)
        self.eq = [(a, b, text) for a, o, b, text, _l in self.general if o == "=="]
        self.ineq = [(a, b, text) if o in (">", ">=") else (b, a, text)
                     for a, o, b, text, _l in self.general if o != "=="]
        self.n_eq, self.n_ineq = len(self.eq), len(self.ineq)

    def __bool__(self) -> bool:
        return bool(self.general)

    def _namespace(self, theta: np.ndarray) -> dict:
        ns = {lab: (theta[i] if kind == "free" else i) for lab, (kind, i) in self.source.items()}
        for name, tree in self.definitions:
            ns[name] = eval_expression(tree, ns)
        return ns

    def values(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Equality constraint values (0 when satisfied) and inequality values (>= 0 when satisfied)."""
        try:
            ns = self._namespace(theta)
            ceq = np.array([eval_expression(a, ns) - eval_expression(b, ns) for a, b, _t in self.eq], dtype=float)
            cin = np.array([eval_expression(a, ns) - eval_expression(b, ns) for a, b, _t in self.ineq],
                           dtype=float)
        except (OverflowError, ZeroDivisionError, ValueError):
            return np.full(self.n_eq, np.nan), np.full(self.n_ineq, np.nan)
        return ceq, cin

    def jacobian(self, theta: np.ndarray, h: float = 1e-7) -> tuple[np.ndarray, np.ndarray]:
        """Central-difference Jacobians (constraints x free parameters)."""
        q = len(theta)
        Je, Ji = np.zeros((self.n_eq, q)), np.zeros((self.n_ineq, q))
        for j in range(q):
            step = h * max(1.0, abs(theta[j]))
            tp, tm = theta.copy(), theta.copy()
            tp[j] += step
            tm[j] -= step
            ep, ip = self.values(tp)
            em, im = self.values(tm)
            Je[:, j] = (ep - em) / (2 * step)
            Ji[:, j] = (ip - im) / (2 * step)
        return Je, Ji

    def active_jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Jacobian of the equality and the active inequality constraints at ``theta``."""
        Je, Ji = self.jacobian(theta)
        _ce, ci = self.values(theta)
        return np.vstack([Je, Ji[ci <= ACTIVE_TOL]])

    def rank_eq(self, theta: np.ndarray) -> int:
        """Number of nonredundant equality constraints (their Jacobian's rank)."""
        if not self.n_eq:
            return 0
        return int(np.linalg.matrix_rank(self.jacobian(theta)[0]))


def null_space(H: np.ndarray, q: int) -> np.ndarray:
    """Orthonormal basis of the null space of H (q columns when H has no rows)."""
    if H.size == 0:
        return np.eye(q)
    u, s, vt = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(s > max(H.shape) * np.finfo(float).eps * (s[0] if len(s) else 0) * 10))
    return vt[rank:].T


def constrained_inverse(A: np.ndarray, H: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """``Z (Z' A Z)^-1 Z'`` (the inverse of the information on the constrained parameter space; lavaan's
    augmented inverse), or ``A^-1`` without constraints. Returns (inverse, ok)."""
    from .inference import safe_inverse

    if H is None or H.size == 0:
        return safe_inverse(A)
    Z = null_space(H, A.shape[0])
    inner, ok = safe_inverse(Z.T @ A @ Z)
    return Z @ inner @ Z.T, ok


class _Lagrangian:
    """Augmented-Lagrangian objective (value, gradient, Gauss-Newton information) of one outer iteration."""

    def __init__(self, objective, cons: Constraints, lam_eq, lam_in, mu):
        self.objective, self.cons = objective, cons
        self.lam_eq, self.lam_in, self.mu = lam_eq, lam_in, mu
        self.nfree = objective.nfree
        self.stats = []

    def _pieces(self, theta):
        ce, ci = self.cons.values(theta)
        active = ci <= self.lam_in / self.mu
        return ce, ci, active

    def value(self, theta):
        f = self.objective.value(theta)
        if not np.isfinite(f):
            return np.inf
        ce, ci, active = self._pieces(theta)
        if not (np.all(np.isfinite(ce)) and np.all(np.isfinite(ci))):
            return np.inf
        pen = -self.lam_eq @ ce + 0.5 * self.mu * ce @ ce
        pen += np.sum(np.where(active, -self.lam_in * ci + 0.5 * self.mu * ci * ci,
                               -0.5 * self.lam_in ** 2 / self.mu))
        return f + pen

    def grad_info(self, theta):
        g, H = self.objective.grad_info(theta)
        ce, ci, active = self._pieces(theta)
        Je, Ji = self.cons.jacobian(theta)
        Ji = Ji[active]
        g = g + Je.T @ (-self.lam_eq + self.mu * ce) + Ji.T @ (-self.lam_in[active] + self.mu * ci[active])
        H = H + self.mu * (Je.T @ Je + Ji.T @ Ji)
        return g, H

    def gradient(self, theta):
        return self.grad_info(theta)[0]


def constrained_minimize(objective, theta0: np.ndarray, cons: Constraints, tol: float = 1e-9,
                         max_outer: int = 60) -> OptimResult:
    """Minimize ``objective`` subject to ``cons`` by the augmented Lagrangian (see the module docstring).

    Examples
    --------
    >>> class Quad:  # F = sum (theta - 1)^2 over (a, b, residual variance)
    ...     nfree = 3
    ...     def value(self, t): return float(((t - 1.0) ** 2).sum())
    ...     def gradient(self, t): return 2 * (t - 1.0)
    ...     def grad_info(self, t): return 2 * (t - 1.0), 2 * np.eye(3)
    >>> from resilience_stats.sem.partable import build_partable
    >>> cons = Constraints(build_partable("y ~ a*x1 + b*x2\\n a < 0.5"))
    >>> r = constrained_minimize(Quad(), np.zeros(3), cons)
    >>> r.theta.round(6).tolist(), r.converged
    ([0.5, 1.0, 1.0], True)
    """
    theta = np.asarray(theta0, dtype=float).copy()
    lam_eq, lam_in = np.zeros(cons.n_eq), np.zeros(cons.n_ineq)
    ce, ci = cons.values(theta)
    viol = _violation(ce, ci)
    mu = 10.0 if not np.isfinite(viol) or viol == 0 else max(10.0, 1.0 / max(viol, 1e-8))
    mu = min(mu, 1e4)
    res = None
    prev_viol = np.inf
    iters = 0
    for _outer in range(max_outer):
        lag = _Lagrangian(objective, cons, lam_eq, lam_in, mu)
        res = minimize(lag, theta)
        iters += res.iterations
        if not np.isfinite(res.fmin):
            return OptimResult(theta, np.inf, False, iters, "augmented-lagrangian", "objective not finite")
        step = np.max(np.abs(res.theta - theta)) if theta is not None else np.inf
        theta = res.theta
        ce, ci = cons.values(theta)
        viol = _violation(ce, ci)
        lam_eq = lam_eq - mu * ce
        lam_in = np.maximum(0.0, lam_in - mu * ci)
        if viol < tol and step < 1e-8:
            break
        if viol > 0.25 * prev_viol:
            mu = min(mu * 10.0, 1e12)
        prev_viol = viol
    f = objective.value(theta)
    g = objective.gradient(theta)
    # KKT: the gradient lies in the row space of the active constraints' Jacobian
    H = cons.active_jacobian(theta)
    Z = null_space(H, len(theta))
    proj = Z.T @ g if Z.size else np.zeros(0)
    converged = bool(viol < 1e-7 and (proj.size == 0 or np.max(np.abs(proj)) < 1e-5))
    return OptimResult(theta, f, converged, iters, "augmented-lagrangian",
                       "" if converged else f"constraints violated by {viol:.3g} or no stationary point")


def _violation(ce: np.ndarray, ci: np.ndarray) -> float:
    parts = [np.abs(ce), np.maximum(0.0, -ci)]
    v = np.concatenate(parts)
    return float(np.max(v)) if v.size else 0.0
