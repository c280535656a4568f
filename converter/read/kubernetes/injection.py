"""Sidecars a Kubernetes admission webhook would inject, as facts (issue 19, item 7).

A pod that asks Dapr, Istio or Linkerd for a sidecar calls it on localhost (Dapr) or relies on it for mTLS and
routing (a mesh). Nothing injects it on ECS. Each runtime is recognised by the pod annotation (or label) its
injector reads, and named with what to add on ECS.
"""

from __future__ import annotations

from typing import Mapping

from converter.core.record import Record, set_field


class Injector(Record):
    runtime: str
    key: str  # the annotation or label the injector reads
    enabled: tuple[str, ...]  # values that turn injection on (lower-case)
    what_to_add: str

    def __init__(self, *, runtime: str, key: str, enabled: tuple[str, ...], what_to_add: str) -> None:
        set_field(self, "runtime", runtime)
        set_field(self, "key", key)
        set_field(self, "enabled", enabled)
        set_field(self, "what_to_add", what_to_add)


_MESH_LOSS = ("Service Connect routes by name with retries and outlier detection once a namespace is given, but "
              "gives no mTLS, authorization policies, traffic splitting or mesh telemetry")
# Dapr: docs.dapr.io, "Dapr arguments and annotations for daprd" (dapr.io/enabled, dapr.io/app-id, dapr.io/app-port;
# daprd listens on 3500 HTTP and 50001 gRPC). Istio: sidecar.istio.io/inject (annotation or label). Linkerd:
# linkerd.io/inject: enabled.
INJECTORS: tuple[Injector, ...] = (
    Injector(runtime="Dapr", key="dapr.io/enabled", enabled=("true",),
             what_to_add="add the daprd container (image daprio/daprd) to the task, with --app-id {app_id} and "
                         "--app-port {app_port}, ports 3500 (HTTP) and 50001 (gRPC), and the Dapr components it "
                         "loads; the application calls it on localhost"),
    Injector(runtime="Istio", key="sidecar.istio.io/inject", enabled=("true",),
             what_to_add=_MESH_LOSS + "; use Service Connect TLS (a private CA) for encryption in transit"),
    Injector(runtime="Linkerd", key="linkerd.io/inject", enabled=("enabled", "ingress"),
             what_to_add=_MESH_LOSS + "; use Service Connect TLS (a private CA) for encryption in transit"),
)


def expected_sidecars(annotations: Mapping[str, str], labels: Mapping[str, str]) -> list[tuple[Injector, str, str]]:
    """(injector, where: "annotations" or "labels", advice) for each sidecar the pod expects."""
    found = []
    for injector in INJECTORS:
        for where, source in (("annotations", annotations), ("labels", labels)):
            value = source.get(injector.key)
            if value is not None and value.lower() in injector.enabled:
                advice = injector.what_to_add.format(app_id=annotations.get("dapr.io/app-id", "<app id>"),
                                                     app_port=annotations.get("dapr.io/app-port", "<app port>"))
                found.append((injector, where, advice))
                break
    return found
