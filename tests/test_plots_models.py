"""resilience_stats.plots: figures drawn from fitted models (scree, loadings, path diagram, effects)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
import resilience_stats.plots as rsp
from resilience_stats.errors import DataError
from resilience_stats.sem import cfa, sem

INSTRUMENT = "party_building_social_capital"


@pytest.fixture(scope="module")
def wave():
    return rs.read_survey(rs.example_survey(INSTRUMENT, n=300, seed=21), INSTRUMENT)


@pytest.fixture(scope="module")
def fit(wave):
    return sem(rs.models.get("chen_zhang").syntax, wave)


@pytest.fixture(scope="module")
def cfa_fit(wave):
    return cfa(wave, wave.instrument.measurement_model(second_order=False))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _saved(fig, tmp_path, name="fig.png"):
    out = rsp.save(fig, tmp_path / name)
    assert out.is_file() and out.stat().st_size > 2000
    return out


def _gids(fig, prefix):
    objs = list(fig.axes[0].texts) + list(fig.axes[0].patches)
    return [o.get_gid() for o in objs if (o.get_gid() or "").startswith(prefix)]


# ------------------------------------------------------------------------------------------------ factors
def test_scree(wave, tmp_path):
    pa = rs.parallel_analysis(wave, n_iter=8, seed=1)
    fig = rsp.scree(pa, max_factors=10)
    _saved(fig, tmp_path)
    ax = fig.axes[0]
    gids = {l.get_gid(): l for l in ax.lines}
    assert {"observed", "reference", "suggested"} <= set(gids)
    np.testing.assert_allclose(gids["observed"].get_ydata(), pa.eigenvalues["observed"].to_numpy()[:10])
    np.testing.assert_allclose(gids["reference"].get_ydata(), pa.eigenvalues["simulated_quantile"].to_numpy()[:10])
    assert gids["suggested"].get_xdata()[0] == pa.n_factors
    assert f"{pa.n_factors} factor" in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    # the eigenvalue table alone works too; n_factors then comes from its retain column
    fig2 = rsp.scree(pa.eigenvalues)
    assert [l for l in fig2.axes[0].lines if l.get_gid() == "suggested"][0].get_xdata()[0] == pa.n_factors


def test_loadings_heatmap_efa(wave, tmp_path):
    res = rs.efa(wave, n_factors=7)
    fig = rsp.loadings_heatmap(res, cut=0.3)
    _saved(fig, tmp_path)
    assert len(fig.axes) == 2
    printed = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert len(printed) == int((res.loadings.abs() >= 0.3).to_numpy().sum())
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(res.loadings.index)


def test_loadings_heatmap_cfa(cfa_fit, wave, tmp_path):
    table = rsp.loadings_table(cfa_fit)
    assert table.shape == (29, 7)
    assert (table.astype(bool).sum(axis=1) == 1).all()  # simple structure
    est = cfa_fit.estimates
    row = est[(est["lhs"] == "NET") & (est["op"] == "=~") & (est["rhs"] == "net2")].iloc[0]
    assert table.loc["net2", "NET"] == pytest.approx(row["std_all"])
    fig = rsp.loadings_heatmap(cfa_fit, instrument=wave.instrument, item_labels="text", width="double")
    _saved(fig, tmp_path, "cfa.svg")
    assert len([t for t in fig.axes[0].texts if t.get_text()]) == 29
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(table.columns)  # long names -> ids


# ------------------------------------------------------------------------------------------------ path diagram
def test_path_layout_layers(fit):
    lay = rsp.path_layout(fit, measurement=False)
    assert lay["layers"] == {"PBL": 0, "NET": 1, "NORM": 1, "TRUST": 1, "RES": 2, "STAB": 3, "REC": 3, "ADP": 3}
    xs = {n: lay["nodes"][n]["x"] for n in lay["layers"]}
    assert xs["PBL"] < xs["NET"] == xs["NORM"] == xs["TRUST"] < xs["RES"] < xs["STAB"]
    full = rsp.path_layout(fit)
    assert full["side"]["PBL"] == "left" and full["side"]["NET"] == "below" and full["side"]["STAB"] == "right"
    assert full["nodes"]["pbl1"]["x"] < full["nodes"]["PBL"]["x"] < full["nodes"]["stab1"]["x"]


def test_path_diagram_structural(fit, wave, tmp_path):
    est = fit.estimates
    n_reg = int((est["op"] == "~").sum())
    fig = rsp.path_diagram(fit, measurement=False, instrument=wave.instrument)
    _saved(fig, tmp_path)
    assert len(fig.axes) == 1
    assert len(_gids(fig, "label:regression:")) == n_reg == 7  # one label per structural path
    assert len(_gids(fig, "edge:regression:")) == n_reg
    assert len(_gids(fig, "node:")) == 8  # latent variables only
    assert len(_gids(fig, "label:second_order:")) == 3
    assert len(_gids(fig, "label:covariance:")) == 3
    assert set(g.split(":")[1] for g in _gids(fig, "r2:")) == {"NET", "NORM", "TRUST", "RES", "STAB", "REC", "ADP"}
    assert not _gids(fig, "edge:loading:")
    # labels: standardized estimate, stars; non-significant paths dashed
    ax = fig.axes[0]
    for _, r in est[est["op"] == "~"].iterrows():
        key = f"regression:{r['rhs']}->{r['lhs']}"
        text = [t.get_text() for t in ax.texts if t.get_gid() == f"label:{key}"][0]
        assert text.startswith(f"{r['std_all']:.2f}".replace("-", "−"))
        n_stars = 3 if r["pvalue"] < .001 else 2 if r["pvalue"] < .01 else 1 if r["pvalue"] < .05 else 0
        assert len(re.findall(r"\*", text)) == n_stars
        arrow = [p for p in ax.patches if p.get_gid() == f"edge:{key}"][0]
        assert (arrow.get_linestyle() != "-") == (r["pvalue"] >= 0.05)
    r2 = [t.get_text() for t in ax.texts if t.get_gid() == "r2:RES"][0]
    assert r2 == f"R² = {fit.r2['RES']:.2f}".replace("0.", ".")
    node_text = [t.get_text() for t in ax.texts if t.get_gid() == "text:NORM"][0]
    assert node_text == "Social norms"


def test_path_diagram_with_measurement(fit, tmp_path):
    fig = rsp.path_diagram(fit, width=None)
    _saved(fig, tmp_path, "path.pdf")
    assert len(_gids(fig, "node:")) == 8 + 29
    assert len(_gids(fig, "label:loading:")) == 29
    assert len(_gids(fig, "label:regression:")) == 7
    assert fig.get_size_inches()[0] > 7  # natural size
    small = rsp.path_diagram(fit, width="single", loading_labels=False, covariances=False, note=False)
    assert small.get_size_inches()[0] == pytest.approx(3.5)
    assert not _gids(small, "label:loading:") and not _gids(small, "edge:covariance:")
    assert len(_gids(small, "edge:loading:")) == 29


def test_path_diagram_cfa(cfa_fit, tmp_path):
    fig = rsp.path_diagram(cfa_fit)
    _saved(fig, tmp_path)
    assert len(_gids(fig, "label:loading:")) == 29
    assert len(_gids(fig, "label:covariance:")) == 7 * 6 // 2
    assert not _gids(fig, "r2:")


def test_path_layout_xiao():
    inst = "collaborative_resilience"
    w = rs.read_survey(rs.example_survey(inst, n=250, seed=5), inst)
    f = sem(rs.models.get("xiao").syntax, w)
    lay = rsp.path_layout(f, measurement=False)
    assert lay["layers"] == {"STRUCT": 0, "RESO": 1, "EMO": 2, "SRES": 3, "CRES": 3, "CURES": 3}
    fig = rsp.path_diagram(f, measurement=False)
    assert len(_gids(fig, "label:regression:")) == int((f.estimates["op"] == "~").sum())
    # STRUCT -> SRES skips two columns: drawn as an arc
    arc = [e for e in lay["edges"] if e["key"] == "regression:STRUCT->SRES"][0]
    assert arc["rad"] != 0


def _frame(rows):
    out = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])
    out["se"] = 0.1
    out["pvalue"] = 0.01
    out["std_all"] = out["est"]
    return out


def test_path_layout_exogenous_second_order_and_cycles():
    est = _frame([("F1", "=~", "a", 1), ("F2", "=~", "b", 1), ("PB", "=~", "F1", .8), ("PB", "=~", "F2", .8),
                  ("Y", "=~", "c", 1), ("Y", "~", "PB", .5)])
    lay = rsp.path_layout(est, measurement=False)
    assert lay["layers"]["F1"] < lay["layers"]["PB"] < lay["layers"]["Y"]  # facets left of an exogenous factor
    cyc = _frame([("A", "=~", "a", 1), ("B", "=~", "b", 1), ("B", "~", "A", .3), ("A", "~", "B", .2)])
    lay = rsp.path_layout(cyc, measurement=False)  # non-recursive: no infinite loop, both drawn
    assert set(lay["layers"]) == {"A", "B"}
    covariate = _frame([("X", "=~", "x1", 1), ("Y", "=~", "y1", 1), ("M", "=~", "m1", 1), ("M", "~", "X", .4),
                        ("Y", "~", "M", .4), ("Y", "~", "age", .1)])
    lay = rsp.path_layout(covariate, measurement=False)
    assert lay["layers"]["age"] == lay["layers"]["Y"] - 1  # a covariate sits next to its outcome
    assert lay["nodes"]["age"]["kind"] == "observed"


def test_path_diagram_dot(fit, wave):
    dot = rsp.path_diagram_dot(fit, measurement=False, instrument=wave.instrument, lang="zh")
    assert dot.startswith("digraph SEM {") and dot.rstrip().endswith("}")
    edges = [l for l in dot.splitlines() if "->" in l]
    assert len(edges) == 7 + 3 + 3  # regressions, second-order loadings, covariances
    assert sum("dir=both" in l for l in edges) == 3
    assert '"PBL" [shape=ellipse, label="基层党建引领"]' in dot
    assert "{ rank=same; \"NET\"; \"NORM\"; \"TRUST\"; }" in dot
    est = fit.estimates
    ns = est[(est["op"] == "~") & (est["pvalue"] >= 0.05)]
    for _, r in ns.iterrows():
        line = [l for l in edges if l.strip().startswith(f'"{r["rhs"]}" -> "{r["lhs"]}"')][0]
        assert "style=dashed" in line
    full = rsp.path_diagram_dot(fit)
    assert len([l for l in full.splitlines() if "->" in l]) == 7 + 3 + 3 + 29
    assert '"pbl1" -> "PBL"' in full and "dir=back" in full  # items of the first column stay left
    assert full.count("shape=box") == 29


def test_path_diagram_bad_input():
    with pytest.raises(DataError):
        rsp.path_diagram(pd.DataFrame({"a": [1]}))
    with pytest.raises(DataError):
        rsp.path_diagram(object())
    with pytest.raises(ValueError, match="std"):
        rsp.path_layout(_frame([("F", "=~", "a", 1)]), std="beta")


# ------------------------------------------------------------------------------------------------ effects
def test_indirect_effects(fit, tmp_path):
    defined = fit.estimates[fit.estimates["op"] == ":="]
    fig = rsp.indirect_effects(fit, labels={"ind_net": "PBL → NET → RES"})
    _saved(fig, tmp_path)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == len(defined) == 5
    assert ax.get_yticklabels()[0].get_text() == "PBL → NET → RES"
    ci = [c for c in ax.collections if c.get_gid() == "ci:None"][0]
    segs = np.array(ci.get_segments())
    np.testing.assert_allclose(segs[:, 0, 0], defined["ci_lower"])
    np.testing.assert_allclose(segs[:, 1, 0], defined["ci_upper"])
    assert len([t for t in ax.texts if t.get_gid() == "ci_text"]) == 5
    # two result sets side by side (e.g. delta method vs bootstrap), a subset in a chosen order
    fig2 = rsp.indirect_effects({"Delta": fit, "Bootstrap": fit.estimates}, ["total", "ind_net"])
    assert [t.get_text() for t in fig2.axes[0].get_yticklabels()] == ["total", "ind_net"]
    assert len(fig2.axes[0].get_legend().get_texts()) == 2
    with pytest.raises(DataError, match="unknown defined"):
        rsp.indirect_effects(fit, ["nope"])


def test_indirect_effects_needs_defined_rows(cfa_fit):
    with pytest.raises(DataError, match=":="):
        rsp.indirect_effects(cfa_fit)


@pytest.mark.parametrize("measurement", [True, False])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_path_diagram_arrows_do_not_cross_boxes(fit, wave, measurement, lang):
    lay = rsp.path_layout(fit, measurement=measurement, instrument=wave.instrument, lang=lang)
    assert rsp.path_diagram.__module__  # the layout is what path_diagram draws
    from resilience_stats.plots.path_diagram import edge_crossings

    assert edge_crossings(lay) == []
    # the check itself finds a crossing: a straight arrow through a box between its ends
    staged = {"nodes": {"A": dict(x=0.0, y=0.0, w=0.5, h=0.3, kind="observed"),
                        "B": dict(x=2.0, y=0.0, w=0.5, h=0.3, kind="observed"),
                        "C": dict(x=1.0, y=0.0, w=0.5, h=0.3, kind="observed")},
              "edges": [{"src": "A", "dst": "B", "rad": 0.0, "key": "regression:A->B"}]}
    assert edge_crossings(staged) == [("regression:A->B", "C")]


def test_covariance_arcs_clear_the_indicator_rows(fit, wave):
    lay = rsp.path_layout(fit, measurement=True, instrument=wave.instrument, lang="zh")
    covs = [e for e in lay["edges"] if e["kind"] == "covariance"]
    assert covs and all(e["rad"] != 0 for e in covs)
    below = [n for n, s in lay["side"].items() if s == "below"]
    assert below  # NET, NORM, TRUST have their items drawn below them


def test_path_diagram_saved_at_print_resolution(fit, wave, tmp_path):
    from PIL import Image

    out = rsp.save(rsp.path_diagram(fit, instrument=wave.instrument, lang="zh"), tmp_path / "path.png")
    assert round(Image.open(out).info["dpi"][0]) == 300
    svg = rsp.save(rsp.path_diagram(fit, instrument=wave.instrument, lang="zh"), tmp_path / "path.svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
