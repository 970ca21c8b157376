"""Comparing nested models: one row per model with the fit measures to report and the difference test against the
previous model (what a "competing models" table shows).

The difference test is the one lavaan's ``lavTestLRT`` uses for the pair's estimator
(:func:`resilience_stats.sem.invariance.lrt_difference`): the plain chi-square difference (ML), the
Satorra-Bentler (2001) scaled difference (MLR, MLM), or Satorra's (2000) scaled-shifted difference (WLSMV, ULSMV).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError
from .fitmeasures import reported_fit

__all__ = ["compare_fits"]

COLUMNS = ["model", "n", "estimator", "scaled", "indices", "chisq", "df", "pvalue", "cfi", "tli", "rmsea",
           "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "delta_chisq", "delta_df", "p_diff", "delta_cfi",
           "delta_rmsea", "diff_method"]


def compare_fits(fits, *, differences: bool = True) -> pd.DataFrame:
    """Fit measures of several fitted models and difference tests against the previous one.

    Parameters
    ----------
    fits : mapping label -> SEMResult, or sequence of SEMResult / (label, SEMResult)
        In table order (e.g. the one-factor model, then the instrument's model); the models of consecutive rows
        should be nested for the difference test to mean anything.
    differences : bool, default True
        Add the difference columns (missing on the first row).

    Returns
    -------
    pandas.DataFrame
        model, n, estimator, scaled, indices, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower,
        rmsea_ci_upper, srmr (:func:`~resilience_stats.sem.fitmeasures.reported_fit`), and delta_chisq,
        delta_df, p_diff, delta_cfi, delta_rmsea, diff_method.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(1); f = rng.normal(size=(400, 2))
    >>> X = np.hstack([f[:, [0]] + rng.normal(size=(400, 3)), f[:, [1]] + rng.normal(size=(400, 3))])
    >>> df = pd.DataFrame(X, columns=[f"y{i}" for i in range(6)])
    >>> one = cfa(df, "F =~ y0 + y1 + y2 + y3 + y4 + y5")
    >>> two = cfa(df, "A =~ y0 + y1 + y2\\n B =~ y3 + y4 + y5")
    >>> t = compare_fits({"one factor": one, "two factors": two})
    >>> t["model"].tolist(), int(t.loc[1, "delta_df"])
    (['one factor', 'two factors'], 1)
    """
    from .invariance import lrt_difference

    pairs = _labelled(fits)
    if not pairs:
        raise ModelSpecificationError("compare_fits() needs at least one fitted model")
    rows = []
    for label, f in pairs:
        r = reported_fit(f)
        rows.append({"model": label, **{k: r[k] for k in COLUMNS[1:14]}})
    table = pd.DataFrame(rows, columns=COLUMNS[:14])
    if differences:
        for c in COLUMNS[14:]:
            table[c] = np.nan if c != "diff_method" else ""
        for i in range(1, len(pairs)):
            d = lrt_difference(pairs[i - 1][1], pairs[i][1])
            table.loc[i, "delta_chisq"] = d["delta_chisq"]
            table.loc[i, "delta_df"] = d["delta_df"]
            table.loc[i, "p_diff"] = d["pvalue"]
            table.loc[i, "delta_cfi"] = table.loc[i, "cfi"] - table.loc[i - 1, "cfi"]
            table.loc[i, "delta_rmsea"] = table.loc[i, "rmsea"] - table.loc[i - 1, "rmsea"]
            table.loc[i, "diff_method"] = d["method"]
    return table


def _labelled(fits) -> list:
    if isinstance(fits, Mapping):
        return [(str(k), v) for k, v in fits.items()]
    out = []
    for i, item in enumerate(fits):
        if isinstance(item, tuple) and len(item) == 2:
            out.append((str(item[0]), item[1]))
        else:
            out.append((f"Model {i + 1}", item))
    return out
