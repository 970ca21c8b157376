"""Modification indices against lavaan 0.6-14 modindices() (golden files sem_lavaan.json and sem_extra.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.sem import cfa, sem

HERE = Path(__file__).resolve().parent


def load(name):
    path = HERE / "golden" / name
    # a missing golden file fails (it is part of the project)
    return json.loads(path.read_text())


CASES = [
    ("sem_lavaan.json", "hs_cfa_ml", "hs_cfa", "holzinger_swineford.csv", {}, "diagnostics"),
    ("sem_lavaan.json", "hs_cfa_ml_stdlv", "hs_cfa", "holzinger_swineford.csv", {"std_lv": True}, "diagnostics"),
    ("sem_extra.json", "pd_ml_mi", "political_democracy", "political_democracy.csv", {}, None),
    ("sem_extra.json", "mediation_ml_mi", "mediation", "mediation.csv", {}, None),
    ("sem_extra.json", "hs_second_order_ml", "hs_second_order", "holzinger_swineford.csv", {}, None),
    ("sem_extra.json", "path_ml", "path", "political_democracy.csv", {}, None),
    ("sem_extra.json", "hs_fiml_mi", "hs_cfa", "hs_missing.csv", {"missing": "fiml"}, None),
]


@pytest.mark.parametrize("golden, case, model, data, kw, where", CASES, ids=[c[1] for c in CASES])
def test_modindices_match_lavaan(golden, case, model, data, kw, where):
    g = load(golden)
    c = g["cases"][case]
    ref = pd.DataFrame((c[where] if where else c)["modindices"])
    df = pd.read_csv(HERE / "data" / data)
    fit = sem(g["models"][model], df, **kw)
    mi = fit.modification_indices()
    assert list(mi.columns) == ["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"]
    # lavaan also lists the fixed-x (co)variances of exogenous covariates (mi ~ 0); they are not reported here
    ref = ref[~((ref["op"] == "~~") & ref["lhs"].isin(["x1", "x2"]) & (case == "path_ml"))]
    assert [tuple(r) for r in mi[["lhs", "op", "rhs"]].to_numpy()] == [tuple(r) for r in ref[["lhs", "op", "rhs"]].to_numpy()]
    for ours, theirs in (("mi", "mi"), ("epc", "epc"), ("sepc_lv", "sepc.lv"), ("sepc_all", "sepc.all")):
        a = mi[ours].to_numpy(dtype=float)
        b = ref[theirs].to_numpy(dtype=float)
        ok = np.isfinite(b)
        # lavaan's estimates are converged to ~1e-6; MIs inherit that
        np.testing.assert_allclose(a[ok], b[ok], rtol=2e-4, atol=2e-4, err_msg=f"{case} {ours}")


def test_modindices_sort_and_minimum():
    g = load("sem_lavaan.json")
    df = pd.read_csv(HERE / "data" / "holzinger_swineford.csv")
    fit = cfa(df, g["models"]["hs_cfa"])
    top = fit.modification_indices(sort=True, minimum_value=10)
    assert list(top["mi"]) == sorted(top["mi"], reverse=True)
    assert (top["mi"] >= 10).all()
    # the textbook result: visual =~ x9 is the largest modification index (36.4)
    assert (top.iloc[0]["lhs"], top.iloc[0]["op"], top.iloc[0]["rhs"]) == ("visual", "=~", "x9")
    assert top.iloc[0]["mi"] == pytest.approx(36.411, abs=1e-3)
