"""lavaan syntax parser and parameter-table defaults (compared with lavaan 0.6-14 parTable())."""

from __future__ import annotations

import numpy as np
import pytest

from resilience_stats.errors import ModelSpecificationError, ModelSyntaxError
from resilience_stats.sem.syntax import (
    build_partable,
    eval_expression,
    parse_expression,
    parse_model,
    tokenize,
)

HS = """
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
"""

PD = """
  # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
  # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
  # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
"""


def rows(pt):
    return list(zip(pt["lhs"], pt["op"], pt["rhs"], pt["free"], pt["exo"]))


def test_tokenize_statements_semicolons_comments_and_continuations():
    stmts = tokenize("f =~ a + b ! comment\n g =~ c +\n   d; h =~ e # another\n + f2")
    assert [[t.text for t in s] for s in stmts] == [
        ["f", "=~", "a", "+", "b"],
        ["g", "=~", "c", "+", "d"],
        ["h", "=~", "e", "+", "f2"],
    ]


def test_modifiers_labels_fixed_free_start_and_vectors():
    pm = parse_model("f =~ NA*x1 + a*x2 + 0.5*x3 + start(0.7)*x4 + -1*x5 + c(l1, l2)*x6 + c(1, NA)*x7")
    mods = {f.rhs: f.modifier for f in pm.formulas}
    assert mods["x1"].fixed == [None]
    assert mods["x2"].label == ["a"]
    assert mods["x3"].fixed == [0.5]
    assert mods["x4"].start == [0.7]
    assert mods["x5"].fixed == [-1.0]
    assert mods["x6"].label == ["l1", "l2"]
    assert mods["x7"].fixed == [1.0, None]


def test_intercepts_and_multiple_lhs():
    pm = parse_model("y1 + y2 ~ x1\ny1 ~ 1")
    assert [(f.lhs, f.op, f.rhs) for f in pm.formulas] == [("y1", "~", "x1"), ("y2", "~", "x1"), ("y1", "~1", "")]


@pytest.mark.parametrize(
    "syntax, line, pos",
    [
        ("f =~ x1 + x2\n g =~ x3 + * x4", 2, 12),
        ("f =~ x1 +\n", 1, 9),
        ("f =~ x1 + x2\n\n  y ~ $x", 3, 7),
        ("f x1 x2", 1, 1),
        ("f =~ x1 =~ x2", 1, 9),
    ],
)
def test_syntax_errors_name_line_and_position(syntax, line, pos):
    with pytest.raises(ModelSyntaxError, match=rf"line {line}, position {pos}\b"):
        parse_model(syntax)


def test_expression_parser_is_safe_and_correct():
    tree = parse_expression("a*b + c^2/(1 - d) - sqrt(e) + exp(0) + log(1) + abs(-2)")
    val = eval_expression(tree, dict(a=2.0, b=3.0, c=2.0, d=0.5, e=9.0))
    assert val == pytest.approx(6 + 4 / 0.5 - 3 + 1 + 0 + 2)
    with pytest.raises(ModelSyntaxError):
        parse_expression("__import__('os')")
    with pytest.raises(ModelSyntaxError, match="unknown function"):
        parse_expression("system(1)")


def test_hs_partable_matches_lavaan():
    pt = build_partable(HS)
    assert int(pt["free"].max()) == 21
    assert len(pt) == 24
    assert list(pt["free"][:9]) == [0, 1, 2, 0, 3, 4, 0, 5, 6]
    assert list(pt.loc[21:, "lhs"] + pt.loc[21:, "rhs"]) == ["visualtextual", "visualspeed", "textualspeed"]


def test_hs_std_lv_frees_loadings_and_fixes_variances():
    pt = build_partable(HS, std_lv=True)
    assert int(pt["free"].max()) == 21
    lv_var = pt[(pt["op"] == "~~") & pt["lhs"].isin(["visual", "textual", "speed"]) & (pt["lhs"] == pt["rhs"])]
    assert (lv_var["free"] == 0).all() and (lv_var["ustart"] == 1).all()
    assert (pt.loc[pt["op"] == "=~", "free"] > 0).all()


def test_political_democracy_partable_matches_lavaan():
    pt = build_partable(PD)
    assert len(pt) == 34 and int(pt["free"].max()) == 31
    # lavaan order: user rows, then ov variances (x1..x3, y1..y8), then lv variances
    assert list(pt["lhs"][20:34]) == ["x1", "x2", "x3"] + [f"y{i}" for i in range(1, 9)] + ["ind60", "dem60", "dem65"]
    assert not ((pt["op"] == "~~") & (pt["lhs"] == "ind60") & (pt["rhs"] != "ind60")).any()


def test_fixed_x_and_auto_cov_y_follow_lavaan():
    pt = build_partable("f =~ y1 + y2 + y3\n f ~ x1 + x2\n y5 ~ f + x3\n y6 ~ f")
    expected_tail = [
        ("y1", "~~", "y1", 8, 0), ("y2", "~~", "y2", 9, 0), ("y3", "~~", "y3", 10, 0), ("y5", "~~", "y5", 11, 0),
        ("y6", "~~", "y6", 12, 0), ("f", "~~", "f", 13, 0), ("y5", "~~", "y6", 14, 0),
        ("x1", "~~", "x1", 0, 1), ("x1", "~~", "x2", 0, 1), ("x1", "~~", "x3", 0, 1), ("x2", "~~", "x2", 0, 1),
        ("x2", "~~", "x3", 0, 1), ("x3", "~~", "x3", 0, 1),
    ]
    assert rows(pt)[8:] == expected_tail


def test_meanstructure_labels_and_defined_parameters():
    pt = build_partable("y5 ~ a*x1 + x2\n y6 ~ b*y5 + x1\n ab := a*b", meanstructure=True)
    assert rows(pt)[-5:] == [("y5", "~1", "", 7, 0), ("y6", "~1", "", 8, 0), ("x1", "~1", "", 0, 1),
                             ("x2", "~1", "", 0, 1), ("ab", ":=", "a*b", 0, 0)]
    assert list(pt["label"][:4]) == ["a", "", "b", ""]


def test_shared_labels_and_equality_constraints_share_free_index():
    pt = build_partable("f =~ x1 + a*x2 + a*x3 + b*x4 + c*x5\n b == c")
    load = pt[pt["op"] == "=~"].set_index("rhs")["free"]
    assert load["x2"] == load["x3"]
    assert load["x4"] == load["x5"]
    assert len(set(load[["x2", "x4"]])) == 2
    pt2 = build_partable("f =~ x1 + a*x2 + x3\n a == 0.5")
    row = pt2[pt2["rhs"] == "x2"].iloc[0]
    assert row["free"] == 0 and row["ustart"] == 0.5


def test_group_vectors_need_matching_number_of_groups():
    pt = build_partable("f =~ x1 + c(a1, a2)*x2 + x3", ngroups=2)
    assert list(pt.loc[(pt["rhs"] == "x2") & (pt["op"] == "=~"), "label"]) == ["a1", "a2"]
    with pytest.raises(ModelSpecificationError, match="2 labels"):
        build_partable("f =~ x1 + c(a1, a2)*x2 + x3", ngroups=3)


def test_single_indicator_residual_variance_fixed_to_zero():
    pt = build_partable("f =~ x1 + x2 + x3\n g =~ z")
    row = pt[(pt["lhs"] == "z") & (pt["op"] == "~~")].iloc[0]
    assert row["free"] == 0 and row["ustart"] == 0


def test_general_constraints_are_kept_for_the_estimator_and_unknown_labels_raise():
    pt = build_partable("f =~ x1 + a*x2 + x3\n a > 0")
    assert [c[3] for c in pt.attrs["general_constraints"]] == ["a > 0"]
    with pytest.raises(ModelSpecificationError, match="not a parameter label"):
        build_partable("f =~ x1 + a*x2 + x3\n a == zz")


def test_unsupported_operators_are_syntax_errors_with_position():
    with pytest.raises(ModelSyntaxError, match=r"line 1, position 3: formative"):
        parse_model("f <~ x1 + x2")
    with pytest.raises(ModelSyntaxError, match=r"line 1, position 6: unexpected character ':'"):
        parse_model("y ~ x:z")


def test_thresholds_parse_but_cannot_be_estimated_yet():
    from resilience_stats.sem.model import build_models

    pt = build_partable("x1 | t1 + t2\n f =~ x1 + x2 + x3")
    assert list(zip(pt["lhs"][:2], pt["op"][:2], pt["rhs"][:2])) == [("x1", "|", "t1"), ("x1", "|", "t2")]
    with pytest.raises(ModelSpecificationError, match="ordered"):
        build_models(pt)
