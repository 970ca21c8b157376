"""resilience_stats.plots: figures drawn from result tables (invariance, latent means, power)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
import resilience_stats.plots as rsp
from resilience_stats.errors import DataError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture()
def invariance():
    return pd.DataFrame({
        "level": ["configural", "metric", "scalar", "strict"],
        "chisq": [812.4, 835.9, 871.2, 930.5], "df": [708, 730, 752, 781], "pvalue": [0.004, 0.004, 0.002, 0.0],
        "cfi": [0.981, 0.980, 0.976, 0.968], "tli": [0.978, 0.978, 0.975, 0.968],
        "rmsea": [0.024, 0.024, 0.026, 0.029], "rmsea_ci_lower": [0.015, 0.016, 0.018, 0.022],
        "rmsea_ci_upper": [0.031, 0.031, 0.032, 0.035], "srmr": [0.041, 0.045, 0.048, 0.052],
        "delta_chisq": [np.nan, 23.5, 35.3, 59.3], "delta_df": [np.nan, 22, 22, 29],
        "lrt_p": [np.nan, 0.37, 0.036, 0.0007], "delta_cfi": [np.nan, -0.001, -0.004, -0.008],
        "delta_rmsea": [np.nan, 0.0, 0.002, 0.003], "decision": [None, "accept", "accept", "reject"],
    })


@pytest.fixture()
def means():
    m = pd.DataFrame({
        "group": ["urban"] * 3 + ["suburban"] * 3 + ["rural"] * 3,
        "factor": ["PBL", "TRUST", "RES"] * 3,
        "est": [0, 0, 0, 0.2, -0.1, 0.05, 0.35, 0.1, 0.2],
        "se": [np.nan] * 3 + [0.06] * 6,
    })
    m["ci_lower"] = m["est"] - 1.96 * m["se"]
    m["ci_upper"] = m["est"] + 1.96 * m["se"]
    return m


@pytest.fixture()
def power():
    rows = []
    for n in (100, 200, 400, 800):
        for label, lhs, op, rhs, eff in (("a1", "NET", "~", "PBL", 4.0), ("", "RES", "~", "TRUST", 2.0),
                                         ("ind", "ind", ":=", "a1*b1", 1.5)):
            rows.append({"n": n, "lhs": lhs, "op": op, "rhs": rhs, "label": label,
                         "power": float(1 - np.exp(-eff * n / 400)), "bias": 1 / n, "coverage": 0.95 - 1 / n,
                         "converged_share": 1.0})
    return pd.DataFrame(rows)


class _Holder:
    def __init__(self, table):
        self.table = table


def test_invariance_fit(invariance, tmp_path):
    fig = rsp.invariance_fit(invariance)
    out = rsp.save(fig, tmp_path / "inv.png")
    assert out.stat().st_size > 2000
    assert [ax.get_title() for ax in fig.axes] == ["CFI", "RMSEA", "SRMR"]
    ax_cfi, ax_rmsea, _ = fig.axes
    assert [t.get_text() for t in ax_cfi.get_xticklabels()] == ["Configural", "Metric", "Scalar", "Strict"]
    deltas = [t.get_text() for t in ax_cfi.texts if t.get_gid() == "delta"]
    assert deltas == ["Δ−.001", "Δ−.004", "Δ−.008"]
    # RMSEA confidence intervals; the rejected step drawn with an open marker
    segs = np.array(ax_rmsea.collections[0].get_segments())
    np.testing.assert_allclose(segs[:, :, 1], invariance[["rmsea_ci_lower", "rmsea_ci_upper"]].to_numpy())
    filled, open_ = ax_cfi.collections[0], ax_cfi.collections[1]
    assert len(filled.get_offsets()) == 3 and len(open_.get_offsets()) == 1
    assert open_.get_offsets()[0][0] == 3
    # an object with .table and the tables module's "model" column also work
    fig2 = rsp.invariance_fit(_Holder(invariance.rename(columns={"level": "model"})), ["cfi", "tli"], lang="zh")
    assert len(fig2.axes) == 2


def test_invariance_fit_bad_table(invariance):
    with pytest.raises(DataError, match="srmr"):
        rsp.invariance_fit(invariance.drop(columns="srmr"))
    with pytest.raises(DataError):
        rsp.invariance_fit(invariance.iloc[0:0])
    with pytest.raises(DataError):
        rsp.invariance_fit([1, 2])


def test_latent_means(means, tmp_path):
    inst = rs.load_instrument("party_building_social_capital")
    fig = rsp.latent_means(means, instrument=inst)
    assert rsp.save(fig, tmp_path / "means.svg").stat().st_size > 2000
    ax = fig.axes[0]
    squash = lambda s: "".join(s.split())  # noqa: E731 - wrapping may break at spaces or hyphens
    assert [squash(t.get_text()) for t in ax.get_yticklabels()] == [
        squash(inst.construct_name(f, "en")) for f in ["PBL", "TRUST", "RES"]]
    assert len(ax.get_legend().get_texts()) == 3
    points = sum(len(c.get_offsets()) for c in ax.collections if c.get_offsets().shape[0] and c.get_label() in
                 ("urban", "suburban", "rural"))
    assert points == 9
    assert sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments")) == 6  # no CI: reference
    fig2 = rsp.latent_means(_Holder(means), factors=["RES"])
    assert len(fig2.axes[0].get_yticklabels()) == 1
    with pytest.raises(DataError, match="unknown factor"):
        rsp.latent_means(means, factors=["NOPE"])


def test_power_curves(power, tmp_path):
    fig = rsp.power_curves(power)
    assert rsp.save(fig, tmp_path / "power.pdf").stat().st_size > 2000
    ax = fig.axes[0]
    lines = [l for l in ax.lines if (l.get_gid() or "").startswith("power:")]
    assert [l.get_gid() for l in lines] == ["power:a1", "power:RES ~ TRUST", "power:ind"]
    np.testing.assert_allclose(lines[0].get_xdata(), [100, 200, 400, 800])
    reached = power[power["power"] >= 0.8].groupby("label", sort=False)["n"].min()
    marks = sorted(t.get_text() for t in ax.texts if t.get_gid() == "n_target")
    assert marks == sorted(f"{n:g}" for n in reached)
    fig2 = rsp.power_curves(_Holder(power), ["a1", "ind"], metrics=("power", "coverage", "bias"),
                            labels={"ind": "PBL → NET → RES"}, lang="zh")
    assert len(fig2.axes) == 3
    assert [t.get_text() for t in fig2.axes[-1].get_legend().get_texts()] == ["a1", "PBL → NET → RES"]
    with pytest.raises(DataError, match="unknown parameter"):
        rsp.power_curves(power, ["zz"])
    with pytest.raises(ValueError, match="metric"):
        rsp.power_curves(power, metrics=("rmse",))
