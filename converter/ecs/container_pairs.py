"""Where each pod and container field lands on ECS: the pairs of converter/ecs/taskdef.py's rules.

Kept beside taskdef.py (which is at the size a module should stop growing) as the data of its rules; see
converter/field_pairs.py for the notation and for the test that checks each pair against the conversion.
"""

from __future__ import annotations

from converter.field_pairs import CD, CONTAINER, POD, TD, pair

# What an absent field means on ECS (botocore ContainerDefinition and RegisterTaskDefinition documentation).
_NOT_PRIVILEGED = "privileged: absent, a container is not privileged (ContainerDefinition.privileged)"
_ESCALATION = ("dockerSecurityOptions: absent, no no-new-privileges: a process may gain privileges, "
               "as allowPrivilegeEscalation: true allows")
_OWN_PIDS = "pidMode: absent, each container has its own process namespace, as shareProcessNamespace: false"
_NO_ROLE = "taskRoleArn: absent, the task has no role, as the default ServiceAccount carries none (no taskRoles entry)"

_WORKLOAD_PAIRS = (
    pair("/spec/selector", unit=True, note="(no field: matches Services and the HPA to this workload)"),
    pair("/spec/template/metadata/labels", note="(no field: what the selector matches)"),
    # A ServiceAccount without a role, or not in the input: no task role (K2E-W621, K2E-W147 on serviceAccountName).
    pair(POD + "/serviceAccountName", f"{TD}.taskRoleArn", same_when_unset=("default",), unset_reason=_NO_ROLE,
         codes=("K2E-W621", "K2E-W147")),
    pair(POD + "/serviceAccount", f"{TD}.taskRoleArn", same_when_unset=("default",), unset_reason=_NO_ROLE,
         codes=("K2E-W621", "K2E-W147")),
    pair(POD + "/terminationGracePeriodSeconds", f"{CD}.stopTimeout"),
    pair(POD + "/volumes/*", f"{TD}.volumes[name={{item.name}}]", unit=True),
    pair(POD + "/nodeSelector", f"{TD}.runtimePlatform"),
    pair(POD + "/os", f"{TD}.runtimePlatform", unit=True),
    pair(POD + "/shareProcessNamespace", f"{TD}.pidMode", same_when_unset=(False,), unset_reason=_OWN_PIDS),
    pair(POD + "/imagePullSecrets", f"{CD}.repositoryCredentials"),
    pair(POD + "/securityContext/runAsUser", f"{CD}.user"),
    pair(POD + "/securityContext/runAsGroup", f"{CD}.user"),
    pair(CONTAINER + "/name", f"{CD}.name"),
    pair(CONTAINER + "/image", f"{CD}.image"),
    pair(CONTAINER + "/command", f"{CD}.entryPoint"),
    pair(CONTAINER + "/args", f"{CD}.command"),
    pair(CONTAINER + "/workingDir", f"{CD}.workingDirectory"),
    pair(CONTAINER + "/restartPolicy", f"{CD}.essential"),
    pair(CONTAINER + "/env/*", f"{CD}.environment[name={{item.name}}]|{CD}.secrets[name={{item.name}}]", unit=True),
    pair(CONTAINER + "/envFrom/*", unit=True, resolver="env_from"),
    pair(CONTAINER + "/ports/*", f"{CD}.portMappings[containerPort={{item.containerPort}}]", unit=True),
    pair(CONTAINER + "/volumeMounts/*", f"{CD}.mountPoints[containerPath={{item.mountPath}}]", unit=True),
    pair(CONTAINER + "/securityContext/runAsUser", f"{CD}.user"),
    pair(CONTAINER + "/securityContext/runAsGroup", f"{CD}.user"),
    pair(CONTAINER + "/securityContext/readOnlyRootFilesystem", f"{CD}.readonlyRootFilesystem"),
    # What Fargate refuses is not written, and K2E-W130 on the securityContext says so (taskdef._security).
    pair(CONTAINER + "/securityContext/privileged", f"{CD}.privileged", same_when_unset=(False,),
         unset_reason=_NOT_PRIVILEGED, codes=("K2E-W130",)),
    pair(CONTAINER + "/securityContext/capabilities", f"{CD}.linuxParameters.capabilities", unit=True,
         codes=("K2E-W130",)),
    pair(CONTAINER + "/securityContext/allowPrivilegeEscalation", f"{CD}.dockerSecurityOptions",
         same_when_unset=(True,), unset_reason=_ESCALATION, codes=("K2E-W130",)),
    pair(CONTAINER + "/stdin", f"{CD}.interactive"),
    pair(CONTAINER + "/tty", f"{CD}.pseudoTerminal"),
)
PAIRS = {
    "Deployment": _WORKLOAD_PAIRS,
    "StatefulSet": _WORKLOAD_PAIRS,
    "ConfigMap": (
        pair("/metadata", note="(no field: identifies the ConfigMap)"),
        pair("/data", f"{CD}.environment", note="(values inlined where a workload refers to them)"),
        pair("/binaryData", note="(no field)"),
    ),
    "Secret": (
        pair("", f"{CD}.secrets", note="(secrets[].valueFrom ARNs; values are never read)"),
    ),
    "ServiceAccount": (
        pair("/metadata/annotations/eks.amazonaws.com~1role-arn", f"{TD}.taskRoleArn"),
        pair("/metadata/name", f"{TD}.taskRoleArn"),
    ),
}
CODE_FIELDS = {
    "K2E-W602": (f"{TD}.executionRoleArn",),
    "K2E-W607": (f"{TD}.containerDefinitions[*].logConfiguration.options.awslogs-region",),
    "K2E-I141": (f"{TD}.containerDefinitions[*].dependsOn",),
    "K2E-W148": (f"{TD}.runtimePlatform",),
}
