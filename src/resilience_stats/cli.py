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


def main() -> None:
    """Console-script entry point (click already exits with 2 on usage errors)."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
