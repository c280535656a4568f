"""`k2ecs convert --to k8s`: ECS payloads in, Kubernetes manifests and the same loss report out.

Called by converter.commands.convert, which owns the options. This module does the I/O of the reverse
direction (reading, writing, printing); converter.pipeline.reverse does the conversion and is pure.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from converter.read.ecs.sniff import sniff
from converter.core.errors import ExitStatus, InputError
from converter.load.source_files import MAX_FILE_BYTES, expand_paths
from converter.core.quantity import KIB

SNIFF_BYTES = 256 * KIB


def input_direction(paths: list[str]) -> str:
    """The direction the input asks for: "k8s" when it is ECS input, else "ecs" (the default, Kubernetes input).

    Decided on the head of each file's text, so the files are parsed once, by the right loader. Standard
    input is read here and put back for the loader.
    """
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)  # the loader refuses more; never read unbounded
            sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
            head = data[:SNIFF_BYTES].decode("utf-8", errors="replace")
        else:
            try:
                with open(path, "rb") as handle:
                    head = handle.read(SNIFF_BYTES).decode("utf-8", errors="replace")
            except OSError:
                continue  # the loader reports it, with the file name
        direction = sniff(head)
        if direction is not None:
            seen.setdefault(direction, path)
    if len(seen) > 1:
        raise InputError("the input mixes ECS payloads and Kubernetes manifests (" + seen["ecs"] + "); convert them "
                         "separately, or pass --to", file=seen["k8s"])
    return next(iter(seen), "ecs")


def run_reverse(paths: list[str], *, output: str | None, report_format: str, report_file: Any,
                fail_on: str, check: bool, accepted: Any, parameters: dict[str, str] | None = None) -> int:
    from converter.report.baseline import review  # lazy: only a convert that reads ECS input runs this
    from converter.cli_common import built_without_gc, emit_report
    from converter.load.inputs import load_inputs
    from converter.write.output import REPORT_FILE, dumps, write_atomically
    from converter.report.canonical import build_report, exceeds
    from converter.core.jsontext import LazyList
    from converter.pipeline.reverse import convert_to_kubernetes

    # Each workload's manifests kept as their text, and each reader released once its findings are final:
    # what the run holds to its end is the report and the text (issue 24).
    with built_without_gc():
        result = convert_to_kubernetes(load_inputs(paths, cfn_tags=True), parameters=parameters, as_text=True,
                                       release=True)
    findings = review(result.findings, result.sources, accepted)
    canonical = build_report(findings, result.sources, result.outputs, outputs_as_written=True)
    canonical["outputs"] = LazyList(result.outputs, _output_dict)  # a reverse output's one file

    def files() -> dict[str, str]:
        # Only for -o and --check.
        written = {f"{o.name}.yaml": o.text for o in result.outputs}
        written[REPORT_FILE] = dumps(canonical)
        return written

    differ: list[str] = []
    if check:
        from converter.write.drift import drift  # lazy: only --check needs it

        diff, differ = drift(output, files())
        sys.stdout.write(diff)
    elif output is not None:
        write_atomically(output, files())
    else:
        sys.stdout.writelines(o.text for o in result.outputs)
    emit_report(canonical, report_format, fail_on, report_file)  # written as it is made
    if differ:
        sys.stderr.write(f"k2ecs: {output} is not up to date: {len(differ)} file(s) differ "
                         f"({', '.join(differ)}); rerun without --check to write it\n")
        return ExitStatus.DRIFT
    return ExitStatus.FINDINGS if exceeds(findings, fail_on) else ExitStatus.OK


def _output_dict(output: Any) -> dict[str, Any]:
    """An output's entry in the report: converter.report.canonical's, with the one file of a reverse output."""
    return {"resource": output.resource, "name": output.name, "files": output.files}
