"""The truth table of a set-theoretic analysis (Ragin 2008, ch. 7; R's ``QCA::truthTable``).

Each case belongs to the one configuration (row) of conditions in which its membership exceeds 0.5 (its
memberships rounded to 0/1); a case with a membership of exactly 0.5 in a condition belongs to none, so such
data are refused (calibrate with ``crossover="nudge"``). Per row:

* ``n``: cases with membership > 0.5 in the row;
* ``incl``: consistency of the row as sufficient for the outcome, over all cases (:func:`.sets.fit_sufficiency`);
* ``PRI``: proportional reduction in inconsistency;
* ``OUT``: ``"?"`` (a remainder: fewer than ``n_cut`` cases), ``"1"`` when ``incl >= incl_cut`` and ``PRI >=
  pri_cut``, ``"C"`` (contradiction) when ``incl`` lies between a second, lower cut and the first, else
  ``"0"``. Comparisons allow the tolerance of R's ``admisc`` (1.49e-8), so a cut met up to rounding is met.

Rows are numbered as R numbers them: the first condition is the most significant binary digit, plus one.
Only observed rows are listed; every unobserved configuration is a logical remainder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from .sets import check_memberships, fit_sufficiency, parse_outcome

__all__ = ["TOLERANCE", "TruthTable", "truth_table"]

#: Tolerance of cut-off comparisons (R admisc's ``admisc.tol``, sqrt of the double epsilon).
TOLERANCE = 1.4901161193847656e-08


@dataclass
class TruthTable:
    """A truth table with the memberships it was built from.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per observed configuration, in row-number order: row, the conditions (0/1), OUT, n, incl, PRI,
        cases (labels joined by ",").
    conditions : list of str
    outcome : str
        The outcome as given (``"~Y"`` for a negated outcome).
    x : numpy.ndarray
        Memberships in the conditions (cases x conditions).
    y : numpy.ndarray
        Memberships in the outcome (negated when the outcome is).
    cases : list of str
        Case labels (the data's index).
    options : dict
        incl_cut, n_cut, pri_cut.
    """

    table: pd.DataFrame
    conditions: list
    outcome: str
    x: np.ndarray
    y: np.ndarray
    cases: list
    options: dict = field(default_factory=dict)

    def rows(self, out: str) -> list[int]:
        """Row numbers whose OUT is ``out`` ("1", "0", "C" or "?")."""
        return [int(r) for r in self.table.loc[self.table["OUT"] == out, "row"]]

    def __repr__(self) -> str:
        counts = self.table["OUT"].value_counts()
        return (f"<TruthTable {self.outcome} ~ {', '.join(self.conditions)}: {len(self.table)} observed rows of "
                f"{2 ** len(self.conditions)} (OUT=1: {counts.get('1', 0)}, 0: {counts.get('0', 0)}, "
                f"C: {counts.get('C', 0)}, ?: {counts.get('?', 0)}), incl_cut={self.options.get('incl_cut')}>")

    def to_table(self, *, lang: str = "en", style: str = "apa", number: int | None = None, title: Any = None):
        """The truth table as a publication table (:func:`resilience_stats.tables.truth_table_table`)."""
        from ..tables.qca import truth_table_table  # presentation is imported only when asked for

        return truth_table_table(self, lang=lang, style=style, number=number, title=title)


def _cuts(incl_cut: Any) -> tuple[float, float]:
    cuts = [float(v) for v in np.atleast_1d(incl_cut)]
    if len(cuts) not in (1, 2) or not all(0 <= c <= 1 for c in cuts):
        raise DataError(f"incl_cut must be one or two numbers in [0, 1], not {incl_cut!r}")
    if len(cuts) == 2 and cuts[1] > cuts[0]:
        raise DataError("incl_cut: the second (contradiction) cut must not exceed the first")
    return cuts[0], (cuts[1] if len(cuts) == 2 else 1.0)


def row_numbers(bits: np.ndarray) -> np.ndarray:
    """R's row number of each 0/1 configuration (first column most significant), plus one."""
    k = bits.shape[1]
    weights = 2 ** np.arange(k - 1, -1, -1)
    return bits.astype(int) @ weights + 1


def truth_table(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    *,
    incl_cut: float | Sequence[float] = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
) -> TruthTable:
    """Build the truth table of ``outcome`` on ``conditions`` (memberships in [0, 1], crisp or fuzzy).

    Parameters
    ----------
    data : pandas.DataFrame
        Calibrated set memberships, one row per case (the index labels the cases).
    outcome : str
        Outcome column; ``"~Y"`` for the negated outcome.
    conditions : list of str, optional
        Default: every numeric column except the outcome.
    incl_cut : float or (float, float), default 0.8
        Consistency cut-off for OUT = 1; a second, lower value codes rows between the two as contradictions "C".
    n_cut : int, default 1
        Frequency cut-off: rows with fewer cases are remainders ("?").
    pri_cut : float, default 0
        PRI cut-off for OUT = 1 (e.g. 0.5 or 0.7 to avoid simultaneous subset relations).

    Returns
    -------
    TruthTable

    Raises
    ------
    DataError
        Fewer than 3 cases, memberships outside [0, 1] or missing, a condition membership of exactly 0.5, no row
        reaching ``n_cut``, or more than 20 conditions.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.1], "B": [0.7, 0.3, 0.9, 0.2], "Y": [0.8, 0.6, 0.3, 0.1]},
    ...                  index=["p", "q", "r", "s"])
    >>> tt = truth_table(d, "Y", incl_cut=0.8)
    >>> tt.table[["row", "A", "B", "OUT", "n", "cases"]].values.tolist()
    [[1, 0, 0, '0', 1, 's'], [2, 0, 1, '0', 1, 'r'], [3, 1, 0, '1', 1, 'q'], [4, 1, 1, '1', 1, 'p']]
    """
    name, negated = parse_outcome(outcome)
    if conditions is None:
        conditions = [c for c in data.columns if c != name and pd.api.types.is_numeric_dtype(data[c])]
    conditions = [str(c) for c in conditions]
    if not conditions:
        raise DataError("truth_table: no conditions")
    if name in conditions:
        raise DataError(f"truth_table: the outcome {name!r} is also listed as a condition")
    if len(set(conditions)) != len(conditions):
        raise DataError("truth_table: a condition is listed twice")
    if len(conditions) > 20:
        raise DataError(f"truth_table: {len(conditions)} conditions give 2^{len(conditions)} configurations; "
                        "at most 20 are supported")
    ic1, ic0 = _cuts(incl_cut)
    if int(n_cut) != n_cut or n_cut < 1:
        raise DataError(f"n_cut must be a positive integer, not {n_cut!r}")
    if not 0 <= pri_cut <= 1:
        raise DataError(f"pri_cut must be in [0, 1], not {pri_cut!r}")
    x = check_memberships(data, conditions, "truth_table")
    y = check_memberships(data, [name], "truth_table (outcome)")[:, 0]
    if negated:
        y = 1.0 - y
    cases = [str(c) for c in data.index]
    half = np.isclose(x, 0.5, rtol=0.0, atol=1e-12)
    if half.any():
        bad = sorted({f"{cases[i]} ({conditions[j]})" for i, j in zip(*np.nonzero(half))})
        raise DataError("truth_table: membership of exactly 0.5 (the crossover) puts a case in no configuration: "
                        f"{', '.join(bad[:10])}; calibrate with crossover='nudge' (0.5 -> 0.501) or drop the case")
    bits = (x > 0.5).astype(int)
    row_of_case = row_numbers(bits)
    records = []
    for row in np.unique(row_of_case):
        config = bits[np.argmax(row_of_case == row)]
        term = [int(v) for v in config]
        member = np.min(np.where(np.array(term) == 1, x, 1.0 - x), axis=1)
        fit = fit_sufficiency(member, y)
        n = int(np.sum(member > 0.5))
        if n < n_cut:
            out = "?"
        elif fit["incl"] + TOLERANCE > ic1 and fit["pri"] + TOLERANCE > pri_cut:
            out = "1"
        elif fit["incl"] < ic1 and fit["incl"] + TOLERANCE > ic0:
            out = "C"
        else:
            out = "0"
        records.append({"row": int(row), **dict(zip(conditions, term)), "OUT": out, "n": n, "incl": fit["incl"],
                        "PRI": fit["pri"], "cases": ",".join(c for c, r in zip(cases, row_of_case) if r == row)})
    table = pd.DataFrame(records, columns=["row", *conditions, "OUT", "n", "incl", "PRI", "cases"])
    if (table["OUT"] == "?").all():
        raise DataError(f"truth_table: no configuration has at least n_cut = {n_cut} cases")
    return TruthTable(table, conditions, str(outcome), x, y, cases,
                      {"incl_cut": incl_cut, "n_cut": int(n_cut), "pri_cut": float(pri_cut)})
