"""Publication tables of a composite index: weights, ranked scores and obstacle degrees.

Each function takes the frames of :class:`~resilience_stats.indices.CompositeIndexResult` (it computes nothing)
and returns a :class:`~resilience_stats.tables.PubTable` in APA or three-line style, English or Chinese.
:func:`from_index_result` is the ``.to_table()`` of the result (via :func:`~resilience_stats.tables.from_result`).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from .format import ColumnFormat
from .pubtable import PubTable

__all__ = ["ADAPTERS", "from_index_result", "index_scores_table", "index_weights_table", "obstacle_table"]

HEADERS: Mapping[str, Mapping[str, Any]] = {
    "indicator": {"en": "Indicator", "zh": "指标"},
    "direction": {"en": "Direction", "zh": "方向"},
    "entropy": {"en": "Entropy e", "zh": "信息熵 e"},
    "divergence": {"en": "Divergence d", "zh": "差异系数 d"},
    "w_entropy": {"en": "Entropy weight", "zh": "熵权"},
    "sd": {"en": "SD", "zh": "标准差"},
    "conflict": {"en": "Conflict", "zh": "冲突性"},
    "information": {"en": "Information C", "zh": "信息量 C"},
    "w_critic": {"en": "CRITIC weight", "zh": "CRITIC 权重"},
    "w_ahp": {"en": "AHP weight", "zh": "AHP 权重"},
    "w_equal": {"en": "Equal weight", "zh": "等权重"},
    "weight": {"en": "Weight", "zh": "综合权重"},
    "rank": {"en": "Rank", "zh": "排名"},
    "community": {"en": "Community", "zh": "社区"},
    "weighted_sum": {"en": "Weighted score", "zh": "加权综合得分"},
    "d_pos": {"en": "D+", "zh": "D+"},
    "d_neg": {"en": "D\u2212", "zh": "D\u2212"},
    "closeness": {"en": "Closeness C", "zh": "相对贴近度 C"},
    "main": {"en": "Main obstacles", "zh": "主要障碍因子"},
    "wave": {"en": "Wave", "zh": "调查轮次"},
}

TITLES: Mapping[str, Mapping[str, str]] = {
    "weights": {"en": "Indicator Weights of the Composite Index", "zh": "综合指数各指标权重"},
    "scores": {"en": "Composite Index Scores and Ranks of the Communities", "zh": "各社区综合指数得分与排名"},
    "obstacle": {"en": "Obstacle Degrees of the Indicators (%)", "zh": "各指标障碍度（%）"},
}

_DIRECTION = {"+": {"en": "+ (benefit)", "zh": "正向"}, "-": {"en": "\u2212 (cost)", "zh": "负向"}}


def _wave_label(value: Any, lang: str) -> str:
    """ "Wave 2" / "第2轮" (a float wave label such as 2.0 is shown as 2)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"Wave {value}" if lang == "en" else f"第{value}轮"


def _indicator_name(ind: str, instrument: Any, lang: str) -> str:
    if instrument is None:
        return str(ind)
    try:
        return instrument.construct_name(str(ind), lang)
    except (KeyError, AttributeError):
        return str(ind)


def index_weights_table(
    weights: pd.DataFrame, *, instrument: Any = None, decimals: int = 4, number: int | None = None,
    title: Any = None, lang: str = "en", style: str = "apa", by: Sequence[str] = (),
) -> PubTable:
    """Indicator weights: direction, the components' statistics and the final weight.

    Parameters
    ----------
    weights : pandas.DataFrame
        ``CompositeIndexResult.weights``.
    instrument : Instrument, optional
        Shows construct names for indicators that are construct ids.
    decimals : int, default 4
    by : list of str
        Grouping columns of the weights (one table section per group).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"indicator": ["a", "b"], "direction": ["+", "-"], "entropy": [0.9, 0.8],
    ...                   "divergence": [0.1, 0.2], "w_entropy": [1 / 3, 2 / 3], "weight": [1 / 3, 2 / 3]})
    >>> index_weights_table(w).display().iloc[1].tolist()
    ['b', '− (cost)', '.8000', '.2000', '.6667', '.6667']
    """
    rows = weights.copy()
    rows["direction"] = [_DIRECTION.get(d, {}).get(lang, d) for d in rows["direction"]]
    order = ["entropy", "divergence", "w_entropy", "sd", "conflict", "information", "w_critic", "w_ahp",
             "w_equal", "weight"]
    shown = ["indicator", "direction", *[c for c in order if c in rows.columns]]
    bounded = {"entropy", "divergence", "w_entropy", "w_critic", "w_ahp", "w_equal", "weight"}
    formats = {c: ColumnFormat("bounded" if c in bounded else "number", decimals) for c in shown[2:]}
    group = None
    if by:
        rows["_group"] = rows[list(by)].astype(str).agg(", ".join, axis=1)
        group = "_group"
    return PubTable.from_frame(
        rows.reset_index(drop=True), columns=shown, formats=formats,
        headers={c: HEADERS[c] for c in shown if c in HEADERS}, row_groups=group, number=number,
        title=title if title is not None else TITLES["weights"], lang=lang, style=style, instrument=instrument,
        construct_columns=("indicator",))


def index_scores_table(
    scores: pd.DataFrame, *, id: str = "community", wave: str | None = None, by: Sequence[str] = (),
    score: str = "topsis", decimals: int = 4, number: int | None = None, title: Any = None, lang: str = "en",
    style: str = "apa",
) -> PubTable:
    """Communities ranked by their composite score (one section per wave and group).

    Parameters
    ----------
    scores : pandas.DataFrame
        ``CompositeIndexResult.scores``.
    id, wave, by : column names (as in the result's options).
    score : {"topsis", "weighted"}
        The ranked score; its column is shown last.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"community": ["A", "B"], "weighted_sum": [0.4, 0.7], "d_pos": [0.3, 0.1],
    ...                   "d_neg": [0.1, 0.3], "closeness": [0.25, 0.75], "score": [0.25, 0.75], "rank": [2, 1]})
    >>> index_scores_table(s).display()[["rank", "community"]].values.tolist()
    [['1', 'B'], ['2', 'A']]
    """
    keys = [*by, *([wave] if wave else [])]
    rows = scores.sort_values([*keys, "rank"], kind="stable").reset_index(drop=True)
    ranked = "closeness" if score == "topsis" else "weighted_sum"
    others = [c for c in ("weighted_sum", "d_pos", "d_neg", "closeness") if c != ranked and c in rows.columns]
    shown = ["rank", id, *others, ranked]
    group = None
    if keys:
        if wave and not by:
            rows["_group"] = [_wave_label(w, lang) for w in rows[wave]]
        else:
            rows["_group"] = rows[keys].astype(str).agg(", ".join, axis=1)
        group = "_group"
    formats = {c: ColumnFormat("bounded", decimals) for c in shown[2:]}
    formats["rank"] = ColumnFormat("integer")
    headers = {c: HEADERS[c] for c in shown if c in HEADERS}
    headers[id] = HEADERS["community"] if id == "community" else id
    return PubTable.from_frame(rows, columns=shown, formats=formats, headers=headers, row_groups=group,
                               number=number, title=title if title is not None else TITLES["scores"], lang=lang,
                               style=style)


def obstacle_table(
    obstacle: pd.DataFrame, *, id: str = "community", wave: str | None = None, by: Sequence[str] = (),
    indicators: Sequence[str] | None = None, top: int = 3, instrument: Any = None, decimals: int = 2,
    number: int | None = None, title: Any = None, lang: str = "en", style: str = "apa",
) -> PubTable:
    """Obstacle degree (%) of each indicator per community, with the ``top`` main obstacles named.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"community": ["A", "A"], "indicator": ["x", "y"], "deviation": [0.5, 0.1],
    ...                   "obstacle": [0.8, 0.2], "rank": [1, 2]})
    >>> obstacle_table(o, top=1).display().iloc[0].tolist()
    ['A', '80.00', '20.00', 'x']
    """
    keys = [*by, *([wave] if wave else [])]
    names = list(indicators) if indicators is not None else list(pd.unique(obstacle["indicator"]))
    wide = obstacle.pivot_table(index=[*keys, id], columns="indicator", values="obstacle", sort=False,
                                dropna=False).reindex(columns=names) * 100
    wide = wide.reset_index()
    main = (obstacle.sort_values([*keys, id, "rank"], kind="stable").groupby([*keys, id], sort=False)["indicator"]
            .apply(lambda s: "; ".join(_indicator_name(v, instrument, lang) for v in list(s)[:top])))
    wide = wide.merge(main.rename("main").reset_index(), on=[*keys, id], how="left")
    group = None
    if keys:
        wide["_group"] = wide[keys].astype(str).agg(", ".join, axis=1)
        if wave and not by:
            wide["_group"] = [_wave_label(w, lang) for w in wide[wave]]
        group = "_group"
    shown = [id, *names, "main"]
    headers = {n: _indicator_name(n, instrument, lang) for n in names}
    headers["main"] = HEADERS["main"]
    headers[id] = HEADERS["community"] if id == "community" else id
    return PubTable.from_frame(wide, columns=shown, headers=headers, row_groups=group,
                               formats={n: ColumnFormat("number", decimals) for n in names}, number=number,
                               title=title if title is not None else TITLES["obstacle"], lang=lang, style=style)


def from_index_result(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    """The ``.to_table()`` of a :class:`~resilience_stats.indices.CompositeIndexResult`: ``kind`` "scores"
    (default), "weights" or "obstacle"."""
    o = result.options
    common = {k: v for k, v in common.items() if v is not None}
    instrument = common.pop("instrument", None)
    kind = kind or "scores"
    if kind == "scores":
        return index_scores_table(result.scores, id=o["id"], wave=o["wave"], by=o["by"], score=o["score"],
                                  **common, **options)
    if kind == "weights":
        return index_weights_table(result.weights, by=o["by"], instrument=instrument, **common, **options)
    if kind == "obstacle":
        return obstacle_table(result.obstacle, id=o["id"], wave=o["wave"], by=o["by"], indicators=o["indicators"],
                              instrument=instrument, **common, **options)
    raise ValueError(f"CompositeIndexResult.to_table: kind must be 'scores', 'weights' or 'obstacle', not {kind!r}")


#: Results objects whose tables this module makes (merged into :func:`~resilience_stats.tables.from_result`).
ADAPTERS = {"CompositeIndexResult": from_index_result}
