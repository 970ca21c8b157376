"""The community-level table of a survey: mean construct scores per community (and wave).

This is the input of a composite index or a QCA when the researcher does not bring a community-level table:
respondents' construct scores (``SurveyWave.scores()``) averaged within each community of the instrument's
community (``cluster``) field, per wave when the data hold several waves.
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from ..errors import DataError

__all__ = ["community_indicators", "default_indicators"]


def default_indicators(instrument: Any) -> list[str]:
    """The constructs a community resilience index combines by default: the first-order constructs whose role
    is "resilience" (e.g. stability, recovery, adaptation), or every first-order construct when fewer than two
    have that role.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> default_indicators(rs.load_instrument("party_building_social_capital"))
    ['STAB', 'REC', 'ADP']
    """
    cons = instrument.constructs
    first = cons[cons["n_items"] > 0]
    resilience = first.loc[first["role"] == "resilience", "id"].tolist()
    return resilience if len(resilience) >= 2 else first["id"].tolist()


def community_indicators(
    wave: Any,
    constructs: Sequence[str] | None = None,
    *,
    by_wave: bool = True,
    min_respondents: int = 1,
) -> pd.DataFrame:
    """Mean construct scores per community (and wave) of a survey wave.

    Parameters
    ----------
    wave : SurveyWave
        One or more pooled waves (``rs.read_survey``).
    constructs : list of str, optional
        Construct ids (first- or second-order); default every construct.
    by_wave : bool, default True
        One row per community and wave when the data hold a wave field with two or more waves.
    min_respondents : int, default 1
        Communities (-waves) with fewer respondents are left out.

    Returns
    -------
    pandas.DataFrame
        community, [wave], n (respondents), then one column per construct (mean score); sorted by wave and
        community.

    Raises
    ------
    DataError
        The instrument has no community field or the data lack it, unknown constructs, or no community left.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> w = rs.read_survey(rs.example_survey(n=300, waves=2, seed=3), "party_building_social_capital")
    >>> t = community_indicators(w, ["STAB", "REC"])
    >>> list(t.columns), int(t["n"].sum())
    (['community', 'wave', 'n', 'STAB', 'REC'], 600)
    """
    inst = getattr(wave, "instrument", None)
    if inst is None or not hasattr(wave, "scores"):
        raise DataError(f"community_indicators needs a SurveyWave, got {type(wave).__name__}")
    cluster = [f for f in inst.field_ids("cluster") if f in wave.data.columns]
    if not cluster:
        raise DataError(f"instrument {inst.id!r} has no community (cluster) field in these data, so there are no "
                        "communities to compare; bring a community-level table instead")
    scores = wave.scores()
    names = list(scores.columns) if constructs is None else list(constructs)
    unknown = [c for c in names if c not in scores.columns]
    if unknown:
        raise DataError(f"unknown construct(s) {', '.join(unknown)}; available: {', '.join(scores.columns)}")
    frame = scores[names].copy()
    frame.insert(0, "community", wave.data[cluster[0]].astype("string").to_numpy())
    keys = ["community"]
    wave_fields = [f for f in inst.field_ids("wave") if f in wave.data.columns]
    if by_wave and wave_fields and wave.data[wave_fields[0]].dropna().nunique() >= 2:
        frame.insert(0, "wave", wave.data[wave_fields[0]].to_numpy())
        keys = ["wave", "community"]
    frame = frame.dropna(subset=keys)
    grouped = frame.groupby(keys, sort=True, observed=True)
    out = grouped[names].mean()
    out.insert(0, "n", grouped.size())
    out = out.reset_index()
    out = out[out["n"] >= min_respondents]
    if out.empty:
        raise DataError(f"no community has at least {min_respondents} respondent(s)")
    cols = ["community", *(["wave"] if "wave" in keys else []), "n", *names]
    return out[cols].reset_index(drop=True)
