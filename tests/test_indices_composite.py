"""rs.composite_index: bad input, the SurveyWave route, results object, tables, figures and the command line."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import resilience_stats as rs
from resilience_stats.cli import app
from resilience_stats.errors import DataError
from resilience_stats.indices import AHPConsistencyWarning, ahp_weights

DATA = Path(__file__).parent / "data"
INDS = ["trust", "networks", "norms", "recovery", "conflicts"]
INCONSISTENT = [[1, 5, 1 / 3, 7, 2], [1 / 5, 1, 4, 1 / 2, 3], [3, 1 / 4, 1, 6, 1 / 5], [1 / 7, 2, 1 / 6, 1, 4],
                [1 / 2, 1 / 3, 5, 1 / 4, 1]]


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.read_csv(DATA / "index_communities.csv")


@pytest.fixture()
def wave1(table) -> pd.DataFrame:
    return table[table["wave"] == 1].drop(columns="wave").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------- bad input --
def test_constant_indicator_is_refused(wave1):
    wave1 = wave1.assign(norms=3.0)
    with pytest.raises(DataError, match="norms.*same value"):
        rs.composite_index(wave1, INDS)


def test_fewer_than_three_cases(wave1):
    with pytest.raises(DataError, match="at least 3 communities"):
        rs.composite_index(wave1.iloc[:2], INDS)


def test_negative_value_in_a_logarithm(wave1):
    shifted = wave1.assign(trust=wave1["trust"] - 3.0)
    with pytest.raises(DataError, match="logarithms.*trust.*negative"):
        rs.composite_index(shifted, INDS[:4], normalize="none")
    with pytest.raises(DataError, match="normalize='minmax'"):
        rs.composite_index(wave1, INDS, {"conflicts": "-"}, normalize="none")


def test_inconsistent_ahp_is_flagged_and_strict_refuses(wave1):
    with pytest.warns(AHPConsistencyWarning, match="CR = 0.9"):
        res = rs.composite_index(wave1, INDS, method="ahp", ahp_matrix=INCONSISTENT)
    assert not res.ahp.consistent and res.warnings and "CR" in res.warnings[0]
    with pytest.raises(DataError, match="inconsistent"):
        ahp_weights(INCONSISTENT, strict=True)


@pytest.mark.parametrize("matrix,match", [
    ([[1, 2], [2, 1]], "not reciprocal"),
    ([[1, -2], [-0.5, 1]], "positive"),
    ([[2, 2], [0.5, 1]], "diagonal"),
    ([[1, 2, 3], [0.5, 1, 2]], "square"),
])
def test_bad_ahp_matrices(matrix, match):
    with pytest.raises(DataError, match=match):
        ahp_weights(matrix)


def test_ahp_needs_a_random_index_beyond_saaty_table():
    m = np.ones((16, 16))
    with pytest.raises(DataError, match="random index"):
        ahp_weights(m)
    assert ahp_weights(m, ri=1.6).cr == 0


def test_other_bad_input(wave1):
    missing = wave1.copy()
    missing.loc[3, "trust"] = np.nan
    with pytest.raises(DataError, match="trust.*C04"):
        rs.composite_index(missing, INDS)
    with pytest.raises(DataError, match="direction"):
        rs.composite_index(wave1, INDS, {"conflicts": "down"})
    with pytest.raises(DataError, match="not analysed"):
        rs.composite_index(wave1, INDS[:3], {"conflicts": "-"})
    with pytest.raises(DataError, match="ahp_matrix"):
        rs.composite_index(wave1, INDS, method="ahp")
    with pytest.raises(DataError, match="does not use AHP"):
        rs.composite_index(wave1, INDS, ahp_matrix=INCONSISTENT)
    with pytest.raises(DataError, match="at least 2 indicators"):
        rs.composite_index(wave1, ["trust"])
    with pytest.raises(DataError, match="duplicates"):
        rs.composite_index(pd.concat([wave1, wave1.iloc[:1]]), INDS)
    with pytest.raises(DataError, match="method"):
        rs.composite_index(wave1, INDS, method="topsis")
    with pytest.raises(DataError, match="shift"):
        rs.composite_index(wave1, INDS, shift=1.0)
    with pytest.raises(DataError, match="not found"):
        rs.composite_index(wave1, ["trust", "income"])


def test_input_frame_is_not_modified(table):
    before = table.copy()
    rs.composite_index(table, INDS, {"conflicts": "-"}, method="critic")
    pd.testing.assert_frame_equal(table, before)


# ----------------------------------------------------------------------------------------------- results --
def test_scores_ranks_and_obstacles(table):
    res = rs.composite_index(table, INDS, {"conflicts": "-"})
    for _w, grp in res.scores.groupby("wave"):
        assert sorted(grp["rank"]) == list(range(1, 13))
        assert grp.sort_values("rank")["closeness"].is_monotonic_decreasing
    sums = res.obstacle.groupby(["community", "wave"])["obstacle"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-12)
    best = res.normalized.loc[0, INDS].to_numpy()
    assert np.all((best >= 0) & (best <= 1))
    assert res.weights["direction"].tolist() == ["+", "+", "+", "+", "-"]
    text = res.summary()
    assert "Weights:" in text and "conflicts" in text
    assert "entropy" in repr(res)


def test_survey_wave_route_uses_community_means():
    wave = rs.read_survey(rs.example_survey(n=400, waves=2, seed=5), "party_building_social_capital")
    table = rs.community_indicators(wave, ["STAB", "REC", "ADP"])
    assert set(table.columns) == {"community", "wave", "n", "STAB", "REC", "ADP"}
    sub = wave.data[(wave.data["community"] == table.loc[0, "community"]) & (wave.data["wave"] == table.loc[0, "wave"])]
    assert table.loc[0, "STAB"] == pytest.approx(wave.scores().loc[sub.index, "STAB"].mean())
    res = rs.composite_index(wave)
    assert res.indicators == ["STAB", "REC", "ADP"] and res.options["wave"] == "wave"
    direct = rs.composite_index(table, ["STAB", "REC", "ADP"])
    pd.testing.assert_frame_equal(res.scores, direct.scores)


def test_community_indicators_needs_a_community_field(survey_instrument, clean_survey):
    wave = rs.read_survey(clean_survey.drop(columns="community"), survey_instrument)
    with pytest.raises(DataError, match="community"):
        rs.community_indicators(wave)


def test_tables_in_both_languages(table, tmp_path):
    res = rs.composite_index(table, INDS, {"conflicts": "-"}, method="combined")
    scores = res.to_table()
    shown = scores.display()
    assert shown["rank"].tolist()[:3] == ["1", "2", "3"]
    assert "Wave 1" in scores.to_markdown() and "Closeness" in scores.to_markdown()
    zh = res.to_table("scores", lang="zh", style="three-line")
    assert "第1轮" in zh.to_markdown() and "相对贴近度" in zh.to_html()
    weights = res.to_table("weights", lang="zh")
    assert "熵权" in weights.to_markdown() and "CRITIC 权重" in weights.to_markdown() and "负向" in weights.to_markdown()
    obstacle = res.to_table("obstacle")
    assert obstacle.display().shape[1] == len(INDS) + 2
    scores.to_docx(tmp_path / "scores.docx")
    assert (tmp_path / "scores.docx").stat().st_size > 0
    with pytest.raises(ValueError, match="kind"):
        res.to_table("ranks")


def test_figures(table):
    import matplotlib.pyplot as plt

    res = rs.composite_index(table, INDS, {"conflicts": "-"})
    fig = res.plot("bar")
    assert len(fig.axes[0].patches) == 12 and fig.axes[0].get_title() == "Wave 2"
    plt.close(fig)
    fig = rs.plots.index_heatmap(res, values="obstacle", wave=1)
    assert fig.axes[0].images[0].get_array().shape == (12, 5)
    plt.close(fig)
    fig = res.plot("trend", highlight=3)
    assert len([ln for ln in fig.axes[0].lines if ln.get_gid() == "highlight"]) == 3
    plt.close(fig)
    one_wave = rs.composite_index(table[table["wave"] == 1], INDS, by=None, wave=None)
    with pytest.raises(DataError, match="two or more waves"):
        rs.plots.index_trends(one_wave)
    with pytest.raises(DataError, match="kind"):
        res.plot("pie")


# ------------------------------------------------------------------------------------------- command line --
def test_cli_index_table_and_json(tmp_path):
    runner = CliRunner()
    out = tmp_path / "scores.md"
    r = runner.invoke(app, ["index", str(DATA / "index_communities.csv"), "--indicators", ",".join(INDS), "--cost",
                            "conflicts", "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert set(payload) == {"weights", "scores", "obstacle"} and len(payload["scores"]) == 24
    assert "Closeness" in out.read_text(encoding="utf-8")


def test_cli_index_with_ahp_matrix_file(tmp_path, wave1):
    ahp = tmp_path / "ahp.csv"
    pd.DataFrame(INCONSISTENT, index=INDS, columns=INDS).rename_axis("indicator").to_csv(ahp)
    data = tmp_path / "wave1.csv"
    wave1.to_csv(data, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = CliRunner().invoke(app, ["index", str(data), "--method", "ahp", "--ahp", str(ahp), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "inconsistent" in r.output and r.stdout.startswith("community,")


@pytest.mark.parametrize("args,code", [(["--method", "magic"], 1), (["--out", "x.pdf"], 2), (["--lang", "fr"], 2)])
def test_cli_index_errors(args, code, tmp_path):
    r = CliRunner().invoke(app, ["index", str(DATA / "index_communities.csv"), "--indicators", ",".join(INDS), *args])
    assert r.exit_code == code, r.output


@pytest.mark.parametrize("module", ["resilience_stats.indices.weights", "resilience_stats.indices.ahp",
                                    "resilience_stats.indices.composite", "resilience_stats.indices.community",
                                    "resilience_stats.tables.indices"])
def test_doctests(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
