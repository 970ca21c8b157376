"""polychoric_acov vs lavaan 0.6-14 WLSMV sample statistics (tests/golden/lavaan_ordinal_moments.json)."""

from __future__ import annotations

import doctest
import importlib
import json
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri
from scipy.stats import norm

from resilience_stats.errors import DataError, ResilienceStatsWarning
from resilience_stats.psychometrics.polychoric_acov import OrdinalMoments, polychoric_acov

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "lavaan_ordinal_moments.json"
CASES = {"bfi": ("bfi.csv", 25), "sim5": ("ordinal_sim5.csv", None), "mixed": ("ordinal_mixed.csv", None),
         "binary": ("ordinal_binary.csv", None)}


def _mat(d) -> pd.DataFrame:
    return pd.DataFrame(np.array(d["data"], dtype=float), index=d["rownames"], columns=d["colnames"])


@pytest.fixture(scope="module")
def gold():
    return json.loads(GOLDEN.read_text())


def _frame(name: str) -> pd.DataFrame:
    file, ncol = CASES[name]
    df = pd.read_csv(HERE / "data" / file)
    return df.iloc[:, :ncol] if ncol else df


@pytest.fixture(scope="module")
def results() -> dict[str, OrdinalMoments]:
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResilienceStatsWarning)        # binary: empty 2 x 2 cells
        for name in CASES:
            out[name] = polychoric_acov(_frame(name))
    return out


# ------------------------------------------------------------------------------------------- golden --
@pytest.mark.parametrize("name", list(CASES))
def test_thresholds_and_polychorics(gold, results, name):
    ref, mom = gold["cases"][name], results[name]
    assert mom.n_obs == ref["nobs"][0]
    th = pd.Series(ref["thresholds"])
    assert list(mom.thresholds.index) == list(th.index)
    assert np.abs(mom.thresholds.to_numpy() - th.to_numpy()).max() < 1e-6
    pc = _mat(ref["polychoric"])
    assert list(mom.corr.index) == list(pc.index)
    assert np.abs(mom.corr.to_numpy() - pc.to_numpy()).max() < 1e-6


@pytest.mark.parametrize("name", list(CASES))
def test_gamma_labels_order_and_values(gold, results, name):
    ref, mom = gold["cases"][name], results[name]
    g = _mat(ref["gamma"])
    assert mom.labels == list(g.index) == list(g.columns) == list(mom.gamma.index)
    diff = np.abs(mom.gamma.to_numpy() - g.to_numpy())
    scale = np.abs(g.to_numpy())
    # golden Gamma is stored to 10 significant digits; agreement is ~1e-7 relative
    assert (diff <= 1e-4 * scale + 1e-7 * scale.max()).all(), diff.max()
    assert np.abs(np.diag(mom.gamma) / np.diag(g) - 1).max() < 1e-5


@pytest.mark.parametrize("name", list(CASES))
def test_wls_v_and_wls_obs(gold, results, name):
    ref, mom = gold["cases"][name], results[name]
    wv = pd.Series(ref["wls_v_diag"])
    assert list(wv.index) == mom.labels
    np.testing.assert_allclose(mom.wls_v_diag.to_numpy(), wv.to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(mom.wls_obs.to_numpy(), pd.Series(ref["wls_obs"]).to_numpy(), atol=1e-6)
    np.testing.assert_allclose(mom.wls_v_diag.to_numpy(), 1 / np.diag(mom.gamma))


def test_lavaan_options_recorded(gold):
    opt = gold["cases"]["bfi"]["options"]
    assert opt["estimator"] == "DWLS" and opt["missing"] == "listwise"
    assert opt["gamma.n.minus.one"] is False and opt["zero.add"] == [0.5, 0]


def test_bfi_listwise_and_speed():
    df = _frame("bfi")
    t0 = time.perf_counter()
    mom = polychoric_acov(df)
    elapsed = time.perf_counter() - t0
    assert mom.n_obs == 2436 and mom.n_dropped == 2800 - 2436
    assert mom.gamma.shape == (125 + 300, 125 + 300)
    assert elapsed < 5.0                      # ~0.1 s; generous bound for slow CI machines


def test_dwls_discrepancy_reproduces_lavaan_fmin(results):
    """With lavaan's fitted thresholds/correlations (lavaan_wlsmv_bfi.json): fmin = .5 (N-1)/N sum w (s - est)^2."""
    path = HERE / "golden" / "lavaan_wlsmv_bfi.json"
    # a missing golden file fails (it is part of the project)
    fit = json.loads(path.read_text())["cases"]["bfi_wlsmv"]
    mom = results["bfi"]
    names = list(mom.corr.columns)
    implied = _mat(fit["implied_cor"]).loc[names, names].to_numpy()
    cols, rows = np.triu_indices(len(names), 1)
    est = np.concatenate([pd.Series(fit["thresholds"])[mom.thresholds.index].to_numpy(), implied[rows, cols]])
    fx = float((mom.wls_v_diag.to_numpy() * (mom.wls_obs.to_numpy() - est) ** 2).sum())
    n = mom.n_obs
    assert 0.5 * (n - 1) / n * fx == pytest.approx(fit["fmin"], rel=1e-6)
    assert (n - 1) * fx == pytest.approx(fit["scaled_test"]["standard_stat"], rel=1e-6)


# -------------------------------------------------------------------------------- structure / closed form --
def test_gamma_symmetric_psd(results):
    g = results["bfi"].gamma.to_numpy()
    assert np.array_equal(g, g.T)
    assert np.linalg.eigvalsh(g).min() > -1e-10
    assert np.allclose(results["bfi"].acov, g / 2436)


def test_threshold_block_is_the_delta_method_closed_form(results):
    """Thresholds tau = qnorm(F): sqrt(N)-ACOV = (P(y_i <= k, y_j <= l) - F_ik F_jl) / (phi(tau_ik) phi(tau_jl))."""
    df = _frame("sim5")
    mom = results["sim5"]
    x = df.to_numpy()
    ind = np.concatenate([(x[:, [j]] <= np.arange(1, 5)[None, :]).astype(float) for j in range(5)], axis=1)
    f = ind.mean(axis=0)
    cov = ind.T @ ind / len(x) - np.outer(f, f)
    dens = norm.pdf(ndtri(f))
    closed = cov / np.outer(dens, dens)
    np.testing.assert_allclose(mom.gamma.iloc[:20, :20].to_numpy(), closed, rtol=1e-9, atol=1e-12)


def test_noncontiguous_codes_and_categories(results):
    mom = results["mixed"]
    assert mom.categories["y6"] == [0.0, 2.0, 3.0, 5.0, 9.0]
    assert [lab for lab in mom.labels if lab.startswith("y4|")] == ["y4|t1"]
    df = _frame("mixed").dropna()
    expected = [(a, b) for i, b in enumerate(df.columns) for a in df.columns[:i]
                if (pd.crosstab(df[a], df[b]).to_numpy() == 0).any()]
    assert sorted(mom.zero_cell_pairs) == sorted(expected) and expected


def test_binary_special_cases_warn_and_closed_form(gold):
    df = _frame("binary")
    with pytest.warns(ResilienceStatsWarning, match="one empty cell in a 2x2 table"):
        mom = polychoric_acov(df)
    # b1 x b2: both thresholds 0 -> rho = -cos(2 pi p11), p11 = 14/40;  b1 x b4: odds ratio 1 -> 0
    assert mom.corr.loc["b1", "b2"] == pytest.approx(-np.cos(2 * np.pi * 14 / 40), abs=1e-15)
    assert mom.corr.loc["b1", "b4"] == 0.0


def test_perfectly_associated_binary_pair_gives_nan_gamma_row():
    df = pd.DataFrame({"a": [1] * 10 + [2] * 10, "b": [1] * 10 + [2] * 10, "c": [1, 2] * 10})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mom = polychoric_acov(df)
    msgs = [str(w.message) for w in caught if issubclass(w.category, ResilienceStatsWarning)]
    assert any("two empty cells" in m for m in msgs) and any("undefined (NaN)" in m for m in msgs)
    assert mom.corr.loc["a", "b"] == 1.0
    g = mom.gamma
    assert g["a~~b"].isna().all() and g.drop(index="a~~b", columns="a~~b").notna().all().all()
    # the other entries agree with lavaan 0.6-14 (diag: pi/2 for the median splits, pi^2/4 for rho = 0)
    np.testing.assert_allclose(np.diag(g)[[0, 1, 2, 4, 5]], [np.pi / 2] * 3 + [np.pi ** 2 / 4] * 2, rtol=1e-12)


def test_ordered_subset_and_wave_input(results):
    df = _frame("sim5")
    sub = polychoric_acov(df, ordered=["x3", "x1"])
    assert list(sub.corr.columns) == ["x3", "x1"] and sub.labels[-1] == "x3~~x1"
    assert sub.corr.loc["x1", "x3"] == pytest.approx(results["sim5"].corr.loc["x1", "x3"], abs=1e-9)
    inst = SimpleNamespace(construct_items={"F": ["x1", "x2", "x3", "x4", "x5"]},
                           scale_of=lambda i: SimpleNamespace(min=1, max=5))
    wave = SimpleNamespace(data=df.assign(community="c1"), instrument=inst)
    mom = polychoric_acov(wave)
    np.testing.assert_allclose(mom.gamma.to_numpy(), results["sim5"].gamma.to_numpy(), rtol=1e-12)
    assert repr(mom).startswith("OrdinalMoments(items=5")


def test_errors():
    df = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 1, 1, 1], "c": [1, 2, 2, 1]})
    with pytest.raises(DataError, match="single observed category: b"):
        polychoric_acov(df)
    with pytest.raises(DataError, match="at least 2 ordinal items"):
        polychoric_acov(df[["a"]])
    with pytest.raises(DataError, match="complete row"):
        polychoric_acov(pd.DataFrame({"a": [1, np.nan], "c": [np.nan, 2]}))
    with pytest.raises(DataError, match="non-numeric"):
        polychoric_acov(pd.DataFrame({"a": ["x", "y"], "c": [1, 2]}))


def test_docstring_examples():
    mod = importlib.import_module("resilience_stats.psychometrics.polychoric_acov")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
