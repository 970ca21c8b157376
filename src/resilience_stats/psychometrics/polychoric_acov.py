"""Sample statistics of ordinal items for WLS/DWLS (WLSMV): thresholds, polychorics and their Gamma.

Reproduces what lavaan (0.6-14) computes for ``cfa(..., ordered = TRUE, estimator = "WLSMV")`` before any
model is fitted (``lavaan:::muthen1984``, Muthén 1984):

1. **Listwise deletion** -- lavaan's default ``missing = "listwise"`` for categorical data.
2. **Thresholds** of each item by univariate probit ML without covariates, i.e. the closed form
   ``tau_jk = qnorm(P(y_j <= k))`` from the item's marginal proportions.  Categories are the *observed*
   distinct values of the item, in increasing order (lavaan turns every item into an ordered factor), so
   every item has its own number of thresholds.
3. **Polychoric correlations** pair by pair by ML with both items' thresholds held fixed (two-step).  As
   lavaan: cell probabilities are floored at ``sqrt(.Machine$double.eps)``; rho is bounded to
   ``[-0.999, 0.999]``; for two binary items the special cases of ``lav_bvord_cor_twostep_fit`` apply
   (two empty cells give +-1, one empty cell gets ``zero.add = 0.5`` keeping the margins, an odds ratio
   of exactly 1 gives 0, and both thresholds at 0 give the closed form ``-cos(2 pi p11)``); larger tables
   are used as they are (``zero.add[2] = 0``).
4. **Gamma (NACOV)** = ``N * B^{-1} S'S B^{-T}``, the sandwich estimate of the asymptotic covariance matrix
   of ``sqrt(N) * (thresholds, correlations)``.  ``S`` (N x d) stacks the casewise scores: the
   univariate-probit threshold scores of every item, then for every pair the score of its bivariate
   likelihood with respect to rho.  ``B`` is block lower-triangular with sums over cases (outer products of
   scores, not Hessians, as in lavaan): ``A11`` block diagonal per item (``sum s_tau s_tau'``), ``A22``
   diagonal (``sum s_rho^2``) and ``A21`` = ``sum s_rho * d log P_ab / d tau`` (the bivariate likelihood's
   threshold score), which corrects the correlation scores for the estimated thresholds:
   ``B^{-1} = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]]``.

Scaling and order (what a DWLS implementation needs):

* ``gamma`` equals ``lavInspect(fit, "gamma")`` = ``fit@SampleStats@NACOV[[1]]``; it is scaled by **N** (the
  listwise number of cases), not N - 1 (``gamma.n.minus.one = FALSE`` is lavaan's default); the sampling
  covariance of the estimates is ``gamma / N``.
* ``wls_v_diag`` = ``1 / diag(gamma)`` = ``diag(lavInspect(fit, "wls.v"))`` (DWLS; lavaan uses N here even
  when ``gamma.n.minus.one = TRUE``).
* lavaan's DWLS discrepancy at the estimates is ``fmin = 0.5 * (N - 1) / N * sum(wls_v_diag * (wls_obs -
  implied)^2)`` (``lav_model_objective``), so the standard test statistic ``2 N fmin`` equals
  ``(N - 1) * sum(wls_v_diag * (wls_obs - implied)^2)`` -- checked against tests/golden/lavaan_wlsmv_bfi.json.
* The vector is ``wls_obs``: all thresholds item by item (``"A1|t1", "A1|t2", ...``), then the correlations
  in ``lav_matrix_vech(R, diagonal = FALSE)`` order, i.e. the strict lower triangle column by column:
  ``(2,1), (3,1), ..., (p,1), (3,2), ...``, labelled ``"A1~~A2", "A1~~A3", ...`` as lavaan does.

Deviation: for a correlation of exactly +-1 (two binary items whose 2 x 2 table has two empty cells) the
scores do not exist; lavaan returns an arbitrary finite number, here that row and column of Gamma are NaN
(with a warning).

Everything depends on the data only through the univariate and bivariate frequency tables, so scores are
computed per cell and gathered to the cases; pairs are processed all at once (grouped by table shape).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..errors import DataError, ResilienceStatsWarning
from ._common import resolve_items
from .polychoric import cell_probabilities

__all__ = ["OrdinalMoments", "polychoric_acov"]

_PI_FLOOR = float(np.sqrt(np.finfo(float).eps))   # lavaan: PI[PI < sqrt(.Machine$double.eps)] <- sqrt(eps)
_RHO_BOUND = 0.999                                   # lavaan: nlminb(lower = -0.999, upper = 0.999)
_ZERO_ADD = 0.5                                      # lavaan: zero.add[1] for 2 x 2 tables with one empty cell


@dataclass(repr=False)
class OrdinalMoments:
    """Sample statistics of ordinal items as lavaan computes them for WLSMV.

    Attributes
    ----------
    thresholds : pandas.Series
        Thresholds indexed ``"item|t1"``, ``"item|t2"``, ... (items in data order).
    corr : pandas.DataFrame
        Items x items polychoric correlation matrix.
    gamma : pandas.DataFrame
        NACOV: asymptotic covariance matrix of ``sqrt(N) * wls_obs`` (scaled by N), rows and columns
        labelled like lavaan (``"A1|t1"``, ..., ``"A1~~A2"``, ...).
    wls_v_diag : pandas.Series
        DWLS weights ``1 / diag(gamma)`` (lavaan's ``diag(WLS.V)``).
    n_obs : int
        Listwise complete cases used (the N of ``gamma``).
    n_dropped : int
        Rows dropped because of missing values.
    labels : list of str
        Labels of the vector: thresholds, then correlations in vech(lower, no diagonal) order.
    categories : dict
        ``{item: [observed response values]}``; category k (1-based, as lavaan) is the k-th value.
    zero_cell_pairs : list of tuple
        Item pairs whose bivariate table has empty cells (lavaan's ``zero.cell.tables``).
    warnings : list of str
        Problems met (empty 2 x 2 cells, correlations near 1).
    """

    thresholds: pd.Series
    corr: pd.DataFrame
    gamma: pd.DataFrame
    wls_v_diag: pd.Series
    n_obs: int
    n_dropped: int
    labels: list[str]
    categories: dict[str, list]
    zero_cell_pairs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def wls_obs(self) -> pd.Series:
        """The sample-statistics vector (thresholds, then vech correlations) -- lavaan's ``wls.obs``."""
        names = list(self.corr.columns)
        iu, ju = _vech_pairs(len(names))
        r = self.corr.to_numpy()[iu, ju]
        return pd.Series(np.concatenate([self.thresholds.to_numpy(), r]), index=self.labels, name="wls_obs")

    @property
    def acov(self) -> pd.DataFrame:
        """Sampling covariance matrix of the estimates, ``gamma / n_obs``."""
        return self.gamma / self.n_obs

    def __repr__(self) -> str:
        p = self.corr.shape[0]
        return (f"OrdinalMoments(items={p}, n_obs={self.n_obs}, thresholds={self.thresholds.size}, "
                f"correlations={p * (p - 1) // 2}, gamma={self.gamma.shape[0]}x{self.gamma.shape[1]})")


# ----------------------------------------------------------------------------------------- helpers ----
def _vech_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of the strict lower triangle column by column: lavaan's vech(R, diagonal = FALSE)."""
    cols, rows = np.triu_indices(p, 1)      # row-major upper triangle (j, i), j < i == column-major lower
    return rows, cols


def ordinal_codes(items: pd.DataFrame) -> tuple[np.ndarray, list[list]]:
    """Category codes 0..K_j-1 per item from the observed distinct values (lavaan's ordered factors).

    Parameters
    ----------
    items : pandas.DataFrame
        Complete (no missing values) numeric item responses.

    Returns
    -------
    codes : ndarray of int (n, p)
    categories : list of lists of the observed values per item

    Examples
    --------
    >>> import pandas as pd
    >>> codes, cats = ordinal_codes(pd.DataFrame({"a": [2.0, 5.0, 2.0, 9.0]}))
    >>> codes[:, 0].tolist(), cats
    ([0, 1, 0, 2], [[2.0, 5.0, 9.0]])
    """
    x = items.to_numpy(dtype=float)
    codes = np.empty(x.shape, dtype=np.int64)
    cats = []
    for j in range(x.shape[1]):
        vals, inv = np.unique(x[:, j], return_inverse=True)
        codes[:, j] = inv.ravel()
        cats.append(vals.tolist())
    return codes, cats


def thresholds_from_codes(codes: np.ndarray, ncat: np.ndarray) -> list[np.ndarray]:
    """Univariate probit thresholds ``qnorm(cumsum(p)[-K])`` per item (the ML estimates without covariates).

    Examples
    --------
    >>> import numpy as np
    >>> [t.round(4).tolist() for t in thresholds_from_codes(np.array([[0], [0], [1], [2]]), np.array([3]))]
    [[0.0, 0.6745]]
    """
    out = []
    for j in range(codes.shape[1]):
        freq = np.bincount(codes[:, j], minlength=ncat[j]).astype(float)
        out.append(ndtri(np.cumsum(freq)[:-1] / freq.sum()))
    return out


def threshold_scores(tau: np.ndarray) -> np.ndarray:
    """Casewise probit threshold scores by category: array (K, K-1), row c = d log pi_c / d tau.

    ``d log pi_c / d tau_k = (1{c = k} - 1{c = k + 1}) phi(tau_k) / pi_c`` (0-based c, k), with
    ``pi_c = Phi(tau_c) - Phi(tau_{c-1})`` -- lavaan's ``lav_uvord_scores`` evaluated per category.

    Examples
    --------
    >>> threshold_scores(np.array([0.0])).round(4).tolist()
    [[0.7979], [-0.7979]]
    """
    k = tau.size + 1
    pi = np.diff(ndtr(np.concatenate([[-np.inf], tau, [np.inf]])))
    dens = np.exp(-0.5 * tau * tau) / np.sqrt(2.0 * np.pi)
    sc = np.zeros((k, k - 1))
    idx = np.arange(k - 1)
    sc[idx, idx] = dens
    sc[idx + 1, idx] = -dens
    return sc / pi[:, None]


def _floored_probabilities(rho, tau_x, tau_y):
    prob, phi = cell_probabilities(rho, tau_x, tau_y, derivative=True)
    return np.maximum(prob, _PI_FLOOR), phi


def _rho_ml(freq: np.ndarray, tau_x: np.ndarray, tau_y: np.ndarray, start: np.ndarray,
            tol: float = 1e-11, max_iter: int = 200) -> np.ndarray:
    """ML rho of many tables (m, kx, ky) with fixed thresholds; lavaan's floored likelihood, |rho| <= .999.

    Fisher scoring (expected information), all pairs at once, with step halving when the log-likelihood
    would decrease.
    """
    m = freq.shape[0]

    def loglik_grad_info(r, f, tx, ty):
        prob, phi = _floored_probabilities(r, tx, ty)
        ok = prob > _PI_FLOOR
        ll = (f * np.log(prob)).sum(axis=(1, 2))
        grad = (np.where(ok, f * phi / prob, 0.0)).sum(axis=(1, 2))
        info = f.sum(axis=(1, 2)) * (np.where(ok, phi * phi / prob, 0.0)).sum(axis=(1, 2))
        return ll, grad, info

    rho = np.clip(start, -_RHO_BOUND, _RHO_BOUND).astype(float)
    ll, grad, info = loglik_grad_info(rho, freq, tau_x, tau_y)
    active = np.ones(m, bool)
    for _ in range(max_iter):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        step = grad[idx] / np.maximum(info[idx], 1e-300)
        pending = np.ones(idx.size, bool)
        for _halve in range(40):
            pos = np.nonzero(pending)[0]
            if pos.size == 0:
                break
            sub = idx[pos]
            cand = np.clip(rho[sub] + step[pos], -_RHO_BOUND, _RHO_BOUND)
            l2, g2, i2 = loglik_grad_info(cand, freq[sub], tau_x[sub], tau_y[sub])
            good = l2 >= ll[sub] - 1e-13 * np.abs(ll[sub])
            gi = sub[good]
            taken = np.abs(cand[good] - rho[gi])
            rho[gi], ll[gi], grad[gi], info[gi] = cand[good], l2[good], g2[good], i2[good]
            active[gi[taken < tol]] = False          # converged: the Fisher step has become negligible
            pending[pos[good]] = False
            step[pos[~good]] /= 2.0
        active[idx[pending]] = False                 # no ascent left in 40 halvings: numerically at the optimum
    return rho


def _pearson(codes_x: np.ndarray, codes_y: np.ndarray) -> np.ndarray:
    """Pearson correlations of code columns (n, m) -- lavaan's start value (0 when undefined)."""
    x = codes_x - codes_x.mean(axis=0)
    y = codes_y - codes_y.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x * y).sum(axis=0) / np.sqrt((x * x).sum(axis=0) * (y * y).sum(axis=0))
    return np.where(np.isfinite(r) & (np.abs(r) < 1), r, 0.0)


def _binary_special(freq: np.ndarray, tau_x: float, tau_y: float) -> tuple[float | None, np.ndarray, str]:
    """lavaan's shortcuts for a 2 x 2 table: returns (rho or None, possibly adjusted table, note)."""
    f = freq.astype(float).copy()
    zero = f == 0
    note = ""
    if zero.sum() == 2:
        note = "two empty cells in a 2x2 table"
        return (1.0 if f[0, 0] > 0 else -1.0), f, note
    if zero.sum() == 1:
        note = "one empty cell in a 2x2 table: zero.add = 0.5 keeping the margins"
        sgn = 1.0 if (zero[0, 0] or zero[1, 1]) else -1.0
        f += sgn * _ZERO_ADD * np.array([[1.0, -1.0], [-1.0, 1.0]])
    if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
        return 0.0, f, note
    if tau_x == 0 and tau_y == 0:
        return float(-np.cos(2.0 * np.pi * f[0, 0] / f.sum())), f, note
    return None, f, note


def _cell_threshold_scores(rho: np.ndarray, tau_a: np.ndarray, tau_b: np.ndarray,
                           prob: np.ndarray) -> np.ndarray:
    """d log P_ab / d tau_a (thresholds of the *first* item) per cell: array (m, ka, kb, ka-1).

    ``dP_ab/d(upper bound of a) = phi(u_a) [Phi((u_b - rho u_a)/R) - Phi((l_b - rho u_a)/R)]`` and minus the
    same at the lower bound; cells at or below the probability floor get 0 (lavaan: NA, dropped from sums).
    """
    m, ka = tau_a.shape[0], tau_a.shape[1] + 1
    kb = tau_b.shape[1] + 1
    rr = np.sqrt(1.0 - rho * rho)[:, None, None]
    r3 = rho[:, None, None]
    ta = tau_a[:, :, None]                                                  # (m, ka-1, 1)
    bb = np.concatenate([np.full((m, 1), -np.inf), tau_b, np.full((m, 1), np.inf)], axis=1)
    cond = ndtr((bb[:, None, :] - r3 * ta) / rr)                           # (m, ka-1, kb+1)
    dens = np.exp(-0.5 * ta * ta) / np.sqrt(2.0 * np.pi)
    d_at = dens * np.diff(cond, axis=2)                                     # dP(cell with bound tau_k)/d tau_k
    out = np.zeros((m, ka, kb, ka - 1))
    k = np.arange(ka - 1)
    out[:, k, :, k] = d_at.transpose(1, 0, 2)                               # tau_k is the upper bound of cat k
    out[:, k + 1, :, k] = -d_at.transpose(1, 0, 2)                          # ... and the lower bound of k + 1
    ok = prob > _PI_FLOOR
    return np.where(ok[..., None], out / prob[..., None], 0.0)


# ------------------------------------------------------------------------------------------ public ----
def polychoric_acov(data: Any, ordered: Sequence[str] | None = None) -> OrdinalMoments:
    """Thresholds, polychoric correlations and their asymptotic covariance (Gamma) as lavaan's WLSMV.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Ordinal item responses (any numeric codes; the ordered distinct observed values are the categories).
        Rows with a missing value on any analysed item are dropped (lavaan's ``missing = "listwise"``).
    ordered : sequence of str, optional
        The items to analyse, in this order; default all columns of a DataFrame, or all instrument items
        of a wave (in questionnaire order).

    Returns
    -------
    OrdinalMoments
        ``thresholds``, ``corr``, ``gamma`` (N-scaled NACOV), ``wls_v_diag`` (DWLS weights), ``labels``,
        ``n_obs``; the property ``wls_obs`` is the statistics vector in Gamma's order.

    Raises
    ------
    DataError
        Fewer than 2 items, non-numeric items, fewer than 2 complete rows, an item with a single category.

    Notes
    -----
    Agrees with ``lavInspect(fit, "sampstat")``, ``lavInspect(fit, "gamma")`` and ``lavInspect(fit, "wls.v")``
    of ``cfa(model, data, ordered = TRUE, estimator = "WLSMV")`` in lavaan 0.6-14 (thresholds and
    correlations to about 1e-8, Gamma to about 1e-6 relative; see tests/golden/lavaan_ordinal_moments.R).
    lavaan estimates the thresholds with ``nlminb``; the closed form used here is the exact optimum.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], size=1000)
    >>> df = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b", "c"])
    >>> mom = polychoric_acov(df)
    >>> mom.labels[:4], mom.labels[-3:]
    (['a|t1', 'a|t2', 'a|t3', 'b|t1'], ['a~~b', 'a~~c', 'b~~c'])
    >>> mom.gamma.shape
    (12, 12)
    >>> bool(np.allclose(mom.wls_v_diag, 1 / np.diag(mom.gamma)))
    True
    >>> round(float(mom.corr.loc["a", "b"]), 1)
    0.5
    """
    items = _resolve(data, ordered)
    names = [str(c) for c in items.columns]
    p = len(names)
    if p < 2:
        raise DataError(f"polychoric_acov: at least 2 ordinal items are needed, got {p}")
    complete = items.notna().all(axis=1).to_numpy()
    n_dropped = int((~complete).sum())
    items = items.loc[complete]
    n = items.shape[0]
    if n < 2:
        raise DataError(f"polychoric_acov: {n} complete row(s); at least 2 are needed")
    codes, cats = ordinal_codes(items)
    ncat = np.array([len(c) for c in cats])
    single = [nm for nm, k in zip(names, ncat) if k < 2]
    if single:
        raise DataError(f"polychoric_acov: item(s) with a single observed category: {', '.join(single)}")
    tau = thresholds_from_codes(codes, ncat)
    notes: list[str] = []

    # --- threshold scores (casewise) and A11^{-1} per item ---------------------------------------------
    nth = ncat - 1
    th_end = np.cumsum(nth)
    th_start = th_end - nth
    n_th = int(th_end[-1])
    sc_th = np.empty((n, n_th))
    a11_inv = np.zeros((n_th, n_th))
    for j in range(p):
        sj = threshold_scores(tau[j])                      # (K, K-1)
        freq = np.bincount(codes[:, j], minlength=ncat[j]).astype(float)
        blk = slice(th_start[j], th_end[j])
        sc_th[:, blk] = sj[codes[:, j]]
        a11_inv[blk, blk] = np.linalg.inv((sj * freq[:, None]).T @ sj)

    # --- polychoric correlations and correlation scores, pairs grouped by table shape --------------------
    rows, cols = _vech_pairs(p)                            # pair m = (rows[m], cols[m]), rows > cols
    n_pairs = rows.size
    rho = np.zeros(n_pairs)
    sc_cor = np.empty((n, n_pairs))
    a21 = np.zeros((n_pairs, n_th))
    a22 = np.zeros(n_pairs)
    zero_cells: list[tuple[str, str]] = []
    shapes: dict[tuple[int, int], list[int]] = {}
    for m in range(n_pairs):
        shapes.setdefault((int(ncat[cols[m]]), int(ncat[rows[m]])), []).append(m)
    for (ka, kb), members in shapes.items():
        mm = np.array(members)
        ia, ib = cols[mm], rows[mm]                        # first item = earlier column (vech column)
        ca, cb = codes[:, ia], codes[:, ib]                # (n, g)
        g = mm.size
        flat = (np.arange(g)[None, :] * ka + ca) * kb + cb
        freq = np.bincount(flat.ravel(), minlength=g * ka * kb).reshape(g, ka, kb).astype(float)
        ta = np.stack([tau[i] for i in ia])
        tb = np.stack([tau[i] for i in ib])
        est = np.full(g, np.nan)
        fit_freq = freq.copy()
        if ka == 2 and kb == 2:
            for q in range(g):
                r_q, f_q, note = _binary_special(freq[q], float(ta[q, 0]), float(tb[q, 0]))
                fit_freq[q] = f_q
                if note:
                    notes.append(f"{names[ia[q]]} x {names[ib[q]]}: {note}")
                if r_q is not None:
                    est[q] = r_q
        todo = np.isnan(est)
        if todo.any():
            start = _pearson(ca[:, todo].astype(float), cb[:, todo].astype(float))
            est[todo] = _rho_ml(fit_freq[todo], ta[todo], tb[todo], start)
        rho[mm] = est
        for q in np.nonzero((freq == 0).any(axis=(1, 2)))[0]:
            zero_cells.append((names[ia[q]], names[ib[q]]))
        # cell scores at the estimates (observed tables, as lavaan's lav_bvord_cor_scores); a correlation of
        # exactly +-1 (2 x 2 table with two empty cells) has no scores: its Gamma row/column becomes NaN
        est_s = np.clip(est, -_RHO_BOUND, _RHO_BOUND)
        prob, phi = _floored_probabilities(est_s, ta, tb)
        ok = prob > _PI_FLOOR
        s_rho = np.where(ok, phi / prob, 0.0)                               # (g, ka, kb)
        sc_cor[:, mm] = s_rho[np.arange(g)[None, :], ca, cb]
        a22[mm] = (freq * s_rho * s_rho).sum(axis=(1, 2))
        d_ta = _cell_threshold_scores(est_s, ta, tb, prob)                  # (g, ka, kb, ka-1)
        d_tb = _cell_threshold_scores(est_s, tb, ta, prob.transpose(0, 2, 1))  # (g, kb, ka, kb-1)
        w = freq * s_rho
        cross_a = np.einsum("gab,gabk->gk", w, d_ta)
        cross_b = np.einsum("gab,gbak->gk", w, d_tb)
        for q in range(g):
            a21[mm[q], th_start[ia[q]]:th_end[ia[q]]] = cross_a[q]
            a21[mm[q], th_start[ib[q]]:th_end[ib[q]]] = cross_b[q]
    perfect = np.abs(rho) >= 1.0
    if perfect.any():
        sc_cor[:, perfect], a21[perfect], a22[perfect] = np.nan, 0.0, 1.0
        notes.append("Gamma is undefined (NaN) for correlations of exactly +-1: "
                     + ", ".join(f"{names[cols[m]]}~~{names[rows[m]]}" for m in np.nonzero(perfect)[0]))
    near_one = np.nonzero(np.abs(rho) > 0.99)[0]
    for m in near_one:
        notes.append(f"correlation between {names[rows[m]]} and {names[cols[m]]} is (nearly) 1.0")

    # --- sandwich: influence rows B^{-1} s_i, Gamma = N * sum_i IF_i IF_i' ------------------------------
    if np.any(~(a22 > 0)):
        raise DataError("polychoric_acov: a correlation has zero information (degenerate bivariate table)")
    inf_th = sc_th @ a11_inv.T
    inf_cor = (sc_cor - inf_th @ a21.T) / a22
    infl = np.concatenate([inf_th, inf_cor], axis=1)
    gamma = n * (infl.T @ infl)

    th_labels = [f"{names[j]}|t{k + 1}" for j in range(p) for k in range(nth[j])]
    cor_labels = [f"{names[c]}~~{names[r]}" for r, c in zip(rows, cols)]
    labels = th_labels + cor_labels
    corr = np.eye(p)
    corr[rows, cols] = rho
    corr[cols, rows] = rho
    for msg in notes:
        warnings.warn(f"polychoric_acov: {msg}", ResilienceStatsWarning, stacklevel=2)
    return OrdinalMoments(
        thresholds=pd.Series(np.concatenate(tau), index=th_labels, name="threshold"),
        corr=pd.DataFrame(corr, index=names, columns=names),
        gamma=pd.DataFrame(gamma, index=labels, columns=labels),
        wls_v_diag=pd.Series(1.0 / np.diag(gamma), index=labels, name="wls_v"),
        n_obs=int(n),
        n_dropped=n_dropped,
        labels=labels,
        categories=dict(zip(names, cats)),
        zero_cell_pairs=zero_cells,
        warnings=notes,
    )


def _resolve(data: Any, ordered: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        constructs = {"items": list(ordered)} if ordered is not None else None
        return resolve_items(data, constructs).items
    if ordered is not None:
        return resolve_items(data, {"items": list(ordered)}).items
    return resolve_items(data).items
