"""Validation checks: each triggered by a crafted case and silent on clean data; scores; subsets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resilience_stats.survey import ISSUE_COLUMNS, read_survey
from resilience_stats.survey import validation as v


def _issues(wave, check):
    return wave.issues[wave.issues["check"] == check]


def test_clean_data_has_no_issues(clean_survey, survey_instrument):
    wave = read_survey(clean_survey, survey_instrument)
    assert list(wave.issues.columns) == ISSUE_COLUMNS
    assert wave.issues.empty, wave.issues
    assert not wave.has_errors


def test_missing_items_and_required_fields(clean_survey, survey_instrument):
    wave = read_survey(clean_survey.drop(columns=["adp3", "respondent_id"]), survey_instrument)
    items = _issues(wave, "missing_items")
    assert items["item"].tolist() == ["adp3"] and (items["severity"] == "error").all()
    fields = _issues(wave, "missing_fields")
    assert fields["item"].tolist() == ["respondent_id"] and "columns=" in fields.iloc[0]["message"]
    assert _issues(wave, "out_of_range").empty
    assert wave.item_ids == [i for i in survey_instrument.item_ids if i != "adp3"]


def test_unmapped_columns_are_info(clean_survey, survey_instrument):
    wave = read_survey(clean_survey.assign(remarks="x", 来源="微信"), survey_instrument)
    info = _issues(wave, "unmapped_columns")
    assert len(info) == 1 and info.iloc[0]["severity"] == "info" and "remarks" in info.iloc[0]["message"]
    assert wave.meta["unmapped_columns"] == ["remarks"]
    assert "remarks" not in wave.data.columns and "remarks" in wave.raw.columns
    assert _issues(wave, "platform_columns").iloc[0]["severity"] == "info" and "来源" in wave.data.columns


def test_column_map_with_unknown_id(clean_survey, survey_instrument):
    wave = read_survey(clean_survey, survey_instrument, columns={"pb1": "pb_one", "nothere": "pb2"})
    errors = _issues(wave, "column_map")
    assert errors["severity"].tolist() == ["error", "warning"]
    assert "pb_one" in errors.iloc[0]["message"] and "nothere" in errors.iloc[1]["message"]


def test_non_numeric_values_named_with_rows(clean_survey, survey_instrument):
    df = clean_survey.astype({"net2": object})
    df.loc[[3, 7], "net2"] = ["n/a", "很同意吧"]
    wave = read_survey(df, survey_instrument)
    issue = _issues(wave, "non_numeric").iloc[0]
    assert issue["severity"] == "error" and issue["item"] == "net2"
    assert issue["rows"] == ["A04", "A08"] and issue["count"] == 2
    # the file has respondent ids: they are named as respondents, not as rows
    assert "respondent A04: 'n/a'" in issue["message"] and "respondent A08: '很同意吧'" in issue["message"]
    assert np.isnan(wave.data.loc[3, "net2"])


def test_out_of_range_names_row_ids_and_values(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[[1, 4], "stab2"] = [7, 0]
    df.loc[2, "stab2"] = 9  # a declared missing code: fine
    wave = read_survey(df, survey_instrument)
    issue = _issues(wave, "out_of_range").iloc[0]
    assert issue["item"] == "stab2" and issue["rows"] == ["A02", "A05"] and issue["count"] == 2
    assert "respondent A02: 7" in issue["message"] and "respondent A05: 0" in issue["message"]
    assert "missing code" in issue["message"] and "check the export" in issue["message"]
    assert wave.data.loc[[1, 2, 4], "stab2"].isna().all()


def test_out_of_range_uses_row_numbers_without_id(clean_survey, survey_instrument):
    df = clean_survey.drop(columns="respondent_id")
    df.loc[5, "pb1"] = 6
    issue = _issues(read_survey(df, survey_instrument), "out_of_range").iloc[0]
    assert issue["rows"] == [6] and "row 6: 6" in issue["message"]


def test_undeclared_code(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[0, "rec1"] = 2.5
    issue = _issues(read_survey(df, survey_instrument), "undeclared_code").iloc[0]
    assert issue["rows"] == ["A01"] and "2.5" in issue["message"]


def test_duplicate_ids_and_duplicate_rows(clean_survey, survey_instrument):
    df = pd.concat([clean_survey, clean_survey.iloc[[2]]], ignore_index=True)
    wave = read_survey(df, survey_instrument)
    ids = _issues(wave, "duplicate_ids").iloc[0]
    assert ids["severity"] == "error" and ids["rows"] == ["A03"]
    rows = _issues(wave, "duplicate_rows").iloc[0]
    assert rows["severity"] == "warning" and rows["rows"] == ["A03", "A03"]
    df.loc[15, "respondent_id"] = "A99"  # same answers, new id: duplicate rows only
    wave = read_survey(df, survey_instrument)
    assert _issues(wave, "duplicate_ids").empty and _issues(wave, "duplicate_rows").iloc[0]["rows"] == ["A03", "A99"]


def test_duplicate_ids_allowed_across_waves(clean_survey, survey_instrument):
    second = clean_survey.assign(wave=2, pb1=clean_survey["pb2"])
    wave = read_survey(pd.concat([clean_survey, second], ignore_index=True), survey_instrument)
    assert _issues(wave, "duplicate_ids").empty
    assert wave.meta["wave"] == [1, 2]


def test_empty_respondents(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[4, survey_instrument.item_ids] = np.nan
    df.loc[4, "pb1"] = 8  # a missing code is still no answer
    issue = _issues(read_survey(df, survey_instrument), "empty_respondents").iloc[0]
    assert issue["rows"] == ["A05"] and issue["severity"] == "warning"


def test_zero_variance(clean_survey, survey_instrument):
    issue = _issues(read_survey(clean_survey.assign(net3=4.0), survey_instrument), "zero_variance")
    assert issue["item"].tolist() == ["net3"] and issue.iloc[0]["severity"] == "warning"


def test_high_missing_threshold(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[:3, "adp1"] = np.nan  # 4/15 = 27 % > 20 %
    df.loc[:2, "adp2"] = np.nan  # 3/15 = 20 %: not above
    wave = read_survey(df, survey_instrument)
    issue = _issues(wave, "high_missing")
    assert issue["item"].tolist() == ["adp1"] and issue.iloc[0]["rows"] == ["A01", "A02", "A03", "A04"]
    answers = wave.data[survey_instrument.item_ids]
    assert [i["item"] for i in v.check_high_missing(answers, wave.row_labels, threshold=0.1)] == ["adp1", "adp2"]


def test_straightlining_within_a_construct(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[0, ["trust1", "trust2", "trust3"]] = 4  # reverse-keyed construct, same answer: contradiction
    df.loc[1, ["trust1", "trust2", "trust3"]] = 3  # midpoint: consistent, not flagged
    df.loc[2, ["pb1", "pb2", "pb3", "pb4"]] = 2  # four identical answers
    df.loc[3, ["net1", "net2", "net3"]] = 5  # three identical, no reverse item: not flagged
    issues = _issues(read_survey(df, survey_instrument), "straightlining")
    flagged = dict(zip(issues["item"], issues["rows"]))
    assert flagged == {"TRUST": ["A01"], "PB": ["A03"]}
    assert (issues["severity"] == "warning").all()


def test_straightlining_across_the_questionnaire(clean_survey, survey_instrument):
    df = clean_survey.copy()
    items = survey_instrument.item_ids
    df.loc[6, items] = 4
    df.loc[6, ["pb2", "adp3"]] = [2, 3]  # 17 of 19 = 89 %: not flagged
    df.loc[7, items] = 4
    df.loc[7, "pb2"] = 2  # 18 of 19 = 95 %: flagged
    issues = _issues(read_survey(df, survey_instrument), "straightlining")
    overall = issues[issues["item"].isna()]
    assert overall.iloc[0]["rows"] == ["A08"]


def test_speeders(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[[2, 9], "duration"] = [45, 59]  # instrument: min_speed_seconds = 60
    issue = _issues(read_survey(df, survey_instrument), "speeders").iloc[0]
    assert issue["rows"] == ["A03", "A10"] and issue["item"] == "duration" and "60" in issue["message"]


def test_speeders_median_rule():
    seconds = pd.Series([300.0, 310, 290, 95, 120, np.nan], name="duration")
    labels = pd.Series(list("abcdef"), dtype=object)
    issue = v.check_speeders(seconds, labels, None)[0]  # median 290 -> threshold 96.7
    assert issue["rows"] == ["d"]
    assert v.check_speeders(seconds, labels, 50) == []


def test_wave_argument(clean_survey, survey_instrument):
    wave = read_survey(clean_survey.drop(columns="wave"), survey_instrument, wave=2)
    assert wave.meta["wave"] == 2 and (wave.data["wave"] == 2).all()
    mismatch = _issues(read_survey(clean_survey, survey_instrument, wave=2), "wave")
    assert mismatch.iloc[0]["severity"] == "warning" and mismatch.iloc[0]["count"] == 15


def test_field_values(clean_survey, survey_instrument):
    df = clean_survey.astype({"gender": object})
    df.loc[0, "gender"] = "女"
    df.loc[1, "gender"] = 3
    wave = read_survey(df, survey_instrument)
    assert wave.data.loc[0, "gender"] == 2
    assert _issues(wave, "field_values").iloc[0]["rows"] == ["A02"]


def test_issues_frame_order_and_columns():
    frame = v.issues_frame([v.make_issue("info", "b", None, [], "m"), v.make_issue("error", "a", "x", [1, 2], "m")])
    assert frame["severity"].tolist() == ["error", "info"] and frame["count"].tolist() == [2, 0]
    assert v.issues_frame([]).columns.tolist() == ISSUE_COLUMNS
    with pytest.raises(ValueError):
        v.make_issue("fatal", "a", None, [], "m")


# -- scores -------------------------------------------------------------------------------------------------------
def test_scores_exact(survey_instrument):
    items = survey_instrument.item_ids
    df = pd.DataFrame([{i: 3.0 for i in items}, {i: 3.0 for i in items}])
    df["respondent_id"] = ["a", "b"]
    df.loc[0, ["pb1", "pb2", "pb3", "pb4"]] = [5, 4, 4, 1]  # pb4 reversed -> 5: mean (5+4+4+5)/4 = 4.5
    df.loc[1, ["pb1", "pb2", "pb3", "pb4"]] = [5, np.nan, np.nan, 9]  # 1 of 4 answered < 2: NaN
    df.loc[0, ["stab1", "stab2", "stab3"]] = [5, 5, 2]  # STAB 4
    df.loc[0, ["rec1", "rec2", "rec3"]] = [1, 2, np.nan]  # REC 1.5 (2 of 3 answered)
    df.loc[1, ["net1", "net2", "net3"]] = [4, np.nan, np.nan]  # 1 of 3 < 2: NaN
    df.loc[1, ["trust1", "trust2", "trust3"]] = [4, 2, 2]  # trust3 reversed -> 4: mean 10/3
    wave = read_survey(df, survey_instrument)
    mean = wave.scores()
    assert list(mean.columns) == ["PB", "NET", "TRUST", "STAB", "REC", "ADP", "RES"]
    assert mean.loc[0, "PB"] == 4.5 and np.isnan(mean.loc[1, "PB"])
    assert mean.loc[0, "STAB"] == 4 and mean.loc[0, "REC"] == 1.5 and mean.loc[0, "ADP"] == 3
    assert mean.loc[0, "RES"] == pytest.approx((4 + 1.5 + 3) / 3)
    assert np.isnan(mean.loc[1, "NET"]) and mean.loc[1, "TRUST"] == pytest.approx(10 / 3)
    total = wave.scores(method="sum")
    assert total.loc[0, "PB"] == 18 and total.loc[0, "REC"] == 4.5 and total.loc[1, "TRUST"] == pytest.approx(10)
    assert total.loc[0, "RES"] == pytest.approx((12 + 4.5 + 9) / 3)
    strict = wave.scores(min_items=3)
    assert np.isnan(strict.loc[0, "REC"]) and np.isnan(strict.loc[0, "RES"])
    assert wave.scores(min_items=1).loc[1, "NET"] == 4
    with pytest.raises(ValueError, match="method"):
        wave.scores(method="median")


# -- subsets ------------------------------------------------------------------------------------------------------
def test_drop_and_exclude(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[[2, 9], "duration"] = [45, 59]
    df.loc[4, "pb1"] = 7
    wave = read_survey(df, survey_instrument)
    fast = wave.exclude(check="speeders")
    assert len(fast.data) == 13 and _issues(fast, "speeders").empty
    assert "A03" not in fast.data["respondent_id"].tolist() and fast.meta["dropped_rows"] == 2
    assert len(wave.data) == 15  # the original is unchanged
    clean = fast.drop(rows=["A05"])
    assert not clean.has_errors and len(clean.data) == 12 and clean.meta["dropped_rows"] == 3


def test_drop_keeps_row_numbers_without_ids(clean_survey, survey_instrument):
    df = clean_survey.drop(columns="respondent_id")
    df.loc[[1, 5], "pb1"] = 7
    wave = read_survey(df, survey_instrument).drop(rows=[2])
    assert _issues(wave, "out_of_range").iloc[0]["rows"] == [6]
