"""Calibration of raw scores into set memberships (Ragin 2008, ch. 5; Dusa 2019, ch. 4).

**Direct method** (fuzzy sets): three anchors, full non-membership ``e``, the crossover ``c`` and full
membership ``i``. A score's log odds of membership are scaled linearly on each side of the crossover,

    membership = 1 / (1 + exp(-log(idm / (1 - idm)) * (x - c) / (i - c)))   for x >= c,
    membership = 1 / (1 + exp(-log(idm / (1 - idm)) * (x - c) / (c - e)))   for x <  c,

so that ``x = i`` has membership ``idm`` (default .95, R QCA's default; Ragin's log odds of 3 is
``idm = .953``) and ``x = e`` has ``1 - idm``. ``e > c > i`` calibrates a decreasing set (e.g. more cabinets
= less stable). This is the formula of R's ``QCA::calibrate(type = "fuzzy", logistic = TRUE)``.

**Crisp** calibration: one or more thresholds; a score gets the number of thresholds it reaches (0/1 for one
threshold), as ``QCA::calibrate(type = "crisp")`` (``findInterval``).

**The crossover convention.** A membership of exactly 0.5 is neither in nor out of a set, so such a case
belongs to no truth-table row. ``crossover="nudge"`` (the default) moves such values to ``0.5 + nudge``
(0.501: Fiss 2011 adds 0.001), ``"drop"`` sets them to NaN so the case must be dropped before the analysis,
``"keep"`` leaves them (R's behaviour; :func:`~resilience_stats.qca.truth_table` then refuses them). Nudged or
dropped cases are reported with a warning.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import DataError, ResilienceStatsWarning

__all__ = ["CalibrationWarning", "calibrate", "direct_membership"]

CROSSOVER_MODES = ("nudge", "drop", "keep")


class CalibrationWarning(ResilienceStatsWarning):
    """Calibrated memberships were changed by the crossover convention (nudged or dropped)."""


def _anchors(value: Any, what: str) -> tuple[float, float, float]:
    if isinstance(value, Mapping):
        missing = [k for k in ("e", "c", "i") if k not in value]
        if missing:
            raise DataError(f"{what}: anchors need e (full non-membership), c (crossover) and i (full "
                            f"membership); missing {', '.join(missing)}")
        value = (value["e"], value["c"], value["i"])
    try:
        e, c, i = (float(v) for v in value)
    except (TypeError, ValueError):
        raise DataError(f"{what}: anchors must be three numbers (e, c, i), not {value!r}") from None
    if not all(np.isfinite([e, c, i])):
        raise DataError(f"{what}: anchors must be finite numbers, not {value!r}")
    if not (e < c < i or e > c > i):
        raise DataError(f"{what}: anchors out of order: need e < c < i (or e > c > i for a decreasing set), "
                        f"got e={e:g}, c={c:g}, i={i:g}")
    return e, c, i


def direct_membership(x: np.ndarray, e: float, c: float, i: float, idm: float = 0.95) -> np.ndarray:
    """Fuzzy memberships by the logistic direct method (see the module docstring); anchors must be ordered.

    Examples
    --------
    >>> direct_membership(np.array([350.0, 550.0, 850.0]), 350, 550, 850).round(3).tolist()
    [0.05, 0.5, 0.95]
    """
    logit = np.log(idm / (1.0 - idm))
    x = np.asarray(x, dtype=float)
    if e > i:  # a decreasing set: calibrate the mirror image
        return 1.0 - direct_membership(x, i, c, e, idm)
    scale = np.where(x < c, c - e, i - c)
    return 1.0 / (1.0 + np.exp(-logit * (x - c) / scale))


def _crisp(x: np.ndarray, thresholds: Sequence[float], what: str) -> np.ndarray:
    th = np.sort(np.asarray([float(t) for t in np.atleast_1d(thresholds)]))
    if th.size == 0:
        raise DataError(f"{what}: crisp calibration needs at least one threshold")
    finite = x[np.isfinite(x)]
    if finite.size and ((th < finite.min()) | (th > finite.max())).any():
        raise DataError(f"{what}: threshold(s) outside the range of the data [{finite.min():g}, {finite.max():g}]")
    out = np.searchsorted(th, x, side="right").astype(float)
    out[~np.isfinite(x)] = np.nan
    return out


def _one(x: pd.Series, anchors: Any, kind: str, idm: float, crossover: str, nudge: float, what: str) -> pd.Series:
    values = pd.to_numeric(x, errors="coerce")
    if (values.isna() & x.notna()).any():
        raise DataError(f"{what}: non-numeric values (cases {', '.join(map(str, x.index[values.isna() & x.notna()][:10]))})")
    arr = values.to_numpy(dtype=float)
    if kind == "crisp":
        return pd.Series(_crisp(arr, anchors, what), index=x.index, name=x.name)
    e, c, i = _anchors(anchors, what)
    out = direct_membership(arr, e, c, i, idm)
    half = np.isclose(out, 0.5, rtol=0.0, atol=1e-12)
    if half.any() and crossover != "keep":
        cases = ", ".join(map(str, x.index[half][:10]))
        if crossover == "nudge":
            out[half] = 0.5 + nudge
            warn(f"{what}: membership 0.5 (score at the crossover) moved to {0.5 + nudge:g} for case(s) {cases}",
                 CalibrationWarning)
        else:
            out[half] = np.nan
            warn(f"{what}: membership 0.5 (score at the crossover) set to missing for case(s) {cases}; drop them "
                 "before the truth table", CalibrationWarning)
    return pd.Series(out, index=x.index, name=x.name)


def calibrate(
    data: Any,
    anchors: Any,
    *,
    kind: str = "fuzzy",
    idm: float = 0.95,
    crossover: str = "nudge",
    nudge: float = 0.001,
) -> pd.Series | pd.DataFrame:
    """Calibrate raw scores into set memberships (direct method with three anchors, or crisp thresholds).

    Parameters
    ----------
    data : pandas.Series, array-like, or pandas.DataFrame
        Raw scores of one condition, or a table whose columns named in ``anchors`` are calibrated (other
        columns are returned unchanged; the input is never modified).
    anchors : (e, c, i), {"e": .., "c": .., "i": ..}, or {column: anchors} for a DataFrame
        Full non-membership, crossover and full membership (``e > c > i`` for a decreasing set). For
        ``kind="crisp"``: one threshold or a list of thresholds.
    kind : {"fuzzy", "crisp"}
    idm : float, default 0.95
        Membership at the full-membership anchor (0.5 < idm < 1).
    crossover : {"nudge", "drop", "keep"}, default "nudge"
        What happens to a membership of exactly 0.5 (see the module docstring).
    nudge : float, default 0.001
        The shift of ``crossover="nudge"`` (0.5 becomes 0.501).

    Returns
    -------
    pandas.Series or pandas.DataFrame

    Raises
    ------
    DataError
        Anchors out of order or not numbers, non-numeric scores, crisp thresholds outside the data.

    Examples
    --------
    >>> calibrate([300, 550, 900], (350, 550, 850)).round(3).tolist()
    [0.025, 0.501, 0.969]
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"GDP": [300.0, 700.0], "CAB": [4, 12]})
    >>> calibrate(raw, {"GDP": (350, 550, 850), "CAB": (14, 10, 5)}).round(2).values.tolist()
    [[0.02, 0.97], [0.81, 0.19]]
    """
    if kind not in ("fuzzy", "crisp"):
        raise DataError(f"kind must be 'fuzzy' or 'crisp', not {kind!r}")
    if crossover not in CROSSOVER_MODES:
        raise DataError(f"crossover must be one of {', '.join(CROSSOVER_MODES)}, not {crossover!r}")
    if not 0.5 < idm < 1:
        raise DataError(f"idm (membership at the full-membership anchor) must be in (0.5, 1), not {idm}")
    if not 0 < nudge < 0.5:
        raise DataError(f"nudge must be in (0, 0.5), not {nudge}")
    if isinstance(data, pd.DataFrame):
        if not isinstance(anchors, Mapping) or not anchors:
            raise DataError("calibrating a DataFrame needs anchors as {column: (e, c, i)}")
        unknown = [c for c in anchors if c not in data.columns]
        if unknown:
            raise DataError(f"anchors name column(s) not in the data: {', '.join(map(str, unknown))}")
        out = data.copy()
        for col, anc in anchors.items():
            out[col] = _one(data[col], anc, kind, idm, crossover, nudge, f"column {col!r}")
        return out
    series = data if isinstance(data, pd.Series) else pd.Series(np.asarray(data))
    return _one(series, anchors, kind, idm, crossover, nudge, f"{series.name!r}" if series.name else "calibrate")
