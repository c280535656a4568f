"""Findings: what did not map, or mapped only approximately, with where it came from.

Parsers and renderers return ``(result, findings)``; nothing here prints. The codes themselves live in
:mod:`converter.core.codes` (one registry, the letter after ``K2E-`` gives the severity).
"""

from __future__ import annotations

import enum
from bisect import insort
from operator import attrgetter
from sys import intern
from dataclasses import InitVar, dataclass, field
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple


class Severity(enum.IntEnum):
    INFO = 10
    WARNING = 20
    ERROR = 30

    @property
    def label(self) -> str:
        # Not self.name.lower(): an enum's name is a Python-level descriptor, and the report asks for a label
        # several times per finding (issue 24: 2% of a 10 MB convert). _value_ is a plain attribute.
        return _LABELS[self._value_]

    @classmethod
    def from_letter(cls, letter: str) -> "Severity":
        return _BY_LETTER[letter]  # once per finding: the table is not made each time


_BY_LETTER = {"I": Severity.INFO, "W": Severity.WARNING, "E": Severity.ERROR}
_LABELS = {member.value: member.name.lower() for member in Severity}


@dataclass(frozen=True, kw_only=True, slots=True)
class Origin:
    """Where a piece of the neutral model came from: enough to point a user at the source line."""

    resource: str  # "Kind/name"
    file: str
    line: int | None
    path: str  # JSON Pointer into the source document

    def at(self, pointer: str, line: int | None = None) -> "Origin":
        # replace(self, path=pointer, line=...) without dataclasses.replace's field walk and keyword __init__
        # (tests/test_findings_fast.py compares the two)
        return Origin.of(self.resource, self.file, self.line if line is None else line, pointer)

    @staticmethod
    def of(resource: str, file: str, line: int | None, path: str) -> "Origin":
        """``Origin(resource=..., file=..., line=..., path=...)``, made without the keyword __init__ and the
        frozen dataclass's object.__setattr__ per field (Reader.origin makes one per finding)."""
        origin = _new(Origin)
        _set_origin_resource(origin, resource)
        _set_origin_file(origin, file)
        _set_origin_line(origin, line)
        _set_origin_path(origin, path)
        return origin


# The slots' own descriptors set a frozen instance's fields as its __init__ would, without its checks: for the
# few constructors made per finding (a 10 MB convert makes 60,000 findings and more origins).
_new = object.__new__
_set_origin_resource = Origin.__dict__["resource"].__set__
_set_origin_file = Origin.__dict__["file"].__set__
_set_origin_line = Origin.__dict__["line"].__set__
_set_origin_path = Origin.__dict__["path"].__set__


# A large run holds hundreds of thousands of findings and origins to its end: without a __dict__ each
# weighs about half as much, and a finding without details shares one empty mapping (docs/PERFORMANCE.md).
class _NoDetails(Mapping[str, Any]):
    """The one empty, read-only mapping of a finding without details. Copied, deep-copied or pickled, it is
    itself again (a MappingProxyType was refused by deepcopy and pickle, so no finding could be)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"

    def __reduce__(self) -> str:
        return "NO_DETAILS"  # by its name in this module: pickle, copy and deepcopy give this one object


NO_DETAILS: Mapping[str, Any] = _NoDetails()


class _Kind(NamedTuple):
    """What many findings have in common: their code, its severity and suggestion, and the file."""

    code: str
    severity: Severity
    suggestion: str
    file: str


class Message(tuple):
    """A message made when it is read: ``Message(template, *arguments)`` is ``template.format(*arguments)``.
    For the messages a large run makes once per workload (a log group, an ECS name), whose text
    would be kept to the end of the run, each different, though its template is one string: the arguments
    are mostly kept anyway (issue 24)."""

    __slots__ = ()

    def __new__(cls, template: str, *arguments: Any) -> "Message":
        return tuple.__new__(cls, (template, *arguments))

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)  # copied or pickled: made again from its template and arguments, as given

    def __str__(self) -> str:
        return self[0].format(*self[1:])

    def __repr__(self) -> str:
        return repr(str(self))


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Finding:
    """One finding. ``code``, ``severity``, ``suggestion`` and ``file`` are given as fields and read as
    attributes, but kept together as one _Kind that the findings of a code in a file share: a large run keeps
    60,000 findings to its end, and three slots fewer each is 1.5 MB of a 10 MB convert's peak (issue 24).
    ``severity`` and ``suggestion`` default to the code's registered ones. ``message`` may be given as a
    Message, made into its text each time it is read."""

    resource: str
    line: int | None
    path: str
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_DETAILS, compare=False)
    code: InitVar[str | None] = None
    severity: InitVar[Severity | None] = None
    file: InitVar[str | None] = None
    message: InitVar["str | Message | None"] = None
    suggestion: InitVar[str | None] = None
    kind: _Kind = field(init=False, repr=False)
    text: "str | Message" = field(init=False, repr=False)

    def __post_init__(self, code: str | None, severity: Severity | None, file: str | None,
                      message: "str | Message | None", suggestion: str | None) -> None:
        if code is None or file is None or message is None:
            raise TypeError("a Finding needs its code, file and message")
        if severity is None or suggestion is None:
            info = (_CODES if _CODES is not None else _codes())[code]
            severity = info.severity if severity is None else severity
            suggestion = info.suggestion if suggestion is None else suggestion
        object.__setattr__(self, "kind", _kind(code, severity, suggestion, file))
        object.__setattr__(self, "text", message)

    def _compared(self) -> tuple:
        return (self.kind, self.resource, self.line, self.path, self.message)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._compared())

    def sort_key(self) -> tuple:
        return (self.file, self.line if self.line is not None else 0, self.path, self.code, self.message)

    def as_dict(self) -> dict[str, Any]:
        code, severity, suggestion, file = self.kind
        data: dict[str, Any] = {
            "code": code,
            "severity": severity.label,
            "resource": self.resource,
            "file": file,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "suggestion": suggestion,
        }
        if self.extra:
            data["details"] = self.extra
        return data


# The InitVars' names read the finding's _Kind and text (dataclasses.replace reads them through these, too).
Finding.code = property(lambda finding: finding.kind.code)  # type: ignore[assignment,method-assign]
Finding.severity = property(lambda finding: finding.kind.severity)  # type: ignore[assignment,method-assign]
Finding.suggestion = property(lambda finding: finding.kind.suggestion)  # type: ignore[assignment,method-assign]
Finding.file = property(lambda finding: finding.kind.file)  # type: ignore[assignment,method-assign]
Finding.message = property(  # type: ignore[assignment,method-assign]
    lambda finding: finding.text if finding.text.__class__ is str else str(finding.text))

# The kinds made lately, each once: bounded, as a finding given its own suggestion text makes a kind of its own.
_RECENT_KINDS = 4096
_kinds: dict[tuple[str, Severity, str, str], _Kind] = {}


def _kind(code: str, severity: Severity, suggestion: str, file: str) -> _Kind:
    key = (code, severity, suggestion, file)
    kept = _kinds.get(key)
    if kept is None:
        if len(_kinds) >= _RECENT_KINDS:
            _kinds.clear()
        kept = _kinds[key] = _Kind(*key)
    return kept


def make_finding(code: str, origin: Origin, message: "str | Message", suggestion: str | None = None,
                 **extra: Any) -> Finding:
    """Build a finding for a registered code; the suggestion defaults to the registry's."""
    info = (_CODES if _CODES is not None else _codes())[code]  # KeyError: a programming error, every code is registered
    # A large run keeps hundreds of thousands of findings to its end, and most of their paths and many of
    # their messages are the same text made again for each workload (at 10,000 workloads: 30 distinct
    # paths, a third as many messages as findings): one string each (docs/PERFORMANCE.md, "Fourth round").
    resource = intern(origin.resource)  # Workload.resource makes a new string at each call
    if message.__class__ is Message:  # its text is the finding's resource mostly: that one string, too
        message = Message(*(resource if argument.__class__ is str and argument == resource else argument
                            for argument in message))
    else:
        message = _shared(message)  # type: ignore[arg-type]
    # Finding(code=..., severity=info.severity, resource=..., file=..., line=..., path=..., message=...,
    # suggestion=..., extra=...) without the dataclass __init__ and __post_init__ (their keyword
    # arguments, InitVars and object.__setattr__ per field were a third of a finding's making):
    # tests/test_findings_fast.py compares the two.
    file = origin.file
    if suggestion is None:
        kind = _default_kinds.get((code, file))
        if kind is None:
            kind = _kind(code, info.severity, info.suggestion, file)
            if len(_default_kinds) >= _RECENT_KINDS:
                _default_kinds.clear()
            _default_kinds[(code, file)] = kind
    else:
        kind = _kind(code, info.severity, suggestion, file)
    finding = _new(Finding)
    _set_resource(finding, resource)
    _set_line(finding, origin.line)
    _set_path(finding, intern(origin.path))
    _set_extra(finding, extra or NO_DETAILS)
    _set_kind(finding, kind)
    _set_text(finding, message)
    return finding


_set_resource = Finding.__dict__["resource"].__set__
_set_line = Finding.__dict__["line"].__set__
_set_path = Finding.__dict__["path"].__set__
_set_extra = Finding.__dict__["extra"].__set__
_set_kind = Finding.__dict__["kind"].__set__
_set_text = Finding.__dict__["text"].__set__
# The kind of a code's findings in a file with the registry's severity and suggestion (most findings), by
# (code, file): one short key instead of _kind's four. Bounded like _kinds.
_default_kinds: dict[tuple[str, str], _Kind] = {}


_CODES: Mapping[str, Any] | None = None

# The messages made lately, each text once. Not sys.intern: a large run's messages are a third distinct (one per
# workload, such as K2E-I620's log group), and interning each grew the interpreter's table of interned strings
# by 1.9 MB that stays to the end of the run. A repeated message is made again for each workload that has it,
# close to the last time, so a bounded table keeps most of them one string; one that falls out of it is only
# kept twice (issue 24: peak memory of convert).
_RECENT_MESSAGES = 2048
_messages: dict[str, str] = {}


def _shared(message: str) -> str:
    kept = _messages.get(message)
    if kept is not None:
        return kept
    if len(_messages) >= _RECENT_MESSAGES:
        _messages.clear()
    _messages[message] = message
    return message


def _codes() -> Mapping[str, Any]:
    """converter.core.codes.CODES, imported when first needed (it imports this module), and not at every call
    of make_finding (an import statement costs a fifth of a finding, and a large run makes 200,000)."""
    global _CODES
    from converter.core.codes import CODES

    _CODES = CODES
    return CODES


_SORT_PASSES = (attrgetter("code"), attrgetter("path"), lambda finding: 0 if finding.line is None else finding.line,
                attrgetter("file"))
_message = attrgetter("message")


def sort_findings(findings: list[Finding]) -> None:
    """``findings.sort(key=Finding.sort_key)``, in place, as one stable sort per part of the key, the least
    significant first. Same order (ties included); but no key tuple is made for every finding at once,
    which was the peak of a large run's memory (19 MB at 200,000 findings), and it takes half the time.
    The message, the last part, is compared only among findings equal in the others (a few): a Message is
    made into its text for those alone, not every one at once at the run's peak (issue 24)."""
    for key in _SORT_PASSES:
        findings.sort(key=key)
    start, previous = 0, None
    for position, finding in enumerate(findings):
        place = (finding.kind.file, 0 if finding.line is None else finding.line, finding.path, finding.kind.code)
        if place != previous:
            if position - start > 1:
                findings[start:position] = sorted(findings[start:position], key=_message)
            start, previous = position, place
    if len(findings) - start > 1:
        findings[start:] = sorted(findings[start:], key=_message)


# More findings than this merged into a sorted list are sorted with it instead: each one put in its place
# moves the list's tail (memmove), which a few of them do faster than a sort makes its key arrays.
MERGE_AT_MOST = 64


def merge_findings(findings: list[Finding], more: list[Finding]) -> None:
    """``findings`` (in sort_findings' order) with ``more`` put in, in place, as sort_findings of the two
    would order them (among equal keys, ``findings``' first). A few are each put in their place: sorting
    again makes key arrays as long as the whole run's findings, the peak of a large run's memory (issue 24:
    the CloudFormation template's K2E-E660s, after 60,000 findings at 10 MB)."""
    if len(more) > MERGE_AT_MOST:
        findings.extend(more)
        sort_findings(findings)
        return
    for finding in sorted(more, key=_sort_key):
        insort(findings, finding, key=_sort_key)


_sort_key = Finding.sort_key
