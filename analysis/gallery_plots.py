# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Gallery of `resilience_stats.plots`
#
# Every figure of the plots subpackage, drawn from the example survey (three waves of 300 residents in 20
# communities) and the results of the package's own analyses, in English and Chinese. Output:
# `analysis/build/plots/<name>_<lang>.{png,svg,pdf}`.
#
# The invariance, latent-mean and power figures use small illustrative tables (the engines that produce them
# are not finished yet); their columns are those the engines will return.
#
# Run: `MPLBACKEND=Agg .venv/bin/python analysis/gallery_plots.py` (or open it with jupytext).

# %%
from __future__ import annotations

import os
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from scipy.stats import norm

import resilience_stats as rs
import resilience_stats.plots as rsp
from resilience_stats.sem import cfa, sem

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("RS_GALLERY_OUT", HERE / "build" / "plots"))
FORMATS = (".png", ".svg", ".pdf")
LANGS = ("en", "zh")
if rsp.find_cjk_font() is None:
    print("no CJK font installed: the 'zh' figures fall back to English (apt-get install fonts-noto-cjk)")

# %% [markdown]
# ## Data and results

# %%
INSTRUMENT = "party_building_social_capital"
waves = rs.read_survey(rs.example_survey(INSTRUMENT, n=300, seed=7, waves=3), INSTRUMENT)
wave1 = rs.read_survey(rs.example_survey(INSTRUMENT, n=500, seed=7), INSTRUMENT)
inst = wave1.instrument

pa = rs.parallel_analysis(wave1, n_iter=50, seed=1)
efa_fit = rs.efa(wave1, n_factors=pa.n_factors)
model = rs.models.get("chen_zhang")
sem_fit = sem(model.syntax, wave1)
cfa_fit = cfa(wave1, inst.measurement_model(second_order=False))
print(pa, efa_fit, repr(sem_fit), repr(cfa_fit), sep="\n")

# %% [markdown]
# Illustrative tables in the shape of the coming invariance, latent-means and power results.

# %%
invariance = pd.DataFrame({
    "level": ["configural", "metric", "scalar", "strict"],
    "chisq": [812.4, 835.9, 871.2, 930.5], "df": [708, 730, 752, 781], "pvalue": [0.004, 0.004, 0.002, 0.0002],
    "cfi": [0.981, 0.980, 0.976, 0.968], "tli": [0.978, 0.978, 0.975, 0.968],
    "rmsea": [0.024, 0.024, 0.026, 0.029], "rmsea_ci_lower": [0.015, 0.016, 0.018, 0.022],
    "rmsea_ci_upper": [0.031, 0.031, 0.032, 0.035], "srmr": [0.041, 0.045, 0.048, 0.052],
    "delta_chisq": [None, 23.5, 35.3, 59.3], "delta_df": [None, 22, 22, 29], "lrt_p": [None, 0.37, 0.036, 0.0007],
    "delta_cfi": [None, -0.001, -0.004, -0.008], "delta_rmsea": [None, 0.000, 0.002, 0.003],
    "decision": [None, "accept", "accept", "reject"],
})
means = pd.DataFrame({
    "group": ["Wave 1"] * 4 + ["Wave 2"] * 4 + ["Wave 3"] * 4,
    "factor": ["PBL", "NET", "TRUST", "RES"] * 3,
    "est": [0, 0, 0, 0, 0.21, 0.09, 0.07, 0.06, 0.39, 0.18, 0.15, 0.13],
    "se": [None] * 4 + [0.06, 0.07, 0.07, 0.05, 0.06, 0.07, 0.07, 0.05],
})
means["ci_lower"] = means["est"] - 1.96 * means["se"]
means["ci_upper"] = means["est"] + 1.96 * means["se"]
power_rows = []
for n in (100, 200, 300, 400, 600, 800):
    for k, (label, lhs, rhs, slope) in enumerate((("a1", "NET", "PBL", 9.0), ("b1", "RES", "NET", 3.5),
                                                  ("c", "RES", "PBL", 1.8), ("ind_net", "ind_net", "a1*b1", 2.6))):
        z = slope * (n / 300) ** 0.5
        power_rows.append({"n": n, "lhs": lhs, "op": ":=" if label.startswith("ind") else "~", "rhs": rhs,
                           "label": label, "power": float(norm.cdf(z - 1.96)), "bias": 0.02 * 100 / n,
                           "coverage": 0.95 - (2.0 + k) / n, "converged_share": 1 - 1.0 / n})
power = pd.DataFrame(power_rows)

# %% [markdown]
# ## Figures

# %%
effect_labels = {
    "en": {"ind_net": "PBL → NET → RES", "ind_norm": "PBL → NORM → RES", "ind_trust": "PBL → TRUST → RES",
           "ind_total": "Total indirect", "total": "Total effect"},
    "zh": {"ind_net": "党建 → 关系网络 → 韧性", "ind_norm": "党建 → 社会规范 → 韧性",
           "ind_trust": "党建 → 社会信任 → 韧性", "ind_total": "总间接效应", "total": "总效应"},
}
FIGURES = {
    # a page holds about 15 items: one figure per block of the questionnaire
    "likert_bars_pb_sc": lambda lang: rsp.likert_bars(wave1, ["PBL", "NET", "NORM", "TRUST"], lang=lang),
    "likert_bars_resilience": lambda lang: rsp.likert_bars(wave1, ["STAB", "REC", "ADP"], lang=lang),
    "item_distributions": lambda lang: rsp.item_distributions(wave1, lang=lang),
    "score_distributions": lambda lang: rsp.score_distributions(wave1, lang=lang),
    "correlation_heatmap": lambda lang: rsp.correlation_heatmap(wave1, lang=lang),
    "scree": lambda lang: rsp.scree(pa, lang=lang, max_factors=12),
    "loadings_heatmap_efa": lambda lang: rsp.loadings_heatmap(efa_fit, lang=lang),
    "loadings_heatmap_cfa": lambda lang: rsp.loadings_heatmap(cfa_fit, instrument=inst, lang=lang),
    "path_diagram": lambda lang: rsp.path_diagram(sem_fit, instrument=inst, lang=lang),
    "path_diagram_structural": lambda lang: rsp.path_diagram(sem_fit, measurement=False, instrument=inst, lang=lang),
    "indirect_effects": lambda lang: rsp.indirect_effects(sem_fit, labels=effect_labels[lang], lang=lang),
    "invariance_fit": lambda lang: rsp.invariance_fit(invariance, lang=lang),
    "latent_means": lambda lang: rsp.latent_means(means, instrument=inst, lang=lang),
    "wave_trends": lambda lang: rsp.wave_trends(waves, ["PBL", "NET", "NORM", "TRUST", "RES"], lang=lang),
    "wave_trends_by_community": lambda lang: rsp.wave_trends(waves, by_community=True, lang=lang, width="double"),
    "community_caterpillar": lambda lang: rsp.community_caterpillar(waves, wave=1, lang=lang),
    "power_curves": lambda lang: rsp.power_curves(power, metrics=("power", "coverage"), lang=lang),
}

# %%
OUT.mkdir(parents=True, exist_ok=True)
written = []
with warnings.catch_warnings():
    warnings.simplefilter("default", rsp.CJKFontWarning)  # say it once if Chinese falls back to English
    for name, make in FIGURES.items():
        for lang in LANGS:
            fig = make(lang)
            for suffix in FORMATS:
                written.append(rsp.save(fig, OUT / f"{name}_{lang}{suffix}"))
            plt.close(fig)
for lang in LANGS:
    for meas in (True, False):
        dot = rsp.path_diagram_dot(sem_fit, measurement=meas, instrument=inst, lang=lang)
        path = OUT / f"path_diagram{'' if meas else '_structural'}_{lang}.dot"
        path.write_text(dot, encoding="utf-8")
        written.append(path)
print(f"{len(written)} files in {OUT}")
