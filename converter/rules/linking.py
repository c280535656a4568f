"""Documents and references: how Services, HPAs, ConfigMaps, Secrets and ServiceAccounts find their workload.

No field of its own maps: the rule is the pipeline's. Kubernetes -> ECS: converter/pipeline/convert.py and
converter/pipeline/linking.py match selectors and references; ECS -> Kubernetes: converter/pipeline/reverse.py
links a service to its task definition, and converter/read/ecs/intrinsics.py resolves a template's references.
This module declares the fields read only for that matching, both directions, so ``k2ecs compare`` shows why they
have no target.
"""

from __future__ import annotations

from converter.core.field_pairs import pair, workloads


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
PAIRS = workloads(
    pair("/spec/selector", unit=True, note="(no field: matches Services and the HPA to this workload)"),
    pair("/spec/template/metadata/labels", note="(no field: what the selector matches)"),
)
REVERSE_PAIRS = {
    "Service": (
        pair("/taskDefinition", note="(no field: names the task definition the Deployment is made from)"),
    ),
    "Template": (pair("/Parameters", note="(read where a value refers to them)"),
                 pair("/Mappings", note="(read where a value refers to them)")),
}
CONCERN = "linking"
