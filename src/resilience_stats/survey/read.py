"""``read_survey``: read a survey file or DataFrame against an instrument, clean it, and validate it."""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..errors import SurveyReadError, SurveyValidationError
from ..instruments import Instrument, load_instrument
from . import validation as v
from .coding import code_answers, code_values, durations_in_seconds, label_lookup, match_columns, option_lookup
from .io import read_table
from .wave import SurveyWave


def read_survey(
    source,
    instrument,
    wave=None,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    strict: bool = False,
    sheet=None,
    fuzzy_aliases: bool = False,
) -> SurveyWave:
    """Read one survey wave and check it against its questionnaire.

    Every recode is reported in ``issues`` (severity "info"): answers given as an option alias
    (``option_alias``, e.g. 很同意 -> 5), texts read as missing (``missing_text``, e.g. 不知道 or a platform's
    "(跳过)"), and declared missing codes turned into NaN (``missing_code``, e.g. 9 = refused).

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.csv``/``.tsv``/``.txt`` (UTF-8 with or without BOM, UTF-16, GBK/GB18030 detected), ``.xlsx``
        (``.xls`` needs xlrd), ``.sav``/``.zsav`` (value labels kept in ``meta``; user-defined missing values
        become NaN), ``.dta`` or ``.parquet`` file, or a DataFrame. Neither the file nor the DataFrame is
        modified.
    instrument : Instrument, str or pathlib.Path
        The questionnaire, or a bundled name / YAML path for :func:`load_instrument`.
    wave : int or str, optional
        The wave number; stored in ``meta`` and, when the data has no wave column, added as one (the
        instrument's wave field, else "wave"). When the data has a wave column with other values, a
        ``wave`` warning is issued.
    columns : dict, optional
        ``{file header: item or field id}`` for headers the instrument does not know. Headers are otherwise
        matched by id, by the instrument's aliases (also ignoring case and spaces), and by question text
        (``text_zh``/``text_en``) after removing a leading question number ("5.", "Q5.", "5、", "(5)"), as
        in Wenjuanxing exports.
    encoding : str, optional
        Text encoding of a CSV/TSV/TXT file (default: detected).
    strict : bool, default False
        Raise :class:`SurveyValidationError` when validation finds errors.
    sheet : str or int, optional
        Excel sheet (default: the first).
    fuzzy_aliases : bool, default False
        Also read the scales' fuzzy aliases (looser wordings such as 同意 for 比较同意, see
        :class:`~resilience_stats.instruments.Label`); otherwise such answers are ``non_numeric`` errors whose
        message names the option they would be read as.

    Returns
    -------
    SurveyWave

    Raises
    ------
    SurveyReadError
        The file cannot be read (missing, empty, not what its extension says, undecodable, no item column).
    SurveyValidationError
        ``strict=True`` and validation found errors; the exception's ``issues`` holds the full table.

    Examples
    --------
    >>> import resilience_stats.survey as rs_survey
    >>> wave = rs_survey.read_survey("wjx_export.xlsx", "party_building_social_capital", wave=1)  # doctest: +SKIP
    >>> wave.issues[["severity", "check", "item", "count"]]  # doctest: +SKIP
    >>> wave.scores().mean()  # doctest: +SKIP
    """
    instrument = load_instrument(instrument)
    if columns is not None and not isinstance(columns, dict):
        raise TypeError(f"columns must be a dict {{header: id}}, not {type(columns).__name__}")
    raw, info = read_table(source, encoding=encoding, sheet=sheet)
    result = build_wave(raw, instrument, info, columns=columns, wave=wave, fuzzy_aliases=fuzzy_aliases)
    if strict and result.has_errors:
        errors = result.issues[result.issues["severity"] == "error"]
        listing = "\n".join(f"  - [{row.check}] {row.message}" for row in errors.itertuples())
        raise SurveyValidationError(
            f"{info['source']}: {len(errors)} validation error(s):\n{listing}", issues=result.issues
        )
    return result


def build_wave(
    raw: pd.DataFrame,
    instrument: Instrument,
    info: dict,
    columns: dict | None = None,
    wave=None,
    row_numbers: np.ndarray | None = None,
    fuzzy_aliases: bool = False,
) -> SurveyWave:
    """Clean and validate a raw table already read (the work behind :func:`read_survey`)."""
    source = info.get("source", "DataFrame")
    if raw.columns.duplicated().any():
        dup = sorted(set(raw.columns[raw.columns.duplicated()]))
        raise SurveyReadError(f"{source}: repeated column headers {dup}; give each column a unique header")
    headers = [str(c) for c in raw.columns]
    match = match_columns(headers, instrument, columns, info.get("variable_labels"))
    id_to_header = {target: header for header, target in match.column_map.items()}
    items = [i for i in instrument.item_ids if i in id_to_header]
    if not items:
        shown = headers[:8] + (["..."] if len(headers) > 8 else [])
        raise SurveyReadError(
            f"{source}: no item columns: none of the {len(headers)} headers {shown} matches an item of instrument "
            f"{instrument.id!r} (by id, alias or question text); map them with columns={{header: item_id}}"
        )
    if len(raw) == 0:
        raise SurveyReadError(f"{source}: the file has headers but no data rows")
    if row_numbers is None:
        row_numbers = np.arange(1, len(raw) + 1)
    index = raw.index
    user_missing_by_header = info.get("user_missing") or {}

    # items: option texts -> codes; keep unknown answers and how each answer was read for the report
    coded, unknown, how, user_missing = {}, {}, {}, {}
    for item in items:
        header = id_to_header[item]
        scale = instrument.scale_of(item)
        lookup = option_lookup(scale.labels, missing=instrument.missing_codes(item), fuzzy=fuzzy_aliases)
        how[item] = code_answers(raw[header], lookup)
        coded[item], unknown[item] = how[item].codes, how[item].unknown
        if header in user_missing_by_header:
            user_missing[item] = user_missing_by_header[header]
    coded = pd.DataFrame(coded, index=index)

    # fields
    fields, bad_fields = {}, {}
    for f in instrument.spec.fields:
        if f.id in id_to_header:
            fields[f.id], bad_fields[f.id] = _convert_field(raw[id_to_header[f.id]], f, instrument)
    fields = pd.DataFrame(fields, index=index)
    wave_ids = instrument.field_ids("wave")
    wave_col = next((w for w in wave_ids if w in fields.columns), wave_ids[0] if wave_ids else "wave")
    wave_issues = []
    if wave is not None:
        if wave_col in fields.columns:
            differs = fields[wave_col].notna() & ~_same_wave(fields[wave_col], wave)
            if differs.any():
                wave_issues.append((wave_col, differs))
        else:
            fields[wave_col] = wave
    id_col = next((i for i in instrument.field_ids("id") if i in fields.columns), None)
    labels = v.row_labels(fields, id_col, row_numbers)

    # clean: missing and invalid codes -> NaN (answers as given), then reverse-keyed items
    answers = coded.copy()
    for item in items:
        kinds = v.classify_codes(coded[item], instrument.scale_of(item), instrument.missing_codes(item),
                                 user_missing.get(item, ()))
        answers.loc[kinds.any(axis=1), item] = np.nan
    cleaned = answers.copy()
    for item in instrument.reverse_items:
        if item in cleaned.columns:
            scale = instrument.scale_of(item)
            cleaned[item] = scale.min + scale.max - cleaned[item]

    platform = raw[match.platform].copy() if match.platform else pd.DataFrame(index=index)
    data = pd.concat([fields, cleaned, platform], axis=1)

    # issues
    present = list(id_to_header)
    issues = []
    issues += v.check_missing_items(present, instrument)
    issues += v.check_missing_fields(present + ([wave_col] if wave is not None else []), instrument)
    issues += v.check_column_map(match.bad_user_map, match.absent_user_headers)
    issues += v.check_duplicate_columns(match.duplicates, match.metadata_duplicates)
    issues += v.check_non_numeric(unknown, labels, instrument, fuzzy_hints=not fuzzy_aliases)
    issues += v.check_codes(coded, labels, instrument, user_missing)
    issues += v.check_recodes(how, coded, labels, instrument, user_missing)
    issues += v.check_field_values(bad_fields, labels)
    if id_col is not None:
        issues += v.check_duplicate_ids(fields[id_col], fields[wave_col] if wave_col in fields.columns else None)
    issues += v.check_duplicate_rows(answers, labels)
    issues += v.check_empty_respondents(answers, labels)
    issues += v.check_zero_variance(answers)
    issues += v.check_high_missing(answers, labels)
    issues += v.check_straightlining(answers, labels, instrument)
    issues += v.check_missing_group(fields, instrument.field_ids("group"), labels)
    for duration in instrument.field_ids("duration"):
        if duration in fields.columns:
            issues += v.check_speeders(fields[duration], labels, instrument.spec.min_speed_seconds)
    for col, differs in wave_issues:
        issues.append(v.make_issue("warning", "wave", col, labels[differs].tolist(),
                                   f"wave={wave!r} was given but {int(differs.sum())} row(s) have another value in "
                                   f"{col!r}; check that this is the right file"))
    issues += v.check_unmapped_columns(match.unmapped, match.platform)

    meta = {
        **{k: info.get(k) for k in ("source", "sha256", "encoding", "format")},
        "wave": wave if wave is not None else _waves_in(fields, wave_col),
        "n_rows": int(len(raw)),
        "n_columns": int(raw.shape[1]),
        "column_map": dict(match.column_map),
        "unmapped_columns": list(match.unmapped),
        "platform_columns": list(match.platform),
        "id_column": id_col,
        "row_labels": v.label_kind(labels),
    }
    for key in ("value_labels", "variable_labels", "user_missing"):
        if key in info:
            meta[key] = info[key]

    def rebuild(keep: np.ndarray) -> SurveyWave:
        sub = raw.loc[keep].copy()
        new = build_wave(sub, instrument, info, columns=columns, wave=wave, row_numbers=row_numbers[keep],
                         fuzzy_aliases=fuzzy_aliases)
        new.meta["dropped_rows"] = int((~keep).sum()) + meta.get("dropped_rows", 0)
        return new

    return SurveyWave(raw, data, meta, v.issues_frame(issues), instrument, row_labels=labels, _rebuild=rebuild)


def _convert_field(values: pd.Series, f, instrument: Instrument) -> tuple[pd.Series, pd.Series]:
    """A field column in its declared type; returns (converted, values that could not be read)."""
    empty = values.iloc[0:0]
    if f.role == "duration" or f.type == "duration":
        return durations_in_seconds(values, f.unit)
    if f.type == "numeric" or (f.type == "categorical" and f.levels):
        codes, bad = code_values(values, label_lookup({**instrument.spec.missing_codes, **f.levels}))
        if f.levels:
            allowed = set(f.levels) | set(instrument.spec.missing_codes)
            undeclared = codes.notna() & ~codes.isin([float(c) for c in allowed])
            bad = pd.concat([bad, values[undeclared]]).sort_index()
        if f.role in ("id", "cluster"):
            return values.copy(), empty
        return codes, bad
    return values.copy(), empty


def _waves_in(fields: pd.DataFrame, wave_col: str):
    if wave_col not in fields.columns:
        return None
    values = pd.unique(fields[wave_col].dropna())
    plain = [x.item() if isinstance(x, np.generic) else x for x in values]
    plain = [int(x) if isinstance(x, float) and x.is_integer() else x for x in plain]
    return plain[0] if len(plain) == 1 else (plain or None)


def _same_wave(values: pd.Series, wave) -> pd.Series:
    """Whether each value equals ``wave`` (numerically when both are numbers: 1, 1.0 and "1" agree)."""
    numbers = pd.to_numeric(values, errors="coerce")
    try:
        target = float(wave)
    except (TypeError, ValueError):
        return values.astype(str) == str(wave)
    return (numbers == target) | (values.astype(str) == str(wave))
