"""Ordinal SEM (WLSMV/ULSMV, delta parameterization) against lavaan 0.6-14.

Golden values: tests/golden/lavaan_wlsmv_bfi.json (lavaan_wlsmv_bfi.R: Big Five on psych's bfi) and
tests/golden/sem_wlsmv.json (sem_wlsmv.R: simulated 5-point survey tests/data/survey_ordinal.csv, ULSMV, a
structural model, std.lv, semTools compRelSEM ordinal omega).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.errors import DataError, EstimationWarning, ModelSpecificationError
import resilience_stats as rs
from resilience_stats.sem import api

GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parent / "data"
TOL = 1e-3

FIT_KEYS = {  # ours -> lavaan
    "chisq": "chisq", "df": "df", "chisq_scaled": "chisq.scaled", "df_scaled": "df.scaled",
    "pvalue_scaled": "pvalue.scaled", "scaling_factor": "chisq.scaling.factor",
    "baseline_chisq": "baseline.chisq", "baseline_chisq_scaled": "baseline.chisq.scaled",
    "baseline_scaling_factor": "baseline.chisq.scaling.factor",
    "cfi": "cfi", "tli": "tli", "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled",
    "cfi_robust": "cfi.robust", "tli_robust": "tli.robust", "rni_robust": "rni.robust",
    "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower", "rmsea_ci_upper": "rmsea.ci.upper",
    "rmsea_scaled": "rmsea.scaled", "rmsea_ci_lower_scaled": "rmsea.ci.lower.scaled",
    "rmsea_ci_upper_scaled": "rmsea.ci.upper.scaled", "rmsea_robust": "rmsea.robust",
    "rmsea_ci_lower_robust": "rmsea.ci.lower.robust", "rmsea_ci_upper_robust": "rmsea.ci.upper.robust",
    "rmsea_pvalue_robust": "rmsea.pvalue.robust",
    "srmr": "srmr", "rmr": "rmr", "crmr": "crmr", "wrmr": "wrmr", "nfi_scaled": "nfi.scaled",
}


def _load(name):
    return json.loads((GOLDEN / name).read_text())


@pytest.fixture(scope="module")
def bfi_golden():
    return _load("lavaan_wlsmv_bfi.json")


@pytest.fixture(scope="module")
def golden():
    return _load("sem_wlsmv.json")


@pytest.fixture(scope="module")
def bfi_items():
    return pd.read_csv(DATA / "bfi.csv").iloc[:, :25]


@pytest.fixture(scope="module")
def survey():
    return pd.read_csv(DATA / "survey_ordinal.csv")


@pytest.fixture(scope="module")
def bfi_fit(bfi_items, bfi_golden):
    return api.cfa(bfi_items, bfi_golden["models"]["big_five"], ordered=True, estimator="WLSMV")


def compare(fit, case, tol=TOL):
    """Max |difference| of est, se, std.all and the fit measures (relative above 1); asserts all below ``tol``."""
    pe = pd.DataFrame(case["parameter_estimates"])
    ours = fit.estimates
    assert len(ours) == len(pe)
    m = ours.merge(pe, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == len(pe)
    worst = {}
    for col, rc in (("est", "est_r"), ("se", "se_r"), ("std_all", "std.all")):
        a, b = m[col].to_numpy(float), m[rc].to_numpy(float)
        ok = np.isfinite(a) & np.isfinite(b) & ~((col == "se") & (b == 0))
        worst[col] = float(np.max(np.abs(a[ok] - b[ok])))
    fi, fm = fit.fit_indices, case["fit_measures"]
    for k, rk in FIT_KEYS.items():
        if fm.get(rk) is None:
            continue
        worst[k] = abs(float(fi[k]) - float(fm[rk])) / max(1.0, abs(float(fm[rk])))  # relative for chi-squares
    bad = {k: v for k, v in worst.items() if not v < tol}
    assert not bad, bad
    return worst


# ------------------------------------------------------------------------------------- bfi (lavaan_wlsmv_bfi)


def test_bfi_wlsmv_matches_lavaan(bfi_fit, bfi_golden):
    case = bfi_golden["cases"]["bfi_wlsmv"]
    compare(bfi_fit, case)
    assert bfi_fit.n_obs == 2436 and int(bfi_fit.df) == 265 and bfi_fit.n_params == 160
    assert bfi_fit.fit_indices["chisq_scaled"] == pytest.approx(6049.27, abs=0.01)
    assert bfi_fit.fit_indices["shift"] == pytest.approx(case["scaled_test"]["shift_parameter"], abs=1e-3)
    th = bfi_fit.estimates[bfi_fit.estimates["op"] == "|"]
    got = pd.Series(th["est"].to_numpy(), index=th["lhs"] + "|" + th["rhs"])
    ref = pd.Series(case["thresholds"])
    assert np.max(np.abs(got[ref.index] - ref)) < 1e-6
    r2 = pd.Series(case["r2"])
    assert np.max(np.abs(bfi_fit.r2[r2.index] - r2)) < TOL


def test_bfi_wlsmv_pairwise_matches_lavaan(bfi_items, bfi_golden):
    fit = api.cfa(bfi_items, bfi_golden["models"]["big_five"], ordered=True, missing="pairwise")
    compare(fit, bfi_golden["cases"]["bfi_wlsmv_pairwise"])
    assert fit.n_obs == 2800 and fit.options["missing"] == "pairwise"


def test_bfi_threshold_rows_and_layout(bfi_fit):
    est = bfi_fit.estimates
    assert est["op"].tolist()[:25] == ["=~"] * 25
    assert est["op"].tolist()[25:150] == ["|"] * 125
    assert est.loc[25, ["lhs", "rhs"]].tolist() == ["A1", "t1"]
    scale = est[est["op"] == "~*~"]
    assert len(scale) == 25 and np.allclose(scale["est"], 1)
    assert np.allclose(np.diag(bfi_fit.implied_cov), 1)
    assert "fit_notes" in bfi_fit.options and "cfi_robust" in bfi_fit.options["fit_notes"]
    assert bfi_fit.options["estimator"] == "WLSMV"
    assert "Thresholds" in bfi_fit.summary()


# ------------------------------------------------------------------------------- simulated survey (sem_wlsmv)


@pytest.mark.parametrize("case,call", [
    ("survey_wlsmv", dict(estimator="WLSMV")),
    ("survey_wlsmv_stdlv", dict(estimator="WLSMV", std_lv=True)),
    ("survey_ulsmv", dict(estimator="ULSMV")),
])
def test_survey_cfa_matches_lavaan(survey, golden, case, call):
    fit = api.cfa(survey, golden["models"]["survey_cfa"], ordered=True, **call)
    compare(fit, golden["cases"][case])
    assert fit.converged


def test_survey_constraints_user_thresholds_residual_covariance(survey, golden):
    fit = api.cfa(survey, golden["models"]["survey_constraints"], ordered=True)
    compare(fit, golden["cases"]["survey_wlsmv_constraints"])
    est = fit.estimates
    a = est[est["label"] == "a"]["est"].to_numpy()
    assert len(a) == 2 and a[0] == a[1]
    ref = pd.DataFrame(golden["cases"]["survey_wlsmv_constraints"]["parameter_estimates"])
    assert (est["lhs"] + est["op"] + est["rhs"]).tolist() == (ref["lhs"] + ref["op"] + ref["rhs"]).tolist()


@pytest.mark.parametrize("case,file,model", [
    ("mixed_categories_wlsmv", "ordinal_mixed.csv", "mixed"),        # items with 2..5 observed categories
    ("likert_wlsmv", "ordinal_clustered_likert.csv", "likert"),     # missing values, listwise
])
def test_small_ordinal_sets_match_lavaan(golden, case, file, model):
    df = pd.read_csv(DATA / file).drop(columns="community", errors="ignore")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = api.cfa(df, golden["models"][model], ordered=True)
    compare(fit, golden["cases"][case])


def test_survey_structural_model(survey, golden):
    items = survey.drop(columns="community")
    fit = api.sem(golden["models"]["survey_sem"], items, ordered=list(items.columns))
    compare(fit, golden["cases"]["survey_sem_wlsmv"])
    assert {"~"} <= set(fit.estimates["op"])


def test_ordered_list_default_estimator_becomes_wlsmv(survey, golden):
    fit = api.cfa(survey, "net =~ net1 + net2 + net3 + net4", ordered=["net1", "net2", "net3", "net4"])
    assert fit.options["estimator"] == "WLSMV"
    assert fit.fit_indices["df"] == 2


# ------------------------------------------------------------------------------------------- bad input


def test_single_category_item_is_an_error(survey):
    df = survey.copy()
    df["net1"] = 3
    with pytest.raises(DataError, match="single observed category"):
        api.cfa(df, "net =~ net1 + net2 + net3 + net4", ordered=True)


def test_empty_category_warns(survey):
    df = survey.copy()
    df.loc[df["net1"] == 2, "net1"] = 1
    with pytest.warns(EstimationWarning, match="categories"):
        fit = api.cfa(df, "net =~ net1 + net2 + net3 + net4", ordered=True)
    assert any("categories [2] are empty" in w for w in fit.warnings)
    est = fit.estimates
    assert ((est["lhs"] == "net1") & (est["op"] == "|")).sum() == 3


def test_category_empty_in_one_group(survey):
    df = survey.copy()
    df["half"] = np.where(np.arange(len(df)) < 400, "w1", "w2")
    model = "net =~ net1 + net2 + net3 + net4"
    with warnings.catch_warnings():  # multiple groups are supported now (tests/test_sem_wlsmv_groups.py)
        warnings.simplefilter("ignore")
        assert api.cfa(df, model, ordered=True, group="half").n_groups == 2
    df.loc[(df["half"] == "w2") & (df["net2"] == 5), "net2"] = 4
    with pytest.raises(DataError, match="item net2: category 5 is empty in group w2"):
        api.cfa(df, model, ordered=True, group="half")


def test_too_few_cases(survey):
    small = survey.iloc[:12]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = api.cfa(small, "net =~ net1 + net2 + net3 + net4", ordered=True)
    assert any("singular" in w for w in fit.warnings)
    with pytest.raises(DataError):
        api.cfa(survey.iloc[:3], "net =~ net1 + net2 + net3 + net4", ordered=True)


def test_unsupported_combinations(survey):
    with pytest.raises(ModelSpecificationError, match="mixed"):
        api.cfa(survey, "net =~ net1 + net2 + net3 + net4", ordered=["net1"], estimator="WLSMV")
    with pytest.raises(ModelSpecificationError, match="estimator"):
        api.cfa(survey, "net =~ net1 + net2 + net3 + net4", ordered=True, estimator="MLR")
    with pytest.raises(ModelSpecificationError, match="ordered=True"):
        api.cfa(survey, "net =~ net1 + net2 + net3 + net4", estimator="WLSMV")
    with pytest.raises(ModelSpecificationError, match="listwise"):
        api.cfa(survey, "net =~ net1 + net2 + net3 + net4", ordered=True, missing="fiml")


# ------------------------------------------------------------------------------------------ ordinal omega


def test_ordinal_omega_matches_semtools(survey, golden, bfi_fit):
    from resilience_stats.sem.validity_ordinal import ordinal_omega

    fit = api.cfa(survey, golden["models"]["survey_cfa"], ordered=True)
    ref = pd.Series(golden["omega"]["survey"]["compRelSEM"])
    assert np.max(np.abs(ordinal_omega(fit)[ref.index] - ref)) < 1e-6
    ref = pd.Series(golden["omega"]["bfi"]["compRelSEM"])
    assert np.max(np.abs(ordinal_omega(bfi_fit)[ref.index] - ref)) < 1e-6
    # with the model-implied denominator omega moves little for a well-fitting model, but it does move
    observed, model_implied = ordinal_omega(fit), ordinal_omega(fit, obs_var=False)
    assert model_implied.index.tolist() == observed.index.tolist()
    assert np.all(np.abs(model_implied - observed) < 0.05) and not np.allclose(model_implied, observed)


def test_ordinal_omega_needs_ordinal_fit():
    from resilience_stats.sem.validity_ordinal import ordinal_omega

    rng = np.random.default_rng(0)
    f = rng.normal(size=(200, 1))
    df = pd.DataFrame(f @ np.ones((1, 3)) + rng.normal(size=(200, 3)), columns=list("abc"))
    with pytest.raises(ModelSpecificationError):
        ordinal_omega(api.cfa(df, "F =~ a + b + c"))


def test_validity_of_an_ordinal_fit_reports_ordinal_omega(bfi_fit, golden):
    v = rs.validity(bfi_fit)
    ref = pd.Series(golden["omega"]["bfi"]["compRelSEM"])
    got = v.reliability.set_index("factor")["omega_ordinal"]
    assert np.max(np.abs(got[ref.index] - ref)) < 1e-6
    assert any("omega_ordinal" in w for w in v.warnings)
