"""Mapping file headers to instrument ids, option texts to codes, and completion times to seconds.

Pure functions: each takes values and the instrument and returns new objects.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..instruments import Instrument
from ..instruments.schema import Label

# Columns added by Chinese (and a few international) survey platforms: kept as metadata.
PLATFORM_COLUMNS = frozenset(
    {
        "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "IP", "IP地址", "开始时间", "结束时间",
        "提交时间", "开始作答时间", "答题时长", "作答时长", "答题用时", "用时", "总分", "答卷编号", "编号", "答题ID",
        "用户ID", "微信昵称", "地理位置", "作答设备", "设备", "浏览器", "操作系统", "渠道", "StartDate", "EndDate",
        "RecordedDate", "Duration (in seconds)", "IPAddress", "ResponseId", "Progress", "Finished",
    }
)
# Platform headers that hold the completion time, and the respondent's serial number.
DURATION_HEADERS = ("所用时间", "答题时长", "作答时长", "答题用时", "用时", "Duration (in seconds)")
ID_HEADERS = ("序号", "答卷编号", "编号", "答题ID", "ResponseId")
# How platforms mark a question the respondent skipped or never saw: read as missing (NaN).
SKIP_MARKERS = frozenset({"(跳过)", "（跳过）", "跳过", "(空)", "（空）", "(未填)", "（未填）"})

_QUESTION_NUMBER = re.compile(
    r"^\s*(?:[(（]\s*\d+\s*[)）]|(?:[QqＱ]\s*)?\d+(?:[._\-]\d+)*\s*(?:[.、．:：)）]|\s))\s*"
)
_TRAILING = re.compile(r"[\s。.?？!！:：]+$")


@dataclass
class ColumnMatch:
    """The result of matching file headers to instrument ids."""

    column_map: dict[str, str] = field(default_factory=dict)  # header -> id (first header per id)
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # id -> all headers claiming it
    platform: list[str] = field(default_factory=list)  # platform metadata headers kept as they are
    unmapped: list[str] = field(default_factory=list)
    metadata_duplicates: dict[str, list[str]] = field(default_factory=dict)  # metadata field -> its headers
    bad_user_map: dict[str, str] = field(default_factory=dict)  # header -> unknown id from columns=
    absent_user_headers: list[str] = field(default_factory=list)  # columns= keys not in the file


def normalize_text(text) -> str:
    """Trim, drop inner whitespace and trailing punctuation, and casefold a header or label."""
    s = str(text).replace("\u3000", " ").strip()
    s = _TRAILING.sub("", s)
    return re.sub(r"\s+", "", s).casefold()


def strip_question_number(header: str) -> str:
    """Remove a leading question number such as "3.", "Q3.", "3、", "(3)" or "Q3_1 " from a header.

    Examples
    --------
    >>> strip_question_number("5.本社区党员在社区事务中起带头作用")
    '本社区党员在社区事务中起带头作用'
    >>> strip_question_number("(3) I trust my neighbours")
    'I trust my neighbours'
    """
    return _QUESTION_NUMBER.sub("", str(header), count=1)


def match_columns(
    headers: list[str],
    instrument: Instrument,
    columns: dict[str, str] | None = None,
    header_labels: dict[str, str] | None = None,
) -> ColumnMatch:
    """Match file headers to item and field ids.

    Order of precedence: ``columns`` (explicit), exact ids and instrument aliases, the same ignoring case and
    spaces, question text (``text_zh``/``text_en`` of an item or ``label`` of a field, after removing a leading
    question number; SPSS/Stata variable labels count as well), and last platform columns ("所用时间" for a
    single duration field, "序号" for a single id field that is otherwise unmapped).

    Parameters
    ----------
    headers : list of str
    instrument : Instrument
    columns : dict, optional
        ``{header: id}`` chosen by the user.
    header_labels : dict, optional
        ``{header: variable label}`` from an SPSS/Stata file.

    Returns
    -------
    ColumnMatch

    Examples
    --------
    >>> match_columns(["Q1_1", "5.本社区党员在社区事务中起带头作用"], inst).column_map  # doctest: +SKIP
    """
    columns = dict(columns or {})
    header_labels = header_labels or {}
    known = set(instrument.item_ids) | {f.id for f in instrument.spec.fields}
    exact = instrument.column_aliases
    loose = {normalize_text(k): v for k, v in exact.items()}
    by_text: dict[str, str] = {}
    for item in instrument.spec.items:
        for text in (item.text_zh, item.text_en):
            if text is not None:
                by_text.setdefault(normalize_text(text), item.id)
    for f in instrument.spec.fields:
        for text in f.label.texts:
            by_text.setdefault(normalize_text(text), f.id)

    result = ColumnMatch()
    result.absent_user_headers = [h for h in columns if h not in headers]
    claims: dict[str, str] = {}
    for header in headers:
        target = None
        if header in columns:
            target = columns[header]
            if target not in known:
                result.bad_user_map[header] = target
                continue
        if target is None:
            target = exact.get(header) or loose.get(normalize_text(header))
        if target is None:
            for text in (header, header_labels.get(header), _matrix_row(header)):
                if text is None:
                    continue
                target = by_text.get(normalize_text(strip_question_number(text))) or by_text.get(normalize_text(text))
                if target is not None:
                    break
        if target is not None:
            claims[header] = target
    owners: dict[str, list[str]] = {}
    for header, target in claims.items():
        owners.setdefault(target, []).append(header)
    metadata_ids = set(instrument.field_ids("metadata"))
    for target, owned in owners.items():
        result.column_map[owned[0]] = target
        if len(owned) > 1 and target in metadata_ids:
            result.metadata_duplicates[target] = owned
            result.platform += owned[1:]
        elif len(owned) > 1:
            result.duplicates[target] = owned
    taken = set(owners)
    rest = [h for h in headers if h not in claims and h not in result.bad_user_map]
    for role, platform_headers in (("duration", DURATION_HEADERS), ("id", ID_HEADERS)):
        ids = instrument.field_ids(role)
        if len(ids) == 1 and ids[0] not in taken:
            for header in rest:
                if header in platform_headers:
                    result.column_map[header] = ids[0]
                    taken.add(ids[0])
                    break
    mapped = set(result.column_map) | {h for hs in result.duplicates.values() for h in hs} | set(result.platform)
    for header in rest:
        if header in mapped:
            continue
        (result.platform if header.strip() in PLATFORM_COLUMNS else result.unmapped).append(header)
    return result


def _bracketed_tail(text: str) -> str | None:
    """The content of the bracket group that closes ``text`` (brackets inside it kept), or None."""
    text = text.rstrip()
    if not text.endswith((")", "）")):
        return None
    depth = 0
    for pos in range(len(text) - 1, -1, -1):
        ch = text[pos]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            depth -= 1
            if depth == 0:
                inner = text[pos + 1:-1].strip()
                return inner or None
    return None


def _matrix_row(header: str) -> str | None:
    """The row text of a matrix-question header.

    Wenjuanxing writes a matrix row as "5.请评价以下说法—本社区党员……", or as "3、(本社区党员……)" /
    "3、请评价以下说法(本社区党员……)" with the row text in (half- or full-width) brackets at the end.

    Examples
    --------
    >>> _matrix_row("5.请评价以下说法—本社区党员起带头作用")
    '本社区党员起带头作用'
    >>> _matrix_row("3、(本社区党员起带头作用)"), _matrix_row("3、请评价（社区有应急预案）")
    ('本社区党员起带头作用', '社区有应急预案')
    >>> _matrix_row("10、(管理规定（如垃圾分类）执行得好。)")
    '管理规定（如垃圾分类）执行得好。'

    """
    for sep in ("——", "—", "─"):
        if sep in header:
            return header.rsplit(sep, 1)[1]
    return _bracketed_tail(strip_question_number(str(header)))


# -- option texts -----------------------------------------------------------------------------------------
def label_lookup(labels: dict[int, Label], fuzzy: bool = False) -> dict[str, int]:
    """``{normalized text: code}`` from option labels (zh, en, aliases; fuzzy aliases when ``fuzzy``)."""
    return {text: code for text, (code, _how) in option_lookup(labels, fuzzy=fuzzy).items()}


def option_lookup(labels: dict[int, Label], missing: dict[int, Label] | None = None,
                  fuzzy: bool = False) -> dict[str, tuple[int, str]]:
    """``{normalized text: (code, how)}``: how an option text is read.

    ``how`` is "label" (the option's zh/en label), "alias", "fuzzy" (a fuzzy alias; only with ``fuzzy``) or
    "missing" (a label or alias of a missing code in ``missing``, e.g. 不知道).

    Examples
    --------
    >>> from resilience_stats.instruments.schema import Label
    >>> option_lookup({5: Label(zh="非常同意", aliases=("很同意",))})["很同意"]
    (5, 'alias')
    """
    out: dict[str, tuple[int, str]] = {}
    for code, label in (missing or {}).items():
        for text in (*label.texts, *label.aliases, *label.fuzzy_aliases):
            out.setdefault(normalize_text(text), (int(code), "missing"))
    for code, label in labels.items():
        for text in label.texts:
            out.setdefault(normalize_text(text), (int(code), "label"))
        for text in label.aliases:
            out.setdefault(normalize_text(text), (int(code), "alias"))
        if fuzzy:
            for text in label.fuzzy_aliases:
                out.setdefault(normalize_text(text), (int(code), "fuzzy"))
    return out


def fuzzy_lookup(labels: dict[int, Label]) -> dict[str, int]:
    """``{normalized fuzzy alias: code}`` (to explain an answer that only a fuzzy alias would read)."""
    return {normalize_text(t): int(code) for code, label in labels.items() for t in label.fuzzy_aliases}


def code_values(values: pd.Series, lookup: dict[str, int]) -> tuple[pd.Series, pd.Series]:
    """Turn answers (numbers, numeric strings or option texts) into float codes.

    Parameters
    ----------
    values : pandas.Series
        One column as read.
    lookup : dict
        ``{normalized option text: code}`` (see :func:`label_lookup`).

    Returns
    -------
    codes : pandas.Series of float
        Same index; NaN for empty cells, platform skip markers and unknown texts.
    unknown : pandas.Series
        The original values that are neither numbers nor known option texts (index = their rows).

    Examples
    --------
    >>> codes, unknown = code_values(pd.Series(["非常同意", "4", 3, "???"]), {"非常同意": 5})
    >>> codes.tolist()[:3], unknown.tolist()
    ([5.0, 4.0, 3.0], ['???'])
    """
    coded = code_answers(values, {text: (code, "label") for text, code in lookup.items()})
    return coded.codes, coded.unknown


@dataclass
class CodedAnswers:
    """Answers turned into codes, with how each cell was read (see :func:`code_answers`)."""

    codes: pd.Series  # float codes; NaN for empty cells, skip markers and unknown texts
    unknown: pd.Series  # the original values that could not be read (index = their rows)
    how: pd.Series  # per cell: "empty", "number", "label", "alias", "fuzzy", "missing" (text), "skip", "unknown"
    texts: pd.Series  # per cell: the stripped text as given (for text answers), else None


def code_answers(values: pd.Series, lookup: dict[str, tuple[int, str]]) -> CodedAnswers:
    """Turn answers (numbers, numeric strings or option texts) into float codes, noting how each was read.

    Parameters
    ----------
    values : pandas.Series
        One column as read.
    lookup : dict
        ``{normalized option text: (code, how)}`` (see :func:`option_lookup`).

    Returns
    -------
    CodedAnswers

    Examples
    --------
    >>> c = code_answers(pd.Series(["很同意", 4, "(跳过)"]), {"很同意": (5, "alias")})
    >>> c.codes.tolist()[:2], c.how.tolist()
    ([5.0, 4.0], ['alias', 'number', 'skip'])
    """
    index = values.index
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        codes = values.astype("float64")
        how = pd.Series(np.where(codes.isna(), "empty", "number"), index=index, dtype=object)
        return CodedAnswers(codes, values.iloc[0:0], how, pd.Series(None, index=index, dtype=object))
    out = np.full(len(values), np.nan)
    hows, texts, bad = [], [], []
    for pos, value in enumerate(values.tolist()):
        code, how, text = _code_one(value, lookup)
        hows.append(how)
        texts.append(text)
        if how == "unknown":
            bad.append(pos)
        else:
            out[pos] = code
    return CodedAnswers(pd.Series(out, index=index, name=values.name), values.iloc[bad],
                        pd.Series(hows, index=index, dtype=object), pd.Series(texts, index=index, dtype=object))


def _code_one(value, lookup: dict[str, tuple[int, str]]) -> tuple[float, str, str | None]:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return np.nan, "empty", None
    if isinstance(value, (bool, np.bool_)):
        return np.nan, "unknown", None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), "number", None
    text = str(value).strip()
    if not text:
        return np.nan, "empty", None
    if text in SKIP_MARKERS:
        return np.nan, "skip", text
    try:
        number = float(text)
        if math.isfinite(number):
            return number, "number", None
    except ValueError:
        pass
    found = lookup.get(normalize_text(text))
    if found is None:
        return np.nan, "unknown", text
    return float(found[0]), found[1], text


# -- durations ---------------------------------------------------------------------------------------------
_UNIT_SECONDS = {
    "小时": 3600, "时": 3600, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "分钟": 60, "分": 60, "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "秒钟": 1, "秒": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "毫秒": 0.001, "ms": 0.001, "milliseconds": 0.001,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(小时|秒钟|分钟|毫秒|时|分|秒|[a-z]+)", re.IGNORECASE)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def parse_duration(value, unit: str | None = "seconds") -> float:
    """A completion time in seconds.

    Accepts "125秒", "2分5秒", "2分钟5秒", "1小时2分", "00:02:05", "02:05", "2m 5s", and plain numbers
    (in ``unit``: seconds, minutes, hours or milliseconds).

    Returns
    -------
    float
        Seconds; NaN for an empty cell.

    Raises
    ------
    ValueError
        The text is not a duration.

    Examples
    --------
    >>> parse_duration("2分5秒"), parse_duration("00:02:05"), parse_duration(2.5, unit="minutes")
    (125.0, 125.0, 150.0)
    """
    factor = _UNIT_SECONDS.get((unit or "seconds").strip().lower(), None)
    if factor is None:
        raise ValueError(f"unknown duration unit {unit!r}")
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return float(value) * factor
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    text = str(value).strip()
    if not text or text in SKIP_MARKERS:
        return math.nan
    try:
        return float(text) * factor
    except ValueError:
        pass
    clock = _CLOCK.match(text)
    if clock:
        h, m, s = clock.groups()
        return float(h or 0) * 3600 + float(m) * 60 + float(s)
    parts = _DURATION_PART.findall(text)
    leftover = _DURATION_PART.sub("", text).strip()
    if not parts or leftover or any(u.lower() not in _UNIT_SECONDS for _, u in parts):
        raise ValueError(f"not a duration: {value!r}")
    return float(sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts))


def durations_in_seconds(values: pd.Series, unit: str | None = "seconds") -> tuple[pd.Series, pd.Series]:
    """Parse a column of completion times; return (seconds, the values that could not be parsed)."""
    out = np.full(len(values), np.nan)
    bad = []
    for pos, value in enumerate(values.tolist()):
        try:
            out[pos] = parse_duration(value, unit)
        except ValueError:
            bad.append(pos)
    return pd.Series(out, index=values.index, name=values.name), values.iloc[bad]
