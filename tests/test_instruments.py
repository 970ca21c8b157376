"""Loading questionnaires: bundled discovery, schema errors that name file and field, the measurement model."""

from __future__ import annotations

import copy

import pytest
import yaml

import resilience_stats as rs
from resilience_stats.errors import InstrumentError, InstrumentWarning

MINIMAL = {
    "id": "mini",
    "version": 1,
    "title": {"zh": "小问卷", "en": "Mini questionnaire"},
    "sources": [{"key": "x", "citation": "Author (2020). Title. Journal."}],
    "scales": [
        {
            "id": "likert5",
            "type": "likert",
            "min": 1,
            "max": 5,
            "labels": {1: {"zh": "非常不同意", "en": "Strongly disagree"}, 5: {"zh": "非常同意", "en": "Strongly agree"}},
        },
        {"id": "count", "type": "numeric"},
    ],
    "missing_codes": {8: {"zh": "不知道", "en": "Don't know"}, 9: {"zh": "拒绝回答", "en": "Refused"}},
    "constructs": [
        {"id": "A", "name": {"zh": "甲", "en": "Alpha"}, "role": "social_capital", "parent": "H"},
        {"id": "B", "name": {"zh": "乙", "en": "Beta"}, "role": "social_capital", "parent": "H"},
        {"id": "C", "name": {"zh": "丙", "en": "Gamma"}, "role": "social_capital", "parent": "H"},
        {"id": "H", "name": {"zh": "总", "en": "Higher"}, "role": "resilience"},
    ],
    "items": [
        {"id": f"{c.lower()}{k}", "construct": c, "text_zh": f"题{c}{k}", "text_en": f"Item {c}{k}", "scale": "likert5",
         "reverse": (k == 3 and c == "A"), "aliases": [f"Q{c}_{k}"]}
        for c in "ABC"
        for k in (1, 2, 3)
    ],
    "fields": [{"id": "respondent_id", "role": "id", "type": "text", "label": {"zh": "编号", "en": "ID"}, "aliases": ["序号"]}],
}


def write(tmp_path, data, name="mini.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_minimal_instrument_views_and_second_order_model(tmp_path):
    inst = rs.load_instrument(write(tmp_path, MINIMAL))
    assert inst.id == "mini" and inst.version == "1"
    assert inst.item_ids == ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"]
    assert inst.reverse_items == ["a3"]
    assert list(inst.items.columns[:4]) == ["id", "construct", "text_zh", "text_en"]
    assert inst.items.loc[inst.items.id == "a3", ["min", "max"]].values.tolist() == [[1, 5]]
    constructs = inst.constructs.set_index("id")
    assert constructs.loc["H", "n_items"] == 0 and constructs.loc["A", "parent"] == "H"
    assert inst.measurement_model() == ("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nH =~ A + B + C\n")
    assert "H =~" not in inst.measurement_model(second_order=False)
    assert inst.column_aliases["QA_1"] == "a1" and inst.column_aliases["序号"] == "respondent_id"
    assert set(inst.missing_codes("a1")) == {8, 9}
    assert inst.construct_name("A", "zh") == "甲" and inst.item_text("b2", "en") == "Item B2"


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["items"][0].update(construct="NOPE"), "items[0] (a1).construct: unknown construct 'NOPE'"),
        (lambda d: d["items"][1].update(id="a1"), "duplicate item id 'a1'"),
        (lambda d: d["items"][0].update(scale="count", reverse=True), "items[0] (a1).reverse"),
        (lambda d: d["items"][0].update(scale="nosuch"), "unknown scale 'nosuch'"),
        (lambda d: [d["items"][0].pop(k) for k in ("text_en", "text_zh")],
         "items[0] (a1): give the item's wording as text_zh, text_en or both"),
        (lambda d: d["items"][0].pop("scale"), "items[0] (a1).scale: is missing (it is required)"),
        (lambda d: d["items"][0].update(txt_en="x"), "items[0] (a1).txt_en: is not a key of this block"),
        (lambda d: d["items"][0].update(reverse="maybe"), "items[0] (a1).reverse: must be true or false (found 'maybe')"),
        (lambda d: d["items"][0].update(id="1a"), "'1a' is not a valid id: start with a letter"),
        (lambda d: d["constructs"][0].update(role="weird"), "constructs[0] (A).role: 'weird' is not allowed; use one of"),
        (lambda d: d.update(missing_codes={3: {"zh": "不知道"}}), "missing_codes: code 3 lies inside the response scale"),
        (lambda d: d["scales"][0].update(min=6), "min (6"),
        (lambda d: d["items"][0].update(construct="H"), "second-order construct"),
        (lambda d: d["items"][1].update(aliases=["QA_1"]), "'QA_1' names both"),
    ],
)
def test_schema_errors_name_file_and_field(tmp_path, mutate, expected):
    data = copy.deepcopy(MINIMAL)
    mutate(data)
    path = write(tmp_path, data, "broken.yaml")
    with pytest.raises(InstrumentError) as info:
        rs.load_instrument(path)
    message = str(info.value)
    assert "broken.yaml" in message
    assert expected in message


def test_construct_with_two_items_is_warned(tmp_path):
    data = copy.deepcopy(MINIMAL)
    data["items"] = [i for i in data["items"] if i["id"] != "c3"]
    with pytest.warns(InstrumentWarning, match="'C' has 2 item"):
        inst = rs.load_instrument(write(tmp_path, data))
    assert any("'C' has 2" in w for w in inst.warnings)


def test_unreadable_or_unknown_instruments_raise_clear_errors(tmp_path):
    with pytest.raises(InstrumentError, match="neither a bundled questionnaire"):
        rs.load_instrument("no_such_questionnaire")
    with pytest.raises(InstrumentError, match="no such questionnaire file"):
        rs.load_instrument(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid YAML"):
        rs.load_instrument(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text", encoding="utf-8")
    with pytest.raises(InstrumentError, match="expected a mapping"):
        rs.load_instrument(scalar)
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("id: 问卷".encode("gbk"))
    with pytest.raises(InstrumentError, match="not UTF-8"):
        rs.load_instrument(gbk)


def test_yaml_is_loaded_safely(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("!!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid YAML"):
        rs.load_instrument(evil)


def test_bundled_instruments_load():
    names = rs.list_instruments()
    assert names == ["collaborative_resilience", "party_building_social_capital"]
    chen = rs.load_instrument("party_building_social_capital")
    assert {"PBL", "NET", "NORM", "TRUST", "STAB", "REC", "ADP", "RES"} <= set(chen.constructs.id)
    assert chen.second_order == {"RES": ["STAB", "REC", "ADP"]}
    xiao = rs.load_instrument("collaborative_resilience")
    assert {"STRUCT", "RESO", "EMO", "SRES", "CRES", "CURES"} <= set(xiao.constructs.id)
    for inst in (chen, xiao):
        assert inst.reverse_items, f"{inst.id} has no reverse-keyed item"
        assert all(3 <= len(v) <= 5 for v in inst.construct_items.values())
        assert inst.items.text_zh.str.len().min() > 0 and inst.items.text_en.str.len().min() > 0
        assert not inst.warnings


def test_duplicate_yaml_keys_are_refused(tmp_path):
    text = yaml.safe_dump(MINIMAL, allow_unicode=True) + "missing_codes: {7: {zh: 跳过, en: Skipped}}\n"
    path = tmp_path / "dupkey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError, match="duplicate key 'missing_codes'"):
        rs.load_instrument(path)


def test_option_text_naming_two_codes_is_refused(tmp_path):
    data = copy.deepcopy(MINIMAL)
    data["scales"][0]["labels"][5]["aliases"] = ["strongly DISAGREE"]
    with pytest.raises(InstrumentError, match="names both code 1 and code 5"):
        rs.load_instrument(write(tmp_path, data))
    data = copy.deepcopy(MINIMAL)
    data["items"][0]["aliases"] = ["B1"]
    with pytest.raises(InstrumentError, match="'B1' names both 'b1' and 'a1'"):
        rs.load_instrument(write(tmp_path, data))


def test_bundled_measurement_models_are_valid_lavaan_syntax_and_fit():
    from resilience_stats.sem import build_partable

    for name in rs.list_instruments():
        inst = rs.load_instrument(name)
        pt = build_partable(inst.measurement_model())
        loadings = pt[pt["op"] == "=~"]
        assert set(loadings["rhs"]) >= set(inst.item_ids)
        assert set(loadings["lhs"]) == set(inst.construct_items) | set(inst.second_order)
        wave = rs.read_survey(rs.example_survey(inst, n=400, seed=5), inst)
        fit = rs.cfa(wave, missing="fiml")
        assert fit.converged and fit.fit_indices["cfi"] > 0.95


def test_chinese_only_questionnaire_loads(tmp_path):
    data = copy.deepcopy(MINIMAL)
    data.pop("sources")
    data["title"] = {"zh": "只有中文的问卷"}
    for block in ("constructs",):
        for entry in data[block]:
            entry["name"].pop("en")
    for item in data["items"]:
        item.pop("text_en")
        item.pop("source", None)
    for label in data["scales"][0]["labels"].values():
        label.pop("en")
    for label in data["missing_codes"].values():
        label.pop("en")
    inst = rs.load_instrument(write(tmp_path, data, "zh_only.yaml"))
    assert inst.title("en") == "只有中文的问卷"                 # the one language there is
    assert inst.item_text("a1", "en") == inst.item_text("a1", "zh") == "题A1"
    assert inst.construct_name("A", "en") == "甲" and inst.spec.sources == ()
    empty = copy.deepcopy(data)
    empty["constructs"][0]["name"] = {}
    with pytest.raises(InstrumentError, match=r"constructs\[0\] \(A\)\.name: give the text in Chinese"):
        rs.load_instrument(write(tmp_path, empty, "no_name.yaml"))


def test_instrument_missing_code_inside_the_scale_is_refused(tmp_path):
    data = copy.deepcopy(MINIMAL)
    data["missing_codes"] = {3: {"zh": "不知道", "en": "Don't know"}, 9: {"zh": "拒绝回答", "en": "Refused"}}
    with pytest.raises(InstrumentError, match="code 3 lies inside the response scale 'likert5' \\(1 to 5\\)"):
        rs.load_instrument(write(tmp_path, data, "inside.yaml"))
