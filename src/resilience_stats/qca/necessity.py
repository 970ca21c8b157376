"""Analysis of necessary conditions: consistency, coverage and relevance of each condition and its negation.

The parameters are those of R's ``QCA::pof(relation = "necessity")`` (see :mod:`.sets`). A condition is
flagged ``necessary`` when its consistency reaches ``incl_cut`` (0.9 by convention; Schneider & Wagemann 2012,
4.3) and its relevance (RoN) reaches ``ron_cut`` (0.5 by default; a condition with low RoN is trivially
necessary: it is near-constant and large).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from ..errors import DataError
from .sets import check_memberships, fit_necessity, membership, parse_outcome, parse_term

__all__ = ["necessity"]


def necessity(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    *,
    negations: bool = True,
    terms: Sequence[str] = (),
    incl_cut: float = 0.9,
    ron_cut: float = 0.5,
) -> pd.DataFrame:
    """Consistency, coverage and relevance of necessity of each condition (and of its negation).

    Parameters
    ----------
    data : pandas.DataFrame
        Set memberships (calibrated, in [0, 1]); one row per case.
    outcome : str
        The outcome column; ``"~Y"`` analyses the negated outcome.
    conditions : list of str, optional
        Default: every column except the outcome (non-numeric columns are skipped).
    negations : bool, default True
        Also test ``~X`` for every condition.
    terms : list of str, optional
        Further conjunctions to test, e.g. ``["DEV*STB"]``.
    incl_cut, ron_cut : float
        Thresholds of the ``necessary`` flag.

    Returns
    -------
    pandas.DataFrame
        condition, consistency (inclN), ron (relevance of necessity), coverage (covN), necessary.

    Raises
    ------
    DataError
        Memberships outside [0, 1], missing values, unknown columns, fewer than 3 cases.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [0.9, 0.8, 0.7, 0.2], "B": [0.1, 0.6, 0.4, 0.3], "Y": [0.8, 0.7, 0.6, 0.1]})
    >>> necessity(d, "Y")[["condition", "consistency"]].round(3).values.tolist()
    [['A', 1.0], ['~A', 0.318], ['B', 0.545], ['~B', 0.864]]
    """
    name, negated = parse_outcome(outcome)
    if conditions is None:
        conditions = [c for c in data.columns if c != name and pd.api.types.is_numeric_dtype(data[c])]
    conditions = list(conditions)
    if not conditions and not terms:
        raise DataError("necessity: no conditions to test")
    x = check_memberships(data, conditions, "necessity")
    y = check_memberships(data, [name], "necessity (outcome)")[:, 0]
    if negated:
        y = 1.0 - y
    rows = []
    tests: list[tuple[str, tuple[int, ...]]] = []
    for j, c in enumerate(conditions):
        one = [-1] * len(conditions)
        one[j] = 1
        tests.append((c, tuple(one)))
        if negations:
            one[j] = 0
            tests.append(("~" + c, tuple(one)))
    for t in terms:
        tests.append((str(t), parse_term(t, conditions)))
    for label, term in tests:
        fit = fit_necessity(membership(x, term), y)
        rows.append({"condition": label, "consistency": fit["incl"], "ron": fit["ron"], "coverage": fit["cov"],
                     "necessary": bool(fit["incl"] >= incl_cut and fit["ron"] >= ron_cut)})
    return pd.DataFrame(rows, columns=["condition", "consistency", "ron", "coverage", "necessary"])
