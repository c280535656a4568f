"""Does every service-to-service call of an application resolve on ECS? (issue 19)

For each application folder (default: ../shared/corpus/k8s/*), convert it with a Service Connect namespace and
check the report's ``calls`` against the output payloads alone: a call counts as resolved only when the caller's
ECS service is in the namespace and some ECS service of the output serves that host and port as a client alias.
Every other call must carry a K2E-W433 finding on the caller; a call that is neither is silently broken.

    python bench/reachability.py [FOLDER ...]

prints one line per application and the totals: calls found, resolved, reported, silently broken.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "apps.local"


def served_aliases(services: Iterable[dict[str, Any]]) -> dict[str, set[tuple[str, int]]]:
    """namespace -> every (dnsName, port) some ECS service of the output serves."""
    served: dict[str, set[tuple[str, int]]] = {}
    for service in services:
        config = service.get("serviceConnectConfiguration") or {}
        if config.get("enabled") is True:
            table = served.setdefault(config["namespace"], set())
            for entry in config.get("services", ()):
                table.update((alias["dnsName"], alias["port"]) for alias in entry.get("clientAliases", ()))
    return served


def resolves(call: dict[str, Any], caller_service: dict[str, Any], served: dict[str, set[tuple[str, int]]]) -> bool:
    """From the payloads alone: the caller is in a namespace where its host (and port) is served."""
    config = caller_service.get("serviceConnectConfiguration") or {}
    if config.get("enabled") is not True:
        return False
    table = served.get(config["namespace"], set())
    host = call["host"].lower().rstrip(".")
    if call["port"] is None:
        return any(dns == host for dns, _ in table)
    return (host, call["port"]) in table


def mentioned(call: dict[str, Any], taskdef: dict[str, Any]) -> bool:
    """The call's host appears in the caller's written env, command or args (the call is in the output)."""
    texts = []
    for container in taskdef["containerDefinitions"]:
        texts += [entry["value"] for entry in container.get("environment", ())]
        texts += container.get("entryPoint", []) + container.get("command", [])
    return any(call["host"] in text for text in texts)


def check(outputs: list[tuple[str, dict, dict]], resources: dict[str, str], calls: list[dict[str, Any]],
          findings: list[dict[str, Any]]) -> dict[str, int]:
    """``outputs``: (name, task definition, service) per workload; ``resources``: resource -> output name."""
    by_name = {name: (taskdef, service) for name, taskdef, service in outputs}
    served = served_aliases(service for _, _, service in outputs)
    warned = {(f["resource"], f["message"]) for f in findings if f["code"] == "K2E-W433"}
    counts = {"found": len(calls), "resolved": 0, "reported": 0, "silently_broken": 0}
    for call in calls:
        taskdef, service = by_name[resources[call["caller"]]]
        assert mentioned(call, taskdef), call
        if call["resolved"] and resolves(call, service, served):
            counts["resolved"] += 1
        elif not call["resolved"] and any(resource == call["caller"] and f" {call['host']}" in message
                                          and f" in {call['variable']}," in message for resource, message in warned):
            counts["reported"] += 1
        else:
            counts["silently_broken"] += 1
    return counts


def measure(folder: Path, namespace: str | None = NAMESPACE) -> dict[str, int]:
    sys.path.insert(0, str(ROOT))
    from converter.pipeline.convert import convert
    from converter.load.loader import load_paths
    from converter.report.canonical import build_report
    from converter.core.settings import Settings

    from converter.core.errors import K2ecsError

    documents = []
    for path in sorted(folder.rglob("*.y*ml")) if folder.is_dir() else [folder]:
        try:
            documents += load_paths([str(path)])
        except K2ecsError:
            continue  # a file the loader refuses (reported by the CLI); the rest of the application still counts
    try:
        result = convert(documents, Settings(service_connect_namespace=namespace))
    except K2ecsError:
        return {"found": 0, "resolved": 0, "reported": 0, "silently_broken": 0, "not_converted": 1}
    report = build_report(result.findings, result.sources, result.outputs, calls=result.calls)
    outputs = [(o.name, o.task_definition, o.service) for o in result.outputs]
    resources = {o.resource: o.name for o in result.outputs}
    return check(outputs, resources, report.get("calls", []), [f.as_dict() for f in result.findings])


def main(arguments: list[str]) -> int:
    folders = [Path(a) for a in arguments] or sorted(p for p in (ROOT.parent / "shared" / "corpus" / "k8s").iterdir()
                                                     if p.is_dir())
    totals = {"found": 0, "resolved": 0, "reported": 0, "silently_broken": 0}
    for folder in folders:
        counts = measure(folder)
        for key in totals:
            totals[key] += counts.get(key, 0)
        print(f"{folder.name:45} " + " ".join(f"{key} {value:3}" for key, value in counts.items()))
    print(f"{'TOTAL':45} " + " ".join(f"{key} {value:3}" for key, value in totals.items()))
    return 1 if totals["silently_broken"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
