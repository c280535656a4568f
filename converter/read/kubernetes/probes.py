"""Kubernetes probes -> the neutral Probe (docs/MAPPING.md#topic-probes). ECS-specific clamping happens at render."""

from __future__ import annotations

from converter.core.scope import Scope
from converter.core.model import Port, Probe

_TIMING = (("initialDelaySeconds", 0), ("periodSeconds", 10), ("timeoutSeconds", 1),
           ("failureThreshold", 3), ("successThreshold", 1))


def parse_probe(container: Scope, key: str, ports: tuple[Port, ...]) -> Probe | None:
    """The probe at ``key`` of a container (its Scope), or None."""
    if not container.has(key):
        return None
    reader, path = container.reader, container.at(key)
    origin = container.origin(key)
    container.mapping(key)
    fields = container.scope(key)  # the probe's fields, read by key (converter.core.scope)
    timing = {}
    for name, default in _TIMING:
        value = fields.get(name, int, default=default)
        if value < 0:
            fields.fail(name, f"{name} cannot be negative")
        timing[name] = value
    if fields.has("terminationGracePeriodSeconds"):
        fields.note("terminationGracePeriodSeconds", "K2E-W114", "a probe-level termination grace period has no ECS field")
    common = dict(
        initial_delay_seconds=timing["initialDelaySeconds"], period_seconds=timing["periodSeconds"],
        timeout_seconds=timing["timeoutSeconds"], failure_threshold=timing["failureThreshold"],
        success_threshold=timing["successThreshold"], origin=origin,
    )
    if fields.has("exec"):
        command = reader.get(path + ("exec", "command"), list)
        if not command or not all(isinstance(part, str) for part in command):
            reader.fail(path + ("exec", "command"), "exec probe needs a command (a list of strings)")
        return Probe(handler="exec", command=tuple(command), **common)
    if fields.has("httpGet"):
        http = fields.scope("httpGet")
        headers = []
        for item_path, item in http.sequence("httpHeaders"):
            header = Scope(reader, item_path, item)
            headers.append((header.get("name", str) or "", header.get("value", str) or ""))
        port = _port(http, ports)
        if port is None:
            return None
        scheme = (http.get("scheme", str) or "HTTP").upper()
        if scheme not in ("HTTP", "HTTPS"):
            http.fail("scheme", "scheme must be HTTP or HTTPS")
        return Probe(handler="http", port=port, path=http.get("path", str) or "/", scheme=scheme,
                     host=http.get("host", str), headers=tuple(headers), **common)
    if fields.has("tcpSocket"):
        tcp = fields.scope("tcpSocket")
        port = _port(tcp, ports)
        if port is None:
            return None
        return Probe(handler="tcp", port=port, host=tcp.get("host", str), **common)
    if fields.has("grpc"):
        grpc = fields.scope("grpc")
        port = grpc.get("port", int)
        if port is None:
            grpc.fail("port", "grpc probe needs a port number")
        return Probe(handler="grpc", port=port, grpc_service=grpc.get("service", str), **common)
    reader.fail(path, "probe needs exec, httpGet, tcpSocket or grpc")
    return None


def _port(handler: Scope, ports: tuple[Port, ...]) -> int | None:
    value = handler.get("port", int, str)
    if isinstance(value, int):
        return value
    if value is not None and value.isdigit():
        return int(value)
    for port in ports:
        if port.name == value:
            return port.container_port
    handler.note("port", "K2E-W114", f"probe port {value!r} names no port of this container; the probe was dropped")
    return None
