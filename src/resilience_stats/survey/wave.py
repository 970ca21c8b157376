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

    def exclude(self, check, severity: str | None = None, keep: str = "none") -> "SurveyWave":
        """A new wave without the rows listed by the issues of one or several checks.

        Parameters
        ----------
        check : str or list of str
            Check name(s), e.g. "speeders", ["straightlining", "speeders"] or "speeders,straightlining"
            (see :data:`resilience_stats.survey.validation.CHECKS`). An unknown name is refused; a known check
            that found nothing removes nothing.
        severity : {"error", "warning", "info"}, optional
            Only the issues of this severity.
        keep : {"none", "first"}, default "none"
            For ``duplicate_ids`` and ``duplicate_rows``: "none" removes every copy, "first" keeps the first
            copy (in file order) of each duplicated respondent or answer pattern.

        Raises
        ------
        DataError
            An unknown check name, a check that does not list respondents, or a bad ``keep``.

        Examples
        --------
        >>> clean = wave.exclude(["speeders", "straightlining"])  # doctest: +SKIP
        >>> deduplicated = wave.exclude("duplicate_ids", keep="first")  # doctest: +SKIP
        """
        from .validation import CHECKS, ROW_CHECKS

        names = parse_checks(check)
        unknown = [c for c in names if c not in CHECKS]
        if unknown:
            raise DataError(f"unknown check name(s) {', '.join(map(repr, unknown))}; checks that list respondents "
                            f"are: {', '.join(ROW_CHECKS)}")
        not_rows = [c for c in names if c not in ROW_CHECKS]
        if not_rows:
            raise DataError(f"check(s) {', '.join(map(repr, not_rows))} do not list respondents and cannot be "
                            f"excluded; checks that list respondents are: {', '.join(ROW_CHECKS)}")
        if keep not in ("none", "first"):
            raise DataError(f"keep must be 'none' or 'first', not {keep!r}")
        drop = pd.Series(False, index=self.data.index)
        for name in names:
            if keep == "first" and name in ("duplicate_ids", "duplicate_rows"):
                drop |= self._later_copies(name)
                continue
            picked = self.issues[self.issues["check"] == name]
            if severity is not None:
                picked = picked[picked["severity"] == severity]
            wanted = {str(r) for listed in picked["rows"] for r in listed}
            drop |= self._row_labels.astype(str).isin(wanted)
        if self._rebuild is None:
            raise DataError("this SurveyWave was not made by read_survey and cannot be subset; subset its data instead")
        return self._rebuild((~drop).to_numpy())

    def _later_copies(self, check: str) -> pd.Series:
        """Rows that repeat an earlier respondent id (within a wave) or an earlier complete answer pattern."""
        if check == "duplicate_ids":
            id_col = self.meta.get("id_column")
            if not id_col or id_col not in self.data.columns:
                return pd.Series(False, index=self.data.index)
            wave_ids = self.instrument.field_ids("wave")
            keys = [id_col] + [w for w in wave_ids[:1] if w in self.data.columns]
            present = self.data[id_col].notna()
            return present & self.data[keys].astype(str).duplicated(keep="first")
        items = self.data[self.item_ids]
        answered = items.notna().any(axis=1)
        return answered & items.duplicated(keep="first")


def parse_checks(check) -> list[str]:
    """Check names from a name, a comma-separated text or a list of them (order kept, repeats dropped).

    Examples
    --------
    >>> parse_checks(["speeders,straightlining", "speeders"])
    ['speeders', 'straightlining']
    """
    values = [check] if isinstance(check, str) else list(check or ())
    names = [part.strip() for v in values for part in str(v).split(",") if part.strip()]
    return list(dict.fromkeys(names))
