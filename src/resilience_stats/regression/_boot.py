"""Case-resampling bootstrap for the regression models: reproducible draws, batched statistics, percentile CIs.

Replicates are drawn in fixed-size chunks; chunk ``k`` draws its row indices from the ``k``-th child of
``np.random.SeedSequence(seed)`` (``spawn``), so every replicate, and every number derived from it, is the
same for any ``n_jobs`` and the first ``B`` replicates do not depend on how many are asked for. A chunk's
statistics are computed at once from its case counts (how often each row was drawn), see
:func:`resilience_stats.regression._ols.batched_coefs`.

Percentile intervals are the ``(R + 1) * alpha``-th order statistics, interpolated on the normal quantile
scale between neighbours (the boot package's ``norm.inter``, used by ``boot.ci(type = "perc")``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats as sps
from ..sem.bootstrap import norm_inter as _norm_inter  # boot's norm.inter, shared with the SEM bootstrap

__all__ = ["CHUNK", "bootstrap_draws", "boot_indices", "percentile_ci"]

CHUNK = 500  # replicates per chunk: fixed, so the draws never depend on n_jobs


def _chunks(n_boot: int) -> list[tuple[int, int]]:
    return [(start, min(CHUNK, n_boot - start)) for start in range(0, n_boot, CHUNK)]


def _indices(n: int, size: int, seed: int, chunk: int) -> np.ndarray:
    child = np.random.SeedSequence(seed, spawn_key=(chunk,))  # == SeedSequence(seed).spawn(...)[chunk]
    return np.random.default_rng(child).integers(0, n, size=(CHUNK, n))[:size]


def boot_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """Row indices (0-based) of the first ``n_boot`` bootstrap resamples of ``n`` cases for ``seed``.

    Examples
    --------
    >>> boot_indices(5, 2, seed=0).shape
    (2, 5)
    >>> bool((boot_indices(50, 3, 1) == boot_indices(50, 700, 1)[:3]).all())
    True
    """
    parts = [_indices(n, size, seed, k) for k, (_, size) in enumerate(_chunks(n_boot))]
    return np.concatenate(parts) if parts else np.empty((0, n), dtype=int)


def _counts(idx: np.ndarray, n: int) -> np.ndarray:
    size = idx.shape[0]
    flat = (idx + n * np.arange(size)[:, None]).ravel()
    return np.bincount(flat, minlength=size * n).reshape(size, n).astype(float)


def bootstrap_draws(statistic: Callable[[np.ndarray], np.ndarray], n: int, n_boot: int, seed: int,
                    n_jobs: int | None = 1) -> np.ndarray:
    """Bootstrap replicates of a vector statistic.

    Parameters
    ----------
    statistic : callable
        ``statistic(weights)`` with ``weights`` of shape (size, n) (case counts of each replicate) returns
        an array (size, p).
    n, n_boot, seed : int
    n_jobs : int or None
        Threads working on chunks at once (numpy releases the GIL in its matrix products); the draws do not
        depend on it.

    Returns
    -------
    numpy.ndarray, (n_boot, p)

    Examples
    --------
    >>> x = np.arange(10.0)
    >>> draws = bootstrap_draws(lambda w: (w @ x / w.sum(axis=1))[:, None], 10, 1000, seed=1)
    >>> draws.shape, bool(abs(draws.mean() - 4.5) < 0.1)
    ((1000, 1), True)
    """
    chunks = _chunks(n_boot)

    def one(k: int) -> np.ndarray:
        # always a whole chunk (then cut): identical arithmetic, so the first replicates never depend on n_boot
        return np.asarray(statistic(_counts(_indices(n, CHUNK, seed, k), n)), dtype=float)[: chunks[k][1]]

    jobs = 1 if n_jobs is None else int(n_jobs)
    if jobs == 1 or len(chunks) == 1:
        parts = [one(k) for k in range(len(chunks))]
    else:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=jobs, prefer="threads")(delayed(one)(k) for k in range(len(chunks)))
    return np.concatenate(parts, axis=0)


def percentile_ci(draws: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap intervals of each column of ``draws`` (non-finite replicates ignored).

    Examples
    --------
    >>> lo, hi = percentile_ci(np.arange(1.0, 1000.0)[:, None], 0.9)
    >>> float(lo[0]), float(hi[0])
    (50.0, 950.0)
    """
    draws = np.atleast_2d(np.asarray(draws, dtype=float))
    a = (1 - level) / 2
    alpha = np.array([a, 1 - a])
    bounds = np.array([_norm_inter(draws[:, j], alpha) for j in range(draws.shape[1])]).reshape(-1, 2)
    return bounds[:, 0], bounds[:, 1]
