"""Reading a survey file into a raw table: format dispatch, encoding detection, wrapped errors.

Every failure is raised as one :class:`~resilience_stats.errors.SurveyReadError` whose message starts with the
file name and says what is wrong; the exception of the underlying library (pandas, pyreadstat, openpyxl) is
never shown as the cause.
"""

from __future__ import annotations

import codecs
import hashlib
import io
from pathlib import Path

import pandas as pd

from ..errors import SurveyReadError

TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUPPORTED = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".sav", ".zsav", ".dta", ".parquet")
CHINESE_CODECS = {"gb2312", "gbk", "gb18030", "hz", "cp936", "hz_gb_2312", "euc_cn", "iso2022_cn"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(source, encoding: str | None = None, sheet=None) -> tuple[pd.DataFrame, dict]:
    """Read a survey file (or copy a DataFrame) into a raw table and describe where it came from.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        The file (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.xls``, ``.sav``, ``.dta``, ``.parquet``) or a
        DataFrame (deep-copied; never modified).
    encoding : str, optional
        Text encoding of a CSV/TSV/TXT file; detected when omitted (UTF-8 with or without BOM, UTF-16,
        GB18030/GBK, others through charset-normalizer).
    sheet : str or int, optional
        Excel sheet name or 0-based position (default: the first sheet).

    Returns
    -------
    raw : pandas.DataFrame
        The table as read.
    info : dict
        ``source``, ``sha256``, ``encoding``, ``format``, and for SPSS/Stata ``value_labels``,
        ``variable_labels`` and ``user_missing`` ({column: [(lo, hi), ...]}).

    Raises
    ------
    SurveyReadError
        The file is missing, empty, of an unsupported type, undecodable or not what its extension says.

    Examples
    --------
    >>> raw, info = read_table("wave1.csv")  # doctest: +SKIP
    >>> info["encoding"]  # doctest: +SKIP
    'gb18030'
    """
    if isinstance(source, pd.DataFrame):
        info = _info("DataFrame", None, None, "DataFrame")
        return source.copy(deep=True), info
    if not isinstance(source, (str, Path)):
        raise SurveyReadError(
            f"cannot read a survey from a {type(source).__name__}: pass a file path or a pandas DataFrame"
        )
    path = Path(source)
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise SurveyReadError(
            f"{path}: unsupported file type {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(SUPPORTED)} (or read it yourself and pass a DataFrame)"
        )
    sha = hashlib.sha256(data).hexdigest()
    if suffix in TEXT_SUFFIXES:
        raw, used = _read_text(path, data, TEXT_SUFFIXES[suffix], encoding)
        info = _info(str(path), sha, used, suffix.lstrip("."))
    elif suffix in EXCEL_SUFFIXES:
        raw = _read_excel(path, data, sheet)
        info = _info(str(path), sha, None, suffix.lstrip("."))
    elif suffix in (".sav", ".zsav", ".dta"):
        raw, extra = _read_stat(path, suffix)
        info = _info(str(path), sha, extra.pop("encoding", None), suffix.lstrip("."))
        info.update(extra)
    else:
        raw = _guard(path, "a Parquet file", lambda: pd.read_parquet(io.BytesIO(data)))
        info = _info(str(path), sha, None, "parquet")
    if raw.shape[1] == 0:
        raise SurveyReadError(f"{path}: the file has no columns")
    raw.columns = [_header_text(c) for c in raw.columns]
    return raw, info


# -- helpers ------------------------------------------------------------------------------------------------
def _info(source, sha, encoding, fmt) -> dict:
    return {"source": source, "sha256": sha, "encoding": encoding, "format": fmt}


def _header_text(column) -> str:
    return column if isinstance(column, str) else str(column)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise SurveyReadError(f"{path}: no such file")
    if path.is_dir():
        raise SurveyReadError(f"{path}: is a directory, not a survey file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SurveyReadError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise SurveyReadError(f"{path}: the file is empty")
    return data


def _guard(path: Path, what: str, reader):
    """Run ``reader()``; turn any library exception into a SurveyReadError naming the file."""
    try:
        return reader()
    except SurveyReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - third-party readers raise many types; we name the file instead
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SurveyReadError(f"{path}: cannot be read as {what} ({detail})") from None


def _read_text(path: Path, data: bytes, sep: str | None, encoding: str | None) -> tuple[pd.DataFrame, str]:
    if encoding is None:
        if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
            raise SurveyReadError(
                f"{path}: this is an Excel workbook (or another binary file), not a text table; "
                "give it the .xlsx/.xls extension or export it as CSV"
            )
        text, encoding = decode_text(data, path)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise SurveyReadError(f"{path}: unknown encoding {encoding!r}") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise SurveyReadError(
                f"{path}: cannot be decoded as {encoding} ({exc.reason} at byte {exc.start}); "
                "leave encoding=None to detect it"
            ) from None
    if "\x00" in text:
        raise SurveyReadError(f"{path}: looks like a binary file, not a text table (it contains NUL bytes)")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise SurveyReadError(f"{path}: the file is empty")
    kwargs = {"sep": sep} if sep is not None else {"sep": None, "engine": "python"}
    what = {",": "CSV", "\t": "tab-separated text"}.get(sep, "a delimited text table")
    # cells are read as text, so that ids such as "007" keep their zeros; read_survey converts the columns
    raw = _guard(path, what, lambda: pd.read_csv(io.StringIO(text), dtype=str, **kwargs))
    return raw, encoding


def decode_text(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a text table, detecting the encoding.

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised directly; otherwise charset-normalizer
    proposes an encoding. A Chinese codec (GB2312, GBK, ...) is read as GB18030, its superset, and the
    decode is verified.

    Parameters
    ----------
    data : bytes
    path : str or Path
        Used in error messages only.

    Returns
    -------
    text : str
    encoding : str
        The codec used ("utf-8", "utf-8-sig", "utf-16", "gb18030", ...).

    Raises
    ------
    SurveyReadError
        No encoding decodes the bytes (binary garbage, for example).

    Examples
    --------
    >>> decode_text("编号,性别".encode("gbk"))
    ('编号,性别', 'gb18030')
    """
    if data.startswith(codecs.BOM_UTF8):
        return _try_decode(data, "utf-8-sig", path)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _try_decode(data, "utf-16", path)
    if b"\x00" in data[:4096]:
        raise SurveyReadError(f"{path}: looks like a binary file, not a text table (it contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    gb_text = _decode_or_none(data, "gb18030")
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - detection is a hint only
        best = None
    detected = best.encoding.lower().replace("-", "_") if best is not None else None
    if detected in CHINESE_CODECS and gb_text is not None:
        return gb_text, "gb18030"
    if gb_text is not None and _mostly_cjk(gb_text):
        return gb_text, "gb18030"
    if detected is not None:
        text = _decode_or_none(data, detected)
        if text is not None and _looks_like_text(text):
            return text, detected
    raise SurveyReadError(
        f"{path}: cannot detect the text encoding (not UTF-8 or GB18030, and no other encoding fits); "
        "it may be a binary file. If it is text, pass encoding=..."
    )


def _try_decode(data: bytes, encoding: str, path) -> tuple[str, str]:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise SurveyReadError(f"{path}: cannot be decoded as {encoding} ({exc.reason} at byte {exc.start})") from None


def _decode_or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_cjk(text: str) -> bool:
    """True when the non-ASCII characters of ``text`` are mostly CJK ideographs or CJK punctuation."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk / len(non_ascii) >= 0.9


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t")
    return control / len(text) < 0.01


def _read_excel(path: Path, data: bytes, sheet) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        engine = "openpyxl"
    elif data.startswith(_OLE_MAGIC):
        engine = "xlrd"
    else:
        head = data[:512].lstrip().lower()
        hint = " (it looks like an HTML page; open it in Excel and save as .xlsx)" if head.startswith((b"<", b"\xef\xbb\xbf<")) else ""
        raise SurveyReadError(f"{path}: not an Excel workbook{hint}; check the file or export it again")
    if engine == "xlrd":
        try:
            import xlrd  # noqa: F401
        except ImportError:
            raise SurveyReadError(
                f"{path}: reading old-style .xls workbooks needs the xlrd package (pip install xlrd); "
                "or save the file as .xlsx or CSV"
            ) from None
    target = 0 if sheet is None else sheet

    def read():
        try:
            return pd.read_excel(io.BytesIO(data), sheet_name=target, engine=engine)
        except (ValueError, IndexError, KeyError) as exc:
            message = str(exc)
            if "not found" in message or "index" in message.lower() or isinstance(exc, (IndexError, KeyError)):
                names = _sheet_names(data, engine)
                raise SurveyReadError(
                    f"{path}: no sheet {target!r}; the workbook has {names}"
                ) from None
            raise

    what = "an Excel workbook" if suffix != ".xls" else "an .xls workbook"
    return _guard(path, what, read)


def _sheet_names(data: bytes, engine: str) -> list:
    try:
        return pd.ExcelFile(io.BytesIO(data), engine=engine).sheet_names
    except Exception:  # noqa: BLE001
        return []


def _read_stat(path: Path, suffix: str) -> tuple[pd.DataFrame, dict]:
    import pyreadstat

    if suffix == ".dta":
        df, meta = _guard(path, "a Stata .dta file", lambda: pyreadstat.read_dta(str(path)))
    else:
        df, meta = _guard(path, "an SPSS file", lambda: pyreadstat.read_sav(str(path), user_missing=True))
    user_missing: dict[str, list[tuple[float, float]]] = {}
    for column, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        pairs = []
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                pairs.append((float(lo), float(hi)))
        if pairs:
            user_missing[column] = pairs
    value_labels = {
        col: {_plain(k): str(v) for k, v in labels.items()}
        for col, labels in (meta.variable_value_labels or {}).items()
    }
    variable_labels = {
        col: lab for col, lab in (meta.column_names_to_labels or {}).items() if isinstance(lab, str) and lab
    }
    return df, {
        "encoding": getattr(meta, "file_encoding", None),
        "value_labels": value_labels,
        "variable_labels": variable_labels,
        "user_missing": user_missing,
    }


def _plain(value):
    """A label code as a plain Python number (1.0 -> 1) or string."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
