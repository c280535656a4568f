"""A converted workload's payloads kept as ``marshal`` bytes, for a caller that reads them after the conversion.

plan and apply read every workload's payloads after the conversion (the preflight checks, the live state, the
plan), so they kept every output's dicts to the end of the run: about 40 MB of a 10 MB bundle's 75 MB peak above
start-up (issue 24: plan's memory was 7.5x the input, against a goal of 5x). ``marshal`` is exact for the JSON
types the payloads hold and keeps dict order; the bytes are about a fifth of the dicts. The payloads are made
again when read: one workload's at a time, since each reader walks the outputs in order and reads all it needs
of one before the next (the last one made is kept). compare's spool (converter.compare.payloads.Spooled) keeps
its outputs the same way.
"""

from __future__ import annotations

import marshal
from typing import Any


class Packed(bytes):
    """A payload's marshal bytes, as a PackedOutput keeps them: given as a request, kept as they are."""

    __slots__ = ()

    def value(self) -> Any:
        return marshal.loads(self)


class PackedOutput:
    """What plan and apply read of a converter.pipeline.workload_render.WorkloadOutput: its names, and its
    task definition, service and scaling payloads, each made from its bytes when read (``packed_*``: the bytes)."""

    __slots__ = ("name", "resource", "packed_task_definition", "packed_service", "packed_scaling")

    def __init__(self, output: Any) -> None:
        self.name: str = output.name
        self.resource: str = output.resource
        self.packed_task_definition = Packed(marshal.dumps(output.task_definition))
        self.packed_service = Packed(marshal.dumps(output.service))
        self.packed_scaling = None if output.scaling is None else Packed(marshal.dumps(output.scaling))

    def _payloads(self) -> tuple[Any, Any, Any]:
        global _last, _last_payloads
        if _last is not self:
            scaling = self.packed_scaling
            _last_payloads = (self.packed_task_definition.value(), self.packed_service.value(),
                              None if scaling is None else scaling.value())
            _last = self
        return _last_payloads

    @property
    def task_definition(self) -> dict[str, Any]:
        return self._payloads()[0]

    @property
    def service(self) -> dict[str, Any]:
        return self._payloads()[1]

    @property
    def scaling(self) -> dict[str, Any] | None:
        return None if self.packed_scaling is None else self._payloads()[2]

    @property
    def task_definition_text(self) -> None:
        return None  # only the writers use the text, and they do not read packed outputs


# The payloads made last, and whose: the same dicts for each read of one output in a row (a reader that changes
# them, as none does, changes them for the next read of the same output too). One output's, not all of them.
_last: PackedOutput | None = None
_last_payloads: tuple[Any, Any, Any] = (None, None, None)


def pack(value: Any) -> bytes | Any:
    """``value`` as marshal bytes when marshal can keep it exactly (JSON types); ``value`` itself otherwise.
    A PackedOutput's payload given as its Packed bytes is kept as it is (one copy of the bytes, not two)."""
    if value.__class__ is Packed:
        return value
    try:
        return marshal.dumps(value)
    except ValueError:  # an object marshal cannot write: kept as it is
        return value


def unpack(kept: Any) -> Any:
    return marshal.loads(kept) if isinstance(kept, bytes) else kept
