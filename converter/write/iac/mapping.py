"""Which CloudFormation property and which Terraform argument carries each member of the ECS API payloads.

Data, not code: the CloudFormation and Terraform renderers walk a payload with these tables, and the tests
walk them back to prove that all three views carry the same values. A payload member missing here is a
rendering error (exit 4), never dropped. CloudFormation names were checked against the resource schemas
cfn-lint ships (cfnlint/data/schemas); Terraform names against the AWS provider's documentation (5.x).

``tf_form`` says how a member appears in Terraform:

- ``attribute``: ``name = value``
- ``block`` / ``blocks``: a nested block (one, or one per list item)
- ``fold``: no block of its own; its members sit in the enclosing block under their own names
  (``deploymentConfiguration.maximumPercent`` is ``deployment_maximum_percent`` on the service)
- ``tag_map``: a ``[{key, value}]`` list as a map (Terraform tags are maps)
- ``enabled_bool``: ``"ENABLED"`` / ``"DISABLED"`` as ``true`` / ``false``
- ``jsonencode``: the API JSON itself, through ``jsonencode(...)`` (container definitions)
- ``target``: not written; the policy refers to its scalable target's attribute of this name

``keys="data"`` marks a map whose keys are data (log driver options): they are copied, never renamed.
A ``cfn`` of ``None`` means the member is carried by a reference instead (the scaling policy's target).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ATTRIBUTE, BLOCK, BLOCKS, FOLD, TAG_MAP, ENABLED_BOOL, JSONENCODE, TARGET = (
    "attribute", "block", "blocks", "fold", "tag_map", "enabled_bool", "jsonencode", "target")


@dataclass(frozen=True)
class Field:
    cfn: str | None
    tf: str | None
    tf_form: str = ATTRIBUTE
    nested: Mapping[str, Field] | None = None
    keys: str = "mapped"  # or "data"


def _f(cfn: str | None, tf: str | None = None, tf_form: str = ATTRIBUTE, nested: Mapping[str, Field] | None = None,
       keys: str = "mapped") -> Field:
    return Field(cfn=cfn, tf=tf, tf_form=tf_form, nested=nested, keys=keys)


def _cfn_only(table: Mapping[str, str | Field]) -> dict[str, Field]:
    """Container definitions reach Terraform as API JSON, so their members only need CloudFormation names."""
    return {key: value if isinstance(value, Field) else _f(value) for key, value in table.items()}


TAGS = {"key": _f("Key", "key"), "value": _f("Value", "value")}

CONTAINER_DEFINITION: dict[str, Field] = _cfn_only({
    "name": "Name",
    "image": "Image",
    "essential": "Essential",
    "entryPoint": "EntryPoint",
    "command": "Command",
    "workingDirectory": "WorkingDirectory",
    "cpu": "Cpu",
    "memory": "Memory",
    "memoryReservation": "MemoryReservation",
    "resourceRequirements": _f("ResourceRequirements", nested=_cfn_only({"type": "Type", "value": "Value"})),
    "portMappings": _f("PortMappings", nested=_cfn_only({
        "containerPort": "ContainerPort", "hostPort": "HostPort", "protocol": "Protocol", "name": "Name",
        "appProtocol": "AppProtocol"})),
    "environment": _f("Environment", nested=_cfn_only({"name": "Name", "value": "Value"})),
    "secrets": _f("Secrets", nested=_cfn_only({"name": "Name", "valueFrom": "ValueFrom"})),
    "mountPoints": _f("MountPoints", nested=_cfn_only({
        "sourceVolume": "SourceVolume", "containerPath": "ContainerPath", "readOnly": "ReadOnly"})),
    "healthCheck": _f("HealthCheck", nested=_cfn_only({
        "command": "Command", "interval": "Interval", "timeout": "Timeout", "retries": "Retries",
        "startPeriod": "StartPeriod"})),
    "dependsOn": _f("DependsOn", nested=_cfn_only({"containerName": "ContainerName", "condition": "Condition"})),
    "user": "User",
    "readonlyRootFilesystem": "ReadonlyRootFilesystem",
    "privileged": "Privileged",
    "linuxParameters": _f("LinuxParameters", nested={
        "capabilities": _f("Capabilities", nested=_cfn_only({"add": "Add", "drop": "Drop"}))}),
    "dockerSecurityOptions": "DockerSecurityOptions",
    "stopTimeout": "StopTimeout",
    "interactive": "Interactive",
    "pseudoTerminal": "PseudoTerminal",
    "logConfiguration": _f("LogConfiguration", nested={
        "logDriver": _f("LogDriver"), "options": _f("Options", keys="data")}),
    "restartPolicy": _f("RestartPolicy", nested=_cfn_only({"enabled": "Enabled", "restartAttemptPeriod": "RestartAttemptPeriod"})),
    "repositoryCredentials": _f("RepositoryCredentials", nested=_cfn_only({"credentialsParameter": "CredentialsParameter"})),
})

TASK_DEFINITION: dict[str, Field] = {
    "family": _f("Family", "family"),
    "networkMode": _f("NetworkMode", "network_mode"),
    "requiresCompatibilities": _f("RequiresCompatibilities", "requires_compatibilities"),
    "cpu": _f("Cpu", "cpu"),
    "memory": _f("Memory", "memory"),
    "executionRoleArn": _f("ExecutionRoleArn", "execution_role_arn"),
    "taskRoleArn": _f("TaskRoleArn", "task_role_arn"),
    "pidMode": _f("PidMode", "pid_mode"),
    "containerDefinitions": _f("ContainerDefinitions", "container_definitions", JSONENCODE, CONTAINER_DEFINITION),
    "runtimePlatform": _f("RuntimePlatform", "runtime_platform", BLOCK, {
        "operatingSystemFamily": _f("OperatingSystemFamily", "operating_system_family"),
        "cpuArchitecture": _f("CpuArchitecture", "cpu_architecture")}),
    "ephemeralStorage": _f("EphemeralStorage", "ephemeral_storage", BLOCK, {"sizeInGiB": _f("SizeInGiB", "size_in_gib")}),
    "volumes": _f("Volumes", "volume", BLOCKS, {
        "name": _f("Name", "name"),
        "host": _f("Host", None, FOLD, {"sourcePath": _f("SourcePath", "host_path")})}),
    "tags": _f("Tags", "tags", TAG_MAP, TAGS),
}

SERVICE: dict[str, Field] = {
    "cluster": _f("Cluster", "cluster"),
    "serviceName": _f("ServiceName", "name"),
    "taskDefinition": _f("TaskDefinition", "task_definition"),
    "desiredCount": _f("DesiredCount", "desired_count"),
    "launchType": _f("LaunchType", "launch_type"),
    "platformVersion": _f("PlatformVersion", "platform_version"),
    "propagateTags": _f("PropagateTags", "propagate_tags"),
    "deploymentConfiguration": _f("DeploymentConfiguration", None, FOLD, {
        "maximumPercent": _f("MaximumPercent", "deployment_maximum_percent"),
        "minimumHealthyPercent": _f("MinimumHealthyPercent", "deployment_minimum_healthy_percent"),
        "deploymentCircuitBreaker": _f("DeploymentCircuitBreaker", "deployment_circuit_breaker", BLOCK, {
            "enable": _f("Enable", "enable"), "rollback": _f("Rollback", "rollback")})}),
    "healthCheckGracePeriodSeconds": _f("HealthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
    "networkConfiguration": _f("NetworkConfiguration", "network_configuration", BLOCK, {
        "awsvpcConfiguration": _f("AwsvpcConfiguration", None, FOLD, {
            "subnets": _f("Subnets", "subnets"),
            "securityGroups": _f("SecurityGroups", "security_groups"),
            "assignPublicIp": _f("AssignPublicIp", "assign_public_ip", ENABLED_BOOL)})}),
    "loadBalancers": _f("LoadBalancers", "load_balancer", BLOCKS, {
        "targetGroupArn": _f("TargetGroupArn", "target_group_arn"),
        "containerName": _f("ContainerName", "container_name"),
        "containerPort": _f("ContainerPort", "container_port")}),
    "serviceConnectConfiguration": _f("ServiceConnectConfiguration", "service_connect_configuration", BLOCK, {
        "enabled": _f("Enabled", "enabled"),
        "namespace": _f("Namespace", "namespace"),
        "services": _f("Services", "service", BLOCKS, {
            "portName": _f("PortName", "port_name"),
            "discoveryName": _f("DiscoveryName", "discovery_name"),
            "clientAliases": _f("ClientAliases", "client_alias", BLOCKS, {
                "port": _f("Port", "port"),
                "dnsName": _f("DnsName", "dns_name")})})}),
    "tags": _f("Tags", "tags", TAG_MAP, TAGS),
}

SCALABLE_TARGET: dict[str, Field] = {
    "ServiceNamespace": _f("ServiceNamespace", "service_namespace"),
    "ResourceId": _f("ResourceId", "resource_id"),
    "ScalableDimension": _f("ScalableDimension", "scalable_dimension"),
    "MinCapacity": _f("MinCapacity", "min_capacity"),
    "MaxCapacity": _f("MaxCapacity", "max_capacity"),
    # suspended_state needs AWS provider 5.64 or later (hashicorp/terraform-provider-aws#38942): versions.tf pins it.
    "SuspendedState": _f("SuspendedState", "suspended_state", BLOCK, {
        "DynamicScalingInSuspended": _f("DynamicScalingInSuspended", "dynamic_scaling_in_suspended"),
        "DynamicScalingOutSuspended": _f("DynamicScalingOutSuspended", "dynamic_scaling_out_suspended"),
        "ScheduledScalingSuspended": _f("ScheduledScalingSuspended", "scheduled_scaling_suspended")}),
}

SCALING_POLICY: dict[str, Field] = {
    "PolicyName": _f("PolicyName", "name"),
    # CloudFormation: ScalingTargetId (a Ref to the scalable target) replaces these three, and orders the
    # creation; Terraform: the policy reads them from the target resource, which orders it the same way.
    "ServiceNamespace": _f(None, "service_namespace", TARGET),
    "ResourceId": _f(None, "resource_id", TARGET),
    "ScalableDimension": _f(None, "scalable_dimension", TARGET),
    "PolicyType": _f("PolicyType", "policy_type"),
    "TargetTrackingScalingPolicyConfiguration": _f(
        "TargetTrackingScalingPolicyConfiguration", "target_tracking_scaling_policy_configuration", BLOCK, {
            "TargetValue": _f("TargetValue", "target_value"),
            "PredefinedMetricSpecification": _f("PredefinedMetricSpecification", "predefined_metric_specification", BLOCK, {
                "PredefinedMetricType": _f("PredefinedMetricType", "predefined_metric_type"),
                "ResourceLabel": _f("ResourceLabel", "resource_label")}),
            "ScaleOutCooldown": _f("ScaleOutCooldown", "scale_out_cooldown"),
            "ScaleInCooldown": _f("ScaleInCooldown", "scale_in_cooldown"),
            "DisableScaleIn": _f("DisableScaleIn", "disable_scale_in")}),
}

# The log group each awslogs container writes to: k2ecs creates it, the API payloads only name it.
LOG_GROUP: dict[str, Field] = {"logGroupName": _f("LogGroupName", "name")}

# payload kind -> (table, CloudFormation type, Terraform resource type)
RESOURCES: dict[str, tuple[dict[str, Field], str, str]] = {
    "log_group": (LOG_GROUP, "AWS::Logs::LogGroup", "aws_cloudwatch_log_group"),
    "task_definition": (TASK_DEFINITION, "AWS::ECS::TaskDefinition", "aws_ecs_task_definition"),
    "service": (SERVICE, "AWS::ECS::Service", "aws_ecs_service"),
    "scalable_target": (SCALABLE_TARGET, "AWS::ApplicationAutoScaling::ScalableTarget", "aws_appautoscaling_target"),
    "scaling_policy": (SCALING_POLICY, "AWS::ApplicationAutoScaling::ScalingPolicy", "aws_appautoscaling_policy"),
}
