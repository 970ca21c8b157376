"""Composite reliability, AVE, Fornell-Larcker and HTMT vs semTools 0.5-6 (tests/golden/sem_bootstrap_validity.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import ModelSpecificationError
from resilience_stats.sem import cfa
from resilience_stats.sem.validity import htmt, htmt_matrix, validity

DATA = Path(__file__).parent / "data"
GOLDEN = json.loads((Path(__file__).parent / "golden" / "sem_bootstrap_validity.json").read_text())
CASES = list(GOLDEN["cases"])
TOL = 1e-3


def _matrix(block) -> pd.DataFrame:
    return pd.DataFrame(np.array(block["data"], dtype=float), index=block["names"], columns=block["names"])


@pytest.fixture(scope="module")
def fits():
    out = {}
    for name, case in GOLDEN["cases"].items():
        data = pd.read_csv(DATA / case["data"])
        out[name] = (cfa(data, case["model"]), data)
    return out


@pytest.mark.parametrize("name", CASES)
def test_reliability_matches_semtools(fits, name):
    case = GOLDEN["cases"][name]
    v = validity(fits[name][0])
    rel = v.reliability.set_index("factor")
    for f, val in case["comp_rel_sem"].items():
        assert rel.loc[f, "omega"] == pytest.approx(val, abs=TOL), f
    for f, val in case["ave"].items():
        if val is None:
            assert np.isnan(rel.loc[f, "ave_semtools"]), f
        else:
            assert rel.loc[f, "ave_semtools"] == pytest.approx(val, abs=TOL), f
    for f, vals in case["std"].items():
        assert rel.loc[f, "cr"] == pytest.approx(vals["cr"], abs=TOL), f
        assert rel.loc[f, "ave"] == pytest.approx(vals["ave"], abs=TOL), f
    assert (rel["flag_cr"] == (rel["cr"] < 0.70)).all()
    assert (rel["flag_ave"] == (rel["ave"] < 0.50)).all()


def test_cr_equals_semtools_model_implied_omega_for_simple_structure(fits):
    """Without cross-loadings or correlated residuals, cr (standardized items) and compRelSEM(obs.var=FALSE)
    differ only by the item weighting; with equal implied item variances they coincide -- here we just check
    that both stay close (< .01) for the HS CFA."""
    rel = validity(fits["hs_cfa"][0]).reliability.set_index("factor")
    for f, val in GOLDEN["cases"]["hs_cfa"]["comp_rel_sem_implied"].items():
        assert abs(rel.loc[f, "cr"] - val) < 0.01


@pytest.mark.parametrize("name", CASES)
def test_htmt_matches_semtools(fits, name):
    case = GOLDEN["cases"][name]
    fit, data = fits[name]
    expect = _matrix(case["htmt"])
    if name != "hs_crossload":  # the fit's factors have the same items as htmt_model
        got = validity(fit).htmt.loc[expect.index, expect.columns]  # same factors and items as the fit
        np.testing.assert_allclose(got.to_numpy(), expect.to_numpy(), atol=TOL)
    flat = rs.htmt(data, case["htmt_model"])
    np.testing.assert_allclose(flat.loc[expect.index, expect.columns].to_numpy(), expect.to_numpy(), atol=TOL)
    arith = htmt(data, case["htmt_model"], htmt2=False)
    e1 = _matrix(case["htmt_arithmetic"])
    np.testing.assert_allclose(arith.loc[e1.index, e1.columns].to_numpy(), e1.to_numpy(), atol=TOL)


def test_fornell_larcker_matrix(fits):
    case = GOLDEN["cases"]["hs_cfa"]
    v = validity(fits["hs_cfa"][0])
    fl = v.fornell_larcker
    cor = _matrix(case["factor_cor"])
    for f, vals in case["std"].items():
        assert fl.loc[f, f] == pytest.approx(np.sqrt(vals["ave"]), abs=TOL)
    assert fl.loc["textual", "visual"] == pytest.approx(cor.loc["textual", "visual"], abs=TOL)
    assert np.isnan(fl.loc["visual", "textual"])
    assert v.fornell_larcker_violations.empty  # HS: factor correlations .28-.47, sqrt(AVE) >= .6


def test_flags_and_warnings_on_weak_factors(fits):
    v = validity(fits["hs_cfa"][0])
    rel = v.reliability.set_index("factor")
    # HS visual: AVE .37 (< .50) and speed CR about .69
    assert rel.loc["visual", "flag_ave"]
    assert any("AVE of visual" in w for w in v.warnings)
    assert set(v.htmt_flags.columns) == {"factor_1", "factor_2", "htmt", "above_85", "above_90"}
    assert not v.htmt_flags["above_85"].any()
    assert "ValidityResult" in repr(v)


def test_fornell_larcker_and_htmt_violation_detected():
    rng = np.random.default_rng(3)
    n = 500
    f = rng.multivariate_normal([0, 0], [[1, 0.95], [0.95, 1]], n)
    X = np.hstack([f[:, [0]] * 0.6, f[:, [0]] * 0.6, f[:, [0]] * 0.6, f[:, [1]] * 0.6, f[:, [1]] * 0.6,
                   f[:, [1]] * 0.6]) + rng.normal(scale=0.8, size=(n, 6))
    df = pd.DataFrame(X, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    v = validity(cfa(df, "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3"))
    assert len(v.fornell_larcker_violations) == 1
    assert v.htmt_flags["above_90"].iloc[0]
    assert any("Fornell-Larcker" in w for w in v.warnings) and any("HTMT" in w for w in v.warnings)


def test_second_order_factor_reported_with_note(fits):
    v = validity(fits["example_survey_second_order"][0])
    rel = v.reliability.set_index("factor")
    assert rel.loc["RES", "order"] == 2 and np.isnan(rel.loc["RES", "cr"])
    assert rel.loc["RES", "omega"] == pytest.approx(
        GOLDEN["cases"]["example_survey_second_order"]["comp_rel_sem"]["RES"], abs=TOL)
    assert any("second-order" in w for w in v.warnings)
    assert "RES" not in v.htmt.index


def test_htmt_matrix_hand_computed():
    R = pd.DataFrame([[1, .6, .2, .4], [.6, 1, .3, .3], [.2, .3, 1, .5], [.4, .3, .5, 1]],
                     index=list("abcd"), columns=list("abcd"), dtype=float)
    items = {"F": ["a", "b"], "G": ["c", "d"]}
    geo = np.exp(np.mean(np.log([.2, .4, .3, .3]))) / np.sqrt(.6 * .5)
    assert htmt_matrix(R, items).loc["F", "G"] == pytest.approx(geo)
    assert htmt_matrix(R, items, htmt2=False).loc["G", "F"] == pytest.approx(0.3 / np.sqrt(.3))


def test_errors():
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 3)), columns=list("abc"))
    with pytest.raises(ModelSpecificationError, match="not found"):
        htmt(df, "F =~ a + b\nG =~ c + z")
    with pytest.raises(ModelSpecificationError, match="latent factors"):
        validity(rs.sem("a ~ b + c", df))
    assert rs.validity is validity


def test_heywood_case_makes_cr_and_ave_not_interpretable():
    import warnings as _w

    from resilience_stats.sem import cfa as _cfa
    from resilience_stats.sem.validity import validity as _validity

    with _w.catch_warnings():
        _w.simplefilter("ignore")
        fit = _cfa(pd.read_csv(Path(__file__).parent / "data" / "sem_heywood.csv"), "F =~ a + b + c + d")
        res = _validity(fit)
    row = res.reliability.set_index("factor").loc["F"]
    assert bool(row["improper"])
    assert any("improper solution" in w and "not interpretable" in w for w in res.warnings)
    clean = _validity(_cfa(pd.read_csv(Path(__file__).parent / "data" / "holzinger_swineford.csv"),
                           "v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6"))
    assert not clean.reliability["improper"].any()
