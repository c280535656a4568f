"""The linked payloads as a Terraform configuration: versions.tf, variables.tf, main.tf and outputs.tf.

Argument names and block shapes come from ``mapping``; the container definitions stay API JSON inside
``jsonencode(...)``, which is what the AWS provider takes. References become traversals such as
``var.cluster`` or ``aws_ecs_service.web.name``. Layout (indent, aligned ``=``) is the filters' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter.core.errors import OutputValidationError
from converter.write.iac.filters import Attr, Block, Call, Expr, Template
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
    policy_metric,
    snake,
)
from converter.write.iac.mapping import (
    BLOCK,
    BLOCKS,
    ENABLED_BOOL,
    FOLD,
    JSONENCODE,
    RESOURCES,
    TAG_MAP,
    TARGET,
    Field,
)
from converter.write.iac.templating import render_template
from converter.core.names import unique_within

FILES = ("versions.tf", "variables.tf", "main.tf", "outputs.tf")
REGION = Expr("data.aws_region.current.name")
VARIABLE_TYPES = {"string": Expr("string"), SUBNETS: Call("list", Expr("string")), SECURITY_GROUPS: Call("list", Expr("string"))}


@dataclass
class TfResource:
    type: str
    label: str
    body: tuple[Any, ...]


@dataclass
class TfWorkload:
    """The resource labels of one workload, for the tests."""

    name: str
    resource: str
    labels: dict[str, str] = field(default_factory=dict)  # payload kind -> label
    policies: list[str] = field(default_factory=list)


@dataclass
class TfConfiguration:
    variables: list[dict[str, Any]]
    resources: list[TfResource]
    outputs: list[dict[str, Any]]
    uses_region: bool
    workloads: list[TfWorkload]
    log_groups: dict[str, str]  # log group name -> label


def build_configuration(linked: Linked) -> TfConfiguration:
    variables = []
    for param in linked.params.values():
        body: list[Any] = [Attr("description", param.description), Attr("type", VARIABLE_TYPES[param.kind])]
        if param.default is not None:
            body.append(Attr("default", list(param.default) if isinstance(param.default, tuple) else param.default))
        variables.append({"name": param.tf_name, "body": tuple(body)})
    taken: dict[str, set[str]] = {}

    def label(kind: str, base: str) -> str:
        return unique_within(base, taken.setdefault(kind, set()), separator="_")

    resources: list[TfResource] = []
    log_labels: dict[str, str] = {}
    log_type = RESOURCES["log_group"][2]
    for name, owner in linked.log_groups.items():
        log_labels[name] = label(log_type, snake(owner) or "workload")
        resources.append(TfResource(log_type, log_labels[name], (Attr("name", name),)))
    outputs: list[dict[str, Any]] = []
    output_names: set[str] = set()
    workloads = []
    for workload in linked.workloads:
        labels = TfWorkload(name=workload.name, resource=workload.resource)
        base = snake(workload.name) or "workload"
        for kind in ("task_definition", "service") + (("scalable_target",) if workload.scalable_target else ()):
            labels.labels[kind] = label(RESOURCES[kind][2], base)
        context = _Context(workload.name, labels, log_labels)
        resources.extend(context.resources(workload, label))
        workloads.append(labels)
        outputs.append({"name": unique_within(f"{base}_service_arn", output_names, separator="_"),
                        "body": (Attr("description", f"ARN of the ECS service {workload.name}"),
                                 Attr("value", Expr(f"{RESOURCES['service'][2]}.{labels.labels['service']}.id")))})
        outputs.append({"name": unique_within(f"{base}_task_definition_arn", output_names, separator="_"),
                        "body": (Attr("description", f"ARN of the task definition {workload.name}"),
                                 Attr("value", Expr(f"{RESOURCES['task_definition'][2]}.{labels.labels['task_definition']}.arn")))})
    return TfConfiguration(variables, resources, outputs, linked.uses_region, workloads, log_labels)


@dataclass
class _Context:
    where: str
    labels: TfWorkload
    log_labels: dict[str, str]

    def resources(self, workload: LinkedWorkload, label: Any) -> list[TfResource]:
        names = self.labels.labels
        out = [TfResource(RESOURCES["task_definition"][2], names["task_definition"],
                          self.body(workload.task_definition, RESOURCES["task_definition"][0]))]
        service = list(self.body(workload.service, RESOURCES["service"][0]))
        if workload.scalable_target is not None:
            # Application Auto Scaling owns the running count once the service exists: without this, every
            # apply would reset it to the manifest's replicas.
            service.append(Block("lifecycle", (), (Attr("ignore_changes", [Expr("desired_count")]),)))
        out.append(TfResource(RESOURCES["service"][2], names["service"], tuple(service)))
        if workload.scalable_target is None:
            return out
        out.append(TfResource(RESOURCES["scalable_target"][2], names["scalable_target"],
                              self.body(workload.scalable_target, RESOURCES["scalable_target"][0])))
        for policy in workload.policies:
            suffix = snake(policy_metric(policy, workload.service)) or "policy"
            policy_label = label(RESOURCES["scaling_policy"][2], f"{snake(workload.name) or 'workload'}_{suffix}")
            self.labels.policies.append(policy_label)
            out.append(TfResource(RESOURCES["scaling_policy"][2], policy_label,
                                  self.body(policy, RESOURCES["scaling_policy"][0])))
        return out

    def body(self, payload: dict[str, Any], table: dict[str, Field]) -> tuple[Any, ...]:
        items: list[Any] = []
        for key, value in payload.items():
            member = table.get(key)
            if member is None or (member.tf is None and member.tf_form != FOLD):
                raise OutputValidationError(f"{self.where}: payload member {key!r} has no Terraform argument "
                                            "in converter/write/iac/mapping.py")
            form = member.tf_form
            if form == FOLD:
                items.extend(self.body(value, dict(member.nested or {})))
            elif form == BLOCK:
                items.append(Block(member.tf, (), self.body(value, dict(member.nested or {}))))  # type: ignore[arg-type]
            elif form == BLOCKS:
                items.extend(Block(member.tf, (), self.body(item, dict(member.nested or {}))) for item in value)  # type: ignore[arg-type]
            elif form == TAG_MAP:
                items.append(Attr(member.tf, self.tag_map(value)))  # type: ignore[arg-type]
            elif form == ENABLED_BOOL:
                if value not in ("ENABLED", "DISABLED"):
                    raise OutputValidationError(f"{self.where}: {key} is {value!r}, not ENABLED or DISABLED")
                items.append(Attr(member.tf, value == "ENABLED"))  # type: ignore[arg-type]
            elif form == JSONENCODE:
                items.append(Attr(member.tf, Call("jsonencode", self.value(value))))  # type: ignore[arg-type]
            elif form == TARGET:
                target = f"{RESOURCES['scalable_target'][2]}.{self.labels.labels['scalable_target']}.{member.tf}"
                items.append(Attr(member.tf, Expr(target)))  # type: ignore[arg-type]
            else:
                items.append(Attr(member.tf, self.value(value)))  # type: ignore[arg-type]
        return tuple(items)

    def tag_map(self, tags: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for tag in tags:
            if tag["key"] in out:
                raise OutputValidationError(f"{self.where}: tag {tag['key']!r} twice; a Terraform tag map holds it once")
            out[tag["key"]] = self.value(tag["value"])
        return out

    def value(self, value: Any) -> Any:
        if isinstance(value, ParamRef):
            return Expr(f"var.{value.param.tf_name}")
        if isinstance(value, LogGroupRef):
            return Expr(f"{RESOURCES['log_group'][2]}.{self.log_labels[value.name]}.name")
        if isinstance(value, RegionRef):
            return REGION
        if isinstance(value, TaskDefinitionRef):
            return Expr(f"{RESOURCES['task_definition'][2]}.{self.labels.labels['task_definition']}.arn")
        if isinstance(value, ScalingResourceId):
            return Template(("service/", Expr(f"var.{value.cluster.param.tf_name}"), "/",
                             Expr(f"{RESOURCES['service'][2]}.{self.labels.labels['service']}.name")))
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value


def render_files(configuration: TfConfiguration) -> dict[str, str]:
    return {
        "versions.tf": render_template("versions.tf.j2"),
        "variables.tf": render_template("variables.tf.j2", variables=configuration.variables),
        "main.tf": render_template("main.tf.j2", resources=configuration.resources, uses_region=configuration.uses_region),
        "outputs.tf": render_template("outputs.tf.j2", outputs=configuration.outputs),
    }
