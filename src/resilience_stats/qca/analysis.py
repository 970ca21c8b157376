"""A whole fsQCA (or csQCA) in one call, and the configuration chart of a solution.

:func:`fsqca` runs the necessity analysis, the truth table and the three solutions of :mod:`.solution`.
:func:`configuration_chart` gives the content of the standard configuration table (Ragin & Fiss 2008; Fiss
2011): one column per configuration (term of the chosen model), one row per condition, coded

* ``core_present`` / ``core_absent``: the literal is also in a parsimonious term that the configuration
  implies (large filled / empty circle);
* ``peripheral_present`` / ``peripheral_absent``: it appears only in the intermediate (or complex) term
  (small circle);
* ``""``: the condition does not appear ("don't care", blank).

For a parsimonious model every literal is core; for a complex model the first parsimonious model (when there
is one) decides which literals are core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from ..errors import DataError
from .necessity import necessity as _necessity
from .sets import parse_term
from .solution import KINDS, Model, Solution, minimize
from .truthtable import TruthTable, truth_table

__all__ = ["ConfigurationChart", "QCAResult", "configuration_chart", "fsqca"]

CODES = ("core_present", "core_absent", "peripheral_present", "peripheral_absent", "")


@dataclass
class ConfigurationChart:
    """The content of a configuration table.

    Attributes
    ----------
    chart : pandas.DataFrame
        Conditions (index) x configurations (columns "1", "2", ...); cells are one of :data:`CODES`.
    fit : pandas.DataFrame
        One row per configuration: configuration, term, consistency, pri, raw_coverage, unique_coverage.
    consistency, pri, coverage : float
        Of the whole solution (model).
    outcome : str
    kind : str
        The solution ("intermediate", "parsimonious", "complex").
    model : str
        The model's name.
    """

    chart: pd.DataFrame
    fit: pd.DataFrame
    consistency: float
    pri: float
    coverage: float
    outcome: str
    kind: str
    model: str


def _core_literals(term: tuple[int, ...], parsimonious: Sequence[tuple[int, ...]]) -> set[int]:
    core: set[int] = set()
    for p in parsimonious:
        if all(pv < 0 or pv == tv for pv, tv in zip(p, term)):
            core |= {j for j, pv in enumerate(p) if pv >= 0}
    return core


def configuration_chart(solution: Solution, model: int | str = 1,
                        parsimonious: Solution | None = None) -> ConfigurationChart:
    """The configuration table's content for one model of a solution (see the module docstring).

    Parameters
    ----------
    solution : Solution
    model : int or str, default 1
        1-based position or name ("M1", "C1P1-M1") of the model.
    parsimonious : Solution, optional
        For a complex solution: the parsimonious solution whose first model marks the core conditions.

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.qca import truth_table, minimize
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [0, 0, 1, 1, 1],
    ...                   "Y": [1, 1, 0, 0, 1]})
    >>> tt = truth_table(d, "Y", incl_cut=1)
    >>> configuration_chart(minimize(tt, "?", dir_exp=["A", "B", "C"])).chart.to_dict()
    {'1': {'A': 'core_present', 'B': '', 'C': ''}}
    """
    m = _pick(solution, model)
    conditions = solution.conditions
    if solution.kind == "parsimonious":
        pars_terms = list(m.term_tuples)
    elif solution.kind == "intermediate":
        pars_terms = [parse_term(t, conditions) for t in m.parsimonious_terms]
    else:
        pars_terms = list(parsimonious.models[0].term_tuples) if parsimonious is not None and parsimonious.models \
            else None
    columns = {}
    for i, term in enumerate(m.term_tuples):
        core = _core_literals(term, pars_terms) if pars_terms is not None else set(range(len(term)))
        cells = []
        for j, v in enumerate(term):
            if v < 0:
                cells.append("")
            else:
                cells.append(("core_" if j in core else "peripheral_") + ("present" if v == 1 else "absent"))
        columns[str(i + 1)] = cells
    chart = pd.DataFrame(columns, index=list(conditions))
    fit = m.fit.drop(columns=["cases"]).assign(configuration=[str(i + 1) for i in range(len(m.terms))])
    fit = fit[["configuration", "term", "consistency", "pri", "raw_coverage", "unique_coverage"]]
    return ConfigurationChart(chart, fit, m.consistency, m.pri, m.coverage, solution.outcome, solution.kind, m.name)


def _pick(solution: Solution, model: int | str) -> Model:
    if isinstance(model, str):
        for m in solution.models:
            if m.name == model:
                return m
        raise DataError(f"no model {model!r}; the {solution.kind} solution has {', '.join(m.name for m in solution.models)}")
    if not 1 <= int(model) <= len(solution.models):
        raise DataError(f"model must be 1..{len(solution.models)}, not {model}")
    return solution.models[int(model) - 1]


@dataclass
class QCAResult:
    """A whole QCA: necessity, truth table and the three solutions.

    Attributes
    ----------
    truth_table : TruthTable
    complex, parsimonious, intermediate : Solution or None
        None when the solution does not exist (``notes`` says why) or was not asked for (intermediate without
        directional expectations).
    necessity : pandas.DataFrame or None
        See :func:`~resilience_stats.qca.necessity`.
    notes : list of str
        Why a solution is missing.
    options : dict
    """

    truth_table: TruthTable
    complex: Solution | None
    parsimonious: Solution | None
    intermediate: Solution | None
    necessity: pd.DataFrame | None = None
    notes: list = field(default_factory=list)
    options: dict = field(default_factory=dict)

    def solution(self, kind: str | None = None) -> Solution:
        """The solution ``kind``; default the intermediate, else the parsimonious, else the complex one."""
        if kind is not None:
            if kind not in KINDS:
                raise DataError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
            sol = getattr(self, kind)
            if sol is None:
                raise DataError(f"there is no {kind} solution" + (f": {'; '.join(self.notes)}" if self.notes else ""))
            return sol
        for k in ("intermediate", "parsimonious", "complex"):
            if getattr(self, k) is not None:
                return getattr(self, k)
        raise DataError("no solution could be found: " + "; ".join(self.notes))

    def configurations(self, kind: str | None = None, model: int | str = 1) -> ConfigurationChart:
        """The configuration chart of a solution's model (see :func:`configuration_chart`)."""
        sol = self.solution(kind)
        return configuration_chart(sol, model, parsimonious=self.parsimonious)

    def summary(self) -> str:
        """The truth table counts and every model of every solution, as text."""
        lines = [repr(self.truth_table)]
        for k in KINDS:
            sol = getattr(self, k)
            if sol is not None:
                lines.append(repr(sol))
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        found = [k for k in KINDS if getattr(self, k) is not None]
        return f"<QCAResult {self.truth_table.outcome}: solutions {', '.join(found) or 'none'}>"

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title: Any = None, solution: str | None = None, model: int | str = 1, symbols: str = "circles"):
        """A publication table: ``kind`` "configurations" (default; the configuration table of ``solution``'s
        ``model``), "solution" (terms with their fit), "truth_table" or "necessity".

        Returns a :class:`~resilience_stats.tables.PubTable` (see :mod:`resilience_stats.tables.qca`).
        """
        from ..tables import qca as qt  # presentation is imported only when asked for

        common = dict(lang=lang, style=style, number=number, title=title)
        kind = kind or "configurations"
        if kind == "configurations":
            return qt.configuration_table(self.configurations(solution, model), symbols=symbols, **common)
        if kind == "solution":
            return qt.qca_solution_table(self.solution(solution), **common)
        if kind == "truth_table":
            return qt.truth_table_table(self.truth_table, **common)
        if kind == "necessity":
            if self.necessity is None:
                raise DataError("the necessity analysis was not run (necessity=False)")
            return qt.necessity_table(self.necessity, outcome=self.truth_table.outcome, **common)
        raise DataError(f"kind must be 'configurations', 'solution', 'truth_table' or 'necessity', not {kind!r}")


def fsqca(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    *,
    incl_cut: float | Sequence[float] = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    dir_exp: Any = None,
    necessity: bool = True,
) -> QCAResult:
    """Necessity analysis, truth table and the complex, parsimonious and intermediate solutions.

    Parameters
    ----------
    data : pandas.DataFrame
        Calibrated memberships (fuzzy, or crisp 0/1), one row per case (the index labels the cases).
    outcome, conditions, incl_cut, n_cut, pri_cut
        As in :func:`~resilience_stats.qca.truth_table`.
    dir_exp : list or mapping, optional
        Directional expectations for the intermediate solution (e.g. ``["DEV", "URB", "~IND"]``); without
        them no intermediate solution is computed.
    necessity : bool, default True
        Also run :func:`~resilience_stats.qca.necessity` on every condition and its negation.

    Returns
    -------
    QCAResult

    Raises
    ------
    DataError
        Bad memberships or options (see :func:`~resilience_stats.qca.truth_table`), or no row with OUT = 1.
        A parsimonious/intermediate solution that does not exist (no negative row) is recorded in ``notes``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [0, 0, 1, 1, 1],
    ...                   "Y": [1, 1, 0, 0, 1]})
    >>> res = fsqca(d, "Y", incl_cut=1, dir_exp=["A", "B", "C"])
    >>> res.parsimonious.models[0].expression, res.intermediate.models[0].expression
    ('A', 'A')
    """
    tt = truth_table(data, outcome, conditions, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
    nec = _necessity(data, outcome, tt.conditions) if necessity else None
    complex_sol = minimize(tt)
    notes: list[str] = []
    try:
        pars = minimize(tt, include="?")
    except DataError as exc:
        pars = None
        notes.append(f"parsimonious solution: {exc}")
    inter = None
    if dir_exp is not None and pars is not None:
        inter = minimize(tt, include="?", dir_exp=dir_exp)
    elif dir_exp is not None:
        notes.append("intermediate solution: needs a parsimonious solution")
    options = {"incl_cut": incl_cut, "n_cut": n_cut, "pri_cut": pri_cut, "dir_exp": dir_exp}
    return QCAResult(tt, complex_sol, pars, inter, nec, notes, options)
