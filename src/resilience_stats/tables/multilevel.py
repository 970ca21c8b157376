"""Publication table of a multilevel (mixed-effects) regression: fixed effects, variance components, model fit.

Formats a :class:`~resilience_stats.regression.multilevel.MultilevelResult` (it computes nothing): the fixed
effects (*B*, *SE*, *z*, *p*, CI) grouped as intercept / level 1 / level 2 / cross-level, then the random part
(variances, with the SD in the *SE* column's place left empty, and correlations of random effects), then
the model fit (residents, clusters, -2LL, AIC, BIC, marginal and conditional *R²*), in APA or three-line
style, English or Chinese.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .format import ColumnFormat, format_number
from .pubtable import ColumnSpec, PubTable
from .regression import _adapter, _ci_spanner, _common, _HEAD
from .richtext import italic

__all__ = ["ADAPTERS", "multilevel_table"]

_T = {
    "fixed": {"en": "Fixed effects", "zh": "固定效应"},
    "random": {"en": "Random effects", "zh": "随机效应"},
    "fit": {"en": "Model fit", "zh": "模型拟合"},
    "intercept": {"en": "Intercept", "zh": "截距"},
    "level_1": {"en": " (level 1)", "zh": "（层 1）"},
    "level_2": {"en": " (level 2)", "zh": "（层 2）"},
    "cross-level": {"en": " (cross-level)", "zh": "（跨层交互）"},
    "var_intercept": {"en": "Intercept variance (τ₀₀)", "zh": "截距方差（τ₀₀）"},
    "var_slope": {"en": "Slope variance of {v}", "zh": "{v} 斜率方差"},
    "corr": {"en": "Correlation {a}, {b}", "zh": "{a} 与 {b} 的相关"},
    "residual": {"en": "Residual variance (σ²)", "zh": "残差方差（σ²）"},
    "n": {"en": "Residents (N)", "zh": "居民数（N）"},
    "clusters": {"en": "Clusters ({c})", "zh": "群组数（{c}）"},
    "deviance": {"en": "−2 log-likelihood ({crit})", "zh": "−2 对数似然（{crit}）"},
    "aic": {"en": "AIC", "zh": "AIC"},
    "bic": {"en": "BIC", "zh": "BIC"},
    "r2m": {"en": "Marginal R²", "zh": "边际 R²"},
    "r2c": {"en": "Conditional R²", "zh": "条件 R²"},
}


def _t(key: str, lang: str, **fmt: Any) -> str:
    return _T[key][lang].format(**fmt)


def _label(term: str, level: str, lang: str) -> str:
    if term == "(Intercept)":
        return _t("intercept", lang)
    name = term.replace(":", " × ")
    return name + (_t(f"level_{level}" if level in ("1", "2") else level, lang) if level else "")


def _random_rows(res: Any, lang: str, decimals: int) -> list[dict]:
    rows = []
    for r in res.random_effects.itertuples(index=False):
        if r.group == "Residual":
            label = _t("residual", lang)
        elif r.term2 is None or (isinstance(r.term2, float) and np.isnan(r.term2)):
            label = _t("var_intercept", lang) if r.term1 == "(Intercept)" else _t("var_slope", lang, v=r.term1)
        else:
            a = _t("intercept", lang) if r.term1 == "(Intercept)" else r.term1
            rows.append({"term": _t("corr", lang, a=a, b=r.term2),
                         "coef": format_number(r.correlation, decimals, leading_zero=False)})
            continue
        rows.append({"term": label, "coef": format_number(r.variance, 3)})
    return rows


def multilevel_table(res: Any, kind: str | None = None, *, lang: str = "en", style: str = "apa",
                     number: int | None = None, title: Any = None, decimals: int = 2, na: str = "",
                     instrument: Any = None) -> PubTable:
    """The multilevel model table: fixed effects with Wald tests and CIs, variance components, model fit.

    Parameters
    ----------
    res : MultilevelResult
    kind : {None, "model"}
        The one table of a multilevel result.
    decimals : int, default 2
        Decimals of the fixed effects (variance components get 3).
    instrument : Instrument, optional
        Shows construct names instead of ids for the predictors.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.regression import multilevel
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(25), 12)
    >>> df = pd.DataFrame({"community": g, "NET": rng.normal(size=300)})
    >>> df["RES"] = 0.4 * df["NET"] + rng.normal(size=25)[g] + rng.normal(size=300)
    >>> table = multilevel_table(multilevel(df, "RES", x="NET", cluster="community"), lang="zh")
    >>> table.display()["term"].tolist()[:3]
    ['截距', 'NET（层 1）', '截距方差（τ₀₀）']
    """
    if kind not in (None, "model"):
        raise ValueError(f"MultilevelResult.to_table: kind must be 'model', not {kind!r}")
    fe = res.fixed_effects
    fixed = pd.DataFrame({"group": _t("fixed", lang), "term": fe["term"], "coef": fe["coef"], "se": fe["se"],
                          "z": fe["z"], "p": fe["p"], "ci_lower": fe["ci_lower"], "ci_upper": fe["ci_upper"]})
    if instrument is not None:  # construct names for single-variable terms
        names = [_name(instrument, t, lang) for t in fe["term"]]
    else:
        names = list(fe["term"])
    fixed["term"] = [_label(t, lv, lang) for t, lv in zip(names, fe["level"])]
    random = pd.DataFrame(_random_rows(res, lang, decimals)).assign(group=_t("random", lang))
    f = res.fit
    fit_rows = [("n", format_number(f["n"], 0)), ("clusters", format_number(f["n_clusters"], 0)),
                ("deviance", format_number(f["deviance"], 2)), ("aic", format_number(f["aic"], 2)),
                ("bic", format_number(f["bic"], 2)), ("r2m", format_number(res.r2["marginal"], 3, False)),
                ("r2c", format_number(res.r2["conditional"], 3, False))]
    fit = pd.DataFrame([{"term": _t(k, lang, c=res.cluster, crit=f["criterion"]), "coef": v} for k, v in fit_rows])
    fit["group"] = _t("fit", lang)
    frame = pd.concat([fixed, random, fit], ignore_index=True).astype(object)
    num = ColumnFormat("number", decimals)
    cols = [ColumnSpec("term", header=_HEAD["term"]), ColumnSpec("coef", header=_HEAD["coef"], format=num),
            ColumnSpec("se", format=num), ColumnSpec("z", header=italic("z"), format=ColumnFormat("number", 2)),
            ColumnSpec("p"), ColumnSpec("ci_lower", format=num), ColumnSpec("ci_upper", format=num)]
    level = format_number(res.level * 100, 0)
    est = "REML" if res.reml else "ML"
    en = (f"Linear mixed model estimated by {est}; {res.n} residents in {res.n_clusters} clusters. Fixed effects "
          f"with Wald z tests and {level}% CIs.")
    zh = (f"线性混合模型，{est} 估计；{res.n_clusters} 个群组中的 {res.n} 名居民。"
          f"固定效应采用 Wald z 检验与 {level}% 置信区间。")
    if res.centering:
        en += " Centred: " + ", ".join(f"{v} ({'within cluster' if how == 'group' else 'grand mean'})"
                                       for v, how in res.centering.items()) + "."
        zh += "中心化：" + "，".join(f"{v}（{'组均值' if how == 'group' else '总均值'}）"
                                  for v, how in res.centering.items()) + "。"
    en += " R² after Nakagawa and Schielzeth (2013)."
    zh += "R² 依 Nakagawa 与 Schielzeth（2013）计算。"
    return PubTable.from_frame(
        frame, columns=cols, row_groups="group", spanners=[_ci_spanner(res.level)], note={"en": en, "zh": zh},
        lang=lang, **_common({"style": style, "number": number, "title": title, "na": na},
                             {"en": f"Multilevel Model of {res.y}", "zh": f"{res.y} 的多层线性模型"}))


def _name(instrument: Any, term: str, lang: str) -> str:
    parts = []
    for v in term.split(":"):
        try:
            parts.append(instrument.construct_name(v, lang))
        except KeyError:
            parts.append(v)
    return ":".join(parts)


#: ``tables.from_result`` adapter of the multilevel result, by class name.
ADAPTERS = {"MultilevelResult": _adapter(multilevel_table)}
