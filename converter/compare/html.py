"""The comparison as one self-contained HTML page (templates/compare.html.j2).

Self-contained: the CSS and the script are inline, nothing is fetched (a Content-Security-Policy in the
page forbids it), so the file works offline and from a CI artifact. Autoescaping is on for every value,
and nothing from the manifests is put in a script or an attribute the browser would run. jinja2 is
imported with this module, which only `k2ecs compare --html` imports (converter/commands/compare.py).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from converter import __version__
from converter.compare.diagram import render_svg
from converter.compare.review import review
from converter.compare.cost import number
from converter.compare.model import Comparison, LazyTexts, Row, WorkloadView
from converter.compare.system import build_graph, section_id
from converter.compare.rules import STATUS_MEANING, STATUSES, effort_rules, precedence_rule, status_rules
from converter.core.resources import templates_dir

TEMPLATE = "compare.html.j2"
WHOLE_RESOURCE = "(the resource as a whole)"


def _escape(text: str) -> str:
    """markupsafe.escape's text for a str (the same five characters, the same entities), without making a
    Markup object per cell: a row's cells are joined into one string (rows_html)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;") \
        .replace('"', "&#34;")


@functools.lru_cache(maxsize=8192)
def _breakable(text: str) -> str:
    """The text HTML-escaped, with a line-break opportunity after each / and . of a long path. Kept for the run:
    rows name the same fields section after section (/spec/replicas, taskDefinition.cpu)."""
    return _escape(text).replace("/", "/<wbr>").replace(".", ".<wbr>")


def rows_html(rows: Iterable[Row]) -> str:
    """The table rows of a section, every value escaped, as the template once wrote them cell by cell.

    Made here, one string per row, because the template's per-cell work (an attribute lookup, an escape and a
    Markup object for each of about twenty values a row) was a quarter of `compare --html` (issue 24)."""
    out = []
    kept = _kept
    for row in rows:
        status = kept(row.status)
        state = kept(slug(row.status))
        line = f" · line {row.source_line}" if row.source_line else ""
        findings = "".join(
            f'            <div class="finding"><code class="code {kept(f.severity.label)}">{kept(f.code)}</code> '
            f'{_escape(f.message)}{_ACCEPTED if getattr(f, "accepted", None) is not None else ""}'
            f'            <div class="suggestion">{_ARROW} {kept(f.suggestion)}</div></div>\n'
            for f in row.findings) if row.findings else ""
        out.append(
            f'        <tr data-status="{state}">\n'
            f'          <td><span class="pill {state}">{status}</span></td>\n'
            f'          <td><span class="res">{kept(row.source_resource)}{line}</span>'
            f'<code>{_breakable(row.source_field or WHOLE_RESOURCE)}</code></td>\n'
            f'          <td class="value">{_escape(row.source_value)}</td>\n'
            f'          <td><code>{_breakable(row.target_field)}</code></td>\n'
            f'          <td class="value">{_escape(row.target_value)}</td>\n'
            f'          <td>\n{findings}          </td>\n'
            f'        </tr>')
    return "\n".join(out)


# _escape of the texts rows repeat (statuses, resources, codes, a code's suggestion), kept for the run.
_kept = functools.lru_cache(maxsize=8192)(_escape)


class _Rows:
    """A section's rows, written when the template prints them (markupsafe calls ``__html__``): each
    section's string lives only until the page's pieces are joined, not from page() to the end."""

    def __init__(self, rows: tuple[Row, ...]) -> None:
        self.rows = rows

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __html__(self) -> str:
        return rows_html(self.rows)


_ACCEPTED = ' <span class="tag">accepted</span>'
# "→" as a character reference: the browser shows the same arrow, and the rows' strings stay one byte a
# character (CPython stores a string with any character past U+00FF at two bytes each, and the rows of a
# large input are the size of the page).
_ARROW = "&rarr;"


def slug(status: str) -> str:
    return status.replace(" ", "-")


class _Text:
    """A source or payload pane, made and escaped when the template prints it, and not kept: the page's panes
    are about the input's size and more, and making them all in page() held them all until the page was
    written (issue 24)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __html__(self) -> str:
        return _escape(self.make())


def render(comparison: Comparison) -> str:
    return "".join(chunks(comparison))


def chunks(comparison: Comparison) -> Iterator[str]:
    """render's text in pieces as the template makes them, for the command to write as they come."""
    writer = Page(comparison.source_side, comparison.target_side, comparison.source_format,
                  comparison.target_format, comparison.cost.currency)
    head, tail = writer.ends(comparison)
    yield from head
    for index, view in enumerate(comparison.workloads):
        yield from writer.section(index, view)
    yield from tail


class Page:
    """The page a piece at a time, from the template's three blocks: each section as its workload's rows are
    made (``section``), then the head and the tail (``ends``), whose counts are the whole input's. A command
    writes the sections aside and the head before them (issue 24: holding every workload's rows until the
    head could be written was most of compare's peak memory).

    A document shared by several sections (a ConfigMap two workloads read) is shown in the first, and the others
    link to it: written out in each, it made the page longer by the same text again."""

    def __init__(self, source_side: str, target_side: str, source_format: str, target_format: str,
                 currency: str) -> None:
        self.template = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                                    undefined=StrictUndefined, trim_blocks=True,
                                    lstrip_blocks=True).get_template(TEMPLATE)
        # What the section block reads of the page.
        self.frame = {"source_side": source_side, "target_side": target_side, "source_format": source_format,
                      "target_format": target_format}
        self.currency = currency
        self.first: dict[int, dict[str, str]] = {}  # id(source) -> the section that shows it

    def section(self, index: int, view: WorkloadView) -> Iterator[str]:
        values = _section(index, view, self.currency, self.first)
        for source in view.workload.sources:
            self.first.setdefault(id(source), {"id": section_id(index), "name": view.workload.name})
        return self._block("section", {"page": self.frame, "section": values})

    def ends(self, comparison: Comparison) -> tuple[Iterator[str], Iterator[str]]:
        """(the head, the tail), from the comparison once every section was made (its views' rows are not read)."""
        values = page(comparison)
        return self._block("head", {"page": values}), self._block("tail", {"page": values})

    def _block(self, name: str, values: dict[str, Any]) -> Iterator[str]:
        return self.template.blocks[name](self.template.new_context(values))


def _system(comparison: Comparison) -> dict[str, Any]:
    """The system diagram (inline SVG, made and escaped by converter.compare.diagram) and what to decide first."""
    graph = build_graph(comparison, comparison.calls)
    found = review(comparison, graph)

    def items(entries: Any) -> list[dict[str, Any]]:
        return [{"text": item.text, "section": item.section} for item in entries]

    return {
        "svg": Markup(render_svg(graph, title=f"System diagram: {len(graph.nodes)} node(s), {len(graph.edges)} edge(s)")),
        "nodes": len(graph.nodes),
        "calls": len(comparison.calls),
        "decisions": [{"title": title, "items": items(entries)} for title, entries in found.decisions],
        "resources": [{"title": title, "items": items(entries)} for title, entries in found.resources],
    }


def page(comparison: Comparison) -> dict[str, Any]:
    """What the head and the tail show, as plain values: the template only lays them out. ``sections`` is the
    overview of each (its counts, effort and cost), not its rows: they are the section block's (Page.section)."""
    currency = comparison.cost.currency
    return {
        "title": f"k2ecs compare: {comparison.source_side} → {comparison.target_side}",
        "source_side": comparison.source_side,
        "target_side": comparison.target_side,
        "source_format": comparison.source_format,
        "target_format": comparison.target_format,
        "version": __version__,
        "inputs": list(comparison.inputs),
        "statuses": [{"label": s, "slug": slug(s), "meaning": STATUS_MEANING[s], "count": comparison.counts[s]}
                     for s in STATUSES],
        # Every row has one status: the counts add up to the rows (a view may have dropped its rows by now).
        "rows_total": sum(sum(view.counts.values()) for view in comparison.workloads),
        "effort": number(comparison.effort_hours),
        "sections": [_overview(index, view, currency) for index, view in enumerate(comparison.workloads)],
        "system": _system(comparison),
        "cost": _cost(comparison),
        "rules": {
            "status": [{"condition": c, "status": s, "slug": slug(s)} for c, s in status_rules()],
            "precedence": precedence_rule(),
            "effort": [{"status": s, "slug": slug(s), "severity": sev, "hours": number(h)} for s, sev, h in effort_rules()],
        },
    }


def _overview(index: int, view: WorkloadView, currency: str) -> dict[str, Any]:
    """A section's line of the overview table (and its block's summary)."""
    desired = None
    if view.cost is not None and view.cost.scenarios:
        desired = f"{currency} {view.cost.scenarios[0].cost}"
    return {
        "id": section_id(index),
        "name": view.workload.name,
        "resource": view.workload.resource,
        "counts": [{"label": s, "slug": slug(s), "count": view.counts[s]} for s in STATUSES],
        "effort": number(view.effort_hours),
        "cost": desired,
    }


def _section(index: int, view: WorkloadView, currency: str, first: dict[int, dict[str, str]]) -> dict[str, Any]:
    workload = view.workload
    return {
        **_overview(index, view, currency),
        "is_workload": workload.is_workload,
        "converted": workload.converted,
        "rows_html": _Rows(view.rows),
        "sources": [{"resource": s.resource, "where": s.file if s.line is None else f"{s.file}:{s.line}",
                     "status": s.status, "sensitive": s.sensitive, "shown_in": first.get(id(s)),
                     "text": _Text(s.text_of)} for s in workload.sources],
        "targets": [{"label": label, "text": _Text(functools.partial(made, workload.target_text, label))}
                    for label in workload.target_text],
    }


def made(texts: Mapping[str, str], label: str) -> str:
    """A payload's text, not kept by a LazyTexts (the page prints each once)."""
    return texts.make(label) if isinstance(texts, LazyTexts) else texts[label]


def _cost(comparison: Comparison) -> dict[str, Any]:
    sketch = comparison.cost
    lines = []
    for line in sketch.lines.values():
        lines.append({
            "workload": line.workload, "note": line.note, "platform": line.platform,
            "size": None if line.vcpu is None else f"{number(line.vcpu)} vCPU, {number(line.memory_gb)} GB",
            "scenarios": [{"label": s.label, "tasks": s.tasks, "vcpu_hours": number(s.vcpu_hours),
                           "gb_hours": number(s.gb_hours), "cost": str(s.cost)} for s in line.scenarios],
        })
    return {
        "caption": sketch.caption, "region_note": sketch.region_note, "description": sketch.description,
        "currency": sketch.currency, "lines": lines, "priced": any(line.scenarios for line in sketch.lines.values()),
        "totals": [{"label": t.label, "tasks": t.tasks, "vcpu_hours": number(t.vcpu_hours),
                    "gb_hours": number(t.gb_hours), "cost": str(t.cost)} for t in sketch.totals],
        "prices": [{"label": label, "vcpu": number(vcpu), "gb": number(gb)} for label, vcpu, gb in sketch.price_rows],
        "sources": list(sketch.sources), "region": sketch.region, "date": sketch.date,
    }
