"""Factor rotations as used by psych's ``fa``: varimax, promax (Kaiser-normalised) and oblimin.

* :func:`varimax` -- R's ``stats::varimax`` (Kaiser normalisation, SVD updates, ``eps = 1e-5``).
* :func:`promax` -- psych's ``kaiser(rotate = "Promax")``: rows scaled to unit length, varimax, target
  ``L * |L|^(m-1)`` (m = 4) fitted by least squares, columns rescaled so the factors have unit variance.
* :func:`oblimin` -- the gradient projection algorithm for oblique rotation (Jennrich 2002; as in
  GPArotation's ``GPFoblq`` with the oblimin criterion, ``gamma = 0`` = quartimin, no normalisation,
  ``eps = 1e-5``).

Each returns a :class:`Rotation` with the rotated pattern, the factor correlations ``phi`` (identity for
orthogonal rotations) and the transformation matrix ``T`` such that ``pattern = A @ inv(T).T`` (oblique) or
``A @ T`` (orthogonal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Rotation", "varimax", "promax", "oblimin", "rotate"]


@dataclass
class Rotation:
    """A rotated solution.

    Attributes
    ----------
    loadings : numpy.ndarray
        Rotated pattern matrix (items x factors).
    phi : numpy.ndarray
        Factor correlation matrix (identity when orthogonal).
    rotmat : numpy.ndarray
        The transformation matrix.
    converged : bool
    iterations : int
    """

    loadings: np.ndarray
    phi: np.ndarray
    rotmat: np.ndarray
    converged: bool = True
    iterations: int = 0


def varimax(a: np.ndarray, normalize: bool = True, eps: float = 1e-5, max_iter: int = 1000) -> Rotation:
    """Varimax rotation, the algorithm of R's ``stats::varimax``."""
    x = np.asarray(a, float)
    p, k = x.shape
    if k < 2:
        return Rotation(x.copy(), np.eye(k), np.eye(k))
    sc = np.sqrt((x**2).sum(axis=1)) if normalize else np.ones(p)
    x = x / sc[:, None]
    t = np.eye(k)
    d = 0.0
    it = 0
    converged = False
    for it in range(1, max_iter + 1):
        z = x @ t
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        t = u @ vt
        d_past, d = d, s.sum()
        if d < d_past * (1 + eps):
            converged = True
            break
    z = (x @ t) * sc[:, None]
    return Rotation(z, np.eye(k), t, converged, it)


def promax(a: np.ndarray, m: float = 4.0) -> Rotation:
    """Promax with Kaiser normalisation, as psych's ``fa(rotate = "promax")``."""
    a = np.asarray(a, float)
    k = a.shape[1]
    if k < 2:
        return Rotation(a.copy(), np.eye(k), np.eye(k))
    h = np.sqrt((a**2).sum(axis=1))
    w = a / h[:, None]
    vm = varimax(w)                                 # stats::varimax (normalize = TRUE)
    x = vm.loadings
    q = x * np.abs(x) ** (m - 1)
    u = np.linalg.lstsq(x, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u * np.sqrt(d)[None, :]
    z = x @ u
    u = vm.rotmat @ u
    ui = np.linalg.inv(u)
    phi = ui @ ui.T
    return Rotation(z * h[:, None], phi, u, vm.converged, vm.iterations)


def _oblimin_vgq(l: np.ndarray, gamma: float):
    k = l.shape[1]
    l2 = l**2
    x = l2 @ (1.0 - np.eye(k))
    if gamma != 0:
        p = l.shape[0]
        x = (np.eye(p) - gamma * np.ones((p, p)) / p) @ x
    return l * x, float((l2 * x).sum() / 4.0)


def oblimin(a: np.ndarray, gamma: float = 0.0, eps: float = 1e-5, max_iter: int = 1000) -> Rotation:
    """Direct oblimin by gradient projection (GPArotation's ``oblimin``, default ``gam = 0``)."""
    a = np.asarray(a, float)
    k = a.shape[1]
    if k < 2:
        return Rotation(a.copy(), np.eye(k), np.eye(k))
    t = np.eye(k)
    al = 1.0
    l = a @ np.linalg.inv(t).T
    gq, f = _oblimin_vgq(l, gamma)
    g = -(l.T @ gq @ np.linalg.inv(t)).T
    converged = False
    it = 0
    for it in range(max_iter + 1):
        gp = g - t @ np.diag((t * g).sum(axis=0))
        s = np.sqrt((gp**2).sum())
        if s < eps:
            converged = True
            break
        al *= 2.0
        for _ in range(11):
            x = t - al * gp
            v = 1.0 / np.sqrt((x**2).sum(axis=0))
            tt = x * v[None, :]
            l = a @ np.linalg.inv(tt).T
            gq_t, f_t = _oblimin_vgq(l, gamma)
            if f - f_t > 0.5 * s**2 * al:
                break
            al /= 2.0
        t = tt
        f = f_t
        g = -(l.T @ gq_t @ np.linalg.inv(tt)).T
    return Rotation(l, t.T @ t, t, converged, it)


def rotate(a: np.ndarray, method: str) -> Rotation:
    """Dispatch: ``"varimax"``, ``"promax"``, ``"oblimin"`` or ``"none"``."""
    if method == "varimax":
        return varimax(a)
    if method == "promax":
        return promax(a)
    if method == "oblimin":
        return oblimin(a)
    if method == "none":
        k = a.shape[1]
        return Rotation(np.asarray(a, float).copy(), np.eye(k), np.eye(k))
    raise ValueError(f"unknown rotation {method!r}")
