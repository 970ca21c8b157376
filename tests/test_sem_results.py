"""The SEMResult object: summary text, derived tables and their consistency."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.sem import cfa, sem

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def golden():
    path = HERE / "golden" / "sem_lavaan.json"
    # a missing golden file fails (it is part of the project)
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def pd_fit(golden):
    return sem(golden["models"]["political_democracy"], pd.read_csv(HERE / "data" / "political_democracy.csv"))


@pytest.fixture(scope="module")
def med_fit(golden):
    return sem(golden["models"]["mediation"], pd.read_csv(HERE / "data" / "mediation.csv"), estimator="MLR")


def test_summary_text(pd_fit):
    text = pd_fit.summary()
    assert "ended normally" in text
    assert "Number of observations                      75" in text
    assert "Latent Variables:" in text and "Regressions:" in text and "Covariances:" in text
    assert "R-Square:" in text
    assert f"{pd_fit.fit_indices['chisq']:10.3f}" in text
    assert str(pd_fit) == text


def test_summary_mlr_and_defined(med_fit):
    text = med_fit.summary()
    assert "Scaling correction factor" in text
    assert "Defined Parameters:" in text and "total_ind" in text
    assert "robust" in text


def test_partable_carries_estimates(pd_fit):
    pt = pd_fit.partable
    np.testing.assert_array_equal(pt["est"].to_numpy(), pd_fit.estimates["est"].to_numpy())
    assert int(pt["free"].max()) == pd_fit.n_params == 31


def test_vcov_labels_and_se(pd_fit):
    V = pd_fit.vcov
    assert V.shape == (31, 31)
    assert V.index[0] == "ind60=~x2"
    se = pd_fit.estimates.loc[pd_fit.partable["free"] > 0, "se"].to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(V)), se, rtol=1e-12)


def test_residual_identity_and_implied(pd_fit):
    np.testing.assert_allclose(pd_fit.residuals["raw"] + pd_fit.implied_cov, pd_fit.sample_cov, atol=1e-12)
    assert np.allclose(np.diag(pd_fit.residuals["cor"]), 0)
    assert set(pd_fit.residuals) == {"raw", "cor"}


def test_r2_covers_endogenous_variables(pd_fit):
    assert list(pd_fit.r2.index) == ["x1", "x2", "x3"] + [f"y{i}" for i in range(1, 9)] + ["dem60", "dem65"]
    assert ((pd_fit.r2 > 0) & (pd_fit.r2 < 1)).all()


def test_std_all_loadings_squared_equal_r2_for_simple_indicators(pd_fit):
    est = pd_fit.estimates
    lam = est[(est["op"] == "=~") & (est["rhs"] == "x1")]["std_all"].iloc[0]
    assert lam**2 == pytest.approx(pd_fit.r2["x1"], rel=1e-10)


def test_defined_std_is_definition_applied_to_std_values(med_fit):
    est = med_fit.estimates
    a1 = est.query("label == 'a1'")["std_all"].iloc[0]
    b1 = est.query("label == 'b1'")["std_all"].iloc[0]
    assert est.query("lhs == 'ind1'")["std_all"].iloc[0] == pytest.approx(a1 * b1, rel=1e-12)


def test_mean_structure_residuals(golden):
    fit = cfa(pd.read_csv(HERE / "data" / "holzinger_swineford.csv"), golden["models"]["hs_cfa"], meanstructure=True)
    assert {"mean", "mean_cor"} <= set(fit.residuals)
    np.testing.assert_allclose(fit.residuals["mean"], 0, atol=1e-8)  # saturated mean structure
    assert len(fit.estimates) == 24 + 12
    assert fit.options["meanstructure"] is True


def test_repr(pd_fit):
    assert repr(pd_fit) == "<SEMResult estimator=ML n_obs=75 npar=31 df=35 converged=True>"
