"""Pure number formatting for publication tables (raw value -> display string).

Display strings always use the ASCII hyphen-minus ``"-"`` for negative numbers; the renderers decide how a
minus is typeset (see :func:`typographic_minus`):

* HTML and Word: U+2212 MINUS SIGN (``"\u2212"``), as APA 7 and CY/T 170 typesetting expect;
* LaTeX: ``$-$`` (a math-mode minus, which needs no package and works with every engine);
* Markdown and Excel: the ASCII ``"-"`` is kept, so the numbers stay machine-readable.

Only the minus signs of numeric cells are replaced, never hyphens inside words ("self-efficacy").

Rounding is Python's ``format`` on the IEEE double (ties to even on the binary value), the same as R's
``sprintf``/``formatC`` used by lavaan and psych, so a table shows the digits R prints.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "EM_DASH",
    "KINDS",
    "MINUS",
    "ColumnFormat",
    "DEFAULT_FORMATS",
    "default_format",
    "format_ci",
    "format_number",
    "format_p",
    "is_missing",
    "stars",
    "typographic_minus",
]

MINUS = "\u2212"
"""U+2212 MINUS SIGN, used for negative numbers in HTML and Word output."""

EM_DASH = "\u2014"
"""The em dash, a common choice for ``na`` (a missing value shown as "—")."""

KINDS = ("number", "bounded", "p", "integer", "text", "ci")
"""Column kinds understood by :class:`ColumnFormat`."""

_DEFAULT_DECIMALS = MappingProxyType(
    {"number": 2, "bounded": 2, "p": 3, "integer": 0, "text": 0, "ci": 2}
)

_MINUS_RE = re.compile(r"(?<![\w.])-(?=\.?\d)")


def is_missing(x: Any) -> bool:
    """True for ``None``, ``NaN``, ``pd.NA`` and ``NaT`` (scalars only).

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(None), is_missing(0.0)
    (True, True, False)
    """
    if x is None:
        return True
    try:
        return bool(pd.api.types.is_scalar(x) and pd.isna(x))
    except (TypeError, ValueError):
        return False


def _as_float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"cannot format {x!r} ({type(x).__name__}) as a number") from None


def format_number(x: Any, decimals: int = 2, leading_zero: bool = True, na: str = "") -> str:
    """Format a number with a fixed number of decimals.

    Parameters
    ----------
    x : float or int
        The value; ``None``/NaN give ``na``.
    decimals : int, default 2
        Digits after the decimal point.
    leading_zero : bool, default True
        ``False`` drops the zero before the decimal point (APA style for statistics that cannot exceed 1:
        ``.93``, ``-.12``); values of 1 or more keep their integer part.
    na : str, default ""
        String shown for a missing value.

    Returns
    -------
    str
        The display string, with an ASCII ``"-"`` for negative values; a value that rounds to zero never
        shows a sign.

    Examples
    --------
    >>> format_number(0.9312), format_number(0.9312, leading_zero=False), format_number(-0.004)
    ('0.93', '.93', '0.00')
    >>> format_number(-0.123, 3, leading_zero=False), format_number(float("nan"), na="—")
    ('-.123', '—')
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, not {decimals}")
    if is_missing(x):
        return na
    v = _as_float(x)
    if math.isinf(v):
        return "\u221e" if v > 0 else "-\u221e"
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and not s.strip("-0."):
        s = s[1:]  # "-0.00" -> "0.00"
    if not leading_zero:
        s = re.sub(r"^(-?)0\.", r"\1.", s)
    return s


def format_p(p: Any, decimals: int = 3, leading_zero: bool = False, na: str = "") -> str:
    """Format a p value the APA way: exact to ``decimals`` digits, ``"< .001"`` below the last digit.

    Parameters
    ----------
    p : float
        A probability in [0, 1]; ``None``/NaN give ``na``.
    decimals : int, default 3
        Digits shown; values below ``10**-decimals`` are shown as ``"< .001"`` (for 3 digits).
    leading_zero : bool, default False
        APA drops the zero of a p value; Chinese journals that want ``0.032`` set ``True``.
    na : str, default ""
        String shown for a missing value.

    Returns
    -------
    str
        ``".032"``, ``"< .001"``; a p value that would round to 1 but is below 1 is shown as ``"> .999"``.

    Raises
    ------
    ValueError
        If ``p`` is outside [0, 1] or ``decimals`` < 1.

    Examples
    --------
    >>> format_p(0.0321), format_p(0.00002), format_p(0.5), format_p(0.0004, leading_zero=True)
    ('.032', '< .001', '.500', '< 0.001')
    """
    if decimals < 1:
        raise ValueError(f"decimals must be >= 1 for a p value, not {decimals}")
    if is_missing(p):
        return na
    v = _as_float(p)
    if not (-1e-12 <= v <= 1 + 1e-12):
        raise ValueError(f"a p value must lie in [0, 1], got {v!r}")
    v = min(max(v, 0.0), 1.0)
    threshold = 10.0**-decimals
    if v < threshold:
        return "< " + format_number(threshold, decimals, leading_zero)
    s = format_number(v, decimals, leading_zero)
    if v < 1.0 and float(s) >= 1.0:
        return "> " + format_number(1.0 - threshold, decimals, leading_zero)
    return s


def stars(p: Any, levels: tuple[float, ...] = (0.05, 0.01, 0.001), symbol: str = "*") -> str:
    """Significance stars: one ``symbol`` per level that ``p`` is strictly below.

    Examples
    --------
    >>> stars(0.03), stars(0.004), stars(0.0001), stars(0.2), stars(float("nan"))
    ('*', '**', '***', '', '')
    """
    if is_missing(p):
        return ""
    v = _as_float(p)
    return symbol * sum(1 for level in levels if v < level)


def format_ci(lower: Any, upper: Any, decimals: int = 2, leading_zero: bool = True, na: str = "") -> str:
    """Format a confidence interval as ``"[lower, upper]"`` (APA); ``na`` if either bound is missing.

    Examples
    --------
    >>> format_ci(0.12, 0.345), format_ci(-0.2, 0.05, leading_zero=False)
    ('[0.12, 0.34]', '[-.20, .05]')
    """
    if is_missing(lower) or is_missing(upper):
        return na
    lo = format_number(lower, decimals, leading_zero)
    hi = format_number(upper, decimals, leading_zero)
    return f"[{lo}, {hi}]"


def typographic_minus(s: str, minus: str = MINUS) -> str:
    """Replace the ASCII minus of numbers in ``s`` by ``minus``; hyphens inside words are kept.

    Examples
    --------
    >>> typographic_minus("[-.20, -1.5]") == "[\u2212.20, \u22121.5]"
    True
    >>> typographic_minus("self-efficacy 1-2")
    'self-efficacy 1-2'
    >>> typographic_minus("-0.5", "$-$")
    '$-$0.5'
    """
    return _MINUS_RE.sub(lambda _m: minus, s)


@dataclass(frozen=True)
class ColumnFormat:
    """How the values of one column become display strings.

    Parameters
    ----------
    kind : {"number", "bounded", "p", "integer", "text", "ci"}
        ``number``: fixed decimals with a leading zero (TLI, chi-square, B, SE, z, means);
        ``bounded``: statistics that cannot exceed 1 in absolute value (r, standardized loadings, alpha,
        CR, AVE, CFI, RMSEA, SRMR), no leading zero; ``p``: :func:`format_p`; ``integer``: counts and df
        (a non-integral value keeps ``decimals`` or 2 decimals rather than being rounded away); ``text``:
        ``str(value)``; ``ci``: a ``(lower, upper)`` pair shown as ``"[lower, upper]"``.
    decimals : int, optional
        Digits after the point; default 3 for ``p``, 0 for ``integer``, else 2.
    leading_zero : bool, optional
        Force or drop the leading zero; by default ``bounded`` and ``p`` drop it, the other kinds keep it.
    bounded : bool, default False
        For ``kind="ci"``: the bounds are a statistic that cannot exceed 1 (e.g. the RMSEA interval, a CI of
        a standardized effect), so they lose the leading zero like ``bounded`` columns.

    A ``str`` value in a numeric column is taken as already formatted and shown unchanged (e.g. ``"—"`` for
    the SE of a fixed loading); missing values show the table's ``na``.

    Examples
    --------
    >>> ColumnFormat("bounded").format(0.931), ColumnFormat("number").format(0.931)
    ('.93', '0.93')
    >>> ColumnFormat("p").format(0.0002), ColumnFormat("integer").format(312.0)
    ('< .001', '312')
    >>> ColumnFormat("ci", bounded=True).format((0.041, 0.062), drop_leading_zero=True)
    '[.04, .06]'
    >>> ColumnFormat("number").format("fixed")
    'fixed'
    """

    kind: str = "number"
    decimals: int | None = None
    leading_zero: bool | None = None
    bounded: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.decimals is not None and (not isinstance(self.decimals, (int, np.integer)) or self.decimals < 0):
            raise ValueError(f"decimals must be a non-negative integer, not {self.decimals!r}")

    @property
    def numeric(self) -> bool:
        """True for every kind but ``text`` (numeric cells are centred and get a typographic minus)."""
        return self.kind != "text"

    def resolved_decimals(self) -> int:
        """The decimals used: the explicit value or the kind's default."""
        return int(self.decimals) if self.decimals is not None else _DEFAULT_DECIMALS[self.kind]

    def uses_leading_zero(self, drop_leading_zero: bool = True) -> bool:
        """Whether values get a zero before the point.

        ``drop_leading_zero=False`` (a table-wide switch for journals that print ``0.93`` everywhere) gives a
        leading zero to every kind unless ``leading_zero`` was set explicitly.
        """
        if self.leading_zero is not None:
            return self.leading_zero
        if not drop_leading_zero:
            return True
        return not (self.kind in ("bounded", "p") or self.bounded)

    def format(self, value: Any, na: str = "", drop_leading_zero: bool = True) -> str:
        """Format one raw value (a pair for ``kind="ci"``) as a display string."""
        d = self.resolved_decimals()
        lz = self.uses_leading_zero(drop_leading_zero)
        if self.kind == "ci":
            if is_missing(value):
                return na
            if isinstance(value, str):
                return value
            lo, hi = value
            return format_ci(lo, hi, d, lz, na)
        if is_missing(value):
            return na
        if self.kind == "text" or isinstance(value, str):
            return str(value)
        if self.kind == "p":
            return format_p(value, d if d >= 1 else 3, lz, na)
        if self.kind == "integer":
            v = _as_float(value)
            if math.isfinite(v) and v == int(v):
                return str(int(v))
            return format_number(v, self.decimals if self.decimals else 2, lz, na)
        return format_number(value, d, lz, na)


def _fmts(kind: str, names: str, decimals: int | None = None) -> dict[str, ColumnFormat]:
    return {n: ColumnFormat(kind, decimals) for n in names.split()}


DEFAULT_FORMATS: Mapping[str, ColumnFormat] = MappingProxyType(
    {
        **_fmts(
            "bounded",
            "alpha std_alpha raw_alpha omega omega_total omega_h omega_hierarchical cr ave sqrt_ave "
            "cfi rmsea rmsea_ci_lower rmsea_ci_upper rmsea.ci.lower rmsea.ci.upper srmr gfi agfi nfi kmo msa "
            "std_all beta r r_drop r_it loading h2 communality r2 rsq r_squared",
        ),
        **_fmts("bounded", "delta_cfi delta_tli delta_rmsea delta_srmr", 3),
        **_fmts("p", "p pvalue p_value p.value pval rmsea_pvalue rmsea.pvalue p_diff delta_p"),
        **_fmts(
            "number",
            "tli nnfi rni ifi chisq chi2 chisq_df chisq_diff delta_chisq est estimate b se z t std_lv std_nox "
            "ci_lower ci_upper ci.lower ci.upper mean m sd skew skewness kurtosis aic bic htmt "
            "min max",
        ),
        **_fmts("integer", "df df_diff delta_df n ntotal nobs n_items k count freq npar"),
        **_fmts("number", "percent pct", 1),
    }
)
"""Default formats by (lower-cased) column name, following APA 7 and lavaan/psych column names."""


def default_format(name: str, values: pd.Series | None = None) -> ColumnFormat:
    """The default :class:`ColumnFormat` of a column, from its name, else from its dtype.

    Parameters
    ----------
    name : str
        Column name; looked up case-insensitively in :data:`DEFAULT_FORMATS`.
    values : pandas.Series, optional
        The column's values: integer dtype gives ``integer``, another numeric dtype ``number``, anything
        else ``text``. Without values an unknown name is ``text``.

    Examples
    --------
    >>> default_format("alpha").kind, default_format("TLI").kind, default_format("pvalue").kind
    ('bounded', 'number', 'p')
    >>> import pandas as pd
    >>> default_format("weird", pd.Series([1.5, 2.0])).kind, default_format("construct").kind
    ('number', 'text')
    """
    fmt = DEFAULT_FORMATS.get(str(name).lower())
    if fmt is not None:
        return fmt
    if values is not None:
        if pd.api.types.is_bool_dtype(values):
            return ColumnFormat("text")
        if pd.api.types.is_integer_dtype(values):
            return ColumnFormat("integer")
        if pd.api.types.is_numeric_dtype(values):
            return ColumnFormat("number")
    return ColumnFormat("text")
