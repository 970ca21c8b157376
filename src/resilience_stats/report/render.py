"""Writers of the report: one self-contained HTML file and one Word document, both written atomically."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any, Sequence

import jinja2
from markupsafe import Markup

from .blocks import Code, Facts, Figure, Notice, Paragraph, References, Section, Table
from .text import tr

__all__ = ["PAGE_SIZES", "render_html", "render_docx"]

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
#: Page sizes of the Word report, (width, height) in millimetres: A4 by default, US Letter on request.
PAGE_SIZES = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
#: Page margins of the Word report in millimetres (25 mm, the usual margin of Chinese journals and theses).
PAGE_MARGIN_MM = 25.0


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("resilience_stats.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _html_block(block: Any, lang: str) -> dict:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, Notice):
        return {"kind": "notice", "level": block.level, "label": tr(block.level if block.level != "info" else "note",
                                                                    lang) + ":", "text": block.text}
    if isinstance(block, Table):
        # the tables package renders the table from its own autoescaped template: trusted markup
        return {"kind": "table", "html": Markup(block.table.to_html())}
    if isinstance(block, Figure):
        return {"kind": "figure", "data": base64.b64encode(block.png).decode("ascii"), "caption": block.caption,
                "label": f"{tr('figure', lang)} {block.number}", "width": f"{block.width_in:g}"}
    if isinstance(block, Facts):
        return {"kind": "facts", "rows": block.rows}
    if isinstance(block, Code):
        return {"kind": "code", "text": block.text}
    if isinstance(block, References):
        return {"kind": "references", "entries": block.entries}
    raise TypeError(f"unknown report block {type(block).__name__}")


def render_html(sections: Sequence[Section], title: str, lang: str, version: str, generated: str | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS, figures as base64 PNG, no scripts).

    Examples
    --------
    >>> html = render_html(sections, "Report", "en", rs.__version__)  # doctest: +SKIP
    """
    view = [{"id": s.id, "title": s.title, "blocks": [_html_block(b, lang) for b in s.blocks]} for s in sections]
    return _environment().get_template("report.html.j2").render(
        sections=view, title=title, lang_tag="zh-CN" if lang == "zh" else "en", version=version,
        contents=tr("contents", lang), generated=tr("generated", lang, when=generated) if generated else None,
    )


# -- Word ------------------------------------------------------------------------------------------------------
_NOTICE_COLOURS = {"error": (0xB0, 0x00, 0x20), "warning": (0xC7, 0x77, 0x00), "info": (0x2A, 0x6E, 0xBB)}


def _east_asian(run: Any, font: str = "SimSun") -> None:
    from docx.oxml.ns import qn

    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _docx_block(doc: Any, block: Any, lang: str) -> None:
    from docx.shared import Inches, Pt, RGBColor

    if isinstance(block, Paragraph):
        _east_asian(doc.add_paragraph().add_run(block.text))
    elif isinstance(block, Notice):
        p = doc.add_paragraph()
        label = p.add_run(tr(block.level if block.level != "info" else "note", lang) + ": ")
        label.bold = True
        label.font.color.rgb = RGBColor(*_NOTICE_COLOURS.get(block.level, (0, 0, 0)))
        _east_asian(label)
        _east_asian(p.add_run(block.text))
    elif isinstance(block, Table):
        block.table.to_docx(doc)
        doc.add_paragraph()
    elif isinstance(block, Figure):
        doc.add_picture(io.BytesIO(block.png), width=Inches(min(block.width_in, _text_width_in(doc))))
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the caption stays with its figure
        cap = doc.add_paragraph()
        label = cap.add_run(f"{tr('figure', lang)} {block.number} ")
        label.bold = True
        _east_asian(label)
        _east_asian(cap.add_run(block.caption))
    elif isinstance(block, Facts):
        for key, value in block.rows:
            p = doc.add_paragraph(style="List Bullet")
            k = p.add_run(f"{key}: ")
            k.bold = True
            _east_asian(k)
            _east_asian(p.add_run(value))
    elif isinstance(block, Code):
        for line in block.text.rstrip("\n").split("\n"):
            p = doc.add_paragraph()
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(line)
            run.font.name = "Courier New"
            run.font.size = Pt(8.5)
    elif isinstance(block, References):
        for entry in block.entries:
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Inches(0.5)
            p.paragraph_format.first_line_indent = Inches(-0.5)
            _east_asian(p.add_run(entry))
    else:
        raise TypeError(f"unknown report block {type(block).__name__}")


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack a .docx with fixed member times, so the same content gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _text_width_in(doc: Any) -> float:
    """Width between the margins of the document's last section, in inches."""
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / 914400


def _page_setup(doc: Any, page: str) -> None:
    from docx.shared import Mm

    if page not in PAGE_SIZES:
        raise ValueError(f"page must be one of {', '.join(PAGE_SIZES)}, not {page!r}")
    width, height = PAGE_SIZES[page]
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(PAGE_MARGIN_MM))


def render_docx(sections: Sequence[Section], title: str, lang: str, generated: str | None = None,
                page: str = "a4") -> bytes:
    """The report as a Word document (headings, tables via the tables package, figures); returns the bytes.

    The page is A4 with 25 mm margins (``page="letter"`` for US Letter); tables are fitted to the text width
    and keep their captions (and header rows) with them.

    Examples
    --------
    >>> data = render_docx(sections, "Report", "zh")  # doctest: +SKIP
    """
    import datetime as _dt

    import docx

    doc = docx.Document()
    _page_setup(doc, page)
    props = doc.core_properties
    props.title = title
    props.author = "resilience_stats"
    props.last_modified_by = "resilience_stats"
    fixed = _dt.datetime(2020, 1, 1)
    props.created = fixed
    props.modified = fixed
    props.revision = 1
    heading = doc.add_heading(title, level=0)
    for run in heading.runs:
        _east_asian(run, "SimHei")
    if generated:
        doc.add_paragraph(tr("generated", lang, when=generated))
    for number, section in enumerate(sections, start=1):
        h = doc.add_heading(f"{number}. {section.title}", level=1)
        for run in h.runs:
            _east_asian(run, "SimHei")
        for block in section.blocks:
            _docx_block(doc, block, lang)
    buf = io.BytesIO()
    doc.save(buf)
    return _deterministic_zip(buf.getvalue())
