"""Forest plot of defined effects (``:=`` rows: indirect, total...) with their confidence intervals."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import estimates_frame, fmt_num, tr, wrap

__all__ = ["indirect_effects"]


def _defined(result: Any, effects: Sequence[str] | None) -> pd.DataFrame:
    est = estimates_frame(result)
    rows = est[est["op"] == ":="]
    if rows.empty:
        raise DataError("the result has no defined effects (':=' rows); add e.g. 'ind := a*b' to the model")
    for c in ("ci_lower", "ci_upper"):
        if c not in rows.columns:
            raise DataError(f"the estimates lack the {c} column needed for the confidence intervals")
    if effects is not None:
        missing = [e for e in effects if e not in set(rows["lhs"])]
        if missing:
            raise DataError(f"unknown defined effect(s) {', '.join(missing)}; the model defines "
                            f"{', '.join(rows['lhs'])}")
        rows = rows.set_index("lhs").loc[list(effects)].reset_index()
    return rows.reset_index(drop=True)


def indirect_effects(
    results: Any,
    effects: Sequence[str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
    ci_label: str | None = None,
    digits: int = 3,
    annotate: bool = True,
    width: float | str = "single",
):
    """Forest plot of defined effects (rows with op ``:=``) with their confidence intervals.

    Parameters
    ----------
    results : SEMResult, bootstrap result, DataFrame, or dict of them
        Anything with ``.estimates`` (lhs, op, rhs, est, ci_lower, ci_upper). A dict ``{name: result}`` draws
        several sets side by side (e.g. delta-method vs bootstrap CIs), distinguished by marker shape.
    effects : list of str, optional
        Defined parameters to show, in this order (default: all ``:=`` rows in model order).
    labels : dict, optional
        Display names of the effects (e.g. ``{"ind_net": "PBL → NET → RES"}``).
    lang : {"en", "zh"}
    ci_label : str, optional
        How the interval is described on the x axis (default "95% CI").
    digits : int, default 3
    annotate : bool, default True
        Print "est [lower, upper]" right of the plot (first result only).
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one marker per effect and result (filled when the CI excludes zero).

    Examples
    --------
    >>> fig = rs.plots.indirect_effects(boot, labels={"ind_net": "PBL → NET → RES"})  # doctest: +SKIP
    >>> fig = rs.plots.indirect_effects({"Delta": fit, "Bootstrap": boot})  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    sets = dict(results) if isinstance(results, Mapping) else {None: results}
    tables = {name: _defined(res, effects) for name, res in sets.items()}
    order = list(dict.fromkeys(e for t in tables.values() for e in t["lhs"]))
    labels = dict(labels or {})
    n_sets = len(tables)
    with theme.plot_context(lang) as lang:
        ci_label = ci_label or tr("ci", lang, p=95)
        fig_w = theme.figsize(width)[0]
        fig, ax = plt.subplots(figsize=(fig_w, 0.3 * len(order) * max(1, 0.7 * n_sets) + 0.8))
        offsets = np.linspace(-0.18, 0.18, n_sets) if n_sets > 1 else [0.0]
        colors = theme.categorical_colors(n_sets)
        for k, ((name, table), off) in enumerate(zip(tables.items(), offsets)):
            pos = {e: i for i, e in enumerate(order)}
            y = np.array([pos[e] for e in table["lhs"]], dtype=float) + off
            est = table["est"].to_numpy(float)
            lo, hi = table["ci_lower"].to_numpy(float), table["ci_upper"].to_numpy(float)
            excl = (lo > 0) | (hi < 0)
            ax.hlines(y, lo, hi, color=colors[k], linewidth=1.0, gid=f"ci:{name}")
            marker = theme.MARKERS[k % len(theme.MARKERS)]
            ax.scatter(est[excl], y[excl], marker=marker, s=18, color=colors[k], zorder=3,
                       label=name if name is not None else None)
            ax.scatter(est[~excl], y[~excl], marker=marker, s=18, facecolor="white", edgecolor=colors[k],
                       zorder=3, linewidth=0.9)
            if annotate and k == 0:
                for yi, e, a, b in zip(y - off, est, lo, hi):
                    ax.annotate(f"{fmt_num(e, digits)} [{fmt_num(a, digits)}, {fmt_num(b, digits)}]",
                                xy=(1.0, yi), xycoords=("axes fraction", "data"), xytext=(4, 0),
                                textcoords="offset points", ha="left", va="center", fontsize=6, gid="ci_text")
        ax.axvline(0, color=theme.GRAY, linewidth=0.7, linestyle="--", zorder=0)
        ax.set_yticks(range(len(order)), [wrap(labels.get(e, e), 24) for e in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(tr("estimate_ci", lang, ci=ci_label))
        if n_sets > 1:
            ax.legend(loc="best")
    return fig
