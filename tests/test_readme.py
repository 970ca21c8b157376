"""The README's quickstart runs as written, and its set-up commands are the ones CI and the Makefile use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_quickstart_runs_as_written(tmp_path):
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "README has no python quickstart"
    quickstart = blocks[0]
    assert len(quickstart.strip().splitlines()) <= 20
    script = tmp_path / "quickstart.py"
    script.write_text(quickstart, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "alpha" in done.stdout and "cfi" in done.stdout


def test_readme_commands_match_makefile_and_ci():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert re.search(r"^demo:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    assert "make test" in ci


def _cli_lines(text: str) -> list[str]:
    block = re.search(r"```bash\n(resilience-stats example.*?)```", text, flags=re.S).group(1)
    commands = []
    for line in block.splitlines():
        for part in line.split("#", 1)[0].split(";"):
            if part.strip().startswith("resilience-stats"):
                commands.append(part.strip())
    return commands


@pytest.mark.slow
def test_readme_command_line_examples_run_as_written(tmp_path):
    """Every README command of the example block, in a fresh folder (bootstrap counts made small)."""
    import os
    import shlex

    exe = Path(sys.executable).with_name("resilience-stats")
    mine = {"example", "validate", "describe", "reliability", "efa", "cfa", "sem", "invariance", "power", "report",
            "instruments"}
    lines = _cli_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert lines[0] == "resilience-stats example --out ."
    ran = 0
    for line in lines:
        args = shlex.split(line)[1:]
        if args[0] not in mine:
            continue
        args = ["20" if a == "1000" else a for a in args]
        if args[0] == "report":
            args += ["--bootstrap", "20"]
        done = subprocess.run([str(exe), *args], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "COLUMNS": "120"})
        assert done.returncode == 0, (line, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, line
        ran += 1
    assert ran >= 10 and (tmp_path / "power.png").exists() and (tmp_path / "reports" / "2025" / "report.docx").exists()
