"""Benchmark k2ecs (issue 9): throughput on large bundles, start-up time and peak memory, against a floor.

Absolute times drift on shared machines, so every result is a ratio of times taken in this one run, in
this interpreter:

* floor: parsing the bundle with PyYAML's CSafeLoader (libyaml + PyYAML's constructor), nothing else;
* in-process: k2ecs's loader (line numbers kept), convert(), and the review, report and output rendering
  the CLI does, called as functions after a warm-up conversion (so start-up is not counted here), with
  the CLI's handling of the cyclic GC (paused while loading and converting, then frozen);
* CLI: ``python -m converter convert BUNDLE`` end to end in a child process (start-up included);
* start-up: the CLI on a one-workload file against bench/bare_typer.py, a Typer app that does nothing.

Peak memory is each child's own peak RSS, read by bench/peak.py from the kernel (VmHWM) as the child
exits: it counts everything the process touched, libyaml's and the interpreter's C allocations included,
and costs nothing while running. tracemalloc would see only Python allocations and slow the run 2-3x;
getrusage/os.wait4 in the parent would not do either, as on Linux ru_maxrss carries over through fork
and exec, so every child would report at least this (large) benchmark process's size.

Children run with the bytecode cache on (PYTHONPYCACHEPREFIX in a temporary folder, after warm-up runs),
as an installed tool would, even when PYTHONDONTWRITEBYTECODE is set here.

Usage: python bench/run.py [--sizes 100,1000,10000] [--startup-runs 21] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (str(BENCH), str(ROOT)):  # this checkout, as tests/conftest.py does
    if entry not in sys.path:
        sys.path.insert(0, entry)

import yaml  # noqa: E402

from generate import bundle  # noqa: E402

from converter.baseline import review  # noqa: E402
from converter.cli_common import _drained  # noqa: E402
from converter.convert import convert  # noqa: E402
from converter.loader import parse_text  # noqa: E402
from converter.output import stdout_document  # noqa: E402
from converter.report import build_report, render_text  # noqa: E402
from converter.settings import Settings  # noqa: E402

GOAL_END_TO_END = 2.0  # CLI convert of the largest bundle / CSafeLoader parse of it
GOAL_LINEAR = 11.0  # time for 10x the workloads / time for 1x
GOAL_STARTUP = 1.5  # `k2ecs convert one.yaml` / bare Typer app
GOAL_MEMORY = 5.0  # (peak RSS - one-workload peak RSS) / input bytes

FLOOR_CHILD = ("import sys, yaml\n"
               "with open(sys.argv[1], encoding='utf-8') as f:\n"
               "    docs = list(yaml.load_all(f.read(), Loader=yaml.CSafeLoader))\n")


# -- measuring -------------------------------------------------------------------------------------

def repeat(run: Callable[[], Any], min_total: float, max_runs: int) -> tuple[list[float], list[float], Any]:
    """Run until ``min_total`` seconds are spent or ``max_runs`` done; the wall and CPU times, and the last result."""
    times: list[float] = []
    cpu: list[float] = []
    result = None
    while not times or (sum(times) < min_total and len(times) < max_runs):
        result = None  # free the previous result before the next run
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, cpu, result


def floor_parse(text: str) -> int:
    return len(list(yaml.load_all(text, Loader=yaml.CSafeLoader)))


def in_process(text: str, name: str) -> dict[str, Any]:
    """What the CLI does after start-up (minus writing): load, convert, review, build and render the report,
    with the CLI's handling of the cyclic GC and of the documents (converter.cli_common.conversion)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        documents = parse_text(text, name)
        t1 = time.perf_counter()
        result = convert(_drained(documents), Settings(), release=True)
        t2 = time.perf_counter()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    try:
        report = build_report(review(result.findings, result.sources), result.sources, result.outputs)
        stdout_document(result.outputs)
        render_text(report)
        t3 = time.perf_counter()
    finally:
        gc.unfreeze()
    return {"load": t1 - t0, "convert": t2 - t1, "report": t3 - t2, "documents": len(documents),
            "outputs": len(result.outputs), "findings": len(result.findings),
            "unlocated": sum(1 for f in result.findings if f.line is None)}


def child_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_child(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,),
              peak: bool = False) -> tuple[float, int | None, float]:
    """Wall time of one child process, with ``peak`` its peak RSS in bytes (args[0] is the interpreter), and
    its CPU time (user + system, from wait4: unlike ru_maxrss, CPU times do not carry over through fork)."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as err, \
            open(os.devnull, "wb") as null:
        out = Path(scratch) / "peak"
        command = [args[0], str(BENCH / "peak.py"), str(out), *args[1:]] if peak else args
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=null, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = returncode = os.waitstatus_to_exitcode(status)
        if returncode not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"bench: {' '.join(command)} exited {returncode}:\n{tail}")
        return elapsed, int(out.read_text()) if peak else None, usage.ru_utime + usage.ru_stime


# -- reporting -------------------------------------------------------------------------------------

def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def machine() -> str:
    model = ""
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                model = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
            f"libyaml {yaml.__with_libyaml__}" + (f", {model}" if model else ""))


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "MET" if ok else "NOT MET"


# -- main ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="k2ecs benchmark (issue 9)")
    parser.add_argument("--sizes", default="100,1000,10000",
                        help="workload counts, comma-separated (each is a Deployment + Service + HPA)")
    parser.add_argument("--startup-runs", type=int, default=21, help="runs of each app for the start-up median")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the in-process conversion of the largest bundle and print the top entries")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs positive workload counts")

    print("# k2ecs benchmark")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print()

    with tempfile.TemporaryDirectory(prefix="k2ecs-bench-") as tmp:
        folder = Path(tmp)
        env = child_env(folder / "pycache")
        py = sys.executable
        one = folder / "one.yaml"
        one.write_text(bundle(1, args.seed), encoding="utf-8")
        cli = lambda path: [py, "-m", "converter", "convert", str(path), "--report-file",  # noqa: E731
                            str(folder / "report.txt")]
        bare = [py, str(BENCH / "bare_typer.py"), "convert", str(one)]

        # Warm-ups: the bytecode cache for the children, botocore models and regexes for this process.
        for _ in range(2):
            run_child(cli(one), env, ok=(0, 1))
            run_child(bare, env)
        in_process(one.read_text(encoding="utf-8"), str(one))

        # -- throughput ----------------------------------------------------------------------------
        results: dict[int, dict[str, Any]] = {}
        for size in sizes:
            path = folder / f"bundle-{size}.yaml"
            text = bundle(size, args.seed)
            path.write_text(text, encoding="utf-8")
            budget, runs = (1.0, 5) if size <= 1000 else (0.0, 1)
            floor_times, floor_cpu, documents = repeat(lambda: floor_parse(text), budget, runs)
            proc_times, proc_cpu, proc = repeat(lambda: in_process(text, str(path)), budget, runs)
            cli_times, cli_cpu, peaks = [], [], []
            while not cli_times or (sum(cli_times) < 2 * budget and len(cli_times) < 3):
                elapsed, peak, cpu = run_child(cli(path), env, ok=(0, 1), peak=True)
                cli_times.append(elapsed)
                cli_cpu.append(cpu)
                peaks.append(peak)
            _, floor_peak, _ = run_child([py, "-c", FLOOR_CHILD, str(path)], env, peak=True)
            results[size] = {
                "bytes": len(text.encode("utf-8")), "documents": documents,
                "floor": statistics.median(floor_times), "in_process": statistics.median(proc_times),
                "cli": statistics.median(cli_times), "cli_peak": max(peaks), "floor_peak": floor_peak,
                "stages": proc, "runs": (len(floor_times), len(proc_times), len(cli_times)),
                "cpu": {"floor": statistics.median(floor_cpu), "in_process": statistics.median(proc_cpu),
                        "cli": statistics.median(cli_cpu)},
            }
            print(f"  measured {size} workloads ({mb(results[size]['bytes'])} MB, runs floor/in-process/CLI "
                  f"{'/'.join(map(str, results[size]['runs']))})", file=sys.stderr, flush=True)

        # -- start-up ------------------------------------------------------------------------------
        startup: dict[str, list[float]] = {"k2ecs": [], "bare": [], "python": []}
        for round_ in range(args.startup_runs):
            order = [("k2ecs", cli(one)), ("bare", bare), ("python", [py, "-c", "pass"])]
            for name, command in order if round_ % 2 == 0 else reversed(order):
                startup[name].append(run_child(command, env, ok=(0, 1))[0])
        # Memory baselines (through bench/peak.py, so not part of the start-up times above).
        base = statistics.median(run_child(cli(one), env, ok=(0, 1), peak=True)[1] for _ in range(3))
        python_peak = run_child([py, "-c", "pass"], env, peak=True)[1]
        yaml_peak = run_child([py, "-c", "import yaml"], env, peak=True)[1]

        # -- report --------------------------------------------------------------------------------
        print("## Throughput (median seconds; x floor = time / CSafeLoader parse time of the same file)")
        rows = []
        for size, r in results.items():
            stages = r["stages"]
            for label, seconds in (("floor: CSafeLoader parse", r["floor"]),
                                   ("k2ecs load (lines kept)", stages["load"]),
                                   ("k2ecs convert()", stages["convert"]),
                                   ("k2ecs report + render", stages["report"]),
                                   ("k2ecs in-process total", r["in_process"]),
                                   ("k2ecs CLI end to end", r["cli"])):
                rows.append([str(size), mb(r["bytes"]), label, f"{seconds:.3f}", f"{r['bytes'] / seconds / 1e6:.2f}",
                             f"{size / seconds:,.0f}", f"{seconds / r['floor']:.2f}x"])
        print(table(["workloads", "input MB", "stage", "seconds", "MB/s", "workloads/s", "x floor"], rows))
        print("(load/convert/report are the stages of the last in-process run; the total is the median of runs)")
        print()
        for size, r in results.items():
            s = r["stages"]
            print(f"{size} workloads: {r['documents']} documents, {s['outputs']} workloads converted, "
                  f"{s['findings']} findings, findings without a line: {s['unlocated']}")
        print()

        # Wall times on a shared machine swing with the other processes' load; CPU times (user + system)
        # of the same runs swing much less, so they are printed as a cross-check of the ratios above.
        print("## CPU time (user + system seconds of the same runs; x floor = CPU time / floor CPU time)")
        rows = [[str(size), f"{r['cpu']['floor']:.3f}", f"{r['cpu']['in_process']:.3f}",
                 f"{r['cpu']['in_process'] / r['cpu']['floor']:.2f}x", f"{r['cpu']['cli']:.3f}",
                 f"{r['cpu']['cli'] / r['cpu']['floor']:.2f}x"] for size, r in results.items()]
        print(table(["workloads", "floor", "in-process", "x floor", "CLI", "x floor"], rows))
        print()

        print("## Scaling (time for 10x the workloads / time for 1x; linear is 10)")
        pairs = [(a, b) for a in sizes for b in sizes if b == 10 * a]
        scaling: dict[tuple[int, int], dict[str, float]] = {}
        if pairs:
            rows = []
            for a, b in pairs:
                scaling[(a, b)] = {key: results[b][key] / results[a][key] for key in ("floor", "in_process", "cli")}
                scaling[(a, b)]["cli_cpu"] = results[b]["cpu"]["cli"] / results[a]["cpu"]["cli"]
                rows.append([f"{a} -> {b}", *(f"{scaling[(a, b)][k]:.2f}x" for k in ("floor", "in_process", "cli", "cli_cpu"))])
            print(table(["workloads", "floor", "in-process", "CLI", "CLI (CPU time)"], rows))
        else:
            print("(no pair of sizes 10x apart)")
        print()

        print("## Peak memory (peak RSS of each child process: VmHWM, read by bench/peak.py at exit)")
        print(f"baselines: python -c pass {mb(python_peak)} MB, python -c 'import yaml' "
              f"{mb(yaml_peak)} MB, k2ecs convert one-workload file {mb(base)} MB")
        rows = []
        for size, r in results.items():
            over = r["cli_peak"] - base
            rows.append([str(size), mb(r["bytes"]), mb(r["floor_peak"]), f"{(r['floor_peak'] - yaml_peak) / r['bytes']:.1f}x",
                         mb(r["cli_peak"]), mb(over), f"{over / r['bytes']:.1f}x"])
        print(table(["workloads", "input MB", "floor peak MB", "floor above base / input", "CLI peak MB",
                     "CLI above base MB", "CLI above base / input"], rows))
        print()

        print(f"## Start-up (median of {args.startup_runs} runs each, interleaved; one-workload file)")
        medians = {name: statistics.median(times) for name, times in startup.items()}
        rows = [[label, f"{medians[name] * 1000:.0f}", f"{min(startup[name]) * 1000:.0f}",
                 f"{medians[name] / medians['bare']:.2f}x"]
                for name, label in (("python", "python -c pass"), ("bare", "bare Typer app (bench/bare_typer.py)"),
                                    ("k2ecs", "python -m converter convert one.yaml"))]
        print(table(["command", "median ms", "min ms", "x bare Typer"], rows))
        print()

        largest = results[sizes[-1]]
        e2e = largest["cli"] / largest["floor"]
        located = all(r["stages"]["unlocated"] == 0 for r in results.values())
        linear = [v["cli"] for v in scaling.values()]
        startup_ratio = medians["k2ecs"] / medians["bare"]
        memory = (largest["cli_peak"] - base) / largest["bytes"]
        print("## Goals")
        print(f"end to end <= {GOAL_END_TO_END}x floor ({sizes[-1]} workloads): CLI {e2e:.2f}x, in-process "
              f"{largest['in_process'] / largest['floor']:.2f}x (CPU time: CLI "
              f"{largest['cpu']['cli'] / largest['cpu']['floor']:.2f}x); every finding has a line: {located} -> "
              f"{verdict(e2e <= GOAL_END_TO_END and located)}")
        print(f"linear (10x workloads <= {GOAL_LINEAR}x time): "
              + (", ".join(f"{a}->{b} CLI {v['cli']:.2f}x" for (a, b), v in scaling.items()) or "-")
              + f" -> {verdict(all(v <= GOAL_LINEAR for v in linear) if linear else None)}")
        print(f"start-up <= {GOAL_STARTUP}x bare Typer: {startup_ratio:.2f}x -> {verdict(startup_ratio <= GOAL_STARTUP)}")
        print(f"peak memory <= {GOAL_MEMORY}x input above baseline ({sizes[-1]} workloads): {memory:.1f}x -> "
              f"{verdict(memory <= GOAL_MEMORY)}")

        if args.profile:
            path = folder / f"bundle-{sizes[-1]}.yaml"
            text = path.read_text(encoding="utf-8")
            profiler = cProfile.Profile()
            profiler.runcall(in_process, text, str(path))
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
                print()
                print(f"## Profile of the in-process conversion, {sizes[-1]} workloads, by {order}")
                print("\n".join(out.getvalue().strip().splitlines()[2:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
