"""``k2ecs convert --format cloudformation|terraform``: the sink the streamed conversion hands each workload to,
returning file name -> text (in pieces) and findings.

No files are read or written here, but for the temporary file of a ``spooled`` sink (the command's). The
command writes the files with ``output.write_rendering`` (``-o``) or prints ``stdout_pieces`` (no ``-o``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from converter.core.errors import OutputValidationError
from converter.core.jsontext import LazyList
from converter.core.findings import Finding, Origin, make_finding
from converter.write.iac.links import sort_params

CLOUDFORMATION, TERRAFORM = "cloudformation", "terraform"
FORMATS = (CLOUDFORMATION, TERRAFORM)
# Terraform files printed together on stdout are separated by this comment line (HCL, so the whole
# stream still parses as one configuration).
STDOUT_HEADER = "# ==> {name} <==\n"


@dataclass
class Rendering:
    format: str
    pieces: dict[str, Iterable[str]]  # file name -> its text in pieces (re-iterable), report.json not included
    findings: list[Finding] = field(default_factory=list)
    model: Any = None  # the CfnStack or TfConfiguration behind the text (for the tests)

    @property
    def files(self) -> dict[str, str]:
        """File name -> text (each file's pieces joined)."""
        return {name: "".join(pieces) for name, pieces in self.pieces.items()}

    def stdout_pieces(self) -> Iterator[str]:
        """What stdout shows, a piece at a time: the template, or each Terraform file under a header line."""
        if self.format == CLOUDFORMATION:
            for pieces in self.pieces.values():
                yield from pieces
            return
        for number, (name, pieces) in enumerate(self.pieces.items()):
            yield ("\n" if number else "") + STDOUT_HEADER.format(name=name)
            yield from pieces

    def stdout_text(self) -> str:
        return "".join(self.stdout_pieces())

    def retarget_report(self, report: dict[str, Any]) -> dict[str, Any]:
        """The canonical report with each workload's ``files`` naming the files that hold its resources."""
        names = [name for name in self.pieces if name not in ("versions.tf", "variables.tf")]
        outputs = report["outputs"]
        if outputs.__class__ is LazyList:
            # Each entry made as a view writes it, as build_report(outputs_as_written=True) gives them: 3,120 entries
            # at 10 MB, twice over (the report's and these), were held through the report's writing (issue 24).
            return {**report, "outputs": LazyList(outputs.items, _Retargeted(outputs.make, names))}
        return {**report, "outputs": [{**entry, "files": list(names)} for entry in outputs]}


class _Retargeted:
    """An output's report entry (``make(output)``) with ``files`` naming the rendering's files."""

    __slots__ = ("make", "names")

    def __init__(self, make: Any, names: list[str]) -> None:
        self.make, self.names = make, names

    def __call__(self, output: Any) -> dict[str, Any]:
        return {**self.make(output), "files": list(self.names)}


class IacSink:
    """The sink (converter.pipeline.convert.Sink) the command gives the streamed conversion
    (cli_common.streamed_conversion) for these formats. Each workload is linked and written as text as soon as
    the conversion hands it over, and its payloads are not kept: what the template or configuration holds
    of the whole run (parameters, log groups, and for CloudFormation the logical IDs) is written at
    ``rendering()``. Streamed, a large file's workloads are parsed a batch at a time rather than the whole
    input held at once; written at once, the run's payloads, their linked copies and the stack or
    configuration built from them are never all in memory (issue 24: peak memory).

    A rendering error is kept and raised by ``rendering()``, after the conversion: the first error of
    linking, else of building, else of writing, as rendering the whole run at the end raised it."""

    def __init__(self, fmt: str, *, cfn_json: bool = False, spooled: bool = False) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown IaC format {fmt!r}")
        self.format, self.cfn_json, self.spooled = fmt, cfn_json, spooled
        self.writer: Any = None
        self.reset()

    def close(self) -> None:
        """The temporary files of a ``spooled`` sink (the text of the rendering it gave: write that first)."""
        if self.writer is not None:
            self.writer.close()

    def reset(self) -> None:
        from converter.write.iac.links import Linked  # lazy: only the format asked for is imported

        self.close()
        self.linked = Linked()
        self.count = 0
        self.errors: dict[str, Exception] = {}  # phase -> its first error
        if self.format == TERRAFORM:
            from converter.write.iac.terraform import TerraformText

            self.writer = TerraformText(self.spooled)
        elif self.cfn_json:
            self.writer = None  # the JSON is dumped from the stack: linked workloads kept (self.linked.workloads)
        else:
            from converter.write.iac.cfn_text import CloudFormationText

            self.writer = CloudFormationText(self.spooled)

    def put(self, position: int, output: Any) -> None:
        from converter.write.iac.links import link_workload

        self.count += 1
        if "link" in self.errors:
            return
        try:
            workload = link_workload(output, self.linked)
        except OutputValidationError as err:
            self.errors["link"] = err
            return
        if self.writer is None:
            self.linked.workloads.append(workload)
            return
        if "build" in self.errors:
            return
        try:
            self.writer.add(workload, self.linked)
        except OutputValidationError as err:  # a payload member with no property or argument (mapping)
            self.errors["build"] = err
        except (TypeError, ValueError, KeyError) as err:  # a value with no text in the target syntax
            self.errors.setdefault("write", err)

    def rendering(self, sources: list[Any]) -> Rendering:
        for phase in ("link", "build", "write"):
            if phase in self.errors:
                raise self.errors[phase]
        if not self.count:
            return Rendering(self.format, {})
        linked = sort_params(self.linked)
        if self.format == TERRAFORM:
            return Rendering(self.format, self.writer.files(linked), [], self.writer.model)
        from converter.write.iac import cloudformation  # lazy: only the format asked for is imported

        if self.writer is None:
            stack = cloudformation.build_stack(linked)
            text = cloudformation.render_text(stack, as_json=True)
            counts = {"resources": len(stack.resources), "parameters": len(stack.parameters),
                      "outputs": len(stack.outputs), "bytes": len(text.encode("utf-8")),
                      "log_groups": len(stack.log_groups)}
            return Rendering(self.format, {cloudformation.JSON_FILE: [text]},
                             _quota_findings(stack.workloads, counts, sources), stack)
        pieces, counts = self.writer.finish(linked, cloudformation.FORMAT_VERSION, cloudformation.DESCRIPTION)
        workloads = [written.ids for written in self.writer.workloads]
        model = cloudformation.CfnStack([], [], [], workloads, {})
        return Rendering(self.format, {cloudformation.YAML_FILE: pieces}, _quota_findings(workloads, counts, sources),
                         model)


def render(fmt: str, conversion: Any, *, cfn_json: bool = False) -> Rendering:
    """``conversion`` is ``convert.convert()``'s result. Nothing converted means no files (the report says why)."""
    sink = IacSink(fmt, cfn_json=cfn_json)
    for position, output in enumerate(conversion.outputs):
        sink.put(position, output)
    return sink.rendering(conversion.sources)


def _quota_findings(workloads: list[Any], counts: dict[str, int], sources: list[Any]) -> list[Finding]:
    """K2E-E660 at the workload whose resources (or outputs) pass a stack quota; at the first one otherwise."""
    from converter.write.iac.cloudformation import QUOTAS  # lazy: only the format asked for is imported

    origins = {source.resource: Origin(resource=source.resource, file=source.file, line=source.line, path="")
               for source in sources}
    # Where each workload's resources and outputs end, counting from the log groups that open the template.
    ends = {"resources": [], "outputs": []}
    resources, outputs = counts["log_groups"], 0
    for workload in workloads:
        resources += 2 + (workload.scalable_target is not None) + len(workload.policies)
        outputs += 2
        ends["resources"].append((resources, workload))
        ends["outputs"].append((outputs, workload))
    findings = []
    for what in ("resources", "parameters", "outputs", "bytes"):
        count, limit = counts[what], QUOTAS[what]
        if count <= limit:
            continue
        # Parameters are shared, and the size is everyone's: no one workload passes those limits.
        culprit = next((w for end, w in ends.get(what, []) if end > limit), workloads[0])
        findings.append(make_finding("K2E-E660", origins[culprit.resource],
                                     f"the CloudFormation template has {count} {what}; a stack holds at most {limit}"
                                     + (f" (passed at {culprit.resource})" if what in ends else "")))
    return findings
