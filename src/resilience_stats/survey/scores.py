"""Construct scores with their grouping fields, and their means with confidence intervals per group.

The summaries are computed here (statistics of the data layer); the trend and caterpillar figures in
:mod:`resilience_stats.plots.trends` draw a summary computed here, at the level the caller asked for, so that a
figure and the table beside it never disagree.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError

__all__ = ["scores_frame", "score_summary"]


def scores_frame(data: Any, instrument: Any = None) -> tuple[pd.DataFrame, list[str], Any]:
    """Construct scores with ``wave`` / ``community`` columns where known.

    ``data`` is a SurveyWave (its ``scores()`` joined with its wave and community fields) or a DataFrame of
    scores (numeric construct columns; optional ``wave`` and ``community`` columns are kept as grouping
    columns). Returns the frame, the construct columns and the instrument (if any).
    """
    if hasattr(data, "scores") and hasattr(data, "data") and hasattr(data, "instrument"):
        inst = data.instrument if instrument is None else instrument
        scores = data.scores()
        frame = scores.copy()
        for role, name in (("wave", "wave"), ("cluster", "community")):
            ids = [f for f in inst.field_ids(role) if f in data.data.columns] if hasattr(inst, "field_ids") else []
            if ids:
                frame[name] = data.data[ids[0]].to_numpy()
        return frame, list(scores.columns), inst
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a SurveyWave or a DataFrame of construct scores, got {type(data).__name__}")
    frame = data.copy()
    groups = {"wave", "community", "group"}
    cols = [c for c in frame.columns if c not in groups and pd.api.types.is_numeric_dtype(frame[c])]
    if not cols:
        raise DataError("the scores DataFrame has no numeric construct columns")
    return frame, cols, instrument


def _select(requested: Any, available: list[str], what: str) -> list[str]:
    """``requested`` (None = all, a name or a list) checked against ``available``."""
    if requested is None:
        return list(available)
    names = [requested] if isinstance(requested, str) else list(requested)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise DataError(f"unknown {what}: {', '.join(map(str, unknown))}; available: {', '.join(map(str, available))}")
    if not names:
        raise DataError(f"no {what} selected")
    return names


def score_summary(scores: Any, by: str | Sequence[str] = "wave", constructs: Sequence[str] | None = None,
                  level: float = 0.95, instrument: Any = None) -> pd.DataFrame:
    """Mean construct score with a t-based confidence interval per group (the summary the trend plots draw).

    Parameters
    ----------
    scores : SurveyWave or pandas.DataFrame
        A wave (its ``scores()`` with its wave and community fields) or a DataFrame of construct scores with the
        grouping columns (``wave``, ``community``).
    by : str or list of str, default "wave"
        Grouping columns.
    constructs : list of str, optional
        Default: every construct column.
    level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Long format: the ``by`` columns, construct, n, mean, sd, se, ci_lower, ci_upper (mean ± t(n-1) x se;
        CI missing for n < 2); ``attrs["level"]`` holds the confidence level (the plots label their intervals
        with it).

    Examples
    --------
    >>> import resilience_stats as rs
    >>> waves = rs.read_survey(rs.example_survey(n=120, waves=2, seed=1), "party_building_social_capital")
    >>> s = score_summary(waves, by="wave", constructs=["RES"], level=0.9)
    >>> s[["wave", "construct", "n"]].to_dict("records") == [{"wave": 1, "construct": "RES", "n": 120},
    ...                                                      {"wave": 2, "construct": "RES", "n": 120}]
    True
    >>> s.attrs["level"]
    0.9
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), not {level}")
    frame, cols, _ = scores_frame(scores, instrument)
    by = [by] if isinstance(by, str) else list(by)
    missing = [b for b in by if b not in frame.columns]
    if missing:
        raise DataError(f"grouping column(s) {', '.join(missing)} not found (have: {', '.join(map(str, frame.columns))})")
    names = _select(constructs, cols, "construct")
    long = frame[by + names].melt(id_vars=by, value_vars=names, var_name="construct", value_name="score")
    long["score"] = pd.to_numeric(long["score"], errors="coerce")
    long = long.dropna(subset=["score"])
    if long.empty:
        raise DataError("no construct scores to summarise")
    g = long.groupby(by + ["construct"], sort=True, observed=True)["score"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["se"] = out["sd"] / np.sqrt(out["n"])
    tcrit = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] >= 2, tcrit * out["se"], np.nan)
    out["ci_lower"] = out["mean"] - half
    out["ci_upper"] = out["mean"] + half
    order = {c: i for i, c in enumerate(names)}
    out = out.sort_values(by=["construct"] + by, key=lambda s: s.map(order) if s.name == "construct" else s,
                          kind="stable")
    out = out.reset_index(drop=True)
    out.attrs["level"] = float(level)
    return out
