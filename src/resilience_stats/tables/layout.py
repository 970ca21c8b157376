"""The renderer-neutral layout of a table: caption, header grid, body rows, notes and rule widths.

:meth:`PubTable.layout` builds a :class:`Layout`; each renderer (HTML, Word, LaTeX, Markdown, Excel) only
places what it finds here, so all outputs agree cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .richtext import RichText

__all__ = ["STYLES", "BodyRow", "HeaderCell", "Layout", "Rules", "check_style"]


@dataclass(frozen=True)
class Rules:
    """Widths in points of the horizontal rules of a style (there are never vertical rules).

    Attributes
    ----------
    top, header, bottom : float
        Rule above the head, under the head, under the last row.
    spanner : float
        Partial rule under a column spanner.
    """

    top: float
    header: float
    bottom: float
    spanner: float


STYLES: Mapping[str, Rules] = MappingProxyType(
    {
        # APA 7: horizontal rules above and below the head and under the body, no vertical rules.
        "apa": Rules(top=0.75, header=0.75, bottom=0.75, spanner=0.5),
        # 三线表 (CY/T 170-2019): thick top and bottom rules (about 1.5 pt), a thin rule under the head.
        "three-line": Rules(top=1.5, header=0.75, bottom=1.5, spanner=0.5),
    }
)
"""The rule widths of each table style."""


def check_style(style: str) -> str:
    """Return ``style`` if it is a known style (``"apa"``, ``"three-line"``), else raise ``ValueError``."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {tuple(STYLES)}, not {style!r}")
    return style


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the header grid (row 0 is the top); a column head without a spanner above it spans all
    header rows (``rowspan``) and is aligned to the bottom."""

    row: int
    col: int
    runs: RichText
    rowspan: int = 1
    colspan: int = 1
    spanner: bool = False
    align: str = "center"

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass(frozen=True)
class BodyRow:
    """A data row (``cells``: display strings, one per column) or a group row (``group`` set, no cells)."""

    cells: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class Layout:
    """Everything a renderer needs, with display strings already formatted and localized."""

    style: str
    lang: str
    label: str
    title: str
    ncols: int
    header_rows: int
    header: tuple[HeaderCell, ...]
    body: tuple[BodyRow, ...]
    kinds: tuple[str, ...]
    aligns: tuple[str, ...]
    notes: tuple[RichText, ...]
    rules: Rules
    caption_sep: str = " "

    @property
    def caption_one_line(self) -> bool:
        """Three-line tables put number and title on one centred line; APA puts them on two lines."""
        return self.style == "three-line"

    def is_numeric(self, col: int) -> bool:
        return self.kinds[col] != "text"
