"""resilience_stats.plots: figures drawn from survey waves (Likert bars, distributions, heatmap, trends)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
import resilience_stats.plots as rsp
from resilience_stats.errors import DataError

INSTRUMENT = "party_building_social_capital"


@pytest.fixture(scope="module")
def wave():
    return rs.read_survey(rs.example_survey(INSTRUMENT, n=200, seed=11), INSTRUMENT)


@pytest.fixture(scope="module")
def waves():
    return rs.read_survey(rs.example_survey(INSTRUMENT, n=120, seed=12, waves=3, communities=6), INSTRUMENT)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _saved(fig, tmp_path, name="fig.png"):
    out = rsp.save(fig, tmp_path / name)
    assert out.is_file() and out.stat().st_size > 2000
    return out


def _bars(ax):
    return sum(len(c) for c in ax.containers)


# ------------------------------------------------------------------------------------------------ Likert
def test_likert_bars_counts_and_labels(wave, tmp_path):
    inst = wave.instrument
    fig = rsp.likert_bars(wave, ["PBL", "NET"])
    _saved(fig, tmp_path)
    assert len(fig.axes) == 2
    assert _bars(fig.axes[0]) == 5 * 5 and _bars(fig.axes[1]) == 4 * 5  # items x categories
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[1].get_yticklabels()]
    assert labels[0] == inst.item_text("net1", "en")
    assert labels[3].endswith("(R)")  # net4 is reverse-keyed
    assert fig.axes[0].get_title(loc="left") == inst.construct_name("PBL", "en")
    # disagree / agree shares printed at both ends of every bar
    assert len([t for t in fig.axes[0].texts if t.get_text().endswith("%")]) == 2 * 5
    assert len(fig.legends[0].get_texts()) == 5


def test_likert_bars_diverge_around_the_neutral_centre(wave):
    fig = rsp.likert_bars(wave, items=["pbl1"], percents=False)
    ax = fig.axes[0]
    rects = [r for c in ax.containers for r in c]
    props = rsp.likert_proportions(wave, ["pbl1"]).loc["pbl1", [1, 2, 3, 4, 5]].to_numpy() * 100
    widths = np.array([r.get_width() for r in rects])
    np.testing.assert_allclose(widths, props)
    neutral = rects[2]
    assert neutral.get_x() == pytest.approx(-neutral.get_width() / 2)  # split across zero
    assert rects[0].get_x() + rects[0].get_width() <= rects[1].get_x() + 1e-9


def test_likert_proportions_as_answered(wave):
    recoded = rsp.likert_proportions(wave, ["net4"], as_answered=False)
    answered = rsp.likert_proportions(wave, ["net4"], as_answered=True)
    np.testing.assert_allclose(answered.loc["net4", [1, 2, 3, 4, 5]].to_numpy(),
                               recoded.loc["net4", [5, 4, 3, 2, 1]].to_numpy())
    assert answered.loc["net4", "n"] == wave.data["net4"].notna().sum()
    np.testing.assert_allclose(answered[[1, 2, 3, 4, 5]].sum(axis=1), 1.0)


def test_likert_bars_bad_input(wave):
    with pytest.raises(DataError, match="unknown construct"):
        rsp.likert_bars(wave, "NOPE")
    with pytest.raises(DataError, match="instrument"):
        rsp.likert_bars(wave.data)
    with pytest.raises(ValueError):
        rsp.likert_bars(wave, "PBL", label="wording")


# ------------------------------------------------------------------------------------------------ distributions
def test_item_distributions(wave, tmp_path):
    fig = rsp.item_distributions(wave, ["PBL", "TRUST"], col_wrap=5)
    _saved(fig, tmp_path)
    assert len(fig.axes) == 9
    assert all(_bars(ax) == 5 for ax in fig.axes)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "pbl1" and titles[-1] == "trust4 (R)"
    counts = [r.get_height() for r in fig.axes[0].containers[0]]
    assert sum(counts) == pytest.approx(wave.data["pbl1"].notna().sum())


def test_score_distributions(wave, tmp_path):
    fig = rsp.score_distributions(wave)
    _saved(fig, tmp_path, "scores.svg")
    assert len(fig.axes) == 8  # 7 first-order constructs + RES
    assert fig.axes[-1].get_title().replace("\n", " ") == "Community resilience"
    # a DataFrame of scores works too (ids as titles without an instrument)
    fig2 = rsp.score_distributions(wave.scores()[["PBL", "RES"]], kde=False)
    assert [ax.get_title() for ax in fig2.axes] == ["PBL", "RES"]


def test_correlation_heatmap(wave, tmp_path):
    fig = rsp.correlation_heatmap(wave, ["PBL", "NET", "TRUST", "RES"])
    _saved(fig, tmp_path, "corr.pdf")
    assert len(fig.axes) == 2  # heatmap + colour bar
    values = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert len(values) == 4 * 3 // 2  # lower triangle without the diagonal
    r = wave.scores()[["PBL", "NET"]].corr().iloc[1, 0]
    assert f"{r:.2f}".lstrip("0") in values
    full = rsp.correlation_heatmap(wave.scores()[["PBL", "NET", "TRUST"]], triangle="full")
    assert len([t for t in full.axes[0].texts if t.get_text()]) == 9
    given = rsp.correlation_heatmap(pd.DataFrame(np.eye(2), index=["A", "B"], columns=["A", "B"]))
    assert len([t for t in given.axes[0].texts if t.get_text()]) == 1
    with pytest.raises(DataError):
        rsp.correlation_heatmap(wave, ["PBL"])


# ------------------------------------------------------------------------------------------------ trends
def test_wave_trends_draws_a_given_summary_at_its_level(waves):
    """A summary computed in the statistics layer (here at 90%) is drawn as it is: the interval ends are the
    table's and the axis label names its level (the report passes its wave-means table)."""
    summ = rs.score_summary(waves, by="wave", constructs=["PBL", "RES"], level=0.90)
    fig = rsp.wave_trends(summ)
    assert "90" in fig.axes[0].get_ylabel()
    bars = fig.axes[0].containers[0].lines[2][0].get_segments()
    pbl = summ[summ["construct"] == "PBL"]
    np.testing.assert_allclose([seg[:, 1].min() for seg in bars], pbl["ci_lower"])
    np.testing.assert_allclose([seg[:, 1].max() for seg in bars], pbl["ci_upper"])
    with pytest.raises(DataError, match="not a summary"):
        rsp.wave_trends(summ, by_community=True)


def test_wave_trends(waves, tmp_path):
    fig = rsp.wave_trends(waves, ["PBL", "NET", "RES"])
    _saved(fig, tmp_path)
    assert len(fig.axes) == 1
    assert len(fig.axes[0].containers) == 3  # one errorbar per construct
    assert len(fig.legends[0].get_texts()) == 3
    xs = fig.axes[0].containers[0].lines[0].get_xdata()
    assert len(xs) == 3


def test_wave_trends_by_community(waves, tmp_path):
    fig = rsp.wave_trends(waves, ["PBL", "RES"], by_community=True, width="double")
    _saved(fig, tmp_path, "trend.pdf")
    assert len(fig.axes) == 2
    community_lines = [l for l in fig.axes[0].lines if l.get_gid() == "community"]
    assert len(community_lines) == 6


def test_wave_trends_from_scores_frame(waves):
    frame = waves.scores().assign(wave=waves.data["wave"].to_numpy(), community=waves.data["community"].to_numpy())
    fig = rsp.wave_trends(frame, "RES", instrument=waves.instrument)
    assert fig.legends[0].get_texts()[0].get_text() == "Community resilience"


def test_community_caterpillar(waves, tmp_path):
    fig = rsp.community_caterpillar(waves, ["PBL", "RES"], wave=1)
    _saved(fig, tmp_path)
    assert len(fig.axes) == 2
    ax = fig.axes[1]
    points = [c for c in ax.collections if c.get_gid() == "community_mean"][0].get_offsets()
    assert len(points) == 6
    assert np.all(np.diff(points[:, 0]) >= 0)  # sorted by mean
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(ticks) == [f"C{i:02d}" for i in range(1, 7)]
    with pytest.raises(DataError, match="wave"):
        rsp.community_caterpillar(waves, "RES", wave=9)
