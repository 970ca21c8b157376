"""Construct score summaries by group (resilience_stats.survey.scores): means, t intervals, grouping checks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import resilience_stats as rs
from resilience_stats.errors import DataError


@pytest.fixture(scope="module")
def waves():
    return rs.read_survey(rs.example_survey(n=150, waves=3, seed=3), "party_building_social_capital")


def test_score_summary_matches_pandas(waves):
    summ = rs.score_summary(waves, by="wave", constructs=["PBL", "RES"])
    assert list(summ.columns) == ["wave", "construct", "n", "mean", "sd", "se", "ci_lower", "ci_upper"]
    assert len(summ) == 2 * 3 and summ.attrs["level"] == 0.95
    scores = waves.scores()
    pbl2 = scores.loc[waves.data["wave"] == 2, "PBL"].dropna()
    row = summ[(summ["construct"] == "PBL") & (summ["wave"] == 2)].iloc[0]
    assert row["n"] == len(pbl2) and row["mean"] == pytest.approx(pbl2.mean())
    half = stats.t.ppf(0.975, len(pbl2) - 1) * pbl2.std() / np.sqrt(len(pbl2))
    assert row["ci_upper"] - row["mean"] == pytest.approx(half)
    ninety = rs.score_summary(waves, by="wave", constructs="PBL", level=0.9)
    r90 = ninety[ninety["wave"] == 2].iloc[0]
    assert r90["ci_upper"] - r90["mean"] == pytest.approx(stats.t.ppf(0.95, len(pbl2) - 1) * pbl2.std()
                                                          / np.sqrt(len(pbl2)))
    by_comm = rs.score_summary(waves, by=["wave", "community"], constructs="RES")
    assert len(by_comm) == 3 * waves.data["community"].nunique()


def test_score_summary_bad_input(waves):
    with pytest.raises(DataError, match="grouping"):
        rs.score_summary(waves.scores(), by="wave")
    with pytest.raises(DataError, match="unknown construct"):
        rs.score_summary(waves, constructs=["NOPE"])
    with pytest.raises(ValueError, match="level"):
        rs.score_summary(waves, level=95)


def test_wave_means_uses_the_same_summary(waves):
    from resilience_stats.workflow import wave_means

    wm = wave_means(waves, level=0.9)
    summ = rs.score_summary(waves, by="wave", level=0.9)
    m = wm.merge(summ, on=["construct", "wave"], suffixes=("", "_s"))
    assert len(m) == len(wm)
    np.testing.assert_allclose(m["ci_lower"], m["ci_lower_s"])
    assert wm.attrs["level"] == 0.9
    pbl = waves.scores()["PBL"]
    groups = [pbl[waves.data["wave"] == w].dropna() for w in (1, 2, 3)]
    f = stats.f_oneway(*groups)
    first = wm[wm["construct"] == "PBL"].iloc[0]
    assert first["f_stat"] == pytest.approx(f.statistic) and first["pvalue"] == pytest.approx(f.pvalue)
