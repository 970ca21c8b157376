"""Test statistics of a fit: the standard chi-square and its robust corrections, for every estimator.

``test`` (lavaan's option of the same name):

* ``"standard"`` -- ML: ``2 N F`` (complete data) or ``2 (loglik_h1 - loglik)`` (FIML); least squares ``2 N F``.
* ``"yuan.bentler.mplus"`` -- MLR: ``T / c`` with ``c = [sum_g tr(A1_g^-1 B1_g) - f_g tr(E^-1 B0_g)] / df``
  (h1 observed information ``A1`` and first-order information ``B1`` of the saturated model, ``B0`` from the
  model's casewise scores, ``E`` the model information; FIML: at the EM moments; ``cluster=``: scores summed
  within clusters times ``C / (C - 1)``, and with ``estimator = "ML"`` the "h1" observed information).
* ``"satorra.bentler"``, ``"scaled.shifted"``, ``"mean.var.adjusted"`` -- with ``U = V - V Delta E^-1 Delta' V``
  (``V`` block-diagonal ``f_g W_g``, ``E = Delta' V Delta``) and ``Gamma`` block-diagonal ``Gamma_g / f_g``
  (lavaan's ``lav_test_satorra_bentler_trace_ABA``): ``tr1 = tr(U Gamma)``, ``tr2 = tr((U Gamma)^2)``;
  Satorra-Bentler ``T / (tr1 / df)``; scaled-shifted (Asparouhov & Muthen 2010) ``a T + (df - a tr1)`` with
  ``a = sqrt(df / tr2)`` (lavaan reports ``scaling_factor = 1 / a`` and the shift); mean-and-variance adjusted
  (Satterthwaite) ``T / (tr2 / tr1)`` on ``tr1^2 / tr2`` degrees of freedom. ``W`` is the estimator's weight
  matrix (for ML, MLM: the normal-theory weight at the implied moments, so that ``E`` is the expected
  information) and ``Gamma`` the asymptotic covariance of the sample statistics (ADF; ordinal NACOV).

:func:`baseline` fits the independence model with the same estimator and test (ordered indicators: thresholds
saturated, correlations zero, in closed form); :func:`satorra2000_difference` is lavaan's default difference test
for WLSMV/ULSMV and MLM-type nested models.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.linalg import block_diag

from . import inference
from . import tests as fit_tests
from .model import build_models
from .objectives import ml as ml_obj

__all__ = ["test_statistic", "ug_traces", "scale", "baseline", "fiml_corrected", "satorra2000_difference",
           "h1_observed_information"]


# ============================================================================================ generic traces


def ug_traces(W_blocks, D_blocks, Gamma_blocks, fg, E_inv) -> tuple[float, float]:
    """``tr(U Gamma)`` and ``tr((U Gamma)^2)`` over several blocks (see the module docstring).

    ``W_blocks`` are full matrices or vectors of diagonal weights; ``D_blocks`` may be ``None`` for a model
    without free parameters on these statistics (``U = V``).

    Examples
    --------
    >>> ug_traces([np.ones(2)], [None], [np.diag([2.0, 2.0])], [1.0], None)
    (4.0, 8.0)
    """
    V = block_diag(*[f * (np.diag(W) if np.ndim(W) == 1 else W) for W, f in zip(W_blocks, fg)])
    Gall = block_diag(*[Gm / f for Gm, f in zip(Gamma_blocks, fg)])
    if any(D is None for D in D_blocks):
        U = V
    else:
        Dall = np.vstack(D_blocks)
        VD = V @ Dall
        U = V - VD @ E_inv @ VD.T
    UG = U @ Gall
    return float(np.trace(UG)), float(np.sum(UG * UG.T))


def scale(stat: float, df: int, kind: str, tr1: float, tr2: float) -> dict:
    """Scaled statistic of ``kind`` from the traces; keys ``chisq_scaled, df_scaled, scaling_factor, shift,
    pvalue_scaled``.

    Examples
    --------
    >>> r = scale(10.0, 2, "scaled.shifted", 4.0, 8.0)
    >>> round(r["chisq_scaled"], 4), round(r["scaling_factor"], 4), round(r["shift"], 4)
    (5.0, 2.0, 0.0)
    """
    nan = float("nan")
    out = dict(chisq_scaled=nan, df_scaled=float(df), scaling_factor=nan, shift=nan, pvalue_scaled=nan,
               trace_ugamma=tr1, trace_ugamma2=tr2)
    if df <= 0 or not np.isfinite(stat):
        return out
    tr1, tr2 = float(tr1), float(tr2)
    if kind == "satorra.bentler":
        c = tr1 / df
        out.update(chisq_scaled=stat / c, scaling_factor=c)
    elif kind == "scaled.shifted":
        if not tr2 > 0:
            return out
        a = float(np.sqrt(df / tr2))
        shift = df - a * tr1
        out.update(chisq_scaled=a * stat + shift, scaling_factor=1 / a, shift=shift)
    elif kind == "mean.var.adjusted":
        if not tr2 > 0:
            return out
        df2 = tr1 * tr1 / tr2
        c = tr1 / df2
        out.update(chisq_scaled=stat / c, scaling_factor=c, df_scaled=df2)
    else:
        raise ValueError(f"unknown scaled test {kind!r}")
    out["pvalue_scaled"] = float(sps.chi2.sf(out["chisq_scaled"], out["df_scaled"]))
    return out


# ============================================================================================ ML pieces


def _keep_masks(models, stats, meanstructure: bool) -> list[np.ndarray]:
    """Masks over h1 parameters (mu, vech Sigma) excluding the fixed-x elements."""
    out = []
    for mod, ss in zip(models, stats):
        p = ss.p
        isx = np.array([v in set(getattr(mod, "exo_names", [])) for v in mod.ov])
        r, c = np.tril_indices(p)
        keep_cov = ~(isx[r] & isx[c])
        out.append(np.concatenate([~isx, keep_cov]) if meanstructure else keep_cov)
    return out


def _x_loglik(stats, ov, exo_names) -> float:
    """Log-likelihood of the fixed-x block at its sample moments (subtracted from reported log-likelihoods)."""
    if not exo_names:
        return 0.0
    xi = [ov.index(v) for v in exo_names]
    total = 0.0
    for ss in stats:
        Sx = ss.cov[np.ix_(xi, xi)]
        total += ml_obj.ml_loglik(Sx, ss.mean[xi], Sx, ss.mean[xi], ss.nobs, False)
    return total


def _ml_logliks(objective, theta, fmin, stats, implied, *, fiml: bool, meanstructure: bool, ov, exo_names,
                ml_x: bool = False):
    """Test statistic, model and unrestricted log-likelihoods (of the y-part given fixed x's, as lavaan; with
    ``missing="ml.x"`` lavaan subtracts the x part at the EM moments from the model's and at the available-case
    moments from the unrestricted log-likelihood)."""
    N = objective.ntotal
    if fiml:
        ll = objective.loglik(theta)
        ll1 = sum(s.h1_loglik for s in stats)
        chisq = max(2 * (ll1 - ll), 0.0) if np.isfinite(ll1) else float("nan")
    else:
        chisq = 2 * N * fmin if all(np.isfinite(ss.logdet_cov) for ss in stats) else float("nan")
        ll = sum(ml_obj.ml_loglik(imp["sigma"], imp["mu"], ss.cov, ss.mean, ss.nobs, meanstructure)
                 for imp, ss in zip(implied, stats))
        ll1 = sum(ml_obj.ml_loglik(ss.cov, ss.mean, ss.cov, ss.mean, ss.nobs, False) for ss in stats)
    llx = _x_loglik(stats, ov, exo_names)
    llx1 = _x_loglik([_available_case(ss) for ss in stats], ov, exo_names) if ml_x else llx
    return chisq, ll - llx, ll1 - llx1


def _yb_complete(objective, A_unit, scores, keep_masks, ids=None, H=None) -> dict:
    """Yuan-Bentler (Mplus) trace with complete data (cluster sums when ``ids`` are given)."""
    A1s, B1s, B0s = [], [], []
    cf = 1.0
    if ids is not None:
        C = len(np.unique(ids))
        cf = C / (C - 1)
    for ss, sc, keep in zip(objective.stats, scores, keep_masks):
        A1, B1 = fit_tests.h1_information_and_scores(ss.data, ss.mean, ss.cov, objective.meanstructure, keep)
        w = getattr(ss, "case_weights", None)
        if w is not None:  # weighted h1 scores, B1 = sum (w s)(w s)' / sum w
            s1 = _h1_scores(ss.data, ss.mean, ss.cov, objective.meanstructure, keep) * w[:, None]
            B1 = s1.T @ s1 / ss.nobs
        if ids is not None:
            s1 = inference.cluster_sums(_h1_scores(ss.data, ss.mean, ss.cov, objective.meanstructure, keep), ids)
            s0 = inference.cluster_sums(sc, ids)
            B1 = cf * s1.T @ s1 / ss.nobs
            B0 = cf * s0.T @ s0 / ss.nobs
        else:
            B0 = sc.T @ sc / ss.nobs
        A1s.append(A1)
        B1s.append(B1)
        B0s.append(B0)
    E_inv, _ = inference.info_inverse(A_unit, H)
    trace, h1, h0 = fit_tests.yuan_bentler_mplus_trace(A1s, B1s, B0s, E_inv, objective.weights)
    return dict(trace=trace, trace_h1=h1, trace_h0=h0)


def _h1_scores(Y: np.ndarray, mean: np.ndarray, cov: np.ndarray, meanstructure: bool, keep) -> np.ndarray:
    """Casewise scores of the saturated model (mu, vech Sigma) at the sample moments (same layout as
    :func:`~resilience_stats.sem.tests.h1_information_and_scores`)."""
    Si = np.linalg.inv(cov)
    r, c = np.tril_indices(cov.shape[0])
    W = (Y - mean) @ Si
    mult = np.where(r == c, 0.5, 1.0)
    sc = mult * (W[:, r] * W[:, c] - Si[r, c])
    if meanstructure:
        sc = np.hstack([W, sc])
    return sc if keep is None else sc[:, keep]


def _yb_fiml(objective, A_unit, scores, exo_names, H=None) -> dict:
    """Yuan-Bentler (Mplus) trace with incomplete data: h1 information and scores of the saturated FIML model
    at its (EM) estimates."""
    from .objectives.fiml import SaturatedFIMLObjective, saturated_partable

    A1s, B1s, B0s = [], [], []
    for ss, sc in zip(objective.stats, scores):
        names = ss.names
        p = len(names)
        spt = saturated_partable(names)
        smods = build_models(spt, ov_order=names)
        sobj = SaturatedFIMLObjective(smods, [ss])
        th1 = np.concatenate([[ss.cov[i, j] for j in range(p) for i in range(j, p)], ss.mean])
        A1 = inference.observed_information(sobj, th1)
        s1 = sobj.casewise_scores(th1)[0]
        B1 = s1.T @ s1 / ss.nobs
        isx = np.array([v in set(exo_names) for v in names])
        keep = np.concatenate([[not (isx[i] and isx[j]) for j in range(p) for i in range(j, p)], ~isx])
        A1s.append(A1[np.ix_(keep, keep)])
        B1s.append(B1[np.ix_(keep, keep)])
        B0s.append(sc.T @ sc / ss.nobs)
    E_inv, _ = inference.info_inverse(A_unit, H)
    trace, h1, h0 = fit_tests.yuan_bentler_mplus_trace(A1s, B1s, B0s, E_inv, objective.weights)
    return dict(trace=trace, trace_h1=h1, trace_h0=h0)


def h1_observed_information(objective, theta: np.ndarray) -> np.ndarray:
    """Observed information "h1" flavour: ``Delta' A1 Delta`` with A1 the observed information of the saturated
    model at the implied moments (no second derivatives of the model); lavaan uses it for the test of
    ``estimator = "ML"`` with ``cluster =`` (``observed.information = "h1"``)."""
    H = np.zeros((objective.nfree, objective.nfree))
    for mod, ss, w in zip(objective.models, objective.stats, objective.weights):
        imp = mod.implied(theta)
        dsigma, dmu = mod.jacobian(imp)
        Si = np.linalg.inv(imp["sigma"])
        ms = objective.meanstructure
        d = ss.mean - imp["mu"] if ms else np.zeros(ss.p)
        H += inference._pattern_hessian(Si, ss.cov + np.outer(d, d), d, dsigma, dmu, w, ms)
    return (H + H.T) / 2


def _ml_weight_blocks(models, stats, theta, meanstructure, exo_names):
    """Per group: the Jacobian of (mu, vech Sigma) (fixed-x elements left out), the normal-theory weight at the
    implied moments and the ADF Gamma of the data (for Satorra-Bentler-type tests of ML fits)."""
    from .implied import MomentMap
    from .objectives.blocks import adf_gamma
    from .objectives.gls import normal_theory_gamma as nt_gamma

    Ws, Ds, Gs = [], [], []
    for mod, ss in zip(models, stats):
        isx = np.array([v in set(exo_names) for v in mod.ov])
        mp = MomentMap(mod, meanstructure, isx)
        imp = mod.implied(theta)
        Ds.append(mp.jacobian(theta))
        Ws.append(np.linalg.inv(nt_gamma(imp["sigma"], mp.r, mp.c, mp.mean_idx)))
        gam = adf_gamma(ss.data, meanstructure, mp.mean_idx, mp.r, mp.c, exo=isx if isx.any() else None)
        Gs.append(gam)
    return Ws, Ds, Gs


# ============================================================================================ the statistic


def test_statistic(state, options, df: int) -> dict:
    """The standard test statistic of a fit and, for a robust ``options.test``, its scaled version."""
    objective, theta, stats, models = state.objective, state.theta, state.stats, state.models
    design = state.design
    N = objective.ntotal
    out: dict = {"kind": options.test, "df": df}
    ls = hasattr(objective, "blocks_")
    if ls:
        out["chisq"] = 2 * N * state.optim.fmin
    else:
        fiml = options.missing in ("fiml", "ml.x")
        chisq, ll, ll1 = _ml_logliks(objective, theta, state.optim.fmin, stats, [m.implied(theta) for m in models],
                                     fiml=fiml, meanstructure=design.meanstructure, ov=design.ov,
                                     exo_names=design.exo_names, ml_x=options.missing == "ml.x")
        out.update(chisq=chisq, loglik=ll, loglik_h1=ll1)
    kind = options.test
    if kind in ("standard", "none"):
        return out
    if kind == "yuan.bentler.mplus":
        A = state.observed_info if options.information == "observed" else state.unit_info
        rob = _yb(state, objective, theta, A, state.scores, options, H=state.con_jac)
        out.update(rob)
        out["scaling_factor"] = rob["trace"] / df if df > 0 else float("nan")
        c = out["scaling_factor"]
        out["chisq_scaled"] = out["chisq"] / c
        out["df_scaled"] = float(df)
        out["pvalue_scaled"] = float(sps.chi2.sf(out["chisq_scaled"], df)) if df > 0 else float("nan")
        return out
    tr1, tr2 = _traces(state, objective, theta, models, stats, H=state.con_jac)
    out.update(scale(out["chisq"], df, kind, tr1, tr2))
    return out


def _yb(state, objective, theta, A_unit, scores, options, H=None) -> dict:
    design = state.design
    if options.missing in ("fiml", "ml.x"):
        return _yb_fiml(objective, A_unit, scores, design.exo_names, H)
    masks = _keep_masks(objective.models, objective.stats, objective.meanstructure)
    if options.cluster is not None:
        # MLR: the Hessian-based observed information; ML: lavaan's "h1" observed information for the test
        A = A_unit if options.estimator == "MLR" else h1_observed_information(objective, theta)
        return _yb_complete(objective, A, scores, masks, ids=design.cluster_ids, H=H)
    return _yb_complete(objective, A_unit, scores, masks, H=H)


def _traces(state, objective, theta, models, stats, H=None) -> tuple[float, float]:
    fg = objective.weights
    if hasattr(objective, "blocks_"):
        Ds = objective.deltas(theta)
        E = sum(f * (D.T @ b.weigh(D)) for b, f, D in zip(objective.blocks_, fg, Ds))
        E_inv, _ = inference.info_inverse(E, H)
        return ug_traces([b.W for b in objective.blocks_], Ds, [b.gamma for b in objective.blocks_], fg, E_inv)
    design = state.design
    Ws, Ds, Gs = _ml_weight_blocks(models, stats, theta, design.meanstructure, design.exo_names)
    E = sum(f * (D.T @ W @ D) for W, D, f in zip(Ws, Ds, fg))
    E_inv, _ = inference.info_inverse(E, H)
    return ug_traces(Ws, Ds, Gs, fg, E_inv)


# ============================================================================================ baseline


def _baseline_partable(design, ngroups: int, meanstructure: bool, fixed_x: bool) -> pd.DataFrame:
    """Independence (baseline) model as lavaan's ``lav_partable_independence``: free variances (and means) of
    the observed variables, no covariances except within the block of exogenous covariates (fixed at the
    sample values with fixed.x, free otherwise)."""
    xs = [v for v in design.ov if v in set(design.x_names)]
    xfree = 0 if fixed_x else 1
    lhs, op, rhs, exo, free, grp = [], [], [], [], [], []

    def add(a, o, b, e, f, g):
        lhs.append(a), op.append(o), rhs.append(b), exo.append(e), free.append(f), grp.append(g)

    for g in range(1, ngroups + 1):
        for v in design.ov:
            if v not in xs:
                add(v, "~~", v, 0, 1, g)
        for j in range(len(xs)):
            for i in range(j, len(xs)):
                add(xs[j], "~~", xs[i], 1 - xfree, xfree, g)
        if meanstructure:
            for v in design.ov:
                add(v, "~1", "", int(v in xs) * (1 - xfree), 1 if (v not in xs or xfree) else 0, g)
    n = len(lhs)
    free = np.asarray(free)
    num = np.zeros(n, dtype=int)
    num[free > 0] = np.arange(1, int((free > 0).sum()) + 1)
    obj = lambda x: pd.Series(np.asarray(x, dtype=object), dtype=object)  # noqa: E731
    pt = pd.DataFrame({"id": np.arange(1, n + 1), "lhs": obj(lhs), "op": obj(op), "rhs": obj(rhs),
                       "exo": np.asarray(exo, dtype=int), "free": num, "group": np.asarray(grp, dtype=int),
                       "block": np.asarray(grp, dtype=int), "user": 0, "ustart": np.nan,
                       "label": obj([""] * n), "start": np.nan,
                       "plabel": obj([f".p{i}." for i in range(1, n + 1)])})
    pt.attrs["meanstructure"] = meanstructure
    return pt


def _baseline_start(bpt: pd.DataFrame, stats) -> np.ndarray:
    """The independence model's solution for complete data (sample variances and means), its start otherwise."""
    theta = np.zeros(int(bpt["free"].max()))
    lhs, op, rhs, free, grp = (bpt[c].to_numpy() for c in ("lhs", "op", "rhs", "free", "group"))
    for k in np.flatnonzero(free > 0):
        ss = stats[grp[k] - 1]
        i = ss.names.index(lhs[k])
        theta[free[k] - 1] = ss.cov[i, ss.names.index(rhs[k])] if op[k] == "~~" else ss.mean[i]
    return theta


def baseline(state) -> dict:
    """The independence model fitted with the fit's estimator: ``chisq``, ``df`` and, with a robust test, its
    scaled statistic and scaling factor (lavaan's ``baseline.*`` fit measures)."""
    if state.ordinal is not None:
        return _ordinal_baseline(state)
    from .estimate import minimize
    from .pipeline import _set_exo_values, make_objective

    design, options = state.design, state.opts
    G = len(state.stats)
    fixed_x = bool(design.exo_names) or not design.x_names
    if options.test in ("standard", "none") and options.objective == "ML" and options.missing == "listwise":
        return _ml_baseline_closed_form(state, fixed_x)
    bpt = _baseline_partable(design, G, design.meanstructure, fixed_x)
    bdesign = replace(design, pt=bpt, ordered=[])
    bmodels = build_models(bpt, ov_order=design.ov)
    for m in bmodels:
        m.exo_names = list(design.exo_names)
    _set_exo_values(bmodels, state.stats if options.missing != "ml.x" else [_available_case(ss) for ss in
                                                                            state.stats])
    bobj = make_objective(bdesign, options, bmodels, state.stats)
    bres = minimize(bobj, _baseline_start(bpt, state.stats))
    df = state.ndat - int(bpt["free"].max())
    out = {"df": df, "model": (bobj, bres.theta)}
    fiml = options.missing in ("fiml", "ml.x")
    if fiml:
        llb = bobj.loglik(bres.theta)
        out["chisq"] = max(2 * (sum(ss.h1_loglik for ss in state.stats) - llb), 0.0)
    else:
        out["chisq"] = 2 * bobj.ntotal * bres.fmin
    kind = options.test
    if kind in ("standard", "none"):
        return out
    if kind == "yuan.bentler.mplus":
        if options.cluster is not None and options.estimator == "ML":
            bA = None
        elif options.information == "observed":
            bA = inference.observed_information(bobj, bres.theta)
        else:
            bA = bobj.grad_info(bres.theta)[1]
        bscores = bobj.casewise_scores(bres.theta) if fiml else inference.casewise_scores(bobj, bres.theta)
        rob = _yb(state, bobj, bres.theta, bA, bscores, options)
        out["scaling_factor"] = rob["trace"] / df
        out["chisq_scaled"] = out["chisq"] / out["scaling_factor"]
        return out
    tr1, tr2 = _traces(state, bobj, bres.theta, bmodels, state.stats)
    sc = scale(out["chisq"], df, kind, tr1, tr2)
    out.update(scaling_factor=sc["scaling_factor"], shift=sc["shift"], chisq_scaled=sc["chisq_scaled"],
               pvalue_scaled=sc["pvalue_scaled"], df_scaled=sc["df_scaled"], trace_ugamma=tr1)
    return out


def _ml_baseline_closed_form(state, fixed_x: bool) -> dict:
    """The ML independence model on complete data in closed form: its solution is the sample variances and means
    (and the sample covariance block of the covariates), so ``chisq = sum_g N_g (log|Sigma_b| - log|S|)`` (the
    trace term equals p). Used for the standard test; robust tests fit the model (they need its scores)."""
    xs = set(state.design.x_names)
    chisq, nfree = 0.0, 0
    for ss in state.stats:
        S = ss.cov
        xi = [i for i, v in enumerate(ss.names) if v in xs]
        Sb = np.diag(np.diag(S))
        if xi:
            Sb[np.ix_(xi, xi)] = S[np.ix_(xi, xi)]
        _, ld_b = np.linalg.slogdet(Sb)
        _, ld_s = np.linalg.slogdet(S)
        chisq += ss.nobs * (ld_b - ld_s)
        p, nx = len(ss.names), len(xi)
        nfree += (p - nx) + (0 if fixed_x else nx * (nx + 1) // 2)
        if state.design.meanstructure:
            nfree += (p - nx) + (0 if fixed_x else nx)
    return {"df": state.ndat - nfree, "chisq": max(float(chisq), 0.0)}


def _available_case(ss):
    """Available-case means and pairwise covariances (times (N - 1) / N) of a group's data: what lavaan's
    independence model fixes the exogenous covariates at with ``missing="ml.x"`` (the fitted model uses the EM
    moments). With sampling weights lavaan's sample moments are the weighted EM moments, i.e. ``ss`` itself."""
    from .data import SampleStats

    if getattr(ss, "case_weights", None) is not None:
        return ss
    X = pd.DataFrame(ss.data)
    n = X.shape[0]
    return SampleStats(ss.names, n, X.mean().to_numpy(), X.cov().to_numpy() * (n - 1) / n, ss.data)


def _ordinal_baseline(state) -> dict:
    """Independence model of an ordinal fit: thresholds saturated, correlations 0, per group, with the fit's
    test."""
    blocks = state.objective.blocks_
    fg = state.objective.weights
    chisq, df = 0.0, 0
    Ws, Gs = [], []
    for b in blocks:
        nth = b.map.nth
        r = b.s[nth:]
        w = b.W[nth:]
        chisq += (b.n - 1) * float(np.sum(w * r * r))
        df += len(r)
        Ws.append(w)
        Gs.append(b.gamma[nth:, nth:])
    out = {"chisq": chisq, "df": df}
    kind = state.opts.test
    if kind in ("standard", "none"):
        return out
    tr1, tr2 = ug_traces(Ws, [None] * len(Ws), Gs, fg, None)
    sc = scale(chisq, df, kind, tr1, tr2)
    out.update(scaling_factor=sc["scaling_factor"], shift=sc["shift"], chisq_scaled=sc["chisq_scaled"],
               pvalue_scaled=sc["pvalue_scaled"], df_scaled=sc["df_scaled"], trace_ugamma=tr1)
    return out


# ============================================================================================ FIML-corrected


def _h1_fiml_blocks(stats, exo_names=(), x_names=()) -> list[dict]:
    """Per group: observed (Wm) and first-order (Jm) h1 information under FIML at the EM estimates, and the
    complete-data h1 information (Wc) at the same moments; parameters (vech Sigma by column, mu), without the
    fixed-x elements (lavaan masks them).

    lavaan's quirk, reproduced: Wc comes from a refit with lavaan's default ``fixed.x = TRUE``, so the elements
    of the structurally exogenous covariates (``x_names``) are zero in Wc even when the fit has
    ``fixed_x=False``."""
    from .objectives.fiml import SaturatedFIMLObjective, _trace_pairs, _vech_index, saturated_partable

    out = []
    for ss in stats:
        names = ss.names
        p = len(names)
        a, b = _vech_index(p)
        smods = build_models(saturated_partable(names), ov_order=names)
        sobj = SaturatedFIMLObjective(smods, [ss])
        th1 = np.concatenate([ss.cov[a, b], ss.mean])
        Wm = sobj.observed_information(th1)
        s1 = sobj.casewise_scores(th1)[0]
        Jm = s1.T @ s1 / ss.nobs
        Si = np.linalg.inv(ss.cov)
        c = np.where(a == b, 0.5, 1.0)
        Wc = np.zeros_like(Wm)
        ps = len(a)
        Wc[:ps, :ps] = 0.5 * _trace_pairs(Si, Si, a, b, np.outer(c, c))
        Wc[ps:, ps:] = Si
        isx = np.array([v in set(exo_names) for v in names])
        keep = np.concatenate([~(isx[a] & isx[b]), ~isx])
        isxs = np.array([v in set(x_names) for v in names])
        zero = np.concatenate([isxs[a] & isxs[b], isxs])
        Wc[zero, :] = 0.0
        Wc[:, zero] = 0.0
        ix = np.ix_(keep, keep)
        out.append(dict(Wm=Wm[ix], Jm=Jm[ix], Wc=Wc[ix], a=a, b=b, keep=keep))
    return out


def _fiml_corrected_k(objective, theta, blocks, weights, version: str) -> float:
    """k of lavaan's FIML-corrected robust statistics (lav_fit_fiml_corrected); the model information is the
    h1-based observed information Delta' Wm Delta, as lavaan sets observed.information = "h1" there."""
    Wm_g, Wmi_g, Wc_g, G_g, D_g = [], [], [], [], []
    for mod, blk, fg in zip(objective.models, blocks, weights):
        imp = mod.implied(theta)
        dsigma, dmu = mod.jacobian(imp)
        D_g.append(np.vstack([dsigma[:, blk["a"], blk["b"]].T, dmu.T])[blk["keep"]])
        Wmi = np.linalg.inv(blk["Wm"])
        Wm_g.append(fg * blk["Wm"])
        Wc_g.append(fg * blk["Wc"])
        Wmi_g.append(Wmi / fg)
        G_g.append(Wmi @ blk["Jm"] @ Wmi / fg)
    Wm, Wc, Wmi, Gam = (block_diag(*x) for x in (Wm_g, Wc_g, Wmi_g, G_g))
    Delta = np.vstack(D_g)
    E_inv, _ = inference.safe_inverse(Delta.T @ Wm @ Delta)
    U = Wm - Wm @ Delta @ E_inv @ Delta.T @ Wm
    if version == "V3":
        return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ Gam))
    return float(np.trace(Wc @ Wmi @ U @ Wmi))


def _tilde_chisq(objective, theta, stats) -> float:
    """Complete-data ML test statistic of the model at ``theta`` against the EM (h1) moments.

    lavaan's quirk, reproduced: the statistic comes from a refit with ``sample.nobs`` = the groups' N, which
    lavaan truncates to integers (``as.integer``); with sampling weights N_g is a sum of weights, so
    ``floor(N_g)`` (to 1e-8, against rounding noise in the sum) multiplies each group's discrepancy."""
    total = 0.0
    for mod, ss in zip(objective.models, stats):
        imp = mod.implied(theta)
        sign, logdet = np.linalg.slogdet(ss.cov)
        n = np.floor(ss.nobs + 1e-8) if getattr(ss, "case_weights", None) is not None else ss.nobs
        total += 2 * n * ml_obj.ml_value(imp["sigma"], imp["mu"], ss.cov, ss.mean, logdet, True)
    return total


def fiml_corrected(state) -> dict:
    """Ingredients of lavaan's FIML-corrected robust CFI/TLI/RMSEA (V3 with MLR, V6 with ML)."""
    objective, theta, stats = state.objective, state.theta, state.stats
    version = "V3" if state.opts.estimator == "MLR" else "V6"
    df = state.ndat - int(state.pt["free"].max())
    blocks = _h1_fiml_blocks(stats, state.design.exo_names, state.design.x_names)
    out = dict(XX3=_tilde_chisq(objective, theta, stats), df3=df)
    k = _fiml_corrected_k(objective, theta, blocks, objective.weights, version)
    out["c_hat3"] = k / df if df > 0 else float("nan")
    b = state.baseline()
    bobj, btheta = b["model"]
    out["XX3_null"] = _tilde_chisq(bobj, btheta, stats)
    out["df3_null"] = b["df"]
    out["c_hat3_null"] = _fiml_corrected_k(bobj, btheta, blocks, objective.weights, version) / b["df"]
    return out


# ============================================================================================ difference test


def satorra2000_difference(fit1, fit0) -> dict:
    """lavaan 0.6-14's default ``lavTestLRT`` for least-squares fits with a scaled-shifted test (WLSMV/ULSMV):
    method "satorra.2000", A.method "delta" (``lav_test_diff_Satorra2000``). ``fit1`` is the less restricted
    model (H1).
    """
    s1, s0 = fit1._state, fit0._state
    T1, T0 = s1.chisq, s0.chisq
    r1, r0 = fit1.df, fit0.df
    m = r0 - r1
    if m <= 0:
        return dict(stat=T0 - T1, df=m, pvalue=float("nan"), a=float("nan"), b=float("nan"))
    o1, o0 = s1.objective, s0.objective
    D1 = np.vstack(o1.deltas(s1.theta))
    D0 = np.vstack(o0.deltas(s0.theta))
    H = np.linalg.pinv(D1) @ D0
    # orthogonal complement of the column space of H
    u, sv, _ = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(sv > max(H.shape) * np.finfo(float).eps * (sv[0] if len(sv) else 0)))
    A = u[:, rank:].T
    fg = o1.weights
    blocks = o1.blocks_
    Ds = o1.deltas(s1.theta)
    E = sum(f * (D.T @ b.weigh(D)) for b, f, D in zip(blocks, fg, Ds))
    Pinv, _ = inference.safe_inverse(E)
    APA = A @ Pinv @ A.T
    eps = np.sqrt(np.finfo(float).eps)
    keep = ~((np.abs(APA.sum(0)) < eps) & (np.abs(APA.sum(1)) < eps))
    A = A[keep]
    M = Pinv @ A.T @ np.linalg.pinv(A @ Pinv @ A.T) @ A @ Pinv
    tr1 = 0.0
    for b, f, Pi in zip(blocks, fg, Ds):
        Wf = b.full_weight()
        UG = (Wf @ b.gamma @ Wf) @ Pi @ M @ Pi.T
        tr1 += f * float(np.trace(UG))
    V = block_diag(*[b.full_weight() for b in blocks])
    Gall = block_diag(*[f * b.gamma for b, f in zip(blocks, fg)])
    VP = V @ D1
    UG = VP @ M @ VP.T @ Gall
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    bb = m - a * tr1
    T = (T0 - T1) * a + bb
    return dict(stat=float(T), df=int(m), pvalue=float(sps.chi2.sf(T, m)), a=float(a), b=float(bb),
                trace_ugamma=tr1, trace_ugamma2=tr2)
