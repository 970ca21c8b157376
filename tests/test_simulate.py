"""rs.simulate: population semantics, Likert cutting, MCAR/MAR, clusters (ICC), groups, determinism."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import ModelSpecificationError, ResilienceStatsWarning
from resilience_stats.simulate import default_thresholds, population, population_values

MEDIATION = """
X =~ 0.8*x1 + 0.7*x2 + 0.7*x3
M =~ 0.8*m1 + 0.7*m2 + 0.6*m3
Y =~ 0.8*y1 + 0.7*y2 + 0.7*y3
M ~ a*0.4*X
Y ~ b*0.3*M + c*0.2*X
ind := a*b
"""


def _values(model, **kw) -> pd.Series:
    t = population_values(model, **kw)
    return t.set_index(t["lhs"] + t["op"] + t["rhs"])["value"]


def test_standardized_residual_variances_closed_form():
    v = _values(MEDIATION)
    assert v["x1~~x1"] == pytest.approx(1 - 0.8**2)
    assert v["m3~~m3"] == pytest.approx(1 - 0.6**2)
    assert v["X~~X"] == pytest.approx(1.0)
    assert v["M~~M"] == pytest.approx(1 - 0.4**2)
    # Var(Y) = b^2 + c^2 + 2 b c Cov(M, X) + psi = 1, Cov(M, X) = 0.4
    assert v["Y~~Y"] == pytest.approx(1 - (0.3**2 + 0.2**2 + 2 * 0.3 * 0.2 * 0.4))
    assert v["ind:=a*b"] == pytest.approx(0.12)
    pop = population(MEDIATION)
    np.testing.assert_allclose(np.diag(pop.covariance()), 1.0, atol=1e-10)


def test_raw_metric_unit_residuals():
    v = _values("F =~ 0.8*x1 + 0.6*x2\nY ~ 0.5*F", standardized=False)
    assert v["x1~~x1"] == 1.0 and v["Y~~Y"] == 1.0 and v["F~~F"] == 1.0
    pop = population("F =~ 0.8*x1 + 0.6*x2\nY ~ 0.5*F", standardized=False)
    assert pop.implied_cov.loc["x1", "x1"] == pytest.approx(1.64)


def test_given_values_are_kept_and_residual_covariance_is_a_correlation():
    model = "F =~ 0.8*x1 + 0.7*x2 + 0.7*x3\nA ~ 0.5*F\nB ~ 0.5*F\nA ~~ 0.3*B\nx1 ~~ 0.2*x1"
    pop = population(model)
    v = _values(model)
    assert v["x1~~x1"] == pytest.approx(0.2)  # user value: the variance of x1 is then 0.84
    assert v["A~~B"] == pytest.approx(0.3 * 0.75)  # correlation 0.3 of residuals with variance 0.75
    cov = pd.DataFrame(pop.covariance(), index=pop.names, columns=pop.names)
    assert cov.loc["A", "A"] == pytest.approx(1.0) and cov.loc["x1", "x1"] == pytest.approx(0.84)


def test_unspecified_coefficients_warn_and_are_zero():
    with pytest.warns(ResilienceStatsWarning, match="F =~ x2"):
        v = _values("F =~ 0.8*x1 + x2 + 0.5*x3")
    assert v["F=~x2"] == 0.0 and v["x2~~x2"] == pytest.approx(1.0)


def test_impossible_population_raises():
    with pytest.raises(ModelSpecificationError, match="100 %"):
        population("F =~ 1.2*x1 + 0.5*x2")


def test_continuous_data_reproduce_population_moments():
    df = rs.simulate(MEDIATION, n=20000, seed=3)
    assert list(df.columns) == ["x1", "x2", "x3", "m1", "m2", "m3", "y1", "y2", "y3"]
    sigma = population(MEDIATION).implied_cov
    np.testing.assert_allclose(df.cov().to_numpy(), sigma.to_numpy(), atol=0.04)
    np.testing.assert_allclose(df.mean().to_numpy(), 0, atol=0.03)


def test_deterministic_and_seed_types():
    a = rs.simulate(MEDIATION, n=50, seed=7, ordinal={"categories": 5}, missing={"mcar": 0.1},
                    clusters={"k": 5, "icc": 0.1})
    pd.testing.assert_frame_equal(a, rs.simulate(MEDIATION, n=50, seed=7, ordinal={"categories": 5},
                                                 missing={"mcar": 0.1}, clusters={"k": 5, "icc": 0.1}))
    assert not a.equals(rs.simulate(MEDIATION, n=50, seed=8, ordinal={"categories": 5}, missing={"mcar": 0.1},
                                    clusters={"k": 5, "icc": 0.1}))
    b = rs.simulate(MEDIATION, n=20, seed=np.random.SeedSequence(1))
    pd.testing.assert_frame_equal(b, rs.simulate(MEDIATION, n=20, seed=np.random.default_rng(np.random.SeedSequence(1))))


def test_likert_cutting_default_and_given_thresholds():
    assert default_thresholds(5).tolist() == [-1.5, -0.5, 0.5, 1.5]
    df = rs.simulate(MEDIATION, n=20000, seed=1, ordinal={"categories": 5})
    assert set(np.unique(df.to_numpy())) == {1.0, 2.0, 3.0, 4.0, 5.0}
    # standard normal cut at -1.5, -0.5, 0.5, 1.5: P(1) = P(5) = 0.0668, P(3) = 0.383
    share = df["x1"].value_counts(normalize=True)
    assert share[1.0] == pytest.approx(0.0668, abs=0.01) and share[3.0] == pytest.approx(0.383, abs=0.015)
    two = rs.simulate(MEDIATION, n=5000, seed=1, ordinal={"thresholds": {"x1": [0.0]}, "items": ["x1"]})
    assert set(two["x1"].unique()) == {1.0, 2.0} and two["x2"].nunique() > 100
    assert two["x1"].eq(2.0).mean() == pytest.approx(0.5, abs=0.03)


def test_mcar_rate():
    df = rs.simulate(MEDIATION, n=4000, seed=2, missing={"mcar": 0.1})
    assert df.isna().to_numpy().mean() == pytest.approx(0.1, abs=0.01)


def test_mar_depends_on_observed_predictor():
    df = rs.simulate(MEDIATION, n=6000, seed=4,
                     missing={"mar": {"on": "x1", "rate": 0.2, "strength": 1.5, "items": ["y1", "y2"]}})
    assert df["x1"].notna().all() and df[["m1", "x2"]].notna().all().all()
    miss = df["y1"].isna()
    assert miss.mean() == pytest.approx(0.2, abs=0.02)
    high = df["x1"] > df["x1"].median()
    assert miss[high].mean() > 2.5 * miss[~high].mean()
    # missingness rises with x1, which correlates with y1: the observed y1 mean is biased downward
    assert df["y1"].mean() < -0.02


def test_cluster_icc_of_construct_scores_close_to_stated():
    df = rs.simulate(MEDIATION, n=6000, seed=5, clusters={"k": 120, "icc": 0.10, "name": "community"})
    assert sorted(df["community"].unique()) == list(range(1, 121))
    assert df["community"].value_counts().nunique() == 1  # balanced: 50 each
    scores = pd.DataFrame({c: df[[f"{c}{j}" for j in (1, 2, 3)]].mean(axis=1) for c in "xmy"})
    scores["community"] = df["community"]
    res = rs.icc(scores, cluster="community", constructs={"x": ["x"], "m": ["m"], "y": ["y"]}, n_options=5)
    np.testing.assert_allclose(res["icc1"], 0.10, atol=0.03)
    # the total covariance is unchanged by the clustering
    np.testing.assert_allclose(df.drop(columns="community").var().to_numpy(), 1.0, atol=0.06)


def test_cluster_icc_on_latent_exogenous_only():
    df = rs.simulate(MEDIATION, n=6000, seed=6, clusters={"k": 120, "icc": 0.3, "on": "latent"})
    x = df[["x1", "x2", "x3"]].mean(axis=1)
    y = df[["y1", "y2", "y3"]].mean(axis=1)
    frame = pd.DataFrame({"x": x, "y": y, "cluster": df["cluster"]})
    res = rs.icc(frame, cluster="cluster", constructs={"x": ["x"], "y": ["y"]}, n_options=5).set_index("construct")
    # score ICC = 0.3 x (common variance share of the score) < 0.3; y gets the propagated part only
    var_x = (0.8 + 0.7 + 0.7) ** 2 / 9
    expected_x = 0.3 * var_x / (var_x + (0.36 + 0.51 + 0.51) / 9)
    assert res.loc["x", "icc1"] == pytest.approx(expected_x, abs=0.05)
    assert res.loc["y", "icc1"] < res.loc["x", "icc1"] / 2


def test_groups_with_non_invariance():
    df = rs.simulate(MEDIATION, n=[3000, 3000], seed=8, groups={
        "levels": ["wave1", "wave2"], "name": "wave", "intercept_shift": {"x3": 0.3},
        "latent_mean_shift": {"X": 0.5}, "loading_shift": {"M =~ m2": -0.4}})
    assert df["wave"].tolist() == ["wave1"] * 3000 + ["wave2"] * 3000
    diff = df.groupby("wave").mean().loc["wave2"] - df.groupby("wave").mean().loc["wave1"]
    assert diff["x1"] == pytest.approx(0.8 * 0.5, abs=0.06)
    assert diff["x3"] == pytest.approx(0.7 * 0.5 + 0.3, abs=0.06)
    assert diff["m1"] == pytest.approx(0.8 * 0.4 * 0.5, abs=0.06)  # the shift propagates along X -> M
    assert diff["m2"] == pytest.approx((0.7 - 0.4) * 0.4 * 0.5, abs=0.06)
    g2 = df[df["wave"] == "wave2"]
    assert g2["m2"].corr(g2["m1"]) < df[df["wave"] == "wave1"]["m2"].corr(df[df["wave"] == "wave1"]["m1"]) - 0.15


def test_linear_trend_over_waves_and_shared_clusters():
    df = rs.simulate(MEDIATION, n=2000, seed=9, groups={"levels": [1, 2, 3], "name": "wave",
                                                        "latent_mean_shift": {"X": 0.3}},
                     clusters={"k": 10, "icc": 0.2})
    means = df.groupby("wave")["x1"].mean()
    assert means[3] - means[1] == pytest.approx(0.8 * 0.6, abs=0.08)
    # the same communities (cluster effects) in every wave: cluster means correlate across waves
    cm = df.groupby(["wave", "cluster"])["x1"].mean().unstack("wave")
    assert cm[1].corr(cm[3]) > 0.7


def test_bad_arguments():
    with pytest.raises(ValueError):
        rs.simulate(MEDIATION, n=0)
    with pytest.raises(ValueError):
        rs.simulate(MEDIATION, n=10, missing={"mcar": 1.5})
    with pytest.raises(ValueError, match="unknown key"):
        rs.simulate(MEDIATION, n=10, missing={"nmar": 0.1})
    with pytest.raises(ValueError):
        rs.simulate(MEDIATION, n=10, clusters={"k": 5, "icc": 1.0})
    with pytest.raises(ValueError, match="not a"):
        rs.simulate(MEDIATION, n=10, groups={"levels": [1, 2], "latent_mean_shift": {"x1": 0.2}})
    with pytest.raises(ValueError, match="sizes"):
        rs.simulate(MEDIATION, n=[10, 10, 10], groups={"levels": [1, 2]})
    with pytest.raises(ModelSpecificationError):
        rs.simulate("F =~ 0.8*x1 + 0.7*x2\nx1 | 0.5*t1", n=10)


def test_example_population_model_simulates_the_example_survey():
    pop = rs.example_population("party_building_social_capital")
    v = _values(pop["population_model"])
    assert v["NET~PBL"] == 0.5 and v["RES~PBL"] == 0.15
    assert v["NET~~NET"] == pytest.approx(pop["residual_variances"]["NET"])
    assert v["RES~~RES"] == pytest.approx(pop["residual_variances"]["RES"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every loading and path has a value
        population(pop["population_model"])
