"""Estimation against the lavaan 0.6-14 golden file tests/golden/sem_lavaan.json (made by sem_lavaan.R):
PoliticalDemocracy SEM (ML, MLR, std.lv), HS CFA, fixed.x covariates, mediation with := parameters."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.errors import EstimationWarning
from resilience_stats.sem import cfa, sem

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "sem_lavaan.json"
FIT_NAME = {"npar": "n_params", "ntotal": "n_obs", "logl": "loglik", "unrestricted.logl": "loglik_unrestricted",
            "chisq.scaling.factor": "scaling_factor", "baseline.chisq.scaling.factor": "baseline_scaling_factor"}
NOT_REPORTED = {"srmr_mplus", "srmr_mplus_nomean"}
COMPLETE_CASES = ["pd_ml", "pd_mlr", "pd_ml_stdlv", "pd_mlr_stdlv", "hs_cfa_ml", "hs_cfa_ml_stdlv", "hs_cfa_mlr",
                  "hs_fixed_x_ml", "hs_listwise_ml", "mediation_ml",
                  # tests/golden/sem_extra.json (sem_extra.R): path model with mean structure and := (ML, MLR),
                  # equality constraints, second-order factor, CFA with mean structure (ML, MLR)
                  "path_ml", "path_mlr", "hs_equal_ml", "hs_second_order_ml", "hs_meanstructure_ml",
                  "hs_meanstructure_mlr",
                  # NA* / start() / fixed lv variance / cross-factor residual covariance, orthogonal = TRUE,
                  # labels shared across factors + fixed covariance, user variance on a covariate (random x),
                  # fixed.x = FALSE
                  "hs_manual_std_ml", "hs_orthogonal_ml", "hs_cross_equal_ml", "hs_random_x_ml",
                  "hs_fixed_x_free_ml",
                  # improper solution (negative factor variance) that lavaan reaches: needs the second start
                  "heywood_ml"]
EXTRA = HERE / "golden" / "sem_extra.json"


@pytest.fixture(scope="module")
def golden():
    # a missing golden file fails (it is part of the project)
    g = json.loads(GOLDEN.read_text())
    extra = json.loads(EXTRA.read_text())
    g["models"].update({f"extra_{k}": v for k, v in extra["models"].items()})
    for k, case in extra["cases"].items():
        g["cases"][k] = dict(case, model=f"extra_{case['model']}")
    return g


_FITS: dict = {}


def fit_case(golden, name):
    """Fit a golden case with the options of its lavaan call (cached per session)."""
    if name not in _FITS:
        case = golden["cases"][name]
        call = case["call"]
        data = pd.read_csv(HERE / "data" / case["data"])
        model = golden["models"][case["model"]]
        kw = {}
        m = re.search(r'estimator = "(\w+)"', call)
        kw["estimator"] = m.group(1) if m else "ML"
        if "std.lv = TRUE" in call:
            kw["std_lv"] = True
        if "meanstructure = TRUE" in call:
            kw["meanstructure"] = True
        if "orthogonal = TRUE" in call:
            kw["orthogonal"] = True
        if "fixed.x = FALSE" in call:
            kw["fixed_x"] = False
        if 'missing = "ml"' in call:
            kw["missing"] = "fiml"
        with warnings.catch_warnings():  # the Heywood case warns by design; its values are still compared
            warnings.simplefilter("ignore", EstimationWarning)
            _FITS[name] = cfa(data, model, **kw) if call.startswith("cfa") else sem(model, data, **kw)
    return _FITS[name]


def matrix(d) -> pd.DataFrame:
    return pd.DataFrame(d["data"], index=d["rownames"], columns=d["colnames"])


@pytest.mark.parametrize("name", COMPLETE_CASES)
def test_parameter_estimates_match_lavaan(golden, name):
    fit = fit_case(golden, name)
    params = golden["cases"][name]["parameter_estimates"]
    est = fit.estimates
    assert len(est) == len(params)
    assert fit.converged
    for row, p in zip(est.itertuples(), params):
        assert (row.lhs, row.op, row.rhs.replace(" ", "")) == (p["lhs"], p["op"], p["rhs"].replace(" ", ""))
        for ours, theirs in (("est", "est"), ("se", "se"), ("z", "z"), ("pvalue", "pvalue"), ("std_lv", "std.lv"),
                             ("std_all", "std.all")):
            v = p[theirs]
            if v is None or (theirs == "se" and v == 0):
                continue
            got = getattr(row, ours)
            # lavaan's own optimizer tolerance limits agreement to ~1e-5
            assert abs(got - v) <= 1e-4 * max(1.0, abs(v)), (name, p["lhs"], p["op"], p["rhs"], ours, got, v)


@pytest.mark.parametrize("name", COMPLETE_CASES)
def test_fit_measures_match_lavaan(golden, name):
    fi = fit_case(golden, name).fit_indices
    for k, v in golden["cases"][name]["fit_measures"].items():
        if v is None or k in NOT_REPORTED:
            continue
        key = FIT_NAME.get(k, k.replace(".", "_"))
        assert key in fi.index, k
        assert abs(fi[key] - v) <= 1e-5 * max(1.0, abs(v)), (name, k, fi[key], v)


def test_political_democracy_facts(golden):
    fit = fit_case(golden, "pd_ml")
    assert fit.n_params == 31 and fit.df == 35 and fit.n_obs == 75
    assert fit.fit_indices["chisq"] == pytest.approx(38.125, abs=5e-4)  # lavaan tutorial value


def test_fixed_x_covariates_are_fixed_at_sample_values(golden):
    fit = fit_case(golden, "hs_fixed_x_ml")
    est = fit.estimates
    hs = pd.read_csv(HERE / "data" / "holzinger_swineford.csv")
    row = est[(est["lhs"] == "ageyr") & (est["rhs"] == "sex")].iloc[0]
    assert np.isnan(row["se"])
    assert row["est"] == pytest.approx(np.cov(hs["ageyr"], hs["sex"], bias=True)[0, 1], rel=1e-12)
    assert fit.n_params == 16 and fit.df == 17


@pytest.mark.parametrize("name, where", [("hs_fixed_x_ml", None), ("hs_cfa_ml", "diagnostics")])
def test_r2_and_implied_cov(golden, name, where):
    case = golden["cases"][name]
    src = case[where] if where else case
    fit = fit_case(golden, name)
    r2 = pd.Series(src["r2"])
    pd.testing.assert_series_equal(fit.r2[r2.index], r2, check_names=False, atol=1e-5, rtol=0)
    ref = matrix(src["implied_cov"])
    np.testing.assert_allclose(fit.implied_cov.loc[ref.index, ref.columns], ref, atol=1e-5)


def test_residuals_and_sample_cov(golden):
    diag = golden["cases"]["hs_cfa_ml"]["diagnostics"]
    fit = fit_case(golden, "hs_cfa_ml")
    np.testing.assert_allclose(fit.sample_cov, matrix(diag["sample_cov"]), atol=1e-10)
    np.testing.assert_allclose(fit.residuals["raw"], matrix(diag["residuals_raw"]["cov"]), atol=1e-5)
    np.testing.assert_allclose(fit.residuals["cor"], matrix(diag["residuals_cor"]["cov"]), atol=1e-5)


def test_vcov_matches_lavaan(golden):
    diag = golden["cases"]["hs_cfa_ml"]["diagnostics"]
    fit = fit_case(golden, "hs_cfa_ml")
    ref = matrix(diag["vcov"])
    np.testing.assert_allclose(fit.vcov.to_numpy(), ref.to_numpy(), atol=1e-6)


def test_mediation_defined_parameters(golden):
    fit = fit_case(golden, "mediation_ml")
    est = fit.estimates.set_index("lhs")
    assert est.loc["total", "est"] == pytest.approx(est.loc["c", "est"] if "c" in est.index else
                                                    fit.estimates.query("label == 'c'")["est"].iloc[0]
                                                    + est.loc["ind1", "est"] + est.loc["ind2", "est"], rel=1e-12)
    defs = [p for p in golden["cases"]["mediation_ml"]["parameter_estimates"] if p["op"] == ":="]
    assert [d["lhs"] for d in defs] == ["ind1", "ind2", "total_ind", "total"]
    for d in defs:
        assert est.loc[d["lhs"], "se"] == pytest.approx(d["se"], rel=1e-4)
        assert est.loc[d["lhs"], "std_all"] == pytest.approx(d["std.all"], rel=1e-4)


def test_equality_constraint_reduces_parameters(golden):
    data = pd.read_csv(HERE / "data" / "holzinger_swineford.csv")
    free = cfa(data, golden["models"]["hs_cfa"])
    eq = cfa(data, "visual =~ x1 + a*x2 + a*x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9")
    assert eq.n_params == free.n_params - 1 and eq.df == free.df + 1
    est = eq.estimates
    assert est.loc[1, "est"] == est.loc[2, "est"]
    assert eq.fit_indices["chisq"] >= free.fit_indices["chisq"]


@pytest.mark.parametrize("name", ["path_ml", "hs_equal_ml", "hs_second_order_ml", "hs_meanstructure_ml"])
def test_r2_extra_cases(golden, name):
    ref = pd.Series(golden["cases"][name]["r2"])
    got = fit_case(golden, name).r2
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), atol=1e-5)


def test_path_model_defined_parameters_use_delta_method(golden):
    fit = fit_case(golden, "path_mlr")
    est = fit.estimates
    a = est.query("label == 'a'")["est"].iloc[0]
    b = est.query("label == 'b'")["est"].iloc[0]
    c = est.query("label == 'c'")["est"].iloc[0]
    ratio = est.query("lhs == 'ratio'").iloc[0]
    assert ratio["est"] == pytest.approx(a * b / (c + a * b), rel=1e-12)
    ref = [p for p in golden["cases"]["path_mlr"]["parameter_estimates"] if p["lhs"] == "ratio"][0]
    assert ratio["se"] == pytest.approx(ref["se"], rel=1e-4)


def test_heywood_case_flagged(golden):
    fit = fit_case(golden, "heywood_ml")
    assert any("Heywood" in w and "F (" in w for w in fit.warnings)
    assert any("latent variables is not positive definite" in w for w in fit.warnings)
