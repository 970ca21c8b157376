"""The wave report's composite-index part (community section) and its workflow step."""

from __future__ import annotations

import pytest

import resilience_stats as rs
from resilience_stats.report import Context, Figure, Notice, Paragraph, Table
from resilience_stats.report.sections import BUILDERS


@pytest.fixture(scope="module")
def analysis():
    raw = rs.example_survey("party_building_social_capital", n=300, waves=2, seed=4)
    return rs.analyze(raw, "party_building_social_capital", steps=["community_means", "composite_index"],
                      bootstrap=0)


def test_community_section_has_the_composite_index(analysis):
    lang = "zh"                                      # the report's default language (figures are slow: one run)
    step = analysis["composite_index"]
    assert step.status == "ok" and step.value.indicators == ["STAB", "REC", "ADP"]
    section = dict(BUILDERS)["community"](Context(analysis, lang=lang))
    text = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))
    assert "TOPSIS" in text and "熵权法" in text and "跨轮次比较" in text
    titles = [b.table.title for b in section.blocks if isinstance(b, Table)]
    assert any("综合指数" in str(t) for t in titles)
    assert sum(isinstance(b, Figure) for b in section.blocks) >= 3        # caterpillar, bars, trends
    assert not [b for b in section.blocks if isinstance(b, Notice) and b.level == "error"]


def test_step_is_skipped_without_communities(survey_instrument, clean_survey):
    data = clean_survey.drop(columns="community")
    a = rs.analyze(data, survey_instrument, steps=["composite_index"], bootstrap=0)
    assert a["composite_index"].status == "skipped" and "community" in a["composite_index"].error
