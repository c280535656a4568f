"""Member names of botocore's service-model shapes: which fields a request or a description can hold."""

from __future__ import annotations

from functools import cache


@cache
def _shapes(service: str) -> dict:
    import botocore.loaders  # lazy: a missing botocore is session.open_session()'s error (AwsError), not an import failure

    return botocore.loaders.create_loader().load_service_model(service, "service-2")["shapes"]


def members(service: str, shape: str) -> frozenset[str]:
    """The members of ``shape`` in the model botocore carries for ``service`` (e.g. "ecs", "Service")."""
    return frozenset(_shapes(service)[shape]["members"])
