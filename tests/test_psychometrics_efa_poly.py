"""EFA on polychoric correlations (``efa(cor="poly")``) vs psych 2.2.9 ``fa.poly`` (tests/golden/psych_cmb.json)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from resilience_stats.errors import DataError
from resilience_stats.psychometrics import efa, polychoric



def _mat(d) -> np.ndarray:
    return np.array(d["data"], dtype=float)


@pytest.fixture(scope="module")
def gold(psych_cmb_golden):
    return psych_cmb_golden["fa_poly"]


CASES = {"bfi15_3": ("bfi", 15, {"n_factors": 3}),
         "pbsc_7": ("pbsc", None, {"n_factors": 7}),
         "pbsc_7_pa_varimax": ("pbsc", None, {"n_factors": 7, "method": "principal", "rotation": "varimax"})}


@pytest.mark.parametrize("case", list(CASES))
def test_fa_poly_matches_psych(case, gold, bfi_items, pbsc_items):
    src, ncol, kw = CASES[case]
    g = gold[case]
    x = (bfi_items if src == "bfi" else pbsc_items)
    x = x.iloc[:, :ncol] if ncol else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = efa(x, cor="poly", **kw)
    assert res.cor == "poly" and res.n_obs == g["n_obs"]
    # polychoric correlations agree with psych's to ~2e-5 (psych's optimiser tolerance); the factor solution
    # inherits that
    np.testing.assert_allclose(res.correlation.to_numpy(), _mat(g["rho"]), atol=1e-4)
    np.testing.assert_allclose(res.loadings.to_numpy(), _mat(g["loadings"]), atol=2e-4)
    np.testing.assert_allclose(res.communalities.to_numpy(), list(g["communality"].values()), atol=2e-4)
    if g.get("Phi") is not None:
        np.testing.assert_allclose(res.phi.to_numpy(), _mat(g["Phi"]), atol=2e-4)
    assert res.chisq == pytest.approx(g["STATISTIC"], rel=2e-4)
    assert res.df == g["dof"]
    assert res.tli == pytest.approx(g["TLI"], abs=1e-4)
    assert res.rmsea == pytest.approx(g["RMSEA"][0], abs=1e-4)
    assert res.rms == pytest.approx(g["rms"], abs=1e-5)   # unweighted: psych's fa gets a correlation matrix


def test_poly_uses_the_polychoric_matrix(pbsc_items):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = efa(pbsc_items.iloc[:, :9], 2, cor="poly")
        pc = polychoric(pbsc_items.iloc[:, :9])
    np.testing.assert_array_equal(res.correlation.to_numpy(), pc.corr.to_numpy())
    pearson = efa(pbsc_items.iloc[:, :9], 2)
    assert pearson.cor == "pearson"
    # polychoric correlations of 5-point items are larger than Pearson's: so are the loadings
    assert res.loadings.abs().max().max() > pearson.loadings.abs().max().max()


def test_poly_refuses_what_psych_would_treat_otherwise(bfi_items):
    x = bfi_items.iloc[:, :6].copy()
    x["A1"] = (x["A1"] > 3).astype(float)
    with pytest.raises(DataError, match="tetrachoric or mixed"):
        efa(x, 1, cor="poly")
    y = bfi_items.iloc[:, :6].copy()
    y["A2"] = y["A2"] + np.linspace(0, 0.9, len(y)).round(1)
    with pytest.raises(DataError, match="3 to 8 distinct"):
        efa(y, 1, cor="poly")
    with pytest.raises(DataError, match="cor must be one of"):
        efa(bfi_items, 5, cor="kendall")
