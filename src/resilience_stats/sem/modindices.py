"""Modification indices (score tests for fixed-to-zero parameters), EPC and standardized EPC, as lavaan's
``modindices()`` with the expected information."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimate import MLObjective
from .model import build_models
from .objectives import ml as ml_obj
from .standardize import standardize
from .syntax import Formula, Modifier, variable_names

__all__ = ["candidate_parameters", "modification_indices"]


def _lower_tri_pairs(names: list[str]) -> list[tuple[str, str]]:
    """(names[j], names[i]) for i >= j, column by column (lavaan's lower.tri fill order)."""
    return [(names[j], names[i]) for j in range(len(names)) for i in range(j, len(names))]


def candidate_parameters(pt: pd.DataFrame, ov: list[str], lv: list[str], ov_x: list[str],
                         meanstructure: bool) -> list[tuple[str, str, str]]:
    """All parameters lavaan's ``lav_partable_full`` considers (before removing those already in the model)."""
    rows = pt[pt["op"] != ":="]
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


def modification_indices(result) -> pd.DataFrame:
    """Modification indices of a fitted model (single group, complete-data ML information).

    Returns
    -------
    pandas.DataFrame
        lhs, op, rhs, mi, epc, sepc_lv, sepc_all for every parameter not in the model (rows whose score test is
        not defined, e.g. non-identified additions, are dropped as lavaan does).
    """
    st = result._state
    if getattr(st, "ordinal", None) is not None:
        from ..errors import ModelSpecificationError

        raise ModelSpecificationError("modification indices are not available for ordinal (WLSMV/ULSMV) fits yet")
    pt = st.pt
    mod0 = st.models[0]
    ms = st.objective.meanstructure
    exo_names = list(getattr(mod0, "exo_names", []))
    existing = set()
    for l, o, r in zip(pt["lhs"], pt["op"], pt["rhs"]):
        existing.add((l, o, r))
        if o == "~~":
            existing.add((r, o, l))
    cand = [c for c in candidate_parameters(pt, mod0.ov, mod0.lv, exo_names, ms) if c not in existing]
    cols = ["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"]
    if not cand:
        return pd.DataFrame(columns=cols)
    q = int(pt["free"].max())
    base = pt[pt["op"] != ":="]
    extra = pd.DataFrame({
        "id": np.arange(len(pt) + 1, len(pt) + 1 + len(cand)), "lhs": [c[0] for c in cand],
        "op": [c[1] for c in cand], "rhs": [c[2] for c in cand], "user": 10, "block": 1, "group": 1,
        "free": np.arange(q + 1, q + 1 + len(cand)), "ustart": np.nan, "exo": 0, "label": "", "plabel": "",
        "start": np.nan, "est": np.nan, "se": np.nan,
    })
    ext = pd.concat([base, extra], ignore_index=True)
    models = build_models(ext, ov_order=mod0.ov)
    nbase = len(base)
    for m_ext, m_fit in zip(models, st.models):
        m_ext.value[:nbase] = m_fit.value[:nbase]
        m_ext.exo = np.concatenate([m_fit.exo[:nbase], np.zeros(len(cand), dtype=int)])
        m_ext.exo_names = exo_names
        m_ext._cache.pop("implied", None)
    theta = np.concatenate([st.theta, np.zeros(len(cand))])
    if st.options.get("missing") == "fiml":
        from .objectives.fiml import FIMLObjective

        obj = FIMLObjective(models, st.stats, True)
        g, H = obj.grad_info(theta)  # gradient and expected (structured) information under missing data
        return _mi_table(st, ext, extra, models, theta, g, H, q, nbase)
    obj = MLObjective(models, st.stats, ms)
    g = obj.gradient(theta)
    # expected information with the fixed-x moments masked (lavaan zeroes them in the h1 information)
    H = np.zeros((len(theta), len(theta)))
    for (imp, dsigma, dmu, _dS, _dm, Si), w, m_ext in zip(obj.group_parts(theta), obj.weights, models):
        isx = np.array([v in set(exo_names) for v in m_ext.ov])
        if isx.any():
            dsigma = dsigma.copy()
            dsigma[:, isx[:, None] & isx[None, :]] = 0.0
            if ms:
                dmu = dmu.copy()
                dmu[:, isx] = 0.0
        H += w * ml_obj.ml_expected_information(Si, dsigma, dmu, ms)
    return _mi_table(st, ext, extra, models, theta, g, H, q, nbase)


def _mi_table(st, ext, extra, models, theta, g, H, q, nbase) -> pd.DataFrame:
    """Score tests from the gradient and information of the extended model."""
    N = sum(s.nobs for s in st.stats)
    I22 = H[:q, :q]
    I12 = H[q:, :q]
    V = H[q:, q:] - I12 @ np.linalg.solve(I22, I12.T)
    vdiag = np.diag(V).copy()
    vdiag[vdiag < np.finfo(float).eps ** (1 / 3)] = np.nan
    score = g[q:]
    mi = N * score**2 / vdiag
    epc = -score / vdiag
    # standardized EPC: the extended table standardized at the fitted model
    implied = [m.implied(theta) for m in models]
    est = np.zeros(len(ext))
    for mod in models:
        est[mod.rows] = mod.row_values(theta)  # fitted values; the added rows are 0 here
    est[nbase:] = np.abs(epc)
    s_lv, s_all = standardize(ext, est, models, implied)
    sign = np.sign(epc)
    out = pd.DataFrame({"lhs": extra["lhs"], "op": extra["op"], "rhs": extra["rhs"], "mi": mi, "epc": epc,
                        "sepc_lv": sign * s_lv[nbase:], "sepc_all": sign * s_all[nbase:]})
    return out[np.isfinite(out["mi"])].reset_index(drop=True)
