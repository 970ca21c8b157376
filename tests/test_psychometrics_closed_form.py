"""Closed-form checks of the psychometrics subpackage (no R needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from resilience_stats.psychometrics import efa, factorability, item_analysis, polychoric, reliability
from resilience_stats.psychometrics._bvn import bvn_cdf, bvn_pdf
from resilience_stats.psychometrics.reliability import feldt_ci, omega_total
from resilience_stats.psychometrics.rotation import oblimin, promax, varimax

GOLDEN = Path(__file__).parent / "golden" / "psych_bfi.json"


def _exact_cov_data(sigma: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Data whose sample covariance (ddof=1) is exactly ``sigma``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, sigma.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)     # sample cov = I
    return z @ np.linalg.cholesky(sigma).T + 3.0


@pytest.mark.parametrize("k,rho,var", [(4, 0.3, 1.0), (6, 0.5, 2.5), (3, 0.2, 0.7)])
def test_alpha_of_parallel_items(k, rho, var):
    sigma = var * ((1 - rho) * np.eye(k) + rho * np.ones((k, k)))
    df = pd.DataFrame(_exact_cov_data(sigma, 250), columns=[f"i{j}" for j in range(k)])
    rel = reliability(df)
    spearman_brown = k * rho / (1 + (k - 1) * rho)
    assert rel.loc[0, "alpha"] == pytest.approx(spearman_brown, abs=1e-10)
    assert rel.loc[0, "alpha_std"] == pytest.approx(spearman_brown, abs=1e-10)
    assert rel.loc[0, "avg_r"] == pytest.approx(rho, abs=1e-10)
    assert rel.loc[0, "omega_total"] == pytest.approx(spearman_brown, abs=1e-5)   # tau-equivalent: omega = alpha
    lo, hi = feldt_ci(spearman_brown, 250, k)
    assert rel.loc[0, "alpha_ci_lower"] == pytest.approx(lo) and rel.loc[0, "alpha_ci_upper"] == pytest.approx(hi)
    ia = item_analysis(df)
    r_drop = rho * np.sqrt(k - 1) / np.sqrt(1 + (k - 2) * rho)
    np.testing.assert_allclose(ia["r_drop"], r_drop, atol=1e-10)
    np.testing.assert_allclose(ia["alpha_if_deleted"], (k - 1) * rho / (1 + (k - 2) * rho), atol=1e-10)


def test_alpha_textbook_formula_tiny():
    tiny = pd.DataFrame({"i1": [1, 2, 3, 4, 5, 3], "i2": [2, 2, 4, 4, 5, 3],
                         "i3": [1, 3, 3, 5, 4, 2], "i4": [2, 1, 4, 3, 5, 4]})
    k = 4
    alpha = k / (k - 1) * (1 - tiny.var().sum() / tiny.sum(axis=1).var())
    rel = reliability(tiny)
    assert rel.loc[0, "alpha"] == pytest.approx(alpha, abs=1e-12)
    if GOLDEN.exists():
        g = json.loads(GOLDEN.read_text())["closed_form"]["tiny_alpha"]
        assert rel.loc[0, "alpha"] == pytest.approx(g["psych_raw_alpha"], abs=1e-12)
        assert rel.loc[0, "alpha_std"] == pytest.approx(g["psych_std_alpha"], abs=1e-12)
        ia = item_analysis(tiny)
        np.testing.assert_allclose(ia["r_drop"], [r["r.drop"] for r in g["item_stats"]], atol=1e-12)
        np.testing.assert_allclose(ia["alpha_if_deleted"], [r["raw_alpha"] for r in g["alpha_drop"]], atol=1e-12)


def test_omega_population_one_factor():
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    r = np.outer(lam, lam) + np.diag(1 - lam**2)
    closed = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert omega_total(r) == pytest.approx(closed, abs=1e-6)
    if GOLDEN.exists():
        g = json.loads(GOLDEN.read_text())["closed_form"]["population_one_factor"]
        assert omega_total(r) == pytest.approx(g["psych_omega_tot"], abs=1e-6)


def test_efa_recovers_population_loadings():
    lam = np.array([[.8, 0], [.7, 0], [.6, .0], [0, .8], [0, .7], [0, .6]])
    sigma = lam @ lam.T + np.diag(1 - (lam**2).sum(axis=1))
    df = pd.DataFrame(_exact_cov_data(sigma, 1000), columns=list("abcdef"))
    for method in ("minres", "ml", "principal"):
        for rot in ("varimax", "oblimin", "promax"):
            res = efa(df, 2, method=method, rotation=rot)
            est = res.loadings.to_numpy()
            if abs(est[0, 0]) < abs(est[0, 1]):          # both factors explain the same variance: any order
                est = est[:, ::-1]
            est = est * np.sign(est.sum(axis=0))
            # stats::varimax's stopping rule (relative criterion change < 1e-5) can stop a little early on this
            # perfectly symmetric structure; psych's pa stops when the communality sum changes < .001
            tol = 0.05 if rot == "varimax" else 0.01
            assert np.abs(est - lam).max() < tol, (method, rot)
            assert res.chisq == pytest.approx(0, abs=0.1)
            assert res.tli == pytest.approx(1, abs=0.01) or res.tli > 1
            assert res.rmsea == pytest.approx(0, abs=1e-6)


def test_bartlett_on_identity():
    sigma = np.eye(5)
    df = pd.DataFrame(_exact_cov_data(sigma, 300), columns=list("abcde"))
    f = factorability(df)
    assert f.bartlett_chisq == pytest.approx(0.0, abs=1e-8)
    assert f.bartlett_df == 10
    assert f.bartlett_p == pytest.approx(1.0)
    assert f.determinant == pytest.approx(1.0)


def test_bartlett_formula():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 4))
    x[:, 1] += x[:, 0]
    f = factorability(pd.DataFrame(x))
    r = np.corrcoef(x, rowvar=False)
    chisq = -np.log(np.linalg.det(r)) * (120 - 1 - (2 * 4 + 5) / 6)
    assert f.bartlett_chisq == pytest.approx(chisq)
    assert 0 < f.kmo < 1


def test_bvn_cdf_against_scipy():
    rng = np.random.default_rng(0)
    for r in (-0.99, -0.93, -0.6, 0.0, 0.3, 0.8, 0.95, 0.999):
        hk = rng.normal(size=(20, 2)) * 1.5
        ref = [multivariate_normal(cov=[[1, r], [r, 1]]).cdf(p) for p in hk]
        np.testing.assert_allclose(bvn_cdf(hk[:, 0], hk[:, 1], r), ref, atol=1e-8)
    assert bvn_cdf(np.inf, 0.3, 0.5) == pytest.approx(0.6179114221889527)
    assert bvn_cdf(-np.inf, 0.3, 0.5) == pytest.approx(0.0)
    assert bvn_pdf(0, 0, 0) == pytest.approx(1 / (2 * np.pi))


def test_polychoric_recovers_latent_correlation():
    rng = np.random.default_rng(11)
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=20000)
    df = pd.DataFrame(np.digitize(z, [-1.0, 0.0, 0.8]) + 1, columns=["a", "b"])
    res = polychoric(df)
    assert res.corr.loc["a", "b"] == pytest.approx(0.6, abs=0.02)
    np.testing.assert_allclose(res.thresholds.to_numpy(), [[-1.0, 0.0, 0.8]] * 2, atol=0.03)


def test_rotations_properties():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(10, 3))
    v = varimax(a)
    np.testing.assert_allclose(v.loadings @ v.loadings.T, a @ a.T, atol=1e-10)     # orthogonal: same model
    for rot in (oblimin(a), promax(a)):
        np.testing.assert_allclose(np.diag(rot.phi), 1.0, atol=1e-10)
        np.testing.assert_allclose(rot.loadings @ rot.phi @ rot.loadings.T, a @ a.T, atol=1e-8)
