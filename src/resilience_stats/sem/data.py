"""Sample statistics of the data handed to the SEM engine (computed once per fit)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SampleStats", "sample_stats", "missing_patterns", "Pattern"]


@dataclass
class Pattern:
    """Rows sharing one missing-data pattern."""

    observed: np.ndarray  # boolean mask over variables
    rows: np.ndarray  # row indices into the group's data
    n: int
    mean: np.ndarray  # mean of the observed variables in these rows
    cov: np.ndarray  # biased covariance (divide by n) of the observed variables


@dataclass
class SampleStats:
    """Moments of one group.

    ``cov`` divides by N (lavaan's ML convention). With missing data (FIML), ``mean``/``cov`` are the EM
    (saturated-model) estimates and ``patterns`` hold the per-pattern moments.
    """

    names: list[str]
    nobs: int
    mean: np.ndarray
    cov: np.ndarray
    data: np.ndarray
    patterns: list[Pattern] = field(default_factory=list)
    missing: bool = False
    logdet_cov: float = float("nan")
    h1_loglik: float = float("nan")

    @property
    def p(self) -> int:
        return len(self.names)


def missing_patterns(X: np.ndarray) -> list[Pattern]:
    """Group the rows of ``X`` (NaN = missing) by missing-data pattern.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 4.0]])
    >>> [(p.observed.tolist(), p.n) for p in missing_patterns(X)]
    [([True, True], 2), ([False, True], 1)]
    """
    obs = ~np.isnan(X)
    keys, inverse = np.unique(obs, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    out = []
    order = np.argsort([-k.sum() for k in keys], kind="stable")
    for k in order:
        rows = np.flatnonzero(inverse == k)
        mask = keys[k]
        if not mask.any():
            continue
        Y = X[np.ix_(rows, np.flatnonzero(mask))]
        mu = Y.mean(axis=0)
        Z = Y - mu
        out.append(Pattern(mask.copy(), rows, len(rows), mu, Z.T @ Z / len(rows)))
    return out


def sample_stats(X: np.ndarray, names: list[str], missing: bool = False) -> SampleStats:
    """Compute the sample moments of one group.

    Examples
    --------
    >>> ss = sample_stats(np.array([[1.0, 2.0], [3.0, 6.0]]), ["a", "b"])
    >>> ss.cov.tolist(), ss.mean.tolist()
    ([[1.0, 2.0], [2.0, 4.0]], [2.0, 4.0])
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    if not missing:
        mean = X.mean(axis=0)
        Z = X - mean
        cov = Z.T @ Z / n
        sign, logdet = np.linalg.slogdet(cov)
        return SampleStats(list(names), n, mean, cov, X, [], False, logdet if sign > 0 else float("nan"))
    pats = missing_patterns(X)
    mean = np.nanmean(X, axis=0)
    cov = np.diag(np.nanvar(X, axis=0))
    return SampleStats(list(names), n, mean, cov, X, pats, True)
