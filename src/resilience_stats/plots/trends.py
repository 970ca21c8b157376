"""Construct means across waves and communities with confidence intervals."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ..survey.scores import score_summary
from . import theme
from ._common import construct_label, scores_frame, select, tr, wrap

__all__ = ["wave_trends", "community_caterpillar"]

_SUMMARY_COLUMNS = {"construct", "mean", "ci_lower", "ci_upper"}


def _summary(data: Any, by: str, constructs, level: float, instrument: Any):
    """The summary to draw: ``data`` itself when it is already one (from :func:`~resilience_stats.score_summary`
    or the report's wave means: construct, ``by``, mean, ci_lower, ci_upper; its ``attrs["level"]`` names the
    interval), else the summary of the scores at ``level``. Returns (summary, construct names, instrument,
    level, scores frame or None)."""
    if isinstance(data, pd.DataFrame) and _SUMMARY_COLUMNS | {by} <= set(data.columns):
        cols = list(dict.fromkeys(data["construct"]))
        names = select(constructs, cols, "construct")
        summ = data[data["construct"].isin(names)]
        return summ, names, instrument, float(data.attrs.get("level", level)), None
    frame, cols, inst = scores_frame(data, instrument)
    names = select(constructs, cols, "construct")
    return score_summary(frame, by, names, level), names, inst, level, frame


def wave_trends(
    data: Any,
    constructs: str | Sequence[str] | None = None,
    *,
    by_community: bool = False,
    lang: str = "en",
    level: float = 0.95,
    instrument: Any = None,
    col_wrap: int = 4,
    width: float | str = "single",
):
    """Construct means by wave with confidence intervals (optionally each community's trajectory too).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Stacked waves: a SurveyWave read from a multi-wave file, construct scores with a ``wave`` column (and
        ``community`` for ``by_community``), or a summary already computed (:func:`~resilience_stats.score_summary`
        by wave, or the report's wave means), which is drawn as it is, with the level it was computed at.
    constructs : str or list of str, optional
        Default: every construct.
    by_community : bool, default False
        False: one axes, one line per construct (marker and line style differ, grayscale-safe). True: one panel
        per construct with thin gray lines for the communities and the overall mean with its CI on top.
    lang : {"en", "zh"}
    level : float, default 0.95
        Confidence level when the summary is computed here (a given summary keeps its own).
    instrument : Instrument, optional
    col_wrap : int, default 4
        Panels per row when ``by_community``.
    width : "single", "double" or float
        Default "single" (one axes) — use "double" with ``by_community``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> waves = rs.read_survey(rs.example_survey(n=300, waves=3), "party_building_social_capital")  # doctest: +SKIP
    >>> fig = rs.plots.wave_trends(waves, ["PBL", "RES"])  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    summ, names, inst, level, frame = _summary(data, "wave", constructs, level, instrument)
    with theme.plot_context(lang) as lang:
        ci = tr("ci", lang, p=round(level * 100, 1))
        if not by_community:
            fig, ax = plt.subplots(figsize=theme.figsize(width, aspect=0.85 + 0.05 * len(names)))
            colors = theme.categorical_colors(len(names))
            waves = sorted(summ["wave"].unique())
            dodge = np.linspace(-0.06, 0.06, len(names)) * (len(waves) > 1) if len(names) > 1 else [0.0]
            for k, (name, off) in enumerate(zip(names, dodge)):
                s = summ[summ["construct"] == name]
                x = s["wave"].to_numpy(float) + off
                ax.errorbar(x, s["mean"], yerr=[s["mean"] - s["ci_lower"], s["ci_upper"] - s["mean"]],
                            color=colors[k], marker=theme.MARKERS[k % 8], linestyle=theme.LINESTYLES[k % 8],
                            markersize=4, linewidth=1.0, elinewidth=0.8,
                            label=wrap(construct_label(inst, name, lang), 30))
            ax.set_xlabel(tr("wave", lang))
            ax.set_ylabel(f"{tr('mean_score', lang)} ({ci})")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=2)
            return fig
        if frame is None:
            raise DataError("by_community needs the construct scores (a wave or a scores frame), not a summary")
        if "community" not in frame.columns:
            raise DataError("by_community needs a community column in the data")
        per = score_summary(frame, ["wave", "community"], names, level)
        ncol = max(1, min(col_wrap, len(names)))
        nrow = int(np.ceil(len(names) / ncol))
        fig_w = theme.figsize(width)[0]
        fig, axes = plt.subplots(nrow, ncol, figsize=(fig_w, 1.6 * nrow + 0.3), squeeze=False, sharex=True)
        for ax in axes.ravel()[len(names):]:
            ax.remove()
        for ax, name in zip(axes.ravel(), names):
            p = per[per["construct"] == name]
            for _, grp in p.groupby("community", observed=True):
                ax.plot(grp["wave"], grp["mean"], color=theme.LIGHT, linewidth=0.6, zorder=1, gid="community")
            s = summ[summ["construct"] == name]
            ax.errorbar(s["wave"], s["mean"], yerr=[s["mean"] - s["ci_lower"], s["ci_upper"] - s["mean"]],
                        color=theme.DARK, marker="o", markersize=3.5, linewidth=1.2, elinewidth=0.9, zorder=3,
                        gid="overall")
            ax.set_title(wrap(construct_label(inst, name, lang), 24), fontsize=7)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.tick_params(labelsize=6)
        fig.supxlabel(tr("wave", lang), fontsize=7)
        fig.supylabel(f"{tr('mean_score', lang)} ({ci})", fontsize=7)
    return fig


def community_caterpillar(
    data: Any,
    constructs: str | Sequence[str] | None = None,
    *,
    wave: Any = None,
    lang: str = "en",
    level: float = 0.95,
    instrument: Any = None,
    col_wrap: int = 4,
    width: float | str = "double",
):
    """Community means of construct scores with confidence intervals, sorted (caterpillar plot).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave, or construct scores with a ``community`` column (and ``wave`` to filter on).
    constructs : str or list of str, optional
        One panel per construct, each sorted by its own means (default: every construct).
    wave : optional
        Keep only this wave (default: all rows).
    lang : {"en", "zh"}
    level : float, default 0.95
    instrument : Instrument, optional
    col_wrap : int, default 4
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        One axes per construct, one point and interval per community, the grand mean as a dashed line.

    Examples
    --------
    >>> fig = rs.plots.community_caterpillar(wave, "RES", width="single")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    frame, cols, inst = scores_frame(data, instrument)
    if "community" not in frame.columns:
        raise DataError("a caterpillar plot needs a community column in the data")
    if wave is not None:
        if "wave" not in frame.columns:
            raise DataError("wave= given but the data has no wave column")
        frame = frame[frame["wave"] == wave]
        if frame.empty:
            raise DataError(f"no rows in wave {wave!r}")
    names = select(constructs, cols, "construct")
    summ = score_summary(frame, "community", names, level)
    n_comm = summ["community"].nunique()
    with theme.plot_context(lang) as lang:
        ci = tr("ci", lang, p=round(level * 100, 1))
        ncol = max(1, min(col_wrap, len(names)))
        nrow = int(np.ceil(len(names) / ncol))
        fig_w = theme.figsize(width)[0]
        fig, axes = plt.subplots(nrow, ncol, figsize=(fig_w, nrow * (0.11 * n_comm + 0.7) + 0.3), squeeze=False)
        for ax in axes.ravel()[len(names):]:
            ax.remove()
        color = theme.categorical_colors(1)[0]
        for ax, name in zip(axes.ravel(), names):
            s = summ[summ["construct"] == name].sort_values("mean", kind="stable").reset_index(drop=True)
            y = np.arange(len(s))
            ax.hlines(y, s["ci_lower"], s["ci_upper"], color=theme.GRAY, linewidth=0.8)
            ax.scatter(s["mean"], y, color=color, s=9, zorder=3, gid="community_mean")
            grand = pd.to_numeric(frame[name], errors="coerce").mean()
            ax.axvline(grand, color=theme.DARK, linestyle="--", linewidth=0.7, gid="grand_mean")
            ax.set_yticks(y, s["community"].astype(str))
            ax.tick_params(axis="y", labelsize=5.5, length=0)
            ax.tick_params(axis="x", labelsize=6)
            ax.set_ylim(-0.7, len(s) - 0.3)
            ax.set_title(wrap(construct_label(inst, name, lang), 24), fontsize=7)
        fig.supxlabel(f"{tr('mean_score', lang)} ({ci})", fontsize=7)
        fig.supylabel(tr("community", lang), fontsize=7)
    return fig
