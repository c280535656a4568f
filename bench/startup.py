"""Start-up of ``k2ecs convert`` against a bare Typer app (issue 9's goal: <= 1.5x), apart from bench/run.py.

Median of interleaved runs (wall time: start-up is short and mostly waits on imports) of
``python -m converter convert ONE``, one workload of bench/generate.py as issue 9 measured it, and of
bench/bare_typer.py, a Typer app of the same shape that does nothing. The children share bench/run.py's
warm bytecode cache.

Usage: python bench/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import bundle  # noqa: E402
from measure import child_env  # noqa: E402

GOAL_STARTUP = 1.5


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="k2ecs-startup-") as tmp:
        one = Path(tmp) / "one.yaml"
        one.write_text(bundle(1, 9), encoding="utf-8")
        env = child_env(Path(tempfile.gettempdir()) / f"k2ecs-bench-pycache-{os.getuid()}", None)
        py = sys.executable
        commands = {"python -c pass": [py, "-c", "pass"],
                    "bare Typer app": [py, str(BENCH / "bare_typer.py"), "convert", str(one)],
                    "k2ecs convert one workload": [py, "-m", "converter", "convert", str(one), "--report-file",
                                                   str(Path(tmp) / "report.txt")]}
        for command in commands.values():  # warm the bytecode cache
            wall(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for index in range(args.runs):
            order = list(commands.items())
            for name, command in order if index % 2 == 0 else reversed(order):
                times[name].append(wall(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name}: median {median * 1000:.0f} ms, min {min(times[name]) * 1000:.0f} ms")
    ratio = medians["k2ecs convert one workload"] / medians["bare Typer app"]
    print(f"start-up <= {GOAL_STARTUP}x bare Typer: {ratio:.2f}x -> {'MET' if ratio <= GOAL_STARTUP else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
