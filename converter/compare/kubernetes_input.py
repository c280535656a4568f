"""Kubernetes input -> the neutral CompareInput: convert, then group each workload with its documents.

A workload's section holds its Deployment or StatefulSet, the Services that select it, the HPA that scales
it and the ConfigMaps, Secrets and ServiceAccounts it refers to; every other document goes to one
"other resources" section, so each document of the input is shown somewhere. Grouping reads the raw
documents with the same rules the conversion applies (selector subset, scaleTargetRef, same namespace).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Mapping

import yaml

from converter.core import jsontext
from converter.compare.kubernetes_fields import KubernetesToEcs
from converter.compare.model import CompareInput, LazyTexts, SourceDocument, WorkloadInput
from converter.report.baseline import review
from converter.compare.source_text import SourceText
from converter.compare.flagged import PLAIN_CREDENTIAL, flagged_values
from converter.compare.payloads import PayloadSpool, Pinned, Spooled
from converter.compare.sources import OTHER, OTHER_RESOURCE, REDACTED, Redactor, findings_by_source
from converter.core.findings import Finding
from converter.core.settings import Settings

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
# Fields of a Secret that may be shown; every other value is replaced, keys stay (they name ARNs).
SECRET_SHOWN = {("apiVersion",), ("kind",), ("type",), ("metadata", "name"), ("metadata", "namespace")}
_REFERENCE_KEYS = {"configMapKeyRef": "ConfigMap", "configMapRef": "ConfigMap", "configMap": "ConfigMap",
                   "secretKeyRef": "Secret", "secretRef": "Secret", "secret": "Secret"}


def from_kubernetes(documents: list[Any], settings: Settings, inputs: tuple[str, ...] = (),
                    texts: Mapping[str, str] | None = None) -> CompareInput:
    """``texts``: each input file's text by its name, from which the page shows the documents (source_text)."""
    from converter.pipeline.convert import convert  # lazy: only the direction of the input is imported (converter.compare.inputs imports both adapters)

    spool = PayloadSpool()  # each workload's payloads as bytes until its section (converter.compare.payloads)
    conversion = convert(documents, settings, sink=spool)
    # Before review: a value stays hidden when its finding is accepted in a baseline.
    scrub = Redactor(flagged_values(conversion.findings, conversion.sources,
                                    _flagged_outputs(conversion.findings, spool.outputs)))
    findings = [scrub.finding(f) for f in review(conversion.findings, conversion.sources)]
    owned = findings_by_source(findings, conversion.sources)
    shown = SourceText(texts)
    sources = _sources(conversion.sources, owned, shown, scrub)
    outputs = _OutputIndex(spool.outputs)
    attached = attach(sources)
    workloads: list[WorkloadInput] = []
    shown: set[int] = set()
    for index, source in enumerate(sources):
        if not _is_workload(source):
            continue
        members = [index] + attached.get(index, [])
        shown.update(members)
        workloads.append(_workload(source, outputs.take(source), [sources[i] for i in members], scrub))
    rest = [i for i in range(len(sources)) if i not in shown]
    loose = owned.get(-1, [])
    if rest or loose:
        workloads.append(WorkloadInput(name=OTHER, resource=OTHER_RESOURCE, converted=False,
                                       sources=tuple(sources[i] for i in rest), targets={}, target_text={},
                                       findings=tuple(loose), ecs={}, is_workload=False))
    return CompareInput(source_side="Kubernetes", target_side="ECS", workloads=tuple(workloads),
                        field_map=KubernetesToEcs(), region=settings.region, inputs=inputs,
                        calls=call_dicts(getattr(conversion, "calls", None)))


def call_dicts(calls: Any) -> tuple[dict[str, Any], ...]:
    """The conversion's call graph as plain dicts (report.json's ``calls``), whatever type holds each call.

    The call graph is made by the conversion (service-to-service reachability); a conversion without one
    gives an empty tuple, and the diagram draws its nodes without call edges."""
    if calls is None:
        return ()
    out = []
    for call in calls:
        if isinstance(call, dict):
            out.append(dict(call))
        elif hasattr(call, "as_dict"):
            out.append(dict(call.as_dict()))
        elif dataclasses.is_dataclass(call):
            out.append(dataclasses.asdict(call))
    return tuple(out)


class _TaskDefinition:
    """An output as flagged_values reads it: its resource and task definition."""

    def __init__(self, resource: str, task_definition: dict[str, Any]) -> None:
        self.resource, self.task_definition = resource, task_definition


def _flagged_outputs(findings: list[Finding], outputs: list[Spooled]) -> list[_TaskDefinition]:
    """The task definitions of the resources a K2E-W152 finding is about (the only ones flagged_values reads)."""
    flagged = {finding.resource for finding in findings if finding.code == PLAIN_CREDENTIAL}
    return [_TaskDefinition(output.resource, output.payloads()["taskDefinition"])
            for output in outputs if output.resource in flagged]


class _OutputIndex:
    """The conversion's outputs by resource, each taken once (outputs keep the workloads' order)."""

    def __init__(self, outputs: list[Spooled]) -> None:
        self.by_resource: dict[str, list[Spooled]] = {}
        for output in outputs:
            self.by_resource.setdefault(output.resource, []).append(output)

    def take(self, source: SourceDocument) -> Spooled | None:
        """The payloads of a workload: same resource, and the same namespace tag when there is one."""
        candidates = self.by_resource.get(source.resource, [])
        namespace = _namespace(source)
        untagged = None
        for output in candidates:
            if (output.namespace if output.tagged() else None) == namespace:
                candidates.remove(output)
                return output
            if not output.tagged() and untagged is None:
                untagged = output  # the tag can be dropped (ECS allows 50 tags): fall back to input order
        if untagged is not None:
            candidates.remove(untagged)
        return untagged


def _workload(source: SourceDocument, output: Spooled | None, members: list[SourceDocument],
              scrub: Redactor) -> WorkloadInput:
    targets: dict[str, Any] = {}
    labels: tuple[str, ...] = ()
    if output is not None:
        targets = Pinned(functools.partial(_scrubbed, output, scrub))  # filled while pinned (compare.payloads)
        labels = ("taskDefinition", "service", "scaling") if output.packed_scaling is not None else ("taskDefinition", "service")
    # jsontext: json.dumps(indent=2)'s text without its pure-Python encoder (a tenth of compare at 1 MB, issue 24).
    # The page asks for a payload's text while the workload's section is written, its payloads pinned.
    text = LazyTexts({label: functools.partial(_json, targets, label) for label in labels})
    name = output.name if output is not None else source.resource.split("/", 1)[1]
    return WorkloadInput(name=name, resource=source.resource, converted=output is not None, sources=tuple(members),
                         targets=targets, target_text=text, findings=(), ecs=targets)


def _sources(records: list[Any], owned: dict[int, list[Finding]], shown: SourceText,
             scrub: Redactor) -> list[SourceDocument]:
    """Each record's SourceDocument, which takes its reader's sets of the paths read and looked into as they
    are: the reader lets go of them once its last record is made (nothing else reads them after, and nothing
    adds to them once the conversion is over). They were copied into frozensets while the reader kept its own
    to the end: both held at once, about 30 MB at a 10 MB bundle (issue 24), and the copies' time."""
    last = {id(record.reader): index for index, record in enumerate(records)}
    sources = []
    for index, record in enumerate(records):
        sources.append(_source(record, owned.get(index, []), shown, scrub))
        reader = record.reader
        if last[id(reader)] == index:
            reader.consumed = reader.visited = None
    return sources


def _scrubbed(output: Spooled, scrub: Redactor) -> dict[str, Any]:
    return {label: scrub.data(payload) for label, payload in output.payloads().items()}


def _json(targets: dict[str, Any], label: str) -> str:
    return jsontext.dumps(targets[label])


def _source(record: Any, findings: list[Finding], shown: SourceText, scrub: Redactor) -> SourceDocument:
    reader = record.reader
    document = reader.document
    sensitive = reader.sensitive
    data = redact(document.data) if sensitive else scrub.data(document.data)
    return SourceDocument(
        resource=record.resource, kind=record.resource.split("/", 1)[0], file=record.file, line=record.line,
        prefix=tuple(document.prefix), data=data,
        # The text's maker holds the document, not the reader (whose sets of what it read are handed over below).
        text_of=lambda: _text(document, data, sensitive, shown, scrub),
        consumed=reader.consumed, visited=reader.visited, status=record.status,
        findings=tuple(findings), sensitive=sensitive or data is not document.data, line_of=document.line_of,
        lines=(document.line, document.line_table) if data is document.data else None)


def _text(document: Any, data: Any, sensitive: bool, shown: SourceText, scrub: Redactor) -> str:
    """The document's own lines from the input (source_text), or, for a Secret, any document a sensitive reader
    read, a List item, a document whose lines hold a value flagged as a credential (compare.flagged), or where
    the input's text may not be shown, the (redacted) data written out as YAML."""
    if not sensitive and not _is_secret(document.data) and not document.prefix:
        text = shown.document(document.file, document.line)
        if text is not None and not scrub.shows(text):
            return text
    return yaml_text(data)


def _is_secret(data: Any) -> bool:
    """The loader's own test for the documents whose values it redacts (converter/load/document_checks.py)."""
    kind = data.get("kind") if isinstance(data, dict) else None
    return isinstance(kind, str) and kind.lower() == "secret"


# libyaml's emitter (CSafeDumper) writes what PyYAML's pure-Python SafeDumper writes for these options, at a
# fraction of the cost, except where a string holds a character it must escape (a newline, a tab): the two
# fold long double-quoted scalars at different places. Such documents keep the pure-Python emitter, so the page
# shows the same text either way (tests/test_compare_linear.py compares the two over samples/ and the corpus).
_FAST_DUMPER = getattr(yaml, "CSafeDumper", None)


def yaml_text(data: Any) -> str:
    """A source document as the page shows it: block style, keys in input order, lines up to 100 characters."""
    dumper = yaml.SafeDumper if _FAST_DUMPER is None or _escapes(data) else _FAST_DUMPER
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def _escapes(node: Any) -> bool:
    """Whether a key or value of ``node`` is a string with a character YAML writes escaped."""
    if isinstance(node, str):
        return not node.isprintable()
    if isinstance(node, dict):
        return any(_escapes(key) or _escapes(value) for key, value in node.items())
    if isinstance(node, list):
        return any(_escapes(value) for value in node)
    return False


def redact(node: Any, path: tuple[Any, ...] = ()) -> Any:
    """A Secret with every value replaced except its identity; keys stay, since they only name ARNs."""
    if isinstance(node, dict):
        return {key: redact(value, path + (key,)) for key, value in node.items()}
    if isinstance(node, list):
        return [redact(value, path + (index,)) for index, value in enumerate(node)]
    return node if path in SECRET_SHOWN else REDACTED


def _namespace(source: SourceDocument) -> str | None:
    metadata = source.data.get("metadata") if isinstance(source.data, dict) else None
    value = metadata.get("namespace") if isinstance(metadata, dict) else None
    return value if isinstance(value, str) else None


def _same_namespace(a: SourceDocument, b: SourceDocument) -> bool:
    first, second = _namespace(a), _namespace(b)
    return first is None or second is None or first == second


def _get(data: Any, *path: Any) -> Any:
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def _is_workload(source: SourceDocument) -> bool:
    return source.kind in WORKLOAD_KINDS and source.status == "converted"


def _pod_labels(source: SourceDocument) -> dict[Any, Any]:
    labels = _get(source.data, "spec", "template", "metadata", "labels")
    return labels if isinstance(labels, dict) else {}


def attach(sources: list[SourceDocument]) -> dict[int, list[int]]:
    """Workload index -> indexes of the other documents shown with it, in input order.

    A Service joins the one converted workload it selects (none when it selects several: it is shown with
    the other resources); an HPA the workload its scaleTargetRef names; a ConfigMap, Secret or
    ServiceAccount each workload that refers to it; always within one namespace. Linear in the documents:
    workloads are indexed by pod label and by name, documents by (kind, name), and a Service looks only at
    the workloads that carry its rarest selector label (Helm gives every selector the same release label)."""
    workloads = [i for i, source in enumerate(sources) if _is_workload(source)]
    by_label: dict[tuple[Any, str], list[int]] = {}
    by_name: dict[tuple[str, str], list[int]] = {}
    for index in workloads:
        for key, value in _pod_labels(sources[index]).items():
            by_label.setdefault((key, str(value)), []).append(index)
        source = sources[index]
        by_name.setdefault((source.kind.lower(), source.resource.split("/", 1)[1]), []).append(index)
    by_reference: dict[tuple[str, str], list[int]] = {}
    members: dict[int, set[int]] = {}
    for other, source in enumerate(sources):
        if source.kind == "Service":
            chosen = _selected(source, sources, by_label)
            if chosen is not None:
                members.setdefault(chosen, set()).add(other)
        elif source.kind == "HorizontalPodAutoscaler":
            target = _get(source.data, "spec", "scaleTargetRef") or {}
            name = target.get("name") if isinstance(target, dict) else None
            if isinstance(name, str):
                for index in by_name.get((str(target.get("kind", "")).lower(), name), []):
                    if _same_namespace(sources[index], source):
                        members.setdefault(index, set()).add(other)
        else:
            by_reference.setdefault((source.kind, source.resource.partition("/")[2]), []).append(other)
    for index in workloads:
        for reference in _references(_get(sources[index].data, "spec", "template", "spec")):
            for other in by_reference.get(reference, []):
                if other != index and _same_namespace(sources[index], sources[other]):
                    members.setdefault(index, set()).add(other)
    return {index: sorted(found) for index, found in members.items()}


def _selected(service: SourceDocument, sources: list[SourceDocument],
              by_label: dict[tuple[Any, str], list[int]]) -> int | None:
    """The one converted workload of the Service's namespace it selects, or None (none, or several)."""
    selector = _get(service.data, "spec", "selector")
    if not isinstance(selector, dict) or not selector:
        return None
    buckets = [by_label.get((key, str(value)), []) for key, value in selector.items()]
    rarest = min(buckets, key=len)
    matches = [i for i in rarest if _same_namespace(sources[i], service) and _selects(service, _pod_labels(sources[i]))]
    return matches[0] if len(matches) == 1 else None


def _selects(service: SourceDocument, labels: dict[str, Any]) -> bool:
    selector = _get(service.data, "spec", "selector")
    if _get(service.data, "spec", "type") == "ExternalName" or not isinstance(selector, dict) or not selector:
        return False
    return isinstance(labels, dict) and all(str(labels.get(k)) == str(v) and k in labels for k, v in selector.items())


def _references(pod: Any) -> set[tuple[str, str]]:
    """(kind, name) of every ConfigMap, Secret and ServiceAccount a pod spec refers to."""
    found: set[tuple[str, str]] = set()
    if not isinstance(pod, dict):
        return found
    account = pod.get("serviceAccountName") or pod.get("serviceAccount")
    if isinstance(account, str):
        found.add(("ServiceAccount", account))
    for item in pod.get("imagePullSecrets") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            found.add(("Secret", item["name"]))

    # A loop over a stack: a nested function calling itself is a reference cycle, garbage that stays while
    # compare runs with the cyclic GC paused (cli_common.built_without_gc). ``found`` is a set: order is free.
    stack = [pod]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                kind = _REFERENCE_KEYS.get(key)
                if kind is not None and isinstance(value, dict):
                    name = value.get("secretName") if key == "secret" else value.get("name")
                    if isinstance(name, str):
                        found.add((kind, name))
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found
