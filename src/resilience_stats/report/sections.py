"""Section builders: each turns part of an :class:`~resilience_stats.workflow.Analysis` into blocks.

A builder that raises is replaced by a section holding the error message (:func:`build_sections`), so one
failure never stops the report. Tables use the tables package (three-line for Chinese, APA for English);
figures use :mod:`resilience_stats.plots` and are embedded as PNG.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..tables import (
    ColumnFormat,
    PubTable,
    correlation_table,
    efa_table,
    fit_table,
    format_number,
    htmt_table,
    indirect_table,
    invariance_table,
    loadings_table,
    paths_table,
    reliability_table,
    sample_table,
)
from ..tables.adapters import (
    effect_labels,
    fit_row,
    indirect_frame,
    invariance_frame,
    loadings_frame,
    merge_reliability,
    sqrt_ave as sqrt_ave_of,
    validity_frame,
)
from .blocks import Code, Facts, Figure, Notice, Paragraph, References, Section, Table
from .methods import methods_paragraphs
from .text import HEADERS, OPTION_LABELS, STEP_LABELS, check_name, issue_text_zh, option_value, tr

__all__ = ["Context", "build_sections", "fit_row", "SECTION_IDS"]

FIGURE_DPI = 300  # print resolution

#: Section ids in report order (``hypotheses`` only with ``process=``, ``waves`` only with two or more waves,
#: ``groups`` only with ``group=``).
SECTION_IDS = ("overview", "sample", "items", "reliability", "efa", "cfa", "sem", "hypotheses", "waves", "groups",
               "community", "methods", "appendix", "provenance")


@dataclass
class Context:
    """What the builders share: the analysis, the language, and the table and figure counters."""

    analysis: Any
    lang: str = "en"
    call: str = ""
    generated: str | None = None
    tables: int = 0
    figures: int = 0

    @property
    def style(self) -> str:
        """Table style: three-line tables for Chinese, APA for English."""
        return "three-line" if self.lang == "zh" else "apa"

    @property
    def instrument(self) -> Any:
        """The analysed instrument."""
        return self.analysis.instrument

    def t(self, key: str, **fmt: Any) -> str:
        """The report text ``key`` in the report's language (see :func:`.text.tr`)."""
        return tr(key, self.lang, **fmt)

    def table(self, table: PubTable) -> Table:
        """Number the table and wrap it as a block."""
        self.tables += 1
        return Table(table.with_options(number=self.tables, lang=self.lang, style=self.style))

    def frame_table(self, df: pd.DataFrame, title_key: str, columns: list, **kwargs: Any) -> Table:
        """A plain results frame as a numbered table with the report's column heads."""
        headers = {c: HEADERS[c] for c in columns if c in HEADERS}
        headers.update(kwargs.pop("headers", {}))
        t = PubTable.from_frame(df, columns=columns, headers=headers, title=self.t(title_key),
                                instrument=self.instrument, lang=self.lang, style=self.style, **kwargs)
        return self.table(t)

    def figure(self, draw: Callable[[], Any], caption_key: str, width_in: float = 6.0,
               **caption: Any) -> Figure | Notice:
        """Draw a figure and embed it as PNG; a drawing error becomes a notice in its place."""
        import matplotlib.pyplot as plt

        try:
            fig = draw()
        except Exception as exc:  # noqa: BLE001 - a figure must not take its section down
            return Notice("warning", self.t("figure_failed", error=f"{type(exc).__name__}: {exc}"))
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
        finally:
            plt.close(fig)
        self.figures += 1
        return Figure(buf.getvalue(), self.t(caption_key, **caption), self.figures, width_in)

    def step_notes(self, name: str, quiet_warnings: bool = False) -> list[Notice]:
        """Notices for a step that failed (error), was skipped (info), or warned."""
        step = self.analysis.steps.get(name)
        if step is None or step.status == "unavailable":
            return []
        what = STEP_LABELS[name][self.lang]
        if step.status == "failed":
            return [Notice("error", self.t("step_failed", what=what, error=step.error))]
        if step.status == "skipped":
            return [Notice("info", self.t("step_skipped", what=what, error=step.error))]
        if quiet_warnings:
            return []
        return [Notice("warning", f"{what}: {w}") for w in step.warnings]

    def construct(self, cid: str) -> str:
        """A construct's name in the report's language (the id when it is no construct)."""
        try:
            return self.instrument.construct_name(cid, self.lang)
        except Exception:  # noqa: BLE001 - an id that is no construct is shown as it is
            return str(cid)


# -- helpers ------------------------------------------------------------------------------------------------------
def _p_text(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "= n/a"
    return "< .001" if p < 0.001 else "= " + f"{p:.3f}".lstrip("0")


def _localize_level(value: Any, ctx: Context) -> Any:
    entry = HEADERS.get(str(value))
    return entry[ctx.lang] if entry else value


def _num(value: Any, kind: str = "number", decimals: int = 2) -> str:
    """A number in the report's text formatted as its table column is (same decimals, same leading zero)."""
    return ColumnFormat(kind, decimals).format(value)


def _fit_sentence(ctx: Context, row: dict) -> Paragraph:
    # the same formats as the fit table (fit_table(decimals=3)): chi-square 2 decimals, TLI with a leading zero
    shown = {"df": _num(row["df"], "integer"), "chisq": _num(row["chisq"], "number", 2),
             "cfi": _num(row["cfi"], "bounded", 3), "tli": _num(row["tli"], "number", 3),
             "rmsea": _num(row["rmsea"], "bounded", 3), "srmr": _num(row["srmr"], "bounded", 3)}
    return Paragraph(ctx.t("fit_text", what=row["model"], **shown))


def _fit_note(ctx: Context, fit: Any) -> str:
    """N, estimator, missing-data rule and whether the chi-square is scaled: stated under every fit table."""
    from ..tables.adapters import test_description

    opts = ctx.analysis.options
    est = str(opts["estimator"])
    missing = opts.get("missing") if est in ("ML", "MLR") else None
    how = ctx.t("fit_note_missing", how=option_value(missing, ctx.lang)) if missing else ""
    n = getattr(fit, "n_obs", None)
    return ctx.t("fit_note", n=n if n is not None else len(ctx.analysis.wave.data), estimator=est, missing=how,
                 scaling=test_description(fit, ctx.lang))


def _fit_table(ctx: Context, rows: list[dict], fit: Any = None) -> Table:
    fits = pd.DataFrame(rows)
    robust = ctx.analysis.options["estimator"] == "MLR"
    t = fit_table(fits, decimals=3, lang=ctx.lang, style=ctx.style)
    notes = [_fit_note(ctx, fit)] if fit is not None else ([ctx.t("fit_note_robust")] if robust else [])
    if notes:
        t = PubTable.from_frame(t.rows, columns=list(t.columns), title=t.title, note=" ".join(notes),
                                lang=ctx.lang, style=ctx.style)
    return ctx.table(t)


def _table_of(obj: Any) -> pd.DataFrame | None:
    if obj is None:
        return None
    if isinstance(obj, pd.DataFrame):
        return obj
    table = getattr(obj, "table", None)
    return table if isinstance(table, pd.DataFrame) else None


def _validity_frames(ctx: Context) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(construct, cr, ave) and the HTMT matrix from ``rs.validity`` when it ran."""
    v = ctx.analysis.value("validity")
    if v is None:
        return None, None
    htmt = getattr(v, "htmt", None)
    return validity_frame(v), (htmt if isinstance(htmt, pd.DataFrame) else None)


# -- sections ------------------------------------------------------------------------------------------------------
def _sec_overview(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("overview", ctx.t("sec_overview"))
    sample = a.value("sample") or {}
    model = a.model_name or ctx.t("custom_model")
    opts = a.options
    removed = ", ".join(opts["exclude"]) or ctx.t("none")
    rows = [
        (ctx.t("instrument"), f"{a.instrument.title(ctx.lang)} ({a.instrument.id} {a.instrument.version})"),
        (ctx.t("model"), model),
        (ctx.t("waves"), ", ".join(str(x) for x in a.wave_labels) or "1"),
        (ctx.t("respondents_read"), str(sample.get("n_before", len(a.wave.data)))),
        (ctx.t("respondents"), str(len(a.wave.data))),
        (ctx.t("excluded_checks"), removed),
        (ctx.t("estimator"), opts["estimator"] + (f" / {option_value(opts['missing'], ctx.lang)}"
                                                  if opts["estimator"] in ("ML", "MLR") else "")),
        (ctx.t("bootstrap"), str(opts["bootstrap"])),
        (ctx.t("seed"), str(opts["seed"])),
    ]
    if ctx.generated:
        rows.append((ctx.t("generated", when="").rstrip("：: "), ctx.generated))
    s.add(Facts(tuple(rows)))
    problems = a.problems
    if problems:
        names = ", ".join(STEP_LABELS[p.name][ctx.lang] for p in problems)
        s.add(Notice("error", ctx.t("problems", names=names)))
    return s


def _sec_sample(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("sample", ctx.t("sec_sample"))
    s.add(*ctx.step_notes("sample"))
    sample = a.value("sample")
    if sample is None:
        return s
    removed = a.exclusions[a.exclusions["action"] == "removed"] if not a.exclusions.empty else a.exclusions
    n_removed = int(removed["rows_removed"].sum()) if len(removed) else 0
    excl = (ctx.t("excl_removed", n=n_removed, checks=", ".join(removed["check"])) if len(removed)
            else ctx.t("excl_none"))
    labels = ", ".join(str(x) for x in a.wave_labels) or "1"
    s.add(Paragraph(ctx.t("sample_text", n_read=sample["n_before"], n_inputs=len(a.inputs),
                          waves=ctx.t("wave_list", labels=labels), excl=excl, n=sample["n_total"])))
    comp = sample[f"composition_{ctx.lang}"]
    if not comp.empty:
        s.add(ctx.table(sample_table(comp, n_total=sample["n_total"], lang=ctx.lang, style=ctx.style)))
    issues = sample["issues"]
    if issues.empty:
        s.add(Paragraph(ctx.t("no_issues")))
    else:
        n_err = int((issues["severity"] == "error").sum())
        if n_err:
            s.add(Notice("warning", ctx.t("issues_errors", n=n_err)))
        issues = _collapse_recodes(issues, ctx)
        shown = issues[["severity", "check", "item", "count", "message"]].copy()
        if ctx.lang == "zh":
            shown["message"] = [issue_text_zh(r["check"], r["item"], r["count"], r["rows"], r["message"],
                                              rows_are=r.get("rows_are", "row"))
                                if not r.get("collapsed") else r["message"]
                                for r in issues.to_dict(orient="records")]
        shown["check"] = shown["check"].map(lambda v: check_name(v, ctx.lang))
        shown["severity"] = shown["severity"].map(lambda v: _localize_level(v, ctx))
        shown["item"] = shown["item"].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                          else str(v))
        s.add(ctx.frame_table(shown.reset_index(drop=True), "tbl_issues",
                              ["severity", "check", "item", "count", "message"]))
    if not a.exclusions.empty:
        ex = a.exclusions.copy()
        ex["action"] = ex["action"].map(lambda v: _localize_level(v, ctx))
        ex["check"] = ex["check"].map(lambda v: check_name(v, ctx.lang))
        s.add(ctx.frame_table(ex, "tbl_exclusions", ["check", "rows_flagged", "rows_removed", "action"]))
    miss = sample["missing"]
    if not miss.empty:
        s.add(Paragraph(ctx.t("missing_text", lo=_num(miss["pct_missing"].min()), hi=_num(miss["pct_missing"].max()),
                              mean=_num(miss["pct_missing"].mean()))))
        s.add(ctx.frame_table(miss, "tbl_missing", ["item", "construct", "n_missing", "pct_missing"],
                              formats={"pct_missing": "number"}))
    s.add(*ctx.step_notes("common_method", quiet_warnings=True))
    cmb = a.value("common_method")
    if cmb is not None:
        s.add(Paragraph(_cmb_text(ctx, cmb)))
    import resilience_stats as rs

    s.add(ctx.figure(lambda: rs.plots.likert_bars(a.wave, lang=ctx.lang, label="id"), "fig_likert"))
    return s


def _cmb_text(ctx: Context, cmb: Any) -> str:
    """The one-line verdict of the common-method-bias checks in the report's language."""
    def num(x: float) -> str:
        return format_number(round(x, 3) + 0.0, 3, leading_zero=False) if np.isfinite(x) else "n/a"

    def pct(x: float) -> str:
        return f"{100 * x:.1f}%" if np.isfinite(x) else "n/a"

    parts = []
    if cmb.harman is not None:
        side = "cmb_above" if cmb.flags.get("harman") else "cmb_below"
        parts.append(ctx.t("cmb_harman", pca=pct(cmb.harman.loc["pca", "share"]),
                           efa=pct(cmb.harman.loc["efa_minres", "share"]), side=ctx.t(side),
                           cut=pct(cmb.options["harman_cut"])))
    fits, comp = cmb.model_fit, cmb.comparisons

    def status(model: str) -> str:
        row = fits.loc[model]
        return ctx.t("cmb_nonconverged") if not row["converged"] else ctx.t("cmb_improper") if row["improper"] else ""

    if comp is not None and "single_factor_vs_measurement" in comp.index:
        c = comp.loc["single_factor_vs_measurement"]
        parts.append(ctx.t("cmb_single", df=f"{c['df_diff']:g}", chisq=f"{c['chisq_diff']:.2f}",
                           p=_p_text(c["pvalue"]), cfi1=num(fits.loc["single_factor", "cfi"]),
                           cfi0=num(fits.loc["measurement", "cfi"])) + status("single_factor"))
    if comp is not None and "measurement_vs_ulmc" in comp.index:
        c = comp.loc["measurement_vs_ulmc"]
        parts.append(ctx.t("cmb_ulmc", loadings=ctx.t(f"cmb_{cmb.options['method_loadings']}"),
                           dcfi=num(c["delta_cfi"]), drmsea=num(c["delta_rmsea"]),
                           share=pct(cmb.method_variance["method_share"].mean())) + status("ulmc"))
    return ctx.t("cmb_sep").join(parts) + ctx.t("cmb_end")


#: Checks whose findings list recodes, one per item: the report shows one row per check and wave.
RECODE_CHECKS = ("option_alias", "missing_text", "missing_code")


def _collapse_recodes(issues: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """One row per recode check (and input) instead of one per item, naming the items and their counts."""
    recodes = issues["check"].isin(RECODE_CHECKS)
    if not recodes.any():
        return issues
    keep = issues[~recodes].assign(collapsed=False)
    rows = []
    sep = "、" if ctx.lang == "zh" else ", "
    group_keys = ["check", "rows_are"] if "rows_are" in issues.columns else ["check"]
    for key, sub in issues[recodes].groupby(group_keys, sort=False):
        check = key[0] if isinstance(key, tuple) else key
        per_item = sub.groupby("item", sort=False)["count"].sum()  # several waves: one count per item
        listing = sep.join(f"{item} ({n})" if ctx.lang == "en" else f"{item}（{n}）" for item, n in per_item.items())
        count = int(sub["count"].sum())
        message = ctx.t(f"recode_{check}", count=count, listing=listing)
        rows.append({"severity": sub["severity"].iloc[0], "check": check,
                     "item": ctx.t("recodes_summary", n=len(per_item), listing="").rstrip("：: "),
                     "rows": [r for listed in sub["rows"] for r in listed], "count": count, "message": message,
                     "rows_are": sub["rows_are"].iloc[0] if "rows_are" in sub.columns else "row", "collapsed": True})
    return pd.concat([keep, pd.DataFrame(rows)], ignore_index=True)


def _sec_items(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("items", ctx.t("sec_items"))
    s.add(*ctx.step_notes("items"))
    items = a.value("items")
    if items is None:
        return s
    df = items.copy()
    flag_names = {"flag_weak": "flag_weak", "flag_floor": "flag_floor", "flag_ceiling": "flag_ceiling"}
    df["flags"] = [
        "; ".join(ctx.t(key) for col, key in flag_names.items() if col in df.columns and bool(row[col]))
        for _, row in df.iterrows()
    ]
    groups = []
    for col, key in flag_names.items():
        if col in df.columns:
            flagged = df.loc[df[col].fillna(False).astype(bool), "item"].astype(str).tolist()
            if flagged:
                groups.append(f"{ctx.t(key)} ({len(flagged)}): {', '.join(flagged)}")
    s.add(Paragraph(ctx.t("items_flags", flags="; ".join(groups)) if groups else ctx.t("items_no_flags")))
    if groups and not any(g.startswith(ctx.t("flag_weak")) for g in groups):
        s.add(Paragraph(ctx.t("items_no_flags")))
    from ..psychometrics.items import CEILING_RULE

    s.add(Paragraph(ctx.t("items_rule", ceiling=CEILING_RULE[ctx.lang].format(cut=15))))
    cols = [c for c in ["item", "construct", "mean", "sd", "skew", "kurtosis", "r_drop", "alpha_if_deleted", "flags"]
            if c in df.columns]
    s.add(ctx.frame_table(df, "tbl_items", cols, formats={"alpha_if_deleted": "bounded"}))
    return s


def _sec_reliability(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("reliability", ctx.t("sec_reliability"))
    s.add(*ctx.step_notes("reliability"), *ctx.step_notes("validity"), *ctx.step_notes("correlations"))
    rel = a.value("reliability")
    validity, htmt = _validity_frames(ctx)
    if rel is not None:
        s.add(Paragraph(ctx.t("reliability_text", lo=_num(rel["alpha"].min(), "bounded"),
                              hi=_num(rel["alpha"].max(), "bounded"))))
        df = merge_reliability(rel[["construct", "n_items", "alpha", "omega_total"]], validity)
        s.add(ctx.table(reliability_table(df, instrument=a.instrument, lang=ctx.lang, style=ctx.style)))
    corr = a.value("correlations")
    if corr is not None:
        sqrt_ave = sqrt_ave_of(validity) if validity is not None else None
        s.add(ctx.table(correlation_table(corr["descriptives"], corr["corr"], pvalues=corr["pvalues"],
                                          sqrt_ave=sqrt_ave, instrument=a.instrument, lang=ctx.lang,
                                          style=ctx.style)))
    if htmt is not None:
        s.add(ctx.table(htmt_table(htmt, instrument=a.instrument, lang=ctx.lang, style=ctx.style)))
    import resilience_stats as rs

    s.add(ctx.figure(lambda: rs.plots.score_distributions(a.wave, lang=ctx.lang), "fig_scores"))
    return s


def _sec_efa(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("efa", ctx.t("sec_efa"))
    s.add(*ctx.step_notes("factorability"), *ctx.step_notes("parallel"), *ctx.step_notes("efa"))
    fa = a.value("factorability")
    if fa is not None:
        s.add(Paragraph(ctx.t("efa_factorability", kmo=fa.kmo, df=fa.bartlett_df, chisq=fa.bartlett_chisq,
                              p=_p_text(fa.bartlett_p), det=fa.determinant)))
    pa = a.value("parallel")
    if pa is not None:
        s.add(Paragraph(ctx.t("efa_parallel", n_iter=pa.n_iter, k=pa.n_factors)))
    efa = a.value("efa")
    if efa is not None:
        k = efa.loadings.shape[1]
        s.add(Paragraph(ctx.t("efa_solution", k=k, method=efa.method, rotation=efa.rotation, tli=efa.tli,
                              rmsea=efa.rmsea)))
        s.add(ctx.table(efa_table(efa.loadings, communalities=efa.communalities, lang=ctx.lang,
                                  style=ctx.style)))
    if pa is not None:
        import resilience_stats as rs

        s.add(ctx.figure(lambda: rs.plots.scree(pa, lang=ctx.lang), "fig_scree", width_in=4.5))
    return s


def _sec_cfa(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("cfa", ctx.t("sec_cfa"))
    s.add(*ctx.step_notes("cfa"))
    fit = a.value("cfa")
    if fit is None:
        return s
    row = fit_row(fit, ctx.t("measurement_model"))
    s.add(_fit_sentence(ctx, row), _fit_table(ctx, [row], fit))
    rel = a.value("reliability")
    validity, _ = _validity_frames(ctx)
    rel_df = None
    if rel is not None:
        rel_df = merge_reliability(rel[["construct", "alpha", "omega_total"]], validity, how="outer")
    s.add(ctx.table(loadings_table(loadings_frame(fit), rel_df,
                                   instrument=a.instrument, lang=ctx.lang, style=ctx.style)))
    s.add(Code(a.instrument.measurement_model()))
    return s


def _sec_sem(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("sem", ctx.t("sec_sem"))
    s.add(*ctx.step_notes("sem"))
    fit = a.value("sem")
    if fit is None:
        s.add(Paragraph(ctx.t("model_syntax")), Code(a.model))
        return s
    rows = []
    if a.value("cfa") is not None:
        rows.append(fit_row(a.value("cfa"), ctx.t("measurement_model")))
    rows.append(fit_row(fit, ctx.t("structural_model") + (f" ({a.model_name})" if a.model_name else "")))
    s.add(_fit_sentence(ctx, rows[-1]), _fit_table(ctx, rows, fit))
    boot = a.value("bootstrap")
    s.add(*ctx.step_notes("bootstrap"))
    estimates = boot.estimates if boot is not None else fit.estimates
    r2 = fit.r2 if isinstance(fit.r2, pd.Series) else None
    s.add(ctx.table(paths_table(estimates, r2=r2, ci_level=a.options["ci_level"], instrument=a.instrument,
                                lang=ctx.lang, style=ctx.style)))
    defined = estimates[estimates["op"] == ":="]
    if not defined.empty:
        level = round(a.options["ci_level"] * 100)
        if boot is not None:
            s.add(Paragraph(ctx.t("boot_text", n=boot.n, n_ok=boot.n_ok, seed=boot.seed, level=level)))
        else:
            s.add(Paragraph(ctx.t("delta_text")))
        effect_names = effect_labels(estimates, ctx.construct, ctx.lang)
        s.add(ctx.table(indirect_table(indirect_frame(estimates, effect_names), ci_level=a.options["ci_level"],
                                       ci_method="percentile" if boot is not None else "delta",
                                       n_boot=boot.n if boot is not None else None, lang=ctx.lang,
                                       style=ctx.style)))
    import resilience_stats as rs

    s.add(ctx.figure(lambda: rs.plots.path_diagram(fit, lang=ctx.lang, instrument=a.instrument), "fig_path",
                     width_in=9.0))
    if not defined.empty:
        source = boot if boot is not None else fit
        s.add(ctx.figure(lambda: rs.plots.indirect_effects(source, lang=ctx.lang, labels=effect_names),
                         "fig_indirect", width_in=6.0))
    s.add(Paragraph(ctx.t("model_syntax")), Code(a.model))
    return s


def _sec_hypotheses(ctx: Context) -> Section | None:
    """The PROCESS model named by ``rs.report(..., process=...)``: regressions, effects, simple slopes, figure."""
    from ..tables.regression import process_table

    a = ctx.analysis
    if "process" not in a.steps:
        return None
    s = Section("hypotheses", ctx.t("sec_hypotheses"))
    s.add(*ctx.step_notes("process"))
    res = a.value("process")
    if res is None:
        return s
    sep = "，" if ctx.lang == "zh" else ", "
    roles = "".join(f"{sep}{k.upper()} = {', '.join(v) if isinstance(v, tuple) else v}"
                    for k, v in (("m", res.m), ("w", res.w), ("z", res.z), ("c", res.covariates)) if v)
    boot = (ctx.t("process_boot", level=round(res.level * 100), b=res.boot, seed=res.seed)
            if res.boot and res.spec.is_mediation else "")
    s.add(Paragraph(ctx.t("process_text", model=res.model, n=res.n, x=res.x, y=res.y, roles=roles, boot=boot)))
    kinds = ["paths"] + (["effects"] if res.spec.is_mediation else []) + (["slopes"] if len(res.simple_slopes) else [])
    for kind in kinds:
        s.add(ctx.table(process_table(res, kind, lang=ctx.lang, style=ctx.style, instrument=a.instrument)))
    if res.probed_paths():
        s.add(ctx.figure(lambda: res.plot(lang=ctx.lang), "fig_process", width_in=7.0))
    return s


def _invariance_blocks(ctx: Context, inv_step: str, means_step: str, title_key: str) -> list:
    a = ctx.analysis
    import resilience_stats as rs

    blocks: list = [*ctx.step_notes(inv_step)]
    inv = a.value(inv_step)
    table = _table_of(inv)
    if table is not None:
        steps = invariance_frame(table, ctx.lang, level_names=HEADERS)
        blocks.append(ctx.table(invariance_table(steps, decimals=3, title=ctx.t(title_key), lang=ctx.lang,
                                                 style=ctx.style)))
        blocks.append(ctx.figure(lambda: rs.plots.invariance_fit(table, lang=ctx.lang), "fig_invariance"))
    blocks.extend(ctx.step_notes(means_step))
    means = _table_of(a.value(means_step))
    if means is not None:
        holds = getattr(inv, "holds", {}) or {}
        if holds.get("scalar") is False:
            blocks.append(Notice("warning", ctx.t("scalar_not_held")))
        cols = [c for c in ("group", "factor", "est", "se", "pvalue", "ci_lower", "ci_upper", "effect_size")
                if c in means.columns]
        blocks.append(ctx.frame_table(means.reset_index(drop=True), "tbl_latent_means", cols,
                                      construct_columns=("factor",)))
        blocks.append(ctx.figure(lambda: rs.plots.latent_means(means, lang=ctx.lang, instrument=a.instrument),
                                 "fig_latent_means", width_in=4.5))
    return blocks


def _sec_waves(ctx: Context) -> Section | None:
    a = ctx.analysis
    if not a.multi_wave:
        return None
    s = Section("waves", ctx.t("sec_waves"))
    s.add(*_invariance_blocks(ctx, "invariance_waves", "latent_means_waves", "tbl_invariance_waves"))
    s.add(*ctx.step_notes("trends"))
    trends = a.value("trends")
    if trends is not None:
        s.add(ctx.frame_table(trends, "tbl_wave_means",
                              ["construct", "wave", "n", "mean", "sd", "ci_lower", "ci_upper", "f_stat", "pvalue"],
                              row_groups=None))
        import resilience_stats as rs

        # the figure draws the table's own means and intervals (same confidence level)
        s.add(ctx.figure(lambda: rs.plots.wave_trends(trends, lang=ctx.lang, instrument=a.instrument,
                                                         level=a.options.get("ci_level", 0.95)), "fig_trends",
                         width_in=4.5))
    return s


def _sec_groups(ctx: Context) -> Section | None:
    a = ctx.analysis
    group = a.options.get("group")
    if not group:
        return None
    s = Section("groups", ctx.t("sec_groups", group=group))
    s.add(*_invariance_blocks(ctx, "invariance_group", "latent_means_group", "tbl_invariance_group"))
    return s


def _sec_community(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("community", ctx.t("sec_community"))
    s.add(*ctx.step_notes("icc"), *ctx.step_notes("community_means"))
    icc = a.value("icc")
    if icc is not None:
        s.add(Paragraph(ctx.t("icc_text", lo=_num(icc["icc1"].min(), "bounded", 3),
                              hi=_num(icc["icc1"].max(), "bounded", 3), j=int(icc["n_clusters"].max()),
                              size=_num(float(icc["mean_cluster_size"].mean())))))
        negative = icc.loc[icc["icc2"] < 0, "construct"].tolist() if "icc2" in icc.columns else []
        if negative:
            s.add(Paragraph(ctx.t("icc2_negative", names=("、" if ctx.lang == "zh" else ", ").join(
                ctx.construct(c) for c in negative))))
        cols = ["construct", "n_clusters", "mean_cluster_size", "icc1", "icc2", "rwg_j_median", "design_effect",
                "f_stat", "p_value"]
        s.add(ctx.frame_table(icc, "tbl_icc", [c for c in cols if c in icc.columns],
                              formats={"icc1": ColumnFormat("bounded", 3), "icc2": ColumnFormat("bounded", 3),
                                       "rwg_j_median": "bounded",
                                       "mean_cluster_size": "number", "design_effect": "number",
                                       "f_stat": "number", "p_value": "p"}))
    means = a.value("community_means")
    if means is not None:
        construct_cols = [c for c in means.columns if c not in ("community", "n")]
        t = PubTable.from_frame(means, columns=["community", "n", *construct_cols],
                                formats={c: "number" for c in construct_cols},
                                headers={"community": HEADERS["community"],
                                         **{c: ctx.construct(c) for c in construct_cols}},
                                title=ctx.t("tbl_community"), lang=ctx.lang, style=ctx.style)
        s.add(ctx.table(t))
        import resilience_stats as rs

        level = a.options.get("ci_level", 0.95)
        s.add(ctx.figure(lambda: rs.plots.community_caterpillar(a.wave, lang=ctx.lang, level=level),
                         "fig_community", width_in=9.0, p=f"{100 * level:g}"))
    s.add(*_community_model_blocks(ctx))
    s.add(*_composite_index_blocks(ctx))
    return s


def _community_model_blocks(ctx: Context) -> list:
    """The two-level model of the construct scores (or, with few communities, the cluster-robust paths)."""
    a = ctx.analysis
    blocks: list = [*ctx.step_notes("community_model")]
    cm = a.value("community_model")
    if cm is None:
        return blocks
    level = a.options.get("ci_level", 0.95)
    est = cm.fit.estimates
    if cm.kind == "two-level":
        row = fit_row(cm.fit, "")
        fit = ", ".join(f"{k} = {_num(row[c], 'bounded' if c != 'chisq' else 'number')}"
                        for k, c in (("CFI", "cfi"), ("RMSEA", "rmsea"), ("SRMR", "srmr")) if c in row)
        blocks.append(Paragraph(ctx.t("community_twolevel", j=cm.n_clusters, n=cm.n_obs, fit=fit)))
        between = est[(est["level"] == 2) | (est["op"] == ":=")].copy()
        for col in ("lhs", "rhs"):  # the between-level latent of a second-order construct is that construct
            between[col] = [v[:-2] if isinstance(v, str) and v.endswith("_b") else v for v in between[col]]
        r2 = {(v[:-2] if v.endswith("_b") else v): x for (lev, v), x in cm.fit.r2.items() if lev == 2}
        blocks.append(ctx.table(paths_table(between, r2=r2, ci_level=level, instrument=a.instrument,
                                            title=ctx.t("tbl_community_model"), lang=ctx.lang, style=ctx.style)))
        defined = between[between["op"] == ":="]
        if not defined.empty:
            names = effect_labels(between, ctx.construct, ctx.lang)
            blocks.append(ctx.table(indirect_table(indirect_frame(between, names), ci_level=level,
                                                   ci_method="delta", title=ctx.t("tbl_community_effects"),
                                                   lang=ctx.lang, style=ctx.style)))
    else:
        if cm.failure:
            icc = a.value("icc")
            top = _num(float(icc["icc1"].max()), "bounded", 3) if icc is not None and len(icc) else "—"
            blocks.append(Paragraph(ctx.t("community_failed", j=cm.n_clusters, icc=top)))
        else:
            blocks.append(Paragraph(ctx.t("community_fallback", j=cm.n_clusters, min=cm.min_clusters)))
        blocks.append(ctx.table(paths_table(est, ci_level=level, instrument=a.instrument,
                                            title=ctx.t("tbl_community_robust"), lang=ctx.lang, style=ctx.style)))
    return blocks


def _composite_index_blocks(ctx: Context) -> list:
    """Weights, ranked scores and figures of the composite index (when the data have communities)."""
    import resilience_stats as rs

    a = ctx.analysis
    blocks: list = [*ctx.step_notes("composite_index")]
    res = a.value("composite_index")
    if res is None:
        return blocks
    waves = res.options["wave"] is not None and res.scores[res.options["wave"]].nunique() > 1
    names = ("、" if ctx.lang == "zh" else ", ").join(ctx.construct(i) for i in res.indicators)
    blocks.append(Paragraph(ctx.t("index_text", k=len(res.indicators), names=names,
                                  n=res.scores[res.options["id"]].nunique(),
                                  waves=ctx.t("index_waves") if waves else "")))
    blocks.append(ctx.table(res.to_table("weights", instrument=a.instrument)))
    blocks.append(ctx.table(res.to_table("scores")))
    blocks.append(ctx.figure(lambda: rs.plots.index_bars(res, lang=ctx.lang), "fig_index", width_in=4.5))
    if waves:
        blocks.append(ctx.figure(lambda: rs.plots.index_trends(res, lang=ctx.lang), "fig_index_trends",
                                 width_in=4.5))
    return blocks


def _sec_methods(ctx: Context) -> Section:
    s = Section("methods", ctx.t("sec_methods"))
    paras, refs = methods_paragraphs(ctx.analysis, ctx.lang)
    s.add(*(Paragraph(p) for p in paras))
    s.add(Paragraph(ctx.t("references")), References(tuple(refs)))
    return s


def _sec_appendix(ctx: Context) -> Section:
    inst = ctx.instrument
    s = Section("appendix", ctx.t("sec_appendix"))
    desc = inst.spec.description
    text = getattr(desc, ctx.lang, None) if desc is not None else None
    if text:
        s.add(Paragraph(str(text)))
    items = inst.items.copy()
    items["reverse"] = items["reverse"].map(lambda r: "R" if r else "")
    items["source"] = items["source"].fillna("")
    s.add(ctx.frame_table(items, "tbl_instrument_items", ["id", "construct", "text_zh", "text_en", "reverse",
                                                          "source"],
                          headers={"id": HEADERS["item"]}, note=ctx.t("reverse_mark")))
    for scale in inst.scales.values():
        if not scale.labels:
            continue
        rows = pd.DataFrame([{"code": str(code), "label_zh": lab.zh, "label_en": lab.en}
                             for code, lab in scale.labels.items()])
        s.add(ctx.frame_table(rows, "tbl_scale", ["code", "label_zh", "label_en"]))
    sources = [f"[{src.key}] {src.citation}" + (f" https://doi.org/{src.doi}" if src.doi else "")
               for src in inst.spec.sources]
    if sources:
        s.add(Paragraph(ctx.t("sources")), References(tuple(sources)))
    return s


def _sec_provenance(ctx: Context) -> Section:
    a = ctx.analysis
    s = Section("provenance", ctx.t("sec_provenance"))
    s.add(Paragraph(ctx.t("reproduce")))
    if ctx.call:
        s.add(Paragraph(ctx.t("call")), Code(ctx.call))
    opts = a.options
    s.add(Paragraph(ctx.t("options")),
          Facts(tuple((OPTION_LABELS.get(k, {}).get(ctx.lang, k), _option_text(option_value(v, ctx.lang)))
                      for k, v in opts.items()) + ((ctx.t("model"), a.model_name or
                                                                         ctx.t("custom_model")),)))
    inputs = pd.DataFrame(a.inputs)
    inputs["wave"] = inputs["wave"].map(_option_text)
    inputs["source"] = inputs["source"].astype(str)
    s.add(ctx.frame_table(inputs, "tbl_inputs", ["source", "format", "wave", "n_rows", "sha256"],
                          formats={"n_rows": "integer"}))
    versions = pd.DataFrame({"package": list(a.versions), "version": list(a.versions.values())})
    s.add(ctx.frame_table(versions, "tbl_versions", ["package", "version"]))
    return s


def _option_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


BUILDERS: tuple[tuple[str, Callable[[Context], Section | None]], ...] = (
    ("overview", _sec_overview), ("sample", _sec_sample), ("items", _sec_items), ("reliability", _sec_reliability),
    ("efa", _sec_efa), ("cfa", _sec_cfa), ("sem", _sec_sem), ("hypotheses", _sec_hypotheses),
    ("waves", _sec_waves), ("groups", _sec_groups),
    ("community", _sec_community), ("methods", _sec_methods), ("appendix", _sec_appendix),
    ("provenance", _sec_provenance),
)


def build_sections(ctx: Context) -> list[Section]:
    """All sections of the report, in order; a builder that raises gives a section with its error.

    Examples
    --------
    >>> sections = build_sections(Context(analysis, lang="en"))  # doctest: +SKIP
    >>> [s.id for s in sections]  # doctest: +SKIP
    """
    out = []
    for sid, builder in BUILDERS:
        try:
            section = builder(ctx)
        except Exception as exc:  # noqa: BLE001 - the rest of the report still comes out
            section = Section(sid, tr(f"sec_{sid}", ctx.lang, group=ctx.analysis.options.get("group") or "")
                              if sid == "groups" else tr(f"sec_{sid}", ctx.lang))
            section.add(Notice("error", ctx.t("section_failed", error=f"{type(exc).__name__}: {exc}")))
        if section is not None:
            out.append(section)
    return out
