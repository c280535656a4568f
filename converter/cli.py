"""The command line. The only module that reads files, prints and exits; errors are caught once, here."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, List, Optional

import typer

from converter import __version__
from converter.errors import ExitStatus, K2ecsError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Move container workloads between Kubernetes and Amazon ECS, and report what does not carry over.")


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
ConfigOption = Annotated[Optional[str], typer.Option("--config", help="k2ecs.yaml with settings the manifests do not carry.")]
ClusterOption = Annotated[Optional[str], typer.Option(help="ECS cluster name.")]
RegionOption = Annotated[Optional[str], typer.Option(help="AWS region (for awslogs).")]
LaunchTypeOption = Annotated[Optional[LaunchType], typer.Option("--launch-type", help="FARGATE (default) or EC2.")]
SubnetsOption = Annotated[Optional[List[str]], typer.Option("--subnets", help="Subnet IDs (comma-separated or repeated).")]
SecurityGroupsOption = Annotated[Optional[List[str]], typer.Option("--security-groups", help="Security group IDs.")]
PublicIpOption = Annotated[Optional[bool], typer.Option("--assign-public-ip/--no-assign-public-ip")]
ExecutionRoleOption = Annotated[Optional[str], typer.Option("--execution-role-arn")]
ServiceConnectOption = Annotated[Optional[str], typer.Option("--service-connect-namespace")]
SizingOption = Annotated[Optional[Sizing], typer.Option(help="Size tasks from requests, limits, or the recommended mix.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"k2ecs {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """k2ecs: Kubernetes <-> Amazon ECS, with an honest loss report."""


def _split(values: Optional[List[str]]) -> Optional[tuple[str, ...]]:
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@app.command()
def convert(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive: .yaml .yml .json) or - for stdin."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Write one file per payload and report.json to this folder."),
    config: ConfigOption = None,
    cluster: ClusterOption = None,
    region: RegionOption = None,
    launch_type: LaunchTypeOption = None,
    subnets: SubnetsOption = None,
    security_groups: SecurityGroupsOption = None,
    assign_public_ip: PublicIpOption = None,
    execution_role_arn: ExecutionRoleOption = None,
    service_connect_namespace: ServiceConnectOption = None,
    sizing: SizingOption = None,
    report: ReportFormat = typer.Option(ReportFormat.text, "--report",
                                        help="Report format: text, json, markdown, sarif (2.1.0) or junit (XML)."),
    report_file: Optional[str] = typer.Option(None, "--report-file", help="Write the report here instead of stderr."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on",
                                   help="Exit 1 when a finding that is not accepted is at or above this severity."),
    check: bool = typer.Option(False, "--check",
                               help="Write nothing; compare what would be written with the -o folder, print a unified "
                                    "diff on stdout and exit 5 when they differ."),
    baseline: Optional[str] = typer.Option(None, "--baseline",
                                           help="Accepted findings (written by k2ecs baseline): they stay in the report, "
                                                "marked accepted, and do not count for --fail-on."),
    traceback: bool = typer.Option(False, "--traceback", help="Show the Python traceback on errors."),
) -> None:
    """Convert Kubernetes Deployments, Services and HPAs to ECS payloads, with a report of what did not map."""

    def run() -> int:
        from converter.baseline import read_baseline, review
        from converter.errors import UsageError
        from converter.output import output_files, stdout_document, write_atomically
        from converter.report import build_report, exceeds, render

        if check and output is None:
            raise UsageError("--check compares with the output folder: give it with -o/--output")
        accepted = None if baseline is None else read_baseline(baseline)
        result = _conversion(paths, config, cluster, region, launch_type, subnets, security_groups, assign_public_ip,
                             execution_role_arn, service_connect_namespace, sizing)
        findings = review(result.findings, result.sources, accepted)
        canonical = build_report(findings, result.sources, result.outputs)
        differ: list[str] = []
        if check:
            from converter.drift import drift

            diff, differ = drift(output, output_files(result.outputs, canonical))
            sys.stdout.write(diff)
        elif output is not None:
            write_atomically(output, output_files(result.outputs, canonical))
        else:
            sys.stdout.write(stdout_document(result.outputs))
        _emit(render(canonical, report.value, fail_on=fail_on.value), report_file)
        if differ:
            sys.stderr.write(f"k2ecs: {output} is not up to date: {len(differ)} file(s) differ "
                             f"({', '.join(differ)}); rerun without --check to write it\n")
            return ExitStatus.DRIFT
        return ExitStatus.FINDINGS if exceeds(findings, fail_on.value) else ExitStatus.OK

    raise typer.Exit(_guarded(run, traceback))


def _conversion(paths, config, cluster, region, launch_type, subnets, security_groups, assign_public_ip,
                execution_role_arn, service_connect_namespace, sizing):
    """Load the settings and the manifests, and convert (shared by convert and baseline)."""
    from converter.config import load_config
    from converter.convert import convert as run_conversion
    from converter.loader import load_paths

    settings = load_config(config).merged({
        "cluster": cluster, "region": region,
        "launch_type": None if launch_type is None else launch_type.value,
        "subnets": _split(subnets), "security_groups": _split(security_groups),
        "assign_public_ip": assign_public_ip, "execution_role_arn": execution_role_arn,
        "service_connect_namespace": service_connect_namespace,
        "sizing": None if sizing is None else sizing.value,
    })
    # The documents are millions of small objects that live to the end of the run and hold no reference
    # cycles: the cyclic GC scanning them again and again was about 10% of a large run (bench/, see
    # docs/PERFORMANCE.md). So it is paused while they are built, and they are frozen out of its sight
    # during the conversion (unfrozen after, for callers that run the CLI in-process).
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        documents = load_paths(paths)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    try:
        return run_conversion(documents, settings)
    finally:
        gc.unfreeze()


@app.command()
def baseline(
    paths: List[str] = typer.Argument(..., help="The manifests, as given to k2ecs convert."),
    file: str = typer.Option("k2ecs-baseline.json", "-f", "--file", help="The baseline file to write (replaced whole)."),
    reason: str = typer.Option("accepted when the baseline was written", "--reason",
                               help="Reason recorded on new entries; entries already in the file keep theirs."),
    min_severity: MinSeverity = typer.Option(MinSeverity.warning, "--min-severity",
                                             help="Record findings at or above this severity."),
    config: ConfigOption = None,
    cluster: ClusterOption = None,
    region: RegionOption = None,
    launch_type: LaunchTypeOption = None,
    subnets: SubnetsOption = None,
    security_groups: SecurityGroupsOption = None,
    assign_public_ip: PublicIpOption = None,
    execution_role_arn: ExecutionRoleOption = None,
    service_connect_namespace: ServiceConnectOption = None,
    sizing: SizingOption = None,
    traceback: bool = typer.Option(False, "--traceback", help="Show the Python traceback on errors."),
) -> None:
    """Write a baseline of today's findings, to accept them with convert --baseline (they stay reported)."""

    def run() -> int:
        from pathlib import Path

        from converter.baseline import baseline_entries, baseline_text, read_baseline, review, write_baseline
        from converter.findings import Severity

        if not reason.strip():
            from converter.errors import UsageError

            raise UsageError("--reason must not be empty")
        previous = read_baseline(file) if Path(file).is_file() else None
        result = _conversion(paths, config, cluster, region, launch_type, subnets, security_groups, assign_public_ip,
                             execution_role_arn, service_connect_namespace, sizing)
        findings = review(result.findings, result.sources)
        entries, counts = baseline_entries(findings, previous, reason.strip(), Severity[min_severity.value.upper()])
        write_baseline(file, baseline_text(entries))
        sys.stderr.write(f"k2ecs: wrote {file}: {counts['entries']} accepted finding(s) "
                         f"({counts['new']} new, {counts['kept']} kept, {counts['removed']} removed)\n")
        return ExitStatus.OK

    raise typer.Exit(_guarded(run, traceback))


@app.command()
def explain(code: str = typer.Argument(..., help="A finding code, e.g. K2E-W110.")) -> None:
    """Explain one finding code."""
    from converter.codes import explain as explain_code

    try:
        typer.echo(explain_code(code))
    except KeyError:
        typer.echo(f"k2ecs: error: unknown finding code {code!r}", err=True)
        raise typer.Exit(ExitStatus.USAGE)


def _emit(text: str, report_file: Optional[str]) -> None:
    if report_file is None:
        sys.stderr.write(text)
    else:
        with open(report_file, "w", encoding="utf-8") as handle:
            handle.write(text)


def _guarded(run, show_traceback: bool) -> int:
    try:
        return int(run())
    except K2ecsError as err:
        if show_traceback:
            raise
        sys.stderr.write(f"k2ecs: error: {err}\n")
        return int(err.exit_status)
    except KeyboardInterrupt:
        sys.stderr.write("k2ecs: interrupted; nothing was written\n")
        return 130
    except Exception as err:  # a bug: one line, and the way to see more
        if show_traceback:
            raise
        sys.stderr.write(f"k2ecs: internal error: {type(err).__name__}: {err} (rerun with --traceback and report it)\n")
        return int(ExitStatus.INTERNAL)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
