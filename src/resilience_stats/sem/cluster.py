"""Cluster-robust standard errors and test statistic (lavaan's ``cluster =`` for single-level models).

lavaan 0.6-14 with ``cluster = "community"`` and estimator ML or MLR (both behave the same): a mean structure is
added, standard errors are ``robust.cluster`` and the test is the Yuan-Bentler (Mplus) scaled statistic, with

* the "meat" of the sandwich built from the casewise scores *summed within clusters*, times the small-sample
  factor ``C / (C - 1)`` (C = number of clusters): ``B0 = C/(C-1) sum_c s_c s_c' / N``
  (``lav_mvnorm_information_firstorder``); ``vcov = A^-1 B0 A^-1 / N`` with A the observed information;
* for the scaling factor, the h1 first-order information from the cluster sums of the saturated model's scores,
  with the same factor, and B0 as above; with ``estimator = "ML"`` the model information in the trace is the
  "h1" observed information ``Delta' A1 Delta`` (lavaan sets ``observed.information = "h1"`` for the test then),
  with MLR the Hessian.

Estimates and the unscaled chi-square are those of the ordinary fit.
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationWarning, ModelSpecificationError
from . import inference
from . import tests as fit_tests
from .results import SEMResult

__all__ = ["sem_cluster", "cluster_sums", "cluster_checks", "MIN_CLUSTERS_WARN"]

MIN_CLUSTERS_WARN = 30


def cluster_sums(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Sum the rows of ``scores`` within clusters (rows of the result in sorted cluster order).

    Examples
    --------
    >>> cluster_sums(np.array([[1.0], [2.0], [4.0]]), np.array(["b", "a", "b"])).ravel().tolist()
    [2.0, 5.0]
    """
    uniq, inv = np.unique(ids, return_inverse=True)
    out = np.zeros((len(uniq), scores.shape[1]))
    np.add.at(out, np.asarray(inv).ravel(), scores)
    return out


def cluster_checks(ids: np.ndarray) -> list[str]:
    """Errors (raised) and warnings (returned) about the number of clusters.

    Fewer than 2 clusters: error. Fewer than 30: warning -- cluster-robust standard errors are biased downwards
    with few clusters, and lavaan corrects only by C / (C - 1).

    Examples
    --------
    >>> cluster_checks(np.repeat(np.arange(40), 5))
    []
    >>> cluster_checks(np.repeat(np.arange(10), 5))[0][:40]
    'only 10 clusters: cluster-robust standar'
    """
    C = len(np.unique(ids))
    if C < 2:
        raise DataError(f"cluster-robust standard errors need at least 2 clusters, got {C}")
    out = []
    if C < MIN_CLUSTERS_WARN:
        out.append(f"only {C} clusters: cluster-robust standard errors and the scaled test are biased (too small / "
                   f"too liberal) with fewer than about {MIN_CLUSTERS_WARN} clusters; interpret with caution or "
                   "use a multilevel model")
    sizes = pd.Series(ids).value_counts()
    if (sizes == 1).mean() > 0.5:
        out.append("more than half of the clusters have a single case: clustering hardly matters here")
    return out


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


def _cluster_trace(objective, theta, A_unit, ids, masks) -> dict:
    C = len(np.unique(ids))
    cf = C / (C - 1)
    A1s, B1s, B0s = [], [], []
    h0 = inference.casewise_scores(objective, theta)
    for ss, sc, keep in zip(objective.stats, h0, masks):
        A1, _ = fit_tests.h1_information_and_scores(ss.data, ss.mean, ss.cov, objective.meanstructure, keep)
        s1 = cluster_sums(_h1_scores(ss.data, ss.mean, ss.cov, objective.meanstructure, keep), ids)
        s0 = cluster_sums(sc, ids)
        A1s.append(A1)
        B1s.append(cf * s1.T @ s1 / ss.nobs)
        B0s.append(cf * s0.T @ s0 / ss.nobs)
    E_inv, _ = inference.safe_inverse(A_unit)
    trace, h1, h0t = fit_tests.yuan_bentler_mplus_trace(A1s, B1s, B0s, E_inv, objective.weights)
    return dict(trace=trace, trace_h1=h1, trace_h0=h0t)


def sem_cluster(model: str, data, cluster, *, estimator: str = "ML", missing: str = "listwise", se: str = "standard",
                meanstructure: bool | None = None, information: str | None = None, **kwargs: Any) -> SEMResult:
    """Fit with cluster-robust standard errors and scaled test; called by ``sem(..., cluster="community")``.

    Parameters
    ----------
    model : str
    data : pandas.DataFrame or object with ``.data``
    cluster : str
        Column with the cluster (community) ids.
    estimator : {"ML", "MLR"}
        Both give lavaan's ``se = "robust.cluster"`` and ``test = "yuan.bentler.mplus"`` (as lavaan does).
    **kwargs
        Passed on to :func:`~resilience_stats.sem.sem` (std_lv, fixed_x, orthogonal, ...).

    Returns
    -------
    SEMResult
        ``options["cluster"]``, ``options["n_clusters"]``; warnings with few clusters.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4); cid = np.repeat(np.arange(40), 10)
    >>> f = rng.normal(size=400) + rng.normal(size=40)[cid] * .5
    >>> df = pd.DataFrame({f"y{i}": f + rng.normal(size=400) for i in range(1, 5)}); df["cid"] = cid
    >>> fit = sem_cluster("F =~ y1 + y2 + y3 + y4", df, "cid")
    >>> fit.options["n_clusters"], fit.options["se_method"]
    (40, 'robust.cluster')
    """
    from .api import _estimates_table, _keep_masks, _resolve_frame, sem

    estimator = str(estimator).upper()
    if estimator not in ("ML", "MLR"):
        raise ModelSpecificationError(f"cluster= supports estimator 'ML' or 'MLR', got {estimator!r}")
    if str(missing).lower() != "listwise":
        raise ModelSpecificationError("cluster= with missing='fiml' is not supported yet; use listwise deletion")
    if kwargs.get("group") is not None:
        raise ModelSpecificationError("cluster= with multiple groups is not supported yet")
    if se == "none":
        raise ModelSpecificationError("cluster= only changes standard errors and the test; se='none' makes it moot")
    if meanstructure is False:
        raise ModelSpecificationError("cluster= adds a mean structure (as lavaan); meanstructure=False conflicts")
    frame = _resolve_frame(data)
    if not isinstance(cluster, str) or cluster not in frame.columns:
        raise ModelSpecificationError(f"cluster variable {cluster!r} not found in the data")
    from .model import model_variable_names
    from .syntax import build_partable

    ov, _lv = model_variable_names(build_partable(model))
    absent = [v for v in ov if v not in frame.columns]
    if absent:
        raise ModelSpecificationError(f"variable(s) in the model not found in the data: {', '.join(absent)}")
    sub = frame[ov].apply(pd.to_numeric, errors="coerce")
    keep = sub.notna().all(axis=1) & frame[cluster].notna()
    warn = []
    n_nocl = int((sub.notna().all(axis=1) & frame[cluster].isna()).sum())
    if n_nocl:
        warn.append(f"{n_nocl} complete case(s) without a cluster id were deleted")
    kept = frame.loc[keep]
    ids = kept[cluster].astype(str).to_numpy()
    warn += cluster_checks(ids)
    fit = sem(model, kept, estimator="MLR", missing="listwise", se="robust", meanstructure=True,
              information=information, **kwargs)
    st = fit._state
    if st.stats[0].nobs != len(ids):
        raise DataError("internal: cluster ids do not line up with the analysed cases")
    objective, theta = st.objective, st.theta
    A_unit = st.observed_info if (information or "observed") == "observed" else st.unit_info
    C = len(np.unique(ids))
    sc = [cluster_sums(s, ids) * np.sqrt(C / (C - 1)) for s in inference.casewise_scores(objective, theta)]
    vcov, ok = inference.vcov_sandwich(A_unit, sc, objective.ntotal)
    masks = _keep_masks(st.models, st.stats, objective.meanstructure)
    # MLR: the Hessian-based observed information; ML: lavaan switches the test to the "h1" observed information
    A_test = A_unit if estimator == "MLR" else h1_observed_information(objective, theta)
    rob = _cluster_trace(objective, theta, A_test, ids, masks)
    df = fit.df
    rob["scaling_factor"] = rob["trace"] / df if df > 0 else float("nan")
    st.robust = rob
    st.vcov = vcov
    old_baseline = st.baseline

    def baseline() -> dict:
        b = dict(old_baseline())
        bobj, btheta = b["model"]
        if estimator == "ML":
            bA = h1_observed_information(bobj, btheta)
        elif (information or "observed") == "observed":
            bA = inference.observed_information(bobj, btheta)
        else:
            bA = bobj.grad_info(btheta)[1]
        br = _cluster_trace(bobj, btheta, bA, ids, masks)
        b["scaling_factor"] = br["trace"] / b["df"]
        return b

    cache: dict = {}
    st.baseline = lambda: cache.setdefault("b", baseline())
    st.options.update(estimator=estimator, cluster=cluster, n_clusters=C, se_type="robust",
                      se_method="robust.cluster", test="yuan.bentler.mplus")
    estimates = _estimates_table(st.pt, st.models, theta, vcov, st.implied, st.def_fun)
    warnings = list(fit.warnings) + warn
    for w in warn:
        _warnings.warn(w, EstimationWarning, stacklevel=3)
    if not ok:
        warnings.append("the information matrix is singular or nearly so; standard errors are unreliable")
    return SEMResult(st, estimates, warnings)
