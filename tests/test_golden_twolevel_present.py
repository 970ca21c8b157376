"""The lavaan golden file for two-level SEM and sampling weights (tests/golden/sem_twolevel.json, made by
sem_twolevel.R) is present and complete.

A missing or truncated golden must FAIL here (never skip): the two-level and sampling-weight tests of issue 14
compare against these records. Besides the presence of every case, the properties of lavaan 0.6-14's output that
an implementation must reproduce are pinned (which options lavaan picks with weights, how it normalizes them, that
ICCs come from the saturated model, that SRMR is the sum of the two levels, that each level is standardized with
its own implied variances), and the shipped data files are checked against what the JSON says about them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

GOLDEN = Path(__file__).parent / "golden" / "sem_twolevel.json"
DATA = Path(__file__).parent / "data"

TWOLEVEL_CASES = {
    "demo_ml", "demo_mlr", "demo_within_between_ml", "demo_ind_ml", "demo_ind_mlr", "demo_missing_fiml_ml",
    "survey_ml", "survey_mlr", "survey_balanced_ml",
}
WEIGHT_CASES = {
    "hs_w_default", "hs_w_ML", "hs_w_MLR", "hs_w_ml_lower", "hs_w_mg_mlr", "hs_w_fiml", "hs_w_fiml_ml_lower",
}
REFUSED = {"demo_missing_fiml_mlr"}  # two-level FIML with MLR: lavaan 0.6-14 fails in lav_model_vcov
ERROR_OUTCOMES = {
    "singleton_cluster": "fitted silently",
    "singleton_clusters_10": "fitted silently",
    "between_var_varies_in_one_cluster": "fitted with warnings",
    "between_var_varies_in_all_clusters": "error",
    "one_cluster": "error",
    "two_clusters": "error",
    "cluster_id_missing": "fitted with warnings",
    "level_blocks_reversed": "error",
    "weight_negative": "error",
    "weight_missing": "error",
    "weight_zero": "fitted silently",
    "weight_not_numeric": "error",
    "weight_column_absent": "error",
    "weights_with_cluster": "fitted silently",
    "weights_with_cluster_varying": "fitted silently",
}
CASE_KEYS = {"call", "model", "data", "converged", "options", "nobs", "npar", "parameter_estimates", "fit_measures",
             "warnings", "fit_measures_warnings", "vcov", "test", "partable"}
TWOLEVEL_KEYS = {"loglik", "unrestricted_loglik", "df", "icc", "h1", "implied", "nclusters", "cluster_size",
                 "cluster_id", "cluster_sizes", "rsquare", "cov_lv", "baseline_test", "baseline_partable",
                 "level_names", "level_checks"}
WEIGHT_KEYS = {"weights", "sampstat"}
DATA_FILES = {"demo_twolevel.csv", "demo_twolevel_missing.csv", "twolevel_survey.csv", "twolevel_survey_balanced.csv",
              "hs_weights.csv", "hs_missing_weights.csv"}
TIMINGS = {"demo_ml_fitmeasures", "demo_ml", "survey_ml_fitmeasures", "survey_ml", "machine"}


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run `cd tests/golden && Rscript sem_twolevel.R`"
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _pe(case: dict, lhs: str, op: str, rhs: str, block: int) -> dict:
    rows = [r for r in case["parameter_estimates"]
            if r["lhs"] == lhs and r["op"] == op and r["rhs"] == rhs and r["block"] == block]
    assert len(rows) == 1, (lhs, op, rhs, block)
    return rows[0]


def test_made_with_lavaan_0_6_14(golden):
    assert golden["lavaan_version"] == "0.6-14"


def test_every_case_is_present_and_complete(golden):
    cases = golden["cases"]
    missing = (TWOLEVEL_CASES | WEIGHT_CASES) - set(cases)
    assert not missing, f"cases missing from sem_twolevel.json: {sorted(missing)}"
    assert set(golden["lavaan_refused"]) == REFUSED
    for name in TWOLEVEL_CASES | WEIGHT_CASES:
        case = cases[name]
        keys = CASE_KEYS | (TWOLEVEL_KEYS if name in TWOLEVEL_CASES else WEIGHT_KEYS)
        assert keys <= set(case), (name, keys - set(case))
        assert case["converged"] is True, name
        assert case["model"] in golden["models"], name
        assert (DATA / case["data"]).is_file(), (name, case["data"])
        assert len(case["parameter_estimates"]) > 0, name
        assert {"est", "se", "std.lv", "std.all", "std.nox"} <= set(case["parameter_estimates"][0]), name
        npar = case["npar"]
        assert case["fit_measures"]["npar"] == npar and len(case["vcov"]["rownames"]) == npar, name
    for name in TWOLEVEL_CASES - {"demo_missing_fiml_ml"}:
        assert "sample_summaries" in cases[name], name


def test_twolevel_fit_measures_and_levels(golden):
    for name in TWOLEVEL_CASES:
        case = golden["cases"][name]
        fm = case["fit_measures"]
        # two-level fits have no GFI family / RMR / CN / MFI / ECVI in lavaan 0.6-14
        assert not {"gfi", "agfi", "rmr", "cn_05", "mfi", "ecvi", "crmr"} & set(fm), name
        assert fm["srmr_within"] > 0 and fm["srmr_between"] > 0, name
        assert fm["chisq"] == pytest.approx(-2 * (case["loglik"] - case["unrestricted_loglik"]), abs=1e-6), name
        assert fm["ntotal"] == case["nobs"][0], name
        checks = case["level_checks"]
        assert abs(checks["srmr_minus_within_plus_between"]) < 1e-12, name   # srmr = within + between
        assert checks["icc_minus_h1_ratio_max_abs"] < 1e-12, name           # ICC from the saturated model
        assert checks["std_all_minus_per_level_rebuild_max_abs"] < 1e-10, name  # each level standardized alone
        assert set(case["h1"]) == set(case["implied"]) and len(case["h1"]) == 2, name
        # the := rows sit in block 0 / level 0; every other row in block 1 (within) or 2 (between)
        blocks = {r["block"] for r in case["parameter_estimates"]}
        assert blocks <= {0, 1, 2} and {1, 2} <= blocks, name
    demo = golden["cases"]["demo_ml"]
    assert demo["nclusters"] == 200 and demo["cluster_sizes"] == [5, 10, 15, 20]
    assert set(demo["h1"]) == {"within", "cluster"}
    assert set(golden["cases"]["survey_ml"]["h1"]) == {"within", "community"}  # level 2 is named after cluster=
    assert demo["icc"]["x1"] == 0 and demo["icc"]["y1"] > 0.3
    assert demo["fit_measures"]["chisq"] == pytest.approx(8.092, abs=1e-3)
    assert demo["fit_measures"]["df"] == 10


def test_within_between_labels_and_mlr(golden):
    cases = golden["cases"]
    assert golden["checks"]["within_between_labels_same_as_numbered"]["coef_max_abs_diff"] == 0
    assert {r["level"] for r in cases["demo_within_between_ml"]["parameter_estimates"] if r["block"]} == \
        {"within", "between"}
    for name in ("demo_mlr", "demo_ind_mlr", "survey_mlr"):
        opts = cases[name]["options"]
        assert opts["se"] == "robust.huber.white" and opts["test"] == ["yuan.bentler.mplus"], name
        fm = cases[name]["fit_measures"]
        assert fm["chisq.scaled"] == pytest.approx(fm["chisq"] / fm["chisq.scaling.factor"], rel=1e-12), name


def test_between_level_defined_parameters(golden):
    for name, a_lhs in (("demo_ind_ml", "w2"), ("survey_ml", "NETb")):
        case = golden["cases"][name]
        est = {r["label"]: r["est"] for r in case["parameter_estimates"] if r["label"]}
        assert est["ind"] == pytest.approx(est["a"] * est["b"], rel=1e-12), name
        assert est["total"] == pytest.approx(est["c"] + est["a"] * est["b"], rel=1e-12), name
        ind = next(r for r in case["parameter_estimates"] if r["label"] == "ind")
        assert ind["op"] == ":=" and ind["block"] == 0 and ind["se"] > 0, name
        assert next(r for r in case["parameter_estimates"] if r["label"] == "a")["lhs"] == a_lhs


def test_fiml_twolevel_na_positions(golden):
    case = golden["cases"]["demo_missing_fiml_ml"]
    assert case["options"]["missing"] == "ml"
    fm = case["fit_measures"]
    robust = [k for k in fm if k.endswith(".robust")]
    assert robust and all(fm[k] is None for k in robust)
    assert len(case["fit_measures_warnings"]) == 2
    assert fm["cfi"] is not None and fm["rmsea"] is not None and fm["srmr_between"] is not None
    assert "infinite or missing values" in golden["lavaan_refused"]["demo_missing_fiml_mlr"]["error"]


def test_sampling_weight_options_and_normalization(golden):
    cases = golden["cases"]
    robust = ("ML", "robust.huber.white", ["yuan.bentler.mplus"])
    for name in WEIGHT_CASES:
        opts = cases[name]["options"]
        plain = name.endswith("_ml_lower")  # estimator = "ml" (lower case) keeps plain ML
        expected = ("ML", "standard", ["standard"]) if plain else robust
        assert (opts["estimator"], opts["se"], opts["test"]) == expected, name
    hsw = pd.read_csv(DATA / "hs_weights.csv")
    for name in WEIGHT_CASES:
        w = cases[name]["weights"]
        assert w["normalization"] == "total" and w["raw_total"] == pytest.approx(hsw["w"].sum(), abs=1e-9), name
        assert w["normalized_minus_raw_times_factor_max_abs"] < 1e-12, name
        sizes = sum(g["normalized_sum"] for g in w["groups"].values())
        assert sizes == pytest.approx(len(hsw), abs=1e-9), name
        for g in w["groups"].values():
            assert g["samplestats_nobs"] == pytest.approx(g["normalized_sum"], abs=1e-9)
            assert len(g["normalized"]) == g["n_rows"]
    mg = cases["hs_w_mg_mlr"]["weights"]["groups"]
    assert mg["Pasteur"]["normalized_sum"] != mg["Pasteur"]["n_rows"]  # weighted group size, not the count
    assert cases["hs_w_mg_mlr"]["nobs"] == [156, 145]                    # lavInspect "nobs" keeps the counts
    for check in ("unit_weights_equal_unweighted_mlr", "weights_times_10_equal_weights"):
        diff = golden["checks"][check]["max_abs_diff"]
        assert diff["est"] < 1e-10 and diff["se"] < 1e-8, check


def test_error_behaviour(golden):
    eb = golden["error_behaviour"]
    assert {k: v["outcome"] for k, v in eb.items()} == ERROR_OUTCOMES
    assert "some sampling weights are negative" in eb["weight_negative"]["error"]
    assert "contains missing values" in eb["weight_missing"]["error"]
    assert "non-zero variance" in eb["between_var_varies_in_all_clusters"]["error"]
    assert "non-zero variance" in eb["between_var_varies_in_one_cluster"]["warnings"][0]
    assert eb["singleton_cluster"]["cluster_size_table"]["1"] == 1
    assert eb["cluster_id_missing"]["nclusters"] == 201  # the missing id becomes a cluster of its own
    # lavaan accepts weights in a two-level model but does not use them (same fit as the unweighted MLR)
    ignored = golden["checks"]["weights_ignored_in_twolevel"]
    assert ignored["weights_with_cluster_varying"] == {"est": 0, "se": 0}


def test_data_files_match_the_record(golden):
    assert DATA_FILES <= set(golden["data_files"])
    for name in DATA_FILES:
        df = pd.read_csv(DATA / name)
        rec = golden["data_files"][name]
        assert len(df) == rec["n"] and list(df.columns) == rec["columns"], name
    sv = pd.read_csv(DATA / "twolevel_survey.csv")
    sizes = sv.groupby("community").size()
    assert len(sizes) == 40 and sizes.between(10, 40).all() and sizes.nunique() > 1
    assert (sv.groupby("community")["pbl_c"].nunique() == 1).all()  # between-only variable
    icc = golden["cases"]["survey_ml"]["icc"]
    assert all(0.10 <= icc[v] <= 0.25 for v in ("net1", "net2", "net3", "res1", "res2", "res3"))
    bal = pd.read_csv(DATA / "twolevel_survey_balanced.csv").groupby("community").size()
    assert (bal == 20).all() and golden["cases"]["survey_balanced_ml"]["cluster_sizes"] == [20]
    dtm = pd.read_csv(DATA / "demo_twolevel_missing.csv")
    share = dtm[[f"y{i}" for i in range(1, 7)]].isna().mean()
    assert share.between(0.07, 0.13).all()
    hsw = pd.read_csv(DATA / "hs_weights.csv")
    assert (hsw["w"] > 0).all() and hsw["w"].max() > 4 and hsw["w"].min() < 0.25


def test_timings_recorded(golden):
    assert TIMINGS <= set(golden["timings"])
    for key in TIMINGS - {"machine"}:
        assert math.isfinite(golden["timings"][key]["median_seconds"]) and golden["timings"][key]["median_seconds"] > 0
