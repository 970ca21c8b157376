"""rs.qca: bad input, conventions, the configuration chart and table, and the command line."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import resilience_stats as rs
from resilience_stats import qca
from resilience_stats.cli import app
from resilience_stats.errors import DataError

DATA = Path(__file__).parent / "data"
LIPSET = ["DEV", "URB", "LIT", "IND", "STB"]


@pytest.fixture()
def lf() -> pd.DataFrame:
    return pd.read_csv(DATA / "lipset_LF.csv", index_col="case")


# ----------------------------------------------------------------------------------------------- bad input --
@pytest.mark.parametrize("anchors", [(550, 350, 850), (350, 850, 550), (350, 350, 850), (1, 2), ("a", 2, 3)])
def test_anchors_out_of_order_or_malformed_are_refused(anchors):
    with pytest.raises(DataError, match="anchors"):
        qca.calibrate([300.0, 600.0, 900.0], anchors)


def test_decreasing_anchors_calibrate_a_decreasing_set():
    m = qca.calibrate([4.0, 10.0, 14.0], (14, 10, 5), crossover="keep")
    assert m.iloc[0] > 0.95 and m.iloc[1] == 0.5 and m.iloc[2] == pytest.approx(0.05)


def test_calibration_options_are_checked():
    with pytest.raises(DataError, match="idm"):
        qca.calibrate([1.0, 2.0, 3.0], (1, 2, 3), idm=0.4)
    with pytest.raises(DataError, match="crossover"):
        qca.calibrate([1.0, 2.0, 3.0], (1, 2, 3), crossover="round")
    with pytest.raises(DataError, match="outside the range"):
        qca.calibrate([1.0, 2.0, 3.0], 5, kind="crisp")
    with pytest.raises(DataError, match="non-numeric"):
        qca.calibrate(pd.Series(["1", "x", "3"]), (1, 2, 3))
    with pytest.raises(DataError, match="not in the data"):
        qca.calibrate(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), {"b": (1, 2, 3)})


def test_fewer_than_three_cases(lf):
    with pytest.raises(DataError, match="at least 3"):
        qca.truth_table(lf.iloc[:2], "SURV")
    with pytest.raises(DataError, match="at least 3"):
        qca.necessity(lf.iloc[:2], "SURV")


def test_memberships_must_be_sets(lf):
    bad = lf.copy()
    bad.loc["AU", "DEV"] = 1.3
    with pytest.raises(DataError, match=r"outside \[0, 1\].*AU"):
        qca.truth_table(bad, "SURV")
    bad.loc["AU", "DEV"] = np.nan
    with pytest.raises(DataError, match="missing values.*AU"):
        qca.truth_table(bad, "SURV")
    with pytest.raises(DataError, match="not found"):
        qca.truth_table(lf, "SURVIVAL")


def test_a_crossover_membership_is_refused_by_the_truth_table(lf):
    half = lf.copy()
    half.loc["FI", "URB"] = 0.5
    with pytest.raises(DataError, match=r"exactly 0\.5.*FI \(URB\).*nudge"):
        qca.truth_table(half, "SURV")


def test_minimize_refuses_what_r_refuses(lf):
    tt = qca.truth_table(lf, "SURV", incl_cut=0.99)
    with pytest.raises(DataError, match="nothing to explain"):
        qca.minimize(tt)
    everything = qca.truth_table(lf, "SURV", incl_cut=0.0)
    with pytest.raises(DataError, match="every condition is minimized away"):
        qca.minimize(everything, include="?")
    tt = qca.truth_table(lf, "SURV", incl_cut=0.8)
    with pytest.raises(DataError, match="include='\\?'"):
        qca.minimize(tt, dir_exp=["DEV"])
    with pytest.raises(DataError, match="not a condition"):
        qca.minimize(tt, include="?", dir_exp=["GDP"])
    with pytest.raises(DataError, match="truth_table"):
        qca.minimize(lf)


def test_options_are_checked(lf):
    with pytest.raises(DataError, match="incl_cut"):
        qca.truth_table(lf, "SURV", incl_cut=1.5)
    with pytest.raises(DataError, match="n_cut"):
        qca.truth_table(lf, "SURV", n_cut=0)
    with pytest.raises(DataError, match="no configuration has at least"):
        qca.truth_table(lf, "SURV", n_cut=5)


def test_contradictions_with_two_cuts(lf):
    tt = qca.truth_table(lf, "SURV", incl_cut=(0.8, 0.7))
    assert tt.table.set_index("row").loc[24, "OUT"] == "C"        # FR, SE: consistency .709
    assert set(tt.rows("1")) == {22, 32}


def test_directions_as_mapping_equal_list(lf):
    tt = qca.truth_table(lf, "SURV", incl_cut=0.8)
    a = qca.minimize(tt, include="?", dir_exp={"DEV": 1, "URB": "present", "LIT": 1, "IND": 1, "STB": 1})
    b = qca.minimize(tt, include="?", dir_exp=LIPSET)
    assert [m.terms for m in a.models] == [m.terms for m in b.models]


# ---------------------------------------------------------------------------------- configuration chart --
def test_configuration_chart_marks_core_and_peripheral(lf):
    res = qca.fsqca(lf, "SURV", incl_cut=0.8, dir_exp=LIPSET)
    chart = res.configurations().chart
    # C1 = DEV*URB*LIT*STB implies the parsimonious URB*STB; C2 = DEV*LIT*~IND*STB implies DEV*~IND
    assert chart["1"].tolist() == ["peripheral_present", "core_present", "peripheral_present", "", "core_present"]
    assert chart["2"].tolist() == ["core_present", "", "peripheral_present", "core_absent", "peripheral_present"]
    pars = res.configurations("parsimonious").chart
    assert set(pars.to_numpy().ravel()) <= {"core_present", "core_absent", ""}
    cx = res.configurations("complex").chart                  # core from the parsimonious model
    assert cx["2"].tolist() == ["core_present", "peripheral_absent", "peripheral_present", "core_absent",
                                "peripheral_present"]
    with pytest.raises(DataError, match="model must be"):
        res.configurations(model=3)


def test_configuration_table_formats(lf, tmp_path):
    res = qca.fsqca(lf, "SURV", incl_cut=0.8, dir_exp=LIPSET)
    t = res.to_table()
    shown = t.display()
    assert shown["condition"].tolist()[:5] == LIPSET
    assert shown["1"].tolist() == ["•", "●", "•", "", "●", ".468", ".378", ".901", ".660", ".866"]
    assert shown["2"].tolist()[3] == "○"
    crossed = res.to_table(symbols="crossed", lang="zh", style="three-line")
    assert crossed.display()["2"].tolist()[3] == "⨂" and "核心条件" in crossed.to_html()
    assert "组态1" in crossed.to_markdown()
    doc = t.to_docx(tmp_path / "cfg.docx")
    assert (tmp_path / "cfg.docx").stat().st_size > 0 and doc is not None
    assert "●" in t.to_html() and "Solution consistency" in t.to_latex()
    for kind in ("solution", "truth_table", "necessity"):
        md = res.to_table(kind).to_markdown()
        assert "SURV" in md
    assert rs.tables.from_result(res).display().equals(t.display())
    with pytest.raises(DataError, match="kind must be"):
        res.to_table("venn")


def test_summary_lists_every_solution(lf):
    text = qca.fsqca(lf, "SURV", incl_cut=0.8, dir_exp=LIPSET).summary()
    assert "DEV*~IND + URB*STB" in text and "DEV*URB*LIT*STB + DEV*LIT*~IND*STB" in text


def test_missing_parsimonious_solution_is_noted():
    d = pd.DataFrame({"A": [0.9, 0.8, 0.7, 0.6], "B": [0.2, 0.9, 0.3, 0.8], "Y": [0.9, 0.9, 0.8, 0.9]})
    res = qca.fsqca(d, "Y", incl_cut=0.8, dir_exp=["A"])
    assert res.parsimonious is None and res.intermediate is None and res.complex is not None
    assert any("minimized away" in n for n in res.notes)
    with pytest.raises(DataError, match="no parsimonious solution"):
        res.solution("parsimonious")


# ------------------------------------------------------------------------------------------- command line --
def test_cli_qca_text_json_and_table(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cfg.md"
    r = runner.invoke(app, ["qca", str(DATA / "lipset_LF.csv"), "-y", "SURV", "--incl-cut", "0.8", "--dir-exp",
                            ",".join(LIPSET), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "DEV*~IND + URB*STB" in r.output and out.read_text(encoding="utf-8").count("●") >= 2
    r = runner.invoke(app, ["qca", str(DATA / "lipset_LF.csv"), "-y", "SURV", "--format", "json"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    assert [row["term"] for row in payload["parsimonious"]] == ["DEV*~IND", "URB*STB"]


def test_cli_qca_calibrates_raw_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = CliRunner().invoke(app, ["qca", str(DATA / "lipset_LR.csv"), "-y", "SURV", "-c", "DEV,STB",
                                     "--anchors", "DEV=350,550,850", "--anchors", "STB=14,10,5",
                                     "--anchors", "SURV=-9,0,10", "--incl-cut", "0.75", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].startswith("row,DEV,STB,OUT") and "AU, GR" in r.output


@pytest.mark.parametrize("args,code", [(["--anchors", "DEV=1,2"], 2), (["--symbols", "stars"], 2),
                                       (["--incl-cut", "1.5"], 1)])
def test_cli_qca_errors(args, code):
    r = CliRunner().invoke(app, ["qca", str(DATA / "lipset_LF.csv"), "-y", "SURV", *args])
    assert r.exit_code == code, r.output


@pytest.mark.parametrize("module", ["resilience_stats.qca.sets", "resilience_stats.qca.calibrate",
                                    "resilience_stats.qca.necessity", "resilience_stats.qca.truthtable",
                                    "resilience_stats.qca.solution", "resilience_stats.qca.analysis",
                                    "resilience_stats.tables.qca"])
def test_doctests(module):
    import doctest
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qca.CalibrationWarning)
        res = doctest.testmod(importlib.import_module(module),
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
