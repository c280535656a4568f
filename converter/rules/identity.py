"""Identity both ways: the ServiceAccount's IAM role <-> taskRoleArn, and the execution role from the settings
(docs/MAPPING.md#topic-identity).

The role is read from the ServiceAccount's eks.amazonaws.com/role-arn annotation by
converter/read/kubernetes/workload.py. Model -> ECS: ``role_fields`` (executionRoleArn, K2E-W602 when a placeholder
is written; taskRoleArn). ECS -> model: ``task_role``; the ServiceAccount carrying it is rendered by
converter/pipeline/reverse.py and converter/write/kubernetes/serviceaccount.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from converter.core.field_pairs import POD, POD_SPEC, TD, pair, workloads
from converter.core.findings import Finding, make_finding
from converter.core.model import Workload
from converter.core.settings import Settings, placeholder

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.read.ecs.view import EcsView


# -- the model -> ECS --

def role_fields(workload: Workload, settings: Settings, containers: list[dict[str, Any]],
                findings: list[Finding]) -> dict[str, Any]:
    """executionRoleArn (from the settings; needed on Fargate and to read secrets or registry credentials) and
    taskRoleArn (the ServiceAccount's role, read by converter/read/kubernetes/workload.py)."""
    fields: dict[str, Any] = {}
    needs_execution_role = settings.fargate or any("secrets" in c or "repositoryCredentials" in c for c in containers)
    if settings.execution_role_arn is not None:
        fields["executionRoleArn"] = settings.execution_role_arn
    elif needs_execution_role:
        fields["executionRoleArn"] = placeholder("execution-role-arn")
        findings.append(make_finding("K2E-W602", workload.origin,
                                     f"{workload.resource}: no execution role given; a placeholder was written"))
    if workload.task_role_arn is not None:
        fields["taskRoleArn"] = workload.task_role_arn
    return fields


# -- ECS -> the model --

def task_role(view: EcsView) -> str | None:
    """taskRoleArn, for the ServiceAccount that carries it (an empty role is none)."""
    return view.get(("taskRoleArn",), str) or None


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
_NO_ROLE = "taskRoleArn: absent, the task has no role, as the default ServiceAccount carries none (no taskRoles entry)"
_ROLE = (f"{TD}.taskRoleArn",)
_NO_ROLE_FIELD = dict(same_when_unset=("default",), unset_reason=_NO_ROLE, codes=("K2E-W621", "K2E-W147"))
# A ServiceAccount without a role, or not in the input: no task role (K2E-W621, K2E-W147 on serviceAccountName).
PAIRS = {
    **workloads(pair(POD + "/serviceAccountName", *_ROLE, **_NO_ROLE_FIELD),
                 pair(POD + "/serviceAccount", *_ROLE, **_NO_ROLE_FIELD)),
    "ServiceAccount": (
        pair("/metadata/annotations/eks.amazonaws.com~1role-arn", *_ROLE),
        pair("/metadata/name", *_ROLE),
    ),
}
CODE_FIELDS = {"K2E-W602": (f"{TD}.executionRoleArn",)}
REVERSE_PAIRS = {
    "TaskDefinition": (
        pair("/taskRoleArn", "ServiceAccount.metadata.annotations", f"{POD_SPEC}.serviceAccountName",
             same_when_unset=("",), unset_reason='"": no task role, as when absent: the default ServiceAccount'),
    ),
}
REVERSE_CODE_FIELDS = {"K2E-W714": ("ServiceAccount.metadata.annotations",)}
CONCERN = "identity"
