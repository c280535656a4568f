"""`k2ecs convert`: manifests in, payloads and a loss report out."""

from __future__ import annotations

import sys
from enum import Enum
from typing import List, Optional

import typer

from converter.cli_common import (
    ClusterOption,
    ConfigOption,
    ExcludeOption,
    ExecutionRoleOption,
    FailOn,
    LaunchTypeOption,
    PublicIpOption,
    RegionOption,
    ReportFormat,
    SecurityGroupsOption,
    SettingsFlags,
    ServiceConnectOption,
    SizingOption,
    SubnetsOption,
    built_without_gc,
    refuse_settings_for_ecs_input,
    emit_report,
    keep_stdin,
    report_options,
    streamed_conversion,
    text_report_options,
    with_report_file,
)
from converter.guard import guarded
from converter.core.errors import ExitStatus, UsageError


class Direction(str, Enum):
    k8s = "k8s"
    ecs = "ecs"


class OutputFormat(str, Enum):
    ecs_json = "ecs-json"
    cloudformation = "cloudformation"
    terraform = "terraform"


def convert(
    paths: List[str] = typer.Argument(..., metavar="PATH", show_default=False, help="Files, folders (recursive: .yaml .yml .json) or - for stdin."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="DIR", help="Write one file per payload and report.json to this folder."),
    output_format: OutputFormat = typer.Option(OutputFormat.ecs_json, "--format", metavar="ecs-json|cloudformation|terraform",
                                               help="ecs-json (the API payloads), cloudformation (one template) or "
                                                    "terraform (versions.tf, variables.tf, main.tf, outputs.tf)."),
    cfn_json: bool = typer.Option(False, "--cfn-json", help="With --format cloudformation: the template as JSON, not YAML."),
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
    report: ReportFormat = typer.Option(ReportFormat.text, "--report", metavar="text|json|markdown|sarif|junit",
                                        help="Report format: text, json, markdown, sarif (2.1.0) or junit (XML)."),
    report_file: Optional[str] = typer.Option(None, "--report-file", metavar="FILE", help="Write the report here instead of stderr."),
    sarif_root: Optional[str] = typer.Option(None, "--sarif-root", metavar="DIR",
                                             help="With --report sarif: the folder SARIF paths are relative to "
                                                  "(default: the top of the git work tree)."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", metavar="error|warning|info|never",
                                   help="Exit 1 when a finding that is not accepted is at or above this severity."),
    check: bool = typer.Option(False, "--check",
                               help="Write nothing; compare what would be written with the -o folder, print a unified "
                                    "diff on stdout and exit 5 when they differ."),
    baseline: Optional[str] = typer.Option(None, "--baseline", metavar="FILE",
                                           help="Accepted findings (written by k2ecs baseline): they stay in the report, "
                                                "marked accepted, and do not count for --fail-on."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Text report: only the table per code and the summary line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Text report: each finding also says why (what "
                                 "k2ecs explain CODE says)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="CODE",
                                               help="Text report: leave this code out (repeatable; the count is still "
                                                    "shown). json, sarif and junit keep every finding; --fail-on still "
                                                    "counts it (accept findings with --baseline)."),
    traceback: bool = typer.Option(False, "--traceback", help="Show the Python traceback on errors."),
    exclude: ExcludeOption = None,
    parameter: Optional[List[str]] = typer.Option(None, "--parameter", metavar="NAME=VALUE", help="With ECS input: the value of a "
                                                  "CloudFormation parameter, NAME=VALUE (repeatable), as aws "
                                                  "cloudformation deploy --parameter-overrides takes it."),
    to: Optional[Direction] = typer.Option(None, "--to", metavar="k8s|ecs", help="k8s: ECS payloads, CloudFormation or a k2ecs output "
                                           "folder to Kubernetes manifests; ecs: Kubernetes to ECS. Detected from the "
                                           "input when omitted."),
) -> None:
    """Convert Kubernetes Deployments, Services and HPAs to ECS payloads, with a report of what did not map."""

    flags = SettingsFlags(config, cluster, region, launch_type, subnets, security_groups, assign_public_ip,
                          execution_role_arn, service_connect_namespace, sizing)

    def run(report_target) -> int:
        from converter.core.findings import merge_findings
        from converter.report.baseline import read_baseline, review  # lazy: start-up (converter/cli_common.py)
        from converter.write.output import with_report, write_rendering
        from converter.report.canonical import build_report

        if check and output is None:
            raise UsageError("--check compares with the output folder: give it with -o/--output")
        if cfn_json and output_format is not OutputFormat.cloudformation:
            raise UsageError("--cfn-json goes with --format cloudformation")
        text_options = text_report_options(quiet, ignore, report_file, verbose)
        if sarif_root is not None and report is not ReportFormat.sarif:
            raise UsageError("--sarif-root goes with --report sarif")
        accepted = None if baseline is None else read_baseline(baseline)
        stdin_text = keep_stdin(paths, report.value)
        if to is not Direction.ecs:
            from converter.commands.to_kubernetes import input_direction, run_reverse  # lazy: ECS input only

            if to is Direction.k8s or input_direction(paths) == "k8s":
                if output_format is not OutputFormat.ecs_json:
                    raise UsageError("--format chooses the ECS output; it does not apply with --to k8s")
                refuse_settings_for_ecs_input(flags, "when converting to Kubernetes (--to k8s)")
                return run_reverse(paths, output=output, report_format=report.value, report_file=report_target,
                                   fail_on=fail_on.value, check=check, accepted=accepted,
                                   parameters=_parameters(parameter))
        if parameter:
            raise UsageError("--parameter gives CloudFormation parameters of ECS input; it does not apply to "
                             "Kubernetes manifests")
        if output_format is OutputFormat.ecs_json:
            return _streamed(paths, flags, output, accepted, report_target, text_options, stdin_text)
        from converter.write.iac.render import IacSink  # lazy: only the format asked for

        sink = IacSink(output_format.value, cfn_json=cfn_json, spooled=True)  # the text in a temporary file
        try:
            result = streamed_conversion(paths, flags, sink, exclude)
            with built_without_gc():
                iac = sink.rendering(result.sources)
            iac.model = None
            # The rendering's few findings put in their places, not the run's 60,000 copied and sorted again
            # (issue 24: that sort was a 10 MB template's peak).
            merge_findings(result.findings, iac.findings)
            findings = review(result.findings, result.sources, accepted, reuse=True)
            canonical = iac.retarget_report(build_report(findings, result.sources, result.outputs, calls=result.calls,
                                                         outputs_as_written=True))
            differ: list[str] = []
            if check:
                from converter.write.drift import drift  # lazy: only --check needs it

                diff, differ = drift(output, with_report(iac.files, canonical))
                sys.stdout.write(diff)
            elif output is not None:
                write_rendering(output, iac.pieces, canonical)
            else:
                sys.stdout.writelines(iac.stdout_pieces())
        finally:
            sink.close()
        # What the rendering kept of each workload (its logical IDs or labels, the texts' places) is written:
        # it goes before the report is, whose making can then take that memory (issue 24: the run's peak).
        sink = iac = None
        emit_report(canonical, report.value, fail_on.value, report_target, text_options=text_options,
                    **report_options(report.value, canonical, sarif_root, stdin_text))
        return _status(findings, differ)

    def _streamed(paths: List[str], flags: SettingsFlags, output: Optional[str], accepted, report_target,
                  text_options, stdin_text: Optional[str]) -> int:
        """The ECS payloads, written as each workload is converted (converter.write.sinks): the same files and
        text as output_files() and stdout_document() give, without the whole run's payloads in memory."""
        from converter.report.baseline import review  # lazy: start-up (converter/cli_common.py)
        from converter.report.canonical import build_report
        from converter.write.sinks import CheckSink, FolderSink, StdoutSink

        sink = CheckSink(output) if check else StdoutSink() if output is None else FolderSink(output)
        try:
            result = streamed_conversion(paths, flags, sink, exclude)
            findings = review(result.findings, result.sources, accepted, reuse=True)
            canonical = build_report(findings, result.sources, result.outputs, calls=result.calls, outputs_as_written=True)
            differ: list[str] = []
            if check:
                diff, differ = sink.finish(canonical)
                sys.stdout.write(diff)
            else:
                sink.finish(canonical)
        finally:
            sink.close()
        sink = None  # what it kept of each output (issue 24: as in the IaC path above)
        emit_report(canonical, report.value, fail_on.value, report_target, text_options=text_options,
                    **report_options(report.value, canonical, sarif_root, stdin_text))
        return _status(findings, differ)

    def _status(findings, differ: list[str]) -> int:
        """DRIFT when --check found files that differ (said on stderr), else by the findings and --fail-on."""
        from converter.report.canonical import exceeds  # lazy: start-up (converter/cli_common.py)

        if differ:
            sys.stderr.write(f"k2ecs: {output} is not up to date: {len(differ)} file(s) differ "
                             f"({', '.join(differ)}); rerun without --check to write it\n")
            return ExitStatus.DRIFT
        return ExitStatus.FINDINGS if exceeds(findings, fail_on.value) else ExitStatus.OK

    raise typer.Exit(guarded(lambda: with_report_file(report_file, run), traceback))


def _parameters(values: Optional[List[str]]) -> dict[str, str]:
    """--parameter NAME=VALUE, each NAME once; a value may hold "=" (split at the first)."""
    parameters: dict[str, str] = {}
    for item in values or ():
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--parameter {item!r}: expected NAME=VALUE")
        if name in parameters:
            raise UsageError(f"--parameter {name} is given twice")
        parameters[name] = value
    return parameters
