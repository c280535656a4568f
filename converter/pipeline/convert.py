"""The conversion: documents -> neutral model -> ECS payloads -> validation, in one pipeline.

Pure: returns a Conversion (outputs plus findings); never prints, writes or exits. Parsers are chosen
from explicit registries keyed by lower-case kind (converter.pipeline.registries).

A workload's output depends on the Services and HPAs that point at it and on the ConfigMaps and Secrets
it names, wherever they are in the input. So the run goes in two passes:

1. every document is admitted (converter.pipeline.intake) and every one of them that is parsed is parsed, in
   input order, except the workloads of :class:`~converter.pipeline.deferred.Deferred` parts; the Services and
   HPAs are indexed for linking (converter.pipeline.linking);
2. the workloads, in input order, BATCH_WORKLOADS at a time: a deferred one is parsed now; each is
   linked, rendered, validated and handed to ``sink`` (or kept, without one). Each stage runs for the
   whole batch before the next, which keeps each stage's code and data in the processor's caches.

With a sink and deferred parts, no more than a batch of workloads is in memory at once. A deferred part
is the text's word that it holds one workload (converter.load.yaml_parts); pass 2 checks it. When it holds
something else, when a workload's ECS name is one an earlier output already took (a workload declared
twice, two that would be named alike: what convert() must report on both), or when a file changed
while it was read back, what went to the sink may be wrong: the sink is reset and the run starts again
on ``again()``, the same input with nothing deferred. The rules are the same in both runs; only how
much is in memory at once differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Callable, Iterable, Protocol, Sequence

from converter.pipeline.calls import Call, CallGraph
from converter.pipeline.deferred import Deferred
from converter.core.findings import Finding
from converter.pipeline.intake import Intake, Pending, SourceRecord, skipped_finding  # noqa: F401 - skipped_finding for callers
from converter.pipeline.linking import Links, same_namespace  # noqa: F401 - same_namespace for callers
from converter.core.document import Unreadable
from converter.core.model import Exposure, Workload
from converter.pipeline.registries import (  # noqa: F401 - the registries, for callers
    EXPECTED_API_VERSIONS,
    EXPOSURE_PARSERS,
    REFERENCED_KINDS,
    SCALER_PARSERS,
    WORKLOAD_PARSERS,
    Parser,
)
from converter.core.settings import Settings
from converter.write.ecs.workload_names import colliding, name_collision, workload_ecs_name
from converter.pipeline.workload_render import WorkloadOutput, render_workload, renamed, validate_output

BATCH_WORKLOADS = 64  # workloads of pass 2 taken through each stage together


@dataclass(slots=True)  # one per workload, to the end of the run
class OutputRecord:
    """What the report needs of an output once its payloads are in the sink."""

    name: str
    resource: str
    scaling: bool


@dataclass
class Conversion:
    outputs: list[Any]  # WorkloadOutput; OutputRecord when a sink took the payloads
    findings: list[Finding]
    sources: list[SourceRecord]
    # the service-to-service call graph (converter.pipeline.calls): a Calls, made as read, from convert()
    calls: Sequence[Call] = field(default_factory=list)


class Sink(Protocol):
    """Where each workload's output goes as soon as it is validated (converter.write.sinks)."""

    def put(self, position: int, output: WorkloadOutput) -> None: ...  # the outputs are in position order
    def reset(self) -> None: ...  # forget every output: the run starts again


def convert(documents: Iterable[Any], settings: Settings, *, release: bool = False, sink: Sink | None = None,
            again: Callable[[], Iterable[Any]] | None = None) -> Conversion:
    """``documents`` (Document, Unreadable, inputs.Skipped, deferred.Deferred) are read once, in order.

    ``release``: finish each reader as soon as its document is parsed, and let it forget the paths it
    read and all of its document but the metadata (``Reader.release``). For callers that ask a source's
    reader for nothing but its metadata afterwards, such as the CLI: with a ``documents`` iterator that
    lets go of each document, a large bundle is not held in memory twice (docs/PERFORMANCE.md).
    ``sink``: takes each output as soon as it is validated; the Conversion's outputs are then OutputRecords.
    ``again``: the same input with nothing deferred, for when a deferred part is not what the text said
    (required when ``documents`` has Deferred entries)."""
    try:
        return _Run(settings, release, sink).run(documents)
    except _Again:
        if again is None:
            raise ValueError("a deferred part is not one workload, and convert() was given no again()") from None
        if sink is not None:
            sink.reset()
        return _Run(settings, release, sink).run(again())


class _Again(Exception):
    """What pass 2 met calls for a run with nothing deferred (see the module docstring)."""


@dataclass(slots=True)
class _Slot:
    """A workload of pass 2: parsed in pass 1, or a deferred part."""

    position: int
    model: Workload | None
    deferred: Deferred | None
    record: SourceRecord | None = None


class _Run:
    def __init__(self, settings: Settings, release: bool, sink: Sink | None) -> None:
        self.settings, self.sink = settings, sink
        self.intake = Intake(settings, release=release)
        self.links = Links()
        self.linked: dict[int, SourceRecord] = {}  # id() of each Service and HPA model -> its record
        self.graph: CallGraph | None = None
        self.names: set[str] = set()  # the (case-folded) ECS names of the workloads parsed so far
        self.collisions: dict[int, list[str]] = {}
        self.outputs: list[Any] = []
        self.findings: list[Finding] = []  # the rendering's, workload by workload
        self.contributed: set[int] = set()

    def run(self, documents: Iterable[Any]) -> Conversion:
        slots = self._pass_one(documents)
        read_back = {id(slot.deferred.source): slot.deferred.source for slot in slots if slot.deferred is not None}
        for start in range(0, len(slots), BATCH_WORKLOADS):  # a batch's slots go when it is done (issue 24)
            end = min(start + BATCH_WORKLOADS, len(slots))
            self._batch(slots[start:end])
            slots[start:end] = [None] * (end - start)
        del slots
        if not all(source.unchanged() for source in read_back.values()):
            raise _Again  # a file written to while its parts were read back: read it again whole
        for model_id, record in self.linked.items():
            if model_id not in self.contributed:
                record.status = "not-converted"  # parsed, but nothing of it is in the output (its findings say why)
        self.intake.close_referenced()
        self.intake.check_something_read()
        findings = self.links.findings(self.intake.seen)
        findings.extend(self.findings)
        self.findings = []  # not a second list of tens of thousands while they are sorted (issue 24)
        # What only the passes needed goes before the findings are sorted, the run's peak: the sort's arrays
        # then take memory the Services, HPAs and referenced objects held (issue 24: 0.7 MB of RSS at 10 MB).
        self.links = Links()
        self.linked = {}
        self.intake.forget_parsed()
        self.graph.close()  # type: ignore[union-attr]
        self.names, self.collisions, self.contributed = set(), {}, set()
        calls = self.graph.calls()  # type: ignore[union-attr]
        findings.extend(self.graph.findings(calls))  # type: ignore[union-attr]
        records = sorted(self.intake.sources, key=_position)
        return Conversion(outputs=self.outputs, findings=self.intake.all_findings(findings, records), sources=records,
                          calls=calls)

    def _admit(self, document: Any, position: int, step: int = 0) -> Pending | None:
        self.intake.at = (step, position)
        known = len(self.intake.sources)
        item = self.intake.admit(document)
        for record in self.intake.sources[known:]:
            record.position = position
        return item

    def _parse(self, item: Pending, position: int) -> Any:
        self.intake.at = (1, position)
        return self.intake.parse(item)

    def _pass_one(self, documents: Iterable[Any]) -> list[_Slot]:
        """Every document admitted and parsed but the deferred ones; the workloads of pass 2, in order."""
        pending: list[tuple[int, Pending]] = []
        slots: list[_Slot] = []
        for position, document in enumerate(documents):
            if isinstance(document, Deferred):
                slots.append(_Slot(position, None, document))
                continue
            item = self._admit(document, position)
            if item is not None:
                pending.append((position, item))
        exposures: list[Exposure] = []
        workloads: list[Workload] = []
        for position, item in pending:
            model = self._parse(item, position)
            if model is None:
                continue
            key, record = item[0], item[3]
            if key in WORKLOAD_PARSERS:
                slots.append(_Slot(position, model, None, record))
                workloads.append(model)
                continue
            self.linked[id(model)] = record
            if key in EXPOSURE_PARSERS:
                exposures.append(model)
                self.links.add_exposure(model)
            else:
                self.links.add_scaler(model)
        del pending
        self.links.index()
        self.graph = CallGraph(exposures)
        self.collisions = colliding(workloads)
        self.names = {workload_ecs_name(workload).casefold() for workload in workloads}
        slots.sort(key=lambda slot: slot.position)
        return slots

    def _deferred(self, slot: _Slot) -> Workload | None:
        """The workload of a deferred part, parsed now; _Again when the part is not what the text said."""
        documents = slot.deferred.documents()  # type: ignore[union-attr]
        if len(documents) != 1:
            raise _Again
        document = documents[0]
        if isinstance(document, Unreadable):
            self._admit(document, slot.position)  # one broken document (K2E-E030), as loader.read_text has it
            return None
        kind = document.data.get("kind")
        if not isinstance(kind, str) or kind.lower() not in WORKLOAD_PARSERS:
            raise _Again
        replaced = len(self.intake.superseded)
        item = self._admit(document, slot.position)
        if item is None or len(self.intake.superseded) != replaced:
            raise _Again  # declared twice: which declaration is converted is known only in input order
        workload = self._parse(item, slot.position)
        slot.record = item[3]
        if workload is not None:
            name = workload_ecs_name(workload).casefold()
            if name in self.names:
                raise _Again  # another workload has its ECS name (K2E-E021 on both, or K2E-E007)
            self.names.add(name)
        return workload

    def _batch(self, slots: list[_Slot]) -> None:
        """Pass 2 for a batch, one stage at a time: parsing (deferred parts), linking and rendering,
        validating, and handing the outputs over. Interleaving the stages workload by workload made the
        same code about 5% slower (docs/PERFORMANCE.md, "Latest runs")."""
        workloads = [slot.model if slot.deferred is None else self._deferred(slot) for slot in slots]
        done: list[tuple[Workload, WorkloadOutput]] = []
        for slot, workload in zip(slots, workloads):
            if workload is None:
                continue
            attached, scaler = self.links.link(workload)
            output = None
            if id(workload) in self.collisions:
                self.findings.append(name_collision(workload, self.collisions[id(workload)]))
            else:
                name = workload_ecs_name(workload)
                if name != workload.name:
                    self.findings.append(renamed(workload, name))
                output = render_workload(workload, name, attached, scaler, self.settings, self.findings,
                                         self.contributed, validate=False, graph=self.graph)
                self.contributed.discard(id(workload))  # only the Services' and HPAs' ids are looked up (kept alive)
            if output is None:
                slot.record.status = "not-converted"  # type: ignore[union-attr]  # its findings say why
            else:
                done.append((workload, output))
        del workloads
        for workload, output in done:
            validate_output(output, workload, self.settings)
        for _, output in done:
            if self.sink is None:
                self.outputs.append(output)
            else:
                self.sink.put(len(self.outputs), output)
                self.outputs.append(OutputRecord(output.name, output.resource, output.scaling is not None))


_position = attrgetter("position")
