"""Names made unique within a run: a Service, workload, Service Connect name or template identifier already taken."""

from __future__ import annotations


class Taken(dict):
    """Names taken, for unique_within: ``in`` and ``add`` as a set has them, in a dict, which holds a run's
    thousands of names (the labels and output names of an IaC rendering, one or two per workload) in about
    two fifths of a set's memory: a set's table grows fourfold at each resize (issue 24: peak memory)."""

    __slots__ = ()

    def add(self, name: str) -> None:
        self[name] = None


def unique_within(name: str, taken: set[str] | Taken, max_length: int | None = None, separator: str = "-") -> str:
    """``name``, or ``name-2``, ``name-3``... (``separator`` before the number; the name cut to stay within
    ``max_length`` when given), the first not in ``taken`` (which it is then added to)."""
    candidate, counter = name, 2
    while candidate in taken:
        suffix = f"{separator}{counter}"
        candidate, counter = (name if max_length is None else name[: max_length - len(suffix)]) + suffix, counter + 1
    taken.add(candidate)
    return candidate
