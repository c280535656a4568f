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
    SettingsFlags,
    ServiceConnectOption,
    SizingOption,
    SubnetsOption,
    guarded,
    refuse_settings_for_ecs_input,
)
from converter.errors import ExitStatus

STDOUT = "-"


def compare(
    paths: List[str] = typer.Argument(..., metavar="PATH", show_default=False, help="Files, folders (recursive: .yaml .yml .json) or - for stdin."),
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
    """Put each workload side by side: source field beside target field, with status, finding and suggestion.

    Either side may be the input: Kubernetes manifests (compared with the ECS payloads they convert to), or
    ECS payloads, describe output, a k2ecs output folder or CloudFormation (compared with the manifests).
    """

    def run() -> int:
        import os

        from converter.compare import compare as build_comparison
        from converter.errors import UsageError
        from converter.loader import load_paths

        if markdown == STDOUT and html == STDOUT:
            raise UsageError("--markdown and --html cannot both write to stdout")
        ecs_input = _is_ecs_input(paths)
        flags = SettingsFlags(config, cluster, region, launch_type, subnets, security_groups, assign_public_ip,
                              execution_role_arn, service_connect_namespace, sizing)
        if ecs_input:
            refuse_settings_for_ecs_input(flags, "when the input is ECS")
        # The same settings, merged the same way, as convert (flags beat the config file).
        settings = flags.settings()
        # CloudFormation short-form tags (!Ref) are data only in ECS input; a manifest keeps the strict loader.
        comparison = build_comparison(load_paths(paths, cfn_tags=ecs_input), settings, tuple(paths))
        # Everything is rendered before anything is written, so a failure leaves no half-written file.
        files: dict[str, str] = {}
        if markdown is not None:
            from converter.compare.markdown import render as render_markdown

            files[markdown] = render_markdown(comparison)
        if html is not None:
            from converter.compare.html import render as render_html

            files[html] = render_html(comparison)
        from converter.report_file import ReportFile

        # Each file's place is checked (a temporary file made beside it) before any is written.
        prepared: dict[str, ReportFile] = {}
        try:
            for target in files:
                if target != STDOUT:
                    prepared[target] = ReportFile(target, "comparison")
            if STDOUT not in files:
                from converter.compare.terminal import render as render_terminal

                color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
                sys.stdout.write(render_terminal(comparison, color=color))
            for target, text in files.items():
                if target == STDOUT:
                    sys.stdout.write(text)
                else:
                    prepared[target].write_with(lambda handle, text=text: handle.write(text))
        finally:
            for file in prepared.values():
                file.discard()
        return ExitStatus.OK

    raise typer.Exit(guarded(run, traceback))


def _is_ecs_input(paths: List[str]) -> bool:
    """Whether the files are ECS input, decided on the head of each file's text (as convert does), so that each
    file is parsed once, by the right loader. Standard input is read here and put back for the loader."""
    import io

    from converter.commands.to_kubernetes import SNIFF_BYTES
    from converter.ecs_input.detect import sniff
    from converter.errors import UsageError
    from converter.loader import MAX_FILE_BYTES, expand_paths

    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)  # the loader refuses more; never read unbounded
            sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
            head = data[:SNIFF_BYTES]
        else:
            try:
                with open(path, "rb") as handle:
                    head = handle.read(SNIFF_BYTES)
            except OSError:
                continue  # the loader reports it, with the file name
        side = sniff(head.decode("utf-8", errors="replace"))
        if side is not None:
            seen.setdefault(side, path)
    if len(seen) > 1:
        raise UsageError("the input mixes Kubernetes manifests and ECS input; compare one side at a time",
                         file=seen["k8s"])
    return "k8s" in seen  # sniff names the direction: "k8s" means the input is ECS
