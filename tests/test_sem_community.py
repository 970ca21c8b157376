"""Community-level structural models (resilience_stats.sem.community) against lavaan 0.6-14
(tests/golden/sem_community.json, made by tests/golden/sem_community.R).

The example wave (600 residents in 30 communities) has little between-community variance: the two-level model
has negative between variances (Heywood cases, as in lavaan) and a flat likelihood along several between-level
parameters, so its estimates are compared where they are determined (the model's log-likelihood to 1e-6, the
within-level and the community-level a-paths to 1e-3) and its saturated model is checked to be at least as
good as lavaan's EM solution (ours is the maximum over positive semi-definite covariance matrices; lavaan's EM
stops earlier). The cluster-robust fallback agrees with lavaan to 1e-5.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError, ModelSpecificationError

GOLDEN = Path(__file__).parent / "golden" / "sem_community.json"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def wave():
    return rs.read_survey(DATA / "community_wave.csv", "party_building_social_capital")


@pytest.fixture(scope="module")
def community(wave):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rs.community_model(wave, estimator="ML")


def _merged(fit, case):
    ref = pd.DataFrame(case["parameter_estimates"])
    keys = ["lhs", "op", "rhs"]
    if "level" in ref.columns:
        ref["level"] = ref["level"].astype(int)
        keys.append("level")
    m = ref.merge(fit.estimates, on=keys, suffixes=("_r", ""), how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    return m


def test_scores_are_the_shipped_ones(wave):
    """The golden file was made from these scores; the package still computes them the same way."""
    shipped = pd.read_csv(DATA / "community_scores.csv")
    ours = wave.scores().drop(columns=["RES"])
    np.testing.assert_allclose(ours.to_numpy(), shipped[ours.columns].to_numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore")
def test_twolevel_syntax_is_the_golden_model(golden, wave):
    syntax = rs.twolevel_score_syntax(rs.models.get("chen_zhang").syntax, list(wave.scores().columns))
    ours = rs.sem(syntax, pd.read_csv(DATA / "community_scores.csv"), cluster="community")
    theirs = rs.sem(golden["models"]["twolevel"], pd.read_csv(DATA / "community_scores.csv"), cluster="community")
    np.testing.assert_allclose(ours.estimates["est"], theirs.estimates["est"], atol=1e-10)


def test_two_level_community_model_matches_lavaan(golden, community):
    assert community.kind == "two-level" and community.n_clusters == 30 and community.n_obs == 600
    case = golden["cases"]["twolevel_ml"]
    fit = community.fit
    assert fit.n_params == case["npar"] and fit.df == case["fit_measures"]["df"]
    assert fit.fit_indices["loglik"] == pytest.approx(case["fit_measures"]["logl"], abs=1e-6)
    m = _merged(fit, case)
    determined = (m["level"] == 1) | m["label"].isin(["a1", "a2", "a3"])
    np.testing.assert_allclose(m.loc[determined, "est"], m.loc[determined, "est_r"], atol=1e-3)
    se = determined & (m["se_r"] > 0)
    np.testing.assert_allclose(m.loc[se, "se"], m.loc[se, "se_r"], rtol=1e-3)
    # the improper solution is flagged as lavaan flags it
    assert any("Heywood" in w for w in community.warnings)
    assert fit.fit_indices["srmr_between"] == pytest.approx(case["fit_measures"]["srmr_between"], abs=2e-3)


def test_saturated_model_is_the_psd_maximum(golden, community):
    """lavaan's EM stops below the maximum; ours is at least as high and its between matrix is PSD."""
    tl = community.fit._state.twolevel
    case = golden["cases"]["twolevel_ml"]
    assert community.fit.fit_indices["loglik_unrestricted"] >= case["h1_loglik"] - 1e-6
    assert community.fit.fit_indices["loglik_unrestricted"] - case["h1_loglik"] < 0.2
    sigma_b = tl["h1_implied"][1]["sigma"]
    assert np.linalg.eigvalsh(sigma_b).min() > -1e-10
    ref = golden["cases"]["twolevel_ml"]["h1_between_cov"]
    ref = pd.DataFrame(ref["data"], index=ref["rownames"], columns=ref["colnames"]).loc[tl["between"], tl["between"]]
    np.testing.assert_allclose(sigma_b, ref.to_numpy(), atol=2e-3)


def test_effects_table_is_community_level(community):
    eff = community.effects()
    assert set(eff["op"]) == {"~", ":="}
    assert (eff.loc[eff["op"] == "~", "level"] == 2).all()
    assert {"ind_net", "ind_total", "total"} <= set(eff["lhs"])


def test_fallback_with_few_communities_is_cluster_robust(golden, wave):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cm = rs.community_model(wave, min_clusters=31)
    assert cm.kind == "cluster-robust" and "only 30 communities" in cm.reason
    case = golden["cases"]["items_cluster_mlr"]
    m = _merged(cm.fit, case)
    for ours, theirs in (("est", "est_r"), ("se", "se_r")):
        ok = m[theirs].notna() & (m[theirs] != 0) if ours == "se" else m[theirs].notna()
        np.testing.assert_allclose(m.loc[ok, ours], m.loc[ok, theirs], rtol=1e-5, atol=1e-6)
    assert cm.fit.fit_indices["chisq_scaled"] == pytest.approx(case["fit_measures"]["chisq.scaled"], rel=1e-6)


def test_syntax_errors_are_clear():
    with pytest.raises(ModelSpecificationError, match="no structural"):
        rs.twolevel_score_syntax("F =~ a + b + c", ["F"])
    with pytest.raises(ModelSpecificationError, match="have no score"):
        rs.twolevel_score_syntax("F =~ a + b + c\nG =~ d + e + f\nG ~ F", ["F"])
    with pytest.raises(ModelSpecificationError, match="already has levels"):
        rs.twolevel_score_syntax("level: 1\nG ~ F\nlevel: 2\nG ~ F", ["F", "G"])


def test_bad_input(wave):
    scores = pd.read_csv(DATA / "community_scores.csv")
    with pytest.raises(DataError, match="cluster="):
        rs.community_model(scores, "G ~ F")
    with pytest.raises(DataError, match="at least 2 communities"):
        rs.community_model(scores.assign(community=1), rs.models.get("chen_zhang").syntax, cluster="community")
    with pytest.raises(DataError, match="no item data"):
        rs.community_model(scores, rs.models.get("chen_zhang").syntax, cluster="community", min_clusters=50)


def test_a_two_level_model_that_cannot_be_estimated_falls_back_with_the_reason():
    """Tiny between-community variances (score ICCs near 0): the two-level fit does not converge; the cluster-
    robust item-level model is fitted instead and says why."""
    from resilience_stats.workflow import load_pooled

    raw = rs.example_survey("party_building_social_capital", n=200, seed=3, waves=2, missing_rate=0.003)
    wave = load_pooled(raw, "party_building_social_capital", exclude=["speeders"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cm = rs.community_model(wave)
    assert cm.kind == "cluster-robust" and cm.n_clusters == 20
    assert cm.failure and "could not be estimated" in cm.reason and "largest ICC" in cm.reason
    assert cm.fit.converged and np.isfinite(cm.fit.estimates["se"]).any()
