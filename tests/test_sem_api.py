"""sem()/cfa() on the Holzinger-Swineford 3-factor CFA against lavaan 0.6-14 (shared reference JSON), and the
input checks of the public API."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from resilience_stats.errors import (
    DataError,
    EstimationWarning,
    ModelSpecificationError,
    ModelSyntaxError,
    ResilienceStatsError,
)
from resilience_stats.sem import SEMResult, cfa, sem

GOLDEN = Path(__file__).resolve().parent / "golden"  # hs_cfa_ml.json: a copy of the shared reference
DATA = Path(__file__).resolve().parent / "data"

# lavaan fitMeasures() name -> our fit_indices name
FIT_NAME = {"npar": "n_params", "ntotal": "n_obs", "logl": "loglik", "unrestricted.logl": "loglik_unrestricted",
            "chisq.scaling.factor": "scaling_factor", "baseline.chisq.scaling.factor": "baseline_scaling_factor"}
# lavaan measures not reported (Mplus-variant SRMR)
NOT_REPORTED = {"srmr_mplus", "srmr_mplus_nomean"}


def fit_name(k: str) -> str:
    return FIT_NAME.get(k, k.replace(".", "_"))


@pytest.fixture(scope="module")
def ref():
    return json.loads((GOLDEN / "hs_cfa_ml.json").read_text())  # a missing golden file fails


@pytest.fixture(scope="module")
def hs(ref):
    assert ref["data_file"] == "HolzingerSwineford1939.csv"  # the same data as tests/data/holzinger_swineford.csv
    return pd.read_csv(DATA / "holzinger_swineford.csv")


@pytest.fixture(scope="module")
def fits(ref, hs):
    return {est: cfa(hs, ref["model_syntax"], estimator=est) for est in ("ML", "MLR")}


def compare_parameters(estimates: pd.DataFrame, params: list[dict], rtol: float = 1e-4) -> None:
    assert len(estimates) == len(params)
    for row, p in zip(estimates.itertuples(), params):
        assert (row.lhs, row.op, row.rhs) == (p["lhs"], p["op"], p["rhs"])
        for ours, theirs in (("est", "est"), ("se", "se"), ("z", "z"), ("pvalue", "pvalue"),
                             ("ci_lower", "ci.lower"), ("ci_upper", "ci.upper"), ("std_lv", "std.lv"),
                             ("std_all", "std.all")):
            v = p[theirs]
            if v is None or (theirs == "se" and v == 0):  # lavaan: se 0 for fixed rows, ours NaN
                continue
            got = getattr(row, ours)
            assert abs(got - v) <= rtol * max(1.0, abs(v)), (p["lhs"], p["op"], p["rhs"], ours, got, v)


def compare_fit(fit_indices: pd.Series, measures: dict, rtol: float = 1e-5) -> None:
    for k, v in measures.items():
        if v is None or k in NOT_REPORTED:
            continue
        name = fit_name(k)
        assert name in fit_indices.index, k
        assert abs(fit_indices[name] - v) <= rtol * max(1.0, abs(v)), (k, fit_indices[name], v)


@pytest.mark.parametrize("est", ["ML", "MLR"])
def test_hs_parameters_match_lavaan(fits, ref, est):
    compare_parameters(fits[est].estimates, ref[est]["parameters"])


@pytest.mark.parametrize("est", ["ML", "MLR"])
def test_hs_fit_measures_match_lavaan(fits, ref, est):
    compare_fit(fits[est].fit_indices, ref[est]["fit_all"])


def test_hs_published_values(fits, ref):
    fi = fits["ML"].fit_indices
    for k, d in ref["published_check"].items():
        assert round(fi[fit_name(k)], 3) == pytest.approx(d["published"], abs=1e-9)


def test_hs_basic_facts(fits, ref):
    fit = fits["ML"]
    assert isinstance(fit, SEMResult)
    assert fit.converged and fit.warnings == []
    assert fit.n_obs == 301 and fit.n_params == 21 and fit.df == 24
    assert list(fit.estimates.columns) == ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower",
                                           "ci_upper", "std_lv", "std_all"]
    fixed = fit.estimates.iloc[0]
    assert fixed["est"] == 1.0 and np.isnan(fixed["se"]) and fixed["ci_lower"] == 1.0
    assert fit.fit_indices["fmin"] == pytest.approx(ref["ML"]["fit_all"]["fmin"], rel=1e-9)


def test_caller_frame_is_not_modified(ref, hs):
    before = hs.copy()
    cfa(hs, ref["model_syntax"])
    pd.testing.assert_frame_equal(hs, before)


def test_cfa_reads_model_from_instrument(ref, hs):
    wave = SimpleNamespace(data=hs, instrument=SimpleNamespace(measurement_model=lambda: ref["model_syntax"]))
    fit = cfa(wave)
    assert fit.fit_indices["chisq"] == pytest.approx(85.3055217699727, rel=1e-8)


def test_cfa_without_model_or_instrument_raises(hs):
    with pytest.raises(ModelSpecificationError, match="measurement_model"):
        cfa(hs)


def test_bad_data_type_raises():
    with pytest.raises(DataError):
        sem("f =~ a + b + c", [[1, 2, 3]])


def test_missing_variables_are_named(hs):
    with pytest.raises(ModelSpecificationError, match="not found in the data: zz1, zz2"):
        cfa(hs, "f =~ x1 + zz1 + zz2")


def test_non_numeric_columns_are_named(hs):
    with pytest.raises(ModelSpecificationError, match="non-numeric column.*school"):
        cfa(hs, "f =~ x1 + x2 + school")


def test_negative_df_raises(hs):
    with pytest.raises(ModelSpecificationError, match="df = -2"):
        sem("f =~ x1 + x2\n x1 ~~ x2", hs)


def test_single_indicator_with_nothing_fixed_raises(hs):
    with pytest.raises(ModelSpecificationError, match="single indicator"):
        cfa(hs, "f =~ x1 + x2 + x3\n g =~ x4\n x4 ~~ x4")


def test_too_few_complete_cases_raises(hs):
    small = hs.iloc[:3]
    with pytest.raises(ModelSpecificationError, match="too few complete cases: 3"):
        cfa(small, "f =~ x1 + x2 + x3")


def test_syntax_error_propagates_with_position(hs):
    with pytest.raises(ModelSyntaxError, match="line 2, position"):
        cfa(hs, "f =~ x1 + x2 + x3\n g =~ x4 ++ x5")


def test_all_errors_share_the_base_class(hs):
    with pytest.raises(ResilienceStatsError):
        cfa(hs, "f =~ x1 + nope")


def test_heywood_case_is_flagged_not_raised():
    rng = np.random.default_rng(3)
    n = 200
    f = rng.normal(size=n)
    df = pd.DataFrame({"a": f + 0.01 * rng.normal(size=n), "b": 0.3 * f + rng.normal(size=n),
                       "c": 0.3 * f + rng.normal(size=n)})
    fit = cfa(df, "F =~ a + b + c")
    assert isinstance(fit, SEMResult)
    if (fit.estimates.query("op == '~~' and lhs == rhs")["est"] < 0).any():
        assert any("Heywood" in w for w in fit.warnings)


def test_nonconvergence_is_flagged(monkeypatch, ref, hs):
    from resilience_stats.sem import estimate

    real = estimate.fisher_scoring

    def short(objective, theta0, maxit=500, **kw):
        return real(objective, theta0, maxit=2, **kw)

    monkeypatch.setattr(estimate, "fisher_scoring", short)
    monkeypatch.setattr(estimate.optimize, "minimize",
                        lambda fun, x0, **kw: SimpleNamespace(x=x0, fun=fun(x0), nit=0, message="stopped"))
    with pytest.warns(EstimationWarning, match="did not converge"):
        fit = cfa(hs, ref["model_syntax"])
    assert fit.converged is False
    assert any("did not converge" in w for w in fit.warnings)


def test_collinear_data_warns_about_sample_covariance():
    rng = np.random.default_rng(1)
    f = rng.normal(size=300)
    df = pd.DataFrame({"a": f + rng.normal(size=300), "b": f + rng.normal(size=300)})
    df["c"] = df["a"] + df["b"]
    df["d"] = f + rng.normal(size=300)
    with pytest.warns(EstimationWarning) as caught:
        fit = cfa(df, "F =~ a + b + c + d")
    assert any("Heywood" in str(w.message) for w in caught)
    assert any("not positive definite" in w for w in fit.warnings)


def test_se_robust_with_ml_is_lavaan_robust_sem(ref, hs):
    """lavaan: cfa(..., se = "robust") -> sandwich SEs with the expected information, standard test."""
    fit = cfa(hs, ref["model_syntax"], se="robust")
    assert fit.estimates["se"].iloc[1] == pytest.approx(0.1032895, abs=5e-7)
    assert fit.estimates["se"].iloc[2] == pytest.approx(0.1145602, abs=5e-7)
    assert "chisq_scaled" not in fit.fit_indices.index
    assert fit.fit_indices["chisq"] == pytest.approx(85.3055217699727, rel=1e-9)


def test_mlr_with_expected_information(ref, hs):
    """lavaan: cfa(..., estimator = "MLR", information = "expected")."""
    fi = cfa(hs, ref["model_syntax"], estimator="MLR", information="expected").fit_indices
    assert fi["chisq_scaled"] == pytest.approx(81.92122205, rel=1e-6)
    assert fi["cfi_robust"] == pytest.approx(0.93155975, abs=1e-7)
    assert fi["rmsea_robust"] == pytest.approx(0.09137352, abs=1e-7)


def test_se_none(ref, hs):
    fit = cfa(hs, ref["model_syntax"], se="none")
    assert fit.estimates["se"].isna().all()
    assert fit.fit_indices["chisq"] == pytest.approx(85.3055217699727, rel=1e-9)
    assert "not computed" in fit.summary()
