"""GLS: least squares with the normal-theory weight matrix of the sample moments (Browne 1974).

``W`` is the inverse of the normal-theory asymptotic covariance of ``sqrt(N) (xbar, vech S)`` evaluated at the
sample moments: ``S^-1`` for the means and ``Gamma_NT^-1`` with ``Gamma_NT[(ij),(kl)] = s_ik s_jl + s_il s_jk``
for the covariances, so that ``F = 0.5 tr[((S - Sigma) S^-1)^2] + 0.5 (xbar - mu)' S^-1 (xbar - mu)``
(lavaan's ``estimator = "GLS"``; complete continuous data).
"""

from __future__ import annotations

import numpy as np

from . import blocks

__all__ = ["objective", "normal_theory_gamma"]


def normal_theory_gamma(S: np.ndarray, r: np.ndarray, c: np.ndarray, mean_idx=None) -> np.ndarray:
    """Normal-theory asymptotic covariance of ``sqrt(N) (xbar, vech S)`` at the covariance matrix S."""
    G = S[np.ix_(r, r)] * S[np.ix_(c, c)] + S[np.ix_(r, c)] * S[np.ix_(c, r)]
    if mean_idx is None or len(mean_idx) == 0:
        return G
    m = len(mean_idx)
    out = np.zeros((m + len(r), m + len(r)))
    out[:m, :m] = S[np.ix_(mean_idx, mean_idx)]
    out[m:, m:] = G
    return out


def _weights(ss, mp, gamma):
    return np.linalg.inv(normal_theory_gamma(ss.cov, mp.r, mp.c, mp.mean_idx))


def objective(design, models, stats):
    return blocks.build(design, models, stats, ordinal_weights=None, weight_fn=_weights)
