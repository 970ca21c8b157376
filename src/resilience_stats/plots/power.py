"""Power curves from a Monte Carlo power analysis."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import DataError
from . import theme
from ._common import table_frame, tr, wrap

__all__ = ["power_curves"]

_METRICS = ("power", "coverage", "bias", "converged_share")


_CLUSTERS = {"en": "Number of clusters", "zh": "群组数"}


def power_curves(
    table: Any,
    params: Sequence[str] | None = None,
    *,
    metrics: Sequence[str] = ("power",),
    target: float = 0.80,
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
    width: float | str | None = None,
):
    """Power (and optionally CI coverage, bias, convergence) against sample size, one line per parameter.

    For a two-level power table (``n_clusters`` column) the x axis is the number of clusters, unlabelled
    parameters are named with their level ("y1 ~~ y1 (between)"), and with several cluster sizes each
    parameter has one line per size ("a (m = 15)").

    Parameters
    ----------
    table : pandas.DataFrame or object with ``.table``
        The power table: n, lhs, op, rhs, label, power, bias, coverage, converged_share.
    params : list of str, optional
        Parameters to show, by label (or "lhs op rhs" for unlabelled ones); default all.
    metrics : list of str, default ("power",)
        One panel each, from power, coverage, bias, converged_share.
    target : float, default 0.80
        Reference line on the power panel; the smallest n reaching it is marked on each curve.
    labels : dict, optional
        Display names of the parameters.
    lang : {"en", "zh"}
    width : "single", "double", float or None
        Default: single column for one panel, double for more.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per metric; one line (``gid="power:<param>"`` etc.) per parameter.

    Examples
    --------
    >>> fig = rs.plots.power_curves(pw.table, ["a1", "b1", "ind_net"])  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    bad = [m for m in metrics if m not in _METRICS]
    if bad:
        raise ValueError(f"unknown metric(s) {', '.join(bad)}; choose from {', '.join(_METRICS)}")
    from ..power import parameter_names

    frame = table_frame(table, ["n", "lhs", "op", "rhs", *metrics], "power_curves").copy()
    frame["param"] = parameter_names(frame)
    x = "n_clusters" if "n_clusters" in frame.columns else "n"
    order = list(dict.fromkeys(frame["param"]))
    if params is not None:
        unknown = [p for p in params if p not in order]
        if unknown:
            raise DataError(f"unknown parameter(s) {', '.join(unknown)}; the table has {', '.join(order)}")
        order = list(params)
    sizes = list(dict.fromkeys(frame["cluster_size"])) if "cluster_size" in frame.columns else []
    if len(sizes) > 1:
        frame["param"] = [f"{p} (m = {m})" for p, m in zip(frame["param"], frame["cluster_size"])]
        order = [f"{p} (m = {m})" for p in order for m in sizes]
    labels = dict(labels or {})
    width = width or ("single" if len(metrics) == 1 else "double")
    with theme.plot_context(lang) as lang:
        fig_w = theme.figsize(width)[0]
        fig, axes = plt.subplots(1, len(metrics), figsize=(fig_w, 2.5 if len(metrics) > 1 else fig_w * 0.75),
                                 squeeze=False, sharex=True)
        colors = theme.categorical_colors(len(order))
        for ax, metric in zip(axes[0], metrics):
            for k, p in enumerate(order):
                s = frame[frame["param"] == p].sort_values(x)
                ax.plot(s[x], s[metric], color=colors[k], marker=theme.MARKERS[k % 8],
                        linestyle=theme.LINESTYLES[k % 8], markersize=3.5, label=wrap(labels.get(p, p), 22),
                        gid=f"{metric}:{p}")
                if metric == "power":
                    reach = s[s["power"] >= target]
                    if len(reach):
                        n0 = reach[x].iloc[0]
                        ax.annotate(f"{n0:g}", (n0, reach["power"].iloc[0]), xytext=(3, -9),
                                    textcoords="offset points", fontsize=5.5, color=colors[k], gid="n_target")
            if metric == "power":
                ax.axhline(target, color=theme.GRAY, linestyle=":", linewidth=0.8, zorder=0)
                ax.set_ylim(0, 1.03)
            elif metric == "coverage":
                ax.axhline(0.95, color=theme.GRAY, linestyle=":", linewidth=0.8, zorder=0)
            elif metric == "bias":
                ax.axhline(0.0, color=theme.GRAY, linestyle=":", linewidth=0.8, zorder=0)
            ax.set_ylabel(tr(metric, lang))
        fig.supxlabel(_CLUSTERS[lang] if x == "n_clusters" else tr("sample_size", lang), fontsize=8)
        axes[0][-1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
