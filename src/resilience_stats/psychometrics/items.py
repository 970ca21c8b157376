"""Item analysis: descriptive statistics, floor/ceiling effects, corrected item-total correlations and
alpha-if-item-deleted, per construct.

Missing data: descriptives use each item's observed values.  ``r_drop`` and ``alpha_if_deleted`` follow
``psych::alpha`` (``use = "pairwise"``): with ``C`` the pairwise complete covariance matrix of the
construct's items, ``r_drop_i = (sum(C[, i]) - C[i, i]) / sqrt(C[i, i] * sum(C[-i, -i]))`` and
``alpha_if_deleted_i`` is raw alpha of ``C[-i, -i]``.  ``missing="listwise"`` uses the construct's complete
rows instead (for these two columns).

Skewness and kurtosis are psych ``describe``'s default (type 3): ``g1 ((n-1)/n)^1.5`` and
``g2* ((n-1)/n)^2 - 3`` with the moment estimators g1 = m3/m2^1.5, m4/m2^2.

Ceiling and floor effects (:data:`CEILING_RULE`): an item has a ceiling effect when more than
``floor_ceiling_cut`` % (15 %, the usual cut of Terwee et al., 2007) of its answers are the scale's top
category *and* its mean plus one standard deviation lies beyond the top of the scale (the answers pile up
against the end); a floor effect likewise at the bottom.  The second condition keeps an ordinary item
(e.g. mean 3.5, SD 1 on a 1-5 scale, where 15-25 % choose 5) from being flagged: only items whose spread is
cut off by the scale's end are.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, ResilienceStatsWarning
from ._common import check_items, pairwise_cov, resolve_items

__all__ = ["item_analysis", "corrected_item_total", "CEILING_RULE"]

#: The rule behind ``flag_floor``/``flag_ceiling``, in words (the report states it).
CEILING_RULE = {
    "en": "ceiling (floor) effect: more than {cut:g}% of the answers in the top (bottom) category and the mean "
          "plus (minus) one SD beyond the end of the scale",
    "zh": "天花板（地板）效应：选择最高（最低）选项的比例超过 {cut:g}%，且均值加（减）一个标准差超出量表端点",
}

_COLUMNS = ["item", "construct", "n", "mean", "sd", "skew", "kurtosis", "pct_missing", "pct_floor", "pct_ceiling",
            "r_drop", "alpha_if_deleted", "flag_weak", "flag_floor", "flag_ceiling", "note"]


def corrected_item_total(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(r_drop, alpha_if_deleted) per item from a covariance matrix, as psych::alpha."""
    k = c.shape[0]
    total = c.sum()
    col = c.sum(axis=0)
    diag = np.diag(c)
    v_drop = total - 2 * col + diag                       # sum(C[-i, -i])
    r_drop = (col - diag) / np.sqrt(diag * v_drop)
    if k < 3:
        return r_drop, np.full(k, np.nan)
    tr = np.trace(c)
    alpha_drop = (1.0 - (tr - diag) / v_drop) * (k - 1) / (k - 2)
    return r_drop, alpha_drop


def _moments(v: np.ndarray) -> tuple[float, float]:
    n = v.size
    d = v - v.mean()
    m2 = (d**2).mean()
    if n < 3 or m2 == 0:
        return float("nan"), float("nan")
    skew = (d**3).mean() / m2**1.5 * ((n - 1) / n) ** 1.5
    kurt = (d**4).mean() / m2**2 * ((n - 1) / n) ** 2 - 3.0
    return float(skew), float(kurt)


def item_analysis(
    data: Any,
    by_construct: bool = True,
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
    missing: str = "pairwise",
    weak_cut: float = 0.30,
    floor_ceiling_cut: float = 15.0,
) -> pd.DataFrame:
    """One row per item: descriptives, floor/ceiling percentages, r_drop, alpha-if-deleted and flags.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (constructs and scale bounds from its instrument) or a DataFrame of items (one scale).
    by_construct : bool, default True
        Corrected item-total statistics within each construct; ``False`` treats all items as one scale
        (construct ``"all"``).
    constructs : mapping, optional
        ``{name: [items]}`` overriding the instrument's constructs.
    reverse : sequence of str, optional
        Reverse-keyed items to recode ``(min + max) - x`` first (leave None when the data are scored).
    missing : {"pairwise", "listwise"}
        Missing-data rule of ``r_drop``/``alpha_if_deleted`` (see module docstring).
    weak_cut : float, default 0.30
        ``flag_weak`` when ``r_drop`` is below it.
    floor_ceiling_cut : float, default 15
        ``flag_floor``/``flag_ceiling`` when more than this percentage of the observed answers sit at the
        scale minimum/maximum (the instrument's bounds when known, else the observed min/max of the item)
        and the mean minus/plus one SD lies beyond that end (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``item, construct, n, mean, sd, skew, kurtosis, pct_missing, pct_floor, pct_ceiling, r_drop,
        alpha_if_deleted, flag_weak, flag_floor, flag_ceiling, note`` (percentages in 0-100; ``note`` explains
        NaN values, e.g. alpha-if-deleted of a 2-item construct).

    Raises
    ------
    DataError
        Non-numeric, all-missing or constant items; a construct with fewer than 2 items.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 4, 4, 5, 3],
    ...                    "c": [1, 3, 3, 5, 4, 2], "d": [2, 1, 4, 3, 5, 4]})
    >>> ia = item_analysis(df)
    >>> ia[["item", "construct", "n"]].head(2).to_dict("records")
    [{'item': 'a', 'construct': 'scale', 'n': 6}, {'item': 'b', 'construct': 'scale', 'n': 6}]
    >>> round(float(ia.loc[0, "r_drop"]), 3)
    0.968
    """
    if missing not in ("pairwise", "listwise"):
        raise DataError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    item_data = resolve_items(data, constructs, reverse)
    groups = item_data.constructs if by_construct else {"all": list(item_data.items.columns)}
    n_rows = item_data.items.shape[0]
    rows = []
    for name, ids in groups.items():
        items = item_data.items[ids]
        check_items(items, f"construct {name!r}")
        x = items.to_numpy()
        xc = x[~np.isnan(x).any(axis=1)] if missing == "listwise" else x
        if missing == "listwise" and xc.shape[0] < 2:
            raise DataError(f"construct {name!r}: fewer than 2 complete rows for listwise deletion")
        c = np.cov(xc, rowvar=False) if missing == "listwise" else pairwise_cov(xc)
        r_drop, a_drop = corrected_item_total(c)
        for j, it in enumerate(ids):
            v = x[:, j][~np.isnan(x[:, j])]
            lo, hi = item_data.bounds.get(it, (v.min(), v.max()))
            skew, kurt = _moments(v)
            note = "alpha_if_deleted undefined for a 2-item construct" if len(ids) < 3 else ""
            rows.append({
                "item": it, "construct": name, "n": int(v.size), "mean": float(v.mean()),
                "sd": float(v.std(ddof=1)), "skew": skew, "kurtosis": kurt,
                "pct_missing": 100.0 * (n_rows - v.size) / n_rows if n_rows else float("nan"),
                "pct_floor": 100.0 * float(np.mean(v <= lo)), "pct_ceiling": 100.0 * float(np.mean(v >= hi)),
                "r_drop": float(r_drop[j]), "alpha_if_deleted": float(a_drop[j]), "note": note,
                "_lo": float(lo), "_hi": float(hi),
            })
    out = pd.DataFrame(rows, columns=[c for c in _COLUMNS if not c.startswith("flag_")] + ["_lo", "_hi"])
    out["flag_weak"] = out["r_drop"] < weak_cut
    out["flag_floor"] = (out["pct_floor"] > floor_ceiling_cut) & (out["mean"] - out["sd"] < out.pop("_lo"))
    out["flag_ceiling"] = (out["pct_ceiling"] > floor_ceiling_cut) & (out["mean"] + out["sd"] > out.pop("_hi"))
    neg = out.loc[out["r_drop"] < 0, "item"].tolist()
    if neg:
        warnings.warn(f"item_analysis: negative corrected item-total correlation for {', '.join(neg)} "
                      "(reverse-keyed items not recoded?)", ResilienceStatsWarning, stacklevel=2)
    return out[_COLUMNS]
