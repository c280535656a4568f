"""Issue 17 item 4 (and issue 24 item 2): bounds on nodes and documents per input, and no alias-bomb alarm
without aliases. The bounds are lowered here so that the work of each test stays small."""

from __future__ import annotations

import pytest

from converter.load import loader, source_files, yaml_bounds, yaml_limits
from converter.core.errors import InputError
from converter.load.yaml_bounds import bound_problem, counted_problem, estimated_nodes


def mapping_list(items: int, pairs: int = 8) -> str:
    """An anchor-free List of many small mappings, mostly scalars (as a report.json's findings are)."""
    # A "&" in a value (a URL's query) sends the document through the anchor-aware constructor and its
    # alias check: only documents without "&" skip it (loader.parse_text), and real ones often have one.
    item = "    url: https://example.com/?a=1&b=2\n" + "".join(f"    k{p}: value {p}\n" for p in range(pairs))
    return "apiVersion: v1\nkind: List\nitems:\n" + "".join("  - name: x\n" + item for _ in range(items))


def test_no_alias_bomb_alarm_without_aliases(monkeypatch):
    monkeypatch.setattr(yaml_limits, "MAX_EXPANDED_NODES", 1_000)
    text = mapping_list(200)  # about 3,800 nodes, 200 mappings: 19 nodes per collection, none shared
    documents = loader.parse_text(text, "big-list.yaml")
    assert len(documents) == 200


def test_an_alias_bomb_is_still_refused(monkeypatch):
    monkeypatch.setattr(yaml_limits, "MAX_EXPANDED_NODES", 1_000)
    bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    bomb += "d: [*c, *c, *c, *c, *c, *c, *c, *c]\n"  # 4,681 nodes once expanded, some 30 distinct
    with pytest.raises(InputError, match="alias bomb"):
        loader.parse_text(bomb, "bomb.yaml")


@pytest.mark.parametrize("text", [
    "a: b\n", "- a\n- b: c\n", "{a, b, c}\n", "[a, [b, c], {d: e}]\n", '{"a": 1, "b": [true, null]}\n',
    "? a\n? b\n", "- \n- \n", "a:\nb:\n", "[[], [], {}]\n", mapping_list(3),
])
def test_the_estimate_never_counts_fewer_nodes_than_there_are(text):
    exact = sum(1 for event in __import__("yaml").parse(text)
                if isinstance(event, (__import__("yaml").ScalarEvent, __import__("yaml").MappingStartEvent,
                                      __import__("yaml").SequenceStartEvent)))
    assert estimated_nodes(text) + 1 >= exact


@pytest.mark.parametrize("text, bound, message", [
    ("[" + "1," * 5_000 + "1]\n", "MAX_DOCUMENT_NODES", "a document of more than 1000 YAML nodes"),
    ("---\n" * 5_000, "MAX_DOCUMENTS", "more than 1000 documents in one input"),
    ("---\n[" + "1," * 600 + "1]\n" * 1 + ("---\n[" + "1," * 600 + "1]\n") * 20, "MAX_FILE_NODES",
     "more than 1000 YAML nodes in one input"),
])
def test_inputs_past_a_bound_are_refused_with_one_line(monkeypatch, tmp_path, text, bound, message):
    monkeypatch.setattr(yaml_bounds, bound, 1_000)
    if bound == "MAX_FILE_NODES":
        monkeypatch.setattr(yaml_bounds, "MAX_DOCUMENT_NODES", 1_000)
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        source_files.read_source(str(path))
    assert message in str(caught.value) and caught.value.line is not None


def test_an_input_within_the_bounds_is_not_counted(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(yaml_bounds, "counted_problem", lambda text: calls.append(text))
    assert bound_problem(mapping_list(50)) is None and calls == []  # the estimate decides: no event pass


def test_the_exact_count_stops_at_the_bound(monkeypatch):
    monkeypatch.setattr(yaml_bounds, "MAX_DOCUMENT_NODES", 100)
    text = "[" + "1,\n" * 100_000 + "1]\n"
    problem = counted_problem(text)
    assert problem is not None and problem[1] <= 102  # refused at the 101st node's line, not at the end


@pytest.mark.parametrize("constant", ["MAX_DOCUMENTS", "MAX_DOCUMENT_NODES", "MAX_FILE_NODES"])
def test_readme_states_each_bound(constant):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    limits = re.search(r"^## Limits\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert limits is not None and str(getattr(yaml_bounds, constant)) in limits.group(1).replace(",", "")


@pytest.mark.slow  # parses 20 MB (CI runs slow tests: .ci/run runs the README's pytest -q)
def test_a_20_mb_anchor_free_list_converts(tmp_path):
    """Issue 24's acceptance: the shape `kubectl get -o yaml` gives, a 20 MB kind: List without an anchor,
    converts as its documents would one by one: no bound meant for alias bombs or huge inputs fires.
    Mostly ConfigMaps (cheap to convert, dense in scalars), and Deployments that use them."""
    from tests.helpers import run_k2ecs

    keys = "".join(f"      KEY_{k:02d}: value-{k}-of-the-settings?a=1&b=2\n" for k in range(60))
    items = []
    for i in range(9_000):
        items.append(f"  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: settings-{i}\n    data:\n{keys}")
        if i % 100 == 0:
            items.append(f"  - apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: app-{i}\n    spec:\n"
                         f"      selector:\n        matchLabels: {{app: app-{i}}}\n      template:\n"
                         f"        metadata:\n          labels: {{app: app-{i}}}\n        spec:\n          containers:\n"
                         f"          - name: app\n            image: nginx\n            envFrom:\n"
                         f"            - configMapRef: {{name: settings-{i}}}\n")
    path = tmp_path / "list.yaml"
    path.write_text("apiVersion: v1\nkind: List\nitems:\n" + "".join(items))
    assert 20_000_000 <= path.stat().st_size < source_files.MAX_FILE_BYTES and "*" not in path.read_text()
    result = run_k2ecs("convert", str(path), "--fail-on", "never", "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(__import__("json").loads(result.stdout)["workloads"]) == 90
