"""Measurement invariance: rs.invariance, rs.partial_invariance, rs.latent_mean_differences and the score tests,
against lavaan 0.6-14 (tests/golden/sem_lavaan.json hs_multigroup; tests/golden/sem_invariance.json, made by
tests/golden/sem_invariance.R from tests/data/invariance_waves.csv and invariance_communities.csv).

The waves data: ``simulate_groups(n=(420, 380), seed=11, factors=2, n_items=4, intercept_shift={"y7": 0.5},
latent_mean=(0, 0.3), group_col="wave", labels=[2021, 2023])`` with y1-y4 -> res1-res4, y5-y8 -> net1-net4
(so net3's intercept is 0.5 higher in 2023), rounded to 6 decimals.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import ModelSpecificationError
from resilience_stats.sem.invariance import (
    LEVELS,
    equality_score_tests,
    level_group_equal,
    lrt_difference,
    resolve_cutoffs,
    simulate_groups,
)

HERE = Path(__file__).parent
MODEL_HS = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
MODEL_W = "RES =~ res1 + res2 + res3 + res4\n NET =~ net1 + net2 + net3 + net4"
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


@pytest.fixture(scope="module")
def waves():
    return pd.read_csv(HERE / "data" / "invariance_waves.csv")


@pytest.fixture(scope="module")
def hs_inv(hs):
    return rs.invariance(MODEL_HS, hs, "school", levels=LEVELS)


@pytest.fixture(scope="module")
def waves_inv(waves):
    return rs.invariance(MODEL_W, waves, "wave", levels=LEVELS)


def _check_table(table, steps_ref, lrt_ref, keys=("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                                                  "rmsea_ci_upper", "srmr")):
    levels = list(table["level"])
    for _, row in table.iterrows():
        fm = steps_ref[row["level"]]
        fm = fm.get("key_fit_measures", fm.get("fit_measures"))
        for k in keys:
            assert row[k] == pytest.approx(fm[k.replace("_", ".")], abs=TOL, rel=TOL), (row["level"], k)
    for a, b in zip(levels[:-1], levels[1:]):
        tab = lrt_ref[f"{a}_vs_{b}"]
        tab = tab["table"] if isinstance(tab, dict) else tab
        row = table.set_index("level").loc[b]
        assert row["delta_chisq"] == pytest.approx(tab[1]["Chisq diff"], abs=TOL, rel=TOL)
        assert row["delta_df"] == tab[1]["Df diff"]
        assert row["lrt_p"] == pytest.approx(tab[1]["Pr(>Chisq)"], abs=TOL)


# ------------------------------------------------------------------------------------------ helpers


def test_level_mapping_and_cutoffs():
    ge = level_group_equal(LEVELS)
    assert ge["strict"] == ["loadings", "intercepts", "residuals"]
    assert ge["means"][-1] == "means"
    assert level_group_equal(["configural", "metric", "scalar"], ordered=True)["scalar"] == ["loadings",
                                                                                            "thresholds"]
    assert level_group_equal(["configural", "metric", "lv_variances"])["lv_variances"] == ["loadings",
                                                                                         "lv_variances"]
    with pytest.raises(ModelSpecificationError):
        level_group_equal(["configural", "weak"])
    assert resolve_cutoffs()["rule"] == "Chen (2007)"
    assert resolve_cutoffs("lrt")["lrt_alpha"] == 0.05
    with pytest.raises(ModelSpecificationError):
        resolve_cutoffs({"delta_tli": 0.01})


# ------------------------------------------------------------------------------------------ HS vs lavaan


def test_hs_sequence_matches_lavaan(hs_inv, golden):
    t = hs_inv.table
    assert list(t.columns) == ["level", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                               "rmsea_ci_upper", "srmr", "delta_chisq", "delta_df", "lrt_p", "delta_cfi",
                               "delta_rmsea", "decision"]
    _check_table(t, golden["steps"], golden["lrt"])
    assert set(hs_inv.fits) == set(LEVELS)
    # Chen (2007): scalar fails (delta CFI = -.038), metric holds
    assert hs_inv.holds["metric"] and not hs_inv.holds["scalar"]
    assert hs_inv.highest_level() == "metric"
    assert "Chen (2007)" in t.set_index("level").loc["scalar", "decision"]
    assert hs_inv.cutoffs["delta_cfi"] == -0.010


def test_hs_mlr_scaled_difference_matches_lavaan(hs, golden):
    res = rs.invariance(MODEL_HS, hs, "school", levels=("configural", "metric", "scalar"), estimator="MLR")
    t = res.table.set_index("level")
    for lev, ref in golden["mlr_steps"].items():
        fm = ref["key_fit_measures"]
        assert t.loc[lev, "chisq"] == pytest.approx(fm["chisq.scaled"], abs=TOL)
        assert t.loc[lev, "cfi"] == pytest.approx(fm["cfi.robust"], abs=TOL)
        assert t.loc[lev, "rmsea"] == pytest.approx(fm["rmsea.robust"], abs=TOL)
    for key, ref in golden["mlr_lrt"].items():
        b = ref["steps"][1]
        assert t.loc[b, "delta_chisq"] == pytest.approx(ref["table"][1]["Chisq diff"], abs=TOL)
        assert t.loc[b, "lrt_p"] == pytest.approx(ref["table"][1]["Pr(>Chisq)"], abs=TOL)


def test_hs_score_tests_match_lavTestScore(hs_inv, golden_inv):
    ref = pd.DataFrame(golden_inv["hs_score"]["score_scalar"])
    ours = equality_score_tests(hs_inv.fits["scalar"], by="constraint")
    assert ours[["lhs", "op", "rhs"]].values.tolist() == ref[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(ours["X2"], ref["X2"], atol=TOL)
    by_par = equality_score_tests(hs_inv.fits["scalar"], types=["intercepts"])
    assert by_par["parameter"].iloc[0] == "x3 ~1" and (by_par["type"] == "intercepts").all()


def test_hs_partial_scalar(hs):
    res = rs.partial_invariance(MODEL_HS, hs, "school", level="scalar")
    assert res.freed == ["x3 ~1", "x7 ~1"]
    assert res.holds
    assert list(res.steps["freed"]) == res.freed
    assert res.steps["score_chisq"].iloc[0] == pytest.approx(19.19, abs=0.01)
    assert res.fit.df == 58


# ------------------------------------------------------------------------------------------ waves vs lavaan


def test_waves_sequence_matches_lavaan(waves_inv, golden_inv):
    case = golden_inv["waves"]
    _check_table(waves_inv.table, case["steps"], case["lrt"])
    assert waves_inv.fits["configural"]._state.group_labels == [2021, 2023]
    assert [str(v) for v in case["group_labels"]] == ["2021", "2023"]
    for lev, fit in waves_inv.fits.items():
        pe = pd.DataFrame(case["steps"][lev]["parameter_estimates"])
        np.testing.assert_allclose(fit.estimates["est"], pe["est"], atol=TOL)


def test_waves_mlr_matches_lavaan(waves, golden_inv):
    case = golden_inv["waves_mlr"]
    res = rs.invariance(MODEL_W, waves, "wave", estimator="MLR")
    t = res.table.set_index("level")
    for lev, ref in case["steps"].items():
        fm = ref["fit_measures"]
        assert t.loc[lev, "chisq"] == pytest.approx(fm["chisq.scaled"], abs=TOL)
        assert t.loc[lev, "cfi"] == pytest.approx(fm["cfi.robust"], abs=TOL)
        assert t.loc[lev, "rmsea"] == pytest.approx(fm["rmsea.robust"], abs=TOL)
    for key, tab in case["lrt"].items():
        b = key.split("_vs_")[1]
        assert t.loc[b, "delta_chisq"] == pytest.approx(tab[1]["Chisq diff"], abs=TOL)


def test_waves_score_tests_match_lavTestScore(waves_inv, golden_inv):
    for lev in ("metric", "scalar"):
        ref = pd.DataFrame(golden_inv["waves"][f"score_{lev}"])
        ours = equality_score_tests(waves_inv.fits[lev], by="constraint")
        assert ours[["lhs", "rhs"]].values.tolist() == ref[["lhs", "rhs"]].values.tolist()
        np.testing.assert_allclose(ours["X2"], ref["X2"], atol=TOL)


def test_shifted_intercept_is_flagged_and_freed(waves_inv, waves, golden_inv):
    """net3's intercept differs between waves: scalar fails (Chen 2007), partial invariance frees net3 ~1."""
    assert waves_inv.holds["metric"]
    assert not waves_inv.holds["scalar"]
    assert waves_inv.table.set_index("level").loc["scalar", "decision"].startswith("not invariant")
    res = rs.partial_invariance(MODEL_W, waves, "wave", level="scalar")
    assert res.freed == ["net3 ~1"]
    assert res.holds
    assert res.score_tests["parameter"].iloc[0] == "net3 ~1"
    ref = golden_inv["waves"]["partial_scalar"]
    assert res.fit.fit_indices["chisq"] == pytest.approx(ref["fit_measures"]["chisq"], abs=TOL)
    assert res.steps["lrt_p"].iloc[0] == pytest.approx(ref["lrt_vs_metric"][1]["Pr(>Chisq)"], abs=TOL)
    # latent means: wave 2023 vs 2021 (true difference 0.3 SD on both factors)
    lmd = rs.latent_mean_differences(res)
    assert list(lmd.columns) == ["group", "reference", "factor", "est", "se", "z", "pvalue", "ci_lower",
                                 "ci_upper", "effect_size", "effect_size_pooled"]
    assert lmd["group"].tolist() == [2023, 2023] and lmd["reference"].tolist() == [2021, 2021]
    pe = pd.DataFrame(ref["parameter_estimates"])
    for _, r in lmd.iterrows():
        p = pe[(pe.lhs == r["factor"]) & (pe.op == "~1") & (pe.group == 2)].iloc[0]
        assert r["est"] == pytest.approx(p["est"], abs=TOL)
        assert r["se"] == pytest.approx(p["se"], abs=TOL)
    assert (lmd["effect_size"].between(0.1, 0.5)).all()


def test_latent_mean_differences_needs_free_means(waves_inv):
    with pytest.raises(ModelSpecificationError, match="no latent mean is a free parameter"):
        rs.latent_mean_differences(waves_inv.fits["configural"])
    lmd = rs.latent_mean_differences(waves_inv)  # uses the scalar fit
    fit = waves_inv.fits["scalar"]
    est = fit.estimates
    row = est[(est.lhs == "RES") & (est.op == "~1") & (est.group == 2)].iloc[0]
    assert lmd.iloc[0]["est"] == pytest.approx(row["est"])
    assert lmd.iloc[0]["ci_lower"] == pytest.approx(row["ci_lower"])
    psi = est[(est.lhs == "RES") & (est.op == "~~") & (est.rhs == "RES") & (est.group == 1)]["est"].item()
    assert lmd.iloc[0]["effect_size"] == pytest.approx(row["est"] / np.sqrt(psi))


def test_communities_scalar_and_score_tests_match_lavaan(golden_inv):
    """20 communities of unequal size (90-219 cases)."""
    case = golden_inv["communities"]
    df = pd.read_csv(HERE / "data" / "invariance_communities.csv")
    fit = rs.cfa(df, MODEL_W, group="community", group_equal=["loadings", "intercepts"])
    assert fit.n_groups == 20 and fit._state.group_labels == case["group_labels"]
    fm = case["steps"]["scalar"]["fit_measures"]
    for k in ("chisq", "df", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"):
        assert fit.fit_indices[k] == pytest.approx(fm[k.replace("_", ".")], abs=TOL), k
    ref = pd.DataFrame(case["score_scalar"])
    ours = equality_score_tests(fit, by="constraint").iloc[: len(ref)]
    assert ours[["lhs", "rhs"]].values.tolist() == ref[["lhs", "rhs"]].values.tolist()
    np.testing.assert_allclose(ours["X2"], ref["X2"], atol=TOL)


@pytest.mark.slow
def test_communities_sequence_matches_lavaan(golden_inv):
    case = golden_inv["communities"]
    df = pd.read_csv(HERE / "data" / "invariance_communities.csv")
    res = rs.invariance(MODEL_W, df, "community")
    _check_table(res.table, case["steps"], case["lrt"])
    assert res.holds["strict"]


# ------------------------------------------------------------------------------------------ options


def test_cutoff_options_and_lrt(waves):
    res = rs.invariance(MODEL_W, waves, "wave", levels=("configural", "metric", "scalar"),
                        cutoffs={"delta_cfi": -0.05, "delta_rmsea": 0.2})
    assert res.holds["scalar"]
    assert res.cutoffs["rule"] == "user cutoffs"
    res2 = rs.invariance(MODEL_W, waves, "wave", levels=("configural", "metric", "scalar"), cutoffs="lrt")
    assert not res2.holds["scalar"] and "LRT p" in res2.table["decision"].iloc[2]
    r = lrt_difference(res2.fits["scalar"], res2.fits["metric"])  # order does not matter
    assert r["delta_df"] == 6 and r["delta_chisq"] > 0


def test_higher_order_latent_means_are_identified(hs):
    """Only the higher-order mean is freed (lavaan frees the first-order intercepts too: not identified)."""
    m = MODEL_HS + "\n g =~ visual + textual + speed"
    fit = rs.cfa(hs, m, group="school", group_equal=["loadings", "intercepts"])
    assert fit.df == 64 and fit.converged  # lavaan: 61 (3 more, non-identified, latent intercepts)
    lmd = rs.latent_mean_differences(fit)
    assert lmd["factor"].tolist() == ["g"] and np.isfinite(lmd["se"]).all()


def test_simulate_groups_many_groups_unequal_sizes():
    df = simulate_groups(n=tuple(range(60, 60 + 12 * 10, 10)), seed=3)
    res = rs.invariance("F =~ y1 + y2 + y3 + y4", df, "group", levels=("configural", "metric"))
    assert res.fits["metric"].n_groups == 12
    assert res.table["delta_df"].iloc[1] == 3 * 11


def test_partial_invariance_when_level_already_holds(waves):
    res = rs.partial_invariance(MODEL_W, waves, "wave", level="metric")
    assert res.holds and res.freed == [] and res.steps.empty
    assert res.fit is res.initial_fit
    assert (res.score_tests["type"] == "loadings").all()
    with pytest.raises(ModelSpecificationError, match="previous level"):
        rs.partial_invariance(MODEL_W, waves, "wave", level="configural")
