"""Diverging stacked bars of Likert responses, one panel per construct."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import construct_label, tr, wrap

__all__ = ["likert_bars", "likert_proportions"]


def _wave_parts(wave: Any, instrument: Any):
    if hasattr(wave, "data") and hasattr(wave, "instrument"):
        return wave.data, (instrument or wave.instrument)
    if isinstance(wave, pd.DataFrame):
        if instrument is None:
            raise DataError("likert_bars needs the instrument (wording, scale labels) when given a DataFrame")
        return wave, instrument
    raise DataError(f"expected a SurveyWave or a DataFrame of items, got {type(wave).__name__}")


def likert_proportions(wave: Any, items: Sequence[str] | None = None, *, as_answered: bool = True,
                       instrument: Any = None) -> pd.DataFrame:
    """Share of each response category per item (rows: items; columns: the scale's codes; plus ``n``).

    Parameters
    ----------
    wave : SurveyWave or pandas.DataFrame
        A wave (its cleaned, reverse-coded ``data``), or such a DataFrame with ``instrument``.
    items : list of str, optional
        Default: every item of the instrument found in the data.
    as_answered : bool, default True
        Undo the reverse-coding of reverse-keyed items, so each item's distribution matches its wording.
    instrument : Instrument, optional

    Returns
    -------
    pandas.DataFrame
        Proportions of valid answers (rows sum to 1) and the number of valid answers ``n``.

    Examples
    --------
    >>> likert_proportions(wave, ["pbl1", "pbl2"])  # doctest: +SKIP
    """
    data, inst = _wave_parts(wave, instrument)
    items = [i for i in inst.item_ids if i in data.columns] if items is None else list(items)
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise DataError(f"item(s) not in the data: {', '.join(absent)}")
    rows, codes_seen = {}, None
    for item in items:
        scale = inst.scale_of(item)
        codes = scale.codes
        if not codes:
            raise DataError(f"item {item!r} has an unbounded scale: no Likert categories to count")
        if codes_seen is not None and codes != codes_seen:
            raise DataError("the items of one Likert chart must share a response scale; plot them separately")
        codes_seen = codes
        x = pd.to_numeric(data[item], errors="coerce")
        if as_answered and item in inst.reverse_items:
            x = scale.min + scale.max - x
        valid = x[x.isin(codes)]
        counts = valid.value_counts().reindex(codes, fill_value=0)
        n = int(counts.sum())
        row = (counts / n if n else counts.astype(float) * np.nan).to_dict()
        row["n"] = n
        rows[item] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "item"
    return out


def likert_bars(
    wave: Any,
    constructs: str | Sequence[str] | None = None,
    *,
    items: Sequence[str] | None = None,
    lang: str = "en",
    label: str = "text",
    wrap_width: int = 48,
    as_answered: bool = True,
    percents: bool = True,
    width: float | str = "double",
    instrument: Any = None,
):
    """Diverging stacked bars of the response distribution of each item, one panel per construct.

    Disagreement extends left of zero, agreement right, and the neutral category (odd scales) is split
    across the centre line. Items are labelled with their wording from the instrument in ``lang`` (wrapped);
    the shares of disagreement and agreement are printed at the bar ends.

    Parameters
    ----------
    wave : SurveyWave
        The survey wave (or its ``data`` DataFrame with ``instrument=``).
    constructs : str or list of str, optional
        First-order constructs to show (default: all, in questionnaire order).
    items : list of str, optional
        Plot these items in one panel instead of by construct.
    lang : {"en", "zh"}
        Language of wording and labels (Chinese needs a CJK font; see :mod:`~resilience_stats.plots.fonts`).
    label : {"text", "id", "both"}
        Item label: wording, item id, or "id. wording".
    wrap_width : int
        Line width of wrapped wording (Latin characters; a Chinese character counts two).
    as_answered : bool, default True
        Show reverse-keyed items as answered (matching their wording), marked "(R)".
    percents : bool, default True
        Print the disagree / agree totals at the ends of each bar.
    width : "single", "double" or float
        Figure width (inches or journal column).
    instrument : Instrument, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes per construct; each bar segment is a Rectangle patch (items x categories).

    Examples
    --------
    >>> wave = rs.read_survey(rs.example_survey(n=200), "party_building_social_capital")  # doctest: +SKIP
    >>> fig = rs.plots.likert_bars(wave, ["PBL", "TRUST"], lang="zh")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if label not in ("text", "id", "both"):
        raise ValueError(f"label must be 'text', 'id' or 'both', not {label!r}")
    data, inst = _wave_parts(wave, instrument)
    if items is not None:
        panels = {None: list(items)}
    else:
        available = {c: [i for i in its if i in data.columns] for c, its in inst.construct_items.items()}
        available = {c: its for c, its in available.items() if its}
        names = list(available) if constructs is None else ([constructs] if isinstance(constructs, str) else list(constructs))
        unknown = [c for c in names if c not in available]
        if unknown:
            raise DataError(f"unknown construct(s) {', '.join(unknown)}; available: {', '.join(available)}")
        panels = {c: available[c] for c in names}
    tables = {c: likert_proportions(data, its, as_answered=as_answered, instrument=inst) for c, its in panels.items()}
    first_item = next(iter(panels.values()))[0]
    scale = inst.scale_of(first_item)
    codes = scale.codes
    k = len(codes)
    half = k // 2
    neutral = k % 2 == 1

    with theme.plot_context(lang) as lang:
        def item_label(item: str) -> str:
            text = inst.item_text(item, lang) if label != "id" else item
            if label == "both":
                text = f"{item}. {text}"
            if as_answered and item in inst.reverse_items:
                text += tr("reverse_mark", lang)
            return wrap(text, wrap_width)

        labels = {c: [item_label(i) for i in its] for c, its in panels.items()}
        rows_h = {c: sum(max(0.26, 0.135 * (lab.count("\n") + 1) + 0.1) for lab in labs) for c, labs in labels.items()}
        fig_w = theme.figsize(width)[0]
        fig_h = sum(rows_h.values()) + 0.35 * len(panels) + 0.45
        fig, axes = plt.subplots(len(panels), 1, figsize=(fig_w, fig_h), sharex=True, squeeze=False,
                                 gridspec_kw={"height_ratios": [max(h, 0.3) for h in rows_h.values()]})
        axes = axes[:, 0]
        colors = theme.diverging_colors(k)
        extent = 0.0
        for ax, (construct, table) in zip(axes, tables.items()):
            props = table[codes].to_numpy(dtype=float) * 100
            y = np.arange(len(table))
            left = -props[:, :half].sum(axis=1) - (props[:, half] / 2 if neutral else 0)
            start = left.copy()
            for j, code in enumerate(codes):
                ax.barh(y, props[:, j], left=start, height=0.7, color=colors[j], edgecolor="white",
                        linewidth=0.3, label=str(code))
                start = start + props[:, j]
            extent = max(extent, float(np.nanmax(-left)), float(np.nanmax(start)))
            if percents:
                disagree = props[:, :half].sum(axis=1)
                agree = props[:, k - half:].sum(axis=1)
                for yi, lo, hi, d, a in zip(y, left, start, disagree, agree):
                    ax.text(lo - 1.5, yi, f"{d:.0f}%", ha="right", va="center", fontsize=6, color=theme.DARK)
                    ax.text(hi + 1.5, yi, f"{a:.0f}%", ha="left", va="center", fontsize=6, color=theme.DARK)
            ax.axvline(0, color=theme.DARK, linewidth=0.6)
            ax.set_yticks(y, labels[construct])
            ax.invert_yaxis()
            ax.tick_params(axis="y", length=0)
            ax.spines["left"].set_visible(False)
            if construct is not None:
                ax.set_title(construct_label(inst, construct, lang), loc="left")
        base = min(100, 25 * int(np.ceil(extent / 25 - 1e-9))) if np.isfinite(extent) and extent > 0 else 100
        lim = base + (12 if percents else 2)
        axes[-1].set_xlim(-lim, lim)
        ticks = np.arange(-base, base + 1, 25)
        axes[-1].set_xticks(ticks, [f"{abs(t)}" for t in ticks])
        axes[-1].set_xlabel(tr("percent_responses", lang))
        handles = [Patch(facecolor=c, edgecolor="none") for c in colors]
        names = [wrap(getattr(scale.labels[c], lang), 14) if c in scale.labels else str(c)
                 for c in codes]
        fig.legend(handles, names, loc="outside lower center", ncol=k, handlelength=1.0, columnspacing=1.0)
    return fig
