"""Shared input handling and small matrix helpers of the psychometrics subpackage (private).

Every public function of :mod:`resilience_stats.psychometrics` accepts either a *SurveyWave* (any object with
``.data`` -- a DataFrame -- and ``.instrument`` with ``.construct_items``; duck-typed) or a plain DataFrame of
item responses.  :func:`resolve_items` turns both into a float DataFrame of items (a copy) plus the construct
mapping, so the statistics never touch the caller's objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["ItemData", "resolve_items", "check_items", "pairwise_cov", "pairwise_corr", "smc", "cor_smooth",
           "pairwise_count"]


@dataclass
class ItemData:
    """Items ready for analysis.

    Attributes
    ----------
    items : pandas.DataFrame
        Float copy of the item columns (reverse-keyed items already recoded).
    constructs : dict
        ``{construct: [item ids]}`` in analysis order.
    bounds : dict
        ``{item: (min, max)}`` of the response scale when the instrument states it, else absent.
    """

    items: pd.DataFrame
    constructs: dict[str, list[str]]
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)


def _is_wave(data: Any) -> bool:
    return hasattr(data, "instrument") and hasattr(data, "data")


def _to_float_frame(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    bad = [c for c in cols if not (pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]))]
    if bad:
        raise DataError(f"items must be numeric; non-numeric column(s): {', '.join(map(str, bad))}")
    out = pd.DataFrame({c: pd.to_numeric(df[c], errors="coerce").astype("float64") for c in cols}, index=df.index)
    if not np.isfinite(out.to_numpy()[~np.isnan(out.to_numpy())]).all():
        raise DataError("items contain infinite values")
    return out


def resolve_items(
    data: Any,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
) -> ItemData:
    """Extract the item matrix, the construct mapping and the scale bounds from ``data``.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (``.data`` + ``.instrument``) or a DataFrame whose columns are items.
    constructs : mapping, optional
        ``{name: [item ids]}``; default: the instrument's ``construct_items`` for a wave, else all columns as
        one construct named ``"scale"``.
    reverse : sequence of str, optional
        Items to reverse-score as ``(min + max) - x`` (scale bounds when the instrument states them, else the
        observed minimum and maximum over all analysed items, as psych does).
    """
    instrument = None
    if _is_wave(data):
        frame = data.data
        instrument = data.instrument
        if constructs is None:
            constructs = dict(instrument.construct_items)
    elif isinstance(data, pd.DataFrame):
        frame = data
        if constructs is None:
            constructs = {"scale": [str(c) for c in frame.columns]}
    else:
        raise DataError(f"expected a SurveyWave or a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(frame, pd.DataFrame):
        raise DataError("the wave's .data is not a pandas DataFrame")
    constructs = {str(k): [str(i) for i in v] for k, v in constructs.items()}
    if not constructs:
        raise DataError("no constructs/items to analyse")
    cols: list[str] = []
    for items in constructs.values():
        for it in items:
            if it not in cols:
                cols.append(it)
    colmap = {str(c): c for c in frame.columns}
    missing = [c for c in cols if c not in colmap]
    if missing:
        raise DataError(f"item(s) not found in the data: {', '.join(missing)}")
    sub = frame[[colmap[c] for c in cols]].copy()
    sub.columns = cols
    items = _to_float_frame(sub, cols)
    bounds: dict[str, tuple[float, float]] = {}
    if instrument is not None and hasattr(instrument, "scale_of"):
        for c in cols:
            try:
                sc = instrument.scale_of(c)
            except Exception:  # noqa: BLE001 - unknown to the instrument: observed bounds are used
                continue
            lo, hi = getattr(sc, "min", None), getattr(sc, "max", None)
            if lo is not None and hi is not None:
                bounds[c] = (float(lo), float(hi))
    if reverse:
        unknown = [r for r in reverse if r not in items.columns]
        if unknown:
            raise DataError(f"reverse-keyed item(s) not among the analysed items: {', '.join(unknown)}")
        obs_lo, obs_hi = np.nanmin(items.to_numpy()), np.nanmax(items.to_numpy())
        for r in reverse:
            lo, hi = bounds.get(r, (obs_lo, obs_hi))
            items[r] = (lo + hi) - items[r]
    return ItemData(items=items, constructs=constructs, bounds=bounds)


def check_items(items: pd.DataFrame, what: str = "scale", min_items: int = 2) -> None:
    """Raise :class:`DataError` for too few items, all-missing items or constant items."""
    if items.shape[1] < min_items:
        raise DataError(f"{what}: at least {min_items} items are needed, got {items.shape[1]}")
    x = items.to_numpy(dtype=float)
    n_valid = (~np.isnan(x)).sum(axis=0)
    empty = [c for c, n in zip(items.columns, n_valid) if n == 0]
    if empty:
        raise DataError(f"{what}: item(s) with no observed values: {', '.join(empty)}")
    few = [c for c, n in zip(items.columns, n_valid) if n < 2]
    if few:
        raise DataError(f"{what}: item(s) with fewer than 2 observed values: {', '.join(few)}")
    sd = np.nanstd(x, axis=0)
    const = [c for c, s in zip(items.columns, sd) if not s > 0]
    if const:
        raise DataError(f"{what}: constant item(s) (zero variance): {', '.join(const)}")


def pairwise_count(x: np.ndarray) -> np.ndarray:
    """Number of cases observed on both items, for every pair."""
    m = (~np.isnan(x)).astype(float)
    return m.T @ m


def pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Covariances over pairwise complete cases (R's ``cov(x, use = "pairwise")``), vectorised."""
    m = (~np.isnan(x)).astype(float)
    x0 = np.where(m > 0, x, 0.0)
    n = m.T @ m
    sx = x0.T @ m            # sum of x_i over cases where j observed
    sxy = x0.T @ x0
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (sxy - sx * sx.T / n) / (n - 1)
    return c


def pairwise_corr(x: np.ndarray) -> np.ndarray:
    """Pearson correlations over pairwise complete cases (R's ``cor(x, use = "pairwise")``), vectorised.

    Each pair uses its own means and standard deviations, as R does (not ``cov2cor`` of the pairwise
    covariance matrix).
    """
    m = (~np.isnan(x)).astype(float)
    x0 = np.where(m > 0, x, 0.0)
    n = m.T @ m
    sx = x0.T @ m
    sxx = (x0 * x0).T @ m
    sxy = x0.T @ x0
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = sxy - sx * sx.T / n
        vx = sxx - sx * sx / n
        r = cxy / np.sqrt(vx * vx.T)
    np.fill_diagonal(r, 1.0)
    return np.clip(r, -1.0, 1.0)


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1/diag(R^-1)`` (pseudo-inverse when singular), clipped to [0, 1]."""
    try:
        inv = np.linalg.inv(r)
        if not np.isfinite(inv).all():
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    out = 1.0 - 1.0 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def cor_smooth(r: np.ndarray, eig_tol: float = 1e-12) -> tuple[np.ndarray, bool]:
    """psych's ``cor.smooth``: make a correlation matrix positive definite; returns (matrix, smoothed?)."""
    vals, vecs = np.linalg.eigh(r)
    if vals.min() >= np.finfo(float).eps:
        return r, False
    vals = np.where(vals < eig_tol, 100 * eig_tol, vals)
    vals = vals * r.shape[0] / vals.sum()
    x = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(x))
    return x / np.outer(d, d), True


def is_singular(r: np.ndarray, tol: float = 1e-10) -> bool:
    """Whether a correlation matrix is (numerically) singular."""
    vals = np.linalg.eigvalsh(r)
    return bool(vals.min() < tol * max(1.0, vals.max()))
