"""Non-convergence and improper solutions are kept in fit.warnings and also issued as EstimationWarning."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from resilience_stats.errors import EstimationWarning
from resilience_stats.sem import api, cfa

DATA = Path(__file__).parent / "data"
HS = json.loads((Path(__file__).parent / "golden" / "sem_lavaan.json").read_text())["models"]["hs_cfa"]


def test_heywood_case_emits_estimation_warning():
    with pytest.warns(EstimationWarning) as record:
        fit = cfa(pd.read_csv(DATA / "sem_heywood.csv"), "F =~ a + b + c + d")
    messages = [str(w.message) for w in record]
    assert any("Heywood case" in m for m in messages)
    assert any("latent variables is not positive definite" in m for m in messages)
    assert set(messages) <= set(fit.warnings)


def test_non_convergence_emits_estimation_warning(monkeypatch):
    from resilience_stats.sem import pipeline

    real = pipeline.minimize

    def one_step(objective, theta0, maxit=500):
        res = real(objective, theta0, maxit=1)
        res.converged = False
        return res

    monkeypatch.setattr(pipeline, "minimize", one_step)
    with pytest.warns(EstimationWarning, match="did not converge"):
        fit = cfa(pd.read_csv(DATA / "holzinger_swineford.csv"), HS)
    assert not fit.converged and any("did not converge" in w for w in fit.warnings)


def test_clean_fit_emits_no_estimation_warning(recwarn):
    cfa(pd.read_csv(DATA / "holzinger_swineford.csv"), HS)
    assert not [w for w in recwarn if issubclass(w.category, EstimationWarning)]
