"""Bad input, SurveyWave duck typing, immutability of inputs, reproducibility and reprs."""

from __future__ import annotations

import doctest
import importlib
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from resilience_stats.errors import DataError, EstimationWarning, ResilienceStatsWarning
from resilience_stats.psychometrics import (
    efa,
    factorability,
    item_analysis,
    parallel_analysis,
    polychoric,
    reliability,
)


def _likert(n=300, k=6, seed=0, n_factors=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, n_factors))
    load = np.zeros((k, n_factors))
    for j in range(k):
        load[j, j * n_factors // k] = 0.7
    z = f @ load.T + rng.normal(size=(n, k)) * 0.7
    x = np.digitize(z, [-1.2, -0.4, 0.4, 1.2]) + 1
    return pd.DataFrame(x.astype(float), columns=[f"q{j + 1}" for j in range(k)])


ALL_DATA_FUNCS = {
    "item_analysis": lambda d: item_analysis(d),
    "reliability": lambda d: reliability(d),
    "factorability": lambda d: factorability(d),
    "parallel_analysis": lambda d: parallel_analysis(d, n_iter=5),
    "efa": lambda d: efa(d, 1),
    "polychoric": lambda d: polychoric(d),
}


# ------------------------------------------------------------------------------------------------ bad input --
@pytest.mark.parametrize("name", list(ALL_DATA_FUNCS))
def test_fewer_than_two_items(name):
    with pytest.raises(DataError, match="at least 2 items"):
        ALL_DATA_FUNCS[name](_likert()[["q1"]])


@pytest.mark.parametrize("name", list(ALL_DATA_FUNCS))
def test_constant_item(name):
    df = _likert()
    df["q3"] = 3.0
    with pytest.raises(DataError, match=r"q3"):
        ALL_DATA_FUNCS[name](df)


@pytest.mark.parametrize("name", list(ALL_DATA_FUNCS))
def test_all_missing_item(name):
    df = _likert()
    df["q2"] = np.nan
    with pytest.raises(DataError, match=r"q2"):
        ALL_DATA_FUNCS[name](df)


@pytest.mark.parametrize("name", list(ALL_DATA_FUNCS))
def test_non_numeric_item(name):
    df = _likert()
    df["q4"] = df["q4"].map(lambda v: f"level {v}")
    with pytest.raises(DataError, match="non-numeric.*q4"):
        ALL_DATA_FUNCS[name](df)


@pytest.mark.parametrize("name", ["factorability", "parallel_analysis", "efa"])
def test_singular_correlation_duplicated_item(name):
    df = _likert()
    df["q1_copy"] = df["q1"]
    with pytest.raises(DataError, match=r"singular.*q1~q1_copy"):
        ALL_DATA_FUNCS[name](df)


def test_duplicated_item_still_gives_alpha_and_says_so():
    df = _likert()
    df["q1_copy"] = df["q1"]
    with pytest.warns(ResilienceStatsWarning, match="identical answers.*q1 and q1_copy"):
        rel = reliability(df)
    assert np.isfinite(rel.loc[0, "alpha"]) and np.isfinite(rel.loc[0, "omega_total"])
    assert "q1 and q1_copy" in rel.loc[0, "note"] and "inflated" in rel.loc[0, "note"]


def test_item_listed_twice_is_refused():
    with pytest.raises(DataError, match="listed more than once: q1"):
        reliability(_likert(), constructs={"a": ["q1", "q2", "q1", "q3"]})


def test_fewer_than_three_respondents_is_refused():
    df = _likert().iloc[:2]
    with pytest.raises(DataError, match="2 respondent.*at least 3"):
        reliability(df)
    df3 = pd.DataFrame({"a": [1.0, 2, 3], "b": [1.0, 3, 3], "c": [2.0, 2, 3]})
    assert reliability(df3).loc[0, "n_obs"] == 3


def test_listwise_deletion_counts_and_warns_above_ten_percent():
    df = _likert()
    n = len(df)
    df.loc[df.index[:5], "q1"] = np.nan            # 5 incomplete rows
    df.loc[df.index[5], ["q1", "q2", "q3", "q4", "q5", "q6"][:df.shape[1]]] = np.nan  # one empty row
    answering = n - 1
    few = reliability(df, missing="listwise")
    assert few.loc[0, "n_dropped"] == 6 and few.loc[0, "n_obs"] == n - 6
    assert f"dropped 5 of {answering}" in few.loc[0, "note"]
    many = df.copy()
    k = int(0.2 * n)
    many.loc[many.index[:k], "q2"] = np.nan         # 20 % incomplete: a warning
    with pytest.warns(ResilienceStatsWarning, match=r"listwise deletion dropped \d+ of \d+ respondents \(2\d%"):
        out = reliability(many, missing="listwise")
    assert out.loc[0, "n_dropped"] == n - int((~many.isna().any(axis=1)).sum())
    pairwise = reliability(df)                       # pairwise keeps every answering row
    assert pairwise.loc[0, "n_dropped"] == 1 and pairwise.loc[0, "n_obs"] == answering


def test_not_a_dataframe():
    with pytest.raises(DataError, match="SurveyWave or a pandas DataFrame"):
        reliability(np.ones((10, 3)))


def test_unknown_items_in_constructs():
    with pytest.raises(DataError, match="not found in the data: zz"):
        reliability(_likert(), constructs={"a": ["q1", "q2", "zz"]})


def test_too_many_factors_negative_df():
    with pytest.raises(DataError, match="cannot be identified"):
        efa(_likert(k=4), 3)          # df = 6 - 12 + 3 = -3
    with pytest.raises(DataError, match="positive integer"):
        efa(_likert(), 0)


def test_zero_df_is_flagged_not_silent():
    with pytest.warns(EstimationWarning, match="0 degrees of freedom"):
        res = efa(_likert(k=3), 1)
    assert res.df == 0 and np.isnan(res.rmsea) and np.isnan(res.p_value)
    assert any("0 degrees of freedom" in w for w in res.warnings)


def test_bad_arguments():
    df = _likert()
    with pytest.raises(DataError):
        efa(df, 1, method="pca")
    with pytest.raises(DataError):
        efa(df, 2, rotation="quartimax")
    with pytest.raises(DataError):
        reliability(df, ci="exact")
    with pytest.raises(DataError):
        reliability(df, missing="mean")
    with pytest.raises(DataError):
        parallel_analysis(df, kind="both")
    with pytest.raises(DataError):
        parallel_analysis(df, quantile=1.5)


def test_polychoric_bad_inputs():
    df = _likert()
    with pytest.raises(DataError, match="integers"):
        polychoric(df + 0.5 * (df.index.to_numpy()[:, None] % 2))
    wide = df.copy()
    wide["q1"] = np.arange(len(df)) % 11
    with pytest.raises(DataError, match="max_cat"):
        polychoric(wide)
    one_cat = df.copy()
    one_cat.loc[:, "q2"] = np.where(one_cat["q2"].notna(), 4.0, np.nan)
    with pytest.raises(DataError, match="q2"):
        polychoric(one_cat)


def test_polychoric_pairwise_missing():
    df = _likert(n=800, k=4)
    rng = np.random.default_rng(3)
    mask = rng.random(df.shape) < 0.1
    dfm = df.mask(mask)
    res = polychoric(dfm)
    assert not res.corr.isna().any().any()
    assert res.n_pairs.loc["q1", "q2"] == int((dfm["q1"].notna() & dfm["q2"].notna()).sum())
    full = polychoric(df)
    assert np.abs(res.corr.to_numpy() - full.corr.to_numpy()).max() < 0.1


def test_multi_construct_bad_construct_is_explained():
    df = _likert(k=6)
    with pytest.warns(ResilienceStatsWarning, match="at least 2 items"):
        rel = reliability(df, constructs={"good": ["q1", "q2", "q3", "q4"], "single": ["q5"]})
    bad = rel.set_index("construct").loc["single"]
    assert np.isnan(bad["alpha"]) and "at least 2 items" in bad["note"]


def test_two_item_construct_notes():
    df = _likert(k=4)
    with pytest.warns(ResilienceStatsWarning, match="omega_total"):
        rel = reliability(df[["q1", "q2"]])
    assert np.isnan(rel.loc[0, "omega_total"]) and "omega_total" in rel.loc[0, "note"]
    ia = item_analysis(df[["q1", "q2"]])
    assert ia["alpha_if_deleted"].isna().all() and (ia["note"] != "").all()


def test_factorability_handles_nan_unlike_factor_analyzer():
    df = _likert(n=500, k=6).mask(np.random.default_rng(1).random((500, 6)) < 0.05)
    f = factorability(df)
    assert np.isfinite(f.kmo) and f.msa.notna().all() and np.isfinite(f.bartlett_chisq)


# ------------------------------------------------------------------------------------------- SurveyWave --
class _Scale(SimpleNamespace):
    pass


class _Instrument:
    construct_items = {"A": ["q1", "q2", "q3"], "B": ["q4", "q5", "q6"]}
    item_ids = ["q1", "q2", "q3", "q4", "q5", "q6"]

    def scale_of(self, item_id):
        return _Scale(min=1, max=7)         # wider than the observed 1..5


def _wave():
    df = _likert(k=6, n_factors=2)
    df.insert(0, "respondent_id", [f"r{i}" for i in range(len(df))])
    return SimpleNamespace(data=df, instrument=_Instrument())


def test_wave_input_uses_instrument_constructs_and_bounds():
    wave = _wave()
    ia = item_analysis(wave)
    assert ia["construct"].tolist() == ["A"] * 3 + ["B"] * 3
    assert (ia["pct_ceiling"] == 0).all()          # nobody answered 7
    assert (ia["pct_floor"] > 0).all()
    rel = reliability(wave)
    assert rel["construct"].tolist() == ["A", "B"]
    assert factorability(wave).msa.index.tolist() == _Instrument.item_ids
    assert efa(wave, 2).loadings.shape == (6, 2)
    ia_all = item_analysis(wave, by_construct=False)
    assert set(ia_all["construct"]) == {"all"}


def test_floor_ceiling_from_observed_range_without_instrument():
    df = pd.DataFrame({"a": [1, 1, 1, 2, 3, 4, 5, 5], "b": [1, 2, 2, 3, 3, 4, 4, 5], "c": [2, 2, 3, 3, 4, 4, 5, 5]})
    ia = item_analysis(df).set_index("item")
    assert ia.loc["a", "pct_floor"] == pytest.approx(37.5)
    assert ia.loc["c", "pct_floor"] == pytest.approx(25.0)      # observed minimum is 2
    # 37.5 % at 1 and mean - SD = 2.75 - 1.753 < 1: floor; 25 % at 5 but mean + SD = 4.50 < 5: no ceiling
    assert bool(ia.loc["a", "flag_floor"]) and not bool(ia.loc["a", "flag_ceiling"])


def _counts(counts: dict) -> list:
    return [code for code, k in counts.items() for _ in range(k)]


def test_ceiling_rule_does_not_flag_items_with_means_near_3_5():
    # mean 3.5, 20 % answer 5: ordinary, not a ceiling effect; mean 4.45 with 60 % at 5: a ceiling effect
    ordinary = _counts({1: 5, 2: 10, 3: 30, 4: 35, 5: 20})
    piled = _counts({2: 5, 3: 5, 4: 30, 5: 60})
    low = _counts({1: 60, 2: 30, 3: 5, 4: 5})
    df = pd.DataFrame({"ordinary": ordinary, "piled": piled, "low": low})
    ia = item_analysis(df).set_index("item")
    assert ia.loc["ordinary", "mean"] == pytest.approx(3.55) and ia.loc["ordinary", "pct_ceiling"] == 20.0
    assert not ia.loc["ordinary", "flag_ceiling"] and not ia.loc["ordinary", "flag_floor"]
    assert ia.loc["piled", "flag_ceiling"] and not ia.loc["piled", "flag_floor"]
    assert ia.loc["low", "flag_floor"] and not ia.loc["low", "flag_ceiling"]
    assert list(ia.columns) == [c for c in ia.columns if not c.startswith("_")]  # no helper columns leak


def test_inputs_are_not_modified():
    wave = _wave()
    before = wave.data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResilienceStatsWarning)   # reversing non-reversed items is odd
        item_analysis(wave, reverse=["q1"])
        reliability(wave, reverse=["q1"], ordinal=True)
        efa(wave, 2, reverse=["q4"])
        polychoric(wave, reverse=["q2"])
    pd.testing.assert_frame_equal(wave.data, before)


def test_reverse_scoring_flips_sign():
    df = _likert()
    rev = df.copy()
    rev["q2"] = 6 - rev["q2"]
    with pytest.warns(ResilienceStatsWarning, match="negative corrected item-total"):
        item_analysis(rev)
    a = item_analysis(rev, reverse=["q2"])
    b = item_analysis(df)
    np.testing.assert_allclose(a["r_drop"], b["r_drop"])


# -------------------------------------------------------------------------------- reproducibility, reprs --
def test_bootstrap_ci_reproducible():
    df = _likert()
    r1 = reliability(df, ci="bootstrap", n_boot=200, seed=3)
    r2 = reliability(df, ci="bootstrap", n_boot=200, seed=3)
    pd.testing.assert_frame_equal(r1, r2)
    assert r1.loc[0, "alpha_ci_lower"] < r1.loc[0, "alpha"] < r1.loc[0, "alpha_ci_upper"]


def test_parallel_reproducible_and_table():
    df = _likert(n=400, k=8, n_factors=2)
    p1 = parallel_analysis(df, n_iter=20, seed=5)
    p2 = parallel_analysis(df, n_iter=20, seed=5)
    pd.testing.assert_frame_equal(p1.eigenvalues, p2.eigenvalues)
    assert list(p1.eigenvalues.columns) == ["position", "observed", "simulated_mean", "simulated_quantile", "retain"]
    assert p1.n_factors == 2 and p1.simulated.shape == (20, 8)


def test_reprs():
    df = _likert(n=400, k=6, n_factors=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objs = [factorability(df), parallel_analysis(df, n_iter=5), efa(df, 2), polychoric(df)]
    for obj in objs:
        text = repr(obj)
        assert text.startswith(type(obj).__name__ + "(")


def test_item_analysis_columns():
    ia = item_analysis(_likert())
    for col in ["item", "construct", "n", "mean", "sd", "skew", "kurtosis", "pct_missing", "pct_floor",
                "pct_ceiling", "r_drop", "alpha_if_deleted", "flag_weak", "flag_floor", "flag_ceiling"]:
        assert col in ia.columns


@pytest.mark.parametrize("module", ["items", "reliability", "factorability", "parallel", "efa", "polychoric"])
def test_docstring_examples(module):
    mod = importlib.import_module(f"resilience_stats.psychometrics.{module}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_parallel_wishart_matches_simulated_data_distribution():
    df = _likert(n=600, k=10, n_factors=2)
    a = parallel_analysis(df, n_iter=200, seed=1, kind="pca", simulation="wishart")
    b = parallel_analysis(df, n_iter=200, seed=2, kind="pca", simulation="data")
    np.testing.assert_allclose(a.eigenvalues["simulated_mean"], b.eigenvalues["simulated_mean"], atol=0.01)
    assert a.n_factors == b.n_factors
    with pytest.raises(DataError):
        parallel_analysis(df, simulation="bootstrap")
