"""Public entry points :func:`sem` and :func:`cfa` (and :func:`fit_partable` for a ready parameter table).

Both validate their arguments once (:func:`~resilience_stats.sem.options.resolve_options`) and run the one
estimation pipeline (:mod:`resilience_stats.sem.pipeline`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError
from .._blas import blas_single_threaded
from .model import model_variable_names
from .options import resolve_options
from .pipeline import Design, estimate, fit
from .results import SEMResult

__all__ = ["sem", "cfa", "growth", "fit_partable"]


@blas_single_threaded
def sem(model: str, data, estimator: str = "ML", missing: str = "listwise", std_lv: bool = False,
        se: str | None = None, meanstructure: bool | None = None, fixed_x: bool | None = None,
        information: str | None = None, orthogonal: bool = False, test: str | None = None,
        **kwargs: Any) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax (defaults of lavaan's ``sem()``).

    Parameters
    ----------
    model : str
        lavaan model syntax (``=~``, ``~``, ``~~``, ``~ 1``, labels, fixed values, ``:=``, ``==``).
    data : pandas.DataFrame or object with a ``.data`` DataFrame
        The data; only the model's columns are used (the caller's frame is never modified).
    estimator : str, default "ML"
        "ML" (expected-information standard errors); "MLR" (Huber-White sandwich with the observed information and
        the Yuan-Bentler (Mplus) scaled test); "MLM", "MLMV", "MLMVS" (robust.sem standard errors with the
        Satorra-Bentler, scaled-shifted or mean-and-variance adjusted test; complete data); the least-squares
        estimators "GLS", "WLS" (ADF), "DWLS", "ULS" (complete continuous data); with ordered indicators
        "WLSMV" (default), "ULSMV", "WLSM", "ULSM", "WLSMVS", "ULSMVS", "DWLS", "ULS". Defaults as lavaan's
        (:mod:`resilience_stats.sem.options`).
    missing : {"listwise", "fiml", "ml.x", "pairwise"}
        Listwise deletion, full-information ML (casewise likelihood, mean structure added; lavaan's "ml"; also
        for two-level models and with sampling weights), FIML that keeps cases with missing covariates
        ("ml.x"), or pairwise polychorics (ordered indicators).
    std_lv : bool
        Fix factor variances to 1 and free all loadings instead of fixing the first loading to 1.
    se : str or None
        Standard errors: "standard", "robust.sem", "robust.huber.white", "robust.cluster", "none", or "robust"
        (the estimator's robust kind: robust.sem for ML with complete data, as lavaan's ``se = "robust"``);
        default: the estimator's.
    meanstructure : bool or None
        Add intercepts; default: only with FIML or when the syntax has ``~ 1``.
    fixed_x : bool or None
        Exogenous observed covariates are fixed at their sample moments (not parameters); default True for the ML
        estimators and ordered indicators, False for the least-squares estimators on continuous data (lavaan).
    information : {"expected", "observed"} or None
        Information matrix for standard errors (default: expected for ML, observed for MLR and FIML).
    orthogonal : bool
        Fix the covariances among exogenous latent variables to zero.
    test : str or None
        Test statistic: "standard", "satorra.bentler", "yuan.bentler.mplus", "scaled.shifted",
        "mean.var.adjusted" or "none"; default: the estimator's (see :mod:`resilience_stats.sem.scaling`).
    parameterization : {"delta", "theta"} (keyword)
        Scale of the latent responses of ordered indicators (lavaan's ``parameterization``).
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
        Column of cluster (community) ids. A single-level model gets cluster-robust SEs and the Yuan-Bentler test
        as lavaan's ``cluster=`` (ML and MLR alike; complete cases; a mean structure is added); bootstrap
        resamples whole clusters. A model with ``level: 1`` / ``level: 2`` blocks (also ``level: within`` /
        ``level: between``) is a two-level SEM (:mod:`resilience_stats.sem.twolevel`): ML or MLR, listwise or
        FIML, within and between fit measures, per-level standardized solutions, ``fit.icc``.
    min_cluster_size : int, default 2 (keyword)
        Two-level models: clusters with fewer cases are an error (a community of one resident is often a
        mistyped id); ``1`` keeps them, as lavaan and Mplus do (with a warning naming them).
    sampling_weights : str, optional (keyword)
        Column of sampling weights (lavaan's ``sampling.weights``, normalized to sum to N): ML becomes MLR as in
        lavaan (pass ``se="standard", test="standard"`` for plain weighted ML); single and multi-group, complete
        data or FIML.

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
    options = resolve_options(estimator, missing, se=se, test=test, information=information, std_lv=std_lv,
                              meanstructure=meanstructure, fixed_x=fixed_x, orthogonal=orthogonal, **kwargs)
    return fit(model, data, options)


@blas_single_threaded
def cfa(data, model: str | None = None, **kwargs: Any) -> SEMResult:
    """Confirmatory factor analysis (lavaan's ``cfa()`` defaults); ``data`` comes first (``cfa(model, data)`` in
    lavaan's order is accepted too).

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
    if isinstance(data, str):  # cfa(model, data): lavaan's order; accepted as the same request
        if model is None or isinstance(model, str):
            raise ModelSpecificationError("cfa(data, model): pass the data (a DataFrame or SurveyWave) and the "
                                          "model syntax; got text for the data")
        data, model = model, data
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


@blas_single_threaded
def growth(model: str, data, **kwargs: Any) -> SEMResult:
    """Latent growth curve model (lavaan's ``growth()``): :func:`sem` with a mean structure, the intercepts of all
    observed variables fixed at 0 (``int_ov_free=False``) and the latent means free (``int_lv_free=True``).

    Parameters
    ----------
    model : str
        lavaan syntax with fixed time scores, e.g. ``i =~ 1*t1 + 1*t2 + 1*t3; s =~ 0*t1 + 1*t2 + 2*t3``.
    data : pandas.DataFrame or SurveyWave-like object
    **kwargs
        As :func:`sem` (estimator, missing, ...).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5); n = 400
    >>> i, s = rng.normal(5, 1, n), rng.normal(0.5, 0.3, n)
    >>> df = pd.DataFrame({f"t{k}": i + k * s + rng.normal(0, 0.5, n) for k in range(4)})
    >>> fit = growth("i =~ 1*t0 + 1*t1 + 1*t2 + 1*t3\\n s =~ 0*t0 + 1*t1 + 2*t2 + 3*t3", df)
    >>> means = fit.estimates.query("op == '~1' and lhs in ['i', 's']")
    >>> means["est"].round(1).tolist()
    [5.0, 0.5]
    """
    for key in ("int_ov_free", "int_lv_free"):
        if key in kwargs or key.replace("_", ".") in kwargs:
            raise ModelSpecificationError(f"growth() sets {key}; use sem() to choose it")
    if kwargs.get("meanstructure") is False:
        raise ModelSpecificationError("growth() models need a mean structure; meanstructure=False conflicts")
    kwargs["meanstructure"] = True
    return sem(model, data, int_ov_free=False, int_lv_free=True, **kwargs)


def fit_partable(pt: pd.DataFrame, X_groups: list[np.ndarray], ov: list[str], *, estimator: str = "ML",
                 missing: str = "listwise", information: str | None = None, model_syntax: str = "",
                 exo_names: list[str] | None = None, group_labels: list | None = None,
                 n_orig: int | None = None, options: dict | None = None, se_type: str | None = None,
                 data_warnings: list[str] | None = None, x_names: list[str] | None = None) -> SEMResult:
    """Fit a ready parameter table to data arrays (one per group, columns in ``ov`` order; NaN = missing, only
    with ``missing="fiml"``) through the same pipeline as :func:`sem`.

    Examples
    --------
    >>> from resilience_stats.sem.syntax import build_partable
    >>> rng = np.random.default_rng(1); f = rng.normal(size=(200, 1))
    >>> X = f @ np.ones((1, 3)) + rng.normal(size=(200, 3))
    >>> fit = fit_partable(build_partable("F =~ a + b + c"), [X], ["a", "b", "c"])
    >>> fit.n_params, fit.df
    (6, 0)
    """
    se = None if se_type in (None, "standard") and str(estimator).upper() != "ML" else se_type
    opts = resolve_options(estimator, missing, se=se, information=information)
    Xs = [np.asarray(x, dtype=float) for x in X_groups]
    exo = list(exo_names or [])
    design = Design(pt=pt, ov=list(ov), lv=model_variable_names(pt)[1], ordered=[], exo_names=exo,
                    x_names=list(x_names if x_names is not None else exo), X=Xs,
                    group_labels=list(group_labels or []), n_orig=int(n_orig or sum(len(x) for x in Xs)),
                    meanstructure=bool(pt.attrs.get("meanstructure", (pt["op"] == "~1").any())),
                    warnings=list(data_warnings or []))
    if pt.attrs.get("ordered"):
        raise ModelSpecificationError("fit_partable() fits continuous models; use sem(..., ordered=...)")
    return estimate(design, opts, model_syntax=model_syntax)
