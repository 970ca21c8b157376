"""`resilience-stats validate`: exit codes 0/1/2 and the text, json and csv outputs."""

from __future__ import annotations

import io
import json

import pandas as pd
from typer.testing import CliRunner

import resilience_stats as rs
from resilience_stats.cli import app

runner = CliRunner()
NAME = "collaborative_resilience"


def _survey(tmp_path, bad=False):
    df = rs.example_survey(NAME, n=60, seed=4)
    if bad:
        df.loc[2, "reso1"] = 7
    path = tmp_path / "wave.csv"
    df.to_csv(path, index=False, encoding="gbk")
    return path


def test_clean_file_exits_0(tmp_path):
    result = runner.invoke(app, ["validate", str(_survey(tmp_path)), "--instrument", NAME])
    assert result.exit_code == 0, result.output
    assert "60 rows" in result.output


def test_errors_exit_1_and_json_lists_them(tmp_path):
    path = _survey(tmp_path, bad=True)
    result = runner.invoke(app, ["validate", str(path), "-i", NAME, "--format", "json"])
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    out_of_range = [r for r in records if r["check"] == "out_of_range"]
    assert out_of_range and out_of_range[0]["item"] == "reso1" and out_of_range[0]["rows"] == ["R0003"]
    csv = runner.invoke(app, ["validate", str(path), "-i", NAME, "--format", "csv"])
    table = pd.read_csv(io.StringIO(csv.stdout))
    assert {"severity", "check", "item", "rows", "count", "message"} <= set(table.columns)


def test_bad_invocations_exit_2(tmp_path):
    path = _survey(tmp_path)
    assert runner.invoke(app, ["validate", str(path), "-i", "no_such_instrument"]).exit_code == 2
    assert runner.invoke(app, ["validate", str(path), "-i", NAME, "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 2  # --instrument missing


def test_unreadable_file_exits_1_with_one_message(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02\xff" * 50)
    result = runner.invoke(app, ["validate", str(junk), "-i", NAME])
    assert result.exit_code == 1
    assert "junk.csv" in result.output and "Traceback" not in result.output
