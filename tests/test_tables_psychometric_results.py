"""Publication tables of omega, Mardia, split halves and the common-method checks (tables/psychometric_results.py):
the numbers shown are the results' numbers, in both languages and every renderer."""

from __future__ import annotations

import doctest
import importlib
import warnings
from pathlib import Path

import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.tables import format_number

MODULE = importlib.import_module("resilience_stats.tables.psychometric_results")


@pytest.fixture(scope="module")
def om(bfi_items):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rs.omega(bfi_items.iloc[:, :15])


def test_omega_loadings_table_shows_the_schmid_leiman_solution(om):
    t = om.to_table()
    shown = t.display()
    assert list(shown.columns) == ["item", "g", "F1*", "F2*", "F3*", "h2", "p2"]
    assert shown["g"].tolist() == [format_number(v, 2, leading_zero=False) for v in om.loadings["g"]]
    small = om.loadings["F1*"].abs() < 0.2
    assert (shown.loc[small.to_numpy(), "F1*"] == "").all()
    note = "".join(r.text for p in t.note_paragraphs() for r in p)
    assert f"ω_h = {om.omega_h:.2f}" in note
    zh = om.to_table(lang="zh", style="three-line")
    assert "一般因子" in zh.title["zh"] and "ω_h" in "".join(r.text for p in zh.note_paragraphs() for r in p)


def test_omega_by_group_factor_table(om):
    shown = om.to_table("omega", lang="zh").display()
    assert shown.iloc[0, 0] == "全量表（g）" and shown.shape == (4, 4)
    assert shown.iloc[0, 1] == f"{om.omega_total:.2f}".lstrip("0")
    with pytest.raises(ValueError, match="kind must be one of"):
        om.to_table("fit")


def test_mardia_and_split_half_tables(pbsc_items):
    m = rs.mardia(pbsc_items)
    shown = m.to_table().display()
    assert shown.iloc[0].tolist()[:2] == ["Multivariate skewness", f"{m.b1p:.3f}"]
    sh = rs.split_half(pbsc_items.iloc[:, :9], constructs={"PBL": list(pbsc_items.columns[:5]),
                                                           "NET": list(pbsc_items.columns[5:9])})
    t = rs.tables.from_result(sh, lang="zh")
    assert t.display()["lambda4"].tolist() == [f"{v:.2f}".lstrip("0") for v in sh["lambda4"]]
    assert "最大分半" in t.to_html()


def test_common_method_table_renders_everywhere(tmp_path):
    data = pd.read_csv(Path(__file__).parent / "data" / "cmb_method.csv")
    model = ("NET =~ net1 + net2 + net3 + net4\nNORM =~ norm1 + norm2 + norm3 + norm4\n"
             "TRUST =~ trust1 + trust2 + trust3 + trust4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = rs.common_method_bias(data, model, marker="marker")
    t = res.to_table(lang="zh", style="three-line")
    for render in (t.to_html, t.to_latex, t.to_markdown):
        assert "单因子模型" in render()
    t.to_docx(tmp_path / "cmb.docx")
    assert (tmp_path / "cmb.docx").stat().st_size > 0
    chisq = t.display().loc[1, "delta_chisq"]
    assert chisq == f"{res.comparisons.loc['single_factor_vs_measurement', 'chisq_diff']:.2f}"


def test_doctests():
    res = doctest.testmod(MODULE, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
