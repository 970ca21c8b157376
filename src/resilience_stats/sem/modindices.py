"""Modification indices (score tests for fixed parameters), EPC and standardized EPC, as lavaan's ``modindices()``.

For every fit -- any estimator, one or several groups, continuous or ordered indicators -- through the pipeline's
own steps (lavaan 0.6-14, ``lav_modification.R``):

* the candidates are every parameter the model does not estimate: the fixed rows of the model (e.g. marker
  loadings, intercepts of ordinal items; not the fixed-x block nor thresholds) and every loading, regression and
  (residual) covariance lavaan's ``lav_partable_full`` lists that is not in the model -- separately in each group
  (a candidate is not constrained equal across groups);
* the extended model frees them all at their current values (the fit's estimates for the others), and the
  estimator's own discrepancy (:func:`~resilience_stats.sem.pipeline.make_objective`) gives the score ``g``;
* the expected unit information ``I`` of the extended model (ML: ``sum_g f_g Delta' A1 Delta`` with the
  structured h1 information at the implied moments, fixed-x elements masked; FIML: the structured expected
  information under missing data; least squares: ``sum_g f_g Delta' W Delta``);
* with the fit's parameters first, ``V = I11 - I12 I22^-1 I21`` over the candidates (``I22`` the information of the
  fit's parameters, so its equality constraints hold); ``mi = N g^2 / diag(V)``, ``epc = -g / diag(V)``
  (N the total number of cases for every estimator); candidates with ``diag(V) < eps^(1/3)`` (not identified)
  are dropped, as lavaan drops them;
* ``sepc_lv``/``sepc_all``: the sign of the EPC times the standardized ``|EPC|`` with the fit's implied
  variances.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .objectives import ml as ml_obj
from .syntax import Formula, Modifier, variable_names

__all__ = ["candidate_parameters", "modification_indices"]


def _lower_tri_pairs(names: list[str]) -> list[tuple[str, str]]:
    """(names[j], names[i]) for i >= j, column by column (lavaan's lower.tri fill order)."""
    return [(names[j], names[i]) for j in range(len(names)) for i in range(j, len(names))]


def candidate_parameters(pt: pd.DataFrame, ov: list[str], lv: list[str], ov_x: list[str],
                         meanstructure: bool, ordered=()) -> list[tuple[str, str, str]]:
    """All parameters lavaan's ``lav_partable_full`` considers (before removing those already in the model)."""
    rows = pt[~pt["op"].isin([":=", "|", "~*~"])]
    formulas = [Formula(l, o, r, Modifier()) for l, o, r in zip(rows["lhs"], rows["op"], rows["rhs"])]
    vn = variable_names(formulas, fixed_x=False)
    eqs_names = list(dict.fromkeys(vn.eqs_y + vn.eqs_x))
    ov_nox = [v for v in ov if v not in ov_x]
    out: list[tuple[str, str, str]] = []
    for f in lv:
        for v in ov_nox:
            if v not in eqs_names:
                out.append((f, "=~", v))
    other = [v for v in ov if v not in vn.ov_ind]
    for a, b in _lower_tri_pairs(ov_nox):
        if a in other or b in other:
            continue
        if a == b and a in set(ordered):
            continue
        out.append((a, "~~", b))
    out += [(a, "~~", b) for a, b in _lower_tri_pairs(ov_x)]
    out += [(a, "~~", b) for a, b in _lower_tri_pairs(lv)]
    for y in eqs_names:
        for x in eqs_names:
            if x == y or (y in vn.ov_ind and x in lv):
                continue
            out.append((y, "~", x))
    if meanstructure:
        out += [(v, "~1", "") for v in ov + lv]
    return out


def _extended_table(st) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The fit's table plus the candidates (freed), the extended parameter vector and the candidate rows."""
    pt = st.pt
    design = st.design
    q = int(pt["free"].max())
    base = pt[pt["op"] != ":="].copy()
    base.attrs.update(pt.attrs)
    base.attrs["definitions"] = []
    base.attrs["general_constraints"] = []
    lhs, op, rhs = (base[c].to_numpy() for c in ("lhs", "op", "rhs"))
    free, exo, grp = (base[c].to_numpy() for c in ("free", "exo", "group"))
    ordset = set(design.ordered)
    delta = pt.attrs.get("parameterization", "delta") == "delta"
    # fixed rows of the model that become candidates
    fixed_cand = (free == 0) & (exo == 0) & np.isin(op, ["=~", "~", "~~", "~1"])
    if ordset and delta:
        fixed_cand &= ~((op == "~~") & (lhs == rhs) & np.isin(lhs, list(ordset)))
    # values of all rows at the estimates
    from .pipeline import _row_values

    values = _row_values(st.models, st.theta, pt)[: len(base)]
    new_rows = []
    existing = set()
    for l, o, r, g in zip(lhs, op, rhs, grp):
        existing.add((l, o, r, g))
        if o == "~~":
            existing.add((r, o, l, g))
    ms = bool(design.meanstructure)
    cands = candidate_parameters(pt, design.ov, design.lv, list(design.exo_names), ms and not design.ordered,
                                 design.ordered)
    if design.ordered:  # intercepts of ordinal items are fixed rows already (candidates above)
        cands = [c for c in cands if c[1] != "~1"]
    ngroups = int(grp.max())
    for g in range(1, ngroups + 1):
        for c in cands:
            if (c[0], c[1], c[2], g) not in existing:
                new_rows.append(dict(lhs=c[0], op=c[1], rhs=c[2], group=g))
    base_free = base["free"].to_numpy().copy()
    k = q
    theta_ext = list(st.theta)
    cand_rows = []
    for i in np.flatnonzero(fixed_cand):
        k += 1
        base_free[i] = k
        theta_ext.append(values[i])
        cand_rows.append(i)
    base["free"] = base_free
    extra = pd.DataFrame({
        "id": np.arange(len(base) + 1, len(base) + 1 + len(new_rows)),
        "lhs": pd.Series([r["lhs"] for r in new_rows], dtype=object),
        "op": pd.Series([r["op"] for r in new_rows], dtype=object),
        "rhs": pd.Series([r["rhs"] for r in new_rows], dtype=object), "user": 10,
        "block": [r["group"] for r in new_rows], "group": [r["group"] for r in new_rows],
        "free": np.arange(k + 1, k + 1 + len(new_rows)), "ustart": np.nan, "exo": 0,
        "label": pd.Series([""] * len(new_rows), dtype=object),
        "plabel": pd.Series([""] * len(new_rows), dtype=object), "start": np.nan, "est": np.nan, "se": np.nan,
    })
    ext = pd.concat([base, extra], ignore_index=True)
    ext.attrs.update(base.attrs)
    theta_ext += [0.0] * len(new_rows)
    cand_rows += list(range(len(base), len(ext)))
    return ext, np.array(theta_ext), np.array(cand_rows, dtype=int)


def modification_indices(result) -> pd.DataFrame:
    """Modification indices of a fitted model (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        lhs, op, rhs, [group], mi, epc, sepc_lv, sepc_all.
    """
    from . import inference
    from .pipeline import _model_blocks, _set_exo_values, make_objective, solution
    from .standardize import standardize

    st = result._state
    design, opts = st.design, st.opts
    q = int(st.pt["free"].max())
    ext, theta, cand = _extended_table(st)
    multi = st.pt["group"].max() > 1
    cols = ["lhs", "op", "rhs"] + (["group"] if multi else []) + ["mi", "epc", "sepc_lv", "sepc_all"]
    if len(cand) == 0:
        return pd.DataFrame(columns=cols)
    d_ext = replace(design, pt=ext)
    models = _model_blocks(d_ext)
    _set_exo_values(models, st.stats)
    objective = make_objective(d_ext, opts, models, st.stats)
    if hasattr(objective, "blocks_"):
        g = objective.gradient(theta)
        H, _Ds = inference.ls_unit_information(objective, theta)
    elif opts.missing in ("fiml", "ml.x"):
        g, H = objective.grad_info(theta)  # expected (structured) information under missing data
    else:
        g = objective.gradient(theta)
        H = _ml_expected_information(objective, models, theta, set(design.exo_names))
    N = objective.ntotal
    I22 = H[:q, :q]
    I12 = H[q:, :q]
    if st.con_jac is not None:
        I22inv, _ok = inference.info_inverse(I22, st.con_jac)
    else:
        I22inv = np.linalg.pinv(I22)
    V = H[q:, q:] - I12 @ I22inv @ I12.T
    vdiag = np.diag(V).copy()
    vdiag[vdiag < np.finfo(float).eps ** (1 / 3)] = np.nan
    score = g[q:]
    mi = N * score ** 2 / vdiag
    epc = -score / vdiag
    # standardized EPC: |EPC| standardized with the fit's implied variances
    est, implied = solution(d_ext, models, objective, theta)  # the fit's values (new candidates at 0)
    est_c = est.copy()
    est_c[cand] = np.abs(epc)
    s_lv, s_all = standardize(ext, est_c, models, implied)
    sign = np.sign(epc)
    out = pd.DataFrame({"lhs": ext["lhs"].to_numpy()[cand], "op": ext["op"].to_numpy()[cand],
                        "rhs": ext["rhs"].to_numpy()[cand]})
    if multi:
        out["group"] = ext["group"].to_numpy()[cand]
    out["mi"], out["epc"] = mi, epc
    out["sepc_lv"], out["sepc_all"] = sign * s_lv[cand], sign * s_all[cand]
    return out[np.isfinite(out["mi"].to_numpy())].reset_index(drop=True)


def _ml_expected_information(objective, models, theta, exo: set) -> np.ndarray:
    """Expected information with the fixed-x moments masked (lavaan zeroes them in the h1 information)."""
    ms = objective.meanstructure
    H = np.zeros((len(theta), len(theta)))
    for (imp, dsigma, dmu, _dS, _dm, Si), w, m_ext in zip(objective.group_parts(theta), objective.weights, models):
        isx = np.array([v in exo for v in m_ext.ov])
        if isx.any():
            dsigma = dsigma.copy()
            dsigma[:, isx[:, None] & isx[None, :]] = 0.0
            if ms:
                dmu = dmu.copy()
                dmu[:, isx] = 0.0
        H += w * ml_obj.ml_expected_information(Si, dsigma, dmu, ms)
    return H
