"""Findings: what did not map, or mapped only approximately, with where it came from.

Parsers and renderers return ``(result, findings)``; nothing here prints. The codes themselves live in
:mod:`converter.core.codes` (one registry, the letter after ``K2E-`` gives the severity).
"""

from __future__ import annotations

import enum
from operator import attrgetter
from sys import intern
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping


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
        return replace(self, path=pointer, line=self.line if line is None else line)


# A large run holds hundreds of thousands of findings and origins to its end: without a __dict__ each
# weighs about half as much, and a finding without details shares one empty mapping (docs/PERFORMANCE.md).
NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    code: str
    severity: Severity
    resource: str
    file: str
    line: int | None
    path: str
    message: str
    suggestion: str
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_DETAILS, compare=False)

    def sort_key(self) -> tuple:
        return (self.file, self.line if self.line is not None else 0, self.path, self.code, self.message)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.label,
            "resource": self.resource,
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "suggestion": self.suggestion,
        }
        if self.extra:
            data["details"] = self.extra
        return data


def make_finding(code: str, origin: Origin, message: str, suggestion: str | None = None, **extra: Any) -> Finding:
    """Build a finding for a registered code; the suggestion defaults to the registry's."""
    info = (_CODES if _CODES is not None else _codes())[code]  # KeyError: a programming error, every code is registered
    # A large run keeps hundreds of thousands of findings to its end, and most of their paths and many of
    # their messages are the same text made again for each workload (at 10,000 workloads: 30 distinct
    # paths, a third as many messages as findings): one string each (docs/PERFORMANCE.md, "Fourth round").
    return Finding(
        code=code,
        severity=info.severity,
        resource=intern(origin.resource),  # Workload.resource makes a new string at each call
        file=origin.file,
        line=origin.line,
        path=intern(origin.path),
        message=_shared(message),
        suggestion=info.suggestion if suggestion is None else suggestion,
        extra=extra or NO_DETAILS,
    )


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


_SORT_PASSES = (attrgetter("message"), attrgetter("code"), attrgetter("path"),
                lambda finding: 0 if finding.line is None else finding.line, attrgetter("file"))


def sort_findings(findings: list[Finding]) -> None:
    """``findings.sort(key=Finding.sort_key)``, in place, as one stable sort per part of the key, the least
    significant first. Same order (ties included); but no key tuple is made for every finding at once,
    which was the peak of a large run's memory (19 MB at 200,000 findings), and it takes half the time."""
    for key in _SORT_PASSES:
        findings.sort(key=key)
