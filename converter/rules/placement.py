"""Pod networking and placement both ways: os, node selector, shareProcessNamespace <-> runtimePlatform, pidMode
(docs/MAPPING.md#topic-pod-networking).

Model -> ECS: ``platform_fields``. ECS -> model: ``platform`` (runtimePlatform -> CPU architecture and operating
system); networkMode and pidMode are read by converter/read/ecs/taskdef.py ``parse_task_definition``, beside the
host-port fact (converter.core.facts) they decide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from converter.core.field_pairs import POD, POD_SPEC, TD, pair, workloads
from converter.core.findings import Finding, make_finding
from converter.core.model import Workload

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.read.ecs.view import EcsView

_OWN_PIDS = "pidMode: absent, each container has its own process namespace, as shareProcessNamespace: false"


# -- the model -> ECS --

WINDOWS_FAMILY = "WINDOWS_SERVER_2022_CORE"  # the version Kubernetes does not carry (#topic-pod-networking): stated in W148


def platform_fields(workload: Workload, findings: list[Finding]) -> dict[str, Any]:
    """runtimePlatform from the pod's os and node selector, pidMode from shareProcessNamespace."""
    fields: dict[str, Any] = {}
    if workload.operating_system == "windows":
        fields["runtimePlatform"] = {"operatingSystemFamily": WINDOWS_FAMILY, "cpuArchitecture": "X86_64"}
        findings.append(make_finding("K2E-W148", workload.origin,
                                     f"{workload.resource} runs on Windows; {WINDOWS_FAMILY} assumed"))
    elif workload.cpu_architecture is not None or workload.operating_system == "linux":
        platform = {"operatingSystemFamily": "LINUX"}
        if workload.cpu_architecture is not None:
            platform["cpuArchitecture"] = workload.cpu_architecture
        fields["runtimePlatform"] = platform
    if workload.share_process_namespace:
        fields["pidMode"] = "task"
    return fields


# -- ECS -> the model --

_ARCH = {"X86_64": "amd64", "ARM64": "arm64"}


def runtime_platform(view: EcsView) -> tuple[Any, Any]:
    arch = view.get(("runtimePlatform", "cpuArchitecture"), str)
    family = view.get(("runtimePlatform", "operatingSystemFamily"), str)
    if arch is not None and arch not in _ARCH:
        view.note(("runtimePlatform", "cpuArchitecture"), "K2E-W710", f"cpuArchitecture {arch} is not carried")
        arch = None
    operating_system = None
    if family == "LINUX":
        operating_system = "linux"
    elif family is not None:
        operating_system = "windows"
        view.note(("runtimePlatform", "operatingSystemFamily"), "K2E-W710",
                  f"{family}: Kubernetes selects Windows nodes, not a Windows Server version", covers=False,
                  suggestion="Add a node selector on node.kubernetes.io/windows-build for the version.")
    return arch, operating_system


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
PAIRS = workloads(
    pair(POD + "/nodeSelector", f"{TD}.runtimePlatform"),
    pair(POD + "/os", f"{TD}.runtimePlatform", unit=True),
    pair(POD + "/shareProcessNamespace", f"{TD}.pidMode", same_when_unset=(False,), unset_reason=_OWN_PIDS),
)
CODE_FIELDS = {"K2E-W148": (f"{TD}.runtimePlatform",)}
REVERSE_PAIRS = {"TaskDefinition": (
    pair("/networkMode", f"{POD_SPEC}.hostNetwork", note="(unset: the pod network)", same_when_unset=("awsvpc",),
         unset_reason="hostNetwork: absent, the pod has its own network interface, as an awsvpc task does"),
    pair("/pidMode", f"{POD_SPEC}.shareProcessNamespace"),
    pair("/runtimePlatform", f"{POD_SPEC}.nodeSelector", unit=True),
)}
CONCERN = "placement"
