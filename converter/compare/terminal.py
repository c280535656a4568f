"""The comparison as a terminal table that fits ``width`` columns (the CLI passes the terminal's, see
converter.console; 100 by default here). ``only_changes`` leaves out the rows that map exactly (status
mapped, no finding) and says how many each section hid.

Plain text when ``color`` is False (the command passes False when stdout is not a terminal or NO_COLOR is
set): no escape sequence at all, and control characters from the manifests are shown escaped, so a
value cannot move the cursor or recolour the screen. Long values wrap, then are cut with "...".
"""

from __future__ import annotations

import functools
import re
from itertools import zip_longest
from typing import Iterator

from converter.compare.cost import number
from converter.compare.model import Comparison, Row, WorkloadView
from converter.compare.rules import EFFORT_HOURS, MAPPED, STATUS_MEANING, STATUSES, precedence_rule
from converter.report.printable import escape_controls

STATUS_WIDTH = 12
FIELD_LINES, VALUE_LINES, NOTE_LINES = 2, 3, 4
COLORS = {"mapped": "32", "approximated": "33", "needs input": "36", "not mapped": "31"}
ELLIPSIS = "..."
_NO_STATUS = " " * STATUS_WIDTH  # the status column of a row's second and later lines
WHOLE_RESOURCE = "(the resource as a whole)"


def render(comparison: Comparison, *, width: int = 100, color: bool = False, only_changes: bool = False) -> str:
    return "".join(chunks(comparison, width=width, color=color, only_changes=only_changes))


def chunks(comparison: Comparison, *, width: int = 100, color: bool = False,
           only_changes: bool = False) -> Iterator[str]:
    """render's text in pieces (the head, each section, the rules), for the command to write as they are made:
    the table of a large input is several times the input, and holding its lines and then the joined text
    was most of compare's peak memory (issue 24)."""
    yield head(comparison, width)
    for view in comparison.workloads:
        yield section(view, comparison.source_side, comparison.target_side, width=width, color=color,
                      only_changes=only_changes)
    yield tail(width)


def head(comparison: Comparison, width: int = 100) -> str:
    """The lines before the sections: the whole input's counts and effort, and the cost sketch (the rows of a
    section are not read: a comparison whose views dropped their rows gives the same head)."""
    side = f"{comparison.source_side} -> {comparison.target_side}"
    out = _wrap(f"k2ecs compare ({side}): {len(comparison.workloads)} section(s). "
                f"Whole input: {counts_text(comparison.counts)}; effort about {number(comparison.effort_hours)} h.", width)
    out += _cost_lines(comparison, width)
    return _joined(out)


def section(view: WorkloadView, source_side: str, target_side: str, *, width: int = 100, color: bool = False,
            only_changes: bool = False) -> str:
    """One workload's section: its title and its rows' table."""
    paint = (lambda text, code: f"\x1b[{code}m{text}\x1b[0m") if color else (lambda text, code: text)
    left = (width - STATUS_WIDTH - 1 - 3) // 2
    right = width - STATUS_WIDTH - 1 - 3 - left
    out = [""]
    title = f"== {view.workload.name} ({view.workload.resource}): {counts_text(view.counts)}; " \
            f"effort {number(view.effort_hours)} h"
    out += [paint(line, "1") for line in _wrap(clean(title), width)]
    if view.workload.is_workload and not view.workload.converted:
        out += _wrap("not converted: the error findings below say why", width)
    rows = [row for row in view.rows if not (only_changes and exact(row))]
    if len(rows) < len(view.rows):
        out += _wrap(f"({len(view.rows) - len(rows)} row(s) that map exactly not shown: --only all shows them)",
                     width)
    if rows:
        out.append(f"{'STATUS':<{STATUS_WIDTH}} {source_side.upper():<{left}} | {target_side.upper()}")
        out.append(f"{'-' * STATUS_WIDTH} {'-' * left}-+-{'-' * right}")
        out += _rows(rows, left, right, width, paint)
    return _joined(out)


def tail(width: int = 100) -> str:
    """The rules after the sections."""
    out = [""]
    out += _wrap("Status rule: " + "; ".join(f"{status} = {meaning}" for status, meaning in _meanings()) + ". "
                 + precedence_rule(), width)
    out += _wrap("Effort rule (hours per row): " + effort_text() + ".", width)
    return _joined(out)


def _joined(lines: list[str]) -> str:
    """Lines as one piece of the text, each ending in a newline (the pieces joined are render's text)."""
    return "\n".join(lines) + "\n" if lines else ""


def _meanings() -> list[tuple[str, str]]:
    return [(status, STATUS_MEANING[status]) for status in STATUSES]


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[status]} {status}" for status in STATUSES)


def effort_text() -> str:
    parts = []
    for status in STATUSES:
        table = EFFORT_HOURS[status]
        extra = [f"{number(hours)} if the worst finding is {severity}" for severity, hours in table.items()
                 if severity != "default"]
        parts.append(f"{status} {number(table['default'])}" + (f" ({', '.join(extra)})" if extra else ""))
    return "; ".join(parts)


def _cost_lines(comparison: Comparison, width: int) -> list[str]:
    sketch = comparison.cost
    priced = [line for line in sketch.lines.values() if line.scenarios]
    if not sketch.lines:
        return []
    out = _wrap(f"Cost sketch. {sketch.caption} {sketch.region_note}".strip(), width)
    for line in sketch.lines.values():
        if not line.scenarios:
            out += _wrap(f"  {clean(line.workload)}: not priced ({line.note})", width)
            continue
        parts = [f"{s.label} {s.tasks} task(s) {number(s.vcpu_hours)} vCPU-h, {number(s.gb_hours)} GB-h, "
                 f"{sketch.currency} {s.cost}" for s in line.scenarios]
        out += _wrap(f"  {clean(line.workload)} ({number(line.vcpu)} vCPU, {number(line.memory_gb)} GB, "
                     f"{line.platform}): " + "; ".join(parts), width, indent="    ")
    if priced:
        totals = "; ".join(f"{s.label} {sketch.currency} {s.cost}" for s in sketch.totals)
        out += _wrap(f"  All priced services per month: {totals}", width, indent="    ")
    return out


def exact(row: Row) -> bool:
    """A row that maps exactly: carried with the same meaning, and nothing said about it."""
    return row.status == MAPPED and not row.findings


def _rows(rows: list[Row], left: int, right: int, width: int, paint) -> list[str]:
    out: list[str] = []
    resource = None
    for row in rows:
        if row.source_resource != resource:
            resource = row.source_resource
            where = row.source_file if row.source_line is None else f"{row.source_file}:{row.source_line}"
            out += _wrap(f"-- {clean(resource)} ({clean(where)})", width)
        left_lines = _cell(row.source_field or WHOLE_RESOURCE, row.source_value, left)
        right_lines = _cell(row.target_field, row.target_value, right)
        status = paint(f"{row.status:<{STATUS_WIDTH}}", COLORS[row.status])
        for text_left, text_right in zip_longest(left_lines, right_lines, fillvalue=""):
            out.append(f"{status} {text_left:<{left}} | {text_right}".rstrip())
            status = _NO_STATUS
        out += _notes(row, width)
    return out


def _notes(row: Row, width: int) -> list[str]:
    indent = " " * (STATUS_WIDTH + 1)
    out: list[str] = []
    for finding in row.findings:
        accepted = " (accepted)" if getattr(finding, "accepted", None) is not None else ""
        text = f"{finding.code} {finding.severity.label}{accepted}: {clean(finding.message)}"
        out += _wrap(text, width, first=indent, indent=indent + "  ", limit=NOTE_LINES)
        out += _suggestion_lines(finding.suggestion, width)
    return out


@functools.lru_cache(maxsize=4096)
def _suggestion_lines(suggestion: str, width: int) -> tuple[str, ...]:
    """A finding's suggestion as _notes shows it, kept for the run: a code's suggestion is the same on every row
    it explains, and it was cleaned, split and joined again for each row (issue 24)."""
    indent = " " * (STATUS_WIDTH + 1)
    return tuple(_wrap(f"-> {clean(suggestion)}", width, first=indent + "  ", indent=indent + "     ",
                       limit=NOTE_LINES))


def _cell(field: str, value: str, width: int) -> list[str]:
    lines = list(_field_lines(field, width))
    if value:
        lines += _wrap("= " + clean(value), width, indent="  ", limit=VALUE_LINES)
    return lines


@functools.lru_cache(maxsize=8192)
def _field_lines(field: str, width: int) -> tuple[str, ...]:
    """A field's lines, kept for the run: rows name the same fields section after section (/spec/replicas)."""
    return tuple(_wrap_path(clean(field), width, limit=FIELD_LINES))


def _wrap(text: str, width: int, *, first: str = "", indent: str = "", limit: int | None = None) -> list[str]:
    """Words filled into lines of ``width``. A word longer than a line (an ARN, a URL, compact JSON) is broken
    after its punctuation (/ . : ; , = & ? -), never inside a name; only a piece with no punctuation that is
    still longer than a line is cut where the line ends."""
    if (text and len(first) + len(text) <= width and text.isprintable() and "  " not in text
            and text[0] != " " and text[-1] != " "):
        # It fits one line and split-and-join would give it back as it is: its only whitespace is single ASCII
        # spaces between words (isprintable is False for every other space and for line breaks). Most cells.
        return [first + text]
    words = text.split()
    if not words:
        return [first.rstrip()]
    whole = " ".join(words)
    if len(first) + len(whole) <= width:  # the common case: it fits one line
        return [first + whole]
    return list(_filled(whole, width, first, indent, limit))


@functools.lru_cache(maxsize=4096)
def _filled(whole: str, width: int, first: str, indent: str, limit: int | None) -> tuple[str, ...]:
    """_wrap of a text longer than one line. Kept for the run: a finding's suggestion is the same on every row
    of its code, and filling it again for each row was most of the terminal view's own time (issue 24)."""
    words = whole.split(" ")
    lines: list[str] = []
    current, empty = first, True
    room = max(width - len(indent), 1)
    length = len(first)  # len(current), kept as a number: most words take the first branch below
    for word in words:
        size = len(word)
        if size <= room and not empty:
            if length + 1 + size <= width:
                current += " " + word
                length += 1 + size
                continue
            lines.append(current.rstrip())
            current = indent + word
            length = len(current)
            if limit is not None and len(lines) >= limit:
                return tuple(_cut(lines, width))
            continue
        for index, piece in enumerate((word,) if size <= room else _pieces(word, room)):
            gap = "" if empty or index > 0 else " "
            if len(current) + len(gap) + len(piece) <= width:
                current += gap + piece
            elif empty:  # a piece longer than the whole line (cut by _pieces to fit an indented line)
                current += piece
            else:
                lines.append(current.rstrip())
                current = indent + piece
                if limit is not None and len(lines) >= limit:
                    # Lines past the limit are cut anyway: a 2,000-character value is not filled to the end.
                    return tuple(_cut(lines, width))
            empty = False
        length = len(current)
    lines.append(current.rstrip())
    if limit is not None and len(lines) > limit:
        return tuple(_cut(lines[:limit], width))
    return tuple(lines)


def _cut(lines: list[str], width: int) -> list[str]:
    """The lines kept, the last ending in "..." (there was more)."""
    last = lines[-1]
    lines[-1] = (last[: width - len(ELLIPSIS)] if len(last) + len(ELLIPSIS) > width else last) + ELLIPSIS
    return lines


def _pieces(word: str, room: int) -> list[str]:
    if len(word) <= room:
        return [word]
    out = []
    for piece in re.split(r"(?<=[/.:;,=&?-])", word):
        while len(piece) > room:
            out.append(piece[:room])
            piece = piece[room:]
        if piece:
            out.append(piece)
    return out


def _wrap_path(text: str, width: int, *, limit: int) -> list[str]:
    """A JSON Pointer or a target path, broken after / . ; or a space rather than inside a name."""
    if len(text) <= width:  # the common case, and what the loop below gives for it
        return [text.rstrip()]
    lines, current = [], ""
    for token in re.split(r"(?<=[/.; ])", text):
        while len(token) > width:  # a single name longer than the column
            if current:
                lines.append(current)
                current = ""
            lines.append(token[:width])
            token = token[width:]
        if len(current) + len(token) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current:
        lines.append(current.rstrip())
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][: width - len(ELLIPSIS)] + ELLIPSIS
    return lines or [""]


def clean(text: str) -> str:
    """Control and format characters (escape sequences, bidi overrides, newlines) shown as escapes."""
    return escape_controls(text)
