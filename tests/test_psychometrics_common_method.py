"""Common-method-bias checks vs lavaan 0.6-14 (single-factor CFA, ULMC, anova chi-square differences) and psych
2.2.9 (Harman shares) in tests/golden/common_method.json, and closed forms of Lindell-Whitney and of the
Satorra-Bentler scaled difference."""

from __future__ import annotations

import doctest
import importlib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import resilience_stats as rs
from resilience_stats.errors import DataError, ModelSpecificationError
from resilience_stats.psychometrics import common_method_bias

HERE = Path(__file__).parent
MODULE = importlib.import_module("resilience_stats.psychometrics.common_method")
ROBUST = {"chisq": "chisq.scaled", "cfi": "cfi.robust", "tli": "tli.robust", "rmsea": "rmsea.robust"}


@pytest.fixture(scope="module")
def gold():
    return json.loads((HERE / "golden" / "common_method.json").read_text())  # a missing file fails here


@pytest.fixture(scope="module")
def pbsc() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "example_survey_pbsc.csv")


@pytest.fixture(scope="module")
def cmb_data() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "cmb_method.csv")


def _run(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return common_method_bias(*args, **kwargs)


@pytest.fixture(scope="module")
def runs(gold, pbsc, cmb_data):
    """(result, golden fit prefix, golden anova suffix) of each checked configuration."""
    m = gold["models"]
    return {
        "pbsc_ml": (_run(pbsc, m["pbsc_measurement"]), "pbsc", "ml", "equal"),
        "pbsc_mlr": (_run(pbsc, m["pbsc_measurement"], estimator="MLR"), "pbsc", "mlr", "equal"),
        "cmb_ml_equal": (_run(cmb_data, m["cmb_measurement"], marker="marker"), "cmb", "ml", "equal"),
        "cmb_ml_free": (_run(cmb_data, m["cmb_measurement"], method_loadings="free", tests=["single_factor", "ulmc"]),
                        "cmb", "ml", "free"),
        "cmb_fiml_equal": (_run(cmb_data, m["cmb_measurement"], estimator="MLR", missing="fiml"), "cmb", "mlr_fiml",
                           "equal"),
        "cmb_fiml_free": (_run(cmb_data, m["cmb_measurement"], estimator="MLR", missing="fiml",
                               method_loadings="free", tests=["ulmc"]), "cmb", "mlr_fiml", "free"),
    }


def _check_fit_row(row: pd.Series, fm: dict, robust: bool) -> None:
    for key in ("chisq", "cfi", "tli", "rmsea"):
        ref = fm[ROBUST[key]] if robust else fm[key]
        assert row[key] == pytest.approx(ref, rel=1e-5 if key == "chisq" else 0, abs=1e-6), key
    assert row["df"] == fm["df"]
    assert row["srmr"] == pytest.approx(fm["srmr"], abs=1e-6)
    assert row["converged"]


@pytest.mark.parametrize("case", ["pbsc_ml", "pbsc_mlr", "cmb_ml_equal", "cmb_ml_free", "cmb_fiml_equal",
                                  "cmb_fiml_free"])
def test_models_and_differences_match_lavaan(case, runs, gold):
    res, src, est, loadings = runs[case]
    robust = est != "ml"
    fits = gold["fits"]
    names = {"measurement": f"{src}_measurement_{est}", "single_factor": f"{src}_single_{est}",
             "ulmc": f"{src}_ulmc_{loadings}_{est}"}
    for model in res.model_fit.index:
        _check_fit_row(res.model_fit.loc[model], fits[names[model]]["fit_measures"], robust)
    for comp, key in (("single_factor_vs_measurement", f"{src}_single_{est}"),
                      ("measurement_vs_ulmc", f"{src}_ulmc_{loadings}_{est}")):
        if comp not in res.comparisons.index:
            continue
        a = gold["anova"][key]
        row = res.comparisons.loc[comp]
        assert row["chisq_diff"] == pytest.approx(a["chisq_diff"], rel=1e-4, abs=1e-5), comp
        assert row["df_diff"] == a["df_diff"]
        assert row["pvalue"] == pytest.approx(a["pvalue"], abs=1e-5)
        assert row["method"] == ("Satorra-Bentler (2001) scaled difference" if robust else "chi-square difference")


@pytest.mark.parametrize("case", ["pbsc_ml", "cmb_ml_equal", "cmb_ml_free", "cmb_fiml_free"])
def test_method_variance_matches_lavaan_standardized_loadings(case, runs, gold):
    res, src, est, loadings = runs[case]
    std = pd.DataFrame(gold["fits"][f"{src}_ulmc_{loadings}_{est}"]["std_all"])
    meth = std[(std["lhs"] == "CMV") & (std["op"] == "=~")].set_index("rhs")["est.std"].astype(float)
    ours = res.method_variance["method_loading"]
    if np.isnan(meth.to_numpy()).all():             # negative method variance: no standardized loadings
        assert ours.isna().all() and res.model_fit.loc["ulmc", "improper"]
        assert "improper solution" in res.verdict
        return
    np.testing.assert_allclose(ours.abs().to_numpy(), meth.reindex(ours.index).abs().to_numpy(), atol=1e-5)
    assert ours.sum() > 0
    np.testing.assert_allclose(res.method_variance["method_share"].to_numpy(), ours.to_numpy() ** 2)
    trait = std[(std["op"] == "=~") & (std["lhs"] != "CMV")].set_index("rhs")["est.std"].astype(float)
    np.testing.assert_allclose(res.method_variance["trait_loading"].to_numpy(),
                               trait.reindex(ours.index).to_numpy(), atol=1e-5)


def test_free_ulmc_finds_the_global_minimum(runs, gold):
    # lavaan's default start ends in a local minimum with a negative factor variance; ours is the better one
    res = runs["cmb_ml_free"][0]
    assert res.model_fit.loc["ulmc", "chisq"] < gold["cmb_ulmc_free_default_start"]["chisq"] - 5
    assert not res.model_fit.loc["ulmc", "improper"]


@pytest.mark.parametrize("case,key,missing", [("pbsc_ml", "pbsc", "listwise"),
                                              ("cmb_fiml_equal", "cmb_pairwise", "fiml"),
                                              ("cmb_ml_equal", "cmb_listwise", "listwise")])
def test_harman_matches_psych(case, key, missing, runs, gold):
    res = runs[case][0]
    assert res.options["missing"] == missing
    for variant in ("pca", "efa_minres", "efa_pa"):
        g = gold["harman"][key][variant]
        assert res.harman.loc[variant, "ss_loadings"] == pytest.approx(g["SS loadings"], abs=1e-8)
        assert res.harman.loc[variant, "share"] == pytest.approx(g["Proportion Var"], abs=1e-8)
    share = gold["harman"][key]["pca"]["Proportion Var"]
    assert not res.flags["harman"] and f"{100 * share:.1f}%" in res.verdict


def test_marker_correction_matches_r(runs, gold, cmb_data):
    res = runs["cmb_ml_equal"][0]
    g = gold["marker"]
    np.testing.assert_allclose(res.marker_correlations.to_numpy(), list(g["marker_correlations"].values()),
                               atol=1e-12)
    sm = g["smallest"]
    assert res.r_m == pytest.approx(list(sm["r_m"].values())[0], abs=1e-12)
    assert list(res.marker["var1"]) == sm["var1"] and list(res.marker["var2"]) == sm["var2"]
    for ours, theirs in (("r", "r"), ("r_corrected", "r_corrected"), ("t", "t"), ("p_corrected", "p")):
        np.testing.assert_allclose(res.marker[ours].to_numpy(), sm[theirs], rtol=1e-9, atol=1e-300)
    assert (res.marker["df"] == g["n"] - 3).all()
    second = _run(cmb_data, tests=["marker"], marker="marker", marker_r="second_smallest",
                  model=gold["models"]["cmb_measurement"])
    assert second.r_m == pytest.approx(list(g["second_smallest"]["r_m"].values())[0], abs=1e-12)
    np.testing.assert_allclose(second.marker["r_corrected"].to_numpy(), g["second_smallest"]["r_corrected"],
                               rtol=1e-9)


def test_lindell_whitney_closed_form():
    # r = .40, r_M = .10, n = 103: r_A = .3/.9 = 1/3, t = (1/3) sqrt(100 / (8/9)) = 3.5355...
    r = np.array([[1.0, 0.4], [0.4, 1.0]])
    out = MODULE.marker_correction(r, ["a", "b"], 0.10, 103).iloc[0]
    assert out["r_corrected"] == pytest.approx(1 / 3, abs=1e-15)
    assert out["t"] == pytest.approx(np.sqrt(100 / (8 / 9)) / 3, rel=1e-14)
    assert out["p_corrected"] == pytest.approx(2 * stats.t.sf(out["t"], 100), rel=1e-14)
    assert out["p"] == pytest.approx(2 * stats.t.sf(0.4 * np.sqrt(101 / 0.84), 101), rel=1e-12)
    # a corrected correlation that is no longer significant
    weak = MODULE.marker_correction(np.array([[1.0, 0.25], [0.25, 1.0]]), ["a", "b"], 0.2, 103).iloc[0]
    assert bool(weak["lost_significance"])


def test_fit_is_reused_and_tests_can_be_chosen(pbsc, gold):
    mm = gold["models"]["pbsc_measurement"]
    fit = rs.cfa(pbsc, mm)
    res = _run(pbsc, fit=fit, tests=["harman", "ulmc"])
    assert res.fits["measurement"] is fit and set(res.fits) == {"measurement", "ulmc"}
    assert res.tests == ["harman", "ulmc"] and "single factor" not in res.verdict
    only = _run(pbsc, mm, tests=["harman"])
    assert only.fits == {"measurement": only.fits["measurement"]} and only.model_fit is None
    with pytest.raises(ModelSpecificationError, match="another model"):
        _run(pbsc, "F =~ pbl1 + pbl2 + pbl3", fit=fit)


def test_frame_without_model_runs_harman_and_item_level_marker(cmb_data):
    res = _run(cmb_data, marker="marker")
    assert res.tests == ["harman", "marker"] and res.fits == {}
    assert len(res.items) == 12 and len(res.marker) == 66
    with pytest.raises(ModelSpecificationError, match="'ulmc' needs a measurement model"):
        _run(cmb_data.drop(columns="marker"), tests=["ulmc"])


def test_wave_input_uses_the_instrument_and_the_raw_marker():
    raw = rs.example_survey("party_building_social_capital", n=300, seed=8)
    raw["mood"] = (np.arange(len(raw)) % 5) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wave = rs.read_survey(raw, "party_building_social_capital")
        res = rs.common_method_bias(wave, marker="mood", tests=["harman", "marker"])
    assert "mood" not in wave.data.columns
    assert len(res.items) == 29 and list(res.marker_correlations.index) == list(wave.instrument.construct_items)
    scores = wave.scores()[list(wave.instrument.construct_items)]
    expected = scores.assign(mood=raw["mood"].to_numpy()).dropna().corr()["mood"].iloc[:-1]
    np.testing.assert_allclose(res.marker_correlations.to_numpy(), expected.to_numpy(), atol=1e-12)


def test_flags_and_verdict_follow_the_cuts(runs, cmb_data, gold):
    res = _run(cmb_data, gold["models"]["cmb_measurement"], tests=["harman", "ulmc"], harman_cut=0.3,
               delta_cfi_cut=-1.0)
    assert res.flags == {"harman": True, "ulmc": True}
    assert "above 30%" in res.verdict and bool(res.comparisons.loc["measurement_vs_ulmc", "flag"])
    base = runs["cmb_ml_equal"][0]
    assert base.flags == {"harman": False, "single_factor": False, "ulmc": False, "marker": False}
    assert base.verdict.startswith("Harman: first unrotated factor explains") and base.verdict.endswith(".")


def test_bad_input(pbsc, cmb_data, gold):
    mm = gold["models"]["pbsc_measurement"]
    with pytest.raises(ModelSpecificationError, match="ML' or 'MLR"):
        common_method_bias(pbsc, mm, estimator="WLSMV")
    with pytest.raises(DataError, match="not in the data"):
        common_method_bias(pbsc, mm, marker="nope")
    with pytest.raises(DataError, match="one of the substantive items"):
        common_method_bias(pbsc, mm, marker="pbl1", tests=["marker"])
    with pytest.raises(DataError, match="unknown test"):
        common_method_bias(pbsc, mm, tests=["harmann"])
    with pytest.raises(DataError, match="method_loadings"):
        common_method_bias(pbsc, mm, method_loadings="fixed")
    with pytest.raises(DataError, match="marker_r"):
        common_method_bias(cmb_data, marker="marker", marker_r="largest")
    bad = cmb_data.assign(marker=cmb_data["marker"].astype(object))
    bad.loc[3, "marker"] = "high"
    with pytest.raises(DataError, match="must be numeric"):
        common_method_bias(bad, marker="marker")
    with pytest.raises(DataError, match="SurveyWave or a pandas DataFrame"):
        common_method_bias([1, 2, 3])


def test_input_untouched_and_outputs(runs, cmb_data):
    before = cmb_data.copy()
    res = _run(cmb_data, marker="marker")
    pd.testing.assert_frame_equal(cmb_data, before)
    full = runs["cmb_fiml_equal"][0]
    assert "Model comparisons" in full.summary() and "CommonMethodResult" in repr(full)
    fit_tab = full.to_table()
    shown = fit_tab.display()
    assert shown.shape[0] == 3 and shown.iloc[0, 0] == "Single-factor model"
    assert shown.loc[1, "delta_df"] == "3" and shown.loc[2, "delta_df"] == "1"
    zh = full.to_table(lang="zh", style="three-line")
    assert zh.display().iloc[2, 0].startswith("测量模型 + 共同方法因子")
    assert "Harman" in "".join(r.text for p in fit_tab.note_paragraphs() for r in p)
    assert full.to_table("method_variance").display().shape == (12, 6)
    assert res.to_table("marker").display().shape[0] == 66
    assert res.to_table().title["en"] == "Harman's Single-Factor Test"
    with pytest.raises(ValueError, match="no marker"):
        full.to_table("marker")
    with pytest.raises(ValueError, match="kind must be one of"):
        full.to_table("bogus")


def test_report_shows_the_verdict_in_the_data_quality_section():
    from resilience_stats.report.sections import Context, _sec_sample
    from resilience_stats.report.blocks import Paragraph

    raw = rs.example_survey("party_building_social_capital", n=250, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = rs.analyze(raw, "party_building_social_capital", bootstrap=0, estimator="ML", missing="listwise",
                       steps=["sample", "cfa", "common_method"])
    step = a["common_method"]
    assert step.ok and step.value.fits["measurement"] is a.value("cfa")
    for lang, start in (("en", "Harman: first unrotated factor explains"), ("zh", "Harman 单因子检验")):
        section = _sec_sample(Context(a, lang=lang))
        texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
        line = [t for t in texts if t.startswith(start)]
        assert len(line) == 1 and ("ΔCFI" in line[0])


def test_doctests():
    res = doctest.testmod(MODULE, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
