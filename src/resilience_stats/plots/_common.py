"""Helpers shared by the plot modules (labels in two languages, input coercion, significance stars)."""

from __future__ import annotations

import textwrap
import unicodedata
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import DataError
from ..survey.scores import _select, scores_frame  # noqa: F401  (re-exported for the plots)
from ..tables.i18n import INVARIANCE_LEVELS

# ------------------------------------------------------------------------------------------------ words
_TEXT = {
    "percent_responses": {"en": "Responses (%)", "zh": "回答比例（%）"},
    "count": {"en": "Count", "zh": "人数"},
    "density": {"en": "Density", "zh": "密度"},
    "response": {"en": "Response", "zh": "回答"},
    "score": {"en": "Score", "zh": "得分"},
    "mean_score": {"en": "Mean score", "zh": "平均得分"},
    "construct": {"en": "Construct", "zh": "构念"},
    "factor_number": {"en": "Factor number", "zh": "因子序号"},
    "component_number": {"en": "Component number", "zh": "成分序号"},
    "eigenvalue": {"en": "Eigenvalue", "zh": "特征值"},
    "observed": {"en": "Observed data", "zh": "实际数据"},
    "simulated": {"en": "Random data ({q:g}th percentile)", "zh": "随机数据（第{q:g}百分位）"},
    "simulated_mean": {"en": "Random data (mean)", "zh": "随机数据（均值）"},
    "suggested": {"en": "{k} factor(s) suggested", "zh": "建议保留 {k} 个因子"},
    "suggested_pca": {"en": "{k} component(s) suggested", "zh": "建议保留 {k} 个成分"},
    "loading": {"en": "Loading", "zh": "载荷"},
    "item": {"en": "Item", "zh": "题项"},
    "factor": {"en": "Factor", "zh": "因子"},
    "estimate_ci": {"en": "Estimate ({ci})", "zh": "估计值（{ci}）"},
    "effect": {"en": "Effect", "zh": "效应"},
    "step": {"en": "Invariance step", "zh": "等同性检验步骤"},
    "latent_mean": {"en": "Latent mean difference ({ci})", "zh": "潜均值差异（{ci}）"},
    "group": {"en": "Group", "zh": "组别"},
    "wave": {"en": "Wave", "zh": "调查轮次"},
    "community": {"en": "Community", "zh": "社区"},
    "all_communities": {"en": "All communities", "zh": "全部社区"},
    "grand_mean": {"en": "Grand mean", "zh": "总均值"},
    "sample_size": {"en": "Sample size (n)", "zh": "样本量（n）"},
    "power": {"en": "Power", "zh": "统计检验力"},
    "coverage": {"en": "CI coverage", "zh": "置信区间覆盖率"},
    "bias": {"en": "Relative bias", "zh": "相对偏差"},
    "converged_share": {"en": "Converged share", "zh": "收敛比例"},
    "target": {"en": "Target {v:.2f}", "zh": "目标 {v:.2f}"},
    "disagree": {"en": "Disagree", "zh": "不同意"},
    "agree": {"en": "Agree", "zh": "同意"},
    "reverse_mark": {"en": " (R)", "zh": "（反向）"},
    "ns_note": {"en": "Dashed: p ≥ {a:g}", "zh": "虚线：p ≥ {a:g}"},
    "stars_note": {"en": "* p < .05, ** p < .01, *** p < .001", "zh": "* p < .05，** p < .01，*** p < .001"},
    "correlation": {"en": "r", "zh": "r"},
    "ci": {"en": "{p:g}% CI", "zh": "{p:g}% 置信区间"},
    "wave_n": {"en": "Wave {w}", "zh": "第{w}轮"},
    "delta": {"en": "Δ", "zh": "Δ"},
}

INDEX_NAMES = {
    "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR", "chisq": "χ²", "aic": "AIC", "bic": "BIC",
    "delta_cfi": "ΔCFI", "delta_rmsea": "ΔRMSEA", "delta_chisq": "Δχ²",
}

LEVEL_NAMES = INVARIANCE_LEVELS  # the one set of invariance terms (tables and figures alike)


def tr(key: str, lang: str, **fmt: Any) -> str:
    """The label ``key`` in ``lang`` (formatted with ``fmt``)."""
    text = _TEXT[key][lang]
    return text.format(**fmt) if fmt else text


def level_name(level: str, lang: str) -> str:
    names = LEVEL_NAMES.get(str(level).lower())
    return names[lang] if names else str(level)


# ------------------------------------------------------------------------------------------------ text
def display_width(text: str) -> int:
    """Width in 'Latin character' units (CJK characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap(text: str, width: int | None) -> str:
    """Wrap ``text`` to ``width`` Latin characters per line (CJK characters count double; Chinese text without
    spaces is broken between characters). ``None`` or 0 leaves it on one line."""
    if not width or display_width(text) <= width:
        return text
    if display_width(text) > len(text) * 1.3:  # mostly CJK: break by display width, character by character
        lines, line, w = [], "", 0
        for ch in text:
            cw = display_width(ch)
            if w + cw > width and line:
                lines.append(line)
                line, w = "", 0
            line += ch
            w += cw
        lines.append(line)
        return "\n".join(lines)
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True))


def stars(p: float) -> str:
    """Significance stars: *** p < .001, ** p < .01, * p < .05 (empty for NaN or larger p)."""
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def fmt_num(x: float, digits: int = 2, lead_zero: bool = True) -> str:
    """A number with ``digits`` decimals; a true minus sign; optionally no leading zero (APA: ``.51``)."""
    if x is None or not np.isfinite(x):
        return "—"
    if round(x, digits) == 0:
        x = 0.0  # no "-0.00"
    s = f"{x:.{digits}f}"
    if not lead_zero:
        s = s.replace("0.", ".", 1) if s.startswith(("0.", "-0.")) else s
    return s.replace("-", "−")


# ------------------------------------------------------------------------------------------------ inputs
def estimates_frame(result: Any, group: Any = None) -> pd.DataFrame:
    """The ``estimates`` DataFrame of a SEM/CFA/bootstrap result (or a DataFrame with those columns);
    with several groups, the rows of ``group`` (default: the first)."""
    est = result if isinstance(result, pd.DataFrame) else getattr(result, "estimates", None)
    if not isinstance(est, pd.DataFrame):
        raise DataError(
            f"expected a fitted SEM/CFA result (with .estimates) or its estimates DataFrame, got {type(result).__name__}"
        )
    need = {"lhs", "op", "rhs", "est"}
    missing = need - set(est.columns)
    if missing:
        raise DataError(f"the estimates table lacks column(s) {', '.join(sorted(missing))}")
    if "group" in est.columns and est["group"].nunique(dropna=True) > 1:
        g = est["group"].dropna().iloc[0] if group is None else group
        est = est[(est["group"] == g) | est["group"].isna()]
    return est.reset_index(drop=True)


def table_frame(obj: Any, required: Iterable[str], what: str) -> pd.DataFrame:
    """A DataFrame from ``obj`` (itself or its ``.table``), checked for ``required`` columns."""
    frame = obj if isinstance(obj, pd.DataFrame) else getattr(obj, "table", None)
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame or an object with a .table DataFrame, got {type(obj).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: the table lacks column(s) {', '.join(missing)}")
    if frame.empty:
        raise DataError(f"{what}: the table has no rows")
    return frame


def construct_label(instrument: Any, construct: str, lang: str) -> str:
    """A construct's name in ``lang`` from the instrument, else the id itself."""
    if instrument is None:
        return str(construct)
    try:
        return instrument.construct_name(construct, lang)
    except (KeyError, AttributeError):
        return str(construct)


select = _select  # one check of requested names, shared with the score summaries
