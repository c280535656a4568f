"""Rolling-update settings -> ECS deploymentConfiguration, by the exact formula of docs/MAPPING.md#topic-rollout.

Kubernetes rounds a percentage surge up and a percentage unavailability down; ECS applies
floor(R * maximumPercent / 100) and ceil(R * minimumHealthyPercent / 100). The naive
100 + surge% / 100 - unavailable% is wrong (R=3, 25%/25% would let ECS neither start nor stop a task).
The way back, ``rollout_at``, inverts the same formula at the service's desiredCount. The field pairs are at the end.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from converter.core.model import Rollout
from converter.core.record import Record, set_field

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.read.ecs.service import ParsedService


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


# -- ECS -> the model: maximumPercent/minimumHealthyPercent -> the rolling update (pipeline/reverse.py calls it) --

def rollout_at(service: ParsedService, replicas: int) -> Rollout:
    """maximumPercent/minimumHealthyPercent -> maxSurge/maxUnavailable at ``replicas`` (docs/MAPPING.md#topic-reverse, #topic-rollout inverted).

    ECS runs at most floor(R x max / 100) and keeps at least ceil(R x min / 100) tasks, so the counts are
    surge = floor(R x max / 100) - R and unavailable = R - ceil(R x min / 100), written as integers.
    """
    view = service.view
    path = ("deploymentConfiguration",)
    origin = view.origin(path)
    maximum = 200 if service.maximum_percent is None else service.maximum_percent
    minimum = 100 if service.minimum_healthy_percent is None else service.minimum_healthy_percent
    if replicas <= 0:
        view.note(path, "K2E-I720", f"desiredCount is 0: maxSurge {maximum - 100}% and maxUnavailable {100 - minimum}% "
                  "written as percentages", covers=False)
        return Rollout(strategy="rolling", max_surge=f"{max(maximum - 100, 0)}%",
                       max_unavailable=f"{min(max(100 - minimum, 0), 100)}%", origin=origin)
    surge = max(replicas * maximum // 100 - replicas, 0)
    unavailable = min(max(replicas - math.ceil(replicas * minimum / 100), 0), replicas)
    if surge == 0 and unavailable == 0:
        unavailable = 1
        view.note(path, "K2E-I720", f"at desiredCount {replicas}, maximumPercent {maximum} and minimumHealthyPercent "
                  f"{minimum} let ECS neither start nor stop a task; maxUnavailable 1 written (Kubernetes forbids 0 and 0)")
    else:
        back_max = math.ceil(100 * (replicas + surge) / replicas)
        back_min = max(0, math.floor(100 * (replicas - unavailable) / replicas))
        for key, value, back in (("maximumPercent", maximum, back_max), ("minimumHealthyPercent", minimum, back_min)):
            if value != back:
                view.note(path + (key,), "K2E-I720", f"{key} {value} at desiredCount {replicas}: maxSurge {surge}, "
                          f"maxUnavailable {unavailable} (the same counts as {key} {back})", covers=False)
    for key in ("maximumPercent", "minimumHealthyPercent"):
        view.take(path + (key,))
    return Rollout(strategy="rolling", max_surge=surge, max_unavailable=unavailable, origin=origin)


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
# ECS -> Kubernetes (rollout_at above, converter/write/kubernetes/deployment.py _strategy).
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
