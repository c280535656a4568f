"""Kubernetes input's ECS payloads kept as bytes between the conversion and the section that shows them.

compare held every workload's payloads (task definition, service, scaling) as dicts from the conversion to the
end of the run: about 35 MB at a 10 MB bundle, a sixth of its peak (issue 24). The conversion now hands each
workload's output to a ``PayloadSpool`` (the streamed convert's ``Sink``) as soon as it is validated, which keeps
it as ``marshal`` bytes (exact for the JSON types payloads hold; dict order kept). A workload's ``targets`` and
``ecs`` are then a ``Pinned`` dict: empty, and filled only inside ``pinned(workload)``, around the code that
reads a workload's payloads (its rows and section, its cost line, its node of the system graph, its
placeholders), then emptied again, so that one workload's payloads are in memory at a time.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from converter.pipeline.packed import PackedOutput
from converter.rules.naming import NAMESPACE_TAG

_NO_TAG = object()  # the task definition carries no namespace tag


class Pinned(dict):
    """A workload's payloads by label, present only while pinned (``pinned``); empty otherwise."""

    __slots__ = ("load", "depth")

    def __init__(self, load: Callable[[], dict[str, Any]]) -> None:
        super().__init__()
        self.load = load
        self.depth = 0

    # Read only while pinned: unpinned, the payloads are not here, and an empty dict would pass for none.
    def _here(self) -> None:
        if self.depth == 0:
            raise RuntimeError("a workload's payloads were read outside pinned(workload)")

    def __getitem__(self, label: str) -> Any:
        self._here()
        return dict.__getitem__(self, label)

    def get(self, label: str, default: Any = None) -> Any:
        self._here()
        return dict.get(self, label, default)

    def __contains__(self, label: object) -> bool:
        self._here()
        return dict.__contains__(self, label)

    def __len__(self) -> int:
        self._here()
        return dict.__len__(self)

    def __iter__(self) -> Iterator[str]:
        self._here()
        return dict.__iter__(self)

    def keys(self) -> Any:
        self._here()
        return dict.keys(self)

    def values(self) -> Any:
        self._here()
        return dict.values(self)

    def items(self) -> Any:
        self._here()
        return dict.items(self)


@contextlib.contextmanager
def pinned(workload: Any) -> Iterator[None]:
    """The workload's payloads present in its ``targets`` (and ``ecs``) for the block; no-op for held payloads."""
    payloads = workload.targets
    if not isinstance(payloads, Pinned):
        yield
        return
    if payloads.depth == 0:
        dict.update(payloads, payloads.load())
    payloads.depth += 1
    try:
        yield
    finally:
        payloads.depth -= 1
        if payloads.depth == 0:
            dict.clear(payloads)


def hold(workload: Any) -> None:
    """The workload's payloads present from now on (a whole comparison held at once: the views' render(), tests)."""
    payloads = workload.targets
    if isinstance(payloads, Pinned) and payloads.depth == 0:
        dict.update(payloads, payloads.load())
        payloads.depth = 1  # never unpinned


class Spooled(PackedOutput):
    """What the spool keeps of one output: its names and payloads as bytes (converter.pipeline.packed), and the
    namespace tag the grouping matches on."""

    __slots__ = ("namespace",)

    def __init__(self, output: Any, namespace: Any) -> None:
        super().__init__(output)
        self.namespace = namespace

    def payloads(self) -> dict[str, Any]:
        """{"taskDefinition": ..., "service": ..., and "scaling": ... when there is one}, as the conversion made
        them: new dicts each time (the pins scrub them)."""
        payloads = {"taskDefinition": self.packed_task_definition.value(), "service": self.packed_service.value()}
        if self.packed_scaling is not None:
            payloads["scaling"] = self.packed_scaling.value()
        return payloads

    def tagged(self) -> bool:
        return self.namespace is not _NO_TAG


class PayloadSpool:
    """The conversion's sink (converter.pipeline.convert.Sink): each output kept as bytes, in position order."""

    def __init__(self) -> None:
        self.outputs: list[Spooled] = []

    def put(self, position: int, output: Any) -> None:
        namespace: Any = _NO_TAG
        for tag in output.task_definition.get("tags", []):
            if tag.get("key") == NAMESPACE_TAG:
                namespace = tag.get("value")  # the last one wins, as a dict of the tags has it
        self.outputs.append(Spooled(output, namespace))

    def reset(self) -> None:
        self.outputs = []
