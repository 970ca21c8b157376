"""Public entry points :func:`sem` and :func:`cfa`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationError, ModelSpecificationError
from ._threads import blas_single_threaded
from . import inference
from . import tests as fit_tests
from .data import SampleStats, sample_stats
from .estimate import MLObjective, minimize
from .model import build_models, model_variable_names, pt_arrays
from .objectives import ml as ml_obj
from .results import FitState, SEMResult
from .standardize import standardize
from .start import start_values
from .syntax import build_partable, eval_expression, parse_model, variable_names

__all__ = ["sem", "cfa", "fit_partable"]

_ESTIMATORS = ("ML", "MLR")
_MISSING = ("listwise", "fiml")


# --------------------------------------------------------------------------------------------- data


def _resolve_frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    raise DataError(
        f"data must be a pandas DataFrame or an object with a .data DataFrame (a SurveyWave); got {type(data).__name__}"
    )


def _data_matrix(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Numeric copy of the model columns; raises ModelSpecificationError for absent or non-numeric columns."""
    absent = [v for v in names if v not in frame.columns]
    if absent:
        raise ModelSpecificationError(
            f"variable(s) in the model not found in the data: {', '.join(absent)}"
        )
    if len(set(frame.columns[frame.columns.isin(names)])) != int(frame.columns.isin(names).sum()):
        raise ModelSpecificationError("a model variable appears more than once among the data columns")
    sub = frame[names]
    bad = [f"{v} ({dt})" for v, dt in zip(names, sub.dtypes)
           if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))]
    if bad:
        raise ModelSpecificationError(
            f"non-numeric column(s) used in the model: {', '.join(bad)}; recode them as numbers first"
        )
    X = sub.to_numpy(dtype=float, na_value=np.nan, copy=True)
    X[~np.isfinite(X)] = np.nan
    return X


# --------------------------------------------------------------------------------------------- checks


def _check_identification(pt: pd.DataFrame, models, ndat: int) -> None:
    npar = int(pt["free"].max())
    if ndat - npar < 0:
        raise ModelSpecificationError(
            f"the model has more free parameters ({npar}) than sample moments ({ndat}): df = {ndat - npar} < 0; "
            "the model is not identified"
        )
    mod = models[0]
    a = pt_arrays(pt)
    lhs, op, rhs, free = (a[k][mod.rows] for k in ("lhs", "op", "rhs", "free"))
    for f in mod.lv:
        ind = np.flatnonzero((op == "=~") & (lhs == f))
        if len(ind) == 1:
            v = rhs[ind[0]]
            var_row = np.flatnonzero((op == "~~") & (lhs == v) & (rhs == v))
            lv_var = np.flatnonzero((op == "~~") & (lhs == f) & (rhs == f))
            resid_free = len(var_row) and free[var_row[0]] > 0
            scale_free = free[ind[0]] > 0 or (len(lv_var) and free[lv_var[0]] > 0)
            if v in mod.ov and resid_free and scale_free:
                raise ModelSpecificationError(
                    f"factor {f!r} has a single indicator ({v}) and neither its residual variance nor the "
                    f"factor variance and loading are fixed: the model is not identified (fix '{v} ~~ 0*{v}' "
                    "or the reliability)"
                )
    lv_no_ind = [f for f in mod.lv if not ((op == "=~") & (lhs == f)).any()]
    if lv_no_ind:
        raise ModelSpecificationError(f"latent variable(s) without indicators: {', '.join(lv_no_ind)}")


def _set_exo_values(models, stats) -> None:
    """Fixed-x: exogenous covariate (co)variances and means take their sample values."""
    for mod, ss in zip(models, stats):
        exo = getattr(mod, "exo", None)
        if exo is None:
            continue
        for k in np.flatnonzero(exo):
            if mod.kind[k] == 1:
                mod.value[k] = ss.cov[mod.r[k], mod.c[k]]
            elif mod.kind[k] == 2:
                mod.value[k] = ss.mean[mod.r[k]]
        mod._cache.pop("implied", None)


# --------------------------------------------------------------------------------------------- core fit


def _row_values(models, theta: np.ndarray, nrows: int) -> np.ndarray:
    est = np.full(nrows, np.nan)
    for mod in models:
        est[mod.rows] = mod.row_values(theta)
    return est


def _def_function(pt: pd.DataFrame, models):
    defs = pt.attrs.get("definitions", [])
    if not defs:
        return None
    nrows = len(pt)
    label_row: dict[str, int] = {}
    for k, (lab, plab, op) in enumerate(zip(pt["label"], pt["plabel"], pt["op"])):
        if op == ":=":
            continue
        if lab and lab not in label_row:
            label_row[lab] = k
        label_row.setdefault(plab, k)
    names = [d[0] for d in defs]
    for name, tree in defs:
        from .syntax import expression_labels

        unknown = [l for l in expression_labels(tree) if l not in label_row and l not in names]
        if unknown:
            raise ModelSpecificationError(
                f"defined parameter {name!r} uses unknown label(s): {', '.join(unknown)}"
            )

    def values_from_rows(rowvals: np.ndarray) -> np.ndarray:
        ns = {lab: rowvals[k] for lab, k in label_row.items()}
        out = np.empty(len(defs))
        for i, (name, tree) in enumerate(defs):
            out[i] = eval_expression(tree, ns)
            ns[name] = out[i]
        return out

    def fun(theta: np.ndarray) -> np.ndarray:
        return values_from_rows(_row_values(models, theta, nrows))

    fun.from_rows = values_from_rows
    return fun


def _baseline_partable(models, meanstructure: bool, x_names=(), fixed_x: bool = True) -> pd.DataFrame:
    """Independence (baseline) model as lavaan's ``lav_partable_independence``: free variances (and means) of
    the observed variables, no covariances except within the block of exogenous covariates ``x_names`` (fixed
    at the sample values with fixed.x, free otherwise)."""
    mod = models[0]
    xs = [v for v in mod.ov if v in set(x_names)]
    xfree = 0 if fixed_x else 1
    rows = []
    for g in range(1, len(models) + 1):
        rows += [dict(lhs=v, op="~~", rhs=v, exo=0, free=1, group=g) for v in mod.ov if v not in xs]
        rows += [dict(lhs=xs[j], op="~~", rhs=xs[i], exo=1 - xfree, free=xfree, group=g)
                 for j in range(len(xs)) for i in range(j, len(xs))]
        if meanstructure:
            rows += [dict(lhs=v, op="~1", rhs="", exo=int(v in xs) * (1 - xfree),
                          free=1 if (v not in xs or xfree) else 0, group=g) for v in mod.ov]
    pt = pd.DataFrame(rows)
    for c in ("lhs", "op", "rhs"):
        pt[c] = pt[c].astype(object)
    pt["block"] = pt["group"]
    pt["user"] = 0
    pt["ustart"] = np.nan
    pt["label"] = pd.Series([""] * len(pt), dtype=object)
    pt["start"] = np.nan
    free = pt["free"].to_numpy().copy()
    free[free > 0] = np.arange(1, int((free > 0).sum()) + 1)
    pt["free"] = free
    pt.insert(0, "id", np.arange(1, len(pt) + 1))
    pt["plabel"] = pd.Series([f".p{i}." for i in pt["id"]], dtype=object)
    pt.attrs["meanstructure"] = meanstructure
    return pt


def _robust_scaling(objective, theta, unit_info_E, scores, keep_masks) -> dict:
    """Yuan-Bentler (Mplus variant) scaling factor of the test statistic."""
    A1s, B1s, B0s = [], [], []
    for ss, sc, keep in zip(objective.stats, scores, keep_masks):
        A1, B1 = fit_tests.h1_information_and_scores(ss.data, ss.mean, ss.cov, objective.meanstructure, keep)
        A1s.append(A1)
        B1s.append(B1)
        B0s.append(sc.T @ sc / ss.nobs)
    E_inv, _ = inference.safe_inverse(unit_info_E)
    trace, h1, h0 = fit_tests.yuan_bentler_mplus_trace(A1s, B1s, B0s, E_inv, objective.weights)
    return dict(trace=trace, trace_h1=h1, trace_h0=h0)


def _robust_scaling_fiml(objective, theta, unit_info, scores, exo_names) -> dict:
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
    E_inv, _ = inference.safe_inverse(unit_info)
    trace, h1, h0 = fit_tests.yuan_bentler_mplus_trace(A1s, B1s, B0s, E_inv, objective.weights)
    return dict(trace=trace, trace_h1=h1, trace_h0=h0)


def _h1_fiml_blocks(stats, exo_names=()) -> list[dict]:
    """Per group: observed (Wm) and first-order (Jm) h1 information under FIML at the EM estimates, and the
    complete-data h1 information (Wc) at the same moments; parameters (vech Sigma by column, mu), without the
    fixed-x elements (lavaan masks them)."""
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
    from scipy.linalg import block_diag

    Wm, Wc, Wmi, Gam = (block_diag(*x) for x in (Wm_g, Wc_g, Wmi_g, G_g))
    Delta = np.vstack(D_g)
    E_inv, _ = inference.safe_inverse(Delta.T @ Wm @ Delta)
    U = Wm - Wm @ Delta @ E_inv @ Delta.T @ Wm
    if version == "V3":
        return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ Gam))
    return float(np.trace(Wc @ Wmi @ U @ Wmi))


def _tilde_chisq(objective, theta, stats) -> float:
    """Complete-data ML test statistic of the model at ``theta`` against the EM (h1) moments."""
    total = 0.0
    for mod, ss in zip(objective.models, stats):
        imp = mod.implied(theta)
        sign, logdet = np.linalg.slogdet(ss.cov)
        total += 2 * ss.nobs * ml_obj.ml_value(imp["sigma"], imp["mu"], ss.cov, ss.mean, logdet, True)
    return total


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


def _fit_engine(pt: pd.DataFrame, stats: list[SampleStats], meanstructure: bool, missing: str,
                ov_order: list[str], exo_names: list[str]):
    models = build_models(pt, ov_order)
    for mod in models:
        mod.exo_names = list(exo_names)
    _set_exo_values(models, stats)
    if missing == "fiml":
        from .objectives.fiml import FIMLObjective

        objective = FIMLObjective(models, stats, meanstructure)
    else:
        objective = MLObjective(models, stats, meanstructure)
    theta0 = start_values(pt, models, stats)
    res = minimize(objective, theta0)
    if _improper(res, models, stats):
        # second start (lavaan's "simple" values); keep the better solution
        try:
            alt = minimize(objective, start_values(pt, models, stats, method="simple"))
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            alt = None
        if alt is not None and np.isfinite(alt.fmin) and (alt.fmin < res.fmin - 1e-10 or not res.converged and alt.converged):
            res = alt
    return models, objective, res


def _improper(res, models, stats) -> bool:
    """Non-convergence, a negative variance or a variance far beyond the data's scale."""
    if not res.converged or not np.isfinite(res.fmin):
        return True
    for mod, ss in zip(models, stats):
        vals = mod.row_values(res.theta)
        var = (mod.kind == 1) & (mod.r == mod.c)
        scale = max(float(np.max(np.diag(ss.cov))), 1e-12)
        if np.any(vals[var] < 0) or np.any(np.abs(vals) > 1e3 * max(scale, 1.0)):
            return True
    return False


def _sample_warnings(stats) -> list[str]:
    """Non-positive-definite or ill-conditioned sample covariance matrices."""
    out = []
    for g, ss in enumerate(stats):
        ev = np.linalg.eigvalsh(ss.cov)
        tag = f" (group {g + 1})" if len(stats) > 1 else ""
        if ev.min() <= 1e-14 * max(ev.max(), 1e-300):
            out.append(f"the sample covariance matrix{tag} is not positive definite (smallest eigenvalue "
                       f"{ev.min():.3g}); check for constant or collinear variables")
        elif ev.max() / ev.min() > 1e8:
            out.append(f"the sample covariance matrix{tag} is ill-conditioned (condition number "
                       f"{ev.max() / ev.min():.3g}); consider rescaling variables")
    return out


def _n_moments(stats, meanstructure: bool, nx: int) -> int:
    """Sample moments counted as data; fixed-x moments are reproduced exactly and not counted (lavaan)."""
    return sum(s.p * (s.p + 1) // 2 + (s.p if meanstructure else 0) - nx * (nx + 1) // 2
               - (nx if meanstructure else 0) for s in stats)


def _inference(objective, theta, models, stats, *, estimator: str, information: str, se_type: str,
               fiml: bool, meanstructure: bool, exo_names: list[str], df: int) -> dict:
    """Information matrices, covariance of the estimates and (MLR) the Yuan-Bentler scaling factor."""
    N = objective.ntotal
    _g, E_unit = objective.grad_info(theta)
    obs_unit = None
    if information == "observed" or estimator == "MLR":
        obs_unit = inference.observed_information(objective, theta)
    A_unit = obs_unit if information == "observed" else E_unit
    scores = robust = None
    if estimator == "MLR" or se_type == "robust":
        scores = objective.casewise_scores(theta) if fiml else inference.casewise_scores(objective, theta)
    if estimator == "MLR":
        if fiml:
            robust = _robust_scaling_fiml(objective, theta, A_unit, scores, exo_names)
        else:
            robust = _robust_scaling(objective, theta, A_unit, scores, _keep_masks(models, stats, meanstructure))
        robust["scaling_factor"] = robust["trace"] / df if df > 0 else float("nan")
    if se_type == "none":
        vcov, ok = np.full((objective.nfree, objective.nfree), np.nan), True
    elif estimator == "MLR" or se_type == "robust":
        vcov, ok = inference.vcov_sandwich(A_unit, scores, N)
    else:
        vcov, ok = inference.safe_inverse(N * A_unit)
    warnings = []
    if not ok:
        warnings.append("the information matrix is singular or nearly so (the model may not be identified); "
                        "standard errors are unreliable")
    elif se_type != "none":
        ev = np.linalg.eigvalsh(A_unit)
        if ev.min() > 0 and ev.max() / ev.min() > 1e12:
            warnings.append(f"the information matrix has a large condition number ({ev.max() / ev.min():.3g}); "
                            "standard errors may be unreliable")
    return dict(E_unit=E_unit, obs_unit=obs_unit, A_unit=A_unit, scores=scores, robust=robust, vcov=vcov,
                warnings=warnings)


def _estimates_table(pt, models, theta, vcov, implied, def_fun) -> pd.DataFrame:
    """lavaan's parameterEstimates(standardized = TRUE) as a DataFrame (se NaN for fixed rows)."""
    nrows = len(pt)
    est = _row_values(models, theta, nrows)
    se = np.full(nrows, np.nan)
    free = pt["free"].to_numpy()
    sev = np.sqrt(np.clip(np.diag(vcov), 0, None))
    fr = free > 0
    se[fr] = sev[free[fr] - 1]
    std_lv, std_all = standardize(pt, est, models, implied)
    if def_fun is not None:
        is_def = (pt["op"] == ":=").to_numpy()
        est[is_def], se[is_def] = inference.delta_method(def_fun, theta, vcov)
        # standardized defined parameters: the definition applied to the standardized values
        std_lv[is_def] = def_fun.from_rows(std_lv.copy())
        std_all[is_def] = def_fun.from_rows(std_all.copy())
    wt = inference.wald_table(est, se)
    table = pd.DataFrame({
        "lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
        "label": pt["label"].to_numpy(), "est": est, "se": se, "z": wt["z"], "pvalue": wt["pvalue"],
        "ci_lower": wt["ci_lower"], "ci_upper": wt["ci_upper"], "std_lv": std_lv, "std_all": std_all,
    })
    if len(models) > 1:
        table.insert(3, "group", pt["group"].to_numpy())
    return table


def _solution_warnings(estimates: pd.DataFrame, models, implied) -> list[str]:
    """Heywood cases, standardized loadings > 1, non-positive-definite implied matrices."""
    out = []
    lhs, op, rhs = (estimates[c].to_numpy() for c in ("lhs", "op", "rhs"))
    est, std_all = estimates["est"].to_numpy(), estimates["std_all"].to_numpy()
    neg = np.flatnonzero((op == "~~") & (lhs == rhs) & (est < 0))
    if len(neg):
        out.append("negative variance estimate(s) (Heywood case): " +
                   ", ".join(f"{lhs[k]} ({est[k]:.3g})" for k in neg))
    big = np.flatnonzero((op == "=~") & (np.abs(std_all) > 1 + 1e-6))
    if len(big):
        out.append("standardized loading(s) larger than 1: " +
                   ", ".join(f"{lhs[k]}=~{rhs[k]} ({std_all[k]:.3g})" for k in big))
    for gi, (mod, imp) in enumerate(zip(models, implied)):
        tag = f" (group {gi + 1})" if len(models) > 1 else ""
        if np.linalg.eigvalsh(imp["sigma"]).min() <= 0:
            out.append(f"the model-implied covariance matrix{tag} is not positive definite")
        if mod.lv:
            lvi = np.arange(mod.p, mod.n)
            if np.linalg.eigvalsh(imp["cov_all"][np.ix_(lvi, lvi)]).min() <= 0:
                out.append(f"the covariance matrix of the latent variables{tag} is not positive definite")
    return out


def _logliks(objective, theta, res, stats, implied, *, fiml: bool, meanstructure: bool, ov, exo_names):
    """Test statistic, model and unrestricted log-likelihoods (of the y-part given fixed x's, as lavaan)."""
    N = objective.ntotal
    if fiml:
        ll = objective.loglik(theta)
        ll1 = sum(s.h1_loglik for s in stats)
        chisq = max(2 * (ll1 - ll), 0.0) if np.isfinite(ll1) else float("nan")
    else:
        chisq = 2 * N * res.fmin if all(np.isfinite(ss.logdet_cov) for ss in stats) else float("nan")
        ll = sum(ml_obj.ml_loglik(imp["sigma"], imp["mu"], ss.cov, ss.mean, ss.nobs, meanstructure)
                 for imp, ss in zip(implied, stats))
        ll1 = sum(ml_obj.ml_loglik(ss.cov, ss.mean, ss.cov, ss.mean, ss.nobs, False) for ss in stats)
    llx = _x_loglik(stats, ov, exo_names)
    return chisq, ll - llx, ll1 - llx


def _lazy(fn):
    """Memoize a no-argument function."""
    cache: dict = {}

    def wrapper():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    return wrapper


def fit_partable(pt: pd.DataFrame, X_groups: list[np.ndarray], ov: list[str], *, estimator: str = "ML",
                 missing: str = "listwise", information: str | None = None, model_syntax: str = "",
                 exo_names: list[str] | None = None, group_labels: list | None = None,
                 n_orig: int | None = None, options: dict | None = None, se_type: str = "standard",
                 data_warnings: list[str] | None = None, x_names: list[str] | None = None) -> SEMResult:
    """Fit a parameter table to data (one array per group, columns in ``ov`` order) and build the result.

    This is the engine behind :func:`sem`; later options (groups, bootstrap) call it directly.

    Parameters
    ----------
    pt : pandas.DataFrame
        Parameter table (:func:`~resilience_stats.sem.syntax.build_partable`); ``pt.attrs["meanstructure"]``.
    X_groups : list of numpy.ndarray
        Data of each group (rows = cases, columns = ``ov``; NaN = missing, only with ``missing="fiml"``).
    ov : list of str
        Observed variable names (column order of the arrays).
    estimator : {"ML", "MLR"}
    missing : {"listwise", "fiml"}
    information : {"expected", "observed"} or None
    exo_names : list of str
        Exogenous covariates treated as fixed (fixed.x).
    x_names : list of str, optional
        All exogenous observed covariates (also when not fixed); they keep their covariances in the baseline
        model. Default: ``exo_names``.
    se_type : {"standard", "robust", "none"}

    Examples
    --------
    >>> import numpy as np
    >>> from resilience_stats.sem.syntax import build_partable
    >>> rng = np.random.default_rng(1); f = rng.normal(size=(200, 1))
    >>> X = f @ np.ones((1, 3)) + rng.normal(size=(200, 3))
    >>> fit = fit_partable(build_partable("F =~ a + b + c"), [X], ["a", "b", "c"])
    >>> fit.n_params, fit.df
    (6, 0)
    """
    meanstructure = bool(pt.attrs.get("meanstructure", (pt["op"] == "~1").any()))
    fiml = missing == "fiml"
    if fiml:
        from .objectives.fiml import fiml_sample_stats

        stats = [fiml_sample_stats(X, ov) for X in X_groups]
    else:
        stats = [sample_stats(X, ov) for X in X_groups]
    exo_names = list(exo_names or [])
    warnings = list(data_warnings or []) + _sample_warnings(stats)
    ndat = _n_moments(stats, meanstructure, len(exo_names))
    npar = int(pt["free"].max())
    df = ndat - npar
    _check_identification(pt, build_models(pt, ov), ndat)
    models, objective, res = _fit_engine(pt, stats, meanstructure, missing, ov, exo_names)
    if not np.isfinite(res.fmin):
        raise EstimationError("estimation failed: the model-implied covariance matrix is not positive definite "
                              "at the starting values and no usable solution was found")
    theta = res.theta
    if not res.converged:
        warnings.append(f"the optimizer did not converge after {res.iterations} iterations ({res.message}); "
                        "estimates are not trustworthy")
    if information is None:
        information = "observed" if (estimator == "MLR" or fiml) else "expected"
    inf = _inference(objective, theta, models, stats, estimator=estimator, information=information,
                     se_type=se_type, fiml=fiml, meanstructure=meanstructure, exo_names=exo_names, df=df)
    warnings += inf["warnings"]
    implied = [mod.implied(theta) for mod in models]
    def_fun = _def_function(pt, models)
    estimates = _estimates_table(pt, models, theta, inf["vcov"], implied, def_fun)
    warnings += _solution_warnings(estimates, models, implied)
    state = FitState(model_syntax=model_syntax, options=dict(options or {}), pt=pt, models=models, stats=stats,
                     objective=objective, theta=theta, optim=res, vcov=inf["vcov"], implied=implied,
                     unit_info=inf["E_unit"], observed_info=inf["obs_unit"], scores=inf["scores"], def_fun=def_fun,
                     group_labels=list(group_labels or []), n_orig=n_orig or objective.ntotal,
                     robust=inf["robust"])
    state.options.setdefault("estimator", estimator)
    state.options.setdefault("missing", missing)
    state.options["information"] = information
    state.options["se_type"] = "robust" if (estimator == "MLR" and se_type != "none") else se_type
    state.chisq, state.loglik, state.loglik_h1 = _logliks(objective, theta, res, stats, implied, fiml=fiml,
                                                          meanstructure=meanstructure, ov=ov, exo_names=exo_names)
    state.ndat = ndat
    robust = inf["robust"]

    def baseline() -> dict:
        """Independence model fitted with the same estimator (and its scaling factor with MLR)."""
        bpt = _baseline_partable(models, meanstructure, x_names if x_names is not None else exo_names,
                                 fixed_x=bool(exo_names) or not x_names)
        bmodels, bobj, bres = _fit_engine(bpt, stats, meanstructure, missing, ov, exo_names)
        out = {"df": ndat - int(bpt["free"].max()), "model": (bobj, bres.theta)}
        if fiml:
            out["chisq"] = max(2 * (state.loglik_h1 + _x_loglik(stats, ov, exo_names) - bobj.loglik(bres.theta)),
                               0.0)
        else:
            out["chisq"] = 2 * objective.ntotal * bres.fmin
        if robust is not None:
            bH = inference.observed_information(bobj, bres.theta) if information == "observed" else \
                bobj.grad_info(bres.theta)[1]
            if fiml:
                brob = _robust_scaling_fiml(bobj, bres.theta, bH, bobj.casewise_scores(bres.theta), exo_names)
            else:
                brob = _robust_scaling(bobj, bres.theta, bH, inference.casewise_scores(bobj, bres.theta),
                                       _keep_masks(bmodels, stats, meanstructure))
            out["scaling_factor"] = brob["trace"] / out["df"]
        return out

    state.baseline = _lazy(baseline)

    def fiml_corrected() -> dict:
        """Ingredients of lavaan's FIML-corrected robust CFI/TLI/RMSEA (V3 with MLR, V6 with ML)."""
        version = "V3" if estimator == "MLR" else "V6"
        blocks = _h1_fiml_blocks(stats, exo_names)
        out = dict(XX3=_tilde_chisq(objective, theta, stats), df3=df)
        k = _fiml_corrected_k(objective, theta, blocks, objective.weights, version)
        out["c_hat3"] = k / df if df > 0 else float("nan")
        b = state.baseline()
        bobj, btheta = b["model"]
        out["XX3_null"] = _tilde_chisq(bobj, btheta, stats)
        out["df3_null"] = b["df"]
        out["c_hat3_null"] = _fiml_corrected_k(bobj, btheta, blocks, objective.weights, version) / b["df"]
        return out

    state.fiml_corrected = _lazy(fiml_corrected) if fiml else None
    _emit_estimation_warnings(warnings)
    return SEMResult(state, estimates, warnings)


_EMITTED_WARNINGS = ("did not converge", "Heywood case", "standardized loading(s) larger than 1",
                     "model-implied covariance matrix", "covariance matrix of the latent variables")


def _emit_estimation_warnings(messages: list[str]) -> None:
    """Also issue non-convergence and improper-solution messages (kept in ``fit.warnings``) as Python warnings
    of class :class:`~resilience_stats.errors.EstimationWarning`."""
    from .._warn import warn
    from ..errors import EstimationWarning

    for message in messages:
        if any(key in message for key in _EMITTED_WARNINGS):
            warn(message, EstimationWarning)


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


# --------------------------------------------------------------------------------------------- public API


@blas_single_threaded
def sem(model: str, data, estimator: str = "ML", missing: str = "listwise", std_lv: bool = False,
        se: str = "standard", meanstructure: bool | None = None, fixed_x: bool = True,
        information: str | None = None, orthogonal: bool = False, **kwargs: Any) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax (defaults of lavaan's ``sem()``).

    Parameters
    ----------
    model : str
        lavaan model syntax (``=~``, ``~``, ``~~``, ``~ 1``, labels, fixed values, ``:=``, ``==``).
    data : pandas.DataFrame or object with a ``.data`` DataFrame
        The data; only the model's columns are used (the caller's frame is never modified).
    estimator : {"ML", "MLR"}
        Normal-theory ML (expected-information standard errors), or ML with Huber-White sandwich standard errors
        (observed information) and the Yuan-Bentler (Mplus) scaled test statistic.
    missing : {"listwise", "fiml"}
        Listwise deletion, or full-information ML (casewise likelihood, mean structure added).
    std_lv : bool
        Fix factor variances to 1 and free all loadings instead of fixing the first loading to 1.
    se : {"standard", "robust", "none"}
        "robust" with estimator ML gives Huber-White sandwich standard errors (with the expected information for
        complete data, as lavaan's ``se = "robust"``) and keeps the standard test statistic.
    meanstructure : bool or None
        Add intercepts; default: only with FIML or when the syntax has ``~ 1``.
    fixed_x : bool
        Exogenous observed covariates are fixed at their sample moments (not parameters), as in lavaan.
    information : {"expected", "observed"} or None
        Information matrix for standard errors (default: expected for ML, observed for MLR and FIML).
    orthogonal : bool
        Fix the covariances among exogenous latent variables to zero.
    group : str, optional (keyword)
        Column defining groups (multiple-group model; groups in order of first appearance, a mean structure by
        default; see :mod:`resilience_stats.sem.groups`).
    group_equal : list of str, optional (keyword)
        Cross-group equality constraints: "loadings", "intercepts", "thresholds", "residuals",
        "residual_covariances", "means", "lv_variances", "lv_covariances", "regressions".
    group_partial : list of str, optional (keyword)
        Parameters exempt from ``group_equal``, e.g. ``["x3 ~1", "visual =~ x2"]``.
    ordered : True or list of str, optional (keyword)
        Ordinal (Likert) indicators: thresholds + polychorics, DWLS with robust SEs and the scaled-shifted test
        (estimator "WLSMV", the default then, or "ULSMV"); see :mod:`resilience_stats.sem.ordinal`.
    cluster : str, optional (keyword)
        Column of cluster (community) ids: cluster-robust SEs and Yuan-Bentler test as lavaan's ``cluster=``
        (ML and MLR alike; a mean structure is added); see :mod:`resilience_stats.sem.cluster`.

    Returns
    -------
    SEMResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=500)
    >>> df = pd.DataFrame({f"x{i}": f * (1 + i / 4) + rng.normal(size=500) for i in range(1, 4)})
    >>> df["y"] = 0.5 * f + rng.normal(size=500)
    >>> fit = sem("F =~ x1 + x2 + x3\\n y ~ F", df)
    >>> fit.converged, int(fit.fit_indices["df"])
    (True, 2)
    """
    if kwargs.get("ordered") not in (None, False) or str(estimator).upper() in ("WLSMV", "ULSMV"):
        from .ordinal import sem_ordinal  # ordinal indicators: sem/ordinal.py

        return sem_ordinal(model, data, ordered=kwargs.pop("ordered", None), estimator=estimator, missing=missing,
                           std_lv=std_lv, se=se, meanstructure=meanstructure, fixed_x=fixed_x,
                           information=information, orthogonal=orthogonal, **kwargs)
    kwargs.pop("ordered", None)
    if kwargs.get("cluster") is not None:
        from .cluster import sem_cluster  # cluster-robust SEs and test: sem/cluster.py

        return sem_cluster(model, data, kwargs.pop("cluster"), estimator=estimator, missing=missing, std_lv=std_lv,
                           se=se, meanstructure=meanstructure, fixed_x=fixed_x, information=information,
                           orthogonal=orthogonal, **kwargs)
    kwargs.pop("cluster", None)
    estimator = str(estimator).upper()
    if estimator not in _ESTIMATORS:
        raise ModelSpecificationError(f"estimator must be one of {_ESTIMATORS}, got {estimator!r}")
    missing = {"ml": "fiml", "fiml": "fiml", "listwise": "listwise", "direct": "fiml"}.get(str(missing).lower())
    if missing is None:
        raise ModelSpecificationError(f"missing must be one of {_MISSING}")
    if kwargs.get("group") is not None:  # multiple groups: sem/groups.py
        from .groups import sem_groups

        return sem_groups(model, data, kwargs.pop("group"), estimator=estimator, missing=missing, std_lv=std_lv,
                          se=se, meanstructure=meanstructure, fixed_x=fixed_x, information=information,
                          orthogonal=orthogonal, **kwargs)
    if kwargs.get("group_equal") or kwargs.get("group_partial"):
        raise ModelSpecificationError("group_equal/group_partial need a grouping variable (group=)")
    unknown = set(kwargs) - {"group", "group_equal", "group_partial"}
    if unknown:
        raise TypeError(f"sem() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    if se not in ("standard", "robust", "none"):
        raise ModelSpecificationError(f"se must be 'standard', 'robust' or 'none', got {se!r}")
    if information not in (None, "expected", "observed"):
        raise ModelSpecificationError(f"information must be 'expected' or 'observed', got {information!r}")
    # se="robust" with ML: sandwich standard errors (lavaan's "robust.sem"), standard test statistic
    frame = _resolve_frame(data)
    fiml = missing == "fiml"
    ms = True if (fiml and meanstructure is None) else meanstructure
    pm = parse_model(model)
    pt = build_partable(pm, std_lv=std_lv, meanstructure=ms, fixed_x=fixed_x, orthogonal=orthogonal)
    ov, _lv = model_variable_names(pt)
    vn = variable_names([f for f in pm.formulas], fixed_x=fixed_x)
    X = _data_matrix(frame, ov)
    n_orig = X.shape[0]
    exo_names = list(vn.ov_x) if fixed_x else []
    xcols = [ov.index(v) for v in exo_names]
    data_warnings = []
    if fiml:
        keep = ~np.all(np.isnan(X), axis=1)
        if xcols:
            miss_x = np.any(np.isnan(X[:, xcols]), axis=1) & keep
            if miss_x.any():
                data_warnings.append(f"{int(miss_x.sum())} case(s) deleted because of missing values in exogenous "
                                     f"covariate(s) ({', '.join(exo_names)}) while fixed_x=True")
            keep &= ~miss_x
        X = X[keep]
    else:
        X = X[~np.any(np.isnan(X), axis=1)]
    if X.shape[0] <= len(ov):
        what = "cases with data" if fiml else "complete cases"
        raise ModelSpecificationError(
            f"too few {what}: {X.shape[0]} for {len(ov)} observed variables (need more cases than variables)"
        )
    options = dict(estimator=estimator, missing=missing, std_lv=std_lv, se=se, meanstructure=bool(
        pt.attrs["meanstructure"]), fixed_x=fixed_x, orthogonal=orthogonal)
    return fit_partable(pt, [X], ov, estimator=estimator, missing=missing, information=information,
                        model_syntax=model, exo_names=exo_names, n_orig=n_orig, options=options,
                        se_type=se, data_warnings=data_warnings,
                        x_names=list(vn.ov_x))


@blas_single_threaded
def cfa(data, model: str | None = None, **kwargs: Any) -> SEMResult:
    """Confirmatory factor analysis (lavaan's ``cfa()`` defaults); note that ``data`` comes first.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyWave-like object
        With ``model=None`` the object must have an ``.instrument`` whose ``measurement_model()`` returns lavaan
        syntax (a :class:`SurveyWave`); its ``.data`` DataFrame is used.
    model : str, optional
        lavaan model syntax.
    **kwargs
        Passed to :func:`sem` (estimator, missing, std_lv, se, meanstructure, fixed_x, ...).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0); f = rng.normal(size=(400, 1))
    >>> df = pd.DataFrame(f @ np.ones((1, 4)) + rng.normal(size=(400, 4)), columns=list("abcd"))
    >>> fit = cfa(df, "F =~ a + b + c + d")
    >>> int(fit.n_params), int(fit.df)
    (8, 2)
    """
    if model is None:
        instrument = getattr(data, "instrument", None)
        builder = getattr(instrument, "measurement_model", None)
        if builder is None:
            raise ModelSpecificationError(
                "cfa() needs model syntax: pass model=... or data with an .instrument that has "
                "measurement_model() (a SurveyWave)"
            )
        model = builder()
        if not isinstance(model, str) or not model.strip():
            raise ModelSpecificationError("the instrument's measurement_model() returned no model syntax")
    return sem(model, data, **kwargs)
