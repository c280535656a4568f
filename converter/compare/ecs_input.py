"""ECS input -> the neutral CompareInput: convert to Kubernetes, then group each workload with its ECS objects.

A workload's section holds the task definition, service, scalable target and scaling policies the reverse
conversion made it from (``KubernetesOutput.inputs``); every other object (describe wrappers, a template's
own sections, resources that are not converted, a report.json) goes to the "other resources" section. The
targets are the generated manifests; ``ecs`` holds the input's own sizes and counts for the cost sketch.

Secrets: the ECS side names secrets by ARN (``secrets[].valueFrom``), which may be shown. The Default of a
CloudFormation parameter declared ``NoEcho`` is a secret value the template carries; it is replaced wherever
compare would show it (source, manifests, finding messages), and so is everything a sensitive Reader read.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable, Mapping

import yaml

from converter.report.baseline import review
from converter.compare.ecs_fields import CFN_KINDS, WRAPPED, EcsToKubernetes
from converter.compare.model import CompareInput, LazyTexts, SourceDocument, WorkloadInput
from converter.compare.sources import OTHER, OTHER_RESOURCE, REDACTED, Redactor, findings_by_source
from converter.core.errors import K2ecsError
from converter.core.findings import Finding
from converter.core.quantity import TaskSizeError, parse_task_size
from converter.core.settings import Settings

_REGION = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def from_ecs(documents: list[Any], settings: Settings, inputs: tuple[str, ...] = (),
             texts: Mapping[str, str] | None = None) -> CompareInput:
    """``texts`` is not read: an ECS document's pane names its nested documents and hides NoEcho values, so
    it is always written out from the scrubbed data."""
    from converter.pipeline.reverse import convert_to_kubernetes  # lazy: only the direction of the input is imported (converter.compare.inputs imports both adapters)

    conversion = convert_to_kubernetes(documents, settings)
    records = conversion.sources
    scrub = Scrubber(documents, records)
    findings = [scrub.finding(f) for f in review(conversion.findings, records)]
    owned = findings_by_source(findings, records)
    sources = [_source(index, records, owned.get(index, []), scrub) for index in range(len(records))]
    claimed: set[int] = set()
    workloads: list[WorkloadInput] = []
    for output in conversion.outputs:
        members = [i for i in (_claim(resource, records, claimed) for resource in output.inputs) if i is not None]
        workloads.append(_workload(output, [sources[i] for i in members], [records[i] for i in members], documents,
                                   scrub))
    rest = [i for i in range(len(records)) if i not in claimed]
    loose = owned.get(-1, [])
    if rest or loose:
        workloads.append(WorkloadInput(name=OTHER, resource=OTHER_RESOURCE, converted=False,
                                       sources=tuple(sources[i] for i in rest), targets={}, target_text={},
                                       findings=tuple(loose), ecs={}, is_workload=False))
    suffixes = {_format(record.file) for record in records}
    return CompareInput(source_side="ECS", target_side="Kubernetes", workloads=tuple(workloads),
                        field_map=EcsToKubernetes(), region=settings.region or _region(records), inputs=inputs,
                        source_format=" / ".join(sorted(suffixes)) or "JSON", target_format="YAML")


def _claim(resource: str, records: list[Any], claimed: set[int]) -> int | None:
    """The first converted record of that resource not yet in a section (outputs name their inputs by resource)."""
    for index, record in enumerate(records):
        if index not in claimed and record.resource == resource and record.status == "converted":
            claimed.add(index)
            return index
    return None


def _workload(output: Any, members: list[SourceDocument], records: list[Any], documents: list[Any],
              scrub: "Scrubber") -> WorkloadInput:
    from converter.write.kubernetes.dump import dump_documents  # lazy: only the direction of the input is imported (converter.compare.inputs imports both adapters)

    manifests = [scrub.data(document) for document in output.documents]
    targets: dict[str, Any] = {}
    text: dict[str, Callable[[], str]] = {}
    for manifest in manifests:
        kind = manifest.get("kind")
        if kind == "Service":
            targets.setdefault("Service", []).append(manifest)
        else:
            targets[kind] = manifest
        text[f"{kind}/{(manifest.get('metadata') or {}).get('name')}"] = functools.partial(dump_documents, [manifest])
    return WorkloadInput(name=output.name, resource=output.resource, converted=True, sources=tuple(members),
                         targets=targets, target_text=LazyTexts(text), findings=(), ecs=_ecs_side(records, documents))


def _kind(record: Any) -> str:
    return record.resource.split("/", 1)[0]


def _source(index: int, records: list[Any], findings: list[Finding], scrub: "Scrubber") -> SourceDocument:
    record = records[index]
    reader = record.reader
    document = reader.document
    data = scrub.data(document.data)
    if reader.sensitive:
        data = redact_all(data)
    nested = {tuple(other.reader.document.prefix[len(document.prefix):]): other.resource for other in records
              if other is not record and other.file == record.file
              and other.reader.document.index == document.index
              and len(other.reader.document.prefix) > len(document.prefix)
              and tuple(other.reader.document.prefix[: len(document.prefix)]) == tuple(document.prefix)}
    return SourceDocument(
        resource=record.resource, kind=_kind(record), file=record.file, line=record.line,
        prefix=tuple(document.prefix), data=data,
        text_of=lambda: _text(_shown(data, nested), record.file),
        consumed=frozenset(reader.consumed), visited=frozenset(reader.visited), status=record.status,
        findings=tuple(findings), sensitive=reader.sensitive or scrub.touches(document.data),
        nested=frozenset(nested), line_of=document.line_of,
        lines=(document.line, document.line_table) if data is document.data else None)


def _shown(data: Any, nested: dict[tuple[Any, ...], str]) -> Any:
    """The document as the source pane shows it: a subtree that is a document of its own is named, not repeated."""
    if not nested:
        return data

    def walk(node: Any, path: tuple[Any, ...]) -> Any:
        if path in nested:
            return f"(shown as {nested[path]})"
        if isinstance(node, dict):
            return {key: walk(value, path + (key,)) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, path + (i,)) for i, value in enumerate(node)]
        return node

    return walk(data, ())


def _format(file: str) -> str:
    return "JSON" if file.lower().endswith(".json") else "YAML"


def _text(data: Any, file: str) -> str:
    if _format(file) == "JSON":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def redact_all(node: Any) -> Any:
    """Every value replaced, keys kept: for a document a sensitive Reader read."""
    if isinstance(node, dict):
        return {key: redact_all(value) for key, value in node.items()}
    if isinstance(node, list):
        return [redact_all(value) for value in node]
    return REDACTED


def _region(records: list[Any]) -> str | None:
    """The region the input's ARNs name (a task role, a target group, a secret), for the cost sketch's note."""
    for record in records:
        found = _REGION.search(json.dumps(record.reader.document.data, default=str))
        if found is not None:
            return found[1]
    return None


# -- the ECS side for the cost sketch ---------------------------------------------------------------

def _ecs_side(records: list[Any], documents: list[Any]) -> dict[str, Any]:
    """The task size, launch type, desiredCount and Min/MaxCapacity of the input, as the API spells them."""
    side: dict[str, Any] = {}
    for record in records:
        kind = CFN_KINDS.get(_kind(record), _kind(record))
        try:
            view = _view(record, documents)
            if kind == "TaskDefinition":
                side["taskDefinition"] = _present({
                    "cpu": _size(view.get(("cpu",), str, int), "vcpu"),
                    "memory": _size(view.get(("memory",), str, int), "gb"),
                    "requiresCompatibilities": view.raw(("requiresCompatibilities",)),
                    "runtimePlatform": _present({key: view.get(("runtimePlatform", key), str)
                                                 for key in ("operatingSystemFamily", "cpuArchitecture")}),
                })
            elif kind == "Service":
                side["service"] = _present({"launchType": view.get(("launchType",), str),
                                            "desiredCount": view.get(("desiredCount",), int)})
            elif kind == "ScalableTarget":
                side["scaling"] = {"scalableTarget": _present({key: view.get((key,), int)
                                                               for key in ("MinCapacity", "MaxCapacity")})}
        except K2ecsError:
            continue  # the reverse conversion read these fields already; a value it could not read is not priced
    return side


def _view(record: Any, documents: list[Any]) -> Any:
    """A fresh view of the object (its own Reader, so the conversion's record of what it read is untouched)."""
    from converter.read.ecs import cloudformation  # lazy: only the direction of the input is imported (converter.compare.inputs imports both adapters)
    from converter.read.ecs.view import EcsView
    from converter.core.reader import Reader

    document = record.reader.document
    reader = Reader(document, record.resource)
    if _kind(record) in CFN_KINDS:
        parent = next(d for d in documents if d.file == document.file and d.index == document.index and not d.prefix)
        return EcsView(reader, ("Properties",), cloudformation.template_of(parent))
    wrapper = WRAPPED.get(_kind(record))
    data = document.data
    base = (wrapper,) if wrapper is not None and isinstance(data, dict) and isinstance(data.get(wrapper), dict) else ()
    return EcsView(reader, base)


def _size(value: Any, unit: str) -> int | None:
    """Task cpu/memory as the conversion reads it (converter.core.quantity.parse_task_size); None where it refuses it."""
    if value is None:
        return None
    try:
        return parse_task_size(value, cpu=unit == "vcpu")
    except TaskSizeError:
        return None


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None and value != {}}


# -- secrets ----------------------------------------------------------------------------------------

def _leaves(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaves(value)]
    if isinstance(node, list):
        return [leaf for value in node for leaf in _leaves(value)]
    return [] if node is None or isinstance(node, bool) or str(node) == "" else [str(node)]


class Scrubber(Redactor):
    """The values to replace on the ECS side: the Defaults of NoEcho CloudFormation parameters, and every value
    of a document its Reader marks sensitive (so what was made from it cannot show them either)."""

    def __init__(self, documents: list[Any], records: list[Any]) -> None:
        values: set[str] = set()
        for record in records:
            if record.reader.sensitive:
                values.update(_leaves(record.reader.document.data))
        for document in documents:
            parameters = document.data.get("Parameters") if isinstance(document.data, dict) else None
            for declaration in (parameters or {}).values() if isinstance(parameters, dict) else ():
                if isinstance(declaration, dict) and str(declaration.get("NoEcho", "")).lower() == "true" \
                        and declaration.get("Default") not in (None, ""):
                    values.add(str(declaration["Default"]))
        super().__init__(values)
