"""The neutral Autoscaling -> an autoscaling/v2 HorizontalPodAutoscaler (docs/MAPPING.md#topic-reverse, #topic-scaling-target inverted).

Cooldowns become stabilization windows (ScaleOutCooldown -> scaleUp, ScaleInCooldown -> scaleDown);
DisableScaleIn and a suspended scale-out become selectPolicy: Disabled.
"""

from __future__ import annotations

from typing import Any

from converter.core.findings import Finding
from converter.write.kubernetes.deployment import metadata
from converter.write.kubernetes.units import cpu_quantity, memory_quantity
from converter.core.model import Autoscaling, MetricTarget


def render_hpa(autoscaling: Autoscaling) -> tuple[dict[str, Any], list[Finding]]:
    scale_up: dict[str, Any] = {"stabilizationWindowSeconds": autoscaling.scale_out_cooldown_seconds}
    if autoscaling.scale_out_disabled:
        scale_up["selectPolicy"] = "Disabled"
    scale_down: dict[str, Any] = {"stabilizationWindowSeconds": autoscaling.scale_in_cooldown_seconds}
    if autoscaling.scale_in_disabled:
        scale_down["selectPolicy"] = "Disabled"
    manifest = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(autoscaling.name, autoscaling.namespace),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": autoscaling.target_kind, "name": autoscaling.target_name},
            "minReplicas": autoscaling.min_replicas,
            "maxReplicas": autoscaling.max_replicas,
            "metrics": [_metric(m) for m in autoscaling.metrics],
            "behavior": {"scaleUp": scale_up, "scaleDown": scale_down},
        },
    }
    return manifest, []


def _metric(metric: MetricTarget) -> dict[str, Any]:
    if metric.utilization_percent is not None:
        target: dict[str, Any] = {"type": "Utilization", "averageUtilization": int(metric.utilization_percent)}
    else:
        assert metric.average_value is not None
        value = cpu_quantity(metric.average_value) if metric.resource == "cpu" else memory_quantity(metric.average_value)
        target = {"type": "AverageValue", "averageValue": value}
    return {"type": "Resource", "resource": {"name": metric.resource, "target": target}}
