"""Field-level differences between what exists and what k2ecs would send. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class _Missing:
    def __repr__(self) -> str:
        return "(not set)"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldDiff:
    path: str  # e.g. containerDefinitions[web].image
    before: Any  # MISSING when the member is not set now
    after: Any  # MISSING when k2ecs would remove it


def diff(before: Any, after: Any, path: str = "", *, subset: bool = False) -> list[FieldDiff]:
    """The leaves where ``before`` and ``after`` differ.

    With ``subset``, a mapping member that only ``before`` has is not a difference: used where the
    live description carries members k2ecs never sets (server-side defaults such as a deployment
    circuit breaker, or a scalable target's role). List items are always compared in full.
    """
    if isinstance(before, dict) and isinstance(after, dict):
        keys = list(after) + [key for key in before if key not in after and not subset]
        return [change for key in keys
                for change in diff(before.get(key, MISSING), after.get(key, MISSING), _member(path, key),
                                   subset=subset)]
    if isinstance(before, list) and isinstance(after, list):
        named_before, named_after = _by_name(before), _by_name(after)
        if named_before is not None and named_after is not None:
            names = list(named_after) + [name for name in named_before if name not in named_after]
            return [change for name in names
                    for change in diff(named_before.get(name, MISSING), named_after.get(name, MISSING),
                                       f"{path}[{name}]", subset=subset)]
        if len(before) == len(after):
            return [change for index, (old, new) in enumerate(zip(before, after))
                    for change in diff(old, new, f"{path}[{index}]", subset=subset)]
    return [] if same(before, after) else [FieldDiff(path, before, after)]


def same(a: Any, b: Any) -> bool:
    """Equal as API values: 70 == 70.0, but True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def _member(path: str, key: str) -> str:
    return key if path == "" else f"{path}.{key}"


def _by_name(items: list[Any]) -> dict[str, Any] | None:
    """Items keyed by their ``name`` when every item has a distinct one (containers, port mappings, env)."""
    if not items or not all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in items):
        return None
    named = {item["name"]: item for item in items}
    return named if len(named) == len(items) else None
