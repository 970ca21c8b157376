"""psychometrics vs R psych 2.2.9 on bfi (tests/golden/psych_bfi.json, tests/golden/psych_extra.json)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.psychometrics import (
    efa,
    factorability,
    item_analysis,
    parallel_analysis,
    polychoric,
    reliability,
)

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "psych_bfi.json"
EXTRA = HERE / "golden" / "psych_extra.json"
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]

# a missing golden file fails: it is part of the project


def _mat(d) -> pd.DataFrame:
    return pd.DataFrame(np.array(d["data"], dtype=float), index=d["rownames"], columns=d["colnames"])


@pytest.fixture(scope="module")
def gold():
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def extra():
    return json.loads(EXTRA.read_text())


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "bfi.csv").iloc[:, :25]


@pytest.fixture(scope="module")
def scales(gold) -> dict:
    return {name: a["items"] for name, a in gold["alpha"].items()}


# ------------------------------------------------------------------------------------------- reliability --
@pytest.fixture(scope="module")
def rel(items, scales):
    return reliability(items, constructs=scales, reverse=REVERSED).set_index("construct")


def test_alpha_alpha_std_avg_r(rel, gold):
    for name, a in gold["alpha"].items():
        tot = a["total"]
        assert rel.loc[name, "alpha"] == pytest.approx(tot["raw_alpha"], abs=1e-10)
        assert rel.loc[name, "alpha_std"] == pytest.approx(tot["std.alpha"], abs=1e-10)
        assert rel.loc[name, "avg_r"] == pytest.approx(tot["average_r"], abs=1e-10)
        assert rel.loc[name, "n_items"] == 5
        assert rel.loc[name, "n_obs"] == 2800


def test_feldt_ci(rel, gold):
    for name, a in gold["alpha"].items():
        assert rel.loc[name, "alpha_ci_lower"] == pytest.approx(a["feldt"]["lower_ci"], abs=1e-10)
        assert rel.loc[name, "alpha_ci_upper"] == pytest.approx(a["feldt"]["upper_ci"], abs=1e-10)


def test_omega_total(rel, gold):
    for name, o in gold["omega"].items():
        assert rel.loc[name, "omega_total"] == pytest.approx(o["psych_omega"]["omega_tot"], abs=1e-6)


def test_alpha_listwise(items, extra):
    g = extra["alpha_listwise"]
    sub = items[["A1", "A2", "A3", "A4", "A5"]]
    r = reliability(sub, reverse=["A1"], missing="listwise")
    assert r.loc[0, "alpha"] == pytest.approx(g["raw_alpha"], abs=1e-10)
    assert r.loc[0, "alpha_std"] == pytest.approx(g["std_alpha"], abs=1e-10)
    assert r.loc[0, "n_obs"] == g["n_complete"]
    ia = item_analysis(sub, reverse=["A1"], missing="listwise")
    np.testing.assert_allclose(ia["r_drop"], g["r_drop"], atol=1e-10)
    np.testing.assert_allclose(ia["alpha_if_deleted"], g["alpha_drop"], atol=1e-10)


# ----------------------------------------------------------------------------------------- item analysis --
def test_item_analysis_r_drop_alpha_if_deleted(items, scales, gold):
    ia = item_analysis(items, constructs=scales, reverse=REVERSED)
    assert list(ia["item"]) == [i for its in scales.values() for i in its]
    for name, a in gold["alpha"].items():
        sub = ia[ia["construct"] == name]
        np.testing.assert_allclose(sub["r_drop"], [r["r.drop"] for r in a["item_stats"]], atol=1e-10)
        np.testing.assert_allclose(sub["alpha_if_deleted"], [r["raw_alpha"] for r in a["alpha_drop"]], atol=1e-10)
        np.testing.assert_allclose(sub["n"], [r["n"] for r in a["item_stats"]])
        np.testing.assert_allclose(sub["mean"], [r["mean"] for r in a["item_stats"]], atol=1e-10)
        np.testing.assert_allclose(sub["sd"], [r["sd"] for r in a["item_stats"]], atol=1e-10)
    assert ia["flag_weak"].tolist() == (ia["r_drop"] < 0.30).tolist()


# ------------------------------------------------------------------------------------------ factorability --
def test_kmo_bartlett_determinant(items, gold):
    f = factorability(items)
    assert f.kmo == pytest.approx(gold["kmo"]["MSA"], abs=1e-10)
    np.testing.assert_allclose(f.msa.to_numpy(), list(gold["kmo"]["MSAi"].values()), atol=1e-10)
    assert list(f.msa.index) == list(gold["kmo"]["MSAi"])
    assert f.bartlett_chisq == pytest.approx(gold["bartlett"]["chisq"], rel=1e-10)
    assert f.bartlett_df == gold["bartlett"]["df"]
    assert f.bartlett_p == pytest.approx(gold["bartlett"]["p_value"], abs=1e-300)
    assert f.determinant == pytest.approx(gold["correlation"]["det"], rel=1e-8)
    assert f.n_obs == 2800


# ------------------------------------------------------------------------------------- parallel analysis --
def test_parallel_fa(items, gold):
    g = gold["fa_parallel"]["fa"]
    res = parallel_analysis(items, n_iter=100, seed=0, kind="fa")
    np.testing.assert_allclose(res.eigenvalues["observed"], g["fa_values"], atol=1e-6)
    assert res.n_factors == g["nfact"] == 6
    # simulated eigenvalues are random: only the same ballpark as psych's
    np.testing.assert_allclose(res.eigenvalues["simulated_mean"][:6], g["fa_sim"][:6], atol=0.05)
    assert res.eigenvalues["retain"].sum() == 6


def test_parallel_pca(items, gold):
    g = gold["fa_parallel"]["both"]
    res = parallel_analysis(items, n_iter=50, seed=1, kind="pca")
    np.testing.assert_allclose(res.eigenvalues["observed"], g["pc_values"], atol=1e-10)
    assert res.n_factors == g["ncomp"]


# -------------------------------------------------------------------------------------------------- EFA --
EFA_CASES = {
    "minres_oblimin": ("minres", "oblimin"),
    "ml_promax": ("ml", "promax"),
    "ml_varimax": ("ml", "varimax"),
    "minres_none": ("minres", "none"),
    "ml_none": ("ml", "none"),
}


def _align(ours: pd.DataFrame, ref: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    """Match our factors to psych's by the largest absolute congruence, and their signs."""
    o, r = ours.to_numpy(), ref.to_numpy()
    cong = (r.T @ o) / np.outer(np.linalg.norm(r, axis=0), np.linalg.norm(o, axis=0))
    perm = [int(np.argmax(np.abs(cong[j]))) for j in range(r.shape[1])]
    assert sorted(perm) == list(range(r.shape[1]))
    signs = np.sign(cong[np.arange(r.shape[1]), perm])
    return perm, signs


def _check_efa(res, g, phi_expected: bool):
    ref = _mat(g["loadings"])
    perm, signs = _align(res.loadings, ref)
    ours = res.loadings.to_numpy()[:, perm] * signs
    assert np.abs(ours - ref.to_numpy()).max() < 0.01
    # psych orders the same way, with the same signs
    assert perm == list(range(ref.shape[1])) and (signs > 0).all()
    np.testing.assert_allclose(res.communalities, list(g["communality"].values()), atol=1e-4)
    np.testing.assert_allclose(res.uniquenesses, list(g["uniquenesses"].values()), atol=1e-4)
    va = _mat(g["Vaccounted"]).to_numpy()
    np.testing.assert_allclose(res.variance.to_numpy().T[: va.shape[0]], va, atol=1e-4)
    if phi_expected:
        np.testing.assert_allclose(res.phi.to_numpy(), _mat(g["Phi"]).to_numpy(), atol=1e-3)
        if "Structure" in g:
            np.testing.assert_allclose(res.structure.to_numpy(), _mat(g["Structure"]).to_numpy(), atol=1e-3)
        # communality of an oblique solution = rowSums(pattern * structure)
        h2 = (res.loadings.to_numpy() * res.structure.to_numpy()).sum(axis=1)
        np.testing.assert_allclose(h2, res.communalities, atol=1e-8)
    else:
        np.testing.assert_allclose(res.phi.to_numpy(), np.eye(res.phi.shape[0]), atol=1e-12)
    assert res.chisq == pytest.approx(g["STATISTIC"], rel=1e-5)
    assert res.df == g["dof"]
    assert res.tli == pytest.approx(g["TLI"], abs=1e-4)
    rm = g["RMSEA"]
    assert res.rmsea == pytest.approx(rm["RMSEA"] if isinstance(rm, dict) else rm[0], abs=1e-4)
    if isinstance(rm, dict):
        assert res.rmsea_ci[0] == pytest.approx(rm["lower"], abs=1e-4)
        assert res.rmsea_ci[1] == pytest.approx(rm["upper"], abs=1e-4)
    assert res.rms == pytest.approx(g["rms"], abs=1e-6)


@pytest.mark.parametrize("case", list(EFA_CASES))
def test_efa_vs_psych(items, gold, case):
    method, rotation = EFA_CASES[case]
    res = efa(items, 5, method=method, rotation=rotation)
    g = gold["efa"][case]
    _check_efa(res, g, phi_expected=g["Phi"] is not None)
    np.testing.assert_allclose(res.eigenvalues["reduced"], g["values"], atol=1e-4)
    np.testing.assert_allclose(res.eigenvalues["observed"], g["e_values"], atol=1e-10)


@pytest.mark.parametrize("case", ["pa_oblimin", "pa_varimax", "minres_promax_3"])
def test_efa_extra_vs_psych(items, extra, case):
    g = extra["efa"][case]
    if case == "minres_promax_3":
        res = efa(items.iloc[:, :15], 3, method="minres", rotation="promax")
    else:
        res = efa(items, 5, method="principal", rotation=case.split("_")[1])
    _check_efa(res, g, phi_expected=g["Phi"] is not None)


def test_efa_flags(items, gold):
    res = efa(items, 5)
    fl = res.flags
    absl = res.loadings.abs()
    assert fl["weak"].tolist() == (absl.max(axis=1) < 0.40).tolist()
    assert fl["cross_loading"].tolist() == ((absl >= 0.30).sum(axis=1) >= 2).tolist()
    # in psych's minres/oblimin solution N4 (N and E) and O4 (O and N) cross-load; O4 is also weak
    assert fl.index[fl["cross_loading"]].tolist() == ["N4", "O4"]
    assert fl.index[fl["weak"]].tolist() == ["O4"]


# ------------------------------------------------------------------------------------------- polychoric --
def test_polychoric_bfi(items, gold):
    res = polychoric(items)
    np.testing.assert_allclose(res.corr.to_numpy(), _mat(gold["polychoric"]["rho"]).to_numpy(), atol=0.005)
    assert np.abs(res.corr.to_numpy() - _mat(gold["polychoric"]["rho"]).to_numpy()).max() < 1e-4
    np.testing.assert_allclose(res.thresholds.to_numpy(), _mat(gold["polychoric"]["tau"]).to_numpy(), atol=1e-10)
    assert res.global_thresholds and not res.smoothed
    assert res.n_obs == 2800


@pytest.mark.parametrize("key,correct", [("correct_05", 0.5), ("correct_0", 0.0)])
def test_polychoric_unequal_categories(items, extra, key, correct):
    pdat = items[["A1", "A2", "A3", "A4", "A5"]].copy()
    pdat["A1"] = np.ceil(pdat["A1"] / 2)
    with pytest.warns(Warning, match="equal number of response alternatives"):
        res = polychoric(pdat, correct=correct)
    g = extra["polychoric_unequal"][key]
    np.testing.assert_allclose(res.corr.to_numpy(), _mat(g["rho"]).to_numpy(), atol=1e-4)
    tau = _mat(g["tau"]).to_numpy()
    ok = np.isfinite(tau)
    np.testing.assert_allclose(res.thresholds.to_numpy()[ok], tau[ok], atol=1e-10)
    assert not res.global_thresholds


def test_ordinal_reliability_uses_polychoric(items, scales, gold):
    rel = reliability(items, constructs={"agreeableness": scales["agreeableness"]}, reverse=["A1"], ordinal=True)
    rho = _mat(gold["polychoric"]["rho"]).loc[scales["agreeableness"], scales["agreeableness"]].to_numpy()
    sign = np.array([-1, 1, 1, 1, 1])
    rho = rho * np.outer(sign, sign)
    k = 5
    assert rel.loc[0, "ordinal_alpha"] == pytest.approx((1 - k / rho.sum()) * k / (k - 1), abs=1e-4)
    assert rel.loc[0, "ordinal_omega"] > rel.loc[0, "omega_total"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reliability(items[scales["openness"]], reverse=["O2", "O5"], ordinal=True)


def test_item_skew_kurtosis_vs_describe(items, extra):
    g = extra["describe"]
    with pytest.warns(Warning, match="negative corrected item-total"):   # E1 unreversed in one big scale
        ia = item_analysis(items, by_construct=False).set_index("item")
    np.testing.assert_allclose(ia.loc[list(g["skew"]), "skew"], list(g["skew"].values()), atol=1e-10)
    np.testing.assert_allclose(ia.loc[list(g["kurtosis"]), "kurtosis"], list(g["kurtosis"].values()), atol=1e-10)
    np.testing.assert_allclose(ia.loc[list(g["n"]), "n"], list(g["n"].values()))
    np.testing.assert_allclose(ia["pct_missing"], 100 * items.isna().mean().to_numpy(), atol=1e-12)


@pytest.mark.parametrize("key,correct", [("correct_05", 0.5), ("correct_0", 0.0)])
def test_polychoric_sparse_continuity_correction(items, extra, key, correct):
    sdat = items[["A1", "A2", "A3", "A4", "A5"]].iloc[:120].copy()
    sdat["A1"] = np.ceil(sdat["A1"] / 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = polychoric(sdat, correct=correct)
    ref = _mat(extra["polychoric_sparse"][key]["rho"]).to_numpy()
    np.testing.assert_allclose(res.corr.to_numpy(), ref, atol=1e-4)
    assert any("continuity correction" in str(w.message) for w in caught) == (correct > 0)
