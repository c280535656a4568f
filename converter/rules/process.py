"""Containers and process both ways: init containers, sidecars, start order and stop timeout <-> ECS containers
(docs/MAPPING.md#topic-init-and-sidecars, #topic-lifecycle, #topic-process).

Model -> ECS: ``dependencies`` (Kubernetes start order as dependsOn), ``stop_timeout`` (terminationGracePeriodSeconds,
within Fargate's range, K2E-W135) and ``SIDECAR_RESTART_POLICY``; the container's own fields are written by
converter/write/ecs/taskdef.py ``_container``. ECS -> model: ``container_roles`` (dependsOn conditions -> init
containers, native sidecars and app containers, in an order Kubernetes starts them); the container's own fields
are read by converter/read/ecs/container.py ``parse_container``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from converter.core.field_pairs import CD, CONTAINER, ECS_CONTAINER, POD, POD_SPEC, TD, container_field, pair, workloads
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, ContainerRole, Workload
from converter.core.resources import load_schema
from converter.core.settings import Settings

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView


# -- the model -> ECS --

# ContainerRestartPolicy: restartAttemptPeriod is 60-1800 s (default 300); the shortest restarts most like the kubelet.
SIDECAR_RESTART_POLICY = {"enabled": True, "restartAttemptPeriod": 60}


def stop_timeout(workload: Workload, settings: Settings, container: Container, findings: list[Finding]) -> int | None:
    grace = workload.termination_grace_seconds
    if grace is None:
        return None
    if not settings.fargate:
        return grace
    limits = {item["field"]: item for item in load_schema("ecs_rules.json")["V15_fargate_container_timeouts"]}
    low, high = limits["stopTimeout"]["min"], limits["stopTimeout"]["max"]
    value = max(low, min(high, grace))
    if value != grace and container is workload.containers[0]:
        findings.append(make_finding("K2E-W135", workload.origin.at(workload.origin.path + "/spec/template/spec/terminationGracePeriodSeconds"),
                                     f"terminationGracePeriodSeconds {grace} became stopTimeout {value} (Fargate allows {low}-{high})"))
    return value


def dependencies(workload: Workload, containers: list[dict[str, Any]], findings: list[Finding]) -> None:
    """Kubernetes start order as ECS dependsOn (#topic-init-and-sidecars).

    Each entry of initContainers waits for the one before it: a regular init container to exit 0
    (SUCCESS), a native sidecar to have started (START). App containers wait for the last regular init
    container and for every sidecar.
    """
    by_name = {c["name"]: c for c in containers}
    chain = [c for c in workload.containers if c.role != "app"]
    for before, after in zip(chain, chain[1:]):
        condition = "SUCCESS" if before.role == "init" else "START"
        by_name[after.name]["dependsOn"] = [{"containerName": before.name, "condition": condition}]
    inits = [c.name for c in chain if c.role == "init"]
    for container in workload.containers:
        if container.role != "app":
            continue
        depends = [{"containerName": inits[-1], "condition": "SUCCESS"}] if inits else []
        depends += [{"containerName": c.name, "condition": "START"} for c in chain if c.role == "sidecar"]
        if depends:
            by_name[container.name]["dependsOn"] = depends
    if inits:
        findings.append(make_finding("K2E-I141", workload.origin,
                                     f"{len(inits)} init container(s) of {workload.resource} became non-essential containers "
                                     "chained with dependsOn SUCCESS; the task size covers each of them next to the sidecars started before it, so they carry no container-level cpu or memory"))


# -- ECS -> the model --

def container_roles(view: EcsView, items: list[tuple[Path, Any]], raw_names: list[Any],
           names_list: list[str]) -> tuple[list[ContainerRole], list[int], set[int]]:
    """Each container's role; the Kubernetes order (init containers and sidecars by dependency, then the apps);
    and the sidecars others wait for to be HEALTHY."""
    index_of: dict[Any, int] = {}
    for i, raw in enumerate(raw_names):
        index_of.setdefault(raw, i)
    edges: list[tuple[int, int, str, Path]] = []  # (dependent, dependency, condition, path)
    for i, (item_path, _) in enumerate(items):
        for dep_path, _ in view.sequence(item_path + ("dependsOn",)):
            target = view.get(dep_path + ("containerName",), str)
            condition = (view.get(dep_path + ("condition",), str) or "").upper()
            if target not in index_of:
                view.note(dep_path, "K2E-W715", f"dependsOn names {target!r}, which is not a container of the task")
                continue
            edges.append((i, index_of[target], condition, dep_path))
    wanted: dict[int, set[str]] = {}
    for _, target, condition, _ in edges:
        wanted.setdefault(target, set()).add(condition)
    roles: list[ContainerRole] = []
    for i in range(len(items)):
        conditions = wanted.get(i, set())
        roles.append("init" if conditions & {"SUCCESS", "COMPLETE"} else "sidecar" if conditions & {"START", "HEALTHY"} else "app")
    chain = [i for i in range(len(items)) if roles[i] != "app"]
    order = _topological(chain, [(a, b) for a, b, _, _ in edges if roles[a] != "app" and roles[b] != "app"])
    if order is None:
        view.note(("containerDefinitions",), "K2E-W715", "the init and sidecar containers depend on each other in a cycle; "
                  "declared order kept", covers=False)
        order = chain
    if "app" not in roles:  # a pod needs a container that runs: the last one to start
        last = order[-1]
        roles[last] = "app"
        order = [i for i in order if i != last]
        view.note(items[last][0], "K2E-W715", f"every container waits for another; {names_list[last]!r} became the app "
                  "container", covers=False)
    position = {i: n for n, i in enumerate(order)}
    for dependent, target, condition, path in edges:
        _check_edge(view, path, names_list[dependent], names_list[target], roles[dependent], roles[target], condition,
                    position, dependent, target, items[target][0])
    for i, (item_path, _) in enumerate(items):
        essential = view.get(item_path + ("essential",), bool)
        expected = roles[i] != "init"
        restarted = view.raw(item_path + ("restartPolicy", "enabled")) is True
        if essential is False and expected and not (restarted and roles[i] == "sidecar"):
            what = "app container" if roles[i] == "app" else "sidecar"
            view.note(item_path + ("essential",), "K2E-W716",
                      f"{names_list[i]!r} is not essential; as a Kubernetes {what} it is restarted when it exits")
        elif essential is True and roles[i] == "sidecar":
            # The kubelet restarts a native sidecar in place; converted back, it is non-essential with a
            # restart policy (K2E-I183), no longer stopping the task when it exits.
            view.note(item_path + ("essential",), "K2E-W709",
                      f"essential of sidecar {names_list[i]!r} has no Kubernetes field: as a native sidecar it is "
                      "restarted when it exits, and the pod runs on")
        elif essential is not False and not expected:
            view.note(item_path + ("essential",), "K2E-W715",
                      f"{names_list[i]!r} is essential, but others wait for it to finish; it became an init container")
    healthy = {target for _, target, condition, _ in edges if condition == "HEALTHY" and roles[target] == "sidecar"}
    return roles, order + [i for i in range(len(items)) if roles[i] == "app"], healthy


def _check_edge(view: EcsView, path: Path, dependent: str, target: str, dependent_role: str, target_role: str,
                condition: str, position: dict[int, int], dependent_index: int, target_index: int, target_path: Path) -> None:
    if target_role == "app":
        view.note(path, "K2E-W715", f"{dependent!r} waits for app container {target!r} ({condition}); Kubernetes starts "
                  "app containers without waiting for each other")
    elif dependent_role != "app" and position.get(target_index, -1) > position.get(dependent_index, -1):
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r}, which starts after it in Kubernetes")
    elif condition == "COMPLETE":
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r} to exit with any status; a Kubernetes init "
                  "container must exit 0", f"End {target!r}'s command with `|| true` if its failures must not block the pod.")
    elif condition == "HEALTHY" and target_role == "sidecar":
        has_check = view.filled(target_path + ("healthCheck",))
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r} to be HEALTHY: " + (
            "Kubernetes waits for the sidecar's startupProbe instead (made from its healthCheck)" if has_check else
            f"{target!r} has no healthCheck, so Kubernetes waits only for it to start"))
    elif condition == "HEALTHY" or (condition == "START" and target_role == "init") or condition not in ("SUCCESS", "START", "HEALTHY", "COMPLETE"):
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r} with {condition or 'no condition'}, which "
                  f"the Kubernetes order of a {target_role} container does not express exactly")
    else:
        view.take(path)


def _topological(nodes: list[int], edges: list[tuple[int, int]]) -> list[int] | None:
    """Nodes ordered so each comes after what it depends on; declared order breaks ties; None on a cycle."""
    after = {n: {b for a, b in edges if a == n and b in nodes} for n in nodes}
    done: list[int] = []
    while len(done) < len(nodes):
        ready = [n for n in nodes if n not in done and after[n] <= set(done)]
        if not ready:
            return None
        done.append(ready[0])
    return done


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
PAIRS = workloads(
    pair(POD + "/terminationGracePeriodSeconds", f"{CD}.stopTimeout"),
    pair(POD + "/imagePullSecrets", f"{CD}.repositoryCredentials"),
    pair(CONTAINER + "/name", f"{CD}.name"),
    pair(CONTAINER + "/image", f"{CD}.image"),
    pair(CONTAINER + "/command", f"{CD}.entryPoint"),
    pair(CONTAINER + "/args", f"{CD}.command"),
    pair(CONTAINER + "/workingDir", f"{CD}.workingDirectory"),
    pair(CONTAINER + "/restartPolicy", f"{CD}.essential"),
    pair(CONTAINER + "/stdin", f"{CD}.interactive"),
    pair(CONTAINER + "/tty", f"{CD}.pseudoTerminal"),
)
CODE_FIELDS = {"K2E-I141": (f"{TD}.containerDefinitions[*].dependsOn",)}
REVERSE_PAIRS = {"TaskDefinition": (
    container_field("/name", "name"),
    container_field("/image", "image"),
    container_field("/entryPoint", "command", unit=True),
    container_field("/command", "args", unit=True),
    container_field("/workingDirectory", "workingDir"),
    container_field("/interactive", "stdin"),
    container_field("/pseudoTerminal", "tty"),
    pair(ECS_CONTAINER + "/essential", note="(no field: each container of a pod restarts on its own)"),
    pair(ECS_CONTAINER + "/dependsOn", unit=True, note="(no field: decides initContainers and native sidecars)"),
    pair(ECS_CONTAINER + "/stopTimeout", f"{POD_SPEC}.terminationGracePeriodSeconds"),
)}
CONCERN = "process"
