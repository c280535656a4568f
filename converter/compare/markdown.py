"""The comparison as GitHub-flavoured Markdown, for a pull request description or comment.

Every text from the manifests goes through ``cell``: Markdown and HTML punctuation is backslash-escaped
(so ``<k2ecs:cluster>`` or ``<script>`` stay text, and ``|`` cannot end a table cell) and newlines become
``<br>``. Each workload is a collapsed ``<details>`` block, so a long review stays short on the page.
"""

from __future__ import annotations

import functools
from html import escape
from typing import Any, Callable

from converter.compare.cost import number
from converter.compare.model import Comparison, WorkloadView
from converter.compare.review import review
from converter.compare.rules import STATUS_MEANING, STATUSES, effort_rules, precedence_rule, status_rules
from converter.compare.system import build_graph
from converter.compare.terminal import counts_text

WHOLE_RESOURCE = "(the resource as a whole)"
MAX_CHARS = 60_000  # a summary that fits one GitHub comment (65,536 characters), with room for a header
DECISION_ITEMS = 5


# Markdown and HTML punctuation, each backslash-escaped (the backslash first). A replace per mark present: a
# regex substitution with a template per cell was a fifth of the Markdown view's own time (issue 24).
_SPECIAL = "\\`*_[]<>|~#&!"


def cell(text: object) -> str:
    value = str(text)
    for mark in _SPECIAL:
        if mark in value:
            value = value.replace(mark, "\\" + mark)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "<br>")


def _code(text: str) -> str:
    return f"`{text}`" if text and "`" not in text and "|" not in text and "\n" not in text else cell(text)


# Kept for the run: rows name the same fields section after section (/spec/replicas, taskDefinition.cpu).
_field_code = functools.lru_cache(maxsize=8192)(_code)
_field_cell = functools.lru_cache(maxsize=8192)(cell)


def render(comparison: Comparison) -> str:
    """The whole comparison as one Markdown text, however long."""
    return head(comparison) + "".join(section(view, comparison.source_side, comparison.target_side)
                                      for view in comparison.workloads) + rules()


def render_bounded(comparison: Comparison, max_chars: int = MAX_CHARS,
                   details_name: str | None = None) -> tuple[str, str | None]:
    """(summary, details): a summary of at most ``max_chars`` characters, for a pull-request comment (GitHub
    takes 65,536), and, when the whole comparison does not fit, the details (every section) as a second text,
    which the summary names as ``details_name`` (None: stdout, no second file). The summary keeps the decisions,
    the overview and the rules, then as many sections as fit, in order."""
    pieces: list[str] = []
    summary, fits = write_bounded(comparison, pieces.append, max_chars, details_name)
    return summary, None if fits else "".join(pieces)


def write_bounded(comparison: Comparison, write: Callable[[str], Any], max_chars: int = MAX_CHARS,
                  details_name: str | None = None) -> tuple[str, bool]:
    """render_bounded, with the details (the whole comparison) given to ``write`` piece by piece as each section
    is made, rather than held as one text (issue 24: the details of a large input are several times the input).
    Returns (summary, whether the whole fits ``max_chars``: then the summary is the whole, and what ``write``
    was given is not needed)."""
    bounded = Bounded(max_chars)
    body = head(comparison)
    write(body)
    for view in comparison.workloads:
        text = section(view, comparison.source_side, comparison.target_side)
        write(text)
        bounded.add(text)
    tail = rules()
    write(tail)
    return bounded.summary(body, tail, details_name)


class Bounded:
    """The sections a bounded summary may show, added as each is made, before the head is known: the summary
    shows as many sections as fit, in order, so only the first ones whose text adds up to at most ``max_chars``
    can be shown, and only those are kept (issue 24: the head counts the whole input, so it is written after
    the sections, and the sections of a large input are several times the input)."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self.kept: list[str] = []
        self.kept_chars = 0
        self.sections = 0
        self.chars = 0  # of every section
        self.keeping = True

    def add(self, text: str) -> None:
        self.sections += 1
        self.chars += len(text)
        if self.keeping and self.kept_chars + len(text) <= self.max_chars:
            self.kept.append(text)
            self.kept_chars += len(text)
        else:
            self.keeping = False

    def summary(self, body: str, tail: str, details_name: str | None = None) -> tuple[str, bool]:
        """(summary, whether the whole fits: then the summary is the whole) of the head ``body``, the sections
        added and the rules ``tail``."""
        where = f"`{details_name}`" if details_name is not None else "the full Markdown (--markdown FILE writes it)"
        max_chars = self.max_chars
        if len(body) + self.chars + len(tail) <= max_chars:  # then every section was kept
            return body + "".join(self.kept) + tail, True
        shown = 0
        for text in self.kept:  # a section past them makes the sections alone longer than max_chars
            note = _more_note(self.sections - shown - 1, where)
            if len(body) + len(text) + len(note) + len(tail) > max_chars:
                break  # as many sections as fit, in order: none after the first that does not
            body += text
            shown += 1
        body += _more_note(self.sections - shown, where)
        if len(body) + len(tail) <= max_chars:
            body += tail
        return _cut_to(body, max_chars, where), False


def _more_note(hidden: int, where: str) -> str:
    if hidden <= 0:
        return ""
    return f"\n**{hidden} more section(s) did not fit in one comment:** every section is in {where}.\n\n"


def _cut_to(text: str, max_chars: int, where: str) -> str:
    """``text`` cut at a line end so that it and a closing note fit ``max_chars`` (an input with thousands of
    workloads has an overview table longer than a comment)."""
    if len(text) <= max_chars:
        return text
    note = f"\n\n**Cut at {max_chars:,} characters:** the rest is in {where}.\n"
    cut = text.rfind("\n", 0, max_chars - len(note))
    return text[: max(cut, 0)] + note


def head(comparison: Comparison) -> str:
    """The title, decisions, overview and cost, before the sections (the rows of a section are not read: a
    comparison whose views dropped their rows gives the same head)."""
    lines = [f"## k2ecs compare: {comparison.source_side} → {comparison.target_side}", ""]
    lines.append(f"**Whole input:** {counts_text(comparison.counts)}; effort about "
                 f"**{number(comparison.effort_hours)} h** (rule below).")
    lines.append("")
    lines += _decisions(comparison)
    lines += ["| Section | Resource | " + " | ".join(s.capitalize() for s in STATUSES) + " | Effort (h) |",
              "| --- | --- | " + " | ".join("---:" for _ in STATUSES) + " | ---: |"]
    for view in comparison.workloads:
        lines.append(f"| {cell(view.workload.name)} | {cell(view.workload.resource)} | "
                     + " | ".join(str(view.counts[s]) for s in STATUSES) + f" | {number(view.effort_hours)} |")
    lines.append("")
    lines += _cost(comparison)
    return "\n".join(lines) + "\n"


def _decisions(comparison: Comparison) -> list[str]:
    """What a reviewer must decide, first (the same lists as the HTML page's "Decide first")."""
    found = review(comparison, build_graph(comparison, comparison.calls))
    lines = ["### Decide first", ""]
    for title, items in found.decisions:
        lines.append(f"- **{cell(title)}: {len(items)}**")
        lines += [f"  - {cell(item.text)}" for item in items[:DECISION_ITEMS]]
        if len(items) > DECISION_ITEMS:
            lines.append(f"  - and {len(items) - DECISION_ITEMS} more")
    created = "; ".join(f"{cell(title)} {len(items)}" for title, items in found.resources)
    lines += ["", f"**AWS resources to create:** {created or 'none found in the payloads'}.", ""]
    return lines


def _cost(comparison: Comparison) -> list[str]:
    sketch = comparison.cost
    if not sketch.lines:
        return []
    caption = cell(sketch.caption) + (" " + cell(sketch.region_note) if sketch.region_note else "")
    lines = ["### Cost sketch (an estimate)", "", caption,
             "", "| Service | Task size | Prices | Scenario | Tasks | vCPU-hours/month | GB-hours/month | "
             f"{sketch.currency}/month |", "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for line in sketch.lines.values():
        if not line.scenarios:
            lines.append(f"| {cell(line.workload)} | | not priced: {cell(line.note)} | | | | | |")
            continue
        for scenario in line.scenarios:
            lines.append(f"| {cell(line.workload)} | {number(line.vcpu)} vCPU, {number(line.memory_gb)} GB | "
                         f"{cell(line.platform)} | {scenario.label} | {scenario.tasks} | {number(scenario.vcpu_hours)} | "
                         f"{number(scenario.gb_hours)} | {scenario.cost} |")
    if any(line.scenarios for line in sketch.lines.values()):
        for total in sketch.totals:
            lines.append(f"| **all priced services** | | | {total.label} | {total.tasks} | {number(total.vcpu_hours)} | "
                         f"{number(total.gb_hours)} | **{total.cost}** |")
    lines += ["", "Price table: " + "; ".join(f"{cell(label)} {sketch.currency} {number(vcpu)} per vCPU-hour and "
                                               f"{number(gb)} per GB-hour" for label, vcpu, gb in sketch.price_rows)
              + f" ({cell(sketch.region)}, read {cell(sketch.date)}). {cell(sketch.description)}", "",
              "Sources: " + "; ".join(f"[{cell(source['title'])}]({source['url']})" for source in sketch.sources), ""]
    return lines


def section(view: WorkloadView, source: str, target: str) -> str:
    """One workload's section, a collapsed <details> block (``source``, ``target``: the sides' names)."""
    workload = view.workload
    # <summary> is raw HTML to GitHub (Markdown escapes are not read there), so it is HTML-escaped.
    title = f"<b>{escape(workload.name)}</b> ({escape(workload.resource)}): {counts_text(view.counts)}; " \
            f"effort {number(view.effort_hours)} h"
    lines = ["<details>", f"<summary>{title}</summary>", ""]
    if workload.is_workload and not workload.converted:
        lines += ["Not converted: the error findings below say why.", ""]
    documents = ", ".join(f"{cell(s.resource)} ({cell(s.file)}" + (f":{s.line})" if s.line is not None else ")")
                          for s in workload.sources)
    if documents:
        lines += [f"Documents: {documents}.", ""]
    lines += [f"| Status | {source} resource | {source} field | {source} value | {target} field | {target} value | "
              "Finding | Suggestion |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in view.rows:
        where = "" if row.source_line is None else f"<br>line {row.source_line}"
        findings = "<br>".join(f"{_code(f.code)} {cell(f.message)}" + (" (accepted)" if getattr(f, "accepted", None) else "")
                               for f in row.findings)
        suggestions = "<br>".join(dict.fromkeys(cell(f.suggestion) for f in row.findings))
        lines.append(f"| {row.status} | {cell(row.source_resource)}{where} | "
                     f"{_field_code(row.source_field) if row.source_field else cell(WHOLE_RESOURCE)} | "
                     f"{cell(row.source_value)} | {_field_cell(row.target_field)} | {cell(row.target_value)} | "
                     f"{findings} | {suggestions} |")
    lines += ["", "</details>", ""]
    return "\n".join(lines) + "\n"


def rules() -> str:
    """How statuses and effort are decided, after the sections."""
    lines = ["### How statuses and effort are decided", ""]
    lines += [f"- **{status}**: {cell(STATUS_MEANING[status])}" for status in STATUSES]
    lines += ["", "| When a row has | Status |", "| --- | --- |"]
    lines += [f"| {cell(condition)} | {status} |" for condition, status in status_rules()]
    lines += ["", cell(precedence_rule()), "", "Effort estimate: the sum over rows of these hours per row.", "",
              "| Status | Highest finding severity in the row | Hours per row |", "| --- | --- | ---: |"]
    lines += [f"| {status} | {severity} | {number(hours)} |" for status, severity, hours in effort_rules()]
    lines.append("")
    return "\n".join(lines) + "\n"
