"""Nonparametric bootstrap of SEM fits (fit.bootstrap) against lavaan 0.6-14's se = "bootstrap".

lavaan's draws come from R's RNG, ours from numpy, so the comparison is statistical: with 1,000 replicates each,
a bootstrap SE has a Monte Carlo relative SD of about 1/sqrt(2 * 1000) = 2.2 %, and a 2.5 % / 97.5 % bound has
a Monte Carlo SD of roughly 0.1-0.15 bootstrap SEs, so the difference of two independent runs has an SD of about
0.15-0.2 SE. We require SEs within 10 % and bounds within 0.4 SE (about 2 SDs of the difference of two runs).
That the remaining differences are Monte Carlo error only is checked separately: on the same resampled rows our
replicate estimates equal lavaan's refits (tests/golden/sem_bootstrap_validity.R, ``mediation_replicates``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilience_stats.sem import cfa, sem
from resilience_stats.sem import bootstrap as bs

DATA = Path(__file__).parent / "data"
GOLDEN = json.loads((Path(__file__).parent / "golden" / "sem_lavaan.json").read_text())
CASE = GOLDEN["cases"]["mediation_bootstrap"]
DEFINED = ["ind1", "ind2", "total_ind", "total"]


@pytest.fixture(scope="module")
def med_fit():
    return sem(GOLDEN["models"]["mediation"], pd.read_csv(DATA / "mediation.csv"))


@pytest.fixture(scope="module")
def med_boot(med_fit):
    return med_fit.bootstrap(n=1000, seed=123, n_jobs=1, progress=False)


def _lavaan_rows(kind: str) -> dict:
    return {r["lhs"]: r for r in CASE[f"parameter_estimates_{kind}"] if r["op"] == ":="}


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    return table[(table["op"] == ":=") & (table["lhs"] == name)].iloc[0]


@pytest.mark.parametrize("ci, kind", [("percentile", "perc"), ("bca_simple", "bca_simple"), ("normal", "norm")])
def test_defined_parameter_cis_match_lavaan(med_fit, med_boot, ci, kind):
    boot = med_boot if ci == "percentile" else med_boot.confint(ci)
    assert boot.ci == ci and boot.draws.equals(med_boot.draws)
    ref = _lavaan_rows(kind)
    for name in DEFINED:
        ours, lav = _row(boot.estimates, name), ref[name]
        assert ours["est"] == pytest.approx(lav["est"], abs=1e-6)
        assert ours["se"] == pytest.approx(lav["se"], rel=0.10), name
        assert abs(ours["ci_lower"] - lav["ci.lower"]) < 0.4 * lav["se"], (name, "lower")
        assert abs(ours["ci_upper"] - lav["ci.upper"]) < 0.4 * lav["se"], (name, "upper")


def test_replicates_equal_lavaan_refits_on_the_same_resamples(med_fit):
    """Same resampled rows -> same estimates as lavaan (so CI differences vs lavaan are Monte Carlo only)."""
    gold = json.loads((Path(__file__).parent / "golden" / "sem_bootstrap_validity.json").read_text())
    rep = gold["mediation_replicates"]
    idx = pd.read_csv(DATA / "mediation_boot_indices.csv").to_numpy().T - 1
    rng = np.random.default_rng(np.random.SeedSequence(9).spawn(1)[0])  # chunk 0 of bootstrap(seed=9)
    np.testing.assert_array_equal(np.array([rng.integers(0, 400, 400) for _ in range(len(idx))]), idx)
    b = med_fit.bootstrap(n=len(idx), seed=9, n_jobs=1, progress=False)
    rows, _names = bs._param_columns(med_fit.partable)
    lav_est = np.array(rep["est"], dtype=float)[:, rows]
    np.testing.assert_allclose(b.draws.to_numpy(), lav_est, atol=1e-4)
    lav_std = np.array(rep["std_all"], dtype=float)[:, rows]
    np.testing.assert_allclose(b.std_draws.to_numpy(), lav_std, atol=1e-4)


def test_free_parameter_ses_match_lavaan(med_boot):
    ref = [r for r in CASE["parameter_estimates_perc"] if r["op"] != ":=" and r["se"] and r["se"] > 0]
    est = med_boot.estimates
    for r in ref:
        row = est[(est["lhs"] == r["lhs"]) & (est["op"] == r["op"]) & (est["rhs"] == r["rhs"])].iloc[0]
        assert row["se"] == pytest.approx(r["se"], rel=0.12), (r["lhs"], r["op"], r["rhs"])


def test_result_structure(med_fit, med_boot):
    b = med_boot
    assert (b.n, b.n_ok, b.n_failed, b.seed, b.ci) == (1000, 1000, 0, 123, "percentile")
    assert b.failures.empty and b.warnings == []
    assert b.draws.shape == (1000, med_fit.n_params + len(DEFINED))
    assert list(b.draws.columns[-4:]) == DEFINED
    assert b.std_draws.shape == b.draws.shape
    cols = ["est", "se", "ci_lower", "ci_upper", "std_all", "std_all_se", "std_all_ci_lower", "std_all_ci_upper"]
    assert set(cols) <= set(b.estimates.columns)
    pd.testing.assert_series_equal(b.estimates["est"], med_fit.estimates["est"])
    free = med_fit.partable["free"].to_numpy() > 0
    assert np.all(b.estimates["se"].to_numpy()[free] > 0)
    fixed = ~free & (med_fit.estimates["op"] != ":=").to_numpy()
    assert np.all(np.isnan(b.estimates["se"].to_numpy()[fixed]))
    lo, hi, std = (b.estimates[c].to_numpy() for c in ("std_all_ci_lower", "std_all_ci_upper", "std_all"))
    ok = np.isfinite(std)
    assert np.all(lo[ok] <= std[ok] + 1e-12) and np.all(std[ok] <= hi[ok] + 1e-12)
    # the bootstrap SD of ind1 agrees with its column of draws
    assert _row(b.estimates, "ind1")["se"] == pytest.approx(b.draws["ind1"].std(ddof=1))
    assert "n_ok=1000" in repr(b)


def test_chunks_are_independent_of_their_grouping(med_fit):
    """Each chunk draws from its own SeedSequence child, so how chunks are spread over workers is irrelevant."""
    ctx = bs._context(med_fit)
    seeds = np.random.SeedSequence(11).spawn(3)
    tasks = [("boot", seeds[k], 4) for k in range(3)]
    together = bs._run_batch(ctx, tasks)
    apart = [bs._run_batch(ctx, [t])[0] for t in reversed(tasks)][::-1]
    for a, b in zip(together, apart):
        for (ea, sa, ra), (eb, sb, rb) in zip(a, b):
            np.testing.assert_array_equal(ea, eb)
            np.testing.assert_array_equal(sa, sb)
    a = med_fit.bootstrap(n=30, seed=7, n_jobs=1, progress=False)
    c = med_fit.bootstrap(n=30, seed=8, n_jobs=1, progress=False)
    assert not a.draws.equals(c.draws)
    pd.testing.assert_frame_equal(a.draws, med_fit.bootstrap(n=30, seed=7, n_jobs=1, progress=False).draws)


@pytest.mark.slow
def test_same_seed_same_numbers_for_any_n_jobs(med_fit, monkeypatch):
    monkeypatch.setattr(bs, "SPAWN_SECONDS", 0.0)  # force worker processes
    a = med_fit.bootstrap(n=80, seed=7, n_jobs=1, progress=False)
    b = med_fit.bootstrap(n=80, seed=7, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)


def test_bca_with_jackknife_acceleration(med_fit):
    b = med_fit.bootstrap(n=200, seed=3, ci="bca", n_jobs=1, progress=False)
    acc = b.acceleration
    assert acc is not None and np.all(np.abs(acc) < 0.2)
    s = b.confint("bca_simple")
    assert s.confint("bca").estimates.equals(b.estimates)
    for name in DEFINED:  # the acceleration is small here: BCa close to bias-corrected only
        r1, r2 = _row(b.estimates, name), _row(s.estimates, name)
        assert abs(r1["ci_lower"] - r2["ci_lower"]) < 0.15 * r1["se"]
        assert abs(r1["ci_upper"] - r2["ci_upper"]) < 0.15 * r1["se"]


def test_grouped_jackknife_for_large_samples(med_fit, monkeypatch):
    monkeypatch.setattr(bs, "JACKKNIFE_MAX", 40)  # N = 400 > 40: delete-a-group jackknife over 40 groups
    calls = []
    real = bs._execute

    def spy(ctx, tasks, n_jobs, progress, total, desc):
        calls.append((desc, total))
        return real(ctx, tasks, n_jobs, progress, total, desc)

    monkeypatch.setattr(bs, "_execute", spy)
    b = med_fit.bootstrap(n=50, seed=4, ci="bca", n_jobs=1, progress=False)
    assert calls == [("bootstrap", 50), ("jackknife", 40)]
    assert np.all(np.abs(b.acceleration) < 0.3) and b.n_ok == 50


def test_jackknife_acceleration_formula():
    vals = np.array([[1.0], [2.0], [4.0], [8.0]])
    u = vals.mean() - vals[:, 0]
    assert bs.jackknife_acceleration(vals)[0] == pytest.approx((u ** 3).sum() / (6 * (u ** 2).sum() ** 1.5))


def test_norm_inter_matches_boot_package():
    # R: boot:::norm.inter(1:99 / 10, c(0.025, 0.975)); boot:::norm.inter(1:10, c(0.3, 0.01, 0.999))
    t = np.arange(1, 100) / 10
    assert bs.norm_inter(t, np.array([0.025, 0.975])).tolist() == pytest.approx(
        [0.2542249498839756, 9.745775050116023], abs=1e-12)
    out = bs.norm_inter(np.arange(1.0, 11.0), np.array([0.3, 0.01, 0.999]))
    assert out.tolist() == pytest.approx([3.3134305720272, 1.0, 10.0], abs=1e-12)


def test_fiml_resamples_incomplete_rows():
    data = pd.read_csv(DATA / "hs_missing.csv")
    fit = cfa(data, GOLDEN["models"]["hs_cfa"], missing="fiml")
    b = fit.bootstrap(n=100, seed=2, n_jobs=1, progress=False)
    assert b.n_ok == 100
    free = fit.partable["free"].to_numpy() > 0
    ratio = b.estimates["se"].to_numpy()[free] / fit.estimates["se"].to_numpy()[free]
    assert np.median(ratio) == pytest.approx(1.0, abs=0.15)  # bootstrap SEs near the ML (observed) SEs


def test_failed_replicates_are_counted_and_reported(med_fit, monkeypatch):
    real = bs._fit_replicate
    calls = {"n": 0}

    def flaky(ctx, models, def_fun, counts, std_plan=None):
        calls["n"] += 1
        if calls["n"] % 10 == 0:
            raise bs._Failure("did not converge (test)")
        if calls["n"] % 10 == 5:
            raise np.linalg.LinAlgError("singular matrix")
        return real(ctx, models, def_fun, counts, std_plan)

    monkeypatch.setattr(bs, "_fit_replicate", flaky)
    monkeypatch.setattr(bs, "_batchable", lambda ctx: False)  # every replicate refitted one by one
    b = med_fit.bootstrap(n=40, seed=1, n_jobs=1, progress=False)
    assert (b.n_ok, b.n_failed) == (32, 8)
    assert len(b.draws) == 32 and len(b.failures) == 8
    assert set(b.failures["reason"]) == {"did not converge (test)", "LinAlgError: singular matrix"}
    assert b.failures["replicate"].tolist() == [4, 9, 14, 19, 24, 29, 34, 39]
    assert any("8 of 40 bootstrap replicates failed" in w for w in b.warnings)


def test_fixed_x_covariates_are_resampled():
    rng = np.random.default_rng(4)
    n = 300
    x = rng.normal(size=n)
    f = 0.5 * x + rng.normal(size=n)
    df = pd.DataFrame({"x": x, **{f"y{i}": f + rng.normal(size=n) for i in range(3)}})
    fit = sem("F =~ y0 + y1 + y2\nF ~ b*x", df)
    b = fit.bootstrap(n=200, seed=1, n_jobs=1, progress=False)
    row = b.estimates[(b.estimates["op"] == "~")].iloc[0]
    assert row["se"] == pytest.approx(fit.estimates.loc[row.name, "se"], rel=0.2)


def test_bad_arguments(med_fit):
    with pytest.raises(ValueError, match="ci must be"):
        med_fit.bootstrap(n=10, ci="studentized")
    with pytest.raises(ValueError, match="at least 2"):
        med_fit.bootstrap(n=1)
    with pytest.raises(ValueError, match="jackknife acceleration"):
        med_fit.bootstrap(n=5, n_jobs=1, progress=False).confint("bca")


def test_batched_refits_equal_one_by_one_refits(med_fit):
    """The batched Fisher scoring of complete-data ML replicates gives the one-by-one refits' estimates."""
    ctx = bs._context(med_fit)
    rng = np.random.default_rng(5)
    n = len(ctx.design.X[0])
    counts = [[np.bincount(rng.integers(0, n, n), minlength=n)] for _ in range(12)]
    import copy

    from resilience_stats.sem.pipeline import _def_function
    from resilience_stats.sem.standardize import StandardizePlan

    models = copy.deepcopy(ctx.models)
    plan = StandardizePlan(ctx.pt, models)
    batched = bs._batched_refits(ctx, models, _def_function(ctx.pt), plan, counts)
    for c, (e, s, reason) in zip(counts, batched):
        e1, s1 = bs._fit_replicate(ctx, copy.deepcopy(ctx.models), _def_function(ctx.pt), c, plan)
        assert reason is None
        np.testing.assert_allclose(e, e1, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(s, s1, rtol=1e-5, atol=1e-6)


def test_weighted_multigroup_bootstrap_uses_each_resample_group_sizes():
    """With sampling weights the groups' weighted sizes change from resample to resample: the batched refits
    (which keep the full-sample group shares) are not used, and a replicate equals a weighted refit of its rows."""
    import copy
    import warnings as _w

    from resilience_stats.sem.pipeline import _def_function
    from resilience_stats.sem.standardize import StandardizePlan

    hsw = pd.read_csv(DATA / "hs_weights.csv")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    with _w.catch_warnings():
        _w.simplefilter("ignore")
        fit = sem(model, hsw, sampling_weights="w", group="school", estimator="MLR")
        single = sem(model, hsw, sampling_weights="w", estimator="MLR")
    ctx = bs._context(fit)
    assert not bs._batchable(ctx) and bs._batchable(bs._context(single))
    sizes = [len(X) for X in ctx.design.X]
    counts = bs._draw_counts(ctx, np.random.default_rng(11), sizes)
    models = copy.deepcopy(ctx.models)
    est, _std = bs._fit_replicate(ctx, models, _def_function(ctx.pt), counts, StandardizePlan(ctx.pt, models))
    parts = [hsw[hsw["school"] == g].loc[np.repeat(hsw.index[hsw["school"] == g], c)]
             for g, c in zip(fit.group_labels, counts)]
    with _w.catch_warnings():
        _w.simplefilter("ignore")
        ref = sem(model, pd.concat(parts, ignore_index=True), sampling_weights="w", group="school",
                  estimator="MLR")
    free = fit.partable["free"].to_numpy() > 0
    np.testing.assert_allclose(np.asarray(est)[: len(free)][free], ref.estimates["est"].to_numpy()[free],
                               rtol=1e-4, atol=2e-5)  # refits stop at a gradient of 1e-7
