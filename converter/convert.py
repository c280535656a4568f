"""The conversion pipeline: documents -> neutral model -> ECS payloads -> validation.

Pure: returns a Conversion (outputs plus findings); never prints, writes or exits. Parsers are chosen
from explicit registries keyed by lower-case kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from converter.calls import Call, CallGraph, rewrite_unserved_names
from converter.ecs.scaling import render_scaling
from converter.ecs.service import render_service
from converter.ecs.service_wiring import port_mapping_name, selects, wire_exposures
from converter.ecs.plaintext_secrets import plaintext_secret_findings
from converter.ecs.sizing import NoTaskSize, size_task
from converter.ecs.target_ports import declare_target_ports
from converter.ecs.taskdef import render_task_definition
from converter.ecs.validate import validate_payloads
from converter.ecs.validate_rules import serialized_size_bytes
from converter.errors import DocumentError, InputError, OutputValidationError
from converter.inputs import Skipped
from converter.findings import Finding, Origin, make_finding, sort_findings
from converter.kubernetes.context import ParseContext, Referenced
from converter.kubernetes.hpa import parse_hpa
from converter.kubernetes.reader import Reader
from converter.kubernetes.service import parse_service
from converter.kubernetes.workload import parse_deployment, parse_statefulset
from converter.loader import Document, Unreadable
from converter.model import Autoscaling, Exposure, Workload
from converter.resources import load_schema
from converter.settings import Settings
from converter.workload_names import colliding, name_collision, workload_ecs_name

Parser = Callable[[Reader, ParseContext], Any]

WORKLOAD_PARSERS: dict[str, tuple[str, Parser]] = {
    "deployment": ("Deployment", parse_deployment),
    "statefulset": ("StatefulSet", parse_statefulset),
}
EXPOSURE_PARSERS: dict[str, tuple[str, Parser]] = {"service": ("Service", parse_service)}
SCALER_PARSERS: dict[str, tuple[str, Parser]] = {"horizontalpodautoscaler": ("HorizontalPodAutoscaler", parse_hpa)}
REFERENCED_KINDS = {"configmap": "ConfigMap", "secret": "Secret", "serviceaccount": "ServiceAccount"}
EXPECTED_API_VERSIONS = {
    "deployment": {"apps/v1"},
    "statefulset": {"apps/v1"},
    "service": {"v1"},
    # HorizontalPodAutoscaler versions differ in shape; its parser checks and reports the version itself.
}


@dataclass
class WorkloadOutput:
    name: str  # file stem: <name>.taskdef.json ...
    resource: str
    task_definition: dict[str, Any]
    service: dict[str, Any]
    scaling: dict[str, Any] | None


@dataclass(slots=True)  # one per input document, kept to the end of the run
class SourceRecord:
    """One input document and what became of it (for the report and the no-silent-loss tests)."""

    resource: str
    file: str
    line: int
    status: str  # converted | referenced | not-converted
    reader: Reader = field(repr=False)


@dataclass
class Conversion:
    outputs: list[WorkloadOutput]
    findings: list[Finding]
    sources: list[SourceRecord]
    calls: list[Call] = field(default_factory=list)  # the service-to-service call graph (converter.calls)


def convert(documents: Iterable[Document], settings: Settings, *, release: bool = False) -> Conversion:
    """``documents`` are read once, in order.

    ``release``: finish each reader as soon as its document is parsed, and let it forget the paths it
    read and all of its document but the metadata (``Reader.release``). For callers that ask a source's
    reader for nothing but its metadata afterwards, such as the CLI: with a ``documents`` iterator that
    lets go of each document, a large bundle is not held in memory twice (docs/PERFORMANCE.md)."""
    intake = Intake(settings, release=release)
    pending = [item for item in map(intake.admit, documents) if item is not None]
    workloads: list[Workload] = []
    exposures: list[Exposure] = []
    scalers: list[Autoscaling] = []
    record_of: dict[int, SourceRecord] = {}
    for item in pending:
        result = intake.parse(item)
        if result is not None:
            key = item[0]
            (workloads if key in WORKLOAD_PARSERS else exposures if key in EXPOSURE_PARSERS else scalers).append(result)
            record_of[id(result)] = item[3]
    intake.close_referenced()
    intake.check_something_read()
    findings: list[Finding] = []
    contributed: set[int] = set()
    graph = CallGraph(exposures)
    outputs = _render_all(workloads, exposures, scalers, settings, findings, contributed, intake.seen, graph)
    for model_id, record in record_of.items():
        if model_id not in contributed:
            record.status = "not-converted"  # parsed, but nothing of it is in the output (its findings say why)
    calls = graph.calls()
    findings.extend(graph.findings(calls))
    return Conversion(outputs=outputs, findings=intake.all_findings(findings, intake.sources), sources=intake.sources,
                      calls=calls)


Pending = tuple[str, Reader, Parser, SourceRecord]


class Intake:
    """Documents in: each identified, checked for duplicates and sorted into what is parsed, what is
    referenced and what is not converted (one place for convert() and converter.streaming)."""

    def __init__(self, settings: Settings, *, release: bool = False) -> None:
        self.context = ParseContext(settings=settings)
        self.release = release
        self.finished: set[int] = set()  # id() of the readers finished early (release)
        self.sources: list[SourceRecord] = []
        self.seen: dict[tuple[str, str | None, str], SourceRecord] = {}
        self.loose: list[Finding] = []  # findings of no document: skipped files and folders
        self.read_any = False  # a document was read (and, when parsed, parsed) without an error
        self.first_error: InputError | None = None  # of a document that could not be read or is not valid
        self.first_skipped: str | None = None
        self.superseded: set[int] = set()  # id() of the records a later declaration replaced

    def done(self, reader: Reader) -> None:
        if self.release:
            reader.finish()
            reader.release()
            self.finished.add(id(reader))

    def admit(self, document: Document | Unreadable | Skipped) -> Pending | None:
        """The document's source record is added; returned when it is to be parsed. A document that cannot
        be read, or has no kind, is one error finding (K2E-E030), and a skipped file or folder one info."""
        if isinstance(document, Skipped):
            self.loose.append(skipped_finding(document))
            self.first_skipped = self.first_skipped or f"{document.file}: {document.message}"
            return None
        if isinstance(document, Unreadable):
            self._unreadable(document.error, document.guess or _whole_or_document(document))
            return None
        try:
            key, canonical, name, namespace = _identify(document)
        except InputError as err:
            self._unreadable(err, f"document {document.index + 1}", document)
            return None
        reader = Reader(document, f"{canonical}/{name}", sensitive=key == "secret")
        record = SourceRecord(reader.resource, document.file, document.line, "not-converted", reader)
        identity = (canonical, namespace, name)
        self.sources.append(record)
        for path, duplicate, first_line, line in document.duplicates:
            reader.note(path + (duplicate,), "K2E-E032", f"key {duplicate!r} is given twice (lines {first_line} and {line}); the "
                                          f"value at line {line} is used, as kubectl's decoder keeps the last", covers=False)
        first = self.seen.get(identity)
        if first is not None:
            # kubectl apply -f applies documents in order (a folder's files in lexical order), so the last
            # declaration is what the cluster keeps: the earlier one is replaced, whatever its kind.
            first.reader.findings.append(make_finding(
                "K2E-E007", Origin(resource=first.resource, file=first.file, line=first.line, path=""),
                f"{canonical} {name} is declared again at {document.file}:{document.line}; the later declaration is converted"))
            first.status = "not-converted"
            self.superseded.add(id(first))
            if id(first.reader) not in self.finished:
                first.reader.take(())
            self.context.referenced.pop(identity, None)
        self.seen[identity] = record
        version = document.data.get("apiVersion")
        if key in EXPECTED_API_VERSIONS and isinstance(version, str) and version not in EXPECTED_API_VERSIONS[key]:
            reader.note(("apiVersion",), "K2E-W006", f"{canonical} with apiVersion {version!r} read as {sorted(EXPECTED_API_VERSIONS[key])[-1]}")
        if key not in WORKLOAD_PARSERS and key not in EXPOSURE_PARSERS and key not in SCALER_PARSERS:
            self.read_any = True  # parsed ones count once they parse (parse)
        if key in REFERENCED_KINDS:
            self.context.referenced[identity] = Referenced(reader=reader)
            record.status = "referenced"
        elif key in WORKLOAD_PARSERS or key in EXPOSURE_PARSERS or key in SCALER_PARSERS:
            parser = (WORKLOAD_PARSERS.get(key) or EXPOSURE_PARSERS.get(key) or SCALER_PARSERS[key])[1]
            return (key, reader, parser, record)
        else:
            _not_converted(reader, key, canonical, name)
            self.done(reader)
        return None

    def parse(self, item: Pending) -> Any:
        """The neutral model of a pending document, or None (then its findings say why). A document that does
        not validate (a field of the wrong type or value, as the API server would refuse it) is one error
        finding (K2E-E031) and is not converted; the rest of the run goes on."""
        _, reader, parser, record = item
        if id(record) in self.superseded:
            self.done(reader)
            return None
        try:
            result = parser(reader, self.context)
        except DocumentError as err:
            reader.findings.clear()  # what it said before it failed is about a document not converted
            reader.note(err.path, "K2E-E031", err.detail)
            reader.take(())
            self.first_error = self.first_error or err
            self.done(reader)
            return None
        self.read_any = True
        self.done(reader)  # nothing reads or notes a workload, Service or HPA document after its parser
        if result is not None:
            record.status = "converted"
        return result

    def _unreadable(self, error: InputError, resource: str, document: Document | None = None) -> None:
        stub = Document(error.file or "<input>", 0 if document is None else document.index, {},
                        error.line if error.line is not None else 1, {})
        reader = Reader(stub, resource)
        line = stub.line if document is None else document.line  # the record's line is where the document starts
        record = SourceRecord(resource, stub.file, line, "not-converted", reader)
        self.sources.append(record)
        reader.note(getattr(error, "path", ()), "K2E-E030", error.message)
        self.first_error = self.first_error or error
        self.done(reader)

    def check_something_read(self) -> None:
        """Exit 3 (InputError) when the input yields nothing at all: no document of it could be read and
        validated. Otherwise each broken document is its finding, and the run's status follows --fail-on."""
        if self.read_any:
            return
        if self.first_error is not None:
            raise self.first_error
        if self.first_skipped is not None:
            raise InputError(f"no manifest in the input: {self.first_skipped}")

    def close_referenced(self) -> None:
        """After every workload is parsed: name the referenced objects no workload used."""
        for referenced in self.context.referenced.values():
            reader = referenced.reader
            if not referenced.used:
                reader.note((), "K2E-I002", f"{reader.resource} is not referred to by any converted workload")
            reader.take(())  # referenced objects are read through the workloads; values are never copied wholesale
            self.done(reader)

    def all_findings(self, findings: list[Finding], sources: list[SourceRecord]) -> list[Finding]:
        """``findings`` (linking and rendering), then each source's, sorted for the report."""
        findings.extend(self.loose)
        for record in sources:
            findings.extend(record.reader.findings if id(record.reader) in self.finished else record.reader.finish())
        sort_findings(findings)
        return findings


def _identify(document: Document) -> tuple[str, str, str, str | None]:
    data = document.data
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise InputError("document has no kind (is it a Kubernetes manifest?)", file=document.file,
                         line=document.line_of(("kind",)))
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    key = kind.lower()
    canonical = (WORKLOAD_PARSERS.get(key) or EXPOSURE_PARSERS.get(key) or SCALER_PARSERS.get(key) or (None,))[0]
    canonical = canonical or REFERENCED_KINDS.get(key) or _known_kinds().get(key, {}).get("kind") or kind
    return key, canonical, str(name) if name is not None else "(unnamed)", namespace if isinstance(namespace, str) else None


def _whole_or_document(unreadable: Unreadable) -> str:
    return "(file)" if unreadable.index is None else f"document {unreadable.index + 1}"


def skipped_finding(skipped: Skipped) -> Finding:
    return make_finding(skipped.code, Origin(resource="(not a manifest)", file=skipped.file, line=None, path=""),
                        skipped.message)


def _known_kinds() -> dict[str, dict[str, str]]:
    return load_schema("kinds.json")


def _not_converted(reader: Reader, key: str, canonical: str, name: str) -> None:
    info = _known_kinds().get(key)
    if info is None:
        version = reader.document.data.get("apiVersion", "?")
        reader.note((), "K2E-W001", f"{canonical} {name} ({version}) is not a kind k2ecs converts",
                    "If it is an operator's custom resource, find the AWS service that plays the operator's role.")
    else:
        reader.note((), "K2E-W001", f"{canonical} {name} is not converted: {info['why']}", info["suggestion"])
    reader.take(())


def _render_all(workloads: list[Workload], exposures: list[Exposure], scalers: list[Autoscaling],
                settings: Settings, findings: list[Finding], contributed: set[int],
                declared: dict | None = None, graph: CallGraph | None = None) -> list[WorkloadOutput]:
    attached: dict[int, list[Exposure]] = {id(w): [] for w in workloads}
    # Index workloads by each pod label, so a Service is matched against the few workloads that carry
    # its first selector label rather than against all of them (large bundles stay linear).
    by_label: dict[tuple[str, str], list[Workload]] = {}
    for workload in workloads:
        for label in workload.pod_labels:
            by_label.setdefault(label, []).append(workload)
    for exposure in exposures:
        if exposure.type == "ExternalName" or not exposure.selector:
            continue
        candidates = by_label.get(tuple(exposure.selector[0]), [])
        matches = [w for w in candidates if same_namespace(w.namespace, exposure.namespace) and selects(exposure, w)]
        if not matches:
            findings.append(selects_nothing(exposure))
        else:
            if len(matches) > 1:
                findings.append(selects_several(exposure, [w.resource for w in matches]))
            attached[id(matches[0])].append(exposure)  # several: the first serves the names (K2E-W403)
    scalers_of: dict[int, list[Autoscaling]] = {}
    by_name: dict[tuple[str, str], list[Workload]] = {}
    for workload in workloads:
        by_name.setdefault((workload.kind, workload.name), []).append(workload)
    for scaler in scalers:
        target = next((w for w in by_name.get((scaler.target_kind, scaler.target_name), [])
                       if same_namespace(w.namespace, scaler.namespace)), None)
        if target is None:
            findings.append(scales_nothing(scaler, declared))
        else:
            scalers_of.setdefault(id(target), []).append(scaler)
    scaler_for: dict[int, Autoscaling] = {}
    for workload in workloads:
        several = scalers_of.get(id(workload), [])
        if len(several) > 1:
            findings.extend(ambiguous_scalers(several, workload.resource))
        elif several:
            scaler_for[id(workload)] = several[0]

    outputs: list[WorkloadOutput] = []
    collisions = colliding(workloads)
    for workload in workloads:
        if id(workload) in collisions:
            findings.append(name_collision(workload, collisions[id(workload)]))
            continue
        name = workload_ecs_name(workload)
        if name != workload.name:
            findings.append(renamed(workload, name))
        output = render_workload(workload, name, attached[id(workload)], scaler_for.get(id(workload)), settings, findings,
                                 contributed, graph=graph)
        if output is not None:
            outputs.append(output)
    return outputs


def selects_nothing(exposure: Exposure) -> Finding:
    return make_finding("K2E-W404", exposure.origin, f"Service {exposure.name} selects no converted workload")


def selects_several(exposure: Exposure, resources: list[str]) -> Finding:
    return make_finding("K2E-W403", exposure.origin,
                        f"Service {exposure.name} selects {', '.join(resources)}; its names are served by {resources[0]} "
                        f"alone, so {', '.join(resources[1:])} get no traffic through them")


def scales_nothing(scaler: Autoscaling, declared: dict | None = None) -> Finding:
    """K2E-E505, saying what the target reference met: ``declared`` is Intake.seen (converter.references)."""
    from converter.references import what_was_met

    met = "which was not converted" if declared is None else \
        what_was_met(scaler.target_kind, scaler.target_name, scaler.namespace, declared,
                     frozenset(canonical for canonical, _ in WORKLOAD_PARSERS.values()))
    return make_finding("K2E-E505", scaler.origin, f"HorizontalPodAutoscaler {scaler.name} scales "
                                                   f"{scaler.target_kind}/{scaler.target_name}, {met}")


def ambiguous_scalers(scalers: list[Autoscaling], resource: str) -> list[Finding]:
    """Several HPAs scale one workload: the HPA controller refuses to act on any of them
    (validateAndParseSelector, pkg/controller/podautoscaler/horizontal.go: "pods by selector ... are controlled
    by multiple HPAs", ScalingActive False, AmbiguousSelector), so none is converted (K2E-E507)."""
    names = ", ".join(s.name for s in scalers)
    return [make_finding("K2E-E507", scaler.origin,
                         f"HorizontalPodAutoscalers {names} all scale {resource}; the HPA controller scales none of "
                         "them (AmbiguousSelector), so no scaling was written and the service keeps its replicas")
            for scaler in scalers]


def renamed(workload: Workload, name: str) -> Finding:
    return make_finding("K2E-I308", workload.origin, f"{workload.resource} is named {name} on ECS")


def same_namespace(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _port_names(workload: Workload) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    used: set[str] = set()
    for container in workload.containers:
        for port in container.ports:
            name = port_mapping_name(container.name, port.container_port, port.name)
            if name in used:  # a port name may repeat across containers in Kubernetes, not in ECS
                name = port_mapping_name(container.name, port.container_port, None)
            used.add(name)
            names[(container.name, port.container_port)] = name
    return names


def render_workload(workload: Workload, name: str, exposures: list[Exposure], scaler: Autoscaling | None,
                    settings: Settings, findings: list[Finding], contributed: set[int] | None = None, *,
                    validate: bool = True, graph: CallGraph | None = None) -> WorkloadOutput | None:
    """The workload's payloads, or None when it cannot be converted (with the findings that say why).

    ``contributed`` receives the id() of each model that reached the output: the workload, the scaler and
    the Services whose ports were wired (the report's resource status, converted or not-converted).
    ``validate=False``: the caller passes the output to validate_output() itself, before using it.
    ``graph``: the run's call graph; the workload's calls and what its ECS service serves are added to it, and
    names of Services it cannot serve are rewritten first (K2E-W434)."""
    max_containers = load_schema("ecs_rules.json")["task_definition"]["max_containers"]
    if len(workload.containers) > max_containers:
        findings.append(make_finding("K2E-E144", workload.origin,
                                     f"{workload.resource} has {len(workload.containers)} containers; an ECS task holds at most {max_containers}; not converted"))
        return None
    twin = _repeated_container(workload)
    if twin is not None:
        findings.append(make_finding("K2E-E150", twin.origin.at(twin.origin.path + "/name"),
                                     f"{workload.resource} has two containers named {twin.name!r}; not converted"))
        return None
    findings.extend(plaintext_secret_findings(workload.resource, workload.containers))
    parsed = workload
    workload, port_findings = declare_target_ports(workload, exposures)
    findings.extend(port_findings)
    if graph is not None:
        workload, rewrite_findings = rewrite_unserved_names(workload, graph.index)
        findings.extend(rewrite_findings)
    port_names = _port_names(workload)
    wiring, wiring_findings = wire_exposures(workload, exposures, port_names, settings)
    findings.extend(wiring_findings)
    try:
        size, size_findings = size_task(workload, settings, service_connect_proxy=wiring.needs_service_connect_proxy)
    except NoTaskSize as err:
        findings.extend(err.args[0])
        return None
    findings.extend(size_findings)
    taskdef, task_findings = render_task_definition(
        workload, settings, family=name, size=size,
        port_name=lambda container, port, _declared: port_names[(container, port)],
        app_protocols=wiring.app_protocols, behind_load_balancer=bool(wiring.load_balancers))
    findings.extend(task_findings)
    size_bytes, max_bytes = serialized_size_bytes(taskdef), load_schema("ecs_rules.json")["task_definition"]["max_size_bytes"]
    if size_bytes > max_bytes:
        findings.append(make_finding("K2E-E151", workload.origin,
                                     f"{workload.resource}'s task definition is {size_bytes} bytes, over ECS's "
                                     f"{max_bytes}-byte limit; not converted"))
        return None
    desired = _desired_count(workload, scaler, findings)
    service, service_findings = render_service(workload, settings, service_name=name, family=name,
                                               desired_count=desired,
                                               max_count=None if scaler is None else scaler.max_replicas,
                                               load_balancers=list(wiring.load_balancers),
                                               service_connect=wiring.service_connect,
                                               tags=taskdef.get("tags", []))
    findings.extend(service_findings)
    if graph is not None:
        findings.extend(graph.add(workload, service))
    scaling = None
    if scaler is not None:
        scaling, scaling_findings = render_scaling(scaler, service_name=name, size=size, settings=settings,
                                                   resource=workload.resource, paused=workload.replicas == 0)
        findings.extend(scaling_findings)
    output = WorkloadOutput(name=name, resource=workload.resource, task_definition=taskdef, service=service,
                            scaling=scaling)
    if validate:
        validate_output(output, workload, settings)
    if contributed is not None:
        contributed.add(id(parsed))
        contributed.update(wiring.wired)
        if scaler is not None:
            contributed.add(id(scaler))
    return output


def _repeated_container(workload: Workload) -> Any:
    """The second container of a name already taken (init and sidecar containers included), or None: the
    API server refuses such a pod (ValidatePodSpec: "Duplicate value"), and ECS such a task definition."""
    seen: set[str] = set()
    for container in workload.containers:
        if container.name in seen:
            return container
        seen.add(container.name)
    return None


def validate_output(output: WorkloadOutput, workload: Workload, settings: Settings) -> None:
    """Raise OutputValidationError, at the workload's line, when a payload fails the API model or an ECS rule."""
    scaling = output.scaling
    problems = validate_payloads(
        taskdef=output.task_definition, service=output.service,
        target=None if scaling is None else scaling["scalableTarget"],
        policies=[] if scaling is None else scaling["scalingPolicies"], launch_type=settings.launch_type)
    if problems:
        raise OutputValidationError.rendered(workload.resource, "ECS payload", problems,
                                             file=workload.origin.file, line=workload.origin.line)


def _desired_count(workload: Workload, scaler: Autoscaling | None, findings: list[Finding]) -> int:
    if workload.replicas == 0:
        return 0  # the HPA controller leaves a target at 0 alone (K2E-W530 from render_scaling)
    if workload.replicas is not None:
        return workload.replicas if scaler is None else max(workload.replicas, scaler.min_replicas)
    if scaler is not None:
        return scaler.min_replicas
    findings.append(make_finding("K2E-I311", workload.origin.at(workload.origin.path + "/spec"),
                                 f"{workload.resource} does not set replicas; desiredCount 1 (the Kubernetes default)"))
    return 1
