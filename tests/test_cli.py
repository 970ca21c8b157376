"""The command line: every subcommand, exit codes 0/1/2, and json/csv outputs that parse."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import resilience_stats as rs
from resilience_stats.cli import app

runner = CliRunner()
NAME = "party_building_social_capital"


@pytest.fixture(scope="module")
def wave_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    raw = rs.example_survey(NAME, n=150, seed=8, waves=2, missing_rate=0.003)
    paths = []
    for label, part in raw.groupby("wave"):
        path = folder / f"wave{label}.csv"
        part.to_csv(path, index=False, encoding="gbk")
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory):
    raw = rs.example_survey(NAME, n=150, seed=8)
    raw["pbl1"] = raw["pbl1"].astype(object)
    raw.loc[0, "pbl1"] = 7
    path = tmp_path_factory.mktemp("cli_bad") / "bad.csv"
    raw.to_csv(path, index=False)
    return str(path)


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_help_lists_every_subcommand_with_examples():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("validate", "describe", "reliability", "efa", "cfa", "sem", "invariance", "power", "report",
                 "instruments", "demo"):
        assert name in result.stdout
    report_help = runner.invoke(app, ["report", "--help"])
    assert report_help.exit_code == 0 and "resilience-stats report wave2024.csv" in report_help.stdout
    for option in ("--instrument", "--model", "--group", "--lang", "--out", "--seed", "--quiet", "--format"):
        assert option in report_help.stdout


def test_describe_text_json_csv(wave_files):
    text = runner.invoke(app, ["describe", *wave_files, "-i", NAME])
    assert text.exit_code == 0 and "PBL" in text.stdout
    records = _json(runner.invoke(app, ["describe", *wave_files, "-i", NAME, "--format", "json"]))
    assert {r["construct"] for r in records["constructs"]} >= {"PBL", "RES"}
    csv = runner.invoke(app, ["describe", wave_files[0], "-i", NAME, "--format", "csv", "-x", "speeders"])
    table = pd.read_csv(io.StringIO(csv.stdout))
    assert {"construct", "n", "mean", "sd"} <= set(table.columns)


def test_reliability_json_and_quiet(wave_files):
    records = _json(runner.invoke(app, ["reliability", wave_files[0], "-i", NAME, "-f", "json"]))
    assert all(0 < r["alpha"] < 1 for r in records["reliability"])
    quiet = runner.invoke(app, ["reliability", wave_files[0], "-i", NAME, "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_efa_with_and_without_n_factors(wave_files):
    csv = runner.invoke(app, ["efa", wave_files[0], "-i", NAME, "-k", "7", "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    table = pd.read_csv(io.StringIO(csv.stdout))
    assert table.shape[0] == 29 and "h2" in table.columns
    out = _json(runner.invoke(app, ["efa", wave_files[0], "-i", NAME, "-f", "json", "--n-iter", "5"]))
    assert out["loadings"] and out["parallel_analysis"]
    assert runner.invoke(app, ["efa", wave_files[0], "-i", NAME, "-k", "0"]).exit_code == 2


def test_cfa_json_and_csv(wave_files):
    out = _json(runner.invoke(app, ["cfa", *wave_files, "-i", NAME, "--format", "json"]))
    assert 0.8 < out["fit"][0]["cfi"] <= 1
    csv = runner.invoke(app, ["cfa", *wave_files, "-i", NAME, "--format", "csv", "--estimator", "ML"])
    est = pd.read_csv(io.StringIO(csv.stdout))
    assert set(est["op"]) == {"=~"} and "std_all" in est.columns


def test_sem_with_bootstrap(wave_files):
    out = _json(runner.invoke(app, ["sem", *wave_files, "-i", NAME, "-m", "chen_zhang", "-b", "20", "-f", "json"]))
    ops = {r["op"] for r in out["estimates"]}
    assert ops == {"~", ":="}
    ind = next(r for r in out["estimates"] if r["lhs"] == "ind_total")
    assert ind["ci_lower"] < ind["est"] < ind["ci_upper"]


def test_sem_model_file_and_bad_model(wave_files, tmp_path):
    model = tmp_path / "m.lav"
    model.write_text(rs.load_instrument(NAME).measurement_model() + "RES ~ PBL\n", encoding="utf-8")
    csv = runner.invoke(app, ["sem", wave_files[0], "-i", NAME, "--model", str(model), "-f", "csv"])
    assert csv.exit_code == 0, csv.output
    assert "RES" in set(pd.read_csv(io.StringIO(csv.stdout))["lhs"])
    assert runner.invoke(app, ["sem", wave_files[0], "-i", NAME, "--model", "no_such_model"]).exit_code == 2
    broken = tmp_path / "broken.lav"
    broken.write_text("RES ~ NOSUCH\n", encoding="utf-8")
    assert runner.invoke(app, ["sem", wave_files[0], "-i", NAME, "--model", str(broken)]).exit_code == 1


def test_invariance_across_waves(wave_files, tmp_path):
    model = tmp_path / "two.lav"
    model.write_text("PBL =~ pbl1 + pbl2 + pbl3 + pbl4 + pbl5\nNET =~ net1 + net2 + net3 + net4\n", encoding="utf-8")
    out = _json(runner.invoke(app, ["invariance", *wave_files, "-i", NAME, "--group", "wave", "-m", str(model),
                                    "-f", "json"]))
    assert [r["level"] for r in out["invariance"]][:3] == ["configural", "metric", "scalar"]
    assert runner.invoke(app, ["invariance", *wave_files, "-i", NAME, "--group", "nope"]).exit_code == 2


def test_power_small_run(tmp_path):
    model = tmp_path / "pop.lav"
    model.write_text("X =~ 0.8*x1 + 0.7*x2 + 0.7*x3\nY =~ 0.8*y1 + 0.7*y2 + 0.7*y3\nY ~ 0.3*X\n", encoding="utf-8")
    result = runner.invoke(app, ["power", "--model", str(model), "--n", "100,200", "--reps", "4", "-j", "1",
                                 "--format", "csv", "--quiet"])
    assert result.exit_code == 0 and result.stdout == ""
    result = runner.invoke(app, ["power", "--model", str(model), "--n", "100", "--reps", "4", "-j", "1",
                                 "--format", "csv"])
    table = pd.read_csv(io.StringIO(result.stdout))
    assert {"n", "lhs", "op", "rhs", "power"} <= set(table.columns)
    assert runner.invoke(app, ["power", "--n", "abc"]).exit_code == 2


def test_report_and_demo_write_files(wave_files, tmp_path):
    out = tmp_path / "rep"
    result = runner.invoke(app, ["report", wave_files[0], "-i", NAME, "--out", str(out), "--lang", "en", "-b", "10",
                                 "--formats", "html", "--format", "json", "--seed", "3", "-j", "1"])
    summary = _json(result)
    assert summary["paths"]["html"].endswith("report.html") and summary["problems"] == []
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "resilience-stats report" in html and "--seed 3" in html  # the command is in the provenance block
    demo = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--n", "120", "--waves", "1", "-b", "0",
                               "--formats", "docx", "--quiet", "-j", "1"])
    assert demo.exit_code == 0, demo.output
    assert (tmp_path / "demo" / "report.docx").exists() and demo.stdout == ""


def test_report_with_data_errors_exits_1_but_writes(bad_file, tmp_path):
    result = runner.invoke(app, ["report", bad_file, "-i", NAME, "--out", str(tmp_path), "-b", "0",
                                 "--formats", "html", "-f", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["data_errors"] >= 1
    assert (tmp_path / "report.html").exists()


@pytest.mark.parametrize("args", [
    ["report", "missing.csv", "-i", NAME],                           # no such file
    ["report", "{f}", "-i", "no_such_instrument"],                   # unknown instrument
    ["report", "{f}", "-i", NAME, "--lang", "fr"],                   # bad language
    ["report", "{f}", "-i", NAME, "--formats", "pdf"],               # bad document format
    ["describe", "{f}", "-i", NAME, "--format", "xml"],              # bad output format
    ["cfa", "{f}"],                                                  # --instrument missing
    ["demo", "--n", "10"],                                           # too small
    ["no-such-command"],
])
def test_usage_errors_exit_2(args, wave_files):
    result = runner.invoke(app, [a.format(f=wave_files[0]) for a in args])
    assert result.exit_code == 2, result.output


def test_unreadable_data_exits_1(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert runner.invoke(app, ["describe", str(path), "-i", NAME]).exit_code == 1


@pytest.mark.slow
def test_demo_takes_under_a_minute(tmp_path):
    """`make demo`'s command: two waves of 500, bootstrap 1000, HTML and Word, in under 60 s on 2 cores."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    exe = Path(sys.executable).with_name("resilience-stats")
    start = time.perf_counter()
    done = subprocess.run([str(exe), "demo", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "report.html").exists() and (tmp_path / "report.docx").exists()
    assert seconds < 60, f"make demo took {seconds:.1f} s"
