"""Plain-text summaries of the regression results (the PROCESS layout after the macro's output) and a text table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_text", "summary_text"]

_RULE = "*" * 78


def _num(v: Any, d: int = 4) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "."
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.{d}f}"


def frame_text(df: pd.DataFrame, columns: list[str], d: int = 4) -> list[str]:
    """Rows of ``df[columns]`` as right-aligned text lines (first column left-aligned)."""
    cells = [[str(c) for c in columns]]
    for rec in df[columns].itertuples(index=False):
        cells.append([str(v) if isinstance(v, str) else _num(v, d) for v in rec])
    widths = [max(len(r[j]) for r in cells) for j in range(len(columns))]
    lines = []
    for r in cells:
        parts = [r[0].ljust(widths[0])] + [r[j].rjust(widths[j]) for j in range(1, len(columns))]
        lines.append("  " + "  ".join(parts))
    return lines


def _header(res: Any) -> list[str]:
    lines = [_RULE, f"PROCESS model {res.model} (resilience_stats; Hayes, 2022)", "",
             f"  Y: {res.y}", f"  X: {res.x}"]
    for i, mi in enumerate(res.m, start=1):
        lines.append(f"  M{i}: {mi}" if len(res.m) > 1 else f"  M: {mi}")
    if res.w:
        lines.append(f"  W: {res.w}")
    if res.z:
        lines.append(f"  Z: {res.z}")
    if res.covariates:
        lines.append(f"  Covariates: {', '.join(res.covariates)}")
    lines += ["", f"  Sample size: {res.n}" + (f" ({res.n_dropped} incomplete cases left out)" if res.n_dropped
                                                 else "")]
    if res.centered:
        lines.append(f"  Mean-centred: {', '.join(res.centered)}")
    if res.hc:
        lines.append(f"  Standard errors: {res.hc} (heteroskedasticity-consistent)")
    if res.boot:
        lines.append(f"  Bootstrap: {res.boot} resamples, seed {res.seed}, percentile intervals"
                     + (f" ({res.n_boot_failed} failed)" if res.n_boot_failed else ""))
    return lines


def _equations(res: Any) -> list[str]:
    lines: list[str] = []
    level = round(res.level * 100)
    for _, m in res.models.iterrows():
        lines += ["", _RULE, f"OUTCOME VARIABLE: {m['equation']}", "", "Model summary"]
        lines += frame_text(pd.DataFrame([m]), ["r", "r2", "mse", "f", "df1", "df2", "p"])
        lines += ["", f"Model ({level}% CI)"]
        rows = res.paths[res.paths["equation"] == m["equation"]]
        lines += frame_text(rows, ["term", "coef", "se", "t", "p", "ci_lower", "ci_upper", "std_coef"])
    return lines


def _effects(res: Any) -> list[str]:
    lines: list[str] = []
    if not res.simple_slopes.empty:
        lines += ["", _RULE, "Conditional effects (simple slopes) at values of the moderator(s)"]
        cols = ["path"] + [c for c, v in (("w", res.w), ("z", res.z)) if v] + \
               ["effect", "se", "t", "p", "ci_lower", "ci_upper"]
        lines += frame_text(res.simple_slopes, cols)
    if not res.johnson_neyman.empty:
        lines += ["", "Johnson-Neyman boundaries of significance"]
        lines += frame_text(res.johnson_neyman, ["path", "moderator", "boundary", "pct_below", "pct_above",
                                                 "within_range"])
    elif not res.johnson_neyman_table.empty:
        lines += ["", "Johnson-Neyman: no boundary of significance (the effect is significant everywhere or "
                      "nowhere)"]
    if res.spec.is_mediation:
        lines += ["", _RULE, "DIRECT AND INDIRECT EFFECTS OF X ON Y"]
        if not res.total.empty:
            lines += ["", "Total effect of X on Y"]
            lines += frame_text(res.total, ["path", "effect", "se", "t", "p", "ci_lower", "ci_upper"])
        lines += ["", "Direct effect of X on Y" + (" (conditional on W)" if res.direct["w"].notna().any() else "")]
        lines += frame_text(res.direct, ["path"] + (["w"] if res.direct["w"].notna().any() else [])
                            + ["effect", "se", "t", "p", "ci_lower", "ci_upper"])
        if not res.indirect.empty:
            lines += ["", "Indirect effect(s) of X on Y"]
            lines += frame_text(res.indirect, ["path", "effect", "boot_se", "ci_lower", "ci_upper"])
        if not res.conditional_indirect.empty:
            lines += ["", "Conditional indirect effect(s) of X on Y at values of W"]
            lines += frame_text(res.conditional_indirect, ["path", "w", "effect", "boot_se", "ci_lower", "ci_upper"])
        if not res.index_moderated_mediation.empty:
            lines += ["", "Index of moderated mediation"]
            lines += frame_text(res.index_moderated_mediation, ["path", "index", "boot_se", "ci_lower", "ci_upper"])
    return lines


def summary_text(res: Any) -> str:
    """The whole summary of a :class:`~resilience_stats.regression.process.ProcessResult`."""
    lines = _header(res) + _equations(res) + _effects(res)
    level = round(res.level * 100)
    lines += ["", _RULE, f"Level of confidence for all intervals: {level}%"]
    if res.w_values is not None:
        how = "both values" if len(np.unique(res.w_values)) == 2 and len(res.w_values) == 2 else res.conditional_at
        lines.append(f"W values ({how}): {', '.join(_num(v) for v in res.w_values)}")
    if res.z_values is not None:
        lines.append(f"Z values: {', '.join(_num(v) for v in res.z_values)}")
    lines += [f"Note: {w}" for w in res.warnings]
    return "\n".join(lines)
