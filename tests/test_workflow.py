"""workflow.analyze: the statistics layer behind the report (steps, failures, exclusions, small helpers)."""

from __future__ import annotations

import pytest

import resilience_stats as rs
from resilience_stats.errors import ModelSpecificationError
from resilience_stats.workflow import (
    STEP_NAMES,
    analyze,
    community_means,
    construct_correlations,
    load_pooled,
    missingness,
    resolve_model,
    sample_composition,
    score_descriptives,
    wave_means,
)

NAME = "party_building_social_capital"


@pytest.fixture(scope="module")
def inst():
    return rs.load_instrument(NAME)


@pytest.fixture(scope="module")
def two_waves(inst):
    return rs.example_survey(inst, n=200, seed=3, waves=2, missing_rate=0.003)


@pytest.fixture(scope="module")
def analysis(two_waves, inst):
    # invariance runs in the report tests; here the other steps
    steps = [s for s in STEP_NAMES if not s.startswith(("invariance", "latent_means"))]
    return analyze(two_waves, inst, bootstrap=20, seed=1, exclude=["speeders"], parallel_iter=10, n_jobs=1,
                   steps=steps)


def test_every_step_runs_in_order(analysis):
    names = list(analysis.steps)
    assert names == [s for s in STEP_NAMES if s in names]
    assert {"sample", "items", "reliability", "efa", "cfa", "sem", "trends", "icc"} <= set(names)
    failed = {n: s.error for n, s in analysis.steps.items() if s.status == "failed"}
    assert failed == {}
    assert analysis.multi_wave and analysis.wave_labels == [1, 2]
    assert analysis.model_name == "chen_zhang"


def test_exclusions_are_recorded_removed_or_kept(analysis, two_waves):
    ex = analysis.exclusions.set_index("check")
    assert ex.loc["speeders", "action"] == "removed"
    assert ex.loc["speeders", "rows_removed"] == ex.loc["speeders", "rows_flagged"] > 0
    if "straightlining" in ex.index:
        assert ex.loc["straightlining", "action"] == "kept" and ex.loc["straightlining", "rows_removed"] == 0
    assert len(analysis.wave.data) == len(two_waves) - ex.loc["speeders", "rows_removed"]


def test_provenance_inputs_and_versions(analysis):
    (record,) = analysis.inputs
    assert len(record["sha256"]) == 64 and record["sha256_of"] == "table"
    assert {"python", "resilience_stats", "numpy", "pandas", "scipy"} <= set(analysis.versions)


def test_steps_selects_what_runs(two_waves, inst):
    a = analyze(two_waves, inst, steps=["sample", "icc"])
    assert list(a.steps) == ["sample", "icc"]
    with pytest.raises(ValueError, match="unknown step"):
        analyze(two_waves, inst, steps=["nope"])


def test_a_failing_analysis_is_recorded_and_later_steps_still_run(two_waves, inst):
    bad = inst.measurement_model() + "RES ~ PBL + NOSUCHFACTOR\n"
    a = analyze(two_waves, inst, model=bad, bootstrap=5, n_jobs=1, steps=["sem", "bootstrap", "icc"])
    assert a["sem"].status == "failed" and "NOSUCHFACTOR" in a["sem"].error
    assert a["bootstrap"].status == "skipped"
    assert a["icc"].ok
    assert [s.name for s in a.problems] == ["sem"]


def test_nonconverged_model_is_a_failure(monkeypatch, two_waves, inst):
    real = rs.sem

    def stuck(*args, **kwargs):
        fit = real(*args, **kwargs)
        fit.converged = False
        fit.warnings.append("the optimizer did not converge")
        return fit

    monkeypatch.setattr(rs, "sem", stuck)
    a = analyze(two_waves, inst, bootstrap=5, n_jobs=1, steps=["sem", "bootstrap"])
    assert a["sem"].status == "failed" and "did not converge" in a["sem"].error
    assert a["bootstrap"].status == "skipped"


def test_resolve_model(inst, tmp_path):
    assert resolve_model(None, inst)[0] == "chen_zhang"
    assert resolve_model("xiao", inst)[0] == "xiao"
    path = tmp_path / "m.lav"
    path.write_text("PBL =~ pbl1 + pbl2 + pbl3\n", encoding="utf-8")
    assert resolve_model(str(path), inst) == (None, "PBL =~ pbl1 + pbl2 + pbl3\n")
    assert resolve_model("A =~ a + b", inst) == (None, "A =~ a + b")
    with pytest.raises(ModelSpecificationError):
        resolve_model("no_such_model", inst)


def test_load_pooled_labels_files_without_wave_column(two_waves, inst, tmp_path):
    paths = []
    for label, part in two_waves.groupby("wave"):
        path = tmp_path / f"w{label}.csv"
        part.drop(columns=["wave"]).to_csv(path, index=False)
        paths.append(path)
    wave = load_pooled([str(p) for p in paths], inst)
    assert sorted(wave.data["wave"].unique().tolist()) == [1, 2]
    assert len(wave.data) == len(two_waves)


def test_small_helpers(analysis):
    w = analysis.wave
    comp = sample_composition(w, "zh")
    assert list(comp.columns) == ["variable", "category", "n", "percent"]
    assert "性别" in set(comp["variable"])
    miss = missingness(w)
    assert list(miss["item"]) == w.item_ids and (miss["pct_missing"] >= 0).all()
    desc = score_descriptives(w)
    assert "RES" in set(desc["construct"]) and (desc["sd"] > 0).all()
    corr = construct_correlations(w)
    assert corr["corr"].shape == corr["pvalues"].shape
    means = wave_means(w)
    first = means.groupby("construct").head(1)
    assert first["pvalue"].between(0, 1).all()
    cm = community_means(w)
    assert cm["n"].sum() == len(w.data)


def test_model_files_in_gbk_or_utf8_with_bom_are_read(inst, tmp_path):
    from resilience_stats.workflow import read_model_file

    syntax = "# 结构模型\n" + inst.measurement_model()
    for name, data in (("gbk.lav", syntax.encode("gbk")), ("bom.lav", b"\xef\xbb\xbf" + syntax.encode("utf-8"))):
        path = tmp_path / name
        path.write_bytes(data)
        assert read_model_file(path) == syntax
        assert resolve_model(str(path), inst) == (None, syntax)
    garbage = tmp_path / "garbage.lav"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ModelSpecificationError, match="not text in UTF-8 or GBK"):
        resolve_model(str(garbage), inst)
    empty = tmp_path / "empty.lav"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(ModelSpecificationError, match="is empty"):
        read_model_file(empty)


def test_fit_options_are_shared_and_checked():
    from resilience_stats.workflow import fit_options

    assert fit_options("mlr", "fiml") == {"estimator": "MLR", "missing": "fiml"}
    assert fit_options("ML", "listwise") == {"estimator": "ML", "missing": "listwise"}
    assert fit_options("WLSMV", "fiml") == {"estimator": "WLSMV", "ordered": True}  # cfa --estimator WLSMV works
    for bad in (dict(estimator="FOO"), dict(estimator="MLR", missing="mean"), dict(estimator="MLR", ordered=True)):
        with pytest.raises(ValueError):
            fit_options(**bad)


def test_bad_arguments_fail_before_any_work(two_waves, inst):
    with pytest.raises(ValueError, match="bootstrap must be 0 .* or at least 2"):
        analyze(two_waves, inst, bootstrap=1)
    with pytest.raises(ValueError, match="estimator must be one of"):
        analyze(two_waves, inst, estimator="FOO")
    with pytest.raises(rs.DataError, match="unknown check name.*'speeder'"):
        load_pooled(two_waves, inst, exclude=["speeder"])


def test_group_without_value_is_left_out_with_a_warning(two_waves, inst):
    from resilience_stats.workflow import group_rows

    wave = load_pooled(two_waves, inst)
    data = wave.data.copy()
    data.loc[data.index[:30], "party_member"] = float("nan")
    holey = rs.SurveyWave(wave.raw, data, dict(wave.meta), wave.issues, inst, row_labels=wave.row_labels)
    with pytest.warns(rs.ResilienceStatsWarning, match=r"30 of 400 respondents \(8%\) have no 'party_member'"):
        kept = group_rows(holey, "party_member")
    assert len(kept.data) == 370 and kept.data["party_member"].notna().all()
    assert group_rows(wave, "party_member") is wave            # nothing missing: nothing to say
    with pytest.raises(rs.DataError, match="not in the data"):
        group_rows(wave, "nosuch")


def test_exclusions_can_keep_the_first_duplicate(two_waves, inst):
    import pandas as pd

    first = two_waves[two_waves["wave"] == 1]
    doubled = pd.concat([first, first.iloc[:3]], ignore_index=True)
    every = load_pooled(doubled, inst, exclude="duplicate_ids")
    kept = load_pooled(doubled, inst, exclude="duplicate_ids", keep="first")
    assert len(every.data) == len(first) - 3 and len(kept.data) == len(first)
