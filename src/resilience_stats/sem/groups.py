"""Multiple-group models: splitting the data by a grouping column and cross-group equality constraints.

lavaan conventions followed here:

* groups are ordered by first appearance of their value in the data (``group = "school"``);
* ``group_equal`` gives every parameter of the named types the same label in all groups (an equality
  constraint); ``group_partial`` exempts single parameters (``"x3 ~1"``, ``"visual =~ x2"``); user labels
  (``c(a1, a2)*x``) override both;
* a mean structure is added by default; when the intercepts (or thresholds) are equal and the latent means are
  not, the latent means are free in groups 2, 3, ... (group 1 is the reference with means fixed at 0).
  Deviation from lavaan 0.6-14: the intercepts of first-order factors that are indicators of a higher-order
  factor stay fixed at 0 (only the higher-order mean is freed); lavaan frees them all, which is not identified.
* integer-valued float group codes (2021.0, e.g. after missing values) are reported as integers.

Sample-size rule (stated once, used by :func:`split_groups`): a group with no more cases than observed
variables is an error; a warning is given when a group has fewer than ``max(30, 3 * q_g)`` cases, where
``q_g`` is the number of free parameters of that group in the configural (unconstrained) model.
"""

from __future__ import annotations

import re
import numpy as np
import pandas as pd

from ..errors import DataError, ModelSpecificationError

__all__ = [
    "GROUP_EQUAL_TYPES",
    "MIN_GROUP_N",
    "MIN_CASES_PER_PARAMETER",
    "normalize_group_equal",
    "normalize_group_partial",
    "equality_flags",
    "apply_group_equal",
    "group_levels",
    "split_groups",
    "small_group_warnings",
]

GROUP_EQUAL_TYPES = ("loadings", "intercepts", "thresholds", "means", "regressions", "residuals",
                     "residual_covariances", "lv_variances", "lv_covariances")
MIN_GROUP_N = 30
MIN_CASES_PER_PARAMETER = 3

_ALIASES = {t.replace("_", "."): t for t in GROUP_EQUAL_TYPES}


def normalize_group_equal(group_equal) -> list[str]:
    """Validate ``group_equal`` and return the canonical names (``lv.variances`` is accepted for
    ``lv_variances``, as in lavaan).

    Examples
    --------
    >>> normalize_group_equal(["loadings", "lv.variances"])
    ['loadings', 'lv_variances']
    >>> normalize_group_equal("intercepts")
    ['intercepts']
    """
    if group_equal is None:
        return []
    if isinstance(group_equal, str):
        group_equal = [group_equal]
    out = []
    for t in group_equal:
        name = _ALIASES.get(str(t), str(t))
        if name not in GROUP_EQUAL_TYPES:
            raise ModelSpecificationError(
                f"unknown group_equal type {t!r}; choose from {', '.join(GROUP_EQUAL_TYPES)}")
        if name not in out:
            out.append(name)
    return out


_PARTIAL_RE = re.compile(r"^(?P<lhs>[^=~|]+?)(?P<op>=~|~~|~1|~|\|)(?P<rhs>.*)$")


def normalize_group_partial(group_partial) -> list[str]:
    """Parameters exempt from ``group_equal`` as lavaan keys ``lhs op rhs`` without spaces.

    Examples
    --------
    >>> normalize_group_partial(["x3 ~1", "visual =~ x2", "x1 ~~ x1"])
    ['x3~1', 'visual=~x2', 'x1~~x1']
    """
    if group_partial is None:
        return []
    if isinstance(group_partial, str):
        group_partial = [group_partial]
    out = []
    for p in group_partial:
        key = re.sub(r"\s+", "", str(p))
        m = _PARTIAL_RE.match(key)
        if m is None or (m["op"] != "~1" and not m["rhs"]):
            raise ModelSpecificationError(
                f"group_partial entry {p!r} is not a parameter in lavaan syntax (e.g. 'x3 ~ 1', 'F =~ x2')")
        if m["op"] == "~" and m["rhs"] == "1":
            key = m["lhs"] + "~1"
        if key not in out:
            out.append(key)
    return out


def equality_flags(lhs, op, rhs, group, *, ov_nox, lv, ov_ord=(), types=(), partial=()) -> np.ndarray:
    """Rows that are candidates for a cross-group equality constraint (lavaan's ``lav_partable_labels``).

    Examples
    --------
    >>> lhs = np.array(["f", "f", "x1", "x1", "f"], dtype=object)
    >>> op = np.array(["=~", "=~", "~1", "~~", "~1"], dtype=object)
    >>> rhs = np.array(["x1", "x2", "", "x1", ""], dtype=object)
    >>> equality_flags(lhs, op, rhs, np.ones(5), ov_nox=["x1", "x2"], lv=["f"],
    ...                types=["loadings", "intercepts"], partial=["f=~x2"]).tolist()
    [True, False, True, False, False]
    """
    lhs, op, rhs = (np.asarray(a, dtype=object) for a in (lhs, op, rhs))
    is_ov = np.isin(lhs, list(ov_nox))
    is_lv = np.isin(lhs, list(lv))
    same = lhs == rhs
    rules = {
        "loadings": op == "=~",
        "intercepts": (op == "~1") & is_ov,
        "thresholds": (op == "|") & (np.isin(lhs, list(ov_ord)) if len(ov_ord) else True),
        "means": (op == "~1") & is_lv,
        "regressions": op == "~",
        "residuals": (op == "~~") & is_ov & same,
        "residual_covariances": (op == "~~") & is_ov & ~same,
        "lv_variances": (op == "~~") & is_lv & same,
        "lv_covariances": (op == "~~") & is_lv & ~same,
    }
    flag = np.zeros(len(lhs), dtype=bool)
    for t in types:
        flag |= rules[t]
    if len(partial):
        keys = np.array([f"{a}{o}{b}" for a, o, b in zip(lhs, op, rhs)], dtype=object)
        flag &= ~np.isin(keys, list(partial))
    return flag


def apply_group_equal(arr: dict, ngroups: int, group_equal, group_partial, *, ov_nox, lv, ov_ord=(),
                      meanstructure: bool = True, parameterization: str = "delta") -> None:
    """Write cross-group equality labels (and free latent means) into the columns of a parameter table.

    ``arr`` holds numpy columns ``lhs, op, rhs, group, user, free (0/1), ustart, label`` before free indices
    are numbered; it is modified in place. Each constrained parameter gets the label ``.pK.`` where K is the
    row number of its first occurrence (its group-1 ``plabel``, as in lavaan's output); rows with a user label
    and fixed rows are left alone.

    Ordered indicators (``ov_ord``): with equal thresholds the scale factors (delta parameterization) or the
    residual variances of the latent responses (theta) of groups 2, 3, ... are freed, as lavaan does;
    intercepts of ordinal items stay fixed at 0, so ``"intercepts"`` without ``"thresholds"`` is refused.
    """
    types = normalize_group_equal(group_equal)
    partial = normalize_group_partial(group_partial)
    if ngroups < 2:
        return
    lhs, op, group, user = arr["lhs"], arr["op"], arr["group"], arr["user"]
    if len(ov_ord):
        if "intercepts" in types and "thresholds" not in types:
            raise ModelSpecificationError("with ordered items the intercepts are fixed at 0; constrain 'thresholds' "
                                          "(the ordinal counterpart of intercepts) instead")
        if "thresholds" in types:
            if parameterization == "theta":
                idx = (op == "~~") & (lhs == arr["rhs"]) & np.isin(lhs, list(ov_ord)) & (user == 0) & (group > 1)
            else:
                idx = (op == "~*~") & (user == 0) & (group > 1)
            arr["free"][idx] = 1
            arr["ustart"][idx] = np.nan
    if meanstructure and ("intercepts" in types or "thresholds" in types) and "means" not in types:
        # lavaan frees every latent intercept; first-order factors of a higher-order factor keep theirs fixed
        # at 0 here (their intercepts play the role of item intercepts; freeing them all is not identified)
        lower = set(arr["rhs"][(op == "=~") & np.isin(arr["rhs"], list(lv))])
        free_lv = [f for f in lv if f not in lower]
        idx = (op == "~1") & np.isin(lhs, free_lv) & (user == 0) & (group > 1)
        arr["free"][idx] = 1
        arr["ustart"][idx] = np.nan
    if not types:
        return
    flag = equality_flags(lhs, op, arr["rhs"], group, ov_nox=ov_nox, lv=lv, ov_ord=ov_ord, types=types,
                          partial=partial)
    flag &= (group >= 1) & (op != ":=") & (arr["free"] > 0) & (arr["label"] == "")
    first: dict[tuple, int] = {}
    for k in np.flatnonzero(flag):
        key = (lhs[k], op[k], arr["rhs"][k])
        first.setdefault(key, k)
        arr["label"][k] = f".p{first[key] + 1}."
    # a parameter that is candidate in a single group only keeps no label
    counts: dict[str, int] = {}
    for k in np.flatnonzero(flag):
        counts[arr["label"][k]] = counts.get(arr["label"][k], 0) + 1
    for k in np.flatnonzero(flag):
        if counts[arr["label"][k]] < 2:
            arr["label"][k] = ""


# --------------------------------------------------------------------------------------------- data


def group_levels(values: pd.Series) -> list:
    """Group values in order of first appearance (missing values excluded), as lavaan orders groups.

    Examples
    --------
    >>> group_levels(pd.Series(["b", "a", "b", None, "c"]))
    ['b', 'a', 'c']
    >>> group_levels(pd.Series([2.0, 1.0, np.nan]))
    [2, 1]
    """
    out = [v.item() if isinstance(v, np.generic) else v for v in pd.unique(values.dropna())]
    if all(isinstance(v, float) and v.is_integer() for v in out):
        out = [int(v) for v in out]
    return out


def split_groups(frame: pd.DataFrame, group: str) -> tuple[list, list[pd.DataFrame], int]:
    """Split a data frame by the values of ``group``; returns (labels, frames, number of rows dropped
    because the group value is missing)."""
    if group not in frame.columns:
        raise ModelSpecificationError(f"group variable {group!r} not found in the data")
    col = frame[group]
    labels = group_levels(col)
    if len(labels) < 2:
        raise DataError(f"group variable {group!r} has {len(labels)} distinct value(s); need at least 2 groups")
    parts = [frame[col == lab] for lab in labels]
    return labels, parts, int(col.isna().sum())


def small_group_warnings(labels, nobs, nvar: int, q_group) -> list[str]:
    """Errors for groups with no more cases than variables, warnings below ``max(30, 3 * q_g)``.

    Examples
    --------
    >>> small_group_warnings(["a", "b"], [200, 40], 6, [18, 18])
    ['group b has 40 cases, fewer than the recommended minimum of 54 (max(30, 3 x 18 free parameters per group)); estimates and tests may be unstable']
    """
    out = []
    for lab, n, q in zip(labels, nobs, q_group):
        if n <= nvar:
            raise DataError(f"group {lab} has {n} usable case(s) but the model has {nvar} observed variables; "
                            "each group needs more cases than variables (merge or drop this group)")
        need = max(MIN_GROUP_N, MIN_CASES_PER_PARAMETER * int(q))
        if n < need:
            out.append(f"group {lab} has {n} cases, fewer than the recommended minimum of {need} "
                       f"(max({MIN_GROUP_N}, {MIN_CASES_PER_PARAMETER} x {int(q)} free parameters per group)); "
                       "estimates and tests may be unstable")
    return out
