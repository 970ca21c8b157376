"""rs.power for two-level designs (residents nested in communities): the design axis is the number of clusters,
rows carry the level, the truth is the data-metric population value, and results do not depend on n_jobs or
the backend. Closed-form checks: the ML standard error and power of a between-level regression slope."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import resilience_stats as rs
from resilience_stats.power import analysis_syntax, parameter_names

# a within-community factor; between communities the factor is predicted by the community-level pbl and
# predicts the community-level resilience index res: the between indirect effect ind = a*b
MED2 = """
level: 1
  Fw =~ 0.8*y1 + 0.7*y2 + 0.7*y3
level: 2
  Fb =~ 0.9*y1 + 0.9*y2 + 0.9*y3
  Fb ~ a*0.5*pbl
  res ~ b*0.5*Fb + c*0.1*pbl
  ind := a*b
"""
# a between-level regression of two community-level variables: ML SE of b is sqrt((1 - b^2) / J)
SLOPE = """
level: 1
  Fw =~ 0.8*y1 + 0.7*y2 + 0.7*y3
level: 2
  Fb =~ 0.9*y1 + 0.9*y2 + 0.9*y3
  v ~ b*{b}*w
"""


def _closed_form_power(b: float, J: int, alpha: float = 0.05) -> tuple[float, float]:
    se = math.sqrt((1 - b ** 2) / J)
    z = norm.ppf(1 - alpha / 2)
    return se, float(norm.cdf(b / se - z) + norm.cdf(-b / se - z))


@pytest.fixture(scope="module")
def med2():
    return rs.power(MED2, n_clusters=[20, 50], cluster_size=10, icc=0.2, reps=6, seed=3, n_jobs=1,
                    cluster="community")


def test_table_has_the_design_and_the_level(med2):
    t = med2.table
    assert list(t.columns[:8]) == ["n_clusters", "cluster_size", "n", "lhs", "op", "rhs", "level", "label"]
    assert t.groupby("n_clusters").size().nunique() == 1
    assert t[["n_clusters", "n"]].drop_duplicates().values.tolist() == [[20, 200], [50, 500]]
    by = t[t["n_clusters"] == 50]
    by = by.set_index(pd.Index(parameter_names(by)))
    # the truth is the data-metric population value: loadings x sqrt(icc) (between) / sqrt(1 - icc) (within)
    assert by.loc["Fb =~ y2 (between)", "pop_value"] == pytest.approx(0.9 * math.sqrt(0.2))
    assert by.loc["Fw =~ y2 (within)", "pop_value"] == pytest.approx(0.7 * math.sqrt(0.8))
    assert by.loc["y1 ~~ y1 (between)", "level"] == 2 and by.loc["y1 ~~ y1 (within)", "level"] == 1
    assert by.loc["ind", "level"] == 0 and by.loc["ind", "pop_value"] == pytest.approx(0.25)
    assert by.loc["a", "level"] == 2 and by.loc["a", "pop_value"] == 0.5
    assert t["pop_value"].notna().all() and (t["converged_share"] == 1).all()
    # the fitted model had the cluster column the design named, and its SRMR per level is reported
    assert {"srmr_within", "srmr_between", "chisq_reject"} <= set(med2.fit.columns)
    assert med2.fit[["n_clusters", "cluster_size", "n"]].values.tolist() == [[20, 10, 200], [50, 10, 500]]
    assert med2.settings["cluster"] == "community" and med2.settings["icc"] == 0.2
    assert "level: 1" in med2.analysis_model and "ind := a * b" in med2.analysis_model
    assert "20 clusters x 10" in repr(med2)


def test_smallest_number_of_clusters_plot_and_table(med2):
    t = med2.table.assign(param=parameter_names(med2.table))
    smallest = med2.smallest_n(0.5)
    assert smallest.name == "n_clusters_power_0.5"
    for p in ("a", "Fb =~ y2 (between)", "Fw =~ y3 (within)"):
        hit = t.loc[(t["param"] == p) & (t["power"] >= 0.5), "n_clusters"]
        assert (smallest[p] == hit.min()) if len(hit) else np.isnan(smallest[p])
    fig = med2.plot(["a", "ind", "y1 ~~ y1 (between)"], metrics=("power", "bias"))
    lines = [ln for ln in fig.axes[0].get_lines() if str(ln.get_gid()).startswith("power:")]
    assert [ln.get_gid() for ln in lines] == ["power:a", "power:ind", "power:y1 ~~ y1 (between)"]
    assert list(lines[0].get_xdata()) == [20, 50]  # the x axis is the number of clusters
    tab = med2.to_table()
    assert "Number of Clusters" in tab.title["en"] and "10 Respondents" in tab.title["en"]
    assert "每群组 10 人" in tab.title["zh"]
    with pytest.raises(ValueError, match="was not simulated"):
        med2.to_table(cluster_size=12)


def test_power_of_the_between_indirect_effect_grows_with_clusters():
    res = rs.power(MED2, n_clusters=[20, 80], cluster_size=8, icc=0.2, reps=12, seed=5, n_jobs=1)
    assert (res.fit["converged_share"] == 1).all()
    ind = res.table[res.table["label"] == "ind"].set_index("n_clusters")
    assert ind.loc[80, "power"] - ind.loc[20, "power"] >= 0.3
    assert ind.loc[80, "mean_se"] < 0.65 * ind.loc[20, "mean_se"]  # SE ~ 1 / sqrt(J): ratio about 0.5


def test_between_slope_standard_error_closed_form():
    J, b = 80, 0.3
    res = rs.power(SLOPE.format(b=b), n_clusters=[J], cluster_size=5, icc=0.2, reps=20, seed=7, n_jobs=1)
    row = res.table.set_index("label").loc["b"]
    se, pw = _closed_form_power(b, J)
    assert row["pop_value"] == b and row["level"] == 2
    # ML: E(se) is sqrt((J - 2) / J) of the exact value at most 2 % smaller; 20 replicates give about 2 %
    assert row["mean_se"] == pytest.approx(se, rel=0.06)
    assert abs(row["power"] - pw) < 0.3  # closed form 0.80; 20 replicates: Monte Carlo SD 0.09


@pytest.mark.slow
def test_between_slope_power_and_type_one_error_closed_form():
    """400 replicates: the power of a between slope matches the Wald closed form, and a zero between path
    is rejected at about alpha."""
    J = 60
    res = rs.power(SLOPE.format(b=0.3), n_clusters=[J], cluster_size=5, icc=0.2, reps=400, seed=8, n_jobs=-1)
    row = res.table.set_index("label").loc["b"]
    se, pw = _closed_form_power(0.3, J)
    assert row["mean_se"] == pytest.approx(se, rel=0.03)
    assert row["sd_est"] == pytest.approx(se, rel=0.12)
    assert row["power"] == pytest.approx(pw, abs=0.07)  # Monte Carlo SD 0.024
    null = rs.power(SLOPE.format(b=0.0), n_clusters=[J], cluster_size=5, icc=0.2, reps=400, seed=9, n_jobs=-1)
    rate = null.table.set_index("label").loc["b", "power"]
    assert 0.02 <= rate <= 0.095  # alpha 0.05, Monte Carlo SD 0.011, ML Wald with J = 60 slightly liberal
    assert null.table.set_index("label").loc["b", "coverage"] == pytest.approx(0.95, abs=0.035)


@pytest.mark.slow
def test_recovery_of_the_community_survey_model():
    survey = MED2.replace("res ~ b*0.5*Fb", "RESb =~ 0.9*r1 + 0.8*r2 + 0.8*r3\n  RESb ~ b*0.5*Fb").replace(
        "level: 1\n", "level: 1\n  RESw =~ 0.8*r1 + 0.7*r2 + 0.7*r3\n  RESw ~ 0.4*Fw\n")
    res = rs.power(survey, n_clusters=[100], cluster_size=15, icc=0.2, reps=200, seed=10, n_jobs=-1)
    t = res.table
    paths = t[t["op"].isin(["~", ":=", "=~"])]
    assert (t["converged_share"] > 0.95).all()
    np.testing.assert_array_less(np.abs(paths["bias"].to_numpy()), 0.04)
    assert paths["coverage"].between(0.9, 0.985).all(), paths[["lhs", "op", "rhs", "level", "coverage"]]


def test_identical_for_any_n_jobs_and_dask():
    kw = dict(n_clusters=[40, 60], cluster_size=8, icc=0.2, reps=3, seed=11)
    a = rs.power(MED2, n_jobs=1, **kw)
    b = rs.power(MED2, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.fit, b.fit)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        c = rs.power(MED2, backend="dask", client=client, **kw)
    pd.testing.assert_frame_equal(a.table, c.table)
    d = rs.power(MED2, n_jobs=1, **{**kw, "seed": 12})
    assert not np.allclose(a.table["mean_est"], d.table["mean_est"])


def test_cluster_size_axis_and_ranges():
    res = rs.power(MED2, n_clusters=[25], cluster_size=[6, (4, 8)], icc=0.2, reps=2, seed=1, n_jobs=1)
    assert res.fit[["n_clusters", "cluster_size", "n"]].values.tolist() == [[25, "6", 150], [25, "4-8", 150]]
    smallest = res.smallest_n(0.0)
    assert smallest.index.names == ["cluster_size", "param"] and smallest[("4-8", "a")] == 25
    with pytest.raises(ValueError, match="one cluster size at a time"):
        res.to_table()
    assert res.to_table(cluster_size="4-8").title["en"].endswith("(n; 4-8 Respondents per Cluster)")


def test_analysis_syntax_two_level():
    text = analysis_syntax(MED2, icc=0.2)
    assert text.splitlines() == ["level: 1", f"  Fw =~ {0.8 * math.sqrt(0.8):.10g}*y1 + y2 + y3", "level: 2",
                                 f"  Fb =~ {0.9 * math.sqrt(0.2):.10g}*y1 + y2 + y3", "  Fb ~ a*pbl",
                                 "  res ~ b*Fb + c*pbl", "ind := a * b"]
    raw = analysis_syntax(MED2, standardized=False)
    assert "Fw =~ 0.8*y1" in raw and "Fb =~ 0.9*y1" in raw
    with pytest.raises(ValueError, match="needs the ICC"):
        analysis_syntax(MED2)
    with pytest.raises(ValueError, match="icc= belongs to two-level"):
        analysis_syntax("F =~ 0.8*x1 + 0.7*x2", icc=0.2)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=[200], n_clusters=[20], cluster_size=10, icc=0.2), "leave n out"),
    (dict(icc=0.2), "needs the design"),
    (dict(n_clusters=[20], icc=0.2), "needs the design"),
    (dict(n_clusters=[1, 20], cluster_size=10, icc=0.2), "at least 2 clusters"),
    (dict(n_clusters=[20], cluster_size=0, icc=0.2), "at least 1 respondent"),
    (dict(n_clusters=[20], cluster_size=(8, 4), icc=0.2), "lo <= hi"),
    (dict(n_clusters=[20], cluster_size=10), "needs the ICC"),
    (dict(n_clusters=[20], cluster_size=10, icc=0.2, data_options={"clusters": {"k": 5}}), "not available"),
])
def test_bad_two_level_designs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rs.power(MED2, reps=2, n_jobs=1, **kwargs)


def test_single_level_refuses_cluster_design():
    with pytest.raises(ValueError, match="need a two-level population model"):
        rs.power("X =~ 0.8*x1 + 0.7*x2 + 0.7*x3\nY ~ 0.3*X", n_clusters=[20], cluster_size=10, reps=2)
    with pytest.raises(ValueError, match="icc= belongs to two-level"):
        rs.power("X =~ 0.8*x1 + 0.7*x2 + 0.7*x3\nY ~ 0.3*X", n=[100], icc=0.1, reps=2)
