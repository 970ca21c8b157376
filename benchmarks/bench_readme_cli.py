"""Benchmark of the README's `power` example as a user runs it (a new process: start-up, workers, progress bar).

Run:  python benchmarks/bench_readme_cli.py [--reps 100] [--quick]   (from the repository root)

Case: ``resilience-stats power -i party_building_social_capital --n 200,400,800 --reps 100 --out power.png``
(the README's line: the instrument's example population model, 29 items, 300 fits). Baseline in the
same run: ``rs.power`` on the same model in this process with ``n_jobs=1`` (no process start-up, no
parallelism). Prints seconds, the ratio (baseline / command; > 1 means the command is faster than one core in
a warm process) and whether the command stays under the README's promise of one minute.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import resilience_stats as rs  # noqa: E402

NAME = "party_building_social_capital"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="10 replicates per n")
    args = parser.parse_args()
    reps = 10 if args.quick else args.reps
    ns = "200,400,800"
    exe = Path(sys.executable).with_name("resilience-stats")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "resilience_stats.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run(cmd + ["power", "-i", NAME, "--n", ns, "--reps", str(reps), "--out", "power.png",
                                     "-q"], cwd=tmp, capture_output=True, text=True, env=dict(os.environ))
        command = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stderr)
            return 1
    population = rs.example_population(NAME)["population_model"]
    start = time.perf_counter()
    rs.power(population, n=[int(x) for x in ns.split(",")], reps=reps, n_jobs=1, seed=0)
    baseline = time.perf_counter() - start
    print(f"README power example, {reps} replicates x n = {ns} ({3 * reps} fits), {os.cpu_count()} cores")
    print(f"  resilience-stats power (new process, all cores): {command:7.1f} s")
    print(f"  rs.power in this process, n_jobs=1 (baseline):   {baseline:7.1f} s   ratio {baseline / command:5.2f}")
    print(f"  under one minute: {'yes' if command < 60 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
