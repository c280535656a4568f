"""Every K2E-7xx code (ECS -> Kubernetes) is triggered through the reverse pipeline, at its file, line and path.

Mirrors tests/test_codes.py for the reverse direction: one table entry per code, an input text (JSON, or
CloudFormation YAML), the JSON Pointer the finding must carry and a piece of its message. A 7xx code added
to the registry without an entry here fails ``test_every_reverse_code_has_a_case``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from converter.core.codes import CODES
from converter.load.loader import parse_text
from converter.pipeline.reverse import convert_to_kubernetes
from tests.reverse_support import all_errors, reverse

CONTAINER = "/containerDefinitions/0"


def task(*, container: dict[str, Any] | None = None, containers: list[dict[str, Any]] | None = None, **fields: Any) -> dict:
    first = {"name": "app", "image": "nginx:1.27", **(container or {})}
    return {"family": "web", "networkMode": "awsvpc", "containerDefinitions": [first] + (containers or []), **fields}


def text(payload: Any) -> str:
    return json.dumps(payload, indent=1)


def stream(*payloads: Any) -> str:
    """Several JSON documents in one YAML stream (the loader reads JSON as YAML)."""
    return "".join("---\n" + json.dumps(p, indent=1) + "\n" for p in payloads)


SERVICE = {"serviceName": "web", "taskDefinition": "web", "desiredCount": 2}
TARGET = {"ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount",
          "MinCapacity": 2, "MaxCapacity": 6}


def policy(**config: Any) -> dict:
    return {"PolicyName": "web-cpu-target-tracking", "ServiceNamespace": "ecs", "ResourceId": "service/prod/web",
            "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60, "ScaleInCooldown": 300, **config}}


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: test
Parameters:
  Tag: {Type: String, Default: "1.0"}
  Url: {Type: String}
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: web}
  Task:
    Type: AWS::ECS::TaskDefinition
    DependsOn: Logs
    Properties:
      Family: web
      ContainerDefinitions:
        - Name: app
          Image: !Sub "nginx:${Tag}"
          Environment:
            - Name: URL
              Value: !Ref Url
"""


@dataclass(frozen=True)
class Case:
    source: str
    path: str  # JSON Pointer of the finding
    message: str  # a piece of its message
    name: str = "t.json"
    parameters: dict[str, str] | None = None  # --parameter NAME=VALUE


CASES: dict[str, Case] = {
    "K2E-I701": Case(text({"taskDefinition": {**task(), "revision": 3, "status": "ACTIVE"}}), "/taskDefinition/revision",
                     "read-only fields ignored: revision, status"),
    "K2E-W702": Case(text({"TargetValue": 75.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}),
                     "", "names no scalable target"),
    "K2E-I703": Case(text({"tool": "k2ecs", "version": "0", "findings": []}), "", "report of k2ecs convert"),
    "K2E-W704": Case(CFN, "/Resources/Task/Properties/ContainerDefinitions/0/Environment/0/Value",
                     "parameter Url has no Default", "t.yaml"),
    "K2E-I705": Case(CFN, "/Resources/Task/Properties/ContainerDefinitions/0/Image", "Default of parameter Tag", "t.yaml"),
    "K2E-E706": Case(text(SERVICE), "", "task definition web is not in the input"),
    "K2E-I707": Case(text(task(family="Web_App")), "/family", "named web-app"),
    "K2E-W708": Case(text(task(container={"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}})),
                     f"{CONTAINER}/logConfiguration", "logConfiguration awslogs"),
    "K2E-W709": Case(text(task(container={"ulimits": [{"name": "nofile", "softLimit": 1, "hardLimit": 2}]})),
                     f"{CONTAINER}/ulimits", "ulimits of container 'app'"),
    "K2E-W710": Case(text(task(proxyConfiguration={"type": "APPMESH", "containerName": "envoy"})), "/proxyConfiguration",
                     "proxyConfiguration has no pod field"),
    "K2E-W711": Case(stream(task(), {**SERVICE, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}),
                     "/capacityProviderStrategy", "capacityProviderStrategy has no Kubernetes field"),
    "K2E-I712": Case(text(task(executionRoleArn="arn:aws:iam::123456789012:role/exec")), "/executionRoleArn",
                     "is set up with the cluster"),
    "K2E-W713": Case(text(task(container={"secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/db"}]})),
                     f"{CONTAINER}/secrets/0/valueFrom", "Secret db key DB"),
    "K2E-W714": Case(text(task(taskRoleArn="arn:aws:iam::123456789012:role/web")), "/taskRoleArn", "became ServiceAccount web"),
    "K2E-W715": Case(text(task(containers=[{"name": "init", "image": "busybox", "essential": False}],
                               container={"dependsOn": [{"containerName": "init", "condition": "COMPLETE"}]})),
                     f"{CONTAINER}/dependsOn/0", "exit with any status"),
    "K2E-W716": Case(text(task(containers=[{"name": "helper", "image": "busybox", "essential": False}])),
                     "/containerDefinitions/1/essential", "is not essential"),
    "K2E-I717": Case(text(task(container={"cpu": 257})), f"{CONTAINER}/cpu", "no exact millicore value; 251m"),
    "K2E-I718": Case(text(task(cpu="512")), "/cpu", "became requests.cpu 500m"),
    "K2E-W719": Case(text(task(cpu="1024", container={"cpu": 256})), "/cpu", "has no pod-level field"),
    "K2E-I720": Case(stream(task(), {**SERVICE, "desiredCount": 3, "deploymentConfiguration": {"maximumPercent": 150}}),
                     "/deploymentConfiguration/maximumPercent", "maxSurge 1"),
    "K2E-W721": Case(stream(task(container={"portMappings": [{"containerPort": 80}]}),
                            {**SERVICE, "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/w/1",
                                                           "containerName": "app", "containerPort": 80}]}),
                     "/loadBalancers/0/targetGroupArn", "of type LoadBalancer"),
    "K2E-W722": Case(stream(task(container={"portMappings": [{"containerPort": 80, "name": "http"}]}),
                            {**SERVICE, "serviceConnectConfiguration": {"enabled": True, "services": [
                                {"portName": "http", "clientAliases": [{"port": 80, "dnsName": "Web_Front"}]}]}}),
                     "/serviceConnectConfiguration/services/0/clientAliases/0", "became Service web-front"),
    "K2E-W723": Case(stream(task(container={"portMappings": [{"containerPort": 80}]}),
                            {**SERVICE, "serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-1"}]}),
                     "/serviceRegistries/0/registryArn", "became a headless Service"),
    "K2E-I724": Case(stream(task(cpu="1024", memory="2048", container={"cpu": 512}), SERVICE, TARGET, policy()),
                     "/TargetTrackingScalingPolicyConfiguration/TargetValue", "that is 100% of the 512 CPU units requested"),
    "K2E-W725": Case(stream(task(), SERVICE, TARGET, {**policy(), "PolicyType": "StepScaling"}), "", "StepScaling policy"),
    "K2E-I736": Case(stream(task(), SERVICE, TARGET, policy()), "/ResourceId",
                     "service web of ResourceId became scaleTargetRef; cluster prod is the one the manifests are applied to"),
    "K2E-W726": Case(stream(task(container={"cpu": 256}), SERVICE, {**TARGET, "MinCapacity": 0}, policy()),
                     "/MinCapacity", "minReplicas is at least 1"),
    "K2E-I727": Case(text(task()), "", "no ECS service for web"),
    "K2E-W728": Case(text(task(container={"healthCheck": {"command": ["true"]}})), f"{CONTAINER}/healthCheck/command",
                     "needs CMD or CMD-SHELL"),
    "K2E-W729": Case(text(task(container={"portMappings": [{"containerPort": 80, "name": "http_frontend_port"}]})),
                     f"{CONTAINER}/portMappings/0/name", "is not a Kubernetes port name"),
    "K2E-W730": Case(text(task(volumes=[{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])),
                     "/volumes/0/efsVolumeConfiguration", "became an emptyDir"),
    "K2E-I731": Case(text(task(container={"dockerLabels": {"com.example.team": "web"}})), f"{CONTAINER}/dockerLabels",
                     "became pod annotations"),
    "K2E-I732": Case(text(task(tags=[{"key": "owner", "value": "Team Web"}])), "/tags/0", "became an annotation"),
    "K2E-I733": Case(CFN, "/Resources/Task/DependsOn", "DependsOn of Task", "t.yaml"),
    "K2E-I734": Case(stream(task(), {**SERVICE, "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7"}),
                     "/taskDefinition", "the Deployment is made from the task definition web"),
    "K2E-I735": Case(text(task(networkMode="host")), "/networkMode", "became hostNetwork: true"),
    # issue 18: a Kubernetes manifest among ECS input costs that document; container definitions alone are a task
    "K2E-E740": Case(stream(task(), {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}), "",
                     "a Kubernetes Deployment among ECS input"),
    "K2E-I742": Case(CFN, "/Resources/Task/Properties/ContainerDefinitions/0/Environment/0/Value",
                     "resolved with --parameter Url: 'http://api'", "t.yaml", {"Url": "http://api"}),
    "K2E-W743": Case(text(task(container={"environment": [{"name": "", "value": ""}]})), f"{CONTAINER}/environment/0",
                     "entry '' was left out"),
    "K2E-W744": Case(text(task(tags=[{"key": "", "value": "x"}])), "/tags/0", "tag '' was left out"),
    "K2E-W745": Case(text(task(container={"mountPoints": [{"sourceVolume": "data", "containerPath": ""}]},
                               volumes=[{"name": "data"}])), f"{CONTAINER}/mountPoints/0", "has no containerPath; left out"),
    "K2E-W746": Case(text(task(container={"memory": 256, "memoryReservation": 512})), f"{CONTAINER}/memoryReservation",
                     "requests.memory is the limit, 256Mi"),
    "K2E-I741": Case(text([{"name": "app", "image": "nginx:1.27"}]), "/family", "it is named 'containers'",
                     "containers.yaml"),
}


def test_every_reverse_code_has_a_case():
    reverse_codes = {code for code in CODES if code[5] == "7"}
    assert set(CASES) == reverse_codes, {"without a case": sorted(reverse_codes - set(CASES)),
                                         "unknown": sorted(set(CASES) - reverse_codes)}


@pytest.mark.parametrize(("code", "case"), sorted(CASES.items()))
def test_reverse_code_is_emitted(code: str, case: Case):
    conversion = reverse(case.source, case.name) if case.parameters is None else \
        convert_to_kubernetes(parse_text(case.source, case.name, cfn_tags=True), parameters=case.parameters)
    same_code = [f for f in conversion.findings if f.code == code]
    matches = [f for f in same_code if f.path == case.path and case.message in f.message]
    assert matches, f"no {code} at {case.path!r} with {case.message!r}; findings with this code: " + repr(
        [(f.path, f.message) for f in same_code])
    finding = matches[0]
    assert finding.severity == CODES[code].severity
    assert finding.file == case.name
    assert finding.line is not None and finding.line >= 1
    source_line = case.source.splitlines()[finding.line - 1]
    leaf = case.path.rsplit("/", 1)[-1]
    if leaf and not leaf.isdigit() and case.name == "t.json":
        assert f'"{leaf}"' in source_line, f"line {finding.line} is {source_line!r}, not the line of {leaf}"
    assert all_errors(conversion) == []


def test_a_task_definition_not_found_suggests_the_closest_family():
    """K2E-E706 says what the reference met (issue 18): the closest family of the input, when one is close."""
    payloads = stream({**task(), "family": "checkout"}, {**SERVICE, "serviceName": "checkout", "taskDefinition": "chekout"})
    conversion = convert_to_kubernetes(parse_text(payloads, "t.yaml", cfn_tags=True))
    [finding] = [f for f in conversion.findings if f.code == "K2E-E706"]
    assert "task definition chekout is not in the input, did you mean checkout?" in finding.message
    far = stream({**task(), "family": "checkout"}, {**SERVICE, "taskDefinition": "zzz"})
    [finding] = [f for f in convert_to_kubernetes(parse_text(far, "t.yaml", cfn_tags=True)).findings if f.code == "K2E-E706"]
    assert "did you mean" not in finding.message
