"""The linked payloads as a Terraform configuration: versions.tf, variables.tf, main.tf and outputs.tf.

Argument names and block shapes come from ``mapping``; the container definitions stay API JSON inside
``jsonencode(...)``, which is what the AWS provider takes. References become traversals such as
``var.cluster`` or ``aws_ecs_service.web.name``. Layout (indent, aligned ``=``) is the filters' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Iterator

from converter.core.errors import OutputValidationError
from converter.write.iac.filters import Attr, Block, Call, Expr, Template
from converter.write.iac.hcl_text import Lines, block, hcl_str
from converter.write.iac.spool import Pieces, TextSpool
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
    ATTRIBUTE,
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
from converter.core.names import Taken, unique_within

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
    """The whole configuration as data (the reference for the tests; the command writes with ``TerraformText``)."""
    builder = _Builder()
    for name, owner in linked.log_groups.items():
        builder.log_group(name, owner)
    resources, outputs = list(builder.log_resources), []
    for workload in linked.workloads:
        built, their_resources, their_outputs = builder.workload(workload)
        resources.extend(TfResource(kind, label, body.items()) for kind, label, body in their_resources)
        outputs.extend(their_outputs)
    return TfConfiguration(_variables(linked), resources, outputs, linked.uses_region, builder.workloads,
                           builder.log_labels)


def _variables(linked: Linked) -> list[dict[str, Any]]:
    variables = []
    for param in linked.params.values():
        body: list[Any] = [Attr("description", param.description), Attr("type", VARIABLE_TYPES[param.kind])]
        if param.default is not None:
            body.append(Attr("default", list(param.default) if isinstance(param.default, tuple) else param.default))
        variables.append({"name": param.tf_name, "body": tuple(body)})
    return variables


class _Builder:
    """Labels and bodies, a log group or a workload at a time, in the order the configuration lists them. Each
    resource kind has its own label namespace, so a workload's labels are known when it is reached."""

    def __init__(self, keep_workloads: bool = True) -> None:
        """``keep_workloads``: keep each workload's labels (``workloads``, the model the tests read)."""
        self.keep_workloads = keep_workloads
        self.taken: dict[str, Taken] = {}
        self.log_labels: dict[str, str] = {}
        self.output_names = Taken()
        self.workloads: list[TfWorkload] = []
        self.snaked: tuple[str, str] | None = None  # the last name given to snake() and its label

    def label(self, kind: str, base: str) -> str:
        taken = self.taken.get(kind)
        if taken is None:
            taken = self.taken[kind] = Taken()
        return unique_within(base, taken, separator="_")

    def snake(self, name: str) -> str:
        """snake(name), the same string as the last time for the same name: a workload's log group is labelled
        just before the workload, from its name, and both labels are kept to the end of the run (issue 24)."""
        last = self.snaked
        if last is not None and last[0] == name:
            return last[1]
        text = snake(name)
        self.snaked = (name, text)
        return text

    def log_group(self, name: str, owner: str) -> None:
        self.log_labels[name] = self.label(RESOURCES["log_group"][2], self.snake(owner) or "workload")

    @property
    def log_resources(self) -> list[TfResource]:
        """The log groups' resources, in the order they were labelled: made when asked, from their labels (not
        kept from the first workload to the end of the run: issue 24, 3,120 of them at 10 MB)."""
        log_type = RESOURCES["log_group"][2]
        return [TfResource(log_type, label, (Attr("name", name),)) for name, label in self.log_labels.items()]

    def workload(self, workload: LinkedWorkload, make: Any = None) -> tuple[TfWorkload, list[Any], list[dict[str, Any]]]:
        """The workload's labels, its resources ((type, label, body): each body as ``make`` collects it) and its
        outputs."""
        labels = TfWorkload(name=workload.name, resource=workload.resource)
        base = self.snake(workload.name) or "workload"
        for kind in ("task_definition", "service") + (("scalable_target",) if workload.scalable_target else ()):
            labels.labels[kind] = self.label(RESOURCES[kind][2], base)
        context = _Context(workload.name, labels, self.log_labels)
        resources = context.resources(workload, self.label, _Items if make is None else make)
        if self.keep_workloads:
            self.workloads.append(labels)
        names = self.output_names
        outputs = [{"name": unique_within(f"{base}_service_arn", names, separator="_"),
                    "body": (Attr("description", f"ARN of the ECS service {workload.name}"),
                             Attr("value", Expr(f"{RESOURCES['service'][2]}.{labels.labels['service']}.id")))},
                   {"name": unique_within(f"{base}_task_definition_arn", names, separator="_"),
                    "body": (Attr("description", f"ARN of the task definition {workload.name}"),
                             Attr("value", Expr(f"{RESOURCES['task_definition'][2]}.{labels.labels['task_definition']}.arn")))}]
        return labels, resources, outputs


class _Items:
    """A body as ``Attr`` and ``Block`` items (the model)."""

    def __init__(self) -> None:
        self.entries: list[Any] = []  # Attr, or (name, _Items) of a nested block

    def attr(self, name: str, value: Any) -> None:
        self.entries.append(Attr(name, value))

    def block(self, name: str) -> _Items:
        child = _Items()
        self.entries.append((name, child))
        return child

    def items(self) -> tuple[Any, ...]:
        return tuple(entry if isinstance(entry, Attr) else Block(entry[0], (), entry[1].items()) for entry in self.entries)


@dataclass
class _Context:
    where: str
    labels: TfWorkload
    log_labels: dict[str, str]

    def resources(self, workload: LinkedWorkload, label: Any, make: Any) -> list[tuple[str, str, Any]]:
        """(type, label, body) of each resource of the workload, each body a collector ``make()`` gave (``_Items``
        for the model, ``hcl_text.Lines`` for the text) filled with its attributes and blocks."""
        names = self.labels.labels
        out = [(RESOURCES["task_definition"][2], names["task_definition"],
                self.body(workload.task_definition, RESOURCES["task_definition"][0], make()))]
        service = self.body(workload.service, RESOURCES["service"][0], make())
        if workload.scalable_target is not None:
            # Application Auto Scaling owns the running count once the service exists: without this, every
            # apply would reset it to the manifest's replicas.
            service.block("lifecycle").attr("ignore_changes", [Expr("desired_count")])
        out.append((RESOURCES["service"][2], names["service"], service))
        if workload.scalable_target is None:
            return out
        out.append((RESOURCES["scalable_target"][2], names["scalable_target"],
                    self.body(workload.scalable_target, RESOURCES["scalable_target"][0], make())))
        for policy in workload.policies:
            suffix = snake(policy_metric(policy, workload.service)) or "policy"
            policy_label = label(RESOURCES["scaling_policy"][2], f"{snake(workload.name) or 'workload'}_{suffix}")
            self.labels.policies.append(policy_label)
            out.append((RESOURCES["scaling_policy"][2], policy_label,
                        self.body(policy, RESOURCES["scaling_policy"][0], make())))
        return out

    def body(self, payload: dict[str, Any], table: Mapping[str, Field], out: Any) -> Any:
        """``out`` with the payload's attributes and blocks added, in order (``attr(name, value)``, ``block(name)``)."""
        for key, value in payload.items():
            member = table.get(key)
            if member is None or (member.tf is None and member.tf_form != FOLD):
                raise OutputValidationError(f"{self.where}: payload member {key!r} has no Terraform argument "
                                            "in converter/write/iac/mapping.py")
            form = member.tf_form
            if form == ATTRIBUTE:
                out.attr(member.tf, self.value(value))
            elif form == FOLD:
                self.body(value, member.nested or {}, out)
            elif form == BLOCK:
                self.body(value, member.nested or {}, out.block(member.tf))
            elif form == BLOCKS:
                for item in value:
                    self.body(item, member.nested or {}, out.block(member.tf))
            elif form == TAG_MAP:
                out.attr(member.tf, self.tag_map(value))
            elif form == ENABLED_BOOL:
                if value not in ("ENABLED", "DISABLED"):
                    raise OutputValidationError(f"{self.where}: {key} is {value!r}, not ENABLED or DISABLED")
                out.attr(member.tf, value == "ENABLED")
            elif form == JSONENCODE:
                out.attr(member.tf, Call("jsonencode", self.value(value)))
            elif form == TARGET:
                target = f"{RESOURCES['scalable_target'][2]}.{self.labels.labels['scalable_target']}.{member.tf}"
                out.attr(member.tf, Expr(target))
            else:
                out.attr(member.tf, self.value(value))
        return out

    def tag_map(self, tags: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for tag in tags:
            if tag["key"] in out:
                raise OutputValidationError(f"{self.where}: tag {tag['key']!r} twice; a Terraform tag map holds it once")
            out[tag["key"]] = self.value(tag["value"])
        return out

    def value(self, value: Any) -> Any:
        cls = value.__class__
        if cls is str or cls is int or cls is bool:  # most values: as they are (the last line)
            return value
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
    """The files through the Jinja templates: the reference ``TerraformText`` is compared with in the tests."""
    from converter.write.iac.templating import render_template  # lazy: the command does not load Jinja

    return {
        "versions.tf": render_template("versions.tf.j2"),
        "variables.tf": render_template("variables.tf.j2", variables=configuration.variables),
        "main.tf": render_template("main.tf.j2", resources=configuration.resources, uses_region=configuration.uses_region),
        "outputs.tf": render_template("outputs.tf.j2", outputs=configuration.outputs),
    }


# The templates' fixed text (templates/*.tf.j2), as TerraformText writes it; tests/test_iac_fast_text.py
# compares the files with the templates' rendering.
VERSIONS_TF = """# Generated by k2ecs. Configure the aws provider (region, credentials) in the root module or the environment.
terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.64"
    }
  }
}
"""
MAIN_HEAD = ("# Generated by k2ecs from Kubernetes manifests: one log group per awslogs group, then per workload its task\n"
             "# definition, service and (with an HPA) scalable target and target-tracking policies.\n")
REGION_DATA = ("\n# The configuration's own region: the log groups below are created there, so awslogs writes there.\n"
               'data "aws_region" "current" {}\n')
OUTPUTS_HEAD = "# Generated by k2ecs.\n"
VARIABLES_HEAD = ("# Generated by k2ecs: settings the Kubernetes manifests do not carry. A variable with a default holds the\n"
                  "# value given in k2ecs.yaml or on the command line; one without a default must be set "
                  "(terraform.tfvars, -var).\n")


class TerraformText:
    """The configuration's files, written a workload at a time as the conversion hands them over (render.IacSink):
    each workload's resources and outputs become text at once, and its payloads can go. What depends on the
    whole run (the region data source, the log groups that open main.tf, the variables) is written at the end."""

    def __init__(self, spooled: bool = False) -> None:
        # Spooled (the command's, which reads no model) it keeps no workload's labels: at 10 MB, 3,120 of
        # them to the end of the run (issue 24: peak memory).
        self.builder = _Builder(keep_workloads=not spooled)
        self.main = TextSpool(spooled)  # each workload's resources (spool.TextSpool: in a file when spooled)
        self.outputs = TextSpool(spooled)  # each workload's outputs

    def close(self) -> None:
        self.main.close()
        self.outputs.close()

    def add(self, workload: LinkedWorkload, linked: Linked) -> None:
        log_groups = linked.log_groups
        if len(log_groups) > len(self.builder.log_labels):  # log groups first used by this workload: labelled first
            for name, owner in list(log_groups.items())[len(self.builder.log_labels):]:
                self.builder.log_group(name, owner)
        _, resources, outputs = self.builder.workload(workload, Lines)
        self.main.add("".join(f'\nresource {hcl_str(kind)} {hcl_str(label)} {{\n' + body.text() + "}\n"
                              for kind, label, body in resources))
        self.outputs.add("".join(block("output", (o["name"],), o["body"]) for o in outputs))

    @property
    def model(self) -> TfConfiguration:
        """What the tests ask of the configuration: the labels of each workload and log group."""
        return TfConfiguration([], [], [], False, self.builder.workloads, self.builder.log_labels)

    def files(self, linked: Linked) -> dict[str, Any]:
        """File name -> its text as a list of pieces (joined, they are render_files' texts)."""
        variables = [VARIABLES_HEAD] + [block("variable", (v["name"],), v["body"]) for v in _variables(linked)]
        return {"versions.tf": Pieces(VERSIONS_TF), "variables.tf": Pieces("".join(variables)),
                "main.tf": Pieces(MAIN_HEAD + (REGION_DATA if linked.uses_region else ""), self._log_group_blocks,
                                  self.main),
                "outputs.tf": Pieces(OUTPUTS_HEAD, self.outputs)}

    def _log_group_blocks(self) -> Iterator[str]:
        """The log groups' resources, each made as it is written: not joined into one text with their
        ``TfResource`` records, from the rendering to the end of the report (issue 24: 3,120 at 10 MB, 2 MB)."""
        log_type = RESOURCES["log_group"][2]
        for name, label in self.builder.log_labels.items():
            yield block("resource", (log_type, label), (Attr("name", name),))
