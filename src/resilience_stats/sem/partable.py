"""One parameter-table builder: lavaan syntax -> one row per parameter, for every block (group).

The parameter table (a :class:`pandas.DataFrame`) is the spine of the SEM engine, as lavaan's partable: every
later step (model matrices, estimation, standard errors, standardization, results) reads it. Every feature is a
row or a column here, not a side channel:

* defaults of lavaan's ``cfa()``/``sem()``: residual and latent variances, covariances of exogenous latent
  variables and of endogenous variables, the fixed-x block of exogenous observed covariates, intercepts and
  means (mean structure), first loadings fixed to 1 (or ``std_lv``), single-indicator factors;
* user modifiers: fixed values, labels, start values, ``c(...)`` per group;
* groups: the rows are repeated per group; ``group_equal``/``group_partial`` tie parameters across groups
  (:func:`resilience_stats.sem.groups.apply_group_equal`);
* ordered indicators (``ordered``, ``nthresholds``): thresholds ``y | t1`` ..., the scale factors ``y ~*~ y``,
  intercepts of the items fixed to 0, latent means fixed to 0 in the reference group; residual variances of
  the items are fixed (delta parameterization) or free parameters fixed to 1 in the reference group (theta);
* equality constraints ``label == label`` and ``label == number`` (rows sharing a free index), defined
  parameters ``:=`` (rows with ``op == ":="``); other constraints (``==`` between expressions, ``<``, ``>``)
  are kept in ``pt.attrs["constraints"]`` for the estimator.

Row order follows lavaan's so that tables compare row by row: per group the user rows, then (ordinal) the
thresholds the user did not write, the default rows, the scale factors, the item intercepts and latent means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError, ModelSyntaxError
from .syntax import Formula, Modifier, ParsedModel, eval_expression, parse_model, variable_names

__all__ = ["build_partable", "PARTABLE_COLUMNS"]

PARTABLE_COLUMNS = ["id", "lhs", "op", "rhs", "user", "block", "group", "level", "free", "ustart", "exo",
                    "label", "plabel", "start", "est", "se"]


def _combn(names: list[str]) -> list[tuple[str, str]]:
    return [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]


def build_partable(
    model: str | ParsedModel,
    *,
    std_lv: bool = False,
    meanstructure: bool | None = None,
    fixed_x: bool = True,
    ngroups: int = 1,
    auto_fix_first: bool = True,
    auto_fix_single: bool = True,
    auto_var: bool = True,
    auto_cov_lv_x: bool = True,
    auto_cov_y: bool = True,
    orthogonal: bool = False,
    group_equal=None,
    group_partial=None,
    ordered=(),
    nthresholds: dict | None = None,
    parameterization: str = "delta",
    int_ov_free: bool = True,
    int_lv_free: bool = False,
) -> pd.DataFrame:
    """Build a lavaan-style parameter table with the defaults of lavaan's ``cfa()``/``sem()``.

    Parameters
    ----------
    model : str or ParsedModel
        lavaan model syntax.
    std_lv : bool
        Identify factors by fixing their variances to 1 (all loadings free) instead of fixing the first loading.
    meanstructure : bool or None
        Add intercepts (observed: free, latent: fixed to 0). ``None`` means: only if the syntax has ``~ 1``.
    fixed_x : bool
        Treat exogenous observed covariates as fixed: their (co)variances and means are set to the sample values
        later and are not free parameters.
    ngroups : int
        Number of groups; rows are repeated per group (``c(...)`` modifiers give per-group values).
    group_equal, group_partial : list of str, optional
        Cross-group equality constraints by parameter type and exemptions (lavaan's ``group.equal`` /
        ``group.partial``; see :mod:`resilience_stats.sem.groups`).
    ordered : list of str
        Ordered (categorical) observed variables; ``nthresholds`` gives the number of thresholds of each.
    parameterization : {"delta", "theta"}
        Identification of the latent-response scale of ordered items (lavaan's ``parameterization``).
    int_ov_free, int_lv_free : bool
        Free intercepts of observed variables / latent means (lavaan's ``int.ov.free``/``int.lv.free``; growth
        models use ``False``/``True``).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, lhs, op, rhs, user, block, group, free, ustart, exo, label, plabel, start, est, se``.
        ``free`` is 0 for fixed parameters and the 1-based index into the free vector otherwise; rows that
        share a label (or are tied by ``==``) share one index. Defined parameters (``:=``) are rows with
        ``op == ':='`` and ``free == 0``; their expression is kept in ``rhs``.

    Examples
    --------
    >>> pt = build_partable("visual =~ x1 + x2 + x3")
    >>> int(pt["free"].max())
    6
    >>> pt = build_partable("f =~ a + b + c", ordered=["a", "b", "c"], nthresholds={"a": 2, "b": 1, "c": 1})
    >>> pt["op"].tolist().count("|"), int(pt["free"].max())
    (4, 7)
    """
    pm = parse_model(model) if isinstance(model, str) else model
    if not pm.formulas:
        raise ModelSyntaxError("the model syntax contains no model formulas (=~, ~, ~~)")
    ordered = list(ordered or [])
    nthresholds = dict(nthresholds or {})
    if parameterization not in ("delta", "theta"):
        raise ModelSpecificationError(f"parameterization must be 'delta' or 'theta', got {parameterization!r}")
    user_rows = _user_rows(pm.formulas)
    if meanstructure is None:
        meanstructure = any(f.op == "~1" for f in user_rows)
    vn = variable_names([f for f in user_rows if f.op != "|"], fixed_x=fixed_x)
    if ordered:
        _check_ordinal_syntax(user_rows, ordered, nthresholds, vn)
    ords = set(ordered)
    # ordinal models have a mean structure of their own (thresholds; intercepts and means fixed below)
    cont_means = bool(meanstructure) and not ordered

    settings = dict(std_lv=std_lv, fixed_x=fixed_x, auto_fix_first=auto_fix_first, auto_fix_single=auto_fix_single,
                    auto_var=auto_var, auto_cov_lv_x=auto_cov_lv_x, auto_cov_y=auto_cov_y, orthogonal=orthogonal,
                    ordered=ordered, nthresholds=nthresholds, parameterization=parameterization,
                    cont_means=cont_means, int_ov_free=int_ov_free, int_lv_free=int_lv_free)
    levels = sorted({f.level for f in user_rows})
    if levels != [0]:  # two-level model: one block per level, in one group
        if ngroups > 1:
            raise ModelSpecificationError("two-level models with several groups (group=) are not supported yet")
        if ordered:
            raise ModelSpecificationError("two-level models with ordered indicators are not supported yet")
        lev_vn = {L: variable_names([f for f in user_rows if f.level == L and f.op != "|"], fixed_x=fixed_x)
                  for L in (1, 2)}
        split = set(lev_vn[1].ov) & set(lev_vn[2].ov)
        blocks = []
        for L in (1, 2):
            ur = [f for f in user_rows if f.level == L]
            blk = _block_rows(ur, lev_vn[L], **dict(settings, cont_means=True),
                              split=split if L == 1 else ())
            blocks.append((1, L, blk))
    else:
        blk = _block_rows(user_rows, vn, **settings)
        blocks = [(g, 0, blk) for g in range(1, ngroups + 1)]

    # user modifiers (per group)
    cols: dict[str, list] = {c: [] for c in ("lhs", "op", "rhs", "user", "block", "group", "level", "free", "ustart",
                                            "exo", "label", "start")}
    for bi, (g, level, blk) in enumerate(blocks, start=1):
        rows, lhs, op, rhs, user = blk["rows"], blk["lhs"], blk["op"], blk["rhs"], blk["user"]
        free, ustart, exo = blk["free"], blk["ustart"], blk["exo"]
        for k in range(blk["n"]):
            mod: Modifier | None = rows[k]["mod"]
            fr, us, lab, st = free[k], ustart[k], "", np.nan
            if mod is not None:
                if mod.fixed is not None:
                    val = _pick(mod.fixed, g, ngroups, rows[k], "fixed value")
                    if val is None:
                        fr, us = 1, np.nan
                    else:
                        fr, us = 0, _checked_fixed(float(val), lhs[k], op[k], rhs[k])
                if mod.label is not None:
                    lab = _pick(mod.label, g, ngroups, rows[k], "label") or ""
                if mod.start is not None:
                    st = float(_pick(mod.start, g, ngroups, rows[k], "start value"))
            for c, v in (("lhs", lhs[k]), ("op", op[k]), ("rhs", rhs[k]), ("user", int(user[k])), ("block", bi),
                         ("group", g), ("level", level), ("free", int(fr)), ("ustart", us), ("exo", int(exo[k])),
                         ("label", lab), ("start", st)):
                cols[c].append(v)
    for name, _tree, text, _l in pm.definitions:
        for c, v in (("lhs", name), ("op", ":="), ("rhs", text.replace(" ", "")), ("user", 1), ("block", 0),
                     ("group", 0), ("level", 0), ("free", 0), ("ustart", np.nan), ("exo", 0), ("label", name),
                     ("start", np.nan)):
            cols[c].append(v)
    arr = {c: np.array(v, dtype=object) if c in ("lhs", "op", "rhs", "label") else np.array(v)
           for c, v in cols.items()}
    if ngroups > 1:  # cross-group equality labels and free latent means (see sem/groups.py)
        from .groups import apply_group_equal

        apply_group_equal(arr, ngroups, group_equal, group_partial, ov_nox=vn.ov_nox, lv=vn.lv,
                          meanstructure=bool(meanstructure) or bool(ordered), ov_ord=ordered,
                          parameterization=parameterization)
    arr["free"], arr["ustart"], general = _number_free(arr, pm)
    m = len(arr["lhs"])
    arr["id"] = np.arange(1, m + 1)
    arr["plabel"] = np.array([f".p{i}." for i in range(1, m + 1)], dtype=object)
    arr["est"] = np.full(m, np.nan)
    arr["se"] = np.full(m, np.nan)
    index = pd.RangeIndex(m)  # one shared index: pandas then skips aligning every column
    pt = pd.DataFrame({c: pd.Series(arr[c], index=index, dtype=object if arr[c].dtype == object else arr[c].dtype)
                       for c in PARTABLE_COLUMNS}, index=index)
    from .model import prime_arrays

    prime_arrays(pt, arr)
    pt.attrs["definitions"] = SharedList((name, tree) for name, tree, _t, _l in pm.definitions)
    pt.attrs["constraints"] = SharedList((a, o, b, t) for a, o, b, t, _l in pm.constraints)
    # constraints not expressed by shared or fixed free indices (expressions, inequalities): the estimator's job
    pt.attrs["general_constraints"] = SharedList(general)
    pt.attrs["meanstructure"] = bool(meanstructure) or bool(ordered)
    pt.attrs["std_lv"] = bool(std_lv)
    pt.attrs["ngroups"] = int(ngroups)
    pt.attrs["two_level"] = levels != [0]
    if ordered:
        pt.attrs["ordered"] = list(ordered)
        pt.attrs["parameterization"] = parameterization
    return pt


#: Largest magnitude of a fixed value: larger ones (1e308) only overflow the model matrices.
MAX_FIXED = 1e10


def _checked_fixed(value: float, lhs: str, op: str, rhs: str) -> float:
    """A fixed value of the syntax, refused when it cannot be a parameter value (not finite, beyond
    :data:`MAX_FIXED`, or a negative variance)."""
    what = f"{lhs} {op} {rhs}".strip()
    if not np.isfinite(value) or abs(value) > MAX_FIXED:
        raise ModelSpecificationError(f"fixed value {value:g} for {what!r} is not a usable number (at most "
                                      f"{MAX_FIXED:g} in magnitude)")
    if op == "~~" and lhs == rhs and value < 0:
        raise ModelSpecificationError(f"a variance cannot be fixed to a negative value ({what!r} = {value:g})")
    return value


class SharedList(list):
    """A list kept in ``DataFrame.attrs`` that pandas does not deep-copy: pandas copies ``attrs`` with
    ``copy.deepcopy`` on every column access, which for parse trees of ``:=`` definitions costs more than the
    estimation of a small model. The lists are built once per table and never mutated."""

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


def _block_rows(user_rows, vn, *, std_lv, fixed_x, auto_fix_first, auto_fix_single, auto_var, auto_cov_lv_x,
                auto_cov_y, orthogonal, ordered, nthresholds, parameterization, cont_means, int_ov_free,
                int_lv_free, split=()) -> dict:
    """The rows of one block (a group, or one level of a two-level model) with their default free/fixed status.

    ``split``: variables of a two-level model that have a within and a between part; their within-level
    intercepts are fixed at 0 (the between level carries their means), as lavaan.
    """
    ords = set(ordered)
    default: list[tuple[str, str, str]] = []
    for v in vn.ov_nox + vn.lv:
        default.append((v, "~~", v))
    if auto_cov_lv_x and len(vn.lv_x) > 1:
        default += [(a, "~~", b) for a, b in _combn(vn.lv_x)]
    lvov_y = vn.lv_y + vn.ov_y
    if auto_cov_y and len(lvov_y) > 1:
        default += [(a, "~~", b) for a, b in _combn(lvov_y)]
    nx = len(vn.ov_x)
    for j in range(nx):  # lower.tri by column, as lavaan
        for i in range(j, nx):
            default.append((vn.ov_x[j], "~~", vn.ov_x[i]))
    if cont_means:
        default += [(v, "~1", "") for v in vn.ov + vn.lv]
    user_keys = set()
    for f in user_rows:
        user_keys.add((f.lhs, f.op, f.rhs))
        if f.op == "~~":
            user_keys.add((f.rhs, f.op, f.lhs))
    default = [d for d in default if d not in user_keys]
    user_th = {(f.lhs, f.rhs) for f in user_rows if f.op == "|"}
    new_th = [(v, "|", f"t{i}") for v in ordered for i in range(1, nthresholds[v] + 1) if (v, f"t{i}") not in user_th]
    tail: list[tuple[str, str, str]] = []
    if ordered:
        tail += [(v, "~*~", v) for v in ordered if (v, "~*~", v) not in user_keys]
        tail += [(v, "~1", "") for v in vn.ov if v in ords]
        tail += [(v, "~1", "") for v in vn.ov if v not in ords and (v, "~1", "") not in user_keys]
        tail += [(f, "~1", "") for f in vn.lv if (f, "~1", "") not in user_keys]

    rows = [dict(lhs=f.lhs, op=f.op, rhs=f.rhs, user=1, mod=f.modifier) for f in user_rows]
    rows += [dict(lhs=a, op=o, rhs=b, user=0, mod=None) for a, o, b in new_th]
    rows += [dict(lhs=a, op=o, rhs=b, user=0, mod=None) for a, o, b in default]
    rows += [dict(lhs=a, op=o, rhs=b, user=0, mod=None) for a, o, b in tail]
    n = len(rows)
    lhs = np.array([r["lhs"] for r in rows], dtype=object)
    op = np.array([r["op"] for r in rows], dtype=object)
    rhs = np.array([r["rhs"] for r in rows], dtype=object)
    user = np.array([r["user"] for r in rows], dtype=int)
    free = np.ones(n, dtype=int)
    ustart = np.full(n, np.nan)
    exo = np.zeros(n, dtype=int)

    is_var = (op == "~~") & (lhs == rhs)
    if not auto_var:
        idx = is_var & (user == 0)
        ustart[idx], free[idx] = 0.0, 0
    if std_lv:
        idx = is_var & np.isin(lhs, vn.lv)
        ustart[idx], free[idx] = 1.0, 0
    if auto_fix_first and not std_lv:
        seen_lv: set = set()
        for k in range(n):
            if op[k] == "=~" and lhs[k] not in seen_lv:
                seen_lv.add(lhs[k])
                ustart[k], free[k] = 1.0, 0
    if auto_var and auto_fix_single:
        mm = [k for k in range(n) if op[k] == "=~"]
        counts: dict = {}
        for k in mm:
            counts[lhs[k]] = counts.get(lhs[k], 0) + 1
        rhs_mm = [rhs[k] for k in mm]
        singles = [rhs[k] for k in mm if counts[lhs[k]] == 1 and lhs[k] != rhs[k] and rhs_mm.count(rhs[k]) == 1]
        idx = is_var & np.isin(lhs, singles) & (user == 0) & ~np.isin(lhs, ordered)
        ustart[idx], free[idx] = 0.0, 0
    if orthogonal:
        idx = (op == "~~") & (lhs != rhs) & np.isin(lhs, vn.lv) & np.isin(rhs, vn.lv) & (user == 0)
        ustart[idx], free[idx] = 0.0, 0
    is_mean = op == "~1"
    if cont_means:
        idx = is_mean & np.isin(lhs, vn.lv) & (user == 0)
        if not int_lv_free:
            ustart[idx], free[idx] = 0.0, 0
        idx = is_mean & np.isin(lhs, vn.ov_nox) & (user == 0)
        if not int_ov_free:
            ustart[idx], free[idx] = 0.0, 0
    if fixed_x and nx > 0:
        idx = (op == "~~") & np.isin(lhs, vn.ov_x) & np.isin(rhs, vn.ov_x) & (user == 0)
        free[idx], exo[idx] = 0, 1
        idx = is_mean & np.isin(lhs, vn.ov_x) & (user == 0)
        free[idx], exo[idx] = 0, 1
    if ordered:
        resv = is_var & np.isin(lhs, ordered)
        if parameterization == "delta":
            if (resv & (user == 1)).any():
                bad = [lhs[k] for k in np.flatnonzero(resv & (user == 1))]
                mods = [rows[k]["mod"] for k in np.flatnonzero(resv & (user == 1))]
                if any(m is None or m.fixed is None or any(v is None for v in m.fixed) for m in mods):
                    raise ModelSpecificationError(
                        "residual variances of ordinal indicators cannot be free with the delta "
                        "parameterization: " + ", ".join(bad) + " (use parameterization='theta')")
            ustart[resv & (user == 0)], free[resv & (user == 0)] = np.nan, 0
            idx = (op == "~*~") & (user == 0)
            ustart[idx], free[idx] = 1.0, 0
        else:
            # theta: residual variances of y* are parameters, fixed to 1 in the reference group (below)
            idx = resv & (user == 0)
            ustart[idx], free[idx] = 1.0, 0
            idx = (op == "~*~") & (user == 0)
            ustart[idx], free[idx] = 1.0, 0
        idx = is_mean & np.isin(lhs, ordered) & (user == 0)
        ustart[idx], free[idx] = 0.0, 0
        idx = is_mean & np.isin(lhs, vn.lv) & (user == 0)
        ustart[idx], free[idx] = 0.0, 0
        idx = is_mean & ~np.isin(lhs, ordered) & ~np.isin(lhs, vn.lv) & np.isin(lhs, vn.ov_x) & (user == 0)
        free[idx], exo[idx] = 0, 1

    if split:
        idx = (op == "~1") & np.isin(lhs, list(split)) & (user == 0)
        ustart[idx], free[idx] = 0.0, 0
    return dict(rows=rows, lhs=lhs, op=op, rhs=rhs, user=user, free=free, ustart=ustart, exo=exo, n=n)


def _user_rows(formulas: list[Formula]) -> list[Formula]:
    """User formulas with duplicates removed (lavaan warns and ignores them)."""
    seen: set = set()
    out: list[Formula] = []
    for f in formulas:
        key = (f.lhs, f.op, f.rhs, f.level)
        if f.op == "~~":
            alt = (f.rhs, f.op, f.lhs, f.level)
            if alt in seen:
                key = alt
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def _check_ordinal_syntax(user_rows, ordered, nthresholds, vn) -> None:
    """Refuse what an ordinal model cannot have: wrong threshold names, ordinal predictors or factors."""
    missing = [v for v in ordered if v not in nthresholds]
    if missing:
        raise ModelSpecificationError(f"internal: number of thresholds unknown for {', '.join(missing)}")
    for v in ordered:
        given = sorted(f.rhs for f in user_rows if f.op == "|" and f.lhs == v)
        k = nthresholds[v]
        if given and given != sorted(f"t{i}" for i in range(1, k + 1)):
            raise ModelSpecificationError(
                f"thresholds of {v} in the model ({', '.join(given)}) do not match its {k + 1} observed categories "
                f"(t1..t{k})")
    odd = sorted({f.lhs for f in user_rows if f.op == "|" and f.lhs not in ordered})
    if odd:
        raise ModelSpecificationError(f"thresholds given for variable(s) that are not ordered: {', '.join(odd)}")
    bad = sorted({f.rhs for f in user_rows if f.op == "~" and f.rhs in ordered} |
                 {f.lhs for f in user_rows if f.op == "=~" and f.lhs in ordered})
    if bad:
        raise ModelSpecificationError("ordinal variables used as predictors or factors are not supported yet: "
                                      + ", ".join(bad))
    ints = sorted({f.lhs for f in user_rows if f.op == "~1" and f.lhs in ordered})
    if ints:
        raise ModelSpecificationError("intercepts of ordinal indicators (" + ", ".join(ints) + ") are fixed at 0 "
                                      "(their thresholds carry the location); remove them from the syntax")


def _pick(values: list, g: int, ngroups: int, row: dict, what: str):
    if len(values) == 1:
        return values[0]
    if len(values) != ngroups:
        raise ModelSpecificationError(
            f"{row['lhs']} {row['op']} {row['rhs']}: c(...) gives {len(values)} {what}s but the model has "
            f"{ngroups} group(s)"
        )
    return values[g - 1]


def _is_number(node) -> bool:
    return node[0] == "num" or (node[0] == "neg" and node[1][0] == "num")


def _number_free(arr: dict, pm: ParsedModel) -> tuple[np.ndarray, np.ndarray, list]:
    """Assign free indices: rows with the same label, or tied by ``label == label``, share one index;
    ``label == number`` fixes the labelled rows. Returns (free, ustart, general constraints).

    Other constraints (between expressions, inequalities) are checked here for unknown labels only and returned
    as ``(lhs tree, op, rhs tree, text, line)``.
    """
    op = arr["op"]
    is_par = op != ":="
    labels = np.where(is_par, arr["label"], "")
    user = arr["user"]
    known_labels = set(l for l in labels if l)
    def_names = {name for name, *_ in pm.definitions}
    parent: dict[str, str] = {lab: lab for lab in known_labels}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    from .syntax import expression_labels

    fixed_labels: dict[str, tuple[float, str]] = {}
    general = []
    for a, o, b, text, line in pm.constraints:
        for name in expression_labels(a) + expression_labels(b):
            if name not in known_labels and name not in def_names:
                what = "defined parameter" if name in def_names else "label"
                raise ModelSpecificationError(
                    f"line {line}: constraint {text!r} uses {name!r}, which is not a parameter {what}")
        na, nb = a[0] == "name", b[0] == "name"
        if o == "==" and na and nb and a[1] in known_labels and b[1] in known_labels:
            ra, rb = find(a[1]), find(b[1])
            if ra != rb:
                parent[rb] = ra
        elif o == "==" and na and a[1] in known_labels and _is_number(b):
            _fix_label(fixed_labels, a[1], eval_expression(b, {}), text, line)
        elif o == "==" and nb and b[1] in known_labels and _is_number(a):
            _fix_label(fixed_labels, b[1], eval_expression(a, {}), text, line)
        else:
            general.append((a, o, b, text, line))
    for lab, (val, text) in list(fixed_labels.items()):
        root = find(lab)
        for other in known_labels:
            if find(other) == root:
                if other in fixed_labels and fixed_labels[other][0] != val:
                    raise ModelSpecificationError(
                        f"contradictory constraints: {fixed_labels[other][1]!r} and {text!r} fix tied labels "
                        f"{other!r} and {lab!r} to different values")
                fixed_labels[other] = (val, text)
    free = arr["free"].astype(int).copy()
    ustart = arr["ustart"].astype(float).copy()
    nrow = len(free)
    for k in range(nrow):
        lab = labels[k]
        if lab and lab in fixed_labels:
            free[k], ustart[k] = 0, fixed_labels[lab][0]
    # a label fixed by value on one row (e.g. 1*x with label a elsewhere) fixes every row sharing it
    root_fixed: dict[str, float] = {}
    for k in range(nrow):
        lab = labels[k]
        if lab and free[k] == 0 and is_par[k] and lab not in fixed_labels and user[k] == 1:
            root = find(lab)
            if root in root_fixed and root_fixed[root] != ustart[k] and np.isfinite(ustart[k]):
                raise ModelSpecificationError(
                    f"label {lab!r} is fixed to different values ({root_fixed[root]:g} and {ustart[k]:g})")
            root_fixed.setdefault(root, ustart[k])
    idx_of_root: dict[str, int] = {}
    nxt = 0
    for k in range(nrow):
        if not is_par[k]:
            free[k] = 0
            continue
        lab = labels[k]
        root = find(lab) if lab else None
        if root is not None and root in root_fixed:
            free[k], ustart[k] = 0, root_fixed[root]
            continue
        if free[k] == 0:
            continue
        if root is not None:
            if root not in idx_of_root:
                nxt += 1
                idx_of_root[root] = nxt
            free[k] = idx_of_root[root]
        else:
            nxt += 1
            free[k] = nxt
    return free, ustart, general


def _fix_label(fixed: dict, label: str, value: float, text: str, line: int) -> None:
    if label in fixed and fixed[label][0] != value:
        raise ModelSpecificationError(
            f"line {line}: contradictory constraints on {label!r}: {fixed[label][1]!r} and {text!r}")
    fixed[label] = (value, text)
