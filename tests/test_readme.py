"""The README's quickstart runs as written, and its set-up commands are the ones CI and the Makefile use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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
