"""Publication tables of a QCA: the configuration table, solutions, truth table and necessity analysis.

The configuration table follows Ragin & Fiss (2008) and Fiss (2011): one column per configuration, one row per
condition; a large symbol marks a core condition (also in the parsimonious solution), a small one a
peripheral condition (only in the intermediate solution), a filled circle presence and an empty (or crossed)
circle absence; a blank cell means "don't care". Raw and unique coverage and consistency of each configuration
follow, then the solution's consistency and coverage.

These functions format what :mod:`resilience_stats.qca` computed; they compute nothing.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .format import ColumnFormat
from .pubtable import PubTable

__all__ = [
    "ADAPTERS",
    "SYMBOLS",
    "configuration_table",
    "from_qca_result",
    "necessity_table",
    "qca_solution_table",
    "truth_table_table",
]

#: Symbol sets of the configuration table (code -> symbol).
SYMBOLS: Mapping[str, Mapping[str, str]] = {
    "circles": {"core_present": "\u25cf", "peripheral_present": "\u2022", "core_absent": "\u25cb",
                "peripheral_absent": "\u25e6", "": ""},
    "crossed": {"core_present": "\u25cf", "peripheral_present": "\u2022", "core_absent": "\u2a02",
                "peripheral_absent": "\u2297", "": ""},
}

HEADERS: Mapping[str, Mapping[str, Any]] = {
    "condition": {"en": "Condition", "zh": "条件变量"},
    "term": {"en": "Configuration", "zh": "组态"},
    "model": {"en": "Model", "zh": "模型"},
    "consistency": {"en": "Consistency", "zh": "一致性"},
    "pri": {"en": "PRI", "zh": "PRI"},
    "PRI": {"en": "PRI", "zh": "PRI"},
    "raw_coverage": {"en": "Raw coverage", "zh": "原始覆盖度"},
    "unique_coverage": {"en": "Unique coverage", "zh": "唯一覆盖度"},
    "coverage": {"en": "Coverage", "zh": "覆盖度"},
    "ron": {"en": "RoN", "zh": "RoN"},
    "cases": {"en": "Cases", "zh": "案例"},
    "row": {"en": "Row", "zh": "行"},
    "OUT": {"en": "OUT", "zh": "OUT"},
    "n": {"en": "n", "zh": "案例数"},
    "incl": {"en": "Consistency", "zh": "一致性"},
}

_ROWS = {
    "raw_coverage": {"en": "Raw coverage", "zh": "原始覆盖度"},
    "unique_coverage": {"en": "Unique coverage", "zh": "唯一覆盖度"},
    "consistency": {"en": "Consistency", "zh": "一致性"},
    "pri": {"en": "PRI", "zh": "PRI"},
    "solution_coverage": {"en": "Solution coverage", "zh": "总体解的覆盖度"},
    "solution_consistency": {"en": "Solution consistency", "zh": "总体解的一致性"},
    "solution": {"en": "Solution", "zh": "总体解"},
}

_KIND = {"intermediate": {"en": "intermediate", "zh": "中间解"}, "parsimonious": {"en": "parsimonious", "zh": "简约解"},
         "complex": {"en": "complex", "zh": "复杂解"}}

_LEGEND = {
    "circles": {"en": "\u25cf = core condition present; \u2022 = peripheral condition present; \u25cb = core "
                      "condition absent; \u25e6 = peripheral condition absent; blank = either present or absent.",
                "zh": "\u25cf 表示核心条件存在，\u2022 表示边缘条件存在，\u25cb 表示核心条件缺失，\u25e6 表示边缘条件缺失，"
                      "空白表示该条件可存在亦可缺失。"},
    "crossed": {"en": "\u25cf = core condition present; \u2022 = peripheral condition present; \u2a02 = core "
                      "condition absent; \u2297 = peripheral condition absent; blank = either present or absent.",
                "zh": "\u25cf 表示核心条件存在，\u2022 表示边缘条件存在，\u2a02 表示核心条件缺失，\u2297 表示边缘条件缺失，"
                      "空白表示该条件可存在亦可缺失。"},
}


def _title(key: str, outcome: str, kind: str | None = None) -> dict:
    titles = {
        "configurations": {"en": f"Configurations for {outcome} ({{kind}} solution)",
                           "zh": f"{outcome} 的组态分析结果（{{kind}}）"},
        "solution": {"en": f"The {{kind}} solution for {outcome}", "zh": f"{outcome} 的{{kind}}"},
        "truth_table": {"en": f"Truth Table for {outcome}", "zh": f"{outcome} 的真值表"},
        "necessity": {"en": f"Analysis of Necessary Conditions for {outcome}", "zh": f"{outcome} 的必要条件分析"},
    }[key]
    if kind is None:
        return titles
    return {lang: text.format(kind=_KIND[kind][lang]) for lang, text in titles.items()}


def configuration_table(
    chart: Any, *, symbols: str = "circles", decimals: int = 3, pri: bool = False, instrument: Any = None,
    note: Any = None, number: int | None = None, title: Any = None, lang: str = "en", style: str = "apa",
) -> PubTable:
    """The configuration table of a :class:`~resilience_stats.qca.ConfigurationChart`.

    Parameters
    ----------
    chart : ConfigurationChart
        From :func:`resilience_stats.qca.configuration_chart` or ``QCAResult.configurations()``.
    symbols : {"circles", "crossed"}
        Absence as an empty circle (default) or a crossed circle.
    decimals : int, default 3
    pri : bool, default False
        Add a PRI row.
    instrument : Instrument, optional
        Shows construct names for conditions that are construct ids.
    note : str or {"en", "zh"}, optional
        Added to the symbol legend (e.g. the frequency and consistency cut-offs).

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats import qca
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [0, 0, 1, 1, 1], "Y": [1, 1, 0, 0, 1]})
    >>> res = qca.fsqca(d, "Y", incl_cut=1, dir_exp=["A", "B", "C"], necessity=False)
    >>> configuration_table(res.configurations()).display()["1"].tolist()
    ['●', '', '', '1.000', '', '1.000', '1.000', '1.000']
    """
    if symbols not in SYMBOLS:
        raise ValueError(f"symbols must be one of {', '.join(SYMBOLS)}, not {symbols!r}")
    sym = SYMBOLS[symbols]
    configs = list(chart.chart.columns)
    rows: list[dict] = []
    for cond, codes in chart.chart.iterrows():
        rows.append({"condition": cond, **{c: sym[codes[c]] for c in configs}})
    fit = chart.fit.set_index("configuration")
    measures = ["raw_coverage", "unique_coverage", "consistency", *(["pri"] if pri else [])]
    for m in measures:
        rows.append({"condition": _ROWS[m][lang], **{c: _num(fit.loc[c, m]) for c in configs}})
    for key, value in (("solution_coverage", chart.coverage), ("solution_consistency", chart.consistency)):
        rows.append({"condition": _ROWS[key][lang], **{c: (value if i == 0 else "") for i, c in enumerate(configs)}})
    frame = pd.DataFrame(rows, columns=["condition", *configs])
    legend = _LEGEND[symbols]
    general: Any = legend
    if note is not None:
        extra = note if isinstance(note, Mapping) else {"en": str(note), "zh": str(note)}
        general = {k: f"{legend[k]} {extra.get(k, '')}".strip() for k in ("en", "zh")}
    return PubTable.from_frame(
        frame, columns=["condition", *configs],
        headers={"condition": HEADERS["condition"], **{c: {"en": f"C{c}", "zh": f"组态{c}"} for c in configs}},
        formats={c: ColumnFormat("bounded", decimals) for c in configs}, note=general, number=number,
        title=title if title is not None else _title("configurations", chart.outcome, chart.kind), lang=lang,
        style=style, instrument=instrument, construct_columns=("condition",), drop_leading_zero=True)


def _num(value: Any) -> Any:
    """A number as it is; NaN (unique coverage of a one-term model) becomes an empty cell."""
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else value


def qca_solution_table(
    solution: Any, *, decimals: int = 3, cases: bool = False, number: int | None = None, title: Any = None,
    lang: str = "en", style: str = "apa",
) -> PubTable:
    """The terms of each model of a :class:`~resilience_stats.qca.Solution` with consistency, PRI, raw and
    unique coverage, and the model's consistency, PRI and coverage."""
    rows = []
    for m in solution.models:
        for rec in m.fit.to_dict("records"):
            rows.append({"model": m.name, **rec})
        rows.append({"model": m.name, "term": _ROWS["solution"][lang], "consistency": m.consistency, "pri": m.pri,
                     "raw_coverage": m.coverage, "unique_coverage": np.nan, "cases": ""})
    frame = pd.DataFrame(rows)
    shown = ["term", "consistency", "pri", "raw_coverage", "unique_coverage", *(["cases"] if cases else [])]
    return PubTable.from_frame(
        frame, columns=shown, headers={c: HEADERS[c] for c in shown},
        formats={c: ColumnFormat("bounded", decimals) for c in shown[1:5]},
        row_groups="model" if len(solution.models) > 1 else None, number=number,
        title=title if title is not None else _title("solution", solution.outcome, solution.kind), lang=lang,
        style=style)


def truth_table_table(tt: Any, *, decimals: int = 3, number: int | None = None, title: Any = None,
                      lang: str = "en", style: str = "apa") -> PubTable:
    """The observed rows of a :class:`~resilience_stats.qca.TruthTable` (sorted by OUT, then consistency)."""
    t = tt.table.copy()
    order = {"1": 0, "C": 1, "0": 2, "?": 3}
    t = t.assign(_o=t["OUT"].map(order)).sort_values(["_o", "incl"], ascending=[True, False], kind="stable")
    shown = ["row", *tt.conditions, "OUT", "n", "incl", "PRI", "cases"]
    formats = {c: ColumnFormat("integer") for c in ["row", *tt.conditions, "n"]}
    formats.update({"incl": ColumnFormat("bounded", decimals), "PRI": ColumnFormat("bounded", decimals),
                    "OUT": ColumnFormat("text")})
    return PubTable.from_frame(t.reset_index(drop=True), columns=shown, formats=formats,
                               headers={c: HEADERS[c] for c in shown if c in HEADERS}, number=number,
                               title=title if title is not None else _title("truth_table", tt.outcome), lang=lang,
                               style=style)


def necessity_table(necessity: pd.DataFrame, *, outcome: str = "Y", decimals: int = 3,
                    number: int | None = None, title: Any = None, lang: str = "en", style: str = "apa") -> PubTable:
    """Consistency, RoN and coverage of necessity (``rs.qca.necessity``); conditions of consistency >= .9 with
    RoN >= .5 are marked in a note."""
    shown = ["condition", "consistency", "ron", "coverage"]
    flagged = necessity.loc[necessity["necessary"], "condition"].tolist() if "necessary" in necessity else []
    note = ({"en": f"Necessary (consistency \u2265 .90, RoN \u2265 .50): {', '.join(flagged)}.",
             "zh": f"必要条件（一致性 \u2265 0.90，RoN \u2265 0.50）：{'、'.join(flagged)}。"} if flagged else
            {"en": "No condition is necessary (consistency \u2265 .90 and RoN \u2265 .50).",
             "zh": "没有条件构成必要条件（一致性 \u2265 0.90 且 RoN \u2265 0.50）。"})
    return PubTable.from_frame(necessity.reset_index(drop=True), columns=shown,
                               headers={c: HEADERS[c] for c in shown},
                               formats={c: ColumnFormat("bounded", decimals) for c in shown[1:]}, note=note,
                               number=number, title=title if title is not None else _title("necessity", outcome),
                               lang=lang, style=style)


def from_qca_result(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    """``from_result`` for QCA results: a QCAResult (its ``to_table``), a Solution or a TruthTable."""
    common = {k: v for k, v in common.items() if v is not None}
    common.pop("instrument", None)
    name = type(result).__name__
    if name == "QCAResult":
        return result.to_table(kind, **common, **options)
    if name == "Solution":
        return qca_solution_table(result, **common, **options)
    return truth_table_table(result, **common, **options)


#: Results objects whose tables this module makes (merged into :func:`~resilience_stats.tables.from_result`).
ADAPTERS = {"QCAResult": from_qca_result, "Solution": from_qca_result, "TruthTable": from_qca_result}
