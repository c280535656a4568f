"""compare's views written section by section (issue 24): each workload's rows live only while its section is
written, the head (the whole input's counts) is written after, and the views' text is what the whole comparison
renders to, byte for byte."""

from __future__ import annotations

import gc
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from converter.commands import compare_views
from converter.compare import html as html_view
from converter.compare import markdown as markdown_view
from converter.compare import terminal as terminal_view
from converter.compare.inputs import build_input
from converter.compare.model import Row, WorkloadView
from converter.compare.sections import Sections, build
from converter.compare.rules import STATUSES, row_effort
from converter.core.resources import load_schema
from converter.core.settings import Settings
from converter.load.loader import load_paths
from tests.helpers import SAMPLES, k2ecs_in_process

PRICES = load_schema("fargate_prices.json")


def _deployment(name: str, config_map: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: example.com/{name}:1.0
          envFrom:
            - configMapRef:
                name: {config_map}
          env:
            - name: MODE
              value: "{name}"
          ports:
            - containerPort: 8080
          resources:
            requests: {{cpu: 250m, memory: 512Mi}}
"""


@pytest.fixture
def several(tmp_path: Path) -> Path:
    """Five workloads; a ConfigMap the first three read (one document shown in three sections), and one each
    of the others' own."""
    documents = ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  LEVEL: info\n"]
    for index in range(5):
        own = "shared" if index < 3 else f"own-{index}"
        if own != "shared":
            documents.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {own}\ndata:\n  LEVEL: debug\n")
        documents.append(_deployment(f"app-{index}", own))
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "apps.yaml").write_text("---\n".join(documents), encoding="utf-8")
    return folder


def _sections(folder: Path, texts: dict[str, str] | None = None) -> Sections:
    return Sections(build_input(load_paths([str(folder)], texts=texts), Settings(), (str(folder),), texts), PRICES)


class _Held:
    """A view that counts the rows alive each time a section is made, and when the heads are."""

    def __init__(self) -> None:
        self.alive: list[tuple[int, int]] = []  # (rows alive, rows of the section being written)
        self.at_finish: int | None = None

    def section(self, index: int, view: WorkloadView) -> None:
        self.alive.append((_rows_alive(), len(view.rows)))

    def finish(self, comparison: Any) -> None:
        self.at_finish = _rows_alive()

    def close(self) -> None:
        pass


def _rows_alive() -> int:
    return sum(1 for item in gc.get_objects() if type(item) is Row)


def test_only_the_rows_of_the_section_being_written_are_alive(several: Path):
    """With the cyclic GC off, as the command runs: reference counting alone frees each section's rows."""
    sections = _sections(several)
    pages: list[str] = []
    terminal = compare_views.Terminal(sections, width=100, color=False, only_changes=False, paged=pages.append)
    held = _Held()
    enabled = gc.isenabled()
    gc.disable()
    try:
        comparison = compare_views.write_views(sections, [terminal, held])
    finally:
        if enabled:
            gc.enable()
    assert len(held.alive) == 5  # a section per workload (every document is one's)
    assert all(alive == rows for alive, rows in held.alive), held.alive
    assert sum(rows for _, rows in held.alive) > 2 * max(rows for _, rows in held.alive)  # more than one section's
    assert held.at_finish == 0
    assert all(view.rows == () for view in comparison.workloads)  # what the heads are made from
    assert pages == [terminal_view.render(build(sections.input, PRICES))]


def test_what_the_markdown_summary_keeps_is_bounded_by_its_size(several: Path):
    whole = build(_sections(several).input, PRICES)
    texts = [markdown_view.section(view, whole.source_side, whole.target_side) for view in whole.workloads]
    bound = len(texts[0]) + len(texts[1]) + 1
    bounded = markdown_view.Bounded(bound)
    for text in texts:
        bounded.add(text)
    assert bounded.kept == texts[:2] and bounded.kept_chars <= bound and bounded.sections == len(texts)
    for max_chars in (bound, 2000, 4000, 60_000):
        bounded = markdown_view.Bounded(max_chars)
        for text in texts:
            bounded.add(text)
        assert bounded.kept_chars <= max_chars
        summary, fits = bounded.summary(markdown_view.head(whole), markdown_view.rules(), "r.details.md")
        assert (summary, fits) == markdown_view.write_bounded(whole, lambda text: None, max_chars, "r.details.md")


def test_the_counts_are_those_of_one_set_over_the_whole_input(several: Path):
    """Rows are counted once over the whole input (a shared ConfigMap's rows once) though only the rows of
    resources several workloads show are kept to be told apart: the same counts as one set of every row."""
    for folder in (several, SAMPLES / "secrets-and-configmaps" / "input", SAMPLES / "unsupported-kinds" / "input"):
        comparison = build(_sections(folder).input, PRICES)
        total = {status: 0 for status in STATUSES}
        effort = Decimal(0)
        counted: set[tuple[Any, ...]] = set()
        for view in comparison.workloads:
            for row in view.rows:
                key = (row.source_file, row.source_line, row.source_resource, row.source_field, row.codes)
                if key not in counted:
                    counted.add(key)
                    total[row.status] += 1
                    effort += row_effort(row.status, row.findings)
        assert (comparison.counts, comparison.effort_hours) == (total, effort), folder
    shared = build(_sections(several).input, PRICES)
    assert sum(shared.counts.values()) < sum(sum(view.counts.values()) for view in shared.workloads)


def test_the_page_from_its_blocks_is_the_template_rendered_whole(several: Path):
    """html.Page renders the template's head, section and tail blocks one at a time; the template rendered in
    one go over the same values gives the same page."""
    texts: dict[str, str] = {}
    comparison = build(_sections(several, texts).input, PRICES)
    values = html_view.page(comparison)
    first: dict[int, dict[str, str]] = {}
    values["sections"] = []
    for index, view in enumerate(comparison.workloads):
        values["sections"].append(html_view._section(index, view, comparison.cost.currency, first))
        for source in view.workload.sources:
            first.setdefault(id(source), {"id": f"section-{index + 1}", "name": view.workload.name})
    template = html_view.Page("a", "b", "c", "d", "USD").template
    page = html_view.render(comparison)
    assert page == template.render(page=values)
    assert page.count('<details class="workload"') == 5 and page.count("Shown in the section of") == 2


def test_what_is_written_aside_is_read_back_as_it_was():
    """Carriage returns too: a text file read back with universal newlines would turn them into newlines."""
    spool = compare_views._Spool()
    try:
        for piece in ("a\r\nb", "\rc\n", "é" * (compare_views.COPY_CHARS + 5)):
            spool.write(piece)
        assert "".join(spool.pieces()) == "a\r\nb\rc\n" + "é" * (compare_views.COPY_CHARS + 5)
        assert spool.chars == 7 + compare_views.COPY_CHARS + 5
    finally:
        spool.close()


def test_the_command_writes_what_the_whole_comparison_renders(several: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "90")
    texts: dict[str, str] = {}
    comparison = build(_sections(several, texts).input, PRICES)
    review, page = tmp_path / "review.md", tmp_path / "page.html"
    result = k2ecs_in_process("compare", str(several), "--markdown", str(review), "--max-chars", "3000",
                              "--html", str(page))
    assert result.returncode == 0, result.stderr
    summary, details = markdown_view.render_bounded(comparison, 3000, str(tmp_path / "review.details.md"))
    assert review.read_text(encoding="utf-8") == summary
    assert (tmp_path / "review.details.md").read_text(encoding="utf-8") == details
    with open(page, encoding="utf-8", newline="") as handle:
        assert handle.read() == html_view.render(comparison)
    terminal = k2ecs_in_process("compare", str(several), "--color", "never", "--no-pager")
    assert terminal.stdout == terminal_view.render(comparison, width=90)


def test_a_failure_while_the_sections_are_made_writes_nothing(several: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    review, page = tmp_path / "review.md", tmp_path / "page.html"
    review.write_text("the last review\n")
    made = []

    def failing(view: WorkloadView, *sides: str) -> str:
        made.append(view)
        if len(made) == 3:
            raise RuntimeError("made to fail")
        return "a section\n"

    monkeypatch.setattr(markdown_view, "section", failing)
    failed = k2ecs_in_process("compare", str(several), "--markdown", str(review), "--html", str(page))
    assert failed.returncode != 0 and "made to fail" in failed.stderr and len(made) == 3
    assert review.read_text() == "the last review\n" and not page.exists()
    assert sorted(os.listdir(tmp_path)) == ["input", "review.md"]
