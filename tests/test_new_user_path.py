"""End to end, as the README tells a new user (real command-line calls in a temporary folder): a platform
export, an own questionnaire drafted from it, validate, CFA, SEM with bootstrap, invariance, report. No step
may end in a traceback; every message is an `error:` or `warning:` line. The report step (about 30 s) is marked
slow; the report itself is checked in process by test_report_print.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import resilience_stats as rs

BUNDLED = "party_building_social_capital"
MODEL = """
PBL =~ q1 + q2 + q3 + q4 + q5
NET =~ q6 + q7 + q8 + q9
NORM =~ q10 + q11 + q12 + q13
TRUST =~ q14 + q15 + q16 + q17
STAB =~ q18 + q19 + q20 + q21
REC =~ q22 + q23 + q24 + q25
ADP =~ q26 + q27 + q28 + q29
RES =~ STAB + REC + ADP
NET ~ a1*PBL
NORM ~ a2*PBL
TRUST ~ a3*PBL
RES ~ c*PBL + b1*NET + b2*NORM + b3*TRUST
ind_net := a1*b1
ind_norm := a2*b2
ind_trust := a3*b3
"""


def cli(*args, cwd):
    exe = Path(sys.executable).with_name("resilience-stats")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "resilience_stats.cli"]
    done = subprocess.run(cmd + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "120"})
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-3000:]
    for line in done.stderr.splitlines():
        assert not line.strip() or line.startswith(("warning: ", "error: ")), done.stderr
    return done


def _export(folder: Path, wave: int) -> Path:
    """A Wenjuanxing text export of one wave: 序号/提交答卷时间/所用时间, "k、(question)" headers, option texts."""
    inst = rs.load_instrument(BUNDLED)
    raw = rs.example_survey(inst, n=160, seed=40 + wave, waves=1, as_text=True, missing_rate=0.01)
    texts = inst.items.set_index("id")["text_zh"]
    out = pd.DataFrame({"序号": range(1, len(raw) + 1), "提交答卷时间": "2025/5/1 10:00:00",
                        "所用时间": raw["duration"], "来源": "手机提交"})
    for k, item in enumerate(inst.item_ids, start=1):
        out[f"{k}、({texts[item]})"] = raw[item]
    out.iloc[0, 5] = "很同意"  # another wording of 非常同意
    path = folder / f"export_w{wave}.xlsx"
    out.to_excel(path, index=False)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A new user's folder: two platform exports, and an own questionnaire drafted
    from them with `instruments init` and then edited (constructs, reverse-keyed items), plus a model file."""
    folder = tmp_path_factory.mktemp("new_user")  # (--version and `example` are checked in test_cli_usage)
    exports = [_export(folder, 1), _export(folder, 2)]
    done = cli("instruments", "init", *exports, "--id", "my_survey", "--out", "my_survey.yaml", cwd=folder)
    assert done.returncode == 0, done.stderr
    spec = yaml.safe_load((folder / "my_survey.yaml").read_text(encoding="utf-8"))
    bundled = rs.load_instrument(BUNDLED)
    by_text = {bundled.item_text(i, "zh"): i for i in bundled.item_ids}
    spec["constructs"] = [{"id": c.id, "name": {"zh": c.name.zh}, "role": c.role,
                           **({"parent": c.parent} if c.parent else {})} for c in bundled.spec.constructs]
    for item in spec["items"]:
        source = by_text[item["text_zh"]]
        item["construct"] = bundled.construct_of(source)
        item["reverse"] = source in bundled.reverse_items
    (folder / "my_survey.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    assert "text_en" not in (folder / "my_survey.yaml").read_text(encoding="utf-8")  # Chinese only
    (folder / "model.lav").write_text(MODEL, encoding="utf-8")
    return folder


EXPORTS = ("export_w1.xlsx", "export_w2.xlsx")


def test_own_questionnaire_validate_cfa_sem_invariance(folder):
    # validate: every recode listed, no error
    done = cli("validate", EXPORTS[1], "-i", "my_survey.yaml", "-f", "json", cwd=folder)
    assert done.returncode == 0, done.stdout[-3000:]
    checks = {r["check"] for r in json.loads(done.stdout)}
    assert {"option_alias", "missing_text"} <= checks

    done = cli("cfa", EXPORTS[0], "-i", "my_survey.yaml", "-f", "json", cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    fit = json.loads(done.stdout)["fit"][0]
    assert fit["n"] == 160 and fit["estimator"] == "MLR" and 0.9 < fit["cfi"] <= 1

    done = cli("sem", EXPORTS[0], "-i", "my_survey.yaml", "-m", "model.lav", "--bootstrap", "20", "-j", "1",
               "-f", "json", cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    est = pd.DataFrame(json.loads(done.stdout)["estimates"])
    defined = est[est["op"] == ":="]
    assert list(defined["lhs"]) == ["ind_net", "ind_norm", "ind_trust"]
    assert (defined["ci_lower"] < defined["est"]).all() and (defined["est"] < defined["ci_upper"]).all()

    done = cli("invariance", *EXPORTS, "-i", "my_survey.yaml", "-g", "wave", "-f", "json", cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    table = pd.DataFrame(json.loads(done.stdout)["invariance"])
    assert set(table["missing"]) == {"fiml"} and set(table["n"]) == {320}


@pytest.mark.slow
def test_own_questionnaire_report(folder):
    done = cli("report", *EXPORTS, "-i", "my_survey.yaml", "-m", "model.lav", "--out", "rep", "--bootstrap", "10",
               "-j", "1", "--lang", "zh", cwd=folder)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    html = (folder / "rep" / "report.html").read_text(encoding="utf-8")
    assert "间接效应：基层党建引领 → 关系网络 → 社区韧性" in html and "选项别名编码" in html
    assert (folder / "rep" / "report.docx").stat().st_size > 10000
    assert not list((folder / "rep").glob(".*.tmp"))
