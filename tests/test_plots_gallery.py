"""The gallery script analysis/gallery_plots.py: a jupytext percent notebook that writes every figure."""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parents[1] / "analysis" / "gallery_plots.py"
PUBLIC = ["likert_bars", "item_distributions", "score_distributions", "correlation_heatmap", "scree",
          "loadings_heatmap", "path_diagram", "indirect_effects", "invariance_fit", "latent_means", "wave_trends",
          "community_caterpillar", "power_curves"]


def test_gallery_is_a_percent_notebook_using_every_figure():
    text = GALLERY.read_text(encoding="utf-8")
    ast.parse(text)
    assert text.count("# %%") >= 5 and "format_name: percent" in text
    for name in PUBLIC + ["path_diagram_dot", "save"]:
        assert f"rsp.{name}(" in text, name


@pytest.mark.slow
def test_gallery_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("RS_GALLERY_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runpy.run_path(str(GALLERY), run_name="__main__")
    files = sorted(p.name for p in tmp_path.iterdir())
    for lang in ("en", "zh"):
        for suffix in (".png", ".svg", ".pdf"):
            assert f"path_diagram_{lang}{suffix}" in files
            assert f"likert_bars_pb_sc_{lang}{suffix}" in files
        assert f"path_diagram_{lang}.dot" in files
    assert all((tmp_path / f).stat().st_size > 500 for f in files)
