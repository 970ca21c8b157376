"""On the bundled example surveys: every construct is reliable and parallel analysis finds the constructs."""

from __future__ import annotations

import pytest

import resilience_stats as rs


@pytest.mark.parametrize("name", ["party_building_social_capital", "collaborative_resilience"])
def test_example_survey_is_reliable_and_parallel_analysis_recovers_its_constructs(name):
    wave = rs.read_survey(rs.example_survey(name, n=500, seed=0), name)
    rel = rs.reliability(wave)
    assert list(rel["construct"]) == list(wave.instrument.construct_items)
    assert (rel["alpha"] > 0.7).all(), rel[["construct", "alpha"]]
    assert (rel["omega_total"] > 0.7).all()
    pa = rs.parallel_analysis(wave, n_iter=50, seed=1)
    assert pa.n_factors == len(wave.instrument.construct_items)


def test_item_analysis_on_a_wave_uses_the_instrument_constructs():
    wave = rs.read_survey(rs.example_survey("collaborative_resilience", n=300, seed=2), "collaborative_resilience")
    items = rs.item_analysis(wave)
    assert items["item"].tolist() == wave.instrument.item_ids
    assert items.set_index("item").loc["struct4", "construct"] == "STRUCT"
    # reverse-keyed items were recoded by read_survey, so they correlate positively with their construct
    assert (items.set_index("item").loc[wave.instrument.reverse_items, "r_drop"] > 0.3).all()
