"""Split-half reliabilities vs psych 2.2.9 ``splitHalf`` (tests/golden/psych_cmb.json), R brute force over all
splits (odd numbers of items) and a closed form."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError
from resilience_stats.psychometrics import split_half

MODULE = importlib.import_module("resilience_stats.psychometrics.split_half")
PAIRS = [("lambda4", "maxrb"), ("beta", "minrb"), ("mean_split", "meanr"), ("alpha", "alpha"),
         ("lambda2", "lambda2"), ("lambda6", "lambda6"), ("avg_r", "av_r"), ("median_r", "med_r")]


@pytest.fixture(scope="module")
def gold(psych_cmb_golden):
    return psych_cmb_golden["split_half"]


def _halves(text: str) -> tuple[set, set]:
    a, b = text.split(" | ")
    return set(a.split(", ")), set(b.split(", "))


def _psych_halves(ab: dict) -> tuple[set, set]:
    return {i.lstrip("-") for i in ab["A"]}, {i.lstrip("-") for i in ab["B"]}


@pytest.mark.parametrize("case,ncol", [("bfi10", 10), ("bfi16", 16)])
def test_exhaustive_even_matches_psych(case, ncol, gold, bfi_items):
    g = gold[case]
    row = split_half(bfi_items.iloc[:, :ncol]).iloc[0]
    for ours, theirs in PAIRS:
        assert row[ours] == pytest.approx(g[theirs], abs=1e-12), ours
    assert row["exhaustive"] and row["n_splits"] == g["n_raw"] == math.comb(ncol, ncol // 2) // 2
    np.testing.assert_allclose(row[["split_q025", "split_median", "split_q975"]].to_numpy(float), g["ci"],
                               atol=1e-12)
    assert _halves(row["best_split"]) == _psych_halves(g["maxAB"])
    assert _halves(row["worst_split"]) == _psych_halves(g["minAB"])
    assert set(row["reversed"].split(", ")) == {i.lstrip("-") for h in g["maxAB"].values() for i in h
                                                if i.startswith("-")}


@pytest.mark.parametrize("case,src,ncol", [("bfi9_odd", "bfi", 9), ("pbl5_odd", "pbsc", 5)])
def test_exhaustive_odd_examines_every_split(case, src, ncol, gold, bfi_items, pbsc_items):
    # psych stops after half of the lexicographic list for odd k; R's brute force over combn() is the reference
    g = gold[case]
    x = (bfi_items if src == "bfi" else pbsc_items).iloc[:, :ncol]
    row = split_half(x).iloc[0]
    allg = g["all_splits"]
    assert row["n_splits"] == allg["n_splits"] == math.comb(ncol, ncol // 2)
    assert row["lambda4"] == pytest.approx(allg["max"], abs=1e-12)
    assert row["beta"] == pytest.approx(allg["min"], abs=1e-12)
    assert row["mean_split"] == pytest.approx(allg["mean"], abs=1e-12)
    for ours, theirs in PAIRS[3:]:  # the split-free coefficients agree with psych exactly
        assert row[ours] == pytest.approx(g[theirs], abs=1e-12), ours
    assert row["lambda4"] >= g["maxrb"] - 1e-12 and row["beta"] <= g["minrb"] + 1e-12


@pytest.mark.parametrize("case,src", [("bfi25_sampled", "bfi"), ("pbsc29_sampled", "pbsc")])
def test_sampled_splits_agree_with_psych_within_monte_carlo_error(case, src, gold, bfi_items, pbsc_items):
    g = gold[case]
    row = split_half(bfi_items if src == "bfi" else pbsc_items, seed=15).iloc[0]
    assert not row["exhaustive"] and row["n_splits"] == g["n_raw"] == 10000
    for ours, theirs in PAIRS[3:]:
        assert row[ours] == pytest.approx(g[theirs], abs=1e-12), ours
    # 10,000 random halves each: means within 0.002, the 2.5/50/97.5% quantiles within 0.005, extremes 0.03
    assert row["mean_split"] == pytest.approx(g["meanr"], abs=0.002)
    np.testing.assert_allclose(row[["split_q025", "split_median", "split_q975"]].to_numpy(float), g["ci"],
                               atol=0.005)
    assert row["lambda4"] == pytest.approx(g["maxrb"], abs=0.03)
    assert row["beta"] == pytest.approx(g["minrb"], abs=0.03)


def test_same_seed_same_numbers_and_exhaustive_ignores_seed(bfi_items):
    a = split_half(bfi_items, seed=3)
    b = split_half(bfi_items, seed=3)
    c = split_half(bfi_items, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[0, "lambda4"] != c.loc[0, "lambda4"]
    pd.testing.assert_frame_equal(split_half(bfi_items.iloc[:, :8], seed=1), split_half(bfi_items.iloc[:, :8], seed=2))


def test_n_sample_switches_to_exhaustive_as_psych(bfi_items):
    # 17 items: choose(17, 8) / 2 = 12155 > 10000 -> sampled; with n_sample = 12155 -> every split
    assert not split_half(bfi_items.iloc[:, :17]).loc[0, "exhaustive"]
    row = split_half(bfi_items.iloc[:, :17], n_sample=12155).iloc[0]
    assert row["exhaustive"] and row["n_splits"] == math.comb(17, 8)


def _exact(r: np.ndarray, n: int = 300) -> pd.DataFrame:
    z = np.random.default_rng(1).normal(size=(n, r.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    return pd.DataFrame(z @ np.linalg.cholesky(r).T, columns=[f"x{i}" for i in range(r.shape[0])])


def test_equal_correlations_give_alpha_for_every_split():
    # compound symmetry: every split half equals Spearman-Brown of a half = alpha = k rho / (1 + (k - 1) rho)
    k, rho = 6, 0.4
    r = np.full((k, k), rho)
    np.fill_diagonal(r, 1.0)
    row = split_half(_exact(r)).iloc[0]
    alpha = k * rho / (1 + (k - 1) * rho)
    for col in ("lambda4", "beta", "mean_split", "alpha"):
        assert row[col] == pytest.approx(alpha, abs=1e-12)


def test_split_values_formula():
    r = np.array([[1, .5, .3, .2], [.5, 1, .4, .1], [.3, .4, 1, .6], [.2, .1, .6, 1]])
    values, best, worst, exhaustive = MODULE.split_values(r)
    # splits {0,1}|{2,3}, {0,2}|{1,3}, {0,3}|{1,2}
    expected = [4 * (r[np.ix_(a, b)].sum()) / r.sum() for a, b in (([0, 1], [2, 3]), ([0, 2], [1, 3]),
                                                                    ([0, 3], [1, 2]))]
    np.testing.assert_allclose(values, expected, atol=1e-15)
    assert exhaustive and best.tolist() == [True, False, True, False] and worst.tolist() == [True, True, False, False]


def test_per_construct_on_a_wave_and_reverse_keying():
    raw = rs.example_survey("party_building_social_capital", n=250, seed=5)
    wave = rs.read_survey(raw, "party_building_social_capital")
    sh = rs.split_half(wave)
    assert list(sh["construct"]) == list(wave.instrument.construct_items)
    assert (sh["beta"] <= sh["mean_split"]).all() and (sh["mean_split"] <= sh["lambda4"]).all()
    x = pd.DataFrame(_exact(np.full((4, 4), 0.5) + np.eye(4) * 0.5))
    x["x1"] = -x["x1"]
    row = split_half(x).iloc[0]
    assert row["reversed"] == "x1" and row["alpha"] == pytest.approx(4 * 0.5 / 2.5, abs=1e-12)
    assert split_half(x, check_keys=False).loc[0, "alpha"] < 0.5


def test_split_half_bad_input(bfi_items):
    with pytest.raises(DataError, match="n_sample"):
        split_half(bfi_items, n_sample=0)
    with pytest.raises(DataError, match="at least 2 items"):
        split_half(bfi_items[["A1"]])
    df = bfi_items.iloc[:, :4].copy()
    df["A2"] = 3.0
    with pytest.raises(DataError, match="constant"):
        split_half(df)
    with pytest.warns(Warning, match="construct 'bad': at least 2 items"):
        out = split_half(bfi_items, constructs={"A": ["A1", "A2", "A3"], "bad": ["C1"]})
    assert out.loc[1, "note"] and np.isnan(out.loc[1, "lambda4"])


def test_split_half_table(bfi_items):
    t = rs.tables.from_result(split_half(bfi_items.iloc[:, :10], constructs={"A": list(bfi_items.columns[:5]),
                                                                       "C": list(bfi_items.columns[5:10])}))
    shown = t.display()
    assert list(shown.columns) == ["construct", "n_items", "lambda4", "beta", "mean_split", "alpha", "lambda6"]
    assert shown.shape[0] == 2


def test_doctests():
    res = doctest.testmod(MODULE, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
