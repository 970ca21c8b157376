"""Conditional effects in regressions with product terms: slopes at moderator values, their standard errors,
the Johnson-Neyman boundaries, and the moderator values at which models are probed.

The slope of a focal set of variables ``F`` in an equation is ``sum_t b_t prod_{v in t \\ F} v`` over the
terms ``t`` that contain ``F`` (e.g. ``b_X + b_XW W`` for X in ``Y ~ X + W + XW``). It is linear in the
coefficients, ``g' b``, so its standard error is ``sqrt(g' V g)`` and its t test has the equation's residual
degrees of freedom (Hayes, 2022, ch. 7-9).

Johnson-Neyman: with ``theta(v) = g0'b + v g1'b`` and ``Var = g0'Vg0 + 2 v g0'Vg1 + v^2 g1'Vg1``, the
boundaries of significance solve ``theta(v)^2 = t_crit^2 Var(v)``, a quadratic in ``v`` (Johnson & Neyman,
1936; Bauer & Curran, 2005).
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import DataError, ModelSpecificationError

__all__ = ["PROBE_METHODS", "jn_boundaries", "linear_effect", "moderators_of", "probe_values", "slope_weights"]

PROBE_METHODS = ("percentiles", "meansd")


def slope_weights(terms: Sequence[tuple], focal: Sequence[str], values: Mapping[str, float]) -> np.ndarray:
    """The weights ``g`` (constant first) with ``slope = g' b`` of the focal variable(s) at ``values``.

    Examples
    --------
    >>> slope_weights([("x",), ("w",), ("x", "w")], ["x"], {"w": 2.0}).tolist()
    [0.0, 1.0, 0.0, 2.0]
    """
    g = np.zeros(len(terms) + 1)
    fs = set(focal)
    for i, t in enumerate(terms, start=1):
        if fs <= set(t):
            g[i] = math.prod(values[v] for v in t if v not in fs)
    return g


def moderators_of(terms: Sequence[tuple], focal: Sequence[str]) -> list[str]:
    """Variables whose values change the slope of ``focal`` (in order of first appearance).

    Examples
    --------
    >>> moderators_of([("x",), ("w",), ("z",), ("x", "w"), ("x", "z")], ["x"])
    ['w', 'z']
    """
    fs = set(focal)
    out: list[str] = []
    for t in terms:
        if fs <= set(t):
            out += [v for v in t if v not in fs and v not in out]
    return out


def linear_effect(g: np.ndarray, coef: np.ndarray, vcov: np.ndarray, df: int, level: float) -> dict:
    """Estimate, SE, t, p and t-based CI of ``g' b``.

    Examples
    --------
    >>> r = linear_effect(np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.eye(2) * 0.25, 30, 0.95)
    >>> r["effect"], r["se"], r["t"]
    (2.0, 0.5, 4.0)
    """
    est = float(g @ coef)
    se = float(np.sqrt(max(g @ vcov @ g, 0.0)))
    t = est / se if se > 0 else float("nan")
    half = float(sps.t.ppf(0.5 + level / 2, df)) * se
    return {"effect": est, "se": se, "t": t, "p": float(2 * sps.t.sf(abs(t), df)),
            "ci_lower": est - half, "ci_upper": est + half}


def jn_boundaries(g0: np.ndarray, g1: np.ndarray, coef: np.ndarray, vcov: np.ndarray, df: int,
                  level: float) -> np.ndarray:
    """Moderator values where ``theta(v) = g0'b + v g1'b`` is exactly significant at ``level`` (sorted;
    empty when it is significant everywhere or nowhere).

    Examples
    --------
    >>> b = np.array([0.0, -0.5, 0.0, 0.2]); V = np.diag([0.0, 0.04, 0.0, 0.0025])
    >>> g0 = np.array([0.0, 1.0, 0.0, 0.0]); g1 = np.array([0.0, 0.0, 0.0, 1.0])
    >>> np.round(jn_boundaries(g0, g1, b, V, 10_000, 0.95), 3).tolist()
    [0.523, 6.057]
    """
    tc2 = float(sps.t.ppf(0.5 + level / 2, df)) ** 2
    e0, e1 = float(g0 @ coef), float(g1 @ coef)
    a = e1 * e1 - tc2 * float(g1 @ vcov @ g1)
    b = 2 * (e0 * e1 - tc2 * float(g0 @ vcov @ g1))
    c = e0 * e0 - tc2 * float(g0 @ vcov @ g0)
    scale = max(abs(a), abs(b), abs(c), 1e-300)
    if abs(a) <= 1e-14 * scale:
        return np.array([-c / b]) if abs(b) > 1e-14 * scale else np.empty(0)
    disc = b * b - 4 * a * c
    if disc < 0:
        return np.empty(0)
    root = math.sqrt(disc)
    # numerically stable pair of roots
    q = -0.5 * (b + math.copysign(root, b))
    roots = [q / a, c / q] if q != 0 else [0.0, 0.0]
    return np.unique(np.sort(np.array(roots)))


def probe_values(values: pd.Series, how: str = "percentiles", explicit: Sequence[float] | None = None,
                 name: str = "W") -> np.ndarray:
    """Moderator values at which effects are probed.

    A moderator with two distinct values is probed at both; otherwise at the 16th, 50th and 84th percentiles
    (``how="percentiles"``, PROCESS's default; percentiles as SPSS defines them, R's ``quantile(type = 6)``)
    or at the mean and one standard deviation below and above it (``how="meansd"``). ``explicit`` values win.

    Examples
    --------
    >>> probe_values(pd.Series([0.0, 1.0, 1.0, 0.0])).tolist()
    [0.0, 1.0]
    >>> probe_values(pd.Series(np.arange(1.0, 11.0)), "meansd").round(3).tolist()
    [2.472, 5.5, 8.528]
    """
    if explicit is not None:
        vals = np.atleast_1d(np.asarray(explicit, dtype=float))
        if vals.size == 0 or not np.all(np.isfinite(vals)):
            raise DataError(f"the probe values of {name} must be finite numbers, not {explicit!r}")
        return vals
    if how not in PROBE_METHODS:
        raise ModelSpecificationError(f"conditional_at must be one of {', '.join(PROBE_METHODS)}, not {how!r}")
    x = np.asarray(values, dtype=float)
    distinct = np.unique(x)
    if distinct.size == 2:
        return distinct
    if how == "percentiles":
        return np.quantile(x, [0.16, 0.50, 0.84], method="weibull")
    m, s = x.mean(), x.std(ddof=1)
    return np.array([m - s, m, m + s])
