"""The command line. The only module that reads files, prints and exits; errors are caught once, here."""

from __future__ import annotations

import sys
from enum import Enum
from typing import List, Optional

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


class LaunchType(str, Enum):
    FARGATE = "FARGATE"
    EC2 = "EC2"


class Sizing(str, Enum):
    recommended = "recommended"
    requests = "requests"
    limits = "limits"


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
    config: Optional[str] = typer.Option(None, "--config", help="k2ecs.yaml with settings the manifests do not carry."),
    cluster: Optional[str] = typer.Option(None, help="ECS cluster name."),
    region: Optional[str] = typer.Option(None, help="AWS region (for awslogs)."),
    launch_type: Optional[LaunchType] = typer.Option(None, "--launch-type", help="FARGATE (default) or EC2."),
    subnets: Optional[List[str]] = typer.Option(None, "--subnets", help="Subnet IDs (comma-separated or repeated)."),
    security_groups: Optional[List[str]] = typer.Option(None, "--security-groups", help="Security group IDs."),
    assign_public_ip: Optional[bool] = typer.Option(None, "--assign-public-ip/--no-assign-public-ip"),
    execution_role_arn: Optional[str] = typer.Option(None, "--execution-role-arn"),
    service_connect_namespace: Optional[str] = typer.Option(None, "--service-connect-namespace"),
    sizing: Optional[Sizing] = typer.Option(None, help="Size tasks from requests, limits, or the recommended mix."),
    report: ReportFormat = typer.Option(ReportFormat.text, "--report", help="Report format."),
    report_file: Optional[str] = typer.Option(None, "--report-file", help="Write the report here instead of stderr."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Exit 1 when a finding is at or above this severity."),
    traceback: bool = typer.Option(False, "--traceback", help="Show the Python traceback on errors."),
) -> None:
    """Convert Kubernetes Deployments, Services and HPAs to ECS payloads, with a report of what did not map."""

    def run() -> int:
        from converter.config import load_config
        from converter.convert import convert as run_conversion
        from converter.loader import load_paths
        from converter.output import output_files, stdout_document, write_atomically
        from converter.report import RENDERERS, build_report, exceeds

        settings = load_config(config).merged({
            "cluster": cluster, "region": region,
            "launch_type": None if launch_type is None else launch_type.value,
            "subnets": _split(subnets), "security_groups": _split(security_groups),
            "assign_public_ip": assign_public_ip, "execution_role_arn": execution_role_arn,
            "service_connect_namespace": service_connect_namespace,
            "sizing": None if sizing is None else sizing.value,
        })
        documents = load_paths(paths)
        result = run_conversion(documents, settings)
        canonical = build_report(result.findings, result.sources, result.outputs)
        if output is not None:
            write_atomically(output, output_files(result.outputs, canonical))
        else:
            sys.stdout.write(stdout_document(result.outputs))
        _emit(RENDERERS[report.value](canonical), report_file)
        return ExitStatus.FINDINGS if exceeds(result.findings, fail_on.value) else ExitStatus.OK

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
