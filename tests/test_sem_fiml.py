"""FIML with missing data against lavaan 0.6-14 (cfa(..., missing = "ml") on tests/data/hs_missing.csv)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.sem import cfa, sem
from resilience_stats.sem.objectives.fiml import fiml_sample_stats

HERE = Path(__file__).resolve().parent
FIT_NAME = {"npar": "n_params", "ntotal": "n_obs", "logl": "loglik", "unrestricted.logl": "loglik_unrestricted",
            "chisq.scaling.factor": "scaling_factor", "baseline.chisq.scaling.factor": "baseline_scaling_factor"}
NOT_REPRODUCED: set[str] = set()  # every lavaan fit measure is reproduced under FIML


@pytest.fixture(scope="module")
def golden():
    path = HERE / "golden" / "sem_lavaan.json"
    # a missing golden file fails (it is part of the project)
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(HERE / "data" / "hs_missing.csv")


@pytest.fixture(scope="module")
def extra():
    path = HERE / "golden" / "sem_extra.json"
    # a missing golden file fails (it is part of the project)
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def fits(golden, extra, data):
    model = golden["models"]["hs_cfa"]
    out = {"hs_fiml_ml": cfa(data, model, missing="fiml"),
           "hs_fiml_mlr": cfa(data, model, missing="fiml", estimator="MLR")}
    fx, path = extra["models"]["hs_fixed_x"], extra["models"]["path_hs"]
    out["hs_fixed_x_fiml"] = sem(fx, data, missing="fiml")
    out["hs_fixed_x_fiml_mlr"] = sem(fx, data, missing="fiml", estimator="MLR")
    out["path_fiml"] = sem(path, data, missing="fiml")
    return out


def case_of(name, golden, extra):
    return golden["cases"][name] if name in golden["cases"] else extra["cases"][name]


ALL = ["hs_fiml_ml", "hs_fiml_mlr", "hs_fixed_x_fiml", "hs_fixed_x_fiml_mlr", "path_fiml"]


@pytest.mark.parametrize("name", ALL)
def test_fiml_parameters_match_lavaan(fits, golden, extra, name):
    params = case_of(name, golden, extra)["parameter_estimates"]
    est = fits[name].estimates
    assert len(est) == len(params)
    for row, p in zip(est.itertuples(), params):
        assert (row.lhs, row.op, row.rhs) == (p["lhs"], p["op"], p["rhs"])
        for ours, theirs in (("est", "est"), ("se", "se"), ("z", "z"), ("std_lv", "std.lv"), ("std_all", "std.all")):
            v = p[theirs]
            if v is None or (theirs == "se" and v == 0):
                continue
            assert abs(getattr(row, ours) - v) <= 1e-4 * max(1, abs(v)), (name, p["lhs"], p["op"], p["rhs"], ours)


@pytest.mark.parametrize("name", ALL)
def test_fiml_fit_measures_match_lavaan(fits, golden, extra, name):
    fi = fits[name].fit_indices
    for k, v in case_of(name, golden, extra)["fit_measures"].items():
        if v is None or k in NOT_REPRODUCED:
            continue
        key = FIT_NAME.get(k, k.replace(".", "_"))
        assert abs(fi[key] - v) <= 1e-5 * max(1, abs(v)), (name, k, fi[key], v)


def test_fiml_h1_em_estimates_and_implied(fits, golden):
    case = golden["cases"]["hs_fiml_ml"]
    fit = fits["hs_fiml_ml"]
    h1 = case["h1_em"]
    cov = pd.DataFrame(h1["cov"]["data"], index=h1["cov"]["rownames"], columns=h1["cov"]["colnames"])
    # lavaan stops its EM at ~1e-6; our saturated fit is the exact MLE (its log-likelihood is >= lavaan's)
    np.testing.assert_allclose(fit.sample_cov.loc[cov.index, cov.columns], cov, atol=2e-5)
    assert fit.fit_indices["loglik_unrestricted"] >= case["fit_measures"]["unrestricted.logl"] - 1e-9
    np.testing.assert_allclose(fit.residuals["raw"] + fit.implied_cov, fit.sample_cov, atol=1e-12)
    imp = case["implied"]
    np.testing.assert_allclose(fit.implied_mean.to_numpy(), list(imp["mean"].values()), atol=1e-5)
    assert case["n_patterns"] == len(fit._state.stats[0].patterns)


def test_fiml_uses_all_cases_and_listwise_drops(fits, golden, data):
    assert fits["hs_fiml_ml"].n_obs == 301
    lw = cfa(data, golden["models"]["hs_cfa"])
    assert lw.n_obs == golden["cases"]["hs_listwise_ml"]["ntotal"]
    assert lw.n_obs < 301


def test_saturated_fit_equals_complete_data_moments():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) @ np.array([[1, 0.5, 0.2], [0, 1, 0.3], [0, 0, 1]])
    Xm = X.copy()
    Xm[rng.random(X.shape) < 0.15] = np.nan
    Xm = Xm[~np.all(np.isnan(Xm), axis=1)]
    ss_full = fiml_sample_stats(X, ["a", "b", "c"])
    np.testing.assert_allclose(ss_full.cov, np.cov(X.T, bias=True), atol=1e-12)
    ss = fiml_sample_stats(Xm, ["a", "b", "c"])
    # EM fixed point: one more EM step does not move the estimates
    from resilience_stats.sem.objectives.fiml import _em_step

    m2, c2 = _em_step(ss.mean, ss.cov, Xm, ss.patterns)
    np.testing.assert_allclose(m2, ss.mean, atol=1e-8)
    np.testing.assert_allclose(c2, ss.cov, atol=1e-8)


def test_fiml_gfi_uses_lavaan_conventions(fits, golden):
    """lavaan's GFI under FIML: pairwise moments against the expected missing-data information."""
    assert fits["hs_fiml_ml"].fit_indices["gfi"] == pytest.approx(
        golden["cases"]["hs_fiml_ml"]["fit_measures"]["gfi"], abs=1e-8)


def test_fiml_robust_indices_present_for_ml_and_mlr(fits):
    for name in ("hs_fiml_ml", "hs_fiml_mlr"):
        fi = fits[name].fit_indices
        assert {"cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust"} <= set(fi.index)


def test_fiml_fixed_x_deletes_cases_with_missing_covariates(fits, extra):
    fit = fits["path_fiml"]
    assert fit.n_obs == extra["cases"]["path_fiml"]["ntotal"] == 238
    assert any("63 case(s) deleted" in w for w in fit.warnings)
