"""HTML renderer: a self-contained ``<div>`` (inline ``<style>``), from a jinja2 template with autoescape.

Every user string (title, heads, cells, item text, notes) is escaped by jinja2; numbers use U+2212 for
minus. The output is well-formed XML as well as HTML (no named entities, every element closed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .._atomic import write_text_atomic
from .format import MINUS

if TYPE_CHECKING:
    from .pubtable import PubTable

__all__ = ["render_html"]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("resilience_stats.tables", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


#: Widest minimum width (em) a text column is given; longer texts wrap (between words, CJK between characters).
TEXT_MIN_EM = 12.0


def text_em(text: str) -> float:
    """Approximate width of ``text`` in em: CJK and full-width characters 1, others 0.55.

    Examples
    --------
    >>> text_em("社区韧性"), text_em("abcd")
    (4.0, 2.2)
    """
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in str(text))


def column_styles(lay) -> list[str]:
    """Inline style of each column's cells: numbers (and intervals) never wrap; a text column is at least as
    wide as its longest word (at most :data:`TEXT_MIN_EM`), so that no column shows one character per line."""
    styles = []
    for c in range(lay.ncols):
        cells = [row.cells[c] for row in lay.body if row.group is None and c < len(row.cells)]
        heads = ["".join(r.text for r in h.runs) for h in lay.header if h.col == c and h.colspan == 1]
        if lay.is_numeric(c):
            styles.append("white-space:nowrap")
            continue
        words = [w for text in [*cells, *heads] for w in str(text).split()] or [""]
        width = min(TEXT_MIN_EM, max(text_em(w) for w in words))
        styles.append(f"min-width:{width:.1f}em" if width >= 1.5 else "")
    return styles


def render_html(table: "PubTable", path: str | Path | None = None) -> str:
    """Render a table as HTML.

    Parameters
    ----------
    table : PubTable
    path : str or Path, optional
        Also write the HTML (UTF-8) there, atomically.

    Returns
    -------
    str
        The HTML fragment (also what Jupyter shows through ``PubTable._repr_html_``).

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> html = PubTable.from_frame(pd.DataFrame({"item": ["a < b & c"]})).to_html()
    >>> "a &lt; b &amp; c" in html
    True
    """
    lay = table.layout(minus=MINUS)
    header_rows = [[c for c in lay.header if c.row == r] for r in range(lay.header_rows)]
    html = _environment().get_template("table.html.j2").render(
        lay=lay, header_rows=header_rows, body=lay.body, lang_tag="zh-CN" if lay.lang == "zh" else "en",
        col_styles=column_styles(lay),
    )
    if path is not None:
        write_text_atomic(path, html)
    return html
