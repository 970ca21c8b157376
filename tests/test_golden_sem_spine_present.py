"""The lavaan golden file for the SEM estimation spine (tests/golden/sem_spine.json, made by sem_spine.R) is present
and complete.

A missing or truncated golden must FAIL here (never skip): the estimator, constraint, growth, residual, modification
index and bootstrap tests of the spine compare against these records. Besides the presence of every case, a few
properties of lavaan 0.6-14's output that the spine must reproduce are pinned (NA positions, the MLM defaults,
scaling factors of multi-group MLR), and the resample index files are checked against the data they index.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

GOLDEN = Path(__file__).parent / "golden" / "sem_spine.json"
DATA = Path(__file__).parent / "data"

CASES = {
    # 1. continuous estimators
    "hs_mlm", "hs_gls", "hs_uls", "hs_wls", "hs_dwls", "hs_mlmv", "hs_mlmvs",
    "pd_mlm", "pd_gls", "pd_uls", "pd_wls", "pd_dwls", "hs_ml_robust_sem_sb",
    # 2. missing = "ml.x" / FIML with random covariates
    "hs_mlx_ml", "hs_mlx_mlr", "hs_fiml_randomx_ml", "hs_fiml_randomx_mlr", "hs_fiml_fixedx_ml",
    # 3. ordinal with covariates (conditional.x)
    "survey_x_wlsmv",
    # 4. labels, := and == in ordinal models
    "survey_labels_eq_wlsmv", "survey_labels_wlsmv", "waves_labels_wlsmv",
    # 5. theta parameterization
    "survey_theta_wlsmv", "waves_theta_th_load_wlsmv",
    # 6. complete ordinal fit measures
    "survey_wlsmv", "survey_ulsmv", "waves_wlsmv", "waves_ulsmv",
    "survey_df_gt_baseline_wlsmv", "survey_df_gt_baseline_ulsmv",
    # 7. nonlinear equality and inequality constraints
    "pd_labels_ml", "pd_nonlin_eq_ml", "pd_ineq_inactive_ml", "pd_ineq_var_inactive_ml",
    "pd_ineq_diff_active_ml", "pd_ineq_bound_active_ml", "pd_ineq_var_active_ml",
    # 8. growth
    "growth_ml", "growth_mlr", "growth_cov_ml", "growth_cov_mlr",
    # 9. multi-group MLR with equality constraints
    "hs_mg_scalar_mlr", "hs_mg_metric_mlr", "hs_mg_configural_mlr",
    # 10. modification indices
    "hs_mg_metric_ml_mi", "survey_wlsmv_mi", "waves_th_load_wlsmv_mi",
    # 11. residuals and std.nox
    "hs_ml_resid", "hs_fiml_resid", "hs_mg_configural_resid", "hs_fixed_x_stdnox", "pd_obs_x_stdnox",
}
REFUSED = {"pd_ineq_b1_gt_0_ml"}  # lavaan 0.6-14 does not converge on `b1 > 0` (kept with its warning)
CASE_KEYS = {"call", "model", "data", "converged", "options", "parameter_estimates", "fit_measures", "warnings"}
EXTRA_KEYS = {
    "hs_wls": {"vcov", "wls_obs", "gamma", "wls_v"},
    "hs_dwls": {"vcov", "wls_obs", "wls_v_diag"},
    "survey_x_wlsmv": {"sampstat", "res_var", "wls_obs", "wls_v_diag", "gamma"},
    "pd_nonlin_eq_ml": {"con_jac", "con_lambda", "vcov"},
    "pd_ineq_diff_active_ml": {"con_jac", "con_lambda", "vcov"},
    "hs_mg_metric_ml_mi": {"modindices", "score_test"},
    "survey_wlsmv_mi": {"modindices"},
    "waves_th_load_wlsmv_mi": {"modindices", "score_test"},
    "hs_ml_resid": {"lav_residuals", "residuals_standardized"},
    "hs_fiml_resid": {"lav_residuals", "residuals_standardized"},
    "hs_mg_configural_resid": {"lav_residuals", "residuals_standardized"},
    "hs_fixed_x_stdnox": {"std_nox"},
}
TIMINGS = {"hs_cfa_ml_fitmeasures", "political_democracy_ml_fitmeasures", "mediation_ml_fitmeasures",
           "mediation_bootstrap_1000", "machine"}


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run `cd tests/golden && Rscript sem_spine.R`"
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_made_with_lavaan_0_6_14(golden):
    assert golden["lavaan_version"] == "0.6-14"


def test_every_case_is_present_and_complete(golden):
    missing = CASES - set(golden["cases"])
    assert not missing, f"cases missing from sem_spine.json: {sorted(missing)}"
    assert REFUSED == set(golden["lavaan_refused"])
    for name in CASES:
        case = golden["cases"][name]
        assert CASE_KEYS <= set(case), (name, CASE_KEYS - set(case))
        assert case["converged"] is True, name
        assert case["model"] in golden["models"], name
        assert (DATA / case["data"]).is_file(), (name, case["data"])
        assert len(case["parameter_estimates"]) > 0 and len(case["fit_measures"]) >= 40, name
        assert {"est", "se", "std.all", "std.nox"} <= set(case["parameter_estimates"][0]), name
    for name, keys in EXTRA_KEYS.items():
        assert keys <= set(golden["cases"][name]), (name, keys - set(golden["cases"][name]))


def test_mlm_defaults_and_mlmv_tests(golden):
    cases = golden["cases"]
    assert cases["hs_mlm"]["options"]["se"] == "robust.sem"
    assert cases["hs_mlm"]["options"]["test"] == ["satorra.bentler"]
    assert cases["hs_mlmv"]["options"]["test"] == ["scaled.shifted"]
    assert cases["hs_mlmvs"]["options"]["test"] == ["mean.var.adjusted"]
    same = cases["hs_ml_robust_sem_sb"]["same_as_hs_mlm"]
    assert same["est"] and same["se"] and same["chisq_scaled"]


def test_na_positions_lavaan_reports(golden):
    cases = golden["cases"]
    for name in ("survey_ulsmv", "waves_ulsmv", "hs_uls", "pd_uls"):
        fm = cases[name]["fit_measures"]
        assert fm["pvalue"] is None and fm["baseline.pvalue"] is None, name
        assert fm["chisq"] is not None, name
    for name in ("survey_df_gt_baseline_wlsmv", "survey_df_gt_baseline_ulsmv"):
        fm = cases[name]["fit_measures"]
        assert fm["df"] > fm["baseline.df"], name
        assert fm["nfi"] is None and fm["rfi"] is None and fm["cfi.robust"] is None, name
        assert fm["cfi"] is not None and fm["gfi"] is not None, name
    fm = cases["survey_wlsmv"]["fit_measures"]
    for key in ("gfi", "agfi", "pgfi", "mfi", "cn_05", "cn_01", "nfi", "rfi", "cfi.robust", "wrmr"):
        assert fm[key] is not None and math.isfinite(fm[key]), key
    assert fm["srmr_mplus"] is None


def test_robust_indices_with_fiml_random_x(golden):
    fm = golden["cases"]["hs_fiml_randomx_mlr"]["fit_measures"]
    for key in ("cfi.robust", "tli.robust", "rmsea.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust"):
        assert fm[key] is not None and math.isfinite(fm[key]), key
    assert golden["cases"]["hs_fiml_randomx_mlr"]["options"]["fixed.x"] is False
    assert golden["cases"]["hs_mlx_ml"]["options"]["missing"] == "ml.x"
    # fixed.x = TRUE with FIML drops the cases whose covariate is missing
    assert golden["cases"]["hs_fiml_fixedx_ml"]["nobs"][0] < golden["cases"]["hs_mlx_ml"]["nobs"][0]


def test_multigroup_mlr_scaling_factors(golden):
    case = golden["cases"]["hs_mg_scalar_mlr"]
    fm = case["fit_measures"]
    ybm = case["test"]["yuan.bentler.mplus"]
    assert fm["scaling.factor.h0"] == ybm["scaling.factor.h0"]
    assert fm["scaling.factor.h1"] == ybm["scaling.factor.h1"]
    assert len(ybm["stat_attr_h0"]) == len(ybm["stat_attr_h1"]) == 2


def test_constraints_active_and_inactive(golden):
    cases = golden["cases"]
    assert cases["pd_ineq_inactive_ml"]["con_jac_attr"]["inactive_idx"] == [1]
    assert cases["pd_ineq_diff_active_ml"]["con_jac_attr"]["inactive_idx"] == []
    est = {r["label"]: r["est"] for r in cases["pd_ineq_diff_active_ml"]["parameter_estimates"] if r["label"]}
    assert est["b2"] == pytest.approx(est["b3"], abs=1e-6)
    est = {r["label"]: r["est"] for r in cases["pd_nonlin_eq_ml"]["parameter_estimates"] if r["label"]}
    assert est["b1"] == pytest.approx((est["b2"] + est["b3"]) ** 2, abs=1e-6)
    assert cases["pd_nonlin_eq_ml"]["fit_measures"]["df"] == cases["pd_labels_ml"]["fit_measures"]["df"] + 1


@pytest.mark.parametrize("kind, index_file, n_rows, data_file", [
    ("cluster", "cluster_boot_indices.csv", 40, "cluster_survey.csv"),
    ("fiml", "hs_missing_boot_indices.csv", 301, "hs_missing.csv"),
    ("ordinal", "survey_ordinal_boot_indices.csv", 800, "survey_ordinal.csv"),
])
def test_bootstrap_replicates_match_their_index_files(golden, kind, index_file, n_rows, data_file):
    rep = golden["bootstrap_replicates"][kind]
    idx = pd.read_csv(DATA / index_file)
    assert idx.shape == (n_rows, 20) and list(idx.columns) == [f"r{i}" for i in range(1, 21)]
    data = pd.read_csv(DATA / data_file)
    if kind == "cluster":
        assert set(idx.to_numpy().ravel()) <= set(data["cid"])
    else:
        assert idx.to_numpy().min() >= 1 and idx.to_numpy().max() <= len(data)
    assert rep["indices"] == index_file and rep["data"] == data_file
    assert len(rep["est"]) == 20 and all(len(e) == len(rep["lhs"]) for e in rep["est"])
    assert all(rep["converged"])


def test_timings_recorded(golden):
    assert TIMINGS <= set(golden["timings"])
    assert golden["timings"]["mediation_bootstrap_1000"]["median_seconds"] > 0
