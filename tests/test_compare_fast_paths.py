"""compare's fast paths (issue 24) give what the code they replaced gave, over every sample.

Each reference below is the replaced code, kept here as the definition: the rows' frontier walk and "covered"
test, the prefix sets, resolve_first's per-call parsing, combine of one field, row_status and row_effort without
findings, the rows made once per document rather than once per workload, and the Markdown summary made from
the whole text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from converter.compare import markdown as markdown_view
from converter.compare import paths, rows, rules
from converter.compare.inputs import build_input
from converter.compare.model import MISSING
from converter.compare.payloads import hold
from converter.compare.sections import build
from converter.core.resources import load_schema
from converter.core.settings import Settings
from converter.load.config import load_config
from converter.load.loader import load_paths
from tests.helpers import SAMPLES

CASES = sorted(p for p in SAMPLES.iterdir() if (p / "input").is_dir())  # both directions
IDS = [case.name for case in CASES]


def _input(case: Path):
    """The sample's compare input, every workload's payloads present (they are read here outside any section)."""
    if case.name.startswith("ecs-"):
        compare_input = build_input(load_paths([str(case / "input")], cfn_tags=True), Settings(), (str(case / "input"),))
    else:
        config = load_config(str(case / "k2ecs.yaml") if (case / "k2ecs.yaml").is_file() else None)
        compare_input = build_input(load_paths([str(case / "input")]), config, (str(case / "input"),))
    for workload in compare_input.workloads:
        hold(workload)
    return compare_input


def _old_covered(source: Any, path: tuple[Any, ...]) -> bool:
    return any(path[:depth] in source.consumed for depth in range(len(path) + 1)) \
        or any(item[: len(path)] == path for item in source.consumed)


def _old_frontier(source: Any, field_map: Any) -> Iterator[tuple[Any, ...]]:
    above_consumed: set[tuple[Any, ...]] = set()
    for item in source.consumed:
        above_consumed.update(item[:depth] for depth in range(len(item)))
    looked_into = set(above_consumed)
    for item in source.visited:
        looked_into.update(item[:depth] for depth in range(len(item) + 1))
    around_nested = {item[:depth] for item in source.nested for depth in range(len(item))}

    def walk(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        if isinstance(node, (dict, list)) and not node:
            return
        if path in source.nested:
            return
        if path in around_nested and isinstance(node, (dict, list)):
            for key, child in (node.items() if isinstance(node, dict) else enumerate(node)):
                yield from walk(child, path + (key,))
            return
        if path and field_map.unit(source, path):
            yield path
        elif path in source.consumed and path not in above_consumed:
            yield path
        elif isinstance(node, (dict, list)) and path in looked_into:
            for key, child in (node.items() if isinstance(node, dict) else enumerate(node)):
                yield from walk(child, path + (key,))
        else:
            yield path

    yield from walk(source.data, ())


def _all_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _all_paths(child, path + (key,))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _all_paths(child, path + (index,))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_frontier_prefixes_and_covered_are_what_they_replaced(case: Path):
    compare_input = _input(case)
    field_map = compare_input.field_map
    sources = {id(s): s for w in compare_input.workloads for s in w.sources}.values()
    assert sources
    for source in sources:
        above = rows._above(source.consumed, set())
        assert above == {item[:d] for item in source.consumed for d in range(len(item))}
        visited = rows._above(source.visited, set(above), itself=True)
        assert visited == above | {item[:d] for item in source.visited for d in range(len(item) + 1)}
        found = rows._frontier_nodes(source, field_map, above)
        assert [path for path, _, _ in found] == list(_old_frontier(source, field_map))
        assert all(node is paths.node_at(source.data, path) or path == () for path, node, _ in found)
        # The line the walk found for each row is the one Document.line_of finds from the root (rows read it
        # from the walk when the source's data is its document's own: source.lines).
        assert all(line == (None if source.lines is None else source.line_of(path)) for path, _, line in found)
        covered = rows._Covered(source.consumed, above)
        # Every path of the document, and paths past its leaves (a consumed field the document does not have).
        for path in list(_all_paths(source.data)) + [item + ("x",) for item in source.consumed]:
            assert covered(path) == _old_covered(source, path), path


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rows_made_once_per_document_are_the_rows_made_per_workload(case: Path):
    compare_input = _input(case)
    shared: dict[int, Any] = {}
    for workload in compare_input.workloads:
        assert rows.workload_rows(workload, compare_input.field_map, shared) == \
            rows.workload_rows(workload, compare_input.field_map)


def _old_resolve_first(payloads: Any, alternatives: str, variables: Any) -> tuple[str, Any]:
    first_label = None
    for option in alternatives.split("|"):
        segments = [(key, paths._fill(select, variables)) for key, select in paths.split(option)]
        value = paths._resolve(payloads, segments)
        if first_label is None:
            first_label = paths._label(segments)
        if value is not MISSING:
            return paths._label(segments), value
    return first_label or alternatives, MISSING


PAYLOADS = {"taskDefinition": {"containerDefinitions": [
    {"name": "web", "image": "nginx", "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
    {"name": "side", "image": "busybox"}]}, "service": {"desiredCount": 2}}


@pytest.mark.parametrize("alternatives", [
    "taskDefinition.containerDefinitions[name={container}].image",
    "taskDefinition.containerDefinitions[name={container}].healthCheck|service.desiredCount",
    "taskDefinition.containerDefinitions[*].image", "taskDefinition.containerDefinitions[0].name",
    "taskDefinition.containerDefinitions[name={container}].environment[name={item.name}]",
    "service.missing|service.also[{x}].y", "service.desiredCount", "nothing.here"])
@pytest.mark.parametrize("variables", [{}, {"container": "web"}, {"container": "side", "item.name": "A"},
                                       {"container": "none", "x": "0"}])
def test_resolve_first_is_what_it_replaced(alternatives: str, variables: dict[str, Any]):
    assert paths.resolve_first(PAYLOADS, alternatives, variables) == \
        _old_resolve_first(PAYLOADS, alternatives, variables)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_resolve_first_over_every_target_of_the_field_tables(case: Path):
    from converter.core.field_pairs import forward_pairs, reverse_pairs

    templates = {t for table in (forward_pairs(), reverse_pairs()) for pairs in table.values() for p in pairs
                 for t in p.targets}
    compare_input = _input(case)
    for workload in compare_input.workloads:
        names = [c.get("name") for c in workload.targets.get("taskDefinition", {}).get("containerDefinitions", [])]
        for template in sorted(templates):
            for name in names + [None]:
                variables = {} if name is None else {"container": name}
                assert paths.resolve_first(workload.targets, template, variables) == \
                    _old_resolve_first(workload.targets, template, variables)


@pytest.mark.parametrize("value", ["text", 3, None, {"b": 1, "a": [1, 2]}, [{"x": 1}], MISSING])
def test_combine_of_one_field_is_what_the_general_case_gave(value: Any):
    labels = "taskDefinition.cpu"
    texts = [paths.as_text(value)] if value is not MISSING else []
    expected = (labels, MISSING) if not texts else (labels, value)
    assert paths.combine([(labels, value)]) == expected


@pytest.mark.parametrize("target", ["x", "<k2ecs:cluster>", MISSING, {"a": "<k2ecs:x>"}, 3])
@pytest.mark.parametrize("covered", [True, False])
@pytest.mark.parametrize("written", [True, False])
def test_row_status_and_effort_without_findings_short_cut_to_the_same(target: Any, covered: bool, written: bool):
    # A generator is not a tuple or list: it takes the general path.
    assert rules.row_status((), target, covered, written) == rules.row_status(iter(()), target, covered, written)
    assert rules.row_status([], target, covered, written) == rules.row_status(iter(()), target, covered, written)
    for status in rules.STATUSES:
        assert rules.row_effort(status, ()) == rules.row_effort(status, iter(()))


def _old_render_bounded(comparison: Any, max_chars: int, details_name: str | None) -> tuple[str, str | None]:
    body = markdown_view.head(comparison)
    blocks = [markdown_view.section(view, comparison.source_side, comparison.target_side)
              for view in comparison.workloads]
    rules_text = markdown_view.rules()
    whole = body + "".join(blocks) + rules_text
    if len(whole) <= max_chars:
        return whole, None
    where = f"`{details_name}`" if details_name is not None else "the full Markdown (--markdown FILE writes it)"
    shown = 0
    for text in blocks:
        note = markdown_view._more_note(len(blocks) - shown - 1, where)
        if len(body) + len(text) + len(note) + len(rules_text) > max_chars:
            break
        body += text
        shown += 1
    body += markdown_view._more_note(len(blocks) - shown, where)
    if len(body) + len(rules_text) <= max_chars:
        body += rules_text
    return markdown_view._cut_to(body, max_chars, where), whole


@pytest.mark.parametrize("case", [c for c in CASES if c.name in ("web-loadbalancer-hpa", "secrets-and-configmaps",
                                                                  "ecs-cloudformation-stack", "unsupported-kinds")],
                         ids=lambda c: c.name)
def test_the_streamed_markdown_summary_is_the_one_made_from_the_whole_text(case: Path):
    comparison = build(_input(case), load_schema("fargate_prices.json"))
    whole = markdown_view.render(comparison)
    for bound in sorted({1000, 2500, 4000, len(whole) // 2, len(whole) - 1, len(whole), len(whole) + 1, 60_000}):
        for name in (None, "review.details.md"):
            pieces: list[str] = []
            summary, fits = markdown_view.write_bounded(comparison, pieces.append, bound, name)
            assert "".join(pieces) == whole  # the details: every section, written as each is made
            assert fits == (len(whole) <= bound)
            assert (summary, None if fits else whole) == _old_render_bounded(comparison, bound, name)
            assert markdown_view.render_bounded(comparison, bound, name) == (summary, None if fits else whole)


def test_the_pieces_of_the_terminal_and_page_are_the_views(tmp_path: Path):
    """The command writes the views' pieces as they come; joined, they are each view's text."""
    from converter.compare import html as html_view
    from converter.compare import terminal as terminal_view
    from tests.helpers import k2ecs_in_process

    case = next(c for c in CASES if c.name == "secrets-and-configmaps")
    comparison = build(_input(case), load_schema("fargate_prices.json"))
    pieces = list(terminal_view.chunks(comparison, width=90, only_changes=True))
    assert len(pieces) == len(comparison.workloads) + 2 and all(p.endswith("\n") for p in pieces)
    assert "".join(pieces) == terminal_view.render(comparison, width=90, only_changes=True)
    page = html_view.render(comparison)
    assert "".join(html_view.chunks(comparison)) == page
    config = ["--config", str(case / "k2ecs.yaml")]
    result = k2ecs_in_process("compare", str(case / "input"), *config, "--html", str(tmp_path / "p.html"))
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert f"wrote the HTML page ({len(written):,} characters)" in result.stderr
    assert written.count('<details class="workload"') == len(comparison.workloads)


SHARED = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: urls}
data: {CART_URL: "http://cart-shared-canary:7070"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: nginx, envFrom: [{configMapRef: {name: urls}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - {name: app, image: busybox, envFrom: [{configMapRef: {name: urls}}]}
"""


def test_a_document_shared_by_two_sections_is_shown_once_and_linked_from_the_other(tmp_path: Path):
    from converter.compare import compare
    from converter.compare import html as html_view

    (tmp_path / "bundle.yaml").write_text(SHARED, encoding="utf-8")
    texts: dict[str, str] = {}
    comparison = compare(load_paths([str(tmp_path / "bundle.yaml")], texts=texts), Settings(), (), texts)
    web, worker = comparison.workloads[:2]
    shared = [s for s in web.workload.sources if s in worker.workload.sources]
    assert [s.resource for s in shared] == ["ConfigMap/urls"]
    page = html_view.render(comparison)
    assert page.count("data: {CART_URL: &#34;http://cart-shared-canary:7070&#34;}") == 1  # its text, once
    assert page.count('Shown in the section of <a href="#section-1">web</a>.') == 1  # and a link from worker's
    # The rows of each section still show the ConfigMap's fields.
    assert page.count("http://cart-shared-canary:7070") >= 3


def _old_fill(select: Any, variables: Any) -> Any:
    import re

    pattern = re.compile(r"\{([A-Za-z_.]+)\}")
    if select is None or "{" not in select:
        return select
    if any(variables.get(name) is None for name in pattern.findall(select)):
        return "*"
    return pattern.sub(lambda match: str(variables[match[1]]), select)


@pytest.mark.parametrize("select", [None, "*", "0", "name=web", "name={container}", "name={item.name}",
                                    "{a}={b}", "x{a}y{a}z", "name={container}-{missing}", "{", "name={not valid}"])
@pytest.mark.parametrize("variables", [{}, {"container": "web", "a": 1, "b": "{a}"}, {"item.name": "{container}"},
                                       {"container": None, "a": True}])
def test_fill_is_what_it_replaced(select: Any, variables: dict[str, Any]):
    assert paths._fill(select, variables) == _old_fill(select, variables)


def _old_wrap(text: str, width: int, *, first: str = "", indent: str = "", limit: int | None = None) -> list[str]:
    from converter.compare import terminal as terminal_view

    words = text.split()
    if not words:
        return [first.rstrip()]
    whole = " ".join(words)
    if len(first) + len(whole) <= width:
        return [first + whole]
    return list(terminal_view._filled(whole, width, first, indent, limit))


@pytest.mark.parametrize("text", ["", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\nb", "a\xa0b", "a\u3000b",
                                  "a\u2028b", "a\x85b", "a\u200bb", "é ü", "x" * 40, "word " * 12, "a b " * 30,
                                  "= {\"k\": \"v\", \"n\": 1}"])
@pytest.mark.parametrize("first", ["", "   ", "  -> "])
def test_a_cell_that_fits_one_line_is_wrapped_as_before(text: str, first: str):
    """terminal._wrap gives a text back as it is when it fits and holds only single ASCII spaces; the rest goes
    through split and join as before."""
    from converter.compare import terminal as terminal_view

    for width in (8, 20, 40, 100):
        assert terminal_view._wrap(text, width, first=first, indent="  ", limit=3) == \
            _old_wrap(text, width, first=first, indent="  ", limit=3)


def test_fanned_out_targets_are_told_apart_by_the_text_json_dumps_gave():
    import json

    values = [{"b": 1, "a": [1, "x"]}, ["é", None, True, 1.5], "text", 3, {"when": object}]
    assert [paths._KEYED(v) for v in values] == [json.dumps(v, sort_keys=True, default=str) for v in values]


def test_the_texts_of_values_are_what_json_dumps_gave():
    """The rows' and the targets' texts come from C encoders made once (jsontext.one_shot), not json.dumps."""
    import json
    import datetime

    values = [{"b": 1, "a": [1, "x"]}, ["é", None, True, 1.5, float("inf")], "té\n", 3, {"when": object},
              {"d": datetime.date(2024, 1, 2)}, [], {}, {"z": {"y": [{}]}}]
    assert [rows.show(v) for v in values] == \
        [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(", ", ": "), default=str)
         for v in values]
    assert [paths.as_text(v) for v in values] == \
        [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True, default=str) for v in values]


def test_after_an_error_the_same_containers_are_written_again():
    """A C encoder made once keeps its table of the containers it is in; an error leaves them there, so one_shot
    empties it: else the same list, once fixed, would be refused as a cycle."""
    import json

    value = [{"n": {1: 1, "b": 2}}]  # keys of two types: sort_keys fails inside the inner mapping
    with pytest.raises(TypeError):
        paths.as_text(value)
    value[0]["n"] = {"b": 2}
    assert paths.as_text(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        rows.show(cycle)


def _old_variables(source: Any, path: tuple[Any, ...]) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for index, step in enumerate(path[:-1]):
        if step in ("containers", "initContainers") and isinstance(path[index + 1], int):
            variables["container"] = paths.node_at(source.data, path[: index + 2] + ("name",))
    node = paths.node_at(source.data, path)
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                variables[f"item.{key}"] = value
    return variables


@pytest.mark.parametrize("case", [case for case in CASES if not case.name.startswith("ecs-")],
                         ids=[case.name for case in CASES if not case.name.startswith("ecs-")])
def test_a_rows_variables_are_found_in_one_walk_as_from_the_root(case: Path):
    """kubernetes_fields._variables walks the path once; each path of each document (and past its leaves, and
    into a container that is not there) gives the variables the lookups from the root gave."""
    from converter.compare import kubernetes_fields

    sources = {id(s): s for w in _input(case).workloads for s in w.sources}.values()
    checked = 0
    for source in sources:
        for path in list(_all_paths(source.data)) + [("spec", "template", "spec", "containers", 9, "env", 0)]:
            for tried in (path, path + ("x",)):
                assert kubernetes_fields._variables(source, tried) == _old_variables(source, tried), tried
                checked += 1
    assert checked
