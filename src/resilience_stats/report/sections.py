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
    PubTable,
    correlation_table,
    efa_table,
    fit_table,
    htmt_table,
    indirect_table,
    invariance_table,
    loadings_table,
    paths_table,
    reliability_table,
    sample_table,
)
from ..tables.adapters import (
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
from .text import HEADERS, STEP_LABELS, issue_text_zh, tr

__all__ = ["Context", "build_sections", "fit_row", "SECTION_IDS"]

FIGURE_DPI = 150

#: Section ids in report order (``waves`` only with two or more waves, ``groups`` only with ``group=``).
SECTION_IDS = ("overview", "sample", "items", "reliability", "efa", "cfa", "sem", "waves", "groups",
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

    def figure(self, draw: Callable[[], Any], caption_key: str, width_in: float = 6.0) -> Figure | Notice:
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
        return Figure(buf.getvalue(), self.t(caption_key), self.figures, width_in)

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


def _fit_sentence(ctx: Context, row: dict) -> Paragraph:
    return Paragraph(ctx.t("fit_text", what=row["model"], **{k: row[k] for k in
                                                              ("df", "chisq", "cfi", "tli", "rmsea", "srmr")}))


def _fit_table(ctx: Context, rows: list[dict]) -> Table:
    fits = pd.DataFrame(rows)
    robust = ctx.analysis.options["estimator"] == "MLR"
    t = fit_table(fits, decimals=3, lang=ctx.lang, style=ctx.style)
    if robust:
        t = PubTable.from_frame(t.rows, columns=list(t.columns), title=t.title, note=ctx.t("fit_note_robust"),
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
        (ctx.t("estimator"), opts["estimator"] + (f" / {opts['missing'].upper()}"
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
        shown = issues[["severity", "check", "item", "count", "message"]].copy()
        if ctx.lang == "zh":
            shown["message"] = [issue_text_zh(r["check"], r["item"], r["count"], r["rows"], r["message"])
                                for r in issues.to_dict(orient="records")]
        shown["severity"] = shown["severity"].map(lambda v: _localize_level(v, ctx))
        shown["item"] = shown["item"].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                          else str(v))
        s.add(ctx.frame_table(shown.reset_index(drop=True), "tbl_issues",
                              ["severity", "check", "item", "count", "message"]))
    if not a.exclusions.empty:
        ex = a.exclusions.copy()
        ex["action"] = ex["action"].map(lambda v: _localize_level(v, ctx))
        s.add(ctx.frame_table(ex, "tbl_exclusions", ["check", "rows_flagged", "rows_removed", "action"]))
    miss = sample["missing"]
    if not miss.empty:
        s.add(Paragraph(ctx.t("missing_text", lo=miss["pct_missing"].min(), hi=miss["pct_missing"].max(),
                              mean=miss["pct_missing"].mean())))
        s.add(ctx.frame_table(miss, "tbl_missing", ["item", "construct", "n_missing", "pct_missing"],
                              formats={"pct_missing": "number"}))
    import resilience_stats as rs

    s.add(ctx.figure(lambda: rs.plots.likert_bars(a.wave, lang=ctx.lang, label="id"), "fig_likert"))
    return s


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
        s.add(Paragraph(ctx.t("reliability_text", lo=rel["alpha"].min(), hi=rel["alpha"].max())))
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
    s.add(_fit_sentence(ctx, row), _fit_table(ctx, [row]))
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
    s.add(_fit_sentence(ctx, rows[-1]), _fit_table(ctx, rows))
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
        s.add(ctx.table(indirect_table(indirect_frame(estimates), ci_level=a.options["ci_level"],
                                       ci_method="percentile" if boot is not None else "delta",
                                       n_boot=boot.n if boot is not None else None, lang=ctx.lang,
                                       style=ctx.style)))
    import resilience_stats as rs

    s.add(ctx.figure(lambda: rs.plots.path_diagram(fit, lang=ctx.lang, instrument=a.instrument), "fig_path",
                     width_in=9.0))
    if not defined.empty:
        source = boot if boot is not None else fit
        s.add(ctx.figure(lambda: rs.plots.indirect_effects(source, lang=ctx.lang), "fig_indirect", width_in=4.5))
    s.add(Paragraph(ctx.t("model_syntax")), Code(a.model))
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

        s.add(ctx.figure(lambda: rs.plots.wave_trends(a.wave, lang=ctx.lang), "fig_trends", width_in=4.5))
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
        s.add(Paragraph(ctx.t("icc_text", lo=icc["icc1"].min(), hi=icc["icc1"].max(),
                              j=int(icc["n_clusters"].max()), size=float(icc["mean_cluster_size"].mean()))))
        cols = ["construct", "n_clusters", "mean_cluster_size", "icc1", "icc2", "rwg_j_median", "design_effect",
                "f_stat", "p_value"]
        s.add(ctx.frame_table(icc, "tbl_icc", [c for c in cols if c in icc.columns],
                              formats={"icc1": "bounded", "icc2": "bounded", "rwg_j_median": "bounded",
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

        s.add(ctx.figure(lambda: rs.plots.community_caterpillar(a.wave, lang=ctx.lang), "fig_community",
                         width_in=9.0))
    return s


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
          Facts(tuple((k, _option_text(v)) for k, v in opts.items()) + ((ctx.t("model"), a.model_name or
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
    ("efa", _sec_efa), ("cfa", _sec_cfa), ("sem", _sec_sem), ("waves", _sec_waves), ("groups", _sec_groups),
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
