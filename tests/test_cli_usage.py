"""The command line as a new user meets it (subprocesses of the real entry point): clear one-line errors with
exit code 2 for usage and 1 for data, warnings one line each, the README's files and options."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import resilience_stats as rs
from resilience_stats import cli
from resilience_stats.cli import app

NAME = "party_building_social_capital"
runner = CliRunner()


def subprocess_run(*args, cwd=None, timeout=300):
    """Run ``resilience-stats args`` in a new process, as a user would."""
    exe = Path(sys.executable).with_name("resilience-stats")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "resilience_stats.cli"]
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("RS_DEBUG", None)
    return subprocess.run(cmd + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env)


@pytest.fixture()
def run(capsys, monkeypatch):
    """The console-script entry point (``cli.main``) in this process: what the user sees, without a new process
    per call (the subprocess tests below check the installed script itself)."""
    monkeypatch.delenv("RS_DEBUG", raising=False)

    def call(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return call


def one_error(done, code):
    """Exactly one `error:` line, no traceback, the expected exit code; returns the line."""
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert "Traceback" not in done.stderr and "╭" not in done.stderr, done.stderr
    return errors[0]


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    done = subprocess_run("example", "--out", folder, "--n", 150, "--seed", 3)
    assert done.returncode == 0, done.stderr
    return folder


def test_version_and_example_files(waves):
    done = subprocess_run("--version")
    assert done.returncode == 0 and done.stdout.strip() == rs.__version__
    usage = subprocess_run("cfa", "wave1.csv", "-i", NAME, "--estimator", "FOO", cwd=waves)
    assert "--estimator must be one of" in one_error(usage, 2)
    assert sorted(p.name for p in waves.glob("*.csv")) == ["wave1.csv", "wave2.csv"]
    wave = rs.read_survey(waves / "wave2.csv", NAME)
    assert len(wave.data) == 150 and set(wave.data["wave"]) == {2} and not wave.has_errors


@pytest.mark.parametrize("args, code, words", [
    (["cfa", "wave1.csv", "-i", NAME, "--estimator", "FOO"], 2, "--estimator must be one of ML, MLR, MLM"),
    (["sem", "wave1.csv", "-i", NAME, "--bootstrap", "1"], 2, "--bootstrap must be 0 (none) or at least 2"),
    (["validate", "nowhere.csv", "-i", NAME], 2, "file not found: nowhere.csv"),
    (["cfa", "wave1.csv", "-i", NAME, "-x", "speeder"], 2, "unknown check name(s) to exclude: 'speeder'"),
    (["cfa", "wave1.csv", "-i", NAME, "--ordered", "--estimator", "MLR"], 2, "--ordered needs an ordinal estimator"),
    (["cfa", "wave1.csv", "-i", NAME, "--missing", "mean"], 2, "--missing must be fiml or listwise"),
    (["frobnicate"], 2, "No such command"),
    (["cfa", "-i", NAME], 2, "Missing argument"),
    (["report", "wave1.csv", "-i", NAME, "--page", "A5"], 2, "--page must be a4 or letter"),
    (["cfa", "wave1.csv", "-i", "no_such_questionnaire"], 2, "neither a bundled questionnaire"),
])
def test_usage_errors_are_one_line_with_exit_2(run, waves, args, code, words):
    line = one_error(run(*args, cwd=waves), code)
    assert words in line


def test_schema_errors_are_one_line_in_words(run, waves, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nversion: 1\ntitle: {zh: 问卷}\nscales: [{id: s, min: 1, max: 5}]\n"
                    "constructs: [{id: A, name: {zh: 甲}, role: other}]\n"
                    "items: [{id: a1, construct: A, scale: s, txt_zh: 题}]\n", encoding="utf-8")
    line = one_error(run("validate", waves / "wave1.csv", "-i", path), 2)
    assert "items[0] (a1).txt_zh: is not a key of this block (check the spelling)" in line
    assert "too short" not in line and "at least one entry" not in line  # no knock-on errors


def test_model_files_in_gbk_are_read_and_garbage_is_refused(run, waves, tmp_path):
    syntax = "# 测量模型（GBK 编码）\n" + rs.load_instrument(NAME).measurement_model()
    gbk = tmp_path / "model_gbk.lav"
    gbk.write_bytes(syntax.encode("gbk"))
    done = run("cfa", waves / "wave1.csv", "-i", NAME, "-m", gbk, "-f", "json")
    assert done.returncode == 0, done.stderr
    fit = json.loads(done.stdout)["fit"][0]
    assert fit["n"] == 150 and fit["estimator"] == "MLR" and fit["missing"] == "fiml"
    assert fit["chisq_test"] == "scaled (Yuan-Bentler, MLR)"
    binary = tmp_path / "model.lav"
    binary.write_bytes(bytes(range(256)) * 4)
    line = one_error(run("cfa", waves / "wave1.csv", "-i", NAME, "-m", binary), 2)
    assert "not text in UTF-8 or GBK" in line


def test_wlsmv_and_ordered_fit(run, waves):
    done = run("cfa", waves / "wave1.csv", "-i", NAME, "--estimator", "WLSMV", "-f", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    fit = json.loads(done.stdout)["fit"][0]
    assert fit["estimator"] == "WLSMV" and fit["chisq_test"].startswith("scaled and shifted")
    ordered = run("cfa", waves / "wave1.csv", "-i", NAME, "--ordered", "-f", "json")
    assert ordered.returncode == 0 and json.loads(ordered.stdout)["fit"][0]["estimator"] == "WLSMV"


def test_every_fit_output_states_n_estimator_and_scaling(run, waves):
    text = run("cfa", waves / "wave1.csv", "-i", NAME, "--missing", "listwise")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0].startswith("n = ") and "estimator MLR; missing data: listwise" in text.stdout
    assert "chi-square: scaled (Yuan-Bentler, MLR)" in text.stdout
    csv = run("cfa", waves / "wave1.csv", "-i", NAME, "--estimator", "ML", "-f", "csv")
    est = pd.read_csv(io.StringIO(csv.stdout))
    assert set(est["n"]) == {150} and set(est["estimator"]) == {"ML"} and set(est["chisq_test"]) == {"not scaled (ML)"}


def test_invariance_uses_fiml_like_the_other_commands(run, waves):
    done = run("invariance", waves / "wave1.csv", waves / "wave2.csv", "-i", NAME, "-g", "wave", "-f", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.DataFrame(json.loads(done.stdout)["invariance"])
    assert set(table["missing"]) == {"fiml"} and set(table["estimator"]) == {"MLR"} and set(table["n"]) == {300}
    assert table["level"].tolist()[:3] == ["configural", "metric", "scalar"]


def test_columns_mapping_file(run, waves, tmp_path):
    raw = pd.read_csv(waves / "wave1.csv", dtype=str).rename(columns={"pbl1": "党建第一题", "net2": "Q_net_2"})
    data = tmp_path / "renamed.csv"
    raw.to_csv(data, index=False)
    without = run("validate", data, "-i", NAME, "-f", "json")
    assert without.returncode == 1 and "missing_items" in without.stdout
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("党建第一题: pbl1\nQ_net_2: net2\n", encoding="utf-8")
    with_map = run("validate", data, "-i", NAME, "--columns", mapping, "-f", "json")
    assert with_map.returncode == 0, with_map.stdout[-2000:]
    assert "missing_items" not in with_map.stdout
    as_csv = tmp_path / "columns.csv"
    as_csv.write_text("header,id\n党建第一题,pbl1\nQ_net_2,net2\n", encoding="utf-8")
    assert run("describe", data, "-i", NAME, "--columns", as_csv, "-f", "csv").returncode == 0
    line = one_error(run("validate", data, "-i", NAME, "--columns", tmp_path / "none.yaml"), 2)
    assert "--columns: file not found" in line


def test_warnings_are_one_line_each_once_without_paths(run, waves, tmp_path):
    raw = pd.read_csv(waves / "wave1.csv", dtype=str)
    raw.loc[:20, "gender"] = None
    data = tmp_path / "groups.csv"
    raw.to_csv(data, index=False)
    done = run("invariance", data, "-i", NAME, "-g", "gender", "-f", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    warns = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert warns and all(ln.startswith("warning: ") for ln in warns), done.stderr
    assert len(warns) == len(set(warns))
    assert not any(".py" in ln or "Warning:" in ln for ln in warns)
    assert any("21 of 150 respondents" in ln and "'gender'" in ln for ln in warns)


def test_warning_printer_prints_each_message_once(capsys):
    show = cli._warning_printer()
    for _ in range(3):
        show(UserWarning("group 1 has 20 cases,\n  fewer than recommended"), UserWarning, "/x/y.py", 3)
    err = capsys.readouterr().err.splitlines()
    assert err == ["warning: group 1 has 20 cases, fewer than recommended"]


def test_terminal_tables_do_not_split_numbers_or_words():
    frame = pd.DataFrame({"parameter": ["community_resilience_total", "PBL"], "estimate": [123456.789, 0.5],
                          "pvalue": [0.0001, 0.25], "message": ["a rather long explanation of a result " * 3, "ok"]})
    buf = io.StringIO()
    console = Console(file=buf, width=60, highlight=False, soft_wrap=False)
    cli._text_table(frame, "t", console)
    out = buf.getvalue()
    for whole in ("community_resilience_total", "123456.789", "0.500", "0.000", "explanation"):
        assert whole in out, (whole, out)
    assert "…" not in out


def test_power_uses_a_population_model_with_values_and_fails_clearly(run, tmp_path):
    from resilience_stats.survey import example_population

    pop = example_population(NAME)
    assert "0.8*" in pop["population_model"] or "0.75*" in pop["population_model"]
    result = runner.invoke(app, ["power", "-i", NAME, "--n", "150", "--reps", "2", "-j", "1", "-f", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    loadings = table[(table["op"] == "=~")]
    assert (loadings["pop_value"] > 0.5).all() and (table["converged_share"] == 1).all()
    model = tmp_path / "nothing.lav"
    model.write_text("F =~ x1 + x2 + x3\nY ~ F\n", encoding="utf-8")
    line = one_error(run("power", "-m", model, "--n", "50", "--reps", "2", "-j", "1"), 1)
    assert "no loading or regression a value" in line
    never = run("power", "-i", NAME, "--n", "3", "--reps", "2", "-j", "1")
    line = one_error(never, 1)
    assert "none of the 2 replicates converged" in line


@pytest.mark.parametrize("module", ["resilience_stats.cli", "resilience_stats.workflow", "resilience_stats.power"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
