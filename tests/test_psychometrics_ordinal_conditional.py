"""ordinal_conditional_moments vs lavaan 0.6-14 WLSMV with exogenous covariates (conditional.x = TRUE).

Golden values: tests/golden/ordinal_conditional.json, made by tests/golden/ordinal_conditional.R on
tests/data/survey_ordinal_x.csv (16 five-point items + age + female).
"""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel

from resilience_stats.errors import DataError
from resilience_stats.psychometrics._bvn import bvn_cdf
from resilience_stats.psychometrics import ordinal_conditional as oc
from resilience_stats.psychometrics.ordinal_conditional import (ConditionalOrdinalMoments,
                                                                ordinal_conditional_moments)

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "ordinal_conditional.json"
DATA = HERE / "data" / "survey_ordinal_x.csv"
CASES = ("two_x", "mixed", "one_x")
REL = 1e-6


def _mat(d) -> pd.DataFrame:
    return pd.DataFrame(np.array(d["data"], dtype=float), index=d["rownames"], columns=d["colnames"])


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads(GOLDEN.read_text())          # a missing golden file fails here, it never skips


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(DATA)


def _case_data(gold, survey, name) -> pd.DataFrame:
    if name != "one_x":
        return survey
    out = survey.copy()
    for var, rows in gold["na_rows"].items():          # R's 1-based rows
        out.loc[np.asarray(rows) - 1, var] = np.nan
    return out


@pytest.fixture(scope="module")
def results(gold, survey) -> dict[str, ConditionalOrdinalMoments]:
    out = {}
    for name in CASES:
        ref = gold["cases"][name]
        cont = [v for v in ref["ov_nox"] if v not in ref["ov_ord"]]
        out[name] = ordinal_conditional_moments(_case_data(gold, survey, name), ordered=ref["ov_ord"],
                                                exogenous=ref["ov_x"], endogenous_continuous=cont,
                                                order=ref["ov_nox"])
    return out


# ------------------------------------------------------------------------------------------- golden --
@pytest.mark.parametrize("name", CASES)
def test_layout_and_labels_are_lavaans(gold, results, name):
    ref, mom = gold["cases"][name], results[name]
    g = _mat(ref["gamma"])
    assert mom.labels == list(ref["wls_obs"]) == list(g.index) == list(g.columns)
    assert list(mom.gamma.index) == list(mom.gamma.columns) == mom.labels
    assert list(mom.wls_v_diag.index) == list(ref["wls_v_diag"])
    assert mom.variables == ref["ov_nox"] and mom.exogenous == ref["ov_x"]
    assert mom.n_obs == ref["nobs"][0]


def test_listwise_deletion_counts(gold, results):
    na_rows = set().union(*[set(r) for r in gold["na_rows"].values()])
    assert results["one_x"].n_dropped == len(na_rows) == 800 - gold["cases"]["one_x"]["nobs"][0]
    assert results["two_x"].n_dropped == 0


@pytest.mark.parametrize("name", CASES)
def test_wls_obs(gold, results, name):
    # thresholds, slopes, variances, intercepts are exact; lavaan's nlminb leaves its polychoric/polyserial
    # correlations up to ~8e-8 short of the ML optimum (see test_correlations_are_the_exact_ml), which is
    # still within 1e-6 relative here (largest observed: 3.2e-7, polyserial trust1~~trust4)
    ref, mom = gold["cases"][name], results[name]
    assert _rel(mom.wls_obs, list(ref["wls_obs"].values())) < REL


@pytest.mark.parametrize("name", CASES)
def test_sampstat_parts(gold, results, name):
    ref, mom = gold["cases"][name], results[name]
    th = pd.Series(ref["res_th"])
    assert list(mom.thresholds.index) == list(th.index)
    assert _rel(mom.thresholds, th) < REL
    sl = _mat(ref["res_slopes"])
    assert mom.slopes.shape == sl.shape and list(mom.slopes.columns) == list(sl.columns)
    assert _rel(mom.slopes, sl) < REL
    rc = _mat(ref["res_cov"])
    assert list(mom.res_cov.index) == list(rc.index)
    assert _rel(mom.res_cov, rc) < REL
    assert _rel(mom.res_var, pd.Series(ref["res_var"])) < REL
    res_int = pd.Series(ref["res_int"])
    if mom.continuous:
        assert _rel(mom.intercepts, res_int[mom.continuous]) < REL
    else:
        assert mom.intercepts.empty
    assert np.allclose(res_int.drop(mom.continuous), 0.0)
    assert np.abs(mom.mean_x - pd.Series(ref["mean_x"])).max() < 1e-12       # age's mean is ~1e-6
    assert _rel(mom.cov_x, _mat(ref["cov_x"])) < 1e-12


@pytest.mark.parametrize("name", CASES)
def test_gamma_and_weights(gold, results, name):
    ref, mom = gold["cases"][name], results[name]
    g = _mat(ref["gamma"]).to_numpy()
    mine = mom.gamma.to_numpy()
    d = np.diag(g)
    assert _rel(np.diag(mine), d) < REL
    assert _rel(mom.wls_v_diag, pd.Series(ref["wls_v_diag"])) < REL
    # off-diagonal entries on the correlation scale |diff| / sqrt(G_ii G_jj): entries that nearly cancel to
    # 0 (|G_ij| ~ 1e-5 sqrt(G_ii G_jj)) inherit lavaan's ~1e-8 optimizer slack in rho as a larger
    # *relative* error; largest observed 1.5e-7 (mixed case)
    assert (np.abs(mine - g) / np.sqrt(np.outer(d, d))).max() < REL
    assert np.allclose(mine, mine.T, rtol=0, atol=0)


def _step1(mom: ConditionalOrdinalMoments, data: pd.DataFrame, name: str):
    """Latent bounds (ordinal) or standardized residuals (continuous) from the public step-1 estimates."""
    x = data[mom.exogenous].to_numpy(float)
    eta = x @ mom.slopes.loc[name].to_numpy()
    if name in mom.continuous:
        res = data[name].to_numpy(float) - mom.intercepts[name] - eta
        return res / np.sqrt(mom.res_var[name])
    tau = mom.thresholds[[f"{name}|t{k + 1}" for k in range(len(mom.categories[name]) - 1)]].to_numpy()
    codes = np.searchsorted(mom.categories[name], data[name].to_numpy(float))
    th = np.concatenate([[-100.0], tau, [100.0]])
    return th[codes + 1] - eta, th[codes] - eta


@pytest.mark.parametrize("pair", [("two_x", "net3", "trust1"), ("two_x", "net1", "net3"),
                                  ("mixed", "trust1", "trust4"), ("mixed", "net1", "trust2")])
def test_correlations_are_the_exact_ml(gold, survey, results, pair):
    """Ours solve the score equation; one Newton step from lavaan's estimate lands on ours.

    This is why correlations (and through them Gamma) are compared at 1e-6 relative rather than tighter:
    lavaan's nlminb stops with |score| ~ 1e-5 (1e-8 to 8e-8 from the optimum).
    """
    name, a, b = pair
    mom, ref = results[name], gold["cases"][name]
    data = survey
    ours = mom.res_corr.loc[a, b]
    sd = np.sqrt(mom.res_var[a] * mom.res_var[b])
    lav = ref["wls_obs"][f"{a}~~{b}"] / sd
    if a in mom.continuous or b in mom.continuous:
        c, o = (a, b) if a in mom.continuous else (b, a)
        z = _step1(mom, data, c)[:, None]
        up, lo = _step1(mom, data, o)

        def score(r):
            p, d1, d2 = oc._mix_lik(np.array([[r]]), z, up[:, None], lo[:, None], True)
            return (d1 / p).sum(), (d2 / p - (d1 / p) ** 2).sum()
    else:
        ua, la = _step1(mom, data, a)
        ub, lb = _step1(mom, data, b)
        cols = [v[:, None] for v in (ua, la, ub, lb)]
        # the fast rectangle probabilities agree with the general bivariate normal CDF
        r2 = np.array([[ours]])
        ref_p = (bvn_cdf(cols[0], cols[2], r2) - bvn_cdf(cols[1], cols[2], r2) - bvn_cdf(cols[0], cols[3], r2)
                 + bvn_cdf(cols[1], cols[3], r2))
        assert np.abs(oc._rect_prob(np.array([ours]), *cols) - ref_p).max() < 1e-14

        def score(r):
            lik, d1, d2 = oc._oo_lik(np.array([r]), *cols, True)
            return (d1 / lik).sum(), (d2 / lik - (d1 / lik) ** 2).sum()
    g_ours, h_ours = score(ours)
    assert abs(g_ours / h_ours) < 1e-11                   # the Newton step left at our estimate
    g_lav, h_lav = score(lav)
    assert abs(lav - g_lav / h_lav - ours) < 1e-11
    assert 1e-9 < abs(lav - ours) < 1e-6


@pytest.mark.parametrize("name", CASES)
def test_dwls_test_statistic_from_lavaans_estimates(gold, results, name):
    """The model side of conditional.x: chisq = (N - 1) sum(w (s - sigma)^2) with sigma = [tau | -nu,
    vec(Lambda (I - B)^-1 Gamma) x-major, residual variances, vech(Lambda A Psi A' Lambda' + Theta)]."""
    ref, mom = gold["cases"][name], results[name]
    pe = pd.DataFrame(ref["parameter_estimates"])
    ov, xs = ref["ov_nox"], ref["ov_x"]
    lv = list(dict.fromkeys(pe.loc[pe.op == "=~", "lhs"]))
    p, m, q = len(ov), len(lv), len(xs)
    lam, beta, gam = np.zeros((p, m)), np.zeros((m, m)), np.zeros((m, q))
    psi, theta, nu, tau = np.zeros((m, m)), np.zeros((p, p)), np.zeros(p), {}
    for r in pe.itertuples():
        if r.op == "=~":
            lam[ov.index(r.rhs), lv.index(r.lhs)] = r.est
        elif r.op == "~":
            if r.rhs in lv:
                beta[lv.index(r.lhs), lv.index(r.rhs)] = r.est
            else:
                gam[lv.index(r.lhs), xs.index(r.rhs)] = r.est
        elif r.op == "~~" and r.lhs in lv:
            psi[lv.index(r.lhs), lv.index(r.rhs)] = psi[lv.index(r.rhs), lv.index(r.lhs)] = r.est
        elif r.op == "~~" and r.lhs in ov:
            theta[ov.index(r.lhs), ov.index(r.rhs)] = theta[ov.index(r.rhs), ov.index(r.lhs)] = r.est
        elif r.op == "~1" and r.lhs in ov:
            nu[ov.index(r.lhs)] = r.est
        elif r.op == "|":
            tau[f"{r.lhs}|{r.rhs}"] = r.est
        elif r.op == "~*~":
            assert r.est == 1.0                               # delta parameterization, no rescaling
    a = np.linalg.inv(np.eye(m) - beta)
    sigma = lam @ a @ psi @ a.T @ lam.T + theta
    slopes = lam @ a @ gam
    implied = []
    for lab in mom.labels:
        if "|t" in lab:
            implied.append(tau[lab])
        elif lab.endswith("~1"):
            implied.append(-nu[ov.index(lab[:-2])])
        elif "~~" in lab:
            u, v = lab.split("~~")
            implied.append(sigma[ov.index(u), ov.index(v)])
        else:
            u, v = lab.split("~")
            implied.append(slopes[ov.index(u), xs.index(v)])
    implied = np.array(implied)
    n = ref["nobs"][0]
    chisq = ref["fit_measures"]["chisq"]
    lav_obs, lav_w = np.array(list(ref["wls_obs"].values())), np.array(list(ref["wls_v_diag"].values()))
    assert (n - 1) * np.sum(lav_w * (lav_obs - implied) ** 2) == pytest.approx(chisq, rel=1e-12)
    # with our statistics and weights (observed: within 9e-9 relative)
    ours = (n - 1) * np.sum(mom.wls_v_diag.to_numpy() * (mom.wls_obs.to_numpy() - implied) ** 2)
    assert ours == pytest.approx(chisq, rel=1e-7), ours / chisq - 1


# -------------------------------------------------------------------------- independent references --
def test_step1_equals_statsmodels_ordered_probit(survey):
    mom = ordinal_conditional_moments(survey, ordered=["net2", "trust3"], exogenous=["age", "female"])
    for item in ("net2", "trust3"):
        om = OrderedModel(survey[item].to_numpy(), survey[["age", "female"]].to_numpy(), distr="probit")
        res = om.fit(method="newton", disp=False, maxiter=200)
        cuts = om.transform_threshold_params(res.params)[1:-1]
        # statsmodels' Newton uses a numerical Hessian: agreement ~1e-9
        assert np.abs(mom.slopes.loc[item].to_numpy() - res.params[:2]).max() < 1e-7
        assert np.abs(mom.thresholds.filter(like=f"{item}|").to_numpy() - cuts).max() < 1e-7


def test_single_binary_item_binary_covariate_closed_form(survey):
    """One binary item, one 0/1 covariate (2 parameters, 2 groups): the probit reproduces both groups'
    proportions, tau = qnorm(P(y = 0 | f = 0)) and tau - beta = qnorm(P(y = 0 | f = 1)); no pairs."""
    from scipy.stats import norm
    data = survey.assign(agree=(survey["stab2"] >= 4).astype(int))
    mom = ordinal_conditional_moments(data, ordered=["agree"], exogenous=["female"])
    p0 = (data.loc[data["female"] == 0, "agree"] == 0).mean()
    p1 = (data.loc[data["female"] == 1, "agree"] == 0).mean()
    assert mom.thresholds["agree|t1"] == pytest.approx(norm.ppf(p0), abs=1e-10)
    assert mom.thresholds["agree|t1"] - mom.slopes.loc["agree", "female"] == pytest.approx(norm.ppf(p1), abs=1e-10)
    assert mom.labels == ["agree|t1", "agree~female"]
    assert mom.res_corr.shape == (1, 1) and mom.gamma.shape == (2, 2)


def test_continuous_pair_is_the_partial_correlation(survey):
    mom = ordinal_conditional_moments(survey, ordered=["net2"], exogenous=["age", "female"],
                                      endogenous_continuous=["net1", "trust1"])
    x1 = np.column_stack([np.ones(len(survey)), survey[["age", "female"]].to_numpy()])
    res = {v: survey[v] - x1 @ np.linalg.lstsq(x1, survey[v], rcond=None)[0] for v in ("net1", "trust1")}
    r = np.corrcoef(res["net1"], res["trust1"])[0, 1]
    assert mom.res_corr.loc["net1", "trust1"] == pytest.approx(r, rel=1e-12)
    assert mom.res_var["net1"] == pytest.approx(np.mean(res["net1"] ** 2), rel=1e-12)
    assert mom.wls_obs["net1~~trust1"] == pytest.approx(r * np.sqrt(mom.res_var["net1"] * mom.res_var["trust1"]))
    assert mom.wls_obs["net1~1"] == pytest.approx(-mom.intercepts["net1"])


def test_shifting_a_covariate_moves_only_the_thresholds(survey):
    """x' = x + c gives tau' = tau + beta c; slopes, correlations and their Gamma block stay the same."""
    items = ["norm1", "norm2", "stab1"]
    base = ordinal_conditional_moments(survey, ordered=items, exogenous=["age", "female"])
    shifted = ordinal_conditional_moments(survey.assign(age=survey["age"] + 3.0), ordered=items,
                                          exogenous=["age", "female"])
    for it in items:
        expect = base.thresholds.filter(like=f"{it}|") + 3.0 * base.slopes.loc[it, "age"]
        assert np.abs(shifted.thresholds.filter(like=f"{it}|") - expect).max() < 1e-9
    assert np.abs(shifted.slopes - base.slopes).to_numpy().max() < 1e-9
    assert np.abs(shifted.res_corr - base.res_corr).to_numpy().max() < 1e-9
    keep = [lab for lab in base.labels if "|t" not in lab]
    assert np.abs(shifted.gamma.loc[keep, keep] - base.gamma.loc[keep, keep]).to_numpy().max() < 1e-6


def test_recoding_permuting_and_order(survey):
    items = ["trust1", "trust2", "stab3"]
    base = ordinal_conditional_moments(survey, ordered=items, exogenous=["female"])
    recoded = survey.assign(trust1=survey["trust1"] * 10 - 3)
    shuffled = recoded.sample(frac=1.0, random_state=3)
    other = ordinal_conditional_moments(shuffled, ordered=items, exogenous=["female"])
    assert np.abs(other.wls_obs - base.wls_obs).max() < 1e-9
    assert np.abs(other.gamma - base.gamma).to_numpy().max() < 1e-6
    assert other.categories["trust1"] == [7.0, 17.0, 27.0, 37.0, 47.0]
    # default order = data columns; `order` reorders every block
    assert base.variables == ["trust1", "trust2", "stab3"]
    flipped = ordinal_conditional_moments(survey, ordered=items, exogenous=["female"],
                                          order=["stab3", "trust1", "trust2"])
    assert flipped.labels[:4] == ["stab3|t1", "stab3|t2", "stab3|t3", "stab3|t4"]
    assert flipped.labels[-3:] == ["stab3~~trust1", "stab3~~trust2", "trust1~~trust2"]
    assert flipped.wls_obs["stab3~~trust1"] == pytest.approx(base.wls_obs["trust1~~stab3"], abs=1e-12)
    assert flipped.gamma.loc["stab3~female", "trust1|t2"] == pytest.approx(
        base.gamma.loc["stab3~female", "trust1|t2"], rel=1e-9)


def test_input_not_modified_and_summary(survey):
    df = survey.copy()
    df.loc[3, "net2"] = np.nan
    before = df.copy()
    mom = ordinal_conditional_moments(df, ordered=["net2", "net3"], exogenous=["age"],
                                      endogenous_continuous=["net1"])
    pd.testing.assert_frame_equal(df, before)
    assert mom.n_dropped == 1 and mom.n_obs == 799
    tab = mom.summary()
    assert list(tab.columns) == ["label", "kind", "estimate", "se"]
    assert tab["kind"].tolist()[:2] == ["intercept", "threshold"]
    assert set(tab["kind"]) == {"intercept", "threshold", "slope", "residual variance", "residual covariance",
                                "residual correlation"}
    assert np.allclose(tab["se"] ** 2, np.diag(mom.acov))
    assert np.allclose(mom.acov * mom.n_obs, mom.gamma)
    assert "n_obs=799" in repr(mom)


def test_wave_input_gives_the_same_numbers(survey):
    from types import SimpleNamespace
    wave = SimpleNamespace(data=survey, instrument=SimpleNamespace(construct_items={"NET": ["net1", "net2"]}))
    a = ordinal_conditional_moments(wave, ordered=["net1", "net2"], exogenous=["age"])
    b = ordinal_conditional_moments(survey, ordered=["net1", "net2"], exogenous=["age"])
    pd.testing.assert_series_equal(a.wls_obs, b.wls_obs)


def test_doctests():
    mod = importlib.import_module("resilience_stats.psychometrics.ordinal_conditional")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


# ----------------------------------------------------------------------------------------- errors --
def _toy(n=300, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    f = rng.binomial(1, 0.5, n)
    return pd.DataFrame({"y1": np.digitize(x + rng.normal(size=n), [-1, 0, 1]) + 1,
                         "y2": np.digitize(0.5 * x + rng.normal(size=n), [-0.5, 0.5]) + 1,
                         "x": x, "f": f})


@pytest.mark.parametrize("mutate, kwargs, match", [
    (lambda d: d.assign(y3=d["f"] + 1), dict(ordered=["y1", "y3"], exogenous=["x", "f"]), "separation"),
    (lambda d: d.assign(y3=np.where(d["f"] == 1, 3, d["y1"].clip(1, 3))),
     dict(ordered=["y1", "y3"], exogenous=["x", "f"]), "separation"),
    (lambda d: d.assign(y3=(d["x"] > 0).astype(int)), dict(ordered=["y1", "y3"], exogenous=["x"]), "separation"),
    (lambda d: d.assign(x2=2 * d["x"] + 1), dict(ordered=["y1", "y2"], exogenous=["x", "x2"]), "collinear"),
    (lambda d: d.assign(c=1.0), dict(ordered=["y1", "y2"], exogenous=["x", "c"]), "constant covariate"),
    (lambda d: d.assign(x=d["x"].astype(str)), dict(ordered=["y1", "y2"], exogenous=["x"]), "numeric"),
    (lambda d: d.assign(y2=1), dict(ordered=["y1", "y2"], exogenous=["x"]), "single observed category"),
    (lambda d: d, dict(ordered=["y1", "y2"], exogenous=["zz"]), "not found"),
    (lambda d: d, dict(ordered=["y1", "y2"], exogenous=[]), "at least one exogenous"),
    (lambda d: d, dict(ordered=[], exogenous=["x"], endogenous_continuous=["y1"]), "at least one ordered"),
    (lambda d: d, dict(ordered=["y1", "x"], exogenous=["x"]), "more than once"),
    (lambda d: d.iloc[:3], dict(ordered=["y1", "y2"], exogenous=["x"]), "complete case"),
    (lambda d: d.iloc[:6].assign(y1=[1, 2, 3, 4, 1, 2], x3=[0.3, -1.0, 2.0, 0.1, 0.5, -0.7]),
     dict(ordered=["y1"], exogenous=["x", "f", "x3"]), "too few"),
    (lambda d: d.assign(c=2 * d["x"] + 3), dict(ordered=["y1"], exogenous=["x"], endogenous_continuous=["c"]),
     "zero residual variance"),
    (lambda d: d, dict(ordered=["y1", "y2"], exogenous=["x"], order=["y1"]), "order"),
])
def test_bad_input_raises_data_error(mutate, kwargs, match):
    with pytest.raises(DataError, match=match):
        ordinal_conditional_moments(mutate(_toy()), **kwargs)


def test_not_a_frame_raises():
    with pytest.raises(DataError, match="DataFrame"):
        ordinal_conditional_moments(np.zeros((10, 3)), ordered=["a"], exogenous=["b"])
