"""``k2ecs convert --format cloudformation|terraform``: one entry, returning file name -> text and findings.

Pure: no files are read or written here (the templates are package data). The command writes the files
with ``output.write_atomically`` (``-o``) or prints ``stdout_text`` (no ``-o``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from converter.core.findings import Finding, Origin, make_finding
from converter.write.iac.links import link

CLOUDFORMATION, TERRAFORM = "cloudformation", "terraform"
FORMATS = (CLOUDFORMATION, TERRAFORM)
# Terraform files printed together on stdout are separated by this comment line (HCL, so the whole
# stream still parses as one configuration).
STDOUT_HEADER = "# ==> {name} <==\n"


@dataclass
class Rendering:
    format: str
    files: dict[str, str]  # file name -> text, report.json not included
    findings: list[Finding] = field(default_factory=list)
    model: Any = None  # the CfnStack or TfConfiguration behind the text (for the tests)

    def stdout_text(self) -> str:
        if self.format == CLOUDFORMATION:
            return "".join(self.files.values())
        return "\n".join(STDOUT_HEADER.format(name=name) + text for name, text in self.files.items())

    def retarget_report(self, report: dict[str, Any]) -> dict[str, Any]:
        """The canonical report with each workload's ``files`` naming the files that hold its resources."""
        names = [name for name in self.files if name not in ("versions.tf", "variables.tf")]
        return {**report, "outputs": [{**entry, "files": list(names)} for entry in report["outputs"]]}


class KeptOutputs:
    """The sink (converter.pipeline.convert.Sink) the command gives the streamed conversion
    (cli_common.streamed_conversion) for these formats: each workload's output, kept in position order.
    Streamed, a large file's workloads are parsed a batch at a time rather than the whole input held at
    once, which was most of the memory of --format cloudformation|terraform (Python heap peak on the 1 MB
    bundle: 78.6 MB converting, 25.7 MB rendering; issue 24)."""

    def __init__(self) -> None:
        self.outputs: dict[int, Any] = {}  # position -> WorkloadOutput

    def put(self, position: int, output: Any) -> None:
        self.outputs[position] = output

    def reset(self) -> None:
        self.outputs.clear()

    def conversion(self, streamed: Any) -> Any:
        """The streamed conversion with its outputs, as ``convert.convert()`` without a sink gives it."""
        return replace(streamed, outputs=[self.outputs[position] for position in sorted(self.outputs)])


def render(fmt: str, conversion: Any, *, cfn_json: bool = False) -> Rendering:
    """``conversion`` is ``convert.convert()``'s result. Nothing converted means no files (the report says why)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown IaC format {fmt!r}")
    if not conversion.outputs:
        return Rendering(fmt, {})
    linked = link(conversion.outputs)
    if fmt == CLOUDFORMATION:
        from converter.write.iac import cloudformation  # lazy: only the format asked for is imported

        stack = cloudformation.build_stack(linked)
        del linked  # the stack holds what the text needs: a copy of the payloads less at the peak (issue 24)
        name = cloudformation.JSON_FILE if cfn_json else cloudformation.YAML_FILE
        text = cloudformation.render_text(stack, as_json=cfn_json)
        return Rendering(fmt, {name: text}, _quota_findings(stack, text, conversion.sources), stack)
    from converter.write.iac import terraform  # lazy: only the format asked for is imported

    configuration = terraform.build_configuration(linked)
    del linked  # as above
    return Rendering(fmt, terraform.render_files(configuration), [], configuration)


def _quota_findings(stack: Any, text: str, sources: list[Any]) -> list[Finding]:
    """K2E-E660 at the workload whose resources (or outputs) pass a stack quota; at the first one otherwise."""
    from converter.write.iac.cloudformation import QUOTAS  # lazy: only the format asked for is imported

    origins = {source.resource: Origin(resource=source.resource, file=source.file, line=source.line, path="")
               for source in sources}
    # Where each workload's resources and outputs end, counting from the log groups that open the template.
    ends = {"resources": [], "outputs": []}
    resources, outputs = len(stack.log_groups), 0
    for workload in stack.workloads:
        resources += 2 + (workload.scalable_target is not None) + len(workload.policies)
        outputs += 2
        ends["resources"].append((resources, workload))
        ends["outputs"].append((outputs, workload))
    counts = {"resources": len(stack.resources), "parameters": len(stack.parameters), "outputs": len(stack.outputs),
              "bytes": len(text.encode("utf-8"))}
    findings = []
    for what, count in counts.items():
        limit = QUOTAS[what]
        if count <= limit:
            continue
        # Parameters are shared, and the size is everyone's: no one workload passes those limits.
        culprit = next((w for end, w in ends.get(what, []) if end > limit), stack.workloads[0])
        findings.append(make_finding("K2E-E660", origins[culprit.resource],
                                     f"the CloudFormation template has {count} {what}; a stack holds at most {limit}"
                                     + (f" (passed at {culprit.resource})" if what in ends else "")))
    return findings
