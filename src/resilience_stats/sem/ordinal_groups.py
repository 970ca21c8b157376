"""Multiple-group ordinal models (WLSMV/ULSMV, delta parameterization) as lavaan 0.6-14's
``cfa(..., ordered = TRUE, group = "g", group.equal = ...)``.

* Sample statistics per group (thresholds, polychorics, Gamma); every item must use the same categories in
  every group (:func:`~resilience_stats.sem.ordinal.check_group_categories`).
* Per group the model gives thresholds ``(tau - mu*_v) * delta_v`` and correlations ``delta_i delta_j
  Sigma*_ij`` (``mu*`` = implied means of y*, ``Sigma*`` the systematic part plus residual covariances, delta
  the scale factors ``y ~*~ y``); residual variances are ``1 / delta^2 - diag(systematic)``.
* Identification as lavaan's defaults: group 1 has scale factors 1, latent means 0; with ``thresholds`` in
  ``group_equal`` the scale factors and latent means of groups 2, 3, ... are free (``group_equal`` without
  thresholds keeps them fixed, e.g. "loadings" only). Item intercepts of ordinal items are fixed 0;
  ``residuals`` has no effect (no free residual variances with the delta parameterization; lavaan gives the
  identical fit). These coincide with semTools' ``measEq.syntax(ID.cat = "Wu.Estabrook.2016")`` for the
  configural model and for thresholds + loadings (+ intercepts) (verified: same chi-square and df), but not for
  thresholds-only or loadings-only levels, where measEq frees more (intercepts / scale factors).
* ``fmin = sum_g (n_g / N) F_g`` with ``F_g = 0.5 (n_g - 1) / n_g sum w (s - sigma)^2`` (the single-group
  definition), standard test ``2 N fmin``; robust ("robust.sem") standard errors
  ``E^-1 B E^-1 / (N - G)`` with ``E = sum_g f_g D_g' W_g D_g``, ``B = sum_g f_g D_g' W_g Gamma_g W_g D_g``,
  ``f_g = n_g / N``; the scaled-shifted test with lavaan's multiple-group traces
  (``lav_test_satorra_bentler_trace_ABA``); RMSEA with ``N - G`` and the ``sqrt(G)`` factor. The Jacobian
  ``D_g`` is computed by central differences.
* Nested-model difference test: :func:`satorra2000_difference`, lavaan's ``lavTestLRT`` default for WLSMV.
* The robust (catML) CFI/TLI/RMSEA are not computed for several groups (NaN): lavaan itself reports them only
  when no thresholds are constrained; report the scaled indices (cfi_scaled, rmsea_scaled).
"""

from __future__ import annotations

import warnings as _warnings

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import DataError, EstimationError, ModelSpecificationError
from . import inference
from .data import SampleStats
from .estimate import minimize
from .groups import normalize_group_equal, normalize_group_partial, small_group_warnings, split_groups
from .model import build_models
from .results import FitState, SEMResult
from .standardize import standardize
from .start import start_values
from .syntax import build_partable, parse_model

__all__ = ["sem_ordinal_groups", "satorra2000_difference"]

def _flag_rules(lhs, op, rhs, ov, lv):
    is_ov = np.isin(lhs, list(ov))
    is_lv = np.isin(lhs, list(lv))
    same = lhs == rhs
    return {
        "loadings": op == "=~",
        "thresholds": op == "|",
        "intercepts": (op == "~1") & is_ov,
        "means": (op == "~1") & is_lv,
        "regressions": op == "~",
        "residuals": (op == "~~") & is_ov & same,
        "residual_covariances": (op == "~~") & is_ov & ~same,
        "lv_variances": (op == "~~") & is_lv & same,
        "lv_covariances": (op == "~~") & is_lv & ~same,
    }


def _group_partable(core1, ordered, nth, lv, G, types, partial):
    from .ordinal import ordinal_partable

    blocks = []
    for g in range(1, G + 1):
        b = ordinal_partable(core1, ordered, nth, lv).copy()
        b["freeflag"] = b["free"].to_numpy() > 0
        b["group"] = g
        b["block"] = g
        blocks.append(b)
    pt = pd.concat(blocks, ignore_index=True)
    lhs, op, rhs = (pt[c].to_numpy().astype(object) for c in ("lhs", "op", "rhs"))
    grp = pt["group"].to_numpy()
    free = pt["freeflag"].to_numpy().copy()
    label = pt["label"].fillna("").astype(str).to_numpy().astype(object)
    ustart = pt["ustart"].to_numpy().astype(float).copy()
    orig_free = pt["free"].to_numpy()
    if "thresholds" in types:
        idx = (op == "~*~") & (grp > 1)
        free[idx] = True
        ustart[idx] = np.nan
    if ("thresholds" in types or "intercepts" in types) and "means" not in types:
        idx = (op == "~1") & np.isin(lhs, list(lv)) & (grp > 1)
        free[idx] = True
        ustart[idx] = np.nan
    rules = _flag_rules(lhs, op, rhs, ordered, lv)
    flag = np.zeros(len(pt), dtype=bool)
    for t in types:
        if t in ("residuals", "intercepts"):
            continue  # fixed for ordinal items (delta parameterization)
        flag |= rules[t]
    if partial:
        keys = np.array([f"{a}{o}{b}" for a, o, b in zip(lhs, op, rhs)], dtype=object)
        flag &= ~np.isin(keys, list(partial))
    flag &= free & (label == "")
    # shared free index: user labels (same label -> same parameter, across groups) and group_equal labels
    key_of = {}
    for k in range(len(pt)):
        if not free[k]:
            continue
        if label[k]:
            key_of[k] = ("label", label[k])
        elif flag[k]:
            key_of[k] = ("eq", lhs[k], op[k], rhs[k])
        else:
            # within-group equality from the single-group table (e.g. user == constraints) keeps its index
            key_of[k] = ("own", grp[k], int(orig_free[k]) if orig_free[k] > 0 else -k)
    new = np.zeros(len(pt), dtype=int)
    seen = {}
    for k in range(len(pt)):
        if k not in key_of:
            continue
        kk = key_of[k]
        if kk not in seen:
            seen[kk] = len(seen) + 1
        new[k] = seen[kk]
    first = {}
    for k in range(len(pt)):
        if flag[k]:
            kk = key_of[k]
            first.setdefault(kk, k)
            label[k] = f".p{first[kk] + 1}."
    pt["free"] = new
    pt["ustart"] = ustart
    pt.loc[(new == 0) & np.isnan(ustart) & (op == "~*~"), "ustart"] = 1.0
    pt["label"] = label
    pt = pt.drop(columns=["freeflag"])
    pt["id"] = np.arange(1, len(pt) + 1)
    pt["plabel"] = pd.Series([f".p{i}." for i in pt["id"]], dtype=object)
    pt.attrs.update(core1.attrs)
    pt.attrs["meanstructure"] = True
    pt.attrs["ordered"] = list(ordered)
    pt.attrs["parameterization"] = "delta"
    return pt


class _MGObjective:
    """Multiple-group DWLS/ULS discrepancy (see module docstring)."""

    meanstructure = False

    def __init__(self, pt, models, groups, ov, N):
        self.models = models
        self.groups = groups  # per group dict(s, w, n, th_free, th_value, th_item, d_free, d_value, pairs)
        self.ov = ov
        self.ntotal = N
        self.nfree = int(pt["free"].max())
        self.weights = [g["n"] / N for g in groups]
        self.stats = []

    def group_vector(self, g, theta):
        G = self.groups[g]
        mod = self.models[g]
        imp = mod.implied(theta)
        sig, mu = imp["sigma"], imp["mu"]
        d = np.where(G["d_free"] >= 0, theta[np.maximum(G["d_free"], 0)], G["d_value"])
        tau = np.where(G["th_free"] >= 0, theta[np.maximum(G["th_free"], 0)], G["th_value"])
        item = G["th_item"]
        th = (tau - mu[item]) * d[item]
        i, j = G["pairs"]
        return np.concatenate([th, d[i] * d[j] * sig[i, j]])

    def implied_vector(self, theta):
        return [self.group_vector(g, theta) for g in range(len(self.groups))]

    def delta(self, theta, g):
        h = 1e-6
        D = np.zeros((len(self.groups[g]["s"]), self.nfree))
        for k in range(self.nfree):
            tp = theta.copy()
            tm = theta.copy()
            tp[k] += h
            tm[k] -= h
            D[:, k] = (self.group_vector(g, tp) - self.group_vector(g, tm)) / (2 * h)
        return D

    def value(self, theta):
        tot = 0.0
        for g, G in enumerate(self.groups):
            sg = self.group_vector(g, theta)
            if not np.all(np.isfinite(sg)):
                return np.inf
            dd = G["s"] - sg
            tot += (G["n"] / self.ntotal) * 0.5 * (G["n"] - 1) / G["n"] * float(np.sum(G["w"] * dd * dd))
        return tot

    def grad_info(self, theta):
        grad = np.zeros(self.nfree)
        info = np.zeros((self.nfree, self.nfree))
        for g, G in enumerate(self.groups):
            D = self.delta(theta, g)
            dd = G["s"] - self.group_vector(g, theta)
            c = (G["n"] / self.ntotal) * (G["n"] - 1) / G["n"]
            WD = G["w"][:, None] * D
            grad += -c * (WD.T @ dd)
            info += c * (D.T @ WD)
        return grad, info

    def gradient(self, theta):
        return self.grad_info(theta)[0]


def sem_ordinal_groups(model, data, group, *, ordered=True, estimator="WLSMV", missing="listwise",
                       std_lv=False, se="standard", fixed_x=True, orthogonal=False, group_equal=None,
                       group_partial=None):
    """Multiple-group WLSMV/ULSMV fit (called by :func:`~resilience_stats.sem.ordinal.sem_ordinal`)."""
    from ..psychometrics.polychoric_acov import polychoric_acov
    from .api import _data_matrix, _resolve_frame
    from .ordinal import _category_warnings, _emit, check_group_categories, ordinal_variables

    if missing != "listwise":
        raise ModelSpecificationError("multiple-group ordinal models support missing='listwise' only (pairwise "
                                      "deletion with groups is not supported yet)")
    types = normalize_group_equal(group_equal)
    partial = normalize_group_partial(group_partial)
    if "intercepts" in types and "thresholds" not in types:
        raise ModelSpecificationError("with ordered items the intercepts are fixed at 0; constrain 'thresholds' "
                                      "(the ordinal counterpart of intercepts) instead")
    frame = _resolve_frame(data)
    pm = parse_model(model)
    if any(f.op == "~1" for f in pm.formulas):
        raise ModelSpecificationError("intercepts/means (~ 1) in the syntax are not supported with ordered "
                                      "indicators and groups yet; use group_equal")
    if any(f.op == "|" for f in pm.formulas):
        raise ModelSpecificationError("user thresholds (y | t1 ...) with groups are not supported yet")
    core1 = build_partable(pm, std_lv=std_lv, meanstructure=False, fixed_x=fixed_x, orthogonal=orthogonal)
    if (core1["label"].fillna("") != "").any() or (core1["op"] == "==").any():
        raise ModelSpecificationError("parameter labels / equality constraints in the syntax are not supported "
                                      "with ordered indicators and groups yet; use group_equal")
    cont, ov, lv, ordered_names = ordinal_variables(pm, core1, ordered, estimator, fixed_x)
    labels, parts, n_missing_group = split_groups(frame, group)
    check_group_categories(frame[frame[group].notna()], [v for v in ov if v in frame.columns], group)
    warn = []
    if n_missing_group:
        warn.append(f"{n_missing_group} case(s) with a missing value of the group variable {group!r} were dropped")
    moms = []
    n_orig = 0
    for lab, part in zip(labels, parts):
        X = _data_matrix(part, ov)
        n_orig += X.shape[0]
        items = pd.DataFrame(X, columns=ov)
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always")
            try:
                mom = polychoric_acov(items, ordered=ov)
            except DataError as exc:
                raise DataError(f"group {lab}: " + str(exc).replace("polychoric_acov: ", "")) from None
        warn += [f"group {lab}: {w.message}" for w in caught]
        if mom.n_dropped:
            warn.append(f"group {lab}: {mom.n_dropped} case(s) with missing values were deleted listwise")
        warn += [f"group {lab}: {m}" for m in _category_warnings(items.dropna(), mom)]
        moms.append(mom)
    nths = [{v: len(c) - 1 for v, c in m.categories.items()} for m in moms]
    if any(n != nths[0] for n in nths[1:]):
        raise DataError("the items do not have the same number of categories in every group")
    pt = _group_partable(core1, ordered_names, nths[0], lv, len(labels), types, partial)
    G = len(labels)
    nobs = [m.n_obs for m in moms]
    q_group = [int((pt.loc[pt["group"] == g, "free"] > 0).sum()) for g in range(1, G + 1)]
    warn += small_group_warnings(labels, nobs, len(ov), q_group)
    options = dict(estimator=estimator, missing=missing, std_lv=std_lv, se=se, meanstructure=True,
                   fixed_x=fixed_x, orthogonal=orthogonal, ordered=list(ordered_names), parameterization="delta",
                   group=group, group_equal=types, group_partial=partial)
    return _fit_groups(pt, moms, ov, lv, labels, estimator=estimator, se=se, model_syntax=model, n_orig=n_orig,
                       warn=warn, options=options, emit=_emit)


def _fit_groups(pt, moms, ov, lv, labels, *, estimator, se, model_syntax, n_orig, warn, options, emit):
    G = len(moms)
    nfree = int(pt["free"].max())
    op = pt["op"].to_numpy()
    lhs = pt["lhs"].to_numpy()
    rhs = pt["rhs"].to_numpy()
    grp = pt["group"].to_numpy()
    free = pt["free"].to_numpy().astype(int)
    ustart = pt["ustart"].to_numpy().astype(float)
    is_core = np.isin(op, ["=~", "~", "~~", "~1"])
    core_rows = np.flatnonzero(is_core)
    core = pt.iloc[core_rows].reset_index(drop=True)
    core.attrs.update(pt.attrs)
    models = build_models(core, ov_order=ov)
    ordset = set(ov)
    resvar_ks = []
    for g, mod in enumerate(models):
        mod.rows = core_rows[mod.rows]
        mod.nfree = nfree
        mod._cache.clear()
        mod.exo_names = []
        rk = np.array([k for k in range(len(mod.rows)) if mod.kind[k] == 1 and mod.r[k] == mod.c[k]
                       and mod.r[k] < mod.p and ov[mod.r[k]] in ordset], dtype=int)
        mod.value[rk] = 0.0
        resvar_ks.append(rk)
    iu, ju = np.tril_indices(len(ov), -1)
    order = np.lexsort((iu, ju))
    pairs = (iu[order], ju[order])
    groups = []
    stats = []
    pos = {v: i for i, v in enumerate(ov)}
    for g, mom in enumerate(moms):
        gi = g + 1
        th_row = {(l, r): k for k, (l, o, r, gg) in enumerate(zip(lhs, op, rhs, grp)) if o == "|" and gg == gi}
        th_labels = [lab.split("|") for lab in mom.labels if "|" in lab]
        rows = np.array([th_row[(v, t)] for v, t in th_labels], dtype=int)
        d_rows = np.array([np.flatnonzero((op == "~*~") & (lhs == v) & (grp == gi))[0] for v in ov], dtype=int)
        s = mom.wls_obs.to_numpy()
        w = mom.wls_v_diag.to_numpy() if estimator == "WLSMV" else np.ones(len(s))
        groups.append(dict(s=s, w=w, n=mom.n_obs, th_free=free[rows] - 1,
                           th_value=np.where(np.isfinite(ustart[rows]), ustart[rows], 0.0),
                           th_item=np.array([pos[v] for v, _ in th_labels], dtype=int), th_rows=rows,
                           d_free=free[d_rows] - 1, d_value=np.where(np.isfinite(ustart[d_rows]), ustart[d_rows], 1.0),
                           pairs=pairs, gamma=mom.gamma.to_numpy()))
        R = mom.corr.loc[ov, ov].to_numpy()
        stats.append(SampleStats(list(ov), mom.n_obs, np.zeros(len(ov)), R, np.empty((0, len(ov)))))
    N = int(sum(x["n"] for x in groups))
    obj = _MGObjective(pt, models, groups, ov, N)
    obj.stats = stats
    theta0 = start_values(pt, models, stats)
    theta0 = np.asarray(theta0, dtype=float)
    if len(theta0) < nfree:
        theta0 = np.concatenate([theta0, np.zeros(nfree - len(theta0))])
    for Gd in groups:
        f = Gd["th_free"] >= 0
        theta0[Gd["th_free"][f]] = Gd["s"][: len(Gd["th_free"])][f]
        f = Gd["d_free"] >= 0
        theta0[Gd["d_free"][f]] = 1.0
    lvmean = (op == "~1") & np.isin(lhs, list(lv)) & (free > 0)
    theta0[free[lvmean] - 1] = 0.0
    res = minimize(obj, theta0)
    if not np.isfinite(res.fmin):
        raise EstimationError("DWLS estimation failed: no finite solution from the starting values")
    theta = res.theta
    if not res.converged:
        warn.append(f"the optimizer did not converge after {res.iterations} iterations ({res.message}); "
                    "estimates are not trustworthy")
    fg = np.array([x["n"] / N for x in groups])
    Ds = [obj.delta(theta, g) for g in range(G)]
    E = sum(fg[g] * Ds[g].T @ (groups[g]["w"][:, None] * Ds[g]) for g in range(G))
    E_inv, ok = inference.safe_inverse(E)
    if not ok:
        warn.append("the information matrix is singular or nearly so (the model may not be identified); "
                    "standard errors are unreliable")
    if se == "none":
        vcov = np.full((nfree, nfree), np.nan)
    else:
        B = sum(fg[g] * (groups[g]["w"][:, None] * Ds[g]).T @ groups[g]["gamma"] @ (groups[g]["w"][:, None] * Ds[g])
                for g in range(G))
        vcov = E_inv @ B @ E_inv / (N - G)
    implied = []
    resvars = []
    est = np.where(np.isfinite(ustart), ustart, 0.0)
    fr = free > 0
    est[fr] = theta[free[fr] - 1]
    for g, mod in enumerate(models):
        imp = mod.implied(theta)
        sig0 = imp["sigma"]
        Gd = groups[g]
        d = np.where(Gd["d_free"] >= 0, theta[np.maximum(Gd["d_free"], 0)], Gd["d_value"])
        rv = 1.0 / d ** 2 - np.diag(sig0)
        rk = resvar_ks[g]
        mod.value[rk] = rv[mod.r[rk]]
        mod._cache.clear()
        implied.append(mod.implied(theta))
        resvars.append(rv)
        est[mod.rows] = mod.row_values(theta)
    sev = np.sqrt(np.clip(np.diag(vcov), 0, None))
    sev_all = np.full(len(pt), np.nan)
    sev_all[fr] = sev[free[fr] - 1]
    std_lv, std_all = standardize(pt, est, models, implied)
    th = op == "|"
    # thresholds on the y* scale: standardized by the implied sd of y*
    for g, mod in enumerate(models):
        sd = np.sqrt(np.diag(implied[g]["sigma"]))
        k = np.flatnonzero(th & (grp == g + 1))
        item = np.array([ov.index(v) for v in lhs[k]], dtype=int)
        std_all[k] = est[k] / sd[item]
        std_lv[k] = est[k]
    other = (op == "~*~") | ((op == "~1") & np.isin(lhs, ov))
    std_lv[other] = std_all[other] = est[other]
    std_all[op == "~*~"] = 1.0  # delta * sd(y*) (lavaan)
    wt = inference.wald_table(est, sev_all)
    estimates = pd.DataFrame({
        "lhs": lhs, "op": op, "rhs": rhs, "group": grp, "label": pt["label"].to_numpy(), "est": est,
        "se": sev_all, "z": wt["z"], "pvalue": wt["pvalue"], "ci_lower": wt["ci_lower"],
        "ci_upper": wt["ci_upper"], "std_lv": std_lv, "std_all": std_all,
    })
    for g, rv in enumerate(resvars):
        if (rv < 0).any():
            warn.append(f"group {labels[g]}: negative residual variance(s) of latent responses (Heywood case): "
                        + ", ".join(f"{v} ({r:.3g})" for v, r in zip(ov, rv) if r < 0))
    sig_hat = obj.implied_vector(theta)
    chisq = 2 * N * res.fmin
    state = FitState(model_syntax=model_syntax, options=dict(options), pt=pt, models=models, stats=stats,
                     objective=obj, theta=theta, optim=res, vcov=vcov, implied=implied, unit_info=E,
                     group_labels=list(labels), n_orig=n_orig)
    state.options["information"] = "expected"
    state.options["se_type"] = "none" if se == "none" else "robust"
    state.options["se_method"] = "none" if se == "none" else "robust.sem"
    state.options["test"] = "scaled.shifted"
    state.chisq = chisq
    state.ndat = int(sum(len(x["s"]) for x in groups))
    state.ordinal = dict(multigroup=True, groups=groups, sigma=sig_hat, delta=Ds, E_inv=E_inv, N=N, fg=fg,
                         estimator=estimator, pairs=pairs,
                         R=[st.cov for st in stats], implied_cor=[_cor_of(implied[g]["sigma"]) for g in range(G)],
                         moments=moms)
    state.options["fit_notes"] = FIT_NOTES_ORDINAL_GROUPS
    emit(warn)
    return SEMResult(state, estimates, warn)


FIT_NOTES_ORDINAL_GROUPS = (
    "WLSMV/ULSMV with groups: report chisq_scaled (df, pvalue_scaled; the scaled-shifted test) with cfi_scaled, "
    "tli_scaled, rmsea_scaled (+ CI) and srmr. The robust (catML) indices are not available with several "
    "groups (NaN; lavaan 0.6-14 gives them only when no thresholds are constrained).")


def _cor_of(S):
    d = np.sqrt(np.diag(S))
    return S / np.outer(d, d)


# --------------------------------------------------------------------------------------------- tests


def _trace_ug(groups, Ds, E_inv, fg):
    """lavaan's lav_test_satorra_bentler_trace_ABA (Satterthwaite branch) for several groups."""
    V = [fg[g] * groups[g]["w"] for g in range(len(groups))]
    Vall = np.concatenate(V)
    Gall = _bdiag([groups[g]["gamma"] / fg[g] for g in range(len(groups))])
    Dall = np.vstack(Ds)
    VD = Vall[:, None] * Dall
    U = np.diag(Vall) - VD @ E_inv @ VD.T
    UG = U @ Gall
    return float(np.trace(UG)), float(np.sum(UG * UG.T))


def _bdiag(mats):
    n = sum(m.shape[0] for m in mats)
    out = np.zeros((n, n))
    k = 0
    for m in mats:
        r = m.shape[0]
        out[k:k + r, k:k + r] = m
        k += r
    return out


def ordinal_group_fit_measures(result) -> pd.Series:
    """Fit measures of a multiple-group ordinal fit (lavaan's names in snake case)."""
    from .tests import cfi, incremental_indices, rmsea, rmsea_ci, rmsea_pvalue, tli

    st = result._state
    o = st.ordinal
    groups, fg, N = o["groups"], o["fg"], o["N"]
    G = len(groups)
    df = result.df
    chisq = st.chisq
    out = {"n_obs": N, "n_params": result.n_params, "fmin": st.optim.fmin, "chisq": chisq, "df": df,
           "pvalue": float(sps.chi2.sf(chisq, df)) if df > 0 else float("nan")}
    tr1, tr2 = _trace_ug(groups, o["delta"], o["E_inv"], fg)
    a = np.sqrt(df / tr2) if df > 0 and tr2 > 0 else np.nan
    shift = df - a * tr1
    t = a * chisq + shift
    out.update(chisq_scaled=t, df_scaled=df, pvalue_scaled=float(sps.chi2.sf(t, df)), scaling_factor=1 / a,
               shift=shift)
    # baseline: thresholds saturated, correlations 0, per group
    bchisq = 0.0
    bdf = 0
    bw, bgam = [], []
    for x in groups:
        nth = len(x["th_free"])
        r = x["s"][nth:]
        bchisq += (x["n"] - 1) * float(np.sum(x["w"][nth:] * r * r))
        bdf += len(r)
        bw.append(x["w"][nth:])
        bgam.append(x["gamma"][nth:, nth:])
    V = np.concatenate([fg[g] * bw[g] for g in range(G)])
    Gall = _bdiag([bgam[g] / fg[g] for g in range(G)])
    UG = V[:, None] * Gall
    btr1, btr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    ba = np.sqrt(bdf / btr2)
    bshift = bdf - ba * btr1
    bs = ba * bchisq + bshift
    out.update(baseline_chisq=bchisq, baseline_df=bdf, baseline_pvalue=float(sps.chi2.sf(bchisq, bdf)),
               baseline_chisq_scaled=bs, baseline_df_scaled=bdf, baseline_pvalue_scaled=float(sps.chi2.sf(bs, bdf)),
               baseline_scaling_factor=1 / ba)
    out["cfi"] = cfi(chisq, df, bchisq, bdf)
    out["tli"] = tli(chisq, df, bchisq, bdf)
    out["cfi_scaled"] = cfi(t, df, bs, bdf)
    out["tli_scaled"] = tli(t, df, bs, bdf)
    out.update(incremental_indices(chisq, df, bchisq, bdf))
    out.update({f"{k}_scaled": v for k, v in incremental_indices(t, df, bs, bdf).items()})
    for k in ("cfi_robust", "tli_robust", "nnfi_robust", "rni_robust", "rmsea_robust", "rmsea_ci_lower_robust",
              "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust"):
        out[k] = float("nan")
    Nr = N - G  # lavaan's N for RMSEA with DWLS/ULS: sum of (n_g - 1)
    for suffix, stat in (("", chisq), ("_scaled", t)):
        out[f"rmsea{suffix}"] = rmsea(stat, df, Nr, ngroups=G)
        out[f"rmsea_ci_lower{suffix}"], out[f"rmsea_ci_upper{suffix}"] = rmsea_ci(stat, df, Nr, ngroups=G)
        out[f"rmsea_pvalue{suffix}"] = rmsea_pvalue(stat, df, Nr, 0.05, ngroups=G)
        out[f"rmsea_notclose_pvalue{suffix}"] = rmsea_pvalue(stat, df, Nr, 0.08, ngroups=G, notclose=True)
    out["rmsea_ci_level"] = 0.90
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_h0"] = 0.08
    # residual-based, averaged over groups weighted by n_g (lavaan)
    srmr = rmr = crmr = 0.0
    for g, x in enumerate(groups):
        R = st.stats[g].cov
        P = o["implied_cor"][g]
        p = R.shape[0]
        il = np.tril_indices(p, -1)
        ssq = float(np.sum((R - P)[il] ** 2))
        nth = len(x["th_free"])
        sst = float(np.sum((x["s"][:nth] - o["sigma"][g][:nth]) ** 2))
        e_cov, e_cor = p * (p + 1) / 2, p * (p - 1) / 2
        srmr += fg[g] * np.sqrt(ssq / e_cov)
        rmr += fg[g] * np.sqrt((ssq + sst) / (e_cov + nth))
        crmr += fg[g] * np.sqrt(ssq / e_cor)
    out["srmr"] = out["rmr_nomean"] = out["srmr_bentler_nomean"] = float(srmr)
    out["rmr"] = out["srmr_bentler"] = float(rmr)
    out["crmr_nomean"] = float(crmr)
    out["wrmr"] = float(np.sqrt(2 * N * st.optim.fmin / len(groups[0]["s"])))  # lavaan: nel of group 1
    return pd.Series(out, dtype=float, name="fit_indices")


# --------------------------------------------------------------------------------------------- difference test


def satorra2000_difference(fit1, fit0) -> dict:
    """lavaan 0.6-14's default ``lavTestLRT`` for WLSMV/ULSMV: method "satorra.2000", scaled-shifted,
    A.method "delta" (``lav_test_diff_Satorra2000``). ``fit1`` is the less restricted model (H1).
    """
    o1, o0 = fit1._state.ordinal, fit0._state.ordinal
    T1, T0 = fit1._state.chisq, fit0._state.chisq
    r1, r0 = fit1.df, fit0.df
    m = r0 - r1
    if m <= 0:
        return dict(stat=T0 - T1, df=m, pvalue=float("nan"), a=float("nan"), b=float("nan"))
    D1 = np.vstack(o1["delta"])
    D0 = np.vstack(o0["delta"])
    H = np.linalg.pinv(D1) @ D0
    # orthogonal complement of the column space of H
    u, sv, _ = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(sv > max(H.shape) * np.finfo(float).eps * (sv[0] if len(sv) else 0)))
    A = u[:, rank:].T
    fg = o1["fg"]
    groups = o1["groups"]
    Pinv = o1["E_inv"]
    APA = A @ Pinv @ A.T
    keep = ~((np.abs(APA.sum(0)) < np.sqrt(np.finfo(float).eps)) & (np.abs(APA.sum(1)) < np.sqrt(np.finfo(float).eps)))
    A = A[keep]
    M = Pinv @ A.T @ np.linalg.pinv(A @ Pinv @ A.T) @ A @ Pinv
    tr1 = 0.0
    for g, x in enumerate(groups):
        W = x["w"]
        Pi = o1["delta"][g]
        UG = (W[:, None] * x["gamma"] * W[None, :]) @ Pi @ M @ Pi.T
        tr1 += fg[g] * float(np.trace(UG))
    Vall = np.concatenate([x["w"] for x in groups])
    Gall = _bdiag([fg[g] * x["gamma"] for g, x in enumerate(groups)])
    VP = Vall[:, None] * D1
    U = VP @ M @ VP.T
    UG = U @ Gall
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    T = (T0 - T1) * a + b
    return dict(stat=float(T), df=int(m), pvalue=float(sps.chi2.sf(T, m)), a=float(a), b=float(b),
                trace_ugamma=tr1, trace_ugamma2=tr2)
