"""Split-half reliabilities per construct: Guttman's lambda 4 (best split), Revelle's beta (worst split) and the
average split half, as ``psych::splitHalf`` (psych 2.2.9).

For the correlation matrix ``R`` of a construct's k items (``cov2cor`` of the pairwise covariances, as psych)
a split puts ``floor(k/2)`` items in half A and the rest in B; its reliability is
``4 * sum(R[A, B]) / sum(R)`` (the Flanagan-Rulon coefficient of standardised half scores).

* Which splits: psych is exhaustive when ``choose(k, floor(k/2)) / 2 <= n_sample`` (k <= 16 with the default
  10,000) and draws ``n_sample`` random halves otherwise.  We follow the same rule.  With an even k the
  exhaustive splits are the ``choose(k, k/2) / 2`` distinct ones (exactly psych's).  With an odd k psych stops
  after the first ``choose(k, floor(k/2)) / 2`` halves in lexicographic order, i.e. it sees only half of the
  distinct splits; here all ``choose(k, floor(k/2))`` are examined, so lambda 4, beta and the mean can differ
  from psych's for odd k (they are the true maximum, minimum and mean).
* Random halves come from ``numpy.random.default_rng(seed)``: the same seed gives the same numbers.
* ``check_keys``: items loading negatively on the first principal component are reverse-keyed first
  (psych's default), and listed in ``reversed``.
* Also reported: alpha, Guttman's lambda 2 and lambda 6, the mean and median inter-item correlation, and the
  2.5%, 50% and 97.5% quantiles of the split-half values (psych's ``ci`` with ``raw = TRUE``).

No Python library computes these (pingouin has Spearman-Brown for one given split only).
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._blas import one_blas_thread
from ..errors import DataError, ResilienceStatsWarning
from ._common import check_items, pairwise_cov, resolve_items, smc

__all__ = ["split_half", "split_values"]

_CHUNK = 65536
COLUMNS = ["construct", "n_items", "n_obs", "lambda4", "beta", "mean_split", "alpha", "lambda2", "lambda6",
           "avg_r", "median_r", "split_q025", "split_median", "split_q975", "n_splits", "exhaustive",
           "best_split", "worst_split", "reversed", "note"]


def _values(r: np.ndarray, halves: np.ndarray) -> np.ndarray:
    """Split-half reliabilities of indicator rows ``halves`` (m x k, 1 = half A)."""
    a = halves.astype(float)
    return 4.0 * np.einsum("ij,ij->i", a @ r, 1.0 - a) / r.sum()


def _combination_chunks(k: int, half: int):
    combos = itertools.combinations(range(k), half)
    if k % 2 == 0:   # each split once: the halves holding the first item
        combos = (c for c in combos if c[0] == 0)
    while True:
        chunk = list(itertools.islice(combos, _CHUNK))
        if not chunk:
            return
        idx = np.array(chunk)
        out = np.zeros((len(chunk), k), dtype=bool)
        np.put_along_axis(out, idx, True, axis=1)
        yield out


def _random_chunks(k: int, half: int, n_sample: int, seed: int | None):
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_sample:
        m = min(_CHUNK, n_sample - done)
        idx = np.argsort(rng.random((m, k)), axis=1)[:, :half]
        out = np.zeros((m, k), dtype=bool)
        np.put_along_axis(out, idx, True, axis=1)
        done += m
        yield out


def split_values(r: np.ndarray, n_sample: int = 10000, seed: int | None = 0):
    """All (or ``n_sample`` random) split-half values of correlation matrix ``r``.

    Returns ``(values, best_half, worst_half, exhaustive)``; the halves are boolean masks of half A, the first
    maximal/minimal split in enumeration order (psych's tie rule).
    """
    k = r.shape[0]
    half = k // 2
    exhaustive = round(math.comb(k, half)) / 2 <= n_sample
    chunks = _combination_chunks(k, half) if exhaustive else _random_chunks(k, half, n_sample, seed)
    values, best, worst = [], None, None
    best_v, worst_v = -np.inf, np.inf
    for masks in chunks:
        with one_blas_thread():
            v = _values(r, masks)
        i, j = int(np.argmax(v)), int(np.argmin(v))
        if v[i] > best_v:
            best_v, best = v[i], masks[i].copy()
        if v[j] < worst_v:
            worst_v, worst = v[j], masks[j].copy()
        values.append(v)
    return np.concatenate(values), best, worst, exhaustive


def _split_text(mask: np.ndarray, names: list[str]) -> str:
    a = [n for n, m in zip(names, mask) if m]
    b = [n for n, m in zip(names, mask) if not m]
    return f"{', '.join(a)} | {', '.join(b)}"


def _keys(r: np.ndarray) -> np.ndarray:
    """psych's ``check.keys``: signs of the first principal component (column signed to a positive sum)."""
    vals, vecs = np.linalg.eigh(r)
    v = vecs[:, np.argmax(vals)]
    if v.sum() < 0:
        v = -v
    return np.where(v < 0, -1.0, 1.0)


def _one(name: str, items: pd.DataFrame, n_sample: int, seed: int | None, check_keys: bool) -> dict:
    check_items(items, f"construct {name!r}")
    names = list(items.columns)
    k = len(names)
    c = pairwise_cov(items.to_numpy())
    if np.isnan(c).any():
        raise DataError(f"construct {name!r}: some item pairs have fewer than 2 joint observations")
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    notes = []
    keys = _keys(r) if check_keys else np.ones(k)
    rev = [n for n, s in zip(names, keys) if s < 0]
    if rev:
        r = r * np.outer(keys, keys)
        notes.append(f"items negatively related to the total were reverse-keyed: {', '.join(rev)}")
    total = r.sum()
    off = total - np.trace(r)
    lower = r[np.tril_indices(k, -1)]
    values, best, worst, exhaustive = split_values(r, n_sample, seed)
    q = np.quantile(values, [0.025, 0.5, 0.975])
    return {
        "construct": name, "n_items": k, "n_obs": int(items.notna().any(axis=1).sum()),
        "lambda4": float(values.max()), "beta": float(values.min()), "mean_split": float(values.mean()),
        "alpha": float(off / total * k / (k - 1)),
        "lambda2": float((off + np.sqrt((lower**2).sum() * 2 * k / (k - 1))) / total),
        "lambda6": float((off + smc(r).sum()) / total),
        "avg_r": float(lower.mean()), "median_r": float(np.median(lower)),
        "split_q025": float(q[0]), "split_median": float(q[1]), "split_q975": float(q[2]),
        "n_splits": int(values.size), "exhaustive": bool(exhaustive),
        "best_split": _split_text(best, names), "worst_split": _split_text(worst, names),
        "reversed": ", ".join(rev), "note": "; ".join(notes),
    }


def split_half(
    data: Any,
    n_sample: int = 10000,
    seed: int | None = 0,
    check_keys: bool = True,
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Split-half reliabilities of each construct (one row per construct), as ``psych::splitHalf``.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (constructs from its instrument) or a DataFrame whose columns form one scale (construct
        ``"scale"``) unless ``constructs`` is given.
    n_sample : int, default 10000
        Every split is examined when ``choose(k, k // 2) / 2 <= n_sample`` for a construct of k items (psych's
        rule: up to 16 items with the default), else ``n_sample`` random halves.
    seed : int or None, default 0
        Seed of the random halves.
    check_keys : bool, default True
        Reverse-key items that load negatively on the first principal component (psych's ``check.keys``).
    constructs, reverse : optional
        ``{name: [items]}`` overriding the instrument's constructs; reverse-keyed items to recode first.

    Returns
    -------
    pandas.DataFrame
        Columns ``construct, n_items, n_obs, lambda4`` (maximum split half), ``beta`` (minimum), ``mean_split``
        (average split half), ``alpha, lambda2, lambda6, avg_r, median_r``, ``split_q025, split_median,
        split_q975`` (quantiles of the split values), ``n_splits, exhaustive``, ``best_split`` and
        ``worst_split`` ("items of half A | items of half B"), ``reversed`` (items re-keyed), ``note``.

    Raises
    ------
    DataError
        Bad arguments; for a single scale also fewer than 2 items, constant, empty or non-numeric items.  With
        several constructs one that cannot be analysed gets a row of NaN with the reason in ``note`` (and a
        warning).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> t = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(t + rng.normal(size=(300, 6)), columns=list("abcdef"))
    >>> sh = split_half(df)
    >>> sh[["construct", "n_items", "n_splits", "exhaustive"]].to_dict("records")
    [{'construct': 'scale', 'n_items': 6, 'n_splits': 10, 'exhaustive': True}]
    >>> bool(sh.loc[0, "beta"] <= sh.loc[0, "mean_split"] <= sh.loc[0, "lambda4"])
    True
    """
    if not isinstance(n_sample, (int, np.integer)) or n_sample < 1:
        raise DataError(f"split_half: n_sample must be a positive integer, got {n_sample!r}")
    item_data = resolve_items(data, constructs, reverse)
    many = len(item_data.constructs) > 1
    rows = []
    for name, ids in item_data.constructs.items():
        try:
            rows.append(_one(name, item_data.items[ids], int(n_sample), seed, check_keys))
        except DataError as exc:
            if not many:
                raise
            warnings.warn(f"split_half: {exc}", ResilienceStatsWarning, stacklevel=2)
            rows.append({"construct": name, "n_items": len(ids), "n_obs": 0, "note": str(exc)})
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for c in ("n_items", "n_obs", "n_splits"):
        out[c] = out[c].fillna(0).astype(int)
    for c in ("best_split", "worst_split", "reversed", "note"):
        out[c] = out[c].fillna("")
    out["exhaustive"] = out["exhaustive"].fillna(False).astype(bool)
    return out
