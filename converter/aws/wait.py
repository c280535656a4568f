"""--wait: poll services until each reaches a steady state, reporting progress, within a timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from converter.aws.errors import AwsError, WaitTimeout
from converter.aws.session import Clients
from converter.aws.state import DESCRIBE_SERVICES_MAX

POLL_SECONDS = 10.0  # DescribeServices is cheap, but a rollout takes minutes: no need to poll faster
HEARTBEAT_SECONDS = 60.0  # repeat an unchanged status this often, so a long wait still shows life


def wait_for_services(clients: Clients, cluster: str, names: list[str], *, timeout_seconds: float,
                      on_progress: Callable[[str], None], poll_seconds: float | None = None,
                      clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
    """Return when every service is steady; raise WaitTimeout after ``timeout_seconds``, AwsError when a rollout failed.

    Steady, as the ECS ``services_stable`` waiter has it: one deployment left, running the desired
    count, and (where ECS reports it) its rollout COMPLETED.
    """
    poll = POLL_SECONDS if poll_seconds is None else poll_seconds
    start = clock()
    waiting = list(dict.fromkeys(names))
    shown: dict[str, tuple[str, float]] = {}
    while True:
        elapsed = clock() - start
        still = []
        for service in _describe(clients, cluster, waiting):
            name = service["serviceName"]
            steady, status = _status(service)
            previous = shown.get(name)
            if previous is None or previous[0] != status or elapsed - previous[1] >= HEARTBEAT_SECONDS:
                on_progress(f"  {name}: {status} [{elapsed:.0f}s]")
                shown[name] = (status, elapsed)
            if not steady:
                still.append(name)
        if not still:
            return
        if elapsed >= timeout_seconds:
            raise WaitTimeout(f"timed out after {timeout_seconds:g} s waiting for service(s) {', '.join(still)} "
                              f"to reach a steady state; the changes themselves are applied "
                              f"(see the service events in ECS)")
        waiting = still
        sleep(min(poll, timeout_seconds - elapsed))  # elapsed < timeout here


def _describe(clients: Clients, cluster: str, names: list[str]) -> list[dict[str, Any]]:
    found = []
    for start in range(0, len(names), DESCRIBE_SERVICES_MAX):
        response = clients.ecs.describe_services(cluster=cluster, services=names[start:start + DESCRIBE_SERVICES_MAX])
        found.extend(response.get("services", []))
    missing = set(names) - {service["serviceName"] for service in found}
    if missing:
        raise AwsError(f"service(s) {', '.join(sorted(missing))} disappeared from cluster {cluster} while waiting")
    return found


def _status(service: dict[str, Any]) -> tuple[bool, str]:
    deployments = service.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    rollout = primary.get("rolloutState")
    if rollout == "FAILED":
        raise AwsError(f"the deployment of service {service['serviceName']} failed: "
                       f"{primary.get('rolloutStateReason') or 'no reason given'}")
    running, desired = service.get("runningCount", 0), service.get("desiredCount", 0)
    status = f"{running}/{desired} running, {service.get('pendingCount', 0)} pending, {len(deployments)} deployment(s)"
    if rollout is not None:
        status += f", rollout {rollout}"
    steady = len(deployments) == 1 and running == desired and rollout in (None, "COMPLETED")
    return steady, status
