"""Finding a font that can draw Chinese labels, and falling back to English when there is none.

Matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese text comes out as empty boxes. For
``lang="zh"`` every plot function asks :func:`resolve_lang`, which looks for an installed CJK font through
:mod:`matplotlib.font_manager` (:func:`find_cjk_font`, cached) and returns the rcParams that select it. When
no such font is installed it warns once (:class:`CJKFontWarning`, with the install hint) and the figure is
drawn with English labels instead.
"""

from __future__ import annotations

import functools
import warnings

from ..errors import ResilienceStatsWarning

__all__ = ["CJK_FONT_FAMILIES", "CJKFontWarning", "find_cjk_font", "resolve_lang", "check_lang"]

#: Font families tried first, in order of preference (the first one installed wins).
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Serif CJK JP",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "SimSun",
    "NSimSun",
    "FangSong",
    "KaiTi",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "Droid Sans Fallback",
    "Arial Unicode MS",
)

# other family names worth a glyph check (any installed font whose name contains one of these)
_HINTS = ("cjk", "han sans", "han serif", "wenquanyi", "hei", "song", "kai", "ming", "yahei", "gothic",
          "fallback", "pingfang", "hiragino", "sc", "cn", "chinese")
_EXCLUDE = ("last resort",)
_PROBE = "中文韧性"
_LANGS = ("en", "zh")

INSTALL_HINT = (
    "install one, e.g. `sudo apt-get install fonts-noto-cjk` (Debian/Ubuntu), `sudo dnf install "
    "google-noto-sans-cjk-fonts` (Fedora), `conda install -c conda-forge font-ttf-noto-cjk`, or download "
    "Noto Sans CJK SC from https://github.com/notofonts/noto-cjk; then delete matplotlib's font cache "
    "(`python -c \"import matplotlib; print(matplotlib.get_cachedir())\"`) so it is found"
)


class CJKFontWarning(ResilienceStatsWarning):
    """``lang="zh"`` was asked for but no installed font can draw Chinese; labels fall back to English."""


def check_lang(lang: str) -> str:
    """Validate ``lang`` ("en" or "zh") and return it.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    """
    if lang not in _LANGS:
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    return lang


def _has_glyphs(path: str) -> bool:
    try:
        from matplotlib.ft2font import FT2Font

        charmap = FT2Font(path).get_charmap()
    except Exception:  # unreadable font file, collection format matplotlib cannot open...
        return False
    return all(ord(ch) in charmap for ch in _PROBE)


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None.

    Tries :data:`CJK_FONT_FAMILIES` in order, then any other installed family whose name suggests CJK
    coverage; a candidate is accepted only when it really has glyphs for a few Chinese characters.
    The answer is cached for the session (``find_cjk_font.cache_clear()`` after installing a font).

    Examples
    --------
    >>> from resilience_stats.plots.fonts import find_cjk_font
    >>> find_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    from matplotlib import font_manager

    by_name: dict[str, list[str]] = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry.fname)
    for family in CJK_FONT_FAMILIES:
        if any(_has_glyphs(p) for p in by_name.get(family, ())):
            return family
    for family in sorted(by_name):
        low = family.lower()
        if any(x in low for x in _EXCLUDE) or not any(h in low for h in _HINTS):
            continue
        if any(_has_glyphs(p) for p in by_name[family]):
            return family
    return None


@functools.lru_cache(maxsize=1)
def _warn_no_cjk_font() -> None:
    """Issue the missing-font warning (once per session: the cache is the 'already warned' memo)."""
    warnings.warn(
        "lang='zh' needs a font with Chinese glyphs and none is installed, so the figure uses English labels "
        f"instead of empty boxes; to get Chinese labels {INSTALL_HINT}.",
        CJKFontWarning,
        stacklevel=4,
    )


def resolve_lang(lang: str) -> tuple[str, dict]:
    """The language a figure can really be drawn in, and the rcParams that select its font.

    Parameters
    ----------
    lang : {"en", "zh"}

    Returns
    -------
    lang : str
        ``"zh"`` only when a CJK font is installed; otherwise ``"en"`` (after a one-time
        :class:`CJKFontWarning`).
    rc : dict
        rcParams for :func:`matplotlib.pyplot.rc_context` (empty for English).

    Examples
    --------
    >>> lang, rc = resolve_lang("en")
    >>> lang, rc
    ('en', {})
    """
    check_lang(lang)
    if lang == "en":
        return "en", {}
    family = find_cjk_font()
    if family is None:
        _warn_no_cjk_font()
        return "en", {}
    # concrete family names (not the generic "sans-serif"): text objects keep them after the rc context ends;
    # Latin glyphs come from DejaVu Sans as in English figures, CJK glyphs fall back to the CJK font
    return "zh", {
        "font.family": ["DejaVu Sans", family],
        "axes.unicode_minus": False,  # many CJK fonts lack U+2212
        "axes.titleweight": "normal",  # most CJK system fonts have no bold face
    }
