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
