# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 03 Structural model: party-building leadership -> social capital -> community resilience
#
# Chen & Zhang's (2025) framework model (`rs.models.get("chen_zhang")`): party-building leadership (PBL)
# strengthens relationship networks, social norms and social trust, which carry its effect to community
# resilience; direct, specific indirect and total effects are `:=` parameters, with bootstrap confidence
# intervals (`fit.bootstrap`, when the installed version has it).
#
# Output: `analysis/build/03_structural_model/` (or `$RS_ANALYSIS_OUT/...`); `RS_QUICK=1` for a small run.

# %%
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

import resilience_stats as rs

QUICK = os.environ.get("RS_QUICK", "0") == "1"
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("RS_ANALYSIS_OUT", HERE / "build")) / "03_structural_model"
OUT.mkdir(parents=True, exist_ok=True)
N = 400 if QUICK else 800
N_BOOT = 30 if QUICK else 2000
pd.set_option("display.width", 160)

# %% [markdown]
# ## Model and data

# %%
framework = rs.models.get("chen_zhang")
print(framework.description)
print(framework.structural)
wave = rs.read_survey(rs.example_survey(framework.instrument, n=N, seed=2025), framework.instrument)

# %% [markdown]
# ## Fit (ML, FIML for missing answers)

# %%
fit = rs.sem(framework.syntax, wave.data, missing="fiml")
print(fit.summary())
fit.fit_indices.to_csv(OUT / "fit_indices.csv")
fit.estimates.to_csv(OUT / "estimates.csv", index=False)
effects = fit.estimates[fit.estimates["op"].isin(["~", ":="])][
    ["lhs", "op", "rhs", "label", "est", "se", "pvalue", "ci_lower", "ci_upper", "std_all"]]
effects.to_csv(OUT / "paths_and_effects.csv", index=False)
print(effects.round(3).to_string(index=False))

# %% [markdown]
# ## Bootstrap confidence intervals of the indirect effects
# Percentile intervals from resampled respondents (delta-method intervals above for comparison).

# %%
if hasattr(fit, "bootstrap"):
    boot = fit.bootstrap(n=N_BOOT, seed=1, n_jobs=1 if QUICK else -1, progress=False)
    est = boot.estimates
    est.to_csv(OUT / "bootstrap_estimates.csv", index=False)
    ind = est[est["op"] == ":="][["lhs", "est", "se", "ci_lower", "ci_upper"]]
    print(f"{boot.n_ok} of {N_BOOT} bootstrap samples converged")
    print(ind.round(3).to_string(index=False))
else:
    print("fit.bootstrap is not available in this version: bootstrap skipped")

# %%
print(f"outputs in {OUT}")
