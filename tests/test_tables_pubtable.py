"""The PubTable model: raw values -> display strings, localization, layout, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resilience_stats.tables import ColumnFormat, ColumnSpec, Notes, PubTable, Spanner, italic
from resilience_stats.tables import i18n
from resilience_stats.tables.richtext import Run, as_runs, plain_text

MINUS = "\u2212"


class FakeInstrument:
    """Duck-typed stand-in for resilience_stats.Instrument (construct_name / item_text)."""

    names = {"NET": {"zh": "关系网络", "en": "Relationship networks"}, "TRU": {"zh": "社会信任", "en": "Social trust"}}
    items = {"tru1": {"zh": "邻居“值得”信任 <总是> & 更多", "en": 'Trust "neighbours" <always> & more'}}

    def construct_name(self, cid, lang="en"):
        return self.names[cid][lang]

    def item_text(self, iid, lang="en"):
        return self.items[iid][lang]


@pytest.fixture
def reliability():
    return pd.DataFrame(
        {
            "construct": ["NET", "TRU", "XYZ"],
            "alpha": [0.9312, 0.874, np.nan],
            "omega_total": [0.94, 0.881, 0.7],
            "cr": [0.941, 0.88, 0.71],
            "ave": [0.612, 0.55, 0.402],
        }
    )


@pytest.fixture
def paths():
    return pd.DataFrame(
        {
            "path": ["NET ~ PBL", "RES ~ NET", "RES ~ PBL"],
            "est": [0.523, -0.0412, 1.234],
            "se": [0.051, 0.03, 0.2],
            "std_all": [0.41, -0.03, 0.62],
            "pvalue": [0.00001, 0.17, 0.032],
            "ci_lower": [0.42, -0.1, 0.8],
            "ci_upper": [0.62, 0.02, 1.6],
        }
    )


def test_display_reliability_exact_strings(reliability):
    t = PubTable.from_frame(reliability, title="Reliability", number=1)
    shown = t.display()
    assert list(shown.columns) == ["construct", "alpha", "omega_total", "cr", "ave"]
    assert shown["alpha"].tolist() == [".93", ".87", ""]
    assert shown["cr"].tolist() == [".94", ".88", ".71"]
    assert shown["construct"].tolist() == ["NET", "TRU", "XYZ"]
    assert shown.index.equals(reliability.index)
    # raw values untouched
    assert reliability["alpha"].iloc[0] == 0.9312


def test_display_na_option(reliability):
    t = PubTable.from_frame(reliability, na="\u2014")
    assert t.display()["alpha"].iloc[2] == "\u2014"


def test_display_paths_with_stars_and_minus(paths):
    t = PubTable.from_frame(paths, stars={"std_all": "pvalue"})
    shown = t.display()
    assert shown["est"].tolist() == ["0.52", "-0.04", "1.23"]
    assert shown["std_all"].tolist() == [".41***", "-.03", ".62*"]
    assert shown["pvalue"].tolist() == ["< .001", ".170", ".032"]
    assert shown["ci_lower"].tolist() == ["0.42", "-0.10", "0.80"]
    typo = t.display(minus=MINUS)
    assert typo["std_all"].iloc[1] == MINUS + ".03"
    assert typo["path"].iloc[0] == "NET ~ PBL"


def test_ci_column_from_source_pair(paths):
    t = PubTable.from_frame(
        paths,
        columns=["path", "est", ColumnSpec("ci", header="95% CI", source=("ci_lower", "ci_upper"))],
    )
    assert t.display()["ci"].tolist() == ["[0.42, 0.62]", "[-0.10, 0.02]", "[0.80, 1.60]"]


def test_formats_and_headers_overrides(paths):
    t = PubTable.from_frame(
        paths,
        columns=["path", "est", "se"],
        formats={"est": ColumnFormat("number", 3), "se": "bounded"},
        headers={"path": {"en": "Path", "zh": "路径"}},
    )
    assert t.display()["est"].iloc[0] == "0.523"
    assert t.display()["se"].iloc[0] == ".05"
    assert plain_text(t.with_options(lang="zh").header_runs(t.columns[0])) == "路径"


def test_columns_as_mapping(reliability):
    t = PubTable.from_frame(reliability, columns={"construct": "Scale", "alpha": "Cronbach's α"})
    assert [plain_text(t.header_runs(c)) for c in t.columns] == ["Scale", "Cronbach's α"]


def test_default_headers_localized(reliability):
    en = PubTable.from_frame(reliability)
    zh = en.with_options(lang="zh")
    assert plain_text(en.header_runs(en.columns[0])) == "Construct"
    assert plain_text(zh.header_runs(zh.columns[0])) == "构念"
    p = PubTable.from_frame(pd.DataFrame({"pvalue": [0.1]}))
    assert p.header_runs(p.columns[0]) == (Run("p", True),)


def test_captions_and_note_labels():
    assert i18n.caption_label(1, "en") == "Table 1"
    assert i18n.caption_label(1, "zh") == "表1"
    assert i18n.note_label("en") == "Note."
    assert i18n.note_label("zh") == "注："
    with pytest.raises(ValueError, match="lang"):
        i18n.caption_label(1, "fr")


def test_instrument_names_follow_lang(reliability):
    t = PubTable.from_frame(reliability, instrument=FakeInstrument())
    assert t.display()["construct"].tolist() == ["Relationship networks", "Social trust", "XYZ"]
    zh = t.with_options(lang="zh")
    assert zh.display()["construct"].tolist() == ["关系网络", "社会信任", "XYZ"]  # unknown id kept


def test_item_text_columns():
    df = pd.DataFrame({"item": ["tru1", "zz9"], "loading": [0.71, 0.6]})
    t = PubTable.from_frame(df, instrument=FakeInstrument(), item_columns=("item",))
    assert t.display()["item"].tolist() == ['Trust "neighbours" <always> & more', "zz9"]
    assert t.display()["loading"].tolist() == [".71", ".60"]


def test_real_instrument_names():
    rs = pytest.importorskip("resilience_stats")
    inst = rs.load_instrument("party_building_social_capital")
    df = pd.DataFrame({"construct": ["NET", "TRUST"], "alpha": [0.9, 0.8]})
    t = PubTable.from_frame(df, instrument=inst, lang="zh")
    assert t.display()["construct"].tolist() == [inst.construct_name("NET", "zh"), inst.construct_name("TRUST", "zh")]
    assert t.display()["construct"].iloc[0] == "关系网络"


def test_notes_order_and_probability_auto(paths):
    t = PubTable.from_frame(
        paths, stars={"std_all": "pvalue"}, note="Estimates from MLR.", specific_notes=["\u1d43 Fixed."]
    )
    notes = [plain_text(p) for p in t.note_paragraphs()]
    assert notes == ["Note. Estimates from MLR.", "\u1d43 Fixed.", "*p < .05. ***p < .001."]
    first = t.note_paragraphs()[0]
    assert first[0] == Run("Note.", True)
    zh = [plain_text(p) for p in t.with_options(lang="zh").note_paragraphs()]
    assert zh[0] == "注：Estimates from MLR."
    assert zh[-1] == "*p < .05，***p < .001。"


def test_probability_note_absent_without_stars(paths):
    assert PubTable.from_frame(paths).note_paragraphs() == ()
    t = PubTable.from_frame(paths, stars={"std_all": "pvalue"}, probability_note=None)
    assert t.note_paragraphs() == ()
    custom = PubTable.from_frame(paths, probability_note=["*", italic("p"), " < .05."])
    assert plain_text(custom.note_paragraphs()[0]) == "Note. *p < .05."


def test_probability_note_leading_zero_switch(paths):
    t = PubTable.from_frame(paths, stars={"std_all": "pvalue"}, drop_leading_zero=False)
    assert plain_text(t.note_paragraphs()[-1]) == "Note. *p < 0.05. ***p < 0.001."
    assert t.display()["std_all"].iloc[0] == "0.41***"


def test_localized_title(reliability):
    t = PubTable.from_frame(reliability, title={"en": "Reliability", "zh": "信度"}, number=3, lang="zh")
    lay = t.layout()
    assert (lay.label, lay.title) == ("表3", "信度")
    assert t.with_options(lang="en").layout().label == "Table 3"


def test_layout_header_with_spanner(paths):
    t = PubTable.from_frame(paths, spanners=[("95% CI", "ci_lower", "ci_upper")])
    lay = t.layout()
    assert lay.header_rows == 2
    span = [c for c in lay.header if c.spanner]
    assert len(span) == 1 and (span[0].row, span[0].col, span[0].colspan) == (0, 5, 2)
    tall = [c for c in lay.header if c.rowspan == 2]
    assert [c.col for c in tall] == [0, 1, 2, 3, 4]
    low = [c for c in lay.header if c.row == 1]
    assert [plain_text(c.runs) for c in low] == ["LL", "UL"]
    assert lay.aligns[0] == "left" and lay.aligns[1] == "center"


def test_row_groups(paths):
    df = pd.DataFrame(
        {
            "construct": ["NET", "NET", "TRU"],
            "item": ["net1", "net2", "tru1"],
            "std_all": [0.8, 0.7, 0.75],
        }
    )
    t = PubTable.from_frame(df, row_groups="construct", instrument=FakeInstrument(), lang="zh")
    assert [c.key for c in t.columns] == ["item", "std_all"]
    body = t.layout().body
    assert [r.group for r in body] == ["关系网络", None, None, "社会信任", None]
    assert body[1].cells == ("net1", ".80")


def test_with_options_is_a_copy(reliability):
    t = PubTable.from_frame(reliability, number=1)
    u = t.with_options(lang="zh", style="three-line")
    assert (t.lang, t.style) == ("en", "apa")
    assert (u.lang, u.style, u.number) == ("zh", "three-line", 1)
    assert "PubTable(number=1" in repr(t)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"columns": ["nope"]}, "not in the rows"),
        ({"style": "fancy"}, "style"),
        ({"lang": "fr"}, "lang"),
        ({"number": 0}, "number"),
        ({"spanners": [("S", "cr", "alpha")]}, "comes after"),
        ({"spanners": [("S", "alpha", "zzz")]}, "displayed columns"),
        ({"spanners": [("S", "alpha", "cr"), ("T", "omega_total", "ave")]}, "overlaps"),
        ({"row_groups": "zzz"}, "row_groups"),
        ({"stars": {"alpha": "pvalue"}}, "stars column"),
        ({"formats": {"zzz": "number"}}, "not shown"),
        ({"columns": [ColumnSpec("ci", source=("a", "b"))]}, "source"),
        ({"columns": [ColumnSpec("alpha", format=ColumnFormat("ci"))]}, "source"),
    ],
)
def test_validation_errors(reliability, kwargs, match):
    with pytest.raises(ValueError, match=match):
        PubTable.from_frame(reliability, **kwargs)


def test_duplicate_and_non_string_columns():
    with pytest.raises(ValueError, match="duplicate column names"):
        PubTable.from_frame(pd.DataFrame([[0.1, 0.2]], columns=["r", "r"]))
    t = PubTable.from_frame(pd.DataFrame({0: ["a"], 1: [0.5]}))
    assert t.display().values.tolist() == [["a", "0.50"]]


def test_control_characters_are_dropped_from_outputs():
    t = PubTable.from_frame(pd.DataFrame({"item": ["a\x0bb"]}), title="x\x01y")
    lay = t.layout()
    assert lay.body[0].cells == ("ab",) and lay.title == "xy"


def test_type_errors(reliability):
    with pytest.raises(TypeError):
        PubTable.from_frame([1, 2])
    with pytest.raises(TypeError):
        PubTable.from_frame(reliability, columns=[1])
    with pytest.raises(TypeError):
        PubTable(rows=reliability, columns=("alpha",), notes="x")


def test_direct_construction(reliability):
    t = PubTable(
        rows=reliability,
        columns=(ColumnSpec("construct"), ColumnSpec("alpha", header=["Cronbach's ", italic("α")])),
        spanners=(Spanner("Reliability", "alpha", "alpha"),),
        notes=Notes(general={"en": "N = 500.", "zh": "N = 500。"}),
        lang="zh",
    )
    assert plain_text(t.note_paragraphs()[0]) == "注：N = 500。"
    assert as_runs(t.columns[1].header)[1].italic
