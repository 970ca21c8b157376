# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 05 Sample size: Monte Carlo power of the chen_zhang mediation model
#
# How many residents must a survey reach to detect the indirect effects of party-building leadership on
# community resilience through social capital? Data are simulated from a population model (the example
# survey's: standardized loadings 0.70-0.85, PBL -> social capital 0.5, social capital -> resilience 0.25,
# direct 0.15), answered on 5-point scales by residents of 20 communities (ICC 0.05), and the model is fitted
# to each replicate (`rs.power`, MLR). Per parameter and sample size: power, bias, 95 % CI
# coverage, convergence; the smallest n with 80 % power.
#
# Output: `analysis/build/05_sample_size/` (or `$RS_ANALYSIS_OUT/...`); `RS_QUICK=1` for a small run.

# %%
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd

import resilience_stats as rs

QUICK = os.environ.get("RS_QUICK", "0") == "1"
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("RS_ANALYSIS_OUT", HERE / "build")) / "05_sample_size"
OUT.mkdir(parents=True, exist_ok=True)
N = [150, 300] if QUICK else [150, 200, 300, 400, 600, 800]
REPS = 4 if QUICK else 500
N_JOBS = 1 if QUICK else -1  # in CI, starting worker processes costs more than the few replicates
pd.set_option("display.width", 160)

# %% [markdown]
# ## Population model
# The example population with chen_zhang's labels on the paths and its indirect effects as `:=` parameters
# (numbers are population values; residual variances are set so that every variable has variance 1).

# %%
pop = rs.example_population("party_building_social_capital")
paths = pop["paths"]
measurement = [line for line in pop["population_model"].splitlines() if "=~" in line]
a = {u: paths[u]["PBL"] for u in ("NET", "NORM", "TRUST")}
b = {u: paths["RES"][u] for u in ("NET", "NORM", "TRUST")}
population_model = "\n".join(measurement + [
    f"NET ~ a1*{a['NET']}*PBL",
    f"NORM ~ a2*{a['NORM']}*PBL",
    f"TRUST ~ a3*{a['TRUST']}*PBL",
    f"RES ~ c*{paths['RES']['PBL']}*PBL + b1*{b['NET']}*NET + b2*{b['NORM']}*NORM + b3*{b['TRUST']}*TRUST",
    "ind_net := a1*b1",
    "ind_norm := a2*b2",
    "ind_trust := a3*b3",
    "ind_total := ind_net + ind_norm + ind_trust",
])
print(population_model)
(OUT / "population_model.lav").write_text(population_model + "\n", encoding="utf-8")

# %% [markdown]
# ## Simulation
# The analysis model is the population model with its values freed (one loading per factor keeps its
# population value to set the scale, so estimates are comparable with the population values). Answers are
# 5-point Likert codes, analysed with MLR (robust to their non-normality). Missing answers are left out here:
# plan for item nonresponse by inflating n, or add `"missing": {"mcar": 0.03}` to `data_options` and
# `missing="fiml"` to the call (FIML with 29 items is several times slower per replicate).

# %%
result = rs.power(
    population_model, n=N, reps=REPS, seed=2025, n_jobs=N_JOBS, estimator="MLR",
    data_options={"ordinal": {"categories": 5}, "clusters": {"k": 20, "icc": 0.05, "on": "latent"}},
)
print(result)
result.table.to_csv(OUT / "power_table.csv", index=False)
result.fit.to_csv(OUT / "power_fit.csv", index=False)
effects = result.table[result.table["label"] != ""]
print(effects[["n", "label", "pop_value", "mean_est", "bias", "power", "coverage", "converged_share"]]
      .round(3).to_string(index=False))

# %% [markdown]
# ## Smallest sample size with 80 % power

# %%
smallest = result.smallest_n(0.80)
smallest.to_csv(OUT / "smallest_n.csv")
print(smallest[[p for p in smallest.index if " " not in p]])  # the labelled paths and effects

# %%
fig = result.plot(["a1", "b1", "c", "ind_net", "ind_total"], metrics=("power", "coverage"))
fig.savefig(OUT / "power_curves.png", dpi=150)
print(f"outputs in {OUT}")
