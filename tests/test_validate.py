"""converter.validate.ecs: the botocore model layer, the MAPPING §7 rules, and the Fargate size table."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from converter.write.ecs.java_patterns import python_pattern
from converter.validate.ecs import (check_scaling, check_service, check_task_definition, validate_operation,
                                    validate_payloads)
from converter.core.resources import load_schema

RESOURCE_ID = "service/<k2ecs:cluster>/web"

GOOD_TASKDEF = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "512",
    "memory": "1024",
    "executionRoleArn": "<k2ecs:execution-role-arn>",
    "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
    "containerDefinitions": [
        {
            "name": "app",
            "image": "nginx:1.27",
            "essential": True,
            "cpu": 256,
            "memory": 512,
            "memoryReservation": 256,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp", "name": "http", "appProtocol": "http"}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"],
                            "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 10},
            "logConfiguration": {"logDriver": "awslogs",
                                 "options": {"awslogs-group": "/ecs/web", "awslogs-region": "<k2ecs:region>",
                                             "awslogs-stream-prefix": "web"}},
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "<k2ecs:secret-arn>"}],
            "stopTimeout": 30,
            "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
        },
        {"name": "init", "image": "busybox:1.36", "essential": False, "command": ["sh", "-c", "true"], "memory": 64},
    ],
    "volumes": [{"name": "scratch", "host": {}}],
    "tags": [{"key": "app.kubernetes.io/name", "value": "web"}, {"key": "k2ecs:source", "value": "<k2ecs:x>"}],
}

GOOD_SERVICE = {
    "cluster": "<k2ecs:cluster>",
    "serviceName": "web",
    "taskDefinition": "web",
    "desiredCount": 2,
    "launchType": "FARGATE",
    "platformVersion": "LATEST",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["<k2ecs:subnet-id>"],
                                                     "securityGroups": ["<k2ecs:security-group-id>"],
                                                     "assignPublicIp": "DISABLED"}},
    "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
    "loadBalancers": [{"targetGroupArn": "<k2ecs:target-group-arn>", "containerName": "app", "containerPort": 8080}],
    "serviceConnectConfiguration": {
        "enabled": True,
        "namespace": "<k2ecs:namespace>",
        "services": [{"portName": "http", "discoveryName": "web",
                      "clientAliases": [{"port": 80, "dnsName": "web.default"}]}],
    },
    "tags": [{"key": "team", "value": "payments"}],
}

GOOD_TARGET = {"ServiceNamespace": "ecs", "ResourceId": RESOURCE_ID, "ScalableDimension": "ecs:service:DesiredCount",
               "MinCapacity": 2, "MaxCapacity": 10}

GOOD_POLICY = {
    "PolicyName": "web-cpu",
    "ServiceNamespace": "ecs",
    "ResourceId": RESOURCE_ID,
    "ScalableDimension": "ecs:service:DesiredCount",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        "ScaleOutCooldown": 0,
        "ScaleInCooldown": 300,
    },
}


def run(mutate: Callable[[dict], object] | None = None, launch_type: str = "FARGATE") -> list[str]:
    """validate_payloads on deep copies of the good payloads after ``mutate`` edits them in place."""
    payloads = {"taskdef": copy.deepcopy(GOOD_TASKDEF), "service": copy.deepcopy(GOOD_SERVICE),
                "target": copy.deepcopy(GOOD_TARGET), "policies": [copy.deepcopy(GOOD_POLICY)]}
    if mutate is not None:
        mutate(payloads)
    return validate_payloads(**payloads, launch_type=launch_type)


def app(p: dict) -> dict:
    return p["taskdef"]["containerDefinitions"][0]


def init(p: dict) -> dict:
    return p["taskdef"]["containerDefinitions"][1]


def test_good_payloads_have_no_problems():
    assert run() == []


def test_good_payloads_pass_each_layer_on_its_own():
    assert validate_operation("ecs", "RegisterTaskDefinition", GOOD_TASKDEF) == []
    assert validate_operation("ecs", "CreateService", GOOD_SERVICE) == []
    assert validate_operation("application-autoscaling", "RegisterScalableTarget", GOOD_TARGET) == []
    assert validate_operation("application-autoscaling", "PutScalingPolicy", GOOD_POLICY) == []
    assert check_task_definition(GOOD_TASKDEF, launch_type="FARGATE") == []
    assert check_service(GOOD_SERVICE, GOOD_TASKDEF) == []
    assert check_scaling(GOOD_TARGET, [GOOD_POLICY]) == []


# ---- botocore model layer -----------------------------------------------------------------------


def test_unknown_member_is_reported_with_a_suggestion():
    taskdef = copy.deepcopy(GOOD_TASKDEF)
    taskdef["containerDefinitions"][0]["imagee"] = "x"
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == [
        "containerDefinitions[0].imagee: unknown member (did you mean 'image'?)"]


def test_missing_required_member():
    taskdef = copy.deepcopy(GOOD_TASKDEF)
    del taskdef["family"]
    del taskdef["containerDefinitions"][0]["secrets"][0]["valueFrom"]
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == [
        "family: required member is missing", "containerDefinitions[0].secrets[0].valueFrom: required member is missing"]


def test_wrong_type():
    taskdef = copy.deepcopy(GOOD_TASKDEF)
    taskdef["containerDefinitions"][0]["memory"] = "512"
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == [
        "containerDefinitions[0].memory: '512' has type str, expected int"]


def test_boolean_is_not_accepted_as_a_number():
    taskdef = copy.deepcopy(GOOD_TASKDEF)
    taskdef["containerDefinitions"][0]["cpu"] = True
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == [
        "containerDefinitions[0].cpu: True has type bool, expected a number"]


def test_bad_enum_names_path_value_and_choices():
    taskdef = copy.deepcopy(GOOD_TASKDEF)
    taskdef["containerDefinitions"][0]["portMappings"][0]["protocol"] = "sctp"
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == [
        "containerDefinitions[0].portMappings[0].protocol: 'sctp' is not one of tcp, udp"]


def test_over_long_string():
    policy = dict(GOOD_POLICY, PolicyName="p" * 257)
    assert validate_operation("application-autoscaling", "PutScalingPolicy", policy) == [
        "PolicyName: has 257 characters, above the maximum 256"]


def test_string_below_minimum_length_is_reported_once():
    policy = dict(GOOD_POLICY, PolicyName="")
    assert validate_operation("application-autoscaling", "PutScalingPolicy", policy) == [
        "PolicyName: has 0 characters, below the minimum 1"]


def test_list_maximum_length():
    taskdef = dict(GOOD_TASKDEF, tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == ["tags: has 51 items, above the maximum 50"]


@pytest.mark.parametrize("item, expected", [
    ({"capacityProvider": "FARGATE", "weight": 1001}, "capacityProviderStrategy[0].weight: 1001, above the maximum 1000"),
    ({"capacityProvider": "FARGATE", "weight": 1, "base": -1}, "capacityProviderStrategy[0].base: -1, below the minimum 0"),
])
def test_integer_range(item, expected):
    service = dict(GOOD_SERVICE, capacityProviderStrategy=[item])
    assert validate_operation("ecs", "CreateService", service) == [expected]


def test_pattern_with_unicode_properties():
    # TagKey is [\p{L}\p{Z}\p{N}_.:/=+\-@]*, which Python's re cannot compile as written.
    taskdef = dict(GOOD_TASKDEF, tags=[{"key": "a<b", "value": "v"}, {"key": "Größe 1", "value": "ok"}])
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == [
        r"tags[0].key: 'a<b' does not match the pattern ([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"]


def test_placeholders_are_not_judged_by_patterns():
    taskdef = dict(GOOD_TASKDEF, tags=[{"key": "owner", "value": "<k2ecs:owner>"}])
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) == []
    taskdef = dict(GOOD_TASKDEF, tags=[{"key": "owner", "value": "<not a placeholder>"}])
    assert validate_operation("ecs", "RegisterTaskDefinition", taskdef) != []


def test_java_print_class_is_ascii_only():
    policy = dict(GOOD_POLICY, PolicyName="cpu\u00e9")
    assert validate_operation("application-autoscaling", "PutScalingPolicy", policy) == [
        r"PolicyName: 'cpué' does not match the pattern \p{Print}+"]


def test_java_surrogate_pair_range_means_supplementary_code_points():
    # XmlString: [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*
    compiled = python_pattern(load_pattern("application-autoscaling", "XmlString"))
    assert compiled is not None
    assert compiled.fullmatch("cpu \U0001F600 tab\t")
    assert compiled.fullmatch("bell\x07") is None


def load_pattern(service: str, shape: str) -> str:
    return load_schema("ecs_api_shapes.json")["services"][service]["shapes"][shape]["pattern"]


@pytest.mark.parametrize("pattern", [r"[a-z[0-9]]+", r"[a-z&&[^x]]+", r"\P{L}+", r"\p{InGreek}+"])
def test_untranslatable_java_patterns_are_skipped(pattern):
    assert python_pattern(pattern) is None


def test_each_problem_is_one_line():
    taskdef = copy.deepcopy(GOOD_TASKDEF)
    taskdef["containerDefinitions"][0]["memory"] = "5\n12"
    taskdef["family"] = {"a\nb": 1}
    problems = validate_operation("ecs", "RegisterTaskDefinition", taskdef)
    assert len(problems) == 2 and all("\n" not in p for p in problems)


def test_unknown_service_or_launch_type_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_operation("ec2", "RunInstances", {})
    with pytest.raises(ValueError):
        check_task_definition(GOOD_TASKDEF, launch_type="fargate")


# ---- ECS rules (MAPPING §7) -----------------------------------------------------------------------


def _set(getter: Callable[[dict], dict], key: str, value: object) -> Callable[[dict], None]:
    def mutate(p: dict) -> None:
        getter(p)[key] = value
    return mutate


def _many_containers(p: dict) -> None:
    p["taskdef"]["containerDefinitions"] += [{"name": f"side{i}", "image": "busybox", "essential": False}
                                             for i in range(9)]


def _ec2(p: dict) -> None:
    p["taskdef"]["requiresCompatibilities"] = ["EC2"]
    p["service"]["launchType"] = "EC2"


def _ec2_without_any_memory(p: dict) -> None:
    _ec2(p)
    del p["taskdef"]["memory"]
    del p["service"]["serviceConnectConfiguration"]  # it needs task memory too (V28)
    del app(p)["memory"], app(p)["memoryReservation"]


def _ecr_image_only(p: dict) -> None:
    del p["taskdef"]["executionRoleArn"], app(p)["secrets"], app(p)["logConfiguration"]
    app(p)["image"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0"


def _ec2_service_connect_without_task_memory(p: dict) -> None:
    _ec2(p)
    del p["taskdef"]["memory"]


def _service_connect_entry(p: dict) -> dict:
    return p["service"]["serviceConnectConfiguration"]["services"][0]


def _alias(p: dict) -> dict:
    return _service_connect_entry(p)["clientAliases"][0]


def _big_fargate(p: dict) -> None:
    p["taskdef"].update(cpu="8192", memory="16384")
    p["service"]["platformVersion"] = "1.3.0"


def _stuck_rollout(p: dict) -> None:
    p["service"].update(desiredCount=1, deploymentConfiguration={"maximumPercent": 199, "minimumHealthyPercent": 100})


def _strategy(*items: dict) -> Callable[[dict], None]:
    def mutate(p: dict) -> None:
        del p["service"]["launchType"]  # the two are mutually exclusive (V29)
        p["service"]["capacityProviderStrategy"] = list(items)
    return mutate


def _policies(count: int) -> Callable[[dict], None]:
    def mutate(p: dict) -> None:
        p["policies"] = [dict(GOOD_POLICY, PolicyName=f"p{i}") for i in range(count)]
    return mutate


# (case id, mutation, launch type, rule id, substrings one problem must contain)
RULE_CASES = [
    ("V1-containers", _many_containers, "FARGATE", "V1", ["11 containers, more than 10"]),
    ("V2-size", lambda p: app(p).update(environment=[{"name": "BIG", "value": "x" * 70000}]), "FARGATE", "V2",
     ["serialized size", "more than 65536"]),
    # 40,000 characters, 80,000 bytes in UTF-8: the limit is on bytes
    ("V2-size-in-bytes", lambda p: app(p).update(environment=[{"name": "BIG", "value": "\u00e9" * 40000}]), "FARGATE",
     "V2", ["serialized size 81", "more than 65536"]),
    ("V3-family", _set(lambda p: p["taskdef"], "family", "web app"), "FARGATE", "V3", ["family:", "'web app'"]),
    ("V3-family-length", _set(lambda p: p["taskdef"], "family", "f" * 256), "FARGATE", "V3", ["256 characters"]),
    ("V4-container-name", lambda p: p["taskdef"]["containerDefinitions"].append(
        {"name": "side car", "image": "busybox", "essential": False}), "FARGATE", "V4", ["[2].name", "'side car'"]),
    ("V4-duplicate-name", lambda p: p["taskdef"]["containerDefinitions"].append(
        {"name": "init", "image": "busybox", "essential": False}), "FARGATE", "V4", ["'init' is already the name"]),
    ("V7-no-such-size", lambda p: p["taskdef"].update(cpu="256", memory="1536"), "FARGATE", "V7",
     ["256 CPU units with 1536 MiB is not a Fargate size", "512, 1024, 2048"]),
    ("V7-windows", lambda p: p["taskdef"].update(
        runtimePlatform={"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64"}),
     "FARGATE", "V7", ["512 CPU units is not a Fargate size for WINDOWS"]),
    ("V7-missing-size", lambda p: p["taskdef"].pop("cpu"), "FARGATE", "V7", ["needs both task-level cpu and memory"]),
    ("V7-not-an-integer", _set(lambda p: p["taskdef"], "memory", "1 GB"), "FARGATE", "V7", ["'1 GB' is not a plain integer"]),
    ("V7-platform-version", _big_fargate, "FARGATE", "V7", ["platformVersion: 1.3.0", "need 1.4.0"]),
    ("V8-ec2-memory", _ec2_without_any_memory, "EC2", "V8", ["containerDefinitions[0]: no memory or memoryReservation"]),
    ("V9-reservation", _set(app, "memoryReservation", 512), "FARGATE", "V9", ["memoryReservation: 512 MiB must be below"]),
    ("V9-memory-sum", lambda p: app(p).update(memory=1000) or app(p).pop("memoryReservation"), "FARGATE", "V9",
     ["reserve 1064 MiB in total"]),
    ("V9-container-memory", _set(app, "memory", 2048), "FARGATE", "V9", ["memory: 2048 MiB is more than the task"]),
    ("V9-cpu-sum", _set(app, "cpu", 600), "FARGATE", "V9", ["container cpu totals 600 units"]),
    ("V11-no-essential", _set(app, "essential", False), "FARGATE", "V11", ["no container is essential"]),
    ("V11-missing-target", _set(app, "dependsOn", [{"containerName": "ghost", "condition": "START"}]), "FARGATE", "V11",
     ["dependsOn[0].containerName: 'ghost'"]),
    ("V11-essential-target", _set(init, "essential", True), "FARGATE", "V11", ["SUCCESS needs 'init' to be non-essential"]),
    ("V11-healthy-target", _set(app, "dependsOn", [{"containerName": "init", "condition": "HEALTHY"}]), "FARGATE", "V11",
     ["HEALTHY needs 'init' to have a healthCheck"]),
    ("V11-cycle", _set(init, "dependsOn", [{"containerName": "app", "condition": "START"}]), "FARGATE", "V11",
     ["dependsOn cycle app -> init -> app"]),
    ("V12-host-port", lambda p: app(p)["portMappings"][0].update(hostPort=9090), "FARGATE", "V12",
     ["hostPort: 9090 must be unset or equal containerPort 8080"]),
    ("V12-two-protocols", lambda p: app(p)["portMappings"].append({"containerPort": 8080, "protocol": "udp"}),
     "FARGATE", "V12", ["containerPort 8080 has more than one protocol (tcp, udp)"]),
    ("V12-port-name-unique", _set(init, "portMappings", [{"containerPort": 9000, "name": "http"}]), "FARGATE", "V12",
     ["port name 'http' is already used"]),
    ("V12-port-name-pattern", _set(init, "portMappings", [{"containerPort": 9000, "name": "Admin"}]), "FARGATE", "V12",
     ["[1].portMappings[0].name: 'Admin' does not match"]),
    ("V12-port-name-length", _set(init, "portMappings", [{"containerPort": 9000, "name": "a" * 65}]), "FARGATE", "V12",
     ["[1].portMappings[0].name: 65 characters"]),
    ("V12-port-shared-in-awsvpc", _set(init, "portMappings", [{"containerPort": 8080}]), "FARGATE", "V12",
     ["containerPort 8080 is also used by containerDefinitions[0]"]),
    ("V12-port-range", _set(init, "portMappings", [{"containerPort": 70000}]), "FARGATE", "V12",
     ["containerPort: 70000 port is outside 1-65535"]),
    ("V14-command", lambda p: app(p)["healthCheck"].update(command=["curl", "-f", "http://localhost/"]), "FARGATE", "V14",
     ["healthCheck.command: must start with CMD or CMD-SHELL"]),
    ("V14-interval", lambda p: app(p)["healthCheck"].update(interval=301), "FARGATE", "V14", ["interval: 301 seconds is outside 5-300"]),
    ("V14-timeout", lambda p: app(p)["healthCheck"].update(timeout=61), "FARGATE", "V14", ["timeout: 61 seconds is outside 2-60"]),
    ("V14-timeout-low", lambda p: app(p)["healthCheck"].update(timeout=1), "FARGATE", "V14", ["timeout: 1 seconds is outside 2-60"]),
    ("V14-retries", lambda p: app(p)["healthCheck"].update(retries=11), "FARGATE", "V14", ["retries: 11 attempts is outside 1-10"]),
    ("V14-start-period", lambda p: app(p)["healthCheck"].update(startPeriod=301), "FARGATE", "V14",
     ["startPeriod: 301 seconds is outside 0-300"]),
    ("V15-stop-timeout", _set(app, "stopTimeout", 121), "FARGATE", "V15", ["stopTimeout: 121 seconds is outside 2-120"]),
    ("V15-start-timeout", _set(app, "startTimeout", 1), "FARGATE", "V15", ["startTimeout: 1 seconds is outside 2-120"]),
    ("V18-ephemeral-storage", _set(lambda p: p["taskdef"], "ephemeralStorage", {"sizeInGiB": 20}), "FARGATE", "V18",
     ["ephemeralStorage.sizeInGiB: 20 GiB is outside 21-200"]),
    ("V19-privileged", _set(app, "privileged", True), "FARGATE", "V19", ["privileged: not supported on Fargate"]),
    ("V19-capabilities", _set(app, "linuxParameters", {"capabilities": {"add": ["SYS_PTRACE", "NET_ADMIN"]}}),
     "FARGATE", "V19", ["capabilities.add: NET_ADMIN not supported"]),
    ("V19-docker-security-options", _set(app, "dockerSecurityOptions", ["no-new-privileges"]), "FARGATE", "V19",
     ["dockerSecurityOptions: not supported"]),
    ("V19-devices", _set(app, "linuxParameters", {"devices": [{"hostPath": "/dev/fuse"}]}), "FARGATE", "V19",
     ["linuxParameters.devices: not supported"]),
    ("V19-shared-memory", _set(app, "linuxParameters", {"sharedMemorySize": 64}), "FARGATE", "V19",
     ["linuxParameters.sharedMemorySize: not supported"]),
    ("V19-host-path-volume", lambda p: p["taskdef"]["volumes"][0].update(host={"sourcePath": "/var/log"}), "FARGATE", "V19",
     ["volumes[0].host.sourcePath: not supported"]),
    ("V19-docker-volume", lambda p: p["taskdef"]["volumes"][0].update(dockerVolumeConfiguration={"scope": "task"}),
     "FARGATE", "V19", ["volumes[0].dockerVolumeConfiguration: not supported"]),
    ("V19-ipc-mode", _set(lambda p: p["taskdef"], "ipcMode", "task"), "FARGATE", "V19", ["ipcMode: not supported"]),
    ("V19-pid-mode", _set(lambda p: p["taskdef"], "pidMode", "host"), "FARGATE", "V19", ["pidMode: 'host' is not supported"]),
    ("V19-network-mode", _set(lambda p: p["taskdef"], "networkMode", "bridge"), "FARGATE", "V19",
     ["networkMode: Fargate needs 'awsvpc', not 'bridge'"]),
    ("V19-placement", _set(lambda p: p["taskdef"], "placementConstraints",
                           [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}]),
     "FARGATE", "V19", ["placementConstraints: not supported"]),
    ("V19-hostname", _set(app, "hostname", "web"), "FARGATE", "V19", ["hostname: not supported"]),
    ("V19-extra-hosts", _set(app, "extraHosts", [{"hostname": "db", "ipAddress": "10.0.0.1"}]), "FARGATE", "V19",
     ["extraHosts: not supported"]),
    ("V19-log-driver", lambda p: app(p)["logConfiguration"].update(logDriver="json-file", options={}), "FARGATE", "V19",
     ["logDriver: 'json-file' is not supported on Fargate"]),
    ("V23-taskdef-tag-count", _set(lambda p: p["taskdef"], "tags", [{"key": f"k{i}", "value": "v"} for i in range(51)]),
     "FARGATE", "V23", ["taskdef: tags: 51 tags, more than 50"]),
    ("V23-aws-prefix-key", _set(lambda p: p["taskdef"], "tags", [{"key": "AWS:owner", "value": "v"}]), "FARGATE", "V23",
     ["tags[0].key: 'AWS:owner' starts with the reserved prefix"]),
    ("V23-aws-prefix-value", _set(lambda p: p["service"], "tags", [{"key": "owner", "value": "aws:me"}]), "FARGATE", "V23",
     ["service: tags[0].value: 'aws:me' starts with the reserved prefix"]),
    ("V23-key-length", _set(lambda p: p["taskdef"], "tags", [{"key": "k" * 129, "value": "v"}]), "FARGATE", "V23",
     ["tags[0].key: 129 characters, expected 1-128"]),
    ("V23-value-length", _set(lambda p: p["taskdef"], "tags", [{"key": "k", "value": "v" * 257}]), "FARGATE", "V23",
     ["tags[0].value: 257 characters, expected 0-256"]),
    ("V23-duplicate-key", _set(lambda p: p["taskdef"], "tags", [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]),
     "FARGATE", "V23", ["tags[1].key: 'k' is used twice"]),
    ("V32-execution-role", lambda p: p["taskdef"].pop("executionRoleArn"), "FARGATE", "V32",
     ["executionRoleArn: required by containerDefinitions[0].secrets", "logConfiguration.logDriver"]),
    ("V32-ecr-image", _ecr_image_only, "FARGATE", "V32", ["executionRoleArn: required by containerDefinitions[0].image (ECR)"]),
    ("V5-service-name", _set(lambda p: p["service"], "serviceName", "web/api"), "FARGATE", "V5",
     ["service: serviceName: 'web/api' does not match"]),
    ("V25-subnets", lambda p: p["service"]["networkConfiguration"]["awsvpcConfiguration"].update(
        subnets=[f"subnet-{i}" for i in range(17)]), "FARGATE", "V25", ["17 subnets, expected 1-16"]),
    ("V25-security-groups", lambda p: p["service"]["networkConfiguration"]["awsvpcConfiguration"].update(
        securityGroups=[f"sg-{i}" for i in range(6)]), "FARGATE", "V25", ["6 security groups, more than 5"]),
    ("V25-missing-network", lambda p: p["service"].pop("networkConfiguration"), "FARGATE", "V25",
     ["awsvpcConfiguration: required for an awsvpc task definition"]),
    ("V26-count", lambda p: p["service"].update(loadBalancers=p["service"]["loadBalancers"] * 6), "FARGATE", "V26",
     ["6 load balancers, more than 5"]),
    ("V26-container-name", lambda p: p["service"]["loadBalancers"][0].update(containerName="ghost"), "FARGATE", "V26",
     ["loadBalancers[0].containerName: 'ghost' is not a container"]),
    ("V26-container-port", lambda p: p["service"]["loadBalancers"][0].update(containerPort=9999), "FARGATE", "V26",
     ["loadBalancers[0].containerPort: 9999 is not a containerPort of 'app'"]),
    ("V28-port-name", lambda p: _service_connect_entry(p).update(portName="grpc"), "FARGATE", "V28",
     ["services[0].portName: 'grpc' is not the name of a portMapping"]),
    ("V28-discovery-name-leading-dash", lambda p: _service_connect_entry(p).update(discoveryName="-web"), "FARGATE", "V28",
     ["discoveryName: '-web' does not match"]),
    ("V28-discovery-name-length", lambda p: _service_connect_entry(p).update(discoveryName="w" * 65), "FARGATE", "V28",
     ["discoveryName: 65 characters, expected 1-64"]),
    ("V28-dns-name", lambda p: _alias(p).update(dnsName="Web.Default"), "FARGATE", "V28", ["dnsName: 'Web.Default' does not match"]),
    ("V28-dns-name-length", lambda p: _alias(p).update(dnsName="d" * 128), "FARGATE", "V28", ["dnsName: 128 characters, expected 1-127"]),
    ("V28-client-aliases", lambda p: _service_connect_entry(p)["clientAliases"].append({"port": 81, "dnsName": "web2"}),
     "FARGATE", "V28", ["clientAliases: 2 client aliases, more than 1"]),
    ("V28-task-memory", _ec2_service_connect_without_task_memory, "EC2", "V28", ["sets no task-level memory"]),
    ("V29-with-launch-type", _set(lambda p: p["service"], "capacityProviderStrategy",
                                  [{"capacityProvider": "FARGATE", "weight": 1}]),
     "FARGATE", "V29", ["cannot be combined with launchType"]),
    ("V29-zero-weights", _strategy({"capacityProvider": "FARGATE", "weight": 0}), "FARGATE", "V29",
     ["no item has a weight above 0"]),
    ("V29-two-bases", _strategy({"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                                {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 1}), "FARGATE", "V29",
     ["more than 1 item sets a base"]),
    ("V30-stuck-rollout", _stuck_rollout, "FARGATE", "V30", ["desiredCount 1, maximumPercent 199", "neither start nor stop"]),
    ("V31-resource-id", lambda p: [x.update(ResourceId="web") for x in [p["target"], *p["policies"]]], "FARGATE", "V31",
     ["scaling: ResourceId: 'web' is not service/<cluster>/<service>"]),
    ("V31-min-max", lambda p: p["target"].update(MinCapacity=5, MaxCapacity=2), "FARGATE", "V31",
     ["MinCapacity: 5 is above MaxCapacity 2"]),
    ("V31-policy-count", _policies(51), "FARGATE", "V31", ["51 scaling policies, more than 50"]),
    ("V31-policy-name-length", lambda p: p["policies"][0].update(PolicyName="p" * 257), "FARGATE", "V31",
     ["policies[0].PolicyName: 257 characters, expected 1-256"]),
    ("V31-policy-target-mismatch", lambda p: p["policies"][0].update(ResourceId="service/c/other"), "FARGATE", "V31",
     ["policies[0].ResourceId: 'service/c/other' differs from the scalable target's"]),
    ("V31-resource-label", lambda p: p["policies"][0]["TargetTrackingScalingPolicyConfiguration"][
        "PredefinedMetricSpecification"].update(ResourceLabel="app/x/y/targetgroup/z/w"), "FARGATE", "V31",
     ["ResourceLabel: only allowed with ALBRequestCountPerTarget"]),
]

# Violations that the botocore model also catches, in its own words; everything else must be the rule alone.
MODEL_ALSO_REPORTS = {
    "V23-taskdef-tag-count": "tags: has 51 items, above the maximum 50",
    "V23-key-length": "tags[0].key: has 129 characters, above the maximum 128",
    "V23-value-length": "tags[0].value: has 257 characters, above the maximum 256",
    "V31-policy-name-length": "policies[0].PolicyName: has 257 characters, above the maximum 256",
}


@pytest.mark.parametrize("mutate, launch_type, rule, expected",
                         [case[1:] for case in RULE_CASES], ids=[case[0] for case in RULE_CASES])
def test_each_rule_reports_its_violation(request, mutate, launch_type, rule, expected):
    problems = run(mutate, launch_type)
    assert any(all(part in problem for part in expected) and f"({rule})" in problem for problem in problems), problems
    also = MODEL_ALSO_REPORTS.get(request.node.callspec.id)
    others = [p for p in problems if f"({rule})" not in p and not (also and also in p)]
    assert others == [], "the mutation should break only the rule under test"


def test_every_checklist_rule_in_the_brief_has_a_case():
    covered = {case[3] for case in RULE_CASES}
    wanted = {"V1", "V2", "V3", "V4", "V5", "V7", "V8", "V9", "V11", "V12", "V14", "V15", "V18", "V19", "V23",
              "V25", "V26", "V28", "V29", "V30", "V31", "V32"}
    assert wanted <= covered


def test_task_cpu_and_memory_may_be_integers():
    taskdef = dict(GOOD_TASKDEF, cpu=512, memory=1024)
    assert check_task_definition(taskdef, launch_type="FARGATE") == []


def test_fargate_rules_do_not_apply_on_ec2():
    taskdef = dict(GOOD_TASKDEF, requiresCompatibilities=["EC2"], networkMode="bridge", cpu="300", memory="700",
                   containerDefinitions=[dict(GOOD_TASKDEF["containerDefinitions"][0], privileged=True, stopTimeout=600,
                                              dependsOn=[])])
    assert check_task_definition(taskdef, launch_type="EC2") == []


def test_requires_compatibilities_fargate_brings_fargate_rules_even_for_ec2_launch():
    taskdef = dict(GOOD_TASKDEF, cpu="300")
    assert any("(V7)" in p for p in check_task_definition(taskdef, launch_type="EC2"))


def test_rollout_is_stuck_only_when_it_can_neither_add_nor_stop_a_task():
    for desired, maximum, minimum in [(1, 200, 100), (1, 100, 0), (3, 134, 100), (4, 100, 75)]:
        service = dict(GOOD_SERVICE, desiredCount=desired,
                       deploymentConfiguration={"maximumPercent": maximum, "minimumHealthyPercent": minimum})
        assert check_service(service, GOOD_TASKDEF) == [], (desired, maximum, minimum)
    for desired, maximum, minimum in [(2, 100, 100), (3, 133, 100), (1, 150, 50)]:
        service = dict(GOOD_SERVICE, desiredCount=desired,
                       deploymentConfiguration={"maximumPercent": maximum, "minimumHealthyPercent": minimum})
        assert [p for p in check_service(service, GOOD_TASKDEF) if "(V30)" in p], (desired, maximum, minimum)
    assert check_service(dict(GOOD_SERVICE, desiredCount=0, deploymentConfiguration={"maximumPercent": 100}), None) == []


def test_service_cross_checks_are_skipped_without_a_task_definition():
    service = copy.deepcopy(GOOD_SERVICE)
    service["loadBalancers"][0]["containerName"] = "ghost"
    service["serviceConnectConfiguration"]["services"][0]["portName"] = "grpc"
    assert check_service(service, None) == []


def test_malformed_payloads_do_not_crash_the_rules():
    taskdef = {"family": 7, "cpu": [1], "containerDefinitions": [None, {"name": ["x"], "portMappings": [{"containerPort": [1]}],
                                                                   "dependsOn": [{"containerName": {"a": 1}}],
                                                                   "healthCheck": {"command": "CMD"}}],
               "tags": "nope", "volumes": [3]}
    service = {"serviceName": None, "loadBalancers": [{"containerName": ["x"]}], "capacityProviderStrategy": "x",
               "serviceConnectConfiguration": {"enabled": True, "services": [{"portName": ["p"]}]}}
    problems = validate_payloads(taskdef=taskdef, service=service, target={"MinCapacity": "1"}, policies=[{}],
                                 launch_type="FARGATE")
    assert problems and all(p.startswith(("taskdef: ", "service: ", "scaling: ")) for p in problems)


# ---- Fargate size table (MAPPING §1.1) --------------------------------------------------------------


def _combos(os_name: str) -> set[tuple[int, int]]:
    return {(row["cpu_units"], memory) for row in load_schema("fargate_sizes.json") if os_name in row["os"]
            for memory in row["memory_mib"]}


def test_fargate_table_has_74_linux_and_43_windows_sizes():
    assert len(_combos("LINUX")) == 74
    assert len(_combos("WINDOWS")) == 43
    assert {cpu for cpu, _ in _combos("WINDOWS")} == {1024, 2048, 4096}


def test_fargate_table_matches_the_documented_examples():
    linux = _combos("LINUX")
    assert (256, 1536) not in linux
    for size in [(256, 512), (256, 1024), (256, 2048), (512, 1024), (512, 3072), (512, 4096), (1024, 8192),
                 (2048, 9216), (2048, 16384), (4096, 30720), (8192, 16384), (8192, 32768), (8192, 61440),
                 (16384, 32768), (16384, 122880)]:
        assert size in linux, size
    for absent in [(512, 512), (1024, 1024), (4096, 31744), (8192, 18432), (16384, 36864), (16384, 131072)]:
        assert absent not in linux, absent
    versions = {row["cpu_units"]: row["min_platform_version"] for row in load_schema("fargate_sizes.json")}
    assert versions == {256: None, 512: None, 1024: None, 2048: None, 4096: None, 8192: "1.4.0", 16384: "1.4.0"}


def test_tag_text_rule_is_the_same_for_every_ascii_character():
    """valid_tag_text reads ASCII with a regex and anything else per character by Unicode category."""
    import unicodedata

    from converter.rules.naming import valid_tag_text

    for code in range(128):
        char = chr(code)
        expected = char in "_.:/=+-@" or unicodedata.category(char)[0] in "LZN"
        assert valid_tag_text(char) is expected, repr(char)
        assert valid_tag_text(f"app{char}v1") is expected, repr(char)
        assert valid_tag_text(f"café{char}") is expected, repr(char)  # the same character, outside ASCII text
    assert valid_tag_text("") and valid_tag_text("team/owner=web-1 @x") and not valid_tag_text("a\nb")
