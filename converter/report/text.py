"""The report as text for a person (stderr by default): grouped, errors first, with a table per code.

- Findings are grouped by resource (a workload's Deployment, its Service, its HPA), the groups with errors
  first, then in input order; in a group, errors first. Each finding line stays ``file:line: severity CODE
  resource path: message`` so editors and grep still read it.
- A setting the whole run lacks (RUN_WIDE_CODES: subnets, execution role, region, ...) reported for several
  workloads is one line for the run, naming the workloads, not one finding per workload.
- ``verbose``: each finding also says why (its code's explanation from converter.core.codes), as ``k2ecs explain`` would.
- ``quiet``: only the table per code and the summary line. ``ignore``: codes left out of this view, their
  count still shown (as hadolint's and cfn-lint's --ignore); they still count for --fail-on (accept a
  finding with a baseline to change that), and json, sarif and junit keep every finding.
- ``color``: severities and group titles coloured (the CLI decides, converter.console.use_color).

Findings are made into dicts one at a time as they are written (a large run holds 200,000).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterable, Iterator, TextIO

from converter.core.codes import CODES
from converter.core.errors import UsageError
from converter.core.findings import Finding
from converter.report.canonical import finding_dict
from converter.report.printable import escape_controls

# Settings no manifest carries, reported once per workload by the conversion: one line per run here.
RUN_WIDE_CODES = ("K2E-W601", "K2E-W602", "K2E-W604", "K2E-W606", "K2E-W607")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
COLOURS = {"error": "1;31", "warning": "33", "info": "36", "title": "1", "muted": "2"}
NAMES_SHOWN = 6
CHUNK_LINES = 4096


@dataclass(frozen=True)
class TextOptions:
    quiet: bool = False
    verbose: bool = False
    ignore: frozenset[str] = frozenset()
    color: bool = False


def write_grouped(report: dict[str, Any], handle: TextIO, options: TextOptions = TextOptions()) -> None:
    raw, make = _entries(report["findings"])
    # Findings the report makes into dicts by Finding.as_dict are written from their fields, not from a dict
    # made and then copied for each (60,000 findings at 10 MB: issue 24).
    direct = getattr(report["findings"], "make", None) is finding_dict
    # The fields the grouping and the table read, each read once or twice per finding (they were read up to
    # six times each, through _field: issue 24, the text report was 7% of a 10 MB convert). The groups hold
    # the findings themselves, not their indexes: past 256 an index is an int object of its own, and the lists
    # of indexes (the shown ones, sorted, grouped, ordered) were 3 MB of a 10 MB convert's peak (issue 24).
    code_of, severity_of, place = _accessors(raw)
    paint = _painter(options.color)
    counts: Counter[str] = Counter()
    severity: dict[str, str] = {}  # the last finding's, for the table per code
    ignored: Counter[str] = Counter()
    run_wide: dict[str, list[Any]] = {}
    for item in raw:
        code = code_of(item)
        counts[code] += 1
        severity[code] = severity_of(item)
        if code in options.ignore:
            ignored[code] += 1
        elif code in RUN_WIDE_CODES:
            run_wide.setdefault(code, []).append(item)
    for code, items in list(run_wide.items()):
        if len({place(item)[0] for item in items}) < 2:  # one workload: its own finding line
            del run_wide[code]
    lines: list[str] = []

    def flush() -> None:
        if lines:
            handle.write("\n".join(lines) + "\n")
            lines.clear()

    if not options.quiet:
        for group in _groups(raw, lambda code: code in options.ignore or code in run_wide, code_of, severity_of, place):
            first = make(group[0])
            group_counts = Counter(severity_of(item) for item in group)
            where = first["file"] if first["line"] is None else f"{first['file']}:{first['line']}"
            title = f"== {first['resource']} ({where}): " + ", ".join(
                f"{group_counts[s]} {s}" for s in SEVERITY_ORDER if group_counts[s])
            lines.append(paint(title, "title"))
            for item in group:
                if direct and item.__class__ is Finding:
                    lines += _lines_of(item, paint, options.verbose)
                else:
                    lines += _finding_lines(make(item), paint, verbose=options.verbose)
                if len(lines) > CHUNK_LINES:
                    flush()
            lines.append("")
        for code, items in run_wide.items():
            lines += _run_wide_lines(code, [make(item) for item in items], paint)
        if run_wide:
            lines.append("")
    lines += _code_table(counts, severity, ignored, paint)
    s = report["summary"]
    accepted = f"; {s['accepted']} accepted (not counted for --fail-on)" if s.get("accepted") else ""
    lines.append(f"k2ecs: {s['workloads']} workload(s) converted from {s['resources']} resource(s); "
                 f"{s['errors']} error(s), {s['warnings']} warning(s), {s['info']} info{accepted}")
    flush()


def _entries(findings: Any) -> tuple[Any, Callable[[Any], dict[str, Any]]]:
    """(the findings as held, a function making one of them a report dict with printable text)."""
    items = getattr(findings, "items", None)
    make = getattr(findings, "make", None)
    if isinstance(items, list) and make is not None:  # jsontext.LazyList over Finding objects
        return items, lambda item: _printable(make(item))
    return list(findings), _printable


_TEXT_FIELDS = ("file", "resource", "path", "message", "suggestion")


def _printable(finding: dict[str, Any]) -> dict[str, Any]:
    """The finding with every text from the input escaped (converter.report.printable): a newline and "::error ...::"
    in a key must not become a CI workflow command, nor ESC erase the terminal. Escaped per field, so the
    colours this view adds stay colours."""
    # Most findings have nothing to escape: one isprintable() over the texts joined says so (a text that is
    # printable has no character escape_controls escapes), and the finding is shown as it is, not copied.
    texts = [finding.get(name) for name in _TEXT_FIELDS]
    if finding.get("accepted") is None and all(text.__class__ is str for text in texts) and "".join(texts).isprintable():
        return finding
    shown = dict(finding)
    for name in _TEXT_FIELDS:
        if isinstance(shown.get(name), str):
            shown[name] = escape_controls(shown[name])
    accepted = shown.get("accepted")
    if isinstance(accepted, dict):
        shown["accepted"] = {key: escape_controls(value) if isinstance(value, str) else value
                             for key, value in accepted.items()}
    return shown


def _accessors(raw: list[Any]) -> tuple[Callable[[Any], str], Callable[[Any], str], Callable[[Any], tuple[str, str]]]:
    """How to read the code, the severity label and the (resource, file) of one finding (a report dict or a
    Finding) of ``raw``."""
    if all(item.__class__ is dict for item in raw):
        return itemgetter("code"), itemgetter("severity"), itemgetter("resource", "file")
    if not any(isinstance(item, dict) for item in raw):
        return attrgetter("code"), lambda item: item.severity.label, attrgetter("resource", "file")
    return (lambda item: _field(item, "code"), lambda item: _field(item, "severity"),
            lambda item: (_field(item, "resource"), _field(item, "file")))


def _field(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item[name]
    value = getattr(item, name)
    return value.label if name == "severity" else value


def _painter(color: bool) -> Callable[[str, str], str]:
    if not color:
        return lambda text, kind: text
    return lambda text, kind: f"\x1b[{COLOURS[kind]}m{text}\x1b[0m"


def _groups(raw: list[Any], hidden: Callable[[str], bool], code_of: Callable[[Any], str],
            severity_of: Callable[[Any], str], place: Callable[[Any], tuple[str, str]]) -> Iterator[list[Any]]:
    """The findings not ``hidden`` (by their code) grouped by (resource, file), the groups with errors first,
    then in input order (of their first finding); errors first within a group, then in input order."""
    # In the order of each group's first finding; keyed by the resource alone in the file of the first finding
    # shown (a bundle's only file, mostly), not a (resource, file) tuple kept for each of its thousands of
    # groups (issue 24: 0.5 MB at a 10 MB convert's peak). A str key never equals a tuple key.
    groups: dict[Any, list[Any]] = {}
    first_file = None
    for item in raw:
        if not hidden(code_of(item)):
            resource, file = place(item)
            if first_file is None:
                first_file = file
            groups.setdefault(resource if file == first_file else (resource, file), []).append(item)
    ordered = sorted(groups.values(), key=lambda group: all(severity_of(item) != "error" for item in group))
    del groups
    for group in ordered:
        yield sorted(group, key=lambda item: SEVERITY_ORDER[severity_of(item)])


def _finding_lines(finding: dict[str, Any], paint: Callable[[str, str], str], *, verbose: bool = False) -> list[str]:
    where = finding["file"] if finding["line"] is None else f"{finding['file']}:{finding['line']}"
    severity = paint(finding["severity"], finding["severity"])
    lines = [f"{where}: {severity} {finding['code']} {finding['resource']} {finding['path'] or '/'}: "
             f"{finding['message']}", f"    -> {finding['suggestion']}"]
    if finding.get("accepted"):
        lines.append(f"    accepted ({finding['accepted']['source']}): {finding['accepted']['reason']}")
    if verbose:
        info = CODES.get(finding["code"])
        if info is not None:
            lines.append(f"    why: {info.explanation}")
    return lines


def _lines_of(finding: Finding, paint: Callable[[str, str], str], verbose: bool) -> list[str]:
    """_finding_lines(_printable(finding.as_dict())), read from the finding's fields (a Finding, not a subclass)."""
    file, resource, path, message, suggestion = (finding.file, finding.resource, finding.path, finding.message,
                                                 finding.suggestion)
    if not (file.__class__ is str and resource.__class__ is str and path.__class__ is str
            and message.__class__ is str and suggestion.__class__ is str
            and (file + resource + path + message + suggestion).isprintable()):
        return _finding_lines(_printable(finding.as_dict()), paint, verbose=verbose)
    where = file if finding.line is None else f"{file}:{finding.line}"
    label = finding.severity.label
    lines = [f"{where}: {paint(label, label)} {finding.code} {resource} {path or '/'}: {message}",
             f"    -> {suggestion}"]
    if verbose:
        info = CODES.get(finding.code)
        if info is not None:
            lines.append(f"    why: {info.explanation}")
    return lines


def _run_wide_lines(code: str, findings: list[dict[str, Any]], paint: Callable[[str, str], str]) -> list[str]:
    info = CODES[code]
    names = list(dict.fromkeys(f["resource"] for f in findings))
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
    severity = findings[0]["severity"]
    accepted = sum(1 for f in findings if f.get("accepted"))
    note = f"; {accepted} accepted" if accepted else ""
    return [f"whole run: {paint(severity, severity)} {code} {info.title} for {len(names)} workload(s){note}: {shown}",
            f"    -> {info.suggestion}"]


def _code_table(counts: Counter[str], severity: dict[str, str], ignored: Counter[str],
                paint: Callable[[str, str], str]) -> list[str]:
    """``counts``: findings per code; ``severity``: the severity label of each code's last finding."""
    if not counts:
        return []
    rows = sorted(counts, key=lambda code: (SEVERITY_ORDER[severity[code]], -counts[code], code))
    width = max(len(code) for code in rows)
    lines = [paint("Findings by code (count, title):", "title")]
    for code in rows:
        title = CODES[code].title if code in CODES else ""
        mark = " (ignored)" if code in ignored else ""
        lines.append(f"  {code:<{width}}  {paint(f'{severity[code]:<7}', severity[code])}  {counts[code]:>6}  "
                     f"{title}{mark}")
    if ignored:
        lines.append(f"{sum(ignored.values())} finding(s) not shown (--ignore): "
                     + ", ".join(f"{code} x{count}" for code, count in sorted(ignored.items())))
    return lines


def parse_codes(values: Iterable[str]) -> frozenset[str]:
    """--ignore values (repeated or comma-separated, with or without the K2E- prefix) as registered codes."""
    found = set()
    for value in values:
        for part in value.split(","):
            code = part.strip().upper()
            if not code:
                continue
            code = code if code.startswith("K2E-") else "K2E-" + code
            if code not in CODES:
                raise UsageError(f"--ignore {part.strip()}: no such finding code (k2ecs explain CODE describes one)")
            found.add(code)
    return frozenset(found)
