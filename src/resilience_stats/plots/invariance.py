"""Measurement invariance: fit indices across the steps, and latent means by group."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import INDEX_NAMES, construct_label, fmt_num, level_name, table_frame, tr, wrap

__all__ = ["invariance_fit", "latent_means"]

#: conventional cut-offs drawn as reference lines (Hu & Bentler 1999)
CUTOFFS = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}


def invariance_fit(
    table: Any,
    indices: Sequence[str] = ("cfi", "rmsea", "srmr"),
    *,
    lang: str = "en",
    cutoffs: bool = True,
    show_delta: bool = True,
    width: float | str = "double",
):
    """Fit indices across the invariance steps (configural, metric, scalar, strict...), one panel per index.

    Parameters
    ----------
    table : pandas.DataFrame or object with ``.table``
        The invariance table (``model`` is accepted for ``level``): level, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, srmr,
        delta_chisq, delta_df, lrt_p, delta_cfi, delta_rmsea, decision (one row per step, in order).
    indices : list of str, default ("cfi", "rmsea", "srmr")
        Columns to draw; RMSEA gets its confidence interval when the bounds are present.
    lang : {"en", "zh"}
    cutoffs : bool, default True
        Dotted reference lines at conventional cut-offs (CFI/TLI .95, RMSEA .06, SRMR .08).
    show_delta : bool, default True
        Print the change from the previous step (e.g. ΔCFI) above each later point, and mark steps whose
        ``decision`` is not accepted with an open marker.
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        One axes per index; one point per step.

    Examples
    --------
    >>> fig = rs.plots.invariance_fit(inv.table, lang="zh")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    raw = table if isinstance(table, pd.DataFrame) else getattr(table, "table", table)
    if isinstance(raw, pd.DataFrame) and "level" not in raw.columns and "model" in raw.columns:
        raw = raw.rename(columns={"model": "level"})  # the tables module's spelling
    frame = table_frame(raw, ["level", *indices], "invariance_fit")
    ok = None
    if "decision" in frame.columns:
        dec = frame["decision"]
        if pd.api.types.is_bool_dtype(dec):
            ok = dec.astype(bool)
        else:  # text such as "accept" / "reject" / "not rejected" / "fails"; missing (first step) = accepted
            text = dec.fillna("").astype(str).str.lower()
            bad = text.str.contains(r"reject|fail|non-?invariant|not invariant|not supported|not tenable", regex=True)
            ok = ~(bad & ~text.str.contains("not reject", regex=False))
    with theme.plot_context(lang) as lang:
        fig_w = theme.figsize(width)[0]
        fig, axes = plt.subplots(1, len(indices), figsize=(fig_w, 2.2), squeeze=False, sharex=True)
        x = np.arange(len(frame))
        names = [wrap(level_name(lv, lang), 10) for lv in frame["level"]]
        color = theme.categorical_colors(1)[0]
        for ax, idx in zip(axes[0], indices):
            y = frame[idx].to_numpy(float)
            if idx == "rmsea" and {"rmsea_ci_lower", "rmsea_ci_upper"} <= set(frame.columns):
                lo, hi = frame["rmsea_ci_lower"].to_numpy(float), frame["rmsea_ci_upper"].to_numpy(float)
                ax.vlines(x, lo, hi, color=color, linewidth=0.9)
            ax.plot(x, y, color=color, linewidth=0.8, zorder=2)
            filled = np.ones(len(x), bool) if ok is None else ok.to_numpy(bool)
            ax.scatter(x[filled], y[filled], color=color, s=16, zorder=3)
            ax.scatter(x[~filled], y[~filled], facecolor="white", edgecolor=color, s=16, zorder=3, linewidth=0.9)
            if cutoffs and idx in CUTOFFS:
                ax.axhline(CUTOFFS[idx], color=theme.GRAY, linestyle=":", linewidth=0.8, zorder=0)
            dcol = f"delta_{idx}"
            if show_delta and dcol in frame.columns:
                for xi, yi, d in zip(x[1:], y[1:], frame[dcol].to_numpy(float)[1:]):
                    if np.isfinite(d):
                        ax.annotate(f"Δ{fmt_num(d, 3, lead_zero=False)}", (xi, yi), xytext=(0, 5),
                                    textcoords="offset points", ha="center", va="bottom", fontsize=5.5,
                                    gid="delta")
            ax.set_title(INDEX_NAMES.get(idx, idx.upper()))
            ax.set_xticks(x, names)
            ax.set_xlim(-0.4, len(x) - 0.6)
            ax.margins(y=0.25)
        fig.supxlabel(tr("step", lang), fontsize=8)
    return fig


def latent_means(
    table: Any,
    *,
    lang: str = "en",
    instrument: Any = None,
    factors: Sequence[str] | None = None,
    ci_label: str | None = None,
    width: float | str = "single",
):
    """Latent means (differences from the reference group) by factor and group, with confidence intervals.

    Parameters
    ----------
    table : pandas.DataFrame or object with ``.table``
        Columns group, factor, est, se, ci_lower, ci_upper (the reference group: est 0, CI missing).
    lang : {"en", "zh"}
    instrument : Instrument, optional
        Factor names in ``lang``.
    factors : list of str, optional
        Factors to show, in order (default: table order).
    ci_label : str, optional
        Default "95% CI".
    width : "single", "double" or float

    Returns
    -------
    matplotlib.figure.Figure
        One axes; one marker per group and factor (marker shape = group).

    Examples
    --------
    >>> fig = rs.plots.latent_means(means_table, instrument=wave.instrument)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    frame = table_frame(table, ["group", "factor", "est", "ci_lower", "ci_upper"], "latent_means")
    order = list(dict.fromkeys(frame["factor"])) if factors is None else list(factors)
    unknown = [f for f in order if f not in set(frame["factor"])]
    if unknown:
        raise DataError(f"unknown factor(s) {', '.join(map(str, unknown))}")
    groups = list(dict.fromkeys(frame["group"]))
    with theme.plot_context(lang) as lang:
        ci_label = ci_label or tr("ci", lang, p=95)
        fig_w = theme.figsize(width)[0]
        fig, ax = plt.subplots(figsize=(fig_w, 0.32 * len(order) * max(1, 0.6 * len(groups)) + 0.9))
        offsets = np.linspace(-0.22, 0.22, len(groups)) if len(groups) > 1 else [0.0]
        colors = theme.categorical_colors(len(groups))
        pos = {f: i for i, f in enumerate(order)}
        for k, (grp, off) in enumerate(zip(groups, offsets)):
            sub = frame[(frame["group"] == grp) & frame["factor"].isin(order)]
            y = np.array([pos[f] for f in sub["factor"]], dtype=float) + off
            lo, hi = sub["ci_lower"].to_numpy(float), sub["ci_upper"].to_numpy(float)
            has = np.isfinite(lo) & np.isfinite(hi)
            ax.hlines(y[has], lo[has], hi[has], color=colors[k], linewidth=1.0)
            ax.scatter(sub["est"].to_numpy(float), y, marker=theme.MARKERS[k % len(theme.MARKERS)], s=18,
                       color=colors[k], zorder=3, label=str(grp))
        ax.axvline(0, color=theme.GRAY, linewidth=0.7, linestyle="--", zorder=0)
        ax.set_yticks(range(len(order)), [wrap(construct_label(instrument, f, lang), 18) for f in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(tr("latent_mean", lang, ci=ci_label))
        ax.legend(title=tr("group", lang), loc="best")
    return fig
