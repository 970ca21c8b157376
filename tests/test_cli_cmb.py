"""The `cmb` subcommand: the verdict, json/csv outputs that parse, the marker from the raw table, exit codes."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import resilience_stats as rs
from resilience_stats.cli import app

runner = CliRunner()
NAME = "party_building_social_capital"


@pytest.fixture(scope="module")
def wave_file(tmp_path_factory):
    raw = rs.example_survey(NAME, n=200, seed=12)
    raw["weather"] = (np.arange(len(raw)) * 7 % 5) + 1       # a marker the instrument does not declare
    path = tmp_path_factory.mktemp("cli_cmb") / "wave.csv"
    raw.to_csv(path, index=False)
    return str(path)


def test_cmb_json_agrees_with_the_api(wave_file):
    result = runner.invoke(app, ["cmb", wave_file, "-i", NAME, "--marker", "weather", "-e", "ML", "--missing",
                                 "listwise", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wave = rs.read_survey(pd.read_csv(wave_file), NAME)
        api = rs.common_method_bias(wave, marker="weather", estimator="ML", missing="listwise")
    assert out["verdict"] == api.verdict and out["flags"] == api.flags
    assert out["r_m"] == pytest.approx(api.r_m)
    assert [r["comparison"] for r in out["comparisons"]] == ["single_factor_vs_measurement", "measurement_vs_ulmc"]
    assert out["harman"][0]["share"] == pytest.approx(api.harman.loc["pca", "share"])
    assert len(out["marker"]) == 21 and "index" not in out["marker"][0]


def test_cmb_text_and_csv(wave_file):
    text = runner.invoke(app, ["cmb", wave_file, "-i", NAME, "-e", "ML"])
    assert text.exit_code == 0, text.output
    assert text.stdout.lstrip().startswith("Harman: first unrotated factor explains")
    csv = runner.invoke(app, ["cmb", wave_file, "-i", NAME, "-e", "ML", "--format", "csv"])
    assert csv.exit_code == 0
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert list(frame["comparison"]) == ["single_factor_vs_measurement", "measurement_vs_ulmc"]
    quiet = runner.invoke(app, ["cmb", wave_file, "-i", NAME, "-e", "ML", "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == ""


@pytest.mark.parametrize("args,code,message", [
    (["-e", "WLSMV"], 2, "--estimator must be ML or MLR"),
    (["--method-loadings", "fixed"], 2, "--method-loadings must be equal or free"),
    (["--marker", "nope"], 1, "marker column 'nope' is not in the data"),
])
def test_cmb_errors(wave_file, args, code, message):
    result = runner.invoke(app, ["cmb", wave_file, "-i", NAME, *args])
    assert result.exit_code == code
    assert message in result.output


def test_cmb_help_has_an_example():
    result = runner.invoke(app, ["cmb", "--help"])
    assert result.exit_code == 0 and "resilience-stats cmb wave1.csv" in result.stdout
