# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 01 Validate the instrument
#
# Data checks, item analysis, reliability, factorability, parallel analysis and an exploratory factor
# analysis of the *party_building_social_capital* questionnaire, on a bundled example survey
# (`rs.example_survey`: 800 residents in 20 communities, 3 % missing answers).
#
# Run as a script (`.venv/bin/python analysis/01_validate_instrument.py`) or open it as a notebook with
# jupytext. Output: `analysis/build/01_validate_instrument/` (or `$RS_ANALYSIS_OUT/...`).
# `RS_QUICK=1` uses a small sample and few simulations (for CI).

# %%
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

import resilience_stats as rs

QUICK = os.environ.get("RS_QUICK", "0") == "1"
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("RS_ANALYSIS_OUT", HERE / "build")) / "01_validate_instrument"
OUT.mkdir(parents=True, exist_ok=True)
INSTRUMENT = "party_building_social_capital"
N = 300 if QUICK else 800
pd.set_option("display.width", 160)

# %% [markdown]
# ## Data and data checks
# `read_survey` recodes reverse-keyed items and missing codes (8/9) and flags speeders, straight-liners,
# duplicates and out-of-range answers.

# %%
raw = rs.example_survey(INSTRUMENT, n=N, seed=2025, communities=20, missing_rate=0.03)
raw.to_csv(OUT / "raw_survey.csv", index=False)
wave = rs.read_survey(raw, INSTRUMENT)
print(wave.summary())
wave.issues.to_csv(OUT / "data_issues.csv", index=False)

# %% [markdown]
# ## Item analysis and reliability

# %%
items = rs.item_analysis(wave)
items.to_csv(OUT / "item_analysis.csv", index=False)
rel = rs.reliability(wave)
rel.to_csv(OUT / "reliability.csv", index=False)
print(rel.round(3).to_string())

# %% [markdown]
# ## Clustering in communities (ICC)

# %%
icc = rs.icc(wave)
icc.to_csv(OUT / "icc.csv", index=False)
print(icc[["construct", "icc1", "icc2", "design_effect"]].round(3).to_string())

# %% [markdown]
# ## Factorability, number of factors and EFA

# %%
fac = rs.factorability(wave)
print(f"KMO = {fac.kmo:.3f}; Bartlett chi2({fac.bartlett_df:.0f}) = {fac.bartlett_chisq:.1f}, p = {fac.bartlett_p:.3g}")
pa = rs.parallel_analysis(wave, n_iter=10 if QUICK else 500, seed=1)
pa.eigenvalues.to_csv(OUT / "parallel_analysis.csv")
n_factors = len(wave.instrument.construct_items)
print(f"parallel analysis suggests {pa.n_factors} factors; the instrument has {n_factors} first-order constructs")
efa = rs.efa(wave, n_factors)
efa.loadings.round(3).to_csv(OUT / "efa_loadings.csv")
efa.flags.to_csv(OUT / "efa_flags.csv")
print(efa.loadings.round(2).to_string())

# %%
pd.Series({"n": len(raw), "kmo": fac.kmo, "pa_factors": pa.n_factors, "efa_rmsea": efa.rmsea,
           "min_alpha": rel["alpha"].min()}).to_csv(OUT / "summary.csv")
print(f"outputs in {OUT}")
