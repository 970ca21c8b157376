"""LaTeX renderer: a ``table`` float with a booktabs ``tabular`` (needs only ``\\usepackage{booktabs}``).

Rules: ``\\toprule``, ``\\cmidrule(lr){a-b}`` under each spanner, ``\\midrule`` under the head,
``\\bottomrule``; no vertical rules. The caption is typeset as text above the table (not ``\\caption``, so the
number is the table's own); notes follow in ``\\footnotesize``.

Escaping: the LaTeX specials ``\\ & % $ # _ { } ~ ^`` are escaped; ``<`` and ``>`` become ``$<$``/``$>$``
(they print as other glyphs in text mode with the default OT1 encoding); common Greek letters and symbols
used in statistics tables (α β χ ω ², √, —, ...) are mapped to LaTeX commands so the output compiles with
pdfLaTeX. Minus signs of numeric cells are written ``$-$`` (a true minus without any package). Chinese
text is passed through: compile it with XeLaTeX/LuaLaTeX and ``ctex`` (``standalone=True`` does this).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .._atomic import write_text_atomic
from .format import typographic_minus
from .layout import Layout
from .richtext import RichText

if TYPE_CHECKING:
    from .pubtable import PubTable

__all__ = ["escape_latex", "render_latex"]

LATEX_MINUS = "$-$"

_SPECIALS = MappingProxyType({
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"$<$", ">": r"$>$",
    "\u03b1": r"$\alpha$", "\u03b2": r"$\beta$", "\u03b3": r"$\gamma$", "\u03b4": r"$\delta$",
    "\u03b5": r"$\varepsilon$", "\u03b7": r"$\eta$", "\u03bb": r"$\lambda$", "\u03bc": r"$\mu$",
    "\u03c1": r"$\rho$", "\u03c3": r"$\sigma$", "\u03c4": r"$\tau$", "\u03c6": r"$\phi$",
    "\u03c7": r"$\chi$", "\u03c8": r"$\psi$", "\u03c9": r"$\omega$", "\u0394": r"$\Delta$",
    "\u00b2": r"\textsuperscript{2}", "\u00b3": r"\textsuperscript{3}", "\u00b1": r"$\pm$",
    "\u00d7": r"$\times$", "\u2264": r"$\leq$", "\u2265": r"$\geq$", "\u221a": r"$\surd$",
    "\u221e": r"$\infty$", "\u2212": r"$-$", "\u2014": "---", "\u2013": "--",
    "\u201c": "``", "\u201d": "''", "\u2018": "`", "\u2019": "'",
})
_SPECIAL_RE = re.compile("|".join(re.escape(k) for k in sorted(_SPECIALS, key=len, reverse=True)))
_CJK_RE = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def escape_latex(text: str) -> str:
    """Escape LaTeX specials and map statistics symbols to LaTeX.

    Examples
    --------
    >>> escape_latex("50% & R_2 <x>")
    '50\\\\% \\\\& R\\\\_2 $<$x$>$'
    >>> escape_latex("\u03b1 = .93")
    '$\\\\alpha$ = .93'
    """
    return _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group(0)], str(text))


def _runs(runs: RichText) -> str:
    return "".join(r"\textit{" + escape_latex(r.text) + "}" if r.italic else escape_latex(r.text) for r in runs)


def _cell(text: str, numeric: bool) -> str:
    out = escape_latex(text)
    return typographic_minus(out, LATEX_MINUS) if numeric else out


def _tabular(lay: Layout) -> list[str]:
    colspec = "".join("l" if a == "left" else "c" for a in lay.aligns)
    lines = [r"\begin{tabular}{@{}" + colspec + "@{}}", r"\toprule"]
    for r in range(lay.header_rows):
        cells: list[str] = []
        col = 0
        while col < lay.ncols:
            hc = next((h for h in lay.header if h.col == col and h.row <= r <= h.last_row), None)
            if hc is None:
                cells.append("")
                col += 1
            elif hc.rowspan > 1:  # a head without spanner is printed on the last header row (bottom-aligned)
                cells.append(_runs(hc.runs) if r == lay.header_rows - 1 else "")
                col += 1
            else:
                text = _runs(hc.runs)
                cells.append(r"\multicolumn{%d}{c}{%s}" % (hc.colspan, text) if hc.colspan > 1 else text)
                col += hc.colspan
        lines.append(" & ".join(cells) + r" \\")
        spanners = [c for c in lay.header if c.row == r and c.spanner]
        if spanners:
            lines.append(" ".join(r"\cmidrule(lr){%d-%d}" % (c.col + 1, c.last_col + 1) for c in spanners))
    lines.append(r"\midrule")
    for row in lay.body:
        if row.group is not None:
            lines.append(r"\multicolumn{%d}{@{}l@{}}{%s} \\" % (lay.ncols, escape_latex(row.group)))
        else:
            lines.append(" & ".join(_cell(t, lay.is_numeric(i)) for i, t in enumerate(row.cells)) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return lines


def render_latex(table: "PubTable", path: str | Path | None = None, standalone: bool = False) -> str:
    """Render a table as LaTeX (booktabs).

    Parameters
    ----------
    table : PubTable
    path : str or Path, optional
        Also write the source there (UTF-8), atomically.
    standalone : bool, default False
        Wrap in a complete document (``article`` + booktabs; ``ctexart`` when the table holds Chinese,
        which needs XeLaTeX or LuaLaTeX).

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.tables import PubTable
    >>> tex = PubTable.from_frame(pd.DataFrame({"r": [-0.31]})).to_latex()
    >>> r"\\toprule" in tex and "$-$.31" in tex
    True
    """
    lay = table.layout()
    align = r"\centering" if lay.caption_one_line else r"\raggedright"
    out = [r"\begin{table}[htbp]", align]
    if lay.caption_one_line:
        if lay.label or lay.title:
            sep = r"\quad " if lay.label and lay.title else ""
            out.append(r"{\bfseries " + escape_latex(lay.label) + sep + escape_latex(lay.title) + r"}\par\medskip")
    else:
        if lay.label:
            out.append(r"{\bfseries " + escape_latex(lay.label) + r"}\par\smallskip")
        if lay.title:
            out.append(r"{\itshape " + escape_latex(lay.title) + r"}\par\medskip")
    out += _tabular(lay)
    if lay.notes:
        out.append(r"\par\smallskip")
        out.append(r"{\footnotesize\raggedright")
        out += [_runs(p) + r"\par" for p in lay.notes]
        out.append("}")
    out.append(r"\end{table}")
    tex = "\n".join(out) + "\n"
    if standalone:
        text = tex + "".join(r.text for p in lay.notes for r in p)
        cls = r"\documentclass{ctexart}" if _CJK_RE.search(text) else r"\documentclass{article}"
        tex = "\n".join([cls, r"\usepackage{booktabs}", r"\begin{document}", tex, r"\end{document}", ""])
    if path is not None:
        write_text_atomic(path, tex)
    return tex
