"""`k2ecs plan`: what apply would change in AWS, per resource. Exit 0 no changes, 2 changes pending, 1 error."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Annotated

import typer
import typer.core

from converter.cli_common import (
    ConfigOption,
    ExecutionRoleOption,
    K2ecsCommand,
    LaunchTypeOption,
    PublicIpOption,
    RegionOption,
    SecurityGroupsOption,
    SettingsFlags,
    ServiceConnectOption,
    SizingOption,
    SubnetsOption,
    kept_conversion,
)
from converter.guard import guarded

# click's UsageError, found through BadParameter so it is right whether typer uses click or vendors it.
_USAGE_ERROR = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")


class DetailedExitCommand(K2ecsCommand):
    """A command whose parser errors (unknown flag, bad value) exit 1, not click's 2, which means "changes pending"."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _USAGE_ERROR as err:
            err.exit_code = 1
            raise


# Optional on purpose: a missing argument must be k2ecs's error (exit 1), not the parser's usage
# error, whose exit status 2 would read as "changes pending".
PathsArgument = Annotated[list[str] | None, typer.Argument(metavar="PATH", help="Files, folders or - for stdin, as for convert (required).")]
ProfileOption = Annotated[str | None, typer.Option("--profile", metavar="NAME", help="AWS profile; otherwise boto3's standard chain.")]
# The cluster is required by plan and apply (here or as cluster: in the config), and is checked by k2ecs
# rather than the parser for the reason above; the help says so.
RequiredClusterOption = Annotated[str | None, typer.Option("--cluster", metavar="NAME",
                                                           help="ECS cluster name (required: here or as cluster: in the config).")]
TracebackOption = Annotated[bool, typer.Option("--traceback", help="Show the Python traceback on errors.")]
TimeoutOption = Annotated[float | None, typer.Option(
    "--timeout", min=0.1, metavar="SECONDS", help="Seconds to connect to AWS and to wait for each response (default 20); "
                               "retries follow AWS_RETRY_MODE and AWS_MAX_ATTEMPTS (default standard, 8).")]


def plan(
    paths: PathsArgument = None,
    config: ConfigOption = None,
    cluster: RequiredClusterOption = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    launch_type: LaunchTypeOption = None,
    subnets: SubnetsOption = None,
    security_groups: SecurityGroupsOption = None,
    assign_public_ip: PublicIpOption = None,
    execution_role_arn: ExecutionRoleOption = None,
    service_connect_namespace: ServiceConnectOption = None,
    sizing: SizingOption = None,
    timeout: TimeoutOption = None,
    traceback: TracebackOption = False,
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON: each change, the exact API calls "
                                                       "apply would make, and the findings."),
) -> None:
    """Show what apply would change in AWS (exit 0: nothing, 2: changes pending, 1: error)."""
    from converter.aws.errors import DetailedExit  # lazy: start-up (converter/cli_common.py)
    from converter.aws.pipeline import detailed
    from converter.aws.render import plan_parts
    from converter.aws.session import Redactor

    redact = Redactor()

    def run() -> int:
        prepared = prepare_plan(paths, SettingsFlags(config, cluster, region, launch_type, subnets, security_groups,
                                                     assign_public_ip, execution_role_arn, service_connect_namespace,
                                                     sizing), profile, redact, timeout, summary=not as_json)
        if as_json:
            from converter.aws.plan_json import plan_document  # lazy: --json only

            document = plan_document(prepared.plan, prepared.findings)
            sys.stdout.write(redact(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"))
        else:
            for part in plan_parts(prepared.plan):  # redacted a workload at a time: no secret spans two lines
                sys.stdout.write(redact(part))
        return DetailedExit.CHANGES if prepared.plan.pending else DetailedExit.NO_CHANGES

    raise typer.Exit(guarded(detailed(run, redact), traceback))


def prepare_plan(paths, flags: SettingsFlags, profile, redact, timeout_seconds: float | None = None, *,
                 summary: bool = True):
    """Convert and plan (shared by plan and apply); with ``summary``, the conversion's findings in short on stderr."""
    from converter.aws.errors import PreflightError  # lazy: start-up (converter/cli_common.py)
    from converter.aws.pipeline import prepare

    if not paths:
        raise PreflightError("give the manifests to plan: files, folders or - for stdin")

    def convert(cluster_name: str, region_name: str):
        return kept_conversion(paths, replace(flags, cluster=cluster_name, region=region_name))

    prepared = prepare(config=flags.config_path(), cluster=flags.cluster, region=flags.region, profile=profile,
                       convert=convert, redact=redact, timeout_seconds=timeout_seconds)
    if summary and prepared.findings:
        # lazy: only when there is a summary to show
        from converter.aws.plan_json import findings_summary
        from converter.core.codes import CODES

        sys.stderr.write(redact(findings_summary(list(prepared.findings),
                                                 {code: info.title for code, info in CODES.items()})))
    return prepared
