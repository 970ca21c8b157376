"""The :class:`PubTable` model: a results DataFrame plus everything a published table needs.

Three steps are kept apart: raw values (``rows``, never modified) -> display strings (:meth:`PubTable.display`,
a pure function of the table) -> output (the ``to_*`` renderers, which read :meth:`PubTable.layout`).
Tables never compute statistics; they only format them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import pandas as pd

from . import i18n
from .format import ColumnFormat, default_format, is_missing, stars, typographic_minus
from .layout import STYLES, BodyRow, HeaderCell, Layout, check_style
from .richtext import RichText, Run, as_runs, xml_safe, xml_safe_runs

__all__ = ["ColumnSpec", "Notes", "PubTable", "Spanner"]


@dataclass(frozen=True)
class ColumnSpec:
    """One displayed column.

    Parameters
    ----------
    key : str
        Column of ``rows`` (or, for ``kind="ci"`` with ``source``, a new name).
    header : str, Run, sequence of runs or {"en": ..., "zh": ...}, optional
        Column head; default: a localized head for known names (``pvalue`` -> *p*, ``construct`` ->
        Construct/构念), else ``key``.
    format : ColumnFormat, optional
        Default: :func:`~resilience_stats.tables.format.default_format` of ``key``.
    stars : str, optional
        A p-value column whose significance stars are appended to this column's values (``".45***"``).
    source : (str, str), optional
        For ``kind="ci"``: the lower and upper bound columns shown together as ``"[lo, hi]"``.

    Examples
    --------
    >>> ColumnSpec("std_all", stars="pvalue").key
    'std_all'
    """

    key: str
    header: Any = None
    format: ColumnFormat | None = None
    stars: str | None = None
    source: tuple[str, str] | None = None


class Spanner(NamedTuple):
    """A column spanner: ``label`` over the columns ``first`` .. ``last`` (keys, inclusive)."""

    label: Any
    first: str
    last: str


@dataclass(frozen=True)
class Notes:
    """Table notes, printed below the table in APA order: general, specific, probability.

    Parameters
    ----------
    general : str or {"en", "zh"} mapping, optional
    specific : sequence of str or mappings
        One paragraph each (write the superscript letter yourself, e.g. ``"ᵃ Reverse-keyed."``).
    probability : "auto", None, str or runs
        ``"auto"`` explains the star levels that occur in the table; ``None`` omits the note.
    """

    general: Any = None
    specific: tuple = ()
    probability: Any = "auto"


def _as_spec(col: Any) -> ColumnSpec:
    if isinstance(col, ColumnSpec):
        return col
    if isinstance(col, str):
        return ColumnSpec(col)
    raise TypeError(f"a column must be a str or ColumnSpec, not {type(col).__name__}")


@dataclass(frozen=True, eq=False, repr=False)
class PubTable:
    """A publication table: numbered caption, column heads with spanners, rows (optionally grouped), notes.

    Build one with :meth:`from_frame`. Instances are immutable; :meth:`with_options` returns a changed copy
    (e.g. the same table in Chinese: ``t.with_options(lang="zh")``).

    Parameters
    ----------
    rows : pandas.DataFrame
        Raw values (numbers, ids); never modified.
    columns : sequence of ColumnSpec
        Displayed columns, in order.
    title : str or {"en": ..., "zh": ...}
    number : int, optional
        Table number for the caption ("Table 1" / "表1"); ``None`` prints no number.
    spanners : sequence of Spanner
    row_groups : str, optional
        A column of ``rows``; each change of its value starts a group row showing the value.
    notes : Notes
    lang : {"en", "zh"}
    style : {"apa", "three-line"}
    na : str
        Display of a missing value ("" or "—").
    star_levels : tuple of float
        Significance thresholds for stars, default (.05, .01, .001).
    drop_leading_zero : bool
        ``True`` (APA): no leading zero for bounded statistics and p values; ``False``: ``0.93`` everywhere.
    instrument : Instrument, optional
        Supplies names: values of ``construct_columns`` are construct ids shown as
        ``instrument.construct_name(id, lang)``, values of ``item_columns`` are item ids shown as
        ``instrument.item_text(id, lang)``; unknown ids are shown as they are.
    construct_columns, item_columns : tuple of str

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"construct": ["NET", "TRU"], "alpha": [0.931, 0.874], "cr": [0.94, 0.88]})
    >>> t = PubTable.from_frame(df, title="Reliability", number=1)
    >>> t.display()["alpha"].tolist()
    ['.93', '.87']
    >>> t.to_markdown().splitlines()[0]
    '**Table 1**'
    """

    rows: pd.DataFrame
    columns: tuple[ColumnSpec, ...]
    title: Any = ""
    number: int | None = None
    spanners: tuple[Spanner, ...] = ()
    row_groups: str | None = None
    notes: Notes = field(default_factory=Notes)
    lang: str = "en"
    style: str = "apa"
    na: str = ""
    star_levels: tuple[float, ...] = (0.05, 0.01, 0.001)
    drop_leading_zero: bool = True
    instrument: Any = None
    construct_columns: tuple[str, ...] = ("construct",)
    item_columns: tuple[str, ...] = ()

    # -- construction ------------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        if not isinstance(self.rows, pd.DataFrame):
            raise TypeError(f"rows must be a pandas DataFrame, not {type(self.rows).__name__}")
        i18n.check_lang(self.lang)
        check_style(self.style)
        if self.number is not None and (isinstance(self.number, bool) or not isinstance(self.number, int)
                                        or self.number < 1):
            raise ValueError(f"number must be a positive int or None, not {self.number!r}")
        if self.rows.columns.duplicated().any():
            dup = sorted({str(c) for c in self.rows.columns[self.rows.columns.duplicated()]})
            raise ValueError(f"rows has duplicate column names: {dup}")
        available = [str(c) for c in self.rows.columns]
        specs = tuple(self._resolve(_as_spec(c), available) for c in self.columns)
        if self.row_groups is not None:
            if self.row_groups not in self.rows.columns:
                raise ValueError(f"row_groups column {self.row_groups!r} is not in the rows ({available})")
            specs = tuple(s for s in specs if s.key != self.row_groups)
        if not specs:
            raise ValueError("a table needs at least one column")
        keys = [s.key for s in specs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys: {keys}")
        object.__setattr__(self, "columns", specs)
        object.__setattr__(self, "spanners", tuple(Spanner(*s) for s in self.spanners))
        self._check_spanners(keys)
        object.__setattr__(self, "star_levels", tuple(sorted(self.star_levels, reverse=True)))
        object.__setattr__(self, "construct_columns", tuple(self.construct_columns))
        object.__setattr__(self, "item_columns", tuple(self.item_columns))
        if not isinstance(self.notes, Notes):
            raise TypeError(f"notes must be a Notes instance, not {type(self.notes).__name__}")

    def _resolve(self, spec: ColumnSpec, available: list[str]) -> ColumnSpec:
        if spec.source is not None:
            missing = [c for c in spec.source if c not in self.rows.columns]
            if len(spec.source) != 2 or missing:
                raise ValueError(f"column {spec.key!r}: source must name two columns of rows, missing {missing}")
            fmt = spec.format or ColumnFormat("ci")
            if fmt.kind != "ci":
                raise ValueError(f"column {spec.key!r} has a source pair, so its format kind must be 'ci'")
        else:
            if spec.key not in self.rows.columns:
                raise ValueError(f"column {spec.key!r} is not in the rows; available: {available}")
            fmt = spec.format or default_format(spec.key, self.rows[spec.key])
            if fmt.kind == "ci":
                raise ValueError(f"column {spec.key!r}: kind 'ci' needs source=(lower, upper)")
        if spec.stars is not None and spec.stars not in self.rows.columns:
            raise ValueError(f"column {spec.key!r}: stars column {spec.stars!r} is not in the rows")
        return dataclasses.replace(spec, format=fmt)

    def _check_spanners(self, keys: list[str]) -> None:
        taken: set[int] = set()
        for sp in self.spanners:
            if sp.first not in keys or sp.last not in keys:
                raise ValueError(f"spanner {sp.label!r}: {sp.first!r}..{sp.last!r} must be displayed columns {keys}")
            a, b = keys.index(sp.first), keys.index(sp.last)
            if a > b:
                raise ValueError(f"spanner {sp.label!r}: {sp.first!r} comes after {sp.last!r}")
            span = set(range(a, b + 1))
            if span & taken:
                raise ValueError(f"spanner {sp.label!r} overlaps another spanner")
            taken |= span

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        title: Any = "",
        columns: Sequence[str | ColumnSpec] | Mapping[str, Any] | None = None,
        formats: Mapping[str, ColumnFormat | str] | None = None,
        headers: Mapping[str, Any] | None = None,
        stars: Mapping[str, str] | None = None,
        spanners: Iterable[Spanner | tuple] = (),
        row_groups: str | None = None,
        note: Any = None,
        specific_notes: Sequence[Any] = (),
        probability_note: Any = "auto",
        number: int | None = None,
        lang: str = "en",
        style: str = "apa",
        na: str = "",
        star_levels: tuple[float, ...] = (0.05, 0.01, 0.001),
        drop_leading_zero: bool = True,
        instrument: Any = None,
        construct_columns: Sequence[str] = ("construct",),
        item_columns: Sequence[str] = (),
    ) -> "PubTable":
        """Build a table from a results DataFrame.

        Parameters
        ----------
        df : pandas.DataFrame
            Raw results (one row per table row).
        title : str or {"en": ..., "zh": ...}
        columns : list of str/ColumnSpec, or {key: header}, optional
            Columns to show, in order; default all columns of ``df``.
        formats : {key: ColumnFormat or kind}, optional
            Overrides of the default formats (e.g. ``{"est": ColumnFormat("number", 3)}`` or
            ``{"loading": "bounded"}``).
        headers : {key: header}, optional
            Overrides of the column heads (str, runs or ``{"en", "zh"}``).
        stars : {key: p_column}, optional
            Append significance stars from ``p_column`` to ``key``'s values.
        spanners : iterable of (label, first_key, last_key)
        row_groups : str, optional
            Column whose value changes start group rows (the column itself is not shown).
        note, specific_notes, probability_note
            General note, specific notes, probability note (``"auto"``: explain the stars used).
        number, lang, style, na, star_levels, drop_leading_zero, instrument, construct_columns, item_columns
            As in :class:`PubTable`.

        Returns
        -------
        PubTable

        Examples
        --------
        >>> import pandas as pd
        >>> paths = pd.DataFrame({"path": ["NET ~ PBL"], "est": [0.52], "std_all": [0.41], "pvalue": [0.0001]})
        >>> t = PubTable.from_frame(paths, columns=["path", "est", "std_all"], stars={"std_all": "pvalue"})
        >>> t.display().iloc[0].tolist()
        ['NET ~ PBL', '0.52', '.41***']
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}")
        if not all(isinstance(c, str) for c in df.columns):
            df = df.rename(columns=str)  # a copy: column keys are strings
        formats = dict(formats or {})
        headers = dict(headers or {})
        stars = dict(stars or {})
        if columns is None:
            cols: list[Any] = [str(c) for c in df.columns if c != row_groups]
        elif isinstance(columns, Mapping):
            cols = [ColumnSpec(str(k), header=h) for k, h in columns.items()]
        else:
            cols = list(columns)
        specs = []
        for c in cols:
            spec = _as_spec(c)
            changes: dict[str, Any] = {}
            if spec.key in formats:
                f = formats[spec.key]
                changes["format"] = ColumnFormat(f) if isinstance(f, str) else f
            if spec.key in headers:
                changes["header"] = headers[spec.key]
            if spec.key in stars:
                changes["stars"] = stars[spec.key]
            specs.append(dataclasses.replace(spec, **changes) if changes else spec)
        unknown = (set(formats) | set(headers) | set(stars)) - {s.key for s in specs}
        if unknown:
            raise ValueError(f"formats/headers/stars name columns that are not shown: {sorted(unknown)}")
        return cls(
            rows=df,
            columns=tuple(specs),
            title=title,
            number=number,
            spanners=tuple(Spanner(*s) for s in spanners),
            row_groups=row_groups,
            notes=Notes(general=note, specific=tuple(specific_notes), probability=probability_note),
            lang=lang,
            style=style,
            na=na,
            star_levels=tuple(star_levels),
            drop_leading_zero=drop_leading_zero,
            instrument=instrument,
            construct_columns=tuple(construct_columns),
            item_columns=tuple(item_columns),
        )

    def with_options(self, **changes: Any) -> "PubTable":
        """A copy with some fields changed, e.g. ``t.with_options(lang="zh", style="three-line")``."""
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:
        return (
            f"PubTable(number={self.number!r}, title={i18n.localize(self.title, self.lang)!r}, "
            f"rows={len(self.rows)}, columns={[c.key for c in self.columns]}, lang={self.lang!r}, "
            f"style={self.style!r})"
        )

    # -- raw -> display strings ----------------------------------------------------------------------------
    def _name(self, column: str, value: Any) -> Any:
        """Construct/item ids replaced by the instrument's wording in the table's language."""
        if self.instrument is None or is_missing(value):
            return value
        try:
            if column in self.construct_columns:
                return self.instrument.construct_name(str(value), self.lang)
            if column in self.item_columns:
                return self.instrument.item_text(str(value), self.lang)
        except KeyError:
            return value
        return value

    def _cell(self, spec: ColumnSpec, record: Mapping[str, Any]) -> str:
        if spec.source is not None:
            lo, hi = (record[c] for c in spec.source)
            value: Any = None if is_missing(lo) or is_missing(hi) else (lo, hi)
        else:
            value = self._name(spec.key, record[spec.key])
        text = spec.format.format(value, self.na, self.drop_leading_zero)
        if spec.stars is not None and text != self.na:
            text += stars(record[spec.stars], self.star_levels)
        return text

    def display(self, minus: str = "-") -> pd.DataFrame:
        """The display strings: one column per displayed column (keys as names), same index as ``rows``.

        Parameters
        ----------
        minus : str, default "-"
            Minus sign of numeric cells (renderers pass U+2212 for HTML and Word).

        Examples
        --------
        >>> import pandas as pd
        >>> t = PubTable.from_frame(pd.DataFrame({"r": [-0.304]}))
        >>> t.display().iloc[0, 0], t.display(minus="\u2212").iloc[0, 0] == "\u2212.30"
        ('-.30', True)
        """
        records = self.rows.to_dict("records")
        data = {}
        for spec in self.columns:
            cells = [self._cell(spec, r) for r in records]
            if minus != "-" and spec.format.numeric:
                cells = [typographic_minus(c, minus) for c in cells]
            data[spec.key] = cells
        return pd.DataFrame(data, index=self.rows.index, columns=[s.key for s in self.columns], dtype=object)

    def stars_used(self) -> tuple[int, ...]:
        """The star counts that occur in the table (e.g. ``(1, 3)``), for the probability note."""
        used: set[int] = set()
        for spec in self.columns:
            if spec.stars is None:
                continue
            for p in self.rows[spec.stars]:
                k = len(stars(p, self.star_levels))
                if k:
                    used.add(k)
        return tuple(sorted(used))

    # -- layout ------------------------------------------------------------------------------------------
    def header_runs(self, spec: ColumnSpec) -> RichText:
        """The localized head of one column."""
        if spec.header is not None:
            return as_runs(i18n.localize(spec.header, self.lang))
        default = i18n.default_header(spec.key, self.lang)
        return default if default is not None else as_runs(spec.key)

    def note_paragraphs(self) -> tuple[RichText, ...]:
        """Note paragraphs in APA order (general, specific, probability); the first starts with "Note."/"注："."""
        paras: list[RichText] = []
        general = as_runs(i18n.localize(self.notes.general, self.lang))
        if general:
            paras.append(general)
        for s in self.notes.specific:
            runs = as_runs(i18n.localize(s, self.lang))
            if runs:
                paras.append(runs)
        prob = self.notes.probability
        if isinstance(prob, str) and prob == "auto":
            used = self.stars_used()
            prob_runs = (
                i18n.probability_note(self.star_levels, self.lang, not self.drop_leading_zero, used=used)
                if used else ()
            )
        else:
            prob_runs = as_runs(i18n.localize(prob, self.lang))
        if prob_runs:
            paras.append(prob_runs)
        if paras:
            label = i18n.note_label(self.lang)
            prefix = (Run(label, italic=True), Run(" ")) if self.lang == "en" else (Run(label),)
            paras[0] = prefix + paras[0]
        return tuple(paras)

    def layout(self, minus: str = "-") -> Layout:
        """The renderer-neutral :class:`~resilience_stats.tables.layout.Layout` of this table."""
        keys = [s.key for s in self.columns]
        kinds = tuple(s.format.kind for s in self.columns)
        aligns = tuple("left" if k == "text" else "center" for k in kinds)
        spanned: dict[int, Spanner] = {}
        for sp in self.spanners:
            spanned[keys.index(sp.first)] = sp
        covered = {i for sp in self.spanners for i in range(keys.index(sp.first), keys.index(sp.last) + 1)}
        nhead = 2 if self.spanners else 1
        header: list[HeaderCell] = []
        for i, spec in enumerate(self.columns):
            if i in spanned:
                sp = spanned[i]
                header.append(HeaderCell(0, i, xml_safe_runs(as_runs(i18n.localize(sp.label, self.lang))),
                                         colspan=keys.index(sp.last) - i + 1, spanner=True))
            if nhead == 2 and i in covered:
                header.append(HeaderCell(1, i, xml_safe_runs(self.header_runs(spec)), align=aligns[i]))
            else:
                header.append(HeaderCell(0, i, xml_safe_runs(self.header_runs(spec)), rowspan=nhead, align=aligns[i]))
        header.sort(key=lambda c: (c.row, c.col))

        shown = self.display(minus)
        body: list[BodyRow] = []
        groups = self.rows[self.row_groups].tolist() if self.row_groups is not None else None
        previous: Any = object()
        for pos, cells in enumerate(shown.itertuples(index=False, name=None)):
            if groups is not None:
                g = groups[pos]
                if pos == 0 or not (g == previous or (is_missing(g) and is_missing(previous))):
                    label = self._name(self.row_groups, g)
                    body.append(BodyRow(group=self.na if is_missing(label) else xml_safe(str(label))))
                previous = g
            body.append(BodyRow(cells=tuple(xml_safe(c) for c in cells)))
        return Layout(
            style=self.style,
            lang=self.lang,
            label=i18n.caption_label(self.number, self.lang),
            title=xml_safe(str(i18n.localize(self.title, self.lang) or "")),
            ncols=len(self.columns),
            header_rows=nhead,
            header=tuple(header),
            body=tuple(body),
            kinds=kinds,
            aligns=aligns,
            notes=tuple(xml_safe_runs(p) for p in self.note_paragraphs()),
            rules=STYLES[self.style],
            caption_sep=i18n.caption_separator(self.lang),
        )

    # -- renderers -----------------------------------------------------------------------------------------
    def to_html(self, path: str | Path | None = None) -> str:
        """Self-contained HTML (inline CSS); see :func:`~resilience_stats.tables.render_html.render_html`."""
        from .render_html import render_html

        return render_html(self, path)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_docx(self, target: Any = None) -> Any:
        """Word output; see :func:`~resilience_stats.tables.render_docx.render_docx`."""
        from .render_docx import render_docx

        return render_docx(self, target)

    def to_latex(self, path: str | Path | None = None, standalone: bool = False) -> str:
        """booktabs LaTeX; see :func:`~resilience_stats.tables.render_latex.render_latex`."""
        from .render_latex import render_latex

        return render_latex(self, path, standalone=standalone)

    def to_markdown(self, path: str | Path | None = None) -> str:
        """A pipe table with caption and notes; see :func:`~resilience_stats.tables.render_markdown.render_markdown`."""
        from .render_markdown import render_markdown

        return render_markdown(self, path)

    def to_excel(self, target: Any, sheet_name: str | None = None) -> Any:
        """An Excel sheet with the style's rules; see :func:`~resilience_stats.tables.render_excel.render_excel`."""
        from .render_excel import render_excel

        return render_excel(self, target, sheet_name=sheet_name)
