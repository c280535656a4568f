"""Kubernetes probes -> the neutral Probe (docs/MAPPING.md#topic-probes). ECS-specific clamping happens at render."""

from __future__ import annotations

from converter.core.reader import Path, Reader
from converter.core.model import Port, Probe

_TIMING = (("initialDelaySeconds", 0), ("periodSeconds", 10), ("timeoutSeconds", 1),
           ("failureThreshold", 3), ("successThreshold", 1))


def parse_probe(reader: Reader, path: Path, ports: tuple[Port, ...]) -> Probe | None:
    if not reader.has(path):
        return None
    origin = reader.origin(path)  # before reading into it: then found in the container just reached
    fields = reader.mapping(path)
    timing = {}
    for key, default in _TIMING:
        value = reader.get(path + (key,), int, default=default)
        if value < 0:
            reader.fail(path + (key,), f"{key} cannot be negative")
        timing[key] = value
    if "terminationGracePeriodSeconds" in fields:
        reader.note(path + ("terminationGracePeriodSeconds",), "K2E-W114", "a probe-level termination grace period has no ECS field")
    common = dict(
        initial_delay_seconds=timing["initialDelaySeconds"], period_seconds=timing["periodSeconds"],
        timeout_seconds=timing["timeoutSeconds"], failure_threshold=timing["failureThreshold"],
        success_threshold=timing["successThreshold"], origin=origin,
    )
    if "exec" in fields:
        command = reader.get(path + ("exec", "command"), list)
        if not command or not all(isinstance(part, str) for part in command):
            reader.fail(path + ("exec", "command"), "exec probe needs a command (a list of strings)")
        return Probe(handler="exec", command=tuple(command), **common)
    if "httpGet" in fields:
        base = path + ("httpGet",)
        headers = []
        for item_path, _ in reader.sequence(base + ("httpHeaders",)):
            headers.append((reader.get(item_path + ("name",), str) or "", reader.get(item_path + ("value",), str) or ""))
        port = _port(reader, base + ("port",), ports)
        if port is None:
            return None
        scheme = (reader.get(base + ("scheme",), str) or "HTTP").upper()
        if scheme not in ("HTTP", "HTTPS"):
            reader.fail(base + ("scheme",), "scheme must be HTTP or HTTPS")
        return Probe(handler="http", port=port, path=reader.get(base + ("path",), str) or "/", scheme=scheme,
                     host=reader.get(base + ("host",), str), headers=tuple(headers), **common)
    if "tcpSocket" in fields:
        base = path + ("tcpSocket",)
        port = _port(reader, base + ("port",), ports)
        if port is None:
            return None
        return Probe(handler="tcp", port=port, host=reader.get(base + ("host",), str), **common)
    if "grpc" in fields:
        base = path + ("grpc",)
        port = reader.get(base + ("port",), int)
        if port is None:
            reader.fail(base + ("port",), "grpc probe needs a port number")
        return Probe(handler="grpc", port=port, grpc_service=reader.get(base + ("service",), str), **common)
    reader.fail(path, "probe needs exec, httpGet, tcpSocket or grpc")
    return None


def _port(reader: Reader, path: Path, ports: tuple[Port, ...]) -> int | None:
    value = reader.get(path, int, str)
    if isinstance(value, int):
        return value
    if value is not None and value.isdigit():
        return int(value)
    for port in ports:
        if port.name == value:
            return port.container_port
    reader.note(path, "K2E-W114", f"probe port {value!r} names no port of this container; the probe was dropped")
    return None
