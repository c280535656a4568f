"""The linked payloads as one CloudFormation template (templates/cloudformation.yaml.j2), YAML or JSON.

Property names come from ``mapping``; references become ``!Ref`` / ``!GetAtt`` / ``!Sub``. Neither form is
parsed back: the YAML filters escape every value (tests/test_iac_escaping.py reads hostile values back with
``load``), and the JSON form is built from the same stack as that read-back would give it
(converter.write.iac.cloudformation_json; tests/test_iac.py compares the bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

from converter.core.errors import OutputValidationError
from converter.write.iac.cloudformation_json import template_json
from converter.write.iac.filters import GetAtt, Ref, Sub
from converter.write.iac.links import (
    SECURITY_GROUPS,
    SUBNETS,
    Linked,
    LinkedWorkload,
    LogGroupRef,
    ParamRef,
    RegionRef,
    ScalingResourceId,
    TaskDefinitionRef,
    pascal,
    policy_metric,
)
from converter.write.iac.mapping import RESOURCES, SCALING_POLICY, Field
from converter.write.iac.templating import render_template
from converter.core.limits import limit_value
from converter.core.names import unique_within
from converter.core.settings import PLACEHOLDER_PREFIX

TEMPLATE = "cloudformation.yaml.j2"
FORMAT_VERSION = "2010-09-09"  # the only version CloudFormation defines (AWS CloudFormation User Guide, "Format version")
DESCRIPTION = "ECS task definitions, services and scaling converted from Kubernetes manifests by k2ecs"
YAML_FILE, JSON_FILE = "template.yaml", "template.json"
PARAMETER_TYPES = {"string": "String", SUBNETS: "List<AWS::EC2::Subnet::Id>",
                   SECURITY_GROUPS: "List<AWS::EC2::SecurityGroup::Id>"}
# CloudFormation quotas per stack (AWS CloudFormation User Guide, "CloudFormation quotas"); the body
# size is that of a template read from S3 (a template passed inline may hold 51,200 bytes).
QUOTAS = {"resources": limit_value("cfn-stack-resources"), "parameters": limit_value("cfn-stack-parameters"),
          "outputs": limit_value("cfn-stack-outputs"), "bytes": limit_value("cfn-template-bytes")}


@dataclass
class CfnResource:
    id: str
    type: str
    properties: dict[str, Any]
    # Stated for the log groups (cfn-lint I3011 asks it of stateful resources): Delete, CloudFormation's own
    # default, because a retained group would make the next stack with the same LogGroupName fail.
    deletion_policy: str | None = None


@dataclass
class CfnOutput:
    id: str
    description: str
    value: Any


@dataclass(slots=True)  # one per workload, to the end of the run
class CfnWorkload:
    """The logical IDs of one workload's resources, for the report and the tests."""

    name: str
    resource: str
    task_definition: str
    service: str
    scalable_target: str | None = None
    policies: list[str] = field(default_factory=list)


@dataclass
class CfnStack:
    parameters: list[dict[str, Any]]
    resources: list[CfnResource]
    outputs: list[CfnOutput]
    workloads: list[CfnWorkload]
    log_groups: dict[str, str]  # log group name -> logical ID


def build_stack(linked: Linked) -> CfnStack:
    parameters = []
    taken: set[str] = set()  # parameters and resources share one namespace for Ref
    for param in linked.params.values():
        taken.add(param.cfn_name)
        default = param.default
        parameters.append({"name": param.cfn_name, "type": PARAMETER_TYPES[param.kind], "description": param.description,
                           "default": ",".join(default) if isinstance(default, tuple) else default})
    resources: list[CfnResource] = []
    log_ids: dict[str, str] = {}
    for name, owner in linked.log_groups.items():
        log_ids[name] = unique_within(pascal(owner) + "LogGroup", taken, separator="")
        resources.append(CfnResource(log_ids[name], RESOURCES["log_group"][1], {"LogGroupName": name}, "Delete"))
    outputs: list[CfnOutput] = []
    output_ids: set[str] = set()
    workloads = []
    for workload in linked.workloads:
        built = _workload(workload, taken, log_ids, resources)
        workloads.append(built)
        base = pascal(workload.name)
        outputs.append(CfnOutput(unique_within(base + "ServiceArn", output_ids, separator=""), f"ARN of the ECS service {workload.name}",
                                 Ref(built.service)))
        outputs.append(CfnOutput(unique_within(base + "TaskDefinitionArn", output_ids, separator=""),
                                 f"ARN of the task definition {workload.name}", Ref(built.task_definition)))
    return CfnStack(parameters, resources, outputs, workloads, log_ids)


def _workload(workload: LinkedWorkload, taken: set[str], log_ids: dict[str, str],
              resources: list[CfnResource]) -> CfnWorkload:
    base = pascal(workload.name) or "Workload"
    ids = CfnWorkload(name=workload.name, resource=workload.resource,
                      task_definition=unique_within(base + "TaskDefinition", taken, separator=""), service=unique_within(base + "Service", taken, separator=""))
    context = _Context(workload.name, ids, log_ids)
    resources.append(CfnResource(ids.task_definition, RESOURCES["task_definition"][1],
                                 context.properties(workload.task_definition, RESOURCES["task_definition"][0])))
    resources.append(CfnResource(ids.service, RESOURCES["service"][1],
                                 context.properties(workload.service, RESOURCES["service"][0])))
    if workload.scalable_target is not None:
        ids.scalable_target = unique_within(base + "ScalableTarget", taken, separator="")
        resources.append(CfnResource(ids.scalable_target, RESOURCES["scalable_target"][1],
                                     context.properties(workload.scalable_target, RESOURCES["scalable_target"][0])))
        for policy in workload.policies:
            policy_id = unique_within(base + pascal(policy_metric(policy, workload.service)) + "ScalingPolicy", taken, separator="")
            ids.policies.append(policy_id)
            properties = context.properties(policy, SCALING_POLICY)
            properties = {"PolicyName": properties.pop("PolicyName"), "PolicyType": properties.pop("PolicyType"),
                          "ScalingTargetId": Ref(ids.scalable_target), **properties}
            resources.append(CfnResource(policy_id, RESOURCES["scaling_policy"][1], properties))
    return ids


@dataclass
class _Context:
    where: str
    ids: CfnWorkload
    log_ids: dict[str, str]

    def properties(self, payload: dict[str, Any], table: Mapping[str, Field]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in payload.items():
            member = table.get(key)
            if member is None:
                raise OutputValidationError(f"{self.where}: payload member {key!r} has no CloudFormation property "
                                            "in converter/write/iac/mapping.py")
            if member.cfn is not None:
                out[member.cfn] = self.value(value, member)
        return out

    def value(self, value: Any, member: Field) -> Any:
        cls = value.__class__
        if cls is str or cls is int or cls is bool:  # most values: written as they are (the last line)
            return value
        if isinstance(value, ParamRef):
            return Ref(value.param.cfn_name)
        if isinstance(value, LogGroupRef):
            return Ref(self.log_ids[value.name])
        if isinstance(value, RegionRef):
            return Ref("AWS::Region")
        if isinstance(value, TaskDefinitionRef):
            return Ref(self.ids.task_definition)
        if isinstance(value, ScalingResourceId):
            return Sub(("service/", Ref(value.cluster.param.cfn_name), "/", GetAtt(self.ids.service, "Name")))
        if isinstance(value, dict):
            if member.keys == "data":
                return {key: self.value(item, Field(cfn=key, tf=None)) for key, item in value.items()}
            if member.nested is None:
                raise OutputValidationError(f"{self.where}: {member.cfn} is not an object in converter/write/iac/mapping.py")
            return self.properties(value, member.nested)
        if isinstance(value, list):
            return [self.value(item, member) for item in value]
        return value


# -- text ----------------------------------------------------------------------------------------------

def render_text(stack: CfnStack, *, as_json: bool) -> str:
    if as_json:
        # Built from the stack, not by reading the YAML back: the text is json.dumps(load(yaml), indent=2)
        # byte for byte (tests/test_iac.py compares the two), and the YAML and its parse were most of the
        # run at 10,000 workloads (issue 24).
        text = template_json(stack, FORMAT_VERSION, DESCRIPTION)
    else:
        # Not read back: the template escapes every value it writes (tests/test_iac_escaping.py reads
        # hostile values back with load()), and reading a 10,000-workload template again cost two thirds
        # of the run's time and memory (issue 24) only to be thrown away.
        text = render_template(TEMPLATE, format_version=FORMAT_VERSION, description=DESCRIPTION,
                               parameters=stack.parameters, resources=stack.resources, outputs=stack.outputs)
    if PLACEHOLDER_PREFIX in text:
        raise OutputValidationError("a <k2ecs:...> placeholder reached the CloudFormation template")
    return text


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML with the CloudFormation short forms k2ecs writes, read as their long JSON forms."""


_Loader.add_constructor("!Ref", lambda loader, node: {"Ref": loader.construct_scalar(node)})
_Loader.add_constructor("!Sub", lambda loader, node: {"Fn::Sub": loader.construct_scalar(node)})
_Loader.add_constructor("!GetAtt", lambda loader, node: {"Fn::GetAtt": loader.construct_scalar(node).split(".", 1)})


def load(text: str) -> Any:
    """A template k2ecs wrote, as JSON-shaped data (intrinsics in their ``Fn::`` form)."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as err:
        raise OutputValidationError(f"the CloudFormation template does not read back as YAML: {err}") from err
