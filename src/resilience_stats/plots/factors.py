"""Scree plot with the parallel-analysis reference line, and the loadings heatmap (EFA or CFA)."""

from __future__ import annotations

import warnings

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import construct_label, display_width, estimates_frame, fmt_num, tr, wrap

__all__ = ["scree", "loadings_heatmap", "loadings_table"]


def scree(
    result: Any,
    *,
    lang: str = "en",
    max_factors: int | None = None,
    show_mean: bool = False,
    width: float | str = "single",
):
    """Scree plot: observed eigenvalues, the parallel-analysis reference line and the suggested number.

    Parameters
    ----------
    result : ParallelResult or pandas.DataFrame
        :func:`resilience_stats.parallel_analysis` output (or its ``eigenvalues`` table: position, observed,
        simulated_mean, simulated_quantile, retain).
    lang : {"en", "zh"}
    max_factors : int, optional
        Show only the first positions (default: all).
    show_mean : bool, default False
        Also draw the mean of the simulated eigenvalues.
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        One axes: observed line (``gid="observed"``), reference line (``gid="reference"``), and a vertical
        marker at the suggested number of factors (``gid="suggested"``).

    Examples
    --------
    >>> pa = rs.parallel_analysis(wave, n_iter=100)  # doctest: +SKIP
    >>> fig = rs.plots.scree(pa, max_factors=12)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    table = result if isinstance(result, pd.DataFrame) else getattr(result, "eigenvalues", None)
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"scree needs a ParallelResult or its eigenvalues DataFrame, got {type(result).__name__}")
    need = ["position", "observed", "simulated_quantile"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError(f"the eigenvalues table lacks column(s) {', '.join(missing)}")
    n_factors = None if isinstance(result, pd.DataFrame) else getattr(result, "n_factors", None)
    if n_factors is None:
        retain = table["retain"].to_numpy(bool) if "retain" in table.columns else (
            table["observed"] > table["simulated_quantile"]).to_numpy()
        n_factors = int(np.argmin(retain)) if not retain.all() else len(retain)
    is_result = not isinstance(result, pd.DataFrame)
    q = 100 * float(getattr(result, "quantile", 0.95)) if is_result else 95.0
    pca = is_result and getattr(result, "kind", "fa") == "pca"
    if max_factors is not None:
        table = table[table["position"] <= max_factors]
    with theme.plot_context(lang) as lang:
        fig, ax = plt.subplots(figsize=theme.figsize(width, aspect=0.72))
        colors = theme.categorical_colors(2)
        ax.plot(table["position"], table["observed"], marker="o", color=colors[0], label=tr("observed", lang),
                gid="observed", zorder=3)
        ax.plot(table["position"], table["simulated_quantile"], linestyle="--", marker="^", markersize=3,
                markerfacecolor="white", color=theme.GRAY, label=tr("simulated", lang, q=q), gid="reference")
        if show_mean and "simulated_mean" in table.columns:
            ax.plot(table["position"], table["simulated_mean"], linestyle=":", color=theme.GRAY,
                    label=tr("simulated_mean", lang), gid="reference_mean")
        if n_factors:
            ax.axvline(n_factors, color=colors[1], linewidth=0.8, linestyle="-.", gid="suggested",
                       label=tr("suggested_pca" if pca else "suggested", lang, k=n_factors))
            hit = table[table["position"] == n_factors]
            if len(hit):
                ax.plot(n_factors, hit["observed"].iloc[0], marker="o", markersize=7, markerfacecolor="none",
                        markeredgecolor=colors[1], linestyle="none")
        ax.axhline(0 if not pca else 1, color=theme.LIGHT, linewidth=0.6, zorder=0)
        ax.set_xlabel(tr("component_number" if pca else "factor_number", lang))
        ax.set_ylabel(tr("eigenvalue", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper right")
    return fig


def loadings_table(result: Any, std: str = "std_all") -> pd.DataFrame:
    """Items x factors loadings from an EFA result, a CFA/SEM result (first-order ``=~`` rows with observed
    indicators, column ``std``; zero where an item does not load) or a DataFrame (returned as is).

    Examples
    --------
    >>> loadings_table(cfa_fit).loc["net2", "NET"]  # doctest: +SKIP
    0.71
    """
    if isinstance(result, pd.DataFrame) and "op" not in result.columns:
        return result.astype(float)
    if hasattr(result, "loadings") and isinstance(result.loadings, pd.DataFrame):
        return result.loadings.astype(float)
    est = estimates_frame(result)
    meas = est[est["op"] == "=~"]
    latent = set(meas["lhs"])
    meas = meas[~meas["rhs"].isin(latent)]  # second-order loadings are not item loadings
    if meas.empty:
        raise DataError("the result has no measurement (=~) rows with observed indicators")
    col = std if std in meas.columns else "est"
    wide = meas.pivot_table(index="rhs", columns="lhs", values=col, aggfunc="first", sort=False)
    items = list(dict.fromkeys(meas["rhs"]))
    factors = list(dict.fromkeys(meas["lhs"]))
    return wide.reindex(index=items, columns=factors).fillna(0.0)


def loadings_heatmap(
    result: Any,
    *,
    lang: str = "en",
    instrument: Any = None,
    std: str = "std_all",
    cut: float = 0.30,
    item_labels: str = "id",
    factor_labels: str = "auto",
    digits: int = 2,
    width: float | str = "single",
):
    """Heatmap of factor loadings (items x factors), values printed in the cells at or above ``cut``.

    Parameters
    ----------
    result : EFAResult, SEMResult or pandas.DataFrame
        ``efa()`` output (its pattern ``loadings``), a fitted CFA/SEM (standardized first-order loadings, column
        ``std``), or an items x factors DataFrame.
    lang : {"en", "zh"}
    instrument : Instrument, optional
        Gives construct names for CFA factor columns and item wording for ``item_labels="text"``.
    std : {"std_all", "std_lv", "est"}
        Which CFA/SEM estimate to draw.
    cut : float, default 0.30
        Loadings below it in absolute value are shaded but not printed.
    item_labels : {"id", "text"}
    factor_labels : {"auto", "name", "id"}
        Column heads: construct names in ``lang`` (needs ``instrument``), ids, or names when all are short.
    digits : int, default 2
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0: heatmap (one text per printed loading); axes 1: colour bar.

    Examples
    --------
    >>> fig = rs.plots.loadings_heatmap(rs.efa(wave, n_factors=7))  # doctest: +SKIP
    >>> fig = rs.plots.loadings_heatmap(cfa_fit, instrument=wave.instrument, lang="zh")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if item_labels not in ("id", "text"):
        raise ValueError(f"item_labels must be 'id' or 'text', not {item_labels!r}")
    table = loadings_table(result, std=std)
    values = table.to_numpy(dtype=float)
    annot = np.where(np.abs(values) >= cut, np.vectorize(lambda v: fmt_num(v, digits, lead_zero=False))(values), "")
    n_items, n_fac = table.shape
    with theme.plot_context(lang) as lang:
        def row_label(item: str) -> str:
            if item_labels == "text" and instrument is not None:
                try:
                    return wrap(instrument.item_text(item, lang), 40)
                except KeyError:
                    return item
            return item

        fig_w = theme.figsize(width)[0]
        per_row = 0.16 if item_labels == "id" else 0.3
        fig, ax = plt.subplots(figsize=(fig_w, max(2.0, per_row * n_items + 0.9)))
        names = [construct_label(instrument, f, lang) for f in table.columns]
        use_names = factor_labels == "name" or (factor_labels == "auto" and all(display_width(t) <= 12 for t in names))
        cols = names if use_names else [str(f) for f in table.columns]
        with warnings.catch_warnings():  # seaborn 0.13 calls Colormap.set_bad (deprecated in matplotlib 3.11)
            warnings.filterwarnings("ignore", message="The set_bad function", category=PendingDeprecationWarning)
            sns.heatmap(table, vmin=-1, vmax=1, center=0, cmap=theme.LOADING_CMAP, annot=annot, fmt="",
                        annot_kws={"fontsize": 5.5}, linewidths=0.4, linecolor="white", ax=ax,
                        cbar_kws={"shrink": 0.35, "label": tr("loading", lang), "aspect": 15},
                        xticklabels=cols, yticklabels=[row_label(i) for i in table.index])
        ax.tick_params(length=0)
        ax.xaxis.tick_top()
        plt.setp(ax.get_xticklabels(), rotation=0 if n_fac <= 4 else 45, ha="center" if n_fac <= 4 else "left",
                 rotation_mode="anchor", fontsize=6.5)
        plt.setp(ax.get_yticklabels(), rotation=0, fontsize=6)
        ax.set_xlabel("")
        ax.set_ylabel("")
    return fig
