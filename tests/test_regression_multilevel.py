"""rs.multilevel, rs.center, rs.null_model_icc, rs.deviance_test against R's lme4 (tests/golden/multilevel_lme4.R ->
.json): fixed effects, SEs, vcov, variance components, logLik / AIC / BIC / REML criterion, conditional modes,
Nakagawa-Schielzeth R^2, null-model ICC and design effect, anova() deviance tests (REML and ML) -- on lme4's
sleepstudy and on a simulated survey of residents in 40 communities (tests/data/multilevel_communities.csv).
Bad input, centring helpers, tables and the command line."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import (DataError, EstimationWarning, ModelSpecificationError,
                                     ResilienceStatsWarning)

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "multilevel_lme4.json"
FULL = dict(x=["NET", "NORM"], w=["PBL_mean", "urban"], cluster="community", center={"NET": "group", "NORM": "grand"},
            interactions=[("NET", "PBL_mean")])
RI = dict(x=["NET", "NORM"], w=["PBL_mean"], cluster="community", center={"NET": "group"})


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.exists(), f"missing golden file {GOLDEN}: run tests/golden/multilevel_lme4.R"
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "sleepstudy.csv")


@pytest.fixture(scope="module")
def comm() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "multilevel_communities.csv")


def _missing(comm):
    out = comm.copy()
    out.loc[np.arange(8, len(out), 9), "NORM"] = np.nan  # R: NORM[seq(9, n, by = 9)] <- NA
    return out


def _singleton(comm):
    c05 = np.flatnonzero(comm["community"] == "C05")
    return comm.drop(index=c05[1:]).reset_index(drop=True)


def _singular(comm):
    return rs.center(comm, "RES", by="community")


#: model name in the golden file -> (data maker, rs.multilevel arguments)
CASES = {
    "sleep_null": ("sleep", dict(y="Reaction", cluster="Subject")),
    "sleep_ri": ("sleep", dict(y="Reaction", x="Days", cluster="Subject")),
    "sleep_rs": ("sleep", dict(y="Reaction", x="Days", cluster="Subject", random_slopes="Days")),
    "comm_null": ("comm", dict(y="RES", cluster="community")),
    "comm_ri": ("comm", dict(y="RES", **RI)),
    "comm_full_ri": ("comm", dict(y="RES", **FULL)),
    "comm_rs": ("comm", dict(y="RES", random_slopes=["NET"], **FULL)),
    "comm_missing": ("missing", dict(y="RES", **RI)),
    "comm_singleton": ("singleton", dict(y="RES", min_cluster_size=1, **RI)),
    "comm_singular": ("singular", dict(y="RES_cwc", x=["NET", "NORM"], cluster="community")),
    "comm_singular_rs": ("singular", dict(y="RES_cwc", x="NET", cluster="community", random_slopes="NET")),
    "comm_singular_slope": ("comm", dict(y="RES", x="NORM", cluster="community", random_slopes="NORM")),
}


@pytest.fixture(scope="module")
def fits(sleep, comm) -> dict:
    data = {"sleep": sleep, "comm": comm, "missing": _missing(comm), "singleton": _singleton(comm),
            "singular": _singular(comm)}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResilienceStatsWarning)
        for name, (d, kw) in CASES.items():
            for crit in ("reml", "ml"):
                out[f"{name}_{crit}"] = rs.multilevel(data[d], reml=crit == "reml", **kw)
    return out


def close(a, b, rtol=1e-5, atol=1e-6):
    a = np.asarray(a, dtype=float)
    b = np.asarray([np.nan if v is None else v for v in np.ravel(b)], dtype=float).reshape(np.shape(b))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _matrix(m):
    return np.asarray(m["data"] if isinstance(m, dict) else m, dtype=float)


# ============================================================================================ against lme4

MODELS = [f"{n}_{c}" for n in CASES for c in ("reml", "ml")]


@pytest.mark.parametrize("name", MODELS)
def test_fixed_effects_and_standard_errors_match_lmer(fits, golden, name):
    res, ref = fits[name], golden["models"][name]
    assert res.n == ref["nobs"] and res.n_clusters == ref["ngrps"]
    assert len(res.fixed_effects) == len(ref["fixef_names"])
    close(res.fixed_effects["coef"], ref["fixef"])
    close(res.fixed_effects["se"], ref["se"])
    close(res.vcov.to_numpy(), _matrix(ref["vcov"]))
    close(res.fixed_effects["z"], np.asarray(ref["fixef"]) / np.asarray(ref["se"]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_variance_components_match_varcorr(fits, golden, name):
    res, ref = fits[name], golden["models"][name]
    vc = pd.DataFrame(ref["varcorr"])
    re = res.random_effects
    assert re["group"].tolist() == [("Residual" if g == "Residual" else res.cluster) for g in vc["grp"]]
    assert re["term2"].isna().tolist() == vc["var2"].isna().tolist()
    close(re["variance"], vc["vcov"])
    sdcor = np.where(re["term2"].isna(), re["sd"], re["correlation"])
    close(sdcor, vc["sdcor"], atol=1e-3 if ref["singular"] else 1e-6)  # sqrt of a variance at ~0 (see below)
    assert res.fit["singular"] == res.singular == ref["singular"]


@pytest.mark.parametrize("name", MODELS)
def test_likelihood_and_information_criteria_match(fits, golden, name):
    res, ref = fits[name], golden["models"][name]
    f = res.fit
    assert f["npar"] == ref["npar"] and f["criterion"] == ("REML" if ref["reml"] else "ML")
    close([f["loglik"], f["aic"], f["bic"], f["deviance"]], [ref["loglik"], ref["aic"], ref["bic"], ref["deviance"]],
          rtol=1e-9, atol=1e-7)
    if ref["reml"]:
        assert f["deviance"] == pytest.approx(ref["reml_crit"], abs=1e-7)  # lme4's REMLcrit()


@pytest.mark.parametrize("name", MODELS)
def test_conditional_modes_match_ranef(fits, golden, name):
    res, ref = fits[name], golden["models"][name]["ranef"]
    assert [str(c) for c in res.cluster_effects["cluster"]] == ref["cluster"]
    terms = list(res.cluster_effects.columns[2:])  # lme4 names the centred slope NET_cwc
    assert [f"{t}_cwc" if res.centering.get(t) == "group" else t for t in terms] == ref["names"]
    close(res.cluster_effects[terms].to_numpy(), _matrix(ref["values"]), rtol=1e-5, atol=1e-5)
    assert res.cluster_effects["n"].sum() == res.n


@pytest.mark.parametrize("name", MODELS)
def test_nakagawa_r2_matches_explicit_formula(fits, golden, name):
    res, ref = fits[name], golden["models"][name]["r2"]
    for key in ("var_fixed", "var_random", "var_residual", "marginal", "conditional"):
        close(res.r2[key], ref[key])


def test_random_slope_r2_uses_the_covariate_values(fits, golden):
    """Johnson's (2014) random-slope term is the mean of z_i' T z_i, not tau_00 alone."""
    res = fits["sleep_rs_reml"]
    T = res.random_effects
    tau00, tau11, tau01 = T["variance"].iloc[0], T["variance"].iloc[1], T["variance"].iloc[2]
    days = np.tile(np.arange(10.0), 18)
    expected = tau00 + 2 * tau01 * days.mean() + tau11 * (days ** 2).mean()
    assert res.r2["var_random"] == pytest.approx(expected, rel=1e-12)
    assert res.r2["var_random"] > 2 * tau00


def test_tight_optimum_is_closer_than_lmers_default_stop(fits, golden):
    """lme4's default control stops 0.01 away in the intercept variance of sleepstudy; the tight optimum (ours and
    lme4 with tight tolerances) agree to ~1e-4."""
    ours = fits["sleep_rs_reml"].random_effects["variance"].iloc[0]
    tight = golden["models"]["sleep_rs_reml"]["varcorr"][0]["vcov"]
    default = golden["default_control"]["sleep_rs_reml"]["varcorr"][0]["vcov"]
    assert abs(ours - tight) < 1e-3 < abs(default - tight)


def test_singular_fit_is_flagged_with_a_warning(comm):
    with pytest.warns(EstimationWarning, match="singular"):
        res = rs.multilevel(_singular(comm), "RES_cwc", x=["NET", "NORM"], cluster="community")
    assert res.singular and res.converged
    assert res.random_effects["variance"].iloc[0] < 1e-8
    assert any("singular" in w for w in res.warnings)


# ============================================================================================ ICC, deviance tests


@pytest.mark.parametrize("data,y,cluster,key", [("sleep", "Reaction", "Subject", "sleep"),
                                                ("comm", "RES", "community", "comm")])
@pytest.mark.parametrize("crit", ["reml", "ml"])
def test_null_model_icc_and_design_effect(sleep, comm, golden, data, y, cluster, key, crit):
    out = rs.null_model_icc(sleep if data == "sleep" else comm, y, cluster, reml=crit == "reml")
    ref = golden["icc"][f"{key}_{crit}"]
    row = out.iloc[0]
    close([row["between_variance"], row["within_variance"], row["icc"], row["mean_cluster_size"],
           row["design_effect"]], [ref["between"], ref["within"], ref["icc"], ref["mean_cluster_size"],
                                   ref["design_effect"]])
    assert row["criterion"] == crit.upper() and bool(row["converged"])


def _anova_check(out, ref, labels):
    assert out["model"].tolist() == labels
    assert out["npar"].tolist() == ref["npar"] and out["df"].iloc[1:].tolist() == ref["df"][1:]
    for col, rc in (("aic", "aic"), ("bic", "bic"), ("loglik", "loglik"), ("deviance", "deviance"),
                    ("chi2", "chisq")):
        close(out[col], ref[rc], rtol=1e-8, atol=1e-6)
    close(out["p"], ref["p"], rtol=1e-4, atol=1e-300)


def test_deviance_tests_refit_with_ml_when_fixed_effects_differ(fits, golden):
    out = rs.deviance_test(fits["sleep_null_reml"], fits["sleep_ri_reml"], names=["null", "ri"])
    _anova_check(out, golden["anova"]["sleep_null_vs_ri"], ["null", "ri"])
    assert out["likelihood"].tolist() == ["ML (refitted)"] * 2
    three = rs.deviance_test(fits["comm_rs_reml"], fits["comm_null_reml"], fits["comm_ri_reml"],
                             names=["rs", "null", "ri"])  # ordered by npar, as anova()
    _anova_check(three, golden["anova"]["comm_null_ri_rs"], ["null", "ri", "rs"])
    # already ML fits are used as they are
    ml = rs.deviance_test(fits["sleep_null_ml"], fits["sleep_ri_ml"])
    assert ml["likelihood"].tolist() == ["ML", "ML"]
    close(ml["chi2"], golden["anova"]["sleep_null_vs_ri"]["chisq"], rtol=1e-8, atol=1e-6)


def test_deviance_tests_of_the_random_part_compare_reml(fits, golden):
    out = rs.deviance_test(fits["sleep_ri_reml"], fits["sleep_rs_reml"])
    _anova_check(out, golden["anova"]["sleep_ri_vs_rs_reml"], ["Model 1", "Model 2"])
    assert out["likelihood"].tolist() == ["REML", "REML"]
    comm_out = rs.deviance_test(fits["comm_full_ri_reml"], fits["comm_rs_reml"])
    _anova_check(comm_out, golden["anova"]["comm_ri_vs_rs_reml"], ["Model 1", "Model 2"])
    forced = rs.deviance_test(fits["comm_full_ri_reml"], fits["comm_rs_reml"], refit=True)  # lme4's default
    _anova_check(forced, golden["anova"]["comm_ri_vs_rs_ml"], ["Model 1", "Model 2"])
    assert forced["likelihood"].tolist() == ["ML (refitted)"] * 2


def test_deviance_test_refusals(fits):
    with pytest.raises(ModelSpecificationError, match="REML likelihoods of models with different fixed"):
        rs.deviance_test(fits["sleep_null_reml"], fits["sleep_ri_reml"], refit=False)
    with pytest.raises(ModelSpecificationError, match="some models are REML"):
        rs.deviance_test(fits["sleep_null_reml"], fits["sleep_ri_ml"], refit=False)
    with pytest.raises(ModelSpecificationError, match="same residents"):
        rs.deviance_test(fits["sleep_null_reml"], fits["comm_null_reml"])
    with pytest.raises(ModelSpecificationError, match="same residents"):
        rs.deviance_test(fits["comm_ri_reml"], fits["comm_missing_reml"])
    with pytest.raises(ModelSpecificationError, match="two or more"):
        rs.deviance_test(fits["comm_ri_reml"])
    with pytest.raises(ModelSpecificationError, match="refit must be"):
        rs.deviance_test(fits["sleep_null_reml"], fits["sleep_ri_reml"], refit="yes")


def test_group_and_grand_centring_are_not_nested(comm):
    raw = rs.multilevel(comm, "RES", x=["NET"], w=["urban"], cluster="community")
    grand = rs.multilevel(comm, "RES", x=["NET"], w=["urban", "PBL_mean"], cluster="community",
                          center={"NET": "grand"})
    assert rs.deviance_test(raw, grand)["df"].iloc[1] == 1  # grand-mean centring is a shift: still nested
    within = rs.multilevel(comm, "RES", x=["NET"], w=["urban", "PBL_mean"], cluster="community",
                           center={"NET": "group"})
    with pytest.raises(ModelSpecificationError, match="not nested"):
        rs.deviance_test(raw, within)


def test_refit_switches_criterion_and_keeps_the_design(fits, golden):
    ml = fits["comm_rs_reml"].refit(reml=False)
    assert ml.fit["criterion"] == "ML" and fits["comm_rs_reml"].refit(reml=True) is fits["comm_rs_reml"]
    close(ml.fixed_effects["coef"], golden["models"]["comm_rs_ml"]["fixef"])
    assert ml.centering == {"NET": "group", "NORM": "grand"} and ml.interactions == ["NET:PBL_mean"]


# ============================================================================================ centring


def test_center_group_and_grand_closed_form():
    df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "v": [1.0, 2.0, np.nan, 10.0, 14.0], "u": [0, 1, 2, 3, 4]})
    before = df.copy()
    out = rs.center(df, ["v", "u"], by="g")
    pd.testing.assert_frame_equal(df, before)
    assert out["v_mean"].tolist() == [1.5, 1.5, 1.5, 12.0, 12.0]
    assert out["v_cwc"].tolist()[:2] == [-0.5, 0.5] and np.isnan(out["v_cwc"].iloc[2])
    assert out["u_mean"].tolist() == [1.0, 1.0, 1.0, 3.5, 3.5] and out["u_cwc"].tolist() == [-1, 0, 1, -0.5, 0.5]
    grand = rs.center(df, "v")
    assert grand["v_gmc"].iloc[[0, 1, 3, 4]].tolist() == [-5.75, -4.75, 3.25, 7.25]
    assert list(grand.columns) == ["g", "v", "u", "v_gmc"]


def test_center_refusals():
    df = pd.DataFrame({"g": ["a", None, "b"], "v": [1.0, 2.0, 3.0], "v_gmc": [0, 0, 0], "t": ["x", "y", "z"]})
    with pytest.raises(DataError, match="1 row.*no cluster id"):
        rs.center(df, "v", by="g")
    with pytest.raises(DataError, match="exist already"):
        rs.center(df, "v")
    with pytest.raises(DataError, match="not numeric"):
        rs.center(df, "t")
    with pytest.raises(DataError, match="unknown column"):
        rs.center(df, "nope")


def test_centring_and_cluster_means_use_the_model_cases(comm, fits):
    """comm_missing: NORM missing in every 9th row; the cluster means of NET and PBL come from the complete cases
    (the lme4 golden centres on them too). Precomputed means from all rows give a different model."""
    miss = _missing(comm)
    pre = rs.center(miss, ["NET", "PBL"], by="community")
    other = rs.multilevel(pre, "RES", x=["NET_cwc", "NORM"], w=["PBL_mean"], cluster="community")
    assert abs(other.fixed_effects["coef"].iloc[3] - fits["comm_missing_reml"].fixed_effects["coef"].iloc[3]) > 1e-4
    complete = miss.dropna().reset_index(drop=True)
    pre_cc = rs.center(complete, ["NET", "PBL"], by="community")
    same = rs.multilevel(pre_cc, "RES", x=["NET_cwc", "NORM"], w=["PBL_mean"], cluster="community")
    close(same.fixed_effects["coef"], fits["comm_missing_reml"].fixed_effects["coef"], rtol=1e-6)
    assert fits["comm_missing_reml"].n_dropped == 117


def test_input_frames_are_not_modified(comm):
    before = comm.copy()
    rs.multilevel(comm, "RES", **FULL)
    rs.null_model_icc(comm, "RES", "community")
    pd.testing.assert_frame_equal(comm, before)


# ============================================================================================ bad input


def test_single_resident_clusters_are_an_error_unless_kept(comm, fits, golden):
    with pytest.raises(DataError, match=r"1 cluster\(s\) of 'community' with fewer than 2 resident.*"
                                        r"min_cluster_size=1"):
        rs.multilevel(_singleton(comm), "RES", **RI)
    with pytest.warns(ResilienceStatsWarning, match="1 cluster.*single resident.*kept"):
        res = rs.multilevel(_singleton(comm), "RES", min_cluster_size=1, **RI)
    assert res.n_clusters == 40 and res.fit["min_cluster_size"] == 1
    close(res.fixed_effects["coef"], golden["models"]["comm_singleton_reml"]["fixef"])


@pytest.mark.parametrize("change,kwargs,error,text", [
    (None, dict(w=["NET"]), DataError, "level-2 predictor 'NET' varies within 40 cluster"),
    ("one_cluster", {}, DataError, "at least 2 clusters"),
    ("missing_id", {}, DataError, "2 row.*no cluster id"),
    ("all_single", {}, DataError, "every cluster .* single resident"),
    (None, dict(w=["nope_mean"]), DataError, "unknown variable"),
    (None, dict(cluster="nope"), DataError, "unknown cluster column"),
    (None, dict(x=["NET"], random_slopes=["urban"], w=["urban"]), ModelSpecificationError, "level-2 predictor has"),
    (None, dict(x=["NET"], random_slopes=["NORM"]), ModelSpecificationError, "needs a level-1 predictor"),
    (None, dict(x=["NET", "urban"], random_slopes=["urban"]), ModelSpecificationError, "does not vary within"),
    (None, dict(x=["NET"], w=["urban"], center={"urban": "group"}), ModelSpecificationError, "use 'grand'"),
    (None, dict(x=["NET"], center={"NET": "cluster"}), ModelSpecificationError, "'group' or 'grand'"),
    (None, dict(x=["NET"], center={"NORM": "grand"}), ModelSpecificationError, "not among the predictors"),
    (None, dict(x=["NET"], interactions=[("NET", "NORM")]), ModelSpecificationError, "NORM is not among"),
    (None, dict(x=["NET"], interactions=["NET"]), ModelSpecificationError, "pair of two different"),
    (None, dict(x=["NET", "RES"]), ModelSpecificationError, "named twice: RES"),
    (None, dict(x=["NET"], w=["urban", "PBL_mean"], center={"NET": "group"}, interactions=["NET:urban", "urban:NET"]),
     ModelSpecificationError, "named twice"),
    ("collinear", dict(x=["NET", "NET2"]), ModelSpecificationError, "'NET2' is a linear combination"),
    (None, dict(level=0.3), ModelSpecificationError, "level must lie"),
])
def test_bad_input_gives_one_clear_error(comm, change, kwargs, error, text):
    df = comm.copy()
    if change == "one_cluster":
        df["community"] = "C01"
    elif change == "missing_id":
        df.loc[[3, 50], "community"] = np.nan
    elif change == "all_single":
        df = df.drop_duplicates("community")
    elif change == "collinear":
        df["NET2"] = 2 * df["NET"] + 1
    args = {"cluster": "community", **kwargs}
    with pytest.raises(error, match=text):
        rs.multilevel(df, "RES", **args)


def test_too_many_random_effects_for_the_residents():
    df = pd.DataFrame({"g": np.repeat(np.arange(10), 2), "x": np.tile([0.0, 1.0], 10),
                       "y": np.arange(20.0) % 7})
    with pytest.raises(ModelSpecificationError, match="too few for 20 random effects"):
        rs.multilevel(df, "y", x="x", cluster="g", random_slopes="x")


def test_level_two_outcome_is_refused_and_level_two_x_is_labelled(comm):
    with pytest.raises(DataError, match="outcome 'urban' does not vary within any cluster"):
        rs.multilevel(comm, "urban", x="NET", cluster="community")
    res = rs.multilevel(comm, "RES", x=["NET", "urban"], cluster="community", interactions=[("NET", "urban")])
    assert res.fixed_effects["level"].tolist() == ["", "1", "2", "cross-level"]
    assert res.refit(reml=False).fixed_effects["level"].tolist() == ["", "1", "2", "cross-level"]


def test_a_missing_cluster_id_is_an_error_even_in_an_incomplete_row(comm):
    df = comm.copy()
    df.loc[7, ["community", "RES"]] = np.nan
    with pytest.raises(DataError, match="no cluster id"):
        rs.multilevel(df, "RES", cluster="community")


# ============================================================================================ presentation


def test_summary_and_tables(fits):
    res = fits["comm_rs_reml"]
    text = res.summary()
    assert "Linear mixed model fit by REML" in text and "REML criterion 2552.6494" in text
    assert "NET:PBL_mean" in text and "cross-level" in text and "Centred: NET (within cluster)" in text
    t = res.to_table()
    shown = t.display()
    terms = shown["term"].tolist()
    assert terms[:6] == ["Intercept", "NET (level 1)", "NORM (level 1)", "PBL_mean (level 2)", "urban (level 2)",
                         "NET × PBL_mean (cross-level)"]
    assert shown["coef"].tolist()[:2] == ["3.03", "0.22"] and shown["p"].iloc[2] == "< .001"
    assert "Slope variance of NET" in terms and shown["coef"][terms.index("Correlation Intercept, NET")] == "-.15"
    assert shown["coef"][terms.index("Clusters (community)")] == "40"
    assert shown["coef"][terms.index("Marginal R²")] == f"{res.r2['marginal']:.3f}".lstrip("0")
    zh = res.to_table(lang="zh", style="three-line")
    md = zh.to_markdown()
    assert "RES 的多层线性模型" in md and "跨层交互" in md and "条件 R²" in md
    assert rs.tables.from_result(res).display().equals(shown)
    with pytest.raises(ValueError, match="kind must be 'model'"):
        res.to_table("paths")


def test_cli_multilevel_text_json_csv(tmp_path):
    from typer.testing import CliRunner

    from resilience_stats.cli import app

    path = tmp_path / "wave.csv"
    rs.example_survey("party_building_social_capital", n=200, seed=6, communities=20).to_csv(path, index=False)
    runner = CliRunner()
    base = ["multilevel", str(path), "-i", "party_building_social_capital", "-y", "RES", "-x", "NET,NORM",
            "--w", "PBL_mean", "--cluster", "community", "--center", "NET=group"]
    text = runner.invoke(app, base)
    assert text.exit_code == 0, text.output
    assert "Linear mixed model fit by REML" in text.stdout and "Null model: ICC =" in text.stdout
    out = runner.invoke(app, [*base, "--format", "json", "--ml"])
    assert out.exit_code == 0, out.output
    frames = json.loads(out.stdout)
    wave = rs.read_survey(str(path), "party_building_social_capital")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResilienceStatsWarning)
        ref = rs.multilevel(wave, "RES", ["NET", "NORM"], ["PBL_mean"], cluster="community",
                            center={"NET": "group"}, reml=False)
    close([r["coef"] for r in frames["fixed_effects"]], ref.fixed_effects["coef"], rtol=1e-9, atol=1e-12)
    assert frames["fit"][0]["criterion"] == "ML" and len(frames["cluster_effects"]) == 20
    csv = runner.invoke(app, [*base, "--format", "csv", "--cluster", "community"])
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0].startswith("term,level,coef,se,z,p")
    default_cluster = runner.invoke(app, base[:-4] + base[-2:])  # --cluster from the instrument's cluster field
    assert default_cluster.exit_code == 0 and default_cluster.stdout == text.stdout
    assert runner.invoke(app, [*base[:-2], "--center", "NET=middle"]).exit_code == 2
    bad = runner.invoke(app, [*base[:-2], "-x", "NORM", "--w", "NET"])  # a level-1 variable given as level 2
    assert bad.exit_code == 1 and "varies within" in bad.output


@pytest.mark.parametrize("module", ["resilience_stats.regression.multilevel", "resilience_stats.tables.multilevel"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(module)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > (3 if module.endswith("regression.multilevel") else 0)


def test_non_convergence_is_flagged(comm, monkeypatch):
    import importlib

    ml = importlib.import_module("resilience_stats.regression.multilevel")  # the package exports the function
    monkeypatch.setattr(ml, "_MAXITER", 1)
    with pytest.warns(EstimationWarning, match="did not converge"):
        res = rs.multilevel(comm, "RES", random_slopes=["NET"], **FULL)
    assert not res.converged and not res.fit["converged"]
    assert "did not converge" in res.summary()
