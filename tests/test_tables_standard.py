"""Standard tables (resilience_stats.tables.standard) built from plain, hand-made DataFrames."""

from __future__ import annotations

import docx
import numpy as np
import pandas as pd
import pytest
from docx.oxml.ns import qn

from resilience_stats.tables import (
    PubTable,
    correlation_table,
    efa_table,
    fit_table,
    htmt_table,
    indirect_table,
    invariance_table,
    loadings_table,
    paths_table,
    reliability_table,
    sample_table,
    write_all,
)
from resilience_stats.tables.richtext import plain_text

MINUS = "\u2212"


class FakeInstrument:
    names = {"NET": {"zh": "关系网络", "en": "Relationship networks"}, "TRU": {"zh": "社会信任", "en": "Social trust"},
             "RES": {"zh": "社区韧性", "en": "Community resilience"}, "PBL": {"zh": "基层党建引领", "en": "Party building"}}
    items = {"net1": {"zh": "我和邻居经常往来。", "en": "I often visit my neighbours."}}

    def construct_name(self, cid, lang="en"):
        return self.names[cid][lang]

    def item_text(self, iid, lang="en"):
        return self.items[iid][lang]


def heads(t: PubTable) -> list[str]:
    return [plain_text(t.header_runs(c)) for c in t.columns]


def test_sample_table():
    df = pd.DataFrame({"variable": ["Gender", "Age", "Gender"], "category": ["Female", "18-29", "Male"],
                       "n": [260, 120, 240], "percent": [52.0, 24.0, 48.0]})
    t = sample_table(df, n_total=500, number=1)
    body = t.layout().body
    assert [r.group for r in body] == ["Gender", None, None, "Age", None]
    assert body[1].cells == ("Female", "260", "52.0")
    assert plain_text(t.note_paragraphs()[0]) == "Note. N = 500."
    assert t.with_options(lang="zh").layout().title == "样本基本情况"
    with pytest.raises(ValueError, match="missing column"):
        sample_table(df.drop(columns="percent"))


def test_reliability_table():
    df = pd.DataFrame({"construct": ["NET", "TRU"], "n_items": [4, 4], "alpha": [0.931, 0.874],
                       "omega": [0.94, 0.88], "cr": [0.941, 0.88], "ave": [0.612, 0.55], "extra": [1, 2]})
    t = reliability_table(df, instrument=FakeInstrument(), lang="zh", number=2)
    assert [c.key for c in t.columns] == ["construct", "n_items", "alpha", "omega_total", "cr", "ave"]
    assert t.display().iloc[0].tolist() == ["关系网络", "4", ".93", ".94", ".94", ".61"]
    assert t.layout().label == "表2"
    with pytest.raises(ValueError, match="none of"):
        reliability_table(df[["construct"]])


def test_loadings_table_with_reliability_and_item_text():
    ld = pd.DataFrame({"construct": ["NET", "TRU", "NET"], "item": ["net1", "tru1", "net2"],
                       "std_all": [0.81, 0.7, 0.77], "pvalue": [0.0, 0.0, 0.0]})
    rel = pd.DataFrame({"construct": ["NET", "TRU"], "alpha": [0.9, 0.8], "cr": [0.91, 0.82], "ave": [0.62, 0.5]})
    t = loadings_table(ld, rel, item_text=True, instrument=FakeInstrument(), lang="zh")
    assert t.display().values.tolist() == [
        ["关系网络", "我和邻居经常往来。", ".81", "< .001", ".90", ".91", ".62"],
        ["", "net2", ".77", "< .001", "", "", ""],
        ["社会信任", "tru1", ".70", "< .001", ".80", ".82", ".50"],
    ]
    lavaan_like = pd.DataFrame({"lhs": ["NET", "NET", "RES"], "op": ["=~", "=~", "~"], "rhs": ["net1", "net2", "NET"],
                                "std_all": [0.8, 0.7, 0.3]})
    assert loadings_table(lavaan_like).display()["item"].tolist() == ["net1", "net2"]


def test_correlation_table_sqrt_ave_and_stars():
    desc = pd.DataFrame({"variable": ["NET", "TRU", "RES"], "mean": [3.9, 3.5, 3.7], "sd": [0.7, 0.8, 0.6]})
    vars_ = ["NET", "TRU", "RES"]
    r = pd.DataFrame([[1, 0.45, -0.12], [0.45, 1, 0.3], [-0.12, 0.3, 1]], index=vars_, columns=vars_)
    p = pd.DataFrame([[0, 0.0001, 0.04], [0.0001, 0, 0.2], [0.04, 0.2, 0]], index=vars_, columns=vars_)
    t = correlation_table(desc, r, pvalues=p, sqrt_ave={"NET": 0.78, "TRU": 0.74, "RES": 0.8},
                          instrument=FakeInstrument(), number=3)
    assert heads(t) == ["", "Variable", "M", "SD", "1", "2", "3"]
    assert t.display().values.tolist() == [
        ["1.", "Relationship networks", "3.90", "0.70", ".78", "", ""],
        ["2.", "Social trust", "3.50", "0.80", ".45***", ".74", ""],
        ["3.", "Community resilience", "3.70", "0.60", "-.12*", ".30", ".80"],
    ]
    notes = [plain_text(x) for x in t.note_paragraphs()]
    assert notes == ["Note. Values on the diagonal are the square roots of the AVE.", "*p < .05. ***p < .001."]
    doc = t.to_docx()
    assert doc.tables[0].cell(3, 4).text == MINUS + ".12*"
    plain = correlation_table(desc, r)
    assert plain.display()["1"].tolist() == ["\u2014", ".45", "-.12"]
    with pytest.raises(ValueError, match="not in the correlation matrix"):
        correlation_table(pd.DataFrame({"variable": ["XX"]}), r)


def test_htmt_table():
    h = pd.DataFrame([[1, 0.62], [0.62, 1]], index=["NET", "TRU"], columns=["NET", "TRU"])
    t = htmt_table(h, instrument=FakeInstrument(), lang="zh")
    assert t.display().values.tolist() == [["1.", "关系网络", "\u2014", ""], ["2.", "社会信任", "0.62", "\u2014"]]
    assert plain_text(t.note_paragraphs()[0]) == "注：HTMT 值小于 .85 表明区分效度良好。"
    with pytest.raises(ValueError, match="square"):
        htmt_table(h.iloc[:, :1])


def test_efa_table_suppresses_small_loadings():
    L = pd.DataFrame({"F1": [0.81, 0.12, -0.45], "F2": [-0.05, 0.77, 0.299]}, index=["net1", "tru1", "x3"])
    t = efa_table(L, communalities={"net1": 0.66, "tru1": 0.6, "x3": 0.3}, number=5)
    assert t.display().values.tolist() == [
        ["net1", ".81", "", ".66"], ["tru1", "", ".77", ".60"], ["x3", "-.45", "", ".30"],
    ]
    assert heads(t) == ["Item", "F1", "F2", "h\u00b2"]
    assert plain_text(t.note_paragraphs()[0]) == "Note. Loadings with absolute values below .30 are not shown."
    assert efa_table(L, suppress=0).display()["F2"].tolist() == ["-.05", ".77", ".30"]
    assert efa_table(L, suppress=0).note_paragraphs() == ()


def test_fit_table_and_lavaan_names():
    f = pd.DataFrame({"model": ["One factor", "Four factors"], "chisq": [1520.3, 312.45], "df": [170, 164],
                      "cfi": [0.71, 0.962], "tli": [0.68, 0.955], "rmsea": [0.126, 0.043],
                      "rmsea.ci.lower": [0.12, 0.036], "rmsea.ci.upper": [0.132, 0.05], "srmr": [0.09, 0.041]})
    t = fit_table(f, decimals=3, number=6)
    assert heads(t) == ["Model", "\u03c7\u00b2", "df", "CFI", "TLI", "RMSEA", "90% CI", "SRMR"]
    assert t.display().iloc[1].tolist() == ["Four factors", "312.45", "164", ".962", "0.955", ".043",
                                            "[.036, .050]", ".041"]
    assert t.with_options(drop_leading_zero=False).display().iloc[1, 6] == "[0.036, 0.050]"


def test_invariance_table():
    s = pd.DataFrame({"model": ["Configural", "Metric", "Scalar"], "chisq": [400.1, 410.2, 440.9],
                      "df": [328, 344, 360], "cfi": [0.952, 0.951, 0.944], "rmsea": [0.03, 0.029, 0.031],
                      "delta_chisq": [np.nan, 10.1, 30.7], "delta_df": [np.nan, 16, 16],
                      "p_diff": [np.nan, 0.86, 0.015], "delta_cfi": [np.nan, -0.001, -0.007]})
    t = invariance_table(s, lang="zh", style="three-line")
    assert [c.key for c in t.columns][-4:] == ["delta_chisq", "delta_df", "p_diff", "delta_cfi"]
    shown = t.display()
    assert shown["delta_cfi"].tolist() == ["", "-.001", "-.007"]
    assert shown["delta_df"].tolist() == ["", "16", "16"]
    assert shown["p_diff"].tolist() == ["", ".860", ".015"]
    assert heads(t)[-4:] == ["\u0394\u03c7\u00b2", "\u0394df", "p", "\u0394CFI"]


def test_paths_table_groups_r2_ci():
    est = pd.DataFrame({
        "lhs": ["NET", "RES", "RES", "NET"], "op": ["~", "~", "~", "=~"], "rhs": ["PBL", "PBL", "NET", "net1"],
        "est": [0.52, 0.31, -0.12, 1.0], "se": [0.05, 0.05, 0.06, np.nan], "std_all": [0.41, 0.28, -0.1, 0.8],
        "pvalue": [0.0001, 0.0002, 0.045, np.nan], "ci.lower": [0.42, 0.21, -0.24, np.nan],
        "ci.upper": [0.62, 0.41, -0.001, np.nan],
    })
    t = paths_table(est, r2={"NET": 0.17, "RES": 0.35}, instrument=FakeInstrument(), number=7)
    lay = t.layout()
    assert [r.group for r in lay.body] == ["Relationship networks", None, "Community resilience", None, None]
    assert lay.body[1].cells == ("Party building", "0.52", "0.05", ".41***", "< .001", "0.42", "0.62", ".17")
    assert lay.body[4].cells == ("Relationship networks", "-0.12", "0.06", "-.10*", ".045", "-0.24", "0.00", "")
    assert [plain_text(c.runs) for c in lay.header if c.spanner] == ["95% CI"]
    assert heads(t) == ["Predictor", "B", "SE", "\u03b2", "p", "LL", "UL", "R\u00b2"]
    zh = t.with_options(lang="zh")
    assert zh.layout().body[0].group == "关系网络"
    assert plain_text(zh.note_paragraphs()[0]) == "注：*p < .05，***p < .001。"


def test_indirect_table():
    e = pd.DataFrame({"lhs": ["ind", "total"], "op": [":=", ":="], "est": [0.12, 0.43], "se": [0.03, 0.05],
                      "pvalue": [0.0001, 0.0001], "ci_lower": [0.07, 0.33], "ci_upper": [0.19, 0.52]})
    t = indirect_table(e, ci_method="bca", n_boot=5000, number=8)
    assert heads(t) == ["Effect", "B", "SE", "p", "LL", "UL"]
    assert t.display().iloc[0].tolist() == ["ind", "0.12", "0.03", "< .001", "0.07", "0.19"]
    assert plain_text(t.note_paragraphs()[0]) == (
        "Note. CI = 95% bias-corrected and accelerated bootstrap confidence interval (5,000 resamples).")
    assert plain_text(t.with_options(lang="zh").note_paragraphs()[0]) == (
        "注：CI 为 95% 偏差校正加速 Bootstrap 置信区间（重抽样 5000 次）。")
    with pytest.raises(ValueError, match="ci_method"):
        indirect_table(e, ci_method="magic")


def test_standard_tables_in_one_chinese_document(tmp_path):
    rel = reliability_table(pd.DataFrame({"construct": ["NET"], "alpha": [0.93], "cr": [0.94], "ave": [0.6]}),
                            instrument=FakeInstrument())
    fit = fit_table(pd.DataFrame({"model": ["M1"], "cfi": [0.95], "rmsea": [0.04]}))
    out = write_all([rel, fit], tmp_path / "paper.docx", lang="zh", style="three-line")
    doc = docx.Document(str(out))
    caps = [p.text for p in doc.paragraphs if p.text.startswith("表")]
    assert caps == ["表1\u3000信度与聚合效度", "表2\u3000模型拟合指数"]  # one model: no "competing models"
    assert doc.tables[0].cell(1, 0).text == "关系网络"
    assert doc.tables[0].cell(1, 1).text == ".93"
    for t in doc.tables:
        box = t._tbl.tblPr.find(qn("w:tblBorders"))
        assert box.find(qn("w:top")).get(qn("w:sz")) == "12"
        assert box.find(qn("w:insideV")).get(qn("w:val")) == "nil"
