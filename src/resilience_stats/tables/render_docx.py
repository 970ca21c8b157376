"""Word renderer (python-docx) with real Word borders.

The table gets ``w:tblBorders`` with a top and a bottom rule and ``nil`` left, right, insideH and insideV
(no vertical rules, no row rules); the rule under the head is a ``w:tcBorders/w:bottom`` on every cell of the
last header row, and a spanner gets a thinner ``w:bottom`` of its own. Rule widths come from the style
(:data:`~resilience_stats.tables.layout.STYLES`; ``w:sz`` is in eighths of a point: 1.5 pt = 12,
0.75 pt = 6). Every run is set in Times New Roman with SimSun (宋体) for East Asian text (``w:eastAsia``), so
Chinese reads correctly without the user naming fonts. The caption (number and title) goes above the table,
the notes below; header rows repeat on each page.

Column widths are fitted to the content (:func:`column_widths`): numbers and intervals keep their full width
and never wrap (``w:noWrap``), text columns share the rest of the page's text width and wrap between words; a
table too wide for the page at 10.5 pt is set in a smaller size (:func:`fit_font_size`, down to 7.5 pt).
The caption is kept with the table, and a table of up to :data:`KEEP_TOGETHER_ROWS` rows is kept on one page
(its rows are kept with the next one and never split), with its notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from docx.document import Document as DocumentType
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
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

#: Tables with at most this many rows are kept on one page with their caption and notes.
KEEP_TOGETHER_ROWS = 25
#: Left plus right cell margin of Word's default table style, in points (0.08 inch each side).
CELL_PADDING_PT = 11.5

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


def _cell_text(cell: Any, runs: RichText, align: str, size: float = FONT_SIZE_PT) -> None:
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:  # a merge concatenates the merged cells' paragraphs
        extra._p.getparent().remove(extra._p)
    _tight(paragraph, align)
    _write_runs(paragraph, runs, size=size)


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


def text_width_pt(text: str, size: float = FONT_SIZE_PT) -> float:
    """Approximate printed width of ``text`` in points (Times New Roman / SimSun at ``size``).

    Examples
    --------
    >>> round(text_width_pt("[.12, .35]"), 1), text_width_pt("社区韧性")
    (38.6, 42.0)
    """
    import unicodedata

    em = 0.0
    for ch in str(text):
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1.0
        elif ch.isdigit() or ch in "+-−–=<>":
            em += 0.5
        elif ch in ".,;:'|!()[]ijlt ":
            em += 0.28
        elif ch.isupper() or ch in "mwMW%—":
            em += 0.72
        else:
            em += 0.47
    return em * size


def _unbreakable_pt(word: str, size: float = FONT_SIZE_PT, cjk_chars: int = 4) -> float:
    """Width of the part of ``word`` that must stay on one line: a Latin word or number whole, Chinese text
    (which may wrap between any two characters) ``cjk_chars`` characters."""
    import unicodedata

    if any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in word):
        return min(cjk_chars * size, text_width_pt(word, size))
    return text_width_pt(word, size)


def _head_pt(word: str, size: float) -> float:
    """Narrowest width of a column head's word: a Chinese head on two balanced lines (基层党 / 建引领, at most
    four characters a line), a Latin word whole."""
    import math
    import unicodedata

    if any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in word):
        return min(4, math.ceil(len(word) / 2)) * size
    return text_width_pt(word, size)


#: Smallest font size (points) a wide table is set in to fit the page before its columns overflow.
MIN_FONT_SIZE_PT = 7.5


def fit_font_size(lay: Layout, available_pt: float) -> float:
    """The table's font size: 10.5 pt, or smaller (down to :data:`MIN_FONT_SIZE_PT`) when its numbers and the
    shortest width of its texts do not fit the page at 10.5 pt."""
    size = FONT_SIZE_PT
    while size > MIN_FONT_SIZE_PT and sum(_minimum_widths(lay, size)) > available_pt:
        size -= 0.5
    return size


def _minimum_widths(lay: Layout, size: float) -> list[float]:
    return [w for _natural, w in (_column_bounds(lay, c, size) for c in range(lay.ncols))]


def _column_bounds(lay: Layout, c: int, size: float) -> tuple[float, float]:
    """(natural, minimum) width of column ``c`` in points at font ``size``."""
    cells = [row.cells[c] for row in lay.body if row.group is None and c < len(row.cells)]
    heads = ["".join(r.text for r in h.runs) for h in lay.header if h.col == c and h.colspan == 1]
    head_words = [w for h in heads for w in h.split()] or [""]
    head_min = max(_head_pt(w, size) for w in head_words)  # heads may wrap
    body = max([text_width_pt(x, size) for x in cells] + [0.0])
    natural = max(body, max(text_width_pt(h, size) for h in heads) if heads else 0.0) + CELL_PADDING_PT
    if lay.is_numeric(c):  # a number or an interval never breaks
        return natural, max(body, head_min) + CELL_PADDING_PT
    words = [w for x in cells for w in str(x).split()] or [""]
    longest = min(max(_unbreakable_pt(w, size) for w in words), 12 * size)
    return natural, max(longest, head_min) + CELL_PADDING_PT


def column_widths(lay: Layout, available_pt: float, size: float = FONT_SIZE_PT) -> list[float]:
    """Widths (points) of the table's columns: each column's widest cell (numbers, intervals and the longest
    word of a head never break); when they do not fit in ``available_pt``, the text columns give up width
    (down to their longest Latin word, or four Chinese characters) and wrap.

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> lay = PubTable.from_frame(pd.DataFrame({"x": ["a long text " * 10], "b": [0.5]})).layout()
    >>> w = column_widths(lay, 300.0); round(sum(w)) <= 300 and w[1] >= text_width_pt(".50")
    True
    """
    bounds = [_column_bounds(lay, c, size) for c in range(lay.ncols)]
    natural = [b[0] for b in bounds]
    minimum = [b[1] for b in bounds]
    if sum(natural) <= available_pt:
        return natural
    widths = list(minimum)
    room = available_pt - sum(minimum)
    slack = {c: natural[c] - minimum[c] for c in range(lay.ncols)}
    # first the text columns take the room (up to their natural width), then the heads of number columns
    flexible = [c for c in range(lay.ncols) if not lay.is_numeric(c)]
    used = _share(widths, slack, flexible, room)
    numeric = [c for c in range(lay.ncols) if lay.is_numeric(c)]
    if room - used >= sum(slack[c] for c in numeric):  # number columns get their heads on one line, or
        _share(widths, slack, numeric, room - used)       # keep them on two balanced lines
    return widths


def _share(widths: list[float], slack: dict, columns: list[int], room: float) -> float:
    """Give ``columns`` up to their slack out of ``room`` (in proportion); returns what was used."""
    total = sum(slack[c] for c in columns)
    if room <= 0 or total <= 0:
        return 0.0
    used = min(room, total)
    for c in columns:
        widths[c] += used * slack[c] / total
    return used


def _apply_widths(t: Any, widths: list[float], numeric: list[bool]) -> None:
    """Fixed column widths (grid and every cell) and ``w:noWrap`` in the cells of numeric columns."""
    from docx.shared import Pt as _Pt

    t.autofit = False
    grid = t._tbl.tblGrid
    for gc, w in zip(grid.gridCol_lst, widths):
        gc.w = _Pt(w)
    for tr in t._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = _Pt(sum(widths[col:col + span]))
            if span == 1 and col < len(numeric) and numeric[col]:
                tc_pr = tc.get_or_add_tcPr()
                if tc_pr.find(qn("w:noWrap")) is None:
                    tc_pr.insert_element_before(OxmlElement("w:noWrap"), *_AFTER_TCBORDERS[2:])
            col += span


def _keep_together(t: Any, lay: Layout) -> None:
    """Rows never split across pages; a short table is kept on one page (each row kept with the next)."""
    rows = t.rows
    whole = len(rows) <= KEEP_TOGETHER_ROWS
    last = len(rows) - 1
    for i, row in enumerate(rows):
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert(0, OxmlElement("w:cantSplit"))
        if (whole and (i < last or lay.notes)) or i < lay.header_rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _available_pt(doc: Any) -> float:
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / 12700


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
    available = _available_pt(doc)
    size = fit_font_size(lay, available)
    _caption(doc, lay)
    nrows = lay.header_rows + len(lay.body)
    t = doc.add_table(rows=nrows, cols=lay.ncols)
    t.autofit = True
    if lay.caption_one_line:  # a centred caption over a centred table (三线表); APA tables sit left, as their caption
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = t._tbl.tblPr
    _set_borders(tbl_pr, "w:tblBorders", _TBL_BORDER_ORDER, _AFTER_TBLBORDERS, {
        "top": lay.rules.top, "left": None, "bottom": lay.rules.bottom,
        "right": None, "insideH": None, "insideV": None,
    })

    for hc in lay.header:
        cell = t.cell(hc.row, hc.col)
        if hc.rowspan > 1 or hc.colspan > 1:
            cell = cell.merge(t.cell(hc.last_row, hc.last_col))
        _cell_text(cell, hc.runs, hc.align, size)
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
            _cell_text(cell, (Run(row.group, italic=False),), "left", size)
            continue
        for c, text in enumerate(row.cells):
            _cell_text(cells[c], (Run(text),), lay.aligns[c], size)

    _apply_widths(t, column_widths(lay, available, size), [lay.is_numeric(c) for c in range(lay.ncols)])
    _keep_together(t, lay)
    for k, para in enumerate(lay.notes):
        p = doc.add_paragraph()
        _tight(p, "left")
        if k == 0:
            p.paragraph_format.space_before = Pt(3)
        if k < len(lay.notes) - 1:
            p.paragraph_format.keep_with_next = True
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
