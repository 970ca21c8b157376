"""Localized captions, note labels and default column heads (``lang="en"`` or ``"zh"``).

Everything here is an immutable mapping plus small pure functions; nothing is configured globally.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from .format import format_number
from .richtext import RichText, Run, as_runs, italic

__all__ = [
    "INVARIANCE_LEVELS",
    "LANGS",
    "caption_label",
    "check_lang",
    "default_header",
    "localize",
    "note_label",
    "probability_note",
]

LANGS = ("en", "zh")

#: The one set of names of the measurement-invariance levels, used by tables, figures and the report alike
#: (形态等同, 弱等同, 强等同, 严格等同 as in Chinese methods texts).
INVARIANCE_LEVELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "configural": MappingProxyType({"en": "Configural", "zh": "形态等同"}),
    "metric": MappingProxyType({"en": "Metric", "zh": "弱等同"}),
    "loadings": MappingProxyType({"en": "Metric", "zh": "弱等同"}),
    "scalar": MappingProxyType({"en": "Scalar", "zh": "强等同"}),
    "intercepts": MappingProxyType({"en": "Scalar", "zh": "强等同"}),
    "thresholds": MappingProxyType({"en": "Thresholds", "zh": "阈值等同"}),
    "strict": MappingProxyType({"en": "Strict", "zh": "严格等同"}),
    "residuals": MappingProxyType({"en": "Strict", "zh": "严格等同"}),
    "lv_variances": MappingProxyType({"en": "Factor variances", "zh": "因子方差等同"}),
    "lv_covariances": MappingProxyType({"en": "Factor covariances", "zh": "因子协方差等同"}),
    "means": MappingProxyType({"en": "Latent means", "zh": "潜均值等同"}),
})

_HEADERS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "construct": {"en": "Construct", "zh": "构念"},
        "factor": {"en": "Factor", "zh": "因子"},
        "item": {"en": "Item", "zh": "题项"},
        "item_text": {"en": "Item", "zh": "题项"},
        "variable": {"en": "Variable", "zh": "变量"},
        "group": {"en": "Group", "zh": "组别"},
        "category": {"en": "Category", "zh": "类别"},
        "model": {"en": "Model", "zh": "模型"},
        "path": {"en": "Path", "zh": "路径"},
        "effect": {"en": "Effect", "zh": "效应"},
        "lhs": {"en": "", "zh": ""},
        "op": {"en": "", "zh": ""},
        "rhs": {"en": "", "zh": ""},
        "label": {"en": "Label", "zh": "标签"},
        "n": {"en": italic("n"), "zh": italic("n")},
        "n_items": {"en": "Items", "zh": "题项数"},
        "percent": {"en": "%", "zh": "%"},
        "pct": {"en": "%", "zh": "%"},
        "mean": {"en": italic("M"), "zh": italic("M")},
        "m": {"en": italic("M"), "zh": italic("M")},
        "sd": {"en": italic("SD"), "zh": italic("SD")},
        "skew": {"en": "Skewness", "zh": "偏度"},
        "skewness": {"en": "Skewness", "zh": "偏度"},
        "kurtosis": {"en": "Kurtosis", "zh": "峰度"},
        "alpha": {"en": "\u03b1", "zh": "\u03b1"},
        "omega": {"en": "\u03c9", "zh": "\u03c9"},
        "omega_total": {"en": "\u03c9", "zh": "\u03c9"},
        "cr": {"en": "CR", "zh": "CR"},
        "ave": {"en": "AVE", "zh": "AVE"},
        "sqrt_ave": {"en": "\u221aAVE", "zh": "\u221aAVE"},
        "r": {"en": italic("r"), "zh": italic("r")},
        "r_drop": {"en": ["Item\u2013total ", italic("r")], "zh": "CITC"},
        "loading": {"en": "Loading", "zh": "载荷"},
        "h2": {"en": italic("h\u00b2"), "zh": italic("h\u00b2")},
        "r2": {"en": italic("R\u00b2"), "zh": italic("R\u00b2")},
        "est": {"en": italic("B"), "zh": italic("B")},
        "b": {"en": italic("B"), "zh": italic("B")},
        "se": {"en": italic("SE"), "zh": italic("SE")},
        "std_all": {"en": "\u03b2", "zh": "\u03b2"},
        "beta": {"en": "\u03b2", "zh": "\u03b2"},
        "z": {"en": italic("z"), "zh": italic("z")},
        "t": {"en": italic("t"), "zh": italic("t")},
        "p": {"en": italic("p"), "zh": italic("p")},
        "pvalue": {"en": italic("p"), "zh": italic("p")},
        "p_value": {"en": italic("p"), "zh": italic("p")},
        "ci_lower": {"en": italic("LL"), "zh": "下限"},
        "ci_upper": {"en": italic("UL"), "zh": "上限"},
        "ci": {"en": "95% CI", "zh": "95% CI"},
        "chisq": {"en": italic("\u03c7\u00b2"), "zh": italic("\u03c7\u00b2")},
        "chi2": {"en": italic("\u03c7\u00b2"), "zh": italic("\u03c7\u00b2")},
        "df": {"en": italic("df"), "zh": italic("df")},
        "cfi": {"en": "CFI", "zh": "CFI"},
        "tli": {"en": "TLI", "zh": "TLI"},
        "rmsea": {"en": "RMSEA", "zh": "RMSEA"},
        "srmr": {"en": "SRMR", "zh": "SRMR"},
        "aic": {"en": "AIC", "zh": "AIC"},
        "bic": {"en": "BIC", "zh": "BIC"},
        "htmt": {"en": "HTMT", "zh": "HTMT"},
        "predictor": {"en": "Predictor", "zh": "预测变量"},
        "outcome": {"en": "Outcome", "zh": "结果变量"},
        "no": {"en": "", "zh": ""},
        "chisq_df": {
            "en": [italic("\u03c7\u00b2"), "/", italic("df")],
            "zh": [italic("\u03c7\u00b2"), "/", italic("df")],
        },
        "rmsea_ci": {"en": "90% CI", "zh": "90% CI"},
        "delta_chisq": {"en": ["\u0394", italic("\u03c7\u00b2")], "zh": ["\u0394", italic("\u03c7\u00b2")]},
        "delta_df": {"en": ["\u0394", italic("df")], "zh": ["\u0394", italic("df")]},
        "p_diff": {"en": italic("p"), "zh": italic("p")},
        "delta_cfi": {"en": "\u0394CFI", "zh": "\u0394CFI"},
        "delta_tli": {"en": "\u0394TLI", "zh": "\u0394TLI"},
        "delta_rmsea": {"en": "\u0394RMSEA", "zh": "\u0394RMSEA"},
        "delta_srmr": {"en": "\u0394SRMR", "zh": "\u0394SRMR"},
    }
)

_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "table": {"en": "Table {n}", "zh": "表{n}"},
        "note": {"en": "Note.", "zh": "注："},
        "caption_sep": {"en": " ", "zh": "\u3000"},
        "prob_sep": {"en": ". ", "zh": "，"},
        "prob_end": {"en": ".", "zh": "。"},
    }
)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"zh"``, else raise ``ValueError``.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return lang


def localize(value: Any, lang: str) -> Any:
    """Pick ``value[lang]`` from a ``{"en": ..., "zh": ...}`` mapping (falling back to English, then to any
    language); any other value is returned unchanged.

    Examples
    --------
    >>> localize({"en": "Reliability", "zh": "信度"}, "zh"), localize("Reliability", "zh")
    ('信度', 'Reliability')
    """
    if isinstance(value, Mapping):
        if lang in value:
            return value[lang]
        if "en" in value:
            return value["en"]
        return next(iter(value.values()), "")
    return value


def caption_label(number: int | None, lang: str) -> str:
    """``"Table 1"`` or ``"表1"``; ``""`` when the table has no number.

    Examples
    --------
    >>> caption_label(2, "en"), caption_label(2, "zh"), caption_label(None, "en")
    ('Table 2', '表2', '')
    """
    if number is None:
        return ""
    return _WORDS["table"][check_lang(lang)].format(n=number)


def caption_separator(lang: str) -> str:
    """Space between table number and title on one line (a full-width space in Chinese, CY/T 170)."""
    return _WORDS["caption_sep"][check_lang(lang)]


def note_label(lang: str) -> str:
    """``"Note."`` or ``"注："``.

    Examples
    --------
    >>> note_label("zh")
    '注：'
    """
    return _WORDS["note"][check_lang(lang)]


def default_header(key: str, lang: str) -> RichText | None:
    """The default head of a known column (e.g. ``"pvalue"`` -> italic *p*), or ``None``.

    Examples
    --------
    >>> default_header("pvalue", "en")
    (Run(text='p', italic=True),)
    >>> default_header("construct", "zh")[0].text
    '构念'
    """
    entry = _HEADERS.get(str(key).lower())
    if entry is None:
        return None
    return as_runs(localize(entry, check_lang(lang)))


def probability_note(levels: tuple[float, ...], lang: str, leading_zero: bool = False,
                     symbol: str = "*", used: tuple[int, ...] | None = None) -> RichText:
    """The probability note of a star scheme: ``*p < .05. **p < .01. ***p < .001.``

    Parameters
    ----------
    levels : tuple of float
        The star scheme's thresholds (one star for the largest).
    lang : {"en", "zh"}
    leading_zero : bool, default False
        ``True`` writes ``0.05``.
    symbol : str, default "*"
    used : tuple of int, optional
        Star counts that occur in the table (e.g. ``(1, 3)``); only those are explained. Default: all.

    Examples
    --------
    >>> from resilience_stats.tables.richtext import plain_text
    >>> plain_text(probability_note((0.05, 0.01, 0.001), "en"))
    '*p < .05. **p < .01. ***p < .001.'
    >>> plain_text(probability_note((0.05, 0.01, 0.001), "zh", used=(3,)))
    '***p < .001。'
    """
    check_lang(lang)
    runs: list[Run] = []
    for i, level in enumerate(sorted(levels, reverse=True), start=1):
        if used is not None and i not in used:
            continue
        if runs:
            runs.append(Run(_WORDS["prob_sep"][lang]))
        decimals = max(2, len(f"{level:.10f}".rstrip("0").split(".")[1]))
        runs.append(Run(symbol * i))
        runs.append(italic("p"))
        runs.append(Run(" < " + format_number(level, decimals, leading_zero)))
    if runs:
        runs.append(Run(_WORDS["prob_end"][lang]))
    return tuple(runs)
