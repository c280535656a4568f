"""Documents in: each identified, checked for duplicates and sorted into what is parsed, what is
referenced and what is not converted (converter.pipeline.convert's first step, for every document of a run).

Which kinds are parsed, referenced or only reported comes from converter.pipeline.registries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from sys import intern
from typing import Any

from converter.core.document import Document, Unreadable
from converter.core.errors import DocumentError, InputError
from converter.core.findings import Finding, Origin, make_finding, sort_findings
from converter.load.inputs import Skipped
from converter.read.kubernetes.context import ParseContext, Referenced, read_part
from converter.core.reader import Reader
from converter.pipeline.registries import (
    EXPECTED_API_VERSIONS,
    REFERENCED_KINDS,
    Parser,
    parser_of,
)
from converter.core.resources import load_schema
from converter.core.settings import Settings


@dataclass(slots=True)  # one per input document, kept to the end of the run
class SourceRecord:
    """One input document and what became of it (for the report and the no-silent-loss tests)."""

    resource: str
    file: str
    line: int
    status: str  # converted | referenced | not-converted
    reader: Reader = field(repr=False)
    position: int = 0  # the place of its document in the run's input (converter.pipeline.convert sorts by it)


Pending = tuple[str, Reader, Parser, SourceRecord]


class Intake:
    """Documents in: each identified, checked for duplicates and sorted into what is parsed, what is
    referenced and what is not converted.

    ``at``: the caller's place in the run, (step, position of the document), set before each admit() and
    parse(). The error check_something_read() raises is the one of the lowest place: a run admits every
    document before it parses any, so that is an unreadable document's before a refused one's, and the
    first in the input of each, even when a document's turn came later (converter.pipeline.convert, pass 2)."""

    def __init__(self, settings: Settings, *, release: bool = False) -> None:
        self.context = ParseContext(settings=settings)
        self.release = release
        self.sources: list[SourceRecord] = []
        self.seen: dict[tuple[str, str | None, str], SourceRecord] = {}
        self.loose: list[Finding] = []  # findings of no document: skipped files and folders
        self.read_any = False  # a document was read (and, when parsed, parsed) without an error
        self.first_error: InputError | None = None  # of a document that could not be read or is not valid
        self.first_error_at: tuple[int, int] | None = None
        self.at: tuple[int, int] = (0, 0)
        self.first_skipped: str | None = None
        self.superseded: set[int] = set()  # id() of the records a later declaration replaced

    def done(self, reader: Reader) -> None:
        if self.release:
            reader.finish()
            reader.release()

    def admit(self, document: Document | Unreadable | Skipped) -> Pending | None:
        """The document's source record is added; returned when it is to be parsed. A document that cannot
        be read, or has no kind, is one error finding (K2E-E030), and a skipped file or folder one info."""
        if isinstance(document, Skipped):
            self.loose.append(skipped_finding(document))
            self.first_skipped = self.first_skipped or f"{document.file}: {document.message}"
            return None
        if isinstance(document, Unreadable):
            self._unreadable(document.error, document.guess or _whole_or_document(document))
            return None
        try:
            key, canonical, name, namespace = _identify(document)
        except InputError as err:
            self._unreadable(err, f"document {document.index + 1}", document)
            return None
        reader = Reader(document, f"{canonical}/{name}", sensitive=key == "secret")
        record = SourceRecord(reader.resource, document.file, document.line, "not-converted", reader)
        identity = (canonical, namespace, name)
        self.sources.append(record)
        for path, duplicate, first_line, line in document.duplicates:
            reader.note(path + (duplicate,), "K2E-E032", f"key {duplicate!r} is given twice (lines {first_line} and {line}); the "
                                          f"value at line {line} is used, as kubectl's decoder keeps the last", covers=False)
        first = self.seen.get(identity)
        if first is not None:
            # kubectl apply -f applies documents in order (a folder's files in lexical order), so the last
            # declaration is what the cluster keeps: the earlier one is replaced, whatever its kind.
            if first.reader.findings.__class__ is tuple:  # released with none (Reader.release)
                first.reader.findings = []
            first.reader.findings.append(make_finding(
                "K2E-E007", Origin(resource=first.resource, file=first.file, line=first.line, path=""),
                f"{canonical} {name} is declared again at {document.file}:{document.line}; the later declaration is converted"))
            first.status = "not-converted"
            self.superseded.add(id(first))
            if not first.reader.released:
                first.reader.take(())
            self.context.remove(identity)
        self.seen[identity] = record
        version = document.data.get("apiVersion")
        if key in EXPECTED_API_VERSIONS and isinstance(version, str) and version not in EXPECTED_API_VERSIONS[key]:
            reader.note(("apiVersion",), "K2E-W006", f"{canonical} with apiVersion {version!r} read as {sorted(EXPECTED_API_VERSIONS[key])[-1]}")
        if parser_of(key) is None:
            self.read_any = True  # parsed ones count once they parse (parse)
        if key in REFERENCED_KINDS:
            if self.release:  # only metadata is asked of a released reader: the rest goes now (issue 24)
                reader.document = read_part(document, canonical)
            self.context.add(identity, Referenced(reader=reader))
            record.status = "referenced"
        elif parser_of(key) is not None:
            return (key, reader, parser_of(key)[1], record)  # type: ignore[index]
        else:
            _not_converted(reader, key, canonical, name)
            self.done(reader)
        return None

    def parse(self, item: Pending) -> Any:
        """The neutral model of a pending document, or None (then its findings say why). A document that does
        not validate (a field of the wrong type or value, as the API server would refuse it) is one error
        finding (K2E-E031) and is not converted; the rest of the run goes on."""
        _, reader, parser, record = item
        if id(record) in self.superseded:
            self.done(reader)
            return None
        try:
            result = parser(reader, self.context)
        except DocumentError as err:
            reader.findings.clear()  # what it said before it failed is about a document not converted
            reader.note(err.path, "K2E-E031", err.detail)
            reader.take(())
            self._error(err)
            self.done(reader)
            return None
        self.read_any = True
        self.done(reader)  # nothing reads or notes a workload, Service or HPA document after its parser
        if result is not None:
            record.status = "converted"
        return result

    def _unreadable(self, error: InputError, resource: str, document: Document | None = None) -> None:
        stub = Document(error.file or "<input>", 0 if document is None else document.index, {},
                        error.line if error.line is not None else 1, {})
        reader = Reader(stub, resource)
        line = stub.line if document is None else document.line  # the record's line is where the document starts
        record = SourceRecord(resource, stub.file, line, "not-converted", reader)
        self.sources.append(record)
        reader.note(getattr(error, "path", ()), "K2E-E030", error.message)
        self._error(error)
        self.done(reader)

    def _error(self, error: InputError) -> None:
        if self.first_error_at is None or self.at < self.first_error_at:
            self.first_error, self.first_error_at = error, self.at

    def check_something_read(self) -> None:
        """Exit 3 (InputError) when the input yields nothing at all: no document of it could be read and
        validated. Otherwise each broken document is its finding, and the run's status follows --fail-on."""
        if self.read_any:
            return
        if self.first_error is not None:
            raise self.first_error
        if self.first_skipped is not None:
            raise InputError(f"no manifest in the input: {self.first_skipped}")

    def close_referenced(self) -> None:
        """After every workload is parsed: name the referenced objects no workload used."""
        for referenced in self.context.referenced.values():
            reader = referenced.reader
            if not referenced.used:
                reader.note((), "K2E-I002", f"{reader.resource} is not referred to by any converted workload")
            reader.take(())  # referenced objects are read through the workloads; values are never copied wholesale
            self.done(reader)

    def forget_parsed(self) -> None:
        """After the last pass: the referenced objects and the table of declarations, which only parsing and
        linking read, go (their findings stay with the sources' readers)."""
        self.context = ParseContext(settings=self.context.settings)
        self.seen = {}

    def all_findings(self, findings: list[Finding], sources: list[SourceRecord]) -> list[Finding]:
        """``findings`` (linking and rendering), then each source's, sorted for the report."""
        findings.extend(self.loose)
        for record in sources:
            findings.extend(record.reader.findings if record.reader.released else record.reader.finish())
        sort_findings(findings)
        return findings


def _identify(document: Document) -> tuple[str, str, str, str | None]:
    data = document.data
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise InputError("document has no kind (is it a Kubernetes manifest?)", file=document.file,
                         line=document.line_of(("kind",)))
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    key = kind.lower()
    canonical = (parser_of(key) or (None,))[0]
    canonical = canonical or REFERENCED_KINDS.get(key) or _known_kinds().get(key, {}).get("kind") or kind
    # A namespace is one of a few texts repeated in every document: one string each in the table of
    # declarations, kept to the end of the run (issue 24: 0.5 MB of a 10 MB bundle's peak).
    return (key, canonical, str(name) if name is not None else "(unnamed)",
            _shared(namespace) if isinstance(namespace, str) else None)


def _shared(text: str) -> str:
    return intern(text) if text.__class__ is str else text


def _whole_or_document(unreadable: Unreadable) -> str:
    return "(file)" if unreadable.index is None else f"document {unreadable.index + 1}"


def skipped_finding(skipped: Skipped) -> Finding:
    return make_finding(skipped.code, Origin(resource="(not a manifest)", file=skipped.file, line=None, path=""),
                        skipped.message)


def _known_kinds() -> dict[str, dict[str, str]]:
    return load_schema("kinds.json")


def _not_converted(reader: Reader, key: str, canonical: str, name: str) -> None:
    info = _known_kinds().get(key)
    if info is None:
        version = reader.document.data.get("apiVersion", "?")
        reader.note((), "K2E-W001", f"{canonical} {name} ({version}) is not a kind k2ecs converts",
                    "If it is an operator's custom resource, find the AWS service that plays the operator's role.")
    else:
        reader.note((), "K2E-W001", f"{canonical} {name} is not converted: {info['why']}", info["suggestion"])
    reader.take(())
