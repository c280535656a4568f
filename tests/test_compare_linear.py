"""`k2ecs compare` is linear in the input (issue 24 cause 1), and shows each source as the slow emitter would.

Work is bounded by counting calls (tests/helpers.py ``within_call_budget``), never by the clock: grouping a
workload with its Services, HPA and ConfigMaps, and finding its payloads, must not rescan the whole input per
workload, or eight times the workloads costs sixty-four times the calls in that part.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import converter.pipeline.convert
from converter.compare.kubernetes_input import from_kubernetes
from converter.compare.payloads import pinned
from converter.load.config import load_config
from converter.load.loader import load_paths
from tests.helpers import sample_cases, within_call_budget

CONVERT = converter.pipeline.convert.convert  # the real one: each measurement patches it to return its own conversion
RELEASE = "app.kubernetes.io/instance: shop"  # Helm puts the release label first in every selector


def _bundle(count: int) -> str:
    """``count`` workloads, each with a Service selecting it by Helm-style labels, an HPA and a ConfigMap."""
    parts = []
    for index in range(count):
        name = f"svc-{index:04d}"
        parts.append(f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-settings}}
data: {{MODE: fast}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{{RELEASE}, app.kubernetes.io/name: {name}}}}}
  template:
    metadata: {{labels: {{{RELEASE}, app.kubernetes.io/name: {name}}}}}
    spec:
      containers:
      - name: app
        image: example/{name}:1
        ports: [{{containerPort: 8080}}]
        envFrom: [{{configMapRef: {{name: {name}-settings}}}}]
        resources: {{requests: {{cpu: 250m, memory: 256Mi}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{{RELEASE}, app.kubernetes.io/name: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 4
""")
    return "---\n".join(parts)


def _grouping_calls(tmp_path: Path, count: int, monkeypatch: pytest.MonkeyPatch, budget: int) -> tuple[object, int]:
    """Calls made by compare's Kubernetes adapter past the conversion (which is run, and bounded, elsewhere)."""
    path = tmp_path / f"bundle-{count}.yaml"
    path.write_text(_bundle(count))
    documents = load_paths([str(path)])
    settings = load_config(None)
    conversion = CONVERT(documents, settings)

    def converted(*args, sink=None, **kwargs):  # the conversion's outputs handed to compare's sink, as convert does
        for position, output in enumerate(conversion.outputs):
            sink.put(position, output)
        return conversion

    monkeypatch.setattr(converter.pipeline.convert, "convert", converted)
    return within_call_budget(budget, from_kubernetes, documents, settings)


def test_compare_groups_workloads_in_calls_linear_in_their_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    small, small_calls = _grouping_calls(tmp_path, 4, monkeypatch, 10**7)
    # Every workload is shown with its own Service, HPA and ConfigMap, and its own payloads.
    assert [len(w.sources) for w in small.workloads] == [4] * 4
    assert all(w.converted and w.resource == f"Deployment/{w.name}" for w in small.workloads)
    # Eight times the workloads: at most eight times the calls and a margin. Measured: 7.9x; the adapter that
    # rescanned the input per workload made 10.5x (and its share grows with the input: 1 GB at 10 MB, issue 24).
    large, _ = _grouping_calls(tmp_path, 32, monkeypatch, int(small_calls * 8.6))
    assert [len(w.sources) for w in large.workloads] == [4] * 32


# Strings where the two emitters could part: long plain and quoted scalars around the 100-column width, quotes,
# non-ASCII, and the escaped characters (newline, tab) that send a document to the pure-Python emitter. The whole
# corpus was compared once the same way (642 documents, none differ; 78 hold an escaped character).
EDGES = [
    {"a": "word " * 40, "b": "'quoted' " * 30, "c": 'say "hi" ' * 30, "d": "é ü 中文 " * 30, "e": "x" * 150},
    {"expression": "object.spec.group != 'gateway' ||\n(has(object.metadata.annotations) && " * 4},
    {"tab": "a\tb " * 40, "key with: colon": ["- not a list", "# not a comment", "", " lead", "trail "]},
    {"numbers": ["1", "1.0", "0x1F", "true", "~", "null", "2024-01-01"], "empty": {}, "none": None},
]


def test_the_fast_emitter_shows_each_source_as_the_pure_python_one():
    from converter.compare.kubernetes_input import yaml_text

    documents = [d.data for case in sample_cases() for d in load_paths([str(case / "input")])] + EDGES
    for data in documents:
        slow = yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=100)
        assert yaml_text(data) == slow


def test_a_document_without_a_kind_is_grouped_with_the_other_resources(tmp_path: Path):
    """Its resource is "document 2" (no Kind/name): grouping once failed on it (IndexError), as in the corpus."""
    from converter.compare import compare

    (tmp_path / "app.yaml").write_text(_bundle(1) + "---\nmetadata: {name: no-kind}\n")
    comparison = compare(load_paths([str(tmp_path / "app.yaml")]), load_config(None))
    other = comparison.workloads[-1].workload
    assert not other.is_workload and [s.resource for s in other.sources] == ["document 5"]


def test_payload_text_is_json_dumps_text_without_its_pure_python_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """json.dumps(indent=2) runs json's pure-Python encoder: a tenth of compare at 1 MB (issue 24). The page
    shows the same text, written by converter.core.jsontext."""
    import json
    import json.encoder

    made = []
    real = json.encoder._make_iterencode
    monkeypatch.setattr(json.encoder, "_make_iterencode", lambda *a, **k: made.append(1) or real(*a, **k))
    path = tmp_path / "app.yaml"
    path.write_text(_bundle(3))
    comparison = from_kubernetes(load_paths([str(path)]), load_config(None))
    converted = [w for w in comparison.workloads if w.converted]
    assert made == [] and len(converted) == 3
    monkeypatch.undo()
    for workload in converted:
        with pinned(workload):  # the payloads are spooled outside a workload's section (compare.payloads)
            assert dict(workload.target_text) == {label: json.dumps(payload, indent=2, ensure_ascii=False)
                                                  for label, payload in workload.targets.items()}


def test_placeholders_are_listed_in_calls_linear_in_the_workloads(tmp_path: Path):
    """Every workload carries the cluster placeholder; each was checked against the list of workloads
    already named for it: quadratic (a sixteenth of compare --html at 10 MB, issue 24)."""
    from converter.compare import compare
    from converter.compare.review import _placeholders

    calls, items = {}, {}
    for count in (4, 32):
        path = tmp_path / f"bundle-{count}.yaml"
        path.write_text(_bundle(count))
        comparison = compare(load_paths([str(path)]), load_config(None))
        items[count], calls[count] = within_call_budget(10**7, _placeholders, comparison)
    assert any("32 services" in item.text for item in items[32])  # each workload counted once
    assert calls[32] <= 8.6 * calls[4]
