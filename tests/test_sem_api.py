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


def test_cfa_accepts_lavaans_argument_order():
    """cfa(data, model) is ours; cfa(model, data) (lavaan's order) is the same request; text for both fails."""
    d = pd.read_csv(Path(__file__).parent / "data" / "holzinger_swineford.csv")
    a = cfa(d, "v =~ x1 + x2 + x3")
    b = cfa("v =~ x1 + x2 + x3", d)
    assert a.estimates["est"].tolist() == b.estimates["est"].tolist()
    with pytest.raises(ModelSpecificationError, match="got text for the data"):
        cfa("v =~ x1 + x2 + x3", "w =~ x4 + x5 + x6")


# ------------------------------------------------------------------ first-hour inputs (issue 17)
_HS = Path(__file__).parent / "data" / "holzinger_swineford.csv"
_M = "v =~ x1 + b*x2 + x3\nt =~ x4 + x5 + x6\n"


@pytest.mark.parametrize("extra, match", [
    ("deep := " + "(" * 300 + "b" + ")" * 300, "expression too long|nested"),
    ("long := " + " + ".join(["b"] * 2000), "expression too long"),
    ("deep2 := " + "(" * 60 + "b" + ")" * 60, "nested 60 parentheses"),
])
def test_huge_expressions_are_one_clear_error(extra, match):
    with pytest.raises(ModelSyntaxError, match=match):
        cfa(pd.read_csv(_HS), _M + extra)


def test_overflowing_definition_is_flagged_not_raised():
    with pytest.warns(EstimationWarning, match="could not be evaluated"):
        fit = cfa(pd.read_csv(_HS), _M + "big := exp(b*10000)")
    row = fit.estimates.query("lhs == 'big'").iloc[0]
    assert np.isnan(row["est"]) and any("could not be evaluated" in w and "big" in w for w in fit.warnings)


@pytest.mark.parametrize("model, match", [
    ("v =~ x1 + 1e308*x2 + x3", "not a usable number"),
    ("v =~ x1 + 1e400*x2 + x3", "not a usable number"),
    ("v =~ x1 + x2 + x3\nx1 ~~ -1*x1", "negative value"),
])
def test_unusable_fixed_values_are_refused(model, match):
    with pytest.raises(ModelSpecificationError, match=match):
        cfa(pd.read_csv(_HS), model)


def test_empty_right_hand_side_names_the_statement():
    with pytest.raises(ModelSyntaxError, match=r"'v' =~ has nothing on its right-hand side \(line 2"):
        cfa(pd.read_csv(_HS), "v =~\nt =~ x4 + x5 + x6")


def test_small_sample_for_the_number_of_parameters_is_flagged():
    small = pd.read_csv(_HS).head(40)
    fit = cfa(small, _M)  # flagged in fit.warnings (and the report), not raised: a rule of thumb, not an error
    assert any("N = 40 for 13 free parameters" in w for w in fit.warnings)
    assert not any("cases per parameter" in w for w in cfa(pd.read_csv(_HS), _M).warnings)


def test_summary_prints_as_text_and_renders_in_a_notebook():
    fit = cfa(pd.read_csv(_HS), _M)
    s = fit.summary()
    assert repr(s) == str(s) and str(s).startswith("resilience_stats SEM ended normally")
    html = s._repr_html_()
    assert html.startswith("<pre>") and "&gt;" not in str(s) and "Estimator" in html


def test_fit_indices_print_counts_as_integers():
    fi = cfa(pd.read_csv(_HS), _M).fit_indices
    text = repr(fi[["n_obs", "n_params", "df", "chisq"]])
    lines = dict(line.split(maxsplit=1) for line in text.splitlines()[:4])
    assert lines == {"n_obs": "301", "n_params": "13", "df": "8", "chisq": f"{fi['chisq']:.6g}"}
    assert fi.dtype == float and fi["df"] * 2 == 16.0


def test_duplicated_indicator_and_infinite_values_are_clear_errors():
    d = pd.read_csv(_HS)
    with pytest.raises(ModelSpecificationError, match="'x1' appears twice in the definition of 'v'"):
        cfa(d, "v =~ x1 + x1 + x3")
    d.loc[3, "x2"] = np.inf
    with pytest.raises(DataError, match=r"infinite value\(s\) in model variable\(s\) x2"):
        cfa(d, "v =~ x1 + x2 + x3")


def test_listwise_deletion_is_counted_and_a_large_loss_warns():
    d = pd.read_csv(Path(__file__).parent / "data" / "hs_missing.csv")
    with pytest.warns(EstimationWarning, match=r"167 of 301 case\(s\) \(55.5%\).*more than 10%"):
        fit = cfa(d, "v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6")
    assert fit.options["dropped"] == {"missing values (listwise)": 167} and fit.n_obs == 134
    few = pd.read_csv(_HS)
    few.loc[:9, "x1"] = np.nan  # 10 of 301 (3.3%): counted, kept quiet
    fit = cfa(few, "v =~ x1 + x2 + x3")
    assert any("10 of 301 case(s)" in w for w in fit.warnings) and fit.n_obs == 291
