"""rs.ordered_logit against R (tests/golden/regression_ordered.R -> .json): MASS::polr estimates and SEs, odds
ratios, average marginal effects with delta-method SEs, and the Brant (1990) test written out in R from separate
binary glm() fits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError, ModelSpecificationError
from resilience_stats.regression import brant_test

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "regression_ordered.json"
X = ["PBL", "female", "tenure"]


def make_ordered_trust(n: int = 400, seed: int = 21) -> pd.DataFrame:
    """The recipe of tests/data/ordered_trust.csv: five ordered categories; tenure's effect grows across the
    thresholds (proportional odds violated for tenure only)."""
    rng = np.random.default_rng(seed)
    pbl = rng.normal(3.6, 0.7, n).clip(1, 5)
    female = (rng.random(n) < 0.5).astype(float)
    tenure = np.round(rng.gamma(2.5, 6, n), 1) + 1
    lat = 1.1 * (pbl - 3.6) + 0.3 * female + rng.logistic(size=n)
    cuts = np.array([-1.6, -0.2, 1.0, 2.2])
    shift = np.array([0.0, 0.02, 0.05, 0.09]) * (tenure[:, None] - 16)
    trust = 1 + (lat[:, None] > cuts[None, :] - shift).sum(axis=1)
    return pd.DataFrame({"trust": trust, "PBL": pbl.round(4), "female": female, "tenure": tenure})


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.exists(), f"missing golden file {GOLDEN}: run tests/golden/regression_ordered.R"
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "ordered_trust.csv")


@pytest.fixture(scope="module")
def res(df):
    return rs.ordered_logit(df, "trust", X)


def close(a, b, rtol, atol=0.0):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


def test_data_file_matches_its_recipe(df):
    pd.testing.assert_frame_equal(df, make_ordered_trust(), check_dtype=False)


def test_estimates_match_polr(res, golden):
    assert res.converged and res.categories == [1, 2, 3, 4, 5]
    close(res.coefficients["coef"], golden["coef"], rtol=1e-6)
    close(res.thresholds["value"], golden["zeta"], rtol=1e-6)
    # both use a numerical Hessian (statsmodels; optim in polr)
    close(res.coefficients["se"], golden["se"], rtol=1e-4)
    close(res.thresholds["se"], golden["zeta_se"], rtol=1e-4)
    close(res.coefficients["odds_ratio"], golden["odds_ratio"], rtol=1e-6)
    assert res.fit["llf"] == pytest.approx(golden["loglik"], rel=1e-10)
    assert res.thresholds["threshold"].tolist() == ["1|2", "2|3", "3|4", "4|5"]
    ci = res.coefficients
    close(ci["or_ci_lower"], np.exp(ci["coef"] - 1.959963984540054 * ci["se"]), rtol=1e-12)


def test_average_marginal_effects(res, golden):
    close(res.marginal_effects["ame"], golden["ame"], rtol=1e-6, atol=1e-9)
    close(res.marginal_effects["se"], golden["ame_se"], rtol=1e-3)
    # the effects on the J probabilities sum to zero for every predictor
    assert np.allclose(res.marginal_effects.groupby("term")["ame"].sum(), 0, atol=1e-12)


def test_brant_test_matches_r(res, golden):
    ref = golden["brant"]
    b = res.brant.set_index("term")
    assert list(b.index) == ["omnibus", *X]
    for term in ("omnibus", *X):
        assert b.loc[term, "chi2"] == pytest.approx(ref[term]["chi2"], rel=1e-7)
        assert b.loc[term, "df"] == ref[term]["df"]
        assert b.loc[term, "p"] == pytest.approx(ref[term]["p"], rel=1e-6)
    assert b.loc["tenure", "p"] < 0.001 and b.loc["PBL", "p"] > 0.05  # the violation built into the data


def test_brant_holds_under_proportional_odds():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3000, 2))
    codes = np.digitize(x @ [0.8, -0.5] + rng.logistic(size=3000), [-1.5, 0.0, 1.2])
    assert brant_test(x, codes, ["a", "b"])[0]["p"].iloc[0] > 0.01


def test_tables_and_summary(res):
    t = res.to_table()
    shown = t.display()
    assert shown["term"].tolist() == [*X, "1|2", "2|3", "3|4", "4|5"]
    assert shown["or_ci"].iloc[0].startswith("[") and shown["odds_ratio"].iloc[3] == ""
    assert len(res.to_table("marginal").rows) == 15
    assert res.to_table("brant", lang="zh").display()["term"].iloc[0] == "总体检验"
    with pytest.raises(ValueError, match="kind"):
        res.to_table("nope")
    assert "Brant test" in res.summary() and "odds_ratio" in res.summary()


def test_errors(df):
    with pytest.raises(DataError, match="at least 3"):
        rs.ordered_logit(df.assign(y2=(df["trust"] > 3).astype(int)), "y2", X)
    with pytest.raises(ModelSpecificationError, match="predictor"):
        rs.ordered_logit(df, "trust", [])
    with pytest.raises(ModelSpecificationError, match="outcome"):
        rs.ordered_logit(df, "trust", ["trust"])
    with pytest.raises(DataError, match="unknown variable"):
        rs.ordered_logit(df, "trust", ["nope"])
    before = df.copy()
    rs.ordered_logit(df, "trust", "PBL")
    pd.testing.assert_frame_equal(df, before)


def test_survey_wave_item_as_outcome():
    inst = rs.load_instrument("party_building_social_capital")
    wave = rs.read_survey(rs.example_survey(inst, n=300, seed=2), inst)
    res = rs.ordered_logit(wave, "trust1", ["PBL", "NET"])  # an item (cleaned codes) on construct scores
    frame = wave.scores().join(wave.data[["trust1"]])
    ref = rs.ordered_logit(frame, "trust1", ["PBL", "NET"])
    close(res.coefficients["coef"], ref.coefficients["coef"], rtol=1e-10)
    assert res.categories == sorted(wave.data["trust1"].dropna().unique().tolist())


def test_brant_package_published_example(golden):
    """The documented example of R's brant package: MASS::survey, Smoke ~ Sex + Height (its printed output)."""
    ref = golden["smoke"]
    pub = ref["published"]
    data = pd.read_csv(HERE / "data" / "mass_survey_smoke.csv")
    res = rs.ordered_logit(data, "smoke", ["male", "height"])
    assert res.n == ref["n"] == 208
    close(res.coefficients["coef"], ref["coef"], rtol=1e-5)
    close(res.thresholds["value"], ref["zeta"], rtol=1e-6)
    assert -2 * res.fit["llf"] == pytest.approx(pub["deviance"], abs=5e-5)
    # the printed coefficients come from polr's default (looser) optimizer tolerance
    close(res.coefficients["coef"], pub["coef"], rtol=0, atol=2e-4)
    close(res.thresholds["value"], pub["zeta"], rtol=0, atol=2e-3)
    b = res.brant.set_index("term")
    for term, published in pub["chi2"].items():
        assert round(b.loc[term, "chi2"], 2) == pytest.approx(published, abs=1e-9)
        assert b.loc[term, "chi2"] == pytest.approx(ref["brant"][term]["chi2"], rel=1e-6)
    assert b["df"].tolist() == pub["df"]
    assert [round(p, 2) for p in b["p"]] == pub["p"]
