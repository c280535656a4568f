"""Rolling-update settings -> ECS deploymentConfiguration, by the exact formula of docs/MAPPING.md#topic-rollout.

Kubernetes rounds a percentage surge up and a percentage unavailability down; ECS applies
floor(R * maximumPercent / 100) and ceil(R * minimumHealthyPercent / 100). The naive
100 + surge% / 100 - unavailable% is wrong (R=3, 25%/25% would let ECS neither start nor stop a task).
"""

from __future__ import annotations

import math

from converter.core.record import Record, set_field

DEFAULT_PERCENT = "25%"  # Kubernetes default for both maxSurge and maxUnavailable


class Percentages(Record):
    maximum_percent: int
    minimum_healthy_percent: int

    def __init__(self, maximum_percent: int, minimum_healthy_percent: int) -> None:
        set_field(self, "maximum_percent", maximum_percent)
        set_field(self, "minimum_healthy_percent", minimum_healthy_percent)


def resolve(value: int | str | None, replicas: int, *, round_up: bool) -> int:
    """A Kubernetes int-or-percent against ``replicas`` (surge rounds up, unavailable rounds down)."""
    if value is None:
        value = DEFAULT_PERCENT
    if isinstance(value, int):
        return value
    percent = int(value.rstrip("%"))
    return -(-replicas * percent // 100) if round_up else replicas * percent // 100


def surge_and_unavailable(max_surge: int | str | None, max_unavailable: int | str | None, replicas: int) -> tuple[int, int]:
    surge = resolve(max_surge, replicas, round_up=True)
    unavailable = resolve(max_unavailable, replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # ResolveFenceposts: "surge might not work due to quota"
    return surge, unavailable


def rolling_percentages(max_surge: int | str | None, max_unavailable: int | str | None, replicas: int) -> Percentages:
    if replicas <= 0:
        return Percentages(200, 100)  # R = 0: the percentages do not matter; keep the ECS defaults
    surge, unavailable = surge_and_unavailable(max_surge, max_unavailable, replicas)
    maximum = math.ceil(100 * (replicas + surge) / replicas)
    minimum = max(0, math.floor(100 * (replicas - unavailable) / replicas))
    return Percentages(maximum, minimum)


RECREATE = Percentages(100, 0)  # all old tasks may stop first; never more than desired


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
from converter.core.field_pairs import DEPLOYMENT, pair  # noqa: E402  (the pairs are data about the rules above)

_WORKLOAD_PAIRS = (
    pair("/spec/replicas", "service.desiredCount"),
    pair("/spec/strategy", "service.deploymentConfiguration", unit=True),
    pair("/spec/updateStrategy", "service.deploymentConfiguration", unit=True),
)
PAIRS = {"Deployment": _WORKLOAD_PAIRS, "StatefulSet": _WORKLOAD_PAIRS}
CODE_FIELDS = {"K2E-I311": ("service.desiredCount",)}  # no replicas: desiredCount 1
CONCERN = "rollout"
# ECS -> Kubernetes (converter/read/ecs/service.py rollout_at, converter/write/kubernetes/deployment.py _strategy).
REVERSE_PAIRS = {
    "Service": (
        pair("/desiredCount", f"{DEPLOYMENT}.spec.replicas"),
        pair("/deploymentConfiguration/maximumPercent", f"{DEPLOYMENT}.spec.strategy.rollingUpdate.maxSurge"),
        pair("/deploymentConfiguration/minimumHealthyPercent",
             f"{DEPLOYMENT}.spec.strategy.rollingUpdate.maxUnavailable"),
        pair("/schedulingStrategy", f"{DEPLOYMENT}.kind"),
        pair("/deploymentController", f"{DEPLOYMENT}.spec.strategy.type", unit=True),
        pair("/deploymentConfiguration/deploymentCircuitBreaker", unit=True,
             note="(no field: progressDeadlineSeconds is the nearest)"),
    ),
}
REVERSE_CODE_FIELDS = {"K2E-I727": (f"{DEPLOYMENT}.spec.replicas",), "K2E-I720": (f"{DEPLOYMENT}.spec.strategy",)}
