"""Analytic hierarchy process (AHP) weights from a pairwise-comparison matrix (Saaty 1977, 1980).

``A[i, j]`` says how much more important indicator ``i`` is than ``j`` on Saaty's 1-9 scale, with
``A[j, i] = 1 / A[i, j]`` and ones on the diagonal.

* **Eigenvector method** (Saaty): the weights are the principal right eigenvector of ``A`` scaled to sum 1;
  ``lambda_max`` is its eigenvalue. ``method="geometric"`` uses the row geometric means instead (Crawford &
  Williams 1985), with ``lambda_max`` estimated as the mean of ``(A w)_i / w_i``.
* **Consistency**: ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with Saaty's random index (Saaty
  1980; the table below, 1-15 criteria). ``CR >= 0.10`` is flagged as inconsistent (``consistent = False`` and
  an :class:`AHPConsistencyWarning`); judgements should then be revised. With n <= 2 a reciprocal matrix is
  always consistent (CR = 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import DataError, ResilienceStatsWarning

__all__ = ["AHPConsistencyWarning", "AHPResult", "RANDOM_INDEX", "ahp_weights", "inconsistency_message"]

#: Saaty's (1980) random consistency index by matrix order n.
RANDOM_INDEX: Mapping[int, float] = {
    1: 0.00, 2: 0.00, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

CR_LIMIT = 0.10


class AHPConsistencyWarning(ResilienceStatsWarning):
    """The pairwise comparisons are inconsistent (CR >= 0.10)."""


@dataclass
class AHPResult:
    """AHP weights and consistency.

    Attributes
    ----------
    weights : pandas.Series
        Indexed by indicator, summing to 1.
    lambda_max, ci, ri, cr : float
        Principal eigenvalue, consistency index, random index, consistency ratio (0 for n <= 2).
    consistent : bool
        ``cr < 0.10``.
    matrix : pandas.DataFrame
        The pairwise-comparison matrix.
    method : str
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    matrix: pd.DataFrame
    method: str = "eigenvector"

    def __repr__(self) -> str:
        w = ", ".join(f"{k}={v:.3f}" for k, v in self.weights.items())
        return (f"<AHPResult {self.method}: {w}; lambda_max={self.lambda_max:.4f}, CI={self.ci:.4f}, "
                f"CR={self.cr:.4f} ({'consistent' if self.consistent else 'INCONSISTENT: CR >= .10'})>")


def _matrix(matrix: Any, labels: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(matrix, pd.DataFrame):
        if labels is not None:
            missing = [x for x in labels if x not in matrix.index or x not in matrix.columns]
            if missing:
                raise DataError(f"AHP matrix: no row/column for {', '.join(map(str, missing))}")
            matrix = matrix.loc[list(labels), list(labels)]
        elif list(matrix.index) != list(matrix.columns):
            raise DataError("AHP matrix: row and column labels must be the same indicators in the same order")
        frame = matrix
    else:
        arr = np.asarray(matrix)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise DataError(f"AHP matrix must be square (n x n), not of shape {arr.shape}")
        names = list(labels) if labels is not None else [f"C{i + 1}" for i in range(arr.shape[0])]
        if len(names) != arr.shape[0]:
            raise DataError(f"AHP matrix has {arr.shape[0]} rows but {len(names)} labels")
        frame = pd.DataFrame(arr, index=names, columns=names)
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise DataError("AHP matrix must hold numbers") from None
    if values.shape[0] != values.shape[1]:
        raise DataError(f"AHP matrix must be square, not {values.shape[0]} x {values.shape[1]}")
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def _check(a: np.ndarray, tol: float) -> None:
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise DataError("AHP matrix entries must be positive finite numbers (Saaty's 1/9 .. 9)")
    if not np.allclose(np.diag(a), 1.0, rtol=0, atol=tol):
        raise DataError("AHP matrix must have ones on the diagonal")
    prod = a * a.T
    bad = np.argwhere(~np.isclose(prod, 1.0, rtol=0, atol=tol))
    if bad.size:
        i, j = bad[0]
        raise DataError(f"AHP matrix is not reciprocal: a[{i + 1},{j + 1}] = {a[i, j]:g} but a[{j + 1},{i + 1}] = "
                        f"{a[j, i]:g} (should be {1 / a[i, j]:g})")


def ahp_weights(
    matrix: Any,
    labels: Sequence[str] | None = None,
    *,
    method: str = "eigenvector",
    ri: Mapping[int, float] | float | None = None,
    strict: bool = False,
    tol: float = 1e-3,
) -> AHPResult:
    """AHP weights and consistency ratio of a pairwise-comparison matrix.

    Parameters
    ----------
    matrix : array-like or pandas.DataFrame
        The n x n reciprocal comparison matrix (a DataFrame's index and columns label the indicators).
    labels : list of str, optional
        Indicator names (the order of ``matrix``; with a DataFrame: the rows/columns to use, in this order).
    method : {"eigenvector", "geometric"}, default "eigenvector"
    ri : mapping or float, optional
        Random index table (or the value for this n); default Saaty's :data:`RANDOM_INDEX` (n <= 15).
    strict : bool, default False
        Raise :class:`~resilience_stats.errors.DataError` instead of warning when CR >= 0.10.
    tol : float, default 1e-3
        Tolerance of the reciprocity check (judgements such as 0.333 for 1/3 pass).

    Returns
    -------
    AHPResult

    Raises
    ------
    DataError
        Not square, non-positive entries, not reciprocal, n > 15 without ``ri``, or (``strict``) CR >= 0.10.

    Examples
    --------
    >>> res = ahp_weights([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]], ["a", "b", "c"])
    >>> res.weights.round(4).tolist(), abs(round(res.cr, 6))
    ([0.5714, 0.2857, 0.1429], 0.0)
    """
    frame = _matrix(matrix, labels)
    a = frame.to_numpy()
    n = a.shape[0]
    if n < 1:
        raise DataError("AHP matrix is empty")
    _check(a, tol)
    if method == "eigenvector":
        vals, vecs = np.linalg.eig(a)
        k = int(np.argmax(vals.real))
        w = np.abs(vecs[:, k].real)
        w = w / w.sum()
        lam = float(vals[k].real)
    elif method == "geometric":
        g = np.exp(np.log(a).mean(axis=1))
        w = g / g.sum()
        lam = float(np.mean((a @ w) / w))
    else:
        raise DataError(f"method must be 'eigenvector' or 'geometric', not {method!r}")
    if isinstance(ri, (int, float)):
        ri_n = float(ri)
    else:
        table = RANDOM_INDEX if ri is None else ri
        if n not in table:
            raise DataError(f"no random index for a {n} x {n} matrix (Saaty's table covers n <= 15); pass ri=")
        ri_n = float(table[n])
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    cr = ci / ri_n if ri_n > 0 else 0.0
    result = AHPResult(pd.Series(w, index=frame.index, name="weight"), lam, ci, ri_n, cr, bool(cr < CR_LIMIT),
                       frame, method)
    if not result.consistent:
        if strict:
            raise DataError(inconsistency_message(result))
        warn(inconsistency_message(result), AHPConsistencyWarning)
    return result


def inconsistency_message(result: AHPResult) -> str:
    """The flag of an inconsistent comparison matrix, with its lambda_max, CI, RI and CR."""
    return (f"AHP comparisons are inconsistent: CR = {result.cr:.3f} >= {CR_LIMIT:.2f} (lambda_max = "
            f"{result.lambda_max:.4f}, CI = {result.ci:.4f}, RI = {result.ri:.2f}); revise the judgements")
