"""rs.qca against R's QCA 3.21 (tests/golden/qca_lipset.json, made by tests/golden/qca_lipset.R).

Lipset's data (LR raw, LC crisp, LF fuzzy) and 40 random data sets: calibration, necessity, truth tables, and the
complex, parsimonious and intermediate solutions -- models (terms and their order), easy counterfactuals and
every parameter of fit. Solutions must match exactly, numbers to 1e-10. A case R refuses must be refused too.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats import qca
from resilience_stats.errors import DataError

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "qca_lipset.json"
DATA = HERE / "data"
TOL = 1e-10


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.is_file(), f"missing golden file {GOLDEN} (run tests/golden/qca_lipset.R)"
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _case_names() -> list[str]:
    return [c["name"] for c in json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]] if GOLDEN.is_file() else [
        "missing-golden"]


def _data(name: str, conditions: list[str]) -> pd.DataFrame:
    if name == "LC":
        return pd.read_csv(DATA / "lipset_LC.csv", index_col="case")
    if name.startswith("LF"):
        return pd.read_csv(DATA / "lipset_LF.csv", index_col="case")
    rnd = pd.read_csv(DATA / "qca_random.csv")
    return rnd[rnd["dataset"] == name].set_index("case")[conditions + ["Y"]]


def _same(a, b) -> bool:
    if a is None:
        return b is None or math.isnan(b)
    return abs(a - b) <= TOL


def _check_models(models, want, what):
    assert [m.terms for m in models] == [w["model"] for w in want], what
    for m, w in zip(models, want):
        assert list(m.fit["term"]) == [t["term"] for t in w["terms"]], what
        for (_, got), wt in zip(m.fit.iterrows(), w["terms"]):
            for ours, theirs in (("consistency", "inclS"), ("pri", "PRI"), ("raw_coverage", "covS"),
                                 ("unique_coverage", "covU")):
                assert _same(wt[theirs], got[ours]), f"{what} {wt['term']} {ours}: {got[ours]} vs R {wt[theirs]}"
        assert _same(w["inclS"], m.consistency) and _same(w["PRI"], m.pri) and _same(w["covS"], m.coverage), what


@pytest.mark.parametrize("name", _case_names())
def test_truth_table_and_solutions_match_r(golden, name):
    case = next(c for c in golden["cases"] if c["name"] == name)
    data = _data(name, case["conditions"])
    kw = dict(incl_cut=case["incl_cut"], n_cut=int(case["n_cut"]), pri_cut=case["pri_cut"])
    if isinstance(case["truth_table"], dict):               # R refused the truth table
        with pytest.raises(DataError):
            qca.truth_table(data, case["outcome"], case["conditions"], **kw)
        return
    tt = qca.truth_table(data, case["outcome"], case["conditions"], **kw)
    assert len(tt.table) == len(case["truth_table"])
    for want, (_, got) in zip(case["truth_table"], tt.table.iterrows()):
        assert got["row"] == want["row"] and got["OUT"] == want["OUT"] and got["n"] == want["n"]
        assert [int(got[c]) for c in case["conditions"]] == want["values"]
        assert _same(want["incl"], got["incl"]) and _same(want["PRI"], got["PRI"])
        assert got["cases"] == want["cases"]
    for kind, kwargs in (("complex", {}), ("parsimonious", {"include": "?"})):
        want = case[kind]
        if isinstance(want, dict):
            with pytest.raises(DataError):
                qca.minimize(tt, **kwargs)
            continue
        _check_models(qca.minimize(tt, **kwargs).models, want, f"{name} {kind}")
    want = case.get("intermediate")
    if want is None:
        return
    if isinstance(want, dict):
        with pytest.raises(DataError):
            qca.minimize(tt, include="?", dir_exp=case["dir_exp"])
        return
    sol = qca.minimize(tt, include="?", dir_exp=case["dir_exp"])
    flat = [(p["pair"], m, p["EC"]) for p in want for m in p["models"]]
    assert [m.pair for m in sol.models] == [f[0] for f in flat]
    assert [m.easy_counterfactuals for m in sol.models] == [f[2] for f in flat]
    _check_models(sol.models, [f[1] for f in flat], f"{name} intermediate")


def test_lipset_fuzzy_solutions_as_published(golden):
    """The LF solutions of Dusa (2019) 'QCA with R', ch. 8 (incl.cut = .8), also stored in the golden file."""
    lf = _data("LF", [])
    res = qca.fsqca(lf, "SURV", incl_cut=0.8, dir_exp=["DEV", "URB", "LIT", "IND", "STB"])
    assert res.complex.models[0].terms == ["DEV*URB*LIT*IND*STB", "DEV*~URB*LIT*~IND*STB"]
    assert res.parsimonious.models[0].terms == ["DEV*~IND", "URB*STB"]
    assert res.intermediate.models[0].terms == ["DEV*URB*LIT*STB", "DEV*LIT*~IND*STB"]
    assert res.intermediate.models[0].easy_counterfactuals == [30]
    assert round(res.intermediate.models[0].coverage, 3) == 0.660
    assert round(res.parsimonious.models[0].consistency, 3) == 0.850


@pytest.mark.parametrize("which", [0, 1, 2, 3, 4])
def test_calibration_matches_r(golden, which):
    spec = golden["calibration"][which]
    lr = pd.read_csv(DATA / "lipset_LR.csv", index_col="case")
    e, c, i = (float(part.split("=")[1]) for part in spec["thresholds"].split(","))
    got = qca.calibrate(lr[spec["var"]], (e, c, i), idm=spec["idm"], crossover="keep")
    np.testing.assert_allclose(got.to_numpy(), spec["values"], rtol=0, atol=1e-12)


def test_crossover_nudge_and_drop_on_lipset():
    lr = pd.read_csv(DATA / "lipset_LR.csv", index_col="case")
    with pytest.warns(qca.CalibrationWarning, match="IE"):
        nudged = qca.calibrate(lr["URB"], (10, 25, 65))           # Ireland: URB = 25.0, the crossover
    assert nudged["IE"] == pytest.approx(0.501, abs=1e-15)
    with pytest.warns(qca.CalibrationWarning):
        dropped = qca.calibrate(lr["URB"], (10, 25, 65), crossover="drop")
    assert np.isnan(dropped["IE"]) and dropped.drop("IE").notna().all()
    kept = qca.calibrate(lr["URB"], (10, 25, 65), crossover="keep")
    assert kept["IE"] == 0.5


def test_crisp_calibration_matches_r(golden):
    lr = pd.read_csv(DATA / "lipset_LR.csv", index_col="case")
    for spec in golden["crisp_calibration"]:
        got = qca.calibrate(lr[spec["var"]], spec["thresholds"], kind="crisp")
        assert got.tolist() == spec["values"]


@pytest.mark.parametrize("key,outcome", [("necessity_LF", "SURV"), ("necessity_LF_neg", "~SURV")])
def test_necessity_matches_r(golden, key, outcome):
    lf = _data("LF", [])
    got = qca.necessity(lf, outcome, ["DEV", "URB", "LIT", "IND", "STB"])
    want = golden[key]
    assert got["condition"].tolist() == [w["condition"] for w in want]
    for (_, g), w in zip(got.iterrows(), want):
        assert _same(w["inclN"], g["consistency"]) and _same(w["RoN"], g["ron"]) and _same(w["covN"], g["coverage"])


def test_crisp_lipset_is_the_published_solution(golden):
    """LC (csQCA): the parsimonious solution DEV*STB with consistency and coverage 1 (Dusa 2019, ch. 8)."""
    lc = _data("LC", [])
    res = qca.fsqca(lc, "SURV", incl_cut=1, dir_exp=["DEV", "URB", "LIT", "IND", "STB"])
    assert res.parsimonious.models[0].terms == ["DEV*STB"]
    assert res.parsimonious.models[0].consistency == 1.0 and res.parsimonious.models[0].coverage == 1.0
    assert np.isnan(res.parsimonious.models[0].fit["unique_coverage"].iloc[0])   # R: undefined for one term


def test_inputs_are_not_modified():
    lf = _data("LF", [])
    before = lf.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qca.fsqca(lf, "SURV", incl_cut=0.8, dir_exp=["DEV"])
        qca.calibrate(lf, {"DEV": (0.2, 0.5, 0.8)})
    pd.testing.assert_frame_equal(lf, before)
