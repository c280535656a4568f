"""The neutral shape `k2ecs compare` works on, whichever side was the input.

An input adapter (``converter.compare.inputs.INPUTS``) turns a run into a ``CompareInput``: per workload,
the source documents (data, display text, which paths the conversion consumed), the target payloads and
the findings. Rows, summaries, the cost sketch and every renderer read only this shape: one adapter per side
(``kubernetes_input`` for Kubernetes -> ECS, ``ecs_input`` for ECS -> Kubernetes) and nothing else knows
which side the input is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import AbstractSet, Any, Callable, Iterator, Protocol

from converter.core.findings import Finding

Path = tuple[Any, ...]


@dataclass(frozen=True, kw_only=True)
class SourceDocument:
    """One input document as compare may show it. ``data`` and ``text`` are already redacted when sensitive.

    ``text`` is made on first use, from ``text_of``: only the HTML page shows the sources, and writing each
    document out again was a fifth of the terminal and Markdown views' time for nothing (issue 24)."""

    resource: str  # "Kind/name"
    kind: str  # canonical kind, e.g. "Deployment" or "TaskDefinition"
    file: str
    line: int | None
    prefix: Path  # where ``data`` sits inside the file (List items), for JSON Pointers
    data: Any
    text_of: Callable[[], str] = field(repr=False, compare=False)  # what the page shows as the source (YAML or JSON)
    # Read only (membership, iteration): the Kubernetes adapter hands over its reader's own sets (issue 24).
    consumed: AbstractSet[Path]  # paths the conversion consumed, relative to ``data``
    visited: AbstractSet[Path]  # mappings and lists the conversion looked into
    status: str  # converted | referenced | not-converted
    findings: tuple[Finding, ...] = ()  # every finding about this document
    sensitive: bool = False
    # Subtrees of ``data`` that are documents of their own (the items of a describe-services response, the
    # resources of a CloudFormation template): shown and counted there, not here.
    nested: frozenset[Path] = frozenset()
    line_of: Callable[[Path], int | None] = field(default=lambda path: None, repr=False, compare=False)
    # (the document's line, its line table) when ``data`` is the parsed document's own data (not a redacted copy):
    # the rows' walk then finds each row's line as it steps down (rows._Walk), where ``line_of`` starts again
    # from the root for each row (issue 24). None: the rows ask ``line_of``.
    lines: tuple[int, Any] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        """The source as the page shows it (cached_property writes the instance's __dict__, past frozen)."""
        return self.text_of()


@dataclass(frozen=True, kw_only=True)
class WorkloadInput:
    """One workload: its source documents (each with its findings), and what it became."""

    name: str  # the name on the target side (the ECS service name, or the Kubernetes Deployment name)
    resource: str  # the workload's source resource, e.g. "Deployment/web"
    converted: bool  # False when the workload produced no payloads (an error finding says why)
    sources: tuple[SourceDocument, ...]
    targets: dict[str, Any]  # payload label -> payload, e.g. {"taskDefinition": {...}, "service": {...}}
    target_text: Mapping[str, str]  # payload label -> text shown beside the source (a LazyTexts from the adapters)
    findings: tuple[Finding, ...]  # findings about no document of the input (a baseline file entry)
    # For the cost sketch: the ECS side of this workload as the API spells it (taskDefinition, service, scaling):
    # the target payloads for Kubernetes input, the input's task definition, service and scalable target for ECS input.
    ecs: dict[str, Any]
    is_workload: bool = True  # False for the section that gathers documents belonging to no workload


class LazyTexts(Mapping[str, str]):
    """Label -> text, each text made on first use: only the HTML page shows the payloads' text, and writing
    every payload out as JSON or YAML cost the terminal and Markdown views for nothing (issue 24)."""

    def __init__(self, makers: dict[str, Callable[[], str]]) -> None:
        self._makers = makers
        self._made: dict[str, str] = {}

    def __getitem__(self, label: str) -> str:
        if label not in self._made:
            self._made[label] = self._makers[label]()
        return self._made[label]

    def make(self, label: str) -> str:
        """The text, made now when it was not made before, and not kept (for a caller that reads it once)."""
        made = self._made.get(label)
        return made if made is not None else self._makers[label]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


class FieldMap(Protocol):
    """Which target field a source field became: direction-specific, supplied by the input adapter."""

    def unit(self, source: SourceDocument, path: Path) -> bool:
        """Whether the subtree at ``path`` is shown as one row (an env entry, a probe, a port)."""

    def hidden(self, source: SourceDocument, path: Path) -> bool:
        """Whether a row without findings at ``path`` is left out (document bookkeeping such as kind)."""

    def target(self, source: SourceDocument, path: Path, workload: WorkloadInput) -> tuple[str, Any]:
        """(target field label, target value or MISSING) for a source path."""

    def code_target(self, code: str, workload: WorkloadInput) -> tuple[str, Any] | None:
        """(target field label, value) for a finding that names no field of the source."""

    def unset(self, source: SourceDocument, path: Path) -> str | None:
        """Why an absent target means what the source value at ``path`` means (the target's default), or None."""

    def explained(self, source: SourceDocument, path: Path) -> tuple[str, ...]:
        """The codes whose findings on an enclosing object (the container, the pod) are about the row at ``path``."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a target field the payload does not have
NO_FIELD = "—"


@dataclass(frozen=True, kw_only=True)
class CompareInput:
    source_side: str  # "Kubernetes" or "ECS"
    target_side: str  # "ECS" or "Kubernetes"
    workloads: tuple[WorkloadInput, ...]
    field_map: FieldMap
    region: str | None = None  # the region the input is for (settings, or the input's ARNs), beside the price table's
    inputs: tuple[str, ...] = ()  # the paths given on the command line
    source_format: str = "YAML"  # how the source and target panes are written
    target_format: str = "JSON"
    # The conversion's call graph (report.json's ``calls``: caller, variable, host, port, target, resolved,
    # reason), as plain dicts; empty when the conversion finds none or the direction has none.
    calls: tuple[dict[str, Any], ...] = ()


# slots: a large input has hundreds of thousands of rows. Not frozen: a frozen dataclass's __init__ sets each field
# through object.__setattr__, which made a Row cost four times as much to make (issue 24); nothing assigns to a
# Row once made (dataclasses.replace makes another), and unsafe_hash keeps the hash frozen gave it.
@dataclass(kw_only=True, slots=True, unsafe_hash=True)
class Row:
    status: str
    source_resource: str
    source_file: str
    source_line: int | None
    source_field: str  # JSON Pointer into the source document ("" = the whole document)
    source_value: str
    target_field: str
    target_value: str
    findings: tuple[Finding, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.code for f in self.findings))


@dataclass(frozen=True, kw_only=True)
class WorkloadView:
    workload: WorkloadInput
    rows: tuple[Row, ...]
    counts: dict[str, int]  # status -> rows
    effort_hours: Decimal
    cost: Any = None  # converter.compare.cost.CostLine, or None when not priced


@dataclass(frozen=True, kw_only=True)
class Comparison:
    source_side: str
    target_side: str
    workloads: tuple[WorkloadView, ...]
    counts: dict[str, int]  # over the whole input; a document shared by workloads counts once
    effort_hours: Decimal
    cost: Any  # converter.compare.cost.CostSketch
    inputs: tuple[str, ...] = ()
    source_format: str = "YAML"
    target_format: str = "JSON"
    calls: tuple[dict[str, Any], ...] = ()  # as CompareInput.calls
