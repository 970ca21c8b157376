"""Ordinal (categorical) indicators: WLSMV / ULSMV with lavaan's delta parameterization.

Two-step estimation as lavaan 0.6-14's ``cfa(..., ordered = TRUE, estimator = "WLSMV")``:

1. Sample statistics: thresholds, polychoric correlations and their asymptotic covariance matrix Gamma
   (:func:`~resilience_stats.psychometrics.polychoric_acov.polychoric_acov`, listwise deletion).
2. The model for the latent responses y*: ``Sigma* = G S G'`` from the RAM matrices with the residual variances
   of the ordinal items *not* free (delta parameterization, scale factors ``y ~*~ y`` fixed to 1): they are
   ``1 - diag(systematic part)`` so that ``diag(Sigma*) = 1``. Model thresholds are parameters (``y | t1`` ...);
   with the intercepts of y* and the latent means fixed to 0 the model thresholds equal them. (For several
   groups, or latent means, the model threshold is ``(tau - mu*) / sqrt(var y*)``; see
   :func:`model_thresholds`; this is where measurement invariance of thresholds plugs in.)
3. DWLS (weights ``1 / diag(Gamma)``) or ULS (unit weights) estimates; robust ("sandwich") standard errors
   ``(D'WD)^-1 D'W Gamma W D (D'WD)^-1 / (N - 1)``; the mean-and-variance adjusted (scaled-shifted) test, and
   lavaan's robust CFI/TLI/RMSEA for categorical data (Savalei 2021, via the "catML" statistics) --
   :mod:`resilience_stats.sem.robust_tests`.

Supported: single group, all model indicators ordinal, latent regressions/covariances, residual covariances,
labels and equality constraints, user thresholds (``y | a*t1``), listwise or pairwise deletion
(:mod:`~resilience_stats.sem.ordinal_pairwise`). Multiple groups (``group=``, ``group_equal``): see
:mod:`~resilience_stats.sem.ordinal_groups`. Not (yet): mixed continuous/ordinal indicators, observed exogenous
covariates, the theta parameterization.
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationError, ModelSpecificationError
from . import inference
from .data import SampleStats
from .estimate import minimize
from .model import build_models, model_variable_names
from .objectives.dwls import DWLSObjective
from .results import FitState, SEMResult
from .standardize import standardize
from .start import start_values
from .syntax import build_partable, parse_model, variable_names

__all__ = ["sem_ordinal", "ordinal_partable", "model_thresholds", "resolve_ordered", "check_group_categories"]

_ORD_ESTIMATORS = ("WLSMV", "ULSMV")


# --------------------------------------------------------------------------------------------- partable


def resolve_ordered(ordered, ov: list[str]) -> list[str]:
    """Model variables declared ordinal: ``True`` means all, a list selects (names outside the model are ignored).

    Examples
    --------
    >>> resolve_ordered(True, ["a", "b"]), resolve_ordered(["b", "z"], ["a", "b"])
    (['a', 'b'], ['b'])
    """
    if ordered is True:
        return list(ov)
    if ordered is None or ordered is False:
        return []
    if isinstance(ordered, str):
        ordered = [ordered]
    chosen = set(map(str, ordered))
    return [v for v in ov if v in chosen]


def ordinal_partable(core: pd.DataFrame, ordered: list[str], nthresholds: dict[str, int],
                     lv: list[str]) -> pd.DataFrame:
    """lavaan's parameter table of an ordinal model built from the continuous-style table ``core``.

    Rows in lavaan's order: the user rows, thresholds ``y | t1`` ... (free), the (residual) variances and
    covariances -- residual variances of ordinal items fixed (delta parameterization) --, scale factors
    ``y ~*~ y`` (fixed 1), intercepts of the items and latent means (fixed 0). Free indices are renumbered in
    row order, keeping the rows that shared an index (labels, ``==``) together.

    Examples
    --------
    >>> pt = ordinal_partable(build_partable("f =~ a + b + c"), ["a", "b", "c"], {"a": 2, "b": 1, "c": 1}, ["f"])
    >>> pt["op"].tolist().count("|"), int(pt["free"].max())
    (4, 7)
    """
    core = core[core["op"] != ":="]
    user_th = core[(core["op"] == "|")]
    for v, k in nthresholds.items():
        given = user_th.loc[user_th["lhs"] == v, "rhs"].tolist()
        if given and sorted(given) != [f"t{i}" for i in range(1, k + 1)]:
            raise ModelSpecificationError(
                f"thresholds of {v} in the model ({', '.join(given)}) do not match its {k + 1} observed categories "
                f"(t1..t{k})")
    user = core[core["user"] == 1]
    default = core[core["user"] == 0]
    template = {c: core.iloc[0][c] for c in core.columns}

    def row(lhs, op, rhs, free, ustart):
        r = dict(template)
        r.update(lhs=lhs, op=op, rhs=rhs, user=0, free=free, ustart=ustart, exo=0, label="", start=np.nan,
                 est=np.nan, se=np.nan)
        return r

    new_th = [row(v, "|", f"t{i}", -1, np.nan) for v in ordered for i in range(1, nthresholds[v] + 1)
              if not (user_th["lhs"] == v).any()]
    # thresholds given by the user are kept in the user block; missing ones follow the user rows
    default = default.copy()
    is_resvar = (default["op"] == "~~") & (default["lhs"] == default["rhs"]) & default["lhs"].isin(ordered)
    default.loc[is_resvar, "free"] = 0
    default.loc[is_resvar, "ustart"] = np.nan
    user = user.copy()
    u_resvar = (user["op"] == "~~") & (user["lhs"] == user["rhs"]) & user["lhs"].isin(ordered)
    if (u_resvar & (user["free"] > 0)).any():
        raise ModelSpecificationError("residual variances of ordinal indicators cannot be free with the delta "
                                      "parameterization: " + ", ".join(user.loc[u_resvar, "lhs"]))
    user.loc[u_resvar, "free"] = 0
    user.loc[u_resvar, "ustart"] = np.nan
    tail = [row(v, "~*~", v, 0, 1.0) for v in ordered]
    tail += [row(v, "~1", "", 0, 0.0) for v in ordered]
    tail += [row(f, "~1", "", 0, 0.0) for f in lv]
    pt = pd.concat([user, pd.DataFrame(new_th), default, pd.DataFrame(tail)], ignore_index=True)
    for c in ("lhs", "op", "rhs", "label"):
        pt[c] = pt[c].astype(object)
    # renumber free parameters by first appearance; new thresholds (-1) get their own index
    old = pt["free"].to_numpy().astype(int)
    new = np.zeros(len(pt), dtype=int)
    seen: dict[int, int] = {}
    nxt = 0
    for k, f in enumerate(old):
        if f == 0:
            continue
        if f < 0:
            nxt += 1
            new[k] = nxt
            continue
        if f not in seen:
            nxt += 1
            seen[f] = nxt
        new[k] = seen[f]
    pt["free"] = new
    pt["id"] = np.arange(1, len(pt) + 1)
    pt["plabel"] = pd.Series([f".p{i}." for i in pt["id"]], dtype=object)
    pt["group"] = pt["group"].astype(int)
    pt["block"] = pt["block"].astype(int)
    pt["user"] = pt["user"].astype(int)
    pt["exo"] = pt["exo"].astype(int)
    pt.attrs.update(core.attrs)
    pt.attrs["meanstructure"] = True
    pt.attrs["ordered"] = list(ordered)
    pt.attrs["parameterization"] = "delta"
    return pt


def model_thresholds(tau: np.ndarray, mu_star: float = 0.0, var_star: float = 1.0) -> np.ndarray:
    """Model-implied thresholds of one item on the standardized latent-response scale (delta parameterization).

    ``(tau - mu*) / sqrt(var*)``, where mu* and var* are the implied mean and variance of y*. In a single group
    with zero intercepts and latent means both are 0 and 1, and the model thresholds are the parameters.

    Examples
    --------
    >>> model_thresholds(np.array([-1.0, 0.5]), mu_star=0.5, var_star=4.0).tolist()
    [-0.75, 0.0]
    """
    return (np.asarray(tau, dtype=float) - mu_star) / np.sqrt(var_star)


# --------------------------------------------------------------------------------------------- data checks


def _category_warnings(frame: pd.DataFrame, moments) -> list[str]:
    out = []
    for v, cats in moments.categories.items():
        vals = np.asarray(cats, dtype=float)
        if np.all(np.isclose(vals, np.round(vals))) and len(vals) >= 2:
            gaps = sorted(set(range(int(vals.min()), int(vals.max()) + 1)) - set(np.round(vals).astype(int)))
            if gaps:
                out.append(f"item {v}: response categories {gaps} are empty; thresholds are estimated for the "
                           f"{len(vals)} observed categories only (as lavaan), so they are not comparable with "
                           "items or groups that use all categories")
        counts = frame[v].value_counts()
        rare = counts[counts < 5]
        if len(rare):
            out.append(f"item {v}: sparse categories ({', '.join(f'{k:g}: n={n}' for k, n in rare.items())}); "
                       "polychoric correlations and their Gamma are unstable -- consider collapsing categories")
    return out


def check_group_categories(frame: pd.DataFrame, items: list[str], group: str) -> None:
    """Raise a DataError when a response category of an item is empty in some group but used in others.

    Thresholds of an item must refer to the same categories in every group (lavaan stops with "some categories of
    variable ... are empty in group ..."); collapse the category or drop the group first. For multi-group
    (invariance) models with ordered indicators.

    Examples
    --------
    >>> df = pd.DataFrame({"g": [1, 1, 1, 2, 2, 2], "y": [1, 2, 3, 1, 1, 3]})
    >>> check_group_categories(df, ["y"], "g")
    Traceback (most recent call last):
    ...
    resilience_stats.errors.DataError: item y: category 2 is empty in group 2 (frequencies 1: 2, 3: 1); collapse categories or drop the group
    """
    if group not in frame.columns:
        raise ModelSpecificationError(f"group variable {group!r} not found in the data")
    sub = frame[items + [group]].dropna()
    for v in items:
        cats = sorted(sub[v].unique())
        for g, part in sub.groupby(group, sort=False):
            counts = part[v].value_counts()
            empty = [c for c in cats if c not in counts.index]
            if empty:
                freq = ", ".join(f"{c:g}: {counts.get(c, 0)}" for c in cats if c in counts.index)
                raise DataError(f"item {v}: categor{'y' if len(empty) == 1 else 'ies'} "
                                f"{', '.join(f'{c:g}' for c in empty)} {'is' if len(empty) == 1 else 'are'} empty "
                                f"in group {g} (frequencies {freq}); collapse categories or drop the group")


# --------------------------------------------------------------------------------------------- fitting


def sem_ordinal(model: str, data, *, ordered=True, estimator: str = "WLSMV", missing: str = "listwise",
                std_lv: bool = False, se: str = "standard", meanstructure: bool | None = None,
                fixed_x: bool = True, information: str | None = None, orthogonal: bool = False,
                **kwargs: Any) -> SEMResult:
    """Fit a model with ordinal indicators by WLSMV (DWLS) or ULSMV (ULS); called by :func:`~resilience_stats.sem.sem`.

    Parameters
    ----------
    model : str
        lavaan syntax; thresholds may be written (``y1 | t1 + t2``) but are added automatically.
    data : pandas.DataFrame or object with ``.data``
    ordered : True or list of str
        The ordinal model variables (True: all); every observed variable of the model must be ordinal.
    estimator : {"WLSMV", "ULSMV"}
    se : {"standard", "robust", "none"}
        "standard"/"robust" give lavaan's robust.sem standard errors (the default of WLSMV); "none" skips them.

    Returns
    -------
    SEMResult
        ``estimates`` has threshold rows (op ``|``, rhs ``t1``, ``t2`` ...), fixed intercepts/means and scale
        factors (``~*~``) as lavaan's ``parameterEstimates``; ``fit_indices`` the standard and scaled-shifted
        tests and the scaled and robust CFI/TLI/RMSEA; ``options["fit_notes"]`` says which to report.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2); f = rng.normal(size=(600, 1))
    >>> ystar = f @ np.full((1, 4), .7) + rng.normal(scale=.7, size=(600, 4))
    >>> df = pd.DataFrame(np.digitize(ystar, [-1, 0, 1]) + 1, columns=list("abcd"))
    >>> fit = sem_ordinal("F =~ a + b + c + d", df)
    >>> int(fit.df), fit.estimates["op"].tolist().count("|")
    (2, 12)
    """
    from .api import _resolve_frame  # local: api imports this module lazily

    from ..psychometrics.polychoric_acov import polychoric_acov

    estimator = str(estimator).upper()
    if estimator == "ML":
        estimator = "WLSMV"  # lavaan's default for ordered data
    if estimator not in _ORD_ESTIMATORS:
        raise ModelSpecificationError(f"with ordered indicators the estimator must be one of {_ORD_ESTIMATORS}, "
                                      f"got {estimator!r}")
    missing = str(missing).lower()
    if missing not in ("listwise", "pairwise"):
        raise ModelSpecificationError("ordered indicators support missing='listwise' (default) or 'pairwise'; "
                                      "FIML for categorical data is not implemented")
    if kwargs.get("cluster") is not None:
        raise ModelSpecificationError("cluster= with ordered indicators is not supported yet")
    if kwargs.get("group") is not None:
        from .ordinal_groups import sem_ordinal_groups  # multiple groups: sem/ordinal_groups.py

        unknown = set(kwargs) - {"group", "cluster", "group_equal", "group_partial"}
        if unknown:
            raise TypeError(f"sem() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
        if se not in ("standard", "robust", "none"):
            raise ModelSpecificationError(f"se must be 'standard', 'robust' or 'none', got {se!r}")
        return sem_ordinal_groups(model, data, kwargs["group"], ordered=True if ordered is None else ordered,
                                  estimator=estimator, missing=missing, std_lv=std_lv, se=se, fixed_x=fixed_x,
                                  orthogonal=orthogonal, group_equal=kwargs.get("group_equal"),
                                  group_partial=kwargs.get("group_partial"))
    if kwargs.get("group_equal") or kwargs.get("group_partial"):
        raise ModelSpecificationError("group_equal/group_partial need group=")
    kwargs.pop("group_equal", None)
    kwargs.pop("group_partial", None)
    unknown = set(kwargs) - {"group", "cluster"}
    if unknown:
        raise TypeError(f"sem() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    if se not in ("standard", "robust", "none"):
        raise ModelSpecificationError(f"se must be 'standard', 'robust' or 'none', got {se!r}")
    frame = _resolve_frame(data)
    pm = parse_model(model)
    if any(f.op == "~1" for f in pm.formulas):
        raise ModelSpecificationError("intercepts/means (~ 1) are fixed to 0 in a single-group ordinal model; "
                                      "remove them from the syntax")
    core = build_partable(pm, std_lv=std_lv, meanstructure=False, fixed_x=fixed_x, orthogonal=orthogonal)
    cont, ov, lv, ordered_names = ordinal_variables(pm, core, ordered, estimator, fixed_x)
    from .api import _data_matrix

    X = _data_matrix(frame, ov)
    items = pd.DataFrame(X, columns=ov)
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            if missing == "pairwise":
                from .ordinal_pairwise import polychoric_acov_pairwise

                mom = polychoric_acov_pairwise(items)
            else:
                mom = polychoric_acov(items, ordered=ov)
        except DataError as exc:
            raise DataError(str(exc).replace("polychoric_acov: ", "ordinal model: ")) from None
    warn = [str(w.message) for w in caught]
    N = mom.n_obs
    p = len(ov)
    if N <= p:
        raise DataError(f"too few complete cases ({N}) for {p} ordinal variables")
    if mom.n_dropped:
        warn.append(f"{mom.n_dropped} case(s) with missing values were deleted " +
                    ("(no answer at all)" if missing == "pairwise" else
                     "listwise (missing='pairwise' keeps them, as lavaan)"))
    warn += _category_warnings(items if missing == "pairwise" else items.dropna(), mom)
    nth = {v: len(c) - 1 for v, c in mom.categories.items()}
    pt = ordinal_partable(core, ordered_names, nth, lv)
    ndat = len(mom.labels)
    if N < ndat:
        warn.append(f"only {N} complete cases for {ndat} sample statistics: Gamma (the asymptotic covariance "
                    "matrix of thresholds and polychorics) is singular, robust standard errors and the scaled "
                    "test are unreliable")
    return _fit(pt, mom, ov, lv, estimator=estimator, se=se, model_syntax=model, n_orig=X.shape[0], warn=warn,
                options=dict(estimator=estimator, missing=missing, std_lv=std_lv, se=se, meanstructure=True,
                             fixed_x=fixed_x, orthogonal=orthogonal, ordered=list(ordered_names),
                             parameterization="delta"))


def ordinal_variables(pm, core: pd.DataFrame, ordered, estimator: str, fixed_x: bool):
    """Observed and latent variables of an all-ordinal model, refusing what the ordinal engine cannot fit.

    Returns ``(cont, ov, lv, ordered_names)``: the parameter table without threshold rows, the observed and
    latent variable names, and the ordered items (all of ``ov``).
    """
    cont = core[core["op"] != "|"]
    ov, lv = model_variable_names(cont)
    vn = variable_names([f for f in pm.formulas if f.op != "|"], fixed_x=fixed_x)
    if vn.ov_x:
        raise ModelSpecificationError("observed exogenous covariates (" + ", ".join(vn.ov_x) + ") with ordered "
                                      "indicators are not supported yet (lavaan's conditional.x)")
    if ordered is None or ordered is False:
        raise ModelSpecificationError(f"estimator={estimator!r} needs ordinal indicators: pass ordered=True (all "
                                      "model variables) or ordered=[...]; DWLS for continuous data is not "
                                      "implemented")
    ordered_names = resolve_ordered(ordered, ov)
    if set(ordered_names) != set(ov):
        rest = [v for v in ov if v not in ordered_names]
        raise ModelSpecificationError("mixed continuous and ordinal observed variables are not supported yet; "
                                      f"declare these as ordered too or drop them: {', '.join(rest)}")
    _check_no_outgoing(cont, ordered_names)
    return cont, ov, lv, ordered_names


def _check_no_outgoing(pt: pd.DataFrame, ordered: list[str]) -> None:
    op, lhs, rhs = pt["op"].to_numpy(), pt["lhs"].to_numpy(), pt["rhs"].to_numpy()
    bad = sorted({r for o, r in zip(op, rhs) if o == "~" and r in ordered} |
                 {l for o, l in zip(op, lhs) if o == "=~" and l in ordered})
    if bad:
        raise ModelSpecificationError("ordinal variables used as predictors or factors are not supported yet: "
                                      + ", ".join(bad))


def _fit(pt, mom, ov, lv, *, estimator, se, model_syntax, n_orig, warn, options) -> SEMResult:
    nfree = int(pt["free"].max())
    is_core = pt["op"].isin(["=~", "~", "~~"]).to_numpy()
    core_rows = np.flatnonzero(is_core)
    core = pt.iloc[core_rows].reset_index(drop=True)
    core.attrs.update(pt.attrs)
    models = build_models(core, ov_order=ov)
    mod = models[0]
    mod.rows = core_rows[mod.rows]  # positions in the full table (results index rows by them)
    mod.nfree = nfree
    mod._cache.clear()
    mod.exo_names = []
    ordset = set(ov)
    resvar_k = np.array([k for k in range(len(mod.rows)) if mod.kind[k] == 1 and mod.r[k] == mod.c[k]
                         and mod.r[k] < mod.p and ov[mod.r[k]] in ordset], dtype=int)
    mod.value[resvar_k] = 0.0
    # thresholds: statistic i <-> partable row
    lhs, op, rhs = (pt[c].to_numpy() for c in ("lhs", "op", "rhs"))
    free = pt["free"].to_numpy().astype(int)
    ustart = pt["ustart"].to_numpy().astype(float)
    th_row = {(l, r): k for k, (l, o, r) in enumerate(zip(lhs, op, rhs)) if o == "|"}
    th_labels = [lab.split("|") for lab in mom.labels if "|" in lab]
    th_rows = np.array([th_row[(v, t)] for v, t in th_labels], dtype=int)
    th_free = free[th_rows] - 1
    th_value = np.where(np.isfinite(ustart[th_rows]), ustart[th_rows], 0.0)
    iu, ju = np.tril_indices(len(ov), -1)
    order = np.lexsort((iu, ju))  # vech(lower, no diagonal), column by column
    pairs = (iu[order], ju[order])
    s = mom.wls_obs.to_numpy()
    w = mom.wls_v_diag.to_numpy() if estimator == "WLSMV" else np.ones(len(s))
    N = mom.n_obs
    objective = DWLSObjective(models, s, w, th_free, th_value, pairs, N)
    R = mom.corr.loc[ov, ov].to_numpy()
    ss = SampleStats(list(ov), N, np.zeros(len(ov)), R, np.empty((0, len(ov))))
    objective.stats = [ss]
    theta0 = start_values(pt, models, [ss])
    f = th_free >= 0
    theta0[th_free[f]] = s[: len(th_free)][f]
    res = minimize(objective, theta0)
    if not np.isfinite(res.fmin):
        raise EstimationError("DWLS estimation failed: no finite solution from the starting values")
    theta = res.theta
    if not res.converged:
        warn.append(f"the optimizer did not converge after {res.iterations} iterations ({res.message}); "
                    "estimates are not trustworthy")
    # inference: robust.sem sandwich with Gamma
    Gamma = mom.gamma.to_numpy()
    D = objective.delta(theta)
    WD = w[:, None] * D
    E = D.T @ WD  # unit information Delta' W Delta
    E_inv, ok = inference.safe_inverse(E)
    if not ok:
        warn.append("the information matrix is singular or nearly so (the model may not be identified); "
                    "standard errors are unreliable")
    if se == "none":
        vcov = np.full((nfree, nfree), np.nan)
    else:
        vcov = E_inv @ (WD.T @ Gamma @ WD) @ E_inv / (N - 1)
    # implied latent-response correlations: residual variances 1 - systematic variance
    sig0 = mod.implied(theta)["sigma"]
    resvar = 1.0 - np.diag(sig0)
    mod.value[resvar_k] = resvar[mod.r[resvar_k]]
    mod._cache.clear()
    implied = [mod.implied(theta)]
    estimates = _estimates(pt, mod, theta, vcov, implied, resvar_k)
    if (resvar < 0).any():
        warn.append("negative residual variance(s) of latent responses (Heywood case): "
                    + ", ".join(f"{v} ({r:.3g})" for v, r in zip(ov, resvar) if r < 0))
    sigma_hat = objective.implied_vector(theta)
    chisq = 2 * N * res.fmin
    state = FitState(model_syntax=model_syntax, options=dict(options), pt=pt, models=models, stats=[ss],
                     objective=objective, theta=theta, optim=res, vcov=vcov, implied=implied, unit_info=E,
                     n_orig=n_orig)
    state.options["information"] = "expected"
    state.options["se_type"] = "none" if se == "none" else "robust"
    state.options["se_method"] = "none" if se == "none" else "robust.sem"
    state.options["test"] = "scaled.shifted"
    state.chisq = chisq
    state.ndat = len(s)
    state.ordinal = dict(s=s, sigma=sigma_hat, w=w, gamma=Gamma, delta=D, E_inv=E_inv, N=N, pairs=pairs,
                         nth=len(th_free), R=R, implied_cor=implied[0]["sigma"], estimator=estimator,
                         thresholds=mom.thresholds, labels=list(mom.labels), moments=mom)
    from .robust_tests import ordinal_baseline, FIT_NOTES_ORDINAL

    state.baseline = _lazy(lambda: ordinal_baseline(state.ordinal))
    state.options["fit_notes"] = FIT_NOTES_ORDINAL
    _emit(warn)
    return SEMResult(state, estimates, warn)


def _emit(messages: list[str]) -> None:
    """Issue non-convergence, improper-solution and data-problem messages also as Python warnings."""
    from ..errors import EstimationWarning

    keys = ("did not converge", "Heywood", "empty", "singular", "sparse categories")
    for m in messages:
        if any(k in m for k in keys):
            _warnings.warn(m, EstimationWarning, stacklevel=4)


def _lazy(fn):
    cache: dict = {}

    def wrapper():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    return wrapper


def _estimates(pt, mod, theta, vcov, implied, resvar_k) -> pd.DataFrame:
    n = len(pt)
    op = pt["op"].to_numpy()
    free = pt["free"].to_numpy().astype(int)
    ustart = pt["ustart"].to_numpy().astype(float)
    est = np.where(np.isfinite(ustart), ustart, 0.0)
    fr = free > 0
    est[fr] = theta[free[fr] - 1]
    est[mod.rows] = mod.row_values(theta)
    se = np.full(n, np.nan)
    sev = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se[fr] = sev[free[fr] - 1]
    std_lv, std_all = standardize(pt, est, [mod], implied)
    th = op == "|"
    std_lv[th] = std_all[th] = est[th]  # y* has unit variance (delta = 1)
    other = (op == "~*~") | (op == "~1")
    std_lv[other] = std_all[other] = est[other]
    wt = inference.wald_table(est, se)
    return pd.DataFrame({
        "lhs": pt["lhs"].to_numpy(), "op": op, "rhs": pt["rhs"].to_numpy(), "label": pt["label"].to_numpy(),
        "est": est, "se": se, "z": wt["z"], "pvalue": wt["pvalue"], "ci_lower": wt["ci_lower"],
        "ci_upper": wt["ci_upper"], "std_lv": std_lv, "std_all": std_all,
    })
