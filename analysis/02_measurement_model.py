# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 02 Measurement model
#
# Confirmatory factor analysis of the *party_building_social_capital* questionnaire (resilience as a
# second-order factor of stability, recovery and adaptation), convergent and discriminant validity, and
# measurement invariance across gender, on a bundled example survey.
#
# Output: `analysis/build/02_measurement_model/` (or `$RS_ANALYSIS_OUT/...`); `RS_QUICK=1` for a small run.
# Validity and invariance use `rs.validity` / `rs.invariance` when the installed version has them.

# %%
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

import resilience_stats as rs

QUICK = os.environ.get("RS_QUICK", "0") == "1"
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("RS_ANALYSIS_OUT", HERE / "build")) / "02_measurement_model"
OUT.mkdir(parents=True, exist_ok=True)
INSTRUMENT = "party_building_social_capital"
N = 400 if QUICK else 800
# quick runs (CI) use complete data and listwise ML: FIML over 29 items in several groups is slow
MISSING_RATE, MISSING = (0.0, "listwise") if QUICK else (0.03, "fiml")
pd.set_option("display.width", 160)

# %% [markdown]
# ## Data

# %%
raw = rs.example_survey(INSTRUMENT, n=N, seed=2025, communities=20, missing_rate=MISSING_RATE)
wave = rs.read_survey(raw, INSTRUMENT)
model = wave.instrument.measurement_model()
print(model)

# %% [markdown]
# ## CFA (ML with robust corrections; FIML for the missing answers in full runs)

# %%
fit = rs.cfa(wave, estimator="MLR", missing=MISSING)
print(fit.summary())
fit.estimates.to_csv(OUT / "cfa_estimates.csv", index=False)
fit.fit_indices.to_csv(OUT / "cfa_fit_indices.csv")
loadings = fit.estimates[fit.estimates["op"] == "=~"][["lhs", "rhs", "est", "se", "std_all"]]
print(loadings.round(3).to_string(index=False))
assert loadings["std_all"].min() > 0.4, "a weak item"

# %% [markdown]
# ## Convergent and discriminant validity (CR, AVE, HTMT, Fornell-Larcker)

# %%
if hasattr(rs, "validity"):
    validity = rs.validity(fit)
    for name in ("reliability", "fornell_larcker", "fornell_larcker_violations", "htmt", "htmt_flags"):
        part = getattr(validity, name, None)
        if isinstance(part, pd.DataFrame):
            part.to_csv(OUT / f"validity_{name}.csv")
            print(f"{name}:\n{part.round(3).to_string()}\n")
else:
    print("rs.validity is not available in this version: validity skipped")

# %% [markdown]
# ## Measurement invariance across gender (configural, metric, scalar)

# %%
if hasattr(rs, "invariance"):
    inv = rs.invariance(model, wave.data, group="gender", levels=("configural", "metric", "scalar"),
                        missing=MISSING)
    inv.table.to_csv(OUT / "invariance_gender.csv", index=False)
    print(inv.table.round(3).to_string(index=False))
else:
    print("rs.invariance is not available in this version: invariance skipped")

# %%
print(f"outputs in {OUT}")
