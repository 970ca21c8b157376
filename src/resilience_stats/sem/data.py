"""Sample statistics of the data handed to the SEM engine (computed once per fit)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SampleStats", "sample_stats", "missing_patterns", "Pattern", "weighted_moments", "weighted_sample_stats"]


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


def weighted_moments(X: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (divided by the total count) of the rows of ``X`` repeated ``counts`` times.

    Examples
    --------
    >>> m, c = weighted_moments(np.array([[0.0], [2.0]]), np.array([1, 3]))
    >>> float(m[0]), float(c[0, 0])
    (1.5, 0.75)
    """
    w = counts / counts.sum()
    center = X[0] if len(X) else 0.0
    Xc = X - center
    m = w @ Xc
    cov = (Xc.T * w) @ Xc - np.outer(m, m)
    return m + center, (cov + cov.T) / 2


def weighted_sample_stats(ss: SampleStats, counts: np.ndarray) -> SampleStats:
    """Sample statistics of the cases of ``ss`` repeated ``counts`` times (a bootstrap resample) without copying
    the data: weighted moments for complete data, weighted per-pattern moments with missing data (FIML; the
    EM moments are not recomputed, only the fixed-x block of complete columns is kept exact).
    """
    X = ss.data
    total = float(counts.sum())
    n = int(round(total)) if float(total).is_integer() else total  # weighted resamples: the sum of the weights
    if not ss.missing:
        mean, cov = weighted_moments(X, counts)
        sign, logdet = np.linalg.slogdet(cov)
        return SampleStats(ss.names, n, mean, cov, X, [], False, logdet if sign > 0 else float("nan"))
    pats = []
    for pat in ss.patterns:
        wk = counts[pat.rows].astype(float)
        nk = wk.sum()
        if nk <= 0:
            continue
        Y = X[np.ix_(pat.rows, np.flatnonzero(pat.observed))]
        m, c = weighted_moments(Y, wk)
        pats.append(Pattern(pat.observed, pat.rows, int(nk) if float(nk).is_integer() else float(nk), m, c))
    p = X.shape[1]
    mean, cov = np.zeros(p), np.eye(p)
    complete = ~np.isnan(X).any(axis=0)
    if complete.any():
        mc, cc = weighted_moments(X[:, complete], counts.astype(float))
        mean[complete] = mc
        cov[np.ix_(complete, complete)] = cc
    return SampleStats(ss.names, n, mean, cov, X, pats, True)
