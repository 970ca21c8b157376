"""Publication tables of the regression results: PROCESS models, hierarchical regression, ordered logit.

Each function formats a results object of :mod:`resilience_stats.regression` (it computes nothing) and returns
a :class:`~resilience_stats.tables.PubTable` in APA or three-line style, English or Chinese. Row labels (group
names, "Constant", products shown as "X × W") are written in ``lang`` when the table is built.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .format import ColumnFormat, format_number, format_p, stars
from .pubtable import ColumnSpec, PubTable, Spanner
from .richtext import italic

__all__ = ["ADAPTERS", "hierarchical_table", "ordered_logit_table", "process_table"]

_T = {
    "constant": {"en": "Constant", "zh": "常数"},
    "direct": {"en": "Direct effect", "zh": "直接效应"},
    "total": {"en": "Total effect", "zh": "总效应"},
    "indirect": {"en": "Indirect effect", "zh": "间接效应"},
    "total_indirect": {"en": "Total indirect effect", "zh": "总间接效应"},
    "conditional": {"en": "Conditional indirect effect", "zh": "条件间接效应"},
    "imm": {"en": "Index of moderated mediation", "zh": "有调节的中介指数"},
    "outcome": {"en": "Outcome: {y}", "zh": "结果变量：{y}"},
    "predictors": {"en": "Predictors", "zh": "预测变量"},
    "thresholds": {"en": "Thresholds", "zh": "阈值"},
    "model_k": {"en": "Model {k}", "zh": "模型{k}"},
    "r2": {"en": "R²", "zh": "R²"},
    "adj_r2": {"en": "Adjusted R²", "zh": "调整 R²"},
    "delta_r2": {"en": "ΔR²", "zh": "ΔR²"},
    "f_change": {"en": "ΔF", "zh": "ΔF"},
    "omnibus": {"en": "Omnibus", "zh": "总体检验"},
}
_HEAD = {
    "coef": italic("B"), "b": italic("B"), "se": italic("SE"), "beta": "β", "std_coef": "β", "w": italic("W"),
    "z": italic("Z"), "t": italic("t"), "effect": {"en": "Effect", "zh": "效应值"},
    "odds_ratio": "OR", "chi2": italic("χ²"), "ame": "AME", "category": {"en": "Category", "zh": "类别"},
    "term": {"en": "Predictor", "zh": "预测变量"}, "label": {"en": "Path", "zh": "路径"},
    "moderator": {"en": "Moderator value", "zh": "调节变量取值"},
}


def _t(key: str, lang: str, **fmt: Any) -> str:
    return _T[key][lang].format(**fmt)


def _term(term: str, lang: str) -> str:
    return _t("constant", lang) if term == "constant" else term.replace(":", " × ")


def _path(path: str) -> str:
    return path.replace(":", " × ").replace(" -> ", " → ")


def _ci_spanner(level: float) -> Spanner:
    return Spanner(f"{format_number(level * 100, 0)}% CI", "ci_lower", "ci_upper")


def _common(kw: dict, title: Any) -> dict:
    out = {k: v for k, v in kw.items() if v is not None}
    out.setdefault("title", title)
    return out


# ============================================================================================ PROCESS


def _process_paths(res: Any, lang: str, decimals: int, kw: dict) -> PubTable:
    rows = res.paths.copy()
    rows["term"] = [_term(t, lang) for t in rows["term"]]
    rows["group"] = [_t("outcome", lang, y=e) for e in rows["equation"]]
    first = ~rows["equation"].duplicated()
    r2 = res.models.set_index("equation")["r2"]
    rows["r2"] = [r2[e] if f else np.nan for e, f in zip(rows["equation"], first)]
    notes = []
    for m in res.models.itertuples(index=False):
        notes.append(f"{m.equation}: R² = {format_number(m.r2, 3, False)}, F({m.df1}, {m.df2}) = "
                     f"{format_number(m.f, 2)}, p {_p_text(m.p)}")
    num = ColumnFormat("number", decimals)
    cols = [ColumnSpec("term", header=_HEAD["term"]), ColumnSpec("coef", header=_HEAD["coef"], format=num),
            ColumnSpec("se", format=num), ColumnSpec("t", format=ColumnFormat("number", 2)), ColumnSpec("p"),
            ColumnSpec("ci_lower", format=num), ColumnSpec("ci_upper", format=num),
            ColumnSpec("std_coef", header=_HEAD["std_coef"], format=ColumnFormat("bounded", decimals)),
            ColumnSpec("r2")]
    hc = f" Standard errors: {res.hc}." if res.hc else ""
    hc_zh = f"标准误为 {res.hc} 稳健标准误。" if res.hc else ""
    note = {"en": "; ".join(notes) + "." + hc, "zh": "；".join(notes) + "。" + hc_zh}
    return PubTable.from_frame(
        rows, columns=cols, row_groups="group", spanners=[_ci_spanner(res.level)], note=note,
        construct_columns=("term",), lang=lang,
        **_common(kw, {"en": f"Regression Coefficients of PROCESS Model {res.model}",
                       "zh": f"PROCESS 模型 {res.model} 的回归系数"}))


def _p_text(p: float) -> str:
    s = format_p(p)
    return s if s.startswith(("<", ">")) else f"= {s}"


def _process_effects(res: Any, lang: str, decimals: int, kw: dict) -> PubTable:
    kw = {k: v for k, v in kw.items() if k != "instrument"}
    rows: list[dict] = []

    def add(group: str, frame: pd.DataFrame, value: str, se: str) -> None:
        for r in frame.to_dict("records"):
            label = _t("total_indirect", lang) if r.get("path") == "total" else _path(r["path"])
            rows.append({"group": _t(group, lang), "label": label, "w": r.get("w", np.nan), "effect": r[value],
                         "se": r[se], "ci_lower": r["ci_lower"], "ci_upper": r["ci_upper"]})

    add("total", res.total, "effect", "se")
    add("direct", res.direct, "effect", "se")
    add("indirect", res.indirect, "effect", "boot_se")
    add("conditional", res.conditional_indirect, "effect", "boot_se")
    add("imm", res.index_moderated_mediation, "index", "boot_se")
    if not rows:
        raise ValueError(f"PROCESS model {res.model} has no direct or indirect effects; use kind='slopes'")
    frame = pd.DataFrame(rows)
    num = ColumnFormat("number", decimals)
    cols = [ColumnSpec("label", header=_HEAD["label"])]
    if frame["w"].notna().any():
        cols.append(ColumnSpec("w", header=res.w, format=ColumnFormat("number", 2)))
    cols += [ColumnSpec("effect", header=_HEAD["effect"], format=num),
             ColumnSpec("se", format=num), ColumnSpec("ci_lower", format=num), ColumnSpec("ci_upper", format=num)]
    level = format_number(res.level * 100, 0)
    if res.boot:
        en = (f"Direct and total effects: t-based {level}% CIs. Indirect effects: SE and {level}% CI from "
              f"{res.boot:,} percentile bootstrap resamples (seed {res.seed}).")
        zh = (f"直接效应与总效应的置信区间基于 t 分布；间接效应的标准误与 {level}% 置信区间来自 {res.boot} 次"
              f"百分位 Bootstrap 重抽样（随机种子 {res.seed}）。")
    else:
        en, zh = f"t-based {level}% CIs; no bootstrap was run.", f"置信区间基于 t 分布；未进行 Bootstrap。"
    return PubTable.from_frame(
        frame, columns=cols, row_groups="group", spanners=[_ci_spanner(res.level)], note={"en": en, "zh": zh},
        lang=lang, **_common(kw, {"en": "Direct, Indirect and Conditional Indirect Effects",
                                  "zh": "直接效应、间接效应与条件间接效应"}))


def _process_slopes(res: Any, lang: str, decimals: int, kw: dict) -> PubTable:
    kw = {k: v for k, v in kw.items() if k != "instrument"}
    rows = res.simple_slopes.copy()
    if rows.empty:
        raise ValueError(f"PROCESS model {res.model} has no moderated path; use kind='paths' or 'effects'")
    rows["group"] = [_path(p) for p in rows["path"]]
    num = ColumnFormat("number", decimals)
    cols = []
    for key, name in (("w", res.w), ("z", res.z)):
        if name is not None and rows[key].notna().any():
            cols.append(ColumnSpec(key, header=name, format=ColumnFormat("number", 2)))
    cols += [ColumnSpec("effect", header=_HEAD["effect"], format=num), ColumnSpec("se", format=num),
             ColumnSpec("t", format=ColumnFormat("number", 2)), ColumnSpec("p"), ColumnSpec("ci_lower", format=num),
             ColumnSpec("ci_upper", format=num)]
    jn = res.johnson_neyman[res.johnson_neyman["within_range"]]
    parts_en, parts_zh = [], []
    for path, g in jn.groupby("path", sort=False):
        vals = ", ".join(format_number(v, 2) for v in g["boundary"])
        mod = g["moderator"].iloc[0]
        parts_en.append(f"{_path(path)}: {mod} = {vals}")
        parts_zh.append(f"{_path(path)}：{mod} = {vals}")
    if parts_en:
        note = {"en": "Johnson-Neyman boundaries of significance: " + "; ".join(parts_en) + ".",
                "zh": "Johnson-Neyman 显著性临界值：" + "；".join(parts_zh) + "。"}
    else:
        note = None
    return PubTable.from_frame(
        rows, columns=cols, row_groups="group", spanners=[_ci_spanner(res.level)], note=note, lang=lang,
        **_common(kw, {"en": "Conditional Effects at Values of the Moderator", "zh": "调节变量不同取值下的条件效应"}))


def process_table(res: Any, kind: str | None = None, *, lang: str = "en", style: str = "apa",
                  number: int | None = None, title: Any = None, decimals: int = 3, na: str = "",
                  instrument: Any = None) -> PubTable:
    """A table of a PROCESS result.

    Parameters
    ----------
    res : ProcessResult
    kind : {"paths", "effects", "slopes"}, optional
        "paths" (default): coefficients of every regression grouped by outcome, with *R²* and the F tests in
        the note; "effects": total, direct, (conditional) indirect effects and the index of moderated
        mediation with their intervals; "slopes": conditional effects at the moderator values with the
        Johnson-Neyman boundaries in the note.
    decimals : int, default 3
    instrument : Instrument, optional
        Shows construct names instead of ids in the "paths" table.

    Examples
    --------
    >>> process_table(res, "effects", lang="zh", style="three-line").to_markdown()  # doctest: +SKIP
    """
    kw = {"style": style, "number": number, "title": title, "na": na, "instrument": instrument}
    builders = {"paths": _process_paths, "effects": _process_effects, "slopes": _process_slopes}
    kind = kind or "paths"
    if kind not in builders:
        raise ValueError(f"ProcessResult.to_table: kind must be one of {', '.join(map(repr, builders))}, not {kind!r}")
    return builders[kind](res, lang, decimals, kw)


# ============================================================================================ hierarchical


def hierarchical_table(res: Any, kind: str | None = None, *, lang: str = "en", style: str = "apa",
                       number: int | None = None, title: Any = None, decimals: int = 2, na: str = "",
                       instrument: Any = None) -> PubTable:
    """The classic hierarchical regression table: one column block (*B*, *SE*, β) per model, the terms as
    rows, *R²*, adjusted *R²*, Δ*R²* and Δ*F* (with stars) at the foot.

    Examples
    --------
    >>> hierarchical_table(res, lang="zh", style="three-line").display()  # doctest: +SKIP
    """
    if kind not in (None, "steps", "hierarchical"):
        raise ValueError(f"HierarchicalResult.to_table: kind must be 'steps', not {kind!r}")
    coefs = res.coefficients
    terms = list(dict.fromkeys(coefs["term"]))
    frame = pd.DataFrame({"term": [_term(t, lang) for t in terms]})
    cols: list[ColumnSpec] = [ColumnSpec("term", header=_HEAD["term"])]
    spanners = []
    num = ColumnFormat("number", decimals)
    for k in res.steps["step"]:
        c = coefs[coefs["step"] == k].set_index("term")
        for key, src in (("b", "coef"), ("se", "se"), ("beta", "beta"), ("p", "p")):
            frame[f"{key}{k}"] = [c[src].get(t, np.nan) for t in terms]
        cols += [ColumnSpec(f"b{k}", header=_HEAD["b"], format=num),
                 ColumnSpec(f"se{k}", header=_HEAD["se"], format=num),
                 ColumnSpec(f"beta{k}", header=_HEAD["beta"], format=ColumnFormat("bounded", decimals), stars=f"p{k}")]
        spanners.append(Spanner(_t("model_k", lang, k=k), f"b{k}", f"beta{k}"))
    foot = []
    for key in ("r2", "adj_r2", "delta_r2", "f_change"):
        row: dict[str, Any] = {"term": _t(key, lang)}
        for s in res.steps.itertuples(index=False):
            k = s.step
            if key == "r2":
                text = format_number(s.r2, 3, False)
            elif key == "adj_r2":
                text = format_number(s.adj_r2, 3, False)
            elif key == "delta_r2":
                text = format_number(s.r2_change, 3, False) + stars(s.p_change)
            else:
                text = format_number(s.f_change, 2) + stars(s.p_change)
            row.update({f"b{k}": text, f"se{k}": np.nan, f"beta{k}": np.nan, f"p{k}": np.nan})
        foot.append(row)
    frame = pd.concat([frame, pd.DataFrame(foot)], ignore_index=True).astype(object)
    en = f"N = {res.n}. β = standardized coefficient" + (" (variables z-scored before forming products)"
                                                         if res.standardize == "z" else "") + "."
    zh = f"N = {res.n}。β 为标准化系数" + ("（先标准化变量再构造乘积项）" if res.standardize == "z" else "") + "。"
    if res.hc:
        en += f" Standard errors and F tests: {res.hc}."
        zh += f"标准误与 F 检验采用 {res.hc}。"
    return PubTable.from_frame(
        frame, columns=cols, spanners=spanners, note={"en": en, "zh": zh}, lang=lang, construct_columns=("term",),
        **_common({"style": style, "number": number, "title": title, "na": na, "instrument": instrument},
                  {"en": f"Hierarchical Regression Predicting {res.y}", "zh": f"{res.y} 的分层回归分析"}))


# ============================================================================================ ordered logit


def ordered_logit_table(res: Any, kind: str | None = None, *, lang: str = "en", style: str = "apa",
                        number: int | None = None, title: Any = None, decimals: int = 2, na: str = "",
                        instrument: Any = None) -> PubTable:
    """Ordered logit tables: ``kind`` "coefficients" (default: *B*, *SE*, *z*, *p*, OR with CI, thresholds),
    "marginal" (average marginal effects by category) or "brant" (proportional-odds test).

    Examples
    --------
    >>> ordered_logit_table(res, "brant").display()  # doctest: +SKIP
    """
    kw = {"style": style, "number": number, "title": title, "na": na, "instrument": instrument}
    kind = kind or "coefficients"
    num = ColumnFormat("number", decimals)
    level = format_number(res.level * 100, 0)
    if kind == "coefficients":
        c = res.coefficients.assign(group=_t("predictors", lang))
        th = res.thresholds.rename(columns={"threshold": "term", "value": "coef"}).assign(group=_t("thresholds", lang))
        frame = pd.concat([c, th], ignore_index=True)
        cols = [ColumnSpec("term", header={"en": "Variable", "zh": "变量"}),
                ColumnSpec("coef", header=_HEAD["coef"], format=num),
                ColumnSpec("se", format=num), ColumnSpec("z", header=italic("z"), format=ColumnFormat("number", 2)),
                ColumnSpec("p"), ColumnSpec("odds_ratio", header=_HEAD["odds_ratio"], format=num),
                ColumnSpec("or_ci", header=f"{level}% CI", format=ColumnFormat("ci", decimals),
                           source=("or_ci_lower", "or_ci_upper"))]
        f = res.fit
        note = {"en": f"N = {res.n}. LR χ²({f['lr_df']}) = {format_number(f['lr_chi2'], 2)}, p {_p_text(f['lr_p'])}; "
                      f"McFadden R² = {format_number(f['mcfadden_r2'], 3, False)}. OR = odds ratio.",
                "zh": f"N = {res.n}。LR χ²({f['lr_df']}) = {format_number(f['lr_chi2'], 2)}，p {_p_text(f['lr_p'])}；"
                      f"McFadden R² = {format_number(f['mcfadden_r2'], 3, False)}。OR 为优势比。"}
        return PubTable.from_frame(frame, columns=cols, row_groups="group", note=note, lang=lang,
                                   construct_columns=("term",),
                                   **_common(kw, {"en": f"Ordered Logit Regression of {res.y}",
                                                  "zh": f"{res.y} 的有序 Logit 回归"}))
    if kind == "marginal":
        frame = res.marginal_effects.copy()
        frame["category"] = frame["category"].map(lambda v: format_number(v, 0) if float(v).is_integer() else v)
        cols = [ColumnSpec("category", header=_HEAD["category"]), ColumnSpec("ame", header=_HEAD["ame"],
                                                                             format=ColumnFormat("number", 3)),
                ColumnSpec("se", format=ColumnFormat("number", 3)), ColumnSpec("p"),
                ColumnSpec("ci_lower", format=ColumnFormat("number", 3)),
                ColumnSpec("ci_upper", format=ColumnFormat("number", 3))]
        return PubTable.from_frame(frame, columns=cols, row_groups="term", spanners=[_ci_spanner(res.level)],
                                   lang=lang, note={"en": "AME = average marginal effect on the probability of "
                                                          "each category (delta-method SE).",
                                                    "zh": "AME 为对各类别概率的平均边际效应（Delta 法标准误）。"},
                                   **_common(kw, {"en": "Average Marginal Effects", "zh": "平均边际效应"}))
    if kind == "brant":
        frame = res.brant.copy()
        frame["term"] = [_t("omnibus", lang) if t == "omnibus" else t for t in frame["term"]]
        cols = [ColumnSpec("term", header=_HEAD["term"]), ColumnSpec("chi2", header=_HEAD["chi2"]),
                ColumnSpec("df"), ColumnSpec("p")]
        return PubTable.from_frame(frame, columns=cols, lang=lang,
                                   note={"en": "A significant test indicates that the proportional-odds assumption "
                                               "does not hold (Brant, 1990).",
                                         "zh": "检验显著表明比例优势假设不成立（Brant, 1990）。"},
                                   **_common(kw, {"en": "Brant Test of Proportional Odds", "zh": "比例优势假设的 Brant 检验"}))
    raise ValueError(f"OrderedLogitResult.to_table: kind must be 'coefficients', 'marginal' or 'brant', not {kind!r}")


def _adapter(builder):
    def adapt(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
        return builder(result, kind, **{k: v for k, v in common.items() if v is not None or k == "instrument"},
                       **options)

    return adapt


#: ``tables.from_result`` adapters of the regression results, by class name.
ADAPTERS = {"ProcessResult": _adapter(process_table), "HierarchicalResult": _adapter(hierarchical_table),
            "OrderedLogitResult": _adapter(ordered_logit_table)}
