"""rs.indices against an independent base-R implementation (tests/golden/indices_methods.json, made by
tests/golden/indices_methods.R), published values and closed forms. Tolerance 1e-6 (observed: ~1e-15)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resilience_stats as rs
from resilience_stats.indices import (
    AHPConsistencyWarning,
    ahp_weights,
    critic_weights,
    entropy_weights,
    game_theory_combination,
    minmax,
    multiplicative_combination,
    obstacle_degree,
    topsis,
    vector_topsis,
)

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "indices_methods.json"
TOL = 1e-6
INDS = ["trust", "networks", "norms", "recovery", "conflicts"]


@pytest.fixture(scope="module")
def golden() -> dict:
    assert GOLDEN.is_file(), f"missing golden file {GOLDEN} (run tests/golden/indices_methods.R)"
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def communities() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "index_communities.csv")


def _m(obj) -> np.ndarray:
    return np.asarray(obj["data"], dtype=float)


def _close(got, want):
    if isinstance(want, dict):                              # an R named vector
        want = list(want.values())
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=0, atol=TOL)


# ------------------------------------------------------------------------------------------ pure functions --
@pytest.mark.parametrize("key", ["aircraft", "communities_pooled", "communities_pooled_shift", "communities_wave1"])
def test_pure_functions_match_r(golden, communities, key):
    g = golden[key]
    if key == "aircraft":
        x = _m(g["data"])
    elif key == "communities_wave1":
        x = communities.loc[communities["wave"] == 1, INDS].to_numpy(float)
    else:
        x = communities[INDS].to_numpy(float)
    positive = g["positive"]
    z = minmax(x, positive, g["shift"])
    _close(z, _m(g["normalized"]))
    ent = entropy_weights(z)
    for k in ("entropy", "divergence", "weight"):
        _close(ent[k], g["entropy"][k])
    cri = critic_weights(z)
    for k in ("sd", "conflict", "information", "weight"):
        _close(cri[k], g["critic"][k])
    for name, w in (("topsis_entropy", ent["weight"]), ("topsis_critic", cri["weight"])):
        t = topsis(z, w)
        for k in ("d_pos", "d_neg", "closeness"):
            _close(t[k], g[name][k])
    _close(z @ ent["weight"], g["weighted_sum_entropy"])
    _close(obstacle_degree(z, ent["weight"])["obstacle"], _m(g["obstacle_entropy"]))
    game = game_theory_combination(np.vstack([ent["weight"], cri["weight"]]))
    _close(game["alpha"], g["game_entropy_critic"]["alpha"])
    _close(game["weight"], g["game_entropy_critic"]["weight"])
    _close(multiplicative_combination(np.vstack([ent["weight"], cri["weight"]])), g["multiplicative_entropy_critic"])
    if "weights_given" in g:
        w = np.asarray(g["weights_given"])
        for name, t in (("topsis_given", topsis(z, w)), ("topsis_vector_given", vector_topsis(x, w, positive))):
            for k in ("d_pos", "d_neg", "closeness"):
                _close(t[k], g[name][k])


def test_hwang_yoon_aircraft_closeness_as_published(golden):
    """Hwang & Yoon (1981), fighter-aircraft example (vector normalization): C* = .643 (A1), .268 (A2)."""
    x = _m(golden["aircraft"]["data"])
    c = vector_topsis(x, np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.3]), [True, True, True, False, True, True])
    assert round(float(c["closeness"][0]), 3) == 0.643 and round(float(c["closeness"][1]), 3) == 0.268
    assert np.argsort(-c["closeness"]).tolist() == [0, 2, 3, 1]


# --------------------------------------------------------------------------------------------------- AHP --
@pytest.mark.parametrize("key,n", [("ahp_leader", 4), ("ahp_inconsistent", 5)])
def test_ahp_matches_r_eigen(golden, key, n):
    g = golden[key]
    mats = {"ahp_leader": [[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]],
            "ahp_inconsistent": [[1, 5, 1 / 3, 7, 2], [1 / 5, 1, 4, 1 / 2, 3], [3, 1 / 4, 1, 6, 1 / 5],
                                 [1 / 7, 2, 1 / 6, 1, 4], [1 / 2, 1 / 3, 5, 1 / 4, 1]]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AHPConsistencyWarning)
        res = ahp_weights(mats[key])
    _close(res.weights.to_numpy(), g["weights"])
    _close([res.lambda_max, res.ci, res.cr], [g["lambda_max"], g["ci"], g["cr"]])
    assert res.consistent == (g["cr"] < 0.1)


def test_ahp_leader_example_as_published():
    """The AHP leader example (criteria experience, education, charisma, age): weights .547/.548, .127,
    .270, .056 as printed to three decimals; CR below .10."""
    res = ahp_weights([[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]])
    assert np.allclose(res.weights.to_numpy(), [0.547, 0.127, 0.270, 0.056], atol=0.0011)
    assert res.consistent and 0.04 < res.cr < 0.05


def test_ahp_closed_forms():
    w = np.array([0.5, 0.3, 0.15, 0.05])
    consistent = np.outer(w, 1 / w)                        # a_ij = w_i / w_j: weights w, lambda = n, CR = 0
    res = ahp_weights(consistent)
    _close(res.weights.to_numpy(), w)
    assert abs(res.lambda_max - 4) < 1e-12 and abs(res.cr) < 1e-12
    a12, a13, a23 = 3.0, 5.0, 4.0                          # 3 x 3: lambda = 1 + r + 1/r, r = (a13/(a12 a23))^(1/3)
    m = np.array([[1, a12, a13], [1 / a12, 1, a23], [1 / a13, 1 / a23, 1]])
    r = (a13 / (a12 * a23)) ** (1 / 3)
    res = ahp_weights(m)
    assert abs(res.lambda_max - (1 + r + 1 / r)) < 1e-12
    g = np.exp(np.log(m).mean(axis=1))                     # for n = 3 the eigenvector is the geometric mean
    _close(res.weights.to_numpy(), g / g.sum())
    assert abs(res.cr - (res.lambda_max - 3) / 2 / 0.58) < 1e-12
    geo = ahp_weights(m, method="geometric")
    _close(geo.weights.to_numpy(), res.weights.to_numpy())


def test_saaty_random_index_table():
    assert [rs.indices.RANDOM_INDEX[n] for n in range(1, 11)] == [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45,
                                                                  1.49]


# ------------------------------------------------------------------------------------ composite_index --
def test_composite_index_pooled_waves_matches_r(golden, communities):
    res = rs.composite_index(communities, INDS, {"conflicts": "-"})
    g = golden["communities_pooled"]
    assert res.options["wave"] == "wave"
    _close(res.weights["weight"], g["entropy"]["weight"])
    _close(res.weights["entropy"], g["entropy"]["entropy"])
    _close(res.scores["closeness"], g["topsis_entropy"]["closeness"])
    _close(res.scores["weighted_sum"], g["weighted_sum_entropy"])
    _close(res.normalized[INDS].to_numpy(), _m(g["normalized"]))
    assert res.obstacle["indicator"].tolist()[:5] == INDS
    obstacle = res.obstacle["obstacle"].to_numpy().reshape(-1, len(INDS))      # rows: communities x waves
    _close(obstacle, _m(g["obstacle_entropy"]))
    ranks = res.scores.groupby("wave")["closeness"].rank(ascending=False, method="min").astype(int)
    assert res.scores["rank"].tolist() == ranks.tolist()


def test_composite_index_per_wave_weights_match_r(golden, communities):
    res = rs.composite_index(communities, INDS, {"conflicts": "-"}, method="critic", by="wave")
    g = golden["communities_wave1"]
    w1 = res.weights[res.weights["wave"] == 1]
    _close(w1["weight"], g["critic"]["weight"])
    s1 = res.scores[res.scores["wave"] == 1]
    _close(s1["closeness"], g["topsis_critic"]["closeness"])


def test_composite_index_shift_and_combinations_match_r(golden, communities):
    res = rs.composite_index(communities, INDS, {"conflicts": "-"}, shift=0.01)
    _close(res.weights["weight"], golden["communities_pooled_shift"]["entropy"]["weight"])
    comb = golden["combined_ahp_entropy"]
    matrix = np.asarray(golden["ahp_communities"]["matrix"]["data"])
    game = rs.composite_index(communities, INDS, {"conflicts": "-"}, method="combined",
                              ahp_matrix=pd.DataFrame(matrix, index=INDS, columns=INDS))
    _close(game.weights["weight"], comb["game"]["weight"])
    _close(game.combination["alpha"], comb["game"]["alpha"])
    _close(game.scores["closeness"], comb["topsis_game"]["closeness"])
    _close(game.weights["w_ahp"], golden["ahp_communities"]["weights"])
    mult = rs.composite_index(communities, INDS, {"conflicts": "-"}, method="combined", ahp_matrix=matrix,
                              combine="multiplicative")
    _close(mult.weights["weight"], comb["multiplicative"])
    both = rs.composite_index(communities, INDS, {"conflicts": "-"}, method="combined")   # entropy + CRITIC
    _close(both.weights["weight"], golden["communities_pooled"]["game_entropy_critic"]["weight"])


def test_vector_topsis_and_weighted_score_options(golden):
    g = golden["aircraft"]
    x = pd.DataFrame(_m(g["data"]), columns=["speed", "range", "payload", "cost", "reliability", "maneuver"])
    x["community"] = ["A1", "A2", "A3", "A4"]
    res = rs.composite_index(x, None, {"cost": "-"}, method="entropy", topsis_normalization="vector")
    w = np.asarray(g["entropy"]["weight"])
    want = vector_topsis(_m(g["data"]), w, g["positive"])["closeness"]
    _close(res.scores["closeness"], want)
    weighted = rs.composite_index(x, None, {"cost": "-"}, score="weighted")
    assert weighted.scores["score"].equals(weighted.scores["weighted_sum"])
    eq = rs.composite_index(x, None, {"cost": "-"}, method="equal")
    _close(eq.weights["weight"], np.full(6, 1 / 6))
