"""The ``resilience-stats`` command line: parses arguments and calls the Python API, nothing else.

Exit codes: 0 success, 1 the data have errors (or a statistic could not be computed), 2 bad invocation.
An error is one ``error:`` line on stderr (never a traceback); warnings are one ``warning:`` line each,
printed once, without source paths.
"""

from __future__ import annotations

import json
import signal
import sys
import warnings
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


def one_line(message) -> str:
    r"""A message on one line: the lines of a multi-line message joined with "; " (list dashes dropped).

    Examples
    --------
    >>> one_line("x.yaml: invalid instrument:\n  - items[0] (a1).scale: is missing\n  - b")
    'x.yaml: invalid instrument: items[0] (a1).scale: is missing; b'
    """
    lines = [ln.strip() for ln in str(message).strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    out = lines[0]
    for ln in lines[1:]:  # list entries ("- ...") are separated by "; ", other lines continue the sentence
        if ln.startswith("- "):
            out += (" " if out.endswith(":") else "; ") + ln[2:]
        else:
            out += " " + ln
    return out


def _stderr(kind: str, message) -> None:
    typer.echo(f"{kind}: {one_line(message)}", err=True)


def _fail(message: str, code: int) -> None:
    _stderr("error", message)
    raise typer.Exit(code)


def _warning_printer():
    """A ``warnings.showwarning`` that prints each distinct warning once, as one ``warning:`` line."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001 - warnings' signature
        text = one_line(message)
        if text and text not in seen:
            seen.add(text)
            _stderr("warning", text)

    return show


def _install_warnings() -> None:
    """Show the package's warnings (one line each, once); library warnings (numpy, pandas...) are not for users."""
    from .errors import ResilienceStatsWarning

    warnings.showwarning = _warning_printer()
    warnings.simplefilter("ignore")
    warnings.simplefilter("always", ResilienceStatsWarning)


def _quiet_warnings(quiet: bool) -> None:
    if quiet:
        warnings.simplefilter("ignore")


@app.callback(invoke_without_command=True)
def _main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(EXIT_OK)
    _install_warnings()


@app.command()
def validate(
    data: Path = typer.Argument(..., help="Survey file: .csv/.tsv (UTF-8 or GBK), .xlsx, .sav, .dta, .parquet."),
    instrument: str = typer.Option(..., "--instrument", "-i", help="Bundled questionnaire name or YAML path."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output: text, json or csv."),
    wave: Optional[str] = typer.Option(None, "--wave", help="Wave label stored with the data."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Force a text encoding (default: detect)."),
    columns: Optional[Path] = typer.Option(None, "--columns", help="Mapping file {file header: item or field id} "
                                           "(YAML, JSON or a two-column CSV header,id)."),
    fuzzy_aliases: bool = typer.Option(False, "--fuzzy-aliases", help="Also read the scales' fuzzy option wordings "
                                       "(同意 as 比较同意, ...); every such reading is listed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing; only the exit code speaks."),
) -> None:
    """Read a survey wave and list every data problem, and every recode (aliases, missing codes).

    Exit code 0 when no errors were found (warnings allowed), 1 when there are errors, 2 for bad usage.

    Example: resilience-stats validate wave2025.csv --instrument party_building_social_capital
    """
    from .instruments import load_instrument
    from .survey import read_survey

    _quiet_warnings(quiet)
    if fmt not in ("text", "json", "csv"):
        _fail(f"--format must be text, json or csv, not {fmt!r}", EXIT_USAGE)
    try:
        inst = load_instrument(instrument)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_USAGE)
    if not data.exists():
        _fail(f"file not found: {data}", EXIT_USAGE)
    mapping = _column_map(columns)
    try:
        wave_obj = read_survey(data, inst, wave=wave, encoding=encoding, columns=mapping, fuzzy_aliases=fuzzy_aliases)
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
    from rich.cells import cell_len

    records = issues.to_dict(orient="records")
    cells = {
        "severity": [r["severity"] for r in records],
        "check": [str(r["check"]) for r in records],
        "item": ["" if r.get("item") is None else str(r["item"]) for r in records],
        "count": ["" if r.get("count") is None else str(r["count"]) for r in records],
        "rows": [_rows_text(r.get("rows")) for r in records],
        "message": [str(r["message"]) for r in records],
    }
    table = Table(show_lines=False, header_style="bold")
    for col, values in cells.items():
        if col in ("message", "rows"):  # long texts wrap between words
            table.add_column(col, overflow="fold", ratio=3 if col == "message" else 1, min_width=12)
        else:  # names and counts are never broken
            table.add_column(col, no_wrap=True, justify="right" if col == "count" else "left",
                             min_width=max(cell_len(v) for v in [col, *values]))
    style = {"error": "red", "warning": "yellow", "info": "cyan"}
    for k in range(len(records)):
        severity = cells["severity"][k]
        table.add_row(f"[{style.get(severity, 'white')}]{severity}[/]",
                      *(cells[c][k] for c in ("check", "item", "count", "rows", "message")))
    _print_table(console, table)
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
                        help="Remove respondents flagged by these validation checks (repeatable or comma-separated), "
                             "e.g. -x straightlining,speeders; see --keep-first for duplicates.")


def _keep_first_opt():
    return typer.Option(False, "--keep-first",
                        help="With -x duplicate_ids or duplicate_rows: keep the first copy of each duplicate.")


def _columns_opt():
    return typer.Option(None, "--columns",
                        help="Mapping file {file header: item or field id} for headers the instrument does not know "
                             "(YAML or JSON lines 'header: id', or a two-column CSV header,id).")


def _fuzzy_opt():
    return typer.Option(False, "--fuzzy-aliases",
                        help="Also read the scales' fuzzy option wordings (同意 as 比较同意, ...); each is reported.")


def _estimator_opt():
    return typer.Option(None, "--estimator", "-e",
                        help="MLR (default), ML, MLM, MLMV, GLS, WLS, ULS, DWLS for continuous items; WLSMV (the "
                             "default with --ordered), ULSMV, DWLS, ULS, WLSM, ULSM... for ordered items.")


def _missing_opt():
    return typer.Option("fiml", "--missing",
                        help="Missing answers in ML/MLR fits: fiml (full-information ML, default) or listwise.")


def _ordered_opt():
    return typer.Option(False, "--ordered",
                        help="Treat the items as ordered categories (polychoric correlations, WLSMV).")


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


def _exclusions(exclude: list[str] | None) -> tuple[str, ...]:
    """The check names of -x (repeatable, comma-separated); an unknown name is a usage error."""
    from .workflow import check_names

    try:
        return check_names(exclude or ())
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_USAGE)


def _column_map(path: Path | None) -> dict | None:
    """Read a --columns mapping file: YAML/JSON ``header: id`` or a two-column CSV (header, id)."""
    if path is None:
        return None
    import yaml

    if not Path(path).is_file():
        _fail(f"--columns: file not found: {path}", EXIT_USAGE)
    from .workflow import read_model_file

    try:
        text = read_model_file(path)  # UTF-8 or GBK, as the data files
    except ResilienceStatsError as exc:
        _fail(f"--columns: {exc}", EXIT_USAGE)
    if Path(path).suffix.lower() in (".csv", ".tsv", ".txt"):
        import csv
        import io

        rows = [r for r in csv.reader(io.StringIO(text), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
                if r and any(c.strip() for c in r)]
        if rows and [c.strip().lower() for c in rows[0][:2]] in (["header", "id"], ["column", "id"]):
            rows = rows[1:]
        bad = [r for r in rows if len(r) < 2 or not r[0].strip() or not r[1].strip()]
        if bad or not rows:
            _fail(f"--columns {path}: each line must be 'file header,item or field id'", EXIT_USAGE)
        return {r[0].strip(): r[1].strip() for r in rows}
    try:
        mapping = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        _fail(f"--columns {path}: not valid YAML or JSON ({one_line(exc)})", EXIT_USAGE)
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        _fail(f"--columns {path}: expected lines 'file header: item or field id'", EXIT_USAGE)
    return {str(k): v for k, v in mapping.items()}


def _read(paths: list[Path], inst, exclude: list[str] | None = None, quiet: bool = False, *,
          columns: Path | None = None, fuzzy_aliases: bool = False, keep_first: bool = False):
    """Read the data files as one pooled wave (exit 1 when unreadable), removing the excluded checks' rows."""
    from .workflow import load_pooled

    _quiet_warnings(quiet)
    names = _exclusions(exclude)
    mapping = _column_map(columns)
    absent = [str(p) for p in paths if not Path(p).exists()]
    if absent:
        _fail(f"file not found: {', '.join(absent)}", EXIT_USAGE)
    try:
        wave = load_pooled(paths, inst, exclude=names, keep="first" if keep_first else "none", columns=mapping,
                           fuzzy_aliases=fuzzy_aliases)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_DATA)
    if wave.has_errors and not quiet:
        n = int((wave.issues["severity"] == "error").sum())
        _stderr("warning", f"the data have {n} error(s) (invalid values set to missing); see `resilience-stats "
                           "validate`")
    return wave


def _estimator(estimator: str | None, ordered: bool = False) -> str:
    """The estimator name, checked (usage error for an unknown one or ML/MLR with --ordered)."""
    from .workflow import ESTIMATORS, ORDINAL_ESTIMATORS

    est = (estimator or ("WLSMV" if ordered else "MLR")).upper()
    if est not in ESTIMATORS:
        _fail(f"--estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}", EXIT_USAGE)
    if ordered and est not in ORDINAL_ESTIMATORS:
        _fail(f"--ordered needs an ordinal estimator ({', '.join(ORDINAL_ESTIMATORS)}), not {est}", EXIT_USAGE)
    return est


def _fit_kwargs(estimator: str | None, missing: str = "fiml", ordered: bool = False) -> dict:
    """Keyword arguments of every fit of a command (so that invariance uses FIML when the CFA does)."""
    from .workflow import fit_options

    est = _estimator(estimator, ordered)
    if missing not in ("fiml", "listwise"):
        _fail(f"--missing must be fiml or listwise, not {missing!r}", EXIT_USAGE)
    return fit_options(est, missing, ordered)


def _fit_note(fit, kw: dict) -> dict:
    """n, estimator, missing-data rule and whether the chi-square is scaled: stated with every fit output."""
    from .tables.adapters import test_description

    return {"n": int(getattr(fit, "n_obs", 0) or 0), "estimator": kw["estimator"],
            "missing": kw.get("missing", "pairwise" if kw.get("ordered") else "-"),
            "chisq": test_description(fit)}


def _print_fit_note(note: dict, fmt: str, quiet: bool) -> None:
    if quiet or fmt != "text":
        return
    _console().print(f"n = {note['n']}; estimator {note['estimator']}; missing data: {note['missing']}; "
                     f"chi-square: {note['chisq']}")


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


def _cell(value, whole: bool = False) -> str:
    """A value as table text: floats with 3 decimals (whole numbers without, when ``whole``), NaN empty."""
    import math

    import numpy as np

    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return ""
        return f"{value:.0f}" if whole else f"{value:.3f}"
    return str(value)


def _whole_column(values) -> bool:
    """True when every number of a column is a whole number (counts, df): printed without decimals."""
    import numpy as np
    import pandas as pd

    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").dropna()
    return bool(len(numbers)) and bool(np.all(np.mod(numbers.to_numpy(float), 1) == 0))


def _text_table(frame, title: str | None, console: Console) -> None:
    """A rich table whose numbers and names are never broken: numbers and short texts are not wrapped, long
    texts wrap at spaces, and the table gets the width it needs (wider than the terminal when it must)."""
    import pandas as pd

    from rich.cells import cell_len

    if len(frame) == 1 and frame.shape[1] > 8:  # one wide row (a model's fit): one line per statistic
        frame = pd.DataFrame({"statistic": [str(c) for c in frame.columns],
                              "value": [_cell(v, _whole_column([v]) and abs(float(v)) >= 1)
                                        if isinstance(v, (int, float)) else _cell(v) for v in frame.iloc[0].tolist()]})
    columns = list(frame.columns)
    whole = {c: pd.api.types.is_numeric_dtype(frame[c]) and _whole_column(frame[c]) for c in columns}
    rows = [[_cell(v, whole[c]) for c, v in zip(columns, row)] for row in frame.itertuples(index=False)]
    table = Table(title=title, header_style="bold", title_justify="left")
    for j, col in enumerate(columns):
        cells = [r[j] for r in rows]
        natural = max([cell_len(c) for c in [str(col), *cells]])
        numeric = pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col])
        if numeric or natural <= 30:  # numbers and names keep their full width
            table.add_column(str(col), justify="right" if numeric else "left", no_wrap=True, min_width=natural)
        else:  # long texts wrap between words (CJK between characters)
            words = [cell_len(w) for c in cells for w in c.split()] or [1]
            table.add_column(str(col), overflow="fold", min_width=min(max(words), 30), ratio=1)
    for r in rows:
        table.add_row(*r)
    _print_table(console, table)


def _print_table(console: Console, table: Table) -> None:
    """Print ``table`` at the width it needs (never squeezed below its columns' minimum widths: no broken
    numbers or words), wider than the console when it must."""
    need = sum((col.min_width or 1) + 2 for col in table.columns) + len(table.columns) + 1
    if need > console.width:
        wide = Console(quiet=console.quiet, highlight=False, soft_wrap=False, width=need, file=console.file)
        wide.print(table)
    else:
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
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Sample size and construct score descriptives (n, mean, sd, min, max, skew, kurtosis).

    Example: resilience-stats describe wave1.csv wave2.csv -i party_building_social_capital --format csv
    """
    from .workflow import score_descriptives

    _check_format(fmt)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    _emit({"constructs": _guard(lambda: score_descriptives(wave))}, fmt, quiet)


@app.command()
def reliability(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Cronbach's alpha (Feldt CI) and McDonald's omega of every construct.

    Example: resilience-stats reliability wave1.csv -i party_building_social_capital --format json
    """
    from .psychometrics import reliability as _reliability

    _check_format(fmt)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
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
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    seed: int = _seed_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Exploratory factor analysis (minres) of all items; without -k, parallel analysis picks the factors.

    Example: resilience-stats efa wave1.csv -i party_building_social_capital -k 7
    """
    from .psychometrics import efa as _efa
    from .psychometrics import parallel_analysis

    _check_format(fmt)
    if n_factors is not None and n_factors < 1:
        _fail("--n-factors must be at least 1", EXIT_USAGE)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
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


def _fit_outputs(fit, kw: dict, label: str, keep_ops: tuple, fmt: str, quiet: bool, estimates=None) -> None:
    """Print a fit: n, estimator and scaling first, then fit indices and estimates (csv: the estimates, with
    n, estimator and the chi-square test as columns)."""
    note = _fit_note(fit, kw)
    est = fit.estimates if estimates is None else estimates
    est = est[est["op"].isin(keep_ops)]
    fit_frame = _fit_frame(fit, label)
    for key in ("n", "estimator", "missing", "chisq"):
        fit_frame.insert(1 + list(note).index(key), key if key != "chisq" else "chisq_test", note[key])
    if fmt == "csv":
        est = est.assign(n=note["n"], estimator=note["estimator"], chisq_test=note["chisq"])
    _print_fit_note(note, fmt, quiet)
    _emit({"fit": fit_frame, "estimates": est}, fmt, quiet, csv_key="estimates")


@app.command()
def cfa(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="lavaan syntax file (default: the instrument's measurement model)."),
    estimator: Optional[str] = _estimator_opt(),
    missing: str = _missing_opt(),
    ordered: bool = _ordered_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Confirmatory factor analysis: fit indices and standardized loadings (csv: all loadings).

    Example: resilience-stats cfa wave1.csv -i party_building_social_capital --estimator MLR
    """
    from .sem import cfa as _cfa

    _check_format(fmt)
    kw = _fit_kwargs(estimator, missing, ordered)
    inst = _load_instrument(instrument)
    syntax = inst.measurement_model() if model is None else _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    fit = _guard(lambda: _cfa(wave, syntax, **kw))
    if not fit.converged:
        _fail("the model did not converge: " + "; ".join(map(str, fit.warnings)), EXIT_DATA)
    _fit_outputs(fit, kw, "CFA", ("=~",), fmt, quiet)


@app.command()
def cmb(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    marker: Optional[str] = typer.Option(None, "--marker",
                                         help="Marker variable: a numeric column unrelated to the constructs "
                                              "(Lindell-Whitney correction of the construct correlations)."),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="lavaan syntax file (default: the instrument's measurement model)."),
    estimator: Optional[str] = typer.Option(None, "--estimator", "-e", help="ML or MLR (default)."),
    missing: str = _missing_opt(),
    method_loadings: str = typer.Option("equal", "--method-loadings",
                                        help="Loadings of the method factor (ULMC): equal (default) or free."),
    exclude: Optional[list[str]] = _exclude_opt(),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Common-method bias: Harman's test, single-factor CFA, a latent method factor (ULMC) and, with --marker,
    the marker-variable correction; the verdict comes first (csv: the model comparisons).

    Example: resilience-stats cmb wave1.csv -i party_building_social_capital --marker attitude_weather
    """
    from .psychometrics import common_method_bias

    _check_format(fmt)
    est = (estimator or "MLR").upper()
    if est not in ("ML", "MLR"):
        _fail(f"--estimator must be ML or MLR for the common-method checks, not {estimator!r}", EXIT_USAGE)
    if missing not in ("fiml", "listwise"):
        _fail(f"--missing must be fiml or listwise, not {missing!r}", EXIT_USAGE)
    if method_loadings not in ("equal", "free"):
        _fail(f"--method-loadings must be equal or free, not {method_loadings!r}", EXIT_USAGE)
    inst = _load_instrument(instrument)
    syntax = inst.measurement_model() if model is None else _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    res = _guard(lambda: common_method_bias(wave, syntax, marker, estimator=est, missing=missing,
                                            method_loadings=method_loadings))
    frames = {name: frame.reset_index() if frame.index.name else frame for name, frame in (
        ("comparisons", res.comparisons), ("harman", res.harman), ("model_fit", res.model_fit),
        ("method_variance", res.method_variance), ("marker", res.marker)) if frame is not None}
    if not quiet and fmt == "text":
        _console().print(res.verdict)
    if fmt == "json" and not quiet:
        typer.echo(json.dumps({"verdict": res.verdict, "flags": res.flags, "r_m": None if marker is None else res.r_m,
                               **{k: _records(v) for k, v in frames.items()}}, ensure_ascii=False, indent=2))
        return
    _emit(frames, fmt, quiet, csv_key="comparisons")


@app.command()
def sem(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    model: Optional[str] = _model_opt(),
    estimator: Optional[str] = _estimator_opt(),
    missing: str = _missing_opt(),
    ordered: bool = _ordered_opt(),
    bootstrap: int = typer.Option(0, "--bootstrap", "-b",
                                  help="Bootstrap replicates for the CIs (0: none; otherwise at least 2)."),
    exclude: Optional[list[str]] = _exclude_opt(),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    seed: int = _seed_opt(),
    n_jobs: Optional[int] = _n_jobs_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Structural equation model: fit, paths and defined (indirect) effects, optionally bootstrapped.

    Example: resilience-stats sem wave1.csv -i party_building_social_capital --model chen_zhang --bootstrap 1000
    """
    from .sem import sem as _sem

    _check_format(fmt)
    if bootstrap < 0 or bootstrap == 1:
        _fail(f"--bootstrap must be 0 (none) or at least 2 replicates, not {bootstrap}", EXIT_USAGE)
    kw = _fit_kwargs(estimator, missing, ordered)
    inst = _load_instrument(instrument)
    syntax = _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    fit = _guard(lambda: _sem(syntax, wave, **kw))
    if not fit.converged:
        _fail("the model did not converge: " + "; ".join(map(str, fit.warnings)), EXIT_DATA)
    est = fit.estimates
    if bootstrap:
        options = {"seed": seed, "progress": not quiet, **({"n_jobs": n_jobs} if n_jobs is not None else {})}
        est = _guard(lambda: fit.bootstrap(bootstrap, **options)).estimates
    _fit_outputs(fit, kw, "SEM", ("~", ":="), fmt, quiet, estimates=est)


@app.command()
def invariance(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    group: str = typer.Option(..., "--group", "-g", help="Grouping column (e.g. wave, gender, party_member)."),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="lavaan syntax file (default: the instrument's measurement model)."),
    estimator: Optional[str] = _estimator_opt(),
    missing: str = _missing_opt(),
    ordered: bool = _ordered_opt(),
    exclude: Optional[list[str]] = _exclude_opt(),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Measurement invariance across groups: configural, metric, scalar (and strict) models.

    Uses the same estimator and missing-data rule as `cfa` (MLR with FIML by default). Respondents without a
    group value are left out, with a warning saying how many.

    Example: resilience-stats invariance wave1.csv wave2.csv -i party_building_social_capital --group wave
    """
    import resilience_stats as rs

    from .workflow import group_rows

    _check_format(fmt)
    kw = _fit_kwargs(estimator, missing, ordered)
    inst = _load_instrument(instrument)
    syntax = inst.measurement_model() if model is None else _resolve_model(model, inst)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    if group not in wave.data.columns:
        _fail(f"--group {group!r} is not a column of the data", EXIT_USAGE)
    wave = _guard(lambda: group_rows(wave, group))
    result = _guard(lambda: rs.invariance(syntax, wave, group=group, **kw))
    table = result.table.copy()
    n = int(wave.data[group].notna().sum())
    for pos, (key, value) in enumerate((("n", n), ("estimator", kw["estimator"]),
                                        ("missing", kw.get("missing", "pairwise")),
                                        ("chisq_test", _scaling_text(kw["estimator"])))):
        table.insert(1 + pos, key, value)
    if not quiet and fmt == "text":
        _console().print(f"n = {n}; groups: {wave.data[group].nunique()}; estimator {kw['estimator']}; missing "
                         f"data: {kw.get('missing', 'pairwise')}; chi-square: {_scaling_text(kw['estimator'])}")
    _emit({"invariance": table}, fmt, quiet)


def _names_list(value: Optional[str]) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@app.command()
def process(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    model: int = typer.Option(..., "--model", help="PROCESS model number: 1-8, 14, 15, 58 or 59."),
    x: str = typer.Option(..., "--x", "-x", help="Focal antecedent X: a construct id (scored as the mean of its "
                                                 "items) or a column of the data."),
    y: str = typer.Option(..., "--y", "-y", help="Outcome Y (construct id or column)."),
    m: Optional[str] = typer.Option(None, "--m", "-m", help="Mediator(s), comma-separated (causal order for model 6)."),
    w: Optional[str] = typer.Option(None, "--w", "-w", help="Moderator W."),
    z: Optional[str] = typer.Option(None, "--z", "-z", help="Second moderator Z (models 2 and 3)."),
    covariates: Optional[str] = typer.Option(None, "--cov", "-c", help="Covariates, comma-separated."),
    center: Optional[str] = typer.Option(None, "--center", help="Mean-centre product variables: all or xw."),
    boot: int = typer.Option(5000, "--boot", "-b", help="Bootstrap resamples for indirect effects (0: none)."),
    hc: Optional[str] = typer.Option(None, "--hc", help="Heteroskedasticity-consistent SEs: HC0, HC1, HC2, HC3, HC4."),
    conditional_at: str = typer.Option("percentiles", "--conditional-at",
                                       help="Probe values of W/Z: percentiles (16th/50th/84th) or meansd."),
    level: float = typer.Option(0.95, "--level", help="Confidence level."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude",
                                                help="Remove respondents flagged by these validation checks "
                                                     "(repeatable or comma-separated)."),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    seed: int = _seed_opt(),
    n_jobs: Optional[int] = typer.Option(None, "--n-jobs", "-j", help="Threads for the bootstrap (same numbers "
                                                                      "for any value)."),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Hayes PROCESS model on construct scores: regressions, direct/indirect effects, simple slopes, J-N.

    text: the PROCESS-style summary; json: every table; csv: the regression coefficients (paths).
    -x, -y, -m, -w, -z name the model's variables here (use --exclude for validation checks).

    Example: resilience-stats process wave1.csv -i party_building_social_capital --model 4 -x PBL -y RES
    -m NET,NORM,TRUST --boot 5000 --seed 0
    """
    from .errors import ModelSpecificationError
    from .regression import process as _process
    from .regression._process_models import build_spec

    _check_format(fmt)
    mediators, covs = _names_list(m), _names_list(covariates)
    try:
        build_spec(model, x, y, m=mediators, w=w, z=z, covariates=covs)
    except ModelSpecificationError as exc:
        _fail(str(exc), EXIT_USAGE)
    if center not in (None, "all", "xw") or conditional_at not in ("percentiles", "meansd"):
        _fail("--center must be all or xw, --conditional-at percentiles or meansd", EXIT_USAGE)
    if boot < 0 or 0 < boot < 200 or not 0.5 <= level < 1:
        _fail("--boot must be 0 or at least 200, --level in [0.5, 1)", EXIT_USAGE)
    if hc is not None and hc.upper() not in ("HC0", "HC1", "HC2", "HC3", "HC4"):
        _fail(f"--hc must be one of HC0, HC1, HC2, HC3, HC4, not {hc!r}", EXIT_USAGE)
    inst = _load_instrument(instrument)
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    res = _guard(lambda: _process(wave, model, x, y, m=mediators, w=w, z=z, covariates=covs, center=center,
                                  boot=boot, seed=seed, level=level, hc=hc, n_jobs=n_jobs,
                                  conditional_at=conditional_at))
    if quiet:
        return
    if fmt == "text":
        typer.echo(res.summary())
        return
    names = ("models", "paths", "total", "direct", "indirect", "conditional_indirect", "index_moderated_mediation",
             "simple_slopes", "johnson_neyman")
    frames = {k: getattr(res, k) for k in names if not getattr(res, k).empty or k in ("models", "paths")}
    _emit(frames, fmt, quiet, csv_key="paths")


def _centering_map(value: Optional[str]) -> dict:
    out = {}
    for part in _names_list(value):
        var, sep, how = part.partition("=")
        if not sep or how.strip() not in ("group", "grand"):
            _fail(f"--center takes VAR=group or VAR=grand, comma-separated (e.g. NET=group,NORM=grand), not {part!r}",
                  EXIT_USAGE)
        out[var.strip()] = how.strip()
    return out


@app.command()
def multilevel(
    data: list[Path] = typer.Argument(..., help=_DATA_HELP),
    instrument: str = _instrument_opt(),
    y: str = typer.Option(..., "--y", "-y", help="Outcome (construct id, scored as the mean of its items, or column)."),
    x: Optional[str] = typer.Option(None, "--x", "-x", help="Level-1 (resident) predictors, comma-separated."),
    w: Optional[str] = typer.Option(None, "--w", "-w", help="Level-2 (community) predictors, comma-separated; "
                                                            "VAR_mean is the community mean of VAR."),
    cluster: Optional[str] = typer.Option(None, "--cluster",
                                          help="Column of community ids (default: the instrument's cluster field)."),
    random_slopes: Optional[str] = typer.Option(None, "--random-slopes",
                                                help="Level-1 predictors with random slopes, comma-separated."),
    interactions: Optional[str] = typer.Option(None, "--interactions",
                                               help="Products, comma-separated, e.g. NET:PBL_mean (cross-level)."),
    center: Optional[str] = typer.Option(None, "--center", help="Centring, e.g. NET=group,NORM=grand (group: "
                                                                "within community; grand: overall mean)."),
    ml: bool = typer.Option(False, "--ml", help="Estimate by ML instead of REML."),
    level: float = typer.Option(0.95, "--level", help="Confidence level."),
    min_cluster_size: int = typer.Option(2, "--min-cluster-size",
                                         help="Communities with fewer residents are an error; 1 keeps "
                                              "single-resident communities (as lme4)."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude",
                                                help="Remove respondents flagged by these validation checks "
                                                     "(repeatable or comma-separated)."),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Multilevel regression of residents in communities (random intercepts and slopes, lme4-style).

    text: the model summary and the null-model ICC; json: every table; csv: the fixed effects.

    Example: resilience-stats multilevel wave1.csv -i party_building_social_capital -y RES -x NET,NORM
    --w PBL_mean --cluster community --center NET=group
    """
    import pandas as pd

    from .regression import multilevel as _multilevel, null_model_icc

    _check_format(fmt)
    if not 0.5 <= level < 1:
        _fail("--level must lie in [0.5, 1)", EXIT_USAGE)
    centering = _centering_map(center)
    inst = _load_instrument(instrument)
    if cluster is None:
        ids = inst.field_ids("cluster")
        if len(ids) != 1:
            _fail("--cluster is needed: the instrument names " + (f"{len(ids)} cluster fields" if ids else
                                                                  "no cluster (community) field"), EXIT_USAGE)
        cluster = ids[0]
    wave = _read(data, inst, exclude, quiet, columns=columns, fuzzy_aliases=fuzzy_aliases, keep_first=keep_first)
    res = _guard(lambda: _multilevel(wave, y, _names_list(x), _names_list(w), cluster=cluster,
                                     random_slopes=_names_list(random_slopes),
                                     interactions=_names_list(interactions), center=centering, reml=not ml,
                                     level=level, min_cluster_size=min_cluster_size))
    icc = _guard(lambda: null_model_icc(wave, y, cluster, reml=not ml))
    if quiet:
        return
    if fmt == "text":
        row = icc.iloc[0]
        typer.echo(res.summary())
        typer.echo(f"\nNull model: ICC = {row['icc']:.4f}, design effect = {row['design_effect']:.3f} "
                   f"(mean community size {row['mean_cluster_size']:.1f})")
        return
    frames = {"fixed_effects": res.fixed_effects, "random_effects": res.random_effects,
              "fit": pd.DataFrame([{**res.fit, **{f"r2_{k}": v for k, v in res.r2.items()}}]), "null_model_icc": icc,
              "cluster_effects": res.cluster_effects}
    _emit(frames, fmt, quiet, csv_key="fixed_effects")


def _scaling_text(estimator: str) -> str:
    from .tables.adapters import scaling_of

    return scaling_of(estimator)


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
    """Monte Carlo power of every parameter for several sample sizes (progress bar with time left).

    Without --model the instrument's example population model is used (the values behind `example`).

    Example: resilience-stats power -i party_building_social_capital --n 200,400,800 --reps 200 --out power.png
    """
    import resilience_stats as rs

    from .workflow import read_model_file

    _check_format(fmt)
    _quiet_warnings(quiet)
    try:
        ns = [int(x) for x in n.split(",") if x.strip()]
    except ValueError:
        _fail(f"--n must be comma-separated integers, not {n!r}", EXIT_USAGE)
    if not ns or min(ns) < 2 or reps < 1:
        _fail("--n needs sample sizes of at least 2 and --reps at least 1", EXIT_USAGE)
    if estimator.upper() not in ("ML", "MLR"):
        _fail(f"--estimator must be ML or MLR, not {estimator!r}", EXIT_USAGE)
    if out is not None and out.suffix.lower() not in (".png", ".svg", ".pdf"):
        _fail(f"--out must end in .png, .svg or .pdf, not {out.name!r}", EXIT_USAGE)
    if model is not None:
        if not model.is_file():
            _fail(f"model file not found: {model}", EXIT_USAGE)
        try:
            population = read_model_file(model)
        except ResilienceStatsError as exc:
            _fail(str(exc), EXIT_USAGE)
    else:
        population = rs.example_population(_load_instrument(instrument))["population_model"]
    total = len(ns) * reps
    with _progress(quiet, timed=True) as progress:
        task = progress.add_task(f"power: {reps} replicates x n = {', '.join(map(str, ns))}", total=total)

        def on_progress(done: int, _total: int) -> None:
            progress.update(task, completed=done)

        result = _guard(lambda: rs.power(population, n=ns, reps=reps, seed=seed, n_jobs=n_jobs,
                                         estimator=estimator.upper(), progress=on_progress))
    if out is not None:
        _guard(lambda: rs.plots.save(result.plot(), out))
    if not quiet and fmt == "text":
        _console().print(f"estimator {estimator.upper()}; {reps} replicates per n; converged: "
                         + ", ".join(f"n = {int(r.n)}: {r.converged_share:.0%}" for r in result.fit.itertuples()))
    _emit({"power": result.table, "fit": result.fit}, fmt, quiet, csv_key="power")


# == community-level analyses: composite index and QCA ============================================================
def _community_table(path: Path):
    """A community-level table (CSV/TSV/Excel/SPSS/Stata/Parquet) with numeric-looking columns as numbers."""
    import pandas as pd

    from .survey.io import read_table

    if not Path(path).exists():
        _fail(f"file not found: {path}", EXIT_USAGE)
    try:
        raw, _info = read_table(path)
    except ResilienceStatsError as exc:
        _fail(str(exc), EXIT_DATA)
    out = raw.copy()
    for col in out.columns:
        values = pd.to_numeric(out[col], errors="coerce")
        if values.notna().sum() == out[col].notna().sum() and out[col].notna().any():
            out[col] = values
    return out


def _ahp_matrix(path: Path | None):
    """An AHP pairwise-comparison matrix from a CSV whose first column and header name the indicators."""
    if path is None:
        return None
    table = _community_table(path)
    matrix = table.set_index(table.columns[0])
    matrix.index = matrix.index.astype(str)
    return matrix


def _write_output(obj, out: Path | None, quiet: bool) -> None:
    """Write a PubTable (.docx/.html/.md/.tex/.xlsx) or a figure (.png/.svg/.pdf) to ``out``."""
    if out is None:
        return
    suffix = out.suffix.lower()
    writers = {".docx": "to_docx", ".html": "to_html", ".md": "to_markdown", ".tex": "to_latex", ".xlsx": "to_excel"}
    if suffix not in writers:
        _fail(f"--out must end in .docx, .html, .md, .tex or .xlsx, not {out.name!r}", EXIT_USAGE)
    from ._atomic import write_atomic

    out.parent.mkdir(parents=True, exist_ok=True)
    _guard(lambda: write_atomic(out, lambda tmp: getattr(obj, writers[suffix])(tmp)))
    if not quiet:
        _stderr("wrote", str(out))


def _write_plot(draw, path: Path | None, quiet: bool) -> None:
    if path is None:
        return
    import resilience_stats as rs

    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        _fail(f"--plot must end in .png, .svg or .pdf, not {path.name!r}", EXIT_USAGE)
    _guard(lambda: rs.plots.save(draw(), path))
    if not quiet:
        _stderr("wrote", str(path))


@app.command()
def index(
    data: list[Path] = typer.Argument(..., help="A community-level table (one row per community, or community "
                                                "and wave), or survey file(s) with --instrument."),
    instrument: Optional[str] = _instrument_opt(required=False),
    indicators: Optional[str] = typer.Option(None, "--indicators", help="Indicator columns (or construct ids), "
                                                                        "comma-separated; default: all numeric "
                                                                        "columns (survey: the resilience facets)."),
    cost: Optional[str] = typer.Option(None, "--cost", help="Cost (negative) indicators, comma-separated."),
    method: str = typer.Option("entropy", "--method", help="Weights: entropy, critic, ahp, equal or combined."),
    ahp: Optional[Path] = typer.Option(None, "--ahp", help="AHP pairwise-comparison matrix (CSV; first column and "
                                                           "header name the indicators)."),
    combine: str = typer.Option("game", "--combine", help="combined weights: game or multiplicative."),
    id_col: str = typer.Option("community", "--id", help="Column naming the communities."),
    wave: Optional[str] = typer.Option(None, "--wave", help="Wave column (default: 'wave' when present)."),
    by: Optional[str] = typer.Option(None, "--by", help="Analyse these groups separately (comma-separated)."),
    shift: float = typer.Option(0.0, "--shift", help="Normalized value shift + (1 - shift) z, e.g. 0.01."),
    score: str = typer.Option("topsis", "--score", help="Ranked score: topsis (closeness) or weighted (sum)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the ranked table (.docx/.html/.md/.tex/.xlsx)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write the score bar chart (.png/.svg/.pdf)."),
    lang: str = typer.Option("en", "--lang", "-l", help="Language of --out and --plot: en or zh."),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Composite index of communities: weights, TOPSIS scores, ranks and obstacle degrees.

    text: weights and ranked scores; json: weights, scores and obstacle degrees; csv: the scores.

    Examples:

      resilience-stats index communities.csv --indicators trust,networks,conflicts --cost conflicts

      resilience-stats index wave1.csv wave2.csv -i party_building_social_capital --method critic --out index.docx
    """
    from .indices import composite_index

    _check_format(fmt)
    if lang not in ("en", "zh"):
        _fail(f"--lang must be en or zh, not {lang!r}", EXIT_USAGE)
    if instrument is not None:
        frame = _read(data, _load_instrument(instrument), quiet=quiet)
    elif len(data) == 1:
        frame = _community_table(data[0])
    else:
        _fail("several files are survey waves: give --instrument, or one community-level table", EXIT_USAGE)
    inds = _names_list(indicators) or None
    direction = {c: "-" for c in _names_list(cost)}
    res = _guard(lambda: composite_index(frame, inds, direction or None, method, by=_names_list(by) or None,
                                         wave=wave, id=id_col, ahp_matrix=_ahp_matrix(ahp), combine=combine,
                                         shift=shift, score=score))
    for w in res.warnings:
        _stderr("warning", w)
    _write_output(res.to_table("scores", lang=lang, style="three-line" if lang == "zh" else "apa"), out, quiet)
    _write_plot(lambda: res.plot("bar", lang=lang), plot, quiet)
    _emit({"weights": res.weights, "scores": res.scores, **({"obstacle": res.obstacle} if fmt == "json" else {})},
          fmt, quiet, csv_key="scores")


def _anchors(values: Optional[list[str]]) -> dict:
    """--anchors COLUMN=e,c,i (repeatable) as {column: (e, c, i)}."""
    out = {}
    for text in values or ():
        name, _, nums = text.partition("=")
        try:
            anchors = tuple(float(v) for v in nums.split(","))
        except ValueError:
            anchors = ()
        if not name.strip() or len(anchors) != 3:
            _fail(f"--anchors must look like COLUMN=e,c,i (three numbers), not {text!r}", EXIT_USAGE)
        out[name.strip()] = anchors
    return out


@app.command()
def qca(
    data: Path = typer.Argument(..., help="A community-level table of set memberships (or raw scores with "
                                          "--anchors); one row per case."),
    outcome: str = typer.Option(..., "--outcome", "-y", help="Outcome column (~Y for its negation)."),
    conditions: Optional[str] = typer.Option(None, "--conditions", "-c",
                                             help="Condition columns, comma-separated (default: every other numeric "
                                                  "column)."),
    anchors: Optional[list[str]] = typer.Option(None, "--anchors", help="Calibrate a raw column: COLUMN=e,c,i "
                                                                        "(full non-membership, crossover, full "
                                                                        "membership); repeatable."),
    id_col: Optional[str] = typer.Option(None, "--id", help="Column naming the cases (default: 'community' or "
                                                            "'case' when present)."),
    incl_cut: float = typer.Option(0.8, "--incl-cut", help="Consistency cut-off of the truth table."),
    n_cut: int = typer.Option(1, "--n-cut", help="Frequency cut-off of the truth table."),
    pri_cut: float = typer.Option(0.0, "--pri-cut", help="PRI cut-off of the truth table."),
    dir_exp: Optional[str] = typer.Option(None, "--dir-exp", help="Directional expectations for the intermediate "
                                                                  "solution, e.g. 'PBL,NET,~CONFLICT'."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the configuration table "
                                                                 "(.docx/.html/.md/.tex/.xlsx)."),
    symbols: str = typer.Option("circles", "--symbols", help="Absence symbols of the table: circles or crossed."),
    lang: str = typer.Option("en", "--lang", "-l", help="Language of --out: en or zh."),
    fmt: str = _format_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Fuzzy-set (or crisp-set) QCA: necessity, truth table, complex/parsimonious/intermediate solutions.

    text: the solutions and the configuration table; json: every table; csv: the truth table.

    Example: resilience-stats qca communities.csv -y RES -c PBL,NET,TRUST --incl-cut 0.8 --dir-exp PBL,NET,TRUST
    --anchors PBL=2.5,3.5,4.5 --out configurations.docx
    """
    from . import qca as _qca

    _check_format(fmt)
    if lang not in ("en", "zh") or symbols not in ("circles", "crossed"):
        _fail("--lang must be en or zh, --symbols circles or crossed", EXIT_USAGE)
    table = _community_table(data)
    ident = id_col or next((c for c in ("community", "case") if c in table.columns), None)
    if ident is not None:
        if ident not in table.columns:
            _fail(f"--id {ident!r} is not a column of {data}", EXIT_USAGE)
        table = table.set_index(table[ident].astype(str)).drop(columns=[ident])
    cal = _anchors(anchors)
    if cal:
        table = _guard(lambda: _qca.calibrate(table, cal))
    res = _guard(lambda: _qca.fsqca(table, outcome, _names_list(conditions) or None, incl_cut=incl_cut, n_cut=n_cut,
                                    pri_cut=pri_cut, dir_exp=_names_list(dir_exp) or None))
    for note in res.notes:
        _stderr("note", note)
    kind = "intermediate" if res.intermediate is not None else None
    _write_output(res.to_table("configurations", solution=kind, symbols=symbols, lang=lang,
                               style="three-line" if lang == "zh" else "apa"), out, quiet)
    if quiet:
        return
    if fmt == "text":
        typer.echo(res.summary())
        _text_table(res.to_table("configurations", solution=kind, symbols=symbols).display(), "configurations",
                    _console())
        return
    frames = {"truth_table": res.truth_table.table, "necessity": res.necessity}
    for k in ("complex", "parsimonious", "intermediate"):
        sol = getattr(res, k)
        if sol is not None:
            frames[k] = sol.table
    _emit(frames, fmt, quiet, csv_key="truth_table")


# == report ========================================================================================================
def _progress(quiet: bool, timed: bool = False):
    """A progress bar on stderr; ``timed`` adds the share done and an estimate of the time left."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
    if timed:
        columns += [MofNCompleteColumn(), TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                    TimeRemainingColumn()]
    else:
        columns.append(TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True, quiet=quiet), transient=True)


def _split_formats(formats: str) -> tuple:
    from .report import FORMATS

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        _fail(f"--formats must be a comma-separated selection of {', '.join(FORMATS)}, not {formats!r}", EXIT_USAGE)
    return chosen


def _run_report(waves, inst, *, model, out, formats, lang, bootstrap, seed, exclude, group, estimator,
                timestamp, quiet, fmt, call, n_jobs=None, missing="fiml", ordered=False, columns=None,
                fuzzy_aliases=False, keep_first=False, page="a4") -> None:
    from .report import report as _report
    from .workflow import STEP_NAMES

    _quiet_warnings(quiet)
    if lang not in ("zh", "en"):
        _fail(f"--lang must be zh or en, not {lang!r}", EXIT_USAGE)
    if bootstrap < 0 or bootstrap == 1:
        _fail(f"--bootstrap must be 0 (none) or at least 2 replicates, not {bootstrap}", EXIT_USAGE)
    if page.lower() not in ("a4", "letter"):
        _fail(f"--page must be a4 or letter, not {page!r}", EXIT_USAGE)
    _check_format(fmt, ("text", "json"))
    chosen = _split_formats(formats)
    estimator = _fit_kwargs(estimator, missing, ordered)["estimator"]
    exclude = _exclusions(exclude)
    mapping = _column_map(columns)
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
                             call=call, on_step=on_step, n_jobs=n_jobs, missing=missing, columns=mapping,
                             fuzzy_aliases=fuzzy_aliases, keep="first" if keep_first else "none",
                             page=page.lower())  # the rich bar shows the steps
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
    estimator: Optional[str] = _estimator_opt(),
    missing: str = _missing_opt(),
    ordered: bool = _ordered_opt(),
    keep_first: bool = _keep_first_opt(),
    columns: Optional[Path] = _columns_opt(),
    fuzzy_aliases: bool = _fuzzy_opt(),
    page: str = typer.Option("a4", "--page", help="Page size of the Word report: a4 (default) or letter."),
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
    absent = [str(p) for p in data if not Path(p).exists()]
    if absent:
        _fail(f"file not found: {', '.join(absent)}", EXIT_USAGE)
    _run_report([str(p) for p in data] if len(data) > 1 else str(data[0]), inst, model=model, out=out,
                formats=formats, lang=lang, bootstrap=bootstrap, seed=seed, exclude=exclude, group=group,
                estimator=estimator, timestamp=timestamp, quiet=quiet, fmt=fmt, call=_command_line(ctx), n_jobs=n_jobs,
                missing=missing, ordered=ordered, columns=columns, fuzzy_aliases=fuzzy_aliases,
                keep_first=keep_first, page=page)


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
    page: str = typer.Option("a4", "--page", help="Page size of the Word report: a4 (default) or letter."),
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
                call=_command_line(ctx), n_jobs=n_jobs, page=page)


@app.command()
def example(
    out: Path = typer.Option(Path("."), "--out", "-o", help="Folder to write wave1.csv, wave2.csv, ... into."),
    instrument: str = typer.Option("party_building_social_capital", "--instrument", "-i",
                                   help="Bundled questionnaire (or YAML) of the example survey."),
    n: int = typer.Option(300, "--n", help="Respondents per wave."),
    waves: int = typer.Option(2, "--waves", help="Number of waves (one file each)."),
    as_text: bool = typer.Option(False, "--text", help="Write option texts (非常同意 ...) as Wenjuanxing's text "
                                 "export does, instead of codes."),
    encoding: str = typer.Option("utf-8", "--encoding", help="utf-8 (default) or gbk."),
    seed: int = _seed_opt(),
    quiet: bool = _quiet_opt(),
) -> None:
    """Write example survey files (wave1.csv, wave2.csv) that the other commands' examples use.

    The answers are drawn from the instrument's example population model (the one `power` simulates), with a
    few missing answers and missing codes, as a survey platform exports them.

    Example: resilience-stats example --out . && resilience-stats validate wave1.csv -i party_building_social_capital
    """
    from .survey import example_survey

    if n < 10 or waves < 1:
        _fail("--n must be at least 10 and --waves at least 1", EXIT_USAGE)
    if encoding.lower() not in ("utf-8", "utf8", "gbk", "gb18030"):
        _fail(f"--encoding must be utf-8 or gbk, not {encoding!r}", EXIT_USAGE)
    inst = _load_instrument(instrument)
    raw = _guard(lambda: example_survey(inst, n=n, seed=seed, waves=waves, as_text=as_text))
    wave_ids = inst.field_ids("wave")
    wave_col = wave_ids[0] if wave_ids and wave_ids[0] in raw.columns else None
    parts = list(raw.groupby(wave_col, sort=True)) if wave_col else [(1, raw)]
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot create folder {out}: {exc.strerror}", EXIT_USAGE)
    from ._atomic import write_bytes_atomic

    for k, (_label, part) in enumerate(parts, start=1):
        path = Path(out) / f"wave{k}.csv"
        data = part.to_csv(index=False).encode("gb18030" if encoding.lower() in ("gbk", "gb18030") else "utf-8")
        write_bytes_atomic(path, data)
        if not quiet:
            _console().print(f"wrote {path} ({len(part)} respondents)")


@instruments_app.command("init")
def instruments_init(
    export: list[Path] = typer.Argument(..., help="Survey platform export(s) (.csv/.xlsx/...) with one column per "
                                                  "question; several files (waves) are drafted together."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="YAML file to write (default: print it)."),
    instrument_id: str = typer.Option("my_survey", "--id", help="Id of the new questionnaire (lower case)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Force a text encoding (default: detect)."),
) -> None:
    """Draft a questionnaire YAML from a platform export: headers become items, option texts the scale.

    Platform columns (序号, 提交答卷时间, 所用时间, IP ...) become fields. Every item is put in one construct
    C1: edit the constructs (and add reverse: true where needed), then read the export with -i <the YAML>.

    Example: resilience-stats instruments init wjx_export.xlsx --out my_survey.yaml
    """
    from .instruments.draft import draft_instrument

    absent = [str(p) for p in export if not p.exists()]
    if absent:
        _fail(f"file not found: {', '.join(absent)}", EXIT_USAGE)
    try:
        text = _guard(lambda: draft_instrument(export, instrument_id=instrument_id, encoding=encoding))
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)
    if out is None:
        typer.echo(text, nl=False)
        return
    from ._atomic import write_text_atomic

    try:
        write_text_atomic(out, text)
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror}", EXIT_USAGE)
    _console().print(f"wrote {out}: edit its constructs, then use -i {out}")


def _terminate(signum, _frame) -> None:
    """SIGTERM ends the run like Ctrl-C: files being written are removed, not left half-written."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: one ``error:`` line and exit 2 for usage errors, never a traceback.

    A package error that escapes a command ends with its message and exit 1; an unexpected exception ends
    with one line naming it (set RS_DEBUG=1 to see the traceback).
    """
    import os

    try:  # typer >= 0.22 carries its own copy of click
        from typer._click import exceptions as click_errors
    except ImportError:  # pragma: no cover - older typer uses click itself
        from click import exceptions as click_errors

    try:
        signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # pragma: no cover - not in the main thread
        pass
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="resilience-stats", standalone_mode=False)
    except click_errors.NoArgsIsHelpError:  # the help was printed already
        code = EXIT_OK
    except click_errors.UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        _stderr("error", exc.format_message() + where)
        code = EXIT_USAGE
    except click_errors.ClickException as exc:
        _stderr("error", exc.format_message())
        code = exc.exit_code
    except (getattr(click_errors, "Abort", KeyboardInterrupt), typer.Abort, KeyboardInterrupt):
        _stderr("error", "interrupted")
        code = 130
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error of ours
        code = EXIT_OK
    except ResilienceStatsError as exc:
        _stderr("error", str(exc))
        code = EXIT_DATA
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("RS_DEBUG"):
            raise
        _stderr("error", f"unexpected {type(exc).__name__}: {exc} (please report this; RS_DEBUG=1 shows details)")
        code = EXIT_DATA
    return code if isinstance(code, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
