"""`k2ecs baseline`: record today's findings as accepted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

import typer

from converter.cli_common import (
    ClusterOption,
    ConfigOption,
    ExecutionRoleOption,
    LaunchTypeOption,
    MinSeverity,
    PublicIpOption,
    RegionOption,
    SecurityGroupsOption,
    SettingsFlags,
    ServiceConnectOption,
    SizingOption,
    SubnetsOption,
    conversion,
)
from converter.guard import guarded
from converter.core.errors import ExitStatus, UsageError


def baseline(
    paths: List[str] = typer.Argument(..., metavar="PATH", show_default=False, help="The manifests, as given to k2ecs convert."),
    file: str = typer.Option("k2ecs-baseline.json", "-f", "--file", metavar="FILE", help="The baseline file to write (replaced whole)."),
    reason: str = typer.Option("accepted when the baseline was written", "--reason", metavar="TEXT",
                               help="Reason recorded on new entries; entries already in the file keep theirs."),
    min_severity: MinSeverity = typer.Option(MinSeverity.warning, "--min-severity", metavar="error|warning|info",
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
        from converter.report.baseline import (  # lazy: start-up (converter/cli_common.py)
            baseline_entries,
            baseline_text,
            read_baseline,
            review,
            write_baseline,
        )
        from converter.core.findings import Severity

        if not reason.strip():
            raise UsageError("--reason must not be empty")
        previous = read_baseline(file) if Path(file).is_file() else None
        result = conversion(paths, SettingsFlags(config, cluster, region, launch_type, subnets, security_groups,
                                                 assign_public_ip, execution_role_arn, service_connect_namespace, sizing))
        findings = review(result.findings, result.sources)
        entries, counts = baseline_entries(findings, previous, reason.strip(), Severity[min_severity.value.upper()])
        write_baseline(file, baseline_text(entries))
        sys.stderr.write(f"k2ecs: wrote {file}: {counts['entries']} accepted finding(s) "
                         f"({counts['new']} new, {counts['kept']} kept, {counts['removed']} removed)\n")
        return ExitStatus.OK

    raise typer.Exit(guarded(run, traceback))
