"""`k2ecs apply`: the plan, then, with consent, the changes; stops at the first failure and says what is left."""

from __future__ import annotations

import sys

import typer

from converter.cli_common import (
    ConfigOption,
    ExecutionRoleOption,
    LaunchTypeOption,
    PublicIpOption,
    RegionOption,
    SecurityGroupsOption,
    SettingsFlags,
    ServiceConnectOption,
    SizingOption,
    SubnetsOption,
)
from converter.guard import guarded
from converter.commands.plan import (
    RequiredClusterOption,
    PathsArgument,
    ProfileOption,
    TimeoutOption,
    TracebackOption,
    prepare_plan,
)


def apply(
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
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (needed when stdin is not a terminal)."),
    wait: bool = typer.Option(False, "--wait", help="After applying, wait until the services reach a steady state."),
    wait_timeout: float = typer.Option(600.0, "--wait-timeout", min=1.0, metavar="SECONDS", help="Seconds --wait waits before failing."),
    timeout: TimeoutOption = None,
    traceback: TracebackOption = False,
) -> None:
    """Apply the plan: register task definitions, create or update services, register scaling (exit 0 or 1)."""
    from converter.aws.errors import ApplyFailed, DetailedExit  # lazy: start-up (converter/cli_common.py)
    from converter.aws.executor import concurrent_changes, execute
    from converter.aws.pipeline import detailed
    from converter.aws.render import progress_line, render_plan, render_stopped
    from converter.aws.session import Redactor
    from converter.aws.wait import wait_for_services

    redact = Redactor()

    def say(text: str) -> None:
        sys.stdout.write(redact(text))
        sys.stdout.flush()

    def run() -> int:
        prepared = prepare_plan(paths, SettingsFlags(config, cluster, region, launch_type, subnets, security_groups,
                                                     assign_public_ip, execution_role_arn, service_connect_namespace,
                                                     sizing), profile, redact, timeout)
        plan = prepared.plan
        say(render_plan(plan))
        if not plan.pending:
            return DetailedExit.NO_CHANGES
        _confirm(yes, len(plan.pending))
        say(f"\nApplying {len(plan.pending)} change(s):\n")
        outcome = execute(plan, prepared.clients, redact, lambda change, result: say(progress_line(change, result)))
        if outcome.failed is not None:
            say(render_stopped(outcome.done, outcome.failed, outcome.not_done))
            change, error = outcome.failed
            raise ApplyFailed(f"apply stopped at {change.label} ({error}); {len(outcome.done)} change(s) done, "
                              f"{len(outcome.not_done) + 1} not done: run k2ecs apply again to complete them")
        changed = concurrent_changes(prepared.clients, plan.cluster, outcome.expected)
        if changed:
            raise ApplyFailed(f"changed by someone else while this apply ran: {'; '.join(changed)}; "
                              f"{len(outcome.done)} change(s) done: run k2ecs plan to see where things stand")
        say(f"Apply complete: {len(outcome.done)} change(s) made.\n")
        if wait and outcome.services:
            say(f"Waiting up to {wait_timeout:g} s for {', '.join(outcome.services)} to reach a steady state:\n")
            wait_for_services(prepared.clients, plan.cluster, outcome.services, timeout_seconds=wait_timeout,
                              on_progress=lambda line: say(line + "\n"))
            say("All services are steady.\n")
        return DetailedExit.NO_CHANGES

    raise typer.Exit(guarded(detailed(run, redact), traceback))


def _stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _confirm(yes: bool, count: int) -> None:
    from converter.aws.errors import RefusedError  # lazy: start-up (converter/cli_common.py)

    if yes:
        return
    if not _stdin_is_terminal():
        raise RefusedError(f"refusing to make {count} change(s) without confirmation: stdin is not a terminal, so "
                           f"review the plan above and rerun with --yes; nothing was changed")
    if not typer.confirm(f"Apply these {count} change(s)?", default=False):
        raise RefusedError("not confirmed; nothing was changed")
