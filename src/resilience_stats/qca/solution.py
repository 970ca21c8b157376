"""Solutions of a truth table: complex (conservative), parsimonious and intermediate, with parameters of fit.

:func:`minimize` mirrors R's ``QCA::minimize``: ``include="?"`` lets the remainders serve as simplifying
assumptions (parsimonious solution), ``dir_exp`` adds directional expectations (intermediate solution; easy
counterfactuals only). The algorithms are in :mod:`.boolean`. Each solution may hold several equally short
models (model ambiguity); each model's terms carry consistency (inclS), PRI, raw coverage (covS) and unique
coverage (covU: the coverage the model loses without the term; undefined, as in R, for a one-term model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from .boolean import (
    covered_rows,
    cube_term,
    easy_counterfactuals,
    minimal_covers,
    prime_implicants,
    r_order,
    term_cube,
)
from .sets import fit_sufficiency, membership, term_string
from .truthtable import TruthTable, truth_table  # noqa: F401  (truth_table: doctest namespace)

__all__ = ["Model", "Solution", "minimize", "parse_directions"]

KINDS = ("complex", "parsimonious", "intermediate")


@dataclass
class Model:
    """One model (a disjunction of terms) of a solution.

    Attributes
    ----------
    name : str
        "M1", "M2", ... (intermediate: "C1P1-M1": complex model 1, parsimonious model 1, model 1).
    terms : list of str
        The terms, in R's order (e.g. ``["DEV*~IND", "URB*STB"]``).
    term_tuples : list of tuple
        The same as tuples (1 present, 0 negated, -1 absent per condition).
    fit : pandas.DataFrame
        One row per term: term, consistency, pri, raw_coverage, unique_coverage, cases (the cases of the
        positive truth-table rows the term covers, rows separated by "; ").
    consistency, pri, coverage : float
        Of the whole model (the union of its terms).
    pair : str or None
        Intermediate solutions: "C1P1" (which complex and parsimonious models it was derived from).
    parsimonious_terms : list of str
        Intermediate solutions: the terms of the parsimonious model (for core conditions).
    easy_counterfactuals : list of int
        Intermediate solutions: the remainders (R row numbers) used as easy counterfactuals.
    """

    name: str
    terms: list
    term_tuples: list
    fit: pd.DataFrame
    consistency: float
    pri: float
    coverage: float
    pair: str | None = None
    parsimonious_terms: list = field(default_factory=list)
    easy_counterfactuals: list = field(default_factory=list)

    @property
    def expression(self) -> str:
        """The model written as a sum of products, e.g. ``"DEV*~IND + URB*STB"``."""
        return " + ".join(self.terms)


@dataclass
class Solution:
    """A solution of a truth table (possibly several models).

    Attributes
    ----------
    kind : {"complex", "parsimonious", "intermediate"}
    models : list of Model
    conditions : list of str
    outcome : str
    prime_implicants : list of str
        (complex and parsimonious solutions) every prime implicant, in R's order.
    pi_chart : pandas.DataFrame
        (complex and parsimonious) prime implicants x positive rows (R row numbers), True where covered.
    direction : dict
        (intermediate) the directional expectations {condition: 1 | 0}.
    """

    kind: str
    models: list
    conditions: list
    outcome: str
    prime_implicants: list = field(default_factory=list)
    pi_chart: pd.DataFrame = field(default_factory=pd.DataFrame)
    direction: dict = field(default_factory=dict)

    @property
    def essential(self) -> list[str]:
        """Terms that appear in every model."""
        common = set(self.models[0].terms)
        for m in self.models[1:]:
            common &= set(m.terms)
        return [t for t in self.models[0].terms if t in common]

    @property
    def table(self) -> pd.DataFrame:
        """One row per term of each model: model, term, consistency, pri, raw_coverage, unique_coverage, cases."""
        frames = [m.fit.assign(model=m.name) for m in self.models]
        out = pd.concat(frames, ignore_index=True)
        return out[["model", "term", "consistency", "pri", "raw_coverage", "unique_coverage", "cases"]]

    @property
    def fit(self) -> pd.DataFrame:
        """One row per model: model, expression, consistency, pri, coverage."""
        return pd.DataFrame([{"model": m.name, "expression": m.expression, "consistency": m.consistency,
                              "pri": m.pri, "coverage": m.coverage} for m in self.models])

    def __repr__(self) -> str:
        lines = [f"<{self.kind} solution of {self.outcome}: {len(self.models)} model(s)>"]
        lines += [f"  {m.name}: {m.expression} -> {self.outcome} (consistency {m.consistency:.3f}, coverage "
                  f"{m.coverage:.3f})" for m in self.models]
        return "\n".join(lines)

    def to_table(self, *, lang: str = "en", style: str = "apa", number: int | None = None, title: Any = None):
        """Terms with consistency, PRI, raw and unique coverage as a publication table
        (:func:`resilience_stats.tables.qca_solution_table`)."""
        from ..tables.qca import qca_solution_table  # presentation is imported only when asked for

        return qca_solution_table(self, lang=lang, style=style, number=number, title=title)


def parse_directions(dir_exp: Any, conditions: Sequence[str]) -> tuple[int, ...]:
    """Directional expectations as one entry per condition: 1 (present), 0 (absent), -1 (none).

    ``dir_exp`` is a list such as ``["DEV", "~IND"]`` (R's notation; conditions not listed have no
    expectation) or a mapping ``{"DEV": 1, "IND": 0, "URB": "-"}`` (also "present"/"absent").

    Examples
    --------
    >>> parse_directions(["A", "~C"], ["A", "B", "C"])
    (1, -1, 0)
    """
    out = {c: -1 for c in conditions}
    words = {1: 1, 0: 0, "1": 1, "0": 0, "present": 1, "absent": 0, "-": -1, None: -1}
    if isinstance(dir_exp, Mapping):
        items = list(dir_exp.items())
    else:
        items = []
        for text in dir_exp:
            t = str(text).strip()
            items.append((t[1:].strip(), 0) if t.startswith("~") else (t, 1))
    for cond, val in items:
        if cond not in out:
            raise DataError(f"directional expectation for {cond!r}, which is not a condition "
                            f"({', '.join(conditions)})")
        if val not in words:
            raise DataError(f"directional expectation of {cond!r} must be 1/'present', 0/'absent' or '-', "
                            f"not {val!r}")
        out[cond] = words[val]
    return tuple(out[c] for c in conditions)


def _positive_and_negative(tt: TruthTable) -> tuple[list[int], list[int]]:
    table = tt.table
    pos = [int(r) - 1 for r in table.loc[table["OUT"] == "1", "row"]]
    neg = [int(r) - 1 for r in table.loc[table["OUT"].isin(["0", "C"]), "row"]]
    if not pos:
        raise DataError("no truth-table row has OUT = 1: nothing to explain (lower incl_cut or check the data)")
    return pos, neg


def _cases_by_row(tt: TruthTable) -> dict[int, str]:
    return {int(r) - 1: c for r, c in zip(tt.table["row"], tt.table["cases"])}


def _model(name: str, terms: list[tuple[int, ...]], tt: TruthTable, pos: list[int], **extra: Any) -> Model:
    labels = [term_string(t, tt.conditions) for t in terms]
    members = [membership(tt.x, t) for t in terms]
    union = np.max(np.vstack(members), axis=0)
    whole = fit_sufficiency(union, tt.y)
    cases = _cases_by_row(tt)
    rows = []
    for i, (t, label, mem) in enumerate(zip(terms, labels, members)):
        f = fit_sufficiency(mem, tt.y)
        if len(terms) > 1:
            rest = np.max(np.vstack([m for j, m in enumerate(members) if j != i]), axis=0)
            unique = whole["cov"] - fit_sufficiency(rest, tt.y)["cov"]
        else:
            unique = float("nan")
        covered = covered_rows(term_cube(t), pos)
        rows.append({"term": label, "consistency": f["incl"], "pri": f["pri"], "raw_coverage": f["cov"],
                     "unique_coverage": unique, "cases": "; ".join(cases[r] for r in covered)})
    fit = pd.DataFrame(rows, columns=["term", "consistency", "pri", "raw_coverage", "unique_coverage", "cases"])
    return Model(name, labels, terms, fit, whole["incl"], whole["pri"], whole["cov"], **extra)


def _solve(tt: TruthTable, pos: list[int], off: list[int] | None, on: list[int] | None = None):
    """Prime implicants (sorted), the chart over ``pos`` and its minimal covers."""
    k = len(tt.conditions)
    cubes = prime_implicants(k, pos if on is None else on, off)
    cubes = [c for c in cubes if covered_rows(c, pos)]
    cubes = [cubes[i] for i in r_order([cube_term(m, v, k) for m, v in cubes])]
    chart = [sum(1 << i for i, r in enumerate(pos) if (r & m) == v) for m, v in cubes]
    covers = minimal_covers(chart, (1 << len(pos)) - 1)
    return cubes, chart, covers


def _chart_frame(cubes, pos, conditions) -> pd.DataFrame:
    k = len(conditions)
    names = [term_string(cube_term(m, v, k), conditions) for m, v in cubes]
    data = [[(r & m) == v for r in pos] for m, v in cubes]
    return pd.DataFrame(data, index=names, columns=[r + 1 for r in pos], dtype=bool)


def _basic(tt: TruthTable, kind: str) -> Solution:
    pos, neg = _positive_and_negative(tt)
    off = None if kind == "complex" else neg
    cubes, _chart, covers = _solve(tt, pos, off)
    k = len(tt.conditions)
    models = [_model(f"M{i + 1}", [cube_term(*cubes[j], k) for j in cover], tt, pos)
              for i, cover in enumerate(covers)]
    return Solution(kind, models, list(tt.conditions), tt.outcome,
                    [term_string(cube_term(m, v, k), tt.conditions) for m, v in cubes],
                    _chart_frame(cubes, pos, tt.conditions))


def _assumptions(terms: list[tuple[int, ...]], k: int, pos: list[int]) -> list[int]:
    """The remainders a model's terms contain (its simplifying assumptions), sorted."""
    positive = set(pos)
    out: set[int] = set()
    for t in terms:
        m, v = term_cube(t)
        free = [1 << (k - 1 - j) for j in range(k) if not m & (1 << (k - 1 - j))]
        for bits in range(1 << len(free)):
            r = v
            for i, b in enumerate(free):
                if bits & (1 << i):
                    r |= b
            if r not in positive:
                out.add(r)
    return sorted(out)


def _intermediate(tt: TruthTable, direction: tuple[int, ...]) -> Solution:
    complex_sol = _basic(tt, "complex")
    pars_sol = _basic(tt, "parsimonious")
    pos, _neg = _positive_and_negative(tt)
    k = len(tt.conditions)
    models = []
    for ci, cm in enumerate(complex_sol.models):
        for pi, pm in enumerate(pars_sol.models):
            pair = f"C{ci + 1}P{pi + 1}"
            sa = _assumptions(pm.term_tuples, k, pos)
            ec = easy_counterfactuals(cm.term_tuples, pm.term_tuples, direction, sa)
            cubes, _chart, covers = _solve(tt, pos, None, on=sorted(set(pos) | set(ec)))
            for mi, cover in enumerate(covers):
                models.append(_model(f"{pair}-M{mi + 1}", [cube_term(*cubes[j], k) for j in cover], tt, pos,
                                     pair=pair, parsimonious_terms=list(pm.terms),
                                     easy_counterfactuals=[r + 1 for r in ec]))
    names = {c: ("present" if d == 1 else "absent") for c, d in zip(tt.conditions, direction) if d >= 0}
    return Solution("intermediate", models, list(tt.conditions), tt.outcome, direction=names)


def minimize(tt: TruthTable, include: str = "", dir_exp: Any = None) -> Solution:
    """Minimize a truth table: the complex, parsimonious or intermediate solution.

    Parameters
    ----------
    tt : TruthTable
        From :func:`~resilience_stats.qca.truth_table`.
    include : {"", "?"}
        ``""``: the complex (conservative) solution, no remainders; ``"?"``: remainders may be used.
    dir_exp : list or mapping, optional
        Directional expectations (with ``include="?"``): the intermediate solution. A list such as
        ``["DEV", "~IND"]`` or a mapping ``{"DEV": 1, "IND": 0}``; conditions not named have no expectation.

    Returns
    -------
    Solution

    Raises
    ------
    DataError
        No row with OUT = 1; every condition minimized away (no negative row); directional expectations
        without ``include="?"`` or naming unknown conditions.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [0, 0, 1, 1, 1],
    ...                   "Y": [1, 1, 0, 0, 1]})
    >>> tt = truth_table(d, "Y", incl_cut=1)
    >>> minimize(tt).models[0].expression
    'A*B + A*~C'
    >>> minimize(tt, include="?").models[0].expression
    'A'
    """
    if not isinstance(tt, TruthTable):
        raise DataError(f"minimize: expected a TruthTable (rs.qca.truth_table), got {type(tt).__name__}")
    if include not in ("", "?"):
        raise DataError(f"include must be '' (complex solution) or '?' (remainders), not {include!r}")
    if dir_exp is not None:
        if include != "?":
            raise DataError("directional expectations need the remainders: use include='?'")
        return _intermediate(tt, parse_directions(dir_exp, tt.conditions))
    return _basic(tt, "parsimonious" if include == "?" else "complex")

