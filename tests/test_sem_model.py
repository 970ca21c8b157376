"""RAM model matrices and derivatives; the multi-group engine (fit_partable with several groups) against the
lavaan configural and metric invariance fits in tests/golden/sem_lavaan.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.sem.api import fit_partable
from resilience_stats.sem.inference import numeric_jacobian
from resilience_stats.sem.model import build_models, model_variable_names
from resilience_stats.sem.syntax import build_partable

HERE = Path(__file__).resolve().parent
PD = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
x1 ~ 1
"""


@pytest.fixture(scope="module")
def pd_model():
    pt = build_partable(PD, meanstructure=True)
    mod = build_models(pt)[0]
    rng = np.random.default_rng(2)
    theta = rng.uniform(0.2, 0.9, mod.nfree)
    return pt, mod, theta


def test_ram_implied_matches_lisrel_formula(pd_model):
    pt, mod, theta = pd_model
    imp = mod.implied(theta)
    # LISREL all-y: Sigma = L (I-B)^-1 Psi (I-B)^-T L' + Theta
    est = mod.row_values(theta)
    sub = pt.iloc[mod.rows]
    lv, ov = mod.lv, mod.ov
    L = np.zeros((len(ov), len(lv)))
    Bm = np.zeros((len(lv), len(lv)))
    Psi = np.zeros((len(lv), len(lv)))
    Th = np.zeros((len(ov), len(ov)))
    for (l, o, r), v in zip(zip(sub["lhs"], sub["op"], sub["rhs"]), est):
        if o == "=~":
            L[ov.index(r), lv.index(l)] = v
        elif o == "~":
            Bm[lv.index(l), lv.index(r)] = v
        elif o == "~~" and l in lv:
            Psi[lv.index(l), lv.index(r)] = Psi[lv.index(r), lv.index(l)] = v
        elif o == "~~":
            Th[ov.index(l), ov.index(r)] = Th[ov.index(r), ov.index(l)] = v
    IB = np.linalg.inv(np.eye(len(lv)) - Bm)
    sigma = L @ IB @ Psi @ IB.T @ L.T + Th
    np.testing.assert_allclose(imp["sigma"], sigma, atol=1e-12)


def test_jacobian_matches_numeric(pd_model):
    _pt, mod, theta = pd_model
    dsigma, dmu = mod.jacobian(mod.implied(theta))
    num = numeric_jacobian(lambda t: np.concatenate([mod.implied(t)["sigma"].ravel(), mod.implied(t)["mu"]]), theta)
    p = mod.p
    np.testing.assert_allclose(dsigma.reshape(mod.nfree, -1).T, num[: p * p], atol=1e-7)
    np.testing.assert_allclose(dmu.T, num[p * p:], atol=1e-7)


def test_gradient_contract_equals_jacobian_contraction(pd_model):
    _pt, mod, theta = pd_model
    imp = mod.implied(theta)
    rng = np.random.default_rng(3)
    W = rng.normal(size=(mod.p, mod.p))
    W = W + W.T
    w = rng.normal(size=mod.p)
    dsigma, dmu = mod.jacobian(imp)
    expected = dsigma.reshape(mod.nfree, -1) @ W.ravel() + dmu @ w
    np.testing.assert_allclose(mod.gradient_contract(imp, W, w), expected, rtol=1e-10, atol=1e-12)


def test_equal_labels_sum_derivatives():
    pt = build_partable("f =~ x1 + a*x2 + a*x3")
    mod = build_models(pt)[0]
    assert mod.nfree == 5  # one shared loading, three residual variances, one factor variance
    theta = np.array([0.7, 0.5, 0.4, 0.3, 0.9])
    dsigma, _ = mod.jacobian(mod.implied(theta))
    num = numeric_jacobian(lambda t: mod.implied(t)["sigma"].ravel(), theta)
    np.testing.assert_allclose(dsigma.reshape(mod.nfree, -1).T, num, atol=1e-7)


@pytest.fixture(scope="module")
def multigroup():
    path = HERE / "golden" / "sem_lavaan.json"
    # a missing golden file fails (it is part of the project)
    g = json.loads(path.read_text())
    hs = pd.read_csv(HERE / "data" / "holzinger_swineford.csv")
    return g, hs


@pytest.mark.parametrize("step, syntax", [
    ("configural", "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"),
    ("metric", "visual =~ x1 + c(l2,l2)*x2 + c(l3,l3)*x3\n textual =~ x4 + c(l5,l5)*x5 + c(l6,l6)*x6\n"
               " speed =~ x7 + c(l8,l8)*x8 + c(l9,l9)*x9"),
])
def test_multigroup_engine_matches_lavaan(multigroup, step, syntax):
    """The engine already fits several groups (group= in sem() is a later issue)."""
    g, hs = multigroup
    ref = g["cases"]["hs_multigroup"]["steps"][step]
    pt = build_partable(syntax, ngroups=2, meanstructure=True)
    ov, _ = model_variable_names(pt)
    groups = [hs.loc[hs["school"] == s, ov].to_numpy(float) for s in ref["group_labels"]]
    fit = fit_partable(pt, groups, ov, options={"estimator": "ML"})
    for k in ("chisq", "df", "cfi", "tli", "rmsea", "aic", "bic", "loglik"):
        v = ref["fit_measures"]["logl" if k == "loglik" else k]
        assert fit.fit_indices[k] == pytest.approx(v, rel=1e-6), k
    if step == "configural":
        est = fit.estimates
        assert "group" in est.columns
        for r, p in zip(est.itertuples(), ref["parameter_estimates"]):
            assert (r.lhs, r.op, r.rhs, r.group) == (p["lhs"], p["op"], p["rhs"], p["group"])
            assert r.est == pytest.approx(p["est"], rel=1e-4, abs=1e-4)
            if p["se"]:
                assert r.se == pytest.approx(p["se"], rel=1e-4, abs=1e-4)


def test_second_order_contract_matches_numeric_hessian(pd_model):
    from resilience_stats.sem.inference import numeric_hessian

    _pt, mod, theta = pd_model
    rng = np.random.default_rng(4)
    W = rng.normal(size=(mod.p, mod.p))
    W = W + W.T
    w = rng.normal(size=mod.p)
    for wm in (None, w):
        H = mod.second_order_contract(mod.implied(theta), W, wm)
        num = numeric_hessian(lambda t: mod.gradient_contract(mod.implied(t), W, wm), theta)
        np.testing.assert_allclose(H, num, atol=1e-7)


def test_observed_information_equals_numeric_hessian(multigroup):
    from resilience_stats.sem import sem
    from resilience_stats.sem.inference import numeric_hessian, observed_information

    g, _hs = multigroup
    fit = sem(g["models"]["political_democracy"], pd.read_csv(HERE / "data" / "political_democracy.csv"))
    st = fit._state
    np.testing.assert_allclose(observed_information(st.objective, st.theta),
                               numeric_hessian(st.objective.gradient, st.theta), atol=1e-7)
