"""What compare holds of the conversion (issue 24): each workload's ECS payloads are spooled as bytes by the
conversion's sink and present only while its section is made (converter.compare.payloads), and its documents'
sets of paths read are the readers' own, not copies held beside them."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Callable

import pytest

from converter.commands import compare_views
from converter.compare import kubernetes_input
from converter.compare import terminal as terminal_view
from converter.compare.inputs import build_input
from converter.compare.model import WorkloadView
from converter.compare.payloads import Pinned, pinned
from converter.compare.sections import Sections, build
from converter.core.resources import load_schema
from converter.core.settings import Settings
from converter.load.loader import load_paths
from converter.pipeline.convert import WorkloadOutput
from tests.test_compare_sections import _deployment

PRICES = load_schema("fargate_prices.json")
PREFIX = "spooled-"  # this file's workloads: other tests' objects may be alive in the same process


@pytest.fixture
def several(tmp_path: Path) -> Path:
    """Five workloads, three of them reading one ConfigMap."""
    documents = ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  LEVEL: info\n"]
    documents += [_deployment(f"{PREFIX}{index}", "shared") for index in range(5)]
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "apps.yaml").write_text("---\n".join(documents), encoding="utf-8")
    return folder


def _alive(test: Callable[[Any], bool]) -> int:
    return sum(1 for item in gc.get_objects() if test(item))


def _task_definition(item: Any) -> bool:
    """One of this file's task definition payloads (the API model's schema dicts also have the key)."""
    family = item.get("family") if type(item) is dict else None
    return isinstance(family, str) and family.startswith(PREFIX) and "containerDefinitions" in item


def _output(item: Any) -> bool:
    return type(item) is WorkloadOutput and item.name.startswith(PREFIX)


class _Counting:
    """A view that counts, at each section and at the heads, the task definitions and WorkloadOutputs alive."""

    def __init__(self) -> None:
        self.at_sections: list[tuple[int, int, bool]] = []  # (task definitions, outputs, this one's present)
        self.at_finish: tuple[int, int] | None = None

    def section(self, index: int, view: WorkloadView) -> None:
        present = isinstance(view.workload.targets, Pinned) and "taskDefinition" in view.workload.targets
        self.at_sections.append((_alive(_task_definition), _alive(_output), present))

    def finish(self, comparison: Any) -> None:
        self.at_finish = (_alive(_task_definition), _alive(_output))

    def close(self) -> None:
        pass


def _without_gc(run: Callable[[], Any]) -> Any:
    """As the command runs (cli_common.built_without_gc): only reference counting frees."""
    enabled = gc.isenabled()
    gc.collect()  # what earlier tests left in reference cycles
    gc.disable()
    try:
        return run()
    finally:
        if enabled:
            gc.enable()


def test_only_the_section_being_made_has_its_payloads(several: Path):
    counting = _Counting()
    pages: list[str] = []

    def run() -> Any:
        sections = Sections(build_input(load_paths([str(several)]), Settings(), (str(several),)), PRICES)
        terminal = compare_views.Terminal(sections, width=100, color=False, only_changes=False, paged=pages.append)
        compare_views.write_views(sections, [terminal, counting])
        return sections

    sections = _without_gc(run)
    # Five workloads, each section made with its own task definition and no other; none left for the heads,
    # which read each workload's payloads again one at a time (its cost line, node and placeholders).
    assert counting.at_sections == [(1, 0, True)] * 5
    assert counting.at_finish == (0, 0)
    assert pages == [terminal_view.render(build(sections.input, PRICES))]


def test_payloads_are_read_only_inside_pinned(several: Path):
    compare_input = build_input(load_paths([str(several)]), Settings(), (str(several),))
    workload = compare_input.workloads[0]
    with pytest.raises(RuntimeError, match="outside pinned"):
        workload.targets.get("taskDefinition")
    with pinned(workload):
        with pinned(workload):  # nested: the payloads stay until the outer block ends
            pass
        assert workload.targets["taskDefinition"]["family"] == workload.name
        assert workload.ecs is workload.targets
    assert dict.__len__(workload.targets) == 0


def test_the_sources_hold_the_readers_sets_not_copies(several: Path, monkeypatch: pytest.MonkeyPatch):
    """Each SourceDocument takes its reader's sets of paths read and looked into, and the reader lets go of them:
    frozenset copies made while the readers kept their own held both at once (about 30 MB at a 10 MB bundle)."""
    made: list[tuple[Any, Any, Any, Any]] = []  # (reader, its consumed and visited when the source was made, source)
    real = kubernetes_input._source

    def spy(record: Any, *args: Any) -> Any:
        reader = record.reader
        consumed, visited = reader.consumed, reader.visited
        source = real(record, *args)
        made.append((reader, consumed, visited, source))
        return source

    monkeypatch.setattr(kubernetes_input, "_source", spy)
    build_input(load_paths([str(several)]), Settings(), (str(several),))
    assert len(made) == 6 and any(consumed for _, consumed, _, _ in made)
    assert all(source.consumed is consumed and source.visited is visited for _, consumed, visited, source in made)
    assert all(reader.consumed is None and reader.visited is None for reader, _, _, _ in made)
