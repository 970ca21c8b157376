"""Figures of a composite index: scores per community (bars), indicators per community (heat map), scores
across waves (trend lines). They draw a :class:`~resilience_stats.indices.CompositeIndexResult`; nothing is
recomputed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import construct_label, tr, wrap

__all__ = ["index_bars", "index_heatmap", "index_trends"]

_WORDS = {
    "closeness": {"en": "Closeness to the ideal (TOPSIS)", "zh": "相对贴近度（TOPSIS）"},
    "weighted_sum": {"en": "Weighted composite score", "zh": "加权综合得分"},
    "normalized": {"en": "Normalized value", "zh": "标准化值"},
    "obstacle": {"en": "Obstacle degree (%)", "zh": "障碍度（%）"},
    "indicator": {"en": "Indicator", "zh": "指标"},
}


def _word(key: str, lang: str) -> str:
    return _WORDS[key][lang]


def _check(result: Any) -> None:
    if not all(hasattr(result, a) for a in ("scores", "weights", "obstacle", "options")):
        raise DataError(f"expected a CompositeIndexResult (rs.composite_index), got {type(result).__name__}")


def _score_column(result: Any, score: str | None) -> str:
    score = score or result.options["score"]
    if score not in ("topsis", "weighted"):
        raise DataError(f"score must be 'topsis' or 'weighted', not {score!r}")
    return "closeness" if score == "topsis" else "weighted_sum"


def _one_wave(frame: pd.DataFrame, result: Any, wave: Any) -> tuple[pd.DataFrame, Any]:
    """Rows of one wave (default: the last) when the result has waves; also the first ``by`` group only."""
    o = result.options
    for b in o["by"]:
        first = frame[b].iloc[0]
        frame = frame[frame[b] == first]
    if not o["wave"]:
        if wave is not None:
            raise DataError("wave= given but the index has no wave column")
        return frame, None
    waves = sorted(pd.unique(frame[o["wave"]]))
    chosen = waves[-1] if wave is None else wave
    if chosen not in waves:
        raise DataError(f"no wave {wave!r}; waves are {', '.join(map(str, waves))}")
    label = int(chosen) if isinstance(chosen, float) and chosen.is_integer() else chosen
    return frame[frame[o["wave"]] == chosen], label


def index_bars(result: Any, *, score: str | None = None, wave: Any = None, lang: str = "en",
               width: float | str = "single"):
    """Horizontal bars of the composite score of each community, best at the top (one wave: default the last).

    Examples
    --------
    >>> fig = rs.plots.index_bars(rs.composite_index(community_table, ["trust", "networks"]))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    _check(result)
    col = _score_column(result, score)
    rows, chosen = _one_wave(result.scores, result, wave)
    rows = rows.sort_values(col, ascending=True, kind="stable")
    ident = result.options["id"]
    with theme.plot_context(lang) as lang:
        fig, ax = plt.subplots(figsize=theme.figsize(width, height=0.6 + 0.16 * len(rows)))
        color = theme.categorical_colors(1)[0]
        y = np.arange(len(rows))
        ax.barh(y, rows[col], color=color, height=0.7, gid="score")
        ax.set_yticks(y, rows[ident].astype(str))
        for yi, v in zip(y, rows[col]):
            ax.text(v, yi, f" {v:.3f}", va="center", fontsize=6, color=theme.DARK)
        ax.set_xlabel(_word(col, lang))
        ax.set_ylabel(tr("community", lang))
        ax.set_xlim(0, max(1.0, float(rows[col].max()) * 1.18) if col == "closeness" else None)
        if chosen is not None:
            ax.set_title(tr("wave_n", lang, w=chosen))
    return fig


def index_heatmap(result: Any, *, values: str = "normalized", wave: Any = None, lang: str = "en",
                  instrument: Any = None, width: float | str = "double"):
    """Communities (rows, best first) by indicators (columns): normalized values or obstacle degrees (%),
    annotated.

    Examples
    --------
    >>> fig = rs.plots.index_heatmap(res, values="obstacle")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    _check(result)
    if values not in ("normalized", "obstacle"):
        raise DataError(f"values must be 'normalized' or 'obstacle', not {values!r}")
    o = result.options
    ident, inds = o["id"], list(o["indicators"])
    scores, chosen = _one_wave(result.scores, result, wave)
    order = scores.sort_values("rank", kind="stable")[ident].astype(str).tolist()
    if values == "normalized":
        frame, _ = _one_wave(result.normalized, result, chosen if o["wave"] else None)
        mat = frame.assign(_id=frame[ident].astype(str)).set_index("_id")[inds]
    else:
        frame, _ = _one_wave(result.obstacle, result, chosen if o["wave"] else None)
        mat = frame.assign(_id=frame[ident].astype(str)).pivot_table(index="_id", columns="indicator",
                                                                      values="obstacle")[inds] * 100
    mat = mat.reindex(order)
    with theme.plot_context(lang) as lang:
        fig, ax = plt.subplots(figsize=theme.figsize(width, height=0.9 + 0.2 * len(order)))
        cmap = "Blues" if values == "normalized" else "Oranges"
        vmax = 1.0 if values == "normalized" else max(float(np.nanmax(mat.to_numpy())), 1e-9)
        im = ax.imshow(mat.to_numpy(), aspect="auto", cmap=cmap, vmin=0, vmax=vmax)
        for i in range(mat.shape[0]):
            for j in range(mat.shape[1]):
                v = mat.iat[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.2f}" if values == "normalized" else f"{v:.1f}", ha="center", va="center",
                            fontsize=5.5, color="white" if v > 0.6 * vmax else theme.DARK)
        ax.set_xticks(range(len(inds)), [wrap(construct_label(instrument, i, lang), 14) for i in inds], fontsize=6)
        ax.set_yticks(range(len(order)), order, fontsize=6)
        ax.set_xlabel(_word("indicator", lang))
        ax.set_ylabel(tr("community", lang))
        fig.colorbar(im, ax=ax, shrink=0.8).set_label(_word(values, lang))
        if chosen is not None:
            ax.set_title(tr("wave_n", lang, w=chosen))
    return fig


def index_trends(result: Any, *, score: str | None = None, lang: str = "en", highlight: int = 5,
                 width: float | str = "single"):
    """The score of each community across waves: the ``highlight`` best communities of the last wave in
    colour (marker and line style differ), the others as thin gray lines.

    Raises
    ------
    DataError
        The index has fewer than two waves.

    Examples
    --------
    >>> fig = rs.plots.index_trends(res)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    _check(result)
    o = result.options
    if not o["wave"] or result.scores[o["wave"]].nunique() < 2:
        raise DataError("a trend plot needs scores of two or more waves (a wave column)")
    col = _score_column(result, score)
    rows, _ = _one_wave(result.scores, result, None)
    top = rows.sort_values(col, ascending=False, kind="stable")[o["id"]].astype(str).tolist()[:highlight]
    frame = result.scores
    for b in o["by"]:
        frame = frame[frame[b] == frame[b].iloc[0]]
    with theme.plot_context(lang) as lang:
        fig, ax = plt.subplots(figsize=theme.figsize(width, aspect=0.8))
        colors = theme.categorical_colors(len(top))
        for name, grp in frame.groupby(frame[o["id"]].astype(str), sort=True):
            grp = grp.sort_values(o["wave"])
            if name in top:
                k = top.index(name)
                ax.plot(grp[o["wave"]], grp[col], color=colors[k], marker=theme.MARKERS[k % 8],
                        linestyle=theme.LINESTYLES[k % 8], label=name, zorder=3, gid="highlight")
            else:
                ax.plot(grp[o["wave"]], grp[col], color=theme.LIGHT, linewidth=0.7, zorder=1, gid="community")
        ax.set_xlabel(tr("wave", lang))
        ax.set_ylabel(_word(col, lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        handles = dict(zip(*reversed(ax.get_legend_handles_labels())))      # label -> line, legend by rank
        fig.legend([handles[n] for n in top], top, loc="outside lower center", ncol=min(3, len(top)))
    return fig
