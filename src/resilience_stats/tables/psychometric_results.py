"""Publication tables of omega hierarchical, Mardia's tests, split-half reliabilities and the common-method-bias
checks (the ``.to_table()`` of :class:`~resilience_stats.psychometrics.OmegaResult`, ``MardiaResult`` and
``CommonMethodResult``, and of the frame :func:`~resilience_stats.split_half` returns).

Formatting only: every number comes from the results object.  :data:`ADAPTERS` maps a results class name to
its adapter ``(result, kind, common, options) -> PubTable``, as :func:`.adapters.from_result` calls them.

Examples
--------
>>> rs.omega(wave).to_table(lang="zh", style="three-line")        # doctest: +SKIP
>>> rs.common_method_bias(wave).to_table("method_variance")       # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pandas as pd

from .format import ColumnFormat, format_number
from .pubtable import PubTable
from .standard import invariance_table

__all__ = ["ADAPTERS", "split_half_table"]

_MODEL_NAMES = {
    "single_factor": {"en": "Single-factor model", "zh": "单因子模型"},
    "measurement": {"en": "Measurement model", "zh": "测量模型"},
    "ulmc": {"en": "Measurement model + method factor (ULMC)", "zh": "测量模型 + 共同方法因子（ULMC）"},
}
_HARMAN_NAMES = {
    "pca": {"en": "Principal components", "zh": "主成分分析"},
    "efa_minres": {"en": "Factor analysis (minres)", "zh": "因子分析（最小残差法）"},
    "efa_pa": {"en": "Factor analysis (principal axis)", "zh": "因子分析（主轴法）"},
}
_TEST_NAMES = {
    "skewness": {"en": "Multivariate skewness", "zh": "多元偏度"},
    "skewness_small_sample": {"en": "Multivariate skewness (small-sample)", "zh": "多元偏度（小样本校正）"},
    "kurtosis": {"en": "Multivariate kurtosis", "zh": "多元峰度"},
}


def _kwargs(common: dict, options: dict, title: dict) -> dict:
    out = {k: v for k, v in {**common, **options}.items() if v is not None}
    out.setdefault("title", title)
    return out


def _kinds_error(what: str, kind: Any, kinds: tuple[str, ...]) -> ValueError:
    return ValueError(f"{what}.to_table: kind must be one of {', '.join(map(repr, kinds))}, not {kind!r}")


def _pick(names: dict, key: str, lang: str) -> str:
    entry = names.get(key)
    return entry[lang] if entry else key


# -- omega -------------------------------------------------------------------------------------------------------
def _omega(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    lang = common.get("lang", "en")
    if kind in (None, "loadings"):
        suppress = float(options.pop("suppress", 0.20))
        sl = result.loadings
        factors = [c for c in sl.columns if c not in ("h2", "u2", "p2")]
        df = pd.DataFrame({"item": list(sl.index)})
        for c in factors:
            v = sl[c].to_numpy()
            df[c] = v if c == "g" else pd.Series(v).where(pd.Series(v).abs() >= suppress).to_numpy()
        df["h2"] = sl["h2"].to_numpy()
        df["p2"] = sl["p2"].to_numpy()
        note = {"en": (f"Schmid-Leiman solution ({result.method}, {result.rotation}); group loadings below "
                       f"{suppress:.2f} in absolute value are not shown. ω_h = {result.omega_h:.2f}, "
                       f"ω_t = {result.omega_total:.2f}, ECV = {result.ecv:.2f}."),
                "zh": (f"Schmid-Leiman 变换解（{result.method}，{result.rotation}），绝对值小于 {suppress:.2f} 的"
                       f"群因子载荷未列出。ω_h = {result.omega_h:.2f}，ω_t = {result.omega_total:.2f}，"
                       f"ECV = {result.ecv:.2f}。")}
        formats = {c: "bounded" for c in factors} | {"h2": "bounded", "p2": "bounded"}
        headers = {"p2": {"en": "g²/h²", "zh": "g²/h²"}}
        return PubTable.from_frame(df, formats=formats, headers=headers, note=note, item_columns=("item",),
                                   **_kwargs(common, options, {"en": "Omega Hierarchical: General and Group Factor "
                                                                     "Loadings", "zh": "ω 层级系数：一般因子与群因子载荷"}))
    if kind == "omega":
        df = result.omega_group.reset_index()
        df["factor"] = [{"en": "Total (g)", "zh": "全量表（g）"}[lang] if f == "g" else f for f in df["factor"]]
        headers = {"factor": {"en": "Factor", "zh": "因子"}, "total": {"en": "ω total", "zh": "ω 总"},
                   "general": {"en": "ω general", "zh": "ω 一般因子"}, "group": {"en": "ω group", "zh": "ω 群因子"}}
        return PubTable.from_frame(df, formats={c: "bounded" for c in ("total", "general", "group")},
                                   headers=headers,
                                   **_kwargs(common, options, {"en": "Omega by Group Factor", "zh": "各群因子的 ω 系数"}))
    raise _kinds_error("OmegaResult", kind, ("loadings", "omega"))


# -- Mardia ------------------------------------------------------------------------------------------------------
def _mardia(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    if kind not in (None, "mardia"):
        raise _kinds_error("MardiaResult", kind, ("mardia",))
    lang = common.get("lang", "en")
    df = result.table
    df["test"] = [_pick(_TEST_NAMES, t, lang) for t in df["test"]]
    headers = {"test": {"en": "Test", "zh": "检验"}, "coefficient": {"en": "Coefficient", "zh": "系数"},
               "statistic": {"en": "Statistic", "zh": "统计量"}}
    note = {"en": f"n = {result.n_obs} complete cases, {result.n_vars} variables; skewness: χ² test, kurtosis: z test.",
            "zh": f"完整个案 n = {result.n_obs}，变量 {result.n_vars} 个；偏度为 χ² 检验，峰度为 z 检验。"}
    return PubTable.from_frame(df, formats={"coefficient": ColumnFormat("number", 3), "df": "integer"},
                               headers=headers, note=note,
                               **_kwargs(common, options, {"en": "Mardia's Tests of Multivariate Normality",
                                                           "zh": "Mardia 多元正态性检验"}))


# -- split half --------------------------------------------------------------------------------------------------
def split_half_table(df: pd.DataFrame, *, lang: str = "en", style: str = "apa", number: int | None = None,
                     title: Any = None, instrument: Any = None, na: str = "") -> PubTable:
    """Split-half reliabilities per construct (the frame of :func:`resilience_stats.split_half`).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"construct": ["NET"], "n_items": [4], "lambda4": [0.86], "beta": [0.81],
    ...                   "mean_split": [0.84], "alpha": [0.84]})
    >>> split_half_table(f).display().iloc[0].tolist()
    ['NET', '4', '.86', '.81', '.84', '.84']
    """
    cols = [c for c in ("construct", "n_items", "lambda4", "beta", "mean_split", "alpha", "lambda6")
            if c in df.columns]
    headers = {k: v for k, v in {"lambda4": {"en": "λ4 (max split)", "zh": "λ4（最大分半）"},
                                 "beta": {"en": "β (min split)", "zh": "β（最小分半）"},
                                 "mean_split": {"en": "Mean split half", "zh": "平均分半信度"},
                                 "lambda6": {"en": "λ6", "zh": "λ6"}}.items() if k in cols}
    formats = {c: "bounded" for c in cols if c not in ("construct", "n_items")}
    kw = {"number": number, "title": title}
    return PubTable.from_frame(df.reset_index(drop=True), columns=cols, headers=headers, formats=formats, lang=lang,
                               style=style, instrument=instrument, na=na,
                               **_kwargs(kw, {}, {"en": "Split-Half Reliability", "zh": "分半信度"}))


# -- common-method bias ------------------------------------------------------------------------------------------
def _cmb_fit(result: Any, common: dict, options: dict) -> PubTable:
    lang = common.get("lang", "en")
    if result.model_fit is None:
        raise ValueError("CommonMethodResult.to_table('fit'): no CFA model was fitted (no measurement model)")
    order = [m for m in ("single_factor", "measurement", "ulmc") if m in result.model_fit.index]
    rows = []
    comp_of = {"measurement": "single_factor_vs_measurement", "ulmc": "measurement_vs_ulmc"}
    for i, m in enumerate(order):
        row = {"model": _pick(_MODEL_NAMES, m, lang), **result.model_fit.loc[m, ["chisq", "df", "cfi", "tli",
                                                                                 "rmsea", "srmr"]].to_dict()}
        c = comp_of.get(m)
        if i > 0 and c in result.comparisons.index:
            d = result.comparisons.loc[c]
            row.update(delta_chisq=d["chisq_diff"], delta_df=d["df_diff"], p_diff=d["pvalue"],
                       delta_cfi=d["delta_cfi"], delta_tli=d["delta_tli"], delta_rmsea=d["delta_rmsea"],
                       delta_srmr=d["delta_srmr"])
        rows.append(row)
    notes: dict[str, list[str]] = {"en": [], "zh": []}
    if result.harman is not None:
        pca, efa = (f"{100 * result.harman.loc[v, 'share']:.1f}%" for v in ("pca", "efa_minres"))
        notes["en"].append(f"Harman's test: the first unrotated factor explains {pca} of the variance (principal "
                           f"components; {efa} in factor analysis).")
        notes["zh"].append(f"Harman 单因子检验：未旋转的第一个因子解释了 {pca} 的变异（主成分分析；因子分析为 {efa}）。")
    if result.options.get("estimator") == "MLR":
        notes["en"].append("MLR: scaled χ² and robust indices; Satorra-Bentler scaled χ² differences.")
        notes["zh"].append("MLR：校正 χ² 与稳健拟合指数；χ² 差异为 Satorra-Bentler 校正差异。")
    # invariance_table lays out competing models with all four index changes against the previous row
    table = invariance_table(pd.DataFrame(rows), **_kwargs(common, options, {
        "en": "Common-Method Bias: Fit of the Single-Factor, Measurement and Method-Factor Models",
        "zh": "共同方法偏差检验：单因子模型、测量模型与方法因子模型的拟合比较"}))
    if not notes["en"]:
        return table
    general = {"en": " ".join(notes["en"]), "zh": "".join(notes["zh"])}
    return table.with_options(notes=dataclasses.replace(table.notes, general=general))


def _cmb(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    lang = common.get("lang", "en")
    common = {k: v for k, v in common.items() if k != "instrument"} if kind != "method_variance" else common
    if kind is None:
        kind = "fit" if result.model_fit is not None else "harman"
    if kind == "fit":
        return _cmb_fit(result, common, options)
    if kind == "harman":
        if result.harman is None:
            raise ValueError("CommonMethodResult.to_table('harman'): Harman's test was not run")
        df = result.harman.reset_index()
        df["variant"] = [_pick(_HARMAN_NAMES, v, lang) for v in df["variant"]]
        df["percent"] = 100 * df["share"]
        headers = {"variant": {"en": "Extraction", "zh": "提取方法"},
                   "ss_loadings": {"en": "Eigenvalue / SS loadings", "zh": "特征值 / 载荷平方和"},
                   "percent": {"en": "% of variance", "zh": "解释变异（%）"}}
        return PubTable.from_frame(df, columns=["variant", "ss_loadings", "percent"], headers=headers,
                                   **_kwargs(common, options, {"en": "Harman's Single-Factor Test",
                                                               "zh": "Harman 单因子检验"}))
    if kind == "method_variance":
        if result.method_variance is None:
            raise ValueError("CommonMethodResult.to_table('method_variance'): the ULMC model was not fitted")
        df = result.method_variance.reset_index().rename(columns={"factor": "construct"})
        headers = {"trait_loading": {"en": "Trait loading", "zh": "特质因子载荷"},
                   "method_loading": {"en": "Method loading", "zh": "方法因子载荷"},
                   "trait_share": {"en": "Trait variance", "zh": "特质方差"},
                   "method_share": {"en": "Method variance", "zh": "方法方差"}}
        cols = ["item", "construct", "trait_loading", "method_loading", "trait_share", "method_share"]
        return PubTable.from_frame(df, columns=cols, headers=headers, item_columns=("item",),
                                   formats={c: "bounded" for c in cols[2:]},
                                   **_kwargs(common, options, {"en": "Trait and Method Variance of the Items (ULMC)",
                                                               "zh": "各题项的特质方差与方法方差（ULMC）"}))
    if kind == "marker":
        if result.marker is None:
            raise ValueError("CommonMethodResult.to_table('marker'): no marker variable was given")
        df = result.marker.copy()
        headers = {"var1": {"en": "Variable 1", "zh": "变量 1"}, "var2": {"en": "Variable 2", "zh": "变量 2"},
                   "r_corrected": {"en": "r (corrected)", "zh": "校正后 r"},
                   "p_corrected": {"en": "p (corrected)", "zh": "校正后 p"}}
        r_m = format_number(result.r_m, 3, leading_zero=False)
        note = {"en": f"Lindell-Whitney correction with r_M = {r_m} (marker: {result.options['marker']}).",
                "zh": f"Lindell-Whitney 标签变量校正，r_M = {r_m}（标签变量：{result.options['marker']}）。"}
        return PubTable.from_frame(df, columns=["var1", "var2", "r", "p", "r_corrected", "p_corrected"],
                                   headers=headers, formats={"r_corrected": "bounded", "p_corrected": "p"},
                                   note=note, construct_columns=("var1", "var2"),
                                   **_kwargs(common, options, {"en": "Marker-Variable Correction of the Correlations",
                                                               "zh": "标签变量法校正后的相关系数"}))
    raise _kinds_error("CommonMethodResult", kind, ("fit", "harman", "method_variance", "marker"))


#: Results class name -> table adapter, for :func:`resilience_stats.tables.from_result`.
ADAPTERS: dict[str, Callable[..., PubTable]] = {"OmegaResult": _omega, "MardiaResult": _mardia,
                                                 "CommonMethodResult": _cmb}
