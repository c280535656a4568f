"""What every k2ecs command shares: option types declared once and the settings loading (converter.guard is the one
place errors are caught).

Command modules import this; it imports nothing heavy at module level, so start-up stays cheap: `k2ecs --help`
imports only the CLI, this module and the command modules (tests/test_startup.py; bench/run.py times it). The
imports marked "lazy: start-up" are made by the function that needs them, when a command runs it.
"""

from __future__ import annotations

import gc
import io
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, fields
from enum import Enum
from typing import Annotated, Any, Iterator, List, Optional

import typer
import typer.core

from converter.console import is_terminal, use_color
from converter.core.errors import K2ecsError, UsageError


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"


class MinSeverity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class LaunchType(str, Enum):
    FARGATE = "FARGATE"
    EC2 = "EC2"


class Sizing(str, Enum):
    recommended = "recommended"
    requests = "requests"
    limits = "limits"


# Settings options shared by every command that converts: declared once so flags and help cannot drift.
ConfigOption = Annotated[Optional[str], typer.Option("--config", metavar="FILE",
                                                     help="k2ecs.yaml with the settings the manifests do not carry "
                                                          "(default: ./k2ecs.yaml when it exists).")]
ClusterOption = Annotated[Optional[str], typer.Option(metavar="NAME", help="ECS cluster name.")]
RegionOption = Annotated[Optional[str], typer.Option(metavar="REGION", help="AWS region (for awslogs).")]
LaunchTypeOption = Annotated[Optional[LaunchType], typer.Option("--launch-type", metavar="FARGATE|EC2",
                                                                help="Launch type (default FARGATE).")]
SubnetsOption = Annotated[Optional[List[str]], typer.Option("--subnets", metavar="SUBNET_ID[,...]",
                                                            help="Subnet IDs (comma-separated or repeated).")]
SecurityGroupsOption = Annotated[Optional[List[str]], typer.Option("--security-groups", metavar="SG_ID[,...]",
                                                                   help="Security group IDs (comma-separated or repeated).")]
PublicIpOption = Annotated[Optional[bool], typer.Option("--assign-public-ip/--no-assign-public-ip",
                                                        help="awsvpc assignPublicIp (default: no).")]
ExecutionRoleOption = Annotated[Optional[str], typer.Option("--execution-role-arn", metavar="ARN",
                                                            help="Task execution role ARN.")]
ServiceConnectOption = Annotated[Optional[str], typer.Option("--service-connect-namespace", metavar="NAMESPACE",
                                                             help="Cloud Map namespace for Service Connect.")]
SizingOption = Annotated[Optional[Sizing], typer.Option(metavar="recommended|requests|limits", help="Size tasks from requests, limits, or the recommended mix.")]


def split_values(values: Optional[List[str]]) -> Optional[tuple[str, ...]]:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class SettingsFlags:
    """The settings flags of a command that converts, gathered once: passed, merged and checked as one piece."""

    config: Optional[str] = None
    cluster: Optional[str] = None
    region: Optional[str] = None
    launch_type: Optional[LaunchType] = None
    subnets: Optional[List[str]] = None
    security_groups: Optional[List[str]] = None
    assign_public_ip: Optional[bool] = None
    execution_role_arn: Optional[str] = None
    service_connect_namespace: Optional[str] = None
    sizing: Optional[Sizing] = None
    discover_config: bool = True  # False: no ./k2ecs.yaml without --config (k2ecs init)

    def given(self) -> list[str]:
        """The flags set on the command line, as the user wrote them."""
        return [_FLAG_NAMES.get(item.name, "--" + item.name.replace("_", "-"))
                for item in fields(self) if item.name != "discover_config" and getattr(self, item.name) is not None]

    def settings(self):
        """The config file merged with the flags, flags first. Without --config, ./k2ecs.yaml is the config
        when it exists. Flags are checked against the config schema, exactly as the same values in the file."""
        from converter.load.config import check_flags, load_config  # lazy: start-up (module docstring)

        values = {
            "cluster": self.cluster, "region": self.region,
            "launch_type": None if self.launch_type is None else self.launch_type.value,
            "subnets": split_values(self.subnets), "security_groups": split_values(self.security_groups),
            "assign_public_ip": self.assign_public_ip, "execution_role_arn": self.execution_role_arn,
            "service_connect_namespace": self.service_connect_namespace,
            "sizing": None if self.sizing is None else self.sizing.value,
        }
        check_flags({_FLAG_NAMES.get(key, "--" + key.replace("_", "-")): value for key, value in values.items()})
        return load_config(self.config_path()).merged(values)

    def config_path(self) -> Optional[str]:
        """--config, else ./k2ecs.yaml when it exists (and discovery is on), else None."""
        from converter.load.config import DEFAULT_CONFIG  # lazy: start-up (module docstring)

        if self.config is None and self.discover_config and os.path.isfile(DEFAULT_CONFIG):
            return DEFAULT_CONFIG
        return self.config


_FLAG_NAMES = {"assign_public_ip": "--assign-public-ip/--no-assign-public-ip"}


def refuse_settings_for_ecs_input(flags: SettingsFlags, when: str) -> None:
    """Settings shape the ECS side only: with ECS input they would apply to nothing, and accepting them
    would let a user believe they applied, so they are a usage error (convert --to k8s, compare)."""
    given = flags.given()
    if given:
        one = len(given) == 1
        raise UsageError(f"{', '.join(given)} {'shapes' if one else 'shape'} the ECS output and "
                         f"{'does' if one else 'do'} not apply {when}")


ExcludeOption = Annotated[Optional[List[str]], typer.Option(
    "--exclude", metavar="GLOB", help="Skip files and folders whose path below an input folder, or whose name, matches this glob (repeatable).")]


def conversion(paths, flags: SettingsFlags, exclude: Optional[List[str]] = None):
    """Load the settings and the manifests, and convert (shared by convert, baseline, plan and apply).
    Each document is read on its own (converter.load.inputs): one that is broken is a finding, not the run's end."""
    from converter.pipeline.convert import convert as run_conversion  # lazy: start-up (module docstring)
    from converter.load.inputs import load_inputs

    settings = flags.settings()
    with built_without_gc():
        return run_conversion(_drained(load_inputs(paths, tuple(exclude or ()))), settings, release=True)


@contextmanager
def built_without_gc() -> Iterator[None]:
    """The cyclic GC paused while the block builds what lives to the end of the command, which is then frozen
    out of its sight. The documents, and everything a conversion, compare or a rendering builds from them, are
    millions of small objects that live to the end of the run and hold no reference cycles (tests/test_bench.py
    and tests/test_reverse_cost.py check that no cyclic garbage is left). The GC scanning them again and again
    was a quarter of a large convert and grew faster than the input; 8.6 of 31.6 CPU seconds of `--to k8s` on
    a 16 MB CloudFormation template; about a fifth of compare and 1 s of 12 of the IaC renderings at 10 MB
    (docs/PERFORMANCE.md, issue 24). Reference counting still frees them, and guarded() unfreezes them at the
    end of the command, for callers that run the CLI in-process."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def streamed_conversion(paths, flags: SettingsFlags, sink, exclude: Optional[List[str]] = None):
    """conversion(), with each workload's output handed to ``sink`` as soon as it is validated rather than
    kept, and each workload of a large file parsed only when the conversion reaches it (converter.pipeline.deferred).
    The outputs of the result are then only what the report needs of them (name, resource, scaling)."""
    from converter.pipeline.convert import convert as run_conversion  # lazy: start-up (module docstring)
    from converter.pipeline.deferred import SourceText
    from converter.load.inputs import load_inputs
    from converter.load.source_files import read_source

    settings = flags.settings()
    opened: dict[str, SourceText] = {}  # path -> its SourceText, each input read once (stdin can be read only once)
    unreadable: dict[str, K2ecsError] = {}  # path -> why it could not be read

    def source(path: str) -> SourceText:
        try:
            opened[path] = SourceText.read(path)
        except K2ecsError as err:
            unreadable[path] = err
            raise
        return opened[path]

    def text_of(path: str) -> tuple[str, str]:
        if path in unreadable:
            raise unreadable[path]  # not read again: stdin, once read, would now be empty
        found = opened.get(path)
        return read_source(path) if found is None else (found.name, found.whole())

    def again() -> Iterator:
        return _drained(load_inputs(paths, tuple(exclude or ()), read=text_of))

    with built_without_gc():
        try:
            entries = load_inputs(paths, tuple(exclude or ()), source=source)
            return run_conversion(_drained(entries), settings, release=True, sink=sink, again=again)
        finally:
            for found in opened.values():
                found.close()


def kept_conversion(paths, flags: SettingsFlags, exclude: Optional[List[str]] = None):
    """conversion(), read as streamed_conversion() reads (each workload of a large file parsed when the conversion
    reaches it, not the whole input parsed at once), with the outputs kept for a caller that reads their payloads
    (plan and apply) but not the text of their task definitions, which only the writers use (issue 24: plan's
    peak memory at 10 MB was every document parsed at once and 3,120 such texts)."""
    sink = _KeptOutputs()
    result = streamed_conversion(paths, flags, sink, exclude)
    result.outputs = [sink.kept[position] for position in sorted(sink.kept)]
    return result


class _KeptOutputs:
    """The sink (converter.pipeline.convert.Sink) of kept_conversion(): each output's payloads kept as bytes
    (converter.pipeline.packed), read again as the outputs' own attributes."""

    def __init__(self) -> None:
        self.kept: dict[int, Any] = {}

    def put(self, position: int, output: Any) -> None:
        from converter.pipeline.packed import PackedOutput  # lazy: start-up (module docstring)

        self.kept[position] = PackedOutput(output)

    def reset(self) -> None:
        self.kept.clear()


def _drained(items: list) -> Iterator:
    """The items in order, each dropped from ``items`` as it is handed out (so it can be freed once used)."""
    items.reverse()
    while items:
        yield items.pop()


def with_report_file(report_file: Optional[str], run) -> int:
    """``run(target)``, where ``target`` is the --report-file made ready before anything is written
    (converter.report.report_file), or None for stderr."""
    from converter.report.report_file import prepared  # lazy: start-up (module docstring)

    target = prepared(report_file)
    try:
        return run(target)
    finally:
        if target is not None:
            target.discard()


def emit(text: str, report_file) -> None:
    """The report's text to stderr, or to ``report_file`` (a converter.report.report_file.ReportFile)."""
    if report_file is None:
        sys.stderr.write(text)
    else:
        report_file.write_with(lambda handle: handle.write(text))


def emit_report(report: dict, fmt: str, fail_on: str, report_file, **options) -> None:
    """emit() of the report in ``fmt``, written as it is made rather than made whole first."""
    from converter.report.canonical import render_to  # lazy: start-up (module docstring)

    if report_file is None:
        render_to(report, fmt, sys.stderr, fail_on=fail_on, **options)
    else:
        report_file.write_with(lambda handle: render_to(report, fmt, handle, fail_on=fail_on, **options))


def text_report_options(quiet: bool, ignore: Optional[List[str]], report_file: Optional[str], verbose: bool = False):
    """The text report's options from --quiet and --ignore; colour when the report goes to a terminal (stderr),
    by NO_COLOR/FORCE_COLOR (converter.console)."""
    from converter.report.text import TextOptions, parse_codes  # lazy: start-up (module docstring)

    color = report_file is None and use_color("auto", os.environ, is_terminal(sys.stderr))
    if quiet and verbose:
        raise UsageError("--quiet and --verbose ask for opposite reports; give one of them")
    return TextOptions(quiet=quiet, verbose=verbose, ignore=parse_codes(ignore or ()), color=color)


def keep_stdin(paths: List[str], fmt: str) -> Optional[str]:
    """For a SARIF report of piped input: stdin read now (as the loader would, bounded) and put back for the
    loader, so its Helm ``# Source:`` markers can place the findings (converter.report.sarif_root). Else None."""
    if fmt != "sarif" or "-" not in paths:
        return None
    from converter.load.source_files import MAX_FILE_BYTES  # lazy: start-up (module docstring)

    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    return raw.decode("utf-8", errors="replace")


def report_options(fmt: str, report: dict, sarif_root: Optional[str], stdin_text: Optional[str]) -> dict:
    """What the report view needs besides the report: for SARIF, where each finding is in the repository."""
    if fmt != "sarif":
        return {}
    from converter.report.sarif_root import locator  # lazy: start-up (module docstring)

    return {"locate": locator([source["file"] for source in report["resources"]], sarif_root, stdin_text)}


class K2ecsCommand(typer.core.TyperCommand):
    """A typer command whose help lists each argument by its metavar and help only: typer adds the Python
    type (``<list[str]>``), which means nothing to a user."""

    def format_options(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                name = (param.metavar or param.name.upper()) + ("..." if param.nargs != 1 else "")
                arguments.append((name, (param.help or "") + ("  [required]" if param.required else "")))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
