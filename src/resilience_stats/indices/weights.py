"""Normalization and objective weights of a composite index: min-max, entropy, CRITIC, TOPSIS, obstacle degree,
and the combination of weight vectors. Small pure functions on numpy arrays (cases x indicators).

Conventions (stated here once; :func:`~resilience_stats.indices.composite_index` documents its options):

* **Min-max normalization with direction.** A positive (benefit) indicator becomes ``z = (x - min) / (max -
  min)``, a negative (cost) indicator ``z = (max - x) / (max - min)``, so 1 is always the best case. With
  ``shift = s > 0`` the value is ``s + (1 - s) z`` (e.g. ``s = .01`` gives 0.01 + 0.99 z, the "translation"
  many applied papers use so that no share is 0). With ``s = 0`` (the default) the entropy uses
  ``0 * ln 0 = 0`` (the limit), so no shift is needed to keep the logarithms finite.
* **Entropy weights** (Shannon 1948; Zeleny 1982; as used in the composite-index literature): shares
  ``p_ij = z_ij / sum_i z_ij``, entropy ``e_j = -sum_i p_ij ln p_ij / ln n``, divergence ``d_j = 1 - e_j``,
  weight ``w_j = d_j / sum_k d_k``.
* **CRITIC weights** (Diakoulaki, Mavrotas & Papayannakis 1995): contrast ``sd_j`` (the standard deviation of
  ``z_j``, n - 1 in the denominator; the weights do not depend on this choice, the scale cancels), conflict
  ``sum_k (1 - r_jk)`` with Pearson correlations ``r`` of the normalized indicators, information ``C_j = sd_j *
  conflict_j``, weight ``w_j = C_j / sum_k C_k``.
* **TOPSIS** (Hwang & Yoon 1981): on the weighted matrix ``v_ij = w_j z_ij`` the positive ideal is the column
  maximum, the negative ideal the minimum (directions are already in ``z``); ``D+`` and ``D-`` are Euclidean
  distances to them and the closeness is ``C = D- / (D+ + D-)``. ``normalization="vector"`` applies the
  original vector normalization ``x / sqrt(sum x^2)`` to the raw values instead, with the ideal of a cost
  indicator at its minimum.
* **Obstacle degree** (障碍度; e.g. the obstacle-factor diagnosis of urban-resilience studies): factor
  contribution ``w_j``, deviation ``I_ij = 1 - z_ij``, obstacle ``O_ij = w_j I_ij / sum_k w_k I_ik`` (a share;
  tables show it in percent).
* **Combination of weights.** Multiplicative: ``w_j = prod_m w_mj / sum_k prod_m w_mk``. Linear (game theory,
  e.g. Lai et al.'s "combination weighting based on game theory"): with the weight vectors ``u_1 .. u_L`` as
  rows of ``U``, solve ``(U U') a = diag(U U')`` for the coefficients ``a``, normalize ``a* = |a| / sum |a|``
  and combine ``w = a*' U``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import DataError

__all__ = [
    "critic_weights",
    "entropy_weights",
    "game_theory_combination",
    "minmax",
    "multiplicative_combination",
    "obstacle_degree",
    "topsis",
    "vector_topsis",
]


def minmax(x: np.ndarray, positive: Sequence[bool], shift: float = 0.0) -> np.ndarray:
    """Min-max normalization of each column with its direction (see the module docstring).

    Examples
    --------
    >>> minmax(np.array([[1.0, 10.0], [3.0, 20.0], [2.0, 30.0]]), [True, False]).tolist()
    [[0.0, 1.0], [1.0, 0.5], [0.5, 0.0]]
    """
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    if np.any(span <= 0):
        raise DataError("min-max normalization of a constant indicator")
    z = np.where(np.asarray(positive)[None, :], (x - lo) / span, (hi - x) / span)
    return shift + (1.0 - shift) * z if shift else z


def _check_nonnegative(z: np.ndarray, names: Sequence[str]) -> None:
    negative = [names[j] for j in range(z.shape[1]) if np.any(z[:, j] < 0)]
    if negative:
        raise DataError(f"entropy weights take logarithms of shares: indicator(s) {', '.join(negative)} have "
                        "negative values (normalize them first)")
    empty = [names[j] for j in range(z.shape[1]) if not z[:, j].sum() > 0]
    if empty:
        raise DataError(f"entropy weights: indicator(s) {', '.join(empty)} sum to 0, so shares are undefined")


def entropy_weights(z: np.ndarray, names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Entropy ``e``, divergence ``d`` and weights ``w`` of the normalized matrix ``z`` (0 * ln 0 = 0).

    Examples
    --------
    >>> out = entropy_weights(np.array([[0.0, 1.0], [1.0, 0.5], [0.5, 0.0]]))
    >>> out["weight"].round(6).tolist()
    [0.5, 0.5]
    """
    names = list(names) if names is not None else [str(j) for j in range(z.shape[1])]
    n = z.shape[0]
    if n < 2:
        raise DataError("entropy weights need at least 2 cases")
    _check_nonnegative(z, names)
    p = z / z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = 1.0 - e
    if not d.sum() > 0:
        raise DataError("entropy weights: every indicator has maximal entropy (all shares equal)")
    return {"entropy": e, "divergence": d, "weight": d / d.sum()}


def critic_weights(z: np.ndarray) -> dict[str, np.ndarray]:
    """CRITIC contrast (``sd``), ``conflict``, ``information`` and weights of the normalized matrix ``z``.

    Examples
    --------
    >>> critic_weights(np.array([[0.0, 1.0], [1.0, 0.5], [0.5, 0.0]]))["weight"].round(6).tolist()
    [0.5, 0.5]
    """
    sd = z.std(axis=0, ddof=1)
    if np.any(sd <= 0):
        raise DataError("CRITIC weights: a normalized indicator is constant")
    r = np.corrcoef(z, rowvar=False) if z.shape[1] > 1 else np.ones((1, 1))
    conflict = (1.0 - r).sum(axis=0)
    info = sd * conflict
    if not info.sum() > 0:
        raise DataError("CRITIC weights: the indicators carry no information (perfectly correlated)")
    return {"sd": sd, "conflict": conflict, "information": info, "weight": info / info.sum()}


def topsis(z: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """TOPSIS distances ``d_pos``, ``d_neg`` and ``closeness`` on the normalized, oriented matrix ``z``.

    Examples
    --------
    >>> topsis(np.array([[0.0, 1.0], [1.0, 0.5], [0.5, 0.0]]), np.array([0.5, 0.5]))["closeness"].round(4).tolist()
    [0.5, 0.691, 0.309]
    """
    v = z * w[None, :]
    best, worst = v.max(axis=0), v.min(axis=0)
    d_pos = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_neg = np.sqrt(((v - worst) ** 2).sum(axis=1))
    return {"d_pos": d_pos, "d_neg": d_neg, "closeness": d_neg / (d_pos + d_neg)}


def vector_topsis(x: np.ndarray, w: np.ndarray, positive: Sequence[bool]) -> dict[str, np.ndarray]:
    """Classic TOPSIS (Hwang & Yoon 1981): vector normalization of the raw matrix ``x``, ideal at the maximum
    of a benefit and the minimum of a cost indicator.

    Examples
    --------
    >>> r = vector_topsis(np.array([[2.0, 5.0], [4.0, 2.0], [3.0, 3.0]]), np.array([0.5, 0.5]), [True, False])
    >>> r["closeness"].round(4).tolist()
    [0.0, 1.0, 0.6026]
    """
    norm = np.sqrt((x ** 2).sum(axis=0))
    if np.any(norm <= 0):
        raise DataError("vector normalization of an indicator that is 0 for every case")
    v = x / norm * w[None, :]
    pos = np.asarray(positive)
    best = np.where(pos, v.max(axis=0), v.min(axis=0))
    worst = np.where(pos, v.min(axis=0), v.max(axis=0))
    d_pos = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_neg = np.sqrt(((v - worst) ** 2).sum(axis=1))
    return {"d_pos": d_pos, "d_neg": d_neg, "closeness": d_neg / (d_pos + d_neg)}


def obstacle_degree(z: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """Deviation ``1 - z`` and obstacle degree (shares summing to 1 per case; NaN for a case at the ideal).

    Examples
    --------
    >>> obstacle_degree(np.array([[0.0, 1.0], [0.5, 0.5]]), np.array([0.6, 0.4]))["obstacle"].tolist()
    [[1.0, 0.0], [0.6, 0.4]]
    """
    dev = 1.0 - z
    contrib = dev * w[None, :]
    total = contrib.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, contrib / total, np.nan)
    return {"deviation": dev, "obstacle": share}


def multiplicative_combination(weights: np.ndarray) -> np.ndarray:
    """Multiplicative combination of weight vectors (rows of ``weights``).

    Examples
    --------
    >>> multiplicative_combination(np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])).round(4).tolist()
    [0.3448, 0.3103, 0.3448]
    """
    prod = np.prod(weights, axis=0)
    if not prod.sum() > 0:
        raise DataError("multiplicative combination: the weight vectors have no indicator in common with a "
                        "positive weight")
    return prod / prod.sum()


def game_theory_combination(weights: np.ndarray) -> dict[str, np.ndarray]:
    """Linear combination of weight vectors by game theory: coefficients ``alpha`` (normalized, |a| / sum |a|)
    and the combined ``weight``.

    Examples
    --------
    >>> out = game_theory_combination(np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]]))
    >>> out["alpha"].round(4).tolist(), out["weight"].round(4).tolist()
    ([0.5, 0.5], [0.35, 0.3, 0.35])
    """
    u = np.asarray(weights, dtype=float)
    gram = u @ u.T
    try:
        a = np.linalg.solve(gram, np.diag(gram))
    except np.linalg.LinAlgError:
        raise DataError("game-theory combination: the weight vectors are linearly dependent (e.g. identical); "
                        "combine different methods") from None
    alpha = np.abs(a) / np.abs(a).sum()
    combined = alpha @ u
    return {"alpha": alpha, "raw_alpha": a, "weight": combined / combined.sum()}
