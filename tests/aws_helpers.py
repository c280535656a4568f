"""Fixtures for the plan/apply tests: moto's ThreadedMotoServer on loopback, canary credentials, call recording,
and botocore Stubber clients.

Never real AWS: every AWS_* variable is replaced, the shared config and credentials files point at
nothing, and AWS_ENDPOINT_URL points at the server on 127.0.0.1 (or the clients are stubbed).
"""

from __future__ import annotations

import copy
import logging
import os
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REGION = "eu-west-1"
# Canaries: if either ever shows up in an output, an error or a log, the redaction failed.
CANARY_ACCESS_KEY = "AKIAK2ECSCANARY12345"
CANARY_SECRET_KEY = "k2ecs-canary-secret/DO+NOT+PRINT/0123456789"
MUTATING = {"RegisterTaskDefinition", "CreateService", "UpdateService", "TagResource", "RegisterScalableTarget",
            "PutScalingPolicy", "DeleteScalingPolicy", "DeregisterScalableTarget", "DeleteService",
            "DeregisterTaskDefinition", "CreateLogGroup"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        werkzeug.setLevel(level)


def isolate_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the canary credentials and the test region: no profile, no files, no instance metadata."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "MOTO_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CANARY_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY_SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@dataclass
class AwsWorld:
    endpoint: str
    subnet: str
    security_group: str
    cluster: str
    ecs: Any
    autoscaling: Any


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AwsWorld:
    """A fresh moto state with a VPC, a subnet, a security group and an ECS cluster `prod`."""
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    isolate_aws_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    import boto3

    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName="prod")
    return AwsWorld(moto_endpoint, subnet, group, "prod", ecs, boto3.client("application-autoscaling"))


@dataclass
class Calls:
    """Every AWS operation k2ecs calls, in order; ``fail_on`` makes the named operation raise instead."""

    operations: list[str] = field(default_factory=list)
    params: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_on: str | None = None
    failure_message: str = "Rate exceeded"

    @property
    def mutating(self) -> list[str]:
        return [name for name in self.operations if name in MUTATING]

    def clear(self) -> None:
        self.operations.clear()
        self.params.clear()

    def before_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ClientError

        if model.name == self.fail_on:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": self.failure_message}}, model.name)
        self.operations.append(model.name)
        self.params.setdefault(model.name, []).append(copy.deepcopy(params))


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Records (and can fail) the calls of the clients k2ecs creates, through botocore's event hooks."""
    from converter.aws import session

    recorder = Calls()
    original = session.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        clients = original(*args, **kwargs)
        for client in (clients.ecs, clients.autoscaling, clients.logs):
            # before-parameter-build sees the API parameters (before-call only sees the serialised request).
            client.meta.events.register("before-parameter-build", recorder.before_call)
        return clients

    monkeypatch.setattr(session, "connect", connect)
    return recorder


# -- botocore's Stubber: exact payloads of the calls moto would not keep ---------------------------------------

ACCOUNT_ARN = "arn:aws:ecs:{region}:123456789012"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Stubbed ECS and Application Auto Scaling clients, handed to k2ecs in place of boto3's chain."""
    import boto3
    from botocore.stub import Stubber

    from converter.aws import session

    isolate_aws_environment(monkeypatch, tmp_path)
    made: list[Stubber] = []

    def make(region: str) -> tuple[Stubber, Stubber]:
        boto = boto3.Session(region_name=region)
        ecs, autoscaling = boto.client("ecs"), boto.client("application-autoscaling")
        stubs = Stubber(ecs), Stubber(autoscaling)
        made.extend(stubs)
        monkeypatch.setattr(session, "connect", lambda *_: session.Clients(ecs=ecs, autoscaling=autoscaling, region=region,
                                                                           endpoint="stubbed"))
        return stubs

    yield make
    for stub in made:
        stub.assert_no_pending_responses()
        stub.deactivate()


def stub_reads(ecs, autoscaling, *, region: str, cluster: str, taskdef: dict | None, service: dict | None,
               target: dict | None, policies: list[dict]) -> None:
    arn = ACCOUNT_ARN.format(region=region)
    ecs.add_response("describe_clusters", {"clusters": [{"clusterName": cluster, "clusterArn": f"{arn}:cluster/{cluster}",
                                                         "status": "ACTIVE"}], "failures": []})
    if taskdef is None:
        ecs.add_client_error("describe_task_definition", "ClientException", "Unable to describe task definition.")
    else:
        ecs.add_response("describe_task_definition", taskdef)
    missing = [{"arn": f"{arn}:service/x", "reason": "MISSING"}]
    ecs.add_response("describe_services", {"services": [service] if service else [], "failures": [] if service else missing})
    autoscaling.add_response("describe_scalable_targets", {"ScalableTargets": [target] if target else []})
    autoscaling.add_response("describe_scaling_policies", {"ScalingPolicies": policies})


def described_taskdef(taskdef: dict, revision: int) -> dict:
    """A task definition as DescribeTaskDefinition returns it: read-only members, defaults filled in."""
    described = copy.deepcopy({key: value for key, value in taskdef.items() if key != "tags"})
    for container in described["containerDefinitions"]:
        container.update(environment=[], mountPoints=[], volumesFrom=[], systemControls=[])
        for mapping in container.get("portMappings", []):
            mapping["hostPort"] = mapping["containerPort"]
    described.update(taskDefinitionArn=f"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:{revision}",
                     revision=revision, status="ACTIVE", volumes=[], placementConstraints=[],
                     compatibilities=["EC2", "FARGATE"],
                     requiresAttributes=[{"name": "ecs.capability.execution-role-awslogs"}],
                     registeredAt="2026-01-01T00:00:00Z", registeredBy="arn:aws:iam::123456789012:user/ci")
    return {"taskDefinition": described, "tags": list(reversed(taskdef["tags"]))}
