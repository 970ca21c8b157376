"""psychometrics.icc vs R multilevel 2.7 / psych 2.2.9 (tests/golden/icc_multilevel.json) and closed forms."""

from __future__ import annotations

import doctest
import importlib
import json
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import f as f_dist

from resilience_stats.errors import DataError, ResilienceStatsWarning
from resilience_stats.psychometrics import icc
from resilience_stats.psychometrics.icc import anova_icc, rwg_j

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "icc_multilevel.json"
TOL = 1e-6
STATS = ["n_obs", "n_clusters", "mean_cluster_size", "icc2", "rwg_j_mean", "rwg_j_median", "f_stat",
         "df_between", "df_within", "p_value"]


@pytest.fixture(scope="module")
def gold():
    return json.loads(GOLDEN.read_text())


def _data(case: dict) -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / case["data"])


def _run(case: dict, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # golden data: 30 and 40 clusters, no warning
        return icc(_data(case), cluster=case["cluster"], constructs=case["constructs"], n_options=5, **kw)


def _close(a, b, tol=TOL):
    return abs(a - b) <= tol * max(1.0, abs(b))


# ------------------------------------------------------------------------------------------- golden --
@pytest.mark.parametrize("case_name", ["cluster_survey", "likert"])
@pytest.mark.parametrize("by", ["construct", "item"])
def test_matches_multilevel(gold, case_name, by):
    case = gold["cases"][case_name]
    out = _run(case, by=by)
    ref = case["by_construct"] if by == "construct" else case["by_item"]
    key = "construct" if by == "construct" else "item"
    assert out[key].tolist() == list(ref)
    for _, row in out.iterrows():
        r = ref[row[key]]
        for col in STATS + ["icc1", "design_effect"]:
            assert _close(row[col], r[col]), (row[key], col, row[col], r[col])
        assert bool(row["flag_icc1"]) == (r["icc1"] > 0.05)
        assert bool(row["flag_icc2"]) == (r["icc2"] >= 0.70)
        assert bool(row["flag_rwg"]) == (r["rwg_j_median"] >= 0.70)


@pytest.mark.parametrize("case_name", ["cluster_survey", "likert"])
def test_group_size_k0(gold, case_name):
    case = gold["cases"][case_name]
    out = _run(case, group_size="k0").set_index("construct")
    for name, r in case["by_construct"].items():
        assert _close(out.loc[name, "icc1"], r["icc1_k0"])
        assert _close(out.loc[name, "icc2"], r["icc2"])          # ICC(2) does not depend on k
        # the design effect uses the mean cluster size N/J with the ICC(1) of the chosen convention
        assert _close(out.loc[name, "design_effect"], 1 + (r["mean_cluster_size"] - 1) * r["icc1_k0"])


def test_unbalanced_clusters_distinguish_mean_and_k0(gold):
    r = gold["cases"]["likert"]["by_construct"]["A"]
    assert r["mean_cluster_size"] != pytest.approx(r["k0"], abs=1e-3)
    assert abs(r["icc1"] - r["icc1_k0"]) > 1e-4


def test_psych_statsby_uses_the_same_icc1(gold):
    """psych::statsBy's ICC1 (npr = N/J) equals multilevel::ICC1 -- the default group_size='mean'."""
    for case in gold["cases"].values():
        for r in case["by_construct"].values():
            assert _close(r["psych_statsBy_icc1"], r["icc1"], 1e-12)
            assert _close(r["psych_statsBy_icc2"], r["icc2"], 1e-12)


@pytest.mark.parametrize("case_name", ["cluster_survey", "likert"])
def test_rwg_j_per_cluster(gold, case_name):
    case = gold["cases"][case_name]
    df = _data(case)
    for name, its in case["constructs"].items():
        got = rwg_j(df[its], df[case["cluster"]], n_options=5).to_numpy()
        ref = np.array([np.nan if v is None else v for v in case["by_construct"][name]["rwg_j"]], dtype=float)
        np.testing.assert_allclose(got, ref, atol=TOL, equal_nan=True)


def test_likert_truncation_and_singleton(gold):
    case = gold["cases"]["likert"]
    df = _data(case)
    r = rwg_j(df[case["constructs"]["A"]], df["community"], n_options=5)
    assert np.isnan(r["c01"])                              # singleton cluster
    assert r["c07"] == 0.0                                 # polarised cluster: s2 > sigma2_EU, truncated
    assert (r.dropna().between(0, 1)).all()


# -------------------------------------------------------------------------------------- closed form --
def test_closed_form_balanced():
    score = np.array([1.0, 2.0, 3.0, 5.0, 6.0, 7.0])
    cl = np.array(["a", "a", "a", "b", "b", "b"])
    r = anova_icc(score, cl)
    # grand mean 4; SSB = 3(2-4)^2 + 3(6-4)^2 = 24 on 1 df; SSW = 2 + 2 = 4 on 4 df
    assert (r["msb"], r["msw"], r["f_stat"]) == (24.0, 1.0, 24.0)
    assert r["icc1"] == pytest.approx(23 / 26, abs=1e-15)
    assert r["icc2"] == pytest.approx(23 / 24, abs=1e-15)
    assert r["design_effect"] == pytest.approx(1 + 2 * 23 / 26, abs=1e-15)
    assert r["p_value"] == pytest.approx(f_dist.sf(24.0, 1, 4), rel=1e-12)
    with pytest.warns(ResilienceStatsWarning, match="cluster-level inference with few clusters is unreliable"):
        out = icc(pd.DataFrame({"x": score, "g": cl}), cluster="g", n_options=5)
    # both clusters have variance 1 on A = 5 options (sigma2_EU = 2): rwg = 1 - 1/2
    assert out.loc[0, "rwg_j_mean"] == pytest.approx(0.5) and out.loc[0, "rwg_j_median"] == pytest.approx(0.5)
    assert out.loc[0, "icc1"] == pytest.approx(23 / 26)


def test_closed_form_unbalanced_k0():
    # cluster sizes 2 and 4: N = 6, J = 2, N/J = 3, k0 = (6 - (4 + 16)/6) / 1 = 8/3
    score = np.array([0.0, 2.0, 4.0, 6.0, 8.0, 6.0])
    cl = np.array([1, 1, 2, 2, 2, 2])
    means = np.array([1.0, 6.0])
    ssb = 2 * (1 - 13 / 3) ** 2 + 4 * (6 - 13 / 3) ** 2
    ssw = 2.0 + (4 + 0 + 4 + 0)
    msb, msw = ssb / 1, ssw / 4
    assert means.mean() != score.mean()
    r_mean = anova_icc(score, cl, "mean")
    r_k0 = anova_icc(score, cl, "k0")
    assert r_mean["msb"] == pytest.approx(msb) and r_mean["msw"] == pytest.approx(msw)
    assert r_mean["icc1"] == pytest.approx((msb - msw) / (msb + 2 * msw), abs=1e-14)
    assert r_k0["k0"] == pytest.approx(8 / 3)
    assert r_k0["icc1"] == pytest.approx((msb - msw) / (msb + (8 / 3 - 1) * msw), abs=1e-14)
    assert r_k0["icc2"] == r_mean["icc2"]


def test_rwg_j_closed_form():
    # cluster a: two items with variances 1 and 1 -> s2 = 1, ratio 1/2, J = 2 -> 2 * .5 / (2 * .5 + .5) = 2/3
    x = np.array([[1, 2], [2, 3], [3, 4], [1, 5], [5, 1]], dtype=float)
    r = rwg_j(x, ["a", "a", "a", "b", "b"], n_options=5)
    assert r["a"] == pytest.approx(2 / 3, abs=1e-15)
    assert r["b"] == 0.0                                   # variances 8 > 2: truncated
    # 7 options: sigma2_EU = 4 -> single item variance 1: 1 - 1/4
    assert rwg_j(x[:3, :1], ["a"] * 3, n_options=7)["a"] == pytest.approx(0.75)


# ---------------------------------------------------------------------------------------- interface --
class _Scale(SimpleNamespace):
    pass


class _Instrument:
    def __init__(self, constructs):
        self.construct_items = constructs

    def field_ids(self, role):
        return ["community"] if role == "cluster" else []

    def scale_of(self, item_id):
        return _Scale(min=1, max=5)


def test_wave_input_defaults(gold):
    case = gold["cases"]["likert"]
    df = _data(case)
    before = df.copy()
    wave = SimpleNamespace(data=df, instrument=_Instrument(case["constructs"]))
    out = icc(wave)                                        # cluster and A = 5 from the instrument
    ref = _run(case)
    pd.testing.assert_frame_equal(out, ref)
    assert out.attrs["cluster"] == "community" and out.attrs["n_options"] == {"A": 5.0, "B": 5.0}
    pd.testing.assert_frame_equal(df, before)


def test_columns_and_item_rows(gold):
    case = gold["cases"]["likert"]
    out = _run(case)
    assert list(out.columns) == ["construct", "n_obs", "n_clusters", "mean_cluster_size", "icc1", "icc2",
                                 "rwg_j_mean", "rwg_j_median", "design_effect", "f_stat", "df_between",
                                 "df_within", "p_value", "flag_icc1", "flag_icc2", "flag_rwg"]
    items = _run(case, by="item")
    assert list(items.columns[:2]) == ["construct", "item"] and len(items) == 7
    assert items["construct"].tolist() == ["A"] * 3 + ["B"] * 4
    assert str(out["flag_icc1"].dtype) == "boolean"


def test_inferred_options_warn_and_noninteger_gives_nan(gold):
    case = gold["cases"]["likert"]
    df = _data(case)
    with pytest.warns(ResilienceStatsWarning, match="inferred from the observed range"):
        out = icc(df, cluster="community", constructs=case["constructs"])
    assert out.attrs["n_options"] == {"A": 5.0, "B": 5.0}
    clus = _data(gold["cases"]["cluster_survey"])
    with pytest.warns(ResilienceStatsWarning, match="rwg\\(j\\) not computed"):
        out = icc(clus, cluster="cid", constructs={"f1": ["y1", "y2", "y3"]})
    assert np.isnan(out.loc[0, "rwg_j_mean"]) and pd.isna(out.loc[0, "flag_rwg"])
    assert np.isfinite(out.loc[0, "icc1"])


def test_errors():
    df = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 3, 3, 5], "g": ["a", "a", "b", "b"]})
    with pytest.raises(DataError, match="cluster column 'nope' not found"):
        icc(df, cluster="nope", n_options=5)
    with pytest.raises(DataError, match="at least 2 clusters"):
        icc(df.assign(g="a"), cluster="g", n_options=5)
    with pytest.raises(DataError, match="single member"):
        icc(df.assign(g=["a", "b", "c", "d"]), cluster="g", n_options=5)
    with pytest.raises(DataError, match="constant"):
        icc(df.assign(x=3.0, y=3.0), cluster="g", n_options=5)
    with pytest.raises(DataError, match="no cluster column given"):
        icc(df[["x", "y"]], n_options=5)
    with pytest.raises(DataError, match="by must be"):
        icc(df, cluster="g", by="person")


def test_docstring_examples():
    mod = importlib.import_module("resilience_stats.psychometrics.icc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResilienceStatsWarning)
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
