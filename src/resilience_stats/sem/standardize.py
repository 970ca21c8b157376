"""Standardized solutions ``std.lv`` and ``std.all`` with lavaan's conventions.

* std.lv: latent variables scaled to unit (model-implied total) variance.
* std.all: in addition, observed variables scaled by their model-implied standard deviations.
* Covariances between two variables are divided by the square roots of their (residual) variance estimates,
  i.e. they become (residual) correlations, as in lavaan (``cov.std = TRUE``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["standardize", "standardize_nox", "StandardizePlan"]


def standardize(pt: pd.DataFrame, est: np.ndarray, models, implied: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """std.lv and std.all values for every row of the parameter table (defined rows left NaN).

    Parameters
    ----------
    pt : pandas.DataFrame
        Parameter table (rows ``op`` in =~, ~, ~~, ~1, :=).
    est : numpy.ndarray
        Estimates for every row.
    models : list of RAMModel
    implied : list of dict
        Output of ``RAMModel.implied`` per group.
    """
    n = len(pt)
    std_lv = np.full(n, np.nan)
    std_all = np.full(n, np.nan)
    lhs = pt["lhs"].to_numpy()
    op = pt["op"].to_numpy()
    rhs = pt["rhs"].to_numpy()
    for mod, imp in zip(models, implied):
        rows = mod.rows
        var_all = np.diag(imp["cov_all"])
        names = mod.ov + mod.lv
        pos = {v: i for i, v in enumerate(names)}
        lvset = set(mod.lv)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.where(var_all > 0, var_all, np.nan))
        # residual (co)variance estimates for covariance standardization
        resvar = {}
        for k in rows:
            if op[k] == "~~" and lhs[k] == rhs[k]:
                resvar[lhs[k]] = est[k]

        def sd_lv(v):
            return sd[pos[v]] if v in lvset else 1.0

        def sd_ov(v):
            return sd[pos[v]] if v not in lvset else 1.0

        for k in rows:
            e = est[k]
            a, o, b = lhs[k], op[k], rhs[k]
            if o == "=~":
                s1 = e * sd_lv(a) / (sd_lv(b))
                s2 = s1 / sd_ov(b)
            elif o == "~":
                s1 = e * sd_lv(b) / sd_lv(a)
                s2 = s1 * sd_ov(b) / sd_ov(a)
            elif o == "~~" and a == b:
                s1 = e / (sd_lv(a) ** 2)
                s2 = s1 / (sd_ov(a) ** 2)
            elif o == "~~":
                ra = np.sqrt(abs(resvar.get(a, np.nan)))
                rb = np.sqrt(abs(resvar.get(b, np.nan)))
                both_lv = a in lvset and b in lvset
                s1 = e / (ra * rb) if both_lv else e
                if not both_lv and (a in lvset or b in lvset):
                    # mixed lv/ov covariance: scale the latent side
                    s1 = e / (ra if a in lvset else rb)
                s2 = e / (ra * rb)
            elif o == "~1":
                s1 = e / sd_lv(a)
                s2 = s1 / sd_ov(a)
            else:
                continue
            std_lv[k] = s1
            std_all[k] = s2
    return std_lv, std_all


def standardize_nox(pt: pd.DataFrame, est: np.ndarray, models, implied: list[dict], x_names) -> np.ndarray:
    """lavaan's ``std.nox``: std.all except that observed exogenous covariates (``x_names``, structurally
    exogenous: predictors only) stay in their raw units -- regressions on them are not multiplied by their SD,
    their (co)variances and means are not standardized, a covariance between a covariate and another variable is
    scaled on the other variable's side only.

    Examples
    --------
    >>> from resilience_stats.sem.partable import build_partable
    >>> from resilience_stats.sem.model import build_models
    >>> pt = build_partable("y ~ b*x", fixed_x=False)
    >>> mod = build_models(pt)[0]
    >>> theta = np.array([0.5, 1.0, 4.0])  # b, var(y residual), var(x)
    >>> est = mod.row_values(theta)
    >>> round(float(standardize_nox(pt, est, [mod], [mod.implied(theta)], ["x"])[0]), 4)  # 0.5 / sd(y) = 0.5 / sqrt(2)
    0.3536
    """
    xs = set(x_names)
    n = len(pt)
    out = np.full(n, np.nan)
    lhs, op, rhs = (pt[c].to_numpy() for c in ("lhs", "op", "rhs"))
    for mod, imp in zip(models, implied):
        var_all = np.diag(imp["cov_all"])
        names = mod.ov + mod.lv
        pos = {v: i for i, v in enumerate(names)}
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.where(var_all > 0, var_all, np.nan))
        resvar = {lhs[k]: est[k] for k in mod.rows if op[k] == "~~" and lhs[k] == rhs[k]}

        def s_(v):  # the SD a variable is divided by (latent and non-x observed: implied SD; x: 1)
            return 1.0 if v in xs else sd[pos[v]]

        for k in mod.rows:
            e, a, o, b = est[k], lhs[k], op[k], rhs[k]
            if o == "=~":
                out[k] = e * s_(a) / s_(b)
            elif o == "~":
                out[k] = e * s_(b) / s_(a)
            elif o == "~~" and a == b:
                out[k] = e / s_(a) ** 2
            elif o == "~~":
                if a in xs and b in xs:
                    out[k] = e
                else:
                    ra = 1.0 if a in xs else np.sqrt(abs(resvar.get(a, np.nan)))
                    rb = 1.0 if b in xs else np.sqrt(abs(resvar.get(b, np.nan)))
                    out[k] = e / (ra * rb)
            elif o == "~1":
                out[k] = e / s_(a)
    return out


class StandardizePlan:
    """Vectorized std.all of every partable row for one set of models (the conventions of :func:`standardize`),
    for many refits of the same model (the bootstrap).

    With ``sd`` the model-implied SDs of all variables (observed and latent): ``=~`` rows ``est * sd[f] /
    sd[x]``, ``~`` rows ``est * sd[x] / sd[y]``, variances ``est / sd^2``, covariances ``est / sqrt(|res_a
    res_b|)`` (residual correlations), intercepts ``est / sd``.
    """

    def __init__(self, pt: pd.DataFrame, models: list):
        lhs, op, rhs = (pt[c].to_numpy() for c in ("lhs", "op", "rhs"))
        self.is_def = op == ":="
        self.groups = []
        self.group_of = list(range(len(models)))
        for mod in models:
            names = mod.ov + mod.lv
            pos = {v: i for i, v in enumerate(names)}
            rows = np.asarray(mod.rows)
            var_row = {}
            for k in rows:
                if op[k] == "~~" and lhs[k] == rhs[k]:
                    var_row[lhs[k]] = k
            num, den, kind = [], [], []  # kind 0: e*sd[num]/sd[den]; 1: e/sd[num]^2; 2: e/sqrt(|v_a v_b|); 3: e/sd
            for k in rows:
                a, o, b = lhs[k], op[k], rhs[k]
                if o == "=~":
                    num.append(pos[a]); den.append(pos[b]); kind.append(0)
                elif o == "~":
                    num.append(pos[b]); den.append(pos[a]); kind.append(0)
                elif o == "~~" and a == b:
                    num.append(pos[a]); den.append(pos[a]); kind.append(1)
                elif o == "~~":
                    num.append(var_row.get(a, -1)); den.append(var_row.get(b, -1)); kind.append(2)
                elif o == "~1":
                    num.append(pos[a]); den.append(pos[a]); kind.append(3)
                elif o == "|":
                    num.append(pos[a]); den.append(pos[a]); kind.append(4)
                else:
                    num.append(0); den.append(0); kind.append(-1)
            self.groups.append((rows, np.array(num), np.array(den), np.array(kind)))
        # thresholds are not RAM rows: add them per group
        grp = pt["group"].to_numpy()
        for gi, mod in enumerate(models):
            pos = {v: i for i, v in enumerate(mod.ov + mod.lv)}
            th = np.flatnonzero((op == "|") & (grp == gi + 1))
            if len(th):
                self.groups.append((th, np.array([pos[lhs[k]] for k in th]), np.array([pos[lhs[k]] for k in th]),
                                    np.full(len(th), 4)))
                self.group_of.append(gi)

    def __call__(self, est: np.ndarray, implied: list) -> np.ndarray:
        out = np.full(len(est), np.nan)
        for (rows, num, den, kind), gi in zip(self.groups, self.group_of):
            imp = implied[gi]
            v = np.diag(imp["cov_all"])
            with np.errstate(invalid="ignore", divide="ignore"):
                sd = np.sqrt(np.where(v > 0, v, np.nan))
                e = est[rows]
                res = np.full(len(rows), np.nan)
                k0, k1, k2, k3, k4 = (kind == 0), (kind == 1), (kind == 2), (kind == 3), (kind == 4)
                res[k0] = e[k0] * sd[num[k0]] / sd[den[k0]]
                res[k1] = e[k1] / sd[num[k1]] ** 2
                ra = np.where(num[k2] >= 0, np.sqrt(np.abs(est[np.maximum(num[k2], 0)])), np.nan)
                rb = np.where(den[k2] >= 0, np.sqrt(np.abs(est[np.maximum(den[k2], 0)])), np.nan)
                res[k2] = e[k2] / (ra * rb)
                res[k3] = e[k3] / sd[num[k3]]
                res[k4] = e[k4] / sd[num[k4]]
            out[rows] = res
        return out

    def batch(self, est: np.ndarray, var_all: list[np.ndarray]) -> np.ndarray:
        """std.all of many refits at once: ``est`` (R, rows), ``var_all[g]`` the implied variances of all
        variables of group g, (R, n)."""
        out = np.full(est.shape, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            for (rows, num, den, kind), gi in zip(self.groups, self.group_of):
                v = var_all[gi]
                sd = np.sqrt(np.where(v > 0, v, np.nan))
                e = est[:, rows]
                res = np.full(e.shape, np.nan)
                for code in range(5):
                    sel = kind == code
                    if not sel.any():
                        continue
                    if code == 0:
                        res[:, sel] = e[:, sel] * sd[:, num[sel]] / sd[:, den[sel]]
                    elif code == 1:
                        res[:, sel] = e[:, sel] / sd[:, num[sel]] ** 2
                    elif code == 2:
                        na, nb = num[sel], den[sel]
                        ra = np.where(na >= 0, np.sqrt(np.abs(est[:, np.maximum(na, 0)])), np.nan)
                        rb = np.where(nb >= 0, np.sqrt(np.abs(est[:, np.maximum(nb, 0)])), np.nan)
                        res[:, sel] = e[:, sel] / (ra * rb)
                    else:
                        res[:, sel] = e[:, sel] / sd[:, num[sel]]
                out[:, rows] = res
        return out
