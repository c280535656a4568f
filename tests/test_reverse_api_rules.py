"""The API server's name and key rules (schemas/k8s_api_rules.json) on the reverse direction: the output
validator refuses what the server refuses, and the reader never writes it (empty or invalid tag keys,
Docker label keys, volume names, mount paths), saying so at the file, line and path of the ECS value."""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

import pytest

from converter.write.kubernetes import rules
from converter.validate import kubernetes as validate
from tests.helpers import CORPUS
from tests.reverse_support import all_errors, kubernetes_errors, reverse, reverse_paths

CONTAINER = "/containerDefinitions/0"


def _task(container: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {"family": "web", "networkMode": "awsvpc",
            "containerDefinitions": [{"name": "app", "image": "nginx:1.27", **(container or {})}], **fields}


def _convert(payload: Any) -> tuple[Any, str]:
    source = json.dumps(payload, indent=1)
    return reverse(source), source


def _deployment(conversion: Any) -> dict[str, Any]:
    return next(d for o in conversion.outputs for d in o.documents if d["kind"] == "Deployment")


def _finding(conversion: Any, code: str, path: str, source: str) -> Any:
    found = [f for f in conversion.findings if f.code == code and f.path == path]
    assert len(found) == 1, [(f.code, f.path, f.message) for f in conversion.findings]
    finding = found[0]
    assert finding.file == "t.json" and finding.line is not None
    leaf = path.rsplit("/", 1)[-1]
    if not leaf.isdigit():  # the line is the line of the value named
        assert f'"{leaf}"' in source.splitlines()[finding.line - 1]
    return finding


# -- the reader -------------------------------------------------------------------------------------------

def test_an_empty_tag_key_is_left_out_with_a_warning():
    conversion, source = _convert(_task(tags=[{"key": "", "value": "x"}, {"key": "team", "value": "web"}]))
    deployment = _deployment(conversion)
    assert deployment["metadata"]["labels"] == {"team": "web"}
    assert "annotations" not in deployment["metadata"]
    finding = _finding(conversion, "K2E-W744", "/tags/0", source)
    assert "tag '' was left out" in finding.message and "is empty" in finding.message
    assert all_errors(conversion) == []


@pytest.mark.parametrize(("key", "problem"), [("aws:cloudformation:stack-name", "has characters other than"),
                                               ("Cost Center", "has characters other than"),
                                               ("a/b/c", "more than one '/'"), ("/x", "empty prefix")])
def test_a_tag_key_no_annotation_can_have_is_left_out(key: str, problem: str):
    conversion, _ = _convert(_task(tags=[{"key": key, "value": "v"}]))
    assert "annotations" not in _deployment(conversion)["metadata"]
    [finding] = [f for f in conversion.findings if f.code == "K2E-W744"]
    assert finding.path == "/tags/0" and problem in finding.message
    assert all_errors(conversion) == []


def test_a_tag_key_valid_once_lowercased_stays_an_annotation():
    """ValidateAnnotations checks IsQualifiedName(strings.ToLower(key)): Example.COM/Owner is an annotation key, not a label key."""
    conversion, _ = _convert(_task(tags=[{"key": "Example.COM/Owner", "value": "x"}]))
    assert _deployment(conversion)["metadata"]["annotations"] == {"Example.COM/Owner": "x"}
    assert [f.code for f in conversion.findings if f.path == "/tags/0"] == ["K2E-I732"]
    assert all_errors(conversion) == []


def test_a_service_tag_with_an_invalid_key_is_left_out():
    service = {"serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
               "tags": [{"key": "", "value": "x"}, {"key": "tier", "value": "front"}]}
    text = "".join("---\n" + json.dumps(p, indent=1) + "\n" for p in (_task(), service))
    conversion = reverse(text, "t.yaml")
    deployment = _deployment(conversion)
    assert deployment["metadata"]["labels"]["tier"] == "front"
    assert "" not in deployment["metadata"].get("annotations", {})
    assert [f.path for f in conversion.findings if f.code == "K2E-W744"] == ["/tags/0"]
    assert all_errors(conversion) == []


def test_a_docker_label_key_no_annotation_can_have_is_left_out():
    conversion, _ = _convert(_task({"dockerLabels": {"my label": "1", "com.example.team": "web"}}))
    assert _deployment(conversion)["spec"]["template"]["metadata"]["annotations"] == {"com.example.team": "web"}
    [finding] = [f for f in conversion.findings if f.code == "K2E-W744"]
    assert finding.path == f"{CONTAINER}/dockerLabels/my label" and "'my label'" in finding.message
    assert all_errors(conversion) == []


@pytest.mark.parametrize(("raw", "name"), [("", "volume-1"), ("Data_Vol", "data-vol"), ("__", "volume-1")])
def test_a_volume_name_is_made_a_dns_label_and_its_mounts_follow(raw: str, name: str):
    conversion, source = _convert(_task({"mountPoints": [{"sourceVolume": raw, "containerPath": "/data"}]},
                                        volumes=[{"name": raw}]))
    pod = _deployment(conversion)["spec"]["template"]["spec"]
    assert pod["volumes"] == [{"name": name, "emptyDir": {}}]
    assert pod["containers"][0]["volumeMounts"] == [{"name": name, "mountPath": "/data"}]
    finding = _finding(conversion, "K2E-I707", "/volumes/0/name", source)
    assert f"volume {raw!r} is named {name}" in finding.message
    assert all_errors(conversion) == []


def test_volume_names_that_meet_as_labels_stay_apart():
    conversion, _ = _convert(_task({"mountPoints": [{"sourceVolume": "data", "containerPath": "/a"},
                                                    {"sourceVolume": "Data", "containerPath": "/b"}]},
                                   volumes=[{"name": "data"}, {"name": "Data"}]))
    pod = _deployment(conversion)["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]] == ["data", "data-2"]
    assert pod["containers"][0]["volumeMounts"] == [{"name": "data", "mountPath": "/a"}, {"name": "data-2", "mountPath": "/b"}]
    assert all_errors(conversion) == []


def test_a_mount_without_a_path_or_at_a_taken_path_is_left_out():
    conversion, source = _convert(_task({"mountPoints": [{"sourceVolume": "a", "containerPath": ""},
                                                         {"sourceVolume": "a", "containerPath": "/data"},
                                                         {"sourceVolume": "b", "containerPath": "/data"}]},
                                        volumes=[{"name": "a"}, {"name": "b"}]))
    assert _deployment(conversion)["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] == \
        [{"name": "a", "mountPath": "/data"}]
    assert "has no containerPath" in _finding(conversion, "K2E-W745", f"{CONTAINER}/mountPoints/0", source).message
    assert "already mounts a volume at '/data'" in _finding(conversion, "K2E-W745", f"{CONTAINER}/mountPoints/2", source).message
    assert all_errors(conversion) == []


def test_a_memory_reservation_above_the_limit_is_requested_at_the_limit():
    conversion, source = _convert(_task({"memory": 256, "memoryReservation": 512}))
    resources = _deployment(conversion)["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources == {"requests": {"memory": "256Mi"}, "limits": {"memory": "256Mi"}}
    assert "more than its memory 256 MiB" in _finding(conversion, "K2E-W746", f"{CONTAINER}/memoryReservation", source).message
    assert all_errors(conversion) == []


def test_a_service_name_that_starts_with_a_digit_gets_a_letter_first():
    """ValidateServiceName: a Service name is a DNS-1035 label; the Deployment keeps the name (a DNS subdomain)."""
    task = {"family": "1web", "networkMode": "awsvpc", "containerDefinitions": [
        {"name": "app", "image": "nginx:1.27", "portMappings": [{"containerPort": 80, "name": "web"}]}]}
    service = {"serviceName": "1web", "taskDefinition": "1web", "desiredCount": 1,
               "serviceConnectConfiguration": {"enabled": True, "namespace": "n", "services": [
                   {"portName": "web", "discoveryName": "1web", "clientAliases": [{"port": 80}]}]},
               "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1",
                                  "containerName": "app", "containerPort": 80}],
               "serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}]}
    conversion = reverse("".join("---\n" + json.dumps(p, indent=1) + "\n" for p in (task, service)), "t.yaml")
    names = sorted((d["kind"], d["metadata"]["name"]) for o in conversion.outputs for d in o.documents)
    assert ("Deployment", "1web") in names
    services = [name for kind, name in names if kind == "Service"]
    assert len(services) == 3 and all(name.startswith("svc-1web") for name in services), services
    assert any("became Service svc-1web" in f.message for f in conversion.findings if f.code == "K2E-W722")
    assert all_errors(conversion) == []


def test_an_env_name_with_a_character_that_is_not_printable_ascii_is_left_out():
    conversion, _ = _convert(_task({"environment": [{"name": "A\u00c4", "value": "1"}, {"name": "B\tC", "value": "2"},
                                                    {"name": "MY VAR", "value": "3"}]}))
    assert _deployment(conversion)["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "MY VAR", "value": "3"}]
    found = [(f.path, f.message) for f in conversion.findings if f.code == "K2E-W743"]
    assert [path for path, _ in found] == [f"{CONTAINER}/environment/0", f"{CONTAINER}/environment/1"]
    assert all("not printable ASCII" in message for _, message in found)
    assert all_errors(conversion) == []


def test_a_port_name_taken_by_an_earlier_port_is_left_unnamed():
    conversion, _ = _convert(_task({"portMappings": [{"containerPort": 80, "name": "web"}, {"containerPort": 81, "name": "web"}]}))
    ports = _deployment(conversion)["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert [(p.get("name"), p["containerPort"]) for p in ports] == [("web", 80), (None, 81)]
    assert any(f.path == f"{CONTAINER}/portMappings/1/name" and "taken by an earlier port" in f.message
               for f in conversion.findings if f.code == "K2E-W729")
    assert all_errors(conversion) == []


def test_the_aws_register_task_definition_skeleton_converts_to_manifests_the_server_accepts():
    """The corpus file that held an empty tag key and an empty volume name (aws ecs register-task-definition
    --generate-cli-skeleton, in the ECS guide)."""
    path = CORPUS / "ecs" / "awsdocs-ecs-guide" / "task-definition-template.json"
    if not path.is_file():
        pytest.skip(f"shared corpus file not present: {path}")
    conversion = reverse_paths([str(path)])
    assert all_errors(conversion) == []
    deployment = _deployment(conversion)
    assert "" not in deployment["metadata"].get("annotations", {})
    assert [v["name"] for v in deployment["spec"]["template"]["spec"]["volumes"]] == ["volume-1"]
    codes = {(f.code, f.path) for f in conversion.findings}
    assert {("K2E-W744", "/tags/0"), ("K2E-I707", "/volumes/0/name"),
            ("K2E-W745", "/containerDefinitions/0/mountPoints/0")} <= codes


# -- the validator: one manifest that passes each rule, one that fails it ------------------------------------

def _valid() -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"Example.com/Owner": "x"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                           "ports": [{"name": "http", "containerPort": 80}],
                                                           "env": [{"name": "MY VAR.1", "value": "x"}],
                                                           "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                                           "volumes": [{"name": "data", "emptyDir": {}},
                                                       {"name": "host", "hostPath": {"path": "/var/log"}}]}}}}


CONTAINER0 = ("spec", "template", "spec", "containers", 0)
VOLUMES = ("spec", "template", "spec", "volumes")


def _at(document: dict[str, Any], path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


def _setting(path: tuple, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: _at(d, path[:-1]).__setitem__(path[-1], value)


# rule -> (a change the server accepts, a change it refuses, a piece of the problem)
RULES = {
    "annotation key": (_setting(("metadata", "annotations"), {"a.b/C_d": ""}),
                       _setting(("metadata", "annotations"), {"": ""}), "annotation key ''"),
    "annotation key characters": (_setting(("metadata", "annotations"), {"kubernetes.io/change-cause": "x"}),
                                  _setting(("metadata", "annotations"), {"aws:owner": "x"}), "annotation key 'aws:owner'"),
    "annotation size": (_setting(("metadata", "annotations"), {"a": "x" * (256 * 1024 - 1)}),
                        _setting(("metadata", "annotations"), {"a": "x" * (256 * 1024)}), "annotations are too long"),
    "template annotation key": (_setting(("spec", "template", "metadata", "annotations"), {"k": "v"}),
                                _setting(("spec", "template", "metadata", "annotations"), {"a b": "v"}), "template metadata annotation key"),
    "label key": (_setting(("metadata", "labels"), {"example.com/Tier": "x"}),
                  _setting(("metadata", "labels"), {"Example.com/tier": "x"}), "labels key 'Example.com/tier'"),
    "label value": (_setting(("metadata", "labels"), {"tier": "A.b-c_9"}),
                    _setting(("metadata", "labels"), {"tier": "Team Web"}), "labels value 'Team Web'"),
    "volume name": (_setting(VOLUMES + (0, "name"), "data"), _setting(VOLUMES + (0, "name"), ""), "volume name ''"),
    "volume name characters": (_setting(VOLUMES + (1, "name"), "host-1"), _setting(VOLUMES + (1, "name"), "Host_1"), "volume name 'Host_1'"),
    "unique volume names": (_setting(VOLUMES + (1, "name"), "logs"), _setting(VOLUMES + (1, "name"), "data"), "are not unique"),
    "hostPath path": (_setting(VOLUMES + (1, "hostPath"), {"path": "/"}), _setting(VOLUMES + (1, "hostPath"), {"path": ""}),
                      "empty hostPath path"),
    "mount names a volume": (_setting(CONTAINER0 + ("volumeMounts", 0, "name"), "host"),
                             _setting(CONTAINER0 + ("volumeMounts", 0, "name"), ""), "mount of unknown volume ''"),
    "mountPath required": (_setting(CONTAINER0 + ("volumeMounts", 0, "mountPath"), "/x"),
                           _setting(CONTAINER0 + ("volumeMounts", 0, "mountPath"), ""), "at an empty mountPath"),
    "mountPath unique": (lambda d: _at(d, CONTAINER0 + ("volumeMounts",)).append({"name": "host", "mountPath": "/logs"}),
                         lambda d: _at(d, CONTAINER0 + ("volumeMounts",)).append({"name": "host", "mountPath": "/data"}),
                         "repeats a mountPath"),
    "container name": (_setting(CONTAINER0 + ("name",), "app-1"), _setting(CONTAINER0 + ("name",), "App_1"), "container names"),
    "port name": (_setting(CONTAINER0 + ("ports", 0, "name"), "http-2"), _setting(CONTAINER0 + ("ports", 0, "name"), "http--2"),
                  "not an IANA service name"),
    "port name has a letter": (_setting(CONTAINER0 + ("ports", 0, "name"), "h8080"), _setting(CONTAINER0 + ("ports", 0, "name"), "8080"),
                               "has no letter"),
    "port names unique": (lambda d: _at(d, CONTAINER0 + ("ports",)).append({"name": "metrics", "containerPort": 9090}),
                          lambda d: _at(d, CONTAINER0 + ("ports",)).append({"name": "http", "containerPort": 9090}),
                          "repeats a port name"),
    "request at most its limit": (_setting(CONTAINER0 + ("resources",), {"requests": {"memory": "256Mi", "cpu": "500m"},
                                                                         "limits": {"memory": "0.25Gi", "cpu": "1"}}),
                                  _setting(CONTAINER0 + ("resources",), {"requests": {"memory": "512Mi"}, "limits": {"memory": "256Mi"}}),
                                  "is more than its limit"),
    "resource name": (_setting(CONTAINER0 + ("resources",), {"limits": {"nvidia.com/gpu": "1", "hugepages-2Mi": "2Mi"}}),
                      _setting(CONTAINER0 + ("resources",), {"limits": {"gpu": "1"}}), "resource 'gpu'"),
    "extended resource request equals its limit": (
        _setting(CONTAINER0 + ("resources",), {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}}),
        _setting(CONTAINER0 + ("resources",), {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "2"}}),
        "differs from its limit"),
    "namespace": (_setting(("metadata", "namespace"), "team-a"), _setting(("metadata", "namespace"), "team.a"), "namespace 'team.a'"),
    "env name": (_setting(CONTAINER0 + ("env", 0, "name"), "1_X"), _setting(CONTAINER0 + ("env", 0, "name"), "A=B"), "env name 'A=B'"),
    "env name not empty": (_setting(CONTAINER0 + ("env", 0, "name"), "_"), _setting(CONTAINER0 + ("env", 0, "name"), ""), "is empty"),
    "env name printable": (_setting(CONTAINER0 + ("env", 0, "name"), "~"), _setting(CONTAINER0 + ("env", 0, "name"), "A\tB"),
                           "not printable ASCII"),
}


def test_the_base_manifest_passes():
    assert validate.problems(_valid()) == []
    assert kubernetes_errors(_valid()) == []


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_lets_one_value_through_and_refuses_another(rule: str):
    accepted, refused, problem = RULES[rule]
    good, bad = copy.deepcopy(_valid()), copy.deepcopy(_valid())
    accepted(good)
    refused(bad)
    assert validate.problems(good) == [] and kubernetes_errors(good) == []
    found = validate.problems(bad)
    assert any(problem in p for p in found), found
    assert kubernetes_errors(bad) != []


def test_a_service_name_starts_with_a_letter_and_its_selector_is_labels():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    assert validate.problems(service) == []
    assert any("DNS-1035" in p for p in validate.problems({**service, "metadata": {"name": "1web"}}))
    assert any("selector value" in p for p in validate.problems({**service, "spec": {**service["spec"], "selector": {"app": "a b"}}}))


def test_the_rules_are_read_from_the_schema_file(monkeypatch: pytest.MonkeyPatch):
    """Facts as data: a changed limit in schemas/k8s_api_rules.json changes what the validator accepts."""
    altered = copy.deepcopy(rules.rules())
    altered["port_name"]["max_length"] = 3
    monkeypatch.setattr(rules, "rules", lambda: altered)
    assert rules.port_name_problem("http") == "is longer than 3 characters"
    assert rules.port_name_problem("web") is None


def test_a_service_port_name_is_a_dns_label_and_unique():
    """validateServicePort: ServicePort.name "must be a DNS_LABEL", unique within the Service."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [{"name": "my-api", "port": 80}, {"name": "admin", "port": 81}]}}
    assert validate.problems(service) == []
    underscored = copy.deepcopy(service)
    underscored["spec"]["ports"][0]["name"] = "my_api"
    assert any("Service port name 'my_api'" in p for p in validate.problems(underscored))
    repeated = copy.deepcopy(service)
    repeated["spec"]["ports"][1]["name"] = "my-api"
    assert "Service/web: Service port names repeat" in validate.problems(repeated)


def test_a_service_connect_discovery_name_with_an_underscore_makes_a_valid_port_name():
    """A discoveryName <dnsName>-<rest> names the Service port <rest>; ECS allows "_" there, a Service port name
    does not (it was written as my_api, and the API server would refuse the Service)."""
    task = {"family": "web", "networkMode": "awsvpc", "containerDefinitions": [
        {"name": "app", "image": "nginx:1.27", "portMappings": [{"containerPort": 80, "name": "http"},
                                                                 {"containerPort": 81, "name": "admin"}]}]}
    service = {"serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
               "serviceConnectConfiguration": {"enabled": True, "namespace": "n", "services": [
                   {"portName": "http", "discoveryName": "web-my_api", "clientAliases": [{"port": 80, "dnsName": "web"}]},
                   {"portName": "admin", "discoveryName": "web-Admin_Port", "clientAliases": [{"port": 81, "dnsName": "web"}]}]}}
    conversion = reverse("".join("---\n" + json.dumps(p, indent=1) + "\n" for p in (task, service)), "t.yaml")
    services = [d for o in conversion.outputs for d in o.documents if d["kind"] == "Service"]
    assert [p["name"] for p in services[0]["spec"]["ports"]] == ["my-api", "admin-port"]
    told = sorted(f.message for f in conversion.findings if f.code == "K2E-W722")
    assert told == ["Service Connect name 'web-Admin_Port' became port name admin-port in Service web",
                    "Service Connect name 'web-my_api' became port name my-api in Service web"]
    assert all_errors(conversion) == []
