"""Names made unique within a run: a Service, workload or Service Connect name that is already taken."""

from __future__ import annotations


def unique_within(name: str, taken: set[str], max_length: int) -> str:
    """``name``, or ``name-2``, ``name-3``... cut to stay within ``max_length``, the first not in ``taken``
    (which it is then added to)."""
    candidate, counter = name, 2
    while candidate in taken:
        suffix = f"-{counter}"
        candidate, counter = name[: max_length - len(suffix)] + suffix, counter + 1
    taken.add(candidate)
    return candidate
