"""Factorability of a correlation matrix: Kaiser-Meyer-Olkin MSA and Bartlett's test of sphericity.

Matches ``psych::KMO`` and ``psych::cortest.bartlett`` on correlations over pairwise complete cases
(``missing="pairwise"``, psych's default for raw data) with ``n`` = number of rows.  Unlike
factor_analyzer, missing values are handled (pairwise) instead of producing NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ResilienceStatsWarning
from .efa import correlation_input

__all__ = ["FactorabilityResult", "factorability", "kmo", "bartlett_sphericity"]


@dataclass(repr=False)
class FactorabilityResult:
    """Result of :func:`factorability`.

    Attributes
    ----------
    kmo : float
        Overall Kaiser-Meyer-Olkin measure of sampling adequacy.
    msa : pandas.Series
        Per-item MSA (NaN, with a warning, only for an item uncorrelated with every other item).
    bartlett_chisq, bartlett_df, bartlett_p : float
        Bartlett's sphericity test ``-(n - 1 - (2p + 5)/6) log|R|`` on ``p(p-1)/2`` df.
    determinant : float
        ``det(R)``.
    n_obs : int
        Rows used as ``n``.
    """

    kmo: float
    msa: pd.Series
    bartlett_chisq: float
    bartlett_df: float
    bartlett_p: float
    determinant: float
    n_obs: int

    def __repr__(self) -> str:
        return (f"FactorabilityResult(kmo={self.kmo:.3f}, bartlett_chisq={self.bartlett_chisq:.2f}, "
                f"bartlett_df={self.bartlett_df:g}, bartlett_p={self.bartlett_p:.3g}, "
                f"determinant={self.determinant:.3g}, n_obs={self.n_obs}, items={self.msa.size})")


def kmo(r: np.ndarray) -> tuple[float, np.ndarray]:
    """Overall and per-item KMO of a (non-singular) correlation matrix (Kaiser 1974 formula, as psych)."""
    q = np.linalg.inv(r)
    d = np.sqrt(np.diag(q))
    partial = q / np.outer(d, d)          # cov2cor of the inverse (sign irrelevant: squared)
    np.fill_diagonal(partial, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    r2, q2 = r0**2, partial**2
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = r2.sum() / (r2.sum() + q2.sum())
        per_item = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return float(overall), per_item


def bartlett_sphericity(r: np.ndarray, n: int) -> tuple[float, float, float]:
    """Bartlett's test that R is an identity matrix: (chisq, df, p)."""
    p = r.shape[0]
    sign, logdet = np.linalg.slogdet(r)
    chisq = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) / 2
    return float(chisq), float(df), float(stats.chi2.sf(chisq, df))


def factorability(
    data: Any,
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    missing: str = "pairwise",
) -> FactorabilityResult:
    """KMO/MSA, Bartlett's sphericity test and the determinant of the item correlation matrix.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        All items (of ``constructs`` when given) are analysed together.
    constructs : mapping, optional
        ``{name: [items]}`` to restrict the items.
    missing : {"pairwise", "listwise"}
        Pairwise complete correlations (psych) or complete cases; ``n_obs`` is the number of rows used.

    Returns
    -------
    FactorabilityResult

    Raises
    ------
    DataError
        Fewer than 2 items, constant/empty/non-numeric items, or a singular correlation matrix (duplicated or
        linearly dependent items: KMO needs the inverse).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> res = factorability(df)
    >>> round(res.bartlett_df)
    6
    >>> bool(res.kmo > 0.6)
    True
    """
    r, names, n_obs, _ = correlation_input(data, constructs, None, missing, what="factorability")
    overall, per_item = kmo(r)
    if not np.isfinite(per_item).all():
        bad = [nm for nm, v in zip(names, per_item) if not np.isfinite(v)]
        warnings.warn(f"factorability: KMO/MSA undefined (NaN) for {', '.join(bad)}: these items are uncorrelated "
                      "with all others (0/0)", ResilienceStatsWarning, stacklevel=2)
    chisq, df, p = bartlett_sphericity(r, n_obs)
    return FactorabilityResult(
        kmo=overall,
        msa=pd.Series(per_item, index=names, name="msa"),
        bartlett_chisq=chisq, bartlett_df=df, bartlett_p=p,
        determinant=float(np.linalg.det(r)),
        n_obs=n_obs,
    )
