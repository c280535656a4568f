"""The service-to-service call graph (issue 19, item 6): who calls which Service, and whether it resolves on ECS.

A call is a host (and port) in a caller's env value (ConfigMap values read into env included, after ``$(VAR)``
expansion), command or args that names a Service of the input by any form cluster DNS answers (``svc``,
``svc.ns``, ``svc.ns.svc``, ``svc.ns.svc.cluster.local``). It resolves on ECS when the caller's ECS service is
in the Service Connect namespace and some converted ECS service serves that name and port as a client alias
("only new tasks that have a Service Connect configuration in the same namespace can resolve and connect to
this endpoint", ECS developer guide, Service Connect concepts). Both facts are read from the rendered service
payloads, so the graph says what the output does. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from sys import intern
from typing import Any, Iterable, Iterator, Sequence

from converter.rules.exposure.service_connect import CLUSTER_DOMAIN, max_dns_name_chars
from converter.core.findings import Finding, Origin, make_finding
from converter.core.model import Container, EnvVar, Exposure, Workload
from converter.core.record import Record, set_field
from converter.pipeline.addresses import addresses, names_address

_SUFFIXES = (f".svc.{CLUSTER_DOMAIN}", ".svc")
_UNKNOWN = object()


class Call(Record):
    caller: str  # resource of the calling workload
    variable: str  # env name, or "command[i]" / "args[i]"
    host: str
    port: int | None  # None: the value names no port (any port the Service serves)
    target: str | None  # Service/<name> it names
    resolved: bool
    reason: str | None  # why it does not resolve
    origin: Origin

    def __init__(self, *, caller: str, variable: str, host: str, port: int | None, target: str | None,
                 resolved: bool, reason: str | None, origin: Origin) -> None:
        set_field(self, "caller", caller)
        set_field(self, "variable", variable)
        set_field(self, "host", host)
        set_field(self, "port", port)
        set_field(self, "target", target)
        set_field(self, "resolved", resolved)
        set_field(self, "reason", reason)
        set_field(self, "origin", origin)

    def as_dict(self) -> dict[str, Any]:
        return {"caller": self.caller, "variable": self.variable, "host": self.host, "port": self.port,
                "target": self.target, "resolved": self.resolved}


class _Site(Record):
    """A host naming a Service, found in one value of a caller."""

    variable: str
    host: str
    port: int | None
    # The name of the Service it names and whether that is an ExternalName Service: not the Service's model,
    # which the run lets go of at the end of its last pass, before the calls are resolved (issue 24).
    service: str
    external: bool
    pod_name: bool  # <pod>.<headless svc>: a per-pod name
    origin: Origin

    def __init__(self, *, variable: str, host: str, port: int | None, service: str, external: bool, pod_name: bool,
                 origin: Origin) -> None:
        set_field(self, "variable", variable)
        set_field(self, "host", host)
        set_field(self, "port", port)
        set_field(self, "service", service)
        set_field(self, "external", external)
        set_field(self, "pod_name", pod_name)
        set_field(self, "origin", origin)


class ServiceIndex:
    """The Services of the input by name, to tell which hosts of a caller name one."""

    def __init__(self, exposures: Iterable[Exposure]) -> None:
        self.by_name: dict[str, list[Exposure]] = {}
        self.found: dict[tuple[str, str | None], tuple[Exposure, bool] | None] = {}  # lookup()'s answers
        for exposure in exposures:
            self.by_name.setdefault(exposure.name.lower(), []).append(exposure)

    def lookup(self, host: str, caller_namespace: str | None) -> tuple[Exposure, bool] | None:
        """The Service ``host`` names for a caller in ``caller_namespace``, and whether it is a per-pod name."""
        # Each workload's hosts are looked up twice (rewrite_unserved_names, then find_sites), and callers in a
        # namespace name the same few Services: each answer is kept for the run (the index does not change).
        key = (host, caller_namespace)
        found = self.found.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self.found[key] = self._lookup(host, caller_namespace)
        return found  # type: ignore[return-value]

    def _lookup(self, host: str, caller_namespace: str | None) -> tuple[Exposure, bool] | None:
        name = host.lower().rstrip(".")
        for suffix in _SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        labels = name.split(".")
        if len(labels) == 1:
            found = self._find(labels[0], caller_namespace)
            return None if found is None else (found, False)
        if len(labels) == 2:
            found = self._find(labels[0], labels[1], exact=True)
            if found is not None:
                return found, False
            headless = self._find(labels[1], caller_namespace)  # <pod>.<svc>
            return (headless, True) if headless is not None and headless.type == "Headless" else None
        if len(labels) == 3:  # <pod>.<svc>.<ns>
            headless = self._find(labels[1], labels[2], exact=True)
            return (headless, True) if headless is not None and headless.type == "Headless" else None
        return None

    def _find(self, name: str, namespace: str | None, *, exact: bool = False) -> Exposure | None:
        for exposure in self.by_name.get(name, ()):
            if exposure.namespace == namespace or exposure.namespace is None or (namespace is None and not exact):
                return exposure
        return None


def find_sites(workload: Workload, index: ServiceIndex) -> list[_Site]:
    """Every host in the workload's running containers that names a Service of ``index``."""
    sites: list[_Site] = []
    for container in workload.containers:
        if container.role == "init":
            continue
        for variable, value, origin, bare_ok in _values(container):
            for host, port in addresses(value, bare_ok):
                found = index.lookup(host, workload.namespace)
                if found is not None:
                    # Kept to the end of the run, a site shares its texts where it can: the variable's name
                    # with the other callers' (one per release of an application), the host with the
                    # Service's name when that is how it is written, the port with the other sites'
                    # (issue 24: a 10 MB bundle has 12,000 sites, each with texts of its own).
                    service = found[0]
                    sites.append(_Site(variable=intern(variable), host=service.name if host == service.name else host,
                                       port=None if port is None else _PORTS.setdefault(port, port),
                                       service=service.name, external=service.type == "ExternalName",
                                       pod_name=found[1], origin=origin))
    return sites


_PORTS: dict[int, int] = {}  # at most 65,535 entries: the ports found, each one int object


def _values(container: Container) -> Iterator[tuple[str, str, Origin, bool]]:
    for entry in container.environment:
        yield entry.name, entry.value, entry.origin, names_address(entry.name)
    for key, values in (("command", container.entry_point), ("args", container.command)):
        for position, value in enumerate(values or ()):
            option, _, argument = value.partition("=")
            bare_ok = bool(argument) and names_address(option)
            yield (f"{key}[{position}]", argument if bare_ok else value,
                   container.origin.at(f"{container.origin.path}/{key}/{position}"), bare_ok)


# -- resolution -------------------------------------------------------------------------------------
class Served(Record):
    """What one rendered ECS service says about Service Connect: the namespace it is in, the aliases it serves."""

    namespace: str | None
    aliases: frozenset[tuple[str, int]]

    def __init__(self, *, namespace: str | None, aliases: frozenset[tuple[str, int]]) -> None:
        set_field(self, "namespace", namespace)
        set_field(self, "aliases", aliases)


def served_by(service_payload: dict[str, Any]) -> Served:
    config = service_payload.get("serviceConnectConfiguration")
    if not isinstance(config, dict) or config.get("enabled") is not True:
        return Served(namespace=None, aliases=frozenset())
    aliases = frozenset((alias["dnsName"], alias["port"]) for entry in config.get("services", ())
                        for alias in entry.get("clientAliases", ()) if "dnsName" in alias)
    return Served(namespace=config.get("namespace"), aliases=aliases)


class CallGraph:
    """Collects each rendered workload's call sites and what its ECS service serves; resolves at the end."""

    def __init__(self, exposures: Iterable[Exposure]) -> None:
        self.index = ServiceIndex(exposures)
        # (the caller's resource, the Service Connect namespace it serves in, its sites): not its Workload nor
        # its aliases, which resolving does not read. Holding every caller's model to the end of the run was
        # most of a large conversion's growth (issue 24: thousands of workloads, with every container and env).
        self.callers: list[tuple[str, str | None, list[_Site]]] = []
        # namespace -> alias_key(dnsName, port) -> the ECS service that serves it. One string a key, not a
        # (dnsName, port) tuple holding the payload's name and port: a large run keeps every alias to its end.
        self.served: dict[str, dict[str, str]] = {}

    def add(self, workload: Workload, service_payload: dict[str, Any]) -> list[Finding]:
        """Record the workload; K2E-W435 for each alias another ECS service of the run already serves."""
        served = served_by(service_payload)
        findings: list[Finding] = []
        if served.namespace is not None:
            table = self.served.setdefault(served.namespace, {})
            for alias in sorted(served.aliases):
                name = str(service_payload.get("serviceName"))
                owner = table.setdefault(alias_key(*alias), name)
                if owner != name:
                    findings.append(make_finding(
                        "K2E-W435", workload.origin,
                        f"{workload.resource} (ECS service {name}) serves the Service Connect name {alias[0]}:{alias[1]}, "
                        f"which ECS service {owner} already serves in namespace {served.namespace}; ECS accepts one "
                        "per namespace"))
        sites = find_sites(workload, self.index)
        if sites:
            self.callers.append((workload.resource, served.namespace, sites))
        return findings

    def close(self) -> None:
        """Every workload is added: the Services' index (their models) is no longer read."""
        self.index = ServiceIndex(())

    def calls(self) -> "Calls":
        """Every call, in the order of the callers and their sites, each resolved as it is read."""
        return Calls(self)

    def _resolve(self, caller: str, namespace: str | None, site: _Site) -> Call:
        target = f"Service/{site.service}"
        reason = None
        if site.external:
            reason = f"{target} is an ExternalName Service, which ECS has no alias for (K2E-W406)"
        elif site.pod_name:
            reason = f"{site.host} is a per-pod name of headless {target}, which Service Connect does not serve (K2E-W405)"
        elif namespace is None:
            reason = f"{caller} is in no Service Connect namespace (give --service-connect-namespace)"
        else:
            table = self.served.get(namespace, {})
            name = site.host.lower().rstrip(".")
            if site.port is None:
                hit = any(_alias_dns(key) == name for key in table)
            else:
                hit = alias_key(name, site.port) in table
            if not hit:
                ports = sorted(port for port, dns in map(_alias_parts, table) if dns == name)
                reason = (f"no converted ECS service serves {name}" + (f":{site.port}" if site.port is not None else "")
                          + (f" (served on port {', '.join(map(str, ports))})" if ports else
                             f"; see the findings on {target}"))
        return Call(caller=caller, variable=site.variable, host=site.host, port=site.port, target=target,
                    resolved=reason is None, reason=reason, origin=site.origin)

    def findings(self, calls: Iterable[Call]) -> list[Finding]:
        return [make_finding("K2E-W433", call.origin,
                             f"{call.caller} calls {call.host}" + (f":{call.port}" if call.port is not None else "")
                             + f" in {call.variable}, which will not resolve on ECS: {call.reason}")
                for call in calls if not call.resolved]


def alias_key(dns_name: str, port: int) -> str:
    """A Service Connect client alias as one string: "<port> <dnsName>" (a DNS name holds no space)."""
    return f"{port} {dns_name}"


def _alias_parts(key: str) -> tuple[int, str]:
    port, _, dns_name = key.partition(" ")
    return int(port), dns_name


def _alias_dns(key: str) -> str:
    return key.partition(" ")[2]


class Calls(Sequence[Call]):
    """The run's calls, each made and resolved when it is read: a large run has ten thousand, and as Call
    objects with their target and reason all at once they were 1.7 MB of convert's peak (issue 24), for a
    report that writes them one at a time. Reading them twice resolves them twice, with the same result: the
    graph has every workload by the time the run hands them out."""

    def __init__(self, graph: CallGraph) -> None:
        self.graph = graph
        self.count = sum(len(sites) for _, _, sites in graph.callers)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Call]:
        resolve = self.graph._resolve
        for caller, namespace, sites in self.graph.callers:
            for site in sites:
                yield resolve(caller, namespace, site)

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return list(self)[position]
        if position < 0:
            position += self.count
        if not 0 <= position < self.count:
            raise IndexError("call index out of range")
        for caller, namespace, sites in self.graph.callers:
            if position < len(sites):
                return self.graph._resolve(caller, namespace, sites[position])
            position -= len(sites)
        raise IndexError("call index out of range")  # pragma: no cover - count is the sum of the sites


# -- rewriting names Service Connect cannot serve (K2E-W434) ------------------------------------------
def rewrite_unserved_names(workload: Workload, index: ServiceIndex) -> tuple[Workload, list[Finding]]:
    """Env values, command and args that name a Service by a form it does not serve (a namespace the Service
    does not declare, or a name over the dnsName limit) rewritten to a form it serves (K2E-W434)."""
    findings: list[Finding] = []
    containers = []
    for container in workload.containers:
        environment = []
        for entry in container.environment:
            value = _served_form(entry.value, names_address(entry.name), workload, index)
            if value != entry.value:
                findings.append(_rewritten(entry.name, entry.value, value, entry.origin))
                entry = EnvVar(name=entry.name, value=value, origin=entry.origin, value_origin=entry.value_origin)
            environment.append(entry)
        lists = {}
        for key, field_name in (("command", "entry_point"), ("args", "command")):
            values = getattr(container, field_name)
            if values is None:
                continue
            new_values = []
            for position, old in enumerate(values):
                option, _, argument = old.partition("=")
                value = _served_form(old, bool(argument) and names_address(option), workload, index)
                if value != old:
                    findings.append(_rewritten(f"{key}[{position}]", old, value,
                                               container.origin.at(f"{container.origin.path}/{key}/{position}")))
                new_values.append(value)
            lists[field_name] = tuple(new_values)
        changed = tuple(environment) != container.environment or any(
            lists[name] != getattr(container, name) for name in lists)
        containers.append(dataclasses.replace(container, environment=tuple(environment), **lists) if changed else container)
    if not findings:
        return workload, findings
    return dataclasses.replace(workload, containers=tuple(containers)), findings


def _served_form(value: str, bare_ok: bool, workload: Workload, index: ServiceIndex) -> str:
    limit = max_dns_name_chars()
    for host, _ in addresses(value, bare_ok):
        found = index.lookup(host, workload.namespace)
        if found is None or found[1] or "." not in host:
            continue
        service = found[0]
        if service.namespace is None or len(host.rstrip(".")) > limit:
            short = service.name if service.namespace is None or workload.namespace == service.namespace \
                else f"{service.name}.{service.namespace}"
            value = re.sub(rf"(?<![a-z0-9.-]){re.escape(host)}(?![a-z0-9-])", short, value)
    return value


def _rewritten(variable: str, old: str, new: str, origin: Origin) -> Finding:
    return make_finding("K2E-W434", origin, f"{variable}: {old!r} rewritten to {new!r}, a name Service Connect serves")
