"""Minimal rich text for headers, captions and notes: a tuple of :class:`Run` (text + italic flag).

APA sets statistical symbols in italics (*M*, *SD*, *p*, *B*, *SE*); a header or note given as a plain ``str``
is one upright run. Renderers turn runs into ``<em>``, Word italic runs, ``\\textit{}`` or ``*...*``.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Sequence, Union

__all__ = ["Run", "RichText", "as_runs", "italic", "plain_text", "xml_safe", "xml_safe_runs"]


class Run(NamedTuple):
    """A stretch of text set upright or in italics."""

    text: str
    italic: bool = False


RichText = tuple[Run, ...]
TextLike = Union[str, Run, Sequence[Union[str, Run]]]


def italic(text: str) -> Run:
    """An italic run, e.g. a statistical symbol in a header.

    Examples
    --------
    >>> italic("p")
    Run(text='p', italic=True)
    """
    return Run(str(text), True)


def as_runs(x: Any) -> RichText:
    """Normalize a ``str``, a :class:`Run` or a sequence of them to a tuple of runs (``None`` gives ``()``).

    Examples
    --------
    >>> as_runs("Construct")
    (Run(text='Construct', italic=False),)
    >>> as_runs(["95% CI for ", italic("B")])[1]
    Run(text='B', italic=True)
    """
    if x is None:
        return ()
    if isinstance(x, Run):
        return (x,)
    if isinstance(x, str):
        return (Run(x),) if x else ()
    if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) and isinstance(x[1], bool):
        return (Run(x[0], x[1]),)
    out: list[Run] = []
    for part in x:
        out.extend(as_runs(part))
    return tuple(out)


def plain_text(x: Any) -> str:
    """The text of a str/run/runs without formatting.

    Examples
    --------
    >>> plain_text(["Cronbach's ", italic("α")])
    "Cronbach's α"
    """
    return "".join(r.text for r in as_runs(x))


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop the control characters XML (hence HTML-as-XML, Word and Excel) cannot hold; keeps tab and newlines.

    Examples
    --------
    >>> xml_safe("a\\x0bb\\tc")
    'ab\\tc'
    """
    return _XML_INVALID.sub("", text)


def xml_safe_runs(runs: RichText) -> RichText:
    """:func:`xml_safe` applied to every run."""
    return tuple(Run(xml_safe(r.text), r.italic) for r in runs)
