"""The ECS name of a workload (task definition family, service name, file stem): a function of its
namespace and name alone.

A name that depended on the order of the input or on what else is in the run ("the first `checkout`
gets `checkout`, a later one `prod-checkout`") let one added file move a name to another workload: `plan`
then pointed the live prod service at the dev image. So a workload in a namespace other than
``default`` is always named ``<namespace>-<name>``, one with no namespace or ``default`` is ``<name>``,
and two workloads whose names still meet (case aside: names become file names) are both an error
(K2E-E021), whatever their order.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

from converter.write.ecs.taskdef import ecs_name
from converter.core.findings import Finding, make_finding
from converter.read.kubernetes.metadata import MAX_FILE_STEM_CHARS
from converter.core.model import Workload

UNQUALIFIED_NAMESPACES = (None, "default")  # a manifest without a namespace is applied to `default`
_DIGEST_CHARS = 8


def workload_ecs_name(workload: Workload) -> str:
    """``<namespace>-<name>`` (``<name>`` in the default namespace), made an ECS name, and short enough
    for ``<name>.taskdef.json``; a name cut to fit ends with a digest of the whole, so two long names
    that share a beginning stay apart."""
    whole = workload.name if workload.namespace in UNQUALIFIED_NAMESPACES else f"{workload.namespace}-{workload.name}"
    name = ecs_name(whole)
    if len(name) <= MAX_FILE_STEM_CHARS:
        return name
    digest = hashlib.sha256(f"{workload.namespace}/{workload.name}".encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
    return f"{name[:MAX_FILE_STEM_CHARS - _DIGEST_CHARS - 1]}-{digest}"


def colliding(workloads: Iterable[Workload]) -> dict[int, list[str]]:
    """id() of each workload whose ECS name another workload of the run has too -> the other resources."""
    by_name: dict[str, list[Workload]] = {}
    for workload in workloads:
        by_name.setdefault(workload_ecs_name(workload).casefold(), []).append(workload)
    return {id(workload): [_shown(other) for other in group if other is not workload]
            for group in by_name.values() if len(group) > 1 for workload in group}


def name_collision(workload: Workload, others: list[str]) -> Finding:
    return make_finding("K2E-E021", workload.origin,
                        f"{_shown(workload)} and {', '.join(others)} would have the same ECS name "
                        f"{workload_ecs_name(workload)}; not converted")


def _shown(workload: Workload) -> str:
    return workload.resource if workload.namespace is None else f"{workload.resource} (namespace {workload.namespace})"
