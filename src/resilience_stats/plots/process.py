"""Figures of a PROCESS result: the interaction (simple slopes) and the Johnson-Neyman band."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DataError
from . import theme
from ._common import fmt_num

__all__ = ["process_plot"]

_WORDS = {
    "predicted": {"en": "Predicted {y}", "zh": "{y} 预测值"},
    "effect_of": {"en": "Conditional effect of {x} on {y}", "zh": "{x} 对 {y} 的条件效应"},
    "band": {"en": "{p:g}% CI", "zh": "{p:g}% 置信区间"},
    "boundary": {"en": "J-N boundary {v}", "zh": "J-N 临界值 {v}"},
    "interaction": {"en": "Interaction", "zh": "交互作用"},
    "jn": {"en": "Johnson-Neyman", "zh": "Johnson-Neyman 区间"},
}
_KINDS = ("both", "interaction", "jn")


def _w(key: str, lang: str, **fmt: Any) -> str:
    return _WORDS[key][lang].format(**fmt)


def _moderator_label(res: Any, w: float, z: float) -> str:
    parts = []
    for name, val in ((res.w, w), (res.z, z)):
        if name is not None and np.isfinite(val):
            parts.append(f"{name} = {fmt_num(float(val), 2)}")
    return ", ".join(parts)


def _draw_interaction(ax, res: Any, path: str | None, lang: str) -> None:
    pred = res.predictions(path)
    focal, outcome = pred["focal"].iloc[0], pred["path"].iloc[0].split(" -> ")[-1]
    groups = list(pred.groupby(["w", "z"], sort=False, dropna=False))
    colors = theme.categorical_colors(len(groups))
    for k, ((w, z), sel) in enumerate(groups):
        ax.plot(sel["value"], sel["predicted"], color=colors[k], linestyle=theme.LINESTYLES[k % len(theme.LINESTYLES)],
                label=_moderator_label(res, w, z), gid=f"slope:{k}")
    ax.set_xlabel(focal)
    ax.set_ylabel(_w("predicted", lang, y=outcome))
    ax.legend(loc="best")


def _draw_jn(ax, res: Any, path: str | None, lang: str) -> None:
    table = res.johnson_neyman_table
    if table.empty:
        raise DataError(f"model {res.model} has no Johnson-Neyman analysis (no path moderated by one continuous "
                        "moderator)")
    path = path if path is not None and path in set(table["path"]) else table["path"].iloc[0]
    t = table[table["path"] == path].sort_values("value")
    mod = t["moderator"].iloc[0]
    x = t["value"].to_numpy(float)
    ax.fill_between(x, t["ci_lower"].to_numpy(float), t["ci_upper"].to_numpy(float), color=theme.LIGHT,
                    linewidth=0, label=_w("band", lang, p=round(res.level * 100)), gid="jn_band")
    ax.plot(x, t["effect"].to_numpy(float), color=theme.DARK, gid="jn_effect")
    ax.axhline(0, color=theme.GRAY, linewidth=0.7, linestyle="--", zorder=0)
    bounds = res.johnson_neyman
    bounds = bounds[(bounds["path"] == path) & bounds["within_range"]]
    for b in bounds["boundary"]:
        ax.axvline(b, color=theme.GRAY, linewidth=0.8, linestyle=":", gid="jn_boundary",
                   label=_w("boundary", lang, v=fmt_num(float(b), 2)))
    focal, outcome = path.split(" -> ")[0].replace(":", " × "), path.split(" -> ")[-1]
    ax.set_xlabel(mod)
    ax.set_ylabel(_w("effect_of", lang, x=focal, y=outcome))
    ax.legend(loc="best")


def process_plot(result: Any, kind: str = "both", path: str | None = None, *, lang: str = "en",
                 width: float | str | None = None):
    """The focal interaction of a PROCESS result and its Johnson-Neyman band.

    Parameters
    ----------
    result : ProcessResult
        From :func:`resilience_stats.process`.
    kind : {"both", "interaction", "jn"}
        "interaction": predicted outcome across the focal variable, one line per probe value of the
        moderator(s); "jn": conditional effect across the moderator with its confidence band and the
        Johnson-Neyman boundaries inside the data; "both": the two side by side.
    path : str, optional
        A moderated path such as ``"PBL -> NET"`` (default: X -> Y for models 1-3, else the first moderated
        path).
    lang : {"en", "zh"}
    width : "single", "double", float or None
        Default single column for one panel, double for two.

    Returns
    -------
    matplotlib.figure.Figure
        Lines ``gid="slope:<k>"``; the band ``gid="jn_band"``, the effect ``"jn_effect"``, boundaries
        ``"jn_boundary"``.

    Raises
    ------
    DataError
        A model without a moderated path (4, 6) or, for ``kind="jn"``, without a Johnson-Neyman analysis.

    Examples
    --------
    >>> fig = rs.process(df, model=1, x="PBL", y="RES", w="tenure", boot=0).plot()  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    if not result.probed_paths() and kind != "jn":
        raise DataError(f"model {result.model} has no moderated path to plot")
    panels = ["interaction", "jn"] if kind == "both" else [kind]
    if kind == "both" and result.johnson_neyman_table.empty:
        panels = ["interaction"]
    with theme.plot_context(lang) as lang:
        size = theme.figsize(width or ("double" if len(panels) == 2 else "single"),
                             aspect=0.42 if len(panels) == 2 else 0.78)
        fig, axes = plt.subplots(1, len(panels), figsize=size, squeeze=False)
        for ax, panel in zip(axes[0], panels):
            if panel == "interaction":
                _draw_interaction(ax, result, path if path in result.probed_paths() else None, lang)
                ax.set_title(_w("interaction", lang), loc="left")
            else:
                _draw_jn(ax, result, path, lang)
                ax.set_title(_w("jn", lang), loc="left")
    return fig
