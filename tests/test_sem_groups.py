"""Multiple-group models: sem(..., group=, group_equal=, group_partial=) against lavaan 0.6-14
(tests/golden/sem_lavaan.json case hs_multigroup; tests/golden/sem_invariance.json)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError, ModelSpecificationError, ResilienceStatsWarning
from resilience_stats.sem.groups import (
    apply_group_equal,
    group_levels,
    normalize_group_equal,
    normalize_group_partial,
    small_group_warnings,
)
from resilience_stats.sem.syntax import build_partable

HERE = Path(__file__).parent
MODEL_HS = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
MODEL_W = "RES =~ res1 + res2 + res3 + res4\n NET =~ net1 + net2 + net3 + net4"
STEPS = {
    "configural": [],
    "metric": ["loadings"],
    "scalar": ["loadings", "intercepts"],
    "strict": ["loadings", "intercepts", "residuals"],
    "means": ["loadings", "intercepts", "residuals", "means"],
}
TOL = 1e-3


@pytest.fixture(scope="module")
def golden():
    return json.loads((HERE / "golden" / "sem_lavaan.json").read_text())["cases"]["hs_multigroup"]


@pytest.fixture(scope="module")
def golden_inv():
    path = HERE / "golden" / "sem_invariance.json"
    # a missing golden file fails (it is part of the project)
    return json.loads(path.read_text())["cases"]


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(HERE / "data" / "holzinger_swineford.csv")


# ------------------------------------------------------------------------------------------ helpers


def test_normalize_group_equal_and_partial():
    assert normalize_group_equal(["lv.variances", "loadings", "loadings"]) == ["lv_variances", "loadings"]
    with pytest.raises(ModelSpecificationError, match="unknown group_equal"):
        normalize_group_equal(["slopes"])
    assert normalize_group_partial(["x3 ~ 1", "NET =~ net4"]) == ["x3~1", "NET=~net4"]
    with pytest.raises(ModelSpecificationError):
        normalize_group_partial(["x3"])


def test_group_levels_first_appearance():
    assert group_levels(pd.Series(["b", "a", "b", np.nan, "c"])) == ["b", "a", "c"]
    assert group_levels(pd.Series([2023, 2021, 2023])) == [2023, 2021]


def test_partable_equalities_and_latent_means():
    pt = build_partable(MODEL_HS, ngroups=2, meanstructure=True, group_equal=["loadings", "intercepts"],
                        group_partial=["x3 ~1"])
    g1, g2 = pt[pt.group == 1].reset_index(), pt[pt.group == 2].reset_index()
    lo = (g1.op == "=~") & (g1.free > 0)
    assert (g1.loc[lo, "free"].to_numpy() == g2.loc[lo, "free"].to_numpy()).all()
    assert g2.loc[lo, "label"].tolist() == [".p2.", ".p3.", ".p5.", ".p6.", ".p8.", ".p9."]
    x3 = (g1.lhs == "x3") & (g1.op == "~1")
    assert g1.loc[x3, "free"].item() != g2.loc[x3, "free"].item()
    assert g1.loc[x3, "label"].item() == ""
    lvmean = (g1.op == "~1") & g1.lhs.isin(["visual", "textual", "speed"])
    assert (g1.loc[lvmean, "free"] == 0).all() and (g2.loc[lvmean, "free"] > 0).all()
    # 'means' equal: latent means stay fixed at 0 in every group (lavaan)
    pt2 = build_partable(MODEL_HS, ngroups=2, meanstructure=True, group_equal=["loadings", "intercepts", "means"])
    assert (pt2.loc[(pt2.op == "~1") & pt2.lhs.isin(["visual"]), "free"] == 0).all()


def test_user_labels_override_group_equal():
    pt = build_partable("f =~ x1 + c(a, b)*x2 + x3", ngroups=2, meanstructure=True, group_equal=["loadings"])
    x2 = pt[(pt.op == "=~") & (pt.rhs == "x2")]
    assert x2["label"].tolist() == ["a", "b"] and x2["free"].nunique() == 2
    x3 = pt[(pt.op == "=~") & (pt.rhs == "x3")]
    assert x3["free"].nunique() == 1


def test_apply_group_equal_single_group_is_noop():
    arr = {"lhs": np.array(["f"], dtype=object), "op": np.array(["=~"], dtype=object),
           "rhs": np.array(["x"], dtype=object), "group": np.array([1]), "user": np.array([1]),
           "free": np.array([1]), "ustart": np.array([np.nan]), "label": np.array([""], dtype=object)}
    apply_group_equal(arr, 1, ["loadings"], None, ov_nox=["x"], lv=["f"])
    assert arr["label"][0] == ""


def test_small_group_rules():
    with pytest.raises(DataError, match="more cases than variables"):
        small_group_warnings(["a", "b"], [100, 5], 6, [18, 18])
    assert small_group_warnings(["a"], [100], 6, [10]) == []
    (msg,) = small_group_warnings(["a"], [29], 6, [5])
    assert "minimum of 30" in msg


# ------------------------------------------------------------------------------------------ lavaan HS


@pytest.mark.parametrize("step", list(STEPS))
def test_hs_steps_match_lavaan(golden, hs, step):
    ref = golden["steps"][step]
    fit = rs.cfa(hs, MODEL_HS, group="school", group_equal=STEPS[step])
    assert fit.n_groups == 2 and fit._state.group_labels == ref["group_labels"]
    fm = ref["fit_measures"]
    for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic",
              "bic"):
        assert fit.fit_indices[k] == pytest.approx(fm[k.replace("_", ".")], abs=TOL, rel=TOL), k
    est = fit.estimates
    pe = pd.DataFrame(ref["parameter_estimates"])
    assert len(est) == len(pe)
    assert (est[["lhs", "op", "rhs", "group"]].to_numpy() == pe[["lhs", "op", "rhs", "group"]].to_numpy()).all()
    assert est["label"].tolist() == pe["label"].tolist()
    np.testing.assert_allclose(est["est"], pe["est"], atol=TOL)
    se = pe["se"].astype(float).to_numpy()
    free = se > 0
    np.testing.assert_allclose(est["se"].to_numpy()[free], se[free], atol=TOL)
    np.testing.assert_allclose(est["std_all"], pe["std.all"].astype(float), atol=TOL)


@pytest.mark.parametrize("step", ["configural", "metric", "scalar"])
def test_hs_mlr_steps_match_lavaan(golden, hs, step):
    ref = golden["mlr_steps"][step]["key_fit_measures"]
    fit = rs.cfa(hs, MODEL_HS, group="school", group_equal=STEPS[step], estimator="MLR")
    fi = fit.fit_indices
    for k, v in ref.items():
        key = "scaling_factor" if k == "chisq.scaling.factor" else k.replace(".", "_")
        assert fi[key] == pytest.approx(v, abs=TOL, rel=TOL), k


def test_group_partial_matches_lavaan(golden_inv):
    ref = golden_inv["waves"]["partial_scalar"]
    df = pd.read_csv(HERE / "data" / "invariance_waves.csv")
    fit = rs.cfa(df, MODEL_W, group="wave", group_equal=["loadings", "intercepts"], group_partial=["net3 ~1"])
    for k in ("chisq", "df", "cfi", "rmsea", "srmr"):
        assert fit.fit_indices[k] == pytest.approx(ref["fit_measures"][k], abs=TOL)
    pe = pd.DataFrame(ref["parameter_estimates"])
    np.testing.assert_allclose(fit.estimates["est"], pe["est"], atol=TOL)
    two = golden_inv["waves"]["partial_two"]
    fit2 = rs.cfa(df, MODEL_W, group="wave", group_equal=["loadings", "intercepts"],
                  group_partial=["net3 ~1", "NET =~ net4"])
    assert fit2.fit_indices["chisq"] == pytest.approx(two["fit_measures"]["chisq"], abs=TOL)
    assert fit2.df == two["fit_measures"]["df"]


def test_fiml_multigroup_matches_lavaan(golden_inv):
    case = golden_inv["hs_fiml"]
    hsm = pd.read_csv(HERE / "data" / "hs_missing.csv")
    for step in ("configural", "metric", "scalar"):
        ref = case["steps"][step]
        fit = rs.cfa(hsm, MODEL_HS, group="school", group_equal=STEPS[step], missing="fiml")
        for k in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl"):
            key = "loglik" if k == "logl" else k
            assert fit.fit_indices[key] == pytest.approx(ref["fit_measures"][k], abs=TOL, rel=TOL), (step, k)
        pe = pd.DataFrame(ref["parameter_estimates"])
        np.testing.assert_allclose(fit.estimates["est"], pe["est"], atol=TOL)


# ------------------------------------------------------------------------------------------ data handling


def test_unequal_groups_and_order_of_first_appearance(hs):
    d = hs.iloc[::-1].reset_index(drop=True)  # Grant-White appears first
    fit = rs.cfa(d, MODEL_HS, group="school")
    assert fit._state.group_labels == ["Grant-White", "Pasteur"]
    assert [s.nobs for s in fit._state.stats] == [145, 156]


def test_small_group_warns_and_tiny_group_errors():
    from resilience_stats.sem.invariance import simulate_groups

    # one factor, 4 items: 12 free parameters per group -> minimum max(30, 3 x 12) = 36 cases
    d = simulate_groups(n=(200, 34), seed=5)
    with pytest.warns(ResilienceStatsWarning, match="recommended minimum of 36"):
        fit = rs.cfa(d, "F =~ y1 + y2 + y3 + y4", group="group")
    assert any("group 2 has 34 cases" in w for w in fit.warnings)
    d = simulate_groups(n=(200, 4), seed=5)
    with pytest.raises(DataError, match="group 2 has 4 usable case"):
        rs.cfa(d, "F =~ y1 + y2 + y3 + y4", group="group")


def test_group_errors(hs):
    with pytest.raises(ModelSpecificationError, match="not found"):
        rs.cfa(hs, MODEL_HS, group="nope")
    with pytest.raises(DataError, match="at least 2"):
        rs.cfa(hs.assign(one=1), MODEL_HS, group="one")
    with pytest.raises(ModelSpecificationError, match="need a grouping"):
        rs.cfa(hs, MODEL_HS, group_equal=["loadings"])
    with pytest.raises(ModelSpecificationError, match="unknown group_equal"):
        rs.cfa(hs, MODEL_HS, group="school", group_equal=["slopes"])


def test_missing_group_values_are_dropped(hs):
    d = hs.copy()
    d.loc[d.index[:3], "school"] = np.nan
    fit = rs.cfa(d, MODEL_HS, group="school")
    assert fit.n_obs == 298
    assert any("missing value of the group variable" in w for w in fit.warnings)
