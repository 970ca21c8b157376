"""Mardia's multivariate skewness and kurtosis vs psych 2.2.9 ``mardia`` (tests/golden/psych_cmb.json) and
closed forms."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError
from resilience_stats.psychometrics import mardia

MODULE = importlib.import_module("resilience_stats.psychometrics.mardia")  # the function shadows the module name



@pytest.fixture(scope="module")
def gold(psych_cmb_golden):
    return psych_cmb_golden["mardia"]


@pytest.mark.parametrize("case", ["bfi", "pbsc", "bfi_A_small"])
def test_mardia_matches_psych(case, gold, bfi_items, pbsc_items):
    g = gold[case]
    x = {"bfi": bfi_items, "pbsc": pbsc_items, "bfi_A_small": bfi_items.iloc[:60, :5]}[case]
    m = mardia(x)
    assert (m.n_obs, m.n_vars) == (g["n_obs"], g["n_var"])
    assert m.b1p == pytest.approx(g["b1p"], rel=1e-10)
    assert m.b2p == pytest.approx(g["b2p"], rel=1e-10)
    assert m.skew == pytest.approx(g["skew"], rel=1e-10)
    assert m.small_skew == pytest.approx(g["small_skew"], rel=1e-10)
    assert m.kurtosis == pytest.approx(g["kurtosis"], rel=1e-10)
    assert m.skew_p == pytest.approx(g["p_skew"], abs=1e-12)
    assert m.small_skew_p == pytest.approx(g["p_small"], abs=1e-12)
    assert m.kurtosis_p == pytest.approx(g["p_kurt"], abs=1e-12)
    np.testing.assert_allclose(m.distance.to_numpy(), g["d"], rtol=1e-10)
    assert m.skew_df == g["n_var"] * (g["n_var"] + 1) * (g["n_var"] + 2) / 6


def test_mardia_bfi_drops_incomplete_rows(bfi_items):
    m = mardia(bfi_items)
    assert m.n_dropped == len(bfi_items) - len(bfi_items.dropna())
    assert list(m.distance.index) == list(bfi_items.dropna().index)


def test_symmetric_data_have_zero_skewness():
    # every case has its mirror image about the mean: all odd moments, hence b1p, vanish
    x = np.random.default_rng(2).normal(size=(150, 3))
    m = mardia(pd.DataFrame(np.vstack([x, -x]), columns=list("abc")))
    assert m.b1p == pytest.approx(0.0, abs=1e-12)
    assert m.skew_p == pytest.approx(1.0)


def test_against_the_full_distance_matrix():
    xx = np.column_stack([np.random.default_rng(4).exponential(size=300), np.random.default_rng(5).normal(size=300)])
    m = mardia(pd.DataFrame(xx, columns=["a", "b"]))
    xc = xx - xx.mean(axis=0)
    d = xc @ np.linalg.inv(np.cov(xx, rowvar=False)) @ xc.T
    assert m.b1p == pytest.approx((d**3).sum() / 300**2, rel=1e-10)
    assert m.b2p == pytest.approx((np.diag(d) ** 2).sum() / 300, rel=1e-10)
    assert m.b1p > 1.0  # the exponential column is skewed


def test_blocked_cube_sum_equals_the_full_matrix(monkeypatch):
    x = pd.DataFrame(np.random.default_rng(7).gamma(2.0, size=(101, 4)), columns=list("abcd"))
    whole = mardia(x)
    monkeypatch.setattr(MODULE, "_BLOCK", 7)
    blocked = mardia(x)
    assert blocked.b1p == pytest.approx(whole.b1p, rel=1e-12)


def test_mardia_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(DataError, match="more complete cases"):
        mardia(pd.DataFrame(rng.normal(size=(3, 4)), columns=list("abcd")))
    x = pd.DataFrame(rng.normal(size=(50, 2)), columns=["a", "b"])
    x["c"] = x["a"] + x["b"]
    with pytest.raises(DataError, match="singular"):
        mardia(x)
    with pytest.raises(DataError, match="at least 2"):
        mardia(x[["a"]])


def test_mardia_outputs(pbsc_items):
    m = rs.mardia(pbsc_items)
    assert list(m.table["test"]) == ["skewness", "skewness_small_sample", "kurtosis"]
    assert "b1p" in repr(m) and "kurtosis" in m.summary()
    shown = m.to_table(lang="zh").display()
    assert shown.shape == (3, 5) and shown.iloc[2, 0] == "多元峰度"


def test_doctests():
    res = doctest.testmod(MODULE, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
