"""ECS service and scaling rules the botocore model does not carry (docs/MAPPING.md#limits-ecs), as converter.validate.ecs_rules
does for task definitions; every limit is read from schemas/ecs_rules.json."""

from __future__ import annotations

import re

from converter.validate.ecs_rule_helpers import (
    as_dict,
    as_list,
    as_number,
    as_version,
    as_whole,
    fargate_row,
    indexed,
    name_problems,
    range_problems,
    tag_problems,
)
from converter.core.resources import load_schema
from converter.core.settings import is_placeholder


def check_service(service: dict, taskdef: dict | None) -> list[str]:
    """Problems with a CreateService payload; cross-checks against ``taskdef`` when it is given."""
    rules = load_schema("ecs_rules.json")
    problems = name_problems("serviceName", service.get("serviceName"), rules["names"]["service"], "V5")
    taskdef = taskdef if isinstance(taskdef, dict) else None
    containers = {c["name"]: c for _, c in indexed((taskdef or {}).get("containerDefinitions"))
                  if isinstance(c.get("name"), str)}
    awsvpc = as_dict(as_dict(service.get("networkConfiguration")).get("awsvpcConfiguration"))
    vpc_rules = rules["V25_awsvpc"]
    if taskdef is not None and taskdef.get("networkMode") == "awsvpc" and not awsvpc:
        problems.append("networkConfiguration.awsvpcConfiguration: required for an awsvpc task definition (V25)")
    subnets, groups = as_list(awsvpc.get("subnets")), as_list(awsvpc.get("securityGroups"))
    if awsvpc and not vpc_rules["min_subnets"] <= len(subnets) <= vpc_rules["max_subnets"]:
        problems.append(f"networkConfiguration.awsvpcConfiguration.subnets: {len(subnets)} subnets, "
                        f"expected {vpc_rules['min_subnets']}-{vpc_rules['max_subnets']} (V25)")
    if len(groups) > vpc_rules["max_security_groups"]:
        problems.append(f"networkConfiguration.awsvpcConfiguration.securityGroups: {len(groups)} security groups, "
                        f"more than {vpc_rules['max_security_groups']} (V25)")
    balancers = indexed(service.get("loadBalancers"))
    if len(balancers) > rules["V26_load_balancers"]["max_count"]:
        problems.append(f"loadBalancers: {len(balancers)} load balancers, "
                        f"more than {rules['V26_load_balancers']['max_count']} (V26)")
    for index, balancer in balancers if taskdef is not None else ():
        name, port = balancer.get("containerName"), balancer.get("containerPort")
        if not isinstance(name, str):
            continue
        if name not in containers:
            problems.append(f"loadBalancers[{index}].containerName: {name!r} is not a container in the task definition (V26)")
        elif port not in [m.get("containerPort") for _, m in indexed(containers[name].get("portMappings"))]:
            problems.append(f"loadBalancers[{index}].containerPort: {port!r} is not a containerPort of {name!r} (V26)")
    problems += _service_connect(service, taskdef, containers, rules["V28_service_connect"])
    problems += _capacity_and_platform(service, taskdef, rules)
    problems += _deployment(service, rules["V30_deployment"])
    problems += tag_problems(service.get("tags"), rules["V23_tags"])
    return problems


def check_scaling(target: dict, policies: list[dict]) -> list[str]:
    """Problems with a RegisterScalableTarget payload and the PutScalingPolicy payloads for it (V31)."""
    rules = load_schema("ecs_rules.json")["V31_scaling"]
    problems: list[str] = []
    resource_id = target.get("ResourceId")
    if (isinstance(resource_id, str) and not is_placeholder(resource_id)
            and not re.fullmatch(rules["resource_id_pattern"], resource_id)):
        problems.append(f"ResourceId: {resource_id!r} is not service/<cluster>/<service> (V31)")
    low, high = as_number(target.get("MinCapacity")), as_number(target.get("MaxCapacity"))
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
        metric = as_dict(as_dict(policy.get("TargetTrackingScalingPolicyConfiguration")).get("PredefinedMetricSpecification"))
        label = metric.get("ResourceLabel")
        if label is not None and metric.get("PredefinedMetricType") not in rules["resource_label_metric_types"]:
            problems.append(f"{path}.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification"
                            f".ResourceLabel: only allowed with "
                            f"{', '.join(rules['resource_label_metric_types'])} (V31)")
    return problems


# ---- service rules ---------------------------------------------------------------------------


def _service_connect(service: dict, taskdef: dict | None, containers: dict, rules: dict) -> list[str]:
    """V28: port names exist in the task definition, discovery and DNS names, client-alias count."""
    config = as_dict(service.get("serviceConnectConfiguration"))
    if not config.get("enabled"):
        return []
    problems: list[str] = []
    if taskdef is not None and rules["needs_task_memory"] and taskdef.get("memory") is None:
        problems.append("serviceConnectConfiguration: the task definition sets no task-level memory (V28)")
    port_names = [m.get("name") for c in containers.values() for _, m in indexed(c.get("portMappings"))]
    for index, entry in indexed(config.get("services")):
        path = f"serviceConnectConfiguration.services[{index}]"
        port_name = entry.get("portName")
        if taskdef is not None and isinstance(port_name, str) and port_name not in port_names:
            problems.append(f"{path}.portName: {port_name!r} is not the name of a portMapping in the task definition (V28)")
        problems += name_problems(f"{path}.discoveryName", entry.get("discoveryName"), rules["discovery_name"], "V28")
        aliases = indexed(entry.get("clientAliases"))
        if len(aliases) > rules["max_client_aliases_per_service"]:
            problems.append(f"{path}.clientAliases: {len(aliases)} client aliases, "
                            f"more than {rules['max_client_aliases_per_service']} (V28)")
        for alias_index, alias in aliases:
            problems += name_problems(f"{path}.clientAliases[{alias_index}].dnsName", alias.get("dnsName"), rules["dns_name"], "V28")
    return problems


def _capacity_and_platform(service: dict, taskdef: dict | None, rules: dict) -> list[str]:
    """V29 capacity provider strategy; V7 platform version for the large Fargate sizes."""
    strategy = indexed(service.get("capacityProviderStrategy"))
    limits = rules["V29_capacity_provider_strategy"]
    problems: list[str] = []
    if strategy and service.get("launchType") is not None:
        problems.append("capacityProviderStrategy: cannot be combined with launchType (V29)")
    if len(strategy) > limits["max_items"]:
        problems.append(f"capacityProviderStrategy: {len(strategy)} items, more than {limits['max_items']} (V29)")
    if sum(1 for _, item in strategy if as_number(item.get("base"))) > limits["max_items_with_base"]:
        problems.append(f"capacityProviderStrategy: more than {limits['max_items_with_base']} item sets a base (V29)")
    if strategy and not any(as_number(item.get("weight")) for _, item in strategy):
        problems.append("capacityProviderStrategy: no item has a weight above 0 (V29)")
    for index, item in strategy:
        for field in ("base", "weight"):
            problems += range_problems(f"capacityProviderStrategy[{index}]", item, limits[field], "V29")
    fargate = service.get("launchType") == "FARGATE" or any(
        item.get("capacityProvider") in limits["fargate_providers"] for _, item in strategy)
    version, row = service.get("platformVersion"), fargate_row(as_whole((taskdef or {}).get("cpu")))
    if (fargate and row and row["min_platform_version"] and isinstance(version, str) and not is_placeholder(version)
            and version != rules["V7_fargate"]["latest_platform_version"]
            and as_version(version) < as_version(row["min_platform_version"])):
        problems.append(f"platformVersion: {version} is too old for {row['cpu_units']} CPU units, "
                        f"which need {row['min_platform_version']} or later (V7)")
    return problems


def _deployment(service: dict, rules: dict) -> list[str]:
    """V30: a rolling deployment whose percentages let it neither add nor stop a task never finishes."""
    desired = as_number(service.get("desiredCount"))
    controller = as_dict(service.get("deploymentController")).get("type", "ECS")
    if desired is None or desired <= 0 or controller not in rules["rolling_controllers"]:
        return []
    config = as_dict(service.get("deploymentConfiguration"))
    maximum = as_number(config.get("maximumPercent"))
    minimum = as_number(config.get("minimumHealthyPercent"))
    maximum = rules["default_maximum_percent"] if maximum is None else maximum
    minimum = rules["default_minimum_healthy_percent"] if minimum is None else minimum
    # Integer arithmetic: floor(R*max/100) tasks may run in all, ceil(R*min/100) must stay healthy.
    can_add = (desired * maximum) // 100 > desired
    can_stop = -((-desired * minimum) // 100) < desired
    if can_add or can_stop:
        return []
    return [f"deploymentConfiguration: with desiredCount {desired}, maximumPercent {maximum} and "
            f"minimumHealthyPercent {minimum}, a deployment can neither start nor stop a task (V30)"]
