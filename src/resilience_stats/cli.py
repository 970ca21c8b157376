"""The ``resilience-stats`` command line: parses arguments and calls the Python API, nothing else.

Exit codes: 0 success, 1 the data have errors (or a statistic could not be computed), 2 bad invocation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import ResilienceStatsError

app = typer.Typer(
    name="resilience-stats",
    help="Survey psychometrics, CFA/SEM and reports for community resilience research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
instruments_app = typer.Typer(help="List and show the bundled questionnaires.", no_args_is_help=True)
app.add_typer(instruments_app, name="instruments")

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _console(quiet: bool = False) -> Console:
    return Console(quiet=quiet, highlight=False, soft_wrap=False, width=140)


def _fail(message: str, code: int) -> None:
    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(EXIT_OK)


@app.command()
def validate(
    data: Path = typer.Argument(..., help="Survey file: .csv/.tsv (UTF-8 or GBK), .xlsx, .sav, .dta, .parquet."),
    instrument: str = typer.Option(..., "--instrument", "-i", help="Bundled questionnaire name or YAML path."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text, json or csv."),
    wave: Optional[str] = typer.Option(None, "--wave", help="Wave label stored with the data."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Force a text encoding (default: detect)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing; only the exit code speaks."),
) -> None:
    """Read a survey wave and list every data problem.

    Exit code 0 when no errors were found (warnings allowed), 1 when there are errors, 2 for bad usage.

    Example: resilience-stats validate wave2025.csv --instrument party_building_social_capital
    """
    from .instruments import load_instrument
    from .survey import read_survey

    if fmt not in ("text", "json", "csv"):
        _fail(f"--format must be text, json or csv, not {fmt!r}", EXIT_USAGE)
    try:
        inst = load_instrument(instrument)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_USAGE)
    try:
        wave_obj = read_survey(data, inst, wave=wave, encoding=encoding)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_DATA)
    issues = wave_obj.issues
    if not quiet:
        if fmt == "json":
            typer.echo(json.dumps(_issues_records(issues), ensure_ascii=False, indent=2))
        elif fmt == "csv":
            typer.echo(issues.assign(rows=issues["rows"].map(_rows_text)).to_csv(index=False), nl=False)
        else:
            _print_issues(wave_obj, _console(quiet))
    raise typer.Exit(EXIT_DATA if wave_obj.has_errors else EXIT_OK)


def _rows_text(rows) -> str:
    if rows is None:
        return ""
    if isinstance(rows, (list, tuple)):
        shown = ", ".join(str(r) for r in rows[:20])
        return shown + (f", ... ({len(rows)} in all)" if len(rows) > 20 else "")
    return str(rows)


def _issues_records(issues) -> list[dict]:
    records = []
    for rec in issues.to_dict(orient="records"):
        rows = rec.get("rows")
        rec["rows"] = [r if isinstance(r, (int, str)) else str(r) for r in rows] if isinstance(rows, (list, tuple)) else rows
        rec["count"] = None if rec.get("count") is None else int(rec["count"])
        records.append(rec)
    return records


def _print_issues(wave_obj, console: Console) -> None:
    meta = wave_obj.meta
    console.print(
        f"[bold]{meta.get('source')}[/]: {meta.get('n_rows')} rows, {meta.get('n_columns')} columns, "
        f"format {meta.get('format')}, encoding {meta.get('encoding') or '-'}"
    )
    issues = wave_obj.issues
    if issues.empty:
        console.print("[green]No problems found.[/]")
        return
    table = Table(show_lines=False, header_style="bold")
    for col in ("severity", "check", "item", "count", "rows", "message"):
        table.add_column(col, overflow="fold", max_width=60 if col == "message" else 30)
    style = {"error": "red", "warning": "yellow", "info": "cyan"}
    for rec in issues.to_dict(orient="records"):
        table.add_row(
            f"[{style.get(rec['severity'], 'white')}]{rec['severity']}[/]",
            str(rec["check"]),
            "" if rec.get("item") is None else str(rec["item"]),
            "" if rec.get("count") is None else str(rec["count"]),
            _rows_text(rec.get("rows")),
            str(rec["message"]),
        )
    console.print(table)
    counts = issues["severity"].value_counts()
    console.print(
        f"{counts.get('error', 0)} error(s), {counts.get('warning', 0)} warning(s), {counts.get('info', 0)} note(s)"
    )


@instruments_app.command("list")
def instruments_list(
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text or json."),
) -> None:
    """List the bundled questionnaires."""
    from .instruments import list_instruments, load_instrument

    rows = []
    for name in list_instruments():
        inst = load_instrument(name)
        rows.append({"id": inst.id, "version": inst.version, "title_en": inst.title("en"), "title_zh": inst.title("zh"),
                     "constructs": len(inst.construct_items), "items": len(inst.item_ids)})
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(header_style="bold")
    for col in ("id", "version", "title_en", "title_zh", "constructs", "items"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r[c]) for c in ("id", "version", "title_en", "title_zh", "constructs", "items")))
    _console().print(table)


@instruments_app.command("show")
def instruments_show(
    name: str = typer.Argument(..., help="Bundled questionnaire name or YAML path."),
    lang: str = typer.Option("en", "--lang", help="Language of the item wording: en or zh."),
    model: bool = typer.Option(False, "--model", help="Print the lavaan measurement model instead."),
) -> None:
    """Show a questionnaire's constructs and items (or its lavaan measurement model)."""
    from .instruments import load_instrument

    if lang not in ("en", "zh"):
        _fail(f"--lang must be en or zh, not {lang!r}", EXIT_USAGE)
    try:
        inst = load_instrument(name)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_USAGE)
    if model:
        typer.echo(inst.measurement_model(), nl=False)
        return
    console = _console()
    console.print(f"[bold]{inst.title(lang)}[/] ({inst.id} {inst.version})")
    for construct, items in inst.construct_items.items():
        console.print(f"\n[bold]{construct}[/] {inst.construct_name(construct, lang)}")
        for item in items:
            mark = " (R)" if item in inst.reverse_items else ""
            console.print(f"  {item}{mark}: {inst.item_text(item, lang)}")
    for parent, facets in inst.second_order.items():
        console.print(f"\n[bold]{parent}[/] {inst.construct_name(parent, lang)} = {' + '.join(facets)}")


# == shared options =============================================================================================
FORMAT_HELP = "Output: text, json or csv."
_DATA_HELP = "Survey file(s): .csv/.tsv (UTF-8 or GBK), .xlsx, .sav, .dta, .parquet; several files = several waves."


def _instrument_opt(required: bool = True):
    return typer.Option(... if required else None, "--instrument", "-i",
                        help="Bundled questionnaire name or YAML path.")


def _model_opt():
    return typer.Option(None, "--model", "-m",
                        help="Framework model name (see `instruments show`) or a lavaan syntax file; "
                             "default: the instrument's framework model.")


def _format_opt():
    return typer.Option("text", "--format", "-f", help=FORMAT_HELP)


def _quiet_opt():
    return typer.Option(False, "--quiet", "-q", help="Print nothing; only the exit code speaks.")


def _seed_opt():
    return typer.Option(0, "--seed", help="Random seed (same seed, same numbers).")


def _exclude_opt():
    return typer.Option(None, "--exclude", "-x",
                        help="Remove respondents flagged by this validation check (repeatable), e.g. "
                             "straightlining, speeders.")


def _estimator_opt():
    return typer.Option("MLR", "--estimator", "-e", help="ML, MLR (default) or another estimator the engine has.")


def _n_jobs_opt():
    return typer.Option(None, "--n-jobs", "-j", help="Worker processes of the bootstrap (default: all cores).")


def _check_format(fmt: str, allowed=("text", "json", "csv")) -> None:
    if fmt not in allowed:
        _fail(f"--format must be one of {', '.join(allowed)}, not {fmt!r}", EXIT_USAGE)


def _load_instrument(name: str):
    from .instruments import load_instrument

    try:
        return load_instrument(name)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_USAGE)


def _read(paths: list[Path], inst, exclude: list[str] | None = None, quiet: bool = False):
    """Read the data files as one pooled wave (exit 1 when unreadable), removing the excluded checks' rows."""
    from .workflow import load_pooled

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        _fail(f"file not found: {', '.join(missing)}", EXIT_USAGE)
    try:
        wave = load_pooled(paths, inst, exclude=exclude or ())
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_DATA)
    if wave.has_errors and not quiet:
        n = int((wave.issues["severity"] == "error").sum())
        Console(stderr=True, highlight=False).print(
            f"[yellow]warning:[/] the data have {n} error(s) (invalid values set to missing); "
            "see `resilience-stats validate`")
    return wave


def _resolve_model(model: Optional[str], inst) -> str:
    from .workflow import resolve_model

    try:
        return resolve_model(model, inst)[1]
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_USAGE)


def _records(frame) -> list:
    import pandas as pd

    frame = frame.reset_index(drop=True) if isinstance(frame, pd.DataFrame) else frame
    return json.loads(frame.to_json(orient="records", force_ascii=False, double_precision=10))


def _cell(value) -> str:
    import math

    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}"
    try:
        import numpy as np

        if isinstance(value, np.floating):
            return "" if np.isnan(value) else f"{float(value):.3f}"
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _text_table(frame, title: str | None, console: Console) -> None:
    table = Table(title=title, header_style="bold", title_justify="left")
    for col in frame.columns:
        table.add_column(str(col), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _emit(frames: dict, fmt: str, quiet: bool, csv_key: str | None = None) -> None:
    """Print ``{name: DataFrame}``: rich tables (text), one JSON object of record lists, or one CSV."""
    if quiet:
        return
    if fmt == "json":
        typer.echo(json.dumps({k: _records(v) for k, v in frames.items()}, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        key = csv_key or next(iter(frames))
        typer.echo(frames[key].to_csv(index=False), nl=False)
    else:
        console = _console()
        for name, frame in frames.items():
            _text_table(frame, name, console)


def _guard(fn):
    """Run an analysis; a statistics error exits with code 1 and its message."""
    try:
        return fn()
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_DATA)


def _fit_frame(fit, label: str):
    import pandas as pd

    from .report.sections import fit_row

    return pd.DataFrame([fit_row(fit, label)])


# == analyses ===================================================================================================
@app.command()
def describe(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Sample size and construct score descriptives (n, mean, sd, min, max, skew, kurtosis).

    Example: resilience-stats describe wave1.csv wave2.csv -i party_building_social_capital --format csv
    """
    from .workflow import score_descriptives

    _check_format(fmt)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet)
    _emit({"constructs": _guard(lambda: score_descriptives(wave))}, fmt, quiet)


@app.command()
def reliability(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Cronbach's alpha (Feldt CI) and McDonald's omega of every construct.

    Example: resilience-stats reliability wave.csv -i party_building_social_capital --format json
    """
    from .psychometrics import reliability as _reliability

    _check_format(fmt)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet)
    _emit({"reliability": _guard(lambda: _reliability(wave))}, fmt, quiet)


@app.command()
def efa(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    n_factors: Optional[int] = typer.Option(None, "--n-factors", "-k",
                                            help="Factors to extract (default: suggested by parallel analysis)."),
    rotation: str = typer.Option("oblimin", "--rotation", help="oblimin, promax, varimax or none."),
    n_iter: int = typer.Option(50, "--n-iter", help="Simulated data sets of the parallel analysis."),
    exclude: Optional[list[str]] = _exclude_opt(),
    seed: int = _seed_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Exploratory factor analysis (minres) of all items; without -k, parallel analysis picks the factors.

    Example: resilience-stats efa wave.csv -i party_building_social_capital -k 7
    """
    from .psychometrics import efa as _efa
    from .psychometrics import parallel_analysis

    _check_format(fmt)
    if n_factors is not None and n_factors < 1:
        _fail("--n-factors must be at least 1", EXIT_USAGE)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet)
    frames = {}
    k = n_factors
    if k is None:
        pa = _guard(lambda: parallel_analysis(wave, n_iter=n_iter, seed=seed))
        k = max(1, int(pa.n_factors))
        frames["parallel_analysis"] = pa.eigenvalues
    result = _guard(lambda: _efa(wave, n_factors=k, rotation=rotation))
    loadings = result.loadings.copy()
    loadings.insert(0, "item", loadings.index.astype(str))
    loadings["h2"] = result.communalities.reindex(result.loadings.index).to_numpy()
    _emit({"loadings": loadings, **frames}, fmt, quiet, csv_key="loadings")


@app.command()
def cfa(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="lavaan syntax file (default: the instrument's measurement model)."),
    estimator: str = _estimator_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Confirmatory factor analysis: fit indices and standardized loadings (csv: all estimates).

    Example: resilience-stats cfa wave.csv -i party_building_social_capital --estimator MLR
    """
    from .sem import cfa as _cfa

    _check_format(fmt)
    inst = _load_instrument(instrument)
    syntax = inst.measurement_model() if model is None else _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet)
    fit = _guard(lambda: _cfa(wave, syntax, **_fit_kwargs(estimator)))
    est = fit.estimates
    _emit({"fit": _fit_frame(fit, "CFA"), "estimates": est[est["op"] == "=~"]}, fmt, quiet, csv_key="estimates")
    if not fit.converged:
        _fail("the model did not converge", EXIT_DATA)


def _fit_kwargs(estimator: str) -> dict:
    est = estimator.upper()
    return {"estimator": est, **({"missing": "fiml"} if est in ("ML", "MLR") else {})}


@app.command()
def sem(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    model: Optional[str] = _model_opt(),
    estimator: str = _estimator_opt(),
    bootstrap: int = typer.Option(0, "--bootstrap", "-b", help="Bootstrap replicates for the CIs (0: none)."),
    exclude: Optional[list[str]] = _exclude_opt(),
    seed: int = _seed_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Structural equation model: fit, paths and defined (indirect) effects, optionally bootstrapped.

    Example: resilience-stats sem wave.csv -i party_building_social_capital --model chen_zhang --bootstrap 1000
    """
    from .sem import sem as _sem

    _check_format(fmt)
    if bootstrap < 0:
        _fail("--bootstrap must be 0 or more", EXIT_USAGE)
    inst = _load_instrument(instrument)
    syntax = _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet)
    fit = _guard(lambda: _sem(syntax, wave, **_fit_kwargs(estimator)))
    if not fit.converged:
        _fail("the model did not converge: " + "; ".join(map(str, fit.warnings)), EXIT_DATA)
    est = fit.estimates
    if bootstrap:
        if not hasattr(fit, "bootstrap"):
            _fail("bootstrap is not available in this version", EXIT_USAGE)
        est = _guard(lambda: fit.bootstrap(bootstrap, seed=seed, progress=not quiet)).estimates
    keep = est["op"].isin(["~", ":="])
    _emit({"fit": _fit_frame(fit, "SEM"), "estimates": est[keep]}, fmt, quiet, csv_key="estimates")


@app.command()
def invariance(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    group: str = typer.Option(..., "--group", "-g", help="Grouping column (e.g. wave, gender, party_member)."),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="lavaan syntax file (default: the instrument's measurement model)."),
    estimator: str = _estimator_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Measurement invariance across groups: configural, metric, scalar (and strict) models.

    Example: resilience-stats invariance wave1.csv wave2.csv -i party_building_social_capital --group wave
    """
    import resilience_stats as rs

    _check_format(fmt)
    fn = getattr(rs, "invariance", None)
    if fn is None:
        _fail("measurement invariance (rs.invariance) is not available in this version", EXIT_USAGE)
    inst = _load_instrument(instrument)
    syntax = inst.measurement_model() if model is None else _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet)
    if group not in wave.data.columns:
        _fail(f"--group {group!r} is not a column of the data", EXIT_USAGE)
    result = _guard(lambda: fn(syntax, wave, group=group, estimator=estimator.upper()))
    _emit({"invariance": result.table}, fmt, quiet)


@app.command()
def power(
    instrument: Optional[str] = typer.Option(
        "party_building_social_capital", "--instrument", "-i",
        help="Questionnaire whose example population model is simulated (when --model is not given)."),
    model: Optional[Path] = typer.Option(None, "--model", "-m",
                                         help="lavaan file of the population model (fixed values = population)."),
    n: str = typer.Option("200,400,800", "--n", help="Sample sizes, comma-separated."),
    reps: int = typer.Option(200, "--reps", "-r", help="Replicates per sample size."),
    estimator: str = typer.Option("ML", "--estimator", "-e", help="ML or MLR."),
    n_jobs: int = typer.Option(-1, "--n-jobs", "-j", help="Worker processes (-1: all cores)."),
    seed: int = _seed_opt(),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also save the power curves (.png/.svg/.pdf)."),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Monte Carlo power of every parameter for several sample sizes.

    Example: resilience-stats power -i party_building_social_capital --n 200,400 --reps 200 --out power.png
    """
    import resilience_stats as rs

    _check_format(fmt)
    fn = getattr(rs, "power", None)
    if fn is None:
        _fail("power analysis (rs.power) is not available in this version", EXIT_USAGE)
    try:
        ns = [int(x) for x in n.split(",") if x.strip()]
    except ValueError:
        _fail(f"--n must be comma-separated integers, not {n!r}", EXIT_USAGE)
    if not ns or min(ns) < 2 or reps < 1:
        _fail("--n needs sample sizes of at least 2 and --reps at least 1", EXIT_USAGE)
    if model is not None:
        if not model.is_file():
            _fail(f"model file not found: {model}", EXIT_USAGE)
        population = model.read_text(encoding="utf-8")
    else:
        population = rs.example_population(_load_instrument(instrument))["model"]
    with _progress(quiet) as progress:
        progress.add_task(f"power: {reps} replicates x n = {', '.join(map(str, ns))}", total=None)
        result = _guard(lambda: fn(population, n=ns, reps=reps, seed=seed, n_jobs=n_jobs, estimator=estimator))
    if out is not None:
        _guard(lambda: rs.plots.save(result.plot(), out))
    _emit({"power": result.table, "fit": result.fit}, fmt, quiet, csv_key="power")


# == report ========================================================================================================
def _progress(quiet: bool):
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True, quiet=quiet), transient=True)


def _split_formats(formats: str) -> tuple:
    from .report import FORMATS

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        _fail(f"--formats must be a comma-separated selection of {', '.join(FORMATS)}, not {formats!r}", EXIT_USAGE)
    return chosen


def _run_report(waves, inst, *, model, out, formats, lang, bootstrap, seed, exclude, group, estimator,
                timestamp, quiet, fmt, call, n_jobs=None) -> None:
    from .report import report as _report
    from .workflow import STEP_NAMES

    if lang not in ("zh", "en"):
        _fail(f"--lang must be zh or en, not {lang!r}", EXIT_USAGE)
    if bootstrap < 0:
        _fail("--bootstrap must be 0 or more", EXIT_USAGE)
    _check_format(fmt, ("text", "json"))
    chosen = _split_formats(formats)
    if model is not None:
        _resolve_model(model, inst)  # a bad name or file is a usage error (exit 2) before any work
    with _progress(quiet) as progress:
        total = len(STEP_NAMES) + 1
        task = progress.add_task("reading", total=total)

        def on_step(name: str) -> None:
            if name == "render":  # steps that do not apply (one wave, no group) were never announced
                progress.update(task, description=name, completed=total - 1)
            else:
                progress.update(task, description=name, advance=1)

        try:
            result = _report(waves, inst, model=model, out=out, formats=chosen, lang=lang, bootstrap=bootstrap,
                             seed=seed, exclude=exclude or None, group=group, estimator=estimator, timestamp=timestamp,
                             call=call, on_step=on_step, n_jobs=n_jobs)  # the rich bar shows the steps
        except ResilienceStatsError as exc:
            _fail(str(exc), EXIT_DATA)
    data_errors = int((result.analysis.wave.issues["severity"] == "error").sum())
    summary = {"paths": {k: str(v) for k, v in result.paths.items()}, "problems": result.problems,
               "output_errors": result.errors, "data_errors": data_errors}
    if not quiet:
        if fmt == "json":
            typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            console = _console()
            for kind, path in result.paths.items():
                console.print(f"[green]wrote[/] {path}")
            for problem in result.problems:
                console.print(f"[red]failed[/] {problem}")
            for kind, msg in result.errors.items():
                console.print(f"[red]could not write {kind}:[/] {msg}")
            if data_errors:
                console.print(f"[yellow]{data_errors} data error(s)[/]: see the report's data-quality section")
    if result.errors or result.problems or data_errors:
        raise typer.Exit(EXIT_DATA)


def _command_line(ctx: typer.Context) -> str:
    """The invocation rebuilt from the parsed parameters that were given (not defaults), deterministic."""
    import shlex

    parts = ["resilience-stats", ctx.info_name or ""]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        source = ctx.get_parameter_source(param.name)
        if source is None or getattr(source, "name", "") == "DEFAULT" or value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        if param.param_type_name == "argument":
            parts += [shlex.quote(str(v)) for v in values]
        elif param.is_flag:
            if value:
                parts.append(param.opts[0])
        else:
            for v in values:
                parts += [param.opts[0], shlex.quote(str(v))]
    return " ".join(parts)


@app.command()
def report(
    ctx: typer.Context,
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    model: Optional[str] = _model_opt(),
    out: Path = typer.Option(Path("reports/2025"), "--out", "-o", help="Output folder."),
    formats: str = typer.Option("html,docx", "--formats", "-t", help="Documents to write: html, docx or both."),
    lang: str = typer.Option("zh", "--lang", "-l", help="Language of the report: zh or en."),
    bootstrap: int = typer.Option(1000, "--bootstrap", "-b", help="Bootstrap replicates (0: none)."),
    exclude: Optional[list[str]] = _exclude_opt(),
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Grouping column for invariance across groups."),
    estimator: str = _estimator_opt(),
    seed: int = _seed_opt(),
    timestamp: bool = typer.Option(False, "--timestamp", help="Print the generation time in the report."),
    n_jobs: Optional[int] = _n_jobs_opt(),
    fmt: str = typer.Option("text", "--format", "-f", help="Summary output: text or json."),
    quiet: bool = _quiet_opt(),
) -> None:
    """Analyse survey wave(s) and write the full report (self-contained HTML and Word).

    Exit code 0 when everything ran, 1 when the data have errors or an analysis failed (the report is still
    written and shows where), 2 for bad usage.

    Examples:

      resilience-stats report wave2024.csv wave2025.csv -i party_building_social_capital --out reports/2025

      resilience-stats report wave.xlsx -i party_building_social_capital --lang en -x speeders -g party_member
    """
    inst = _load_instrument(instrument)
    missing = [str(p) for p in data if not Path(p).exists()]
    if missing:
        _fail(f"file not found: {', '.join(missing)}", EXIT_USAGE)
    _run_report([str(p) for p in data] if len(data) > 1 else str(data[0]), inst, model=model, out=out,
                formats=formats, lang=lang, bootstrap=bootstrap, seed=seed, exclude=exclude, group=group,
                estimator=estimator, timestamp=timestamp, quiet=quiet, fmt=fmt, call=_command_line(ctx), n_jobs=n_jobs)


@app.command()
def demo(
    ctx: typer.Context,
    out: Path = typer.Option(Path("reports/demo"), "--out", "-o", help="Output folder."),
    instrument: str = typer.Option("party_building_social_capital", "--instrument", "-i",
                                   help="Bundled questionnaire of the example survey."),
    n: int = typer.Option(500, "--n", help="Respondents per wave."),
    waves: int = typer.Option(2, "--waves", help="Number of waves."),
    missing_rate: float = typer.Option(
        0.003, "--missing-rate",
        help="Share of item answers left missing in the example data (FIML bootstrap time grows with it)."),
    lang: str = typer.Option("zh", "--lang", "-l", help="Language of the report: zh or en."),
    bootstrap: int = typer.Option(1000, "--bootstrap", "-b", help="Bootstrap replicates (0: none)."),
    seed: int = _seed_opt(),
    formats: str = typer.Option("html,docx", "--formats", "-t", help="Documents to write: html, docx or both."),
    n_jobs: Optional[int] = _n_jobs_opt(),
    fmt: str = typer.Option("text", "--format", "-f", help="Summary output: text or json."),
    quiet: bool = _quiet_opt(),
) -> None:
    """Write the full report for the bundled example survey (what `make demo` runs).

    Example: resilience-stats demo --out reports/demo --lang en --bootstrap 1000
    """
    from .survey import example_survey

    if n < 50 or waves < 1 or not 0 <= missing_rate < 1:
        _fail("--n must be at least 50, --waves at least 1 and --missing-rate in [0, 1)", EXIT_USAGE)
    inst = _load_instrument(instrument)
    raw = example_survey(inst, n=n, seed=seed, waves=waves, missing_rate=missing_rate)
    _run_report(raw, inst, model=None, out=out, formats=formats, lang=lang, bootstrap=bootstrap, seed=seed,
                exclude=None, group=None, estimator="MLR", timestamp=False, quiet=quiet, fmt=fmt,
                call=_command_line(ctx), n_jobs=n_jobs)


def main() -> None:
    """Console-script entry point (click already exits with 2 on usage errors)."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
