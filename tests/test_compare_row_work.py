"""The work compare's rows and terminal view do per row, bounded by counting calls (issue 24): each row's line
found by the frontier walk (no Document.line_of from the root), each row's pair asked once for the codes it
explains, each suggestion filled once a run, the values' JSON written without a new encoder per value, and a Row
made without a frozen dataclass's per-field object.__setattr__ (but hashable and equal as before)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from converter.compare import rows, terminal
from converter.compare.inputs import build_input
from converter.compare.model import Row
from converter.compare.payloads import hold
from converter.compare.sections import build
from converter.core.document import Document
from converter.core.settings import Settings
from converter.load.loader import load_paths
from tests.helpers import SAMPLES

PRICES: dict[str, Any] = {}


def _input(paths: list[str]) -> Any:
    compare_input = build_input(load_paths(paths), Settings(), tuple(paths))
    for workload in compare_input.workloads:
        hold(workload)
    return compare_input


def _all_rows(compare_input: Any) -> list[Row]:
    return [row for workload in compare_input.workloads
            for row in rows.workload_rows(workload, compare_input.field_map)]


KUBERNETES_CASES = sorted(p for p in SAMPLES.iterdir() if (p / "input").is_dir() and not p.name.startswith("ecs-"))


@pytest.mark.parametrize("case", KUBERNETES_CASES, ids=[case.name for case in KUBERNETES_CASES])
def test_rows_take_their_lines_from_the_walk_not_from_the_root(case: Path, monkeypatch: pytest.MonkeyPatch):
    """A source whose data is its document's own is never asked line_of; only a redacted copy (a Secret) is, once
    per row at most. The lines are those line_of gives (tests/test_compare_fast_paths.py pins them)."""
    compare_input = _input([str(case / "input")])
    sources = {id(s): s for w in compare_input.workloads for s in w.sources}.values()
    asked: Counter[int] = Counter()
    real = Document.line_of

    def counted(self: Document, path: Any) -> int:
        asked[id(self.data)] += 1
        return real(self, path)

    monkeypatch.setattr(Document, "line_of", counted)
    made = _all_rows(compare_input)
    assert made
    walked = [s for s in sources if s.lines is not None]
    assert walked
    assert all(asked[id(s.data)] == 0 for s in walked)
    copies = [s for s in sources if s.lines is None]
    assert sum(asked.values()) <= sum(len(rows._facts(s, compare_input.field_map).rows) for s in copies)


def test_each_rows_pair_is_asked_once_for_the_codes_it_explains(tmp_path: Path):
    """_explained asks the field map for each row's codes once a document (FieldMap.explained), whatever the
    number of codes its loose findings have; it asked once per row and code."""
    compare_input = _input([str(SAMPLES / "secrets-and-configmaps" / "input")])
    field_map = compare_input.field_map
    asked: Counter[tuple[int, Any]] = Counter()
    real = type(field_map).explained

    def counted(self: Any, source: Any, path: Any) -> tuple[str, ...]:
        asked[(id(source), path)] += 1
        return real(self, source, path)

    type(field_map).explained = counted  # type: ignore[method-assign]
    try:
        _all_rows(compare_input)
    finally:
        type(field_map).explained = real  # type: ignore[method-assign]
    assert asked
    assert max(asked.values()) == 1


def test_a_suggestion_is_filled_once_a_run(monkeypatch: pytest.MonkeyPatch):
    """The terminal's note lines for a finding's suggestion are made once per suggestion and width, not per row."""
    comparison = build(_input([str(SAMPLES / "secrets-and-configmaps" / "input")]), _prices())
    terminal._suggestion_lines.cache_clear()
    filled: Counter[str] = Counter()
    real = terminal._wrap

    def counted(text: str, width: int, **options: Any) -> list[str]:
        if text.startswith("-> "):
            filled[text] += 1
        return real(text, width, **options)

    monkeypatch.setattr(terminal, "_wrap", counted)
    text = terminal.render(comparison, width=100)
    suggestions = [f.suggestion for view in comparison.workloads for row in view.rows for f in row.findings]
    assert len(suggestions) > len(set(suggestions))  # rows repeat suggestions
    assert filled and max(filled.values()) == 1
    assert len(filled) == len(set(suggestions))
    monkeypatch.setattr(terminal, "_wrap", real)
    terminal._suggestion_lines.cache_clear()
    assert terminal.render(comparison, width=100) == text


def test_values_are_written_without_an_encoder_per_value(monkeypatch: pytest.MonkeyPatch):
    """rows.show and the targets' texts use C encoders made once (jsontext.one_shot): JSONEncoder.iterencode,
    which makes one per call, is not called; the text is json.dumps'."""
    values = [{"name": "PORT", "value": "8080"}, [1, 2.5, None, True], {"b": {"é": []}}]
    expected = [json.dumps(v, ensure_ascii=False, separators=(", ", ": "), default=str) for v in values]

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a JSON encoder made for one value")

    monkeypatch.setattr(json.JSONEncoder, "iterencode", refused)
    assert [rows.show(v) for v in values] == expected


def test_a_row_is_hashable_and_equal_by_its_fields():
    """Row is not frozen (its __init__ was a quarter of a row's cost): equal fields, equal rows and hashes."""
    values = dict(status="mapped", source_resource="Deployment/web", source_file="a.yaml", source_line=3,
                  source_field="/spec/replicas", source_value="2", target_field="service.desiredCount",
                  target_value="2")
    first, second = Row(**values), Row(**values)
    assert first == second and hash(first) == hash(second) and len({first, second}) == 1
    assert [f.name for f in fields(Row)][-1] == "findings"
    assert not hasattr(first, "__dict__")  # slots: one per row of a large input


def _prices() -> dict[str, Any]:
    from converter.core.resources import load_schema

    return load_schema("fargate_prices.json")
