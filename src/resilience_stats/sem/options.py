r"""One validation of every argument of a CFA/SEM fit (lavaan's ``lav_options``).

:func:`resolve_options` turns the keyword arguments of :func:`resilience_stats.sem.sem` (and of the command line
and the report, which call it too) into a frozen :class:`SEMOptions`: names are normalized (``"mlr"`` ->
``"MLR"``, ``missing="ml"`` -> ``"fiml"``, ``group.equal`` spellings), the defaults that depend on the estimator
are filled in as lavaan does (standard errors, test statistic, information matrix), and every combination the
engine cannot fit is refused here, with one :class:`~resilience_stats.errors.ModelSpecificationError` that names
the option -- never silently ignored further down.

Estimator defaults (lavaan 0.6-14, ``lav_options_set``):

============================  ==========  ==================  ==================================  ===========
name                          objective   se                  test                                information
============================  ==========  ==================  ==================================  ===========
ML                            ML          standard            standard                            expected*
MLR                           ML          robust.huber.white  yuan.bentler.mplus                  observed
MLM / MLMV / MLMVS            ML          robust.sem          satorra.bentler / scaled.shifted /  expected
                                                              mean.var.adjusted
GLS, WLS                      GLS, WLS    standard            standard                            expected
DWLS, ULS                     DWLS, ULS   standard            standard                            expected
WLSM / WLSMV / WLSMVS         DWLS        robust.sem          satorra.bentler / scaled.shifted /  expected
                                                              mean.var.adjusted
ULSM / ULSMV / ULSMVS         ULS         robust.sem          as for WLSM...                      expected
============================  ==========  ==================  ==================================  ===========

\* observed with missing="fiml". The least-squares estimators need complete data (listwise deletion, or
pairwise polychorics for ordered indicators); with continuous data they take ``fixed_x=False`` by default, as
lavaan (the variances of exogenous covariates are then parameters). With ordered indicators the default
estimator is WLSMV.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ModelSpecificationError

__all__ = ["SEMOptions", "resolve_options", "ESTIMATORS", "SE_TYPES", "TEST_TYPES", "ORDINAL_ESTIMATORS",
           "normalize_missing", "normalize_estimator"]


@dataclass(frozen=True)
class EstimatorDefaults:
    """Defaults lavaan attaches to an estimator name."""

    objective: str  # discrepancy function: ML, GLS, WLS, DWLS, ULS
    se: str
    test: str
    information: str
    continuous: bool = True  # may be used with continuous indicators
    ordinal: bool = False  # may be used with ordered indicators
    complete_only: bool = False  # needs complete data (listwise deletion)


ESTIMATORS: dict[str, EstimatorDefaults] = {
    "ML": EstimatorDefaults("ML", "standard", "standard", "expected"),
    "MLR": EstimatorDefaults("ML", "robust.huber.white", "yuan.bentler.mplus", "observed"),
    "MLM": EstimatorDefaults("ML", "robust.sem", "satorra.bentler", "expected", complete_only=True),
    "MLMV": EstimatorDefaults("ML", "robust.sem", "scaled.shifted", "expected", complete_only=True),
    "MLMVS": EstimatorDefaults("ML", "robust.sem", "mean.var.adjusted", "expected", complete_only=True),
    "GLS": EstimatorDefaults("GLS", "standard", "standard", "expected", complete_only=True),
    "WLS": EstimatorDefaults("WLS", "standard", "standard", "expected", complete_only=True),
    "DWLS": EstimatorDefaults("DWLS", "standard", "standard", "expected", ordinal=True, complete_only=True),
    "ULS": EstimatorDefaults("ULS", "standard", "standard", "expected", ordinal=True, complete_only=True),
    # the robust least-squares names are for ordered indicators here (lavaan also accepts them for continuous
    # data; a user who writes WLSMV without ordered= has almost always forgotten ordered=): see resolve_options
    "WLSM": EstimatorDefaults("DWLS", "robust.sem", "satorra.bentler", "expected", continuous=False, ordinal=True,
                              complete_only=True),
    "WLSMV": EstimatorDefaults("DWLS", "robust.sem", "scaled.shifted", "expected", continuous=False, ordinal=True,
                               complete_only=True),
    "WLSMVS": EstimatorDefaults("DWLS", "robust.sem", "mean.var.adjusted", "expected", continuous=False,
                                ordinal=True, complete_only=True),
    "ULSM": EstimatorDefaults("ULS", "robust.sem", "satorra.bentler", "expected", continuous=False, ordinal=True,
                              complete_only=True),
    "ULSMV": EstimatorDefaults("ULS", "robust.sem", "scaled.shifted", "expected", continuous=False, ordinal=True,
                               complete_only=True),
    "ULSMVS": EstimatorDefaults("ULS", "robust.sem", "mean.var.adjusted", "expected", continuous=False,
                                ordinal=True, complete_only=True),
}
ORDINAL_ESTIMATORS = tuple(k for k, v in ESTIMATORS.items() if v.ordinal)

SE_TYPES = ("standard", "robust.sem", "robust.huber.white", "robust.cluster", "none")
TEST_TYPES = ("standard", "satorra.bentler", "yuan.bentler.mplus", "scaled.shifted", "mean.var.adjusted", "none")

_SE_ALIASES = {"robust": None, "robust.mlr": "robust.huber.white", "robust.huber-white": "robust.huber.white",
               "sandwich": "robust.huber.white", "robust.cluster.sem": "robust.cluster"}
_TEST_ALIASES = {"sb": "satorra.bentler", "satorra-bentler": "satorra.bentler", "yuan.bentler": "yuan.bentler.mplus",
                 "mplus": "yuan.bentler.mplus", "mean.var": "mean.var.adjusted", "satterthwaite": "mean.var.adjusted",
                 "scaled-shifted": "scaled.shifted"}
_MISSING = {"listwise": "listwise", "ml": "fiml", "fiml": "fiml", "direct": "fiml", "ml.x": "ml.x",
            "pairwise": "pairwise", "available.cases": "pairwise"}

# keyword arguments of rs.sem / rs.cfa beyond the named ones (lavaan's spellings with dots are accepted too)
_KEYWORDS = ("group", "group_equal", "group_partial", "ordered", "cluster", "test", "parameterization",
             "conditional_x", "int_ov_free", "int_lv_free", "auto_fix_first", "auto_var", "auto_cov_lv_x",
             "sampling_weights", "min_cluster_size")


@dataclass(frozen=True)
class SEMOptions:
    """Validated options of one fit (see :func:`resolve_options`). ``ordered`` is ``True`` (all observed model
    variables), a tuple of names, or ``()`` (continuous)."""

    estimator: str = "ML"
    objective: str = "ML"
    missing: str = "listwise"
    se: str = "standard"
    test: str = "standard"
    information: str = "expected"
    std_lv: bool = False
    meanstructure: bool | None = None
    fixed_x: bool = True
    orthogonal: bool = False
    ordered: Any = ()
    parameterization: str = "delta"
    conditional_x: bool | None = None
    group: str | None = None
    group_equal: tuple = ()
    group_partial: tuple = ()
    cluster: str | None = None
    sampling_weights: str | None = None
    min_cluster_size: int = 2  # two-level models: smaller clusters are an error (1: kept, as lavaan)
    int_ov_free: bool = True
    int_lv_free: bool = False
    auto_fix_first: bool = True
    auto_var: bool = True
    auto_cov_lv_x: bool = True
    user: dict = field(default_factory=dict, compare=False)  # what the caller passed (for the summary)

    @property
    def is_ordinal(self) -> bool:
        return self.ordered is True or bool(self.ordered)

    @property
    def robust_se(self) -> bool:
        return self.se in ("robust.sem", "robust.huber.white", "robust.cluster")

    @property
    def scaled_test(self) -> bool:
        return self.test not in ("standard", "none")

    def as_dict(self) -> dict:
        """Plain dict (what ``fit.options`` shows)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "user"}
        out["ordered"] = list(self.ordered) if isinstance(self.ordered, tuple) else self.ordered
        out["group_equal"] = list(self.group_equal)
        out["group_partial"] = list(self.group_partial)
        return out

    def replace(self, **changes) -> "SEMOptions":
        return replace(self, **changes)


def normalize_estimator(estimator) -> str:
    """Upper-case estimator name, checked against :data:`ESTIMATORS`.

    Examples
    --------
    >>> normalize_estimator("mlr")
    'MLR'
    """
    name = str(estimator).strip().upper()
    if name not in ESTIMATORS:
        raise ModelSpecificationError(f"unknown estimator {estimator!r}; choose from {', '.join(ESTIMATORS)}")
    return name


def normalize_missing(missing) -> str:
    """lavaan's missing-data option names -> ``listwise``, ``fiml``, ``ml.x`` or ``pairwise``.

    Examples
    --------
    >>> normalize_missing("ML"), normalize_missing("listwise")
    ('fiml', 'listwise')
    """
    key = str(missing).strip().lower()
    if key not in _MISSING:
        raise ModelSpecificationError(f"missing must be one of 'listwise', 'fiml' (lavaan: 'ml'), 'ml.x' or "
                                      f"'pairwise', got {missing!r}")
    return _MISSING[key]


def _bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise ModelSpecificationError(f"{name} must be True or False, got {value!r}")


def _names(name: str, value) -> tuple:
    if value is None or value is False:
        return ()
    if isinstance(value, str):
        value = [value]
    try:
        out = tuple(str(v) for v in value)
    except TypeError:
        raise ModelSpecificationError(f"{name} must be a name or a list of names, got {value!r}") from None
    return out


def _min_cluster_size(value) -> int:
    if value is None:
        return 2
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < 1:
        raise ModelSpecificationError(f"min_cluster_size must be a whole number of at least 1, got {value!r}")
    return int(value)


def resolve_options(estimator: str = "ML", missing: str = "listwise", se: str | None = None,
                    test: str | None = None, information: str | None = None, std_lv: bool = False,
                    meanstructure: bool | None = None, fixed_x: bool | None = None, orthogonal: bool = False,
                    ordered=None, **kwargs: Any) -> SEMOptions:
    """Validate the arguments of a fit and fill in lavaan's estimator-dependent defaults.

    Parameters are those of :func:`resilience_stats.sem.sem`. Keyword arguments may use lavaan's dotted
    spellings (``group.equal``, ``std.lv``). Unknown keywords raise ``TypeError``; unsupported combinations
    raise :class:`~resilience_stats.errors.ModelSpecificationError`.

    Examples
    --------
    >>> o = resolve_options("mlr")
    >>> o.estimator, o.se, o.test, o.information
    ('MLR', 'robust.huber.white', 'yuan.bentler.mplus', 'observed')
    >>> resolve_options(ordered=True).estimator
    'WLSMV'
    >>> resolve_options("ML", se="robust").se
    'robust.sem'
    """
    user = dict(estimator=estimator, missing=missing, se=se, test=test, information=information, std_lv=std_lv,
                meanstructure=meanstructure, fixed_x=fixed_x, orthogonal=orthogonal, ordered=ordered, **kwargs)
    kw = {}
    for k, v in kwargs.items():
        key = k.replace(".", "_")
        if key == "std_lv":
            std_lv = v
            continue
        if key not in _KEYWORDS:
            raise TypeError(f"sem() got an unexpected keyword argument {k!r}")
        kw[key] = v
    ordered_names: Any = ()
    if ordered is True:
        ordered_names = True
    elif ordered not in (None, False):
        ordered_names = _names("ordered", ordered)
    est_given = estimator is not None and str(estimator).strip().upper() not in ("", "DEFAULT")
    name = normalize_estimator(estimator) if est_given else ("WLSMV" if ordered_names else "ML")
    is_ord = ordered_names is True or bool(ordered_names)
    if is_ord and name == "ML" and str(estimator).strip().upper() == "ML" and user["estimator"] == "ML":
        name = "WLSMV"  # lavaan's default for ordered indicators (the signature's default "ML" means "not given")
    spec = ESTIMATORS[name]
    if is_ord and not spec.ordinal:
        raise ModelSpecificationError(
            f"estimator {name!r} does not handle ordered (categorical) indicators; use WLSMV (default), ULSMV, "
            "DWLS or ULS")
    if not is_ord and not spec.continuous:
        raise ModelSpecificationError(
            f"estimator {name!r} is for ordered (categorical) indicators: pass ordered=True (all observed model "
            "variables) or ordered=[...]; for continuous data use ML, MLR, MLM, GLS, WLS, DWLS or ULS (with "
            "test='scaled.shifted' and se='robust.sem' for the robust versions)")
    miss = normalize_missing(missing)
    if is_ord and miss not in ("listwise", "pairwise"):
        raise ModelSpecificationError("ordered indicators support missing='listwise' (default) or 'pairwise'; "
                                      "full-information ML for categorical data is not available")
    if not is_ord and miss == "pairwise":
        raise ModelSpecificationError("missing='pairwise' is for ordered indicators (pairwise polychorics); with "
                                      "continuous data use 'listwise' or 'fiml'")
    if spec.complete_only and miss != "listwise" and not (is_ord and miss == "pairwise"):
        raise ModelSpecificationError(f"estimator {name!r} needs complete data (missing='listwise'); for "
                                      "incomplete continuous data use ML or MLR with missing='fiml'")
    if spec.objective != "ML" and miss in ("fiml", "ml.x"):
        raise ModelSpecificationError(f"missing={missing!r} needs a maximum-likelihood estimator (ML, MLR)")
    # sampling weights (lavaan's sampling.weights): ML-type estimation with weighted moments; plain ML becomes MLR
    weights = kw.get("sampling_weights")
    if weights is not None:
        if not isinstance(weights, str):
            raise ModelSpecificationError(f"sampling_weights must be a column name, got {weights!r}")
        if is_ord or spec.objective != "ML" or name not in ("ML", "MLR"):
            raise ModelSpecificationError("sampling_weights= is available with the ML and MLR estimators for "
                                          "continuous indicators")
        if kw.get("cluster") is not None:
            raise ModelSpecificationError("sampling_weights= together with cluster= is not supported yet")
        if name == "ML" and se is None and test is None:
            name, spec = "MLR", ESTIMATORS["MLR"]  # as lavaan: weighted ML with robust SEs and test
    # standard errors
    se_default, test_default = spec.se, spec.test
    cluster = kw.get("cluster")
    if cluster is not None:
        if not isinstance(cluster, str):
            raise ModelSpecificationError(f"cluster must be a column name, got {cluster!r}")
        if spec.objective != "ML" or is_ord:
            raise ModelSpecificationError("cluster= (cluster-robust standard errors and test) is available with "
                                          "the ML and MLR estimators for continuous indicators")
        if name not in ("ML", "MLR"):
            raise ModelSpecificationError(f"cluster= supports estimator 'ML' or 'MLR', got {name!r}")
        # missing='fiml' with cluster=: two-level models (level: blocks) only; the single-level (cluster-robust)
        # path refuses it in pipeline.fit, where the model is known
        if kw.get("group") is not None:
            raise ModelSpecificationError("cluster= with multiple groups (group=) is not supported yet")
        if meanstructure is False:
            raise ModelSpecificationError("cluster= adds a mean structure (as lavaan); meanstructure=False "
                                          "conflicts")
        se_default, test_default = "robust.cluster", "yuan.bentler.mplus"
    if se is None:
        se_v = se_default
    else:
        se_v = str(se).strip().lower()
        se_v = _SE_ALIASES.get(se_v, se_v)
        if se_v is None:  # "robust": the estimator's robust flavour
            se_v = "robust.huber.white" if name == "MLR" else ("robust.cluster" if cluster else "robust.sem")
        if se_v not in SE_TYPES:
            raise ModelSpecificationError(f"se must be one of {', '.join(SE_TYPES)} (or 'robust'), got {se!r}")
        if cluster is not None and se_v not in ("robust.cluster", "none"):
            if se_v == "standard" and name in ("ML", "MLR"):
                se_v = "robust.cluster"  # lavaan: cluster= implies cluster-robust SEs
            else:
                raise ModelSpecificationError(f"cluster= gives cluster-robust standard errors; se={se!r} conflicts")
        if se_v == "robust.cluster" and cluster is None:
            raise ModelSpecificationError("se='robust.cluster' needs cluster=")
        if cluster is not None and se_v == "none":
            raise ModelSpecificationError("cluster= only changes standard errors and the test; se='none' makes it "
                                          "moot")
        if se_v == "robust.huber.white" and spec.objective != "ML":
            raise ModelSpecificationError(f"se='robust.huber.white' needs a maximum-likelihood estimator, not "
                                          f"{name}")
    if test is None:
        test_v = test_default
    else:
        test_v = str(test).strip().lower()
        test_v = _TEST_ALIASES.get(test_v, test_v)
        if test_v not in TEST_TYPES:
            raise ModelSpecificationError(f"test must be one of {', '.join(TEST_TYPES)}, got {test!r}")
        if test_v == "yuan.bentler.mplus" and spec.objective != "ML":
            raise ModelSpecificationError(f"test='yuan.bentler.mplus' needs a maximum-likelihood estimator, not "
                                          f"{name}")
        if cluster is not None and test_v not in ("yuan.bentler.mplus", "standard"):
            raise ModelSpecificationError(f"cluster= uses the Yuan-Bentler test; test={test!r} conflicts")
    if test_v in ("satorra.bentler", "mean.var.adjusted", "scaled.shifted") and spec.objective == "ML" \
            and miss != "listwise":
        raise ModelSpecificationError(f"test={test_v!r} needs complete data (missing='listwise'); with FIML use "
                                      "estimator='MLR' (Yuan-Bentler)")
    # information
    if information is None:
        info = "observed" if (spec.objective == "ML" and (name == "MLR" or miss in ("fiml", "ml.x")
                                                          or se_v == "robust.cluster")) else spec.information
    else:
        info = str(information).strip().lower()
        if info not in ("expected", "observed"):
            raise ModelSpecificationError(f"information must be 'expected' or 'observed', got {information!r}")
        if info == "observed" and spec.objective != "ML":
            raise ModelSpecificationError(f"information='observed' needs a maximum-likelihood estimator, not {name}")
    # groups
    group = kw.get("group")
    if group is not None and not isinstance(group, str):
        raise ModelSpecificationError(f"group must be a column name, got {group!r}")
    from .groups import normalize_group_equal, normalize_group_partial

    ge = tuple(normalize_group_equal(kw.get("group_equal")))
    gp = tuple(normalize_group_partial(kw.get("group_partial")))
    if (ge or gp) and group is None:
        raise ModelSpecificationError("group_equal/group_partial need a grouping variable (group=)")
    param = str(kw.get("parameterization", "delta")).strip().lower()
    if param not in ("delta", "theta"):
        raise ModelSpecificationError(f"parameterization must be 'delta' or 'theta', got {param!r}")
    if param == "theta" and not is_ord:
        raise ModelSpecificationError("parameterization='theta' is for ordered indicators")
    cx = kw.get("conditional_x")
    if cx is not None:
        cx = _bool("conditional_x", cx)
    ms = None if meanstructure is None else _bool("meanstructure", meanstructure)
    if cluster is not None:
        ms = True
    return SEMOptions(
        estimator=name, objective=spec.objective, missing=miss, se=se_v, test=test_v, information=info,
        std_lv=_bool("std_lv", std_lv), meanstructure=ms,
        fixed_x=(spec.objective == "ML" or is_ord) if fixed_x is None else _bool("fixed_x", fixed_x),
        orthogonal=_bool("orthogonal", orthogonal), ordered=ordered_names, parameterization=param,
        conditional_x=cx, group=group, group_equal=ge, group_partial=gp, cluster=cluster,
        sampling_weights=weights,
        min_cluster_size=_min_cluster_size(kw.get("min_cluster_size")),
        int_ov_free=_bool("int_ov_free", kw.get("int_ov_free", True)),
        int_lv_free=_bool("int_lv_free", kw.get("int_lv_free", False)),
        auto_fix_first=_bool("auto_fix_first", kw.get("auto_fix_first", True)),
        auto_var=_bool("auto_var", kw.get("auto_var", True)),
        auto_cov_lv_x=_bool("auto_cov_lv_x", kw.get("auto_cov_lv_x", True)),
        user={k: v for k, v in user.items() if v is not None},
    )
