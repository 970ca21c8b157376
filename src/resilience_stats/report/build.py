"""``rs.report``: analyse survey waves and write the HTML and Word report."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..errors import ResilienceStatsError
from .blocks import Section
from .._atomic import write_bytes_atomic
from .render import PAGE_SIZES, render_docx, render_html
from .sections import Context, build_sections
from .text import tr

__all__ = ["ReportResult", "report", "FORMATS"]

FORMATS = ("html", "docx")


@dataclass
class ReportResult:
    """What :func:`report` wrote.

    Attributes
    ----------
    paths : dict
        ``{format: pathlib.Path}`` of the files written.
    analysis : Analysis
        The results bundle (:func:`resilience_stats.workflow.analyze`).
    sections : list of Section
        The report's content (ids, titles, blocks).
    errors : dict
        ``{format: message}`` of output formats that could not be written.
    """

    paths: dict
    analysis: Any
    sections: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)

    @property
    def html(self) -> Path | None:
        """Path of the HTML report (None when not written)."""
        return self.paths.get("html")

    @property
    def docx(self) -> Path | None:
        """Path of the Word report (None when not written)."""
        return self.paths.get("docx")

    @property
    def problems(self) -> list[str]:
        """Messages of the analyses that failed."""
        return [f"{s.name}: {s.error}" for s in self.analysis.problems]


def _describe(waves: Any) -> str:
    items = waves if isinstance(waves, (list, tuple)) else [waves]
    out = []
    for w in items:
        if isinstance(w, (str, Path)):
            out.append(repr(str(w)))
        elif hasattr(w, "meta"):
            out.append(f"<SurveyWave {w.meta.get('source')!s} wave={w.meta.get('wave')!r} n={len(w.data)}>")
        else:
            out.append(f"<{type(w).__name__} {getattr(w, 'shape', '')}>")
    return "[" + ", ".join(out) + "]" if isinstance(waves, (list, tuple)) else out[0]


def _default_call(waves: Any, instrument: Any, kwargs: dict) -> str:
    inst = getattr(instrument, "id", instrument)
    args = [_describe(waves)] + ([repr(str(inst))] if inst is not None else [])
    args += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"rs.report({', '.join(args)})"


def report(
    waves: Any,
    instrument: Any = None,
    model: str | None = None,
    out: str | Path = "reports/2025",
    formats: Sequence[str] = FORMATS,
    lang: str = "zh",
    bootstrap: int = 1000,
    seed: int = 0,
    exclude: Iterable[str] | None = None,
    *,
    group: str | None = None,
    estimator: str = "MLR",
    missing: str = "fiml",
    cluster: str | None = None,
    n_jobs: int | None = None,
    parallel_iter: int = 50,
    title: str | None = None,
    timestamp: bool = False,
    call: str | None = None,
    on_step: Callable[[str], None] | None = None,
    bootstrap_progress: bool = False,
    process: Mapping[str, Any] | None = None,
    keep: str = "none",
    columns: dict | None = None,
    fuzzy_aliases: bool = False,
    page: str = "a4",
) -> ReportResult:
    """Analyse one or more survey waves and write the report (self-contained HTML and Word).

    Sections: overview; sample and data quality (validation findings, missingness, flagged respondents removed
    or kept); item analysis; reliability and validity; EFA; CFA; structural model with mediation and the path
    diagram; change across waves (two or more waves: invariance and latent mean change when available, score
    trends); invariance across groups (``group=``); community-level results (ICC, community means); methods
    paragraph with references; appendix with the instrument; provenance (versions, input sha256, seed, call).
    An analysis that fails is shown in its section with its message and the rest of the report still comes
    out. With ``timestamp=False`` the same inputs and seed give byte-identical files.

    Parameters
    ----------
    waves : SurveyWave, path, DataFrame, or a list of them
        One or more waves (paths and DataFrames are read against ``instrument``).
    instrument : Instrument, str or Path, optional
        Needed unless ``waves`` are SurveyWaves.
    model : str or Path, optional
        Framework name (``rs.models.list()``), lavaan syntax file, or syntax; default the instrument's
        framework model.
    out : str or Path, default "reports/2025"
        Output folder; the files are ``report.html`` and ``report.docx``.
    formats : sequence of {"html", "docx"}
    lang : {"zh", "en"}
        Language of the text, tables (three-line tables for "zh", APA for "en") and figures.
    bootstrap : int, default 1000
        Bootstrap replicates for the indirect effects (0: delta-method intervals).
    seed : int, default 0
    exclude : iterable of str, optional
        Validation checks whose flagged respondents are removed (e.g. ``["straightlining", "speeders"]``).
    group : str, optional
        Grouping column for invariance across groups.
    estimator, missing, cluster, n_jobs, parallel_iter
        See :func:`resilience_stats.workflow.analyze`.
    title : str, optional
        Report title (default from the instrument's title).
    timestamp : bool, default False
        Print the generation time (the files then differ between runs).
    call : str, optional
        The command that made the report, shown in the provenance block (default: this call).
    on_step : callable, optional
        Called with the name of each analysis step and then "render" (progress display).
    bootstrap_progress : bool, default False
        Let the bootstrap show its own progress bar.
    keep, columns, fuzzy_aliases
        See :func:`resilience_stats.workflow.analyze` (duplicates to keep, header mapping, fuzzy option aliases).
    page : {"a4", "letter"}, default "a4"
        Page size of the Word report.
    process : dict, optional
        Adds a hypothesis-testing section with this PROCESS model on the construct scores (the arguments of
        :func:`resilience_stats.process`, e.g. ``dict(model=7, x="PBL", y="RES", m=["NET"], w="tenure")``).

    Returns
    -------
    ReportResult
        ``.paths`` ({format: Path}), ``.analysis``, ``.sections``, ``.problems``.

    Raises
    ------
    ValueError
        Unknown format or language.
    ResilienceStatsError
        Inputs that cannot be read at all (DataError, SurveyReadError, InstrumentError) or a model that cannot be
        resolved; no file is written then.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> inst = rs.load_instrument("party_building_social_capital")
    >>> raw = rs.example_survey(inst, n=300, waves=2, seed=1)  # doctest: +SKIP
    >>> r = rs.report(raw, inst, out="reports/demo", lang="en", bootstrap=200)  # doctest: +SKIP
    >>> r.paths["html"]  # doctest: +SKIP
    PosixPath('reports/demo/report.html')
    """
    from .. import __version__
    from ..workflow import analyze

    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty selection of {FORMATS}, not {formats!r}")
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if str(page).lower() not in PAGE_SIZES:
        raise ValueError(f"page must be one of {', '.join(PAGE_SIZES)}, not {page!r}")
    if call is None:
        call = _default_call(waves, instrument, {
            "model": model, "out": str(out), "formats": formats, "lang": lang, "bootstrap": bootstrap,
            "seed": seed, "exclude": list(exclude) if exclude else None, "group": group, "estimator": estimator,
            **({"process": dict(process)} if process else {}),
        })
    analysis = analyze(waves, instrument, model, bootstrap=bootstrap, seed=seed, exclude=exclude, group=group,
                       estimator=estimator, missing=missing, cluster=cluster, n_jobs=n_jobs,
                       parallel_iter=parallel_iter, on_step=on_step,
                       bootstrap_progress=bootstrap_progress, process=process, keep=keep, columns=columns,
                       fuzzy_aliases=fuzzy_aliases)
    if on_step is not None:
        on_step("render")
    generated = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z") if timestamp else None
    ctx = Context(analysis, lang=lang, call=call, generated=generated)
    sections: list[Section] = build_sections(ctx)
    title = title or tr("report_title", lang, title=analysis.instrument.title(lang))
    out = Path(out)
    paths, errors = {}, {}
    for fmt in formats:
        try:
            if fmt == "html":
                data = render_html(sections, title, lang, __version__, generated).encode("utf-8")
            else:
                data = render_docx(sections, title, lang, generated, page=str(page).lower())
            paths[fmt] = write_bytes_atomic(out / f"report.{fmt}", data, make_dirs=True)
        except (OSError, ResilienceStatsError, ValueError, TypeError) as exc:
            errors[fmt] = f"{type(exc).__name__}: {exc}"
    return ReportResult(paths=paths, analysis=analysis, sections=sections, errors=errors)
