"""The conversion's payloads with their references marked: one model for both CloudFormation and Terraform.

The ECS API payloads are self-contained: settings the manifests do not carry are literal values or
``<k2ecs:...>`` placeholders, the service names its task definition by family, and the log group is only
a name. In a CloudFormation stack or a Terraform configuration these become references. ``link`` copies
each payload and puts a marker where a reference belongs:

- ``ParamRef``: a setting, as a template Parameter / input variable. The deployment settings (cluster,
  subnets, security groups, execution role, Service Connect namespace) and target groups are always
  parameters, with the configured value as their default; a secret ARN only when it is a placeholder
  (a mapped secret ARN is specific to its container and stays literal). A placeholder never survives.
- ``LogGroupRef``, ``TaskDefinitionRef``, ``ScalingResourceId``: resources the stack itself creates.
- ``RegionRef``: the stack's own region. The log group is created where the stack is deployed, so that
  is where awslogs must write, whatever region the config named.
"""

from __future__ import annotations

import marshal
import re
from dataclasses import dataclass, field
from typing import Any

from converter.core.errors import OutputValidationError
from converter.core.limits import limit_value
from converter.core.names import unique_within
from converter.core.settings import PLACEHOLDER_PREFIX, is_placeholder, placeholder

STRING, SUBNETS, SECURITY_GROUPS = "string", "subnets", "security-groups"


@dataclass(frozen=True)
class Param:
    key: str  # neutral name, e.g. "cluster", "target-group-arn:web:80"
    kind: str  # STRING, SUBNETS or SECURITY_GROUPS
    description: str
    default: str | tuple[str, ...] | None  # None: ecs-json has a placeholder here; it must be supplied
    cfn_name: str  # unique among the template's Parameters and Resources
    tf_name: str


@dataclass(frozen=True)
class ParamRef:
    param: Param


@dataclass(frozen=True)
class LogGroupRef:
    name: str


@dataclass(frozen=True)
class RegionRef:
    pass


@dataclass(frozen=True)
class TaskDefinitionRef:
    family: str


@dataclass(frozen=True)
class ScalingResourceId:
    """``service/<cluster>/<service name>``, from the cluster parameter and the service resource."""

    cluster: ParamRef
    service_name: str


# Deployment settings: key -> (kind, description); in this order they open the Parameters / variables.
SETTINGS: dict[str, tuple[str, str]] = {
    "cluster": (STRING, "ECS cluster of the services (k2ecs.yaml cluster, --cluster)"),
    "subnets": (SUBNETS, "Subnets of the tasks' awsvpc network (network.subnets, --subnets)"),
    "security-groups": (SECURITY_GROUPS, "Security groups of the tasks (network.securityGroups, --security-groups)"),
    "execution-role-arn": (STRING, "Task execution role ARN (executionRoleArn, --execution-role-arn)"),
    "service-connect-namespace": (STRING, ("Cloud Map namespace for Service Connect "
                                           "(serviceConnectNamespace, --service-connect-namespace)")),
}


@dataclass
class LinkedWorkload:
    name: str  # the ECS name (file stem in ecs-json)
    resource: str  # Kind/name of the source
    task_definition: dict[str, Any]
    service: dict[str, Any]
    scalable_target: dict[str, Any] | None
    policies: list[dict[str, Any]]


@dataclass
class Linked:
    workloads: list[LinkedWorkload] = field(default_factory=list)
    params: dict[tuple[str, Any], Param] = field(default_factory=dict)
    log_groups: dict[str, str] = field(default_factory=dict)  # name -> ECS name of the first workload using it
    uses_region: bool = False
    names: _Names = field(default_factory=lambda: _Names())

    def param(self, key: str, kind: str, description: str, value: Any) -> ParamRef:
        default = _default(value)
        identity = (key, default)
        if identity not in self.params:
            self.params[identity] = Param(key=key, kind=kind, description=description, default=default,
                                          cfn_name=self.names.cfn(key), tf_name=self.names.tf(key))
        return ParamRef(self.params[identity])


def _default(value: Any) -> str | tuple[str, ...] | None:
    if value is None or is_placeholder(value):
        return None
    if isinstance(value, list):
        return None if any(is_placeholder(v) for v in value) else tuple(value)
    return value


def link(outputs: list[Any]) -> Linked:
    """Mark every reference in copies of the payloads (the originals are not touched)."""
    linked = Linked()
    for output in outputs:
        linked.workloads.append(link_workload(output, linked))
    return sort_params(linked)


def sort_params(linked: Linked) -> Linked:
    """The parameters in the order the template and the variables list them, once every workload is linked."""
    order = list(SETTINGS)  # deployment settings first, in a fixed order; the rest as first met
    linked.params = dict(sorted(linked.params.items(),
                                key=lambda item: order.index(item[0][0]) if item[0][0] in order else len(order)))
    return linked


def _payloads(workload: LinkedWorkload) -> list[dict[str, Any]]:
    return [workload.task_definition, workload.service] + ([workload.scalable_target] if workload.scalable_target else []) + workload.policies


def _may_hold_placeholders(*nodes: Any) -> bool:
    """False when no string in the payloads holds a placeholder's prefix: their marshal bytes (in C) hold each
    string as UTF-8, so a prefix in none of the bytes is in none of the strings. Walking every value of
    every payload in Python for the few a run leaves unset cost about as much as writing the template
    (issue 24). What marshal cannot write (another type, a very deep value) is walked."""
    try:
        return _PLACEHOLDER_BYTES in marshal.dumps(nodes, 2)
    except ValueError:
        return True


_PLACEHOLDER_BYTES = PLACEHOLDER_PREFIX.encode("utf-8")


class _Owned:
    """Copy on write: the containers of a payload this workload's link has copied (its own, to change), the
    rest shared with the conversion's payloads, which are never changed. A deep copy of every payload was
    most of the time of linking (issue 24); the renderings only read what link gives them."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def own(self, node: Any) -> Any:
        copy = node.copy()
        self.ids.add(id(copy))
        return copy

    def path(self, root: Any, *keys: Any) -> Any:
        """The container at ``root[keys[0]][keys[1]]...``, each one on the way made this link's own."""
        node = root
        for key in keys:
            child = node[key]
            if id(child) not in self.ids:
                child = node[key] = self.own(child)
            node = child
        return node


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _copy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_copy(value) for value in node]
    return node


def _setting(linked: Linked, key: str, value: Any) -> ParamRef:
    kind, description = SETTINGS[key]
    return linked.param(key, kind, description, value)


def link_workload(output: Any, linked: Linked) -> LinkedWorkload:
    """One workload's payloads with their references marked, in copies of what changes (the conversion's payloads
    are not touched, and share the rest); the parameters and log groups it uses are added to ``linked`` (not
    its list of workloads: the caller keeps it, or not)."""
    owned = _Owned()
    maybe_placeholders = _may_hold_placeholders(output.task_definition, output.service, output.scaling)
    taskdef = owned.own(output.task_definition)
    if "executionRoleArn" in taskdef:
        taskdef["executionRoleArn"] = _setting(linked, "execution-role-arn", taskdef["executionRoleArn"])
    for index, container in enumerate(taskdef.get("containerDefinitions", [])):
        for number, secret in enumerate(container.get("secrets", [])):
            arn = secret.get("valueFrom")
            if is_placeholder(arn):
                what = arn[len(PLACEHOLDER_PREFIX):-1]
                param = linked.param(what, STRING, f"ARN of the secret {what.split(':', 1)[-1]} (k2ecs.yaml secrets)", arn)
                owned.path(taskdef, "containerDefinitions", index, "secrets", number)["valueFrom"] = param
        logging = container.get("logConfiguration")
        if logging is not None and logging.get("logDriver") == "awslogs":
            options = logging.get("options", {})
            if "awslogs-group" in options:
                name = options["awslogs-group"]
                owned.path(taskdef, "containerDefinitions", index, "logConfiguration", "options")["awslogs-group"] = \
                    LogGroupRef(name)
                linked.log_groups.setdefault(name, output.name)
            if "awslogs-region" in options:
                owned.path(taskdef, "containerDefinitions", index, "logConfiguration", "options")["awslogs-region"] = \
                    RegionRef()
                linked.uses_region = True
    cluster = _setting(linked, "cluster", output.service.get("cluster"))
    # The cluster is always a parameter: the scalable target's ResourceId needs its name, and a stack
    # should say where its services run even when ecs-json leaves it to the default cluster.
    service = owned.own({"cluster": cluster, **{k: v for k, v in output.service.items() if k != "cluster"}})
    service["taskDefinition"] = TaskDefinitionRef(taskdef["family"])
    network = service.get("networkConfiguration", {}).get("awsvpcConfiguration")
    if network is not None:
        for member, key in (("subnets", "subnets"), ("securityGroups", "security-groups")):
            if member in network:
                param = _setting(linked, key, network[member])
                owned.path(service, "networkConfiguration", "awsvpcConfiguration")[member] = param
    connect = service.get("serviceConnectConfiguration")
    if connect is not None and "namespace" in connect:
        owned.path(service, "serviceConnectConfiguration")["namespace"] = \
            _setting(linked, "service-connect-namespace", connect["namespace"])
    for index, balancer in enumerate(service.get("loadBalancers", [])):
        param = _target_group(linked, service, balancer)
        owned.path(service, "loadBalancers", index)["targetGroupArn"] = param
    target, policies = None, []
    if output.scaling is not None:
        target = _copy(output.scaling["scalableTarget"])
        cluster_text = output.service.get("cluster", placeholder("cluster"))
        expected = f"service/{cluster_text}/{output.service['serviceName']}"
        if target.get("ResourceId") != expected:
            raise OutputValidationError(f"{output.name}: scalable target ResourceId {target.get('ResourceId')!r} "
                                        f"is not {expected!r}; cannot express it as a reference")
        raw = _copy(target)
        target["ResourceId"] = ScalingResourceId(cluster, output.service["serviceName"])
        policies = [_copy(policy) for policy in output.scaling["scalingPolicies"]]
        for policy in policies:
            # Both renderings take these from the scalable target (mapping: TARGET), so they must be its own.
            for key in ("ServiceNamespace", "ResourceId", "ScalableDimension"):
                if policy.get(key) != raw.get(key):
                    raise OutputValidationError(f"{output.name}: policy {policy.get('PolicyName')!r} {key} "
                                                f"{policy.get(key)!r} is not its scalable target's")
                policy[key] = target[key]
    workload = LinkedWorkload(name=output.name, resource=output.resource, task_definition=taskdef, service=service,
                              scalable_target=target, policies=policies)
    if maybe_placeholders:
        for root in (taskdef, service):  # shared with the conversion's payloads: each placeholder's path owned
            found: list[tuple[Any, ...]] = []
            _placeholder_paths(root, (), found)
            for path in found:
                parent = owned.path(root, *path[:-1])
                parent[path[-1]] = _leftover_placeholders(linked, parent[path[-1]], output.name)
        for payload in _payloads(workload)[2:]:  # copied whole
            _leftover_placeholders(linked, payload, output.name)
    return workload


def _placeholder_paths(node: Any, path: tuple[Any, ...], found: list[tuple[Any, ...]]) -> None:
    """The paths of the strings holding a placeholder's prefix, in the order _leftover_placeholders meets them."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        if isinstance(value, (dict, list)):
            _placeholder_paths(value, path + (key,), found)
        elif isinstance(value, str) and PLACEHOLDER_PREFIX in value:
            found.append(path + (key,))


def _target_group(linked: Linked, service: dict[str, Any], balancer: dict[str, Any]) -> ParamRef:
    """The target group parameter of one loadBalancers entry, named after what it attaches: the ECS service
    and the container port (under awsvpc a container port is unique within the task). The name never depends
    on where the value came from: a placeholder is named by the Kubernetes Service port (the targetGroups
    key), a configured ARN is not, and a parameter whose name changed when its value moved into the config
    would be a new parameter to an existing stack or Terraform state (issue 23)."""
    arn = balancer.get("targetGroupArn")
    port = balancer.get("containerPort")
    key = f"target-group-arn:{service.get('serviceName')}:{port}"
    description = (f"Target group ARN for container {balancer.get('containerName')} port {port} "
                   f"of ECS service {service.get('serviceName')}")
    if is_placeholder(arn):
        setting = arn[len(PLACEHOLDER_PREFIX):-1].split(":", 1)[-1]  # target-group-arn:SERVICE:PORT
        description += f" (k2ecs.yaml targetGroups {setting})"
    return linked.param(key, STRING, description, arn)


def _leftover_placeholders(linked: Linked, node: Any, name: str) -> Any:
    """Any other placeholder becomes a parameter too; one inside a longer string cannot, and stops the run.
    Only a placeholder is written back: the payloads are mostly other values (issue 24)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                _leftover_placeholders(linked, value, name)
            elif isinstance(value, str) and PLACEHOLDER_PREFIX in value:
                node[key] = _leftover_placeholders(linked, value, name)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                _leftover_placeholders(linked, value, name)
            elif isinstance(value, str) and PLACEHOLDER_PREFIX in value:
                node[index] = _leftover_placeholders(linked, value, name)
    elif is_placeholder(node) and node.count(PLACEHOLDER_PREFIX) == 1:
        what = node[len(PLACEHOLDER_PREFIX):-1]
        return linked.param(what, STRING, f"Value for {what} (not in the manifests or the config)", node)
    elif isinstance(node, str) and PLACEHOLDER_PREFIX in node:
        raise OutputValidationError(f"{name}: placeholder inside {node!r} cannot become a parameter")
    return node


def policy_metric(policy: dict[str, Any], service: dict[str, Any]) -> str:
    """``web-cpu-target-tracking`` of service ``web`` -> ``cpu``: what a policy's resource name should say."""
    name, prefix = str(policy.get("PolicyName", "")), f"{service.get('serviceName')}-"
    rest = name.removeprefix(prefix)
    return rest.replace("-target-tracking", "")


class _Names:
    """Parameter names for both languages, unique, derived from the neutral key."""

    def __init__(self) -> None:
        self.cfn_taken: set[str] = set()
        self.tf_taken: set[str] = set()

    def cfn(self, key: str) -> str:
        return unique_within(pascal(key) or "Param", self.cfn_taken, separator="")

    def tf(self, key: str) -> str:
        return unique_within(snake(key) or "param", self.tf_taken, separator="_")


_WORD = re.compile(r"[A-Za-z0-9]+")
MAX_ID = limit_value("cfn-logical-id-chars")  # CloudFormation allows 255 for a logical ID; room is left for suffixes


def pascal(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in _WORD.findall(text))[:MAX_ID]


def snake(text: str) -> str:
    name = "_".join(word.lower() for word in _WORD.findall(text))[:MAX_ID]
    return f"_{name}" if name[:1].isdigit() else name
