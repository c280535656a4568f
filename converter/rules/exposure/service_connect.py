"""Service Connect facts shared by the wiring, the sizing and the call graph (issue 19).

Pure data and small functions: the DNS name forms a Kubernetes caller may use for a Service, and the client-mode
configuration every converted ECS service gets once a namespace is known. The Envoy proxy's addend to the task
size lives with the sizing (converter.rules.resources.forward.SERVICE_CONNECT_CPU_UNITS, SERVICE_CONNECT_MEMORY_MIB).
"""

from __future__ import annotations

from converter.core.resources import load_schema

# Kubernetes' default cluster domain (kubelet --cluster-domain); the DNS specification for Services
# (kubernetes/dns docs/specification.md, "A/AAAA records": <service>.<ns>.svc.<zone>).
CLUSTER_DOMAIN = "cluster.local"


def max_dns_name_chars() -> int:
    return load_schema("ecs_rules.json")["V28_service_connect"]["dns_name"]["max_length"]


def name_forms(service: str, namespace: str | None) -> list[tuple[str, str]]:
    """Every name cluster DNS answers for a Service, as (dnsName, discoveryName suffix), shortest first.

    Inside the cluster a pod's resolv.conf searches ``<ns>.svc.<zone>``, ``svc.<zone>`` and ``<zone>``, so
    ``svc``, ``svc.ns``, ``svc.ns.svc`` and ``svc.ns.svc.cluster.local`` all reach the Service (kubelet
    pkg/kubelet/network/dns/dns.go, generateSearchesForDNSClusterFirst). Without a namespace only the short
    name is certain. Forms longer than the ECS dnsName limit (127) are left out; the call graph rewrites a
    caller that uses one (K2E-W434).
    """
    forms = [(service, "")]
    if namespace is not None:
        forms += [(f"{service}.{namespace}", f"-{namespace}"),
                  (f"{service}.{namespace}.svc", f"-{namespace}-svc"),
                  (f"{service}.{namespace}.svc.{CLUSTER_DOMAIN}", f"-{namespace}-fqdn")]
    limit = max_dns_name_chars()
    return [(name, suffix) for name, suffix in forms if len(name) <= limit]


def client_only(namespace: str) -> dict:
    """serviceConnectConfiguration of a pure client: it resolves the namespace's names, serves none
    (ECS developer guide, Service Connect concepts: "client" mode has no services entry)."""
    return {"enabled": True, "namespace": namespace}
