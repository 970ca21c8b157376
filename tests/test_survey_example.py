"""example_survey / example_population: determinism, layout, reverse-keyed items, reliability, the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resilience_stats.instruments import load_instrument
from resilience_stats.survey import example_population, example_survey, read_survey

BUNDLED = ["party_building_social_capital", "collaborative_resilience"]


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Closed form: k / (k - 1) * (1 - sum of item variances / variance of the total), complete cases."""
    x = items.dropna()
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_cronbach_alpha_helper():
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]})
    assert cronbach_alpha(x) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def party_sample():
    return example_survey("party_building_social_capital", n=500, seed=0)


def test_deterministic_with_seed(survey_instrument):
    a = example_survey(survey_instrument, n=80, seed=7)
    pd.testing.assert_frame_equal(a, example_survey(survey_instrument, n=80, seed=7))
    assert not a.equals(example_survey(survey_instrument, n=80, seed=8))


def test_layout(party_sample):
    inst = load_instrument("party_building_social_capital")
    expected = ["respondent_id", "community", "wave", *inst.item_ids, "age", "gender", "years_in_community",
                "party_member", "hukou", "education", "duration"]
    assert list(party_sample.columns) == expected
    assert len(party_sample) == 500 and party_sample["respondent_id"].is_unique
    assert party_sample["community"].nunique() == 20 and party_sample["community"].str.match(r"C\d\d$").all()
    assert (party_sample["wave"] == 1).all()
    assert party_sample["age"].between(18, 85).all() and (party_sample["duration"] > 0).all()
    answers = party_sample[inst.item_ids]
    assert 0.01 < answers.isna().mean().mean() < 0.05
    assert answers.isin([8, 9]).any().any()  # a handful carry the missing codes
    assert set(np.unique(answers.stack().dropna())) <= {1, 2, 3, 4, 5, 8, 9}


def test_two_waves(survey_instrument):
    df = example_survey(survey_instrument, n=300, seed=2, waves=2, communities=5)
    assert len(df) == 600 and df["respondent_id"].is_unique
    assert df["wave"].tolist() == [1] * 300 + [2] * 300
    assert df["community"].nunique() == 5
    scores = read_survey(df, survey_instrument).scores()
    by_wave = scores.groupby(df["wave"])["PB"].mean()
    assert by_wave[2] > by_wave[1]


def test_reverse_keyed_items_are_stored_reversed(party_sample):
    inst = load_instrument("party_building_social_capital")
    raw = party_sample[inst.item_ids].where(party_sample[inst.item_ids] <= 5)
    wave = read_survey(party_sample, inst)
    for item in inst.reverse_items:
        others = [i for i in inst.construct_items[inst.construct_of(item)] if i != item]
        rest = raw[others].mean(axis=1)
        assert raw[item].corr(rest) < -0.3, item
        assert wave.data[item].corr(rest) > 0.3, item
    assert wave.data[inst.item_ids].stack().mean() == pytest.approx(3.5, abs=0.25)


@pytest.mark.parametrize("name", BUNDLED)
def test_alpha_above_070(name):
    inst = load_instrument(name)
    df = example_survey(name, n=500, seed=11)
    data = read_survey(df, inst).data
    for construct, items in inst.construct_items.items():
        assert cronbach_alpha(data[items]) > 0.7, construct


def test_example_reads_without_errors(party_sample):
    wave = read_survey(party_sample, "party_building_social_capital")
    assert not wave.has_errors
    info = wave.issues[wave.issues["severity"] == "info"]
    # every column is known to the instrument; the only notes are the missing codes 8/9 the export writes
    assert set(info["check"]) == {"missing_code"}
    n_codes = int(party_sample[wave.item_ids].isin([8, 9]).sum().sum())
    assert info["count"].sum() == n_codes > 0


def test_as_text_matches_codes(survey_instrument):
    codes = example_survey(survey_instrument, n=40, seed=5)
    text = example_survey(survey_instrument, n=40, seed=5, as_text=True)
    assert text.loc[codes["pb1"] == 5, "pb1"].eq("非常同意").all()
    assert text.loc[codes["pb1"] == 9, "pb1"].eq("拒绝回答").all()
    assert text["duration"].str.endswith("秒").all()
    a, b = read_survey(codes, survey_instrument), read_survey(text, survey_instrument)
    pd.testing.assert_frame_equal(a.data[a.item_ids], b.data[b.item_ids])


def test_population_party_building_social_capital():
    pop = example_population("party_building_social_capital")
    assert pop["paths"]["NET"] == {"PBL": 0.5} and pop["paths"]["TRUST"] == {"PBL": 0.5}
    assert pop["paths"]["RES"] == {"NET": 0.25, "NORM": 0.25, "TRUST": 0.25, "PBL": 0.15}
    assert set(pop["second_order_loadings"]) == {"STAB", "REC", "ADP"}
    loadings = np.array(list(pop["loadings"].values()))
    assert len(loadings) == 29 and loadings.min() >= 0.70 and loadings.max() <= 0.85
    phi = pop["latent_correlations"]
    np.testing.assert_allclose(np.diag(phi), 1.0)
    assert phi.loc["NET", "PBL"] == pytest.approx(0.5) and phi.loc["NET", "NORM"] == pytest.approx(0.25)
    assert np.all(np.linalg.eigvalsh(phi.to_numpy()) > 0)
    assert "RES ~ 0.25*NET + 0.25*NORM + 0.25*TRUST + 0.15*PBL" in pop["model"]
    assert pop["icc"] == {"PBL": 0.05}


def test_population_collaborative_resilience():
    pop = example_population("collaborative_resilience")
    assert pop["paths"]["RESO"] == {"STRUCT": 0.4} and pop["paths"]["EMO"] == {"RESO": 0.4}
    for outcome in ("SRES", "CRES", "CURES"):
        assert pop["paths"][outcome] == {"STRUCT": 0.25, "RESO": 0.25, "EMO": 0.25}
    assert all(0 < r2 < 1 for u, r2 in pop["r2"].items() if u in pop["paths"])


def test_population_recovered_roughly(survey_instrument):
    """Mean scores of a large sample reproduce the latent correlation's sign and order of magnitude."""
    pop = example_population(survey_instrument)
    scores = read_survey(example_survey(survey_instrument, n=3000, seed=1, missing_rate=0), survey_instrument).scores()
    r = scores.corr()
    # composite correlations are attenuated by reliability (~0.8): expect 0.5 * 0.8 = 0.4
    assert pop["latent_correlations"].loc["NET", "PB"] == pytest.approx(0.5)
    assert 0.30 < r.loc["NET", "PB"] < 0.50


def test_bad_arguments():
    with pytest.raises(ValueError):
        example_survey("party_building_social_capital", n=0)
    with pytest.raises(ValueError):
        example_survey("party_building_social_capital", missing_rate=1.5)
