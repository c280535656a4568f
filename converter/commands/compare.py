"""`k2ecs compare`: every workload side by side, in the terminal, as Markdown and as one HTML page."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from converter.cli_common import (
    ClusterOption,
    ConfigOption,
    ExecutionRoleOption,
    LaunchTypeOption,
    PublicIpOption,
    RegionOption,
    SecurityGroupsOption,
    ServiceConnectOption,
    SizingOption,
    SubnetsOption,
    guarded,
    split_values,
)
from converter.errors import ExitStatus

STDOUT = "-"


def compare(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive: .yaml .yml .json) or - for stdin."),
    markdown: Optional[str] = typer.Option(None, "--markdown", metavar="FILE",
                                           help="Write GitHub-flavoured Markdown (for a pull request) to FILE, or - for stdout."),
    html: Optional[str] = typer.Option(None, "--html", metavar="FILE",
                                       help="Write one self-contained HTML page (works offline) to FILE, or - for stdout."),
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
    """Put each workload side by side: source field beside target field, with status, finding and suggestion."""

    def run() -> int:
        import os

        from converter.compare import compare as build_comparison
        from converter.config import load_config
        from converter.errors import UsageError
        from converter.loader import load_paths

        if markdown == STDOUT and html == STDOUT:
            raise UsageError("--markdown and --html cannot both write to stdout")
        # The same settings, merged the same way, as convert (flags beat the config file).
        settings = load_config(config).merged({
            "cluster": cluster, "region": region,
            "launch_type": None if launch_type is None else launch_type.value,
            "subnets": split_values(subnets), "security_groups": split_values(security_groups),
            "assign_public_ip": assign_public_ip, "execution_role_arn": execution_role_arn,
            "service_connect_namespace": service_connect_namespace,
            "sizing": None if sizing is None else sizing.value,
        })
        comparison = build_comparison(load_paths(paths), settings, tuple(paths))
        # Everything is rendered before anything is written, so a failure leaves no half-written file.
        files: dict[str, str] = {}
        if markdown is not None:
            from converter.compare.markdown import render as render_markdown

            files[markdown] = render_markdown(comparison)
        if html is not None:
            from converter.compare.html import render as render_html

            files[html] = render_html(comparison)
        for target in files:
            if target != STDOUT:
                _check_target(target)
        if STDOUT not in files:
            from converter.compare.terminal import render as render_terminal

            color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
            sys.stdout.write(render_terminal(comparison, color=color))
        for target, text in files.items():
            if target == STDOUT:
                sys.stdout.write(text)
            else:
                _write(target, text)
        return ExitStatus.OK

    raise typer.Exit(guarded(run, traceback))


def _check_target(target: str) -> None:
    """Refuse a target that cannot be written before anything is written."""
    import os

    from converter.errors import UsageError

    if os.path.isdir(target):
        raise UsageError("is a folder; give a file name", file=target)
    if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
        raise UsageError("the folder to write into does not exist", file=target)


def _write(target: str, text: str) -> None:
    """Write beside the target and rename over it: a reader never sees half a file."""
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(prefix=".k2ecs-compare-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
