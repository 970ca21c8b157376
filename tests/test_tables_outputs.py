"""Renderers of resilience_stats.tables: Word (border XML), HTML (well-formed, escaped), LaTeX (booktabs,
compiles when an engine is present), Markdown, Excel (borders), write_all and atomic writes."""

from __future__ import annotations

import html.parser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn

from resilience_stats.tables import ColumnSpec, PubTable, write_all
from resilience_stats._atomic import write_atomic

MINUS = "\u2212"
ITEM = 'Trust "neighbours" <always> & more'


class FakeInstrument:
    names = {"NET": {"zh": "关系网络", "en": "Relationship networks"}, "TRU": {"zh": "社会信任", "en": "Social trust"}}
    items = {"tru1": {"zh": "邻居“值得”信任 <总是> & 更多", "en": ITEM}}

    def construct_name(self, cid, lang="en"):
        return self.names[cid][lang]

    def item_text(self, iid, lang="en"):
        return self.items[iid][lang]


@pytest.fixture
def reliability():
    return pd.DataFrame(
        {
            "construct": ["NET", "TRU"],
            "alpha": [0.9312, 0.874],
            "omega_total": [0.94, 0.881],
            "cr": [0.941, 0.88],
            "ave": [0.612, 0.55],
        }
    )


@pytest.fixture
def paths():
    return pd.DataFrame(
        {
            "path": ["NET ~ PBL", "RES ~ NET", "RES ~ PBL"],
            "est": [0.523, -0.0412, 1.234],
            "se": [0.051, 0.03, 0.2],
            "std_all": [0.41, -0.03, 0.62],
            "pvalue": [0.00001, 0.17, 0.032],
            "ci_lower": [0.42, -0.1, 0.8],
            "ci_upper": [0.62, 0.02, 1.6],
        }
    )


@pytest.fixture
def items():
    return pd.DataFrame(
        {
            "construct": ["TRU", "TRU"],
            "item": ["tru1", "tru2"],
            "std_all": [0.71, 0.64],
            "note_col": ["a_b", "50%"],
        }
    )


def rel_table(reliability, **kw):
    kw.setdefault("title", "Reliability and convergent validity")
    return PubTable.from_frame(reliability, number=1, **kw)


def paths_table(paths, **kw):
    return PubTable.from_frame(
        paths, title="Structural paths", number=2, stars={"std_all": "pvalue"},
        note="Estimates from MLR.", **kw
    )


# -- Word ----------------------------------------------------------------------------------------------
def edges(el, container):
    """{edge: (val, sz)} of a w:tblBorders / w:tcBorders element found under ``el`` (or {})."""
    box = el.find(qn(container))
    if box is None:
        return {}
    return {child.tag.split("}")[1]: (child.get(qn("w:val")), child.get(qn("w:sz"))) for child in box}


def drawn(edge_map):
    """Edges that draw a line."""
    return {k: v for k, v in edge_map.items() if v[0] not in ("nil", "none")}


def tc_borders(table):
    """{(row, tc index): drawn edges} for every w:tc that draws any border."""
    out = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        for c, tc in enumerate(tr.tc_lst):
            tc_pr = tc.tcPr
            if tc_pr is None:
                continue
            d = drawn(edges(tc_pr, "w:tcBorders"))
            if d:
                out[(r, c)] = d
    return out


def paragraphs_before(doc, table):
    """Texts of the non-empty paragraphs directly before ``table`` (in body order)."""
    body = list(doc.element.body)
    i = body.index(table._tbl)
    texts = []
    for el in reversed(body[:i]):
        if el.tag != qn("w:p"):
            break
        text = "".join(t.text or "" for t in el.iter(qn("w:t")))
        if text:
            texts.insert(0, text)
    return texts


def paragraphs_after(doc, table):
    body = list(doc.element.body)
    i = body.index(table._tbl)
    texts = []
    for el in body[i + 1:]:
        if el.tag != qn("w:p"):
            break
        text = "".join(t.text or "" for t in el.iter(qn("w:t")))
        if not text:
            break
        texts.append(text)
    return texts


def assert_no_vertical(tbl_edges):
    for side in ("left", "right", "insideV", "insideH"):
        assert tbl_edges[side][0] in ("nil", "none"), side


@pytest.mark.parametrize(("style", "outer", "head"), [("three-line", "12", "6"), ("apa", "6", "6")])
def test_docx_rules_exactly_top_header_bottom(tmp_path, reliability, style, outer, head):
    path = rel_table(reliability, style=style).to_docx(tmp_path / "t.docx")
    assert path == tmp_path / "t.docx"
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    tbl = edges(t._tbl.tblPr, "w:tblBorders")
    assert drawn(tbl) == {"top": ("single", outer), "bottom": ("single", outer)}
    assert_no_vertical(tbl)
    cells = tc_borders(t)
    # only the header row's cells draw a border, and only their bottom: the rule under the head
    assert set(cells) == {(0, c) for c in range(5)}
    assert all(v == {"bottom": ("single", head)} for v in cells.values())
    # no cell anywhere draws a vertical rule
    for tc in t._tbl.iter(qn("w:tc")):
        if tc.tcPr is not None:
            assert not {"left", "right", "insideV"} & set(drawn(edges(tc.tcPr, "w:tcBorders")))


def test_docx_apa_caption_cells_and_notes(tmp_path, reliability):
    doc = docx.Document(str(rel_table(reliability).to_docx(tmp_path / "t.docx")))
    t = doc.tables[0]
    assert paragraphs_before(doc, t) == ["Table 1", "Reliability and convergent validity"]
    assert [c.text for c in t.rows[0].cells] == ["Construct", "\u03b1", "\u03c9", "CR", "AVE"]
    assert [c.text for c in t.rows[1].cells] == ["NET", ".93", ".94", ".94", ".61"]
    assert t.cell(2, 1).text == ".87"  # not "0.87"
    caption = [p for p in doc.paragraphs if p.text == "Table 1"][0]
    assert caption.runs[0].bold
    title = [p for p in doc.paragraphs if p.text.startswith("Reliability")][0]
    assert title.runs[0].italic
    # header rows repeat on each page
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_docx_paths_p_stars_minus_notes(tmp_path, paths):
    doc = docx.Document(str(paths_table(paths).to_docx(tmp_path / "p.docx")))
    t = doc.tables[0]
    heads = [c.text for c in t.rows[0].cells]
    assert heads[:5] == ["Path", "B", "SE", "\u03b2", "p"]
    assert t.cell(1, 3).text == ".41***"
    assert t.cell(1, 4).text == "< .001"
    assert t.cell(2, 1).text == MINUS + "0.04"
    assert t.cell(2, 3).text == MINUS + ".03"
    assert t.cell(2, 5).text == MINUS + "0.10"
    assert t.cell(3, 4).text == ".032"
    assert paragraphs_after(doc, t) == ["Note. Estimates from MLR.", "*p < .05. ***p < .001."]
    note = [p for p in doc.paragraphs if p.text.startswith("Note.")][0]
    assert note.runs[0].text == "Note." and note.runs[0].italic


def test_docx_three_line_chinese(tmp_path, reliability):
    table = rel_table(reliability, style="three-line", lang="zh", instrument=FakeInstrument(),
                      title={"en": "Reliability", "zh": "信度与聚合效度"})
    doc = docx.Document(str(table.to_docx(tmp_path / "zh.docx")))
    t = doc.tables[0]
    assert paragraphs_before(doc, t) == ["表1\u3000信度与聚合效度"]
    assert t.cell(0, 0).text == "构念"
    assert [t.cell(r, 0).text for r in (1, 2)] == ["关系网络", "社会信任"]
    assert t.cell(1, 1).text == ".93"
    # Chinese set in SimSun (East Asian) and Times New Roman (Latin) without the user naming fonts
    run = t.cell(1, 0).paragraphs[0].runs[0]
    fonts = run._r.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert fonts.get(qn("w:ascii")) == "Times New Roman"
    assert fonts.get(qn("w:hAnsi")) == "Times New Roman"
    cap = [p for p in doc.paragraphs if p.text.startswith("表1")][0]
    assert cap.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "SimSun"


def test_docx_spanner_rule_and_merged_heads(tmp_path, paths):
    table = paths_table(paths, spanners=[("95% CI", "ci_lower", "ci_upper")], style="three-line")
    doc = docx.Document(str(table.to_docx(tmp_path / "s.docx")))
    t = doc.tables[0]
    tbl = edges(t._tbl.tblPr, "w:tblBorders")
    assert drawn(tbl) == {"top": ("single", "12"), "bottom": ("single", "12")}
    assert_no_vertical(tbl)
    cells = tc_borders(t)
    # row 0: five tall heads (vMerge restart) + the spanner (gridSpan 2) with its own thin rule
    assert cells == {
        (0, 5): {"bottom": ("single", "4")},
        **{(1, c): {"bottom": ("single", "6")} for c in range(7)},
    }
    spanner_tc = t._tbl.tr_lst[0].tc_lst[5]
    assert spanner_tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"
    assert t.cell(0, 5).text == "95% CI"
    assert [t.cell(1, c).text for c in (5, 6)] == ["LL", "UL"]
    assert t.cell(0, 0).text == t.cell(1, 0).text == "Path"  # vertically merged
    assert t.cell(2, 3).text == ".41***"


def test_docx_row_groups_and_item_text(tmp_path, items):
    table = PubTable.from_frame(items, row_groups="construct", instrument=FakeInstrument(),
                                item_columns=("item",), columns=["item", "std_all"], number=4)
    doc = docx.Document(str(table.to_docx(tmp_path / "g.docx")))
    t = doc.tables[0]
    assert t.cell(1, 0).text == "Social trust"
    assert t.cell(1, 1).text == "Social trust"  # merged group row
    assert t.cell(2, 0).text == ITEM
    assert t.cell(2, 1).text == ".71"
    assert t.cell(3, 0).text == "tru2"


def test_docx_into_existing_document(reliability):
    d = docx.Document()
    d.add_paragraph("Results")
    out = rel_table(reliability).to_docx(d)
    assert out is d and len(d.tables) == 1
    assert isinstance(rel_table(reliability).to_docx(), type(d))
    with pytest.raises(TypeError):
        rel_table(reliability).to_docx(42)


def test_write_all_numbers_captions(tmp_path, reliability, paths):
    a = PubTable.from_frame(reliability, title="Reliability", number=7)
    b = PubTable.from_frame(paths, title="Paths", stars={"std_all": "pvalue"})
    out = write_all([a, b], tmp_path / "tables.docx")
    doc = docx.Document(str(out))
    assert len(doc.tables) == 2
    assert paragraphs_before(doc, doc.tables[0]) == ["Table 1", "Reliability"]
    assert paragraphs_before(doc, doc.tables[1]) == ["Table 2", "Paths"]
    for t in doc.tables:
        assert_no_vertical(edges(t._tbl.tblPr, "w:tblBorders"))
    zh = docx.Document(str(write_all([a, b], tmp_path / "zh.docx", lang="zh", style="three-line", page_breaks=True)))
    assert paragraphs_before(zh, zh.tables[1]) == ["表2\u3000Paths"]
    assert drawn(edges(zh.tables[0]._tbl.tblPr, "w:tblBorders"))["top"] == ("single", "12")
    kept = write_all([a, b], None, renumber=False)
    assert [p.text for p in kept.paragraphs if p.text.startswith("Table")] == ["Table 7"]
    with pytest.raises(TypeError):
        write_all([a, "b"], tmp_path / "x.docx")


# -- HTML ------------------------------------------------------------------------------------------------
def test_html_well_formed_and_escaped(items):
    table = PubTable.from_frame(items, instrument=FakeInstrument(), item_columns=("item",), number=3,
                                title='Loadings <of> "trust" & more', note="a < b & c")
    out = table.to_html()
    root = ET.fromstring("<root>" + out + "</root>")  # well-formed XML
    parser = html.parser.HTMLParser()
    parser.feed(out)
    parser.close()
    tds = [td.text for td in root.iter("td")]
    assert ITEM in tds
    assert "&lt;always&gt;" in out and "&amp; more" in out and "&#34;neighbours&#34;" in out
    assert "<always>" not in out
    assert ITEM not in out  # only ever escaped
    ps = ["".join(p.itertext()) for p in root.iter("p")]
    assert 'Loadings <of> "trust" & more' in ps
    assert "Note. a < b & c" in ps
    assert "Table 3" in ps
    assert out == table._repr_html_()


def test_html_numbers_minus_and_rules(paths):
    out = paths_table(paths, spanners=[("95% CI", "ci_lower", "ci_upper")], style="three-line").to_html()
    root = ET.fromstring("<root>" + out + "</root>")
    tds = [td.text for td in root.iter("td")]
    assert MINUS + ".03" in tds and "< .001" in tds and ".41***" in tds
    assert "-.03" not in tds
    assert "border-top: 1.5pt" in out and "border-bottom: 0.75pt" in out and "border-bottom: 1.5pt" in out
    assert "border-left" not in out and "border-right" not in out
    ths = list(root.iter("th"))
    assert sum(1 for th in ths if th.get("colspan") == "2") == 1
    assert all("rs-rule" in th.get("class") for th in ths if th.get("rowspan") == "2")
    em = [e.text for e in root.iter("em")]
    assert "B" in em and "p" in em


def test_html_chinese_and_path(tmp_path, reliability):
    t = rel_table(reliability, lang="zh", style="three-line", instrument=FakeInstrument())
    out = t.to_html(tmp_path / "t.html")
    assert (tmp_path / "t.html").read_text(encoding="utf-8") == out
    root = ET.fromstring("<root>" + out + "</root>")
    assert "关系网络" in [td.text for td in root.iter("td")]
    assert "表1\u3000Reliability and convergent validity" in ["".join(p.itertext()) for p in root.iter("p")]


# -- LaTeX -----------------------------------------------------------------------------------------------
def test_latex_booktabs_rules_and_cells(paths):
    tex = paths_table(paths, spanners=[("95% CI", "ci_lower", "ci_upper")]).to_latex()
    assert tex.count(r"\toprule") == 1 and tex.count(r"\midrule") == 1 and tex.count(r"\bottomrule") == 1
    assert r"\cmidrule(lr){6-7}" in tex
    assert tex.index(r"\toprule") < tex.index(r"\cmidrule") < tex.index(r"\midrule") < tex.index(r"\bottomrule")
    assert "|" not in tex.split(r"\begin{tabular}")[1].split("\n")[0]  # no vertical rules in the column spec
    assert r"\multicolumn{2}{c}{95\% CI}" in tex
    assert "$-$.03" in tex and "$<$ .001" in tex and ".41***" in tex
    assert r"\textit{Note.} Estimates from MLR." in tex
    assert "{\\bfseries Table 2}" in tex


def test_latex_escapes_specials(items):
    table = PubTable.from_frame(items, instrument=FakeInstrument(), item_columns=("item",),
                                title="A & B_1 50% #1 {x} ~ ^")
    tex = table.to_latex()
    assert r"A \& B\_1 50\% \#1 \{x\} \textasciitilde{} \textasciicircum{}" in tex
    assert r'Trust "neighbours" $<$always$>$ \& more' in tex
    assert r"a\_b" in tex and r"50\%" in tex
    assert r"$\beta$" in tex  # the std_all head


def test_latex_groups_and_standalone(tmp_path, items):
    t = PubTable.from_frame(items, row_groups="construct", instrument=FakeInstrument(), columns=["item", "std_all"])
    tex = t.to_latex(tmp_path / "t.tex", standalone=True)
    assert (tmp_path / "t.tex").read_text(encoding="utf-8") == tex
    assert tex.startswith("\\documentclass{article}\n\\usepackage{booktabs}")
    assert r"\multicolumn{2}{@{}l@{}}{Social trust} \\" in tex
    zh = t.with_options(lang="zh").to_latex(standalone=True)
    assert zh.startswith("\\documentclass{ctexart}")


def _engine():
    for name in ("pdflatex", "lualatex", "xelatex"):
        if shutil.which(name):
            return name
    return None


@pytest.mark.skipif(_engine() is None, reason="no LaTeX engine (pdflatex/lualatex/xelatex) on PATH")
def test_latex_compiles(tmp_path, paths, items):
    engine = _engine()
    tables = [
        paths_table(paths, spanners=[("95% CI", "ci_lower", "ci_upper")]),
        PubTable.from_frame(items, row_groups="construct", instrument=FakeInstrument(), item_columns=("item",),
                            title="A & B_1 50% #1", number=3, na="\u2014"),
    ]
    for i, table in enumerate(tables):
        src = tmp_path / f"t{i}.tex"
        table.to_latex(src, standalone=True)
        proc = subprocess.run(
            [engine, "-interaction=nonstopmode", "-halt-on-error", src.name],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert (tmp_path / f"t{i}.pdf").exists()


# -- Markdown --------------------------------------------------------------------------------------------
def test_markdown(paths):
    md = paths_table(paths, spanners=[("95% CI", "ci_lower", "ci_upper")]).to_markdown()
    lines = md.splitlines()
    assert lines[:2] == ["**Table 2**", "*Structural paths*"]
    assert lines[3] == "| Path | *B* | *SE* | β | *p* | 95% CI *LL* | 95% CI *UL* |"
    assert lines[4] == "| :-- | :-: | :-: | :-: | :-: | :-: | :-: |"
    assert lines[5] == "| NET ~ PBL | 0.52 | 0.05 | .41\\*\\*\\* | < .001 | 0.42 | 0.62 |"
    assert lines[6].startswith("| RES ~ NET | -0.04 |")
    assert lines[-1] == "\\**p* < .05. \\*\\*\\**p* < .001."


def test_markdown_escapes_item_text(items, tmp_path):
    t = PubTable.from_frame(items, instrument=FakeInstrument(), item_columns=("item",), columns=["item"])
    md = t.to_markdown(tmp_path / "t.md")
    assert '| Trust "neighbours" \\<always> & more |' in md
    assert (tmp_path / "t.md").read_text(encoding="utf-8") == md


# -- Excel -----------------------------------------------------------------------------------------------
def _style(side):
    return side.style if side is not None else None


@pytest.mark.parametrize(("style", "outer"), [("three-line", "medium"), ("apa", "thin")])
def test_excel_borders_and_cells(tmp_path, reliability, style, outer):
    out = rel_table(reliability, style=style, lang="zh", instrument=FakeInstrument()).to_excel(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(out)["Table 1"]
    if style == "apa":
        assert (ws["A1"].value, ws["A2"].value) == ("表1", "Reliability and convergent validity")
        head = 3
    else:
        assert ws["A1"].value == "表1\u3000Reliability and convergent validity"
        head = 2
    assert [ws.cell(head, c).value for c in range(1, 6)] == ["构念", "\u03b1", "\u03c9", "CR", "AVE"]
    assert [ws.cell(head + 1, c).value for c in range(1, 3)] == ["关系网络", ".93"]
    for c in range(1, 6):
        assert _style(ws.cell(head, c).border.top) == outer
        assert _style(ws.cell(head, c).border.bottom) == "thin"
        assert _style(ws.cell(head + 2, c).border.bottom) == outer
        assert _style(ws.cell(head + 1, c).border.bottom) is None
    for row in ws.iter_rows():
        for cell in row:
            assert _style(cell.border.left) is None and _style(cell.border.right) is None


def test_excel_into_workbook_with_spanner(paths):
    wb = openpyxl.Workbook()
    ws = paths_table(paths, spanners=[("95% CI", "ci_lower", "ci_upper")]).to_excel(wb, sheet_name="Paths")
    assert ws.title == "Paths"
    assert ws["F3"].value == "95% CI" and _style(ws["F3"].border.bottom) == "thin"
    assert ws["F4"].value == "LL" and ws["A3"].value == "Path"
    assert "A3:A4" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["D5"].value == ".41***" and ws["E5"].value == "< .001"
    with pytest.raises(TypeError):
        paths_table(paths).to_excel(42)


# -- atomic writes ---------------------------------------------------------------------------------------
def test_written_files_replace_atomically(tmp_path, reliability):
    target = tmp_path / "t.docx"
    target.write_bytes(b"old")
    rel_table(reliability).to_docx(target)
    assert docx.Document(str(target)).tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.docx"]  # no temporary file left


def test_failed_write_leaves_target_untouched(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("original")

    def boom(p: Path) -> None:
        p.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, boom)
    assert target.read_text() == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "x.txt", lambda p: None)


def test_ci_column_renders_everywhere(paths):
    t = PubTable.from_frame(paths, columns=["path", "est", ColumnSpec("ci", header="95% CI",
                                                                      source=("ci_lower", "ci_upper"))])
    assert "[" + MINUS + "0.10, 0.02]" in t.to_html()
    assert "[$-$0.10, 0.02]" in t.to_latex()
    assert "[-0.10, 0.02]" in t.to_markdown()
    d = t.to_docx()
    assert d.tables[0].cell(2, 2).text == "[" + MINUS + "0.10, 0.02]"
    assert np.isfinite(paths["ci_lower"]).all()
