"""The comparison a workload at a time: each workload's view (its rows, counts and effort) made when it is
reached, and the whole input's Comparison from them. Pure; the rows themselves are converter.compare.rows'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from converter.compare.cost import cost_sketch
from converter.compare.model import CompareInput, Comparison, WorkloadInput, WorkloadView
from converter.compare.payloads import hold, pinned
from converter.compare.rows import workload_rows
from converter.compare.rules import STATUSES, row_effort


def build(compare_input: CompareInput, prices: dict[str, Any]) -> Comparison:
    """The whole comparison, every workload's rows and payloads held (the views' render(), tests)."""
    for workload in compare_input.workloads:
        hold(workload)
    sections = Sections(compare_input, prices)
    return sections.comparison(tuple(sections))


class Sections:
    """The comparison a workload at a time, for views that write each section as it is made: iterating gives each
    workload's view with its rows, made when it is reached; ``comparison(views)`` is then the whole input's
    Comparison, whose counts, effort and cost need no row (views whose rows were dropped will do: issue 24, the
    rows of every workload held until the first view's head was written were most of compare's peak memory).

    What is kept from one workload to the next is bounded by what later workloads share: a document's facts
    until the last workload that shows it, and the rows already counted only for a resource of a file that
    several workloads show (a ConfigMap shared by two workloads is one piece of work)."""

    def __init__(self, compare_input: CompareInput, prices: dict[str, Any]) -> None:
        self.input = compare_input
        self.sketch = cost_sketch(compare_input.workloads, prices, compare_input.region)
        self.total = {status: 0 for status in STATUSES}
        self.effort = Decimal(0)
        self.made = 0  # the workloads whose view was made

    def __iter__(self) -> Iterator[WorkloadView]:
        field_map = self.input.field_map
        workloads = self.input.workloads
        last, shared = _sharing(workloads)
        facts: dict[int, Any] = {}  # id(source) -> what its rows are (rows._Facts), whichever workload shows it
        counted: set[tuple[Any, ...]] = set()  # rows counted, of the resources several workloads show
        for index, workload in enumerate(workloads):
            with pinned(workload):  # its payloads, spooled until now (compare.payloads), for its rows and section
                yield self._view(index, workload, field_map, facts, last, shared, counted)

    def _view(self, index: int, workload: WorkloadInput, field_map: Any, facts: dict[int, Any],
              last: dict[int, int], shared: set[tuple[str, str]], counted: set[tuple[Any, ...]]) -> WorkloadView:
        """A workload's view, its rows counted into the whole input's (``counted``: see __iter__)."""
        total = self.total
        rows = workload_rows(workload, field_map, facts)
        for source in workload.sources:  # a document's facts, kept only while a later workload shows it
            if last[id(source)] == index:
                facts.pop(id(source), None)
        counts = {status: 0 for status in STATUSES}
        hours = Decimal(0)
        mine: set[tuple[Any, ...]] = set()  # rows counted, of the resources only this workload shows
        for row in rows:
            counts[row.status] += 1
            hours_of_row = row_effort(row.status, row.findings)
            hours += hours_of_row
            key = (row.source_file, row.source_line, row.source_resource, row.source_field,
                   row.codes if row.findings else ())
            seen = counted if (row.source_file, row.source_resource) in shared else mine
            if key not in seen:  # a ConfigMap shared by two workloads is one piece of work
                seen.add(key)
                total[row.status] += 1
                self.effort += hours_of_row
        self.made += 1
        return WorkloadView(workload=workload, rows=tuple(rows), counts=counts, effort_hours=hours,
                           cost=self.sketch.lines.get(workload.name))

    def comparison(self, views: tuple[WorkloadView, ...]) -> Comparison:
        """The whole input's comparison, once every view was made (``views``: them, with or without rows)."""
        if self.made != len(self.input.workloads):
            raise ValueError("the comparison's counts are whole only after every section was made")
        compare_input = self.input
        return Comparison(source_side=compare_input.source_side, target_side=compare_input.target_side,
                          workloads=views, counts=dict(self.total), effort_hours=self.effort, cost=self.sketch,
                          inputs=compare_input.inputs, source_format=compare_input.source_format,
                          target_format=compare_input.target_format, calls=compare_input.calls)


def _sharing(workloads: tuple[WorkloadInput, ...]) -> tuple[dict[int, int], set[tuple[str, str]]]:
    """(id(source) -> the index of the last workload that shows it; the (file, resource) pairs whose rows more
    than one workload may show: only their rows can be counted twice)."""
    last: dict[int, int] = {}
    owner: dict[tuple[str, str], int] = {}
    shared: set[tuple[str, str]] = set()
    for index, workload in enumerate(workloads):
        places = [(source.file, source.resource) for source in workload.sources]
        places += [(finding.file, finding.resource) for finding in workload.findings]
        for source in workload.sources:
            last[id(source)] = index
        for place in places:
            if owner.setdefault(place, index) != index:
                shared.add(place)
    return last, shared
