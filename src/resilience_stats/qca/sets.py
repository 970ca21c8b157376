"""Set memberships, Boolean terms and the parameters of fit of set relations (shared by the QCA modules).

A *term* (a conjunction of literals) is a tuple with one entry per condition: ``1`` the condition is present
(``X``), ``0`` it is negated (``~X``), ``-1`` it does not appear. Memberships follow fuzzy-set algebra: the
negation of ``x`` is ``1 - x``, a conjunction is the minimum, a disjunction the maximum (Ragin 2008).

Parameters of fit (Ragin 2006, 2008; relevance of necessity: Schneider & Wagemann 2012, 2.4):

* sufficiency of X for Y: consistency ``inclS = sum(min(X, Y)) / sum(X)``, coverage ``covS = sum(min(X, Y)) /
  sum(Y)``, proportional reduction in inconsistency ``PRI = (sum(min(X, Y)) - sum(min(X, Y, ~Y))) / (sum(X) -
  sum(min(X, Y, ~Y)))``;
* necessity of X for Y: consistency ``inclN = sum(min(X, Y)) / sum(Y)``, coverage ``covN = sum(min(X, Y)) /
  sum(X)``, relevance ``RoN = sum(1 - X) / sum(1 - min(X, Y))``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "check_memberships",
    "fit_necessity",
    "fit_sufficiency",
    "membership",
    "parse_outcome",
    "parse_term",
    "term_string",
]


def term_string(term: Sequence[int], conditions: Sequence[str]) -> str:
    """A term written as R's QCA writes it: literals joined by ``*``, negation ``~``.

    Examples
    --------
    >>> term_string((1, -1, 0), ["DEV", "URB", "IND"])
    'DEV*~IND'
    """
    parts = [("~" if v == 0 else "") + c for v, c in zip(term, conditions) if v >= 0]
    return "*".join(parts) if parts else "1"


def parse_term(text: str, conditions: Sequence[str]) -> tuple[int, ...]:
    """A conjunction such as ``"DEV*~IND"`` as a term tuple.

    Raises
    ------
    DataError
        An unknown condition or a condition that appears twice.

    Examples
    --------
    >>> parse_term("DEV*~IND", ["DEV", "URB", "IND"])
    (1, -1, 0)
    """
    term = [-1] * len(conditions)
    index = {c: i for i, c in enumerate(conditions)}
    for raw in str(text).split("*"):
        lit = raw.strip()
        negated = lit.startswith("~")
        name = lit[1:].strip() if negated else lit
        if name not in index:
            raise DataError(f"term {text!r}: {name!r} is not one of the conditions ({', '.join(conditions)})")
        if term[index[name]] != -1:
            raise DataError(f"term {text!r}: condition {name!r} appears twice")
        term[index[name]] = 0 if negated else 1
    return tuple(term)


def parse_outcome(outcome: str) -> tuple[str, bool]:
    """``"~SURV"`` -> ``("SURV", True)``: the outcome column and whether its negation is explained."""
    if not isinstance(outcome, str) or not outcome.strip():
        raise DataError("outcome must name a column (prefix ~ for the negated outcome)")
    text = outcome.strip()
    return (text[1:].strip(), True) if text.startswith("~") else (text, False)


def check_memberships(data: pd.DataFrame, columns: Sequence[str], what: str, min_cases: int = 3) -> np.ndarray:
    """The set memberships of ``columns`` as a float array, checked: present, numeric, in [0, 1], complete.

    Raises
    ------
    DataError
        A missing column, a non-numeric or missing value, a value outside [0, 1], or fewer than ``min_cases``
        cases.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what}: expected a pandas DataFrame of set memberships, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(f"{what}: column(s) {', '.join(map(str, missing))} not found "
                        f"(have: {', '.join(map(str, data.columns))})")
    if len(data) < min_cases:
        raise DataError(f"{what}: {len(data)} case(s); set-theoretic analysis needs at least {min_cases}")
    out = np.empty((len(data), len(columns)))
    for j, c in enumerate(columns):
        values = pd.to_numeric(data[c], errors="coerce")
        bad = values.isna() & data[c].notna()
        if bad.any():
            raise DataError(f"{what}: column {c!r} has non-numeric values (cases {_cases(data.index[bad])})")
        if values.isna().any():
            raise DataError(f"{what}: column {c!r} has missing values (cases {_cases(data.index[values.isna()])}); "
                            "drop or impute those cases first")
        arr = values.to_numpy(dtype=float)
        outside = (arr < 0) | (arr > 1)
        if outside.any():
            raise DataError(f"{what}: column {c!r} has set memberships outside [0, 1] (cases "
                            f"{_cases(data.index[outside])}); calibrate it first (rs.qca.calibrate)")
        out[:, j] = arr
    return out


def _cases(index: Any) -> str:
    labels = [str(x) for x in list(index)]
    return ", ".join(labels[:10]) + (f" and {len(labels) - 10} more" if len(labels) > 10 else "")


def membership(x: np.ndarray, term: Sequence[int]) -> np.ndarray:
    """Membership of each case (rows of ``x``, one column per condition) in a term: the minimum over its literals.

    Examples
    --------
    >>> membership(np.array([[0.9, 0.2], [0.4, 0.7]]), (1, 0)).round(2).tolist()
    [0.8, 0.3]
    """
    out = np.ones(x.shape[0])
    for j, v in enumerate(term):
        if v == 1:
            out = np.minimum(out, x[:, j])
        elif v == 0:
            out = np.minimum(out, 1.0 - x[:, j])
    return out


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


def fit_sufficiency(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Consistency (``incl``), PRI and coverage (``cov``) of "X is sufficient for Y".

    Examples
    --------
    >>> fit_sufficiency(np.array([0.8, 0.3, 0.1]), np.array([0.9, 0.2, 0.6]))
    {'incl': 0.9166666666666666, 'pri': 0.8749999999999999, 'cov': 0.6470588235294118}
    """
    xy = np.minimum(x, y)
    xyn = np.minimum(xy, 1.0 - y)
    sxy, sx = xy.sum(), x.sum()
    return {"incl": _ratio(sxy, sx), "pri": _ratio(sxy - xyn.sum(), sx - xyn.sum()), "cov": _ratio(sxy, y.sum())}


def fit_necessity(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Consistency (``incl``), relevance (``ron``) and coverage (``cov``) of "X is necessary for Y".

    Examples
    --------
    >>> fit_necessity(np.array([0.8, 0.3, 0.1]), np.array([0.9, 0.2, 0.6]))
    {'incl': 0.6470588235294118, 'ron': 0.9473684210526315, 'cov': 0.9166666666666666}
    """
    xy = np.minimum(x, y)
    sxy = xy.sum()
    return {"incl": _ratio(sxy, y.sum()), "ron": _ratio((1.0 - x).sum(), (1.0 - xy).sum()),
            "cov": _ratio(sxy, x.sum())}
