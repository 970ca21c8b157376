"""Robust tests and fit indices of ordinal (WLSMV/ULSMV) models, with lavaan 0.6-14's definitions.

* Scaled-shifted (mean-and-variance adjusted, Asparouhov & Muthen 2010) test: with ``U = W - W D (D'WD)^-1 D'W``
  and ``UG = U Gamma``: ``a = sqrt(df / tr(UG UG))``, ``shift = df - a tr(UG)``, ``T_ss = a T + shift``;
  lavaan reports ``scaling_factor = 1 / a`` (``lav_test_satorra_bentler``).
* Baseline: thresholds free, all correlations 0, tested the same way.
* ``*_scaled`` indices: the usual formulas applied to the scaled-shifted statistics (lavaan's cfi.scaled,
  rmsea.scaled -- these are what older Mplus/lavaan output called "robust").
* ``*_robust`` indices (lavaan >= 0.6-13, Savalei 2021): the ML ("catML") fit function of the polychoric
  correlation matrix at the DWLS estimates, ``XX3 = N [log|P| + tr(R P^-1) - log|R| - p]``, with the scaling
  ``c = tr(U' V U Gamma_r) / df`` (V the normal-theory weight matrix of the correlations at P); the baseline
  ``XX3_0 = -N log|R|`` with ``c_0 = tr(Gamma_r) / df_0``. Not available (NaN) when R is not positive definite.

RMSEA uses N - 1 (lavaan's ``lav_utils_get_ntotal`` for DWLS/ULS).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from .tests import cfi, incremental_indices, rmsea, rmsea_ci, rmsea_pvalue, tli

__all__ = ["scaled_shifted", "ordinal_baseline", "catml_robust", "ordinal_fit_measures", "FIT_NOTES_ORDINAL"]

FIT_NOTES_ORDINAL = (
    "WLSMV/ULSMV: report chisq_scaled (df, pvalue_scaled; the scaled-shifted test) with cfi_robust, tli_robust, "
    "rmsea_robust (+ CI) and srmr -- the robust indices of Savalei (2021) that lavaan >= 0.6-13 prints as "
    "'Robust'. cfi_scaled/rmsea_scaled are the older indices computed from the scaled-shifted statistic "
    "(what Mplus reports); they overstate fit less predictably and should be labelled as such if shown.")


def scaled_shifted(stat: float, df: int, w: np.ndarray, D: np.ndarray | None, E_inv: np.ndarray | None,
                   Gamma: np.ndarray) -> dict:
    """Scaled-shifted test for diagonal weights ``w``, Jacobian ``D`` and Gamma (N-scaled NACOV).

    ``D=None`` is a model without free parameters on these statistics (U = W).

    Examples
    --------
    >>> out = scaled_shifted(10.0, 2, np.ones(2), None, None, np.diag([2.0, 2.0]))
    >>> round(out["stat"], 4), round(out["scaling_factor"], 4), round(out["shift"], 4)
    (5.0, 2.0, 0.0)
    """
    W = np.diag(w)
    if D is None or D.shape[1] == 0:
        U = W
    else:
        WD = w[:, None] * D
        U = W - WD @ E_inv @ WD.T
    UG = U @ Gamma
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    if df <= 0 or not tr2 > 0:
        return dict(stat=float("nan"), df=df, scaling_factor=float("nan"), shift=float("nan"), trace_ugamma=tr1,
                    trace_ugamma2=tr2, pvalue=float("nan"))
    a = np.sqrt(df / tr2)
    shift = df - a * tr1
    t = a * stat + shift
    return dict(stat=float(t), df=df, scaling_factor=float(1 / a), shift=float(shift), trace_ugamma=tr1,
                trace_ugamma2=tr2, pvalue=float(sps.chi2.sf(t, df)))


def ordinal_baseline(o: dict) -> dict:
    """Independence model of an ordinal fit: thresholds at their sample values, correlations 0."""
    nth, s, w, N = o["nth"], o["s"], o["w"], o["N"]
    r = s[nth:]
    df0 = len(r)
    chisq0 = (N - 1) * float(np.sum(w[nth:] * r * r))
    G = o["gamma"]
    # U of the baseline: the threshold block is saturated (U = 0 there), correlations keep W
    sub = scaled_shifted(chisq0, df0, w[nth:], None, None, G[nth:, nth:])
    return {"chisq": chisq0, "df": df0, "scaling_factor": sub["scaling_factor"], "shift": sub["shift"],
            "chisq_scaled": sub["stat"], "pvalue_scaled": sub["pvalue"]}


def catml_robust(o: dict, df: int) -> dict:
    """Ingredients of lavaan's robust CFI/TLI/RMSEA for categorical data (``lav_fit_catml_dwls``)."""
    R, P, N = o["R"], o["implied_cor"], o["N"]
    nan = dict(XX3=np.nan, c_hat3=np.nan, XX3_null=np.nan, c_hat3_null=np.nan, XX3_scaled=np.nan)
    p = R.shape[0]
    if np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps):
        return dict(nan, note="the polychoric correlation matrix is not positive definite: robust CFI/TLI/RMSEA "
                              "are not available (as lavaan)")
    try:
        Pi = np.linalg.inv(P)
        sP, ldP = np.linalg.slogdet(P)
        sR, ldR = np.linalg.slogdet(R)
    except np.linalg.LinAlgError:
        return nan
    if sP <= 0:
        return nan
    XX3 = N * (ldP + np.sum(R * Pi) - ldR - p)
    nth = o["nth"]
    i, j = o["pairs"]
    # V: normal-theory weight of the off-diagonal elements at P  (Pi_ik Pi_jl + Pi_il Pi_jk)
    V = Pi[np.ix_(i, i)] * Pi[np.ix_(j, j)] + Pi[np.ix_(i, j)] * Pi[np.ix_(j, i)]
    Dc = o["delta"][nth:]
    Wc = o["w"][nth:]
    WiU = np.eye(len(i)) - Dc @ o["E_inv"] @ (Dc.T * Wc[None, :])
    Gc = o["gamma"][nth:, nth:]
    ks = float(np.sum((WiU.T @ V @ WiU) * Gc.T))
    c3 = ks / df if df > 0 else np.nan
    XX3_null = -N * ldR
    c3_null = float(np.trace(Gc)) / len(i)
    return dict(XX3=float(XX3), c_hat3=c3, XX3_scaled=float(XX3 / c3), XX3_null=float(XX3_null), c_hat3_null=c3_null)


def ordinal_fit_measures(result) -> pd.Series:
    """Fit measures of an ordinal (WLSMV/ULSMV) fit with lavaan's names in snake case (see module docstring)."""
    st = result._state
    o = st.ordinal
    if o.get("multigroup"):
        from .ordinal_groups import ordinal_group_fit_measures

        return ordinal_group_fit_measures(result)
    N = o["N"]
    Nr = N - 1  # lavaan's N for RMSEA with DWLS/ULS
    df = result.df
    chisq = st.chisq
    out: dict[str, float] = {"n_obs": N, "n_params": result.n_params, "fmin": st.optim.fmin, "chisq": chisq,
                             "df": df, "pvalue": float(sps.chi2.sf(chisq, df)) if df > 0 else float("nan")}
    ss = scaled_shifted(chisq, df, o["w"], o["delta"], o["E_inv"], o["gamma"])
    out.update(chisq_scaled=ss["stat"], df_scaled=df, pvalue_scaled=ss["pvalue"], scaling_factor=ss["scaling_factor"],
               shift=ss["shift"])
    b = st.baseline()
    bchisq, bdf = b["chisq"], b["df"]
    bs = b["chisq_scaled"]
    out.update(baseline_chisq=bchisq, baseline_df=bdf, baseline_pvalue=float(sps.chi2.sf(bchisq, bdf)),
               baseline_chisq_scaled=bs, baseline_df_scaled=bdf, baseline_pvalue_scaled=b["pvalue_scaled"],
               baseline_scaling_factor=b["scaling_factor"])
    cr = catml_robust(o, df)
    X3, c3, X3n, c3n = cr["XX3"], cr["c_hat3"], cr["XX3_null"], cr["c_hat3_null"]
    out["cfi"] = cfi(chisq, df, bchisq, bdf)
    out["tli"] = tli(chisq, df, bchisq, bdf)
    out["cfi_scaled"] = cfi(ss["stat"], df, bs, bdf)
    out["tli_scaled"] = tli(ss["stat"], df, bs, bdf)
    out["cfi_robust"] = cfi(X3, df, X3n, bdf, c3, c3n)
    out["tli_robust"] = tli(X3, df, X3n, bdf, c3, c3n)
    out.update(incremental_indices(chisq, df, bchisq, bdf))
    out.update({f"{k}_scaled": v for k, v in incremental_indices(ss["stat"], df, bs, bdf).items()})
    out["nnfi_robust"] = out["tli_robust"]
    t2 = X3n - c3n * bdf
    out["rni_robust"] = float(1 - (X3 - c3 * df) / t2) if np.isfinite(t2) and t2 != 0 else float("nan")
    out["rmsea"] = rmsea(chisq, df, Nr)
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = rmsea_ci(chisq, df, Nr)
    out["rmsea_ci_level"] = 0.90
    out["rmsea_pvalue"] = rmsea_pvalue(chisq, df, Nr, 0.05)
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_pvalue"] = rmsea_pvalue(chisq, df, Nr, 0.08, notclose=True)
    out["rmsea_notclose_h0"] = 0.08
    t = ss["stat"]
    out["rmsea_scaled"] = rmsea(t, df, Nr)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = rmsea_ci(t, df, Nr)
    out["rmsea_pvalue_scaled"] = rmsea_pvalue(t, df, Nr, 0.05)
    out["rmsea_notclose_pvalue_scaled"] = rmsea_pvalue(t, df, Nr, 0.08, notclose=True)
    if np.isfinite(X3) and np.isfinite(c3):
        out["rmsea_robust"] = rmsea(X3, df, Nr, c_hat=c3)
        out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = rmsea_ci(cr["XX3_scaled"], df, Nr, c_hat=c3)
        out["rmsea_pvalue_robust"] = rmsea_pvalue(cr["XX3_scaled"], df, Nr, 0.05, c_hat=c3)
        out["rmsea_notclose_pvalue_robust"] = rmsea_pvalue(cr["XX3_scaled"], df, Nr, 0.08, c_hat=c3, notclose=True)
    else:
        for k in ("rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "rmsea_pvalue_robust",
                  "rmsea_notclose_pvalue_robust"):
            out[k] = float("nan")
    # residual-based: correlation residuals (diagonal 0) and threshold residuals
    R, P, nth = o["R"], o["implied_cor"], o["nth"]
    p = R.shape[0]
    il = np.tril_indices(p, -1)
    ssq = float(np.sum((R - P)[il] ** 2))
    th_res = o["s"][:nth] - o["sigma"][:nth]
    sst = float(np.sum(th_res ** 2))
    e_cov, e_cor = p * (p + 1) / 2, p * (p - 1) / 2
    out["rmr"] = float(np.sqrt((ssq + sst) / (e_cov + nth)))
    out["rmr_nomean"] = float(np.sqrt(ssq / e_cov))
    out["srmr"] = out["rmr_nomean"]
    out["srmr_bentler"] = out["rmr"]
    out["srmr_bentler_nomean"] = out["rmr_nomean"]
    out["crmr"] = float(np.sqrt((ssq + sst) / (e_cor + nth)))
    out["crmr_nomean"] = float(np.sqrt(ssq / e_cor))
    out["wrmr"] = float(np.sqrt(2 * N * st.optim.fmin / len(o["s"])))
    return pd.Series(out, dtype=float, name="fit_indices")
