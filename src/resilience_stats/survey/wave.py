"""A survey wave: the raw table, the cleaned data, where it came from, and its validation issues."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import DataError
from ..instruments import Instrument


class SurveyWave:
    """One wave of survey responses read against an instrument (see :func:`read_survey`).

    Attributes
    ----------
    raw : pandas.DataFrame
        The table as read (headers and values untouched; a copy independent of the caller's object).
    data : pandas.DataFrame
        Cleaned data, same rows as ``raw``: fields under their ids (respondent id, community, wave,
        demographics, duration in seconds), item columns as float (option texts turned into codes, missing
        codes and invalid codes NaN, reverse-keyed items recoded as ``min + max - x``), then survey-platform
        metadata columns under their original headers.
    meta : dict
        ``source`` (path or "DataFrame"), ``sha256`` (of the file bytes; None for a DataFrame), ``encoding``,
        ``format``, ``wave``, ``n_rows``, ``n_columns``, ``column_map`` {header: id}, ``unmapped_columns``,
        ``platform_columns``, and for SPSS/Stata ``value_labels``, ``variable_labels``, ``user_missing``.
    issues : pandas.DataFrame
        One row per finding: severity, check, item, rows, count, message (see
        :mod:`resilience_stats.survey.validation` for the checks).
    instrument : Instrument

    Examples
    --------
    >>> wave = read_survey("wave1.csv", "party_building_social_capital")  # doctest: +SKIP
    >>> wave.issues.query("severity == 'error'")  # doctest: +SKIP
    >>> wave.scores().describe()  # doctest: +SKIP
    """

    def __init__(
        self,
        raw: pd.DataFrame,
        data: pd.DataFrame,
        meta: dict,
        issues: pd.DataFrame,
        instrument: Instrument,
        row_labels: pd.Series | None = None,
        _rebuild=None,
    ):
        self.raw = raw
        self.data = data
        self.meta = meta
        self.issues = issues
        self.instrument = instrument
        self._row_labels = row_labels if row_labels is not None else pd.Series(
            np.arange(1, len(data) + 1), index=data.index, dtype=object
        )
        self._rebuild = _rebuild

    # -- views ------------------------------------------------------------------------------------------------
    @property
    def item_ids(self) -> list[str]:
        """Ids of the instrument's items present in ``data``, in questionnaire order."""
        return [i for i in self.instrument.item_ids if i in self.data.columns]

    @property
    def row_labels(self) -> pd.Series:
        """The identifier of each row used in ``issues`` (respondent id, else 1-based row number)."""
        return self._row_labels.copy()

    @property
    def has_errors(self) -> bool:
        """True when ``issues`` holds at least one error."""
        return bool((self.issues["severity"] == "error").any())

    def _count(self, severity: str) -> int:
        return int((self.issues["severity"] == severity).sum())

    def __repr__(self) -> str:
        source = self.meta.get("source")
        return (
            f"SurveyWave(instrument={self.instrument.id!r}, source={source!r}, wave={self.meta.get('wave')!r}, "
            f"n={len(self.data)}, items={len(self.item_ids)}/{len(self.instrument.item_ids)}, "
            f"errors={self._count('error')}, warnings={self._count('warning')})"
        )

    def summary(self) -> str:
        """A short text: source, respondents, items found, and the issues by check.

        Examples
        --------
        >>> print(wave.summary())  # doctest: +SKIP
        """
        lines = [
            f"Survey wave of {self.instrument.id} from {self.meta.get('source')} "
            f"({self.meta.get('format')}, encoding {self.meta.get('encoding')}), wave {self.meta.get('wave')}",
            f"{len(self.data)} respondents, {len(self.item_ids)} of {len(self.instrument.item_ids)} items",
            f"{self._count('error')} error(s), {self._count('warning')} warning(s), {self._count('info')} note(s)",
        ]
        if not self.issues.empty:
            grouped = self.issues.groupby(["severity", "check"], sort=False)["count"].agg(["size", "sum"])
            for (severity, check), row in grouped.iterrows():
                lines.append(f"  {severity:<7} {check}: {row['size']} issue(s), {row['sum']} row(s)")
        return "\n".join(lines)

    # -- scores ---------------------------------------------------------------------------------------------------
    def scores(self, method: str = "mean", min_items: int | None = None) -> pd.DataFrame:
        """Construct scores per respondent from the cleaned (reverse-coded) items.

        Parameters
        ----------
        method : {"mean", "sum"}
            "mean": mean of the answered items. "sum": that mean times the construct's number of items (a
            prorated sum, so a missing answer does not lower the score).
        min_items : int, optional
            Fewest answered items for a score; default ``ceil(k / 2)`` for a construct of ``k`` items (capped at
            ``k``). Below it the score is NaN.

        Returns
        -------
        pandas.DataFrame
            Same index as ``data``; one column per first-order construct (questionnaire order), then one per
            second-order construct (the mean of its facet scores; NaN when a facet score is NaN).

        Raises
        ------
        ValueError
            Unknown ``method`` or ``min_items`` below 1.

        Examples
        --------
        >>> wave.scores().head()  # doctest: +SKIP
        >>> wave.data[["respondent_id"]].join(wave.scores(method="sum"))  # doctest: +SKIP
        """
        if method not in ("mean", "sum"):
            raise ValueError(f"method must be 'mean' or 'sum', not {method!r}")
        if min_items is not None and min_items < 1:
            raise ValueError(f"min_items must be at least 1, not {min_items}")
        out = {}
        for construct, items in self.instrument.construct_items.items():
            k = len(items)
            present = [i for i in items if i in self.data.columns]
            block = self.data[present].astype("float64")
            need = min(k, math.ceil(k / 2) if min_items is None else min_items)
            answered = block.notna().sum(axis=1)
            mean = block.mean(axis=1, skipna=True) if present else pd.Series(np.nan, index=self.data.index)
            score = mean.where(answered >= need)
            out[construct] = score * k if method == "sum" else score
        frame = pd.DataFrame(out, index=self.data.index)
        for parent, facets in self.instrument.second_order.items():
            facet_scores = frame[[f for f in facets if f in frame.columns]]
            frame[parent] = facet_scores.mean(axis=1, skipna=False)
        return frame

    # -- subsets -----------------------------------------------------------------------------------------------
    def drop(self, rows) -> "SurveyWave":
        """A new wave without the given rows, validated again.

        Parameters
        ----------
        rows : list
            Row identifiers as used in ``issues`` (respondent ids, or 1-based row numbers when the file has no
            id column).

        Examples
        --------
        >>> clean = wave.drop(rows=["R0007", "R0112"])  # doctest: +SKIP
        """
        if isinstance(rows, (str, int)):
            rows = [rows]
        wanted = {str(r) for r in rows}
        keep = ~self._row_labels.astype(str).isin(wanted)
        if self._rebuild is None:
            raise DataError("this SurveyWave was not made by read_survey and cannot be subset; subset its data instead")
        return self._rebuild(keep.to_numpy())

    def exclude(self, check: str, severity: str | None = None) -> "SurveyWave":
        """A new wave without the rows listed by the issues of ``check`` (e.g. "straightlining", "speeders").

        Examples
        --------
        >>> clean = wave.exclude(check="speeders").exclude(check="straightlining")  # doctest: +SKIP
        """
        picked = self.issues[self.issues["check"] == check]
        if severity is not None:
            picked = picked[picked["severity"] == severity]
        rows = [r for listed in picked["rows"] for r in listed]
        return self.drop(rows)
