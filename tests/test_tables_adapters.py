"""Results objects -> publication tables: ``.to_table()`` of every result and ``rs.tables.from_result``."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.tables import PubTable, from_result
from resilience_stats.tables.adapters import INVARIANCE_LEVELS, fit_frame
from resilience_stats.tables.format import format_number, format_p

NAME = "party_building_social_capital"
LANGS = ("en", "zh")
SRC = Path(rs.__file__).resolve().parent


def num(x, d=2):
    return format_number(x, d)


def bounded(x, d=2):
    return format_number(x, d, leading_zero=False)


@pytest.fixture(scope="module")
def wave():
    return rs.read_survey(rs.example_survey(NAME, n=200, seed=3, waves=2), NAME)


@pytest.fixture(scope="module")
def inst(wave):
    return wave.instrument


@pytest.fixture(scope="module")
def cfa_fit(wave, inst):
    return rs.cfa(wave, inst.measurement_model())


@pytest.fixture(scope="module")
def sem_fit(wave):
    return rs.sem(rs.models.get("chen_zhang").syntax, wave)


@pytest.fixture(scope="module")
def validity(cfa_fit):
    return rs.validity(cfa_fit)


@pytest.fixture(scope="module")
def boot(sem_fit):
    return sem_fit.bootstrap(n=30, seed=1, n_jobs=1, progress=False)


@pytest.fixture(scope="module")
def inv(wave, inst):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rs.ResilienceStatsWarning)  # per-group n below the rule of thumb
        return rs.invariance(inst.measurement_model(), wave.data, group="wave", levels=("configural", "metric"))


@pytest.mark.parametrize("lang", LANGS)
def test_sem_paths_show_b_se_beta(sem_fit, lang):
    t = sem_fit.to_table(lang=lang)  # default for a model with regressions: paths
    assert isinstance(t, PubTable) and t.lang == lang
    shown = t.display()
    est = sem_fit.estimates
    reg = est[est["op"] == "~"].reset_index(drop=True)
    first = reg[reg["lhs"] == reg["lhs"].iloc[0]].iloc[0]
    row = shown.iloc[0]
    assert row["est"] == num(first["est"]) and row["se"] == num(first["se"])
    assert row["std_all"].rstrip("*") == bounded(first["std_all"])
    assert row["r2"] == bounded(sem_fit.r2[first["lhs"]])
    assert len(shown) == len(reg)


@pytest.mark.parametrize("lang", LANGS)
def test_sem_loadings_fit_indirect(cfa_fit, sem_fit, inst, lang):
    loads = cfa_fit.to_table(lang=lang, instrument=inst)  # no regressions: loadings
    est = cfa_fit.estimates
    first = est[est["op"] == "=~"].iloc[1]
    assert loads.display().iloc[1]["std_all"] == bounded(first["std_all"])
    assert loads.display().iloc[0]["construct"] == inst.construct_name("PBL", lang)
    fit = cfa_fit.to_table("fit", lang=lang, decimals=3).display().iloc[0]
    assert fit["cfi"] == bounded(cfa_fit.fit_indices["cfi"], 3)
    assert fit["df"] == format_number(cfa_fit.fit_indices["df"], 0)
    ind = sem_fit.to_table("indirect", lang=lang).display()
    est_defined = sem_fit.estimates[sem_fit.estimates["op"] == ":="]
    assert len(ind) == len(est_defined)
    assert ind.iloc[0]["est"] == num(est_defined.iloc[0]["est"])
    assert ind.iloc[0]["ci_lower"] == num(est_defined.iloc[0]["ci_lower"])


def test_competing_models_chi_square_difference(wave, cfa_fit):
    one = rs.cfa(wave, "G =~ " + " + ".join(wave.item_ids))
    frame = fit_frame({"One factor": one, "Model": cfa_fit})
    assert frame["delta_df"].iloc[1] == one.df - cfa_fit.df
    assert np.isclose(frame["delta_chisq"].iloc[1], one.fit_indices["chisq"] - cfa_fit.fit_indices["chisq"])
    shown = from_result({"One factor": one, "Model": cfa_fit}, decimals=3).display()
    assert shown["delta_df"].tolist() == ["", format_number(frame["delta_df"].iloc[1], 0)]
    assert shown["p_diff"].iloc[1] == format_p(frame["p_diff"].iloc[1])


@pytest.mark.parametrize("lang", LANGS)
def test_bootstrap_indirect_and_paths(boot, sem_fit, lang):
    t = boot.to_table(lang=lang)  # default: indirect effects with bootstrap CIs
    shown = t.display()
    d = boot.estimates[boot.estimates["op"] == ":="].reset_index(drop=True)
    assert shown["ci_lower"].tolist() == [num(v) for v in d["ci_lower"]]
    assert shown["ci_upper"].tolist() == [num(v) for v in d["ci_upper"]]
    note = "".join(r.text for para in t.note_paragraphs() for r in para)
    assert "30" in note
    named = boot.to_table(labels={"ind_net": "PBL -> NET -> RES"}, lang=lang).display()
    assert named["effect"].iloc[d["lhs"].tolist().index("ind_net")] == "PBL -> NET -> RES"
    paths = boot.to_table("paths", fit=sem_fit, lang=lang).display()
    reg = boot.estimates[boot.estimates["op"] == "~"]
    assert sorted(paths["se"]) == sorted(num(v) for v in reg["se"])


@pytest.mark.parametrize("lang", LANGS)
def test_validity_tables(validity, cfa_fit, wave, inst, lang):
    rel = validity.to_table(lang=lang).display()  # reliability: CR and AVE
    assert rel["cr"].tolist() == [bounded(v) for v in validity.reliability["cr"]]
    assert rel["ave"].tolist() == [bounded(v) for v in validity.reliability["ave"]]
    with_loads = validity.to_table("reliability", fit=cfa_fit, reliability=rs.reliability(wave), lang=lang,
                                   instrument=inst).display()
    cr_pbl = validity.reliability.set_index("factor").loc["PBL", "cr"]
    assert with_loads.iloc[0]["cr"] == bounded(cr_pbl) and with_loads.iloc[1]["cr"] == ""
    assert with_loads.iloc[0]["alpha"] != ""
    h = validity.to_table("htmt", lang=lang).display()
    assert h.iloc[1]["1"] == num(validity.htmt.iloc[1, 0])
    fl = validity.to_table("fornell_larcker", lang=lang).display()
    assert fl.iloc[0]["1"] == bounded(validity.fornell_larcker.iloc[0, 0])  # sqrt(AVE)
    assert fl.iloc[1]["1"] == bounded(validity.fornell_larcker.iloc[1, 0])
    assert fl.iloc[1]["2"] == bounded(np.sqrt(validity.reliability.set_index("factor").loc["NET", "ave"]))


@pytest.mark.parametrize("lang", LANGS)
def test_invariance_table(inv, lang):
    t = inv.to_table(lang=lang)
    shown = t.display()
    assert shown["model"].tolist() == [INVARIANCE_LEVELS[lev][lang] for lev in inv.table["level"]]
    assert shown["delta_cfi"].iloc[1] == bounded(inv.table["delta_cfi"].iloc[1], 3)
    assert shown["delta_cfi"].iloc[0] == ""
    assert shown["cfi"].iloc[0] == bounded(inv.table["cfi"].iloc[0], 3)


@pytest.mark.parametrize("lang", LANGS)
def test_efa_table(wave, lang):
    efa = rs.efa(wave, n_factors=3)
    t = efa.to_table(lang=lang, suppress=0.4)
    shown = t.display()
    L = efa.loadings
    item, factor = L.index[0], L.columns[0]
    v = L.loc[item, factor]
    assert shown.iloc[0][str(factor)] == (bounded(v) if abs(v) >= 0.4 else "")
    assert shown.iloc[0]["h2"] == bounded(efa.communalities[item])


@pytest.mark.parametrize("lang", LANGS)
def test_dataframe_results_by_columns(wave, lang):
    rel = rs.reliability(wave)
    shown = from_result(rel, lang=lang).display()
    assert shown["alpha"].tolist() == [bounded(v) for v in rel["alpha"]]
    items = rs.item_analysis(wave)
    shown = from_result(items, lang=lang).display()
    assert shown["mean"].iloc[0] == num(items["mean"].iloc[0])
    with pytest.raises(ValueError):
        from_result(pd.DataFrame({"x": [1]}))


def test_power_table():
    res = rs.power("F =~ .7*a + .7*b + .7*c\nY ~ .3*F\n", "F =~ a + b + c\nY ~ F\n", n=[80], reps=4, seed=1,
                   n_jobs=1)
    shown = res.to_table(lang="zh").display()
    tab = res.table.assign(p=[lab or f"{l} {o} {r}" for l, o, r, lab in
                              zip(res.table["lhs"], res.table["op"], res.table["rhs"], res.table["label"])])
    assert shown["power"].tolist() == [bounded(v) for v in tab.sort_values(["p", "n"], kind="stable")["power"]]


def test_unknown_kind_and_type(cfa_fit):
    with pytest.raises(ValueError, match="kind"):
        cfa_fit.to_table("nonsense")
    with pytest.raises(TypeError):
        from_result(object())


@pytest.mark.parametrize("module", ["psychometrics/efa.py", "sem/results.py", "sem/bootstrap.py", "sem/validity.py",
                                    "sem/invariance.py", "power.py"])
def test_statistics_modules_import_tables_lazily(module):
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    for node in tree.body:  # module level: no import of the presentation layer
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [getattr(node, "module", "") or ""] + [a.name for a in node.names]
            assert not any("tables" in n or "report" in n for n in names), (module, names)
    assert "def to_table(" in (SRC / module).read_text(encoding="utf-8")
