"""The bundled questionnaires (``questionnaires/*.yaml``): schema validity and survey-design rules.

Each file is read with ``yaml.safe_load`` and validated with :class:`InstrumentSpec`; the tests then check
what the schema does not: 3-5 items per first-order construct, bilingual item texts, reverse-keyed items,
unambiguous column and response-label aliases, resolvable sources. The negative tests corrupt a valid
questionnaire and check that the schema's error names the offending field.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from resilience_stats.instruments.schema import InstrumentSpec

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"

EXPECTED = {
    "party_building_social_capital": {
        "framework": "chen_zhang",
        "seed": "chen_zhang2025",
        "roles": {
            "PBL": "party_building",
            "NET": "social_capital",
            "NORM": "social_capital",
            "TRUST": "social_capital",
            "RES": "resilience",
            "STAB": "resilience",
            "REC": "resilience",
            "ADP": "resilience",
        },
        "second_order": {"RES": ["STAB", "REC", "ADP"]},
    },
    "collaborative_resilience": {
        "framework": "xiao",
        "seed": "xiao2025",
        "roles": {
            "STRUCT": "party_building",
            "RESO": "party_building",
            "EMO": "party_building",
            "SRES": "resilience",
            "CRES": "resilience",
            "CURES": "resilience",
        },
        "second_order": {},
    },
}
NAMES = sorted(EXPECTED)

# The non-item columns both questionnaires must describe: id -> (role, type).
EXPECTED_FIELDS = {
    "respondent_id": ("id", "text"),
    "community": ("cluster", "text"),
    "wave": ("wave", "numeric"),
    "age": ("demographic", "numeric"),
    "gender": ("demographic", "categorical"),
    "years_in_community": ("demographic", "numeric"),
    "party_member": ("group", "categorical"),
    "hukou": ("group", "categorical"),
    "education": ("demographic", "categorical"),
    "duration": ("duration", "duration"),
    "submitted_at": ("metadata", "datetime"),
    "source_channel": ("metadata", "text"),
    "ip": ("metadata", "text"),
}

CJK = re.compile(r"[\u4e00-\u9fff]")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def path_of(name: str) -> Path:
    return QUESTIONNAIRES / f"{name}.yaml"


def raw(name: str) -> dict:
    """The YAML content of a bundled questionnaire as plain data."""
    return yaml.safe_load(path_of(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=NAMES)
def name(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def spec(name) -> InstrumentSpec:
    return InstrumentSpec.model_validate(raw(name))


def first_order(spec: InstrumentSpec) -> list[str]:
    parents = {c.parent for c in spec.constructs if c.parent is not None}
    return [c.id for c in spec.constructs if c.id not in parents]


def duplicate_keys(node, where: str = "") -> list[str]:
    """Mapping keys that occur twice (``yaml.safe_load`` silently keeps the last one)."""
    found = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                found.append(f"{where}/{key} (line {key_node.start_mark.line + 1})")
            seen.add(key)
            found += duplicate_keys(value_node, f"{where}/{key}")
    elif isinstance(node, yaml.SequenceNode):
        for k, child in enumerate(node.value):
            found += duplicate_keys(child, f"{where}[{k}]")
    return found


# -- the files -------------------------------------------------------------------------------------------
def test_both_questionnaires_are_bundled():
    assert sorted(p.stem for p in QUESTIONNAIRES.glob("*.yaml")) == NAMES


def test_file_is_clean_utf8_yaml_without_duplicate_keys(name):
    text = path_of(name).read_bytes().decode("utf-8")  # raises if not UTF-8
    assert not text.startswith("\ufeff"), "no byte-order mark"
    assert "\t" not in text, "YAML must be indented with spaces"
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    assert duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader)) == []


def test_validates_and_identifies_itself(name, spec):
    assert spec.id == name == path_of(name).stem
    assert spec.version == "1.0"
    assert spec.framework == EXPECTED[name]["framework"]
    for text in (spec.title, spec.description):
        assert text is not None and text.zh.strip() and text.en.strip()
        assert CJK.search(text.zh) and not CJK.search(text.en)


# -- constructs ------------------------------------------------------------------------------------------
def test_constructs_roles_and_structure(name, spec):
    assert {c.id: c.role for c in spec.constructs} == EXPECTED[name]["roles"]
    second_order = defaultdict(list)
    for c in spec.constructs:
        if c.parent is not None:
            second_order[c.parent].append(c.id)
    assert dict(second_order) == EXPECTED[name]["second_order"]
    for c in spec.constructs:
        assert c.name.zh.strip() and c.name.en.strip()


def test_second_order_parents_have_at_least_three_facets(spec):
    parents = Counter(c.parent for c in spec.constructs if c.parent is not None)
    for parent, n_facets in parents.items():
        assert n_facets >= 3, f"second-order construct {parent!r} has only {n_facets} facets"
        roles = {c.role for c in spec.constructs if c.parent == parent or c.id == parent}
        assert len(roles) == 1, f"{parent!r} and its facets should share one role, not {roles}"


def test_every_first_order_construct_has_3_to_5_items(spec):
    counts = Counter(i.construct for i in spec.items)
    for construct in first_order(spec):
        assert 3 <= counts[construct] <= 5, f"{construct!r} has {counts[construct]} items"
    parents = {c.parent for c in spec.constructs if c.parent is not None}
    assert not parents & set(counts), "second-order constructs must not have items of their own"


# -- items -----------------------------------------------------------------------------------------------
def test_item_texts_are_bilingual_and_distinct(spec):
    for item in spec.items:
        assert item.text_zh.strip() and item.text_en.strip(), item.id
        assert CJK.search(item.text_zh), f"{item.id}: text_zh has no Chinese"
        assert not CJK.search(item.text_en), f"{item.id}: text_en contains Chinese"
        assert item.text_zh == item.text_zh.strip() and item.text_en == item.text_en.strip(), item.id
    for lang in ("text_zh", "text_en"):
        texts = Counter(getattr(i, lang) for i in spec.items)
        assert [t for t, n in texts.items() if n > 1] == [], f"repeated {lang}"


def test_item_ids_are_construct_prefix_plus_number_in_order(spec):
    by_construct = defaultdict(list)
    for item in spec.items:
        match = re.fullmatch(rf"{item.construct.lower()}(\d+)", item.id)
        assert match, f"{item.id!r} should be {item.construct.lower()!r} followed by a number"
        by_construct[item.construct].append(int(match.group(1)))
    for construct, numbers in by_construct.items():
        assert numbers == list(range(1, len(numbers) + 1)), f"{construct}: items numbered {numbers}"
    # the items of one construct form one block in questionnaire order
    order = [i.construct for i in spec.items]
    assert [c for k, c in enumerate(order) if k == 0 or order[k - 1] != c] == list(by_construct)


def test_reverse_keyed_items_exist_at_most_one_per_construct(spec):
    scales = {s.id: s for s in spec.scales}
    reverse = [i for i in spec.items if i.reverse]
    assert reverse, "no reverse-keyed item"
    per_construct = Counter(i.construct for i in reverse)
    assert max(per_construct.values()) == 1, f"more than one reverse-keyed item in {per_construct}"
    assert len(per_construct) < len(first_order(spec)), "not every construct should carry a reverse item"
    for item in reverse:
        assert scales[item.scale].bounded, f"{item.id} is reverse-keyed on an unbounded scale"


def test_every_item_source_resolves_and_every_source_is_used(name, spec):
    keys = [s.key for s in spec.sources]
    assert len(keys) == len(set(keys)), "duplicate source key"
    used = {i.source for i in spec.items}
    assert None not in used, "every item names the source whose concept it adapts"
    assert used <= set(keys)
    assert set(keys) <= used, f"sources cited but never used: {sorted(set(keys) - used)}"
    assert EXPECTED[name]["seed"] in keys
    for source in spec.sources:
        assert source.citation.strip()
        assert source.doi is None or DOI.match(source.doi), f"{source.key}: malformed DOI {source.doi!r}"


def test_seed_papers_are_cited_correctly():
    xiao = {s.key: s for s in InstrumentSpec.model_validate(raw("collaborative_resilience")).sources}["xiao2025"]
    assert xiao.doi == "10.12677/ass.2025.14111001"
    assert "14(11)" in xiao.citation and "314-322" in xiao.citation and "肖颖" in xiao.citation
    chen = {s.key: s for s in InstrumentSpec.model_validate(raw("party_building_social_capital")).sources}
    assert "陈纪" in chen["chen_zhang2025"].citation and "张杨子涵" in chen["chen_zhang2025"].citation


# -- aliases and labels ----------------------------------------------------------------------------------
def test_column_aliases_are_unique(spec):
    entries = [*spec.items, *spec.fields]
    ids = {e.id for e in entries}
    owner: dict[str, str] = {}
    for entry in entries:
        for alias in entry.aliases:
            key = alias.strip().casefold()
            assert alias == alias.strip() and alias, f"{entry.id}: blank or padded alias {alias!r}"
            assert owner.setdefault(key, entry.id) == entry.id, f"{alias!r} names {owner[key]!r} and {entry.id!r}"
            assert key not in {i.casefold() for i in ids - {entry.id}}, f"{alias!r} is another entry's id"
    for item in spec.items:
        assert any(re.fullmatch(r"Q\d+_\d+", a) for a in item.aliases), f"{item.id} lacks a Qn_m question code"


def _assert_unambiguous(codes: dict[int, object], where: str):
    """Every label or alias (case-insensitively) stands for exactly one code."""
    owner: dict[str, int] = {}
    for code, label in codes.items():
        for spelling in (label.zh, label.en, *label.aliases):
            key = spelling.strip().casefold()
            assert key, f"{where}: empty spelling for code {code}"
            assert owner.setdefault(key, code) == code, f"{where}: {spelling!r} means {owner[key]} and {code}"


def test_response_labels_and_aliases_are_unambiguous(spec):
    likert = {s.id: s for s in spec.scales}["likert5"]
    assert (likert.type, likert.min, likert.max) == ("likert", 1, 5)
    assert sorted(likert.labels) == [1, 2, 3, 4, 5]
    assert [likert.labels[k].zh for k in range(1, 6)] == ["非常不同意", "比较不同意", "一般", "比较同意", "非常同意"]
    assert [likert.labels[k].en for k in range(1, 6)] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    assert {k: v.zh for k, v in spec.missing_codes.items()} == {8: "不知道", 9: "拒绝回答"}
    for scale in spec.scales:
        _assert_unambiguous({**scale.labels, **spec.missing_codes, **scale.missing_codes}, f"scale {scale.id}")
    for field in spec.fields:
        if field.levels:
            _assert_unambiguous(field.levels, f"field {field.id}")
    assert {i.scale for i in spec.items} == {"likert5"}


# -- fields ----------------------------------------------------------------------------------------------
def test_fields(spec):
    fields = {f.id: f for f in spec.fields}
    assert {k: (f.role, f.type) for k, f in fields.items()} == EXPECTED_FIELDS
    assert fields["respondent_id"].required
    assert (fields["age"].min, fields["age"].max) == (18, 100)
    assert (fields["years_in_community"].min, fields["years_in_community"].max) == (0, 80)
    assert fields["duration"].unit == "seconds"
    assert sorted(fields["gender"].levels) == [1, 2]
    assert sorted(fields["party_member"].levels) == [1, 2]
    assert sorted(fields["hukou"].levels) == [1, 2]
    assert sorted(fields["education"].levels) == [1, 2, 3, 4, 5]
    for field in spec.fields:
        assert field.aliases, f"{field.id} has no aliases"
        assert field.label.zh.strip() and field.label.en.strip()
    n_items = len(spec.items)
    assert spec.min_speed_seconds is not None and n_items <= spec.min_speed_seconds <= 3 * n_items


def test_both_questionnaires_share_scales_missing_codes_and_fields():
    a, b = (InstrumentSpec.model_validate(raw(n)) for n in NAMES)
    assert a.scales == b.scales
    assert a.missing_codes == b.missing_codes
    assert a.fields == b.fields


# -- the schema rejects corrupted questionnaires, naming the field ---------------------------------------
def _unknown_construct(data):
    data["items"][0]["construct"] = "NOPE"
    return [f"items[0] ({data['items'][0]['id']}).construct", "unknown construct 'NOPE'"]


def _duplicate_item_id(data):
    data["items"][1]["id"] = data["items"][0]["id"]
    return [f"items: duplicate item id {data['items'][0]['id']!r}"]


def _reverse_on_unbounded_scale(data):
    data["scales"].append({"id": "count", "type": "numeric"})
    data["items"][0].update(scale="count", reverse=True)
    return [f"items[0] ({data['items'][0]['id']}).reverse", "scale 'count' has no min/max"]


def _item_on_second_order_construct(data):
    parents = [c["parent"] for c in data["constructs"] if c.get("parent")]
    if not parents:
        pytest.skip("no second-order construct in this questionnaire")
    data["items"][0]["construct"] = parents[0]
    return [f"items[0] ({data['items'][0]['id']}).construct", "second-order construct"]


def _alias_used_twice(data):
    alias = data["items"][0]["aliases"][0]
    data["items"][1]["aliases"] = [alias]
    return [f"aliases: {alias!r} names both"]


def _unknown_source(data):
    data["items"][2]["source"] = "nobody1999"
    return [f"items[2] ({data['items'][2]['id']}).source", "unknown source key 'nobody1999'"]


def _missing_item_text(data):
    del data["items"][0]["text_en"]  # a Chinese-only item is fine; one with no wording at all is not
    del data["items"][0]["text_zh"]
    return ["give the item's wording as text_zh, text_en or both"]


def _unknown_item_key(data):
    data["items"][0]["reversed"] = True  # a typo for `reverse`
    return ["items.0.reversed", "Extra inputs are not permitted"]


@pytest.mark.parametrize(
    "corrupt",
    [
        _unknown_construct,
        _duplicate_item_id,
        _reverse_on_unbounded_scale,
        _item_on_second_order_construct,
        _alias_used_twice,
        _unknown_source,
        _missing_item_text,
        _unknown_item_key,
    ],
)
def test_corrupted_questionnaire_is_rejected_naming_the_field(name, corrupt):
    data = copy.deepcopy(raw(name))
    InstrumentSpec.model_validate(copy.deepcopy(data))  # valid before corruption
    expected = corrupt(data)
    with pytest.raises(ValidationError) as info:
        InstrumentSpec.model_validate(data)
    message = str(info.value)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
