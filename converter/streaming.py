"""The conversion of convert(), a few workloads at a time: for the CLI, so a large bundle is never all in memory.

convert() parses every document before it renders anything, because a workload's output depends on
the Services and HPAs that point at it, and on the ConfigMaps and Secrets it names, wherever they are
in the input. Here the texts are first cut into their documents (converter.yaml_parts) and read in two
passes over the parts, each part parsed once:

1. every part that is not a workload, in order: ConfigMaps, Secrets, ServiceAccounts, Services, HPAs
   and the kinds that are only reported;
2. the workloads, in order, BATCH_WORKLOADS at a time: each is parsed, matched with the Services and
   HPAs of pass 1, rendered, validated and handed to ``sink``, and then dropped. Each stage runs for the
   whole batch before the next, which keeps each stage's code and data in the processor's caches.

A Service that selects several workloads serves its names from the first one (K2E-W403), so the first
pass's matching is final and no workload is rendered twice. The result is the same outputs, findings (in order) and sources as
convert() gives (tests/test_streaming.py). Where the cut cannot be trusted (a workload that the text
did not show as one, a part that is not exactly one document) or the input has an error, None is
returned and the caller converts the ordinary way, so errors are always those convert() reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from converter.calls import CallGraph
from converter.convert import (
    EXPOSURE_PARSERS,
    SCALER_PARSERS,
    WORKLOAD_PARSERS,
    Conversion,
    Intake,
    Pending,
    SourceRecord,
    WorkloadOutput,
    render_workload,
    renamed,
    same_namespace,
    ambiguous_scalers,
    scales_nothing,
    selects_nothing,
    selects_several,
    validate_output,
)
from converter.ecs.service_wiring import selects
from converter.errors import K2ecsError
from converter.findings import Finding
from converter.loader import Document, Unreadable, parse_text, read_source
from converter.workload_names import workload_ecs_name
from converter.model import Autoscaling, Exposure, Workload
from converter.settings import Settings
from converter.yaml_parts import Part, split_stream


BATCH_WORKLOADS = 64  # workloads of pass 2 taken through each stage together (_Run._workloads)


class Sink(Protocol):
    """Where each workload's output goes as soon as it is validated (converter.sinks)."""

    def put(self, position: int, output: WorkloadOutput) -> None: ...  # replaces what ``position`` had
    def drop(self, position: int) -> None: ...


@dataclass
class OutputRecord:
    """What the report needs of an output once its payloads are in the sink."""

    name: str
    resource: str
    scaling: bool


class _NotStreamable(Exception):
    """The input is converted the ordinary way instead (see the module docstring)."""


@dataclass
class _Linked:
    """A Service or HPA of pass 1, and the workloads it matched so far (their numbers, in order)."""

    model: Any
    record: SourceRecord
    matches: list[int] = field(default_factory=list)


@dataclass
class _Rendered:
    """A workload of pass 2: what its output needs if it is rendered again, and its findings."""

    name: str
    resource: str
    source: tuple[int, Part]  # (source number, part): to parse it again
    findings: list[Finding]
    output: OutputRecord | None
    record: SourceRecord
    contributed: set[int] = field(default_factory=set)  # id() of the Services and HPA in its last output


class SourceText:
    """One input's text, cut into its documents. A large file's text is not kept: each part is read back
    from the file when it is parsed (it was read and checked whole once, by loader.read_source)."""

    KEEP_BELOW_PARTS = 64  # fewer documents than this: the text is kept (and no file stays open)

    def __init__(self, name: str, text: str, path: str | None = None, read_from: os.stat_result | None = None) -> None:
        """``read_from``: the file's status taken before ``text`` was read from ``path``."""
        self.name, self.path = name, path
        self.parts = split_stream(text)
        self.text: str | None = text
        self.handle: Any = None
        self.read_from = read_from
        if read_from is not None and len(self.parts) >= self.KEEP_BELOW_PARTS and text.isascii():
            handle = open(path, "rb")  # type: ignore[arg-type]
            opened = os.fstat(handle.fileno())
            skip = opened.st_size - len(text)  # an ASCII text is its bytes, after a BOM
            if skip in (0, 3) and _same_version(opened, read_from):
                self.handle, self.skip, self.text = handle, skip, None
            else:
                handle.close()  # replaced or changed since it was read: the text read is kept

    @classmethod
    def read(cls, path: str) -> "SourceText":
        try:
            read_from = None if path == "-" else os.stat(path)
        except OSError:
            read_from = None  # read_source reports it
        name, text = read_source(path)
        return cls(name, text, path, read_from)

    def unchanged(self) -> bool:
        """Whether a file read back part by part is still as it was read (not written to meanwhile)."""
        return self.handle is None or _same_version(os.fstat(self.handle.fileno()), self.read_from)

    def part(self, part: Part) -> str:
        if self.text is not None:
            return self.text[part.start:part.end]
        return os.pread(self.handle.fileno(), part.end - part.start, part.start + self.skip).decode("ascii")

    def whole(self) -> str:
        """The whole text (for convert(), when streaming does not apply)."""
        return read_source(self.path)[1] if self.text is None and self.path is not None else self.text or ""

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _same_version(status: os.stat_result, other: os.stat_result | None) -> bool:
    return other is not None and (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns) == \
        (other.st_dev, other.st_ino, other.st_size, other.st_mtime_ns)


def convert_streaming(sources: list[SourceText], settings: Settings, sink: Sink) -> Conversion | None:
    """None: convert the sources with convert() instead (then whatever ``sink`` received is to be
    discarded)."""
    try:
        return _Run(sources, settings, sink).run()
    except (_NotStreamable, K2ecsError):
        return None


class _Run:
    def __init__(self, sources: list[SourceText], settings: Settings, sink: Sink) -> None:
        self.sources = sources
        self.settings = settings
        self.sink = sink
        self.intake = Intake(settings, release=True)
        self.positions: dict[int, tuple[int, int, int]] = {}  # id(source record) -> where its document is
        self.exposures: list[_Linked] = []
        self.every_exposure: list[Exposure] = []  # ExternalName and selector-less ones too: callers name them
        self.graph: CallGraph | None = None
        self.scalers: list[_Linked] = []
        self.by_first_label: dict[tuple[str, str], list[int]] = {}  # as convert._render_all, the other way round
        self.by_target: dict[tuple[str, str], list[int]] = {}
        self.rendered: list[_Rendered] = []
        self.used_names: set[str] = set()

    def run(self) -> Conversion:
        parts = [(number, part) for number, source in enumerate(self.sources) for part in source.parts]
        pending = []
        for number, part in parts:
            if part.workload:
                continue
            for position, document in self._documents(number, part):
                item = self._admit(document, position)
                if item is not None:
                    if item[0] in WORKLOAD_PARSERS:
                        raise _NotStreamable  # a workload the text did not show (a List, flow style, JSON)
                    pending.append(item)
        for item in pending:
            model = self.intake.parse(item)
            if model is not None:
                self._index(item[0], model, item[3])
        del pending
        self.graph = CallGraph(self.every_exposure)
        batch: list[tuple[int, Part]] = []
        for number, part in parts:
            if part.workload:
                batch.append((number, part))
                if len(batch) == BATCH_WORKLOADS:
                    self._workloads(batch)
                    batch = []
        self._workloads(batch)
        contributed = set().union(*(rendered.contributed for rendered in self.rendered))
        for linked in self.exposures + self.scalers:
            if id(linked.model) not in contributed:
                linked.record.status = "not-converted"  # as convert() says of what did not reach the output
        if not all(source.unchanged() for source in self.sources):
            raise _NotStreamable  # written to while its parts were read back: read again whole
        self.intake.close_referenced()
        self.intake.check_something_read()
        findings = self._linking_findings()
        for rendered in self.rendered:
            findings.extend(rendered.findings)
        calls = self.graph.calls()
        findings.extend(self.graph.findings(calls))
        records = sorted(self.intake.sources, key=lambda record: self.positions[id(record)])
        outputs: list[Any] = [r.output for r in self.rendered if r.output is not None]
        # What only this run needed goes before the findings are sorted, which is the run's peak of memory.
        del parts
        self.exposures = self.scalers = self.rendered = []
        self.by_first_label, self.by_target, self.positions = {}, {}, {}
        for source in self.sources:
            source.parts = []
        return Conversion(outputs=outputs, findings=self.intake.all_findings(findings, records), sources=records,
                          calls=calls)

    def _documents(self, number: int, part: Part) -> list[tuple[tuple[int, int, int], Document]]:
        source = self.sources[number]
        documents = parse_text(source.part(part), source.name, first_line=part.first_line, first_index=part.first_index,
                               isolate=True)
        if any(isinstance(document, Unreadable) for document in documents):
            raise _NotStreamable  # convert() reads the whole file and says where
        return [((number, part.start, sub), document) for sub, document in enumerate(documents)]

    def _admit(self, document: Document, position: tuple[int, int, int]) -> Any:
        item = self.intake.admit(document)
        self.positions[id(self.intake.sources[-1])] = position
        return item

    # -- pass 1 ---------------------------------------------------------------------------------
    def _index(self, key: str, model: Any, record: SourceRecord) -> None:
        if key in EXPOSURE_PARSERS:
            exposure: Exposure = model
            self.every_exposure.append(exposure)
            if exposure.type != "ExternalName" and exposure.selector:
                self.by_first_label.setdefault(tuple(exposure.selector[0]), []).append(len(self.exposures))
                self.exposures.append(_Linked(exposure, record))
            else:
                record.status = "not-converted"  # it reaches no workload (convert() skips it likewise)
        elif key in SCALER_PARSERS:
            scaler: Autoscaling = model
            self.by_target.setdefault((scaler.target_kind, scaler.target_name), []).append(len(self.scalers))
            self.scalers.append(_Linked(scaler, record))

    # -- pass 2 ---------------------------------------------------------------------------------
    def _workloads(self, batch: list[tuple[int, Part]]) -> None:
        """Pass 2 for a batch of workload parts, one stage at a time for the whole batch: reading the YAML,
        parsing, rendering, validating, and handing the outputs to the sink. Interleaving the stages
        workload by workload made the same code about 5% slower (docs/PERFORMANCE.md, "Latest runs")."""
        documents = [self._documents(number, part) for number, part in batch]
        parsed = [self._parse_workload(found) for found in documents]
        del documents
        done: list[tuple[int, Workload, WorkloadOutput | None]] = []
        for source, item in zip(batch, parsed):
            if item is not None:
                index, workload, attached, scaler = self._link(source, *item)
                done.append((index, workload, self._render(index, workload, attached, scaler, validate=False)))
        for _, workload, output in done:
            if output is not None:
                validate_output(output, workload, self.settings)
        for index, _, output in done:
            self._hand_over(index, output)

    def _parse_workload(self, documents: list[tuple[tuple[int, int, int], Document]]) -> tuple[Pending, Workload] | None:
        if len(documents) != 1 or not _is_workload(documents[0][1]):
            raise _NotStreamable  # the text looked like one workload and is not
        position, document = documents[0]
        replaced = len(self.intake.superseded)
        item = self._admit(document, position)
        if len(self.intake.superseded) != replaced:
            raise _NotStreamable  # a workload declared again: the earlier one may be in the sink already
        if item is None:
            return None  # declared again (K2E-E007)
        workload = self.intake.parse(item)
        return None if workload is None else (item, workload)

    def _link(self, source: tuple[int, Part], item: Pending, workload: Workload) -> tuple[int, Workload, list[Exposure], Autoscaling | None]:
        """The workload's number, and the Services and HPA of pass 1 it is rendered with."""
        index = len(self.rendered)
        scalers: list[Autoscaling] = []
        for scaler_number in self.by_target.get((workload.kind, workload.name), ()):
            linked = self.scalers[scaler_number]
            if not linked.matches and same_namespace(workload.namespace, linked.model.namespace):
                linked.matches.append(index)  # an HPA scales the first workload it names
                scalers.append(linked.model)
        scaler = scalers[0] if len(scalers) == 1 else None  # several: none acts (K2E-E507, as in convert)
        attached: list[Exposure] = []
        for exposure_number in sorted(n for label in workload.pod_labels for n in self.by_first_label.get(label, ())):
            linked = self.exposures[exposure_number]
            if same_namespace(workload.namespace, linked.model.namespace) and selects(linked.model, workload):
                linked.matches.append(index)
                if len(linked.matches) == 1:
                    attached.append(linked.model)  # selects several: the first serves the names (K2E-W403)
        name = workload_ecs_name(workload)
        if name.casefold() in self.used_names:
            raise _NotStreamable  # a name collision: convert() reports it on every workload concerned (K2E-E021)
        self.used_names.add(name.casefold())
        self.rendered.append(_Rendered(name, workload.resource, source, [], None, item[3]))
        return index, workload, attached, scaler

    def _render(self, index: int, workload: Workload, attached: list[Exposure], scaler: Autoscaling | None, *,
                validate: bool) -> WorkloadOutput | None:
        rendered = self.rendered[index]
        findings: list[Finding] = []
        if rendered.name != workload.name:
            findings.append(renamed(workload, rendered.name))
        contributed: set[int] = set()
        output = render_workload(workload, rendered.name, attached, scaler, self.settings, findings, contributed,
                                 validate=validate, graph=self.graph)
        rendered.findings = findings
        rendered.record.status = "converted" if output is not None else "not-converted"
        contributed.discard(id(workload))  # only the Services' and HPAs' ids are compared later (they are kept)
        rendered.contributed = contributed
        return output

    def _hand_over(self, index: int, output: WorkloadOutput | None) -> None:
        rendered = self.rendered[index]
        if output is None:
            self.sink.drop(index)
            rendered.output = None
        else:
            self.sink.put(index, output)
            rendered.output = OutputRecord(output.name, output.resource, output.scaling is not None)

    def _linking_findings(self) -> list[Finding]:
        """convert._render_all's findings about Services and HPAs, in its order."""
        findings: list[Finding] = []
        for linked in self.exposures:
            if not linked.matches:
                findings.append(selects_nothing(linked.model))
            elif len(linked.matches) > 1:
                findings.append(selects_several(linked.model, [self.rendered[n].resource for n in linked.matches]))
        findings.extend(scales_nothing(linked.model, self.intake.seen) for linked in self.scalers if not linked.matches)
        by_workload: dict[int, list[Autoscaling]] = {}
        for linked in self.scalers:
            if linked.matches:
                by_workload.setdefault(linked.matches[0], []).append(linked.model)
        for index, scalers in by_workload.items():
            if len(scalers) > 1:
                findings.extend(ambiguous_scalers(scalers, self.rendered[index].resource))
        return findings


def _is_workload(document: Document) -> bool:
    kind = document.data.get("kind")
    return isinstance(kind, str) and kind.lower() in WORKLOAD_PARSERS
