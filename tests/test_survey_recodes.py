"""Every recode the reading makes is reported, never silent: missing codes, option aliases, texts read as missing.

Also: fuzzy aliases of the bundled scales are opt-in, a group field without a value is flagged, exclude() takes
one or several checks (refusing unknown names, keeping the first copy of duplicates on request), and messages
name respondent ids as respondents and row numbers as rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError
from resilience_stats.survey import read_survey
from resilience_stats.survey.validation import CHECKS, ROW_CHECKS

DATA = Path(__file__).parent / "data"


def _issues(wave, check):
    return wave.issues[wave.issues["check"] == check].reset_index(drop=True)


def test_declared_missing_codes_are_listed_with_items_rows_and_counts(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[[1, 4], "pb2"] = 9          # refused
    df.loc[6, "pb2"] = 8               # don't know
    df.loc[2, "net1"] = 9
    wave = read_survey(df, survey_instrument)
    found = _issues(wave, "missing_code").set_index("item")
    assert set(found.index) == {"pb2", "net1"}
    assert found.loc["pb2", "rows"] == ["A02", "A05", "A07"] and found.loc["pb2", "count"] == 3
    assert found.loc["net1", "rows"] == ["A03"] and found.loc["net1", "count"] == 1
    assert (found["severity"] == "info").all()
    assert "8" in found.loc["pb2", "message"] and "9" in found.loc["pb2", "message"]
    assert wave.data.loc[[1, 4, 6], "pb2"].isna().all()   # the recode itself
    assert df.loc[1, "pb2"] == 9                          # the input is not modified
    assert not wave.has_errors


def test_option_texts_read_through_aliases_and_missing_texts_are_listed(clean_survey, survey_instrument):
    df = clean_survey.astype({"trust1": object})
    df.loc[0, "trust1"] = "同意"          # an alias of 4 in the test instrument
    df.loc[1, "trust1"] = "比较同意"      # the label itself: not a recode to report
    df.loc[2, "trust1"] = "不知道"        # the label of missing code 8
    df.loc[3, "trust1"] = "(跳过)"        # a platform's skip marker
    wave = read_survey(df, survey_instrument)
    alias = _issues(wave, "option_alias")
    assert alias["item"].tolist() == ["trust1"] and alias.loc[0, "rows"] == ["A01"] and alias.loc[0, "count"] == 1
    assert "'同意' -> 4" in alias.loc[0, "message"]
    text = _issues(wave, "missing_text")
    assert text.loc[0, "rows"] == ["A03", "A04"] and text.loc[0, "count"] == 2
    assert "'不知道' = missing code 8" in text.loc[0, "message"] and "skip marker" in text.loc[0, "message"]
    assert wave.data.loc[0, "trust1"] == 4.0 and wave.data.loc[[2, 3], "trust1"].isna().all()
    assert _issues(wave, "missing_code").empty  # texts are reported as texts, not again as codes


def test_spss_user_missing_values_are_reported_as_missing_codes(clean_survey, survey_instrument):
    from resilience_stats.survey.read import build_wave

    df = clean_survey.copy()
    df.loc[5, "rec1"] = 7.0   # user-missing in the file, outside the 1-5 scale
    info = {"source": "x.sav", "user_missing": {"rec1": [(7.0, 7.0)]}}
    wave = build_wave(df, survey_instrument, info)
    found = _issues(wave, "missing_code")
    assert found["item"].tolist() == ["rec1"] and found.loc[0, "rows"] == ["A06"]
    assert "SPSS user-missing" in found.loc[0, "message"]
    assert _issues(wave, "out_of_range").empty


def test_fuzzy_aliases_of_the_bundled_scales_are_opt_in():
    inst = rs.load_instrument("party_building_social_capital")
    raw = rs.example_survey(inst, n=60, seed=3, missing_rate=0.0)
    raw["pbl1"] = raw["pbl1"].astype(object)
    raw.loc[0, "pbl1"] = "很同意"     # an exact alias of 5: always read, and reported
    raw.loc[1, "pbl1"] = "同意"       # a fuzzy alias of 4 (比较同意): only on request
    strict = read_survey(raw, inst)
    bad = _issues(strict, "non_numeric")
    assert bad["item"].tolist() == ["pbl1"] and bad.loc[0, "count"] == 1
    assert "'同意' -> 4 would be read by the scale's fuzzy aliases" in bad.loc[0, "message"]
    assert np.isnan(strict.data.loc[1, "pbl1"]) and strict.data.loc[0, "pbl1"] == 5.0
    assert "'很同意' -> 5" in _issues(strict, "option_alias").loc[0, "message"]
    loose = read_survey(raw, inst, fuzzy_aliases=True)
    assert _issues(loose, "non_numeric").empty and loose.data.loc[1, "pbl1"] == 4.0
    assert "'同意' -> 4 (fuzzy alias)" in _issues(loose, "option_alias").loc[0, "message"]
    likert = inst.scales["likert5"]
    assert "同意" in likert.labels[4].fuzzy_aliases and "同意" not in likert.labels[4].aliases


def test_missing_group_values_are_flagged(clean_survey, tmp_path):
    import yaml

    spec = yaml.safe_load((DATA / "survey_instrument.yaml").read_text(encoding="utf-8"))
    spec["fields"].append({"id": "party_member", "role": "group", "type": "numeric",
                           "label": {"zh": "党员", "en": "Party member"}})
    path = tmp_path / "with_group.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    df = clean_survey.assign(party_member=[1.0, 2.0] * 7 + [np.nan])
    wave = read_survey(df, path)
    flag = _issues(wave, "missing_group")
    assert flag.loc[0, "item"] == "party_member" and flag.loc[0, "rows"] == ["A15"]
    assert flag.loc[0, "severity"] == "warning" and "leave them out" in flag.loc[0, "message"]


def test_exclude_takes_several_checks_and_refuses_unknown_names(clean_survey, survey_instrument):
    df = pd.concat([clean_survey, clean_survey.iloc[[2]].assign(respondent_id="A99")], ignore_index=True)
    df.loc[0, "duration"] = 5        # a speeder
    wave = read_survey(df, survey_instrument)
    assert set(_issues(wave, "duplicate_rows").loc[0, "rows"]) == {"A03", "A99"}
    both = wave.exclude(["speeders", "duplicate_rows"])
    assert len(both.data) == len(df) - 3
    assert wave.exclude("speeders,duplicate_rows").data.equals(both.data)
    first = wave.exclude("duplicate_rows", keep="first")           # keeps A03, drops its later copy A99
    assert len(first.data) == len(df) - 1 and "A99" not in first.data["respondent_id"].tolist()
    assert "A03" in first.data["respondent_id"].tolist()
    with pytest.raises(DataError, match="unknown check name.*'speeder'"):
        wave.exclude("speeder")
    with pytest.raises(DataError, match="do not list respondents"):
        wave.exclude("platform_columns")
    assert len(wave.exclude("wave").data) == len(df)  # a known check with no findings removes nothing
    assert set(ROW_CHECKS) <= set(CHECKS)


def test_duplicate_ids_keep_first_copy(clean_survey, survey_instrument):
    df = pd.concat([clean_survey, clean_survey.iloc[[4]].assign(pb1=1.0, pb2=1.0)], ignore_index=True)
    wave = read_survey(df, survey_instrument)
    assert _issues(wave, "duplicate_ids").loc[0, "rows"] == ["A05"]
    every = wave.exclude("duplicate_ids")
    assert "A05" not in every.data["respondent_id"].tolist() and len(every.data) == len(df) - 2
    first = wave.exclude("duplicate_ids", keep="first")
    assert first.data["respondent_id"].tolist().count("A05") == 1 and len(first.data) == len(df) - 1
    assert first.data.loc[first.data["respondent_id"] == "A05", "pb1"].item() == clean_survey.loc[4, "pb1"]


def test_messages_name_ids_as_respondents_and_numbers_as_rows(clean_survey, survey_instrument):
    with_ids = clean_survey.copy()
    with_ids.loc[3, "pb1"] = 6
    msg = _issues(read_survey(with_ids, survey_instrument), "out_of_range").loc[0, "message"]
    assert "respondent A04: 6" in msg and "row A04" not in msg
    wave = read_survey(with_ids, survey_instrument)
    assert wave.meta["row_labels"] == "id" and wave.meta["id_column"] == "respondent_id"
    without = clean_survey.drop(columns="respondent_id")
    without.loc[3, "pb1"] = 6
    without.loc[0, "duration"] = 5
    wave = read_survey(without, survey_instrument)
    assert "row 4: 6" in _issues(wave, "out_of_range").loc[0, "message"] and wave.meta["row_labels"] == "row"
    assert "rows 1;" in _issues(wave, "speeders").loc[0, "message"]


@pytest.mark.parametrize("module", ["resilience_stats.survey.coding", "resilience_stats.survey.wave",
                                    "resilience_stats.survey.validation"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
