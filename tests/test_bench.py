"""Smoke test of the benchmark (bench/run.py, issue 9): it runs end to end on a tiny bundle and prints its
sections. Speed is never asserted here; the numbers live in docs/PERFORMANCE.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_on_a_tiny_bundle_and_prints_every_section() -> None:
    # 10 workloads is about 1,500 mapping keys in one file: more than the loader once counted as aliases.
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "10", "--startup-runs", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for heading in ("# k2ecs benchmark", "## Throughput", "## Scaling", "## Peak memory", "## Start-up", "## Goals"):
        assert heading in out, f"{heading!r} missing from:\n{out}"
    for row in ("floor: CSafeLoader parse", "k2ecs CLI end to end", "bare Typer app",
                "findings without a line: 0"):
        assert row in out, f"{row!r} missing from:\n{out}"
