"""rs.report: the HTML and Word survey-wave report (content, self-containment, determinism, failures shown)."""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pytest

import resilience_stats as rs
from resilience_stats.report import SECTION_IDS, Figure, Notice, Table

NAME = "party_building_social_capital"
SMALL = dict(bootstrap=20, seed=2, parallel_iter=5, n_jobs=1, call="rs.report(test)")


@pytest.fixture(scope="module")
def inst():
    return rs.load_instrument(NAME)


@pytest.fixture(scope="module")
def raw(inst):
    return rs.example_survey(inst, n=150, seed=11, waves=2, missing_rate=0.003)


@pytest.fixture(scope="module")
def one_wave(raw):
    return raw[raw["wave"] == 1].reset_index(drop=True)


@pytest.fixture(scope="module")
def en_report(raw, inst, tmp_path_factory):
    out = tmp_path_factory.mktemp("report_en")
    return rs.report(raw, inst, out=out, lang="en", exclude=["speeders"], **SMALL)


def _section(result, sid):
    return next(s for s in result.sections if s.id == sid)


def test_report_has_every_section_and_writes_both_files(en_report):
    ids = [s.id for s in en_report.sections]
    # two waves: "waves" included; no group= and no process= given
    assert ids == [s for s in SECTION_IDS if s not in ("groups", "hypotheses")]
    assert en_report.html.exists() and en_report.docx.exists()
    assert en_report.errors == {} and en_report.problems == []
    for sid in ("sample", "items", "reliability", "efa", "cfa", "sem", "waves", "community", "appendix",
                "provenance"):
        assert _section(en_report, sid).count(Table) >= 1, sid
    for sid in ("sample", "reliability", "efa", "sem", "waves", "community"):
        assert _section(en_report, sid).count(Figure) >= 1, sid


def test_html_is_self_contained_and_escaped(en_report):
    html = en_report.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    lowered = html.lower()
    for forbidden in ("<script", "<link", "@import", "url(", 'src="http', "src='http"):
        assert forbidden not in lowered, forbidden
    assert re.findall(r'<img src="([^"]{0,22})', html) and all(
        s.startswith("data:image/png;base64,") for s in re.findall(r'<img src="([^"]{0,22})', html))
    for s in en_report.sections:
        assert f'<section id="{s.id}">' in html and f'href="#{s.id}"' in html
    assert "@media print" in html
    assert "Generated" not in html  # no timestamp unless asked


def test_provenance_and_methods_describe_what_ran(en_report, raw):
    html = en_report.html.read_text(encoding="utf-8")
    a = en_report.analysis
    assert a.inputs[0]["sha256"] in html
    assert f"resilience_stats {rs.__version__}" in html
    assert "rs.report(test)" in html
    methods = " ".join(b.text for b in _section(en_report, "methods").blocks if hasattr(b, "text"))
    assert "20 resamples" in methods and "robust maximum likelihood" in methods
    assert "speeders check" in methods and "Horn, 1965" in methods


def test_docx_holds_every_heading_table_and_figure(en_report):
    d = docx.Document(str(en_report.docx))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for number, s in enumerate(en_report.sections, start=1):
        assert f"{number}. {s.title}" in headings
    n_tables = sum(s.count(Table) for s in en_report.sections)
    n_figures = sum(s.count(Figure) for s in en_report.sections)
    assert len(d.tables) == n_tables
    assert len(d.inline_shapes) == n_figures
    captions = [p.text for p in d.paragraphs if re.match(r"Table \d+$", p.text)]
    assert len(captions) == n_tables  # APA: "Table n" on its own line above the title


def test_chinese_report_is_reproducible_byte_for_byte(tmp_path):
    # the other bundled questionnaire and its framework model (Xiao 2025), one wave
    raw = rs.example_survey("collaborative_resilience", n=150, seed=6, missing_rate=0.003)
    kwargs = dict(lang="zh", bootstrap=10, seed=4, parallel_iter=5, n_jobs=1, call="rs.report(zh)")
    first = rs.report(raw, "collaborative_resilience", out=tmp_path / "a", **kwargs)
    second = rs.report(raw, "collaborative_resilience", out=tmp_path / "b", formats=("html",), **kwargs)
    assert first.html.read_bytes() == second.html.read_bytes()
    from resilience_stats.report.render import render_docx

    title = docx.Document(str(first.docx)).core_properties.title
    assert render_docx(second.sections, title, "zh") == first.docx.read_bytes()
    assert first.analysis.model_name == "xiao" and first.problems == []
    assert "waves" not in [s.id for s in first.sections]  # one wave: no wave comparison
    html = first.html.read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in html and "样本与数据质量" in html and "rs-three-line" in html
    d = docx.Document(str(first.docx))
    assert any(p.text.startswith("表") for p in d.paragraphs)  # three-line tables: "表1 ..." captions


def test_bad_data_and_a_nonconverging_model_still_give_a_report(monkeypatch, one_wave, inst, tmp_path):
    bad = one_wave.copy()
    bad.loc[bad.index[:3], "pbl1"] = 7          # out of the 1-5 scale
    bad["net2"] = bad["net2"].astype(object)
    bad.loc[bad.index[3], "net2"] = "很多"       # not a valid answer
    real = rs.sem

    def stuck(*args, **kwargs):
        fit = real(*args, **kwargs)
        fit.converged = False
        fit.warnings.append("the optimizer did not converge")
        return fit

    monkeypatch.setattr(rs, "sem", stuck)
    result = rs.report(bad, inst, out=tmp_path, lang="en", formats=("html",), bootstrap=10, parallel_iter=5,
                       n_jobs=1)
    assert result.html.exists()
    assert [p.split(":")[0] for p in result.problems] == ["sem"]
    sample = _section(result, "sample")
    issues_html = "".join(b.table.to_html() for b in sample.blocks if isinstance(b, Table))
    assert "out_of_range" in issues_html and "pbl1" in issues_html and "non_numeric" in issues_html
    sem_notes = [b for b in _section(result, "sem").blocks if isinstance(b, Notice)]
    assert sem_notes and sem_notes[0].level == "error" and "did not converge" in sem_notes[0].text
    assert _section(result, "cfa").count(Table) == 2       # the measurement model is unaffected
    assert any(isinstance(b, Notice) and b.level == "error" for b in _section(result, "overview").blocks)
    html = result.html.read_text(encoding="utf-8")
    assert "notice-error" in html and "did not converge" in html
    from resilience_stats.report.render import render_docx

    data = render_docx([_section(result, "sem")], "bad", "en")
    import io

    d = docx.Document(io.BytesIO(data))
    assert any("did not converge" in p.text for p in d.paragraphs)


def test_a_section_that_raises_shows_its_error(monkeypatch, en_report):
    from resilience_stats.report import sections as sec

    def broken(ctx):
        raise RuntimeError("boom in items")

    kept = ("overview", "items", "methods")
    monkeypatch.setattr(sec, "BUILDERS", tuple((sid, broken if sid == "items" else fn)
                                               for sid, fn in sec.BUILDERS if sid in kept))
    out = sec.build_sections(sec.Context(en_report.analysis, lang="en"))
    assert [s.id for s in out] == list(kept)
    items = out[1]
    assert items.title == "Item Analysis"
    assert isinstance(items.blocks[0], Notice) and "boom in items" in items.blocks[0].text


def test_bad_arguments(raw, inst, tmp_path):
    with pytest.raises(ValueError, match="formats"):
        rs.report(raw, inst, out=tmp_path, formats=("pdf",))
    with pytest.raises(ValueError, match="lang"):
        rs.report(raw, inst, out=tmp_path, lang="fr")
    with pytest.raises(rs.DataError):
        rs.report(raw, None, out=tmp_path)  # a DataFrame needs its instrument
    assert not list(tmp_path.iterdir())


# -- headless Chromium -------------------------------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_html_renders_in_headless_chromium(en_report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not found (Debian package `chromium`; .ci/run installs it): screenshot test skipped")
    from PIL import Image

    shot = tmp_path / "shot.png"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "--window-size=1200,3000",
           en_report.html.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert console == [], console
    import numpy as np

    pixels = np.asarray(Image.open(shot).convert("RGB").resize((300, 750))).reshape(-1, 3).astype(int)
    colours = len(np.unique(pixels, axis=0))
    non_white = float((pixels.sum(axis=1) < 740).mean())
    assert colours > 100 and non_white > 0.05, (colours, non_white)


def test_every_validation_check_has_chinese_wording():
    from pathlib import Path

    from resilience_stats.report.text import CHECK_ZH, issue_text_zh
    from resilience_stats.survey import validation

    source = Path(validation.__file__).read_text(encoding="utf-8")
    checks = set(re.findall(r'make_issue\(\s*"(?:error|warning|info)",\s*"([a-z_]+)"', source))
    assert checks and checks <= set(CHECK_ZH), checks - set(CHECK_ZH)
    text = issue_text_zh("out_of_range", "reso1", 1, ["R0003"], "english")
    assert text == "reso1：1 个回答超出量表范围（行：R0003），已设为缺失；请核对导出或重新编码。"
    assert issue_text_zh("unknown_check", None, 0, [], "english") == "english"
