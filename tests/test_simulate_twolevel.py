"""rs.simulate with two-level population models (residents nested in communities): population values per level,
moments and ICCs of the draws, recovery by a two-level fit, designs, and the errors for bad designs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import ModelSpecificationError
from resilience_stats.power import analysis_syntax
from resilience_stats.simulate import TwoLevelPopulation, cluster_sizes, population, population_values

# the community survey of tests/golden/sem_twolevel.json (model "survey") with population values
SURVEY = """
level: 1
  NETw =~ 0.8*net1 + 0.7*net2 + 0.7*net3
  RESw =~ 0.8*res1 + 0.7*res2 + 0.7*res3
  RESw ~ 0.4*NETw
level: 2
  NETb =~ 0.9*net1 + 0.9*net2 + 0.8*net3
  RESb =~ 0.9*res1 + 0.8*res2 + 0.8*res3
  NETb ~ a*0.5*pbl_c
  RESb ~ b*0.4*NETb + c*0.2*pbl_c
  ind := a*b
  total := c + a*b
"""
ICC = {"net1": 0.2, "net2": 0.15, "net3": 0.1, "res1": 0.25, "res2": 0.2, "res3": 0.3}
# lavaan's Demo.twolevel structure: within-only covariates x, between-only covariates w
DEMO = """
level: within
  fw =~ 0.8*y1 + 0.7*y2 + 0.6*y3
  fw ~ 0.3*x1 + 0.2*x2 + 0.1*x3
level: between
  fb =~ 0.9*y1 + 0.8*y2 + 0.8*y3
  fb ~ 0.4*w1 + 0.2*w2
  y1 ~ 3*1
"""


def _values(pop) -> pd.Series:
    v = pop.values
    return v.set_index(v["lhs"] + v["op"] + v["rhs"] + "@" + v["level"].astype(str))["value"]


def _moments(data: pd.DataFrame, ov: list[str], cluster: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled within covariance, between covariance from the cluster means corrected for the within part
    (Muthen's S_PW and (S_B - S_PW) / c for unequal cluster sizes), and the grand mean."""
    g = data.groupby(cluster, sort=True)
    nj = g.size().to_numpy()
    N, J = nj.sum(), len(nj)
    X = data.sort_values(cluster, kind="stable")[ov].to_numpy(float)
    means = g[ov].mean().to_numpy()
    dev = X - np.repeat(means, nj, axis=0)
    s_pw = dev.T @ dev / (N - J)
    grand = X.mean(axis=0)
    s_b = (means - grand).T @ ((means - grand) * nj[:, None]) / (J - 1)
    c = (N - (nj ** 2).sum() / N) / (J - 1)
    return s_pw, (s_b - s_pw) / c, grand


# ---------------------------------------------------------------------------------------------- population


def test_population_values_per_level_closed_form():
    pop = population(SURVEY, icc=0.2)
    assert isinstance(pop, TwoLevelPopulation)
    assert pop.split == ["net1", "net2", "net3", "res1", "res2", "res3"]
    assert pop.between_only == ["pbl_c"] and pop.within_only == []
    v = _values(pop)
    # level 1: standardized within, then scaled by sqrt(1 - icc)
    assert v["NETw=~net1@1"] == pytest.approx(0.8 * math.sqrt(0.8))
    assert v["net2~~net2@1"] == pytest.approx((1 - 0.7 ** 2) * 0.8)
    assert v["RESw~NETw@1"] == pytest.approx(0.4) and v["RESw~~RESw@1"] == pytest.approx(1 - 0.16)
    # level 2: standardized between, scaled by sqrt(icc); paths among latent / between-only variables unchanged
    assert v["NETb=~net3@2"] == pytest.approx(0.8 * math.sqrt(0.2))
    assert v["res1~~res1@2"] == pytest.approx((1 - 0.81) * 0.2)
    assert v["NETb~pbl_c@2"] == 0.5 and v["pbl_c~~pbl_c@2"] == 1.0
    # Var(RESb) = b^2 + c^2 + 2 b c Cov(NETb, pbl_c) + psi = 1 with Cov = 0.5
    assert v["RESb~~RESb@2"] == pytest.approx(1 - (0.16 + 0.04 + 2 * 0.4 * 0.2 * 0.5))
    assert v["ind:=a*b@0"] == pytest.approx(0.2) and v["total:=c+a*b@0"] == pytest.approx(0.4)
    # std_value keeps the written (level-standardized) values
    written = pop.values[pop.values["op"].isin(["=~", "~"])]
    expected = [0.8, 0.7, 0.7, 0.8, 0.7, 0.7, 0.4, 0.9, 0.9, 0.8, 0.9, 0.8, 0.8, 0.5, 0.4, 0.2]
    np.testing.assert_allclose(written["std_value"], expected, atol=1e-12)
    # the level matrices: every split variable has within variance 0.8, between variance 0.2, total 1
    np.testing.assert_allclose(np.diag(pop.sigma_within)[:6], 0.8, atol=1e-12)
    np.testing.assert_allclose(np.diag(pop.sigma_between), [0.2] * 6 + [1.0], atol=1e-12)
    np.testing.assert_allclose(np.diag(pop.implied_cov), 1.0, atol=1e-12)
    assert pop.sigma_within.loc["pbl_c"].abs().sum() == 0
    np.testing.assert_allclose(pop.icc, [0.2] * 6 + [1.0], atol=1e-12)
    # the same table from population_values, with the level columns
    t = population_values(SURVEY, icc=0.2)
    assert list(t.columns) == ["lhs", "op", "rhs", "level", "label", "value", "std_value", "user"]
    pd.testing.assert_frame_equal(t, pop.values)


def test_icc_per_variable_and_written_variances():
    pop = population(SURVEY, icc=ICC)
    np.testing.assert_allclose(pop.icc[list(ICC)], list(ICC.values()), atol=1e-12)
    # a between residual variance written in the syntax is kept (between-standardized metric): the ICC of
    # net1 becomes icc * v_B / (icc * v_B + (1 - icc) * v_W) with v_B = 0.81 + 0.5, v_W = 1
    pop2 = population(SURVEY.replace("  ind := a*b", "  net1 ~~ 0.5*net1\n"
                                                                       "  ind := a*b"), icc=0.2)
    vb = 0.81 + 0.5
    assert pop2.icc["net1"] == pytest.approx(0.2 * vb / (0.2 * vb + 0.8))


def test_raw_two_level_population():
    raw = "level: 1\nFw =~ 1*y1 + 0.8*y2\nlevel: 2\nFb =~ 0.5*y1 + 0.5*y2\nFb ~~ 0.4*Fb\ny2 ~~ 0.1*y2"
    pop = population(raw, standardized=False)
    # within: Var(y1) = 1 + 1; between: Var(y1) = 0.25 * 0.4 + 1 (unspecified residual variance 1)
    assert pop.sigma_within.loc["y1", "y1"] == pytest.approx(2.0)
    assert pop.sigma_between.loc["y1", "y1"] == pytest.approx(1.1)
    assert pop.sigma_between.loc["y2", "y2"] == pytest.approx(0.25 * 0.4 + 0.1)
    assert pop.icc["y1"] == pytest.approx(1.1 / 3.1)
    v = _values(pop)
    assert v["Fw=~y2@1"] == 0.8 and v["Fb=~y1@2"] == 0.5  # raw: as written
    assert v["Fb=~y1@2"] * math.sqrt(0.4) / math.sqrt(1.1) == pytest.approx(
        pop.values.query("level == 2 and op == '=~' and rhs == 'y1'")["std_value"].iloc[0])
    with pytest.raises(ValueError, match="standardized=False"):
        population(raw, standardized=False, icc=0.1)


# ---------------------------------------------------------------------------------------------- draws


@pytest.fixture(scope="module")
def big_survey():
    pop = population(SURVEY, icc=ICC)
    data = rs.simulate(pop, seed=11, clusters={"k": 3000, "size": (4, 16), "name": "community"})
    return pop, data


def test_sample_within_and_between_covariances_approach_the_population(big_survey):
    pop, data = big_survey
    s_pw, s_b, grand = _moments(data, pop.ov, "community")
    sw, sb = pop.sigma_within.to_numpy(), pop.sigma_between.to_numpy()
    # Monte Carlo SD of a pooled-within (co)variance with N ~ 30000: about 0.008; between with J = 3000:
    # about 0.015 for the split items, 0.026 for the unit variance of pbl_c
    np.testing.assert_allclose(s_pw, sw, atol=0.03)
    np.testing.assert_allclose(s_b, sb, atol=0.06)
    assert np.abs(s_b - sb)[:6, :6].max() < 0.03
    np.testing.assert_allclose(grand, 0, atol=0.05)
    # the pooled within covariance of the between-only variable is exactly 0
    np.testing.assert_allclose(s_pw[-1], 0, atol=1e-12)


def test_icc_of_each_variable_equals_its_population_value(big_survey):
    pop, data = big_survey
    for v, icc in ICC.items():  # one-way ANOVA ICC(1) with the n0 of unequal cluster sizes
        g = data.groupby("community")[v]
        nj, means = g.size().to_numpy(), g.mean().to_numpy()
        N, J = nj.sum(), len(nj)
        msb = (nj * (means - data[v].mean()) ** 2).sum() / (J - 1)
        msw = ((data[v] - g.transform("mean")) ** 2).sum() / (N - J)
        n0 = (N - (nj ** 2).sum() / N) / (J - 1)
        est = (msb - msw) / (msb + (n0 - 1) * msw)
        assert est == pytest.approx(pop.icc[v], abs=0.025), v  # Monte Carlo SD about 0.007


def test_means_come_from_level_2_intercepts():
    pop = population(DEMO, icc=0.2)
    assert pop.implied_mean["y1"] == 3.0 and pop.implied_mean["y2"] == 0.0
    v = _values(pop)
    assert v["y1~1@2"] == 3.0  # intercepts are written in the data metric
    d = rs.simulate(pop, seed=3, clusters={"k": 2000, "size": 5})
    assert d["y1"].mean() == pytest.approx(3.0, abs=0.05)
    with pytest.raises(ModelSpecificationError, match="level-2 block"):
        population(DEMO.replace("fw ~ 0.3*x1", "y2 ~ 1*1\n  fw ~ 0.3*x1"), icc=0.2)


def _fit_recovery(pop, data, cluster):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.sem(analysis_syntax(pop), data, cluster=cluster)
    assert fit.converged
    m = fit.estimates.merge(pop.values, on=["lhs", "op", "rhs", "level"], how="left")
    m = m[m["se"].notna()]
    assert m["value"].notna().all()  # every free parameter has a population value
    return m


def test_fitting_the_population_model_recovers_its_values(big_survey):
    pop, data = big_survey
    m = _fit_recovery(pop, data, "community")
    z = (m["est"] - m["value"]) / m["se"]
    assert z.abs().max() < 4, m.assign(z=z).loc[z.abs() >= 4, ["lhs", "op", "rhs", "level", "est", "value"]]
    assert (m["est"] - m["value"]).abs().max() < 0.06
    ind = m.set_index("lhs").loc["ind"]
    assert ind["value"] == pytest.approx(0.2) and abs(ind["est"] - 0.2) < 3 * ind["se"]
    assert set(m["level"]) == {0, 1, 2}


def test_within_only_and_between_only_variables():
    pop = population(DEMO, icc=0.15)
    assert pop.within_only == ["x1", "x2", "x3"] and pop.between_only == ["w1", "w2"]
    np.testing.assert_allclose(pop.icc[["x1", "w1", "y2"]], [0.0, 1.0, 0.15], atol=1e-12)
    d = rs.simulate(pop, seed=5, clusters={"k": 1500, "size": 8, "name": "community"})
    assert list(d.columns) == ["y1", "y2", "y3", "x1", "x2", "x3", "w1", "w2", "community"]
    assert d.groupby("community")[["w1", "w2"]].nunique().eq(1).all().all()
    assert d["w1"].nunique() == 1500
    # a within-only variable has no cluster part: its cluster means vary by sampling only (var 1/8)
    assert d.groupby("community")["x1"].mean().var() == pytest.approx(1 / 8, rel=0.12)
    m = _fit_recovery(pop, d, "community")
    z = (m["est"] - m["value"]) / m["se"]
    assert z.abs().max() < 4


# ---------------------------------------------------------------------------------------------- designs


def test_cluster_sizes_equal_listed_range_and_spread():
    d = rs.simulate(SURVEY, seed=1, clusters={"k": 12, "size": 7, "icc": 0.2})
    assert d["cluster"].tolist() == list(np.repeat(np.arange(1, 13), 7))
    d = rs.simulate(SURVEY, seed=1, clusters={"size": [3, 1, 5], "icc": 0.2, "name": "community"})
    assert d.groupby("community").size().tolist() == [3, 1, 5]
    d = rs.simulate(SURVEY, seed=1, clusters={"k": 200, "size": (10, 40), "icc": 0.2})
    sizes = d.groupby("cluster").size()
    assert sizes.min() >= 10 and sizes.max() <= 40 and sizes.nunique() > 20
    assert sizes.mean() == pytest.approx(25, abs=1.5)
    d = rs.simulate(SURVEY, n=100, seed=1, clusters={"k": 8, "icc": 0.2})
    assert d.groupby("cluster").size().tolist() == [13, 13, 13, 13, 12, 12, 12, 12]
    assert cluster_sizes({"k": 5, "size": (2, 2)}).tolist() == [2] * 5


def test_two_level_draws_are_reproducible():
    kw = dict(clusters={"k": 10, "size": (3, 9), "icc": 0.2}, ordinal={"categories": 5}, missing={"mcar": 0.1})
    a = rs.simulate(SURVEY, seed=4, **kw)
    pd.testing.assert_frame_equal(a, rs.simulate(SURVEY, seed=4, **kw))
    assert not a.equals(rs.simulate(SURVEY, seed=5, **kw))
    b = rs.simulate(SURVEY, seed=np.random.SeedSequence(2), clusters={"k": 5, "size": 4, "icc": 0.2})
    c = rs.simulate(population(SURVEY, icc=0.2), seed=np.random.default_rng(np.random.SeedSequence(2)),
                    clusters={"k": 5, "size": 4})
    pd.testing.assert_frame_equal(b, c)


def test_ordinal_and_missing_with_two_levels():
    d = rs.simulate(SURVEY, seed=7, clusters={"k": 1000, "size": 10, "icc": 0.2},
                    ordinal={"categories": 5, "items": ["net1", "net2", "pbl_c"]}, missing={"mcar": 0.1})
    assert set(d["net1"].dropna().unique()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    # thresholds in total-SD units (total variance 1): P(3) = P(-0.5 < z < 0.5) = 0.383
    assert d["net1"].eq(3.0).sum() / d["net1"].notna().sum() == pytest.approx(0.383, abs=0.02)
    assert d.groupby("cluster")["pbl_c"].nunique().eq(1).all()  # still constant within a cluster
    assert d["pbl_c"].notna().all()  # between-only variables are never made missing
    assert d[["net1", "res3"]].isna().to_numpy().mean() == pytest.approx(0.1, abs=0.01)
    with pytest.raises(ValueError, match="between-only"):
        rs.simulate(SURVEY, seed=7, clusters={"k": 10, "size": 5, "icc": 0.2},
                    missing={"mcar": 0.1, "items": ["net1", "pbl_c"]})
    mar = rs.simulate(SURVEY, seed=7, clusters={"k": 300, "size": 10, "icc": 0.2},
                      missing={"mar": {"on": "pbl_c", "rate": 0.2, "strength": 1.5}})
    high = mar["pbl_c"] > mar["pbl_c"].median()
    assert mar.loc[high, "net1"].isna().mean() > 2 * mar.loc[~high, "net1"].isna().mean()


@pytest.mark.parametrize("kwargs, match", [
    (dict(clusters={"k": 1, "size": 10, "icc": 0.2}), "at least 2 clusters"),
    (dict(clusters={"k": 10, "size": 0, "icc": 0.2}), "at least 1 respondent"),
    (dict(clusters={"size": [4, 0, 3], "icc": 0.2}), "at least 1 respondent"),
    (dict(clusters={"k": 10, "size": (5, 2), "icc": 0.2}), "lo <= hi"),
    (dict(clusters={"k": 3, "size": [4, 5], "icc": 0.2}), "2 cluster sizes"),
    (dict(clusters={"k": 10, "size": 2.5, "icc": 0.2}), "whole number"),
    (dict(n=100, clusters={"k": 10, "size": 10, "icc": 0.2}), "not both"),
    (dict(clusters={"k": 10, "icc": 0.2}), "needs clusters="),
    (dict(n=5, clusters={"k": 10, "icc": 0.2}), "at least 1 respondent"),
    (dict(clusters={"k": 10, "size": 5, "icc": 0.2, "on": "latent"}), "unknown key"),
    (dict(clusters={"k": 10, "size": 5, "icc": 0.2, "name": "net1"}), "also a model variable"),
    (dict(n=100), "needs the design"),
    (dict(clusters={"k": 10, "size": 5}), "needs the ICC"),
    (dict(clusters={"k": 10, "size": 5, "icc": 1.0}), "strictly between 0 and 1"),
    (dict(clusters={"k": 10, "size": 5, "icc": {"net1": 0.2}}), "no value for net2"),
    (dict(clusters={"k": 10, "size": 5, "icc": {**ICC, "pbl_c": 0.5}}), "pbl_c not measured at both"),
    (dict(clusters={"k": 10, "size": 5, "icc": 0.2}, groups={"levels": [1, 2]}), "groups="),
])
def test_bad_two_level_designs_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rs.simulate(SURVEY, seed=1, **kwargs)


def test_single_level_refusals():
    with pytest.raises(ValueError, match="two-level population model"):
        rs.simulate("F =~ 0.8*x1 + 0.7*x2", n=100, clusters={"k": 10, "size": 10, "icc": 0.1})
    with pytest.raises(ValueError, match="icc= belongs to two-level"):
        population("F =~ 0.8*x1 + 0.7*x2", icc=0.1)
    with pytest.raises(ModelSpecificationError, match="latent at one level and observed"):
        population("level: 1\nF =~ 0.8*y1 + 0.7*y2\nlevel: 2\nG =~ 0.5*y1 + 0.5*F", icc=0.1)
