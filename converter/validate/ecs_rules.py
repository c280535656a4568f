"""ECS rules the botocore model does not carry (docs/MAPPING.md#limits-ecs), with every limit read from schemas/ecs_rules.json.

Each problem is one line, "path: what is wrong (Vn)", where Vn is the check id the keys of
schemas/ecs_rules.json carry (#limits-ecs lists them). A malformed payload never makes these checks raise: wrong types are the model
validator's to report, so a rule skips any value it cannot read.
"""

from __future__ import annotations

import json
import re

from converter.validate.ecs_rule_helpers import (
    as_dict,
    as_list,
    as_number,
    as_whole,
    dotted_get,
    fargate_row,
    indexed,
    is_set,
    join_ints,
    name_problems,
    range_problems,
    tag_problems,
)
from converter.core.jsontext import dumps_measured
from converter.core.facts import host_port_is_container_port
from converter.core.resources import load_schema

LAUNCH_TYPES = ("FARGATE", "EC2")
# json.dumps(separators=..., ensure_ascii=False) makes an encoder at every call; this one is made once.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def serialized_size_bytes(taskdef: dict) -> int:
    """The size of the task definition as ECS counts it for its 64 KiB limit (compact JSON, UTF-8)."""
    try:
        text = _COMPACT.encode(taskdef)
    except (TypeError, ValueError):
        return 0  # not JSON at all: the model validator reports the offending value
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def measured_task_definition(taskdef: dict) -> tuple[str | None, int]:
    """(jsontext.dumps(taskdef), serialized_size_bytes(taskdef)) from one writing of its text (jsontext.dumps_measured),
    where the encodings for the quota (while rendering, again while validating) and the text the writers write were
    three (issue 24: the two encodings alone were 4% of a large conversion). (None, the size) when jsontext leaves
    the task definition to json: the writers then write it themselves."""
    measured = dumps_measured(taskdef)
    return (None, serialized_size_bytes(taskdef)) if measured is None else measured


def check_task_definition(taskdef: dict, *, launch_type: str, size_bytes: int | None = None) -> list[str]:
    """Problems with a RegisterTaskDefinition payload run with ``launch_type`` ("FARGATE" or "EC2").
    ``size_bytes``: serialized_size_bytes(taskdef) when the caller has it (the JSON encoding of a task definition
    was 2% of a large conversion, and the renderer measures it already)."""
    if launch_type not in LAUNCH_TYPES:
        raise ValueError(f"launch_type must be one of {', '.join(LAUNCH_TYPES)}, not {launch_type!r}")
    rules = load_schema("ecs_rules.json")
    # ECS applies the Fargate rules at registration whenever the task definition asks for Fargate.
    fargate = launch_type == "FARGATE" or "FARGATE" in as_list(taskdef.get("requiresCompatibilities"))
    containers = indexed(taskdef.get("containerDefinitions"))
    problems: list[str] = []
    limits = rules["task_definition"]
    if len(containers) > limits["max_containers"]:
        problems.append(f"containerDefinitions: {len(containers)} containers, more than {limits['max_containers']} (V1)")
    if size_bytes is None:
        size_bytes = serialized_size_bytes(taskdef)
    if size_bytes > limits["max_size_bytes"]:
        problems.append(f"payload: serialized size {size_bytes} bytes, more than {limits['max_size_bytes']} (V2)")
    problems += name_problems("family", taskdef.get("family"), rules["names"]["family"], "V3")
    seen: dict[str, int] = {}
    for index, container in containers:
        name = container.get("name")
        problems += name_problems(f"containerDefinitions[{index}].name", name, rules["names"]["container"], "V4")
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
                problems += range_problems(f"containerDefinitions[{index}]", container, bounds, "V15")
        problems += _fargate_forbidden(taskdef, containers, rules["V19_fargate_forbidden"])
    storage = taskdef.get("ephemeralStorage")
    if isinstance(storage, dict):
        problems += range_problems("ephemeralStorage", storage, rules["V18_ephemeral_storage"], "V18")
    problems += tag_problems(taskdef.get("tags"), rules["V23_tags"])
    problems += _execution_role(taskdef, containers, fargate, rules["V32_execution_role"])
    return problems


# ---- task definition rules -------------------------------------------------------------------


def _cpu_memory(taskdef: dict, containers: list[tuple[int, dict]], fargate: bool, rules: dict) -> list[str]:
    """V7 Fargate sizes, V8 EC2 memory presence, V9 container sums against the task size."""
    problems: list[str] = []
    task: dict[str, int | None] = {}
    for field in ("cpu", "memory"):
        raw = taskdef.get(field)
        task[field] = as_whole(raw)
        if raw is not None and task[field] is None:
            problems.append(f"{field}: {raw!r} is not a plain integer, which k2ecs always writes (V7)")
    cpu_units, memory_mib = task["cpu"], task["memory"]
    if fargate and (cpu_units is None or memory_mib is None):
        problems.append("cpu/memory: Fargate needs both task-level cpu and memory (V7)")
    elif fargate:
        row = fargate_row(cpu_units)
        family = str(as_dict(taskdef.get("runtimePlatform")).get("operatingSystemFamily") or rules["os_default"])
        os_name = rules["windows"] if family.startswith(rules["windows"]) else rules["os_default"]
        if row is None or memory_mib not in row["memory_mib"]:
            valid = f"; with {cpu_units} CPU units use {join_ints(row['memory_mib'])} MiB" if row else ""
            problems.append(f"cpu/memory: {cpu_units} CPU units with {memory_mib} MiB is not a Fargate size{valid} (V7)")
        elif os_name not in row["os"]:
            problems.append(f"cpu: {cpu_units} CPU units is not a Fargate size for {os_name} (V7)")
    reserved_mib = cpu_sum = 0
    for index, container in containers:
        path = f"containerDefinitions[{index}]"
        hard, soft = as_number(container.get("memory")), as_number(container.get("memoryReservation"))
        if not fargate and memory_mib is None and not hard and not soft:
            problems.append(f"{path}: no memory or memoryReservation, and the task sets no memory (V8)")
        if hard is not None and soft is not None and hard <= soft:
            problems.append(f"{path}.memoryReservation: {soft} MiB must be below memory {hard} MiB (V9)")
        if hard is not None and memory_mib is not None and hard > memory_mib:
            problems.append(f"{path}.memory: {hard} MiB is more than the task memory {memory_mib} MiB (V9)")
        # What a container reserves is its memoryReservation when set, otherwise its memory.
        reserved_mib += soft if soft is not None else hard or 0
        cpu_sum += as_number(container.get("cpu")) or 0
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
        for dep_index, dependency in indexed(container.get("dependsOn")):
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
        for map_index, mapping in indexed(container.get("portMappings")):
            path = f"containerDefinitions[{index}].portMappings[{map_index}]"
            problems += range_problems(path, mapping, rules["container_port"], "V12")
            port, host = mapping.get("containerPort"), mapping.get("hostPort")
            if host_port_is_container_port(network_mode) and host is not None and host != port:
                problems.append(f"{path}.hostPort: {host} must be unset or equal containerPort {port} "
                                f"in {network_mode} mode (V12)")
            if isinstance(port, int):
                protocols.setdefault(port, []).append(mapping.get("protocol") or rules["default_protocol"])
            name = mapping.get("name")
            problems += name_problems(f"{path}.name", name, rules["name"], "V12")
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
        check = as_dict(container.get("healthCheck"))
        path = f"containerDefinitions[{index}].healthCheck"
        command = check.get("command")
        if isinstance(command, list) and (not command or command[0] not in rules["command_kinds"]):
            first = command[0] if command else None
            problems.append(f"{path}.command: must start with {' or '.join(rules['command_kinds'])}, not {first!r} (V14)")
        for bounds in rules["ranges"]:
            problems += range_problems(path, check, bounds, "V14")
    return problems


def _fargate_forbidden(taskdef: dict, containers: list[tuple[int, dict]], rules: dict) -> list[str]:
    """V19: task, container and volume settings that Fargate refuses."""
    problems = [f"{field}: not supported on Fargate (V19)" for field in rules["task_fields"] if is_set(dotted_get(taskdef, field))]
    for field, values in rules["task_field_values"].items():
        if taskdef.get(field) in values:
            problems.append(f"{field}: {taskdef[field]!r} is not supported on Fargate (V19)")
    if taskdef.get("networkMode") != rules["required_network_mode"]:
        problems.append(f"networkMode: Fargate needs {rules['required_network_mode']!r}, "
                        f"not {taskdef.get('networkMode')!r} (V19)")
    for index, volume in indexed(taskdef.get("volumes")):
        problems += [f"volumes[{index}].{field}: not supported on Fargate (V19)"
                     for field in rules["volume_fields"] if is_set(dotted_get(volume, field))]
    for index, container in containers:
        path = f"containerDefinitions[{index}]"
        problems += [f"{path}.{field}: not supported on Fargate (V19)"
                     for field in rules["container_fields"] if is_set(dotted_get(container, field))]
        added = as_list(dotted_get(container, "linuxParameters.capabilities.add"))
        extra = [cap for cap in added if cap not in rules["allowed_capabilities_add"]]
        if extra:
            problems.append(f"{path}.linuxParameters.capabilities.add: {', '.join(map(str, extra))} not supported on "
                            f"Fargate, which allows only {', '.join(rules['allowed_capabilities_add'])} (V19)")
        driver = dotted_get(container, "logConfiguration.logDriver")
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
        reasons += [f"{path}.{field}" for field in rules["container_fields"] if is_set(dotted_get(container, field))]
        if fargate and dotted_get(container, "logConfiguration.logDriver") in rules["fargate_log_drivers"]:
            reasons.append(f"{path}.logConfiguration.logDriver")
        image = container.get("image")
        if fargate and isinstance(image, str) and re.search(rules["fargate_image_pattern"], image):
            reasons.append(f"{path}.image (ECR)")
    return [f"executionRoleArn: required by {', '.join(reasons)} (V32)"] if reasons else []
