"""`resilience-stats instruments init`: a questionnaire drafted from a platform export reads that export."""

from __future__ import annotations

import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import SurveyReadError
from resilience_stats.instruments.draft import draft_instrument, draft_spec


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A Wenjuanxing-style export: platform columns, matrix headers "3、(text)", option texts, a free-text column."""
    inst = rs.load_instrument("party_building_social_capital")
    raw = rs.example_survey(inst, n=80, seed=4, as_text=True)
    texts = inst.items.set_index("id")["text_zh"]
    out = pd.DataFrame({"序号": range(1, len(raw) + 1), "提交答卷时间": "2025/5/1 10:00:00",
                        "所用时间": raw["duration"], "来源": "手机提交"})
    for k, item in enumerate(inst.item_ids[:8], start=1):
        out[f"{k}、({texts[item]})"] = raw[item]
    out["9、您的年龄段"] = ["18-30", "31-45", "46-60", "60以上"] * 20
    out["10、您对社区的建议"] = [f"建议{i}" for i in range(len(raw))]
    out.iloc[0, 4] = "很同意"
    out.iloc[1, 5], out.iloc[2, 6] = "不知道", "拒绝回答"
    path = tmp_path_factory.mktemp("draft") / "wjx_export.xlsx"
    out.to_excel(path, index=False)
    return path


def test_draft_has_items_scale_fields_and_loads(export, tmp_path):
    text = draft_instrument(export, "community_survey")
    assert text.startswith("# Draft questionnaire") and "split them into your constructs" in text
    path = tmp_path / "community_survey.yaml"
    path.write_text(text, encoding="utf-8")
    inst = rs.load_instrument(path)
    assert inst.id == "community_survey" and len(inst.item_ids) == 9   # 8 agreement items + the age bands
    party = rs.load_instrument("party_building_social_capital")
    assert inst.item_text("q1", "zh") == party.item_text("pbl1", "zh")  # "1、(text)" -> text
    likert = inst.scales[inst.spec.items[0].scale]
    assert [likert.labels[c].zh for c in range(1, 6)] == ["非常不同意", "比较不同意", "一般", "比较同意", "非常同意"]
    assert "很同意" in likert.labels[5].aliases
    assert {c: lab.zh for c, lab in inst.spec.missing_codes.items()} == {8: "不知道", 9: "拒绝回答"}
    roles = dict(zip(inst.fields["id"], inst.fields["role"]))
    assert roles["respondent_id"] == "id" and roles["duration"] == "duration"
    assert "free-text" in text and "10、您对社区的建议" in text
    assert "is not a known agreement scale" in text                    # the age bands need ordering by hand
    wave = rs.read_survey(export, inst)                                  # the draft reads its export
    assert not wave.has_errors
    assert wave.data["q1"].notna().sum() > 60
    assert set(wave.issues["check"]) >= {"option_alias"}


def test_wenjuanxing_matrix_headers_match_the_bundled_instrument(export):
    wave = rs.read_survey(export, "party_building_social_capital")
    matched = {k for k, v in wave.meta["column_map"].items() if v.startswith("pbl") or v.startswith("net")}
    assert len(matched) == 8
    assert wave.meta["column_map"]["1、(" + rs.load_instrument("party_building_social_capital").item_text(
        "pbl1", "zh") + ")"] == "pbl1"


def test_draft_refuses_exports_without_questions_and_bad_ids():
    with pytest.raises(SurveyReadError, match="no closed question"):
        draft_spec(pd.DataFrame({"序号": range(14), "意见": [f"意见{i}" for i in range(14)]}))
    with pytest.raises(ValueError, match="lower case"):
        draft_spec(pd.DataFrame({"q": [1, 2]}), instrument_id="My Survey")


def test_draft_declares_the_usual_missing_codes_and_reads_several_exports(export, tmp_path):
    raw = pd.read_excel(export).replace({"不知道": "一般", "拒绝回答": "一般"})   # this wave used neither
    quiet = tmp_path / "quiet.xlsx"
    raw.to_excel(quiet, index=False)
    spec, _notes = draft_spec(raw)
    assert {c: m["zh"] for c, m in spec["missing_codes"].items()} == {8: "不知道", 9: "拒绝回答"}
    both = draft_instrument([quiet, export], "two_waves")
    assert "from quiet.xlsx, wjx_export.xlsx" in both
    from resilience_stats.cli import main

    assert main(["instruments", "init", str(export), "--id", "Bad Id"]) == 2


@pytest.mark.parametrize("module", ["resilience_stats.instruments.draft", "resilience_stats.instruments.loading"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
