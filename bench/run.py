"""Benchmark every k2ecs path against a fair floor, in one command (issue 24).

Bundles: bench/apps.py, applications in the shapes of real ones (Helm labels and selectors, services that
call each other, ConfigMaps, Secrets, HPAs, probes, sidecars, init containers), repeated as releases up to
about 100 KB, 1 MB and 10 MB. Paths: bench/paths.py (convert to ECS JSON on stdout and with -o,
CloudFormation, Terraform, --to k8s from each ECS input format k2ecs reads, compare in three formats,
plan against a local moto server).

Every number is a ratio of CPU times taken in this run, on this machine:

* floor: the same input parsed by PyYAML's CSafeLoader (libyaml) in one process, with the cyclic GC off,
  as k2ecs turns it off while it loads and converts;
* pairs: each measured run of a path is paired with a floor run, alternately floor first and path first,
  and the path's ratio is the median over pairs of path CPU / floor CPU. A path whose first run takes
  more than --long-run CPU seconds gets one pair at that size;
* scaling: CPU time at the largest size / CPU time at the one before, against the input ratio (the
  exponent is log(time ratio) / log(input ratio); linear is 1);
* memory: the path's peak RSS above its own peak on one repeat of the applications, as a multiple of the
  input bytes.

Verdicts come from CPU time (user + system of the child), not wall time: wall time on a shared machine
counts the other processes. Both are printed.

Usage: python bench/run.py [--quick] [--sizes 100k,1m,10m] [--pairs 3] [--paths compare,terraform] [--profile PATH-NAME]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (str(BENCH), str(ROOT)):  # this checkout, as tests/conftest.py does
    if entry not in sys.path:
        sys.path.insert(0, entry)

import apps  # noqa: E402
import paths as bench_paths  # noqa: E402
from measure import LocalAws, Run, child_env, floor_args, run_child  # noqa: E402
from paths import COMPARE, CONVERT, PATHS, BenchPath, command, input_bytes, input_files  # noqa: E402

GOAL_SPEED = {CONVERT: 2.0, COMPARE: 3.0}  # x floor, CPU time, at the largest size (10 MB)
GOAL_LINEAR = 1.1  # time ratio <= 1.1 x input ratio: 10x the input <= 11x the time
GOAL_MEMORY = 5.0  # peak RSS above the path's one-release peak, per input byte


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1000, "m": 1000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale != 1 else text) * scale)


def label(size: int) -> str:
    return f"{size / 1e6:g} MB" if size >= 1000_000 else f"{size / 1e3:g} KB"


def machine() -> str:
    model = ""
    try:
        model = next((row.split(":", 1)[1].strip() for row in Path("/proc/cpuinfo").read_text().splitlines()
                      if row.startswith("model name")), "")
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"python {platform.python_version()} ({platform.python_implementation()}), {platform.system()} "
            f"{platform.machine()}, nproc {os.cpu_count()}, {model or 'CPU model unknown'}; load average {load}")


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


class Bench:
    def __init__(self, folder: Path, env: dict[str, str], timeout: float) -> None:
        self.folder, self.env, self.timeout = folder, env, timeout
        self.kept: dict[tuple[str, str], Path] = {}  # (path name, size key) -> the output a later path reads

    def run_path(self, path: BenchPath, key: str, bundle: Path, config: Path, attempt: int) -> tuple[Run, Path]:
        """One run of ``path`` on the bundle (or on what its source path wrote), keeping its output."""
        source = bundle if path.source is None else self.kept[(path.source, key)]
        out = self.folder / "runs" / key / f"{PATHS.index(path):02d}-{attempt}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        stdout = out / "stdout"
        run = run_child(command(path, source, out / "out" if path.output == "out" else out, config),
                        self.env, self.folder, stdout, path.ok, self.timeout)
        self.kept[(path.name, key)] = out / "out" if path.output == "out" else stdout
        return run, source

    def floor(self, source: Path) -> Run:
        return run_child(floor_args(input_files(source)), self.env, self.folder, None, (0,), self.timeout)


def matching_paths(parts: list[str]) -> list[BenchPath]:
    """The paths, in table order, whose name contains one of ``parts`` (case-insensitive); the run stops with the
    list of names when none does."""
    wanted = [part.strip().lower() for part in parts if part.strip()]
    matches = [path for path in PATHS if any(part in path.name.lower() for part in wanted)]
    if not matches:
        raise SystemExit(f"bench: no path matches {parts!r}; paths: {', '.join(p.name for p in PATHS)}")
    return matches


def sources_of(path: BenchPath) -> list[BenchPath]:
    """The paths whose output ``path`` reads, the first one to run first."""
    chain, current = [], path
    while current.source is not None:
        current = bench_paths.BY_NAME[current.source]
        chain.insert(0, current)
    return chain


def selected_paths(parts: str | None) -> set[str]:
    """The names of the paths whose name contains one of the comma-separated parts, and of the paths whose output
    they read (all paths when ``parts`` is None)."""
    if parts is None:
        return {path.name for path in PATHS}
    return {chosen.name for path in matching_paths(parts.split(",")) for chosen in (*sources_of(path), path)}


def measure_size(bench: Bench, size: int, bundle: Path, config: Path, pairs: int, long_run: float,
                 skip: set[str], quiet: bool = False, only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    key = str(size)
    results: dict[str, dict[str, Any]] = {}
    for path in PATHS:
        if only is not None and path.name not in only:
            results[path.name] = {"failed": "not selected (--paths)"}
            continue
        if path.name in skip or (path.source is not None and results.get(path.source, {}).get("failed")):
            results[path.name] = {"failed": "not run (" + ("failed at a smaller size" if path.name in skip
                                                           else "its input path failed") + ")"}
            skip.add(path.name)
            continue
        runs: list[Run] = []
        floors: list[Run] = []
        failed = ""
        source = bundle if path.source is None else bench.kept[(path.source, key)]
        for index in range(pairs):
            if index % 2 == 0:  # alternately floor first and path first
                floors.append(bench.floor(source))
            run, _ = bench.run_path(path, key, bundle, config, index)
            if index % 2 == 1:
                floors.append(bench.floor(source))
            if run.status not in path.ok:
                failed = "timeout" if run.status is None else f"exit {run.status}: {run.error}"
                break
            runs.append(run)
            if index == 0 and run.cpu > long_run:
                break
        if failed:
            skip.add(path.name)
            results[path.name] = {"failed": failed, "cpu_seconds": run.cpu}
        else:
            results[path.name] = {
                "ratio": statistics.median(r.cpu / f.cpu for r, f in zip(runs, floors)),
                "wall_ratio": statistics.median(r.wall / f.wall for r, f in zip(runs, floors)),
                "cpu": statistics.median(r.cpu for r in runs), "wall": statistics.median(r.wall for r in runs),
                "floor_cpu": statistics.median(f.cpu for f in floors), "peak": max(r.peak or 0 for r in runs),
                "floor_peak": max(f.peak or 0 for f in floors), "pairs": len(runs),
                "bytes": input_bytes(source)}
        if not quiet:
            print(f"  {label(size)}: {path.name}: "
                  + (results[path.name].get("failed") or f"{results[path.name]['ratio']:.2f}x, "
                     f"{results[path.name]['cpu']:.1f} s CPU, {results[path.name]['pairs']} pair(s)"),
                  file=sys.stderr, flush=True)
    return results


def report(sizes: list[int], results: dict[int, dict[str, dict[str, Any]]], baseline: dict[str, int]) -> str:
    measured = [size for size in sizes if size in results]
    largest = measured[-1]
    at = "" if largest >= 10_000_000 else f" at {label(largest)}"
    headers = ["path", *(f"x floor {label(s)}" for s in measured), f"CPU s {label(largest)} (floor)",
               f"wall x floor {label(largest)}", "time / input ratio (exponent)", f"memory / input{at}",
               f"goals{at}: speed / linear / memory"]
    rows = []
    for path in PATHS:
        cells = [path.name]
        for size in measured:
            r = results[size][path.name]
            cells.append(r["failed"] if "failed" in r
                         else f"{r['ratio']:.2f}x" + ("" if r["pairs"] > 1 else " (1 pair)"))
        big = results[largest][path.name]
        if "failed" in big:
            rows.append(cells + ["-"] * (len(headers) - len(cells)))
            continue
        cells += [f"{big['cpu']:.2f} ({big['floor_cpu']:.2f})", f"{big['wall_ratio']:.2f}x"]
        linear_ok = None
        if len(measured) > 1 and "failed" not in results[measured[-2]][path.name]:
            small = results[measured[-2]][path.name]
            time_ratio, input_ratio = big["cpu"] / small["cpu"], big["bytes"] / small["bytes"]
            linear_ok = time_ratio <= GOAL_LINEAR * input_ratio
            cells.append(f"{time_ratio:.1f}x / {input_ratio:.1f}x ({math.log(time_ratio) / math.log(input_ratio):.2f})")
        else:
            cells.append("-")
        memory = (big["peak"] - baseline[path.name]) / big["bytes"]
        goal = GOAL_SPEED.get(path.group)
        verdicts = ["-" if goal is None else f"{verdict(big['ratio'] <= goal)} (<= {goal}x)",
                    "-" if linear_ok is None else verdict(linear_ok), verdict(memory <= GOAL_MEMORY)]
        rows.append(cells + [f"{memory:.1f}x", " / ".join(verdicts)])
    notes = [f"{name}: {why}" for name, why in bench_paths.NOT_MEASURED]
    floor = results[largest][PATHS[0].name]
    if "floor_peak" in floor:
        notes.append(f"floor peak RSS at {label(largest)}: {floor['floor_peak'] / 1e6:.0f} MB "
                     f"(the bundle: {floor['bytes'] / 1e6:.1f} MB)")
    return table(headers, rows) + "\n\n" + "\n".join(notes)


def config_of(bundle: Path) -> Path:
    return bundle.with_suffix(".k2ecs.yaml")


def write_bundle(bundle: Path, size: int, aws: LocalAws) -> Path:
    """The bundle, and beside it the k2ecs.yaml that fills its placeholders (so plan runs, and convert writes
    none), each bundle its own: the config is read by every run and should grow with the bundle."""
    text = apps.bundle(size)
    bundle.write_text(text, encoding="utf-8")
    config_of(bundle).write_text(apps.plan_config(text, "bench", aws.subnet, aws.security_group), encoding="utf-8")
    return bundle


def profile(bench: Bench, name: str, size: int, bundle: Path, aws: LocalAws | None) -> str:
    """cProfile of one path run in this process (the CLI's own main()), on the bundle of ``size``."""
    import cProfile
    import io
    import pstats

    path = matching_paths([name])[0]  # the whole name: some names hold a comma
    key = f"profile-{size}"
    for earlier in sources_of(path):  # the paths whose output this one reads, run as children first
        bench.run_path(earlier, key, bundle, config_of(bundle), 0)
    source = bundle if path.source is None else bench.kept[(path.source, key)]
    out = bench.folder / "runs" / key / "profiled"
    out.mkdir(parents=True, exist_ok=True)
    argv = command(path, source, out / "out" if path.output == "out" else out, config_of(bundle))
    from converter import cli

    saved = sys.argv, sys.stdout, dict(os.environ), os.getcwd()
    os.environ.update({k: v for k, v in bench.env.items() if k.startswith("AWS_")})
    sys.argv = ["k2ecs", *argv]
    profiler = cProfile.Profile()
    status: Any = 0
    try:
        os.chdir(bench.folder)
        with open(out / "stdout", "w", encoding="utf-8") as sys.stdout:
            try:
                profiler.runcall(cli.main)
            except SystemExit as stop:
                status = stop.code
    finally:
        sys.argv, sys.stdout = saved[0], saved[1]
        os.environ.clear()
        os.environ.update(saved[2])
        os.chdir(saved[3])
    text = [f"## Profile: {path.name}, {label(size)}, in-process (exit {status})"]
    for order, count in (("tottime", 25), ("cumulative", 45)):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(count)
        text += [f"### by {order}", "\n".join(buffer.getvalue().strip().splitlines()[2:])]
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="k2ecs benchmark: every path against a CSafeLoader floor")
    parser.add_argument("--sizes", default="100k,1m,10m", help="bundle sizes in bytes (k, m suffixes)")
    parser.add_argument("--quick", action="store_true", help="100 KB and 1 MB, one pair")
    parser.add_argument("--pairs", type=int, default=3, help="paired runs (floor, path) per path and size")
    parser.add_argument("--long-run", type=float, default=30.0,
                        help="a path whose first run takes more CPU seconds than this gets one pair at that size")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is stopped")
    parser.add_argument("--profile", metavar="PATH", help="cProfile one path (a part of its name) in-process")
    parser.add_argument("--profile-size", help="the bundle size to profile (default: the largest)")
    parser.add_argument("--warm-runs", type=int, default=2,
                        help="runs of every path on one repeat of the applications before measuring (the last "
                             "is the memory baseline; 0: none, the smallest size is the baseline)")
    parser.add_argument("--no-table", action="store_true", help="with --profile: only the profile")
    parser.add_argument("--paths", help="measure only the paths whose name contains one of these comma-separated "
                                        "parts (and the paths whose output they read)")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in ("100k,1m" if args.quick else args.sizes).split(",") if s.strip()]
    pairs = 1 if args.quick else args.pairs
    if not sizes or min(sizes) < 1 or pairs < 1 or args.warm_runs < 0:
        parser.error("--sizes needs positive sizes, --pairs at least 1")
    sizes = sorted(set(sizes))
    only = selected_paths(args.paths)

    print("# k2ecs benchmark (bench/run.py)")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="k2ecs-bench-") as tmp:
        folder = Path(tmp)
        aws = LocalAws()
        try:
            # The children's bytecode cache outlives the run (Python checks each entry against its source), so
            # only a first run compiles k2ecs and its dependencies; the warm-up runs cover that case.
            cache = Path(tempfile.gettempdir()) / f"k2ecs-bench-pycache-{os.getuid()}"
            env = child_env(cache, aws.endpoint)
            aws.prepare(env)
            bench = Bench(folder, env, args.timeout)
            one = folder / "one-release.yaml"
            write_bundle(one, 1, aws)
            bundles = {size: write_bundle(folder / f"bundle-{size}.yaml", size, aws) for size in sizes}
            print("bundles: " + ", ".join(f"{label(s)}: {b.stat().st_size:,} bytes, "
                                          f"{len(apps.releases(b.read_text(encoding='utf-8')))} Helm releases"
                                          for s, b in bundles.items())
                  + f"; pairs {pairs} (one when a run takes over {args.long_run:g} s CPU)")
            print()
            if not (args.profile and args.no_table):
                # Warm-up on one repeat of the applications, twice: the first fills the bytecode cache
                # (compiling costs memory too), the last gives each path's own memory baseline.
                baseline: dict[str, int] = {}
                for _ in range(args.warm_runs):
                    warm = measure_size(bench, 0, one, config_of(one), 1, 0.0, set(), quiet=True, only=only)
                    broken = {name: r["failed"] for name, r in warm.items() if "failed" in r and name in only}
                    if broken:
                        raise SystemExit(f"bench: on one repeat of the applications: {broken}")
                    baseline = {name: r["peak"] for name, r in warm.items() if "peak" in r}
                results: dict[int, dict[str, dict[str, Any]]] = {}
                skip: set[str] = set()
                for size in sizes:
                    results[size] = measure_size(bench, size, bundles[size], config_of(bundles[size]), pairs,
                                                 args.long_run, skip, only=only)
                    if not baseline:  # --warm-runs 0 (the smoke test): the smallest size is its own baseline
                        baseline = {name: r.get("peak", 0) for name, r in results[size].items()}
                    print(f"## CPU time x floor, up to {label(size)}\n{report(sizes, results, baseline)}\n",
                          file=sys.stderr, flush=True)
                print(f"## CPU time x floor (median of paired runs); load average at the end "
                      f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
                print(report(sizes, results, baseline))
            if args.profile:
                size = parse_size(args.profile_size) if args.profile_size else sizes[-1]
                bundle = bundles.get(size) or write_bundle(folder / f"bundle-{size}.yaml", size, aws)
                print()
                print(profile(bench, args.profile, size, bundle, aws))
        finally:
            aws.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
