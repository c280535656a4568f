"""The mapping topics of docs/MAPPING.md: what a finding code's rule is about, and where modules point readers.

A finding code names its topics (``converter.core.code_info.CodeInfo.topics``); docs/MAPPING.md gives each topic an
anchor (``topic-`` and the key), its summary and the codes filed under it. Module docstrings cite a topic as
``docs/MAPPING.md#topic-probes``. A key is an anchor: never rename one. The summaries state the rule
k2ecs follows and the upstream source it follows; where an earlier draft of the mapping reference
differed from the upstream source, the upstream source won, and the summary says so.
"""

from __future__ import annotations

from typing import NamedTuple


class Topic(NamedTuple):
    key: str
    title: str
    summary: str


def _topics(*entries: Topic) -> dict[str, Topic]:
    table: dict[str, Topic] = {}
    for entry in entries:
        assert entry.key not in table, entry.key
        table[entry.key] = entry
    return table


T = Topic
TOPICS: dict[str, Topic] = _topics(
    T("sources", "Sources and validation",
      "Every ECS and Application Auto Scaling payload is checked against the botocore service model of the API "
      "call it is for (RegisterTaskDefinition, CreateService, RegisterScalableTarget, PutScalingPolicy), then "
      "against the rules the model does not carry, kept as data in schemas/ecs_rules.json (see the ECS limits "
      "below). Kubernetes output is checked against the OpenAPI schemas of kubernetes-validate."),
    T("units", "Units",
      "1 vCPU is 1024 ECS CPU units and 1000 Kubernetes millicores, so units = ceil(cores x 1024) (ECS "
      "ContainerDefinition.cpu; Kubernetes quantity suffix m = 10^-3). Memory is whole MiB, "
      "ceil(bytes / 2^20): 300M is 287 MiB, 1G is 954 MiB, 1Gi is 1024 MiB. The reverse direction writes "
      "units as millicores, rounded up when there is no exact spelling."),
    T("task-size", "Task size",
      "The pod's need is computed as Kubernetes computes it: a limit without a request defaults the request "
      "(SetDefaults_Pod), and the pod needs max(sum of app containers and native sidecars, max over init "
      "containers of that init container plus the sidecars declared before it) (component-helpers "
      "AggregateContainerRequests). Sums are exact and converted to units once. Injected containers (the "
      "Service Connect proxy) are added, and the task takes the smallest Fargate size of "
      "schemas/fargate_sizes.json that covers both cpu and memory. An earlier draft of the mapping reference "
      "left out the sidecars declared before an init container; Kubernetes' rule is the one followed."),
    T("container-resources", "Container resources",
      "requests.cpu becomes the container's cpu (shares), limits.memory its hard memory and requests.memory its "
      "memoryReservation. ECS needs a container memory or memoryReservation when the task has no memory. "
      "Resources ECS has no field for (hugepages, extended resources other than GPUs) are reported."),
    T("quantities", "Quantities",
      "Kubernetes quantities are read with the grammar of apimachinery's resource.Quantity: decimal (k, M, G, "
      "T, P, E), binary (Ki ... Ei) and exponent (e3) suffixes, exactly, as Decimal."),
    T("process", "Process and image",
      "command becomes entryPoint and args becomes command. Kubernetes expands $(VAR) in command, args and env "
      "values (third_party/forked/golang/expansion); ECS passes the text through, so an expansion k2ecs cannot "
      "do at conversion time is reported."),
    T("environment", "Environment and secrets",
      "Literal env values become environment entries. ConfigMap keys are resolved at conversion time. Secret "
      "keys become secrets entries whose valueFrom is the ARN given in the configuration (a Secrets Manager ARN "
      "cannot be built from a name); secret values are never read into the output. envFrom is expanded key by "
      "key, in Kubernetes' precedence (later sources and explicit env win)."),
    T("ports", "Ports",
      "containerPort becomes a portMapping. In awsvpc and host network modes, hostPort must equal "
      "containerPort (ECS PortMapping.hostPort), so a different hostPort is reported."),
    T("probes", "Probes and health checks",
      "livenessProbe becomes the container healthCheck (exec as CMD, httpGet as a curl command, tcpSocket as "
      "nc -z, grpc as grpc_health_probe); ECS clamps interval to 5-300 s, timeout 2-60 s, retries 1-10 and "
      "startPeriod 0-300 s. startPeriod is the time liveness failures must not count: the kubelet runs no "
      "liveness probe before the startup probe has succeeded nor before the liveness probe's own "
      "initialDelaySeconds (pkg/kubelet/prober/worker.go doProbe), so it is the later of the two. An earlier "
      "draft of the mapping reference dropped the liveness delay when a startup probe exists. readinessProbe "
      "has no container field; behind a load balancer it becomes the target group's health check."),
    T("security", "Security context",
      "runAsUser and runAsGroup become user, readOnlyRootFilesystem, privileged and capability add/drop carry "
      "over; pod-level securityContext supplies defaults for every container, as the kubelet applies them."),
    T("lifecycle", "Lifecycle and termination",
      "terminationGracePeriodSeconds becomes stopTimeout (at most 120 s on Fargate). ECS has no postStart or "
      "preStop hooks."),
    T("volumes", "Volumes",
      "emptyDir becomes a task-scoped volume; hostPath a host volume on EC2 and a task-scoped one on Fargate, "
      "which has no host paths. ConfigMap, Secret, "
      "projected and downwardAPI volumes have no ECS volume type, and a PersistentVolumeClaim needs an EFS "
      "file system ID k2ecs cannot know."),
    T("init-and-sidecars", "Init containers and sidecars",
      "Init containers become non-essential containers chained in declaration order with dependsOn SUCCESS; "
      "native sidecars (initContainers with restartPolicy Always) become containers the later ones wait for "
      "with dependsOn START. The task size covers each init container next to the sidecars started before it "
      "(see Task size), so init containers carry no container-level cpu or memory."),
    T("pod-networking", "Pod networking and placement",
      "The task uses awsvpc networking; pod-level host namespaces, DNS settings and scheduling fields (affinity, "
      "tolerations, topology spread) have no awsvpc or Fargate counterpart and are reported. nodeSelector on "
      "the OS and architecture becomes runtimePlatform. The reverse direction writes networkMode host as "
      "hostNetwork."),
    T("rollout", "Replicas and rolling update",
      "replicas becomes desiredCount. A rolling update's maxSurge and maxUnavailable are resolved to pod counts "
      "as the Deployment controller does (ResolveFenceposts: surge rounds up, unavailability down, and both 0 "
      "becomes unavailable 1), then to maximumPercent and minimumHealthyPercent of desiredCount. Recreate "
      "becomes minimumHealthyPercent 0 and maximumPercent 100."),
    T("names", "Names and namespaces",
      "ECS has no namespaces. A workload's ECS name is <namespace>-<name>, or <name> in the default namespace, "
      "and the namespace is kept as the k8s-namespace tag; the reverse direction inverts that rule."),
    T("identity", "Identity",
      "serviceAccountName becomes the task role (taskRoleArn) given in the configuration, or from the "
      "ServiceAccount's eks.amazonaws.com/role-arn annotation. The reverse direction writes an IRSA "
      "ServiceAccount, whose role must trust the cluster's OIDC provider."),
    T("tags", "Labels and annotations",
      "Labels and annotations become ECS tags when they fit the ECS tag rules (at most 50 tags, key 1-128 and "
      "value 0-256 characters of the Tag pattern, no aws: prefix); the rest are reported."),
    T("service-type", "Service type",
      "A ClusterIP Service becomes Service Connect (or Cloud Map), LoadBalancer and NodePort become an Elastic "
      "Load Balancing target group registration; ExternalName and headless Services have no ECS service "
      "counterpart."),
    T("service-connect", "Service Connect names and ports",
      "A Service port becomes a Service Connect service: its discovery name and client alias follow the "
      "Kubernetes Service name, within the ECS name rules (1-64 characters for a discovery name, 1-127 for a "
      "DNS name). The Service Connect proxy adds 256 CPU units and 64 MiB to the task."),
    T("load-balancer", "Load balancer annotations",
      "A Service that exposes a workload through a load balancer becomes the ECS service's loadBalancers "
      "entries (at most 5 target groups per service), with placeholders for the target group ARNs. AWS Load "
      "Balancer Controller annotations describe the load balancer and its target group, which k2ecs does not "
      "create: each is reported, to be applied where they are created."),
    T("scaling-target", "Scalable target",
      "A HorizontalPodAutoscaler becomes an Application Auto Scaling scalable target (ecs:service:DesiredCount) "
      "with minReplicas as MinCapacity and maxReplicas as MaxCapacity."),
    T("scaling-metrics", "Scaling metrics",
      "cpu and memory Utilization targets become target tracking policies on ECSServiceAverageCPUUtilization "
      "and ECSServiceAverageMemoryUtilization; pods, object and external metrics need a custom metric."),
    T("scaling-rescale", "Target rescaling",
      "HPA utilization is relative to the pods' requests and ECS utilization to the task size, so the target "
      "is rescaled to fire at the same absolute usage: target x request / task size (80% of a 300 MiB request "
      "on a 512 MiB task is 46.88%)."),
    T("scaling-behavior", "Scaling behavior",
      "behavior's stabilization windows become the scale-out and scale-in cooldowns; selectPolicy Disabled on "
      "scale-down becomes DisableScaleIn. Rate-limiting policies have no target tracking counterpart."),
    T("scaling-step", "Step scaling",
      "A metric that is not proportional to capacity (an External Value target) cannot be a target tracking "
      "policy: it needs step scaling on a CloudWatch alarm, which k2ecs does not write."),
    T("reverse", "ECS to Kubernetes",
      "Task definitions, services and scaling policies become Deployments, Services, HorizontalPodAutoscalers "
      "and ServiceAccounts by the inverse of the rules above; fields with no Kubernetes counterpart, and "
      "settings the cluster provides (subnets, launch type, execution role), are reported."),
)
del T
