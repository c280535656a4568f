"""Issue 24: a loaded document holds one string object per text, keys and values alike (json_lines and yaml_tree
intern each as they pass it). The same texts recur in every workload of a large input, and a new object for
each was 1.4-1.5 MB of the 5-6 MB of data a 2 MB ECS document or template loads into. Counted, not timed; the
data itself is compared with the YAML loader's by tests/test_json_lines.py and tests/test_yaml_tree.py."""

from __future__ import annotations

import json

from converter.load import json_lines
from converter.load.loader import parse_text
from tests.test_reverse_held import _TEMPLATE, _workloads


def _strings(node, found: dict[int, str]) -> dict[int, str]:
    """id -> text of every string object in the data, keys and values."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                found[id(key)] = key
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            found[id(node)] = node
    return found


def _one_object_per_text(data) -> tuple[int, int]:
    found = _strings(data, {})
    return len(found), len(set(found.values()))


def test_a_json_document_holds_one_object_per_string():
    text = json.dumps(_workloads(30), indent=1)
    data, _, _ = json_lines.read_json(text)
    objects, texts = _one_object_per_text(data)
    assert objects == texts
    assert texts < 400  # 30 workloads, the same texts in each but their names: not 30 copies of them
    assert data == json.loads(text)


def test_a_template_and_a_manifest_hold_one_object_per_string():
    template = parse_text(_TEMPLATE, "stack.yaml", cfn_tags=True)
    manifests = parse_text("".join(f"""\
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web{i}, labels: {{app.kubernetes.io/part-of: shop, tier: web}}}}
spec:
  selector: {{matchLabels: {{tier: web}}}}
  template:
    metadata: {{labels: {{tier: web}}}}
    spec:
      containers:
      - {{name: app, image: nginx, args: [--port, "80"], ports: [{{containerPort: 80, protocol: TCP}}]}}
""" for i in range(20)), "bundle.yaml")
    assert len(template) == 1 and len(manifests) == 20
    for documents in (template, manifests):
        found: dict[int, str] = {}
        for document in documents:
            _strings(document.data, found)
        assert len(found) == len(set(found.values()))
    assert manifests[19].data["spec"]["template"]["spec"]["containers"][0]["args"] == ["--port", "80"]


def _entries(document) -> list:
    entries, stack = [], [document.data]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            entries.append(document.line_table[id(node)])
            stack.extend(node.values() if isinstance(node, dict) else node)
    return entries


def test_short_line_table_entries_are_one_int_and_read_as_the_array_would():
    """An array object per mapping and list (64 bytes before its first line) was most of a line table; an entry
    of up to PACKED_LINES lines is one int. Every line is read back as before: the YAML loader's way, with
    arrays, is the reference (tests/test_json_lines.py and tests/test_yaml_tree.py compare whole tables)."""
    from array import array

    from converter.core.document import PACKED_LINES, entry_lines, packed_lines
    from converter.load.loader import parse_text as parse

    payload = _workloads(3)
    payload["workloads"][0]["taskDefinition"]["containerDefinitions"][0]["environment"] = [
        {"name": f"K{i}", "value": str(i)} for i in range(PACKED_LINES + 4)]  # a list too long to pack
    text = json.dumps(payload, indent=1)
    for document in (parse(text, "t.json", cfn_tags=True)[0], parse(_TEMPLATE, "stack.yaml", cfn_tags=True)[0]):
        entries = _entries(document)
        packed = [entry for entry in entries if entry.__class__ is int]
        assert len(packed) > len(entries) * 3 // 4  # most entries
    assert any(entry.__class__ is array and len(entry) > PACKED_LINES for entry in _entries(parse(text, "t.json", cfn_tags=True)[0]))
    # every path's line is the one a table of arrays gives
    document = parse(text, "t.json", cfn_tags=True)[0]
    as_arrays = type(document)(document.file, document.index, document.data, document.line,
                               {key: entry_lines(entry) if entry.__class__ is int else entry
                                for key, entry in document.line_table.items()})

    def paths(node, at=()):
        yield at
        if isinstance(node, dict):
            for key, value in node.items():
                yield from paths(value, at + (key,))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from paths(value, at + (index,))

    checked = [path for path in paths(document.data)] + [("workloads", 9), ("workloads", 0, "nope"), ("workloads", True)]
    assert [document.line_of(path) for path in checked] == [as_arrays.line_of(path) for path in checked]
    assert len({document.line_of(path) for path in checked}) > 100
    assert packed_lines(array("I", [7, 300000, 1])) == 7 | 300000 << 32 | 1 << 64
    assert list(entry_lines(7 | 300000 << 32 | 1 << 64)) == [7, 300000, 1] and list(entry_lines(0)) == []
