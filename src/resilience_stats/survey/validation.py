"""Checks of a survey wave. Each ``check_*`` function is pure and returns a list of issue rows.

An issue row is a dict with ``severity`` ("error", "warning" or "info"), ``check`` (the check's name),
``item`` (item or field id, construct id, or None), ``rows`` (list of row identifiers: the respondent id when
the file has one, else the 1-based row number), ``count`` (how many rows are listed; 0 for a column-level
issue) and ``message`` (what was found and what to do). :func:`issues_frame` turns them into the tidy
``SurveyWave.issues`` table.

Check names (:data:`CHECKS`): ``missing_items``, ``missing_fields``, ``column_map``, ``duplicate_columns``,
``unmapped_columns``, ``platform_columns``, ``non_numeric``, ``out_of_range``, ``undeclared_code``,
``option_alias``, ``missing_text``, ``missing_code``, ``field_values``, ``duplicate_ids``, ``duplicate_rows``,
``empty_respondents``, ``zero_variance``, ``high_missing``, ``missing_group``, ``straightlining``,
``speeders``, ``wave``. The recode checks (``option_alias``, ``missing_text``, ``missing_code``) are "info":
they list every answer the reading changed, so that no recode is silent.

Row identifiers are respondent ids when the file has an id column, else 1-based row numbers; messages call
them "respondent" or "row" accordingly (the ``name`` of the labels Series says which, see :func:`row_labels`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instruments import Instrument
from ..instruments.schema import Scale

ISSUE_COLUMNS = ["severity", "check", "item", "rows", "count", "message"]
#: Every check name an issue can carry (``SurveyWave.exclude`` refuses other names).
CHECKS = (
    "missing_items", "missing_fields", "column_map", "duplicate_columns", "unmapped_columns", "platform_columns",
    "non_numeric", "out_of_range", "undeclared_code", "option_alias", "missing_text", "missing_code",
    "field_values", "duplicate_ids", "duplicate_rows", "empty_respondents", "zero_variance", "high_missing",
    "missing_group", "straightlining", "speeders", "wave",
)
#: Checks whose rows are respondents one may remove (``SurveyWave.exclude``).
ROW_CHECKS = ("non_numeric", "out_of_range", "undeclared_code", "field_values", "duplicate_ids", "duplicate_rows",
              "empty_respondents", "high_missing", "missing_group", "straightlining", "speeders", "wave")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_LIST_LIMIT = 10


def make_issue(severity: str, check: str, item, rows, message: str) -> dict:
    """One issue row (see the module docstring)."""
    if severity not in _SEVERITY_ORDER:
        raise ValueError(f"severity must be error, warning or info, not {severity!r}")
    rows = [_plain(r) for r in rows]
    return {"severity": severity, "check": check, "item": item, "rows": rows, "count": len(rows), "message": message}


def issues_frame(issues: list[dict]) -> pd.DataFrame:
    """The issues table: errors first, then warnings, then info; stable within a severity.

    Examples
    --------
    >>> issues_frame([make_issue("warning", "zero_variance", "q1", [], "q1 is constant")])[["severity", "check"]]
      severity          check
    0  warning  zero_variance
    """
    frame = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    if frame.empty:
        return frame.astype({"count": "int64"})
    order = frame["severity"].map(_SEVERITY_ORDER)
    frame = frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)
    frame["count"] = frame["count"].astype("int64")
    return frame


def row_labels(data: pd.DataFrame, id_column: str | None, row_numbers=None) -> pd.Series:
    """Row identifiers used in issues: the respondent id when present and non-empty, else the 1-based row number.

    ``row_numbers`` overrides the row numbers (used when a subset keeps the numbers of the original file).
    """
    if row_numbers is None:
        row_numbers = np.arange(1, len(data) + 1)
    numbers = pd.Series([_plain(n) for n in row_numbers], index=data.index, dtype=object, name="row")
    if id_column is None or id_column not in data.columns:
        return numbers
    ids = pd.Series([_plain(x) for x in data[id_column].tolist()], index=data.index, dtype=object)
    out = ids.where(ids.notna(), numbers)
    out.name = "id" if ids.notna().all() else "mixed"
    return out


def label_kind(labels: pd.Series) -> str:
    """What row identifiers are: "id" (respondent ids), "row" (row numbers) or "mixed"."""
    return labels.name if labels.name in ("id", "row", "mixed") else "row"


def _who(labels: pd.Series, plural: bool = False) -> str:
    kind = label_kind(labels)
    word = {"id": "respondent", "row": "row", "mixed": "respondent/row"}[kind]
    return word + ("s" if plural and kind != "mixed" else "")


# -- structure ----------------------------------------------------------------------------------------------
def check_missing_items(present: list[str], instrument: Instrument) -> list[dict]:
    """Items of the instrument with no column in the file (error)."""
    return [
        make_issue(
            "error", "missing_items", item, [],
            f"item {item!r} ({instrument.construct_of(item)}) has no column in the file; map its header with "
            f"columns={{'<header>': {item!r}}} or add an alias to the instrument",
        )
        for item in instrument.item_ids
        if item not in present
    ]


def check_missing_fields(present: list[str], instrument: Instrument) -> list[dict]:
    """Required fields (``required: true``) with no column in the file (error)."""
    return [
        make_issue(
            "error", "missing_fields", f.id, [],
            f"required field {f.id!r} ({f.label.en}) has no column in the file; map its header with columns= "
            "or add it to the data",
        )
        for f in instrument.spec.fields
        if f.required and f.id not in present
    ]


def check_column_map(bad_user_map: dict[str, str], absent_headers: list[str]) -> list[dict]:
    """``columns=`` entries naming an unknown id (error) or a header not in the file (warning)."""
    out = [
        make_issue("error", "column_map", target, [],
                   f"columns= maps {header!r} to {target!r}, which is neither an item nor a field of the instrument; "
                   "fix the id")
        for header, target in bad_user_map.items()
    ]
    out += [
        make_issue("warning", "column_map", None, [],
                   f"columns= names header {header!r}, which is not in the file; check the spelling")
        for header in absent_headers
    ]
    return out


def check_duplicate_columns(duplicates: dict[str, list[str]], metadata: dict[str, list[str]] | None = None) -> list[dict]:
    """Several headers mapping to one item or field (error; the first header is used).

    ``metadata`` lists the same for metadata fields (e.g. both 来源 and 来源详情 for the response channel):
    reported as info, the other headers being kept as platform columns.
    """
    out = [
        make_issue("error", "duplicate_columns", target, [],
                   f"{len(headers)} columns map to {target!r}: {headers}; the first is used. Remove the extra "
                   "columns or map them explicitly with columns=")
        for target, headers in duplicates.items()
    ]
    out += [
        make_issue("info", "duplicate_columns", target, [],
                   f"{len(headers)} columns match metadata field {target!r}: {headers}; the first is used, the others "
                   "are kept as platform columns")
        for target, headers in (metadata or {}).items()
    ]
    return out


def check_unmapped_columns(unmapped: list[str], platform: list[str]) -> list[dict]:
    """Columns that are neither items nor fields (info), and platform metadata columns kept as they are (info)."""
    out = []
    if unmapped:
        out.append(make_issue("info", "unmapped_columns", None, [],
                              f"{len(unmapped)} column(s) match no item or field and are left out of .data "
                              f"(still in .raw): {unmapped}; map them with columns= if they are items"))
    if platform:
        out.append(make_issue("info", "platform_columns", None, [],
                              f"survey-platform columns kept in .data as metadata: {platform}"))
    return out


# -- values ---------------------------------------------------------------------------------------------------
def check_non_numeric(unknown: dict[str, pd.Series], labels: pd.Series, instrument: Instrument,
                      fuzzy_hints: bool = True) -> list[dict]:
    """Answers that are neither numbers nor option labels of the item's scale (error, rows and values listed).

    With ``fuzzy_hints`` an answer that a fuzzy alias of the scale would read (同意 for 比较同意) is named with
    the option it would become and how to accept it (``fuzzy_aliases=True``).
    """
    from .coding import fuzzy_lookup, normalize_text

    out = []
    for item, values in unknown.items():
        if values.empty:
            continue
        scale = instrument.scale_of(item)
        hint = ""
        if fuzzy_hints:
            fuzzy = fuzzy_lookup(scale.labels)
            near = sorted({f"{str(x).strip()!r} -> {fuzzy[normalize_text(x)]}" for x in values
                           if isinstance(x, str) and normalize_text(x) in fuzzy})
            if near:
                hint = (f" ({', '.join(near)} would be read by the scale's fuzzy aliases: pass fuzzy_aliases=True, "
                        "or --fuzzy-aliases on the command line, to accept them)")
        out.append(make_issue(
            "error", "non_numeric", item, labels.loc[values.index].tolist(),
            f"item {item!r}: {len(values)} answer(s) are neither numbers nor option labels of scale {scale.id!r}: "
            f"{_describe(labels, values)}; they are NaN in .data{hint}. Recode them, or add the text as an alias of "
            "the scale's label in the instrument; check the export",
        ))
    return out


def check_recodes(how: dict, coded: pd.DataFrame, labels: pd.Series, instrument: Instrument,
                  user_missing: dict | None = None) -> list[dict]:
    """Every answer the reading changed (info): ``option_alias`` (an option text read through an alias, e.g.
    很同意 -> 5), ``missing_text`` (a text read as missing: a missing code's label such as 不知道, or a
    platform's skip marker such as "(跳过)"), ``missing_code`` (a declared missing code, or an SPSS
    user-missing value, given as a number and set to NaN).

    Parameters
    ----------
    how : dict
        ``{item: CodedAnswers}`` from :func:`~resilience_stats.survey.coding.code_answers`.
    coded : pandas.DataFrame
        The item codes (before missing codes become NaN).
    """
    user_missing = user_missing or {}
    out = []
    for item, answers in how.items():
        kinds = answers.how
        alias = kinds.isin(["alias", "fuzzy"])
        if alias.any():
            pairs = pd.DataFrame({"text": answers.texts[alias], "code": coded[item][alias],
                                  "fuzzy": kinds[alias] == "fuzzy"})
            counts = pairs.groupby(["text", "code", "fuzzy"], sort=True).size()
            listed = "; ".join(f"{t!r} -> {c:g}{' (fuzzy alias)' if f else ''}: {n}"
                               for (t, c, f), n in counts.items())
            out.append(make_issue(
                "info", "option_alias", item, labels[alias].tolist(),
                f"item {item!r}: {int(alias.sum())} answer(s) given as another wording of an option were coded "
                f"({listed}); check that these readings are right",
            ))
        as_text = kinds.isin(["missing", "skip"])
        if as_text.any():
            missing_labels = instrument.missing_codes(item)
            texts = answers.texts[as_text]
            codes = coded[item][as_text]
            parts = []
            for (text, code), n in pd.DataFrame({"t": texts, "c": codes.fillna(-1)}).groupby(
                    ["t", "c"], sort=True).size().items():
                what = (f"missing code {code:g} ({_label_text(missing_labels.get(int(code)))})" if code >= 0
                        else "a survey platform's skip marker")
                parts.append(f"{text!r} = {what}: {n}")
            out.append(make_issue(
                "info", "missing_text", item, labels[as_text].tolist(),
                f"item {item!r}: {int(as_text.sum())} answer(s) were texts meaning no answer and are NaN in .data "
                f"({'; '.join(parts)})",
            ))
        numeric = kinds == "number"
        if numeric.any():
            missing_labels = instrument.missing_codes(item)
            v = coded[item]
            declared = numeric & v.isin([float(c) for c in missing_labels])
            spss = pd.Series(False, index=v.index)
            for lo, hi in user_missing.get(item, ()):
                spss |= numeric & (v >= lo) & (v <= hi) & ~declared
            hit = declared | spss
            if hit.any():
                parts = [f"{c:g} ({_label_text(missing_labels.get(int(c)))}): {n}"
                         for c, n in v[declared].value_counts().sort_index().items()]
                if spss.any():
                    parts.append(f"SPSS user-missing values: {int(spss.sum())}")
                out.append(make_issue(
                    "info", "missing_code", item, labels[hit].tolist(),
                    f"item {item!r}: {int(hit.sum())} answer(s) were missing codes and are NaN in .data "
                    f"({'; '.join(parts)})",
                ))
    return out


def _label_text(label) -> str:
    if label is None:
        return "declared missing"
    return " / ".join(label.texts)


def classify_codes(values: pd.Series, scale: Scale, missing_codes, user_missing=()) -> pd.DataFrame:
    """Classify numeric codes: ``missing`` (a missing code), ``out_of_range``, ``undeclared`` (inside the range
    but not a valid code, e.g. 2.5 on a Likert scale).

    Parameters
    ----------
    values : pandas.Series of float
    scale : Scale
    missing_codes : iterable of numbers
        The instrument's missing codes for this item.
    user_missing : iterable of (lo, hi)
        SPSS user-defined missing values/ranges of the column.

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``missing``, ``out_of_range``, ``undeclared`` with the index of ``values``.

    Examples
    --------
    >>> from resilience_stats.instruments.schema import Scale
    >>> s = Scale(id="a", min=1, max=5)
    >>> classify_codes(pd.Series([1.0, 9.0, 7.0, 2.5]), s, [9]).sum().tolist()
    [1, 1, 1]
    """
    v = values.astype("float64")
    missing = v.isin([float(c) for c in missing_codes])
    for lo, hi in user_missing:
        missing |= (v >= lo) & (v <= hi)
    answered = v.notna() & ~missing
    out = pd.Series(False, index=v.index)
    if scale.min is not None:
        out |= answered & (v < scale.min)
    if scale.max is not None:
        out |= answered & (v > scale.max)
    undeclared = pd.Series(False, index=v.index)
    if scale.type in ("likert", "ordinal"):
        undeclared = answered & ~out & (v != np.round(v))
    return pd.DataFrame({"missing": missing, "out_of_range": out, "undeclared": undeclared})


def check_codes(
    coded: pd.DataFrame, labels: pd.Series, instrument: Instrument, user_missing: dict | None = None
) -> list[dict]:
    """Codes outside the scale (``out_of_range``) or not a valid code of it (``undeclared_code``) (errors)."""
    user_missing = user_missing or {}
    out = []
    for item in [c for c in coded.columns if c in instrument.item_ids]:
        scale = instrument.scale_of(item)
        missing = instrument.missing_codes(item)
        kinds = classify_codes(coded[item], scale, missing, user_missing.get(item, ()))
        codes_text = f"missing codes {sorted(missing)}" if missing else "a missing code (declare one in the instrument)"
        bad = coded[item][kinds["out_of_range"]]
        if not bad.empty:
            out.append(make_issue(
                "error", "out_of_range", item, labels.loc[bad.index].tolist(),
                f"item {item!r}: {len(bad)} value(s) outside {scale.min:g}-{scale.max:g} that are not missing codes: "
                f"{_describe(labels, bad)}; they are NaN in .data. Recode them or set them to {codes_text}; "
                "check the export",
            ))
        odd = coded[item][kinds["undeclared"]]
        if not odd.empty:
            out.append(make_issue(
                "error", "undeclared_code", item, labels.loc[odd.index].tolist(),
                f"item {item!r}: {len(odd)} value(s) are not codes of scale {scale.id!r} (whole numbers "
                f"{scale.min:g}-{scale.max:g}): {_describe(labels, odd)}; they are NaN in .data. Recode them or set "
                f"them to {codes_text}; check the export",
            ))
    return out


def check_field_values(bad: dict[str, pd.Series], labels: pd.Series) -> list[dict]:
    """Field values that could not be read (a duration that is not a time, an unknown level...) (warning)."""
    return [
        make_issue("warning", "field_values", field_id, labels.loc[values.index].tolist(),
                   f"field {field_id!r}: {len(values)} value(s) could not be read: {_describe(labels, values)}; "
                   "they are NaN in .data. Fix them in the file or declare the level in the instrument")
        for field_id, values in bad.items()
        if not values.empty
    ]


# -- respondents ----------------------------------------------------------------------------------------------
def check_duplicate_ids(ids: pd.Series, waves: pd.Series | None = None) -> list[dict]:
    """Respondent ids used more than once (within a wave when a wave column exists) (error)."""
    keys = pd.DataFrame({"id": ids.astype(object)})
    if waves is not None:
        keys["wave"] = waves.astype(object)
    keys = keys[keys["id"].notna()]
    dup = keys[keys.duplicated(keep=False)]
    if dup.empty:
        return []
    values = sorted({_plain(v) for v in dup["id"]}, key=str)
    where = " within a wave" if waves is not None else ""
    return [make_issue("error", "duplicate_ids", ids.name, values,
                       f"{len(values)} respondent id(s) occur more than once{where}: {_short(values)}; "
                       "give each respondent a unique id or remove the repeated submissions")]


def check_duplicate_rows(values: pd.DataFrame, labels: pd.Series) -> list[dict]:
    """Respondents whose answers to all items are identical to another respondent's (warning)."""
    answered = values[values.notna().any(axis=1)]
    if answered.shape[1] < 2:
        return []
    dup = answered.duplicated(keep=False)
    if not dup.any():
        return []
    rows = labels.loc[answered.index[dup]].tolist()
    return [make_issue("warning", "duplicate_rows", None, rows,
                       f"{len(rows)} respondents give exactly the same answers as another respondent: {_named(labels, rows)}; "
                       "check for repeated submissions")]


def check_empty_respondents(values: pd.DataFrame, labels: pd.Series) -> list[dict]:
    """Respondents with every item missing (warning)."""
    empty = values.isna().all(axis=1)
    if values.shape[1] == 0 or not empty.any():
        return []
    rows = labels[empty].tolist()
    return [make_issue("warning", "empty_respondents", None, rows,
                       f"{len(rows)} respondent(s) answered no item: {_named(labels, rows)}; drop them before analysis")]


def check_zero_variance(values: pd.DataFrame) -> list[dict]:
    """Items with a single observed value (warning): they carry no information for correlations."""
    out = []
    for item in values.columns:
        observed = values[item].dropna()
        if len(observed) >= 2 and observed.nunique() == 1:
            out.append(make_issue("warning", "zero_variance", item, [],
                                  f"item {item!r}: every answer is {observed.iloc[0]:g}; the item has no variance and "
                                  "must be left out of correlations, alpha and CFA; check the export"))
    return out


def check_high_missing(values: pd.DataFrame, labels: pd.Series, threshold: float = 0.20) -> list[dict]:
    """Items missing for more than ``threshold`` of respondents (warning; the rows missing it are listed)."""
    out = []
    n = len(values)
    if n == 0:
        return out
    for item in values.columns:
        miss = values[item].isna()
        share = miss.mean()
        if share > threshold:
            out.append(make_issue("warning", "high_missing", item, labels[miss].tolist(),
                                  f"item {item!r}: {share:.0%} missing (more than {threshold:.0%}); check the skip "
                                  "logic and the export, and consider FIML or multiple imputation"))
    return out


def check_straightlining(
    values: pd.DataFrame,
    labels: pd.Series,
    instrument: Instrument,
    block_items: int = 6,
    share: float = 0.90,
    min_items: int = 10,
) -> list[dict]:
    """Straight-lining (warning), on the answers as given (before reverse-coding).

    Within a construct: all answered items identical while the construct has a reverse-keyed item, at least
    3 (or all, for a shorter construct) are answered and the answer is not the scale's midpoint (identical
    answers then contradict each other); a construct without a reverse-keyed item only when at least
    ``block_items`` (default 6) items are answered identically, since agreeing equally with 4 or 5 consistent
    statements is ordinary answering. Across the questionnaire: the same answer on at least ``share`` of the answered
    items, with at least ``min_items`` answered. ``item`` is the construct id, or None for the whole questionnaire.
    """
    out = []
    reverse = set(instrument.reverse_items)
    for construct, items in instrument.construct_items.items():
        present = [i for i in items if i in values.columns]
        if len(present) < 2:
            continue
        block = values[present]
        n_answered = block.notna().sum(axis=1)
        same = block.nunique(axis=1, dropna=True) == 1
        has_reverse = bool(reverse & set(present))
        need_rev = min(3, len(items))
        scale = instrument.scale_of(present[0])
        midpoint = (scale.min + scale.max) / 2 if scale.bounded else np.nan
        off_mid = block.max(axis=1) != midpoint
        flag = same & ((n_answered >= block_items) | (has_reverse & off_mid & (n_answered >= need_rev)))
        if flag.any():
            rows = labels[flag].tolist()
            why = " (it has a reverse-keyed item)" if has_reverse else ""
            out.append(make_issue("warning", "straightlining", construct, rows,
                                  f"construct {construct!r}: {len(rows)} respondent(s) give the same answer to every "
                                  f"item{why}: {_named(labels, rows)}; inspect them and consider excluding them "
                                  "(wave.exclude(check='straightlining'))"))
    n_answered = values.notna().sum(axis=1)
    if values.shape[1] >= min_items:
        arr = values.to_numpy(dtype="float64")
        codes = np.unique(arr[~np.isnan(arr)])
        modal = pd.Series(
            np.max([(arr == c).sum(axis=1) for c in codes], axis=0) if codes.size else np.zeros(len(values)),
            index=values.index,
        )
        flag = (n_answered >= min_items) & (modal >= share * n_answered)
        if flag.any():
            rows = labels[flag].tolist()
            out.append(make_issue("warning", "straightlining", None, rows,
                                  f"{len(rows)} respondent(s) give the same answer to at least {share:.0%} of the "
                                  f"items they answered: {_named(labels, rows)}; inspect them and consider excluding them"))
    return out


def check_missing_group(fields: pd.DataFrame, group_ids: list[str], labels: pd.Series) -> list[dict]:
    """Respondents without a value in a grouping field (warning): comparisons across its groups
    (invariance, latent means) leave them out."""
    out = []
    for gid in group_ids:
        if gid not in fields.columns:
            continue
        miss = fields[gid].isna()
        if miss.any() and not miss.all():
            rows = labels[miss].tolist()
            out.append(make_issue(
                "warning", "missing_group", gid, rows,
                f"group field {gid!r}: {len(rows)} respondent(s) have no value ({_named(labels, rows)}); "
                f"comparisons across {gid} groups (invariance, latent means) leave them out",
            ))
    return out


def check_speeders(seconds: pd.Series, labels: pd.Series, min_seconds: float | None = None) -> list[dict]:
    """Completion times below ``min_seconds`` (or, when it is None, below a third of the median) (warning)."""
    observed = seconds.dropna()
    if observed.empty:
        return []
    if min_seconds is None:
        threshold = float(observed.median()) / 3
        rule = f"a third of the median ({threshold:.0f} s)"
    else:
        threshold = float(min_seconds)
        rule = f"the instrument's min_speed_seconds ({threshold:g} s)"
    fast = seconds < threshold
    if not fast.any():
        return []
    rows = labels[fast].tolist()
    return [make_issue("warning", "speeders", seconds.name, rows,
                       f"{len(rows)} respondent(s) took less than {rule}: {_named(labels, rows)}; check their answers "
                       "(straight-lining, attention checks) and consider excluding them")]


# -- helpers ----------------------------------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _named(labels: pd.Series, rows: list) -> str:
    """Row identifiers named as what they are: "respondents R1, R2", "rows 4, 7" (or "respondents/rows ...")."""
    return f"{_who(labels, plural=True)} {_short(rows)}"


def _short(values: list) -> str:
    head = ", ".join(str(v) for v in values[:_LIST_LIMIT])
    return head + (f" ... ({len(values) - _LIST_LIMIT} more)" if len(values) > _LIST_LIMIT else "")


def _describe(labels: pd.Series, values: pd.Series) -> str:
    who = _who(labels)
    parts = [f"{who} {_plain(labels.loc[i])}: {_fmt(v)}" for i, v in list(values.items())[:_LIST_LIMIT]]
    more = f" ... ({len(values) - _LIST_LIMIT} more)" if len(values) > _LIST_LIMIT else ""
    return "; ".join(parts) + more


def _fmt(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)
