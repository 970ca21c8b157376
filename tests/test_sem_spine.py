"""The estimation spine's estimators and features against lavaan 0.6-14 (tests/golden/sem_spine.json, made by
tests/golden/sem_spine.R).

Every case of the golden file that the engine fits is listed in ``CASES`` with the call translated to our API;
parameter estimates, standard errors, standardized values and every fit measure lavaan reports are compared
(``NA`` in lavaan must be NaN here).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs

GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parent / "data"

# lavaan fitMeasures() name -> our fit_indices name
FIT_NAME = {"npar": "n_params", "ntotal": "n_obs", "logl": "loglik", "unrestricted.logl": "loglik_unrestricted",
            "chisq.scaling.factor": "scaling_factor", "baseline.chisq.scaling.factor": "baseline_scaling_factor",
            "chisq.scaled": "chisq_scaled"}

SURVEY_ITEMS = None  # set by the data fixture


def _fit_name(k: str) -> str:
    return FIT_NAME.get(k, k.replace(".", "_"))


@pytest.fixture(scope="module")
def golden():
    return json.loads((GOLDEN / "sem_spine.json").read_text())


def _data(name: str) -> pd.DataFrame:
    df = pd.read_csv(DATA / name)
    if name == "survey_ordinal.csv":
        df = df.drop(columns=["community"])
    return df


SX_ITEMS = [f"net{i}" for i in range(1, 5)] + [f"trust{i}" for i in range(1, 5)]

# case -> (function, keyword arguments); the model and data file come from the golden case
CASES = {
    "hs_mlm": ("cfa", dict(estimator="MLM")),
    "hs_gls": ("cfa", dict(estimator="GLS")),
    "hs_uls": ("cfa", dict(estimator="ULS")),
    "hs_wls": ("cfa", dict(estimator="WLS")),
    "hs_dwls": ("cfa", dict(estimator="DWLS")),
    "hs_mlmv": ("cfa", dict(estimator="MLMV")),
    "hs_mlmvs": ("cfa", dict(estimator="MLMVS")),
    "pd_mlm": ("sem", dict(estimator="MLM")),
    "pd_gls": ("sem", dict(estimator="GLS")),
    "pd_uls": ("sem", dict(estimator="ULS")),
    "pd_wls": ("sem", dict(estimator="WLS")),
    "pd_dwls": ("sem", dict(estimator="DWLS")),
    "hs_ml_robust_sem_sb": ("cfa", dict(estimator="ML", se="robust.sem", test="satorra.bentler")),
    "survey_labels_eq_wlsmv": ("sem", dict(ordered=True, estimator="WLSMV")),
    "survey_x_wlsmv": ("sem", dict(ordered=SX_ITEMS, estimator="WLSMV")),
    "survey_labels_wlsmv": ("sem", dict(ordered=True, estimator="WLSMV")),
    "waves_labels_wlsmv": ("cfa", dict(ordered=True, group="wave", estimator="WLSMV", group_equal="thresholds")),
    "survey_wlsmv": ("cfa", dict(ordered=True, estimator="WLSMV")),
    "survey_ulsmv": ("cfa", dict(ordered=True, estimator="ULSMV")),
    "waves_wlsmv": ("cfa", dict(ordered=True, group="wave", estimator="WLSMV")),
    "waves_ulsmv": ("cfa", dict(ordered=True, group="wave", estimator="ULSMV")),
    "survey_df_gt_baseline_wlsmv": ("cfa", dict(ordered=True, estimator="WLSMV", std_lv=True)),
    "survey_df_gt_baseline_ulsmv": ("cfa", dict(ordered=True, estimator="ULSMV", std_lv=True)),
    "hs_mg_scalar_mlr": ("cfa", dict(group="school", group_equal=["loadings", "intercepts"], estimator="MLR")),
    "hs_mg_metric_mlr": ("cfa", dict(group="school", group_equal="loadings", estimator="MLR")),
    "hs_mg_configural_mlr": ("cfa", dict(group="school", estimator="MLR")),
    "pd_labels_ml": ("sem", dict()),
    "hs_mlx_ml": ("sem", dict(missing="ml.x")),
    "hs_mlx_mlr": ("sem", dict(missing="ml.x", estimator="MLR")),
    "hs_fiml_randomx_ml": ("sem", dict(missing="ml", fixed_x=False)),
    "hs_fiml_randomx_mlr": ("sem", dict(missing="ml", fixed_x=False, estimator="MLR")),
    "hs_fiml_fixedx_ml": ("sem", dict(missing="ml")),
    "pd_nonlin_eq_ml": ("sem", dict()),
    "pd_ineq_inactive_ml": ("sem", dict()),
    "pd_ineq_var_inactive_ml": ("sem", dict()),
    "pd_ineq_diff_active_ml": ("sem", dict()),
    "pd_ineq_bound_active_ml": ("sem", dict()),
    "pd_ineq_var_active_ml": ("sem", dict()),
    "growth_ml": ("growth", dict()),
    "growth_mlr": ("growth", dict(estimator="MLR")),
    "growth_cov_ml": ("growth", dict()),
    "growth_cov_mlr": ("growth", dict(estimator="MLR")),
    "survey_theta_wlsmv": ("cfa", dict(ordered=True, estimator="WLSMV", parameterization="theta")),
    "waves_theta_th_load_wlsmv": ("cfa", dict(ordered=True, group="wave", estimator="WLSMV",
                                              group_equal=["thresholds", "loadings"], parameterization="theta")),
}


# lavaan's augmented Lagrangian (nlminb.constr) stops when |change of F| < 1e-6; our solution reaches a lower F
# (test_constrained_solutions_are_at_least_as_good) and differs from lavaan's by up to 3e-4 in flat directions
LOOSE = {"pd_nonlin_eq_ml", "pd_ineq_diff_active_ml", "pd_ineq_bound_active_ml", "pd_ineq_var_active_ml"}


def fit_case(golden, name):
    fn, kw = CASES[name]
    case = golden["cases"][name]
    model = golden["models"][case["model"]]
    data = _data(case["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fn == "cfa":
            return rs.cfa(data, model, **kw), case
        return getattr(rs, fn)(model, data, **kw), case


def _key_columns(frame: pd.DataFrame, multi: bool):
    return ["lhs", "op", "rhs", "group"] if multi else ["lhs", "op", "rhs"]


def compare_estimates(fit, case, rtol=1e-4, columns=(("est", "est"), ("se", "se"), ("std_all", "std.all"),
                                                     ("std_lv", "std.lv"))):
    pe = pd.DataFrame(case["parameter_estimates"])
    multi = "group" in pe.columns and pe["group"].nunique() > 1
    ours = fit.estimates.copy()
    if not multi and "group" in pe.columns:
        pe = pe.drop(columns=["group"])
    pe = pe[pe["op"].isin(["=~", "~", "~~", "~1", "|", "~*~", ":="])]
    keys = _key_columns(ours, multi)
    if multi:
        pe["group"] = pe["group"].astype(int)
        pe.loc[pe["op"] == ":=", "group"] = 0
        ours.loc[ours["op"] == ":=", "group"] = 0
    m = pe.merge(ours, on=keys, suffixes=("_r", ""), how="left", indicator=True)
    missing = m[m["_merge"] != "both"]
    assert missing.empty, f"rows lavaan reports that we do not: {missing[keys].values.tolist()[:5]}"
    bad = []
    for ours_c, theirs in columns:
        col_r = theirs + "_r" if theirs in ours.columns else theirs
        for _, r in m.iterrows():
            v = r[col_r]
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            if theirs == "se" and v == 0:  # lavaan: se 0 for fixed rows, ours NaN
                continue
            got = r[ours_c]
            if not (abs(got - v) <= rtol * max(1.0, abs(v))):
                bad.append((r["lhs"], r["op"], r["rhs"], ours_c, got, v))
    assert not bad, bad[:8]


def compare_measures(fit, case, rtol=1e-5, skip=()):
    fi = fit.fit_indices
    bad = []
    for k, v in case["fit_measures"].items():
        if k in skip:
            continue
        name = _fit_name(k)
        if v is None:
            if name in fi.index and np.isfinite(fi[name]):
                bad.append((k, "lavaan NA", fi[name]))
            continue
        if name not in fi.index:
            bad.append((k, "missing", v))
            continue
        if not (abs(fi[name] - v) <= rtol * max(1.0, abs(v))):
            bad.append((k, fi[name], v))
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(CASES))
def test_estimates_match_lavaan(golden, name):
    fit, case = fit_case(golden, name)
    assert fit.converged
    compare_estimates(fit, case, rtol=1e-3 if name in LOOSE else 1e-4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fit_measures_match_lavaan(golden, name):
    fit, case = fit_case(golden, name)
    compare_measures(fit, case, rtol=1e-3 if name in LOOSE else 1e-5)


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.startswith("pd_ineq") or n.startswith("pd_nonlin")))
def test_constrained_solutions_are_at_least_as_good(golden, name):
    """The constraints hold to 1e-8 and F is not above lavaan's (which stops at |dF| < 1e-6)."""
    from resilience_stats.sem.constraints import Constraints

    fit, case = fit_case(golden, name)
    st = fit._state
    ce, ci = Constraints(st.pt).values(st.theta)
    assert np.all(np.abs(ce) < 1e-8) and np.all(ci > -1e-8)
    assert fit.fit_indices["fmin"] <= case["fit_measures"]["fmin"] + 1e-10
    assert fit.df == case["fit_measures"]["df"] and fit.n_params == case["fit_measures"]["npar"]


# ---------------------------------------------------------------------------------------------- modindices


MI_CASES = {
    "hs_mg_metric_ml_mi": ("cfa", dict(group="school", group_equal="loadings")),
    "survey_wlsmv_mi": ("cfa", dict(ordered=True, estimator="WLSMV")),
    "waves_th_load_wlsmv_mi": ("cfa", dict(ordered=True, group="wave", estimator="WLSMV",
                                           group_equal=["thresholds", "loadings"])),
}


@pytest.mark.parametrize("name", sorted(MI_CASES))
def test_modification_indices_match_lavaan(golden, name):
    fn, kw = MI_CASES[name]
    case = golden["cases"][name]
    data = _data(case["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.cfa(data, golden["models"][case["model"]], **kw)
    ours = fit.modification_indices()
    ref = pd.DataFrame(case["modindices"])
    keys = ["lhs", "op", "rhs"] + (["group"] if "group" in ref else [])
    ref["rhs"] = ref["rhs"].fillna("")
    m = ref.merge(ours, on=keys, how="outer", suffixes=("_r", ""), indicator=True)
    assert (m["_merge"] == "both").all(), m.loc[m["_merge"] != "both", keys + ["_merge"]].head(10).values.tolist()
    for ours_c, theirs in (("mi", "mi"), ("epc", "epc"), ("sepc_lv", "sepc.lv"), ("sepc_all", "sepc.all")):
        # the scores depend on where each optimizer stopped (lavaan: |gradient| ~ 1e-5): agreement to 1e-3
        np.testing.assert_allclose(m[ours_c].to_numpy(float), m[theirs if theirs != ours_c else theirs + "_r"]
                                   .to_numpy(float), rtol=1e-3, atol=1e-4, err_msg=f"{name} {ours_c}")


# ---------------------------------------------------------------------------------------------- std.nox


@pytest.mark.parametrize("name", ["hs_fixed_x_stdnox", "pd_obs_x_stdnox"])
def test_std_nox_matches_lavaan(golden, name):
    case = golden["cases"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.sem(golden["models"][case["model"]], _data(case["data"]))
    compare_estimates(fit, case, columns=(("est", "est"), ("std_all", "std.all"), ("std_nox", "std.nox")))


# ---------------------------------------------------------------------------------------------- residuals


def _matrix(m):
    return pd.DataFrame(m["data"], index=m["rownames"], columns=m["colnames"]).astype(float)


RESID_CASES = {"hs_ml_resid": dict(), "hs_fiml_resid": dict(missing="ml"), "hs_mg_configural_resid": dict(group="school")}


@pytest.mark.parametrize("name", sorted(RESID_CASES))
def test_standardized_residuals_match_lavaan(golden, name):
    from resilience_stats.sem.residuals import residual_summary, standardized_residuals

    case = golden["cases"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.cfa(_data(case["data"]), golden["models"][case["model"]], **RESID_CASES[name])
    z, summ = standardized_residuals(fit), residual_summary(fit)
    ref_z, ref_l = case["residuals_standardized"], case["lav_residuals"]
    groups = [None] if "cov" in ref_z else list(ref_z)
    for g in groups:
        rz = ref_z if g is None else ref_z[g]
        rl = ref_l if g is None else ref_l[g]
        oz = z if g is None else z[g]
        ol = summ if g is None else summ[g]
        a = _matrix(rz["cov"])
        # residuals inherit both optimizers' stopping points (lavaan: |gradient| ~ 1e-5): agreement to 1e-3
        np.testing.assert_allclose(oz["cov"].loc[a.index, a.columns].to_numpy(), a.to_numpy(), rtol=2e-3, atol=1e-3)
        for key in ("cov", "cov.se", "cov.z"):
            b = _matrix(rl[key])
            ours = ol[key.replace(".", "_")].loc[b.index, b.columns].to_numpy()
            np.testing.assert_allclose(ours, b.to_numpy(), rtol=2e-3, atol=1e-3, err_msg=f"{name} {g} {key}")
        ref_s = pd.DataFrame(rl["summary"]).set_index("stat")
        for col in ref_s.columns:
            for stat, v in ref_s[col].items():
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    continue
                got = ol["summary"].loc[stat.replace(".", "_"), col]
                assert got == pytest.approx(v, rel=2e-3, abs=2e-4), (name, g, col, stat, got, v)


# ---------------------------------------------------------------------------------------------- bootstrap refits


BOOT_FITS = {  # golden set -> how the fit that is bootstrapped is made
    "cluster": dict(cluster="cid"),
    "fiml": dict(missing="fiml"),
    "ordinal": dict(ordered=True, estimator="WLSMV"),
}


@pytest.mark.parametrize("name", sorted(BOOT_FITS))
def test_bootstrap_refits_match_lavaan_on_fixed_resamples(golden, name):
    """Each replicate of the bootstrap (cases, or whole clusters for a cluster= fit) refits through the pipeline;
    on the resamples drawn in R the refits equal lavaan's estimates."""
    import copy

    from resilience_stats.sem import bootstrap as bs
    from resilience_stats.sem.pipeline import _def_function

    ref = golden["bootstrap_replicates"][name]
    data = _data(ref["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.cfa(data, golden["models"][ref["model"]], **BOOT_FITS[name])
    idx = pd.read_csv(DATA / ref["indices"])
    ctx = bs._context(fit)
    models = copy.deepcopy(ctx.models)
    keys = list(zip(ref["lhs"], ref["op"], ref["rhs"]))
    est_tab = fit.estimates
    rows = [int(np.flatnonzero((est_tab["lhs"] == l) & (est_tab["op"] == o) & (est_tab["rhs"] == r))[0])
            for l, o, r in keys]
    for j, col in enumerate(idx.columns):
        if name == "cluster":
            ids = np.asarray(ctx.cluster_ids)
            drawn = pd.Series(idx[col].astype(str)).value_counts()
            counts = [np.array([drawn.get(c, 0) for c in ids])]
        else:
            counts = [np.bincount(idx[col].to_numpy() - 1, minlength=len(data))]
        est, _std = bs._fit_replicate(ctx, models, _def_function(ctx.pt), counts)
        np.testing.assert_allclose(est[rows], np.asarray(ref["est"][j], float), rtol=1e-4, atol=1e-5,
                                   err_msg=f"{name} replicate {col}")


# ---------------------------------------------------------------------------------------------- singular data


HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.mark.parametrize("case, message", [
    ("constant", "constant \\(x3\\)"),
    ("duplicate", "perfectly correlated model variables \\(x2 & x3"),
    ("never_together", "never observed together \\(x1 & x2\\)"),
    ("no_answers", "without any observed value: x3"),
])
@pytest.mark.parametrize("missing", ["fiml", "listwise"])
def test_singular_data_give_one_clear_error(case, message, missing):
    from resilience_stats.errors import ResilienceStatsError

    hs = _data("hs_missing.csv")
    d = hs.copy()
    if case == "constant":
        d["x3"] = 5.0
    elif case == "duplicate":
        d["x3"] = d["x2"]
    elif case == "never_together":
        d.loc[d["x1"].notna(), "x2"] = np.nan
    else:
        d["x3"] = np.nan
    with pytest.raises(ResilienceStatsError) as err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rs.cfa(d, HS3, missing=missing).fit_indices
    if missing == "fiml" or case in ("constant", "duplicate"):
        assert err.match(message)
    else:  # listwise: no complete case is left
        assert err.match("too few complete cases")


def test_collinear_items_give_a_readable_flagged_result():
    """x3 = x1 + x2: no pair is perfectly correlated, but the covariance matrix is singular; every attribute of
    the result can be read and the problem is flagged."""
    d = _data("hs_missing.csv")
    d["x3"] = d["x1"] + d["x2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = rs.cfa(d, HS3, missing="fiml")
    assert any("not positive definite" in w for w in fit.warnings)
    for attr in ("fit_indices", "estimates", "r2", "residuals", "implied_cov", "summary"):
        value = getattr(fit, attr)
        assert value is not None and (not callable(value) or value() is not None)
