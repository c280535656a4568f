"""Accepted findings: known loss that was looked at and accepted with a reason, and is still reported.

Two ways to accept a finding:

* the ``k2ecs.io/accept`` annotation in ``metadata.annotations`` of the resource the finding is about,
  a comma-separated list of ``CODE=reason`` entries (``K2E-W110=the image has curl, K2E-W601=set by Terraform``);
  it accepts every finding with that code about that resource (same file, same ``Kind/name``);
* a baseline file (``k2ecs baseline`` writes it, ``k2ecs convert --baseline FILE`` reads it), whose entries
  match findings on (code, resource, path) -- never on line numbers, which drift.

Accepted findings stay in every report, marked ``accepted: {reason, source}``, and do not count for
``--fail-on``. What accepts nothing is reported: a malformed annotation entry (K2E-W801), a baseline entry
that matches no finding (K2E-W802, stale) and an annotation entry that matches no finding (K2E-W803).
The 8xx findings themselves cannot be accepted.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from converter.core.codes import CODES
from converter.core.errors import UsageError
from converter.core.findings import Finding, Origin, Severity, make_finding, merge_findings, sort_findings
from converter.read.kubernetes.metadata import ACCEPT_ANNOTATION
from converter.core.record import MutableRecord, Record, set_field
from converter.core.resources import load_schema

BASELINE_FORMAT = "k2ecs-baseline/1"
DEFAULT_BASELINE_FILE = "k2ecs-baseline.json"
_ANNOTATION_PATH = ("metadata", "annotations", ACCEPT_ANNOTATION)
# Patterns, not compiled ones: re compiles (and caches) them only for input with an accept annotation.
_ENTRY = r"(?is)^\s*(K2E-[A-Z]\d{3})\s*=\s*(.*?)\s*$"
_SPLIT = r",\s*(?=[A-Za-z][A-Za-z0-9-]*\s*=)"


class Acceptance(Record):
    reason: str
    source: str  # "annotation" | "baseline"

    def __init__(self, reason: str, source: str) -> None:
        set_field(self, "reason", reason)
        set_field(self, "source", source)


@cache
def _accepted_finding_class() -> type[Finding]:
    """AcceptedFinding, defined when first needed: a dataclass compiles its methods as it is defined
    (0.8 ms of every start-up), and most runs accept nothing."""

    @dataclass(frozen=True, kw_only=True)
    class AcceptedFinding(Finding):
        """A finding that was accepted; it renders with ``accepted: {reason, source}``."""

        accepted: Acceptance

        def as_dict(self) -> dict[str, Any]:
            data = super().as_dict()
            data["accepted"] = {"reason": self.accepted.reason, "source": self.accepted.source}
            return data

    AcceptedFinding.__qualname__ = AcceptedFinding.__name__  # its repr, and pickle through __getattr__ below
    AcceptedFinding.__module__ = __name__
    return AcceptedFinding


def __getattr__(name: str) -> Any:
    if name == "AcceptedFinding":
        return _accepted_finding_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def acceptance(finding: Finding) -> Acceptance | None:
    return getattr(finding, "accepted", None)


def acceptable(code: str) -> bool:
    return not code[5:].startswith("8")


def _accept(finding: Finding, how: Acceptance) -> Finding:
    return _accepted_finding_class()(code=finding.code, severity=finding.severity, resource=finding.resource,
                                     file=finding.file, line=finding.line, path=finding.path, message=finding.message,
                                     suggestion=finding.suggestion, extra=finding.extra, accepted=how)


# -- the baseline file -----------------------------------------------------------------------------

class BaselineEntry(Record):
    code: str
    resource: str
    path: str
    reason: str
    index: int
    line: int | None

    def __init__(self, code: str, resource: str, path: str, reason: str, index: int = 0,
                 line: int | None = None) -> None:
        set_field(self, "code", code)
        set_field(self, "resource", resource)
        set_field(self, "path", path)
        set_field(self, "reason", reason)
        set_field(self, "index", index)
        set_field(self, "line", line)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.resource, self.path)


class Baseline(Record):
    file: str
    entries: tuple[BaselineEntry, ...]

    def __init__(self, file: str, entries: tuple[BaselineEntry, ...]) -> None:
        set_field(self, "file", file)
        set_field(self, "entries", entries)


def read_baseline(file: str) -> Baseline:
    """Read and validate a baseline file; any problem is a usage error (exit status 2)."""
    import jsonschema  # lazy: only a run with a baseline file validates one (jsonschema is a large import)

    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError("baseline file not found (write one with k2ecs baseline)", file=file) from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read the baseline file: {err}", file=file) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(f"the baseline file is not valid JSON: {err.msg}", file=file, line=err.lineno) from None
    problem = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(load_schema("baseline.schema.json")).iter_errors(data))
    if problem is not None:
        where = "/" + "/".join(str(p) for p in problem.absolute_path)
        raise UsageError(f"the baseline file is not a k2ecs baseline: {where}: {problem.message}", file=file)
    lines = _entry_lines(text)
    entries = tuple(
        BaselineEntry(code=item["code"], resource=item["resource"], path=item["path"], reason=item["reason"],
                      index=index, line=lines[index] if index < len(lines) else None)
        for index, item in enumerate(data["accepted"]))
    return Baseline(file=file, entries=entries)


def _entry_lines(text: str) -> list[int | None]:
    """The line of each item of ``accepted`` (JSON is YAML: the YAML composer knows where nodes start)."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "accepted" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def baseline_entries(findings: Iterable[Finding], previous: Baseline | None, reason: str,
                     min_severity: Severity) -> tuple[list[BaselineEntry], dict[str, int]]:
    """The entries of a new baseline: one per (code, resource, path) of the findings at or above
    ``min_severity``, except those an annotation accepts and the 8xx codes. Entries of ``previous``
    that still match keep their reason."""
    kept_reasons = {entry.key: entry.reason for entry in previous.entries} if previous else {}
    entries: dict[tuple[str, str, str], BaselineEntry] = {}
    for finding in findings:
        how = acceptance(finding)
        if finding.severity < min_severity or not acceptable(finding.code) or (how and how.source == "annotation"):
            continue
        key = (finding.code, finding.resource, finding.path)
        if key not in entries:
            entries[key] = BaselineEntry(code=key[0], resource=key[1], path=key[2], reason=kept_reasons.get(key, reason))
    ordered = sorted(entries.values(), key=lambda e: (e.resource, e.path, e.code))
    counts = {"entries": len(ordered), "kept": sum(1 for key in entries if key in kept_reasons),
              "removed": sum(1 for key in kept_reasons if key not in entries)}
    counts["new"] = counts["entries"] - counts["kept"]
    return ordered, counts


def baseline_text(entries: Iterable[BaselineEntry]) -> str:
    """The file, one entry per line: stable, diff-friendly, and valid against schemas/baseline.schema.json."""
    items = [json.dumps({"code": e.code, "resource": e.resource, "path": e.path, "reason": e.reason},
                        ensure_ascii=False) for e in entries]
    body = ",\n    ".join(items)
    accepted = f"[\n    {body}\n  ]" if items else "[]"
    return f'{{\n  "format": "{BASELINE_FORMAT}",\n  "accepted": {accepted}\n}}\n'


def write_baseline(file: str, text: str) -> None:
    """Replace ``file`` in one step (a temporary file beside it, then a rename)."""
    target = Path(file)
    if target.is_dir():
        raise UsageError("the baseline path is a folder", file=file)
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# -- applying acceptance ---------------------------------------------------------------------------

class _AnnotationEntry(MutableRecord):
    code: str
    reason: str
    origin: Origin
    used: bool

    def __init__(self, code: str, reason: str, origin: Origin, used: bool = False) -> None:
        set_field(self, "code", code)
        set_field(self, "reason", reason)
        set_field(self, "origin", origin)
        set_field(self, "used", used)


def _annotation_entries(sources: Iterable[Any], findings: list[Finding]) -> dict[tuple[str, str], dict[str, _AnnotationEntry]]:
    """(file, resource) -> code -> entry, from the accept annotation of each source document.
    Malformed entries become K2E-W801 findings (appended to ``findings``)."""
    table: dict[tuple[str, str], dict[str, _AnnotationEntry]] = {}
    for source in sources:
        reader = source.reader
        value = reader.raw(_ANNOTATION_PATH)
        if value is None:
            continue
        origin = reader.origin(_ANNOTATION_PATH)
        entries = table.setdefault((source.file, source.resource), {})
        for part in re.split(_SPLIT, str(value)):
            if not part.strip():
                continue
            match = re.match(_ENTRY, part)
            code = match[1].upper() if match else None
            problem = None
            if match is None:
                problem = "is not CODE=reason"
            elif not match[2]:
                problem = "has no reason"
            elif code not in CODES:
                problem = f"names {code}, which is not a k2ecs code"
            elif not acceptable(code):
                problem = f"names {code}: 8xx findings cannot be accepted"
            if problem is not None:
                shown = part.strip() if len(part.strip()) <= 60 else part.strip()[:57] + "..."
                findings.append(make_finding("K2E-W801", origin, f"{ACCEPT_ANNOTATION} entry {shown!r} {problem}; it accepts nothing"))
                continue
            entries[code] = _AnnotationEntry(code=code, reason=" ".join(match[2].split()), origin=origin)
    return table


def review(findings: list[Finding], sources: Iterable[Any], baseline: Baseline | None = None, *,
           reuse: bool = False) -> list[Finding]:
    """The findings with accepted ones marked, plus what accepts nothing (8xx), in report order.

    ``sources`` are the conversion's source records (``file``, ``resource`` and the document's ``reader``).
    ``reuse``: the caller gives ``findings`` up; when none can be accepted, it is what is returned (completed
    in place) rather than a copy of it (issue 24: a list of 60,000 at 10 MB, at the run's peak).
    """
    extra: list[Finding] = []
    annotations = _annotation_entries(sources, extra)
    by_key: dict[tuple[str, str, str], list[BaselineEntry]] = {}
    for entry in baseline.entries if baseline else ():
        by_key.setdefault(entry.key, []).append(entry)
    matched: set[int] = set()
    can_accept = bool(annotations or by_key)  # if not, every finding stays as it is (a large run has 200,000)
    reviewed: list[Finding] = [] if can_accept else findings if reuse else list(findings)
    for finding in findings if can_accept else ():
        if not acceptable(finding.code):
            reviewed.append(finding)
            continue
        listed = by_key.get((finding.code, finding.resource, finding.path), [])
        matched.update(entry.index for entry in listed)
        annotated = annotations.get((finding.file, finding.resource), {}).get(finding.code)
        if annotated is not None:
            annotated.used = True
            reviewed.append(_accept(finding, Acceptance(annotated.reason, "annotation")))
        elif listed:
            reviewed.append(_accept(finding, Acceptance(listed[0].reason, "baseline")))
        else:
            reviewed.append(finding)
    for entries in annotations.values():
        for entry in entries.values():
            if not entry.used:
                extra.append(make_finding("K2E-W803", entry.origin,
                                          f"{ACCEPT_ANNOTATION} accepts {entry.code}, but no {entry.code} finding is about {entry.origin.resource}"))
    for entry in baseline.entries if baseline else ():
        if entry.index not in matched:
            origin = Origin(resource=entry.resource, file=baseline.file, line=entry.line, path=f"/accepted/{entry.index}")
            extra.append(make_finding("K2E-W802", origin,
                                      f"stale baseline entry: no {entry.code} finding about {entry.resource} at {entry.path or '/'}"))
    if not _in_order(reviewed):  # sorting makes a key for every finding at once: a large run's peak
        reviewed.extend(extra)
        sort_findings(reviewed)
    elif extra:
        merge_findings(reviewed, extra)
    return reviewed


def _in_order(findings: list[Finding]) -> bool:
    previous = None
    for finding in findings:
        key = finding.sort_key()
        if previous is not None and key < previous:
            return False
        previous = key
    return True
