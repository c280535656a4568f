"""Where each pod and container field lands, both directions: the pairs of the concerns with no module of their own.

The forward rules are converter/write/ecs/taskdef.py's, the reverse ones converter/read/ecs/container.py's and
taskdef.py's (see converter/core/concerns.py for each concern's modules). Kept here, beside taskdef.py (which is at
the size a module should stop growing), as the data of those rules, one ``PairTable`` per concern; see
converter/core/field_pairs.py for the notation and for the test that checks each pair against the conversion.
"""

from __future__ import annotations

from converter.core.field_pairs import CD, CONTAINER, ECS_CONTAINER, POD, POD_SPEC, TD, PairTable, k8s_container, pair

# What an absent field means on ECS (botocore ContainerDefinition and RegisterTaskDefinition documentation).
_NOT_PRIVILEGED = "privileged: absent, a container is not privileged (ContainerDefinition.privileged)"
_ESCALATION = ("dockerSecurityOptions: absent, no no-new-privileges: a process may gain privileges, "
               "as allowPrivilegeEscalation: true allows")
_OWN_PIDS = "pidMode: absent, each container has its own process namespace, as shareProcessNamespace: false"
_NO_ROLE = "taskRoleArn: absent, the task has no role, as the default ServiceAccount carries none (no taskRoles entry)"

_ROLE = (f"{TD}.taskRoleArn",)
_NO_ROLE_FIELD = dict(same_when_unset=("default",), unset_reason=_NO_ROLE, codes=("K2E-W621", "K2E-W147"))
_NO_LOG_FIELD = "(no field: a node-level agent ships the logs)"


def _workloads(*pairs):  # the same pod template rules for both workload kinds
    return {"Deployment": pairs, "StatefulSet": pairs}


def _container(field: str, *targets: str, **options):  # an ECS container field -> the same container's field
    return pair(ECS_CONTAINER + field, *(k8s_container(target) for target in targets), **options)


PAIR_TABLES = (
    PairTable("linking", forward=_workloads(
        pair("/spec/selector", unit=True, note="(no field: matches Services and the HPA to this workload)"),
        pair("/spec/template/metadata/labels", note="(no field: what the selector matches)"),
    ), reverse={
        "Service": (
            pair("/taskDefinition", note="(no field: names the task definition the Deployment is made from)"),
        ),
        "Template": (pair("/Parameters", note="(read where a value refers to them)"),
                     pair("/Mappings", note="(read where a value refers to them)")),
    }),
    # A ServiceAccount without a role, or not in the input: no task role (K2E-W621, K2E-W147 on serviceAccountName).
    PairTable("identity", forward={
        **_workloads(pair(POD + "/serviceAccountName", *_ROLE, **_NO_ROLE_FIELD),
                     pair(POD + "/serviceAccount", *_ROLE, **_NO_ROLE_FIELD)),
        "ServiceAccount": (
            pair("/metadata/annotations/eks.amazonaws.com~1role-arn", *_ROLE),
            pair("/metadata/name", *_ROLE),
        ),
    }, reverse={
        "TaskDefinition": (
            pair("/taskRoleArn", "ServiceAccount.metadata.annotations", f"{POD_SPEC}.serviceAccountName",
                 same_when_unset=("",), unset_reason='"": no task role, as when absent: the default ServiceAccount'),
        ),
    }, forward_codes={"K2E-W602": (f"{TD}.executionRoleArn",)},
        reverse_codes={"K2E-W714": ("ServiceAccount.metadata.annotations",)}),
    PairTable("process", forward=_workloads(
        pair(POD + "/terminationGracePeriodSeconds", f"{CD}.stopTimeout"),
        pair(POD + "/imagePullSecrets", f"{CD}.repositoryCredentials"),
        pair(CONTAINER + "/name", f"{CD}.name"),
        pair(CONTAINER + "/image", f"{CD}.image"),
        pair(CONTAINER + "/command", f"{CD}.entryPoint"),
        pair(CONTAINER + "/args", f"{CD}.command"),
        pair(CONTAINER + "/workingDir", f"{CD}.workingDirectory"),
        pair(CONTAINER + "/restartPolicy", f"{CD}.essential"),
        pair(CONTAINER + "/stdin", f"{CD}.interactive"),
        pair(CONTAINER + "/tty", f"{CD}.pseudoTerminal"),
    ), reverse={"TaskDefinition": (
        _container("/name", "name"),
        _container("/image", "image"),
        _container("/entryPoint", "command", unit=True),
        _container("/command", "args", unit=True),
        _container("/workingDirectory", "workingDir"),
        _container("/interactive", "stdin"),
        _container("/pseudoTerminal", "tty"),
        pair(ECS_CONTAINER + "/essential", note="(no field: each container of a pod restarts on its own)"),
        pair(ECS_CONTAINER + "/dependsOn", unit=True, note="(no field: decides initContainers and native sidecars)"),
        pair(ECS_CONTAINER + "/stopTimeout", f"{POD_SPEC}.terminationGracePeriodSeconds"),
    )}, forward_codes={"K2E-I141": (f"{TD}.containerDefinitions[*].dependsOn",)}),
    PairTable("placement", forward=_workloads(
        pair(POD + "/nodeSelector", f"{TD}.runtimePlatform"),
        pair(POD + "/os", f"{TD}.runtimePlatform", unit=True),
        pair(POD + "/shareProcessNamespace", f"{TD}.pidMode", same_when_unset=(False,), unset_reason=_OWN_PIDS),
    ), reverse={"TaskDefinition": (
        pair("/networkMode", f"{POD_SPEC}.hostNetwork", note="(unset: the pod network)", same_when_unset=("awsvpc",),
             unset_reason="hostNetwork: absent, the pod has its own network interface, as an awsvpc task does"),
        pair("/pidMode", f"{POD_SPEC}.shareProcessNamespace"),
        pair("/runtimePlatform", f"{POD_SPEC}.nodeSelector", unit=True),
    )}, forward_codes={"K2E-W148": (f"{TD}.runtimePlatform",)}),
    PairTable("env", forward={
        **_workloads(
            pair(CONTAINER + "/env/*", f"{CD}.environment[name={{item.name}}]|{CD}.secrets[name={{item.name}}]",
                 unit=True),
            pair(CONTAINER + "/envFrom/*", unit=True, resolver="env_from"),
        ),
        "ConfigMap": (
            pair("/metadata", note="(no field: identifies the ConfigMap)"),
            pair("/data", f"{CD}.environment", note="(values inlined where a workload refers to them)"),
            pair("/binaryData", note="(no field)"),
        ),
        "Secret": (
            pair("", f"{CD}.secrets", note="(secrets[].valueFrom ARNs; values are never read)"),
        ),
    }, reverse={"TaskDefinition": (
        _container("/environment/*", "env[name={item.name}]", unit=True),
        _container("/secrets/*", "env[name={item.name}]", unit=True),
    )}),
    PairTable("volumes", forward=_workloads(
        pair(POD + "/volumes/*", f"{TD}.volumes[name={{item.name}}]", unit=True),
        pair(CONTAINER + "/volumeMounts/*", f"{CD}.mountPoints[containerPath={{item.mountPath}}]", unit=True),
    ), reverse={"TaskDefinition": (
        pair("/volumes/*", f"{POD_SPEC}.volumes[name={{volume}}]", unit=True),
        _container("/mountPoints/*", "volumeMounts[mountPath={item.containerPath}]", unit=True),
    )}),
    PairTable("security", forward=_workloads(
        pair(POD + "/securityContext/runAsUser", f"{CD}.user"),
        pair(POD + "/securityContext/runAsGroup", f"{CD}.user"),
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
    ), reverse={"TaskDefinition": (
        _container("/user", "securityContext.runAsUser", "securityContext.runAsGroup"),
        _container("/readonlyRootFilesystem", "securityContext.readOnlyRootFilesystem"),
        _container("/privileged", "securityContext.privileged"),
        _container("/linuxParameters/capabilities", "securityContext.capabilities", unit=True),
        _container("/dockerSecurityOptions", "securityContext", unit=True),
    )}),
    # Kubernetes has no log field: the forward rule writes awslogs from the settings, so only a code points there.
    PairTable("logging", reverse={
        "TaskDefinition": (
            pair(ECS_CONTAINER + "/logConfiguration", unit=True, note=_NO_LOG_FIELD),
            pair(ECS_CONTAINER + "/firelensConfiguration", unit=True, note=_NO_LOG_FIELD),
        ),
        "Service": (pair("/serviceConnectConfiguration/logConfiguration", unit=True, note="(no field)"),),
    }, forward_codes={"K2E-W607": (f"{TD}.containerDefinitions[*].logConfiguration.options.awslogs-region",)}),
)
