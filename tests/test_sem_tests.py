"""Fit-index helper functions (lavaan definitions) with values from lavaan 0.6-14 fitMeasures()."""

from __future__ import annotations

import numpy as np
import pytest

from resilience_stats.sem import tests as ft

# HS 3-factor CFA, ML / MLR (shared reference hs_cfa_ml.json)
CHISQ, DF, N = 85.3055217699727, 24, 301
BCHISQ, BDF = 918.8515892923837, 36
C_HAT, C_HAT_NULL = 0.9790423696, 1.0440525822


def test_rmsea_and_ci():
    assert ft.rmsea(CHISQ, DF, N) == pytest.approx(0.09212148451016863, rel=1e-10)
    lo, hi = ft.rmsea_ci(CHISQ, DF, N)
    assert lo == pytest.approx(0.07141849043993816, rel=1e-7)
    assert hi == pytest.approx(0.11367801681196256, rel=1e-7)
    assert ft.rmsea_pvalue(CHISQ, DF, N) == pytest.approx(0.0006612367780518547, rel=1e-6)
    assert ft.rmsea_pvalue(CHISQ, DF, N, h0=0.08, notclose=True) == pytest.approx(0.839552896762844, rel=1e-6)


def test_rmsea_edge_cases():
    assert ft.rmsea(10.0, 20, 100) == 0.0  # chisq < df
    assert ft.rmsea(0.0, 0, 100) == 0.0  # saturated
    assert ft.rmsea_ci(5.0, 20, 100) == (0.0, pytest.approx(0.0, abs=1e-12)) or ft.rmsea_ci(5.0, 20, 100)[0] == 0.0


def test_cfi_tli_and_incremental():
    assert ft.cfi(CHISQ, DF, BCHISQ, BDF) == pytest.approx(0.930559651799336, rel=1e-12)
    assert ft.tli(CHISQ, DF, BCHISQ, BDF) == pytest.approx(0.8958394776990041, rel=1e-12)
    inc = ft.incremental_indices(CHISQ, DF, BCHISQ, BDF)
    assert inc["nfi"] == pytest.approx(0.9071607180484204, rel=1e-12)
    assert inc["ifi"] == pytest.approx(0.9314908499872578, rel=1e-12)
    assert inc["rfi"] == pytest.approx(0.8607410770726305, rel=1e-12)
    assert inc["pnfi"] == pytest.approx(0.6047738120322802, rel=1e-12)
    assert ft.cfi(10.0, 20, BCHISQ, BDF) == 1.0


def test_robust_cfi_uses_scaling_factors():
    # lavaan cfi.robust / tli.robust for the MLR fit
    assert ft.cfi(CHISQ, DF, BCHISQ, BDF, C_HAT, C_HAT_NULL) == pytest.approx(0.92986394, abs=1e-7)
    assert ft.tli(CHISQ, DF, BCHISQ, BDF, C_HAT, C_HAT_NULL) == pytest.approx(0.89479590, abs=1e-7)
    assert ft.rmsea(CHISQ, DF, N, c_hat=C_HAT) == pytest.approx(0.09249862, abs=1e-7)


def test_srmr_bentler_perfect_fit_is_zero_and_scale_free():
    S = np.array([[2.0, 0.6], [0.6, 1.5]])
    assert ft.srmr_bentler(S, S) == (0.0, 0.0)
    sig = np.array([[2.0, 0.3], [0.3, 1.5]])
    s1, _ = ft.srmr_bentler(S, sig)
    D = np.diag([10.0, 0.1])
    s2, _ = ft.srmr_bentler(D @ S @ D, D @ sig @ D)
    assert s1 == pytest.approx(s2, rel=1e-12)
    assert s1 == pytest.approx(np.sqrt((0.3 / np.sqrt(3.0)) ** 2 / 3), rel=1e-12)


def test_h1_information_trace_is_p_star_for_normal_data():
    """Under normality tr(A1^-1 B1) -> p* (number of moments)."""
    rng = np.random.default_rng(5)
    p = 4
    Y = rng.normal(size=(200_000, p))
    A1, B1 = ft.h1_information_and_scores(Y, Y.mean(0), np.cov(Y.T, bias=True), meanstructure=True)
    tr = np.trace(np.linalg.solve(A1, B1))
    assert tr == pytest.approx(p + p * (p + 1) / 2, rel=0.02)
