"""A ServiceAccount carrying the task role as an IRSA annotation (docs/MAPPING.md#topic-identity, #topic-reverse)."""

from __future__ import annotations

from typing import Any

from converter.write.kubernetes.deployment import metadata

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


def render_service_account(name: str, namespace: str | None, role_arn: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": metadata(name, namespace, annotations={IRSA_ANNOTATION: role_arn})}
