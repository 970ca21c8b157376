"""omega hierarchical (Schmid-Leiman) vs psych 2.2.9 ``omega`` (tests/golden/psych_cmb.json) and a closed form."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError, EstimationWarning, ResilienceStatsWarning
from resilience_stats.psychometrics import omega



def _mat(d) -> np.ndarray:
    return np.array(d["data"], dtype=float)


@pytest.fixture(scope="module")
def gold(psych_cmb_golden):
    return psych_cmb_golden


CASES = {
    "bfi_3": ("bfi", None, {}),
    "bfi_5": ("bfi", None, {"n_factors": 5}),
    "bfi15_pa_promax": ("bfi", 15, {"method": "principal", "rotation": "promax"}),
    "bfi10_2": ("bfi", 10, {"n_factors": 2}),
    "bfi10_2_first": ("bfi", 10, {"n_factors": 2, "option": "first"}),
    "bfi5_1": ("bfi", 5, {"n_factors": 1}),
    "pbsc_3": ("pbsc", None, {}),
}


def _run(case, bfi_items, pbsc_items):
    src, ncol, kw = CASES[case] if case in CASES else ("pbsc", None, {"n_factors": 7, "cor": "poly"})
    x = bfi_items if src == "bfi" else pbsc_items
    x = x.iloc[:, :ncol] if ncol else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResilienceStatsWarning)
        return omega(x, **kw)


@pytest.mark.parametrize("case", list(CASES))
def test_omega_matches_psych(case, gold, bfi_items, pbsc_items):
    g = gold["omega"][case]
    om = _run(case, bfi_items, pbsc_items)
    assert om.omega_h == pytest.approx(g["omega_h"], abs=1e-8)
    assert om.omega_total == pytest.approx(g["omega_tot"], abs=1e-8)
    assert om.omega_limit == pytest.approx(g["omega_lim"], abs=1e-8)
    assert om.alpha == pytest.approx(g["alpha"], abs=1e-10)
    assert om.g6 == pytest.approx(g["G6"], abs=1e-10)
    assert om.ecv == pytest.approx(g["ECV"]["g"], abs=1e-8)
    np.testing.assert_allclose(om.loadings.to_numpy(), _mat(g["sl"]), atol=1e-7)
    assert list(om.loadings.columns) == g["sl"]["colnames"]
    np.testing.assert_allclose(om.omega_group.to_numpy(), _mat(g["omega_group"]), atol=1e-8)
    np.testing.assert_allclose(om.oblique.to_numpy(), _mat(g["oblique"]), atol=1e-7)
    np.testing.assert_allclose(om.g_loadings.to_numpy(), g["gloading"], atol=1e-7)
    reversed_psych = [nm for nm, k in zip(om.loadings.index, g["key"]) if k < 0]
    assert om.reversed == reversed_psych
    fit = om.fit.loc["general_and_group"]
    assert fit["chisq"] == pytest.approx(g["stats"]["STATISTIC"], rel=1e-7)
    assert fit["df"] == g["stats"]["dof"]
    assert fit["rms"] == pytest.approx(g["stats"]["rms"], abs=1e-9)
    assert fit["rmsea"] == pytest.approx(g["stats"]["RMSEA"][0], abs=1e-7)
    assert om.fit.loc["general_only", "chisq"] == pytest.approx(g["gstats"]["STATISTIC"], rel=1e-7)
    assert om.fit.loc["general_only", "df"] == g["gstats"]["dof"]


def test_omega_bfi_reverse_keys_the_negative_items(gold, bfi_items):
    om = _run("bfi_3", bfi_items, None)
    assert {"A1", "C4", "C5", "E1", "E2", "O2", "O5"} <= set(om.reversed)
    assert (om.loadings.loc[om.reversed, "g"] > -1e-12).all()


def test_omega_polychoric_matches_psych(gold, pbsc_items):
    g = gold["omega"]["pbsc_7_poly"]
    om = _run("pbsc_7_poly", None, pbsc_items)
    # the polychoric correlations agree with psych's to about 2e-5 (psych's optimiser tolerance)
    assert om.omega_h == pytest.approx(g["omega_h"], abs=1e-4)
    assert om.omega_total == pytest.approx(g["omega_tot"], abs=1e-4)
    assert om.ecv == pytest.approx(g["ECV"]["g"], abs=1e-4)
    np.testing.assert_allclose(om.loadings.to_numpy(), _mat(g["sl"]), atol=2e-4)
    assert om.fit.loc["general_and_group", "chisq"] == pytest.approx(g["stats"]["STATISTIC"], rel=1e-3)
    assert om.cor == "poly"


def _exact_data(r: np.ndarray, n: int = 400, seed: int = 3) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly ``r``."""
    z = np.random.default_rng(seed).normal(size=(n, r.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    x = z @ np.linalg.cholesky(r).T
    return pd.DataFrame(x, columns=[f"x{i + 1}" for i in range(r.shape[0])])


def test_omega_recovers_a_higher_order_population():
    # 3 group factors x 3 items (loading .7), group factors loading .8/.7/.6 on g: Schmid-Leiman is exact
    gl = np.array([0.8, 0.7, 0.6])
    lam = np.kron(np.eye(3), np.full((3, 1), 0.7))
    phi = np.outer(gl, gl)
    np.fill_diagonal(phi, 1.0)
    r = lam @ phi @ lam.T
    np.fill_diagonal(r, 1.0)
    om = omega(_exact_data(r))
    general = 0.7 * np.repeat(gl, 3)
    np.testing.assert_allclose(np.sort(om.loadings["g"].to_numpy()), np.sort(general), atol=1e-3)
    assert om.omega_h == pytest.approx(general.sum() ** 2 / r.sum(), abs=1e-4)
    assert om.omega_total == pytest.approx((r.sum() - (1 - 0.49) * 9) / r.sum(), abs=1e-4)
    ecv = (general**2).sum() / (0.49 * 9)
    assert om.ecv == pytest.approx(ecv, abs=1e-4)
    assert om.reversed == []


def test_omega_warns_for_two_and_one_factor_and_for_rekeying(bfi_items):
    with pytest.warns(EstimationWarning, match="three factors are needed"):
        with pytest.warns(ResilienceStatsWarning, match="reverse-keyed: A1, C4, C5$"):
            omega(bfi_items.iloc[:, :10], n_factors=2)
    with pytest.warns(EstimationWarning, match="not meaningful with one factor"):
        with pytest.warns(ResilienceStatsWarning, match="reverse-keyed: A1$"):
            omega(bfi_items.iloc[:, :5], n_factors=1)


def test_omega_bad_input(bfi_items):
    with pytest.raises(DataError, match="cannot be identified"):
        omega(bfi_items.iloc[:, :5], n_factors=3)
    with pytest.raises(DataError, match="rotation"):
        omega(bfi_items, rotation="varimax")
    with pytest.raises(DataError, match="n_factors"):
        omega(bfi_items, n_factors=0)
    with pytest.raises(DataError, match="cor"):
        omega(bfi_items, cor="spearman")
    df = bfi_items.iloc[:, :9].copy()
    df["A2"] = "x"
    with pytest.raises(DataError, match="non-numeric"):
        omega(df)


def test_omega_leaves_input_alone_and_is_exported(bfi_items):
    before = bfi_items.copy()
    with pytest.warns(ResilienceStatsWarning, match="reverse-keyed"):
        om = rs.omega(bfi_items.iloc[:, :15], n_factors=3)
    pd.testing.assert_frame_equal(bfi_items, before)
    assert "omega_h" in repr(om) and "omega_h" in om.summary()
    table = om.to_table()
    assert table.display().shape[0] == 15


def test_doctests():
    import doctest
    import importlib

    module = importlib.import_module("resilience_stats.psychometrics.omega")  # the function shadows the name
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
