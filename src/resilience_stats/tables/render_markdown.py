"""Markdown renderer: a GitHub-flavoured pipe table with the caption above and the notes below.

Markdown has no spanners or rules: a spanned head is written ``"95% CI LL"`` (spanner, then head), a group
row is a row whose first cell is the bold group label. Markdown specials in cells are backslash-escaped
(``\\ * _ ` |``, and ``]`` before ``(`` or ``[``, which could close a link), and ``<``/``&`` only where they
could start an HTML tag or entity, so ``"< .001"`` and ``"[.12, .40]"`` stay readable. Minus signs stay ASCII.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .._atomic import write_text_atomic
from .richtext import RichText

if TYPE_CHECKING:
    from .pubtable import PubTable

__all__ = ["escape_markdown", "render_markdown"]

_MD_SPECIAL_RE = re.compile(r"([\\`*_|]|\](?=[(\[]))")
_TAG_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_RE = re.compile(r"&(?=#?\w+;)")


def escape_markdown(text: str) -> str:
    """Escape text for a Markdown table cell.

    Examples
    --------
    >>> escape_markdown(".45***"), escape_markdown("a|b <i> & c"), escape_markdown("< .001")
    ('.45\\\\*\\\\*\\\\*', 'a\\\\|b \\\\<i> & c', '< .001')
    """
    out = _MD_SPECIAL_RE.sub(r"\\\1", str(text))
    out = _TAG_START_RE.sub(r"\\<", out)
    out = _ENTITY_RE.sub("&amp;", out)
    return out.replace("\n", " ")


def _runs(runs: RichText) -> str:
    return "".join(f"*{escape_markdown(r.text)}*" if r.italic and r.text.strip() else escape_markdown(r.text)
                   for r in runs)


def render_markdown(table: "PubTable", path: str | Path | None = None) -> str:
    """Render a table as Markdown.

    Parameters
    ----------
    table : PubTable
    path : str or Path, optional
        Also write the text there (UTF-8), atomically.

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> md = PubTable.from_frame(pd.DataFrame({"construct": ["NET"], "alpha": [0.9]}), number=1).to_markdown()
    >>> md.splitlines()[2:5]
    ['| Construct | α |', '| :-- | :-: |', '| NET | .90 |']
    """
    lay = table.layout()
    heads = [""] * lay.ncols
    for hc in lay.header:
        if hc.spanner:
            continue
        spanner = next((s for s in lay.header if s.spanner and s.col <= hc.col <= s.last_col), None)
        text = _runs(hc.runs)
        heads[hc.col] = f"{_runs(spanner.runs)} {text}".strip() if spanner is not None else text
    lines: list[str] = []
    if lay.caption_one_line:
        caption = lay.label + (lay.caption_sep if lay.label and lay.title else "") + lay.title
        if caption:
            lines += [f"**{escape_markdown(caption)}**", ""]
    else:
        if lay.label:
            lines.append(f"**{escape_markdown(lay.label)}**")
        if lay.title:
            lines.append(f"*{escape_markdown(lay.title)}*")
        if lay.label or lay.title:
            lines.append("")
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("| " + " | ".join(":--" if a == "left" else ":-:" for a in lay.aligns) + " |")
    for row in lay.body:
        if row.group is not None:
            cells = [f"**{escape_markdown(row.group)}**" if row.group else ""] + [""] * (lay.ncols - 1)
        else:
            cells = [escape_markdown(c) for c in row.cells]
        lines.append("| " + " | ".join(cells) + " |")
    if lay.notes:
        lines.append("")
        for para in lay.notes:
            lines += [_runs(para), ""]
        lines.pop()
    md = "\n".join(lines) + "\n"
    if path is not None:
        write_text_atomic(path, md)
    return md
