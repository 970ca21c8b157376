"""Word renderer (python-docx) with real Word borders.

The table gets ``w:tblBorders`` with a top and a bottom rule and ``nil`` left, right, insideH and insideV
(no vertical rules, no row rules); the rule under the head is a ``w:tcBorders/w:bottom`` on every cell of the
last header row, and a spanner gets a thinner ``w:bottom`` of its own. Rule widths come from the style
(:data:`~resilience_stats.tables.layout.STYLES`; ``w:sz`` is in eighths of a point: 1.5 pt = 12,
0.75 pt = 6). Every run is set in Times New Roman with SimSun (宋体) for East Asian text (``w:eastAsia``), so
Chinese reads correctly without the user naming fonts. The caption (number and title) goes above the table,
the notes below; header rows repeat on each page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from docx.document import Document as DocumentType
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell
from docx.shared import Pt

from .._atomic import write_atomic
from .format import MINUS
from .layout import Layout
from .richtext import RichText, Run

if TYPE_CHECKING:
    from .pubtable import PubTable

__all__ = ["LATIN_FONT", "EAST_ASIAN_FONT", "FONT_SIZE_PT", "add_table", "render_docx"]

LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "SimSun"  # 宋体
FONT_SIZE_PT = 10.5  # 五号, the usual size of table text in Chinese journals

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
_TBL_BORDER_ORDER = ("top", "left", "bottom", "right", "insideH", "insideV")
_TC_BORDER_ORDER = ("top", "left", "bottom", "right", "insideH", "insideV", "tl2br", "tr2bl")
# elements that must follow w:tblBorders in w:tblPr, and w:tcBorders in w:tcPr (ECMA-376 sequence order)
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_AFTER_TCBORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def eighths(points: float) -> int:
    """A rule width in points as ``w:sz`` (eighths of a point).

    Examples
    --------
    >>> eighths(1.5), eighths(0.75)
    (12, 6)
    """
    return int(round(points * 8))


def _edge(tag: str, points: float | None) -> Any:
    el = OxmlElement(f"w:{tag}")
    if points is None:
        el.set(qn("w:val"), "nil")
    else:
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(eighths(points)))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _set_borders(pr: Any, container: str, order: tuple[str, ...], after: tuple[str, ...],
                 edges: dict[str, float | None]) -> None:
    """Create or update ``container`` (w:tblBorders / w:tcBorders) in ``pr`` with the given edges."""
    box = pr.find(qn(container))
    if box is None:
        box = OxmlElement(container)
        pr.insert_element_before(box, *after)
    current = {child.tag: child for child in box}
    for tag, pts in edges.items():
        old = current.get(qn(f"w:{tag}"))
        if old is not None:
            box.remove(old)
        current[qn(f"w:{tag}")] = _edge(tag, pts)
    for child in list(box):
        box.remove(child)
    for tag in order:
        el = current.get(qn(f"w:{tag}"))
        if el is not None:
            box.append(el)


def _set_fonts(run: Any, italic: bool = False, bold: bool = False, size: float = FONT_SIZE_PT) -> None:
    run.italic = italic or None
    run.bold = bold or None
    run.font.size = Pt(size)
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _tight(paragraph: Any, align: str = "left") -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    paragraph.alignment = _ALIGN[align]


def _write_runs(paragraph: Any, runs: RichText, bold: bool = False, italic: bool = False,
                size: float = FONT_SIZE_PT) -> None:
    for r in runs:
        run = paragraph.add_run(r.text)
        _set_fonts(run, italic=italic or r.italic, bold=bold, size=size)


def _cell_text(cell: Any, runs: RichText, align: str) -> None:
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:  # a merge concatenates the merged cells' paragraphs
        extra._p.getparent().remove(extra._p)
    _tight(paragraph, align)
    _write_runs(paragraph, runs)


def _caption(doc: Any, lay: Layout) -> None:
    if lay.caption_one_line:
        if not (lay.label or lay.title):
            return
        p = doc.add_paragraph()
        _tight(p, "center")
        text = lay.label + (lay.caption_sep if lay.label and lay.title else "") + lay.title
        _write_runs(p, (Run(text),), bold=True)
        p.paragraph_format.space_after = Pt(3)
        p.paragraph_format.keep_with_next = True
        return
    if lay.label:
        p = doc.add_paragraph()
        _tight(p, "left")
        _write_runs(p, (Run(lay.label),), bold=True, size=12)
        p.paragraph_format.keep_with_next = True
    if lay.title:
        p = doc.add_paragraph()
        _tight(p, "left")
        _write_runs(p, (Run(lay.title),), italic=True, size=12)
        p.paragraph_format.space_after = Pt(3)
        p.paragraph_format.keep_with_next = True


def add_table(doc: Any, table: "PubTable") -> Any:
    """Append a table (caption, table, notes) to a python-docx ``Document``; returns the ``docx.table.Table``.

    Examples
    --------
    >>> import docx, pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> d = docx.Document()
    >>> t = add_table(d, PubTable.from_frame(pd.DataFrame({"alpha": [0.93]}), number=1))
    >>> t.cell(1, 0).text
    '.93'
    """
    lay = table.layout(minus=MINUS)
    _caption(doc, lay)
    nrows = lay.header_rows + len(lay.body)
    t = doc.add_table(rows=nrows, cols=lay.ncols)
    t.autofit = True
    tbl_pr = t._tbl.tblPr
    _set_borders(tbl_pr, "w:tblBorders", _TBL_BORDER_ORDER, _AFTER_TBLBORDERS, {
        "top": lay.rules.top, "left": None, "bottom": lay.rules.bottom,
        "right": None, "insideH": None, "insideV": None,
    })

    for hc in lay.header:
        cell = t.cell(hc.row, hc.col)
        if hc.rowspan > 1 or hc.colspan > 1:
            cell = cell.merge(t.cell(hc.last_row, hc.last_col))
        _cell_text(cell, hc.runs, hc.align)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    for r in range(lay.header_rows):
        tr = t.rows[r]._tr
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    # rule under the head: every w:tc of the last header row (including vertical-merge continuations)
    for tc in t.rows[lay.header_rows - 1]._tr.tc_lst:
        _set_borders(tc.get_or_add_tcPr(), "w:tcBorders", _TC_BORDER_ORDER, _AFTER_TCBORDERS,
                     {"bottom": lay.rules.header})
    spanners = [hc for hc in lay.header if hc.spanner]
    if spanners:
        grid = t._cells  # the layout grid, built once (t.cell() rebuilds it on every call)
        for hc in spanners:
            tc = grid[hc.row * lay.ncols + hc.col]._tc
            _set_borders(tc.get_or_add_tcPr(), "w:tcBorders", _TC_BORDER_ORDER, _AFTER_TCBORDERS,
                         {"bottom": lay.rules.spanner})

    # body rows are still unmerged here: their w:tc elements are the cells, one per column
    trs = t._tbl.tr_lst
    for i, row in enumerate(lay.body):
        r = lay.header_rows + i
        cells = [_Cell(tc, t) for tc in trs[r].tc_lst]
        if row.group is not None:
            cell = cells[0]
            if lay.ncols > 1:
                cell = cell.merge(cells[lay.ncols - 1])
            _cell_text(cell, (Run(row.group, italic=False),), "left")
            continue
        for c, text in enumerate(row.cells):
            _cell_text(cells[c], (Run(text),), lay.aligns[c])

    for k, para in enumerate(lay.notes):
        p = doc.add_paragraph()
        _tight(p, "left")
        if k == 0:
            p.paragraph_format.space_before = Pt(3)
        _write_runs(p, para, size=9)
    return t


def render_docx(table: "PubTable", target: Any = None) -> Any:
    """Render a table to Word.

    Parameters
    ----------
    table : PubTable
    target : str, Path, docx Document or None
        A path: a new document holding the table is written there atomically (the path is returned);
        a ``Document``: the table is appended to it (the document is returned); ``None``: a new
        ``Document`` is returned.

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> d = render_docx(PubTable.from_frame(pd.DataFrame({"cfi": [0.95]})))
    >>> d.tables[0].cell(1, 0).text
    '.95'
    """
    if target is None or isinstance(target, DocumentType):
        doc = docx.Document() if target is None else target
        add_table(doc, table)
        return doc
    if isinstance(target, (str, Path)):
        doc = docx.Document()
        add_table(doc, table)
        return write_atomic(target, lambda p: doc.save(str(p)))
    raise TypeError(f"target must be a path, a docx Document or None, not {type(target).__name__}")
