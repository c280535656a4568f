"""`k2ecs compare`: every workload side by side, in the terminal, as Markdown and as one HTML page."""

from __future__ import annotations

import io
import os
import sys
from enum import Enum
from typing import Any, List, Optional

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
    built_without_gc,
    refuse_settings_for_ecs_input,
)
from converter.guard import guarded
from converter import console
from converter.console import ColorMode
from converter.core.errors import ExitStatus, UsageError

STDOUT = "-"


class Only(str, Enum):
    all = "all"
    changes = "changes"


def compare(
    paths: List[str] = typer.Argument(..., metavar="PATH", show_default=False, help="Files, folders (recursive: .yaml .yml .json) or - for stdin."),
    markdown: Optional[str] = typer.Option(None, "--markdown", metavar="FILE",
                                           help="Write GitHub-flavoured Markdown (for a pull request) to FILE, or - for stdout."),
    html: Optional[str] = typer.Option(None, "--html", metavar="FILE",
                                       help="Write one self-contained HTML page (works offline) to FILE, or - for stdout."),
    max_chars: Optional[int] = typer.Option(None, "--max-chars", min=1000, metavar="N",
                                            help="Bound of the --markdown summary in characters (default 60000, under "
                                                 "GitHub's 65,536 per comment); the details go to FILE.details.md."),
    only: Only = typer.Option(Only.all, "--only", metavar="all|changes", help="Terminal: all rows, or only changes (hide rows that map exactly)."),
    color: ColorMode = typer.Option(ColorMode.auto, "--color", metavar="auto|always|never",
                                    help="Terminal colour: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces), always, never."),
    pager: bool = typer.Option(True, "--pager/--no-pager",
                               help="On a terminal, show long output through $K2ECS_PAGER, $PAGER or less (as git does)."),
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
        # The documents, the conversion and the rows live to the end of the run (cli_common.built_without_gc).
        with built_without_gc():
            return compared()

    def compared() -> int:
        from converter.compare import by_section  # lazy: start-up (converter/cli_common.py)
        from converter.commands import compare_views
        from converter.load.loader import load_paths

        if markdown == STDOUT and html == STDOUT:
            raise UsageError("--markdown and --html cannot both write to stdout")
        _refuse_one_file_for_both(markdown, html)
        ecs_input = _is_ecs_input(paths)
        flags = SettingsFlags(config, cluster, region, launch_type, subnets, security_groups, assign_public_ip,
                              execution_role_arn, service_connect_namespace, sizing)
        if ecs_input:
            refuse_settings_for_ecs_input(flags, "when the input is ECS")
        # The same settings, merged the same way, as convert (flags beat the config file).
        settings = flags.settings()
        # CloudFormation short-form tags (!Ref) are data only in ECS input; a manifest keeps the strict loader.
        # Each file's text, kept only for the HTML page, which shows each document from it.
        texts: dict[str, str] | None = {} if html is not None else None
        sections = by_section(load_paths(paths, cfn_tags=ecs_input, texts=texts), settings, tuple(paths), texts)
        from converter.report.report_file import ReportFile

        # Each file's place is checked (a temporary file made beside it) before any is written. Each view's
        # sections are written aside as they are made (compare_views), and each file then written in one step:
        # a failure leaves no half-written file.
        details_name = None if markdown in (None, STDOUT) else details_path(markdown)
        prepared: dict[str, ReportFile] = {}
        written: list[tuple[str, str, int]] = []  # (kind, file, characters), told once every file is written
        try:
            for target in (markdown, html):
                if target is not None and target != STDOUT:
                    prepared[target] = ReportFile(target, "comparison")
            views: list[compare_views.View] = []
            if markdown is not None:
                from converter.compare.markdown import MAX_CHARS  # lazy: only the views asked for

                views.append(compare_views.Markdown(sections, prepared.get(markdown), details_name,
                                                    MAX_CHARS if max_chars is None else max_chars, prepared, written))
            if html is not None:
                views.append(compare_views.Html(sections, prepared.get(html), written))
            if markdown is None and html is None:  # the terminal table only when no file was asked for
                views.append(_terminal(sections, color, only is Only.changes, pager))
            compare_views.write_views(sections, views)
            for kind, target, count in written:  # one line per file, where it went (the table would repeat the file)
                sys.stderr.write(f"k2ecs compare: wrote the {kind} ({count:,} characters) to {target}\n")
        finally:
            for file in prepared.values():
                file.discard()
        return ExitStatus.OK

    raise typer.Exit(guarded(run, traceback))


def _refuse_one_file_for_both(markdown: str | None, html: str | None) -> None:
    """Each view is written to its own file in one step: the same file named twice would get the page over the
    summary (or over its details), so the run refuses it before it reads anything."""
    if markdown in (None, STDOUT) or html in (None, STDOUT):
        return
    page = os.path.abspath(html)  # abspath, not realpath: an output path is never resolved through a link
    if page in (os.path.abspath(markdown), os.path.abspath(details_path(markdown))):
        raise UsageError(f"--html names a file that --markdown writes: {html}")


def details_path(markdown: str) -> str:
    """Where the Markdown details go when the summary is bounded: review.md -> review.details.md."""
    stem = markdown[:-3] if markdown.endswith(".md") else markdown
    return stem + ".details.md"


def _is_ecs_input(paths: List[str]) -> bool:
    """Whether the files are ECS input, decided on the head of each file's text (as convert does), so that each
    file is parsed once, by the right loader. Standard input is read here and put back for the loader."""
    from converter.commands.to_kubernetes import SNIFF_BYTES  # lazy: start-up (converter/cli_common.py)
    from converter.read.ecs.detect import sniff
    from converter.load.source_files import MAX_FILE_BYTES, expand_paths

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


def _terminal(sections: Any, color: "ColorMode", only_changes: bool, pager: bool) -> Any:
    from converter.commands.compare_views import Terminal

    stream = sys.stdout
    tty = console.is_terminal(stream)
    paged = None
    if pager and tty:  # the pager is chosen on the whole text's length (console.wants_pager)
        paged = lambda text: console.write_paged(text, stream, os.environ, enabled=pager)  # noqa: E731
    return Terminal(sections, width=console.terminal_width(os.environ, stream),
                    color=console.use_color(color, os.environ, tty), only_changes=only_changes, paged=paged)
