"""rs.power: recovery of population values, reproducibility across n_jobs and backends (loky, dask)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.power import analysis_syntax

MEDIATION = """
X =~ 0.8*x1 + 0.7*x2 + 0.7*x3
M =~ 0.8*m1 + 0.7*m2 + 0.6*m3
Y =~ 0.8*y1 + 0.7*y2 + 0.7*y3
M ~ a*0.4*X
Y ~ b*0.3*M + c*0.2*X
ind := a*b
"""
SMALL = "X =~ 0.8*x1 + 0.7*x2 + 0.7*x3\nY ~ b*0.25*X"
TABLE_COLUMNS = ["n", "lhs", "op", "rhs", "label", "power", "bias", "coverage", "converged_share", "mean_est",
                 "sd_est", "mean_se"]


def test_analysis_syntax_frees_values_and_keeps_a_scaling_loading():
    text = analysis_syntax(MEDIATION)
    assert text.splitlines()[:5] == ["X =~ 0.8*x1 + x2 + x3", "M =~ 0.8*m1 + m2 + m3", "Y =~ 0.8*y1 + y2 + y3",
                                     "M ~ a*X", "Y ~ b*M + c*X"]
    assert "ind := a * b" in text
    # a zero first loading cannot scale the factor: the next one does, the first is freed explicitly
    assert analysis_syntax("F =~ 0*x1 + 0.6*x2 + 0.7*x3\nF ~~ 1*F").splitlines() == [
        "F =~ NA*x1 + 0.6*x2 + x3", "F ~~ F"]
    rs.sem(text, rs.simulate(MEDIATION, n=300, seed=1))  # fits


def _check_recovery(result, n, tol_bias, cover):
    t = result.table[(result.table["n"] == n)]
    paths = t[t["op"].isin(["~", ":="])]
    assert (paths["converged_share"] == 1).all()
    np.testing.assert_array_less(np.abs(paths["bias"].to_numpy()), tol_bias)
    assert paths["coverage"].between(*cover).all(), paths[["label", "coverage"]]
    # every free parameter is compared with its population value
    assert t["pop_value"].notna().all()


def test_recovery_quick():
    res = rs.power(MEDIATION, n=[500], reps=60, seed=1, n_jobs=1)
    _check_recovery(res, 500, 0.05, (0.85, 1.0))
    t = res.table.set_index("label")
    assert t.loc["a", "pop_value"] == 0.4 and t.loc["ind", "pop_value"] == pytest.approx(0.12)
    assert t.loc["a", "power"] == 1.0
    # empirical SD and mean SE agree
    assert t.loc["a", "sd_est"] == pytest.approx(t.loc["a", "mean_se"], rel=0.3)


@pytest.mark.slow
def test_recovery_200_replicates_n500():
    """Done-when criterion: across 200 replicates at n = 500 the mean estimate of each path is within 0.02 of
    its population value and the 95 % CI coverage is between 0.92 and 0.98."""
    res = rs.power(MEDIATION, n=[500], reps=200, seed=2024, n_jobs=-1)
    _check_recovery(res, 500, 0.02, (0.92, 0.98))


def test_table_fit_and_power_grow_with_n():
    res = rs.power(SMALL, n=[60, 240], reps=40, seed=3, n_jobs=1)
    assert list(res.table.columns[:5]) == ["n", "lhs", "op", "rhs", "label"]
    assert set(TABLE_COLUMNS) <= set(res.table.columns)
    assert res.table.groupby("n").size().nunique() == 1
    b = res.table[res.table["label"] == "b"].set_index("n")
    assert b.loc[240, "power"] > b.loc[60, "power"]
    assert list(res.fit["n"]) == [60, 240]
    assert {"chisq", "df", "cfi", "rmsea", "srmr", "converged_share", "chisq_reject"} <= set(res.fit.columns)
    assert (res.fit["df"] == 2).all()
    smallest = res.smallest_n(0.5)
    assert "b" in smallest.index and "X =~ x2" in smallest.index
    assert smallest["b"] == b.index[b["power"] >= 0.5].min()
    assert "PowerResult" in repr(res)


def test_reproducible_and_independent_of_n_jobs():
    a = rs.power(SMALL, n=[80, 120], reps=12, seed=11, n_jobs=1)
    b = rs.power(SMALL, n=[80, 120], reps=12, seed=11, n_jobs=2)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.fit, b.fit)
    c = rs.power(SMALL, n=[80, 120], reps=12, seed=12, n_jobs=1)
    assert not np.allclose(a.table["mean_est"], c.table["mean_est"])


def test_dask_backend_identical_to_loky():
    distributed = pytest.importorskip("distributed")
    a = rs.power(SMALL, n=[80, 120], reps=12, seed=5, n_jobs=2)
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        b = rs.power(SMALL, n=[80, 120], reps=12, seed=5, backend="dask", client=client)
        c = rs.power(SMALL, n=[80, 120], reps=12, seed=5, backend="dask")  # the current client
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.table, c.table)
    pd.testing.assert_frame_equal(a.fit, b.fit)


@pytest.mark.slow
def test_dask_process_workers_identical():
    distributed = pytest.importorskip("distributed")
    a = rs.power(SMALL, n=[100], reps=20, seed=6, n_jobs=1)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        b = rs.power(SMALL, n=[100], reps=20, seed=6, backend="dask", client=client)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_dask_without_client_explains():
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="Client"):
        rs.power(SMALL, n=[50], reps=2, backend="dask")


def test_data_options_and_fit_options_pass_through():
    res = rs.power(SMALL, n=[200], reps=8, seed=1, n_jobs=1, data_options={"missing": {"mcar": 0.1}},
                   missing="fiml")
    t = res.table
    assert (t["op"] == "~1").any()  # FIML adds the mean structure
    assert t.loc[t["op"] == "~1", "pop_value"].eq(0).all()
    assert res.settings["fit_options"] == {"missing": "fiml"}
    ordinal = rs.power(SMALL, n=[200], reps=4, seed=1, n_jobs=1, data_options={"ordinal": {"categories": 5}})
    assert ordinal.table["converged_share"].eq(1).all()


def test_user_analysis_model_and_failures_counted():
    res = rs.power(SMALL, analysis_model="X =~ x1 + x2 + x3\nY ~ b*X", n=[150], reps=6, seed=1, n_jobs=1,
                   std_lv=True)
    t = res.table.set_index("label")
    assert t.loc["b", "pop_value"] == 0.25
    with pytest.raises(ValueError):
        rs.power(SMALL, n=[1], reps=2)
    with pytest.raises(ValueError):
        rs.power(SMALL, n=[50], reps=2, backend="spark")
    with pytest.raises(ValueError):
        rs.power(SMALL, n=[50], reps=2, data_options={"bogus": 1})


def test_plot_is_lazy(tmp_path):
    code = ("import sys, resilience_stats as rs; import resilience_stats.power, resilience_stats.simulate; "
            "assert 'matplotlib' not in sys.modules, 'imported at module import'")
    subprocess.run([sys.executable, "-c", code], check=True)
    res = rs.power(SMALL, n=[50, 100], reps=4, seed=1, n_jobs=1)
    fig = res.plot(["b"], metrics=("power", "coverage"))
    assert len(fig.axes) == 2


def test_progress_is_reported_as_replicates_finish():
    seen = []
    res = rs.power(SMALL, n=[60, 80], reps=6, seed=2, n_jobs=1, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (12, 12) and all(t == 12 for _d, t in seen)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    same = rs.power(SMALL, n=[60, 80], reps=6, seed=2, n_jobs=1)
    pd.testing.assert_frame_equal(res.table, same.table)  # progress changes nothing


def test_a_population_without_values_is_refused():
    with pytest.raises(rs.ModelSpecificationError, match="no loading or regression a value"), \
            pytest.warns(rs.ResilienceStatsWarning, match="no value given for F =~ x1"):
        rs.power("F =~ x1 + x2 + x3\nY ~ F", n=[50], reps=2, n_jobs=1)


def test_no_converged_replicate_is_a_clear_error():
    with pytest.raises(rs.EstimationError, match=r"none of the 4 replicates converged.*too few complete cases.*\(4x\)"):
        rs.power(MEDIATION, n=[3], reps=4, seed=1, n_jobs=1)
