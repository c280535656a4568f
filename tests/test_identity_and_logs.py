"""Identity, images, logs and sidecars (issue 20): what the kubelet and EKS did, on ECS.

convert() validates every payload against the botocore model and the ECS rules (V11 essential containers).
"""

from __future__ import annotations

from pathlib import Path

from converter.load.config import load_config
from converter.pipeline.convert import convert
from converter.load.loader import parse_text
from converter.core.settings import Settings

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/registry-AbCdEf"


def deployment(pod: str = "", init: str = "") -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
            + pod + (f"      initContainers:\n{init}" if init else "") + "      containers:\n"
            "      - {name: web, image: registry.example.com/web:1.0, resources: {requests: {cpu: 250m, memory: 512Mi}}}\n"
            "      - {name: tool, image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tool:2}\n")


def run(text: str, **settings):
    return convert(parse_text(text, "t.yaml"), Settings(**settings))


def messages(result, code: str) -> list[str]:
    return [f.message for f in result.findings if f.code == code]


PULL = "      imagePullSecrets: [{name: regcred}, {name: other}]\n"


def test_a_mapped_pull_secret_becomes_repository_credentials(tmp_path: Path):
    config = tmp_path / "k2ecs.yaml"
    config.write_text(f"launchType: EC2\nrepositoryCredentials:\n  regcred: {ARN}\n", encoding="utf-8")
    settings = load_config(str(config))
    result = convert(parse_text(deployment(PULL), "t.yaml"), settings)
    task = result.outputs[0].task_definition
    web, tool = task["containerDefinitions"]
    assert web["repositoryCredentials"] == {"credentialsParameter": ARN}
    assert "repositoryCredentials" not in tool  # ECR: pulled with the execution role
    assert "executionRoleArn" in task  # the execution role reads the secret, even on EC2
    assert messages(result, "K2E-W137") == ["imagePullSecrets other are not mapped under repositoryCredentials: in the "
                                            "k2ecs config; regcred is used instead"]
    assert messages(result, "K2E-I182")


def test_an_unmapped_pull_secret_says_where_to_map_it():
    result = run(deployment(PULL))
    assert all("repositoryCredentials" not in c for c in result.outputs[0].task_definition["containerDefinitions"])
    assert "not mapped under repositoryCredentials: in the k2ecs config; not written" in messages(result, "K2E-W137")[0]


def test_a_service_account_without_a_role_is_reported():
    account = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n"
    result = run(deployment("      serviceAccountName: web\n") + account)
    assert "taskRoleArn" not in result.outputs[0].task_definition
    assert "no taskRoles: entry" in messages(result, "K2E-W621")[0]
    role = "arn:aws:iam::123456789012:role/web"
    mapped = run(deployment("      serviceAccountName: web\n") + account, task_roles={"web": role})
    assert mapped.outputs[0].task_definition["taskRoleArn"] == role and not messages(mapped, "K2E-W621")


def test_the_report_names_the_log_group_to_create():
    result = run(deployment())
    assert messages(result, "K2E-I620")[0].startswith("Deployment/web logs to CloudWatch log group /ecs/web")
    assert not messages(run(deployment(), log_driver="none"), "K2E-I620")


def test_a_native_sidecar_is_restarted_in_place_not_essential():
    sidecar = "      - {name: shipper, image: fluent/fluent-bit:3.1, restartPolicy: Always}\n"
    result = run(deployment(init=sidecar))
    containers = {c["name"]: c for c in result.outputs[0].task_definition["containerDefinitions"]}
    assert containers["shipper"]["essential"] is False
    assert containers["shipper"]["restartPolicy"] == {"enabled": True, "restartAttemptPeriod": 60}
    assert containers["web"]["essential"] is True and "restartPolicy" not in containers["web"]
    assert messages(result, "K2E-I183")
