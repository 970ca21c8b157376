"""Mardia's tests of multivariate skewness and kurtosis, as ``psych::mardia`` (psych 2.2.9).

With complete cases x (n x p), centred, ``S`` their covariance matrix (denominator n - 1, as psych) and
``D = x S^-1 x'``:

* ``b1p = sum(D_ij^3) / n^2``; skew statistic ``n b1p / 6`` ~ chi-square with ``p(p+1)(p+2)/6`` df; the
  small-sample version multiplies it by ``k = (p+1)(n+1)(n+3) / (n((n+1)(p+1) - 6))``;
* ``b2p = sum(D_ii^2) / n``; kurtosis ``z = (b2p - p(p+2)) sqrt(n / (8p(p+2)))``, two-sided normal p value;
* ``distance`` = ``sqrt(D_ii)``, each case's Mahalanobis distance (psych's ``d``).

``D`` is never formed whole: the cubes are summed over blocks of rows, so memory stays O(block x n). scipy and
statsmodels have no Mardia test; pingouin's ``multivariate_normality`` is Henze-Zirkler, another test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._blas import one_blas_thread
from ..errors import DataError
from ._common import resolve_items

__all__ = ["MardiaResult", "mardia"]

_BLOCK = 2048


@dataclass(repr=False)
class MardiaResult:
    """Result of :func:`mardia`.

    Attributes
    ----------
    b1p, b2p : float
        Mardia's multivariate skewness and kurtosis.
    skew, skew_df, skew_p : float
        ``n b1p / 6``, its chi-square degrees of freedom and p value.
    small_skew, small_skew_p : float
        The small-sample corrected skew statistic and its p value.
    kurtosis, kurtosis_p : float
        The kurtosis z statistic and its two-sided p value.
    distance : pandas.Series
        Mahalanobis distance of each complete case (index of the input rows).
    n_obs, n_vars, n_dropped : int
        Complete cases used, variables, and rows dropped for missing values.
    """

    b1p: float
    b2p: float
    skew: float
    skew_df: float
    skew_p: float
    small_skew: float
    small_skew_p: float
    kurtosis: float
    kurtosis_p: float
    distance: pd.Series
    n_obs: int
    n_vars: int
    n_dropped: int

    @property
    def table(self) -> pd.DataFrame:
        """The three tests as a tidy frame: ``test``, ``coefficient`` (b1p or b2p), ``statistic``, ``df``, ``p``."""
        return pd.DataFrame({
            "test": ["skewness", "skewness_small_sample", "kurtosis"],
            "coefficient": [self.b1p, self.b1p, self.b2p],
            "statistic": [self.skew, self.small_skew, self.kurtosis],
            "df": [self.skew_df, self.skew_df, np.nan],
            "p": [self.skew_p, self.small_skew_p, self.kurtosis_p],
        })

    def __repr__(self) -> str:
        return (f"MardiaResult(n_obs={self.n_obs}, n_vars={self.n_vars}, b1p={self.b1p:.3f} "
                f"(chi2={self.skew:.2f}, p={self.skew_p:.3g}), b2p={self.b2p:.3f} "
                f"(z={self.kurtosis:.2f}, p={self.kurtosis_p:.3g}))")

    def summary(self) -> str:
        """A plain-text report of the three tests."""
        lines = [f"Mardia's tests of multivariate normality (n = {self.n_obs} complete cases, p = {self.n_vars})",
                 f"  skewness  b1p = {self.b1p:.4f}  chi2({self.skew_df:g}) = {self.skew:.3f}, p = {self.skew_p:.4g}",
                 f"  small-sample skew chi2 = {self.small_skew:.3f}, p = {self.small_skew_p:.4g}",
                 f"  kurtosis  b2p = {self.b2p:.4f}  z = {self.kurtosis:.3f}, p = {self.kurtosis_p:.4g}"]
        if self.n_dropped:
            lines.append(f"  {self.n_dropped} row(s) with missing values were dropped")
        return "\n".join(lines)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """The three tests as a publication table (:func:`resilience_stats.tables.from_result`)."""
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


def _cube_sum(z: np.ndarray) -> float:
    """``sum((z z')^3)`` by row blocks, using the symmetry (each off-diagonal block once, counted twice)."""
    total = 0.0
    for start in range(0, z.shape[0], _BLOCK):
        stop = min(start + _BLOCK, z.shape[0])
        block = z[start:stop] @ z[start:].T
        cubes = block * block * block  # not block**3: numpy's float power is ~40x slower
        total += float(cubes[:, : stop - start].sum()) + 2.0 * float(cubes[:, stop - start:].sum())
    return total


def mardia(
    data: Any,
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
) -> MardiaResult:
    """Mardia's multivariate skewness and kurtosis of the items (complete cases), as ``psych::mardia``.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        All items of the wave (or of ``constructs``), or all columns of the DataFrame.
    constructs, reverse : optional
        Item selection and reverse-keyed items (see :func:`~resilience_stats.psychometrics.reliability`).

    Returns
    -------
    MardiaResult

    Raises
    ------
    DataError
        Fewer than 2 variables, no more complete cases than variables, or a singular covariance matrix
        (constant or linearly dependent items).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> res = mardia(pd.DataFrame(rng.normal(size=(500, 4)), columns=list("abcd")))
    >>> res.skew_df, bool(res.kurtosis_p > 0.01)
    (20.0, True)
    """
    items = resolve_items(data, constructs, reverse).items
    p = items.shape[1]
    if p < 2:
        raise DataError(f"mardia: at least 2 variables are needed, got {p}")
    complete = items.dropna(how="any")
    n = complete.shape[0]
    if n <= p:
        raise DataError(f"mardia: {n} complete case(s) for {p} variables; more complete cases than variables "
                        "are needed")
    x = complete.to_numpy()
    x = x - x.mean(axis=0)
    s = np.cov(x, rowvar=False)
    try:
        chol = np.linalg.cholesky(s)
    except np.linalg.LinAlgError:
        raise DataError("mardia: the covariance matrix of the complete cases is singular (constant or linearly "
                        "dependent items); drop redundant items") from None
    z = np.linalg.solve(chol, x.T).T            # whitened: z z' = x S^-1 x'
    d2 = np.einsum("ij,ij->i", z, z)
    with one_blas_thread():
        b1p = _cube_sum(z) / n**2
    b2p = float((d2**2).sum() / n)
    df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew = n * b1p / 6
    small = n * k * b1p / 6
    kurt = (b2p - p * (p + 2)) * np.sqrt(n / (8 * p * (p + 2)))
    return MardiaResult(
        b1p=float(b1p), b2p=b2p, skew=float(skew), skew_df=float(df), skew_p=float(stats.chi2.sf(skew, df)),
        small_skew=float(small), small_skew_p=float(stats.chi2.sf(small, df)),
        kurtosis=float(kurt), kurtosis_p=float(2 * stats.norm.sf(abs(kurt))),
        distance=pd.Series(np.sqrt(d2), index=complete.index, name="distance"),
        n_obs=int(n), n_vars=int(p), n_dropped=int(items.shape[0] - n),
    )
