"""Pure number formatting of resilience_stats.tables.format (no table, no renderer)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from resilience_stats.tables.format import (
    EM_DASH,
    MINUS,
    ColumnFormat,
    default_format,
    format_ci,
    format_number,
    format_p,
    stars,
    typographic_minus,
)


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (0.9312, {}, "0.93"),
        (0.9312, {"leading_zero": False}, ".93"),
        (-0.123, {"decimals": 3, "leading_zero": False}, "-.123"),
        (1.234, {"leading_zero": False}, "1.23"),  # values >= 1 keep their integer part
        (-1.5, {"leading_zero": False}, "-1.50"),
        (-0.004, {}, "0.00"),  # no negative zero
        (-0.004, {"leading_zero": False}, ".00"),
        (12.0, {"decimals": 0}, "12"),
        (0.0, {"decimals": 0, "leading_zero": False}, "0"),
        (np.float64(0.5), {}, "0.50"),
        (3, {}, "3.00"),
        (math.inf, {}, "\u221e"),
    ],
)
def test_format_number(x, kwargs, expected):
    assert format_number(x, **kwargs) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_format_number_missing(missing):
    assert format_number(missing) == ""
    assert format_number(missing, na=EM_DASH) == "\u2014"


def test_format_number_rejects_text_and_bad_decimals():
    with pytest.raises(TypeError, match="cannot format"):
        format_number("abc")
    with pytest.raises(ValueError, match="decimals"):
        format_number(1.0, decimals=-1)


@pytest.mark.parametrize(
    ("p", "kwargs", "expected"),
    [
        (0.0321, {}, ".032"),
        (0.00002, {}, "< .001"),
        (0.0, {}, "< .001"),
        (0.001, {}, ".001"),
        (0.0009999, {}, "< .001"),
        (0.5, {}, ".500"),
        (0.04, {"decimals": 2}, ".04"),
        (0.004, {"decimals": 2}, "< .01"),
        (0.0004, {"leading_zero": True}, "< 0.001"),
        (0.0321, {"leading_zero": True}, "0.032"),
        (0.99999, {}, "> .999"),
        (1.0, {}, "1.000"),
    ],
)
def test_format_p(p, kwargs, expected):
    assert format_p(p, **kwargs) == expected


def test_format_p_missing_and_invalid():
    assert format_p(float("nan")) == ""
    assert format_p(None, na="—") == "—"
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        format_p(1.2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        format_p(-0.1)
    with pytest.raises(ValueError):
        format_p(0.5, decimals=0)


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.2, ""), (0.05, ""), (0.049, "*"), (0.01, "*"), (0.009, "**"), (0.0009, "***"), (float("nan"), ""), (None, "")],
)
def test_stars(p, expected):
    assert stars(p) == expected


def test_stars_custom_levels():
    assert stars(0.07, levels=(0.10, 0.05)) == "*"
    assert stars(0.03, levels=(0.10, 0.05), symbol="\u2020") == "\u2020\u2020"


def test_format_ci():
    assert format_ci(0.12, 0.345) == "[0.12, 0.34]"
    assert format_ci(-0.2, 0.05, leading_zero=False) == "[-.20, .05]"
    assert format_ci(0.1, float("nan")) == ""


def test_typographic_minus_only_touches_numbers():
    assert typographic_minus("-.12") == MINUS + ".12"
    assert typographic_minus("[-0.20, -1.5]") == f"[{MINUS}0.20, {MINUS}1.5]"
    assert typographic_minus("self-efficacy") == "self-efficacy"
    assert typographic_minus("1-2") == "1-2"
    assert typographic_minus("-.5", "$-$") == "$-$.5"


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("bounded", 0.931, ".93"),
        ("bounded", -0.304, "-.30"),
        ("bounded", 1.02, "1.02"),  # a Heywood case is not hidden
        ("number", 0.931, "0.93"),
        ("p", 0.0002, "< .001"),
        ("p", 0.0456, ".046"),
        ("integer", 312.0, "312"),
        ("integer", 24, "24"),
        ("integer", 24.5, "24.50"),  # a non-integral df is not rounded away
        ("text", "NET", "NET"),
        ("ci", (0.12, 0.4), "[0.12, 0.40]"),
    ],
)
def test_column_format_kinds(kind, value, expected):
    assert ColumnFormat(kind).format(value) == expected


def test_column_format_options():
    assert ColumnFormat("bounded", decimals=3).format(0.93123) == ".931"
    assert ColumnFormat("number", leading_zero=False).format(0.5) == ".50"
    assert ColumnFormat("ci", leading_zero=False).format((0.12, 0.4)) == "[.12, .40]"
    # table-wide switch for journals that print 0.93 everywhere
    assert ColumnFormat("bounded").format(0.931, drop_leading_zero=False) == "0.93"
    assert ColumnFormat("p").format(0.032, drop_leading_zero=False) == "0.032"
    assert ColumnFormat("bounded", leading_zero=False).format(0.931, drop_leading_zero=False) == ".93"
    assert ColumnFormat("number").format(float("nan"), na="—") == "—"
    assert ColumnFormat("ci").format(None, na="—") == "—"


def test_column_format_validation():
    with pytest.raises(ValueError, match="kind"):
        ColumnFormat("percentage")
    with pytest.raises(ValueError, match="decimals"):
        ColumnFormat("number", decimals=-2)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("alpha", "bounded"), ("omega_total", "bounded"), ("cr", "bounded"), ("ave", "bounded"),
        ("cfi", "bounded"), ("rmsea", "bounded"), ("srmr", "bounded"), ("std_all", "bounded"),
        ("r", "bounded"), ("r_drop", "bounded"), ("p", "p"), ("pvalue", "p"), ("PVALUE", "p"),
        ("tli", "number"), ("chisq", "number"), ("est", "number"), ("se", "number"), ("z", "number"),
        ("df", "integer"), ("n", "integer"), ("construct", "text"),
    ],
)
def test_default_format_by_name(name, kind):
    assert default_format(name).kind == kind


def test_default_format_by_dtype():
    assert default_format("x", pd.Series([1, 2])).kind == "integer"
    assert default_format("x", pd.Series([1.5, 2.0])).kind == "number"
    assert default_format("x", pd.Series(["a", "b"])).kind == "text"
    assert default_format("x", pd.Series([True, False])).kind == "text"
    assert default_format("p", pd.Series(["a"])).kind == "p"  # the name wins
