"""The reverse pipeline: ECS payloads -> neutral model -> Kubernetes manifests (docs/MAPPING.md#topic-reverse).

Pure, like converter.pipeline.convert: ``convert_to_kubernetes(documents)`` returns the manifests, the findings
and one source record per input object; it never prints, writes or exits. Each input object is read
through a Reader (wrapped in an EcsView), so every field is mapped, named in a finding, or reported by
the catch-all K2E-W901, exactly as in the forward direction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from converter.pipeline.convert import SourceRecord
from converter.read.ecs import cloudformation
from converter.read.ecs.detect import (KUBERNETES, POLICY, POLICY_CONFIG, REPORT, SERVICE, TARGET, TASK, TEMPLATE, WRAPPER, Piece,
                                       pieces as document_pieces, shape)
from converter.rules.scaling.reverse import ParsedPolicy, ParsedTarget, build_autoscaling, parse_scalable_target, parse_scaling_policy
from converter.read.ecs.service import ParsedService, parse_service
from converter.read.ecs.tags import label_problem
from converter.read.ecs.taskdef import ParsedTask, parse_task_definition
from converter.read.ecs.view import EcsView, note_read_only
from converter.rules.exposure.reverse import build_exposures
from converter.rules.naming import dns_label, unique_label
from converter.rules.rollout import rollout_at
from converter.core.errors import InputError, OutputValidationError
from converter.pipeline.convert import skipped_finding
from converter.load.inputs import Skipped
from converter.core.findings import Finding
from converter.core.reader import Reader
from converter.write.kubernetes.deployment import render_deployment
from converter.write.kubernetes.dump import ManifestWriter
from converter.write.kubernetes.hpa import render_hpa
from converter.write.kubernetes.service import render_service
from converter.write.kubernetes.serviceaccount import render_service_account
from converter.validate.kubernetes import problems as manifest_problems
from converter.core.document import Document, Unreadable
from converter.core.model import Rollout
from converter.pipeline.reverse_links import (ScalingRecords, TargetIndex, TaskIndex, finished, link_policies, release_plan,
                                              thaw)

_WRAPPER_READ_ONLY = ("failures", "NextToken", "nextToken", "ResponseMetadata")


@dataclass
class KubernetesOutput:
    name: str  # file stem: <name>.yaml
    resource: str  # the ECS object it came from
    documents: list[dict[str, Any]]  # empty when ``text`` holds them (convert_to_kubernetes(as_text=True))
    inputs: tuple[str, ...] = ()  # the ECS objects (source record resources) it was made from
    scaling: None = None  # the report lists files per output; a reverse output is one file
    text: str | None = None  # the documents as YAML (write.kubernetes.dump), made as the output is rendered

    @property
    def files(self) -> list[str]:
        return [f"{self.name}.yaml"]


@dataclass
class ReverseConversion:
    outputs: list[KubernetesOutput]
    findings: list[Finding]
    sources: list[SourceRecord]


@dataclass
class _Parsed:
    tasks: list[tuple[ParsedTask, SourceRecord, str | None]] = field(default_factory=list)
    services: list[tuple[ParsedService, SourceRecord]] = field(default_factory=list)
    targets: list[tuple[ParsedTarget, SourceRecord]] = field(default_factory=list)
    policies: list[tuple[ParsedPolicy, SourceRecord]] = field(default_factory=list)


def convert_to_kubernetes(documents: list[Document], settings: Any = None,
                          parameters: dict[str, str] | None = None, *, as_text: bool = False,
                          release: bool = False) -> ReverseConversion:
    """``settings`` is accepted for symmetry with converter.pipeline.convert.convert; nothing in it applies to Kubernetes.
    ``parameters``: CloudFormation parameter values (--parameter NAME=VALUE), for every template of the run.
    ``as_text``: each output's manifests as their YAML (KubernetesOutput.text), made when the output is
    rendered, and not as dicts (its ``documents`` are empty). ``release``: each reader released after its
    findings are final (Reader.release: the paths it read and its document go), for a caller that asks the
    sources no more than the report and the review of k2ecs.io/accept annotations ask (the CLI). Both keep
    what a large run holds to its end to the report and the text (issue 24)."""
    del settings
    sources: list[SourceRecord] = []
    parsed = _Parsed()
    loose: list[Finding] = []
    errors: list[InputError] = []  # of the documents that could not be read or are not valid
    read_any = False
    for document in documents:
        # Each document on its own (issue 18): one that cannot be read, is not an ECS shape or does not
        # validate is one error finding, and every other document converts.
        if isinstance(document, Skipped):
            loose.append(skipped_finding(document))
            continue
        if isinstance(document, Unreadable):
            errors.append(document.error)
            sources.append(_error_record(document.error, document.guess or "(file)", "K2E-E030"))
            continue
        if shape(document.data) == KUBERNETES:
            read_any = True  # a manifest, read: its direction is the other one
            kind, name = document.data.get("kind"), (document.data.get("metadata") or {}).get("name") \
                if isinstance(document.data.get("metadata"), dict) else None
            sources.append(_error_record(
                InputError(f"a Kubernetes {kind} among ECS input; convert the two directions separately (or pass --to ecs)",
                           file=document.file, line=document.line), f"{kind}/{name or '(unnamed)'}", "K2E-E740"))
            continue
        try:
            found = _pieces(document, parameters)
        except InputError as err:
            errors.append(err)
            sources.append(_error_record(err, f"document {document.index + 1}", "K2E-E030"))
            continue
        for piece in found:
            record = _record(piece)
            sources.append(record)
            try:
                _PARSERS[piece.kind](piece, record, parsed)
            except InputError as err:
                errors.append(err)
                record.reader.findings.clear()  # about an object that is not converted
                record.reader.note(getattr(err, "path", ()), "K2E-E031", getattr(err, "detail", err.message))
                record.reader.take(())
                continue
            finally:
                # Every piece is parsed before the first is linked: the paths each read are held to then, as
                # tuples (Reader.freeze), a seventh of their sets' size (issue 24). Rendering thaws them.
                record.reader.freeze()
            read_any = True
    if not read_any and errors:
        raise errors[0]  # nothing at all could be read: exit 3, as before
    outputs = _link_and_render(parsed, ManifestWriter() if as_text else None, release)
    del parsed  # the parsed objects and their views: with release, nothing else holds the documents
    findings: list[Finding] = list(loose)
    for record in sources:
        reader = record.reader
        if reader.released:  # released as soon as the workloads that note in it were rendered
            findings.extend(reader.findings)
            continue
        findings.extend(reader.finish())
        if release:
            reader.release()
    findings.sort(key=Finding.sort_key)
    return ReverseConversion(outputs=outputs, findings=findings, sources=sources)


def _error_record(error: InputError, resource: str, code: str) -> SourceRecord:
    """The source record of a document that is not converted, with its one error finding."""
    stub = Document(error.file or "<input>", 0, {}, error.line if error.line is not None else 1, {})
    reader = Reader(stub, resource)
    reader.note((), code, error.message)
    return SourceRecord(resource, stub.file, stub.line, "not-converted", reader)


def _pieces(document: Document, parameters: dict[str, str] | None = None) -> list[Piece]:
    found = document_pieces(document)
    if found and found[0].kind == TEMPLATE:
        return cloudformation.resource_pieces(document, parameters) + found
    return found


def _record(piece: Piece) -> SourceRecord:
    data = piece.document.data
    node = data
    for step in piece.base:
        node = node.get(step) if isinstance(node, dict) else None
    node = node if isinstance(node, dict) else {}
    stem = os.path.basename(piece.document.file)
    if piece.template is not None:
        resource = cloudformation.resource_name(piece)
    else:
        resource = {
            TASK: f"TaskDefinition/{node.get('family') or '(unnamed)'}",
            SERVICE: f"Service/{node.get('serviceName') or '(unnamed)'}",
            TARGET: f"ScalableTarget/{node.get('ResourceId') or '(unnamed)'}",
            POLICY: f"ScalingPolicy/{node.get('PolicyName') or '(unnamed)'}",
            POLICY_CONFIG: f"TargetTrackingScalingPolicyConfiguration/{stem}",
            REPORT: f"Report/{stem}", WRAPPER: f"Output/{stem}", TEMPLATE: f"Template/{stem}",
        }[piece.kind]
    reader = Reader(piece.document, resource)
    status = "referenced" if piece.kind in (WRAPPER, TEMPLATE) else "not-converted"
    return SourceRecord(resource, piece.document.file, piece.document.line, status, reader)


def _view(piece: Piece, record: SourceRecord) -> EcsView:
    if piece.template is not None:
        cloudformation.read_resource_attributes(record.reader, piece)
    return EcsView(record.reader, piece.base, piece.template)


def _task(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    parsed.tasks.append((parse_task_definition(_view(piece, record)), record, piece.logical_id))


def _service(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    service = parse_service(_view(piece, record))
    service.logical_id = piece.logical_id
    parsed.services.append((service, record))


def _target(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    target = parse_scalable_target(_view(piece, record))
    if target is not None:
        target.logical_id = piece.logical_id
        parsed.targets.append((target, record))


def _policy(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    policy = parse_scaling_policy(_view(piece, record))
    if policy is not None and policy.resource is not None:
        parsed.policies.append((policy, record))


def _policy_config(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    record.reader.note((), "K2E-W702", "a TargetTrackingScalingPolicyConfiguration alone names no scalable target; not converted",
                       "Convert the put-scaling-policy input (with ResourceId) together with the service.")
    record.reader.take(())


def _report(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    record.reader.note((), "K2E-I703", "a report of k2ecs convert; its findings are not repeated")
    record.reader.take(())


def _wrapper(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    reader = record.reader
    for path in piece.covers:
        reader.take(path)
    for index, item in enumerate(reader.raw(("workloads",)) or []):
        for key in ("name", "resource"):
            if isinstance(item, dict) and key in item:
                reader.take(("workloads", index, key))
        if isinstance(item, dict) and item.get("scaling") is None:
            reader.take(("workloads", index, "scaling"))
    note_read_only(reader, _WRAPPER_READ_ONLY)


def _template(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    cloudformation.read_template_sections(record.reader)


def _other(piece: Piece, record: SourceRecord, parsed: _Parsed) -> None:
    cloudformation.read_resource_attributes(record.reader, piece)


_PARSERS: dict[str, Callable[[Piece, SourceRecord, _Parsed], None]] = {
    TASK: _task, SERVICE: _service, TARGET: _target, POLICY: _policy, POLICY_CONFIG: _policy_config,
    REPORT: _report, WRAPPER: _wrapper, TEMPLATE: _template, cloudformation.OTHER: _other,
}


# -- linking and rendering ------------------------------------------------------------------------

def _link_and_render(parsed: _Parsed, writer: ManifestWriter | None = None, release: bool = False) -> list[KubernetesOutput]:
    """The outputs, in the order of the services, then of the tasks no service runs; with a ``writer``, each
    output's manifests as text (``text``), made as it is rendered, the dicts let go; with ``release``, each
    reader finished and released once nothing more notes in it (reverse_links.release_plan), so that the
    paths a workload's readers read go while the next workloads are rendered."""
    used_tasks: set[int] = set()
    names: set[str] = set()
    service_names: dict[str | None, set[str]] = {}
    targets = link_policies(parsed)
    tasks = TaskIndex(parsed)
    targets_of = TargetIndex(targets)
    scaling_records = ScalingRecords(parsed)
    outputs: list[KubernetesOutput] = []
    plan = [(service, record, tasks.for_service(service)) for service, record in parsed.services]
    due = release_plan(plan, targets_of) if release else {}
    for position, (service, record, found) in enumerate(plan):
        if found is None:
            if service.task_family is not None or service.task_ref is not None:
                wanted = service.task_ref.logical_id if service.task_ref else service.task_family
                service.view.note((), "K2E-E706", f"task definition {wanted} is not in the input"
                                  f"{tasks.closest_hint(service)}; service {service.name or service.logical_id} "
                                  "not converted", covers=False)
        else:
            task, task_record = found
            used_tasks.add(id(task))
            target = targets_of.for_service(service)
            thaw(service, task, target)
            output = _validated(_render(task, service, target, names, service_names), record, writer)
            record.status = task_record.status = "converted"
            output.inputs = (task_record.resource, record.resource)
            if target is not None:
                output.inputs += scaling_records.mark_converted(target)
            outputs.append(output)
        for reader in due.pop(position, ()):
            finished(reader)
    for task, record, _ in parsed.tasks:
        if id(task) not in used_tasks:
            task.view.note((), "K2E-I727", f"no ECS service for {task.family} in the input: replicas 1", covers=False)
            thaw(task)
            output = _validated(_render(task, None, None, names, service_names), record, writer)
            output.inputs = (record.resource,)
            outputs.append(output)
            record.status = "converted"
            if release:
                finished(record.reader)
    for target, record in parsed.targets:
        if record.status != "converted":
            wanted = target.service or (target.service_ref.logical_id if target.service_ref is not None else "?")
            target.view.note((), "K2E-E706", f"the scaled service {wanted} is not in the input; not converted",
                             covers=False)
    return outputs


def _render(task: ParsedTask, service: ParsedService | None, target: ParsedTarget | None, names: set[str],
            service_names: dict[str | None, set[str]]) -> KubernetesOutput:
    workload = task.workload
    source = service.name if service is not None and service.name is not None else task.family
    label, namespace = dns_label(source, "workload"), workload.namespace
    if namespace is not None and label.startswith(namespace + "-") and len(label) > len(namespace) + 1:
        label = label[len(namespace) + 1:]  # the forward rule's <namespace>-<name> (converter.write.ecs.workload_names), inverted
    name = unique_label(label, names)
    if service is not None and service.name is not None and name != service.name:
        service.view.note(("serviceName",), "K2E-I707", f"service {service.name!r} is named {name} in Kubernetes", covers=False)
    labels, annotations = list(workload.labels), list(workload.annotations)
    if service is not None:
        for key, value in service.tags:
            if (key, value) in labels or (key, value) in annotations:
                continue
            (labels if label_problem(key, value) is None else annotations).append((key, value))
    selector = _selector(name, labels)
    replicas = 1
    if service is not None and service.desired_count is not None:
        replicas = service.desired_count
    elif target is not None and target.min_capacity is not None:
        replicas = max(target.min_capacity, 1)
    rollout = rollout_at(service, replicas) if service is not None else Rollout(strategy="rolling", origin=workload.origin)
    workload = replace(workload, name=name, replicas=replicas, rollout=rollout, labels=tuple(labels),
                       annotations=tuple(annotations), pod_labels=tuple({**dict(labels), **selector}.items()))
    taken = service_names.setdefault(workload.namespace, set())
    documents: list[dict[str, Any]] = []
    account = None
    if workload.task_role_arn is not None:
        account = name
        task.view.note(("taskRoleArn",), "K2E-W714", f"task role {workload.task_role_arn} became ServiceAccount {name} (IRSA)",
                       covers=False)
        documents.append(render_service_account(name, workload.namespace, workload.task_role_arn))
    deployment, _ = render_deployment(workload, selector=selector, service_account=account)
    documents.append(deployment)
    if service is not None:
        for exposure in build_exposures(service, task, workload, selector, taken):
            documents.append(render_service(exposure)[0])
    _unused_app_protocols(task, documents)
    if target is not None:
        if service is not None and service.connect:
            for policy in target.policies:
                policy.view.note(("TargetTrackingScalingPolicyConfiguration",), "K2E-I724", "ECS utilization includes the "
                                 "Service Connect proxy, which the pods do not run", covers=False)
        autoscaling = build_autoscaling(target, workload, cpu_units=task.cpu_units, memory_mib=task.memory_mib)
        if autoscaling is not None:
            documents.append(render_hpa(autoscaling)[0])
    resource = f"Service/{service.name or name}" if service is not None else f"TaskDefinition/{task.family}"
    return KubernetesOutput(name=name, resource=resource, documents=documents)


def _validated(output: KubernetesOutput, record: SourceRecord, writer: ManifestWriter | None = None) -> KubernetesOutput:
    """The output, if every manifest passes the Kubernetes schema and the API server's rules (a problem is a
    k2ecs bug: exit 4, nothing written, as for an ECS payload that fails botocore's model); with a
    ``writer``, as its text."""
    found = [problem for document in output.documents for problem in manifest_problems(document)]
    if found:
        raise OutputValidationError.rendered(output.resource, "Kubernetes manifest", found,
                                             file=record.file, line=record.line)
    if writer is not None:
        output.text = writer.dump(output.documents)
        output.documents = []
    return output


def _unused_app_protocols(task: ParsedTask, documents: list[dict[str, Any]]) -> None:
    """appProtocol lives on Service ports in Kubernetes: name the ones no Service carries."""
    used = {port.get("targetPort") for d in documents if d["kind"] == "Service" for port in d["spec"].get("ports", [])}
    for (_, number), name in task.extras.port_names.items():
        if name in task.extras.app_protocols and name not in used and number not in used and task.view is not None:
            path = task.extras.app_protocol_paths[name]
            task.view.note(path, "K2E-W729", f"appProtocol {task.extras.app_protocols[name]} of port {name!r} is used by "
                           "no Kubernetes Service; not carried", covers=False)


def _selector(name: str, labels: list[tuple[str, str]]) -> dict[str, str]:
    """The Deployment's selector: a label naming the workload (ECS has no selectors, #topic-rollout)."""
    for key in ("app", "app.kubernetes.io/name"):
        if (key, name) in labels:
            return {key: name}
    return {"app.kubernetes.io/name": name}
