"""Cluster-robust standard errors and scaled test (``cluster=``) against lavaan 0.6-14.

Golden values: tests/golden/lavaan_wlsmv_bfi.json (cluster_mlr) and tests/golden/sem_wlsmv.json (cluster_ml,
cluster_mlr_sem) on tests/data/cluster_survey.csv (40 clusters of 20).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.errors import DataError, EstimationWarning, ModelSpecificationError
from resilience_stats.sem import api

GOLDEN = Path(__file__).parent / "golden"
MODEL = "f1 =~ y1 + y2 + y3\n f2 =~ y4 + y5 + y6"
KEYS = {"chisq": "chisq", "chisq_scaled": "chisq.scaled", "scaling_factor": "chisq.scaling.factor",
        "baseline_chisq_scaled": "baseline.chisq.scaled", "baseline_scaling_factor": "baseline.chisq.scaling.factor",
        "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled", "cfi_robust": "cfi.robust",
        "tli_robust": "tli.robust", "rmsea_scaled": "rmsea.scaled", "rmsea_robust": "rmsea.robust",
        "rmsea_ci_lower_robust": "rmsea.ci.lower.robust", "rmsea_ci_upper_robust": "rmsea.ci.upper.robust",
        "srmr": "srmr", "scaling_factor_h1": "scaling.factor.h1", "scaling_factor_h0": "scaling.factor.h0"}


@pytest.fixture(scope="module")
def clus():
    return pd.read_csv(Path(__file__).parent / "data" / "cluster_survey.csv")


@pytest.fixture(scope="module")
def cases():
    a = json.loads((GOLDEN / "lavaan_wlsmv_bfi.json").read_text())["cases"]
    b = json.loads((GOLDEN / "sem_wlsmv.json").read_text())["cases"]
    return {"cluster_mlr": a["cluster_mlr"], "nocluster_mlr": a["nocluster_mlr"], **b}


def _check(fit, case, tol=1e-3):
    pe = pd.DataFrame(case["parameter_estimates"])
    m = fit.estimates.merge(pe, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == len(pe) == len(fit.estimates)
    diffs = {}
    for col in ("est", "se"):
        a, b = m[col].to_numpy(float), m[col + "_r"].to_numpy(float)
        ok = np.isfinite(a) & np.isfinite(b) & ~((col == "se") & (b == 0))
        diffs[col] = float(np.max(np.abs(a[ok] - b[ok])))
    fi, fm = fit.fit_indices, case["fit_measures"]
    for k, rk in KEYS.items():
        diffs[k] = abs(float(fi[k]) - fm[rk]) / max(1.0, abs(fm[rk]))
    assert max(diffs.values()) < tol, diffs
    return diffs


@pytest.mark.parametrize("case,model,estimator", [
    ("cluster_mlr", MODEL, "MLR"),
    ("cluster_ml", MODEL, "ML"),
    ("cluster_mlr_sem", MODEL + "\n f2 ~ f1", "MLR"),
])
def test_cluster_matches_lavaan(clus, cases, case, model, estimator):
    fit = api.sem(model, clus, cluster="cid", estimator=estimator)
    _check(fit, cases[case])
    assert fit.options["n_clusters"] == 40 and fit.options["se_method"] == "robust.cluster"
    assert fit.n_params == 19  # a mean structure is added, as lavaan


def test_cluster_changes_only_inference(clus, cases):
    fit = api.cfa(clus, MODEL, cluster="cid", estimator="MLR")
    naive = pd.DataFrame(cases["nocluster_mlr"]["parameter_estimates"])
    ours = fit.estimates[fit.estimates["op"] == "=~"]
    ref = naive[naive["op"] == "=~"]
    assert np.allclose(ours["est"], ref["est"], atol=1e-6)
    assert not np.allclose(ours["se"].to_numpy()[1:], ref["se"].to_numpy()[1:], atol=1e-3)
    assert fit.fit_indices["chisq"] == pytest.approx(cases["nocluster_mlr"]["fit_measures"]["chisq"], abs=1e-6)


def test_cluster_checks(clus):
    few = clus[clus["cid"] <= 8]
    with pytest.warns(EstimationWarning, match="only 8 clusters"):
        fit = api.cfa(few, MODEL, cluster="cid")
    assert any("only 8 clusters" in w for w in fit.warnings)
    one = clus[clus["cid"] == 1]
    with pytest.raises(DataError, match="at least 2 clusters"):
        api.cfa(one, MODEL, cluster="cid")
    with pytest.raises(ModelSpecificationError, match="not found"):
        api.cfa(clus, MODEL, cluster="community")
    with pytest.raises(ModelSpecificationError, match="fiml"):
        api.cfa(clus, MODEL, cluster="cid", missing="fiml")


def test_cluster_missing_ids_dropped(clus):
    df = clus.copy()
    df.loc[:4, "cid"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = api.cfa(df, MODEL, cluster="cid")
    assert fit.n_obs == 795
    assert any("without a cluster id" in w for w in fit.warnings)
