"""The least-squares family of discrepancy functions (GLS, WLS, DWLS, ULS), for one or several blocks.

For block g with sample statistics ``s_g``, implied statistics ``sigma_g(theta)`` (a map of
:mod:`resilience_stats.sem.implied`) and weight matrix ``W_g``::

    F = sum_g (n_g / N) F_g,          F_g = 0.5 c_g (s_g - sigma_g)' W_g (s_g - sigma_g)

``c_g`` is lavaan's constant of the estimator (``(n_g - 1) / n_g`` for the ordinal DWLS/ULS fit function,
1 otherwise), so that ``2 N F`` is lavaan's standard test statistic. The optimizer needs ``value``,
``gradient`` and ``grad_info`` (Gauss-Newton: ``sum_g f_g c_g Delta_g' W_g Delta_g``); inference uses
:meth:`LSObjective.blocks` (per block Delta, W, f_g at the estimates). ``W`` is a full matrix (GLS, WLS) or a
vector of diagonal weights (DWLS, ULS). What differs between the estimators is only the weight matrix, which
each estimator module (``gls``, ``wls``, ``dwls``, ``uls``) computes from the sample statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LSBlock", "LSObjective"]


@dataclass
class LSBlock:
    """One block of a least-squares fit: the map, the sample statistics and their weight."""

    map: object  # MomentMap or OrdinalMap
    s: np.ndarray
    W: np.ndarray  # (k, k) full weight matrix, or (k,) diagonal weights
    n: int
    c: float = 1.0
    gamma: np.ndarray | None = None  # N-scaled asymptotic covariance of s (robust SEs and tests)

    @property
    def diagonal(self) -> bool:
        return self.W.ndim == 1

    def weigh(self, x: np.ndarray) -> np.ndarray:
        """W x (x a vector or a matrix with rows = statistics)."""
        if self.diagonal:
            return self.W * x if x.ndim == 1 else self.W[:, None] * x
        return self.W @ x

    def full_weight(self) -> np.ndarray:
        return np.diag(self.W) if self.diagonal else self.W


class LSObjective:
    """Multi-block least-squares discrepancy with the interface :func:`~resilience_stats.sem.estimate.minimize`
    uses (``value``, ``gradient``, ``grad_info``).

    Examples
    --------
    >>> from resilience_stats.sem.syntax import build_partable
    >>> from resilience_stats.sem.model import build_models
    >>> from resilience_stats.sem.implied import MomentMap
    >>> mod = build_models(build_partable("f =~ a + b + c"))[0]
    >>> S = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 2.0]])
    >>> mp = MomentMap(mod, False)
    >>> obj = LSObjective([mod], [LSBlock(mp, mp.sample_vector(np.zeros(3), S), np.ones(6), 100)])
    >>> round(obj.value(np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])), 10)
    0.0
    """

    meanstructure = False

    def __init__(self, models, blocks: list[LSBlock]):
        self.models = models
        self.blocks_ = blocks
        self.ntotal = int(sum(b.n for b in blocks))
        self.weights = [b.n / self.ntotal for b in blocks]
        self.nfree = models[0].nfree
        self.stats: list = []

    def implied_vectors(self, theta: np.ndarray) -> list[np.ndarray]:
        return [b.map.vector(theta) for b in self.blocks_]

    def value(self, theta: np.ndarray) -> float:
        total = 0.0
        for b, f in zip(self.blocks_, self.weights):
            sig = b.map.vector(theta)
            if not np.all(np.isfinite(sig)):
                return np.inf
            d = b.s - sig
            total += f * 0.5 * b.c * float(d @ b.weigh(d))
        return total

    def grad_info(self, theta: np.ndarray):
        g = np.zeros(self.nfree)
        H = np.zeros((self.nfree, self.nfree))
        for b, f in zip(self.blocks_, self.weights):
            sig, D = b.map.vector_and_jacobian(theta)
            WD = b.weigh(D)
            g -= f * b.c * (WD.T @ (b.s - sig))
            H += f * b.c * (D.T @ WD)
        return g, (H + H.T) / 2

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.grad_info(theta)[0]

    def deltas(self, theta: np.ndarray) -> list[np.ndarray]:
        """Jacobian of every block at ``theta``."""
        return [b.map.jacobian(theta) for b in self.blocks_]
