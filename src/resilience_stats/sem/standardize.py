"""Standardized solutions ``std.lv`` and ``std.all`` with lavaan's conventions.

* std.lv: latent variables scaled to unit (model-implied total) variance.
* std.all: in addition, observed variables scaled by their model-implied standard deviations.
* Covariances between two variables are divided by the square roots of their (residual) variance estimates,
  i.e. they become (residual) correlations, as in lavaan (``cov.std = TRUE``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["standardize"]


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
