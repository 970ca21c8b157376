"""Polychoric correlations by the two-step estimator (thresholds from marginals, then ML per pair).

Agrees with ``psych::polychoric`` (psych 2.2.9): with items sharing the same number of response categories
the *global* thresholds of each item (from all its observed responses) are used for every pair and the
continuity correction is not applied (psych applies ``correct`` only when thresholds are estimated per pair);
when the items have different numbers of categories thresholds come from each pair's own table, after
dropping empty rows/columns and replacing empty cells by ``correct / n``, as psych does.  Cells whose model
probability is 0 (an empty category in the middle gives coinciding thresholds) are left out of the
likelihood.  The matrix is finally smoothed to positive definiteness (``cor.smooth``) when needed.

The pieces (:func:`pair_tables`, :func:`cell_probabilities`, :func:`pair_negloglik`) are public to the
subpackage so that the asymptotic covariance matrix needed for WLSMV can be built on them later.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..errors import DataError, ResilienceStatsWarning
from ._bvn import bvn_cdf, bvn_pdf
from ._common import cor_smooth, resolve_items

__all__ = ["PolychoricResult", "polychoric", "pair_tables", "cell_probabilities", "pair_negloglik"]

_RHO_MAX = 1.0 - 1e-10


@dataclass(repr=False)
class PolychoricResult:
    """Result of :func:`polychoric`.

    Attributes
    ----------
    corr : pandas.DataFrame
        Items x items polychoric correlation matrix.
    thresholds : pandas.DataFrame
        Items x cut points (``"t1"``, ``"t2"``, ...) on the standard normal scale; ``inf`` when the top
        categories are empty.
    n_obs : int
        Number of rows.
    n_pairs : pandas.DataFrame
        Pairwise complete counts.
    global_thresholds : bool
        Whether the item (global) thresholds were used for every pair.
    smoothed : bool
        Whether the matrix was not positive definite and was smoothed.
    categories : list
        The response values (codes) the categories stand for.
    warnings : list of str
        Problems met (corrected empty cells, smoothing).
    """

    corr: pd.DataFrame
    thresholds: pd.DataFrame
    n_obs: int
    n_pairs: pd.DataFrame
    global_thresholds: bool
    smoothed: bool
    categories: list
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        k = self.corr.shape[0]
        off = self.corr.to_numpy()[np.triu_indices(k, 1)]
        return (f"PolychoricResult(items={k}, n_obs={self.n_obs}, categories={len(self.categories)}, "
                f"global_thresholds={self.global_thresholds}, smoothed={self.smoothed}, "
                f"r range=[{off.min():.3f}, {off.max():.3f}])")


def _codes(items: pd.DataFrame, max_cat: int) -> tuple[np.ndarray, list]:
    """Integer category codes 0..K-1 (-1 = missing) shifted by the overall minimum, as psych does."""
    x = items.to_numpy(dtype=float)
    obs = x[~np.isnan(x)]
    if obs.size == 0:
        raise DataError("polychoric: no observed values")
    if not np.allclose(obs, np.round(obs)):
        raise DataError("polychoric: items must be coded as integers (ordered categories)")
    lo, hi = int(np.round(obs.min())), int(np.round(obs.max()))
    ncat = hi - lo + 1
    if ncat > max_cat:
        raise DataError(f"polychoric: {ncat} response values between {lo} and {hi}; more than max_cat={max_cat} "
                        "categories -- polychoric correlations are not appropriate (use Pearson)")
    codes = np.where(np.isnan(x), -1, np.round(x) - lo).astype(np.int64)
    return codes, list(range(lo, hi + 1))


def item_thresholds(codes: np.ndarray, ncat: int) -> np.ndarray:
    """Thresholds (items x ncat-1) from each item's marginal proportions: ``qnorm(cumsum(p))``."""
    p = codes.shape[1]
    freq = np.stack([np.bincount(codes[codes[:, j] >= 0, j], minlength=ncat) for j in range(p)], axis=0)
    cum = np.cumsum(freq, axis=1) / freq.sum(axis=1, keepdims=True)
    cum = np.minimum(cum[:, :-1], 1.0)
    return ndtri(cum)


def pair_tables(codes: np.ndarray, ncat: int) -> np.ndarray:
    """All bivariate contingency tables at once: array (p, p, ncat, ncat) over pairwise complete cases."""
    n, p = codes.shape
    onehot = np.zeros((n, p * ncat))
    rows, cols = np.nonzero(codes >= 0)
    onehot[rows, cols * ncat + codes[rows, cols]] = 1.0
    big = onehot.T @ onehot
    return big.reshape(p, ncat, p, ncat).transpose(0, 2, 1, 3)


def _bounds(tau: np.ndarray) -> np.ndarray:
    m = tau.shape[0]
    return np.concatenate([np.full((m, 1), -np.inf), tau, np.full((m, 1), np.inf)], axis=1)


def cell_probabilities(rho: np.ndarray, tau_x: np.ndarray, tau_y: np.ndarray,
                       derivative: bool = False):
    """Model cell probabilities for many pairs at once.

    Parameters
    ----------
    rho : array (m,)
    tau_x, tau_y : arrays (m, kx-1), (m, ky-1)
        Thresholds (may contain +-inf).
    derivative : bool
        Also return d P / d rho (bivariate normal densities differenced over the cell corners).

    Returns
    -------
    array (m, kx, ky), or a tuple (P, dP/drho) when ``derivative``.
    """
    ax, ay = _bounds(tau_x), _bounds(tau_y)
    r3 = rho[:, None, None]
    # CDF grid: only the interior corners need the bivariate CDF, borders are univariate or 0
    f = np.zeros((rho.shape[0], ax.shape[1], ay.shape[1]))
    f[:, -1, :] = ndtr(ay)
    f[:, :, -1] = ndtr(ax)
    f[:, 1:-1, 1:-1] = bvn_cdf(tau_x[:, :, None], tau_y[:, None, :], r3)
    prob = f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]
    if not derivative:
        return prob
    g = np.zeros_like(f)
    g[:, 1:-1, 1:-1] = bvn_pdf(tau_x[:, :, None], tau_y[:, None, :], r3)
    dprob = g[:, 1:, 1:] - g[:, :-1, 1:] - g[:, 1:, :-1] + g[:, :-1, :-1]
    return prob, dprob


def _nll_score_info(rho, tab, tau_x, tau_y):
    prob, dprob = cell_probabilities(rho, tau_x, tau_y, derivative=True)
    ok = prob > 0
    safe = np.where(ok, prob, 1.0)
    nll = -(tab * np.where(ok, np.log(safe), 0.0)).sum(axis=(1, 2))
    score = (tab * np.where(ok, dprob / safe, 0.0)).sum(axis=(1, 2))          # d loglik / d rho
    info = (tab.sum(axis=(1, 2))[:, None, None] * np.where(ok, dprob * dprob / safe, 0.0)).sum(axis=(1, 2))
    return nll, score, info


def pair_negloglik(rho: np.ndarray, tab: np.ndarray, tau_x: np.ndarray, tau_y: np.ndarray) -> np.ndarray:
    """Negative log-likelihood ``-sum(tab * log P)`` per pair (cells with P <= 0 are left out, as in psych)."""
    prob = cell_probabilities(rho, tau_x, tau_y)
    ok = prob > 0
    lp = np.where(ok, np.log(np.where(ok, prob, 1.0)), 0.0)
    return -(tab * lp).sum(axis=(1, 2))


def _pearson_start(tab: np.ndarray) -> np.ndarray:
    kx, ky = tab.shape[1:]
    sx = np.arange(kx, dtype=float)[None, :, None]
    sy = np.arange(ky, dtype=float)[None, None, :]
    n = tab.sum(axis=(1, 2))
    mx = (tab * sx).sum(axis=(1, 2)) / n
    my = (tab * sy).sum(axis=(1, 2)) / n
    cxy = (tab * sx * sy).sum(axis=(1, 2)) / n - mx * my
    vx = (tab * sx * sx).sum(axis=(1, 2)) / n - mx * mx
    vy = (tab * sy * sy).sum(axis=(1, 2)) / n - my * my
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cxy / np.sqrt(vx * vy)
    return np.clip(np.nan_to_num(r), -0.95, 0.95)


def _minimise_pairs(tab: np.ndarray, tau_x: np.ndarray, tau_y: np.ndarray, tol: float = 1e-10,
                    max_iter: int = 50) -> np.ndarray:
    """ML estimates of rho for a stack of tables (m, kx, ky) with fixed thresholds.

    Fisher scoring from the Pearson correlation of the codes, all pairs at once, with step halving whenever the
    likelihood would decrease; the estimate is kept inside (-1, 1).
    """
    m = tab.shape[0]
    if m == 0:
        return np.zeros(0)
    rho = _pearson_start(tab)
    nll, score, info = _nll_score_info(rho, tab, tau_x, tau_y)
    active = np.ones(m, bool)
    for _ in range(max_iter):
        step = np.where(active, score / np.maximum(info, 1e-300), 0.0)
        step = np.clip(step, -0.5, 0.5)
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        cand = rho.copy()
        accepted = np.zeros(m, bool)
        for _halve in range(30):
            cand[idx] = np.clip(rho[idx] + step[idx], -_RHO_MAX, _RHO_MAX)
            n_new, s_new, i_new = _nll_score_info(cand[idx], tab[idx], tau_x[idx], tau_y[idx])
            good = n_new <= nll[idx] + 1e-13 * np.abs(nll[idx])
            gi = idx[good]
            rho[gi], nll[gi], score[gi], info[gi] = cand[gi], n_new[good], s_new[good], i_new[good]
            accepted[gi] = True
            idx = idx[~good]
            if idx.size == 0:
                break
            step[idx] /= 2.0
        done = (np.abs(step) < tol) | ~accepted
        active &= ~done
        if not active.any():
            break
    return rho


def _local_thresholds(tab: np.ndarray, correct: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """psych's per-pair thresholds: drop empty rows/cols, fill empty cells with correct/n, then margins."""
    tot = tab.sum()
    t = tab / tot
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    fixed = 0
    if correct > 0 and (t == 0).any():
        fixed = 1
        t = np.where(t == 0, correct / tot, t)
    rc = ndtri(np.minimum(np.cumsum(t.sum(axis=1))[:-1], 1.0))
    cc = ndtri(np.minimum(np.cumsum(t.sum(axis=0))[:-1], 1.0))
    return t, rc, cc, fixed


def polychoric(
    data: Any,
    correct: float = 0.5,
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
    global_thresholds: bool | None = None,
    smooth: bool = True,
    max_cat: int = 8,
) -> PolychoricResult:
    """Polychoric correlation matrix and thresholds of ordinal items (two-step ML, pairwise missing).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Integer-coded ordinal items (all items of the wave/constructs, or all DataFrame columns).
    correct : float, default 0.5
        Continuity correction for empty cells, psych's default; like psych it is used only when thresholds are
        estimated per pair (items with different numbers of categories).  ``0`` switches it off.
    constructs : mapping, optional
        Restrict to these constructs' items.
    reverse : sequence of str, optional
        Items to reverse-score first (changes only signs and threshold order).
    global_thresholds : bool, optional
        Force item (True) or per-pair (False) thresholds; default as psych: global when all items have the
        same highest category.
    smooth : bool, default True
        Smooth a non positive definite matrix (psych's ``cor.smooth``).
    max_cat : int, default 8
        More response values than this raise :class:`DataError` (psych's ``max.cat``).

    Returns
    -------
    PolychoricResult
        ``corr``, ``thresholds`` and diagnostics.

    Raises
    ------
    DataError
        Non-integer or non-numeric data, an item with one category (or no data), fewer than 2 items, too many
        categories.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], size=2000)
    >>> df = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b", "c"])
    >>> res = polychoric(df)
    >>> res.corr.round(1).loc["a", "b"]
    np.float64(0.5)
    >>> list(res.thresholds.columns)
    ['t1', 't2', 't3']
    """
    item_data = resolve_items(data, constructs, reverse)
    items = item_data.items
    if items.shape[1] < 2:
        raise DataError(f"polychoric: at least 2 items are needed, got {items.shape[1]}")
    codes, categories = _codes(items, max_cat)
    names = list(items.columns)
    p = len(names)
    ncat = len(categories)
    # items with a single observed category (or none) cannot be correlated
    bad = []
    for j, nm in enumerate(names):
        obs = codes[codes[:, j] >= 0, j]
        if obs.size == 0 or np.unique(obs).size < 2:
            bad.append(nm)
    if bad:
        raise DataError(f"polychoric: item(s) with fewer than 2 observed categories: {', '.join(bad)}")
    tau = item_thresholds(codes, ncat)
    item_max = np.array([codes[codes[:, j] >= 0, j].max() for j in range(p)])
    if global_thresholds is None:
        global_thresholds = bool(item_max.min() == item_max.max())
    notes: list[str] = []
    if not global_thresholds and item_max.min() != item_max.max():
        notes.append("items do not have an equal number of response alternatives: per-pair thresholds used")
    tabs = pair_tables(codes, ncat)
    n_pairs = np.einsum("ijkl->ij", tabs)
    iu, ju = np.triu_indices(p, 1)
    rho = np.full(iu.size, np.nan)
    empty_pair = n_pairs[iu, ju] == 0
    if empty_pair.any():
        notes.append(f"{int(empty_pair.sum())} item pair(s) have no joint observations: correlation NaN")
    if global_thresholds:
        use = ~empty_pair
        t = tabs[iu[use], ju[use]]
        t = t / t.sum(axis=(1, 2), keepdims=True)
        rho[use] = _minimise_pairs(t, tau[iu[use]], tau[ju[use]])
    else:
        fixed = 0
        groups: dict[tuple[int, int], list] = {}
        for m_idx in np.nonzero(~empty_pair)[0]:
            t, rc, cc, fx = _local_thresholds(tabs[iu[m_idx], ju[m_idx]], correct)
            fixed += fx
            if min(t.shape) < 2:
                continue
            groups.setdefault(t.shape, []).append((m_idx, t, rc, cc))
        for entries in groups.values():
            idx = np.array([e[0] for e in entries])
            rho[idx] = _minimise_pairs(np.stack([e[1] for e in entries]), np.stack([e[2] for e in entries]),
                                       np.stack([e[3] for e in entries]))
        if fixed and correct > 0:
            notes.append(f"{fixed} table(s) had empty cells adjusted by the continuity correction ({correct})")
    mat = np.eye(p)
    mat[iu, ju] = rho
    mat[ju, iu] = rho
    smoothed = False
    if smooth and not np.isnan(mat).any():
        mat, smoothed = cor_smooth(mat)
        if smoothed:
            notes.append("the polychoric matrix was not positive definite and was smoothed (cor.smooth)")
    for msg in notes:
        warnings.warn(f"polychoric: {msg}", ResilienceStatsWarning, stacklevel=2)
    return PolychoricResult(
        corr=pd.DataFrame(mat, index=names, columns=names),
        thresholds=pd.DataFrame(tau, index=names, columns=[f"t{i}" for i in range(1, ncat)]),
        n_obs=int(codes.shape[0]),
        n_pairs=pd.DataFrame(n_pairs.astype(int), index=names, columns=names),
        global_thresholds=bool(global_thresholds),
        smoothed=smoothed,
        categories=categories,
        warnings=notes,
    )
