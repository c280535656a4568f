"""What a reference that found no converted object actually met (issue 18): nothing of that name (with
the closest name of that kind, "did you mean carts?"), the object in another namespace, an object of that
name of another kind, or the object itself, in the input but not converted. Pure: the caller passes
what the input declares (convert.Intake.seen: (kind, namespace, name) -> source record).
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any, Mapping

Identity = tuple[str, "str | None", str]


def what_was_met(kind: str, name: str, namespace: str | None, declared: Mapping[Identity, Any],
                 converted_kinds: frozenset[str] = frozenset({"Deployment", "StatefulSet"})) -> str:
    """The end of a sentence that starts "... names Kind/name, ": why nothing converted was found there.
    ``converted_kinds``: the kinds of workload k2ecs converts (convert.WORKLOAD_PARSERS)."""
    same = [(k, ns, n) for (k, ns, n) in declared if n == name]
    here = [identity for identity in same if identity[0] == kind and _same_namespace(identity[1], namespace)]
    if here:
        if kind in converted_kinds:
            return "which is in the input but was not converted (its findings say why)"
        return f"which is in the input, but a {kind} is not a kind k2ecs converts"
    elsewhere = [identity for identity in same if identity[0] == kind]
    if elsewhere:
        return (f"which is in namespace {elsewhere[0][1]!r}, not in {namespace!r}: a reference does not cross "
                "namespaces")
    other_kind = sorted({k for (k, _, _) in same if k != kind})
    if other_kind:
        return f"which is not in the input; {other_kind[0]}/{name} has that name"
    names = sorted({n for (k, ns, n) in declared if k == kind and _same_namespace(ns, namespace)})
    closest = get_close_matches(name, names, n=1, cutoff=0.6)
    if closest:
        return f"which is not in the input; did you mean {closest[0]}?"
    return "which is not in the input"


def _same_namespace(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b
