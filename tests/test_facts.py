"""Each repeated fact has one home, and the code that applies it reads it from there (issue 21, "facts repeat").

Two kinds of test: the source holds the fact once (no second literal 1024, no second task-size pattern,
no second table of CloudFormation names), and changing the fact in its home changes what every consumer
does (the schema-held ECS facts are swapped for altered copies through converter.core.facts' reader).
"""

from __future__ import annotations

import ast
import copy
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import converter.core.facts as facts
from converter.core import quantity
from converter.aws.normalise import normalise_task_definition
from converter.compare import ecs_input as compare_ecs_input
from converter.compare.ecs_fields import _camel
from converter.validate.ecs_rules import check_task_definition
from converter.read.ecs.view import API_NAMES, CFN_NAMES, CFN_NESTED, api_name, cfn_name
from converter.core.errors import InputError
from converter.write.iac import mapping as iac_mapping
from converter.core.quantity import TaskSizeError, parse_task_size
from converter.core.resources import load_schema
from tests.helpers import ROOT
from tests.reverse_support import reverse_payload

CONVERTER = ROOT / "converter"


@cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(CONVERTER.rglob("*.py")))


def _constants(tree: ast.AST) -> list[Any]:
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]


# -- one home in the source --------------------------------------------------------------------------

def test_the_number_1024_is_written_only_in_the_units_module():
    # CPU units per core and MiB per GB (and KiB) were 1024s in some eight modules; converter.core.quantity
    # names them. Text (messages, docs) may say 1024; code uses the names.
    found = [path.relative_to(ROOT).as_posix() for path, tree in _modules()
             for value in _constants(tree) if type(value) is int and value == 1024]
    assert found == ["converter/core/quantity.py"]


def test_the_task_size_pattern_is_written_once():
    found = [path.relative_to(ROOT).as_posix() for path, tree in _modules()
             for value in _constants(tree) if isinstance(value, str) and "vcpu|gb" in value]
    assert found == ["converter/core/quantity.py"]


def test_the_irregular_cloudformation_names_are_written_once():
    found = sorted({path.relative_to(ROOT).as_posix() for path, tree in _modules()
                    for value in _constants(tree) if value in ("EFSVolumeConfiguration", "PlacementStrategies")})
    assert found == ["converter/read/ecs/view.py"]


def test_health_check_defaults_are_not_restated_in_code():
    # {"interval": 30, "timeout": 5, ...} was a dict literal in read/ecs/container.py and aws/normalise.py.
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):  # a literal dict that sets interval and retries to numbers
                fixed = {k.value for k, v in zip(node.keys, node.values)
                         if isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and type(v.value) is int}
                assert not {"interval", "retries"} <= fixed, path


# -- units ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "cpu", "expected"), [
    (1024, True, 1024), ("1024", True, 1024), ("1 vCPU", True, 1024), ("0.25 vcpu", True, 256), (" 2vCPU ", True, 2048),
    ("0.1 vCPU", True, 102), ("512", False, 512), ("2 GB", False, 2048), ("0.5GB", False, 512), ("1.5 gb", False, 1536),
])
def test_task_sizes_parse_to_units_and_mib(text, cpu, expected):
    assert parse_task_size(text, cpu=cpu) == expected


@pytest.mark.parametrize(("text", "cpu"), [("2 GB", True), ("1 vCPU", False), ("1e3", True), ("-1", True), ("", False),
                                            ("1 GiB", False), ("0x400", True), ("1,024", True)])
def test_task_sizes_ecs_refuses_are_refused(text, cpu):
    with pytest.raises(TaskSizeError):
        parse_task_size(text, cpu=cpu)


@pytest.mark.parametrize("text", ["1024", "0.25 vCPU", "2 GB", "2 vCPU", "half", "1.5GB"])
def test_compare_and_the_reverse_reader_read_a_task_size_the_same_way(text):
    for cpu, unit in ((True, "vcpu"), (False, "gb")):
        try:
            expected = parse_task_size(text, cpu=cpu)
        except TaskSizeError:
            expected = None
        assert compare_ecs_input._size(text, unit) == expected
        payload = {"family": "web", "containerDefinitions": [{"name": "a", "image": "x"}], "cpu" if cpu else "memory": text}
        if expected is None:
            with pytest.raises(InputError, match="is not a number of"):
                reverse_payload(payload)
        else:
            messages = [f.message for f in reverse_payload(payload).findings if f.code == "K2E-I718"]
            assert any(f"task {'cpu' if cpu else 'memory'} {expected} became" in m for m in messages), messages


def test_the_unit_facts_are_what_ecs_and_kubernetes_say():
    assert quantity.CPU_UNITS_PER_CORE == 1024 and quantity.MILLICORES_PER_CORE == 1000
    assert (quantity.KIB, quantity.MIB, quantity.GIB) == (2**10, 2**20, 2**30)
    assert quantity.MIB_PER_GB == 1024
    assert quantity.cpu_units_from_cores(Decimal("0.1")) == 103
    assert all(quantity.units_for_millicores(m) == quantity.cpu_units_from_cores(Decimal(m) / 1000) for m in range(1, 5000))


# -- ECS facts held in schemas/ecs_rules.json -----------------------------------------------------------

@pytest.fixture
def rules(monkeypatch) -> dict:
    """A private copy of ecs_rules.json that converter.core.facts reads instead of the file."""
    altered = copy.deepcopy(load_schema("ecs_rules.json"))

    def read(filename: str) -> Any:
        return altered if filename == "ecs_rules.json" else load_schema(filename)

    monkeypatch.setattr(facts, "load_schema", read)
    return altered


def _liveness(payload: dict) -> dict:
    conversion = reverse_payload(payload)
    deployment = next(d for o in conversion.outputs for d in o.documents if d["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]


HEALTHY = {"family": "web", "containerDefinitions": [{"name": "a", "image": "x",
                                                      "healthCheck": {"command": ["CMD", "true"]}}]}


def test_health_check_defaults_come_from_the_schema(rules):
    assert rules["V14_health_check"]["defaults"] == {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}
    probe = _liveness(HEALTHY)
    assert (probe["periodSeconds"], probe["timeoutSeconds"], probe["failureThreshold"]) == (30, 5, 3)
    described = {"family": "web", "containerDefinitions": [{"name": "a", "image": "x", "healthCheck": {
        "command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}}]}
    assert normalise_task_definition(described)["containerDefinitions"][0]["healthCheck"] == {"command": ["CMD", "true"]}

    rules["V14_health_check"]["defaults"] = {"interval": 45, "timeout": 7, "retries": 4, "startPeriod": 0}
    probe = _liveness(HEALTHY)
    assert (probe["periodSeconds"], probe["timeoutSeconds"], probe["failureThreshold"]) == (45, 7, 4)
    assert normalise_task_definition(described)["containerDefinitions"][0]["healthCheck"] == {
        "command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}


def _ported(network_mode: str, host_port: int) -> dict:
    return {"family": "web", "networkMode": network_mode, "requiresCompatibilities": ["EC2"], "cpu": "256",
            "memory": "512", "containerDefinitions": [{"name": "a", "image": "x", "essential": True,
                                                       "portMappings": [{"containerPort": 80, "hostPort": host_port}]}]}


def test_host_port_rule_comes_from_the_schema(rules):
    modes = rules["V12_port_mappings"]["host_port_equals_container_port_in_network_modes"]
    assert modes == ["awsvpc", "host"]
    assert [p for p in check_task_definition(_ported("awsvpc", 8080), launch_type="EC2") if "hostPort" in p]
    assert not [p for p in check_task_definition(_ported("bridge", 8080), launch_type="EC2") if "hostPort" in p]
    echo = normalise_task_definition(_ported("bridge", 80))["containerDefinitions"][0]["portMappings"]
    assert echo == [{"containerPort": 80, "hostPort": 80}]
    pod = reverse_payload(_ported("bridge", 80)).outputs[0].documents[0]["spec"]["template"]["spec"]
    assert pod["containers"][0]["ports"][0].get("hostPort") == 80

    modes.append("bridge")  # as if ECS made bridge mode echo containerPort too
    assert [p for p in check_task_definition(_ported("bridge", 8080), launch_type="EC2") if "hostPort" in p]
    echo = normalise_task_definition(_ported("bridge", 80))["containerDefinitions"][0]["portMappings"]
    assert echo == [{"containerPort": 80}]
    pod = reverse_payload(_ported("bridge", 80)).outputs[0].documents[0]["spec"]["template"]["spec"]
    assert "hostPort" not in pod["containers"][0]["ports"][0]


# -- CloudFormation's irregular names --------------------------------------------------------------------

def test_api_names_are_the_cloudformation_table_read_backwards():
    assert API_NAMES == {**{cfn: api for api, cfn in CFN_NAMES.items()},
                         **{cfn: member for (_, member), cfn in CFN_NESTED.items()}}
    for api, cfn in CFN_NAMES.items():
        assert cfn_name(api) == cfn and api_name(cfn) == api and _camel(cfn) == api
    for (parent, member), cfn in CFN_NESTED.items():
        assert cfn_name(member, parent) == cfn and api_name(cfn) == member and _camel(cfn) == member
    assert cfn_name("containerDefinitions") == "ContainerDefinitions" and api_name("ContainerDefinitions") == "containerDefinitions"


def test_the_iac_tables_spell_cloudformation_names_by_the_same_rule():
    def walk(table: dict, parent: Any = None):
        for member, field in table.items():
            if field.cfn is not None and field.keys != "data":
                yield member, parent, field.cfn
            if field.nested is not None:
                yield from walk(dict(field.nested), member)

    for table, _, _ in iac_mapping.RESOURCES.values():
        for member, parent, cfn in walk(table):
            assert cfn_name(member, parent) == cfn, (parent, member, cfn)


def test_the_table_is_what_the_cloudformation_reader_uses(monkeypatch):
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Task": {
        "Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": "web", "ContainerDefinitions": [{"Name": "a", "Image": "x", "MountPoints": [
                {"SourceVolume": "data", "ContainerPath": "/data"}]}],
            "Volumes": [{"Name": "data", "EFSVolumeConfiguration": {"FilesystemId": "fs-1"}}]}}}}
    codes = {f.code for f in reverse_payload(template, "t.json").findings}
    assert "K2E-W730" in codes  # the EFS volume was read (and named: it became an emptyDir)
    monkeypatch.setitem(CFN_NAMES, "efsVolumeConfiguration", "EfsVolumeConfiguration")
    codes = {f.code for f in reverse_payload(template, "t.json").findings}
    assert "K2E-W730" not in codes  # spelled otherwise, the reader no longer finds it there
