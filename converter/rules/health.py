"""Health checks both ways: probes -> ECS container healthCheck (docs/MAPPING.md#topic-probes), and back.

Model -> ECS: ``render_health_check`` (and the start-up and readiness budgets the service's grace period uses);
ECS -> model: ``health_probes`` (a healthCheck -> a livenessProbe, and a startupProbe for its startPeriod, with
ECS's defaults from converter.core.facts). The field pairs of both directions are at the end.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from converter.core.facts import health_check_defaults
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, ContainerRole, Probe
from converter.core.resources import load_schema

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def probe_command(probe: Probe, container: str) -> tuple[list[str], Finding | None]:
    """The ECS health-check command for a probe, and the finding that says what the image must have."""
    host = probe.host or "localhost"
    if probe.handler == "exec":
        # Kubernetes exec runs without a shell, and so does CMD: same semantics (#topic-probes).
        return ["CMD", *(probe.command or ())], None
    if probe.handler == "http":
        url = f"{probe.scheme.lower()}://{host}:{probe.port}{probe.path or '/'}"
        # -f fails on >= 400, matching Kubernetes' 200-399 success; -k because the kubelet skips verification.
        parts = ["curl", "-fsS"] + (["-k"] if probe.scheme == "HTTPS" else [])
        for name, value in probe.headers:
            parts += ["-H", f"{name}: {value}"]
        parts.append(url)
        command = " ".join(shlex.quote(part) for part in parts) + " || exit 1"
        return ["CMD-SHELL", command], make_finding(
            "K2E-W110", probe.origin, f"httpGet probe of {container!r} became `{command}`; the image needs curl")
    if probe.handler == "tcp":
        command = f"nc -z {shlex.quote(host)} {probe.port} || exit 1"
        return ["CMD-SHELL", command], make_finding(
            "K2E-W111", probe.origin, f"tcpSocket probe of {container!r} became `{command}`; the image needs nc")
    args = ["CMD", "grpc_health_probe", f"-addr={host}:{probe.port}"]
    if probe.grpc_service:
        args.append(f"-service={probe.grpc_service}")
    return args, make_finding("K2E-W112", probe.origin,
                              f"grpc probe of {container!r} became grpc_health_probe; the image needs that binary")


def render_health_check(container: Container) -> tuple[dict[str, Any] | None, list[Finding]]:
    findings: list[Finding] = []
    liveness, startup = container.liveness, container.startup
    if liveness is None:
        if startup is not None:
            findings.append(make_finding("K2E-W114", startup.origin,
                                         f"startupProbe of {container.name!r} has no liveness probe to delay; ECS has no start-up-only check, so it was not carried"))
        return None, findings
    limits = {item["field"]: item for item in load_schema("ecs_rules.json")["V14_health_check"]["ranges"]}
    command, note = probe_command(liveness, container.name)
    if note is not None:
        findings.append(note)
    start_period = start_period_seconds(container)
    if startup is not None:
        if (startup.handler, startup.command, startup.port, startup.path) != (liveness.handler, liveness.command, liveness.port, liveness.path):
            findings.append(make_finding("K2E-W114", startup.origin,
                                         f"startupProbe of {container.name!r} checks something else than the liveness probe; only its time budget was kept (startPeriod)"))
    wanted = {"interval": liveness.period_seconds, "timeout": liveness.timeout_seconds,
              "retries": liveness.failure_threshold, "startPeriod": start_period}
    check: dict[str, Any] = {"command": command}
    changed = []
    for key, value in wanted.items():
        low, high = limits[key]["min"], limits[key]["max"]
        check[key] = _clamp(value, low, high)
        if check[key] != value:
            changed.append(f"{key} {value} -> {check[key]}")
    if changed:
        message = f"health check of {container.name!r} adjusted to ECS ranges: " + ", ".join(changed)
        if check["startPeriod"] < start_period:
            # healthCheckGracePeriodSeconds has no 300 s ceiling and also holds back container health checks.
            message += (f"; the service's healthCheckGracePeriodSeconds {start_period} covers the rest of the "
                        "start-up budget")
        findings.append(make_finding("K2E-I113", liveness.origin, message))
    if liveness.success_threshold != 1:
        findings.append(make_finding("K2E-W114", liveness.origin,
                                     f"successThreshold {liveness.success_threshold} has no ECS field (ECS counts one success)"))
    return check, findings


def startup_budget_seconds(container: Container) -> int | None:
    """The longest a startup probe lets the container take to start: its initialDelaySeconds plus
    failureThreshold probes periodSeconds apart (the kubelet kills the container after the last failure)."""
    startup = container.startup
    if startup is None:
        return None
    return startup.initial_delay_seconds + startup.failure_threshold * startup.period_seconds


def start_period_seconds(container: Container) -> int:
    """How long liveness failures must not count, as the kubelet does it (#topic-probes; an earlier
    draft of the mapping reference differed).

    pkg/kubelet/prober/worker.go doProbe: a liveness probe is not run before the startup probe has
    succeeded, nor before its own initialDelaySeconds; so failures count from the later of the two.
    """
    liveness = container.liveness
    delay = 0 if liveness is None else liveness.initial_delay_seconds
    budget = startup_budget_seconds(container)
    return delay if budget is None else max(delay, budget)


def readiness_budget_seconds(container: Container) -> int | None:
    """How long a container may take before its readiness probe could first report it unready: the time a
    load balancer check turned from it must tolerate (Kubernetes never kills an unready pod; ECS replaces a
    task that fails its target group check once the grace period is over)."""
    probe = container.readiness
    if probe is None:
        return None
    return probe.initial_delay_seconds + probe.failure_threshold * probe.period_seconds


# -- ECS -> the model: healthCheck -> livenessProbe and startupProbe (read/ecs/container.py calls it) --

def health_probes(view: EcsView, path: Path, name: str, role: ContainerRole) -> tuple[Probe | None, Probe | None]:
    """(livenessProbe, startupProbe) for an ECS healthCheck (#topic-reverse: CMD -> exec, CMD-SHELL -> sh -c)."""
    if not view.filled_or_taken(path):
        return None, None
    if role == "init":
        view.note(path, "K2E-W728", f"init container {name!r} cannot have probes in Kubernetes; its healthCheck was dropped")
        return None, None
    command = view.strings(path + ("command",)) or ()
    if not command or command[0] not in ("CMD", "CMD-SHELL") or len(command) < 2:
        view.note(path + ("command",), "K2E-W728", f"healthCheck of {name!r} needs CMD or CMD-SHELL and a command; dropped")
        for key in ("interval", "timeout", "retries", "startPeriod"):
            view.take(path + (key,))
        return None, None
    exec_command = command[1:] if command[0] == "CMD" else ("sh", "-c", " ".join(command[1:]))
    timing = {key: view.get(path + (key,), int) for key in ("interval", "timeout", "retries", "startPeriod")}
    for key, value in timing.items():
        if value is not None and value < (0 if key == "startPeriod" else 1):
            view.fail(path + (key,), f"healthCheck {key} {value} is out of range")
    # ECS's defaults for a timing left out (converter.core.facts), written explicitly.
    defaults = health_check_defaults()
    period = timing["interval"] or defaults["interval"]
    timeout = timing["timeout"] or defaults["timeout"]
    liveness = Probe(handler="exec", command=tuple(exec_command), period_seconds=period, timeout_seconds=timeout,
                     failure_threshold=timing["retries"] or defaults["retries"], origin=view.origin(path))
    start = timing["startPeriod"] or defaults["startPeriod"]
    if start <= 0:
        return liveness, None
    # Failures during startPeriod do not count: a startupProbe with exactly that budget (failureThreshold x
    # periodSeconds == startPeriod), polling at most every interval seconds.
    step = max(d for d in range(1, min(period, start) + 1) if start % d == 0)
    startup = Probe(handler="exec", command=tuple(exec_command), period_seconds=step, timeout_seconds=timeout,
                    failure_threshold=start // step, origin=view.origin(path + ("startPeriod",)))
    return liveness, startup


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
from converter.core.field_pairs import CD, CONTAINER, ECS_CONTAINER, k8s_container, pair  # noqa: E402  (the pairs are data about the rules above)

_WORKLOAD_PAIRS = (
    pair(CONTAINER + "/livenessProbe", f"{CD}.healthCheck", unit=True),
    pair(CONTAINER + "/startupProbe", f"{CD}.healthCheck.startPeriod", unit=True),
    pair(CONTAINER + "/readinessProbe", "service.loadBalancers", unit=True,
         note="(target group health check, when behind a load balancer)"),
)
PAIRS = {"Deployment": _WORKLOAD_PAIRS, "StatefulSet": _WORKLOAD_PAIRS}
CONCERN = "health"
# ECS -> Kubernetes (health_probes above, converter/write/kubernetes/deployment.py _probe).
REVERSE_PAIRS = {
    "TaskDefinition": (
        pair(ECS_CONTAINER + "/healthCheck", k8s_container("livenessProbe"), k8s_container("startupProbe"), unit=True),
    ),
}
