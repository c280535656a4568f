"""Scaling: a HorizontalPodAutoscaler <-> Application Auto Scaling target tracking, both directions.

``forward`` renders the scalable target and one target-tracking policy per metric; ``reverse`` reads a scalable
target and its policies back into an HPA (autoscaling/v2). This module declares the concern's field pairs both
directions (converter/core/field_pairs.py), shown by ``k2ecs compare``.
"""

from __future__ import annotations

from converter.core.field_pairs import HPA_SPEC, TRACKING, pair

_TRACKING = "scaling.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration"
PAIRS = {
    "HorizontalPodAutoscaler": (
        # No policy written (K2E-W512): the HPA's name, which only the policy names carry, is not in the output.
        pair("/metadata/name", "scaling.scalingPolicies[*].PolicyName", codes=("K2E-W512",),
             absent_codes=("K2E-W512",)),
        pair("/spec/scaleTargetRef", "scaling.scalableTarget.ResourceId", unit=True),
        pair("/spec/minReplicas", "scaling.scalableTarget.MinCapacity"),
        pair("/spec/maxReplicas", "scaling.scalableTarget.MaxCapacity"),
        pair("/spec/targetCPUUtilizationPercentage", f"{_TRACKING}.TargetValue"),
        pair("/spec/metrics/*", unit=True, resolver="metric"),
        pair("/spec/behavior", f"{_TRACKING}.ScaleOutCooldown", f"{_TRACKING}.ScaleInCooldown", unit=True),
    ),
}
CODE_FIELDS = {"K2E-W606": ("scaling.scalableTarget.ResourceId",)}
CONCERN = "scaling"
# ECS -> Kubernetes (converter/rules/scaling/reverse.py build_autoscaling, converter/write/kubernetes/hpa.py render_hpa).
_SCALE_TARGET = f"{HPA_SPEC}.scaleTargetRef"
# K2E-W725 on the target or policy as a whole (no target tracking on cpu or memory, a step policy) says why no
# HorizontalPodAutoscaler holds these fields (converter/rules/scaling/reverse.py build_autoscaling, parse_scaling_policy).
_NO_HPA = ("K2E-W725",)
_DIMENSIONS = (
    pair("/ResourceId", _SCALE_TARGET, codes=_NO_HPA),
    pair("/ServiceNamespace", _SCALE_TARGET, codes=_NO_HPA),
    pair("/ScalableDimension", _SCALE_TARGET, codes=_NO_HPA),
)
REVERSE_PAIRS = {
    "ScalableTarget": (
        pair("/MinCapacity", f"{HPA_SPEC}.minReplicas", codes=_NO_HPA),
        pair("/MaxCapacity", f"{HPA_SPEC}.maxReplicas", codes=_NO_HPA),
        *_DIMENSIONS,
    ),
    "ScalingPolicy": (
        pair("/PolicyName", note="(no field: the HPA is named after the workload)", codes=_NO_HPA),
        pair("/PolicyType", f"{HPA_SPEC}.metrics", codes=_NO_HPA),
        pair("/StepScalingPolicyConfiguration", unit=True, codes=_NO_HPA,
             note="(no field: an HPA scales toward a target value, not in steps)"),
        *_DIMENSIONS,
        pair("/ScalingTargetId", _SCALE_TARGET, codes=_NO_HPA),
        pair(TRACKING, f"{HPA_SPEC}.metrics", codes=_NO_HPA),
        pair(TRACKING + "/TargetValue", unit=True, resolver="metric"),
        pair(TRACKING + "/PredefinedMetricSpecification", unit=True, resolver="metric"),
        pair(TRACKING + "/ScaleOutCooldown", f"{HPA_SPEC}.behavior.scaleUp.stabilizationWindowSeconds"),
        pair(TRACKING + "/ScaleInCooldown", f"{HPA_SPEC}.behavior.scaleDown.stabilizationWindowSeconds"),
        pair(TRACKING + "/DisableScaleIn", f"{HPA_SPEC}.behavior.scaleDown.selectPolicy", same_when_unset=(False,),
             unset_reason="selectPolicy: absent, the HPA scales in (Max), as DisableScaleIn: false lets it"),
    ),
}
