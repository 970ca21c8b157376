"""Excel renderer (openpyxl): one sheet laid out like the printed table, with the style's rules as cell
borders.

Excel has no point widths for borders: a rule of 1.5 pt or more is ``medium``, a thinner one ``thin``
(three-line: medium top and bottom, thin under the head; APA: thin everywhere). Cells hold the display
strings as text (``".93"``, ``"< .001"`` are not numbers); minus signs stay ASCII. Fonts: Times New Roman
(Excel picks a CJK fallback for Chinese characters).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .._atomic import write_atomic
from .layout import Layout
from .richtext import plain_text

if TYPE_CHECKING:
    from .pubtable import PubTable

__all__ = ["render_excel", "write_sheet"]

_FONT = "Times New Roman"


def _side(points: float) -> Side:
    return Side(style="medium" if points >= 1.5 else "thin", color="000000")


def _border_edge(cell: Any, **edges: Side) -> None:
    b = cell.border
    cell.border = Border(
        left=b.left, right=b.right,
        top=edges.get("top", b.top), bottom=edges.get("bottom", b.bottom),
    )


def write_sheet(ws: Any, table: "PubTable") -> Any:
    """Write a table onto an openpyxl worksheet (starting at A1); returns the worksheet."""
    lay: Layout = table.layout()
    n = lay.ncols
    row = 1

    def merged_line(text: str, font: Font, align: str = "left", wrap: bool = False) -> None:
        nonlocal row
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=wrap)
        if n > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
        row += 1

    if lay.caption_one_line:
        if lay.label or lay.title:
            caption = lay.label + (lay.caption_sep if lay.label and lay.title else "") + lay.title
            merged_line(caption, Font(name=_FONT, bold=True), "center")
    else:
        if lay.label:
            merged_line(lay.label, Font(name=_FONT, bold=True))
        if lay.title:
            merged_line(lay.title, Font(name=_FONT, italic=True))

    first_head = row
    for hc in lay.header:
        r, c = first_head + hc.row, 1 + hc.col
        cell = ws.cell(row=r, column=c, value=plain_text(hc.runs))
        cell.font = Font(name=_FONT, italic=all(x.italic for x in hc.runs) and bool(hc.runs))
        cell.alignment = Alignment(horizontal=hc.align, vertical="bottom")
        if hc.rowspan > 1 or hc.colspan > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + hc.rowspan - 1, end_column=c + hc.colspan - 1)
    last_head = first_head + lay.header_rows - 1
    for c in range(1, n + 1):
        _border_edge(ws.cell(row=first_head, column=c), top=_side(lay.rules.top))
        _border_edge(ws.cell(row=last_head, column=c), bottom=_side(lay.rules.header))
    for hc in lay.header:
        if hc.spanner:
            for c in range(hc.col + 1, hc.last_col + 2):
                _border_edge(ws.cell(row=first_head + hc.row, column=c), bottom=_side(lay.rules.spanner))
    row = last_head + 1

    for body_row in lay.body:
        if body_row.group is not None:
            cell = ws.cell(row=row, column=1, value=body_row.group)
            cell.font = Font(name=_FONT)
            cell.alignment = Alignment(horizontal="left")
            if n > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
        else:
            for c, text in enumerate(body_row.cells, start=1):
                cell = ws.cell(row=row, column=c, value=text)
                cell.data_type = "s"
                cell.font = Font(name=_FONT)
                cell.alignment = Alignment(horizontal=lay.aligns[c - 1])
        row += 1
    last_body = row - 1
    if last_body > last_head:
        for c in range(1, n + 1):
            _border_edge(ws.cell(row=last_body, column=c), bottom=_side(lay.rules.bottom))

    for para in lay.notes:
        merged_line(plain_text(para), Font(name=_FONT, size=9), wrap=True)

    for c in range(1, n + 1):
        width = max([len(str(ws.cell(row=r, column=c).value or "")) for r in range(first_head, last_body + 1)] + [4])
        ws.column_dimensions[get_column_letter(c)].width = min(60, width + 2)
    return ws


def render_excel(table: "PubTable", target: Any, sheet_name: str | None = None) -> Any:
    """Render a table to Excel.

    Parameters
    ----------
    table : PubTable
    target : str, Path or openpyxl Workbook
        A path: a new workbook with one sheet is written there atomically (the path is returned); a
        ``Workbook``: a sheet is added to it (the worksheet is returned).
    sheet_name : str, optional
        Default ``"Table <number>"`` or ``"Table"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from openpyxl import Workbook
    >>> from resilience_stats.tables import PubTable
    >>> ws = render_excel(PubTable.from_frame(pd.DataFrame({"p": [0.0001]})), Workbook())
    >>> ws["A2"].value
    '< .001'
    """
    name = sheet_name or (f"Table {table.number}" if table.number is not None else "Table")
    if isinstance(target, Workbook):
        return write_sheet(target.create_sheet(title=name[:31]), table)
    if isinstance(target, (str, Path)):
        wb = Workbook()
        ws = wb.active
        ws.title = name[:31]
        write_sheet(ws, table)
        return write_atomic(target, lambda p: wb.save(str(p)))
    raise TypeError(f"target must be a path or an openpyxl Workbook, not {type(target).__name__}")
