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
        lay=lay, header_rows=header_rows, body=lay.body, lang_tag="zh-CN" if lay.lang == "zh" else "en"
    )
    if path is not None:
        write_text_atomic(path, html)
    return html
