"""ECS rules the botocore model does not carry (MAPPING §7), with every limit read from schemas/ecs_rules.json.

Each problem is one line, "path: what is wrong (Vn)", where Vn is the §7 checklist id that names the
rule's source. A malformed payload never makes these checks raise: wrong types are the model
validator's to report, so a rule skips any value it cannot read.
"""

from __future__ import annotations

import json
import re
from typing import Any

from converter.resources import load_schema
from converter.settings import is_placeholder

LAUNCH_TYPES = ("FARGATE", "EC2")


def check_task_definition(taskdef: dict, *, launch_type: str) -> list[str]:
    """Problems with a RegisterTaskDefinition payload run with ``launch_type`` ("FARGATE" or "EC2")."""
    if launch_type not in LAUNCH_TYPES:
        raise ValueError(f"launch_type must be one of {', '.join(LAUNCH_TYPES)}, not {launch_type!r}")
    rules = load_schema("ecs_rules.json")
    # ECS applies the Fargate rules at registration whenever the task definition asks for Fargate.
    fargate = launch_type == "FARGATE" or "FARGATE" in _list(taskdef.get("requiresCompatibilities"))
    containers = _indexed(taskdef.get("containerDefinitions"))
    problems: list[str] = []
    limits = rules["task_definition"]
    if len(containers) > limits["max_containers"]:
        problems.append(f"containerDefinitions: {len(containers)} containers, more than {limits['max_containers']} (V1)")
    try:
        size_bytes = len(json.dumps(taskdef, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        size_bytes = 0  # not JSON at all: the model validator reports the offending value
    if size_bytes > limits["max_size_bytes"]:
        problems.append(f"payload: serialized size {size_bytes} bytes, more than {limits['max_size_bytes']} (V2)")
    problems += _name("family", taskdef.get("family"), rules["names"]["family"], "V3")
    seen: dict[str, int] = {}
    for index, container in containers:
        name = container.get("name")
        problems += _name(f"containerDefinitions[{index}].name", name, rules["names"]["container"], "V4")
        if not isinstance(name, str):
            continue
        if name in seen:  # dependsOn and loadBalancers refer to containers by name
            problems.append(f"containerDefinitions[{index}].name: {name!r} is already the name of "
                            f"containerDefinitions[{seen[name]}] (V4)")
        seen.setdefault(name, index)
    problems += _cpu_memory(taskdef, containers, fargate, rules["V7_fargate"])
    problems += _dependencies(containers, rules["V11_dependencies"])
    problems += _port_mappings(taskdef.get("networkMode") or "bridge", containers, rules["V12_port_mappings"])
    problems += _health_checks(containers, rules["V14_health_check"])
    if fargate:
        for index, container in containers:
            for bounds in rules["V15_fargate_container_timeouts"]:
                problems += _range(f"containerDefinitions[{index}]", container, bounds, "V15")
        problems += _fargate_forbidden(taskdef, containers, rules["V19_fargate_forbidden"])
    storage = taskdef.get("ephemeralStorage")
    if isinstance(storage, dict):
        problems += _range("ephemeralStorage", storage, rules["V18_ephemeral_storage"], "V18")
    problems += _tags(taskdef.get("tags"), rules["V23_tags"])
    problems += _execution_role(taskdef, containers, fargate, rules["V32_execution_role"])
    return problems


def check_service(service: dict, taskdef: dict | None) -> list[str]:
    """Problems with a CreateService payload; cross-checks against ``taskdef`` when it is given."""
    rules = load_schema("ecs_rules.json")
    problems = _name("serviceName", service.get("serviceName"), rules["names"]["service"], "V5")
    taskdef = taskdef if isinstance(taskdef, dict) else None
    containers = {c["name"]: c for _, c in _indexed((taskdef or {}).get("containerDefinitions"))
                  if isinstance(c.get("name"), str)}
    awsvpc = _dict(_dict(service.get("networkConfiguration")).get("awsvpcConfiguration"))
    vpc_rules = rules["V25_awsvpc"]
    if taskdef is not None and taskdef.get("networkMode") == "awsvpc" and not awsvpc:
        problems.append("networkConfiguration.awsvpcConfiguration: required for an awsvpc task definition (V25)")
    subnets, groups = _list(awsvpc.get("subnets")), _list(awsvpc.get("securityGroups"))
    if awsvpc and not vpc_rules["min_subnets"] <= len(subnets) <= vpc_rules["max_subnets"]:
        problems.append(f"networkConfiguration.awsvpcConfiguration.subnets: {len(subnets)} subnets, "
                        f"expected {vpc_rules['min_subnets']}-{vpc_rules['max_subnets']} (V25)")
    if len(groups) > vpc_rules["max_security_groups"]:
        problems.append(f"networkConfiguration.awsvpcConfiguration.securityGroups: {len(groups)} security groups, "
                        f"more than {vpc_rules['max_security_groups']} (V25)")
    balancers = _indexed(service.get("loadBalancers"))
    if len(balancers) > rules["V26_load_balancers"]["max_count"]:
        problems.append(f"loadBalancers: {len(balancers)} load balancers, "
                        f"more than {rules['V26_load_balancers']['max_count']} (V26)")
    for index, balancer in balancers if taskdef is not None else ():
        name, port = balancer.get("containerName"), balancer.get("containerPort")
        if not isinstance(name, str):
            continue
        if name not in containers:
            problems.append(f"loadBalancers[{index}].containerName: {name!r} is not a container in the task definition (V26)")
        elif port not in [m.get("containerPort") for _, m in _indexed(containers[name].get("portMappings"))]:
            problems.append(f"loadBalancers[{index}].containerPort: {port!r} is not a containerPort of {name!r} (V26)")
    problems += _service_connect(service, taskdef, containers, rules["V28_service_connect"])
    problems += _capacity_and_platform(service, taskdef, rules)
    problems += _deployment(service, rules["V30_deployment"])
    problems += _tags(service.get("tags"), rules["V23_tags"])
    return problems


def check_scaling(target: dict, policies: list[dict]) -> list[str]:
    """Problems with a RegisterScalableTarget payload and the PutScalingPolicy payloads for it (V31)."""
    rules = load_schema("ecs_rules.json")["V31_scaling"]
    problems: list[str] = []
    resource_id = target.get("ResourceId")
    if (isinstance(resource_id, str) and not is_placeholder(resource_id)
            and not re.fullmatch(rules["resource_id_pattern"], resource_id)):
        problems.append(f"ResourceId: {resource_id!r} is not service/<cluster>/<service> (V31)")
    low, high = _number(target.get("MinCapacity")), _number(target.get("MaxCapacity"))
    if low is not None and high is not None and low > high:
        problems.append(f"MinCapacity: {low} is above MaxCapacity {high} (V31)")
    if len(policies) > rules["max_policies_per_target"]:
        problems.append(f"policies: {len(policies)} scaling policies, more than {rules['max_policies_per_target']} "
                        "for one target (V31)")
    for index, policy in enumerate(policies):
        if not isinstance(policy, dict):
            continue
        path = f"policies[{index}]"
        name = policy.get("PolicyName")
        length = rules["policy_name_length"]
        if isinstance(name, str) and not length["min"] <= len(name) <= length["max"]:
            problems.append(f"{path}.PolicyName: {len(name)} characters, expected {length['min']}-{length['max']} (V31)")
        for field in rules["fields_policy_shares_with_target"]:
            if field in policy and field in target and policy[field] != target[field]:
                problems.append(f"{path}.{field}: {policy[field]!r} differs from the scalable target's "
                                f"{target[field]!r} (V31)")
        metric = _dict(_dict(policy.get("TargetTrackingScalingPolicyConfiguration")).get("PredefinedMetricSpecification"))
        label = metric.get("ResourceLabel")
        if label is not None and metric.get("PredefinedMetricType") not in rules["resource_label_metric_types"]:
            problems.append(f"{path}.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification"
                            f".ResourceLabel: only allowed with "
                            f"{', '.join(rules['resource_label_metric_types'])} (V31)")
    return problems


# ---- task definition rules -------------------------------------------------------------------


def _cpu_memory(taskdef: dict, containers: list[tuple[int, dict]], fargate: bool, rules: dict) -> list[str]:
    """V7 Fargate sizes, V8 EC2 memory presence, V9 container sums against the task size."""
    problems: list[str] = []
    task: dict[str, int | None] = {}
    for field in ("cpu", "memory"):
        raw = taskdef.get(field)
        task[field] = _whole(raw)
        if raw is not None and task[field] is None:
            problems.append(f"{field}: {raw!r} is not a plain integer, which k2ecs always writes (V7)")
    cpu_units, memory_mib = task["cpu"], task["memory"]
    if fargate and (cpu_units is None or memory_mib is None):
        problems.append("cpu/memory: Fargate needs both task-level cpu and memory (V7)")
    elif fargate:
        row = _fargate_row(cpu_units)
        family = str(_dict(taskdef.get("runtimePlatform")).get("operatingSystemFamily") or rules["os_default"])
        os_name = rules["windows"] if family.startswith(rules["windows"]) else rules["os_default"]
        if row is None or memory_mib not in row["memory_mib"]:
            valid = f"; with {cpu_units} CPU units use {_join_ints(row['memory_mib'])} MiB" if row else ""
            problems.append(f"cpu/memory: {cpu_units} CPU units with {memory_mib} MiB is not a Fargate size{valid} (V7)")
        elif os_name not in row["os"]:
            problems.append(f"cpu: {cpu_units} CPU units is not a Fargate size for {os_name} (V7)")
    reserved_mib = cpu_sum = 0
    for index, container in containers:
        path = f"containerDefinitions[{index}]"
        hard, soft = _number(container.get("memory")), _number(container.get("memoryReservation"))
        if not fargate and memory_mib is None and not hard and not soft:
            problems.append(f"{path}: no memory or memoryReservation, and the task sets no memory (V8)")
        if hard is not None and soft is not None and hard <= soft:
            problems.append(f"{path}.memoryReservation: {soft} MiB must be below memory {hard} MiB (V9)")
        if hard is not None and memory_mib is not None and hard > memory_mib:
            problems.append(f"{path}.memory: {hard} MiB is more than the task memory {memory_mib} MiB (V9)")
        # What a container reserves is its memoryReservation when set, otherwise its memory.
        reserved_mib += soft if soft is not None else hard or 0
        cpu_sum += _number(container.get("cpu")) or 0
    if memory_mib is not None and reserved_mib > memory_mib:
        problems.append(f"containerDefinitions: containers reserve {reserved_mib} MiB in total, "
                        f"more than the task memory {memory_mib} MiB (V9)")
    if cpu_units is not None and cpu_sum > cpu_units:
        problems.append(f"containerDefinitions: container cpu totals {cpu_sum} units, "
                        f"more than the task cpu {cpu_units} units (V9)")
    return problems


def _dependencies(containers: list[tuple[int, dict]], rules: dict) -> list[str]:
    """V11: an essential container exists; dependsOn targets exist, suit their condition, form no cycle."""
    def essential(container: dict) -> bool:
        flag = container.get("essential")
        return rules["essential_default"] if flag is None else flag is not False

    problems: list[str] = []
    if containers and not any(essential(c) for _, c in containers):
        problems.append("containerDefinitions: no container is essential; at least one must be (V11)")
    by_name = {c["name"]: c for _, c in containers if isinstance(c.get("name"), str)}
    edges: dict[str, list[str]] = {}
    for index, container in containers:
        for dep_index, dependency in _indexed(container.get("dependsOn")):
            path = f"containerDefinitions[{index}].dependsOn[{dep_index}]"
            target, condition = dependency.get("containerName"), dependency.get("condition")
            if not isinstance(target, str):
                continue
            if target not in by_name:
                problems.append(f"{path}.containerName: {target!r} is not a container in this task definition (V11)")
                continue
            if isinstance(container.get("name"), str):
                edges.setdefault(container["name"], []).append(target)
            if condition in rules["conditions_needing_non_essential_target"] and essential(by_name[target]):
                problems.append(f"{path}.condition: {condition} needs {target!r} to be non-essential, but it is essential (V11)")
            if condition in rules["conditions_needing_target_health_check"] and not by_name[target].get("healthCheck"):
                problems.append(f"{path}.condition: {condition} needs {target!r} to have a healthCheck (V11)")
    cycle = _find_cycle(edges)
    if cycle:
        problems.append(f"containerDefinitions: dependsOn cycle {' -> '.join(cycle)} (V11)")
    return problems


def _find_cycle(edges: dict[str, list[str]]) -> list[str]:
    """One cycle in the dependency graph as [a, b, ..., a], or [] if there is none."""
    done: set[str] = set()
    for start in edges:
        stack, on_path = [(start, iter(edges.get(start, ())))], [start]
        while stack:
            node, successors = stack[-1]
            nxt = next(successors, None)
            if nxt is None:
                done.add(node)
                stack.pop()
                on_path.pop()
            elif nxt in on_path:
                return on_path[on_path.index(nxt):] + [nxt]
            elif nxt not in done:
                stack.append((nxt, iter(edges.get(nxt, ()))))
                on_path.append(nxt)
    return []


def _port_mappings(network_mode: str, containers: list[tuple[int, dict]], rules: dict) -> list[str]:
    """V12: port ranges, hostPort in awsvpc/host, one protocol per port, port names, ports shared in awsvpc."""
    problems: list[str] = []
    names: dict[str, str] = {}
    owners: dict[int, int] = {}
    for index, container in containers:
        protocols: dict[int, list[str]] = {}
        for map_index, mapping in _indexed(container.get("portMappings")):
            path = f"containerDefinitions[{index}].portMappings[{map_index}]"
            problems += _range(path, mapping, rules["container_port"], "V12")
            port, host = mapping.get("containerPort"), mapping.get("hostPort")
            if (network_mode in rules["host_port_equals_container_port_in_network_modes"]
                    and host is not None and host != port):
                problems.append(f"{path}.hostPort: {host} must be unset or equal containerPort {port} "
                                f"in {network_mode} mode (V12)")
            if isinstance(port, int):
                protocols.setdefault(port, []).append(mapping.get("protocol") or rules["default_protocol"])
            name = mapping.get("name")
            problems += _name(f"{path}.name", name, rules["name"], "V12")
            if isinstance(name, str) and name in names:
                problems.append(f"{path}.name: port name {name!r} is already used by {names[name]} (V12)")
            elif isinstance(name, str):
                names[name] = path
        for port, used in protocols.items():
            if len(set(used)) > 1:
                problems.append(f"containerDefinitions[{index}].portMappings: containerPort {port} has more than one "
                                f"protocol ({', '.join(sorted(set(used)))}); ECS allows one protocol per containerPort (V12)")
            elif len(used) > 1:
                problems.append(f"containerDefinitions[{index}].portMappings: containerPort {port} is mapped twice (V12)")
            if network_mode in rules["unique_container_port_across_containers_in_network_modes"]:
                if port in owners and owners[port] != index:
                    problems.append(f"containerDefinitions[{index}].portMappings: containerPort {port} is also used by "
                                    f"containerDefinitions[{owners[port]}]; {network_mode} containers share one network "
                                    "namespace (V12)")
                owners.setdefault(port, index)
    return problems


def _health_checks(containers: list[tuple[int, dict]], rules: dict) -> list[str]:
    """V14: the command form and the ranges of the timing fields."""
    problems: list[str] = []
    for index, container in containers:
        check = _dict(container.get("healthCheck"))
        path = f"containerDefinitions[{index}].healthCheck"
        command = check.get("command")
        if isinstance(command, list) and (not command or command[0] not in rules["command_kinds"]):
            first = command[0] if command else None
            problems.append(f"{path}.command: must start with {' or '.join(rules['command_kinds'])}, not {first!r} (V14)")
        for bounds in rules["ranges"]:
            problems += _range(path, check, bounds, "V14")
    return problems


def _fargate_forbidden(taskdef: dict, containers: list[tuple[int, dict]], rules: dict) -> list[str]:
    """V19: task, container and volume settings that Fargate refuses."""
    problems = [f"{field}: not supported on Fargate (V19)" for field in rules["task_fields"] if _is_set(_get(taskdef, field))]
    for field, values in rules["task_field_values"].items():
        if taskdef.get(field) in values:
            problems.append(f"{field}: {taskdef[field]!r} is not supported on Fargate (V19)")
    if taskdef.get("networkMode") != rules["required_network_mode"]:
        problems.append(f"networkMode: Fargate needs {rules['required_network_mode']!r}, "
                        f"not {taskdef.get('networkMode')!r} (V19)")
    for index, volume in _indexed(taskdef.get("volumes")):
        problems += [f"volumes[{index}].{field}: not supported on Fargate (V19)"
                     for field in rules["volume_fields"] if _is_set(_get(volume, field))]
    for index, container in containers:
        path = f"containerDefinitions[{index}]"
        problems += [f"{path}.{field}: not supported on Fargate (V19)"
                     for field in rules["container_fields"] if _is_set(_get(container, field))]
        added = _list(_get(container, "linuxParameters.capabilities.add"))
        extra = [cap for cap in added if cap not in rules["allowed_capabilities_add"]]
        if extra:
            problems.append(f"{path}.linuxParameters.capabilities.add: {', '.join(map(str, extra))} not supported on "
                            f"Fargate, which allows only {', '.join(rules['allowed_capabilities_add'])} (V19)")
        driver = _get(container, "logConfiguration.logDriver")
        if driver is not None and driver not in rules["allowed_log_drivers"]:
            problems.append(f"{path}.logConfiguration.logDriver: {driver!r} is not supported on Fargate, "
                            f"which allows {', '.join(rules['allowed_log_drivers'])} (V19)")
    return problems


def _execution_role(taskdef: dict, containers: list[tuple[int, dict]], fargate: bool, rules: dict) -> list[str]:
    """V32: settings that ECS carries out with the task execution role."""
    if taskdef.get("executionRoleArn"):
        return []
    reasons: list[str] = []
    for index, container in containers:
        path = f"containerDefinitions[{index}]"
        reasons += [f"{path}.{field}" for field in rules["container_fields"] if _is_set(_get(container, field))]
        if fargate and _get(container, "logConfiguration.logDriver") in rules["fargate_log_drivers"]:
            reasons.append(f"{path}.logConfiguration.logDriver")
        image = container.get("image")
        if fargate and isinstance(image, str) and re.search(rules["fargate_image_pattern"], image):
            reasons.append(f"{path}.image (ECR)")
    return [f"executionRoleArn: required by {', '.join(reasons)} (V32)"] if reasons else []


# ---- service rules ---------------------------------------------------------------------------


def _service_connect(service: dict, taskdef: dict | None, containers: dict, rules: dict) -> list[str]:
    """V28: port names exist in the task definition, discovery and DNS names, client-alias count."""
    config = _dict(service.get("serviceConnectConfiguration"))
    if not config.get("enabled"):
        return []
    problems: list[str] = []
    if taskdef is not None and rules["needs_task_memory"] and taskdef.get("memory") is None:
        problems.append("serviceConnectConfiguration: the task definition sets no task-level memory (V28)")
    port_names = [m.get("name") for c in containers.values() for _, m in _indexed(c.get("portMappings"))]
    for index, entry in _indexed(config.get("services")):
        path = f"serviceConnectConfiguration.services[{index}]"
        port_name = entry.get("portName")
        if taskdef is not None and isinstance(port_name, str) and port_name not in port_names:
            problems.append(f"{path}.portName: {port_name!r} is not the name of a portMapping in the task definition (V28)")
        problems += _name(f"{path}.discoveryName", entry.get("discoveryName"), rules["discovery_name"], "V28")
        aliases = _indexed(entry.get("clientAliases"))
        if len(aliases) > rules["max_client_aliases_per_service"]:
            problems.append(f"{path}.clientAliases: {len(aliases)} client aliases, "
                            f"more than {rules['max_client_aliases_per_service']} (V28)")
        for alias_index, alias in aliases:
            problems += _name(f"{path}.clientAliases[{alias_index}].dnsName", alias.get("dnsName"), rules["dns_name"], "V28")
    return problems


def _capacity_and_platform(service: dict, taskdef: dict | None, rules: dict) -> list[str]:
    """V29 capacity provider strategy; V7 platform version for the large Fargate sizes."""
    strategy = _indexed(service.get("capacityProviderStrategy"))
    limits = rules["V29_capacity_provider_strategy"]
    problems: list[str] = []
    if strategy and service.get("launchType") is not None:
        problems.append("capacityProviderStrategy: cannot be combined with launchType (V29)")
    if len(strategy) > limits["max_items"]:
        problems.append(f"capacityProviderStrategy: {len(strategy)} items, more than {limits['max_items']} (V29)")
    if sum(1 for _, item in strategy if _number(item.get("base"))) > limits["max_items_with_base"]:
        problems.append(f"capacityProviderStrategy: more than {limits['max_items_with_base']} item sets a base (V29)")
    if strategy and not any(_number(item.get("weight")) for _, item in strategy):
        problems.append("capacityProviderStrategy: no item has a weight above 0 (V29)")
    for index, item in strategy:
        for field in ("base", "weight"):
            problems += _range(f"capacityProviderStrategy[{index}]", item, limits[field], "V29")
    fargate = service.get("launchType") == "FARGATE" or any(
        item.get("capacityProvider") in limits["fargate_providers"] for _, item in strategy)
    version, row = service.get("platformVersion"), _fargate_row(_whole((taskdef or {}).get("cpu")))
    if (fargate and row and row["min_platform_version"] and isinstance(version, str) and not is_placeholder(version)
            and version != rules["V7_fargate"]["latest_platform_version"]
            and _version(version) < _version(row["min_platform_version"])):
        problems.append(f"platformVersion: {version} is too old for {row['cpu_units']} CPU units, "
                        f"which need {row['min_platform_version']} or later (V7)")
    return problems


def _deployment(service: dict, rules: dict) -> list[str]:
    """V30: a rolling deployment whose percentages let it neither add nor stop a task never finishes."""
    desired = _number(service.get("desiredCount"))
    controller = _dict(service.get("deploymentController")).get("type", "ECS")
    if desired is None or desired <= 0 or controller not in rules["rolling_controllers"]:
        return []
    config = _dict(service.get("deploymentConfiguration"))
    maximum = _number(config.get("maximumPercent"))
    minimum = _number(config.get("minimumHealthyPercent"))
    maximum = rules["default_maximum_percent"] if maximum is None else maximum
    minimum = rules["default_minimum_healthy_percent"] if minimum is None else minimum
    # Integer arithmetic: floor(R*max/100) tasks may run in all, ceil(R*min/100) must stay healthy.
    can_add = (desired * maximum) // 100 > desired
    can_stop = -((-desired * minimum) // 100) < desired
    if can_add or can_stop:
        return []
    return [f"deploymentConfiguration: with desiredCount {desired}, maximumPercent {maximum} and "
            f"minimumHealthyPercent {minimum}, a deployment can neither start nor stop a task (V30)"]


# ---- shared helpers --------------------------------------------------------------------------


def _tags(tags: Any, rules: dict) -> list[str]:
    """V23: count, key and value lengths, the reserved aws: prefix, unique keys."""
    items = _indexed(tags)
    problems: list[str] = []
    if len(items) > rules["max_count"]:
        problems.append(f"tags: {len(items)} tags, more than {rules['max_count']} (V23)")
    prefix = rules["reserved_prefix_any_case"]
    seen: set[str] = set()
    for index, tag in items:
        for field, bounds in (("key", rules["key_length"]), ("value", rules["value_length"])):
            text = tag.get(field)
            if not isinstance(text, str):
                continue
            if not bounds["min"] <= len(text) <= bounds["max"]:
                problems.append(f"tags[{index}].{field}: {len(text)} characters, expected {bounds['min']}-{bounds['max']} (V23)")
            if text.lower().startswith(prefix):
                problems.append(f"tags[{index}].{field}: {text!r} starts with the reserved prefix {prefix!r} (V23)")
        key = tag.get("key")
        if isinstance(key, str) and key in seen:
            problems.append(f"tags[{index}].key: {key!r} is used twice (V23)")
        if isinstance(key, str):
            seen.add(key)
    return problems


def _name(path: str, value: Any, rules: dict, rule: str) -> list[str]:
    if not isinstance(value, str):
        return []
    if not rules["min_length"] <= len(value) <= rules["max_length"]:
        return [f"{path}: {len(value)} characters, expected {rules['min_length']}-{rules['max_length']} ({rule})"]
    if not re.fullmatch(rules["pattern"], value):
        return [f"{path}: {value!r} does not match {rules['pattern']} ({rule})"]
    return []


def _range(path: str, holder: dict, bounds: dict, rule: str) -> list[str]:
    """``holder[bounds["field"]]`` within ``bounds``; absent or non-numeric values are not this check's business."""
    value = _number(holder.get(bounds["field"]))
    if value is None or bounds["min"] <= value <= bounds["max"]:
        return []
    unit = f" {bounds['unit']}" if bounds["unit"] else ""
    return [f"{path}.{bounds['field']}: {value}{unit} is outside {bounds['min']}-{bounds['max']} ({rule})"]


def _fargate_row(cpu_units: int | None) -> dict | None:
    return next((row for row in load_schema("fargate_sizes.json") if row["cpu_units"] == cpu_units), None)


def _whole(value: Any) -> int | None:
    """Task cpu/memory: the API takes strings, k2ecs writes digits; an int is accepted as well."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"[0-9]+", text))


def _is_set(value: Any) -> bool:
    return value is not None and value is not False


def _get(holder: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        holder = holder.get(part) if isinstance(holder, dict) else None
    return holder


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _indexed(value: Any) -> list[tuple[int, dict]]:
    """The dict items of a list with their original indexes, so paths stay right when some items are malformed."""
    return [(index, item) for index, item in enumerate(_list(value)) if isinstance(item, dict)]


def _join_ints(values: list[int]) -> str:
    return ", ".join(str(value) for value in values)
