"""Ordered (categorical) indicators: which variables are ordinal, and the checks their data need.

Estimation with ordered indicators (WLSMV / ULSMV; lavaan's delta or theta parameterization) runs through the one
pipeline (:mod:`resilience_stats.sem.pipeline`): the thresholds, scale factors and fixed intercepts are rows of the
parameter table (:mod:`resilience_stats.sem.partable`), the sample statistics are thresholds, polychoric
correlations and their asymptotic covariance Gamma
(:func:`~resilience_stats.psychometrics.polychoric_acov.polychoric_acov`; pairwise deletion:
:mod:`~resilience_stats.sem.ordinal_pairwise`), the model side is
:class:`~resilience_stats.sem.implied.OrdinalMap`, the estimator DWLS or ULS
(:mod:`resilience_stats.sem.objectives`), the standard errors robust.sem and the test scaled-shifted
(:mod:`resilience_stats.sem.scaling`).

Not (yet): mixed continuous and ordinal indicators, observed exogenous covariates (lavaan's conditional.x).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, ModelSpecificationError

__all__ = ["resolve_ordered", "model_thresholds", "category_warnings", "check_group_categories"]


def resolve_ordered(ordered, ov: list[str]) -> list[str]:
    """Model variables declared ordinal: ``True`` means all, a list selects (names outside the model are ignored).

    Examples
    --------
    >>> resolve_ordered(True, ["a", "b"]), resolve_ordered(["b", "z"], ["a", "b"])
    (['a', 'b'], ['b'])
    """
    if ordered is True:
        return list(ov)
    if ordered is None or ordered is False:
        return []
    if isinstance(ordered, str):
        ordered = [ordered]
    chosen = set(map(str, ordered))
    return [v for v in ov if v in chosen]


def model_thresholds(tau: np.ndarray, mu_star: float = 0.0, var_star: float = 1.0) -> np.ndarray:
    """Model-implied thresholds of one item on the standardized latent-response scale (delta parameterization).

    ``(tau - mu*) / sqrt(var*)``, where mu* and var* are the implied mean and variance of y*. In a single group
    with zero intercepts and latent means both are 0 and 1, and the model thresholds are the parameters.

    Examples
    --------
    >>> model_thresholds(np.array([-1.0, 0.5]), mu_star=0.5, var_star=4.0).tolist()
    [-0.75, 0.0]
    """
    return (np.asarray(tau, dtype=float) - mu_star) / np.sqrt(var_star)


# --------------------------------------------------------------------------------------------- data checks


def category_warnings(frame: pd.DataFrame, moments) -> list[str]:
    """Warnings about empty response categories (gaps) and sparse categories (fewer than 5 answers)."""
    out = []
    for v, cats in moments.categories.items():
        vals = np.asarray(cats, dtype=float)
        if np.all(np.isclose(vals, np.round(vals))) and len(vals) >= 2:
            gaps = sorted(set(range(int(vals.min()), int(vals.max()) + 1)) - set(np.round(vals).astype(int)))
            if gaps:
                out.append(f"item {v}: response categories {gaps} are empty; thresholds are estimated for the "
                           f"{len(vals)} observed categories only (as lavaan), so they are not comparable with "
                           "items or groups that use all categories")
        counts = frame[v].value_counts()
        rare = counts[counts < 5]
        if len(rare):
            out.append(f"item {v}: sparse categories ({', '.join(f'{k:g}: n={n}' for k, n in rare.items())}); "
                       "polychoric correlations and their Gamma are unstable -- consider collapsing categories")
    return out


def check_group_categories(frame: pd.DataFrame, items: list[str], group: str) -> None:
    """Raise a DataError when a response category of an item is empty in some group but used in others.

    Thresholds of an item must refer to the same categories in every group (lavaan stops with "some categories of
    variable ... are empty in group ..."); collapse the category or drop the group first. For multi-group
    (invariance) models with ordered indicators.

    Examples
    --------
    >>> df = pd.DataFrame({"g": [1, 1, 1, 2, 2, 2], "y": [1, 2, 3, 1, 1, 3]})
    >>> check_group_categories(df, ["y"], "g")
    Traceback (most recent call last):
    ...
    resilience_stats.errors.DataError: item y: category 2 is empty in group 2 (frequencies 1: 2, 3: 1); collapse categories or drop the group
    """
    if group not in frame.columns:
        raise ModelSpecificationError(f"group variable {group!r} not found in the data")
    sub = frame[items + [group]].dropna()
    for v in items:
        cats = sorted(sub[v].unique())
        for g, part in sub.groupby(group, sort=False):
            counts = part[v].value_counts()
            empty = [c for c in cats if c not in counts.index]
            if empty:
                freq = ", ".join(f"{c:g}: {counts.get(c, 0)}" for c in cats if c in counts.index)
                raise DataError(f"item {v}: categor{'y' if len(empty) == 1 else 'ies'} "
                                f"{', '.join(f'{c:g}' for c in empty)} {'is' if len(empty) == 1 else 'are'} empty "
                                f"in group {g} (frequencies {freq}); collapse categories or drop the group")
