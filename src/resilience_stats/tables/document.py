"""Several tables in one Word document, with numbered captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import docx
from docx.document import Document as DocumentType
from docx.enum.text import WD_BREAK

from .._atomic import write_atomic
from .pubtable import PubTable
from .render_docx import add_table

__all__ = ["write_all"]


def write_all(
    tables: Iterable[PubTable],
    path: Any,
    *,
    lang: str | None = None,
    style: str | None = None,
    renumber: bool = True,
    first_number: int = 1,
    page_breaks: bool = False,
) -> Any:
    """Write several tables into one .docx, numbered in order.

    Parameters
    ----------
    tables : iterable of PubTable
    path : str, Path or docx Document
        A path is written atomically (and returned); a ``Document`` gets the tables appended (and is returned).
    lang, style : str, optional
        Override every table's language / style (e.g. the whole set in Chinese three-line style).
    renumber : bool, default True
        Number the tables ``first_number``, ``first_number + 1``, ... in the order given; ``False`` keeps each
        table's own number.
    first_number : int, default 1
    page_breaks : bool, default False
        Start each table after the first on a new page (otherwise an empty paragraph separates them).

    Returns
    -------
    pathlib.Path or docx Document

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> a = PubTable.from_frame(pd.DataFrame({"alpha": [0.9]}), title="Reliability")
    >>> b = PubTable.from_frame(pd.DataFrame({"cfi": [0.95]}), title="Fit")
    >>> d = write_all([a, b], None)
    >>> [p.text for p in d.paragraphs if p.text.startswith("Table")]
    ['Table 1', 'Table 2']
    """
    tables = list(tables)
    for t in tables:
        if not isinstance(t, PubTable):
            raise TypeError(f"write_all takes PubTable objects, not {type(t).__name__}")
    doc = path if isinstance(path, DocumentType) else docx.Document()
    for i, table in enumerate(tables):
        changes: dict[str, Any] = {}
        if lang is not None:
            changes["lang"] = lang
        if style is not None:
            changes["style"] = style
        if renumber:
            changes["number"] = first_number + i
        if changes:
            table = table.with_options(**changes)
        if i:
            p = doc.add_paragraph()
            if page_breaks:
                p.add_run().add_break(WD_BREAK.PAGE)
        add_table(doc, table)
    if path is None or isinstance(path, DocumentType):
        return doc
    if isinstance(path, (str, Path)):
        return write_atomic(path, lambda p: doc.save(str(p)))
    raise TypeError(f"path must be a str, Path, docx Document or None, not {type(path).__name__}")
