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
# The invariance and latent-mean figures use the invariance sequence across the three waves
# (`rs.invariance`, `rs.latent_mean_differences`); the power curves a Monte Carlo study of the example
# population (`rs.power`). `RS_QUICK=1` runs a few power replicates only.
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
import resilience_stats as rs
import resilience_stats.plots as rsp
from resilience_stats.sem import cfa, sem

QUICK = os.environ.get("RS_QUICK", "0") == "1"
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
# Measurement invariance across the three waves, the latent mean change against wave 1 (under scalar
# invariance), and the power of the example population's paths and indirect effects by sample size.

# %%
wave_col = inst.field_ids("wave")[0] if inst.field_ids("wave") else "wave"
with warnings.catch_warnings():
    warnings.simplefilter("ignore", rs.ResilienceStatsWarning)  # per-wave n below the rule of thumb
    inv = rs.invariance(inst.measurement_model(), waves.data, group=wave_col,
                        levels=("configural", "metric", "scalar", "strict"))
invariance = inv.table
means = rs.latent_mean_differences(inv)
print(inv, means.round(3).to_string(index=False), sep="\n")

pop = rs.example_population(INSTRUMENT)
paths = pop["paths"]
a_ = {u: paths[u]["PBL"] for u in ("NET", "NORM", "TRUST")}
b_ = {u: paths["RES"][u] for u in ("NET", "NORM", "TRUST")}
population_model = "\n".join([line for line in pop["population_model"].splitlines() if "=~" in line] + [
    f"NET ~ a1*{a_['NET']}*PBL", f"NORM ~ a2*{a_['NORM']}*PBL", f"TRUST ~ a3*{a_['TRUST']}*PBL",
    f"RES ~ c*{paths['RES']['PBL']}*PBL + b1*{b_['NET']}*NET + b2*{b_['NORM']}*NORM + b3*{b_['TRUST']}*TRUST",
    "ind_net := a1*b1",
])
power_result = rs.power(population_model, n=(150, 300) if QUICK else (100, 200, 300, 400, 600, 800),
                        reps=3 if QUICK else 200, seed=2025, n_jobs=1 if QUICK else -1)
power = power_result.table[power_result.table["label"].isin(["a1", "b1", "c", "ind_net"])]
print(power_result)

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
