"""The content of a report, independent of its output format: sections made of blocks.

Builders (:mod:`.sections`) produce these; the HTML and Word writers render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Code", "Facts", "Figure", "Notice", "Paragraph", "References", "Section", "Table"]


@dataclass(frozen=True)
class Paragraph:
    """Running text (plain; escaped by the writers)."""

    text: str


@dataclass(frozen=True)
class Notice:
    """A message in a box: ``level`` "error" (a failed analysis), "warning" or "info"."""

    level: str
    text: str


@dataclass(frozen=True)
class Table:
    """A numbered publication table (:class:`~resilience_stats.tables.PubTable`)."""

    table: Any


@dataclass(frozen=True)
class Figure:
    """A numbered figure: PNG bytes, caption, and width on the page in inches."""

    png: bytes
    caption: str
    number: int
    width_in: float = 6.0


@dataclass(frozen=True)
class Facts:
    """Label-value pairs (shown as a two-column list)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Code:
    """Preformatted text (model syntax, a command)."""

    text: str


@dataclass(frozen=True)
class References:
    """A reference list."""

    entries: tuple[str, ...]


@dataclass
class Section:
    """A titled part of the report with an anchor id, made of blocks."""

    id: str
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks: Any) -> "Section":
        """Append blocks (None is ignored); returns the section."""
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def count(self, kind: type) -> int:
        """Number of blocks of ``kind``."""
        return sum(isinstance(b, kind) for b in self.blocks)
