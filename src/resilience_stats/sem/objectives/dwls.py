"""Diagonally weighted (DWLS) and unweighted (ULS) least squares on ordinal sample statistics.

The sample statistics ``s`` are lavaan's ``wls.obs`` of an ordinal model: all thresholds item by item, then the
polychoric correlations in ``vech(R, diagonal = FALSE)`` order. The model gives the same vector ``sigma(theta)``
(thresholds, then the off-diagonal elements of the implied latent-response correlation matrix). With diagonal
weights ``w`` (``1 / diag(Gamma)`` for DWLS, ones for ULS) the discrepancy is lavaan's::

    F = 0.5 * (N - 1) / N * sum_i w_i (s_i - sigma_i)^2          (fmin; standard test 2 N F)

The objective exposes ``value``, ``gradient`` and ``grad_info`` (Gauss-Newton information ``Delta' W Delta``),
which is all :func:`~resilience_stats.sem.estimate.minimize` needs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DWLSObjective", "dwls_value"]


def dwls_value(s: np.ndarray, sigma: np.ndarray, w: np.ndarray, n: int) -> float:
    """lavaan's DWLS/ULS ``fmin`` for one group.

    Examples
    --------
    >>> round(dwls_value(np.array([0.5, 0.2]), np.array([0.4, 0.2]), np.array([2.0, 1.0]), 101), 6)
    0.009901
    """
    d = s - sigma
    return float(0.5 * (n - 1) / n * np.sum(w * d * d))


class DWLSObjective:
    """Single-group DWLS/ULS discrepancy of an ordinal model with delta parameterization.

    Parameters
    ----------
    models : list of RAMModel
        One model (the latent-response part; residual variances of the ordinal items fixed at 0, so the
        off-diagonal of the implied matrix is the implied polychoric correlation).
    s : numpy.ndarray
        Sample statistics (thresholds, then correlations).
    w : numpy.ndarray
        Diagonal weights.
    th_free : numpy.ndarray
        Per threshold statistic: 0-based free index of its model threshold, or -1 when fixed.
    th_value : numpy.ndarray
        Values of fixed thresholds.
    pairs : tuple of numpy.ndarray
        (row, col) of the correlations in the order of ``s``.
    ntotal : int
        Number of cases N.

    Examples
    --------
    >>> from resilience_stats.sem.syntax import build_partable
    >>> from resilience_stats.sem.model import build_models
    >>> mod = build_models(build_partable("f =~ 1*a + b + c; a ~~ 0*a; b ~~ 0*b; c ~~ 0*c"))[0]
    >>> obj = DWLSObjective([mod], np.array([.5, .4, .2]), np.ones(3), np.array([], int), np.array([]),
    ...                     (np.array([1, 2, 2]), np.array([0, 0, 1])), 100)
    >>> obj.nfree, round(obj.value(np.array([.8, .5, .5])), 4)
    (3, 0.0161)
    """

    meanstructure = False

    def __init__(self, models, s, w, th_free, th_value, pairs, ntotal: int):
        self.models = models
        self.s = np.asarray(s, dtype=float)
        self.w = np.asarray(w, dtype=float)
        self.th_free = np.asarray(th_free, dtype=int)
        self.th_value = np.asarray(th_value, dtype=float)
        self.pairs = pairs
        self.ntotal = int(ntotal)
        self.nfree = models[0].nfree
        self.weights = [1.0]
        self.stats: list = []
        self._c = (self.ntotal - 1) / self.ntotal

    # ------------------------------------------------------------------ model moments
    def implied_vector(self, theta: np.ndarray) -> np.ndarray:
        """sigma(theta): model thresholds, then implied correlations (the order of ``s``)."""
        th = np.where(self.th_free >= 0, theta[np.maximum(self.th_free, 0)], self.th_value) \
            if len(self.th_free) else np.zeros(0)
        sig = self.models[0].implied(theta)["sigma"]
        return np.concatenate([th, sig[self.pairs]])

    def delta(self, theta: np.ndarray) -> np.ndarray:
        """Jacobian d sigma / d theta (statistics x free parameters)."""
        mod = self.models[0]
        nth = len(self.th_free)
        D = np.zeros((len(self.s), self.nfree))
        f = np.flatnonzero(self.th_free >= 0)
        D[f, self.th_free[f]] = 1.0
        dsigma, _ = mod.jacobian(mod.implied(theta))
        D[nth:] = dsigma[:, self.pairs[0], self.pairs[1]].T
        return D

    # ------------------------------------------------------------------ objective interface
    def value(self, theta: np.ndarray) -> float:
        sigma = self.implied_vector(theta)
        if not np.all(np.isfinite(sigma)):
            return np.inf
        d = self.s - sigma
        return float(0.5 * self._c * np.sum(self.w * d * d))

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        d = self.s - self.implied_vector(theta)
        return -self._c * (self.delta(theta).T @ (self.w * d))

    def grad_info(self, theta: np.ndarray):
        D = self.delta(theta)
        d = self.s - self.implied_vector(theta)
        WD = self.w[:, None] * D
        return -self._c * (WD.T @ d), self._c * (D.T @ WD)
