"""The estimation pipeline: every fit goes through these steps, whatever its estimator, groups or data.

lavaan's steps, in this order:

1. **options** -- :func:`~resilience_stats.sem.options.resolve_options` (one validation of every argument);
2. **design** -- :func:`build_design`: the data of every block (group) as numeric arrays with the cases kept
   (and what was dropped, reported), the variable classes (observed, latent, ordered, fixed-x covariates) and
   the one parameter table (:func:`~resilience_stats.sem.partable.build_partable`);
3. **sample statistics** -- :func:`sample_statistics`: moments of complete data, missing-data patterns with the
   EM (h1) moments, or thresholds / polychoric correlations / Gamma of ordered items;
4. **model matrices** -- :func:`~resilience_stats.sem.model.build_models` (RAM), one per block;
5. **estimator** -- the discrepancy function of :mod:`resilience_stats.sem.objectives` named by the options
   (ML and FIML, or the least-squares family GLS / WLS / DWLS / ULS on the implied statistics of
   :mod:`resilience_stats.sem.implied`);
6. **optimizer** -- :func:`~resilience_stats.sem.estimate.minimize`, one for all;
7. **inference** -- the covariance matrix of the estimates of the requested kind
   (:mod:`resilience_stats.sem.inference`) and the test statistic (:mod:`resilience_stats.sem.scaling`);
8. **results** -- a :class:`~resilience_stats.sem.results.FitState`; fit measures are computed on demand by
   :mod:`resilience_stats.sem.fitmeasures`.

Refits (the bootstrap) re-run steps 3-6 with :func:`replicate_statistics`, :func:`make_objective` and a warm
start; identification, convergence and Heywood checks run for every estimator in :func:`estimate`.
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationError, ModelSpecificationError, ResilienceStatsWarning
from . import inference
from . import scaling
from .constraints import Constraints, constrained_minimize
from .data import SampleStats, sample_stats
from .estimate import MLObjective, minimize
from .model import build_models, model_variable_names, pt_arrays
from .objectives import ml as ml_obj
from .options import SEMOptions
from .partable import build_partable
from .results import FitState, SEMResult
from .standardize import standardize, standardize_nox
from .start import start_values
from .syntax import (Formula, Modifier, ParsedModel, eval_expression, eval_expression_gradient, expression_labels,
                     parse_model, variable_names)

__all__ = ["Design", "build_design", "sample_statistics", "replicate_statistics", "estimate", "fit",
           "solution", "make_objective", "resolve_frame", "data_matrix"]


# ============================================================================================ data


def resolve_frame(data) -> pd.DataFrame:
    """The DataFrame of ``data`` (a DataFrame, or an object with a ``.data`` DataFrame such as a SurveyWave)."""
    if isinstance(data, pd.DataFrame):
        return data
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    raise DataError(
        f"data must be a pandas DataFrame or an object with a .data DataFrame (a SurveyWave); got {type(data).__name__}"
    )


def data_matrix(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Numeric copy of the model columns (``+-inf`` reported as an error); raises ModelSpecificationError for
    absent or non-numeric columns."""
    cols = frame.columns
    colset = set(cols)
    absent = [v for v in names if v not in colset]
    if absent:
        raise ModelSpecificationError(
            f"variable(s) in the model not found in the data: {', '.join(absent)}"
        )
    if not cols.is_unique and set(cols[cols.duplicated()]) & set(names):
        raise ModelSpecificationError("a model variable appears more than once among the data columns")
    columns = [frame[v] for v in names]  # column by column: much cheaper than frame[names] for small data
    bad = [f"{v} ({c.dtype})" for v, c in zip(names, columns)
           if not (pd.api.types.is_numeric_dtype(c.dtype) or pd.api.types.is_bool_dtype(c.dtype))]
    if bad:
        raise ModelSpecificationError(
            f"non-numeric column(s) used in the model: {', '.join(bad)}; recode them as numbers first"
        )
    X = np.empty((len(frame), len(names)))
    for j, c in enumerate(columns):
        X[:, j] = c.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(X)
    if inf.any():
        cols = [names[j] for j in np.flatnonzero(inf.any(axis=0))]
        raise DataError(f"infinite value(s) in model variable(s) {', '.join(cols)} ({int(inf.sum())} cell(s)); "
                        "recode them as missing (NaN) or fix the data")
    return X


# ============================================================================================ design


@dataclass
class Design:
    """Everything about one fit that does not depend on the parameter values."""

    pt: pd.DataFrame
    ov: list[str]
    lv: list[str]
    ordered: list[str]
    exo_names: list[str]  # fixed-x covariates
    x_names: list[str]  # all exogenous observed covariates
    X: list[np.ndarray]  # per group: the data analysed (NaN = missing with FIML / pairwise)
    group_labels: list
    n_orig: int
    meanstructure: bool
    cluster_ids: np.ndarray | None = None
    moments: list | None = None  # ordinal: per group OrdinalMoments
    weights: list | None = None  # sampling weights per group (normalized to sum to the total N), or None
    warnings: list[str] = field(default_factory=list)
    dropped: dict = field(default_factory=dict)  # reason -> number of cases dropped


def build_design(pm: ParsedModel, frame: pd.DataFrame, options: SEMOptions) -> Design:
    """Variables, data arrays (deletion applied and reported) and the parameter table of a fit."""
    from .groups import small_group_warnings, split_groups
    from .ordinal import category_warnings, check_group_categories, resolve_ordered

    warnings: list[str] = []
    dropped: dict[str, int] = {}
    if options.group is not None:
        labels, parts, n_missing_group = split_groups(frame, options.group)
        if n_missing_group:
            warnings.append(f"{n_missing_group} case(s) with a missing value of the group variable "
                            f"{options.group!r} were dropped")
            dropped["group value missing"] = n_missing_group
    else:
        labels, parts = [], [frame]
    G = max(len(labels), 1)
    formulas = [f for f in pm.formulas if f.op != "|"]
    vn = variable_names(formulas, fixed_x=options.fixed_x)
    ov, lv = list(vn.ov), list(vn.lv)  # lavaan's order (what model_variable_names gives for the table)
    _check_model_variables(pm, ov, lv)
    ordered = resolve_ordered(options.ordered, [v for v in ov if v not in vn.ov_x]) if options.is_ordinal else []
    conditional = False
    if options.is_ordinal:
        if not ordered:
            raise ModelSpecificationError("ordered= names none of the model's (endogenous) observed variables")
        bad_x = [v for v in vn.ov_x if options.ordered is not True and v in set(options.ordered)]
        if bad_x:
            raise ModelSpecificationError("ordered exogenous covariates (" + ", ".join(bad_x) + ") are not "
                                          "supported; enter them as numbers (dummy codes for categories)")
        if vn.ov_x:
            if options.conditional_x is False:
                raise ModelSpecificationError("conditional_x=False with ordered indicators and observed covariates "
                                              "needs mixed continuous/ordinal correlations, which are not "
                                              "supported yet; leave conditional_x at its default (True)")
            if not options.fixed_x:
                raise ModelSpecificationError("fixed_x=False cannot be combined with conditional.x (ordered "
                                              "indicators with covariates), as in lavaan")
            conditional = True
        rest = [v for v in ov if v not in ordered and v not in vn.ov_x]
        if rest:
            raise ModelSpecificationError("mixed continuous and ordinal endogenous variables are not supported yet; "
                                          f"declare these as ordered too or drop them: {', '.join(rest)}")
    exo_names = list(vn.ov_x) if options.fixed_x else []
    fiml = options.missing in ("fiml", "ml.x")
    ms = options.meanstructure
    if ms is None:
        ms = fiml or options.group is not None or options.cluster is not None or any(
            f.op == "~1" for f in pm.formulas)
    if ordered:
        ms = True
    if options.group is not None and not ms and any(t in options.group_equal for t in ("intercepts", "means")):
        raise ModelSpecificationError("group_equal with intercepts or means needs meanstructure=True")
    # ---- data arrays
    Xs, n_orig = [], 0
    cluster_ids = None
    weights = [] if options.sampling_weights is not None else None
    xcols = [ov.index(v) for v in exo_names]
    for lab, part in zip(labels or [None], parts):
        X = data_matrix(part, ov)
        n_orig += X.shape[0]
        w = _weight_column(part, options.sampling_weights) if weights is not None else None
        tag = f"group {lab}: " if lab is not None else ""
        if options.cluster is not None:
            if options.cluster not in part.columns:
                raise ModelSpecificationError(f"cluster variable {options.cluster!r} not found in the data")
            cid = part[options.cluster]
            complete = ~np.isnan(X).any(axis=1)
            nocl = complete & cid.isna().to_numpy()
            if nocl.any():
                warnings.append(f"{int(nocl.sum())} complete case(s) without a cluster id were deleted")
                dropped["cluster id missing"] = int(nocl.sum())
            keep = complete & ~cid.isna().to_numpy()
            nmiss = int((~complete).sum())
            if nmiss:
                dropped["missing values (listwise)"] = dropped.get("missing values (listwise)", 0) + nmiss
            cluster_ids = cid.to_numpy()[keep].astype(str)
            Xs.append(X[keep])
            continue
        if fiml:
            keep = ~np.all(np.isnan(X), axis=1)
            if (~keep).any():
                dropped["no observed value"] = dropped.get("no observed value", 0) + int((~keep).sum())
            if xcols and options.missing == "fiml":  # "ml.x" keeps them (x fixed at the EM moments)
                miss_x = np.any(np.isnan(X[:, xcols]), axis=1) & keep
                if miss_x.any():
                    warnings.append(f"{tag}{int(miss_x.sum())} case(s) deleted because of missing values in "
                                    f"exogenous covariate(s) ({', '.join(exo_names)}) while fixed_x=True; "
                                    "missing='ml.x' keeps them")
                    dropped["missing exogenous covariate"] = dropped.get("missing exogenous covariate", 0) + \
                        int(miss_x.sum())
                keep &= ~miss_x
            Xs.append(X[keep])
        elif options.missing == "pairwise":
            keep = np.ones(X.shape[0], bool)
            Xs.append(X)
        else:
            keep = ~np.any(np.isnan(X), axis=1)
            if (~keep).any():
                dropped["missing values (listwise)"] = dropped.get("missing values (listwise)", 0) + \
                    int((~keep).sum())
            Xs.append(X[keep])
        if weights is not None:
            weights.append(w[keep])
    for lab, X in zip(labels or [None], Xs):
        _check_columns(X, ov, f"group {lab}: " if lab is not None else "", fiml, bool(ordered))
    if weights is not None:  # lavaan's sampling.weights.normalization = "total": they sum to the total N
        if fiml and dropped.get("no observed value"):
            msg = (f"{dropped['no observed value']} case(s) without any observed value were dropped before the "
                   "sampling weights were normalized to sum to the number of cases analysed (lavaan 0.6-14 also "
                   "counts their weights in N; drop such cases first to compare)")
            _warnings.warn(msg, ResilienceStatsWarning, stacklevel=4)
            warnings.append(msg)
        total = sum(w.sum() for w in weights)
        if not total > 0:
            raise DataError(f"the sampling weights ({options.sampling_weights}) of the cases analysed sum to 0")
        nn = sum(len(w) for w in weights)
        weights = [w * nn / total for w in weights]
    nlist = dropped.get("missing values (listwise)", 0)
    if nlist and n_orig:
        share = nlist / n_orig
        msg = (f"{nlist} of {n_orig} case(s) ({100 * share:.1f}%) with missing values were deleted listwise")
        if not ordered:
            msg += "; missing='fiml' uses them"
        if share > 0.10:
            msg += " -- more than 10% of the sample, estimates may be biased unless the data are missing " \
                   "completely at random"
        warnings.append(msg)
    # ---- ordinal sample statistics are needed for the thresholds in the table
    moments = None
    nth: dict = {}
    if ordered:
        if options.group is not None:
            check_group_categories(frame[frame[options.group].notna()], [v for v in ov if v in frame.columns],
                                   options.group)
        moments = []
        for lab, X in zip(labels or [None], Xs):
            mom, mw = _ordinal_moments(X, ov, options.missing, x_names=list(vn.ov_x))
            tag = f"group {lab}: " if lab is not None else ""
            warnings += [tag + w for w in mw]
            items = pd.DataFrame(X, columns=ov)
            warnings += [tag + w for w in category_warnings(items if options.missing == "pairwise" else
                                                             items.dropna(), mom)]
            if conditional and options.missing == "pairwise":
                raise ModelSpecificationError("missing='pairwise' with ordered indicators and covariates "
                                              "(conditional.x) is not supported; use listwise deletion")
            if mom.n_obs <= len(ov):
                raise DataError(f"{tag}too few complete cases ({mom.n_obs}) for {len(ov)} ordinal variables")
            moments.append(mom)
        nths = [{v: len(c) - 1 for v, c in m.categories.items()} for m in moments]
        if any(n != nths[0] for n in nths[1:]):
            raise DataError("the items do not have the same number of categories in every group")
        nth = nths[0]
    else:
        for lab, X in zip(labels or [None], Xs):
            tag = f" in group {lab}" if lab is not None else ""
            if X.shape[0] <= len(ov):
                what = "cases with data" if fiml else "complete cases"
                if labels:
                    raise DataError(f"group {lab} has {X.shape[0]} usable case(s) but the model has {len(ov)} "
                                    "observed variables; each group needs more cases than variables (merge or "
                                    "drop this group)")
                raise ModelSpecificationError(
                    f"too few {what}{tag}: {X.shape[0]} for {len(ov)} observed variables (need more cases "
                    "than variables)")
    pt = build_partable(pm, std_lv=options.std_lv, meanstructure=ms, fixed_x=options.fixed_x,
                        orthogonal=options.orthogonal, ngroups=G, group_equal=list(options.group_equal),
                        group_partial=list(options.group_partial), ordered=ordered, nthresholds=nth,
                        parameterization=options.parameterization, int_ov_free=options.int_ov_free,
                        int_lv_free=options.int_lv_free, auto_fix_first=options.auto_fix_first,
                        auto_var=options.auto_var, auto_cov_lv_x=options.auto_cov_lv_x)
    if labels:
        nobs = [m.n_obs for m in moments] if moments else [X.shape[0] for X in Xs]
        sw = small_group_warnings(labels, nobs, len(ov), _free_per_group(pt))
        for w in sw:
            _warnings.warn(w, ResilienceStatsWarning, stacklevel=4)
        warnings += sw
    if options.cluster is not None:
        from .inference import cluster_checks

        from ..errors import EstimationWarning

        cw = cluster_checks(cluster_ids)
        for w in cw:
            _warnings.warn(w, EstimationWarning, stacklevel=4)
        warnings += cw
    return Design(pt=pt, ov=ov, lv=lv, ordered=ordered, exo_names=exo_names, x_names=list(vn.ov_x), X=Xs,
                  group_labels=list(labels), n_orig=n_orig, meanstructure=bool(ms), cluster_ids=cluster_ids,
                  moments=moments, warnings=warnings, dropped=dropped, weights=weights)


def _weight_column(part: pd.DataFrame, name: str) -> np.ndarray:
    """The sampling weights of a group: numeric, finite, not negative (one clear error otherwise)."""
    if name not in part.columns:
        raise ModelSpecificationError(f"sampling weight column {name!r} not found in the data")
    col = part[name]
    if not (pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)):
        raise DataError(f"sampling weights ({name}) must be numbers, got {col.dtype}")
    w = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(w)
    if bad.any():
        raise DataError(f"sampling weights ({name}) are missing or infinite in {int(bad.sum())} row(s) (first rows: "
                        f"{', '.join(map(str, np.flatnonzero(bad)[:5] + 1))}); every case needs a weight")
    if (w < 0).any():
        raise DataError(f"negative sampling weights ({name}) in {int((w < 0).sum())} row(s); weights must be >= 0")
    return w


def _check_columns(X: np.ndarray, ov: list[str], tag: str, fiml: bool, ordinal: bool) -> None:
    """Variables that make the sample covariance matrix singular whatever the model: no observed value, a
    constant, two variables never observed together (FIML), two identical or perfectly correlated columns."""
    if X.shape[0] == 0:
        return
    miss = np.isnan(X)
    if not miss.any():  # complete data: constant columns here, collinearity from the sample moments later
        const = [v for v, lo, hi in zip(ov, X.min(axis=0), X.max(axis=0)) if lo == hi]
        if const:
            _constant_error(const, tag, ordinal)
        return
    obs = ~miss
    empty = [v for v, k in zip(ov, obs.sum(axis=0)) if k == 0]
    if empty:
        raise DataError(f"{tag}model variable(s) without any observed value: {', '.join(empty)}; drop them from "
                        "the model or check the data file")
    with np.errstate(invalid="ignore"):
        sd = np.nanstd(X, axis=0)
    const = [v for v, s_ in zip(ov, sd) if not s_ > 0]
    if const:
        _constant_error(const, tag, ordinal)
    if fiml:
        both = obs.T.astype(float) @ obs.astype(float)
        iu = np.argwhere(np.triu(both == 0, 1))
        if len(iu):
            pairs = ", ".join(f"{ov[i]} & {ov[j]}" for i, j in iu[:5])
            raise DataError(f"{tag}variables never observed together ({pairs}): their covariance cannot be "
                            "estimated from the data (FIML needs at least some cases with both); drop one of "
                            "them or use a planned-missing design with overlap")
    if ordinal:
        return
    Z = np.where(obs, (X - np.nanmean(X, axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    cnt = obs.T.astype(float) @ obs.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (Z.T @ Z) / np.maximum(cnt, 1)
    dup = np.argwhere(np.triu(np.abs(r) > 1 - 1e-10, 1) & (cnt > 2))
    if len(dup):
        _duplicate_error(dup, ov, tag)


def check_moments(stats: list[SampleStats], labels: list) -> None:
    """Perfectly correlated (e.g. duplicated) variables, from each group's sample covariance matrix."""
    for lab, ss in zip(labels or [None], stats):
        sd = np.sqrt(np.diag(ss.cov))
        if not np.all(sd > 0):
            continue
        r = ss.cov / np.outer(sd, sd)
        dup = np.argwhere(np.triu(np.abs(r) > 1 - 1e-10, 1))
        if len(dup):
            _duplicate_error(dup, ss.names, f"group {lab}: " if lab is not None else "")


def _constant_error(const: list[str], tag: str, ordinal: bool):
    if ordinal:
        raise DataError(f"{tag}item(s) with a single observed category ({', '.join(const)}): every respondent "
                        "gave the same answer, so no threshold or polychoric correlation exists; drop them "
                        "from the model")
    raise DataError(f"{tag}model variable(s) constant ({', '.join(const)}): their variance is 0, so no "
                    "covariance structure can be fitted; drop them from the model")


def _duplicate_error(dup, ov: list[str], tag: str):
    pairs = ", ".join(f"{ov[i]} & {ov[j]}" for i, j in dup[:5])
    raise DataError(f"{tag}perfectly correlated model variables ({pairs}; |r| = 1, e.g. a duplicated column): "
                    "the sample covariance matrix is singular; drop one of each pair")


def _check_model_variables(pm: ParsedModel, ov: list[str], lv: list[str]) -> None:
    """A factor measured twice by the same indicator, or a latent variable without indicators."""
    seen: dict = {}
    for f in pm.formulas:
        if f.op == "=~":
            key = (f.lhs, f.rhs)
            if key in seen:
                raise ModelSpecificationError(f"indicator {f.rhs!r} appears twice in the definition of {f.lhs!r} "
                                              f"(line {f.line}); remove the duplicate")
            seen[key] = True
            if f.lhs == f.rhs:
                raise ModelSpecificationError(f"factor {f.lhs!r} is defined with itself as an indicator")


def _free_per_group(pt: pd.DataFrame) -> list[int]:
    """Free rows of each group (the group's parameters before equality constraints)."""
    sub = pt[pt["op"] != ":="]
    return [int((sub.loc[sub["group"] == g, "free"] > 0).sum()) for g in sorted(sub["group"].unique())]


def _ordinal_moments(X: np.ndarray, ov: list[str], missing: str, x_names=()):
    from ..psychometrics.polychoric_acov import polychoric_acov

    items = pd.DataFrame(X, columns=ov)
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            if x_names:  # conditional on the covariates (lavaan's conditional.x)
                from ..psychometrics.ordinal_conditional import ordinal_conditional_moments

                ys = [v for v in ov if v not in set(x_names)]
                mom = ordinal_conditional_moments(items, ordered=ys, exogenous=list(x_names), order=ys)
            elif missing == "pairwise":
                from .ordinal_pairwise import polychoric_acov_pairwise

                mom = polychoric_acov_pairwise(items)
            else:
                mom = polychoric_acov(items, ordered=ov)
        except DataError as exc:
            raise DataError(str(exc).replace("polychoric_acov: ", "ordinal model: ")) from None
    warn = [str(w.message) for w in caught]
    if mom.n_dropped:
        warn.append(f"{mom.n_dropped} case(s) with missing values were deleted " +
                    ("(no answer at all)" if missing == "pairwise" else
                     "listwise (missing='pairwise' keeps them, as lavaan)"))
    ndat = len(mom.labels)
    if mom.n_obs < ndat:
        warn.append(f"only {mom.n_obs} complete cases for {ndat} sample statistics: Gamma (the asymptotic "
                    "covariance matrix of thresholds and polychorics) is singular, robust standard errors and "
                    "the scaled test are unreliable")
    return mom, warn


# ============================================================================================ sample statistics


def sample_statistics(design: Design, options: SEMOptions, X: list[np.ndarray] | None = None) -> list[SampleStats]:
    """Sample statistics of every block: complete-data moments, FIML patterns with EM moments, or (ordinal)
    a :class:`SampleStats` holding the polychoric correlations as ``cov`` with the moments attached."""
    X = design.X if X is None else X
    ov = design.ov
    if design.ordered:
        out = []
        for mom in design.moments:
            if hasattr(mom, "cov_x"):  # conditional on covariates: y* given x, and the covariates' moments
                ys, xs = list(mom.variables), list(mom.exogenous)
                C = np.zeros((len(ov), len(ov)))
                yi, xi = [ov.index(v) for v in ys], [ov.index(v) for v in xs]
                Sxx = mom.cov_x.loc[xs, xs].to_numpy()
                C[np.ix_(yi, yi)] = mom.res_corr.loc[ys, ys].to_numpy()
                C[np.ix_(xi, xi)] = Sxx
                C[np.ix_(yi, xi)] = mom.slopes.loc[ys, xs].to_numpy() @ Sxx
                C[np.ix_(xi, yi)] = C[np.ix_(yi, xi)].T
                mean = np.zeros(len(ov))
                mean[xi] = mom.mean_x.loc[xs].to_numpy()
                ss = SampleStats(list(ov), mom.n_obs, mean, C, np.empty((0, len(ov))))
            else:
                R = mom.corr.loc[ov, ov].to_numpy()
                ss = SampleStats(list(ov), mom.n_obs, np.zeros(len(ov)), R, np.empty((0, len(ov))))
            ss.moments = mom
            out.append(ss)
        return out
    if options.missing in ("fiml", "ml.x"):
        from .objectives.fiml import fiml_sample_stats

        if design.weights is not None and X is design.X:
            return [fiml_sample_stats(x, ov, weights=w) for x, w in zip(X, design.weights)]
        return [fiml_sample_stats(x, ov) for x in X]
    if design.weights is not None and X is design.X:
        return [weighted_stats(x, w, ov) for x, w in zip(X, design.weights)]
    out = [sample_stats(x, ov) for x in X]
    if options.objective != "ML":
        # least squares on continuous data: lavaan's unbiased covariance matrix (divisor N - 1)
        for ss in out:
            ss.cov = ss.cov * ss.nobs / (ss.nobs - 1)
            sign, logdet = np.linalg.slogdet(ss.cov)
            ss.logdet_cov = logdet if sign > 0 else float("nan")
    return out


# ============================================================================================ estimation


def weighted_stats(X: np.ndarray, w: np.ndarray, names: list[str]) -> SampleStats:
    """Sample statistics with sampling weights: the weighted mean and the weighted ML covariance
    (``cov.wt(method = "ML")``); ``nobs`` is the sum of the (normalized) weights."""
    from .data import weighted_moments

    mean, cov = weighted_moments(X, w)
    sign, logdet = np.linalg.slogdet(cov)
    ss = SampleStats(list(names), float(w.sum()), mean, cov, X, [], False, logdet if sign > 0 else float("nan"))
    ss.case_weights = w
    ss.n_raw = len(X)
    return ss


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


def _n_moments(stats, meanstructure: bool, nx: int) -> int:
    """Sample moments counted as data; fixed-x moments are reproduced exactly and not counted (lavaan)."""
    return sum(s.p * (s.p + 1) // 2 + (s.p if meanstructure else 0) - nx * (nx + 1) // 2
               - (nx if meanstructure else 0) for s in stats)


def make_objective(design: Design, options: SEMOptions, models, stats):
    """The discrepancy function of the options' estimator on these sample statistics."""
    from .objectives import objective_module

    name = options.objective
    if name == "ML":
        if options.missing in ("fiml", "ml.x"):
            from .objectives.fiml import FIMLObjective

            return FIMLObjective(models, stats, design.meanstructure)
        return MLObjective(models, stats, design.meanstructure)
    return objective_module(name).objective(design, models, stats)


def _model_blocks(design: Design) -> list:
    models = build_models(design.pt, ov_order=design.ov)
    for mod in models:
        mod.exo_names = list(design.exo_names)
    return models


def _start(design: Design, models, stats) -> np.ndarray:
    pt = design.pt
    theta0 = start_values(pt, models, stats, method="data")
    if design.ordered:
        a = pt_arrays(pt)
        for g, ss in enumerate(stats):
            mom = ss.moments
            thr = mom.thresholds
            rows = np.flatnonzero((a["op"] == "|") & (a["group"] == g + 1) & (a["free"] > 0))
            for k in rows:
                key = f"{a['lhs'][k]}|{a['rhs'][k]}"
                if key in thr.index:
                    theta0[a["free"][k] - 1] = float(thr[key])
        dfree = a["free"][(a["op"] == "~*~") & (a["free"] > 0)]
        theta0[dfree - 1] = 1.0
        lvmean = (a["op"] == "~1") & np.isin(a["lhs"], design.lv) & (a["free"] > 0)
        theta0[a["free"][lvmean] - 1] = 0.0
        if design.pt.attrs.get("parameterization") == "theta":
            rv = (a["op"] == "~~") & (a["lhs"] == a["rhs"]) & np.isin(a["lhs"], design.ordered) & (a["free"] > 0)
            theta0[a["free"][rv] - 1] = 1.0
    return theta0


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


def _optimize(design: Design, objective, models, stats, theta0=None, cons=None):
    """Minimize from the data-based start; a second start (lavaan's "simple" values) when the first solution is
    improper; the better solution is kept. General constraints: the augmented Lagrangian
    (:func:`~resilience_stats.sem.constraints.constrained_minimize`)."""
    if theta0 is None:
        theta0 = _start(design, models, stats)
    if cons:
        return constrained_minimize(objective, theta0, cons)
    res = minimize(objective, theta0)
    if _improper(res, models, stats) and not design.ordered:
        try:
            alt = minimize(objective, start_values(design.pt, models, stats, method="simple"))
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            alt = None
        if alt is not None and np.isfinite(alt.fmin) and (alt.fmin < res.fmin - 1e-10 or not res.converged and
                                                          alt.converged):
            res = alt
    return res


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
    ordered = set(pt.attrs.get("ordered", []))
    for f in mod.lv:
        ind = np.flatnonzero((op == "=~") & (lhs == f))
        if len(ind) == 1:
            v = rhs[ind[0]]
            var_row = np.flatnonzero((op == "~~") & (lhs == v) & (rhs == v))
            lv_var = np.flatnonzero((op == "~~") & (lhs == f) & (rhs == f))
            resid_free = len(var_row) and free[var_row[0]] > 0
            scale_free = free[ind[0]] > 0 or (len(lv_var) and free[lv_var[0]] > 0)
            if v in mod.ov and resid_free and scale_free and v not in ordered:
                raise ModelSpecificationError(
                    f"factor {f!r} has a single indicator ({v}) and neither its residual variance nor the "
                    f"factor variance and loading are fixed: the model is not identified (fix '{v} ~~ 0*{v}' "
                    "or the reliability)"
                )
    lv_no_ind = [f for f in mod.lv if not ((op == "=~") & (lhs == f)).any()]
    if lv_no_ind:
        raise ModelSpecificationError(f"latent variable(s) without indicators: {', '.join(lv_no_ind)}")


def _sample_warnings(stats, ordinal: bool) -> list[str]:
    """Non-positive-definite or ill-conditioned sample covariance (or polychoric) matrices."""
    out = []
    what = "polychoric correlation matrix" if ordinal else "sample covariance matrix"
    for g, ss in enumerate(stats):
        ev = np.linalg.eigvalsh(ss.cov)
        tag = f" (group {g + 1})" if len(stats) > 1 else ""
        if ev.min() <= 1e-14 * max(ev.max(), 1e-300):
            out.append(f"the {what}{tag} is not positive definite (smallest eigenvalue "
                       f"{ev.min():.3g}); check for constant or collinear variables")
        elif ev.max() / ev.min() > 1e8:
            out.append(f"the {what}{tag} is ill-conditioned (condition number "
                       f"{ev.max() / ev.min():.3g}); consider rescaling variables")
    return out


def _row_values(models, theta: np.ndarray, pt: pd.DataFrame) -> np.ndarray:
    """Value of every parameter-table row (free rows from theta, fixed rows their values)."""
    a = pt_arrays(pt)
    est = np.where(np.isfinite(a["ustart"]), a["ustart"], 0.0)
    fr = a["free"] > 0
    est[fr] = theta[a["free"][fr] - 1]
    est[a["op"] == ":="] = np.nan
    for mod in models:
        est[mod.rows] = mod.row_values(theta)
    return est


def _def_function(pt: pd.DataFrame):
    """Values of the defined parameters (``:=``) from the row values, or None without definitions."""
    defs = pt.attrs.get("definitions", [])
    if not defs:
        return None
    label_row: dict[str, int] = {}
    for k, (lab, plab, op) in enumerate(zip(pt["label"], pt["plabel"], pt["op"])):
        if op == ":=":
            continue
        if lab and lab not in label_row:
            label_row[lab] = k
        label_row.setdefault(plab, k)
    names = [d[0] for d in defs]
    used: dict[str, int] = {}
    for name, tree in defs:
        unknown = [l for l in expression_labels(tree) if l not in label_row and l not in names]
        if unknown:
            raise ModelSpecificationError(
                f"defined parameter {name!r} uses unknown label(s): {', '.join(unknown)}"
            )
        used.update({l: label_row[l] for l in expression_labels(tree) if l in label_row})
    used_items = list(used.items())

    def values_from_rows(rowvals: np.ndarray) -> np.ndarray:
        ns = {lab: rowvals[k] for lab, k in used_items}
        out = np.empty(len(defs))
        with np.errstate(all="ignore"):
            for i, (name, tree) in enumerate(defs):
                try:
                    out[i] = eval_expression(tree, ns)
                except (OverflowError, ZeroDivisionError, ValueError):
                    out[i] = np.nan
                ns[name] = out[i]
        return out

    def values_and_jacobian(rowvals: np.ndarray, free: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
        """The values and their Jacobian with respect to the q free parameters (``free``: 1-based free index
        of each row, 0 for fixed rows), by forward differentiation of the expressions."""
        ns = {lab: rowvals[k] for lab, k in used_items}
        gs = {}
        for lab, k in used_items:
            g = np.zeros(q)
            if free[k] > 0:
                g[free[k] - 1] = 1.0
            gs[lab] = g
        out, J = np.empty(len(defs)), np.zeros((len(defs), q))
        with np.errstate(all="ignore"):
            for i, (name, tree) in enumerate(defs):
                try:
                    v, g = eval_expression_gradient(tree, ns, gs)
                except (OverflowError, ZeroDivisionError, ValueError):
                    v, g = np.nan, np.full(q, np.nan)
                out[i], J[i] = v, g
                ns[name], gs[name] = out[i], J[i]
        return out, J

    values_from_rows.names = names
    values_from_rows.with_jacobian = values_and_jacobian
    return values_from_rows


def estimate(design: Design, options: SEMOptions, model_syntax: str = "") -> SEMResult:
    """Steps 3-8 of the pipeline for a built design."""
    stats = sample_statistics(design, options)
    ordinal = bool(design.ordered)
    if not ordinal and options.missing == "listwise":
        check_moments(stats, design.group_labels)
    models = _model_blocks(design)
    _set_exo_values(models, stats)
    pt = design.pt
    objective = make_objective(design, options, models, stats)
    if ordinal or options.objective != "ML":
        ndat = int(sum(len(b.s) for b in objective.blocks_))
    else:
        ndat = _n_moments(stats, design.meanstructure, len(design.exo_names))
    _check_identification(pt, models, ndat)
    cons = Constraints(pt)
    warnings = list(design.warnings) + _sample_warnings(stats, ordinal)
    res = _optimize(design, objective, models, stats, cons=cons)
    if not np.isfinite(res.fmin):
        raise EstimationError("estimation failed: the model-implied covariance matrix is not positive definite "
                              "at the starting values and no usable solution was found")
    theta = res.theta
    if not res.converged:
        warnings.append(f"the optimizer did not converge after {res.iterations} iterations ({res.message}); "
                        "estimates are not trustworthy")
    ceq_rank = cons.rank_eq(theta) if cons else 0
    npar = int(pt["free"].max()) - ceq_rank
    df = ndat - npar
    G = len(stats)
    state = FitState(model_syntax=model_syntax, options=options.as_dict(), pt=pt, models=models, stats=stats,
                     objective=objective, theta=theta, optim=res, vcov=None, implied=[],
                     group_labels=list(design.group_labels), n_orig=design.n_orig)
    state.opts = options
    state.design = design
    state.ndat = ndat
    state.ceq_rank = ceq_rank
    state.con_jac = cons.active_jacobian(theta) if cons else None
    if cons:
        ce, ci = cons.values(theta)
        act = [t for (a_, b_, t), c in zip(cons.ineq, ci) if c <= 1e-5]
        if act:
            warnings.append("inequality constraint(s) active at the solution (the estimate lies on the bound; "
                            "its standard error is about 0 and the test does not account for the bound): "
                            + "; ".join(act))
    # ---- inference: covariance of the estimates and the test statistic
    inf = inference.vcov_for(options, objective, theta, stats, models, design, df, H=state.con_jac)
    warnings += inf["warnings"]
    state.vcov = inf["vcov"]
    state.unit_info = inf.get("E_unit")
    state.observed_info = inf.get("obs_unit")
    state.scores = inf.get("scores")
    if ordinal:
        _finish_ordinal(state, objective, theta)
    state.implied = [mod.implied(theta) for mod in models]
    test = scaling.test_statistic(state, options, df)
    state.test = test
    state.chisq = test["chisq"]
    state.loglik = test.get("loglik", float("nan"))
    state.loglik_h1 = test.get("loglik_h1", float("nan"))
    state.robust = test if test.get("scaling_factor") is not None and test["kind"] == "yuan.bentler.mplus" else None
    state.def_fun = _def_function(pt)
    estimates = _estimates_table(state)
    warnings += _solution_warnings(state, estimates)
    state.baseline = _lazy(lambda: scaling.baseline(state))
    state.fiml_corrected = _lazy(lambda: scaling.fiml_corrected(state)) if options.missing in ("fiml", "ml.x") \
        else None
    opts = state.options
    opts["meanstructure"] = bool(design.meanstructure)
    if options.cluster is not None:
        opts.update(n_clusters=int(len(np.unique(design.cluster_ids))), se_method="robust.cluster")
    if ordinal:
        from .fitmeasures import FIT_NOTES_ORDINAL, FIT_NOTES_ORDINAL_GROUPS

        opts["fit_notes"] = FIT_NOTES_ORDINAL if G == 1 else FIT_NOTES_ORDINAL_GROUPS
        opts["parameterization"] = options.parameterization
        opts["ordered"] = list(design.ordered)
    opts["se_type"] = {"standard": "standard", "none": "none"}.get(options.se, "robust")
    opts["se_method"] = options.se
    opts["test"] = options.test
    if design.dropped:
        opts["dropped"] = dict(design.dropped)
    _emit_estimation_warnings(warnings)
    return SEMResult(state, estimates, warnings)


def set_latent_response_variances(design: Design, models, objective, theta) -> None:
    """Delta parameterization: write the residual variances of the latent responses (``1 / delta^2 -
    diag(Sigma0)``, not parameters) into the RAM models, so that implied moments, standardized values and
    results show them (the fit itself keeps them at 0: :class:`~resilience_stats.sem.implied.OrdinalMap`)."""
    if not design.ordered or design.pt.attrs.get("parameterization", "delta") != "delta":
        return
    ordset = set(design.ordered)
    for mod, b in zip(models, objective.blocks_):
        k = getattr(b.map, "resvar_rows", None)
        if k is None:
            k = np.flatnonzero((mod.kind == 1) & (mod.r == mod.c) & (mod.r < mod.p) & (mod.free < 0))
            k = np.array([i for i in k if mod.ov[mod.r[i]] in ordset], dtype=int)
            b.map.resvar_rows = k
        mod.value[k] = 0.0
        mod._cache.clear()
        rv = b.map.residual_variances(theta)
        mod.value[k] = rv[mod.r[k]]
        mod._cache.clear()


def solution(design: Design, models, objective, theta) -> tuple[np.ndarray, list]:
    """Value of every parameter-table row and the implied moments of every block at ``theta`` (theta
    parameterization: the scale factors ``~*~`` are ``1 / sqrt(diag Sigma*)``, not parameters)."""
    set_latent_response_variances(design, models, objective, theta)
    est = _row_values(models, theta, design.pt)
    implied = [m.implied(theta) for m in models]
    if design.ordered and design.pt.attrs.get("parameterization") == "theta":
        for b in objective.blocks_:
            est[b.map.d_rows] = b.map.scale_factors(theta)[b.map.d_pos]
    return est, implied


def replicate_statistics(design: Design, options: SEMOptions, stats: list[SampleStats],
                         counts: list[np.ndarray]) -> list[SampleStats]:
    """Sample statistics of a resample in which case i of group g appears ``counts[g][i]`` times: weighted
    moments (no copy of the data) for ML with complete or incomplete data; the resampled rows' statistics
    otherwise (least squares, ordered indicators)."""
    from .data import weighted_sample_stats

    if options.objective == "ML" and not design.ordered:
        # sampling weights: each drawn case carries its weight (not renormalized, as lavaan)
        exo = [design.ov.index(v) for v in design.exo_names]
        if options.missing in ("fiml", "ml.x") and (design.weights is not None or any(
                np.isnan(ss.data[:, exo]).any() for ss in stats)):
            # weighted patterns; EM moments for incomplete fixed-x covariates ("ml.x")
            from .objectives.fiml import weighted_replicate_stats

            return [weighted_replicate_stats(ss, c * getattr(ss, "case_weights", 1.0), exo)
                    for ss, c in zip(stats, counts)]
        return [weighted_sample_stats(ss, c * getattr(ss, "case_weights", 1.0)) for ss, c in zip(stats, counts)]
    X = [np.repeat(x, c, axis=0) for x, c in zip(design.X, counts)]
    if design.ordered:
        moments = []
        for x in X:
            mom, _w = _ordinal_moments(x, design.ov, options.missing, x_names=design.exo_names)
            moments.append(mom)
        ref = {v: len(c) for v, c in design.moments[0].categories.items()}
        if any({v: len(c) for v, c in m.categories.items()} != ref for m in moments):
            raise DataError("a response category is empty in this resample")
        from dataclasses import replace as _replace

        return sample_statistics(_replace(design, X=X, moments=moments), options)
    return sample_statistics(design, options, X)


def _finish_ordinal(state: FitState, objective, theta) -> None:
    """Residual variances of the latent responses into the RAM models (reported values) and the ordinal
    ingredients of fit measures."""
    blocks = objective.blocks_
    yi = [state.design.ov.index(v) for v in state.design.ordered]
    conditional = bool(state.design.exo_names)
    state.ordinal = dict(R=[ss.cov[np.ix_(yi, yi)] for ss in state.stats], nth=[b.map.nth for b in blocks],
                         moments=[ss.moments for ss in state.stats], estimator=state.opts.estimator,
                         multigroup=len(blocks) > 1, conditional_x=conditional)
    set_latent_response_variances(state.design, state.models, objective, theta)
    if conditional:  # residual correlations of y* given x
        state.ordinal["implied_cor"] = [_cor(b.map._conditional(theta)["sigma"][np.ix_(yi, yi)]) for b in blocks]
    else:
        state.ordinal["implied_cor"] = [_cor(mod.implied(theta)["sigma"]) for mod in state.models]
    # the implied statistics (thresholds, correlations) do not depend on the residual variances of y*
    state.ordinal["sigma"] = [b.map.vector(theta) for b in blocks]


def _cor(S):
    d = np.sqrt(np.diag(S))
    return S / np.outer(d, d)


def _estimates_table(state: FitState) -> pd.DataFrame:
    """lavaan's parameterEstimates(standardized = TRUE) as a DataFrame (se NaN for fixed rows)."""
    pt, models, theta, vcov, implied = state.pt, state.models, state.theta, state.vcov, state.implied
    a = pt_arrays(pt)
    nrows = len(pt)
    est, _imp = solution(state.design, models, state.objective, theta)
    se = np.full(nrows, np.nan)
    free = a["free"]
    sev = np.sqrt(np.clip(np.diag(vcov), 0, None))
    fr = free > 0
    se[fr] = sev[free[fr] - 1]
    std_lv, std_all = standardize(pt, est, models, implied)
    op = a["op"]
    if state.ordinal is not None:
        _ordinal_standardized(state, est, std_lv, std_all)
    x_names = list(state.design.x_names) if state.ordinal is None else []
    std_nox = standardize_nox(pt, est, models, implied, x_names) if x_names else None
    def_fun = state.def_fun
    if def_fun is not None:
        is_def = op == ":="
        # delta method with the analytic Jacobian of the definitions in the free parameters
        vals, J = def_fun.with_jacobian(est, a["free"], len(theta))
        with np.errstate(invalid="ignore"):
            var = np.einsum("ij,jk,ik->i", J, vcov, J)
        est[is_def], se[is_def] = vals, np.sqrt(np.clip(var, 0, None))
        std_lv[is_def] = def_fun(std_lv.copy())
        std_all[is_def] = def_fun(std_all.copy())
        if std_nox is not None:
            std_nox[is_def] = def_fun(std_nox.copy())
    wt = inference.wald_table(est, se)
    table = pd.DataFrame({
        "lhs": a["lhs"], "op": op, "rhs": a["rhs"], "label": pt["label"].to_numpy(), "est": est, "se": se,
        "z": wt["z"], "pvalue": wt["pvalue"], "ci_lower": wt["ci_lower"], "ci_upper": wt["ci_upper"],
        "std_lv": std_lv, "std_all": std_all,
    })
    if std_nox is not None:  # only with observed exogenous covariates (elsewhere it equals std_all)
        table["std_nox"] = std_nox
    if getattr(state, "twolevel", None) is not None:
        table.insert(3, "level", pt["level"].to_numpy())
    elif len(models) > 1:
        table.insert(3, "group", pt["group"].to_numpy())
    return table


def _ordinal_standardized(state, est, std_lv, std_all) -> None:
    """Thresholds, scale factors and item intercepts in the standardized columns, as lavaan."""
    pt = state.pt
    a = pt_arrays(pt)
    op, lhs, grp = a["op"], a["lhs"], a["group"]
    ov = state.design.ov
    for g, imp in enumerate(state.implied):
        sd = np.sqrt(np.diag(imp["sigma"]))
        k = np.flatnonzero((op == "|") & (grp == g + 1))
        item = np.array([ov.index(v) for v in lhs[k]], dtype=int)
        std_lv[k] = est[k]
        std_all[k] = est[k] / sd[item]
    other = (op == "~*~") | ((op == "~1") & np.isin(lhs, state.design.ordered))
    std_lv[other] = std_all[other] = est[other]
    if len(state.implied) > 1 or state.opts.parameterization == "theta":
        std_all[op == "~*~"] = 1.0


def _solution_warnings(state: FitState, estimates: pd.DataFrame) -> list[str]:
    """Heywood cases, standardized loadings > 1, non-positive-definite implied matrices."""
    out = []
    lhs, op, rhs = (estimates[c].to_numpy() for c in ("lhs", "op", "rhs"))
    est, std_all = estimates["est"].to_numpy(), estimates["std_all"].to_numpy()
    ordset = set(state.design.ordered)
    neg = np.flatnonzero((op == "~~") & (lhs == rhs) & (est < 0))
    if len(neg):
        groups = estimates["group"].to_numpy() if "group" in estimates else None
        ord_neg = [k for k in neg if lhs[k] in ordset]
        cont_neg = [k for k in neg if lhs[k] not in ordset]
        if cont_neg:
            out.append("negative variance estimate(s) (Heywood case): " +
                       ", ".join(f"{lhs[k]} ({est[k]:.3g})" for k in cont_neg))
        if ord_neg:
            tag = lambda k: (f"group {state.group_labels[groups[k] - 1]}: " if groups is not None else "")
            out.append("negative residual variance(s) of latent responses (Heywood case): " +
                       ", ".join(f"{tag(k)}{lhs[k]} ({est[k]:.3g})" for k in ord_neg))
    big = np.flatnonzero((op == "=~") & (np.abs(std_all) > 1 + 1e-6))
    if len(big):
        out.append("standardized loading(s) larger than 1: " +
                   ", ".join(f"{lhs[k]}=~{rhs[k]} ({std_all[k]:.3g})" for k in big))
    two_level = getattr(state, "twolevel", None) is not None
    for gi, (mod, imp) in enumerate(zip(state.models, state.implied)):
        tag = (f" (level {gi + 1})" if two_level else f" (group {gi + 1})") if len(state.models) > 1 else ""
        if np.linalg.eigvalsh(imp["sigma"]).min() <= 0:
            out.append(f"the model-implied covariance matrix{tag} is not positive definite")
        if mod.lv:
            lvi = np.arange(mod.p, mod.n)
            if np.linalg.eigvalsh(imp["cov_all"][np.ix_(lvi, lvi)]).min() <= 0:
                out.append(f"the covariance matrix of the latent variables{tag} is not positive definite")
    if state.def_fun is not None:
        is_def = op == ":="
        bad = [lhs[k] for k in np.flatnonzero(is_def & ~np.isfinite(est))]
        if bad:
            out.append("defined parameter(s) could not be evaluated (overflow, division by zero or a "
                       "negative square root / logarithm): " + ", ".join(bad))
    npar = int(state.pt["free"].max()) if len(state.pt) else 0
    if not two_level and npar:
        n = sum(getattr(ss, "n_raw", ss.nobs) for ss in state.stats)
        if n < MIN_CASES_PER_PARAMETER * npar:
            out.append(f"N = {n:g} for {npar} free parameters: fewer than {MIN_CASES_PER_PARAMETER} cases per "
                       "parameter, so estimates, standard errors and the chi-square test may be unstable")
    return out


#: Fewest cases per free parameter before a fit is flagged as small (Bentler & Chou, 1987).
MIN_CASES_PER_PARAMETER = 5


_EMITTED_WARNINGS = ("did not converge", "Heywood case", "standardized loading(s) larger than 1",
                     "model-implied covariance matrix", "covariance matrix of the latent variables",
                     "empty", "singular", "sparse categories", "could not be evaluated", "with a single case",
                     "are unstable with fewer than", "no cluster id", "without an observed value on any model",
                     "fixed-x covariate(s)", "more than 10% of the sample")


def _emit_estimation_warnings(messages: list[str]) -> None:
    """Also issue non-convergence, improper-solution and data-problem messages (kept in ``fit.warnings``) as
    Python warnings of class :class:`~resilience_stats.errors.EstimationWarning`."""
    from .._warn import warn
    from ..errors import EstimationWarning

    for message in messages:
        if any(key in message for key in _EMITTED_WARNINGS):
            warn(message, EstimationWarning)


def _lazy(fn):
    """Memoize a no-argument function."""
    cache: dict = {}

    def wrapper():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    return wrapper


# ============================================================================================ entry points


def fit(model: str, data, options: SEMOptions) -> SEMResult:
    """Fit lavaan syntax to data with validated options (what :func:`resilience_stats.sem.sem` calls)."""
    frame = resolve_frame(data)
    pm = parse_model(model)
    if any(f.level for f in pm.formulas):  # level: 1 / level: 2
        try:
            return _twolevel_fit(pm, frame, options, model)
        except np.linalg.LinAlgError as err:
            raise EstimationError(f"the two-level estimation failed numerically ({err}); check the cluster sizes "
                                  "and the between-level variances (fit.icc)") from err
    if options.cluster is not None and options.missing != "listwise":
        raise ModelSpecificationError("cluster= with missing='fiml' is supported for two-level models ('level: 1' / "
                                      "'level: 2') only; cluster-robust standard errors of a single-level model "
                                      "need listwise deletion")
    design = build_design(pm, frame, options)
    try:
        return estimate(design, options, model_syntax=model)
    except np.linalg.LinAlgError as err:  # a numerical failure deep in numpy: one clear package error
        raise EstimationError(f"the estimation failed numerically ({err}); check the data for extreme or "
                              "collinear values and the model for extreme fixed values") from err


# ============================================================================================ two-level models


def _check_cluster_counts(ids: np.ndarray, within: list[str], between: list[str], cluster: str) -> None:
    """Clear errors for cluster counts a two-level model cannot be estimated from: fewer than two clusters, no
    more clusters than between-level variables (a singular between covariance matrix), or too few cases beyond
    one per cluster for the within-level covariance matrix."""
    _, n = np.unique(ids, return_counts=True)
    J, N = len(n), int(n.sum())
    if J < 2:
        raise DataError(f"a two-level model needs at least 2 clusters ({cluster}), got {J}")
    if J <= len(between):
        raise DataError(f"only {J} clusters ({cluster}) for {len(between)} between-level variables: the between-"
                        "level covariance matrix cannot be estimated (it needs more clusters than variables; in "
                        "practice 20-50 clusters or more)")
    if N - J < len(within):
        raise DataError(f"{N} cases in {J} clusters leave {N - J} degrees of freedom within clusters for "
                        f"{len(within)} within-level variables: most clusters have a single case, so the within-"
                        "level covariance matrix cannot be estimated")


def _twolevel_options(options: SEMOptions) -> SEMOptions:
    """Standard errors and test of a two-level fit (lavaan): ML -> standard / standard, MLR -> robust.huber.white /
    yuan.bentler.mplus, both from the observed information; user choices among these are kept. Missing values:
    listwise deletion or full-information ML (missing='fiml'; 'ml.x' is refused)."""
    if options.cluster is None:
        raise ModelSpecificationError("a two-level model ('level: 1' / 'level: 2') needs cluster= (the column of "
                                      "community ids)")
    if options.estimator not in ("ML", "MLR"):
        raise ModelSpecificationError(f"two-level models support estimator 'ML' or 'MLR', got {options.estimator!r}")
    if options.is_ordinal:
        raise ModelSpecificationError("two-level models with ordered indicators are not supported yet")
    if options.group is not None:
        raise ModelSpecificationError("two-level models with several groups (group=) are not supported yet")
    if options.sampling_weights is not None:
        raise ModelSpecificationError("two-level models with sampling weights are not supported yet")
    if options.missing not in ("listwise", "fiml"):
        raise ModelSpecificationError(f"two-level models support missing='listwise' or 'fiml' (lavaan's 'ml'), got "
                                      f"{options.missing!r}")
    user = options.user
    se = "robust.huber.white" if options.estimator == "MLR" else "standard"
    test = "yuan.bentler.mplus" if options.estimator == "MLR" else "standard"
    if user.get("se") is not None:
        se = {"robust": "robust.huber.white"}.get(str(user["se"]).lower(), str(user["se"]).lower())
        if se not in ("standard", "robust.huber.white", "none"):
            raise ModelSpecificationError(f"two-level models support se='standard', 'robust.huber.white' or 'none', "
                                          f"got {user['se']!r}")
    if user.get("test") is not None:
        test = str(user["test"]).lower()
        if test not in ("standard", "yuan.bentler.mplus", "none"):
            raise ModelSpecificationError(f"two-level models support test='standard' or 'yuan.bentler.mplus', got "
                                          f"{user['test']!r}")
    return options.replace(se=se, test=test, information="observed", meanstructure=True)


def _level_models(pt: pd.DataFrame, ov_levels: dict) -> list:
    """One RAM model per level, over that level's observed variables, rows indexing the whole table."""
    models = []
    nfree = int(pt["free"].max())
    for L in (1, 2):
        rows = np.flatnonzero((pt["level"].to_numpy() == L) & (pt["op"].to_numpy() != ":="))
        sub = pt.iloc[rows].copy()
        sub["group"] = 1
        sub["block"] = 1
        sub.attrs.update(pt.attrs)
        mod = build_models(sub, ov_order=ov_levels[L])[0]
        mod.rows = rows[mod.rows]
        mod.nfree = nfree
        mod._cache.clear()
        models.append(mod)
    return models


def _twolevel_saturated_syntax(within: list[str], between: list[str], split: set) -> str:
    """lavaan syntax of the unrestricted two-level model: all (co)variances at both levels, the means of the
    between level and of the within-only variables."""
    lines = ["level: 1"]
    lines += [f"{a} ~~ {b}" for i, a in enumerate(within) for b in within[i:]]
    lines += [f"{v} ~ 1" for v in within if v not in split]
    lines.append("level: 2")
    lines += [f"{a} ~~ {b}" for i, a in enumerate(between) for b in between[i:]]
    lines += [f"{v} ~ 1" for v in between]
    return "\n".join(lines)


def _fix_covariates(pt: pd.DataFrame, x1, x2) -> pd.DataFrame:
    """Mark the (co)variances and means of the fixed-x covariates of each level as fixed exogenous rows (their
    values are set from the sample moments) and renumber the free parameters."""
    pt = pt.copy()
    xs = {1: set(x1), 2: set(x2)}
    lhs, op, rhs, lev = (pt[c].to_numpy() for c in ("lhs", "op", "rhs", "level"))
    is_x = np.array([(o == "~1" and a in xs.get(L, ())) or (o == "~~" and a in xs.get(L, ()) and b in xs.get(L, ()))
                     for a, o, b, L in zip(lhs, op, rhs, lev)])
    free = pt["free"].to_numpy().copy()
    free[is_x] = 0
    nz = free > 0
    free[nz] = np.arange(1, int(nz.sum()) + 1)
    pt["free"] = free
    if "exo" in pt.columns:
        pt["exo"] = np.where(is_x, 1, pt["exo"].to_numpy())
    else:
        pt["exo"] = is_x.astype(int)
    return pt


def _twolevel_fit(pm: ParsedModel, frame: pd.DataFrame, options: SEMOptions, model_syntax: str) -> SEMResult:
    from .twolevel import cluster_data, fit_saturated
    from .twolevel_missing import cluster_missing_data

    opts = _twolevel_options(options)
    lv_vn = {L: variable_names([f for f in pm.formulas if f.level == L], fixed_x=opts.fixed_x) for L in (1, 2)}
    within, between = list(lv_vn[1].ov), list(lv_vn[2].ov)
    split = set(within) & set(between)
    split_x = sorted(split & (set(lv_vn[1].ov_x) | set(lv_vn[2].ov_x)))
    if split_x and opts.fixed_x:
        # lavaan 0.6-14 fixes such a covariate's mean at the between part of its saturated mean only, which
        # misstates the mean and inflates the chi-square; its within and between variances are parameters here
        # (lavaan's fixed.x = FALSE)
        if opts.user.get("fixed_x") is not None:
            raise ModelSpecificationError(
                f"fixed_x=True with covariate(s) observed at both levels ({', '.join(split_x)}) is not supported: "
                "their within- and between-level variances are estimated (fixed_x=False, the default for such "
                "two-level models)")
        opts = opts.replace(fixed_x=False)
        lv_vn = {L: variable_names([f for f in pm.formulas if f.level == L], fixed_x=False) for L in (1, 2)}
    z = [v for v in between if v not in split]
    ov = within + z
    if opts.cluster not in frame.columns:
        raise ModelSpecificationError(f"cluster variable {opts.cluster!r} not found in the data")
    X = data_matrix(frame, ov)
    x1 = list(lv_vn[1].ov_x) if opts.fixed_x else []
    x2 = list(lv_vn[2].ov_x) if opts.fixed_x else []
    fiml = opts.missing == "fiml"
    X, ids, warnings, dropped = _twolevel_rows(X, frame[opts.cluster], ov, x1 + x2, fiml, opts.cluster)
    _check_cluster_counts(ids, within, between, opts.cluster)
    _check_columns(X, ov, "", fiml, False)
    if fiml:
        cd = cluster_missing_data(X, ov, within, between, ids)
        _check_cluster_counts(cd.ids[cd.case_cluster], within, between, opts.cluster)  # cases with within values
        if cd.between_only_rows:
            warnings.append(f"{cd.between_only_rows} case(s) without any observed within-level value contribute only "
                            "their cluster's between-level values and are not counted in N (as lavaan)")
    else:
        cd = cluster_data(frame, X, ov, within, between, ids)
    row_ids, row_n = np.unique(ids, return_counts=True)  # rows per cluster (with FIML also rows with z only)
    small = row_ids[row_n < opts.min_cluster_size]
    if len(small):
        shown = ", ".join(str(v) for v in small[:5]) + (", ..." if len(small) > 5 else "")
        raise DataError(f"{len(small)} of {cd.J} cluster(s) with fewer than {opts.min_cluster_size} case(s) "
                        f"({opts.cluster} = {shown}): a community of one resident is often a mistyped id and carries "
                        "no within-community information; correct the ids, drop those cases, or pass "
                        "min_cluster_size=1 to keep them (as lavaan and Mplus do)")
    singles = cd.ids[cd.n == 1]
    if len(singles):
        shown = ", ".join(str(v) for v in singles[:5]) + (", ..." if len(singles) > 5 else "")
        warnings.append(f"{len(singles)} of {cd.J} cluster(s) with a single case ({opts.cluster} = {shown}): they "
                        "inform the between level only (lavaan and Mplus keep them too); check that the cluster "
                        "ids are right")
    if cd.J < 20:
        warnings.append(f"only {cd.J} clusters: between-level estimates and standard errors of a two-level model "
                        "are unstable with fewer than about 20-50 clusters")
    pt = build_partable(pm, std_lv=opts.std_lv, meanstructure=True, fixed_x=opts.fixed_x,
                        orthogonal=opts.orthogonal, auto_fix_first=opts.auto_fix_first, auto_var=opts.auto_var,
                        auto_cov_lv_x=opts.auto_cov_lv_x)
    ov_levels = {1: within, 2: between}
    models = _level_models(pt, ov_levels)
    stats_levels = _twolevel_level_stats(cd, within, between)
    _set_exo_values(models, stats_levels)
    objective = _twolevel_objective(models, cd)
    # starting values from the pooled-within and the between covariance matrices
    theta0 = np.zeros(int(pt["free"].max()))
    for mod, ss in zip(models, stats_levels):
        st0 = start_values(pt, [mod], [ss])
        f = mod.free[mod.free >= 0]
        theta0[f] = st0[f]
    res = minimize(objective, theta0)
    if not np.isfinite(res.fmin):
        raise EstimationError("two-level estimation failed: no positive definite solution from the starting values")
    theta = res.theta
    if not res.converged:
        warnings.append(f"the optimizer did not converge after {res.iterations} iterations ({res.message}); "
                        "estimates are not trustworthy")
    # the unrestricted (h1) two-level model, fitted with the same likelihood; as in lavaan the covariates'
    # moments are free in it (their log-likelihood is subtracted from both log-likelihoods)
    h1_syntax = _twolevel_saturated_syntax(within, between, split)
    h1_pt = build_partable(parse_model(h1_syntax), meanstructure=True, fixed_x=False)
    h1_models = _level_models(h1_pt, ov_levels)
    h1_obj = _twolevel_objective(h1_models, cd)
    th1 = np.zeros(int(h1_pt["free"].max()))
    for mod, ss in zip(h1_models, stats_levels):
        st0 = start_values(h1_pt, [mod], [ss])
        f = mod.free[mod.free >= 0]
        th1[f] = st0[f]
    h1_res = fit_saturated(h1_obj, h1_pt, ov_levels, th1, minimize)
    design = Design(pt=pt, ov=ov, lv=list(lv_vn[1].lv) + list(lv_vn[2].lv), ordered=[], exo_names=x1 + x2,
                    x_names=list(lv_vn[1].ov_x) + list(lv_vn[2].ov_x), X=[X], group_labels=[], n_orig=len(frame),
                    meanstructure=True, cluster_ids=ids, warnings=warnings, dropped=dropped)
    # data moments of the two levels at the h1 solution (what residuals and SRMR compare with)
    h1_imp = [m.implied(h1_res.theta) for m in h1_models]
    stats = []
    for L, imp in zip((1, 2), h1_imp):
        names = ov_levels[L]
        ss = SampleStats(list(names), cd.N if L == 1 else cd.J, imp["mu"].copy(), imp["sigma"].copy(),
                         np.empty((0, len(names))))
        stats.append(ss)
    ndat = _twolevel_ndat(within, between, split, x1, x2)
    npar = int(pt["free"].max())
    df = ndat - npar
    if df < 0:
        raise ModelSpecificationError(f"the model has more free parameters ({npar}) than sample moments ({ndat}): "
                                      f"df = {df} < 0; the model is not identified")
    state = FitState(model_syntax=model_syntax, options=opts.as_dict(), pt=pt, models=models, stats=stats,
                     objective=objective, theta=theta, optim=res, vcov=None, implied=[], group_labels=[],
                     n_orig=len(frame))
    state.opts, state.design, state.ndat = opts, design, ndat
    xset = set(x1) | set(x2)
    h1_lhs, h1_op, h1_rhs, h1_free = (h1_pt[c].to_numpy() for c in ("lhs", "op", "rhs", "free"))
    x_par = {int(f) - 1 for a, o, b, f in zip(h1_lhs, h1_op, h1_rhs, h1_free)
             if f > 0 and a in xset and (o == "~1" or (o == "~~" and b in xset))}
    h1_keep = np.array([k not in x_par for k in range(int(h1_pt["free"].max()))])
    state.twolevel = dict(data=cd, h1_objective=h1_obj, h1_theta=h1_res.theta, h1_converged=h1_res.converged,
                          h1_keep=h1_keep, h1_pt=h1_pt,
                          within=within, between=between, split=sorted(split), z=z, x1=x1, x2=x2,
                          stats_levels=stats_levels, h1_implied=h1_imp)
    # information, standard errors
    H = objective.observed_information(theta)
    N = cd.N
    from .inference import safe_inverse, vcov_sandwich

    if opts.se == "none":
        vcov, ok = np.full((npar, npar), np.nan), True
    elif opts.se == "robust.huber.white":
        sc = objective.cluster_scores(theta)
        vcov, ok = vcov_sandwich(H, [sc], N)
        state.scores = [sc]
    else:
        vcov, ok = safe_inverse(N * H)
    if not ok:
        warnings.append("the information matrix is singular or nearly so (the model may not be identified); "
                        "standard errors are unreliable")
    state.vcov, state.observed_info, state.unit_info = vcov, H, H
    state.implied = [m.implied(theta) for m in models]
    llx = _twolevel_x_loglik(cd, stats_levels, x1, x2, within, between)
    ll, ll1 = objective.loglik(theta), h1_obj.loglik(h1_res.theta)
    chisq = max(2 * (ll1 - ll), 0.0)
    test = {"kind": opts.test, "df": df, "chisq": chisq, "loglik": ll - llx, "loglik_h1": ll1 - llx}
    state.chisq, state.loglik, state.loglik_h1 = chisq, ll - llx, ll1 - llx
    if opts.test == "yuan.bentler.mplus":
        test.update(_twolevel_yb(state, objective, theta, H, h1_obj, h1_res.theta, df))
    state.test = test
    state.def_fun = _def_function(pt)
    estimates = _estimates_table(state)
    warnings += _solution_warnings(state, estimates)
    state.baseline = _lazy(lambda: _twolevel_baseline(state))
    state.options["meanstructure"] = True
    state.options["se_type"] = {"standard": "standard", "none": "none"}.get(opts.se, "robust")
    state.options["se_method"] = opts.se
    state.options["n_clusters"] = cd.J
    state.options["two_level"] = True
    if dropped:
        state.options["dropped"] = dict(dropped)
    _emit_estimation_warnings(warnings)
    return SEMResult(state, estimates, warnings)


def _twolevel_rows(X: np.ndarray, cid: pd.Series, ov: list[str], xs: list[str], fiml: bool, cluster: str):
    """Rows a two-level fit analyses, with the warnings and counts of what was dropped: listwise deletion; with
    FIML the rows with a cluster id, some observed model variable and (fixed-x, as lavaan) observed covariates."""
    warnings: list[str] = []
    dropped: dict = {}
    has_id = cid.notna().to_numpy()
    miss = np.isnan(X)
    if not fiml:
        keep = ~miss.any(axis=1) & has_id
        if (~keep).any():
            dropped["missing values (listwise)"] = int((~keep).sum())
            warnings.append(f"{int((~keep).sum())} of {len(X)} case(s) with missing values or no cluster id were "
                            "deleted listwise")
        return X[keep], cid.to_numpy()[keep], warnings, dropped
    reasons = (
        ("cluster id missing", ~has_id, f"with no cluster id ({cluster})"),
        ("no observed model variable", miss.all(axis=1), "without an observed value on any model variable"),
        ("fixed-x covariate missing", miss[:, [ov.index(v) for v in xs]].any(axis=1),
         f"with missing values on the fixed-x covariate(s) {', '.join(xs)} (as lavaan; fixed_x=False keeps them)"))
    keep = np.ones(len(X), bool)
    for key, bad, text in reasons:
        k = int((keep & bad).sum())
        if k:
            dropped[key] = k
            warnings.append(f"{k} of {len(X)} case(s) {text} were deleted")
        keep &= ~bad
    return X[keep], cid.to_numpy()[keep], warnings, dropped


def _twolevel_objective(models, cd):
    """The two-level likelihood of complete data (ClusterData) or, with FIML, of data with missing values."""
    from .twolevel import TwoLevelObjective
    from .twolevel_missing import ClusterMissingData, TwoLevelMissingObjective

    return (TwoLevelMissingObjective if isinstance(cd, ClusterMissingData) else TwoLevelObjective)(models, cd)


def _twolevel_level_stats(cd, within, between) -> list[SampleStats]:
    """Moments of each level for start and fixed-x values: level 1 the total moments of the within-level
    variables (divisor N; the pooled-within covariance for split variables), level 2 the moments of the cluster
    means and between-only values (divisor J); with missing values (FIML) the same from the available values."""
    from .twolevel_missing import ClusterMissingData, start_moments

    if isinstance(cd, ClusterMissingData):
        mean_w, cov_w, mean_b, cov_b = start_moments(cd)
    else:
        Y = cd.Y
        mean_w = Y.mean(axis=0)
        cov_w = np.cov(Y.T, bias=True).reshape(len(within), len(within))
        spw = cd.S_PW
        for i, v in enumerate(within):
            if v in between:
                for k in range(len(within)):
                    cov_w[i, k] = cov_w[k, i] = spw[i, k]
        B = np.hstack([cd.ybar, cd.zval])
        bnames = within + cd.z
        Bb = B[:, [bnames.index(v) for v in between]]
        mean_b = Bb.mean(axis=0)
        cov_b = np.cov(Bb.T, bias=True).reshape(len(between), len(between))
    return [SampleStats(list(within), cd.N, mean_w, cov_w, np.empty((0, len(within)))),
            SampleStats(list(between), cd.J, mean_b, cov_b, np.empty((0, len(between))))]


def _twolevel_ndat(within, between, split, x1, x2) -> int:
    """Sample statistics of a two-level model (lavaan): within covariances and the means of within-only variables;
    between covariances and means; fixed-x parts left out."""
    pw, pb = len(within), len(between)
    n1 = (pw * (pw + 1) // 2 + sum(1 for v in within if v not in split) - len(x1) * (len(x1) + 1) // 2
          - sum(1 for v in x1 if v not in split))
    n2 = pb * (pb + 1) // 2 + pb - len(x2) * (len(x2) + 1) // 2 - len(x2)
    return int(n1 + n2)


def _twolevel_x_loglik(cd, stats_levels, x1, x2, within, between) -> float:
    """Log-likelihood of the fixed-x covariates: level-1 ones over the N cases, level-2 ones over the J clusters."""
    total = 0.0
    for xs, ss, names, n in ((x1, stats_levels[0], within, cd.N), (x2, stats_levels[1], between, cd.J)):
        if not xs:
            continue
        i = [names.index(v) for v in xs]
        S = ss.cov[np.ix_(i, i)]
        total += ml_obj.ml_loglik(S, ss.mean[i], S, ss.mean[i], n, False)
    return total


def _twolevel_yb(state, objective, theta, H, h1_obj, th1, df) -> dict:
    """Yuan-Bentler (Mplus) scaling of a two-level fit with cluster-level scores: ``tr(A1^-1 B1) - tr(E^-1 B0)``
    with A1/B1 the observed information and the cluster-score cross-products of the unrestricted model at its own
    estimates ``th1`` (lavaan's yuan.bentler.mplus always uses the unstructured h1 information), E/B0 those of the
    model (per case, over N)."""
    from .inference import safe_inverse

    N = objective.data.N
    tl = getattr(state, "twolevel", None)
    cache = tl if tl is not None else {}  # the h1 part is shared by the model and the baseline
    if "yb_trace_h1" not in cache:
        keep = tl["h1_keep"] if tl is not None else np.ones(h1_obj.nfree, bool)
        A1 = h1_obj.observed_information(th1)[np.ix_(keep, keep)]  # the covariates' own moments left out
        s1 = h1_obj.cluster_scores(th1)[:, keep]
        B1 = s1.T @ s1 / N
        A1i, _ = safe_inverse(A1)
        cache["yb_trace_h1"] = float(np.sum(B1 * A1i.T))
    h1 = cache["yb_trace_h1"]
    s0 = state.scores[0] if state.scores else objective.cluster_scores(theta)
    B0 = s0.T @ s0 / N
    Ei, _ = safe_inverse(H)
    h0 = float(np.sum(B0 * Ei.T))
    trace = h1 - h0
    c = trace / df if df > 0 else float("nan")
    from scipy import stats as sps_

    out = dict(trace=trace, trace_h1=h1, trace_h0=h0, scaling_factor=c, df_scaled=float(df))
    out["chisq_scaled"] = state.chisq / c if df > 0 else float("nan")
    out["pvalue_scaled"] = float(sps_.chi2.sf(out["chisq_scaled"], df)) if df > 0 else float("nan")
    return out


def _twolevel_baseline(state) -> dict:
    """Independence model of a two-level fit: variances at both levels and the means (lavaan)."""
    tl = state.twolevel
    within, between, split = tl["within"], tl["between"], set(tl["split"])
    x1, x2 = tl["x1"], tl["x2"]
    lines = ["level: 1"]
    lines += [f"{v} ~~ {v}" for v in within if v not in x1]
    lines += [f"{a} ~~ {b}" for i, a in enumerate(x1) for b in x1[i:]]
    lines += [f"{v} ~ 1" for v in within if v not in split]
    lines.append("level: 2")
    lines += [f"{v} ~~ {v}" for v in between if v not in x2]
    lines += [f"{a} ~~ {b}" for i, a in enumerate(x2) for b in x2[i:]]
    lines += [f"{v} ~ 1" for v in between]
    bpt = _fix_covariates(build_partable(parse_model("\n".join(lines)), meanstructure=True, fixed_x=False), x1, x2)
    bmodels = _level_models(bpt, {1: within, 2: between})
    _set_exo_values(bmodels, tl["stats_levels"])
    bobj = _twolevel_objective(bmodels, tl["data"])
    th = np.zeros(int(bpt["free"].max()))
    for mod, ss in zip(bmodels, tl["stats_levels"]):
        st0 = start_values(bpt, [mod], [ss])
        f = mod.free[mod.free >= 0]
        th[f] = st0[f]
    bres = minimize(bobj, th)
    llb = bobj.loglik(bres.theta)
    ll1 = tl["h1_objective"].loglik(tl["h1_theta"])
    df = state.ndat - int(bpt["free"].max())
    out = {"chisq": max(2 * (ll1 - llb), 0.0), "df": df, "model": (bobj, bres.theta)}
    if state.opts.test == "yuan.bentler.mplus":
        H = bobj.observed_information(bres.theta)
        sc = bobj.cluster_scores(bres.theta)

        class _S:  # the pieces _twolevel_yb reads
            scores = [sc]
            chisq = out["chisq"]
            twolevel = tl

        yb = _twolevel_yb(_S, bobj, bres.theta, H, tl["h1_objective"], tl["h1_theta"], df)
        out["scaling_factor"] = yb["scaling_factor"]
        out["chisq_scaled"] = out["chisq"] / yb["scaling_factor"]
    return out
