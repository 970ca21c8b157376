"""rs.hierarchical_regression against R (tests/golden/regression_hierarchical.R -> .json): lm() per step,
anova() F change, sandwich::vcovHC + lmtest::waldtest for HC0-HC4, car::vif, standardized coefficients."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError, ModelSpecificationError

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "regression_hierarchical.json"
BLOCKS = [["age", "female"], ["PBL", "tenure"], ["PBL:tenure"]]


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.exists(), f"missing golden file {GOLDEN}: run tests/golden/regression_hierarchical.R"
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "process_scores.csv")


def close(a, b, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


def test_steps_and_coefficients_match_lm(df, golden):
    res = rs.hierarchical_regression(df, "RES", BLOCKS)
    assert res.n == golden["n"] == 297 and res.n_dropped == 3
    for k, ref in enumerate(golden["steps"], start=1):
        c = res.coefficients[res.coefficients["step"] == k]
        assert c["term"].tolist() == ref["names"]
        for col in ("coef", "se", "t", "ci_lower", "ci_upper"):
            close(c[col], ref[col])
        close(c["p"], ref["p"], rtol=1e-7, atol=1e-15)
        close(c["beta"].iloc[1:], ref["beta_sd"])
        close(c["vif"].iloc[1:], np.atleast_1d(ref["vif"]))
        s = res.steps.iloc[k - 1]
        for col in ("r2", "adj_r2", "r2_change", "f_change", "f"):
            close(s[col], ref[col])
        close(s["p_change"], ref["p_change"], rtol=1e-7, atol=1e-300)
        assert (s["df1"], s["df2"]) == (ref["df1"], ref["df2"])


def test_z_standardized_coefficients(df, golden):
    res = rs.hierarchical_regression(df, "RES", BLOCKS, standardize="z")
    for k, ref in enumerate(golden["steps"], start=1):
        close(res.coefficients.loc[res.coefficients["step"] == k, "beta"].iloc[1:], ref["beta_z"])


@pytest.mark.parametrize("hc", ["HC0", "HC1", "HC2", "HC3", "HC4"])
def test_hc_standard_errors_and_wald_f_change(df, golden, hc):
    res = rs.hierarchical_regression(df, "RES", BLOCKS, hc=hc)
    for k, ref in enumerate(golden["steps"], start=1):
        h = ref["hc"][hc]
        close(res.coefficients.loc[res.coefficients["step"] == k, "se"], h["se"])
        s = res.steps.iloc[k - 1]
        close(s["f_change"], h["f_change"])
        close(s["p_change"], h["p_change"], rtol=1e-7, atol=1e-300)
        close(s["f"], h["f"])
        close(res.steps["r2"], [r["r2"] for r in golden["steps"]])  # R^2 does not depend on the SEs


def test_r2_change_adds_up_and_single_step_equals_ols(df):
    res = rs.hierarchical_regression(df, "RES", BLOCKS)
    assert res.steps["r2_change"].sum() == pytest.approx(res.steps["r2"].iloc[-1], rel=1e-12)
    one = rs.hierarchical_regression(df, "RES", [[t for b in BLOCKS for t in b]])
    close(one.coefficients["coef"], res.coefficients.loc[res.coefficients["step"] == 3, "coef"], rtol=1e-12)
    assert one.steps["f_change"].iloc[0] == pytest.approx(one.steps["f"].iloc[0], rel=1e-12)


def test_table_and_summary(df):
    res = rs.hierarchical_regression(df, "RES", BLOCKS)
    t = res.to_table()
    shown = t.display()
    assert [sp.label for sp in t.spanners] == ["Model 1", "Model 2", "Model 3"]
    assert shown["term"].tolist()[-4:] == ["R²", "Adjusted R²", "ΔR²", "ΔF"]
    assert shown["b3"].iloc[-1] == "35.40***" and shown["b2"].iloc[-2] == ".129***"
    assert shown["b1"].iloc[shown["term"].tolist().index("PBL")] == ""  # not yet entered in model 1
    zh = res.to_table(lang="zh", style="three-line")
    assert [sp.label for sp in zh.spanners][0] == "模型1" and "调整 R²" in zh.display()["term"].tolist()
    text = res.summary()
    assert "Step 3: + PBL:tenure" in text and "vif" in text


def test_input_not_modified_and_errors(df):
    before = df.copy()
    rs.hierarchical_regression(df, "RES", BLOCKS, hc="HC3")
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(ModelSpecificationError, match="only once"):
        rs.hierarchical_regression(df, "RES", [["PBL"], ["PBL"]])
    with pytest.raises(ModelSpecificationError, match="outcome"):
        rs.hierarchical_regression(df, "RES", [["PBL", "RES"]])
    with pytest.raises(ModelSpecificationError, match="list of blocks"):
        rs.hierarchical_regression(df, "RES", "PBL")
    with pytest.raises(ModelSpecificationError, match="standardize"):
        rs.hierarchical_regression(df, "RES", BLOCKS, standardize="beta")
    with pytest.raises(DataError, match="unknown variable"):
        rs.hierarchical_regression(df, "RES", [["nope"]])
    with pytest.raises(ModelSpecificationError, match="linear combination"):
        rs.hierarchical_regression(df.assign(p2=2 * df["PBL"]), "RES", [["PBL"], ["p2"]])
