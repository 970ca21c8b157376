"""Each bounded dependency in pyproject.toml is exercised here, so a release that breaks it fails loudly.

- scikit-learn < 1.8: factor_analyzer 0.5.1 calls ``check_array(force_all_finite=...)`` (removed in 1.8).
- scipy >= 1.15: pingouin 0.7 needs it.
- semopy: kept as an independent cross-check of single-group ML estimates (its ``polycorr`` and
  ``utils.cor`` are not used: they break on current scipy/numpy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _one_factor(n=300, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    return pd.DataFrame({f"x{i}": 0.8 * f + 0.6 * rng.standard_normal(n) for i in range(1, 5)})


def test_factor_analyzer_fits_with_the_installed_scikit_learn():
    from factor_analyzer import FactorAnalyzer

    fa = FactorAnalyzer(n_factors=1, rotation=None, method="minres").fit(_one_factor())
    loadings = np.abs(fa.loadings_[:, 0])
    # population standardized loading 0.8 / sqrt(0.64 + 0.36) = 0.8
    assert np.allclose(loadings, 0.8, atol=0.08)


def test_pingouin_alpha_matches_closed_form():
    import pingouin as pg

    data = _one_factor()
    k = data.shape[1]
    cov = data.cov().to_numpy()
    closed = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    alpha, _ci = pg.cronbach_alpha(data)
    assert alpha == pytest.approx(closed, abs=1e-10)


def test_semopy_ml_fit_runs():
    import semopy

    data = _one_factor()
    model = semopy.Model("F =~ x1 + x2 + x3 + x4")
    model.fit(data)
    est = model.inspect()
    loadings = est[(est.op == "~") & (est.rval == "F")]["Estimate"].to_numpy()
    assert loadings[0] == 1.0 and np.all(np.abs(loadings[1:] - 1.0) < 0.2)
