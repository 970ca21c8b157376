"""Multiple-group ordinal SEM (WLSMV/ULSMV, delta parameterization) and ordinal measurement invariance against
lavaan 0.6-14 / semTools.

Golden values: tests/golden/sem_wlsmv_groups.json (sem_wlsmv_groups.R) on tests/data/ordinal_waves.csv, a
simulated two-wave 5-point survey (wave 2021 n=600, wave 2023 n=550, items res1-4 / net1-4; numpy seed 20260:
two correlated factors, wave 2023 with higher latent means and shifted thresholds of res3).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import DataError, ModelSpecificationError
from resilience_stats.sem.invariance import equality_score_tests, lrt_difference
from resilience_stats.sem.scaling import satorra2000_difference

GOLDEN = json.loads((Path(__file__).parent / "golden" / "sem_wlsmv_groups.json").read_text())
DATA = pd.read_csv(Path(__file__).parent / "data" / "ordinal_waves.csv")
MODEL = "res =~ res1 + res2 + res3 + res4\nnet =~ net1 + net2 + net3 + net4"
TOL = 1e-3

CASES = {  # golden case -> (group_equal, estimator)
    "configural": ([], "WLSMV"),
    "thresholds": (["thresholds"], "WLSMV"),
    "th_load": (["thresholds", "loadings"], "WLSMV"),
    "th_load_res": (["thresholds", "loadings", "residuals"], "WLSMV"),
    "th_load_uls": (["thresholds", "loadings"], "ULSMV"),
    "load_only": (["loadings"], "WLSMV"),
    "th_load_partial": ((["thresholds", "loadings"], ["res3 | t1", "res3 | t2", "res3 | t3", "res3 | t4"]), "WLSMV"),
}
FIT_KEYS = {
    "chisq": "chisq", "df": "df", "pvalue": "pvalue", "chisq_scaled": "chisq.scaled", "df_scaled": "df.scaled",
    "pvalue_scaled": "pvalue.scaled", "scaling_factor": "chisq.scaling.factor", "fmin": "fmin",
    "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "baseline_chisq_scaled": "baseline.chisq.scaled",
    "baseline_scaling_factor": "baseline.chisq.scaling.factor",
    "cfi": "cfi", "tli": "tli", "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled", "nfi_scaled": "nfi.scaled",
    "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower", "rmsea_ci_upper": "rmsea.ci.upper",
    "rmsea_pvalue": "rmsea.pvalue", "rmsea_scaled": "rmsea.scaled", "rmsea_ci_lower_scaled": "rmsea.ci.lower.scaled",
    "rmsea_ci_upper_scaled": "rmsea.ci.upper.scaled", "rmsea_pvalue_scaled": "rmsea.pvalue.scaled",
    "srmr": "srmr", "rmr": "rmr", "wrmr": "wrmr",
}


@pytest.fixture(scope="module")
def fits():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {}
        for nm, (ge, est) in CASES.items():
            ge, gp = ge if isinstance(ge, tuple) else (ge, None)
            out[nm] = rs.cfa(DATA, MODEL, ordered=True, group="wave", group_equal=ge, group_partial=gp,
                             estimator=est)
        return out


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(fits, case):
    fit = fits[case]
    fm = GOLDEN["cases"][case]["fit_measures"]
    assert fit.converged
    assert fit.n_params == fm["npar"]
    for ours, theirs in FIT_KEYS.items():
        if fm.get(theirs) is None:
            continue
        assert fit.fit_indices[ours] == pytest.approx(fm[theirs], rel=TOL, abs=TOL), (case, ours)


@pytest.mark.parametrize("case", list(CASES))
def test_parameter_estimates_match_lavaan(fits, case):
    pe = pd.DataFrame(GOLDEN["cases"][case]["parameter_estimates"])
    est = fits[case].estimates
    m = est.merge(pe, on=["lhs", "op", "rhs", "group"], suffixes=("", "_lav"))
    assert len(m) == len(pe) == len(est)
    np.testing.assert_allclose(m["est"], m["est_lav"], atol=TOL)
    np.testing.assert_allclose(m["se"].fillna(0.0), m["se_lav"], atol=TOL)
    np.testing.assert_allclose(m["std_all"], m["std.all"], atol=TOL)
    np.testing.assert_allclose(m["std_lv"], m["std.lv"], atol=TOL)
    # the cross-group equality labels of lavaan
    assert (m["label"].fillna("") == m["label_lav"].fillna("")).all()


def test_identification_as_lavaan(fits):
    est = fits["thresholds"].estimates
    g2 = est[est["group"] == 2]
    assert g2.loc[g2["op"] == "~*~", "se"].notna().all()  # scale factors free in group 2
    assert est.loc[(est["group"] == 1) & (est["op"] == "~*~"), "se"].isna().all()
    lvm = est[(est["op"] == "~1") & est["lhs"].isin(["res", "net"])]
    assert lvm.loc[lvm["group"] == 1, "se"].isna().all() and lvm.loc[lvm["group"] == 2, "se"].notna().all()
    # loadings only: nothing freed
    assert fits["load_only"].estimates.query("op == '~*~'")["se"].isna().all()
    # 'residuals' adds no constraint with the delta parameterization (lavaan: identical fit)
    assert fits["th_load_res"].fit_indices["chisq"] == pytest.approx(fits["th_load"].fit_indices["chisq"])
    assert fits["th_load_res"].df == fits["th_load"].df


def test_measeq_wu_estabrook_coincides_for_configural_and_scalar(fits):
    """semTools measEq.syntax(ID.cat = "Wu.Estabrook.2016"): same fit as lavaan's group.equal for the
    configural model and for thresholds + loadings (+ intercepts); not for thresholds only."""
    cases = GOLDEN["cases"]
    for ours, we in (("configural", "we_configural"), ("th_load", "we_th_load_int")):
        assert fits[ours].fit_indices["chisq"] == pytest.approx(cases[we]["fit_measures"]["chisq"], rel=TOL)
        assert fits[ours].fit_indices["chisq_scaled"] == pytest.approx(cases[we]["fit_measures"]["chisq.scaled"],
                                                                       rel=TOL)
        assert fits[ours].df == cases[we]["fit_measures"]["df"]
    assert fits["thresholds"].df != cases["we_thresholds"]["fit_measures"]["df"]


@pytest.mark.parametrize("pair", ["configural_thresholds", "thresholds_th_load", "configural_th_load",
                                  "configural_load_only", "load_only_th_load", "th_load_partial_th_load"])
def test_satorra2000_difference_matches_lavtestlrt(fits, pair):
    g = GOLDEN["lrt"][pair]
    a, b = g["models"]
    row = g["table"][1]
    r = satorra2000_difference(fits[a], fits[b])
    assert r["df"] == row["Df diff"]
    assert r["stat"] == pytest.approx(row["Chisq diff"], rel=TOL)
    assert r["pvalue"] == pytest.approx(row["Pr(>Chisq)"], rel=TOL, abs=1e-12)
    lrt = lrt_difference(fits[a], fits[b])
    assert lrt["delta_chisq"] == pytest.approx(row["Chisq diff"], rel=TOL)
    assert "Satorra (2000)" in lrt["method"]


def test_same_df_difference_is_nan(fits):
    r = lrt_difference(fits["th_load"], fits["th_load_res"])
    assert r["delta_df"] == 0 and np.isnan(r["pvalue"])


def test_invariance_sequence_wlsmv():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = rs.invariance(MODEL, DATA, "wave", ordered=True)
    t = res.table.set_index("level")
    assert list(t.index) == ["configural", "metric", "scalar", "strict"]
    assert res.estimator == "WLSMV"
    assert res.group_equal["scalar"] == ["loadings", "thresholds"]
    cases = GOLDEN["cases"]
    for lev, case in (("configural", "configural"), ("metric", "load_only"), ("scalar", "th_load"),
                      ("strict", "th_load_res")):
        fm = cases[case]["fit_measures"]
        assert t.loc[lev, "chisq"] == pytest.approx(fm["chisq.scaled"], rel=TOL)
        assert t.loc[lev, "df"] == fm["df"]
        assert t.loc[lev, "cfi"] == pytest.approx(fm["cfi.scaled"], abs=TOL)
        assert t.loc[lev, "tli"] == pytest.approx(fm["tli.scaled"], abs=TOL)
        assert t.loc[lev, "rmsea"] == pytest.approx(fm["rmsea.scaled"], abs=TOL)
        assert t.loc[lev, "srmr"] == pytest.approx(fm["srmr"], abs=TOL)
    for lev, pair in (("metric", "configural_load_only"), ("scalar", "load_only_th_load")):
        row = GOLDEN["lrt"][pair]["table"][1]
        assert t.loc[lev, "delta_chisq"] == pytest.approx(row["Chisq diff"], rel=TOL)
        assert t.loc[lev, "delta_df"] == row["Df diff"]
        assert t.loc[lev, "lrt_p"] == pytest.approx(row["Pr(>Chisq)"], rel=TOL, abs=1e-12)
    assert t.loc["strict", "delta_df"] == 0 and np.isnan(t.loc["strict", "lrt_p"])
    assert t.loc["strict", "decision"].startswith("not testable")
    # latent means of the scalar level (thresholds + loadings equal) as lavaan
    lmd = rs.latent_mean_differences(res).set_index("factor")
    pe = pd.DataFrame(cases["th_load"]["parameter_estimates"])
    for f in ("res", "net"):
        ref = pe[(pe["lhs"] == f) & (pe["op"] == "~1") & (pe["group"] == 2)].iloc[0]
        assert lmd.loc[f, "est"] == pytest.approx(ref["est"], abs=TOL)
        assert lmd.loc[f, "se"] == pytest.approx(ref["se"], abs=TOL)


def test_group_missing_a_category_is_a_clear_error():
    df = DATA.copy()
    df.loc[(df["wave"] == 2023) & (df["res1"] == 1), "res1"] = 2
    with pytest.raises(DataError, match=r"item res1: category 1 is empty in group 2023 .*collapse categories"):
        rs.cfa(df, MODEL, ordered=True, group="wave")
    with pytest.raises(DataError, match="empty in group 2023"):
        rs.invariance(MODEL, df, "wave", ordered=True)


def test_unsupported_combinations_raise():
    with pytest.raises(ModelSpecificationError, match="thresholds"):
        rs.cfa(DATA, MODEL, ordered=True, group="wave", group_equal=["intercepts"])
    with pytest.raises(ModelSpecificationError, match="not supported yet"):
        rs.partial_invariance(MODEL, DATA, "wave", ordered=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.cfa(DATA, MODEL, ordered=True, group="wave", group_equal=["thresholds", "loadings"])
    with pytest.raises(ModelSpecificationError, match="not supported yet"):
        equality_score_tests(fit)
    # robust (catML) indices are not computed with groups
    assert np.isnan(fit.fit_indices["cfi_robust"])


def _make_ordinal_waves() -> pd.DataFrame:
    """The generator of tests/data/ordinal_waves.csv (kept here so the data are reproducible)."""
    rng = np.random.default_rng(20260)
    lam = np.array([.8, .7, .75, .6, .7, .8, .65, .7])
    cuts = np.array([-1.6, -0.7, 0.2, 1.1])
    rows = []
    for wave, n, mean, shift in [(2021, 600, 0.0, 0.0), (2023, 550, 0.3, 0.25)]:
        f = rng.multivariate_normal([mean, mean / 2], np.array([[1, .4], [.4, 1]]), size=n)
        ystar = np.repeat(f, 4, axis=1) * lam + rng.normal(size=(n, 8)) * np.sqrt(1 - lam ** 2)
        Y = np.empty_like(ystar, dtype=int)
        for j in range(8):
            c = cuts + shift if (wave == 2023 and j == 2) else cuts
            Y[:, j] = np.digitize(ystar[:, j], c) + 1
        df = pd.DataFrame(Y, columns=[f"res{i}" for i in range(1, 5)] + [f"net{i}" for i in range(1, 5)])
        df.insert(0, "wave", wave)
        rows.append(df)
    return pd.concat(rows, ignore_index=True)


def test_data_file_is_reproducible():
    pd.testing.assert_frame_equal(_make_ordinal_waves(), DATA)
