"""Issue 24: what `convert --to k8s` holds to its end. Each workload's manifests are kept as their text, made when
the workload is rendered (not as dicts for the whole run); each reader lets its document and the paths it read go
once its findings are final; the text report is written as it is made; and reading a JSON document keeps no
list of every member's offset. Bounded by what is held (counts, bytes traced), never by time; the outputs
compared with the way each replaces."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from converter.core.findings import Finding
from converter.load import json_lines
from converter.load.inputs import load_inputs
from converter.load.loader import parse_text
from converter.pipeline.reverse import convert_to_kubernetes
from converter.write.kubernetes.dump import ManifestWriter, dump_documents
from tests.helpers import SAMPLES, run_k2ecs
from tests.reverse_support import ecs_sample_cases

CASES = ecs_sample_cases()


def _as_dicts(findings: list[Finding]) -> list[dict]:
    return [finding.as_dict() for finding in findings]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_outputs_as_text_hold_no_manifest_and_write_the_same_yaml(case):
    path = str(case / "input")
    whole = convert_to_kubernetes(load_inputs([path], cfn_tags=True))
    texts = convert_to_kubernetes(load_inputs([path], cfn_tags=True), as_text=True)
    assert whole.outputs, "a sample that converts nothing tests nothing"
    assert all(output.documents == [] for output in texts.outputs)  # no output keeps its manifests as dicts
    assert [output.text for output in texts.outputs] == [dump_documents(output.documents) for output in whole.outputs]
    # stdout: the outputs' texts one after another are the one stream of every manifest
    assert "".join(output.text for output in texts.outputs) == dump_documents(
        document for output in whole.outputs for document in output.documents)
    assert [(o.name, o.resource, o.inputs) for o in texts.outputs] == [(o.name, o.resource, o.inputs) for o in whole.outputs]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_released_readers_hold_no_document_and_the_findings_are_the_same(case):
    path = str(case / "input")
    kept = convert_to_kubernetes(load_inputs([path], cfn_tags=True))
    released = convert_to_kubernetes(load_inputs([path], cfn_tags=True), release=True)
    assert _as_dicts(released.findings) == _as_dicts(kept.findings)
    assert [(s.resource, s.status) for s in released.sources] == [(s.resource, s.status) for s in kept.sources]
    # ECS input has no k2ecs.io/accept annotation to keep: every reader forgot its paths and its document
    assert all(source.reader.released for source in released.sources)
    assert [source for source in released.sources if source.reader.document.data] == []
    assert all(source.reader.document.data is not None for source in kept.sources)


def test_the_writer_keeps_a_bounded_cache_and_writes_what_dump_documents_writes():
    documents = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"m{index}"},
                  "data": {f"key{index}": f"value {index}: {index}", "port": str(8000 + index), "yes": "no"}}
                 for index in range(400)]
    writer = ManifestWriter(kept=50)
    held = []
    texts = []
    for start in range(0, len(documents), 4):  # four manifests a workload
        texts.append(writer.dump(documents[start:start + 4]))
        scalars = writer.scalars
        held.append(len(scalars.keys) + len(scalars.values) + len(scalars.items))
    assert "".join(texts) == dump_documents(documents)
    # at most the bound, plus what one workload's manifests add after the cache starts again
    assert max(held) <= 50 + 4 * 8
    assert any(later < earlier for earlier, later in zip(held, held[1:]))  # emptied along the way, not grown to the end


def test_reading_json_keeps_no_list_of_every_member():
    """The offset of every member, every line break and every member's line, as lists of ints, weighed
    three times the text while it was read (a 20 MB document: some 60 MB at the peak of reading)."""
    doc = {"workloads": [{"taskDefinition": {"family": f"f{i}", "containerDefinitions": [
        {"name": "c", "image": "nginx", "portMappings": [{"containerPort": 80 + j} for j in range(5)],
         "environment": [{"name": f"K{j}", "value": str(j)} for j in range(10)]}]}} for i in range(200)]}
    text = json.dumps(doc, indent=2)
    tracemalloc.start()
    try:
        result = json_lines.read_json(text)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result is not None and result[0] == doc
    assert peak - held < len(text) // 4  # beyond what it returns, a small part of the text at any time


def test_the_text_report_is_written_as_it_is_made(monkeypatch):
    """The text report of a large run was made whole (render) and then written: a string of 17 MB at 10 MB."""
    from converter.report import canonical

    def whole(*args, **kwargs):
        raise AssertionError("the report made whole before it is written")

    monkeypatch.setattr(canonical, "render_text", whole)
    result = run_k2ecs("convert", "input", "--to", "k8s", "--fail-on", "never", cwd=SAMPLES / "ecs-k2ecs-output-folder")
    assert result.returncode == 0 and "K2E-I703" in result.stderr and result.stdout.startswith("---\n")


def test_api_json_paths_are_one_tuple_per_distinct_path():
    """Each reader's consumed paths were tuples made anew at every read: 50,000 of 370 distinct paths at 1 MB."""
    from converter.pipeline import reverse

    held = {}
    real = reverse._link_and_render

    def spy(parsed, *rest):
        readers = [task.view.reader for task, _, _ in parsed.tasks] + [service.view.reader for service, _ in parsed.services]
        paths = [path for reader in readers for path in (*reader.consumed, *reader.visited)]
        held.update(entries=len(paths), objects=len({id(path) for path in paths}), values=len(set(paths)))
        return real(parsed, *rest)

    payload = {"workloads": [{"name": f"w{i}", "resource": f"Deployment/w{i}", "scaling": None,
                              "taskDefinition": {"family": f"w{i}", "containerDefinitions": [
                                  {"name": "app", "image": "nginx", "essential": True,
                                   "portMappings": [{"containerPort": 80, "protocol": "tcp", "name": "http"}],
                                   "environment": [{"name": "A", "value": "1"}]}]},
                              "service": {"serviceName": f"w{i}", "taskDefinition": f"w{i}", "desiredCount": 2}}
                             for i in range(20)]}
    reverse._link_and_render = spy
    try:
        from tests.reverse_support import reverse_payload

        result = reverse_payload(payload)
    finally:
        reverse._link_and_render = real
    assert len(result.outputs) == 20, held
    assert held["entries"] >= 20 * held["values"] // 2  # every workload reads the same paths
    assert held["objects"] <= held["values"] + 10  # not one per workload (1,307 objects for these 71 paths before)


def _workloads(count: int, scaled: bool = True) -> dict:
    return {"workloads": [{"name": f"w{i}", "resource": f"Deployment/w{i}",
                           "taskDefinition": {"family": f"w{i}", "containerDefinitions": [
                               {"name": "app", "image": "nginx", "essential": True, "cpu": 256,
                                "portMappings": [{"containerPort": 80, "protocol": "tcp", "name": "http"}]}]},
                           "service": {"serviceName": f"w{i}", "taskDefinition": f"w{i}", "desiredCount": 2},
                           "scaling": {"scalableTarget": {"ServiceNamespace": "ecs", "ResourceId": f"service/c/w{i}",
                                                          "ScalableDimension": "ecs:service:DesiredCount",
                                                          "MinCapacity": 1, "MaxCapacity": 4},
                                       "scalingPolicies": [{"PolicyName": f"cpu{i}", "ServiceNamespace": "ecs",
                                                            "ResourceId": f"service/c/w{i}",
                                                            "ScalableDimension": "ecs:service:DesiredCount",
                                                            "PolicyType": "TargetTrackingScaling",
                                                            "TargetTrackingScalingPolicyConfiguration": {
                                                                "TargetValue": 70.0, "PredefinedMetricSpecification": {
                                                                    "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}]}
                           if scaled else None}
                          for i in range(count)]}


def test_a_workloads_readers_are_released_once_it_is_rendered(monkeypatch):
    """With release, the readers of a workload (its service, task definition, scalable target and policy) go
    as soon as it is rendered, not at the end of the run: while workload k renders, those of the k before
    it are released; and the findings are those of a run that releases nothing."""
    from converter.pipeline import reverse
    from tests.reverse_support import reverse_payload

    payload = _workloads(12)
    kept = reverse_payload(payload)
    released_while = []
    real = reverse._render

    def spy(task, *rest):
        readers = [record.reader for record in sources]
        released_while.append(sum(reader.released for reader in readers))
        return real(task, *rest)

    documents = parse_text(json.dumps(payload, indent=1), "t.json", cfn_tags=True)
    sources = []
    real_record = reverse._record
    monkeypatch.setattr(reverse, "_record", lambda piece: sources.append(real_record(piece)) or sources[-1])
    monkeypatch.setattr(reverse, "_render", spy)
    result = convert_to_kubernetes(documents, as_text=True, release=True)
    assert len(result.outputs) == 12 and all(o.inputs[2:] for o in result.outputs)  # each with its target and policy
    assert released_while == [4 * k for k in range(12)]
    assert _as_dicts(result.findings) == _as_dicts(kept.findings)
    assert all(source.reader.released for source in result.sources)


def test_a_task_two_services_run_is_released_after_the_second():
    from converter.pipeline.reverse_links import TargetIndex, release_plan
    from tests.reverse_support import reverse_payload

    payload = _workloads(2, scaled=False)
    payload["workloads"][1]["service"]["taskDefinition"] = "w0"  # both services run w0; w1 runs alone (I727)
    result = reverse_payload(payload)
    assert [o.inputs for o in result.outputs] == [("TaskDefinition/w0", "Service/w0"), ("TaskDefinition/w0", "Service/w1"),
                                                  ("TaskDefinition/w1",)]

    class View:
        def __init__(self, reader):
            self.reader = reader

    class Item:
        def __init__(self, reader, **fields):
            self.view = View(reader)
            self.__dict__.update(fields)

    task = Item("task w0")
    services = [Item(f"service {i}", logical_id=None, name=f"w{i}") for i in range(2)]
    due = release_plan([(services[0], None, (task, None)), (services[1], None, (task, None))], TargetIndex([]))
    assert due == {0: ["service 0"], 1: ["task w0", "service 1"]}


def test_a_note_in_a_finished_reader_fails_at_once():
    """A released reader's document is an empty one: a note made after all would land at a wrong line."""
    from converter.core.document import Document
    from converter.core.reader import Reader
    from converter.pipeline.reverse_links import finished

    for covers in (True, False):
        reader = Reader(Document("t.json", 0, {"a": 1}, 1, {}), "Thing/t")
        reader.note(("a",), "K2E-W901", "noted")
        finished(reader)
        with pytest.raises(AttributeError):
            reader.note(("a",), "K2E-W901", "too late", covers=covers)


_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Shared:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: shared
      TaskRoleArn: arn:aws:iam::1:role/shared
      ContainerDefinitions:
        - {Name: app, Image: nginx, Cpu: 256, PortMappings: [{ContainerPort: 8080, Name: http}]}
  Unused:
    Type: AWS::ECS::TaskDefinition
    Condition: IsProd
    Properties:
      Family: unused
      ContainerDefinitions: [{Name: app, Image: nginx}]
  One:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: one
      TaskDefinition: !Ref Shared
      ServiceConnectConfiguration:
        Enabled: true
        Services: [{PortName: http, ClientAliases: [{Port: 80, DnsName: two}]}]
  Two:
    Type: AWS::ECS::Service
    Condition: IsProd
    Properties:
      ServiceName: !If [IsProd, two, !Ref AWS::NoValue]
      TaskDefinition: !Ref Shared
  Lost:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Missing
  OneTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ScalableDimension: ecs:service:DesiredCount
      MinCapacity: 1
      MaxCapacity: 4
      ResourceId: !Join [/, [service, prod, !GetAtt One.Name]]
  LostTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: ecs
      ScalableDimension: ecs:service:DesiredCount
      MinCapacity: 1
      MaxCapacity: 4
      ResourceId: !Sub service/prod/${Lost.Name}
  OnePolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: cpu
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref OneTarget
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 50
        PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
  LostPolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: lost
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref LostTarget
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 50
        PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
"""


def _target(service: str, low: int = 1) -> dict:
    return {"ServiceNamespace": "ecs", "ResourceId": f"service/prod/{service}", "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": low, "MaxCapacity": 4}


def _policy(service: str, name: str) -> dict:
    return {"PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": f"service/prod/{service}",
            "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}


def test_release_finds_what_a_run_that_releases_nothing_finds_on_loose_links():
    """Each link a release could cut too early, in a describe dump and a template: a task two services run, noted
    in as each renders (its role, K2E-W714), tasks no service runs, services whose task is not in the input with a scalable target and
    a policy naming them (noted after the services, K2E-E706), a target two targets name the service of, a
    policy whose target is not in the input, a service with Service Connect whose policies are noted as it
    renders (K2E-I724), and CloudFormation conditions. Released or not, the run finds the same."""
    task = {"family": "web", "taskRoleArn": "arn:aws:iam::1:role/web", "containerDefinitions": [{"name": "app", "image": "nginx", "cpu": 256, "odd": 1,
                                                       "portMappings": [{"containerPort": 80, "name": "http"}]}]}
    dump = {"taskDefinitions": [{**task, "revision": 1}, {**task, "revision": 2}, {**task, "family": "alone"}],
            "services": [{"serviceName": "web", "taskDefinition": "web:2", "desiredCount": 2, "odd": 1},
                         {"serviceName": "web-b", "taskDefinition": "web:2", "serviceConnectConfiguration": {
                             "enabled": True, "services": [{"portName": "http", "clientAliases": [{"port": 80}]}]}},
                         {"serviceName": "gone", "taskDefinition": "nowhere", "desiredCount": 1}],
            "ScalableTargets": [_target("web-b"), _target("web-b", 2), _target("gone"), _target("nobody")],
            "ScalingPolicies": [_policy("web-b", "b"), _policy("gone", "g"), _policy("nobody", "n"),
                                {**_policy("x", "x"), "ResourceId": "service/prod/none-at-all"}]}

    def documents():
        return (parse_text(json.dumps(dump, indent=1), "dump.json", cfn_tags=True)
                + parse_text(_TEMPLATE, "stack.yaml", cfn_tags=True))

    kept = convert_to_kubernetes(documents())
    released = convert_to_kubernetes(documents(), as_text=True, release=True)
    messages = [(f.code, f.resource, f.message) for f in kept.findings]
    for code, resource, start in (("K2E-E706", "ScalableTarget/service/prod/gone", "the scaled service gone"),
                                  ("K2E-E706", "LostTarget", "the scaled service Lost"),
                                  ("K2E-E706", "ScalingPolicy/x", "the scalable target of this policy"),
                                  ("K2E-I727", "TaskDefinition/alone", "no ECS service"),
                                  ("K2E-I727", "TaskDefinition/web", "no ECS service"),  # revision 1
                                  ("K2E-I727", "Unused", "no ECS service"),
                                  ("K2E-I724", "ScalingPolicy/b", "ECS utilization includes the Service Connect proxy")):
        assert any(c == code and r.endswith(resource) and m.startswith(start) for c, r, m in messages), (code, resource)
    assert _as_dicts(released.findings) == _as_dicts(kept.findings)
    assert [(s.resource, s.status) for s in released.sources] == [(s.resource, s.status) for s in kept.sources]
    assert [(o.name, o.inputs, o.text) for o in released.outputs] == [
        (o.name, o.inputs, dump_documents(o.documents)) for o in kept.outputs]
    assert len(kept.outputs) == 7 and all(source.reader.released for source in released.sources)
