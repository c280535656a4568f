"""`k2ecs compare`: every workload side by side, in the terminal, as Markdown and as one HTML page."""

from __future__ import annotations

import io
import os
import sys
from enum import Enum
from typing import Any, Iterable, List, Optional

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
        from converter.compare import compare as build_comparison  # lazy: start-up (converter/cli_common.py)
        from converter.load.loader import load_paths

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
        # Each file's text, kept only for the HTML page, which shows each document from it.
        texts: dict[str, str] | None = {} if html is not None else None
        comparison = build_comparison(load_paths(paths, cfn_tags=ecs_input, texts=texts), settings, tuple(paths), texts)
        from converter.report.report_file import ReportFile

        # Each file's place is checked (a temporary file made beside it) before any is written. Each view is
        # written as it is made, section by section, into its file's temporary file, which then replaces the
        # file: a failure leaves no half-written file, and the whole text of a view is never held at once
        # (issue 24: the views of a large input are several times the input, and were most of the peak memory).
        details_name = None if markdown in (None, STDOUT) else details_path(markdown)
        prepared: dict[str, ReportFile] = {}
        written: list[tuple[str, str, int]] = []  # (kind, file, characters), told once every file is written
        try:
            for target in (markdown, html):
                if target is not None and target != STDOUT:
                    prepared[target] = ReportFile(target, "comparison")
            if markdown is not None:
                _write_markdown(comparison, markdown, details_name, max_chars, prepared, written)
            if html is not None:
                from converter.compare.html import chunks as html_chunks  # lazy: jinja2, for --html only

                if html == STDOUT:
                    _to_stdout(html_chunks(comparison))
                else:
                    count = _counted(prepared[html], html_chunks(comparison))
                    written.append(("HTML page", html, count))
            if markdown is None and html is None:  # the terminal table only when no file was asked for
                _write_terminal(comparison, color, only is Only.changes, pager)
            for kind, target, count in written:  # one line per file, where it went (the table would repeat the file)
                sys.stderr.write(f"k2ecs compare: wrote the {kind} ({count:,} characters) to {target}\n")
        finally:
            for file in prepared.values():
                file.discard()
        return ExitStatus.OK

    raise typer.Exit(guarded(run, traceback))


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


def _write_chunks(stream: Any, chunks: Iterable[str]) -> int:
    """Each piece to ``stream`` as it is made; the number of characters written."""
    count = 0
    for chunk in chunks:
        stream.write(chunk)
        count += len(chunk)
    return count


def _counted(file: Any, chunks: Iterable[str]) -> int:
    """The pieces written as ``file`` (a ReportFile); the number of characters."""
    count = [0]

    def writer(handle: Any) -> None:
        count[0] = _write_chunks(handle, chunks)

    file.write_with(writer)
    return count[0]


def _write_markdown(comparison: Any, markdown: str, details_name: Optional[str], max_chars: Optional[int],
                    prepared: dict[str, Any], written: list[tuple[str, str, int]]) -> None:
    """The summary to its file or stdout; the details (every section), when the whole does not fit the bound, to
    ``details_name``. The details are written to a temporary file as they are made, and copied to their place
    only when the summary says they are needed (then the summary names them)."""
    import shutil
    import tempfile

    from converter.compare.markdown import MAX_CHARS, write_bounded  # lazy: only the views asked for

    bound = MAX_CHARS if max_chars is None else max_chars
    if details_name is None:  # stdout: no second file to write the details to
        summary, _ = write_bounded(comparison, _discard, bound, None)
        sys.stdout.write(summary)
        return
    from converter.report.report_file import ReportFile

    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        size = [0]

        def spooled(text: str) -> None:
            spool.write(text)
            size[0] += len(text)

        summary, fits = write_bounded(comparison, spooled, bound, details_name)
        if not fits and details_name not in prepared:  # its place checked before the summary is written
            prepared[details_name] = ReportFile(details_name, "comparison")
        prepared[markdown].write_with(lambda handle: handle.write(summary))
        written.append(("Markdown summary", markdown, len(summary)))
        if not fits:
            spool.seek(0)
            prepared[details_name].write_with(lambda handle: shutil.copyfileobj(spool, handle))
            written.append(("Markdown details", details_name, size[0]))


def _discard(text: str) -> None:
    """The details of a summary written to stdout: not kept."""


def _write_terminal(comparison: Any, color: "ColorMode", only_changes: bool, pager: bool) -> None:
    from converter.compare.terminal import chunks  # lazy: only the views asked for

    stream = sys.stdout
    tty = console.is_terminal(stream)
    pieces = chunks(comparison, width=console.terminal_width(os.environ, stream),
                    color=console.use_color(color, os.environ, tty), only_changes=only_changes)
    if pager and tty:  # the pager is chosen on the whole text's length (console.wants_pager)
        console.write_paged("".join(pieces), stream, os.environ, enabled=pager)
    else:  # never paged: written as each section is made
        _to_stdout(pieces)


def _to_stdout(chunks: Iterable[str]) -> None:
    """Each piece to stdout as it is made, until a reader that stops early (``| head``) has left: the rest is not
    made (guard.ReaderMayLeave, which guarded() puts on stdout, keeps the leaving quiet)."""
    stream = sys.stdout
    for chunk in chunks:
        if getattr(stream, "reader_left", False):
            return
        stream.write(chunk)
