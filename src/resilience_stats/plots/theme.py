"""The one publication theme of :mod:`resilience_stats.plots`.

Sizes follow journal columns (:data:`SINGLE_COLUMN` 3.5 in, :data:`DOUBLE_COLUMN` 7 in) with 7-8 pt text;
colours are chosen so that figures stay readable when printed in grayscale (distinct lightness, plus marker
and line-style cycles for categorical series). Nothing here changes matplotlib's global state: plot functions
enter :func:`plot_context`, which wraps :func:`matplotlib.pyplot.rc_context`.

Examples
--------
>>> from resilience_stats.plots import theme
>>> with theme.plot_context("en") as lang:  # doctest: +SKIP
...     fig, ax = plt.subplots(figsize=theme.figsize("single"))
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from cycler import cycler

from .fonts import resolve_lang

__all__ = [
    "SINGLE_COLUMN",
    "DOUBLE_COLUMN",
    "DPI",
    "GRAY",
    "DARK",
    "MARKERS",
    "LINESTYLES",
    "rc_params",
    "plot_context",
    "figsize",
    "categorical_colors",
    "diverging_colors",
    "CORRELATION_CMAP",
    "LOADING_CMAP",
]

SINGLE_COLUMN = 3.5  # inches
DOUBLE_COLUMN = 7.0
DPI = 300
BASE_FONT = 8.0

DARK = "#1a1a1a"
GRAY = "#7f7f7f"
LIGHT = "#d9d9d9"
NEUTRAL = "#e8e8e8"  # the middle category of an agreement scale: lighter than every other category

#: categorical series: dark-to-light ramp of a colourblind-friendly blue/orange set, so lightness alone tells
#: the first four apart; combine with :data:`MARKERS` / :data:`LINESTYLES` beyond that.
_CATEGORICAL = ("#08306b", "#d95f02", "#6baed6", "#bdbdbd", "#1b9e77", "#fdae6b", "#54278f", "#525252")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1)), (0, (3, 1, 1, 1)), (0, (5, 2, 1, 2)))

#: sign-bearing heatmaps: dark red (-1) .. white (0) .. dark blue (+1); cells are annotated, so the sign is
#: readable in grayscale too.
CORRELATION_CMAP = "RdBu"
LOADING_CMAP = "RdBu"


def categorical_colors(n: int) -> list[str]:
    """``n`` colours of the grayscale-safe categorical cycle (repeats after 8).

    Examples
    --------
    >>> categorical_colors(2)
    ['#08306b', '#d95f02']
    """
    return [_CATEGORICAL[i % len(_CATEGORICAL)] for i in range(n)]


def diverging_colors(n_categories: int) -> list[str]:
    """Colours for a ``n_categories``-point agreement scale: disagree (dark red) .. neutral (gray) .. agree
    (dark blue); lightness rises towards the centre so the order survives grayscale printing.

    Examples
    --------
    >>> len(diverging_colors(5)), diverging_colors(5)[2]
    (5, '#e8e8e8')
    """
    from matplotlib import colormaps, colors

    if n_categories < 2:
        return [LIGHT] * n_categories
    half = n_categories // 2
    neg = colormaps["RdBu"]
    out = []
    # RdBu 0.05-0.25 and 0.75-0.95: dark ends, mid-light inner categories, and a still lighter neutral
    for i in range(half):
        out.append(colors.to_hex(neg(0.05 + 0.20 * i / max(half - 1, 1))))
    if n_categories % 2:
        out.append(NEUTRAL)
    for i in range(half):
        out.append(colors.to_hex(neg(0.75 + 0.20 * i / max(half - 1, 1))))
    return out


def figsize(width: str | float = "single", aspect: float = 0.75, height: float | None = None) -> tuple[float, float]:
    """Figure size in inches: ``width`` "single" (3.5 in), "double" (7 in) or a number; height = width x aspect.

    Examples
    --------
    >>> figsize("double", aspect=0.5)
    (7.0, 3.5)
    """
    w = {"single": SINGLE_COLUMN, "double": DOUBLE_COLUMN}.get(width, width) if isinstance(width, str) else width
    if isinstance(w, str):
        raise ValueError(f"width must be 'single', 'double' or inches, not {width!r}")
    return float(w), float(height if height is not None else w * aspect)


def rc_params(font_size: float = BASE_FONT) -> dict:
    """The theme's rcParams (publication sizes, light grid, no top/right spines, 300-dpi export).

    Examples
    --------
    >>> rc_params()["savefig.dpi"]
    300
    """
    small = font_size - 1
    return {
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "figure.constrained_layout.use": True,
        "savefig.dpi": DPI,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.02,
        "savefig.facecolor": "white",
        "pdf.fonttype": 42,  # embed TrueType: editable text, accepted by journals
        "ps.fonttype": 42,
        "svg.fonttype": "path",  # text as outlines: Chinese renders without the font on the reader's machine
        "svg.hashsalt": "resilience_stats",  # reproducible SVG ids
        "font.size": font_size,
        "axes.titlesize": font_size,
        "axes.titleweight": "bold",
        "axes.labelsize": font_size,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "legend.title_fontsize": small,
        "legend.frameon": False,
        "figure.titlesize": font_size + 1,
        "axes.edgecolor": DARK,
        "axes.labelcolor": DARK,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "grid.color": LIGHT,
        "grid.linewidth": 0.4,
        "xtick.color": DARK,
        "ytick.color": DARK,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 2.5,
        "ytick.major.size": 2.5,
        "lines.linewidth": 1.0,
        "lines.markersize": 4,
        "patch.linewidth": 0.4,
        "errorbar.capsize": 0,
        "image.cmap": "Greys",
        "axes.prop_cycle": cycler(color=list(_CATEGORICAL)),
    }


@contextlib.contextmanager
def plot_context(lang: str = "en", font_size: float = BASE_FONT, **overrides) -> Iterator[str]:
    """Enter the theme (and the CJK font for ``lang="zh"``) for the duration of a ``with`` block.

    Yields the language the figure is drawn in: ``"en"`` when ``lang="zh"`` was asked for but no Chinese font
    is installed (see :func:`resilience_stats.plots.fonts.resolve_lang`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with plot_context("en") as lang:
    ...     fig, ax = plt.subplots(figsize=figsize("single"))
    >>> lang
    'en'
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    eff, font_rc = resolve_lang(lang)
    rc = rc_params(font_size)
    rc.update(font_rc)
    rc.update(overrides)
    with plt.rc_context(rc):
        yield eff
