"""Every path bench/run.py measures (issue 24): the k2ecs command line of each, what it reads, what it
writes, and the exit status it should end with.

A path's input is the bundle, or what an earlier path wrote from it (``source``): ``--to k8s`` reads
k2ecs's own ``-o`` folder, its CloudFormation template and its stdout ECS JSON document, so those paths
run first and their last output is kept for the paths that read it. Terraform is not an input of
``--to k8s`` (k2ecs reads ECS payloads, describe output, its own folder and CloudFormation), so that
row says so instead of a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONVERT, COMPARE, PLAN = "convert", "compare", "plan"


@dataclass(frozen=True)
class BenchPath:
    name: str
    group: str  # CONVERT, COMPARE or PLAN: which goal applies
    args: tuple[str, ...]  # after `python -m converter`; {input}, {out}, {config} are filled in
    ok: tuple[int, ...]  # the exit statuses this path ends with on a good bundle
    source: str | None = None  # None: the bundle; else the name of the path whose output this one reads
    output: str = "stdout"  # what a later path may read: "stdout" (a file) or "out" (the -o folder)
    needs_aws: bool = False


PATHS: tuple[BenchPath, ...] = (
    BenchPath("convert (ECS JSON, stdout)", CONVERT, ("convert", "{input}", "--config", "{config}"), (0,)),
    BenchPath("convert -o (ECS JSON)", CONVERT, ("convert", "{input}", "--config", "{config}", "-o", "{out}"), (0,),
              output="out"),
    # exit 1 from about 1 MB: the template exceeds CloudFormation's quotas (a stack holds 500 resources and
    # 1 MB of template; K2E-E660 says so), and k2ecs still writes it, which is what is measured
    BenchPath("convert --format cloudformation", CONVERT,
              ("convert", "{input}", "--config", "{config}", "--format", "cloudformation"), (0, 1)),
    BenchPath("convert --format terraform -o", CONVERT,
              ("convert", "{input}", "--config", "{config}", "--format", "terraform", "-o", "{out}"), (0,),
              output="out"),
    BenchPath("--to k8s (from its -o folder)", CONVERT, ("convert", "{input}", "--to", "k8s"), (0,),
              source="convert -o (ECS JSON)"),
    BenchPath("--to k8s (from CloudFormation)", CONVERT, ("convert", "{input}", "--to", "k8s"), (0,),
              source="convert --format cloudformation"),
    BenchPath("--to k8s (from stdout ECS JSON)", CONVERT, ("convert", "{input}", "--to", "k8s"), (0,),
              source="convert (ECS JSON, stdout)"),
    BenchPath("compare (terminal)", COMPARE,
              ("compare", "{input}", "--config", "{config}", "--color", "never", "--no-pager"), (0,)),
    BenchPath("compare --markdown", COMPARE,
              ("compare", "{input}", "--config", "{config}", "--markdown", "{out}/compare.md"), (0,)),
    BenchPath("compare --html", COMPARE,
              ("compare", "{input}", "--config", "{config}", "--html", "{out}/compare.html"), (0,)),
    # exit 2: changes pending (an empty cluster on the moto server, so every workload is to create)
    BenchPath("plan (moto server)", PLAN, ("plan", "{input}", "--config", "{config}"), (2,), needs_aws=True),
)

NOT_MEASURED = (("--to k8s (from Terraform)",
                 "not an input format of --to k8s (k2ecs reads ECS payloads, describe output, its -o folder "
                 "and CloudFormation); not measured"),
                ("convert --format cloudformation", "exits 1 from about 1 MB (K2E-E660: the template exceeds "
                 "CloudFormation's quotas of 500 resources and 1 MB per stack); it still writes the template, "
                 "which is what is measured"))

BY_NAME = {path.name: path for path in PATHS}


def command(path: BenchPath, input_path: Path, out: Path, config: Path) -> list[str]:
    fill = {"input": str(input_path), "out": str(out), "config": str(config)}
    return [arg.format(**fill) for arg in path.args]


def input_files(path: Path) -> list[Path]:
    """The files the floor parses for this input: the file, or every .json/.yaml file of a folder (what
    k2ecs reads there)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".json", ".yaml", ".yml"))


def input_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in input_files(path))
