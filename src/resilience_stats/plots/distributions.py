"""Item and construct-score distributions, and the construct-score correlation heatmap."""

from __future__ import annotations

import warnings

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import construct_label, display_width, fmt_num, scores_frame, select, tr, wrap
from .likert import _wave_parts, likert_proportions

__all__ = ["item_distributions", "score_distributions", "correlation_heatmap"]


def _grid(n: int, col_wrap: int, width, panel_h: float):
    import matplotlib.pyplot as plt

    ncol = max(1, min(col_wrap, n))
    nrow = math.ceil(n / ncol)
    fig_w = theme.figsize(width)[0]
    fig, axes = plt.subplots(nrow, ncol, figsize=(fig_w, panel_h * nrow + 0.3), squeeze=False)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.remove()
    return fig, list(flat[:n])


def item_distributions(
    wave: Any,
    constructs: str | Sequence[str] | None = None,
    *,
    items: Sequence[str] | None = None,
    lang: str = "en",
    as_answered: bool = False,
    col_wrap: int = 6,
    width: float | str = "double",
    instrument: Any = None,
):
    """Response frequencies of each item as small bar charts (one panel per item, questionnaire order).

    Parameters
    ----------
    wave : SurveyWave
        The wave (or its ``data`` with ``instrument=``).
    constructs : str or list of str, optional
        Constructs whose items to show (default: all items).
    items : list of str, optional
        Explicit items (overrides ``constructs``).
    lang : {"en", "zh"}
    as_answered : bool, default False
        False shows the analysed values (reverse-keyed items recoded, titled "(R)"); True shows them as
        answered.
    col_wrap : int, default 6
        Panels per row.
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        One axes per item; one bar (Rectangle patch) per scale category.

    Examples
    --------
    >>> fig = rs.plots.item_distributions(wave, "TRUST")  # doctest: +SKIP
    """
    from matplotlib.ticker import MaxNLocator

    data, inst = _wave_parts(wave, instrument)
    if items is None:
        names = select(constructs, list(inst.construct_items), "construct")
        items = [i for c in names for i in inst.construct_items[c] if i in data.columns]
    if not items:
        raise DataError("no items to plot")
    props = likert_proportions(data, items, as_answered=as_answered, instrument=inst)
    codes = [c for c in props.columns if c != "n"]
    with theme.plot_context(lang) as lang:
        fig, axes = _grid(len(items), col_wrap, width, 0.95)
        for ax, item in zip(axes, items):
            counts = props.loc[item, codes].to_numpy(dtype=float) * props.loc[item, "n"]
            ax.bar([str(c) for c in codes], counts, color=theme.categorical_colors(1)[0], width=0.75)
            reverse = item in inst.reverse_items and not as_answered
            ax.set_title(item + (" (R)" if reverse else ""), fontsize=7)
            ax.tick_params(labelsize=6)
            ax.yaxis.set_major_locator(MaxNLocator(3, integer=True))
        fig.supxlabel(tr("response", lang), fontsize=7)
        fig.supylabel(tr("count", lang), fontsize=7)
    return fig


def score_distributions(
    data: Any,
    constructs: str | Sequence[str] | None = None,
    *,
    lang: str = "en",
    bins: int | str = "auto",
    kde: bool = True,
    col_wrap: int = 4,
    width: float | str = "double",
    instrument: Any = None,
):
    """Histograms of construct scores (one panel per construct), with the mean marked.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (its ``scores()`` are used) or a DataFrame of construct scores (one column per construct).
    constructs : str or list of str, optional
        Default: every construct column.
    lang : {"en", "zh"}
        Panel titles use the instrument's construct names in ``lang`` (ids when no instrument is known).
    bins : int or str, default "auto"
    kde : bool, default True
        Overlay a kernel density estimate (seaborn).
    col_wrap : int, default 4
    width : "single", "double" or float
    instrument : Instrument, optional
        For construct names when ``data`` is a DataFrame.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per construct.

    Examples
    --------
    >>> fig = rs.plots.score_distributions(wave, lang="zh")  # doctest: +SKIP
    """
    import seaborn as sns

    frame, cols, inst = scores_frame(data, instrument)
    names = select(constructs, cols, "construct")
    with theme.plot_context(lang) as lang:
        fig, axes = _grid(len(names), col_wrap, width, 1.35)
        color = theme.categorical_colors(1)[0]
        for ax, name in zip(axes, names):
            x = pd.to_numeric(frame[name], errors="coerce").dropna()
            if x.empty:
                raise DataError(f"construct {name!r} has no scores")
            sns.histplot(x=x, bins=bins, kde=kde and x.nunique() > 2, ax=ax, color=color, edgecolor="white",
                         linewidth=0.3, alpha=0.55, line_kws={"linewidth": 1.0})
            ax.axvline(x.mean(), color=theme.DARK, linestyle="--", linewidth=0.8)
            ax.set_title(wrap(construct_label(inst, name, lang), 26), fontsize=7)
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.tick_params(labelsize=6)
        fig.supxlabel(tr("mean_score", lang), fontsize=7)
        fig.supylabel(tr("count", lang), fontsize=7)
    return fig


def correlation_heatmap(
    data: Any,
    constructs: str | Sequence[str] | None = None,
    *,
    lang: str = "en",
    method: str = "pearson",
    triangle: str = "lower",
    digits: int = 2,
    width: float | str = "single",
    instrument: Any = None,
):
    """Heatmap of the correlations between construct scores, with the values printed in the cells.

    Parameters
    ----------
    data : SurveyWave, pandas.DataFrame
        A wave, a DataFrame of construct scores, or an already computed square correlation matrix (index equal
        to columns), which is drawn as given.
    constructs : str or list of str, optional
    lang : {"en", "zh"}
    method : {"pearson", "spearman", "kendall"}
        Used when correlating scores (pairwise complete observations).
    triangle : {"lower", "upper", "full"}
        Which cells to show (the diagonal is hidden for "lower"/"upper").
    digits : int, default 2
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 is the heatmap (one text label per shown cell), axes 1 the colour bar.

    Examples
    --------
    >>> fig = rs.plots.correlation_heatmap(wave, lang="zh")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if triangle not in ("lower", "upper", "full"):
        raise ValueError(f"triangle must be 'lower', 'upper' or 'full', not {triangle!r}")
    if isinstance(data, pd.DataFrame) and data.shape[0] == data.shape[1] and list(data.index) == list(data.columns):
        corr, inst = data.astype(float), instrument
        names = select(constructs, list(corr.columns), "construct")
        corr = corr.loc[names, names]
    else:
        frame, cols, inst = scores_frame(data, instrument)
        names = select(constructs, cols, "construct")
        if len(names) < 2:
            raise DataError("a correlation heatmap needs at least two constructs")
        corr = frame[names].apply(pd.to_numeric, errors="coerce").corr(method=method)
    k = len(names)
    mask = np.zeros((k, k), dtype=bool)
    if triangle == "lower":
        mask = np.triu(np.ones((k, k), dtype=bool))
    elif triangle == "upper":
        mask = np.tril(np.ones((k, k), dtype=bool))
    annot = np.vectorize(lambda v: fmt_num(v, digits, lead_zero=False))(corr.to_numpy())
    with theme.plot_context(lang) as lang:
        fig_w = theme.figsize(width)[0]
        fig, ax = plt.subplots(figsize=(fig_w, fig_w * 0.85))
        full = [construct_label(inst, n, lang) for n in names]
        numbered = any(display_width(t) > 10 for t in full)
        if numbered:  # APA style: "1. Long construct name" on the rows, "1" "2" ... on the columns
            ylabels = [wrap(f"{i}. {t}", 26) for i, t in enumerate(full, 1)]
            xlabels = [str(i) for i in range(1, k + 1)]
        else:
            ylabels = xlabels = full
        with warnings.catch_warnings():  # seaborn 0.13 calls Colormap.set_bad (deprecated in matplotlib 3.11)
            warnings.filterwarnings("ignore", message="The set_bad function", category=PendingDeprecationWarning)
            sns.heatmap(corr, mask=mask, vmin=-1, vmax=1, cmap=theme.CORRELATION_CMAP, annot=annot, fmt="",
                        annot_kws={"fontsize": 6}, square=True, linewidths=0.5, linecolor="white", ax=ax,
                        cbar_kws={"shrink": 0.6, "label": tr("correlation", lang)}, xticklabels=xlabels,
                        yticklabels=ylabels)
        # the empty last column (lower) / first column (upper) carries no information; the empty first/last
        # row is kept when rows are numbered, so every number is named
        if triangle == "lower":
            ax.set_xlim(0, k - 1)
            ax.set_ylim(k, 0 if numbered else 1)
        elif triangle == "upper":
            ax.set_xlim(1, k)
            ax.set_ylim(k if numbered else k - 1, 0)
        ax.tick_params(length=0)
        if not numbered:
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        else:
            plt.setp(ax.get_xticklabels(), rotation=0)
        plt.setp(ax.get_yticklabels(), rotation=0)
        ax.tick_params(labelsize=6.5)
    return fig
