"""Fit measures of every fit, in one place, with lavaan 0.6-14's names in snake case (``fitMeasures()``).

The measures depend on the estimator family and the test statistic of the fit (:mod:`.scaling`):

* all fits: ``n_obs, n_params, fmin, chisq, df, pvalue``, the baseline (independence) model, CFI/TLI and the
  other incremental indices, RMSEA with its 90% CI and close/not-close-fit p-values, SRMR and the other
  residual-based indices, GFI/AGFI/PGFI, MFI, ECVI, Hoelter's critical N;
* a scaled test (MLR, MLM, WLSMV, ...): the ``*_scaled`` statistic and indices computed from it, and the
  ``*_robust`` indices: Brosseau-Liard & Savalei (2014) for complete continuous data, the FIML-corrected
  versions of Zhang & Savalei (2023) with missing data, and Savalei's (2021) catML versions for ordered
  indicators (single group; NaN with groups, as lavaan);
* maximum likelihood: the log-likelihoods, AIC, BIC and the sample-size adjusted BIC.

RMSEA uses N for ML and ``N - G`` for the least-squares estimators (lavaan's ``lav_utils_get_ntotal``) and
the ``sqrt(G)`` factor of lavaan with several groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps

from .tests import _gfi_group, cfi, incremental_indices, rmsea, rmsea_ci, rmsea_pvalue, srmr_bentler, tli

__all__ = ["fit_measures", "FIT_NOTES_ORDINAL", "FIT_NOTES_ORDINAL_GROUPS"]

FIT_NOTES_ORDINAL = (
    "WLSMV/ULSMV: report chisq_scaled (df, pvalue_scaled; the scaled-shifted test) with cfi_robust, tli_robust, "
    "rmsea_robust (+ CI) and srmr -- the robust indices of Savalei (2021) that lavaan >= 0.6-13 prints as "
    "'Robust'. cfi_scaled/rmsea_scaled are the older indices computed from the scaled-shifted statistic "
    "(what Mplus reports); they overstate fit less predictably and should be labelled as such if shown.")

FIT_NOTES_ORDINAL_GROUPS = (
    "WLSMV/ULSMV with groups: report chisq_scaled (df, pvalue_scaled; the scaled-shifted test) with cfi_scaled, "
    "tli_scaled, rmsea_scaled (+ CI) and srmr. The robust (catML) indices are not available with several "
    "groups (NaN; lavaan 0.6-14 gives them only when no thresholds are constrained).")

_NAN = float("nan")


def fit_measures(result) -> pd.Series:
    """All fit measures of a fitted model as a Series (see the module docstring)."""
    st = result._state
    if st.ordinal is not None:
        return _ordinal_measures(result)
    if st.twolevel is not None:
        return _twolevel_measures(result)
    return _continuous_measures(result)


# ============================================================================================ shared


def _chisq_block(out: dict, st, df: int) -> None:
    chisq = st.chisq
    out["chisq"] = chisq
    out["df"] = df
    out["pvalue"] = float(special.chdtrc(df, chisq)) if df > 0 else _NAN
    t = st.test
    if t.get("chisq_scaled") is not None and t["kind"] not in ("standard", "none"):
        out["chisq_scaled"] = t["chisq_scaled"]
        out["df_scaled"] = t.get("df_scaled", df)
        out["pvalue_scaled"] = t.get("pvalue_scaled", _NAN)
        out["scaling_factor"] = t["scaling_factor"]
        if t["kind"] == "scaled.shifted":
            out["shift"] = t["shift"]


def _baseline_block(out: dict, base: dict, scaled: bool) -> None:
    bchisq, bdf = base["chisq"], base["df"]
    out["baseline_chisq"] = bchisq
    out["baseline_df"] = bdf
    out["baseline_pvalue"] = float(special.chdtrc(bdf, bchisq)) if bdf > 0 else _NAN
    if scaled:
        out["baseline_chisq_scaled"] = base.get("chisq_scaled", _NAN)
        out["baseline_df_scaled"] = base.get("df_scaled", bdf)
        out["baseline_pvalue_scaled"] = base.get("pvalue_scaled", float(sps.chi2.sf(base.get("chisq_scaled", _NAN),
                                                                                     bdf)))
        out["baseline_scaling_factor"] = base.get("scaling_factor", _NAN)


def _rmsea_block(out: dict, suffix: str, stat: float, df: float, n: float, G: int, c_hat: float = 1.0,
                 ci_stat: float | None = None, ci_c_hat: float | None = None) -> None:
    """RMSEA of ``stat`` (with ``c_hat``) and its CI and p-values from ``ci_stat`` (with ``ci_c_hat``); lavaan
    uses the scaled statistic and the test's scaling factor for the robust CI (``lav_fit_rmsea_lavobject``)."""
    ci_stat = stat if ci_stat is None else ci_stat
    ci_c = c_hat if ci_c_hat is None else ci_c_hat
    out[f"rmsea{suffix}"] = rmsea(stat, df, n, c_hat=c_hat, ngroups=G)
    out[f"rmsea_ci_lower{suffix}"], out[f"rmsea_ci_upper{suffix}"] = rmsea_ci(ci_stat, df, n, c_hat=ci_c,
                                                                               ngroups=G)
    out[f"rmsea_pvalue{suffix}"] = rmsea_pvalue(ci_stat, df, n, 0.05, c_hat=ci_c, ngroups=G)
    out[f"rmsea_notclose_pvalue{suffix}"] = rmsea_pvalue(ci_stat, df, n, 0.08, c_hat=ci_c, ngroups=G,
                                                         notclose=True)


def _rmsea_nan(out: dict, suffix: str) -> None:
    for k in ("rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "rmsea_notclose_pvalue"):
        out[f"{k}{suffix}"] = _NAN


def _misc_block(out: dict, chisq: float, df: int, N: float, npar: int, pstar: float, gfi: float,
                ecvi: bool = True) -> None:
    """GFI family (``pstar``: all sample statistics, lavaan's ``nel``), MFI, ECVI and Hoelter's N (``N``: the
    estimator's N, N - G for least squares)."""
    out["gfi"] = gfi
    out["agfi"] = 1 - (pstar / df) * (1 - gfi) if df > 0 else 1.0
    out["pgfi"] = (df / pstar) * gfi
    out["mfi"] = float(np.exp(-0.5 * (chisq - df) / N))
    if ecvi:
        out["ecvi"] = chisq / N + 2 * npar / N
    if df > 0 and chisq > 0:
        out["cn_05"] = float(special.chdtri(df, 0.05) / (chisq / N)) + 1
        out["cn_01"] = float(special.chdtri(df, 0.01) / (chisq / N)) + 1


def _uls_pvalues(out: dict, opts) -> None:
    """lavaan gives no unscaled p-values for ULS (its reference distribution is unknown)."""
    if opts.objective == "ULS":
        out["pvalue"] = _NAN
        out["baseline_pvalue"] = _NAN


# ============================================================================================ continuous


def _continuous_measures(result) -> pd.Series:
    st = result._state
    opts = st.opts
    N = result.n_obs
    G = result.n_groups
    df = result.df
    npar = result.n_params
    ms = st.design.meanstructure
    ml = opts.objective == "ML"
    fiml = opts.missing in ("fiml", "ml.x")
    chisq = st.chisq
    out: dict[str, float] = {"n_obs": N, "n_params": npar}
    out["fmin"] = chisq / (2 * N) if fiml else st.optim.fmin
    _chisq_block(out, st, df)
    t = st.test
    kind = t["kind"]
    scaled = "chisq_scaled" in out
    base = st.baseline()
    bchisq, bdf = base["chisq"], base["df"]
    _baseline_block(out, base, scaled)
    out["cfi"] = cfi(chisq, df, bchisq, bdf)
    out["tli"] = tli(chisq, df, bchisq, bdf)
    c = out.get("scaling_factor", _NAN)
    cb = base.get("scaling_factor", _NAN)
    ts, tbs = out.get("chisq_scaled", _NAN), base.get("chisq_scaled", _NAN)
    dfs, bdfs = out.get("df_scaled", df), base.get("df_scaled", bdf)  # fractional with mean.var.adjusted
    if scaled:
        out["cfi_scaled"] = cfi(ts, dfs, tbs, bdfs)
        out["tli_scaled"] = tli(ts, dfs, tbs, bdfs)
    robust_bl = scaled and kind in ("yuan.bentler.mplus", "satorra.bentler", "scaled.shifted") and not fiml
    if kind == "scaled.shifted":  # lavaan: c = tr(U Gamma) / df, as for Satorra-Bentler
        c = t["trace_ugamma"] / df if df > 0 else _NAN
        cb = base["trace_ugamma"] / bdf if bdf > 0 else _NAN
    if robust_bl:  # Brosseau-Liard & Savalei (2014)
        out["cfi_robust"] = cfi(chisq, df, bchisq, bdf, c, cb)
        out["tli_robust"] = tli(chisq, df, bchisq, bdf, c, cb)
    fc = st.fiml_corrected() if (fiml and st.fiml_corrected is not None and df > 0) else None
    if fc is not None:
        x3, c3, x3n, c3n = fc["XX3"], fc["c_hat3"], fc.get("XX3_null", np.nan), fc.get("c_hat3_null", np.nan)
        out["cfi_robust"] = cfi(x3, df, x3n, bdf, c3, c3n)
        out["tli_robust"] = tli(x3, df, x3n, bdf, c3, c3n)
    out.update(incremental_indices(chisq, df, bchisq, bdf))
    if scaled:
        out.update({f"{k}_scaled": v for k, v in incremental_indices(ts, dfs, tbs, bdfs).items()})
        if robust_bl:
            out["nnfi_robust"] = out["tli_robust"]
            t2 = bchisq - cb * bdf
            out["rni_robust"] = float(1 - (chisq - c * df) / t2) if t2 != 0 else _NAN
        if kind == "yuan.bentler.mplus":
            out["scaling_factor_h1"] = t["trace_h1"] / st.ndat
            # lavaan divides by the free parameters before equality constraints ("nx.free")
            nx_free = int(((st.pt["free"] > 0) & (st.pt["op"] != ":=")).sum())
            out["scaling_factor_h0"] = t["trace_h0"] / nx_free
    if ml:
        ll, ll1 = st.loglik, st.loglik_h1
        out["loglik"] = ll
        out["loglik_unrestricted"] = ll1
        out["aic"] = -2 * ll + 2 * npar
        out["bic"] = -2 * ll + npar * np.log(N)
        out["bic2"] = -2 * ll + npar * np.log((N + 2) / 24)
    Nr = N if ml else N - G
    _rmsea_block(out, "", chisq, df, Nr, G)
    out["rmsea_ci_level"] = 0.90
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_h0"] = 0.08
    if scaled:
        if kind in ("yuan.bentler.mplus", "satorra.bentler"):
            _rmsea_block(out, "_scaled", chisq, c * df, Nr, G)
        elif kind == "mean.var.adjusted":  # lavaan: unscaled statistic on tr(U Gamma) df
            _rmsea_block(out, "_scaled", chisq, t["trace_ugamma"], Nr, G)
        else:
            _rmsea_block(out, "_scaled", ts, df, Nr, G)
    if fc is not None:
        out["nnfi_robust"] = out["tli_robust"]
        t2 = x3n - c3n * bdf
        out["rni_robust"] = float(1 - (x3 - c3 * df) / t2) if t2 != 0 else _NAN
        _rmsea_block(out, "_robust", x3, df, Nr, G, c_hat=c3, ci_stat=x3 / c3)
    if robust_bl:
        _rmsea_block(out, "_robust", chisq, df, Nr, G, c_hat=c, ci_stat=ts, ci_c_hat=out["scaling_factor"])
    _residual_block(out, st, N, ms, fiml)
    pstar = sum(s.p * (s.p + 1) / 2 + (s.p if ms else 0) for s in st.stats)  # all moments, as lavaan
    _misc_block(out, chisq, df, Nr, npar, pstar, out.pop("_gfi"))
    _uls_pvalues(out, opts)
    return pd.Series(out, dtype=float, name="fit_indices")


def _residual_block(out: dict, st, N: int, ms: bool, fiml: bool) -> None:
    """RMR, SRMR (Bentler and Mplus variants), CRMR and GFI, weighted over groups by N_g."""
    srmr_w = srmr_nm = rmr_w = rmr_nm = crmr_w = crmr_nm = gfi_w = mp_w = mp_nm = 0.0
    exo = set(st.design.exo_names)
    ls = hasattr(st.objective, "blocks_")
    for gi, (ss, imp) in enumerate(zip(st.stats, st.implied)):
        w = ss.nobs / N
        S, sig = ss.cov, imp["sigma"]
        s1, s0 = srmr_bentler(S, sig, ss.mean if ms else None, imp["mu"] if ms else None)
        srmr_w += w * s1
        srmr_nm += w * s0
        idx = np.tril_indices(ss.p)
        r_cov = (S - sig)[idx] ** 2
        rmr_nm += w * float(np.sqrt(np.mean(r_cov)))
        ds, dm = np.sqrt(np.diag(S)), np.sqrt(np.diag(sig))
        cres = S / np.outer(ds, ds) - sig / np.outer(dm, dm)
        il = np.tril_indices(ss.p, -1)
        c_cov = cres[il] ** 2
        crmr_nm += w * float(np.sqrt(np.mean(c_cov))) if ss.p > 1 else 0.0
        if ms:
            r_m = (ss.mean - imp["mu"]) ** 2
            c_m = ((ss.mean - imp["mu"]) / ds) ** 2  # cor.bollen: means scaled by the sample SDs
            rmr_w += w * float(np.sqrt((r_cov.sum() + r_m.sum()) / (len(r_cov) + len(r_m))))
            crmr_w += w * float(np.sqrt((c_cov.sum() + c_m.sum()) / (len(c_cov) + len(c_m))))
        else:
            rmr_w = rmr_nm
            crmr_w = crmr_nm
        # Mplus-variant SRMR (lav_fit_srmr_mplus)
        rvar = np.sum(((np.diag(S) - np.diag(sig)) / np.diag(S)) ** 2)
        e0 = ss.p * (ss.p + 1) / 2
        mp_nm += w * float(np.sqrt((c_cov.sum() + rvar) / e0))
        if ms:
            rm = np.sum((ss.mean / ds - imp["mu"] / dm) ** 2)
            mp_w += w * float(np.sqrt((c_cov.sum() + rm + rvar) / (e0 + ss.p)))
        else:
            mp_w += w * float(np.sqrt((c_cov.sum() + rvar) / e0))
        isx = np.array([v in exo for v in ss.names])
        if fiml:
            from .objectives.fiml import fiml_gfi

            gfi_w += w * fiml_gfi(ss, sig, imp["mu"], isx)
        elif ls:
            gfi_w += w * _ls_gfi(st.objective.blocks_[gi], st.theta)
        else:
            gfi_w += w * _gfi_group(S, sig, ss.mean if ms else None, imp["mu"] if ms else None, isx)
    out["rmr"] = rmr_w
    out["rmr_nomean"] = rmr_nm
    out["srmr"] = srmr_w
    out["srmr_bentler"] = srmr_w
    out["srmr_bentler_nomean"] = srmr_nm
    out["crmr"] = crmr_w
    out["crmr_nomean"] = crmr_nm
    out["srmr_mplus"] = mp_w
    out["srmr_mplus_nomean"] = mp_nm
    out["_gfi"] = gfi_w


def _ls_gfi(block, theta) -> float:
    """GFI of a least-squares block with its own weight matrix: ``1 - e'We / s'Ws``."""
    e = block.s - block.map.vector(theta)
    return float(1 - e @ block.weigh(e) / (block.s @ block.weigh(block.s)))


# ============================================================================================ ordinal


def _ordinal_measures(result) -> pd.Series:
    st = result._state
    o = st.ordinal
    blocks = st.objective.blocks_
    fg = st.objective.weights
    G = len(blocks)
    N = st.objective.ntotal
    df = result.df
    chisq = st.chisq
    out: dict[str, float] = {"n_obs": N, "n_params": result.n_params, "fmin": st.optim.fmin}
    _chisq_block(out, st, df)
    kind = st.test["kind"]
    scaled = "chisq_scaled" in out
    b = st.baseline()
    bchisq, bdf = b["chisq"], b["df"]
    _baseline_block(out, b, scaled)
    out["cfi"] = cfi(chisq, df, bchisq, bdf)
    out["tli"] = tli(chisq, df, bchisq, bdf)
    out.update(incremental_indices(chisq, df, bchisq, bdf))
    Nr = N - G  # lavaan's N for RMSEA with DWLS/ULS: sum of (n_g - 1)
    _rmsea_block(out, "", chisq, df, Nr, G)
    out["rmsea_ci_level"] = 0.90
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_h0"] = 0.08
    if scaled:
        t, bs = out["chisq_scaled"], b["chisq_scaled"]
        dfs, bdfs = out.get("df_scaled", df), b.get("df_scaled", bdf)
        out["cfi_scaled"] = cfi(t, dfs, bs, bdfs)
        out["tli_scaled"] = tli(t, dfs, bs, bdfs)
        out.update({f"{k}_scaled": v for k, v in incremental_indices(t, dfs, bs, bdfs).items()})
        if kind == "scaled.shifted":
            _rmsea_block(out, "_scaled", t, df, Nr, G)
        else:
            _rmsea_block(out, "_scaled", chisq, st.test["trace_ugamma"], Nr, G)
    if scaled and kind in ("satorra.bentler", "scaled.shifted"):
        cr = _catml_robust(st, df, bdf)
        X3, c3, X3n, c3n = cr["XX3"], cr["c_hat3"], cr["XX3_null"], cr["c_hat3_null"]
        out["cfi_robust"] = cfi(X3, df, X3n, bdf, c3, c3n)
        out["tli_robust"] = tli(X3, df, X3n, bdf, c3, c3n)
        out["nnfi_robust"] = out["tli_robust"]
        t2 = X3n - c3n * bdf
        out["rni_robust"] = float(1 - (X3 - c3 * df) / t2) if np.isfinite(t2) and t2 != 0 else _NAN
        if np.isfinite(X3) and np.isfinite(c3):
            _rmsea_block(out, "_robust", X3, df, Nr, G, c_hat=c3, ci_stat=cr["XX3_scaled"])
        else:
            _rmsea_nan(out, "_robust")
    # residual-based: correlation residuals (diagonal 0) and threshold residuals, weighted by n_g (lavaan)
    srmr = rmr = crmr = crmr_m = 0.0
    for g, blk in enumerate(blocks):
        R = o["R"][g]
        P = o["implied_cor"][g]
        p = R.shape[0]
        p_all = blk.map.model.p  # lavaan counts the covariates too (conditional.x)
        il = np.tril_indices(p, -1)
        ssq = float(np.sum((R - P)[il] ** 2))
        nth = len(blk.map.th_item)  # threshold residuals (slopes do not enter)
        sst = float(np.sum((blk.s[:nth] - o["sigma"][g][:nth]) ** 2))
        e_cov, e_cor = p * (p - 1) / 2 + p_all, p * (p - 1) / 2
        srmr += fg[g] * np.sqrt(ssq / e_cov)
        rmr += fg[g] * np.sqrt((ssq + sst) / (e_cov + nth))
        crmr += fg[g] * np.sqrt(ssq / e_cor)
        crmr_m += fg[g] * np.sqrt((ssq + sst) / (e_cor + nth))
    out["srmr"] = out["rmr_nomean"] = out["srmr_bentler_nomean"] = float(srmr)
    out["rmr"] = out["srmr_bentler"] = float(rmr)
    out["crmr_nomean"] = float(crmr)
    out["crmr"] = float(crmr_m)
    out["srmr_mplus"] = out["srmr_mplus_nomean"] = _NAN  # lavaan: not defined for categorical data
    out["wrmr"] = float(np.sqrt(2 * N * st.optim.fmin / len(blocks[0].s)))  # lavaan: nel of group 1
    gfi = sum(f * _ls_gfi(blk, st.theta) for blk, f in zip(blocks, fg))
    nel = sum(len(blk.s) for blk in blocks)
    _misc_block(out, chisq, df, Nr, result.n_params, nel, gfi, ecvi=False)
    _uls_pvalues(out, st.opts)
    return pd.Series(out, dtype=float, name="fit_indices")


def _catml_robust(st, df: int, bdf: int) -> dict:
    """Ingredients of lavaan's robust CFI/TLI/RMSEA for categorical data (``lav_fit_catml_dwls``, Savalei 2021).

    The ML ("catML") discrepancy of the polychoric correlations at the DWLS estimates, ``XX3 = sum_g N_g [log|P_g|
    + tr(R_g P_g^-1) - log|R_g| - p]``; with the correlation rows of the blocks stacked (``W`` and ``V`` weighted
    by ``f_g``, ``Gamma`` by ``1 / f_g``; ``V`` the normal-theory weight of the correlations at P) and E the
    DWLS information, ``c = tr(WiU' V WiU Gamma) / df``, ``WiU = I - Delta E^-1 Delta' W``; the baseline
    ``XX3_0 = -sum_g N_g log|R_g|`` with ``c_0 = tr(Gamma) / df_0``. NaN, as lavaan, when a polychoric matrix
    is not positive definite or the model has more degrees of freedom than the baseline.
    """
    from scipy.linalg import block_diag

    from . import inference

    o = st.ordinal
    blocks = st.objective.blocks_
    fg = st.objective.weights
    nan = dict(XX3=_NAN, c_hat3=_NAN, XX3_null=_NAN, c_hat3_null=_NAN, XX3_scaled=_NAN)
    if df > bdf or df <= 0 or o.get("conditional_x"):  # lavaan: NA with covariates (conditional.x)
        return nan
    XX3 = XX3_null = 0.0
    Ws, Vs, Gs, Ds = [], [], [], []
    for g, blk in enumerate(blocks):
        R, P = o["R"][g], o["implied_cor"][g]
        p = R.shape[0]
        if np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps):
            return dict(nan, note="a polychoric correlation matrix is not positive definite: robust CFI/TLI/RMSEA "
                                  "are not available (as lavaan)")
        try:
            Pi = np.linalg.inv(P)
        except np.linalg.LinAlgError:
            return nan
        sP, ldP = np.linalg.slogdet(P)
        sR, ldR = np.linalg.slogdet(R)
        if sP <= 0:
            return nan
        XX3 += blk.n * (ldP + np.sum(R * Pi) - ldR - p)
        XX3_null += -blk.n * ldR
        nth = blk.map.nth
        i, j = blk.map.pairs
        Vs.append(fg[g] * (Pi[np.ix_(i, i)] * Pi[np.ix_(j, j)] + Pi[np.ix_(i, j)] * Pi[np.ix_(j, i)]))
        Ws.append(fg[g] * blk.W[nth:])
        Gs.append(blk.gamma[nth:, nth:] / fg[g])
        Ds.append(blk.map.jacobian(st.theta)[nth:])
    E = sum(f * (D.T @ b.weigh(D)) for b, f, D in zip(blocks, fg, st.objective.deltas(st.theta)))
    E_inv, _ = inference.safe_inverse(E)
    Dall = np.vstack(Ds)
    Wall = np.concatenate(Ws)
    Vall, Gall = block_diag(*Vs), block_diag(*Gs)
    WiU = np.eye(len(Wall)) - Dall @ E_inv @ (Dall.T * Wall[None, :])
    ks = float(np.sum((WiU.T @ Vall @ WiU) * Gall.T))
    c3 = ks / df
    df_null = len(Wall)
    c3_null = float(np.trace(Gall)) / df_null
    return dict(XX3=float(XX3), c_hat3=c3, XX3_scaled=float(XX3 / c3), XX3_null=float(XX3_null),
                c_hat3_null=c3_null)


# ============================================================================================ what to report


def reported_fit(result) -> dict:
    """The fit measures a paper should report for this fit, chosen once here for every table, report and command
    line output (they never choose themselves).

    The chi-square is the scaled one when the estimator has a scaled test (MLR, MLM, WLSMV, ...), with its df and
    p-value; CFI, TLI and RMSEA (with its 90% CI) are the robust versions where they exist (Brosseau-Liard &
    Savalei; the FIML-corrected ones; Savalei's catML ones for ordered indicators), else the scaled ones, else the
    standard ones; SRMR as computed.

    Returns
    -------
    dict
        n, estimator, test, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, srmr, and
        ``scaled`` (bool: the chi-square is scaled) and ``indices`` ("robust", "scaled" or "standard").

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(0); f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ np.ones((1, 4)) + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> r = reported_fit(cfa(df, "F =~ a + b + c + d", estimator="MLR"))
    >>> r["scaled"], r["indices"]
    (True, 'robust')
    """
    fi = result.fit_indices
    st = result._state
    scaled = "chisq_scaled" in fi.index and np.isfinite(fi.get("chisq_scaled", np.nan))

    def val(name):
        v = fi.get(name, np.nan)
        return float(v) if v is not None else _NAN

    kind = "standard"
    if np.isfinite(val("cfi_robust")) and np.isfinite(val("rmsea_robust")):
        kind = "robust"
    elif scaled and np.isfinite(val("cfi_scaled")):
        kind = "scaled"
    suffix = {"robust": "_robust", "scaled": "_scaled", "standard": ""}[kind]
    out = {"n": int(result.n_obs), "estimator": st.opts.estimator, "test": st.test.get("kind", "standard"),
           "scaled": bool(scaled), "indices": kind,
           "chisq": val("chisq_scaled") if scaled else val("chisq"),
           "df": val("df_scaled") if scaled else val("df"),
           "pvalue": val("pvalue_scaled") if scaled else val("pvalue")}
    for k in ("cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper"):
        out[k] = val(k + suffix)
    out["srmr"] = val("srmr")
    return out


# ============================================================================================ two-level


def _force_pd(S: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """lavaan's ``lav_matrix_symmetric_force_pd``: eigenvalues below ``tol`` times the largest set to it."""
    if S.shape[0] == 1:
        return np.array([[max(S[0, 0], tol)]])
    w, V = np.linalg.eigh(S)
    top = abs(w[-1])
    w = np.where(w / top < tol, tol * top, w)
    return (V * w) @ V.T


def _twolevel_measures(result) -> pd.Series:
    """Fit measures of a two-level model (lavaan 0.6-14): the chi-square against the unrestricted two-level model,
    the baseline (independence at both levels), CFI/TLI and the other incremental indices, the log-likelihoods
    with AIC/BIC (N individuals), RMSEA with N individuals, and SRMR = SRMR(within) + SRMR(between) from the
    correlation residuals of each level (diagonal included, no means) against the unrestricted model's moments."""
    st = result._state
    tl = st.twolevel
    N = tl["data"].N
    df = result.df
    npar = result.n_params
    chisq = st.chisq
    # fmin is lavaan's two-level objective at the solution (-loglik / N without the constant), not chisq / 2N
    out: dict[str, float] = {"n_obs": N, "n_params": npar, "fmin": float(st.optim.fmin)}
    _chisq_block(out, st, df)
    scaled = "chisq_scaled" in out
    base = st.baseline()
    bchisq, bdf = base["chisq"], base["df"]
    _baseline_block(out, base, scaled)
    out["cfi"] = cfi(chisq, df, bchisq, bdf)
    out["tli"] = tli(chisq, df, bchisq, bdf)
    out.update(incremental_indices(chisq, df, bchisq, bdf))
    if scaled:
        ts, tbs = out["chisq_scaled"], base["chisq_scaled"]
        c, cb = out["scaling_factor"], base["scaling_factor"]
        out["cfi_scaled"] = cfi(ts, df, tbs, bdf)
        out["tli_scaled"] = tli(ts, df, tbs, bdf)
        out.update({f"{k}_scaled": v for k, v in incremental_indices(ts, df, tbs, bdf).items()})
        out["cfi_robust"] = cfi(chisq, df, bchisq, bdf, c, cb)
        out["tli_robust"] = tli(chisq, df, bchisq, bdf, c, cb)
        out["nnfi_robust"] = out["tli_robust"]
        t2 = bchisq - cb * bdf
        out["rni_robust"] = float(1 - (chisq - c * df) / t2) if t2 != 0 else _NAN
        out["scaling_factor_h1"] = st.test["trace_h1"] / st.ndat
        out["scaling_factor_h0"] = st.test["trace_h0"] / npar
    ll, ll1 = st.loglik, st.loglik_h1
    out["loglik"] = ll
    out["loglik_unrestricted"] = ll1
    out["aic"] = -2 * ll + 2 * npar
    out["bic"] = -2 * ll + npar * np.log(N)
    out["bic2"] = -2 * ll + npar * np.log((N + 2) / 24)
    _rmsea_block(out, "", chisq, df, N, 1)
    out["rmsea_ci_level"] = 0.90
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_h0"] = 0.08
    if scaled:
        _rmsea_block(out, "_scaled", chisq, c * df, N, 1)
        _rmsea_block(out, "_robust", chisq, df, N, 1, c_hat=c, ci_stat=ts)
    srmr = {}
    for name, h1, imp in (("within", tl["h1_implied"][0], st.implied[0]), ("between", tl["h1_implied"][1],
                                                                             st.implied[1])):
        S, sig = h1["sigma"], imp["sigma"]
        if name == "between":  # lavaan forces the model's between matrix positive definite first
            sig = _force_pd(sig)
        with np.errstate(invalid="ignore", divide="ignore"):
            ds, dm = np.sqrt(np.diag(S)), np.sqrt(np.diag(sig))
            R = S / np.outer(ds, ds) - sig / np.outer(dm, dm)
        idx = np.tril_indices(S.shape[0])
        srmr[name] = float(np.sqrt(np.sum(R[idx] ** 2) / len(idx[0])))
    out["srmr"] = srmr["within"] + srmr["between"]
    out["srmr_within"] = srmr["within"]
    out["srmr_between"] = srmr["between"]
    return pd.Series(out, dtype=float, name="fit_indices")
