"""Per-group results of a multi-group fit: R-squared, implied moments, residuals, summary, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.errors import ModelSpecificationError

HERE = Path(__file__).resolve().parent
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


@pytest.fixture(scope="module")
def metric():
    hs = pd.read_csv(HERE / "data" / "holzinger_swineford.csv")
    return rs.cfa(hs, MODEL, group="school", group_equal=["loadings"])


@pytest.fixture(scope="module")
def lavaan_metric():
    golden = json.loads((HERE / "golden" / "sem_lavaan.json").read_text())
    return pd.DataFrame(golden["cases"]["hs_multigroup"]["steps"]["metric"]["parameter_estimates"])


def test_r2_per_group_matches_lavaan_standardized_residual_variances(metric, lavaan_metric):
    # R-squared of an indicator is 1 - its standardized residual variance (lavaan's std.all)
    labels = ["Pasteur", "Grant-White"]
    assert metric.group_labels == labels
    for g, label in enumerate(labels, start=1):
        rows = lavaan_metric[(lavaan_metric.op == "~~") & (lavaan_metric.lhs == lavaan_metric.rhs)
                             & (lavaan_metric.group == g) & lavaan_metric.lhs.str.startswith("x")]
        expected = pd.Series(1 - rows["std.all"].to_numpy(), index=rows["lhs"].to_numpy())
        got = metric.r2.loc[label]
        assert np.allclose(got[expected.index].to_numpy(), expected.to_numpy(), atol=1e-4)


def test_implied_and_residual_moments_are_given_per_group(metric):
    assert set(metric.implied_cov) == {"Pasteur", "Grant-White"}
    for label in metric.group_labels:
        implied, sample = metric.implied_cov[label], metric.sample_cov[label]
        raw = metric.residuals[label]["raw"]
        assert np.allclose(raw.to_numpy(), sample.to_numpy() - implied.to_numpy())
    # the two groups' implied matrices differ (only loadings are equal)
    assert not np.allclose(metric.implied_cov["Pasteur"], metric.implied_cov["Grant-White"])


def test_summary_has_a_section_per_group_and_modindices_per_group(metric):
    text = metric.summary()
    assert "Group 1 [Pasteur]:" in text and "Group 2 [Grant-White]:" in text
    mi = metric.modification_indices()  # checked against lavaan in test_sem_spine.py
    assert set(mi["group"]) == {1, 2} and list(mi.columns[:4]) == ["lhs", "op", "rhs", "group"]
