"""A print-ready Chinese report: every check name, option key and effect label in Chinese, one set of invariance
terms, 全信息极大似然 (FIML), the same decimals in text and tables, stated flag rules, A4 Word pages with fitted
column widths and captions kept with their tables, print-resolution figures, and no .tmp residue."""

from __future__ import annotations

import copy
import dataclasses
import io
import re
import unicodedata

import docx
import numpy as np
import pandas as pd
import pytest
from docx.oxml.ns import qn
from PIL import Image

import resilience_stats as rs
from resilience_stats.report import Figure, Paragraph, Table
from resilience_stats.report import sections as sec
from resilience_stats.report.text import CHECK_NAMES, CHECK_ZH, OPTION_LABELS
from resilience_stats.survey.validation import CHECKS

NAME = "party_building_social_capital"


@pytest.fixture(scope="module")
def zh_report(tmp_path_factory):
    inst = rs.load_instrument(NAME)
    raw = rs.example_survey(inst, n=150, seed=21, waves=2, missing_rate=0.01)
    out = tmp_path_factory.mktemp("zh_print")
    return rs.report(raw, inst, out=out, lang="zh", bootstrap=10, seed=1, parallel_iter=5, n_jobs=1,
                     exclude=["speeders"], call="rs.report(print)")


def _section(result, sid):
    return next(s for s in result.sections if s.id == sid)


def _tables(section):
    return [b.table for b in section.blocks if isinstance(b, Table)]


def _title(table) -> str:
    return table.layout().title


def _paragraphs(section):
    return [b.text for b in section.blocks if isinstance(b, Paragraph)]


def _cjk(text) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in str(text))


def test_every_check_has_a_chinese_name_and_wording():
    assert set(CHECKS) <= set(CHECK_ZH) and set(CHECKS) <= set(CHECK_NAMES)
    assert all(_cjk(CHECK_NAMES[c]) for c in CHECKS)


def test_check_names_and_option_keys_are_chinese(zh_report):
    sample = _section(zh_report, "sample")
    issues = next(t for t in _tables(sample) if _title(t) == "数据检验结果")
    shown = issues.display()
    check_col = shown.columns[1]
    assert len(shown) and all(_cjk(v) for v in shown[check_col]), shown[check_col].tolist()
    assert "缺失代码" in shown[check_col].tolist()            # the recodes are in the report, one row per check
    exclusions = next(t for t in _tables(sample) if _title(t).startswith("被标记问卷"))
    assert all(_cjk(v) for v in exclusions.display().iloc[:, 0])
    facts = [b for b in _section(zh_report, "provenance").blocks if type(b).__name__ == "Facts"][0]
    keys = [k for k, _v in facts.rows]
    assert keys and all(_cjk(k) for k in keys), keys
    assert OPTION_LABELS["missing"]["zh"] in keys
    values = dict(facts.rows)
    assert values["缺失值处理"] == "全信息极大似然（FIML）"
    overview = [b for b in _section(zh_report, "overview").blocks if type(b).__name__ == "Facts"][0]
    assert dict(overview.rows)["估计方法"] == "MLR / 全信息极大似然（FIML）"
    methods = " ".join(_paragraphs(_section(zh_report, "methods")))
    assert "全信息极大似然法（FIML" in methods and "speeders" not in methods and "作答过快" in methods


def test_effect_labels_are_paths_in_chinese(zh_report):
    sem = _section(zh_report, "sem")
    effects = next(t for t in _tables(sem) if _title(t) == "间接效应检验").display()
    labels = effects.iloc[:, 0].tolist()
    assert labels[0] == "间接效应：基层党建引领 → 关系网络 → 社区韧性"
    assert "总间接效应：基层党建引领 → 社区韧性" in labels and "总效应：基层党建引领 → 社区韧性" in labels
    assert not any("=" in x or "*" in x for x in labels)


def test_one_set_of_invariance_terms_in_tables_and_figures(zh_report):
    waves = _section(zh_report, "waves")
    inv = next(t for t in _tables(waves) if "不变性" in _title(t)).display()
    assert inv.iloc[:, 0].tolist() == ["形态等同", "弱等同", "强等同"]
    html = zh_report.html.read_text(encoding="utf-8")
    for other in ("形态等值", "弱等值", "强等值", "严格等值", "标量"):   # no second set of terms
        assert other not in html, other
    table = zh_report.analysis.value("invariance_waves").table
    fig = rs.plots.invariance_fit(table, lang="zh")
    ticks = {t.get_text() for ax in fig.axes for t in ax.get_xticklabels()}
    assert {"形态等同", "弱等同", "强等同"} <= ticks


def test_numbers_in_the_text_have_the_table_decimals(zh_report):
    cfa = _section(zh_report, "cfa")
    sentence = _paragraphs(cfa)[0]
    fit = _tables(cfa)[0]
    assert _title(fit) == "模型拟合指数"                           # one model: not "competing models"
    row = fit.display().iloc[0]
    for name in ("CFI", "TLI", "RMSEA", "SRMR"):
        value = re.search(rf"{name} = ([−\-]?[\d.]+)", sentence).group(1)
        assert value == row[name.lower()], (name, value, row[name.lower()])
    note = " ".join("".join(r.text for r in p) for p in fit.layout().notes)
    n = len(zh_report.analysis.wave.data)                      # after removing the speeders
    assert n < 300 and f"N = {n}；" in note and "MLR" in note and "全信息极大似然" in note and "稳健校正" in note
    rel_section = _section(zh_report, "reliability")
    lo, hi = re.search(r"介于 ([\d.]+)～([\d.]+)", _paragraphs(rel_section)[0]).groups()
    alphas = _tables(rel_section)[0].display().iloc[:, 2].tolist()
    assert lo in alphas and hi in alphas
    sample = _section(zh_report, "sample")
    miss_lo = re.search(r"缺失率为 ([\d.]+)%", " ".join(_paragraphs(sample))).group(1)
    missing = next(t for t in _tables(sample) if _title(t) == "各题项缺失情况").display()
    assert miss_lo in missing.iloc[:, -1].tolist()
    community = _section(zh_report, "community")
    icc_lo = re.search(r"ICC\(1\) 介于 ([−\-]?[\d.]+)", " ".join(_paragraphs(community))).group(1)
    icc = next(t for t in _tables(community) if "聚类" in _title(t)).display()
    assert icc_lo in icc.iloc[:, 3].tolist()


def test_ceiling_rule_is_stated(zh_report):
    items = " ".join(_paragraphs(_section(zh_report, "items")))
    assert "天花板（地板）效应：选择最高（最低）选项的比例超过 15%，且均值加（减）一个标准差超出量表端点" in items


def test_negative_icc2_is_explained(zh_report):
    a = copy.copy(zh_report.analysis)
    icc = a.value("icc").copy()
    icc.loc[icc.index[0], "icc2"] = -0.2
    a.steps = dict(a.steps)
    a.steps["icc"] = dataclasses.replace(a.steps["icc"], value=icc)
    s = sec._sec_community(sec.Context(a, lang="zh"))
    text = " ".join(_paragraphs(s))
    first = rs.load_instrument(NAME).construct_name(icc.loc[icc.index[0], "construct"], "zh")
    assert re.search(rf"{first}(、\S+)*的 ICC\(2\) 为负值", text) and "按 0 解读" in text
    en = " ".join(_paragraphs(sec._sec_community(sec.Context(a, lang="en"))))
    assert "ICC(2) is negative" in en


def test_figures_are_at_print_resolution(zh_report):
    figures = [b for s in zh_report.sections for b in s.blocks if isinstance(b, Figure)]
    assert figures
    for fig in figures:
        dpi = Image.open(io.BytesIO(fig.png)).info["dpi"]
        assert round(dpi[0]) >= 300, dpi


def test_docx_is_a4_with_fitted_columns_and_captions_kept(zh_report, tmp_path):
    d = docx.Document(str(zh_report.docx))
    section = d.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in d.tables:
        grid = [int(gc.get(qn("w:w"))) for gc in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) * 635 <= text_width * 1.001, (sum(grid) * 635, text_width)  # twips -> EMU
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    # intervals never wrap: the cells of the CI columns carry w:noWrap
    paths = next(t for t in d.tables if any("上限" in c.text for c in t.rows[1].cells))
    ci_cell = paths.rows[3].cells[-2]._tc
    assert re.match(r"[−\-]?\d*\.\d+", paths.rows[3].cells[-2].text)
    assert ci_cell.tcPr.find(qn("w:noWrap")) is not None
    assert all(t._tbl.tblPr.find(qn("w:jc")).get(qn("w:val")) == "center" for t in d.tables)  # under the caption
    captions = [p for p in d.paragraphs if re.match(r"表\d+\u3000", p.text)]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    figures = [p for p in d.paragraphs if p._p.xpath(".//w:drawing")]
    assert figures and all(p.paragraph_format.keep_with_next for p in figures)
    from resilience_stats.report.render import render_docx

    letter = docx.Document(io.BytesIO(render_docx(zh_report.sections[:2], "t", "zh", page="letter")))
    assert round(letter.sections[0].page_width.inches, 2) == 8.5
    with pytest.raises(ValueError, match="page"):
        rs.report(pd.DataFrame(), NAME, out=tmp_path, page="A5")


def test_html_tables_align_captions_and_keep_columns_readable(zh_report):
    html = zh_report.html.read_text(encoding="utf-8")
    assert ".rs-pubtable.rs-three-line { margin-left: auto; margin-right: auto; }" in html
    assert "width: fit-content" in html
    issues = _tables(_section(zh_report, "sample"))[1].to_html()
    assert re.search(r'<td class="rs-left" style="min-width:[2-9]\.\d+em">警告</td>', issues)
    assert 'style="white-space:nowrap"' in _tables(_section(zh_report, "sem"))[1].to_html()


def test_a_killed_run_leaves_no_tmp_residue(zh_report, tmp_path):
    from resilience_stats._atomic import write_atomic, write_bytes_atomic

    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".report.html.999999999.abcd1234.tmp"      # what a SIGKILLed writer leaves
    dead.write_text("half a report")
    write_bytes_atomic(out / "report.html", b"<html></html>")
    assert not dead.exists() and [p.name for p in out.iterdir()] == ["report.html"]

    def fail(path):
        path.write_text("partial")
        raise KeyboardInterrupt  # Ctrl-C (and SIGTERM on the command line) while writing

    with pytest.raises(KeyboardInterrupt):
        write_atomic(out / "report.docx", fail)
    assert [p.name for p in out.iterdir()] == ["report.html"]


@pytest.mark.parametrize("module", ["resilience_stats.report.text", "resilience_stats._atomic",
                                    "resilience_stats.tables.render_docx", "resilience_stats.tables.render_html",
                                    "resilience_stats.tables.adapters", "resilience_stats.psychometrics.items"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
