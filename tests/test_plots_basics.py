"""resilience_stats.plots: fonts (CJK lookup and English fallback), theme isolation, atomic save."""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import resilience_stats as rs
import resilience_stats.plots as rsp
from resilience_stats.errors import DataError, ResilienceStatsWarning
from resilience_stats.plots import fonts

INSTRUMENT = "party_building_social_capital"


@pytest.fixture(scope="module")
def wave():
    return rs.read_survey(rs.example_survey(INSTRUMENT, n=120, seed=3), INSTRUMENT)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture()
def no_cjk(monkeypatch):
    """Pretend no CJK font is installed (and forget an earlier 'already warned')."""
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    fonts._warn_no_cjk_font.cache_clear()
    yield
    fonts._warn_no_cjk_font.cache_clear()


def _ytick_texts(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def _all_texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


# ------------------------------------------------------------------------------------------------ fonts
def test_cjk_fallback_warns_once_and_uses_english(no_cjk, wave):
    inst = wave.instrument
    with pytest.warns(rsp.CJKFontWarning, match="fonts-noto-cjk") as record:
        fig = rsp.likert_bars(wave, "PBL", lang="zh")
    assert issubclass(record[0].category, ResilienceStatsWarning)
    assert "English" in str(record[0].message)
    labels = " ".join(_ytick_texts(fig.axes[0])).replace("\n", " ")
    assert inst.item_text("pbl1", "en") in labels
    assert not any("\u4e00" <= ch <= "\u9fff" for text in _all_texts(fig) for ch in text)
    with warnings.catch_warnings():  # the second Chinese figure: no second warning
        warnings.simplefilter("error", rsp.CJKFontWarning)
        fig2 = rsp.score_distributions(wave, ["PBL", "NET"], lang="zh")
    assert fig2.axes[0].get_title().replace("\n", " ") == inst.construct_name("PBL", "en")


def test_cjk_fallback_path_diagram_english_names(no_cjk, wave):
    from resilience_stats.sem import sem

    fit = sem(rs.models.get("chen_zhang").syntax, wave)
    with pytest.warns(rsp.CJKFontWarning):
        fig = rsp.path_diagram(fit, measurement=False, instrument=wave.instrument, lang="zh")
    node_text = [t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "") == "text:TRUST"]
    assert node_text == ["Social trust"]


def test_resolve_lang_english_needs_no_font(no_cjk):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fonts.resolve_lang("en") == ("en", {})
    with pytest.raises(ValueError, match="lang"):
        fonts.resolve_lang("fr")


def test_find_cjk_font_is_cached_and_real():
    family = fonts.find_cjk_font()
    assert family == fonts.find_cjk_font()
    if family is not None:
        from matplotlib import font_manager

        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        assert fonts._has_glyphs(path)


@pytest.mark.skipif(fonts.find_cjk_font() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)")
def test_chinese_labels_with_cjk_font(wave, tmp_path):
    inst = wave.instrument
    with warnings.catch_warnings():
        warnings.simplefilter("error", rsp.CJKFontWarning)
        fig = rsp.likert_bars(wave, "TRUST", lang="zh")
    labels = "".join(_ytick_texts(fig.axes[0])).replace("\n", "")
    assert inst.item_text("trust1", "zh") in labels
    assert fig.axes[0].get_title(loc="left") == inst.construct_name("TRUST", "zh")
    family = fig.axes[0].get_yticklabels()[0].get_fontfamily()
    assert fonts.find_cjk_font() in family
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        rsp.save(fig, tmp_path / "zh.png")
    assert not [w for w in record if "missing from font" in str(w.message)]


# ------------------------------------------------------------------------------------------------ theme
def test_plot_functions_leave_rcparams_alone(wave):
    keys = ["font.family", "font.size", "axes.spines.top", "figure.constrained_layout.use", "savefig.dpi",
            "axes.prop_cycle", "axes.unicode_minus"]
    before = {k: matplotlib.rcParams[k] for k in keys}
    rsp.likert_bars(wave, "PBL", lang="zh")
    rsp.correlation_heatmap(wave)
    assert {k: matplotlib.rcParams[k] for k in keys} == before


def test_theme_sizes():
    from resilience_stats.plots import theme

    assert theme.figsize("single") == (3.5, 3.5 * 0.75)
    assert theme.figsize("double", height=2) == (7.0, 2.0)
    assert len(set(theme.diverging_colors(5))) == 5
    with pytest.raises(ValueError):
        theme.figsize("triple")


# ------------------------------------------------------------------------------------------------ save
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_save_formats(wave, tmp_path, suffix, magic):
    fig = rsp.score_distributions(wave, ["PBL"], width="single")
    out = rsp.save(fig, tmp_path / "sub" / f"fig{suffix}")
    assert out == tmp_path / "sub" / f"fig{suffix}"
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 1000
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind
    assert out.stat().st_mode & 0o777 == 0o644


def test_save_png_is_300_dpi(wave, tmp_path):
    from PIL import Image

    fig = rsp.score_distributions(wave, ["PBL"], width="single")
    out = rsp.save(fig, tmp_path / "fig.png")
    with Image.open(out) as img:
        assert round(img.info["dpi"][0]) == 300
        assert 700 < img.size[0] <= 3.5 * 300 + 10


def test_save_is_atomic(wave, tmp_path, monkeypatch):
    fig = rsp.score_distributions(wave, ["PBL"], width="single")
    target = tmp_path / "fig.pdf"
    target.write_bytes(b"previous")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        rsp.save(fig, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.pdf"]


def test_save_rejects_unknown_suffix(wave, tmp_path):
    fig = rsp.score_distributions(wave, ["PBL"])
    with pytest.raises(DataError, match=r"\.png, \.svg or \.pdf"):
        rsp.save(fig, tmp_path / "fig.jpg")
    with pytest.raises(DataError):
        rsp.save(fig, tmp_path / "fig")
    assert list(tmp_path.iterdir()) == []


def test_svg_is_reproducible(wave, tmp_path):
    fig = rsp.score_distributions(wave, ["PBL"], kde=False)
    a = rsp.save(fig, tmp_path / "a.svg").read_bytes()
    b = rsp.save(fig, tmp_path / "b.svg").read_bytes()
    assert a == b


def test_palettes_survive_grayscale():
    from matplotlib.colors import to_rgb

    from resilience_stats.plots import theme

    def luminance(c):
        r, g, b = to_rgb(c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lum = [luminance(c) for c in theme.diverging_colors(5)]
    assert lum[0] < lum[1] < lum[2] and lum[4] < lum[3] < lum[2]  # darkest at the extremes
    first4 = sorted(luminance(c) for c in theme.categorical_colors(4))
    assert min(np.diff(first4)) > 0.08  # the first four series differ in lightness alone
    assert len(set(theme.MARKERS)) == len(theme.MARKERS) == len(theme.LINESTYLES)
