"""read_survey: formats, encodings, header matching, option texts, durations, and read errors."""

from __future__ import annotations

import copy
import hashlib

import numpy as np
import pandas as pd
import pytest

from resilience_stats.errors import SurveyReadError, SurveyValidationError
from resilience_stats.survey import SurveyWave, read_survey
from resilience_stats.survey.coding import match_columns, parse_duration, strip_question_number



def _issues(wave, check):
    return wave.issues[wave.issues["check"] == check]


def _chinese_header_frame(clean_survey, instrument):
    """The clean wave with Chinese headers: ids via aliases, items via numbered question texts and aliases."""
    df = clean_survey.rename(columns={"respondent_id": "编号", "community": "社区", "gender": "性别"})
    texts = instrument.items.set_index("id")["text_zh"]
    prefixes = {"pb1": "1.", "pb2": "Q2.", "pb3": "3、", "pb4": "(4)", "trust1": "8．", "stab1": "Q11 "}
    renames = {item: prefix + texts[item] for item, prefix in prefixes.items()}
    renames.update({f"net{k}": f"Q2_{k}" for k in (1, 2, 3)})
    return df.rename(columns=renames)


# -- encodings and formats -------------------------------------------------------------------------------------
def test_gbk_csv_with_chinese_headers_is_detected_and_mapped(tmp_path, clean_survey, survey_instrument):
    df = _chinese_header_frame(clean_survey, survey_instrument)
    path = tmp_path / "wave_gbk.csv"
    df.to_csv(path, index=False, encoding="gbk")
    wave = read_survey(path, survey_instrument, wave=1)
    assert isinstance(wave, SurveyWave)
    assert wave.meta["encoding"] == "gb18030"
    assert wave.meta["format"] == "csv"
    assert wave.meta["column_map"]["1.本社区党员在社区事务中起带头作用"] == "pb1"
    assert wave.meta["column_map"]["(4)社区党组织很少组织活动"] == "pb4"
    assert wave.meta["column_map"]["Q2_1"] == "net1"
    assert wave.meta["column_map"]["编号"] == "respondent_id"
    assert wave.item_ids == survey_instrument.item_ids
    assert wave.data["respondent_id"].tolist() == clean_survey["respondent_id"].tolist()
    np.testing.assert_array_equal(wave.data["pb1"].to_numpy(), clean_survey["pb1"].to_numpy())
    assert not wave.has_errors
    assert wave.meta["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_utf8_bom_csv(tmp_path, clean_survey, survey_instrument):
    df = _chinese_header_frame(clean_survey, survey_instrument)
    path = tmp_path / "wave_bom.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    wave = read_survey(path, survey_instrument)
    assert wave.meta["encoding"] == "utf-8-sig"
    assert wave.raw.columns[0] == "编号"  # no BOM left in the first header
    assert "respondent_id" in wave.data.columns
    assert not wave.has_errors


def test_plain_utf8_tsv_and_encoding_override(tmp_path, clean_survey, survey_instrument):
    path = tmp_path / "wave.tsv"
    clean_survey.to_csv(path, sep="\t", index=False)
    assert read_survey(path, survey_instrument).meta["encoding"] == "utf-8"
    gbk = tmp_path / "wave_gbk.csv"
    _chinese_header_frame(clean_survey, survey_instrument).to_csv(gbk, index=False, encoding="gbk")
    assert read_survey(gbk, survey_instrument, encoding="gbk").meta["encoding"] == "gbk"
    with pytest.raises(SurveyReadError, match=r"wave_gbk\.csv: cannot be decoded as utf-8"):
        read_survey(gbk, survey_instrument, encoding="utf-8")


def test_txt_delimiter_sniffed_and_utf16(tmp_path, clean_survey, survey_instrument):
    semi = tmp_path / "wave.txt"
    clean_survey.to_csv(semi, sep=";", index=False)
    assert len(read_survey(semi, survey_instrument).item_ids) == 19
    utf16 = tmp_path / "unicode_text.txt"  # Excel's "Unicode text": UTF-16 with BOM, tab-separated
    _chinese_header_frame(clean_survey, survey_instrument).to_csv(utf16, sep="\t", index=False, encoding="utf-16")
    wave = read_survey(utf16, survey_instrument)
    assert wave.meta["encoding"] == "utf-16" and not wave.has_errors


def test_xlsx_with_sheet(tmp_path, clean_survey, survey_instrument):
    path = tmp_path / "wave.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="说明", index=False)
        clean_survey.to_excel(writer, sheet_name="数据", index=False)
    wave = read_survey(path, survey_instrument, sheet="数据")
    assert wave.meta["format"] == "xlsx"
    assert len(wave.data) == len(clean_survey) and not wave.has_errors
    with pytest.raises(SurveyReadError, match=r"wave\.xlsx: no sheet 'missing'.*数据"):
        read_survey(path, survey_instrument, sheet="missing")


def test_parquet(tmp_path, clean_survey, survey_instrument):
    path = tmp_path / "wave.parquet"
    clean_survey.to_parquet(path)
    wave = read_survey(path, survey_instrument)
    assert wave.meta["format"] == "parquet"
    pd.testing.assert_series_equal(wave.data["stab2"], clean_survey["stab2"].astype(float))


def test_spss_value_labels_and_user_missing(tmp_path, clean_survey, survey_instrument):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = clean_survey.rename(columns={"pb1": "Q1_1", "pb4": "Q1_4"})
    df.loc[0, "Q1_1"] = 9.0  # instrument missing code, declared user-missing in the file
    df.loc[1, "Q1_1"] = 7.0  # user-missing in the file only
    df.loc[2, "Q1_4"] = 8.0
    labels = {1: "非常不同意", 2: "比较不同意", 3: "一般", 4: "比较同意", 5: "非常同意", 7: "跳过", 9: "拒绝回答"}
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(
        df, str(path), variable_value_labels={"Q1_1": labels},
        missing_ranges={"Q1_1": [7, 9], "Q1_4": [8]},
        column_labels={"Q1_1": "本社区党员在社区事务中起带头作用"},
    )
    wave = read_survey(path, survey_instrument)
    assert wave.meta["format"] == "sav"
    assert wave.meta["value_labels"]["Q1_1"][5] == "非常同意"
    assert wave.meta["user_missing"]["Q1_1"] == [(7.0, 7.0), (9.0, 9.0)]
    assert wave.raw.loc[1, "Q1_1"] == 7  # raw keeps the code
    assert np.isnan(wave.data.loc[0, "pb1"]) and np.isnan(wave.data.loc[1, "pb1"])
    assert np.isnan(wave.data.loc[2, "pb4"])
    assert _issues(wave, "out_of_range").empty  # 7 is missing by the file's declaration
    assert wave.data.loc[3, "pb1"] == clean_survey.loc[3, "pb1"]


def test_stata_dta(tmp_path, clean_survey, survey_instrument):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = clean_survey.rename(columns={"net1": "Q2_1"})
    path = tmp_path / "wave.dta"
    pyreadstat.write_dta(df, str(path), variable_value_labels={"gender": {1: "男", 2: "女"}})
    wave = read_survey(path, survey_instrument)
    assert wave.meta["format"] == "dta"
    assert wave.meta["value_labels"]["gender"] == {1: "男", 2: "女"}
    np.testing.assert_array_equal(wave.data["net1"].to_numpy(), clean_survey["net1"].to_numpy())
    assert not wave.has_errors


# -- platform exports ---------------------------------------------------------------------------------------------
def test_wenjuanxing_option_text_export(tmp_path, survey_instrument):
    texts = survey_instrument.items.set_index("id")["text_zh"]
    answers = ["非常同意", "比较同意", "一般", " 同意 ", "Strongly disagree", "5.0", "不知道", "太同意了", None]
    n = len(answers)
    df = pd.DataFrame({
        "序号": range(1, n + 1),
        "提交答卷时间": ["2025/5/1 10:00:00"] * n,
        "所用时间": ["125秒", "2分5秒", "1小时2分", "00:02:05", "300", "4分", "3分10秒", "10分", "很久"],
        "来源": ["手机提交"] * n,
        "来自IP": ["1.2.3.4(上海)"] * n,
    })
    for k, item in enumerate(survey_instrument.item_ids):
        column = answers if item == "pb1" else [["非常同意", "比较同意", "一般", "比较不同意"][(k + r) % 4]
                                                for r in range(n)]
        df[f"{k + 1}.{texts[item]}"] = column
    path = tmp_path / "wjx.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    wave = read_survey(path, survey_instrument)
    pb1 = wave.data["pb1"].tolist()
    assert pb1[:6] == [5.0, 4.0, 3.0, 4.0, 1.0, 5.0]
    assert all(np.isnan(pb1[6:]))  # missing-code label, unknown label, empty
    assert wave.data["duration"].tolist()[:8] == [125.0, 125.0, 3720.0, 125.0, 300.0, 240.0, 190.0, 600.0]
    assert wave.data["respondent_id"].tolist() == [str(i) for i in range(1, n + 1)]  # CSV cells read as text
    bad = _issues(wave, "non_numeric")
    assert len(bad) == 1 and bad.iloc[0]["severity"] == "error"
    assert bad.iloc[0]["item"] == "pb1" and bad.iloc[0]["rows"] == ["8"]
    assert "'太同意了'" in bad.iloc[0]["message"] and "respondent 8" in bad.iloc[0]["message"]  # 序号 is the id
    durations = _issues(wave, "field_values")
    assert durations.iloc[0]["item"] == "duration" and durations.iloc[0]["rows"] == ["9"]
    for column in ("提交答卷时间", "来源", "来自IP"):
        assert column in wave.data.columns and column in wave.meta["platform_columns"]
    assert _issues(wave, "unmapped_columns").empty


def test_bundled_instrument_wenjuanxing_xlsx_round_trip(tmp_path, party_text_export):
    numeric, text = party_text_export
    path = tmp_path / "wjx_export.xlsx"
    text.to_excel(path, index=False)
    a = read_survey(numeric, "party_building_social_capital")
    b = read_survey(path, "party_building_social_capital", wave=1)
    pd.testing.assert_frame_equal(a.data[a.item_ids], b.data[b.item_ids])
    np.testing.assert_allclose(a.data["duration"], b.data["duration"])
    assert b.meta["column_map"]["序号"] == "respondent_id" and b.meta["column_map"]["所用时间"] == "duration"
    assert not b.has_errors
    dup = _issues(b, "duplicate_columns")  # 来源 and 来源详情 both name the response channel: info only
    assert dup["severity"].tolist() == ["info"] and "来源详情" in b.data.columns
    assert _issues(b, "unmapped_columns").empty


@pytest.fixture()
def party_text_export():
    """A Wenjuanxing-like text export of the bundled instrument: numbered and matrix headers, platform columns."""
    from resilience_stats.instruments import load_instrument
    from resilience_stats.survey import example_survey

    numeric = example_survey("party_building_social_capital", n=60, seed=3)
    text = example_survey("party_building_social_capital", n=60, seed=3, as_text=True)
    inst = load_instrument("party_building_social_capital")
    texts = inst.items.set_index("id")["text_zh"]
    headers = {
        item: f"{k + 1}.{texts[item]}" if k % 2 else f"{k // 4 + 1}.请评价以下说法—{texts[item]}"
        for k, item in enumerate(inst.item_ids)
    }
    text = text.rename(columns={**headers, "respondent_id": "序号", "duration": "所用时间"})
    text.insert(1, "提交答卷时间", "2025/5/1 10:00:00")
    text.insert(2, "来源", "微信")
    text.insert(3, "来源详情", "N/A")
    text.insert(4, "来自IP", "1.2.3.4(上海-上海)")
    return numeric, text


@pytest.mark.parametrize(
    "text, seconds",
    [("125秒", 125), ("2分5秒", 125), ("1小时2分", 3720), ("00:02:05", 125), ("02:05", 125), ("2m 5s", 125),
     (125, 125), ("125.5", 125.5)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_parse_duration_units_and_errors():
    assert parse_duration(2.5, unit="minutes") == 150
    assert np.isnan(parse_duration(None))
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("很久")


@pytest.mark.parametrize("header", ["5.本社区", "Q5.本社区", "5、本社区", "(5)本社区", "（5）本社区", "Q5_1 本社区"])
def test_strip_question_number(header):
    assert strip_question_number(header) == "本社区"


# -- mapping ---------------------------------------------------------------------------------------------------
def test_columns_argument_maps_unknown_headers(clean_survey, survey_instrument):
    df = clean_survey.rename(columns={"pb1": "党建引领第一题", "community": "小区"})
    wave = read_survey(df, survey_instrument, columns={"党建引领第一题": "pb1", "小区": "community"})
    assert wave.meta["column_map"]["党建引领第一题"] == "pb1"
    assert "community" in wave.data.columns and not wave.has_errors


def test_two_headers_for_one_item_is_an_error(clean_survey, survey_instrument):
    df = clean_survey.assign(Q1_1=clean_survey["pb1"])
    wave = read_survey(df, survey_instrument)
    dup = _issues(wave, "duplicate_columns")
    assert len(dup) == 1 and dup.iloc[0]["item"] == "pb1" and dup.iloc[0]["severity"] == "error"
    assert "Q1_1" in dup.iloc[0]["message"]


def test_match_columns_precedence(survey_instrument):
    match = match_columns(["ID", "q1_1", "I KNOW many neighbours", "所用时间", "来源", "whatever"], survey_instrument)
    assert match.column_map == {"ID": "respondent_id", "q1_1": "pb1", "I KNOW many neighbours": "net1",
                                "所用时间": "duration"}
    assert match.platform == ["来源"] and match.unmapped == ["whatever"]


# -- reverse coding and immutability ----------------------------------------------------------------------------
def test_reverse_coding_exact(clean_survey, survey_instrument):
    df = clean_survey.head(5).copy()
    df["pb4"] = [1, 2, 3, 5, 8]
    df["trust3"] = [5, 4, np.nan, 9, 1]
    wave = read_survey(df, survey_instrument)
    np.testing.assert_array_equal(wave.data["pb4"].to_numpy(), [5, 4, 3, 1, np.nan])
    np.testing.assert_array_equal(wave.data["trust3"].to_numpy(), [1, 2, np.nan, np.nan, 5])
    np.testing.assert_array_equal(wave.raw["pb4"].to_numpy(), [1, 2, 3, 5, 8])
    assert wave.data["pb1"].dtype == np.float64


def test_dataframe_and_file_are_not_modified(tmp_path, clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[0, "pb4"] = 9
    before = copy.deepcopy(df)
    wave = read_survey(df, survey_instrument, wave=1)
    pd.testing.assert_frame_equal(df, before)
    wave.raw.loc[0, "pb1"] = 99  # the wave's raw copy is independent of the caller's frame
    pd.testing.assert_frame_equal(df, before)
    path = tmp_path / "wave.csv"
    df.to_csv(path, index=False)
    data = path.read_bytes()
    read_survey(path, survey_instrument, wave=1).scores()
    assert path.read_bytes() == data


def test_strict_raises_with_issues(clean_survey, survey_instrument):
    df = clean_survey.copy()
    df.loc[2, "pb2"] = 7
    with pytest.raises(SurveyValidationError, match=r"out_of_range.*'pb2'") as info:
        read_survey(df, survey_instrument, strict=True)
    assert isinstance(info.value.issues, pd.DataFrame)
    assert (info.value.issues["check"] == "out_of_range").any()
    read_survey(clean_survey, survey_instrument, strict=True)  # clean data passes


def test_csv_ids_keep_leading_zeros_and_wave_numbers_agree(tmp_path, clean_survey, survey_instrument):
    path = tmp_path / "wave.csv"
    clean_survey.assign(respondent_id=[f"{k:03d}" for k in range(15)], wave=1.0).to_csv(path, index=False)
    wave = read_survey(path, survey_instrument, wave=1)
    assert wave.data["respondent_id"].iloc[7] == "007"
    assert wave.issues.empty


def test_instrument_by_path(clean_survey):
    from conftest import DATA

    wave = read_survey(clean_survey, DATA / "survey_instrument.yaml")
    assert wave.instrument.id == "survey_test"
    assert "survey_test" in repr(wave) and "15 respondents" in wave.summary()


# -- files that cannot be read -------------------------------------------------------------------------------------
def _write(path, content):
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", r"empty\.csv: the file is empty"),
        ("blank.csv", b"\n\n  \n", r"blank\.csv: the file is empty"),
        ("garbage.csv", bytes(range(256)) * 8, r"garbage\.csv: looks like a binary file"),
        ("garbage2.csv", bytes([0x81, 0xFF, 0x80, 0xFE, 0xC0]) * 50, r"garbage2\.csv: cannot detect the text encoding"),
        ("wave.foo", "a,b\n1,2\n", r"wave\.foo: unsupported file type '\.foo'"),
        ("noext", "a,b\n1,2\n", r"noext: unsupported file type '\(no extension\)'"),
        ("noitems.csv", "name,age\nA,30\n", r"noitems\.csv: no item columns"),
        ("header_only.csv", "respondent_id,pb1,pb2\n", r"header_only\.csv: the file has headers but no data rows"),
        ("fake.xlsx", "respondent_id,pb1\n1,2\n", r"fake\.xlsx: not an Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 64, r"broken\.xlsx: cannot be read as an Excel workbook"),
        ("fake.sav", "respondent_id,pb1\n1,2\n", r"fake\.sav: cannot be read as an SPSS file"),
        ("fake.dta", "respondent_id,pb1\n1,2\n", r"fake\.dta: cannot be read as a Stata \.dta file"),
        ("fake.parquet", "respondent_id,pb1\n1,2\n", r"fake\.parquet: cannot be read as a Parquet file"),
        ("ragged.csv", 'respondent_id,pb1\n1,"2\n', r"ragged\.csv: cannot be read as CSV"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, r"old\.xls: .*(xlrd|cannot be read)"),
        ("page.xls", "<html><table><tr><td>1</td></tr></table></html>", r"page\.xls: not an Excel workbook \(it looks like an HTML"),
    ],
)
def test_unreadable_files_raise_one_clear_error(tmp_path, survey_instrument, name, content, message):
    path = _write(tmp_path / name, content)
    with pytest.raises(SurveyReadError, match=message) as info:
        read_survey(path, survey_instrument)
    exc = info.value  # no chained library traceback is shown
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


def test_missing_file_and_excel_renamed_as_csv(tmp_path, clean_survey, survey_instrument):
    with pytest.raises(SurveyReadError, match=r"nope\.csv: no such file"):
        read_survey(tmp_path / "nope.csv", survey_instrument)
    xlsx = tmp_path / "wave.xlsx"
    clean_survey.to_excel(xlsx, index=False)
    renamed = _write(tmp_path / "wave.csv", xlsx.read_bytes())
    with pytest.raises(SurveyReadError, match=r"wave\.csv: this is an Excel workbook"):
        read_survey(renamed, survey_instrument)
    with pytest.raises(SurveyReadError, match="unknown encoding 'klingon'"):
        read_survey(_write(tmp_path / "a.csv", "pb1\n1\n"), survey_instrument, encoding="klingon")
    with pytest.raises(SurveyReadError, match="pass a file path or a pandas DataFrame"):
        read_survey(123, survey_instrument)
