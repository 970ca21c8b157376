"""The observed variables of a regression: construct scores of a SurveyWave or columns of a DataFrame."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, ModelSpecificationError

__all__ = ["model_frame", "variable_table"]


def variable_table(data: Any) -> pd.DataFrame:
    """The table the variable names refer to.

    A SurveyWave gives its construct scores (means of the answered, reverse-coded items: ``wave.scores()``)
    beside the columns of ``wave.data`` (the cleaned items, demographics, fields); a DataFrame is used as it is.

    Examples
    --------
    >>> variable_table(pd.DataFrame({"x": [1.0, 2.0]})).columns.tolist()
    ['x']
    """
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "scores") and hasattr(data, "data"):
        scores = data.scores()
        extra = [c for c in data.data.columns if c not in scores.columns]
        return pd.concat([scores, data.data[extra]], axis=1)
    raise DataError(f"expected a SurveyWave or a pandas DataFrame, not {type(data).__name__}")


def model_frame(data: Any, columns: Sequence[str], what: str = "the model") -> tuple[pd.DataFrame, int]:
    """The complete cases of ``columns`` as floats (listwise deletion), and how many rows were dropped.

    Raises
    ------
    ModelSpecificationError
        A variable is named twice.
    DataError
        Unknown or non-numeric variables, a constant variable, no complete case.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2.0, None, 4.0], "y": [2.0, 1.0, 3.0, 5.0]})
    >>> frame, dropped = model_frame(df, ["x", "y"])
    >>> len(frame), dropped
    (3, 1)
    """
    table = variable_table(data)
    columns = list(columns)
    dup = sorted({c for c in columns if columns.count(c) > 1})
    if dup:
        raise ModelSpecificationError(f"{what}: each variable may play one role only; named twice: {', '.join(dup)}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        shown = ", ".join(map(str, list(table.columns)[:40]))
        raise DataError(f"{what}: unknown variable(s) {', '.join(map(str, missing))}; available: {shown}")
    frame = table[columns].copy()
    for c in columns:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            converted = pd.to_numeric(frame[c], errors="coerce")
            bad = frame[c].notna() & converted.isna()
            if bad.any():
                example = frame.loc[bad, c].iloc[0]
                raise DataError(f"{what}: variable {c!r} is not numeric (e.g. {example!r}); recode it to numbers")
            frame[c] = converted
    frame = frame.astype(float)
    complete = frame.notna().all(axis=1) & np.isfinite(frame).all(axis=1)
    out = frame[complete]
    if out.empty:
        raise DataError(f"{what}: no case has all of {', '.join(columns)}")
    constant = [c for c in columns if out[c].nunique() < 2]
    if constant:
        raise DataError(f"{what}: variable(s) {', '.join(constant)} do not vary in the complete cases")
    return out, int(len(frame) - len(out))
