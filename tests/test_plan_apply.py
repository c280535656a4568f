"""k2ecs plan / apply against moto's server on 127.0.0.1 (never real AWS), and exact payloads with botocore's Stubber."""

from __future__ import annotations

import copy
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from converter.aws.errors import DetailedExit
from converter.aws.executor import client_token
from converter.cli import app
from tests.aws_helpers import (  # noqa: F401  (fixtures)
    ACCOUNT_ARN,
    CANARY_ACCESS_KEY,
    CANARY_SECRET_KEY,
    AwsWorld,
    Calls,
    aws,
    calls,
    described_taskdef,
    isolate_aws_environment,
    moto_endpoint,
    stub_reads,
    stubbed,
)
from tests.helpers import SAMPLES

WEB = SAMPLES / "web-loadbalancer-hpa"
RECREATE = SAMPLES / "recreate-strategy"
NAMED_PORTS = SAMPLES / "named-target-ports"
ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
CREATE_ALL = ["CreateLogGroup", "RegisterTaskDefinition", "CreateService", "RegisterScalableTarget", "PutScalingPolicy"]


def k2ecs(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(app, [str(arg) for arg in args], input=input)


def golden(case: Path, name: str) -> dict[str, Any]:
    return json.loads((case / "expected" / name).read_text(encoding="utf-8"))


def web_manifest(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = (WEB / "input" / "web.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "web.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def web_args(aws: AwsWorld, manifest: Path) -> list[str]:
    return [str(manifest), "--config", str(WEB / "k2ecs.yaml"), "--cluster", aws.cluster,
            "--subnets", aws.subnet, "--security-groups", aws.security_group]


def revisions(aws: AwsWorld, family: str) -> list[str]:
    return aws.ecs.list_task_definitions(familyPrefix=family)["taskDefinitionArns"]


def policies(aws: AwsWorld) -> dict[str, dict[str, Any]]:
    found = aws.autoscaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/prod/web")
    return {policy["PolicyName"]: policy for policy in found["ScalingPolicies"]}


# -- against moto's server ---------------------------------------------------------------------------------

def test_apply_creates_everything_then_plan_and_apply_change_nothing(aws: AwsWorld, calls: Calls, tmp_path: Path):
    args = web_args(aws, web_manifest(tmp_path))
    planned = k2ecs("plan", *args)
    assert planned.exit_code == DetailedExit.CHANGES, planned.stderr
    assert "+ task definition web: create" in planned.stdout and "Plan: 5 to create" in planned.stdout
    assert "+ log group /ecs/web: create" in planned.stdout  # awslogs-create-group defaults to false
    assert calls.mutating == []

    applied = k2ecs("apply", *args, "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert calls.mutating == CREATE_ALL
    taskdef, service, scaling = (golden(WEB, f"web.{kind}.json") for kind in ("taskdef", "service", "scaling"))
    described = aws.ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    assert described["revision"] == 1 and described["cpu"] == taskdef["cpu"] and described["memory"] == taskdef["memory"]
    for key, value in taskdef["containerDefinitions"][0].items():
        assert described["containerDefinitions"][0][key] == value, key
    [live] = aws.ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert live["taskDefinition"] == described["taskDefinitionArn"]
    assert live["loadBalancers"] == service["loadBalancers"] and live["desiredCount"] == service["desiredCount"]
    assert live["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [aws.subnet]
    # moto drops deploymentConfiguration from create_service: what was sent is checked here and in the Stubber tests.
    sent = {**service, "taskDefinition": described["taskDefinitionArn"],
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": [aws.subnet], "securityGroups": [aws.security_group], "assignPublicIp": "DISABLED"}}}
    [created] = calls.params["CreateService"]
    assert created.pop("clientToken") == client_token(sent) and created == [sent][0]  # issue 17: idempotent create
    [target] = aws.autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (3, 12)
    wanted = scaling["scalingPolicies"][0]
    [(name, policy)] = policies(aws).items()
    assert name == "k2ecs-" + wanted["PolicyName"]
    assert policy["TargetTrackingScalingPolicyConfiguration"] == wanted["TargetTrackingScalingPolicyConfiguration"]

    calls.clear()
    again = k2ecs("plan", *args)
    assert again.exit_code == DetailedExit.NO_CHANGES, again.stdout
    assert "No changes" in again.stdout and "= task definition web: no change" in again.stdout
    reapplied = k2ecs("apply", *args, "--yes")
    assert reapplied.exit_code == 0 and calls.mutating == []
    assert len(revisions(aws, "web")) == 1
    import boto3

    logs = boto3.client("logs")  # AWS_ENDPOINT_URL points at the moto server
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/ecs/web"]
    assert "= log group /ecs/web: no change" in again.stdout


def test_one_changed_field_is_exactly_one_update(aws: AwsWorld, calls: Calls, tmp_path: Path):
    assert k2ecs("apply", *web_args(aws, web_manifest(tmp_path)), "--yes").exit_code == 0
    args = web_args(aws, web_manifest(tmp_path, ("maxReplicas: 12", "maxReplicas: 20")))
    calls.clear()
    planned = k2ecs("plan", *args)
    assert planned.exit_code == DetailedExit.CHANGES
    assert "~ scalable target service/prod/web: update\n      MaxCapacity: 12 -> 20\n" in planned.stdout
    assert "Plan: 0 to create, 1 to update, 0 to delete, 4 unchanged." in planned.stdout  # the log group is the fourth
    assert k2ecs("apply", *args, "--yes").exit_code == 0
    assert calls.mutating == ["RegisterScalableTarget"]
    [target] = aws.autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert target["MaxCapacity"] == 20
    assert k2ecs("plan", *args).exit_code == DetailedExit.NO_CHANGES


def test_a_new_image_registers_one_revision_and_moves_the_service_to_it(aws: AwsWorld, calls: Calls, tmp_path: Path):
    assert k2ecs("apply", *web_args(aws, web_manifest(tmp_path)), "--yes").exit_code == 0
    args = web_args(aws, web_manifest(tmp_path, ("nginx:1.27", "nginx:1.28")))
    calls.clear()
    planned = k2ecs("plan", *args)
    image = 'containerDefinitions[web].image: "public.ecr.aws/nginx/nginx:1.27" -> "public.ecr.aws/nginx/nginx:1.28"'
    assert image in planned.stdout
    assert "(the new revision of web)" in planned.stdout
    assert k2ecs("apply", *args, "--yes").exit_code == 0
    assert calls.mutating == ["RegisterTaskDefinition", "UpdateService"]
    new_arn = aws.ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["taskDefinitionArn"]
    assert new_arn.endswith("/web:2")
    assert calls.params["UpdateService"] == [{"cluster": "prod", "service": "web", "taskDefinition": new_arn}]
    [live] = aws.ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert live["taskDefinition"] == new_arn and len(revisions(aws, "web")) == 2


@pytest.mark.parametrize("failing", ["CreateService", "PutScalingPolicy"])
def test_a_failure_part_way_is_reported_and_a_rerun_completes_without_duplicates(aws: AwsWorld, calls: Calls,
                                                                                 tmp_path: Path, failing: str):
    args = web_args(aws, web_manifest(tmp_path))
    calls.fail_on = failing
    failed = k2ecs("apply", *args, "--yes")
    assert failed.exit_code == DetailedExit.ERROR
    done = CREATE_ALL[:CREATE_ALL.index(failing)]
    assert calls.mutating == done
    report = failed.stdout[failed.stdout.index("Apply stopped part-way"):]
    assert f"{len(done)} change(s) done, 1 failed, {len(CREATE_ALL) - len(done) - 1} not done" in report
    assert "  done      task definition web: registered web:1" in report
    assert re.search(r"^  FAILED    .*ThrottlingException: Rate exceeded$", report, re.MULTILINE)
    assert report.count("  not done  ") == len(CREATE_ALL) - len(done) - 1
    assert "k2ecs: error: apply stopped at" in failed.stderr

    calls.fail_on = None
    calls.clear()
    resumed = k2ecs("apply", *args, "--yes")
    assert resumed.exit_code == 0, resumed.stderr
    assert calls.mutating == CREATE_ALL[len(done):]
    assert len(revisions(aws, "web")) == 1
    assert len(aws.ecs.list_services(cluster="prod")["serviceArns"]) == 1 and len(policies(aws)) == 1
    assert k2ecs("plan", *args).exit_code == DetailedExit.NO_CHANGES


def test_credentials_never_reach_output_errors_or_logs(aws: AwsWorld, calls: Calls, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG, logger="botocore")
    calls.fail_on = "PutScalingPolicy"
    calls.failure_message = f"request by {CANARY_ACCESS_KEY} signed with {CANARY_SECRET_KEY} was throttled"
    result = k2ecs("apply", *web_args(aws, web_manifest(tmp_path)), "--yes")
    assert result.exit_code == DetailedExit.ERROR
    assert "Credential=" in caplog.text  # botocore did log its signed requests (with the key ID, unless redacted)
    for text in (result.stdout, result.stderr, caplog.text):
        assert CANARY_ACCESS_KEY not in text and CANARY_SECRET_KEY not in text
    assert "request by [redacted] signed with [redacted] was throttled" in result.stdout


def test_apply_needs_consent(aws: AwsWorld, calls: Calls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    args = web_args(aws, web_manifest(tmp_path))
    refused = k2ecs("apply", *args)
    assert refused.exit_code == DetailedExit.ERROR and "rerun with --yes" in refused.stderr
    assert "+ service web: create" in refused.stdout and calls.mutating == []
    from converter.commands import apply as apply_command

    monkeypatch.setattr(apply_command, "_stdin_is_terminal", lambda: True)
    declined = k2ecs("apply", *args, input="n\n")
    assert declined.exit_code == DetailedExit.ERROR and "not confirmed" in declined.stderr and calls.mutating == []
    accepted = k2ecs("apply", *args, input="y\n")
    assert accepted.exit_code == 0 and "Apply these 5 change(s)?" in accepted.stdout and calls.mutating == CREATE_ALL


@pytest.mark.parametrize("case, extra, expected", [
    (WEB, ["--config", WEB / "k2ecs.yaml", "--cluster", "missing"], "ECS cluster 'missing' does not exist"),
    (RECREATE, ["--cluster", "prod", "--execution-role-arn", ROLE], "give --subnets"),
    (RECREATE, ["--cluster", "prod", "--subnets", "SUBNET", "--security-groups", "SG"], "give --execution-role-arn"),
    (WEB, ["--cluster", "prod", "--subnets", "SUBNET", "--security-groups", "SG", "--execution-role-arn", ROLE],
     "is <k2ecs:target-group-arn:web:80>: give targetGroups in --config"),
    (RECREATE, ["--subnets", "SUBNET", "--security-groups", "SG"], "no ECS cluster: give --cluster"),
    (RECREATE, ["--cluster", "prod", "--profile", "absent"], "AWS profile 'absent' is not in"),
])
def test_problems_are_errors_before_any_change(aws: AwsWorld, calls: Calls, case: Path, extra: list, expected: str):
    args = [case / "input", *[aws.subnet if a == "SUBNET" else aws.security_group if a == "SG" else a for a in extra]]
    for command in (["plan"], ["apply", "--yes"]):
        result = k2ecs(*command, *args)
        assert result.exit_code == DetailedExit.ERROR, (command, result.stdout, result.stderr)
        assert expected in result.stderr and "\n" not in result.stderr.strip()
    assert calls.mutating == []


def test_missing_arguments_and_boto3_are_errors_not_pending_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    isolate_aws_environment(monkeypatch, tmp_path)
    assert k2ecs("plan").exit_code == DetailedExit.ERROR  # not 2, the parser's usage status: 2 means "changes"
    # the parser's own usage errors must not read as "changes pending" either
    assert k2ecs("plan", "--no-such-flag").exit_code == DetailedExit.ERROR
    assert k2ecs("apply", "x.yaml", "--wait-timeout", "soon").exit_code == DetailedExit.ERROR
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 now raises ImportError
    result = k2ecs("plan", RECREATE / "input", "--cluster", "prod")
    assert result.exit_code == DetailedExit.ERROR and "need boto3" in result.stderr


def test_region_comes_from_the_standard_chain_and_fills_awslogs(aws: AwsWorld, calls: Calls):
    result = k2ecs("apply", RECREATE / "input", "--cluster", "prod", "--subnets", aws.subnet,
                   "--security-groups", aws.security_group, "--execution-role-arn", ROLE, "--yes")
    assert result.exit_code == 0, result.stderr
    assert "in eu-west-1 (" + aws.endpoint + ")" in result.stdout  # AWS_ENDPOINT_URL, AWS_DEFAULT_REGION
    [registered] = calls.params["RegisterTaskDefinition"]
    assert registered["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"] == "eu-west-1"


def test_only_policies_k2ecs_created_are_deleted(aws: AwsWorld, calls: Calls, tmp_path: Path):
    args = web_args(aws, web_manifest(tmp_path))
    assert k2ecs("apply", *args, "--yes").exit_code == 0
    memory = {"ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount",
              "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": {
                  "TargetValue": 80.0,
                  "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}}}
    aws.autoscaling.put_scaling_policy(PolicyName="k2ecs-web-memory-target-tracking", **memory)
    aws.autoscaling.put_scaling_policy(PolicyName="hand-made", **memory)
    calls.clear()
    planned = k2ecs("plan", *args)
    assert planned.exit_code == DetailedExit.CHANGES
    assert "- scaling policy k2ecs-web-memory-target-tracking: delete" in planned.stdout
    assert "scaling policy hand-made on service/prod/web was not created by k2ecs" in planned.stdout
    assert k2ecs("apply", *args, "--yes").exit_code == 0
    assert calls.mutating == ["DeleteScalingPolicy"]
    assert calls.params["DeleteScalingPolicy"][0]["PolicyName"] == "k2ecs-web-memory-target-tracking"
    assert set(policies(aws)) == {"k2ecs-web-cpu-target-tracking", "hand-made"}


def test_wait_shows_progress_until_steady(aws: AwsWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("converter.aws.wait.POLL_SECONDS", 0.05)
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "3")  # moto starts services with this many tasks running
    result = k2ecs("apply", *web_args(aws, web_manifest(tmp_path)), "--yes", "--wait")
    assert result.exit_code == 0, result.stderr
    assert "  web: 3/3 running, 0 pending, 1 deployment(s), rollout COMPLETED" in result.stdout
    assert result.stdout.endswith("All services are steady.\n")


def test_wait_times_out_with_the_changes_applied(aws: AwsWorld, calls: Calls, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("converter.aws.wait.POLL_SECONDS", 0.05)
    result = k2ecs("apply", *web_args(aws, web_manifest(tmp_path)), "--yes", "--wait", "--wait-timeout", "1")
    assert result.exit_code == DetailedExit.ERROR
    assert "Apply complete: 5 change(s) made." in result.stdout and "web: 0/3 running, 3 pending" in result.stdout
    assert "timed out after 1 s waiting for service(s) web" in result.stderr and calls.mutating == CREATE_ALL


# -- exact payloads, with botocore's Stubber (moto drops deploymentConfiguration and serviceConnectConfiguration) --

def test_create_payloads_are_exact_with_service_connect(stubbed):
    ecs, autoscaling = stubbed("us-west-2")
    # The Deployment is in namespace demo: its ECS name is demo-podinfo (issue 17 item 7).
    taskdef, service = golden(NAMED_PORTS, "demo-podinfo.taskdef.json"), golden(NAMED_PORTS, "demo-podinfo.service.json")
    assert "serviceConnectConfiguration" in service and "deploymentConfiguration" in service
    stub_reads(ecs, autoscaling, region="us-west-2", cluster="internal", taskdef=None, service=None, target=None,
               policies=[])
    arn = f"{ACCOUNT_ARN.format(region='us-west-2')}:task-definition/demo-podinfo:1"
    ecs.add_response("register_task_definition", {"taskDefinition": {"taskDefinitionArn": arn, "family": "demo-podinfo",
                                                                     "revision": 1}}, expected_params=taskdef)
    created = {**service, "taskDefinition": arn}
    ecs.add_response("create_service", {"service": {"serviceName": "demo-podinfo"}},
                     expected_params={**created, "clientToken": client_token(created)})
    # Read back before success is reported (issue 17: a concurrent apply is detected, not ignored).
    ecs.add_response("describe_services", {"services": [{"serviceName": "demo-podinfo", "taskDefinition": arn}]},
                     expected_params={"cluster": "internal", "services": ["demo-podinfo"]})
    ecs.activate()
    autoscaling.activate()
    result = k2ecs("apply", NAMED_PORTS / "input", "--config", NAMED_PORTS / "k2ecs.yaml", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_update_payload_is_exact_and_what_describe_adds_is_no_change(stubbed):
    ecs, autoscaling = stubbed("eu-west-1")
    taskdef, service, scaling = (golden(WEB, f"web.{kind}.json") for kind in ("taskdef", "service", "scaling"))
    arn = "arn:aws:ecs:eu-west-1:123456789012"
    awsvpc = service["networkConfiguration"]["awsvpcConfiguration"]
    live_service = {
        **{key: value for key, value in service.items() if key not in ("cluster", "deploymentConfiguration")},
        "serviceArn": f"{arn}:service/prod/web", "clusterArn": f"{arn}:cluster/prod", "status": "ACTIVE",
        "taskDefinition": f"{arn}:task-definition/web:4", "desiredCount": 7,  # scaled: not compared
        "runningCount": 7, "pendingCount": 0, "platformVersion": "LATEST", "schedulingStrategy": "REPLICA",
        "networkConfiguration": {"awsvpcConfiguration": {**awsvpc, "subnets": list(reversed(awsvpc["subnets"]))}},
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                    "deploymentCircuitBreaker": {"enable": False, "rollback": False}},
        "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": f"{arn}:task-definition/web:4"}],
        "enableECSManagedTags": False, "enableExecuteCommand": False,
    }
    target = {**scaling["scalableTarget"], "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/x",
              "CreationTime": "2026-01-01T00:00:00Z", "SuspendedState": {"DynamicScalingInSuspended": False,
              "DynamicScalingOutSuspended": False, "ScheduledScalingSuspended": False}}
    policy = {**scaling["scalingPolicies"][0], "PolicyName": "k2ecs-web-cpu-target-tracking",
              "PolicyARN": "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:1",
              "CreationTime": "2026-01-01T00:00:00Z",
              "Alarms": [{"AlarmName": "a", "AlarmARN": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a"}]}
    stub_reads(ecs, autoscaling, region="eu-west-1", cluster="prod", taskdef=described_taskdef(taskdef, 4),
               service=live_service, target=target, policies=[policy])
    ecs.add_response("update_service", {"service": {"serviceName": "web"}}, expected_params={
        "cluster": "prod", "service": "web", "deploymentConfiguration": service["deploymentConfiguration"]})
    ecs.activate()
    autoscaling.activate()
    result = k2ecs("apply", WEB / "input", "--config", WEB / "k2ecs.yaml", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "deploymentConfiguration.maximumPercent: 200 -> 134" in result.stdout
    assert "= task definition web: no change" in result.stdout and "Plan: 0 to create, 1 to update" in result.stdout


def test_a_removed_load_balancer_is_cleared_from_the_service(aws: AwsWorld, calls: Calls, tmp_path: Path):
    assert k2ecs("apply", *web_args(aws, web_manifest(tmp_path)), "--yes").exit_code == 0
    text = (WEB / "input" / "web.yaml").read_text(encoding="utf-8")
    service_document = text[text.index("---\napiVersion: v1\nkind: Service"):text.index("---\napiVersion: autoscaling/v2")]
    args = web_args(aws, web_manifest(tmp_path, (service_document, "")))
    calls.clear()
    planned = k2ecs("plan", *args)
    assert planned.exit_code == DetailedExit.CHANGES
    assert '~ service web: update\n      loadBalancers: [{"targetGroupArn"' in planned.stdout
    assert k2ecs("apply", *args, "--yes").exit_code == 0
    assert calls.params["UpdateService"] == [{"cluster": "prod", "service": "web", "loadBalancers": []}]
    assert aws.ecs.describe_services(cluster="prod", services=["web"])["services"][0]["loadBalancers"] == []
    assert k2ecs("plan", *args).exit_code == DetailedExit.NO_CHANGES


# -- pure parts and documentation ------------------------------------------------------------------------------

def test_normalisation_ignores_defaults_but_not_changes():
    from converter.aws.normalise import normalise_task_definition

    taskdef = golden(WEB, "web.taskdef.json")
    described = described_taskdef(taskdef, 3)["taskDefinition"]
    assert normalise_task_definition(described) == normalise_task_definition(taskdef)
    for member, value in (("essential", False), ("cpu", 128), ("hostPort", 9090)):
        changed = copy.deepcopy(described)
        target = changed["containerDefinitions"][0]
        (target["portMappings"][0] if member == "hostPort" else target)[member] = value
        assert normalise_task_definition(changed) != normalise_task_definition(taskdef), member


def readme_rows(name: str) -> list[list[str]]:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"^<!-- {name} -->\n(.*?)^<!-- /{name} -->$", text, re.DOTALL | re.MULTILINE)
    assert block is not None, name
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in block.group(1).splitlines() if line.startswith("|") and not line.startswith("|---")][1:]


def test_readme_documents_the_exit_statuses_and_the_flags_of_plan_and_apply():
    import typer.main

    assert {int(row[0]): row[1] for row in readme_rows("plan-exit-statuses")} == {s.value: s.name for s in DetailedExit}
    commands = typer.main.get_command(app).commands

    def flags(name: str) -> set[str]:
        return {opt for param in commands[name].params for opt in (*param.opts, *param.secondary_opts)
                if opt.startswith("-")}

    documented = {}
    for option, used_by, _ in readme_rows("plan-apply-options"):
        for flag in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", option):
            documented[flag] = {name.strip() for name in used_by.split(",")}
    expected = {flag: {name for name in ("plan", "apply") if flag in flags(name)}
                for flag in (flags("plan") | flags("apply")) - flags("convert")}
    assert documented == expected


@pytest.mark.parametrize("live, expected", [
    ({"status": "DRAINING", "launchType": "FARGATE"}, "is DRAINING"),
    ({"status": "ACTIVE", "launchType": "EC2"}, "runs with launch type EC2 and the input asks for FARGATE"),
])
def test_a_service_that_cannot_be_updated_in_place_is_an_error_in_the_plan(live: dict, expected: str):
    from converter.aws.errors import PreflightError
    from converter.aws.plan import build_plan
    from converter.aws.state import LiveWorkload
    from converter.cli_common import SettingsFlags, conversion

    outputs = conversion([str(WEB / "input")], SettingsFlags(config=str(WEB / "k2ecs.yaml"))).outputs
    state = {"web": LiveWorkload(service={"serviceName": "web", **live})}
    with pytest.raises(PreflightError, match=expected):
        build_plan(outputs, state, cluster="prod", region="eu-west-1", endpoint="-")


def test_wait_stops_at_a_failed_rollout():
    from converter.aws.errors import AwsError
    from converter.aws.session import Clients
    from converter.aws.wait import wait_for_services

    class Ecs:
        def describe_services(self, cluster: str, services: list[str]) -> dict:
            return {"services": [{"serviceName": "web", "desiredCount": 2, "runningCount": 0, "deployments": [
                {"status": "PRIMARY", "rolloutState": "FAILED", "rolloutStateReason": "tasks failed to start"}]}]}

    with pytest.raises(AwsError, match="deployment of service web failed: tasks failed to start"):
        wait_for_services(Clients(Ecs(), None, "eu-west-1", "-"), "prod", ["web"], timeout_seconds=60,
                          on_progress=lambda line: None, sleep=lambda seconds: None)


def test_a_log_group_created_since_the_plan_is_not_a_failure():
    """CreateLogGroup is not an upsert: a group that appeared between plan and apply is the state wanted."""
    from botocore.exceptions import ClientError

    from converter.aws.executor import STEPS
    from converter.aws.plan import CREATE, LOG_GROUP, Change
    from converter.aws.session import Clients

    class Logs:
        def __init__(self, code: str) -> None:
            self.code = code

        def create_log_group(self, **request: Any) -> None:
            raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "CreateLogGroup")

    change = Change(LOG_GROUP, "/ecs/web", CREATE, request={"logGroupName": "/ecs/web"})
    exists = Clients(ecs=None, autoscaling=None, region="eu-west-1", endpoint="x", logs=Logs("ResourceAlreadyExistsException"))
    assert STEPS[(LOG_GROUP, CREATE)](exists, change, {}) == "already exists"
    denied = Clients(ecs=None, autoscaling=None, region="eu-west-1", endpoint="x", logs=Logs("AccessDeniedException"))
    with pytest.raises(ClientError):
        STEPS[(LOG_GROUP, CREATE)](denied, change, {})


def test_credentials_are_checked_before_the_conversion_and_the_clients_made_after_it(monkeypatch: pytest.MonkeyPatch,
                                                                                     tmp_path: Path):
    """Making a client loads its service model (tens of MB for a moment): plan makes them once the conversion
    is done, not beside it (issue 24), while a missing region or credentials still stop it before converting."""
    from converter.aws import pipeline, session
    from converter.aws.errors import AwsError
    from converter.aws.session import Redactor

    isolate_aws_environment(monkeypatch, tmp_path)
    order: list[str] = []
    connect = session.connect
    monkeypatch.setattr(session, "connect", lambda *args: order.append("clients") or connect(*args))

    def convert(cluster: str, region: str) -> Any:
        order.append(f"convert {cluster} {region}")
        raise AwsError("stop here")  # the conversion's own errors end the run: nothing after it is made

    with pytest.raises(AwsError, match="stop here"):
        pipeline.prepare(config=None, cluster="prod", region="eu-west-3", profile=None, convert=convert,
                         redact=Redactor())
    assert order == ["convert prod eu-west-3"]
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    with pytest.raises(AwsError, match="no AWS credentials"):
        pipeline.prepare(config=None, cluster="prod", region="eu-west-3", profile=None, convert=convert,
                         redact=Redactor())
    assert order == ["convert prod eu-west-3"]  # not converted again: the credentials stopped it first
