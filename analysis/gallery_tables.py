# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Gallery of the standard publication tables
#
# Every standard table of `resilience_stats.tables`, computed on the example survey (two waves of
# residents in 20 communities) and built from the results objects with `.to_table()` /
# `rs.tables.from_result()`, in English and Chinese, in APA 7 and Chinese three-line (三线表) style.
#
# Output: `analysis/build/tables/` (or `$RS_ANALYSIS_OUT/gallery_tables/`): one Word document per
# language x style (`tables_<lang>_<style>.docx`, all ten tables numbered in order) and every table as
# `<name>_<lang>_<style>.{html,md,tex,xlsx}`. Models are fitted by FIML (the example answers have some item
# nonresponse). `RS_QUICK=1` for a small, fast run (250 instead of 500 respondents per wave, 200 instead of
# 2,000 bootstrap replicates).
#
# Run: `.venv/bin/python analysis/gallery_tables.py` (or open it with jupytext).

# %%
from __future__ import annotations

import os
import warnings
from pathlib import Path

import resilience_stats as rs
from resilience_stats.tables import correlation_table, from_result, sample_table, write_all
from resilience_stats.tables.adapters import sqrt_ave
from resilience_stats.workflow import construct_correlations, sample_composition

QUICK = os.environ.get("RS_QUICK", "0") == "1"
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
OUT = (Path(os.environ["RS_ANALYSIS_OUT"]) / "gallery_tables" if os.environ.get("RS_ANALYSIS_OUT")
       else HERE / "build" / "tables")
OUT.mkdir(parents=True, exist_ok=True)
INSTRUMENT = "party_building_social_capital"
N = 250 if QUICK else 500  # respondents per wave
N_BOOT = 200 if QUICK else 2000
MISSING = "fiml"  # the example answers have ~3% item nonresponse: listwise deletion would drop half the sample
LANGS = ("en", "zh")
STYLES = ("apa", "three-line")
warnings.filterwarnings("ignore", category=rs.ResilienceStatsWarning)  # small-sample notes in quick runs

# %% [markdown]
# ## Data and results

# %%
wave = rs.read_survey(rs.example_survey(INSTRUMENT, n=N, seed=0, waves=2), INSTRUMENT)
inst = wave.instrument
wave_col = inst.field_ids("wave")[0] if inst.field_ids("wave") else "wave"
measurement = inst.measurement_model()
print(wave.data.groupby(wave_col).size())

reliability = rs.reliability(wave, seed=0)
efa = rs.efa(wave, n_factors=sum(1 for items in inst.construct_items.values() if items))  # first-order factors
cfa_fit = rs.cfa(wave, measurement, missing=MISSING)
one_factor = rs.cfa(wave, "G =~ " + " + ".join(wave.item_ids), missing=MISSING)
validity = rs.validity(cfa_fit)
correlations = construct_correlations(wave)
invariance = rs.invariance(measurement, wave.data, group=wave_col, levels=("configural", "metric", "scalar"),
                           missing=MISSING)
sem_fit = rs.sem(rs.models.get("chen_zhang").syntax, wave, missing=MISSING)
boot = sem_fit.bootstrap(n=N_BOOT, seed=0, progress=False)
print(repr(cfa_fit), repr(sem_fit), validity, boot, sep="\n")
print(invariance)

# %% [markdown]
# ## The ten tables, per language
#
# Cell texts that are words (sample categories, model names, invariance levels, construct names) are in
# the table's language, so each language gets its own tables; the style is applied when writing.

# %%
def effect_names(lang: str) -> dict:
    """Names of chen_zhang's defined effects, built from the construct names in ``lang``."""
    name = {c: inst.construct_name(c, lang) for c in ("PBL", "NET", "NORM", "TRUST", "RES")}
    out = {f"ind_{m.lower()}": f"{name['PBL']} → {name[m]} → {name['RES']}" for m in ("NET", "NORM", "TRUST")}
    out.update({"ind_total": {"en": "Total indirect effect", "zh": "总间接效应"}[lang],
                "total": {"en": "Total effect", "zh": "总效应"}[lang]})
    return out


MODEL_NAMES = {"en": ("One-factor model", "Measurement model (instrument)"),
               "zh": ("单因子模型", "测量模型（量表设定）")}


def tables_for(lang: str) -> dict:
    """name -> PubTable of every standard table in ``lang``."""
    one, model = MODEL_NAMES[lang]
    common = dict(lang=lang, instrument=inst)
    return {
        "sample": sample_table(sample_composition(wave, lang), n_total=len(wave.data), lang=lang),
        "correlations": correlation_table(correlations["descriptives"], correlations["corr"],
                                          pvalues=correlations["pvalues"], sqrt_ave=sqrt_ave(validity), **common),
        "reliability": validity.to_table("reliability", reliability=reliability, **common),
        "loadings": validity.to_table("reliability", fit=cfa_fit, reliability=reliability, **common),
        "htmt": validity.to_table("htmt", **common),
        "efa": efa.to_table(suppress=0.30, **common),
        "fit": from_result({one: one_factor, model: cfa_fit}, decimals=3, lang=lang),
        "invariance": invariance.to_table(lang=lang),
        "paths": boot.to_table("paths", fit=sem_fit, **common),
        "indirect": boot.to_table("indirect", labels=effect_names(lang), lang=lang),
    }


TABLES = {lang: tables_for(lang) for lang in LANGS}
print(TABLES["en"]["paths"].display().to_string())
print(TABLES["zh"]["invariance"].display().to_string())

# %% [markdown]
# ## Write: one Word document per language x style, and every table as HTML, Markdown, LaTeX and Excel

# %%
written = []
for lang in LANGS:
    for style in STYLES:
        tag = f"{lang}_{style}"
        written.append(write_all(TABLES[lang].values(), OUT / f"tables_{tag}.docx", lang=lang, style=style))
        for k, (name, table) in enumerate(TABLES[lang].items(), start=1):
            t = table.with_options(style=style, number=k)
            written.append(t.to_html(OUT / f"{name}_{tag}.html") and OUT / f"{name}_{tag}.html")
            written.append(t.to_markdown(OUT / f"{name}_{tag}.md") and OUT / f"{name}_{tag}.md")
            written.append(t.to_latex(OUT / f"{name}_{tag}.tex") and OUT / f"{name}_{tag}.tex")
            t.to_excel(OUT / f"{name}_{tag}.xlsx")
            written.append(OUT / f"{name}_{tag}.xlsx")
missing = [p for p in written if not Path(p).is_file()]
assert not missing, missing
print(f"{len(written)} files in {OUT}")
