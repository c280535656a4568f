"""convert() with the workload parts of a text deferred (converter.pipeline.deferred) gives what it gives with every
document parsed first, a batch of workloads at a time; and the text cut it relies on."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from converter.pipeline.convert import WORKLOAD_PARSERS, convert
from converter.pipeline.deferred import Deferred, SourceText
from converter.core.errors import K2ecsError
from converter.load.loader import parse_text, read_text
from converter.core.settings import Settings
from converter.load.source_files import expand_paths, read_source
from converter.load.yaml_parts import split_stream
from tests.helpers import CORPUS, ROOT

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "25"))


class ListSink:
    def __init__(self) -> None:
        self.items: dict[int, object] = {}
        self.puts = 0

    def put(self, position, output) -> None:
        self.items[position] = output
        self.puts += 1

    def reset(self) -> None:
        self.items.clear()


def read_whole(sources: list[tuple[str, str]]) -> list:
    return [d for name, text in sources for d in read_text(text, name)]


def stream(sources: list, sink, again=None):
    """convert() with the workload parts deferred, as the CLI runs it: (result or its error, whether it ran again)."""
    ran_again: list[bool] = []

    def whole():
        ran_again.append(True)
        return again() if again is not None else read_whole([(s.name, s.whole()) for s in sources])

    entries = [entry for source in sources for entry in source.entries()]
    try:
        result = convert(entries, Settings(), release=True, sink=sink, again=whole)
    except K2ecsError as err:
        result = err
    return result, bool(ran_again)


def both(sources: list[tuple[str, str]]):
    """(convert() of the whole texts or its error, the same with the workload parts deferred or its error,
    the sink, whether the deferred run ran again with nothing deferred)."""
    try:
        classic = convert(read_whole(sources), Settings(), release=True)
    except K2ecsError as err:
        classic = err
    sink = ListSink()
    streamed, ran_again = stream([SourceText(name, text) for name, text in sources], sink)
    return classic, streamed, sink, ran_again


def replaced_a_workload(classic) -> bool:
    """A workload declared again, or two with one ECS name: which declaration is converted, or that neither
    is, is known only when both are parsed, so the run starts again with nothing deferred (converter.pipeline.convert)."""
    return any(f.code == "K2E-E021" or f.code == "K2E-E007" and f.resource.split("/")[0] in ("Deployment", "StatefulSet")
               for f in classic.findings)


def assert_same(classic, streamed, sink) -> None:
    if isinstance(classic, Exception):
        assert type(streamed) is type(classic) and str(streamed) == str(classic)
        return
    outputs = [sink.items[key] for key in sorted(sink.items)]
    assert [(o.name, o.resource, o.task_definition, o.service, o.scaling) for o in classic.outputs] == \
        [(o.name, o.resource, o.task_definition, o.service, o.scaling) for o in outputs]
    assert [(o.name, o.resource, o.scaling is not None) for o in classic.outputs] == \
        [(o.name, o.resource, o.scaling) for o in streamed.outputs]
    assert [f.as_dict() for f in classic.findings] == [f.as_dict() for f in streamed.findings]
    assert [(s.resource, s.file, s.line, s.status) for s in classic.sources] == \
        [(s.resource, s.file, s.line, s.status) for s in streamed.sources]
    assert [c.as_dict() for c in classic.calls] == [c.as_dict() for c in streamed.calls]


def sources_of(paths: list[str]) -> list[tuple[str, str]]:
    return [read_source(path) for path in expand_paths(paths)]


# -- the text cut ---------------------------------------------------------------------------------

def test_parts_parse_as_the_whole_stream_does():
    text = ("# a comment before anything\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
            "data:\n  script: |\n    ---\n    not a marker: indented\n"
            "--- # a marker with a comment\nkind: Deployment\nmetadata:\n  name: web\n"
            "---\n---\nkind: 'StatefulSet'\nmetadata: {name: db}\n---\r\nkind: Service\r\n")
    parts = split_stream(text, WORKLOAD_PARSERS)
    assert [p.workload for p in parts] == [False, False, True, False, True, False]
    whole = parse_text(text, "f.yaml")
    pieces = [d for p in parts for d in parse_text(text[p.start:p.end], "f.yaml", first_line=p.first_line,
                                                   first_index=p.first_index)]
    assert [(d.index, d.line, d.data) for d in whole] == [(d.index, d.line, d.data) for d in pieces]
    paths = [("metadata", "name"), ("data", "script"), ("kind",), ("metadata",)]
    for a, b in zip(whole, pieces):
        assert [a.line_of(p) for p in paths] == [b.line_of(p) for p in paths]


def test_a_first_document_without_marker_is_numbered_as_libyaml_does():
    for text in ("kind: Deployment\nmetadata: {name: a}\n---\nkind: Service\n",
                 "# only a comment\n---\nkind: Deployment\n---\nkind: Service\n"):
        parts = split_stream(text, WORKLOAD_PARSERS)
        whole = parse_text(text, "f")
        pieces = [d for p in parts for d in parse_text(text[p.start:p.end], "f", first_line=p.first_line,
                                                       first_index=p.first_index)]
        assert [(d.index, d.line) for d in whole] == [(d.index, d.line) for d in pieces]


@pytest.mark.parametrize("text", ["%YAML 1.1\n---\nkind: Deployment\n", "kind: Deployment\n...\n---\nkind: Service\n"])
def test_directives_and_document_ends_are_not_cut(text):
    assert len(split_stream(text, WORKLOAD_PARSERS)) == 1 and not split_stream(text, WORKLOAD_PARSERS)[0].workload


# -- the same result as convert() -------------------------------------------------------------

def test_samples_and_bench_bundle_stream_to_the_same_result(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import bundle

    (tmp_path / "bundle.yaml").write_text(bundle(40, seed=3))
    targets = [[str(tmp_path / "bundle.yaml")]]
    targets += [[str(p)] for p in sorted((ROOT / "samples").glob("*/input")) if not p.parent.name.startswith("ecs-")]
    for paths in targets:
        classic, streamed, sink, ran_again = both(sources_of(paths))
        assert not ran_again, paths
        assert_same(classic, streamed, sink)


def test_corpus_streams_to_the_same_result():
    """Each corpus application gives convert()'s result with its workloads deferred. The run starts again with
    nothing deferred, by design, only where a workload is declared twice (the later declaration wins, and
    the earlier may be in the sink already) or two share an ECS name (issue 18)."""
    if not (CORPUS / "k8s").is_dir():
        pytest.skip("shared/corpus is not beside the project")
    streamed_count = 0
    for folder in sorted(p for p in (CORPUS / "k8s").iterdir() if p.is_dir()):
        classic, streamed, sink, ran_again = both(sources_of([str(folder)]))
        assert_same(classic, streamed, sink)
        assert ran_again == (not isinstance(classic, Exception) and replaced_a_workload(classic)), folder.name
        streamed_count += not ran_again
    assert streamed_count >= 10  # most of the corpus streams: the check is not vacuous


def _deployment(name, namespace, labels, config):
    meta = f"{{name: {name}" + ("" if namespace is None else f", namespace: {namespace}") + "}"
    label_text = ", ".join(f"{k}: {v}" for k, v in labels)
    env = "" if config is None else f"\n          envFrom: [{{configMapRef: {{name: {config}}}}}]"
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {meta}\nspec:\n  selector:\n    matchLabels: {{{label_text}}}\n"
            f"  template:\n    metadata:\n      labels: {{{label_text}}}\n    spec:\n      containers:\n"
            f"        - name: app\n          image: nginx:1.27\n          ports: [{{containerPort: 8080}}]{env}\n")


def _service(name, namespace, selector):
    meta = f"{{name: {name}" + ("" if namespace is None else f", namespace: {namespace}") + "}"
    text = ", ".join(f"{k}: {v}" for k, v in selector)
    return f"apiVersion: v1\nkind: Service\nmetadata: {meta}\nspec:\n  selector: {{{text}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"


def _hpa(name, namespace, target):
    meta = f"{{name: {name}" + ("" if namespace is None else f", namespace: {namespace}") + "}"
    return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {meta}\nspec:\n"
            f"  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}\n  minReplicas: 2\n  maxReplicas: 5\n"
            f"  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 60}}}}}}]\n")


def _config(name, namespace):
    meta = f"{{name: {name}" + ("" if namespace is None else f", namespace: {namespace}") + "}"
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {meta}\ndata: {{A: b}}\n"


NAMES = st.sampled_from(["web", "api", "Web", "db"])
NAMESPACES = st.sampled_from([None, "a", "b"])
LABELS = st.lists(st.tuples(st.sampled_from(["app", "tier"]), st.sampled_from(["x", "y"])), min_size=1, max_size=2,
                  unique_by=lambda kv: kv[0])
DOCUMENTS = st.one_of(
    st.builds(_deployment, NAMES, NAMESPACES, LABELS, st.sampled_from([None, "cfg", "missing"])),
    st.builds(_service, st.sampled_from(["s1", "s2", "s3"]), NAMESPACES, LABELS),
    st.builds(_hpa, st.sampled_from(["h1", "h2"]), NAMESPACES, NAMES),
    st.builds(_config, st.just("cfg"), NAMESPACES),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(DOCUMENTS, min_size=1, max_size=8), min_size=1, max_size=2),
       st.sampled_from(["", "# between\n"]))
def test_generated_bundles_stream_to_the_same_result(files, between):
    """Services selecting one, several or no workloads (several: the earlier workload is rendered again),
    HPAs naming the same workload, duplicates, names equal but for case, namespaces or none, across files."""
    sources = [(f"f{n}.yaml", "".join(f"---\n{between}{doc}" for doc in docs)) for n, docs in enumerate(files)]
    classic, streamed, sink, ran_again = both(sources)
    assert_same(classic, streamed, sink)
    if ran_again:
        assert replaced_a_workload(classic)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DOCUMENTS, min_size=2, max_size=12), st.integers(min_value=1, max_value=4))
def test_batches_of_any_size_give_the_same_result(docs, batch):
    """Pass 2 takes its workloads a batch at a time: a Service, HPA or duplicate spanning two batches,
    and a workload rendered again after the last batch, come out as from convert()."""
    from unittest import mock

    from converter.pipeline import convert as pipeline

    with mock.patch.object(pipeline, "BATCH_WORKLOADS", batch):
        classic, streamed, sink, ran_again = both([("f.yaml", "".join(f"---\n{doc}" for doc in docs))])
    assert_same(classic, streamed, sink)
    if ran_again:
        assert replaced_a_workload(classic)


def test_a_payload_failing_validation_in_a_batch_reaches_no_sink(monkeypatch):
    """Outputs are validated for the whole batch before any reaches the sink; the failure is the run's error."""
    from converter.pipeline import convert as pipeline
    from converter.core.errors import OutputValidationError

    def failing(output, workload, settings):
        if workload.name == "b":
            raise OutputValidationError("b: rendered ECS payload is not valid")

    monkeypatch.setattr(pipeline, "validate_output", failing)
    text = "".join("---\n" + _deployment(name, None, [("app", name)], None) for name in ("a", "b", "c"))
    sink = ListSink()
    result, _ = stream([SourceText("f.yaml", text)], sink)
    assert isinstance(result, OutputValidationError)
    assert sink.puts == 0


def test_a_service_matching_several_workloads_is_served_by_the_first_without_a_second_render():
    text = "---\n" + _service("s1", None, [("app", "x")]) + "---\n" + _deployment("a", None, [("app", "x")], None) \
        + "---\n" + _deployment("b", None, [("app", "x")], None)
    classic, streamed, sink, ran_again = both([("f.yaml", text)])
    assert_same(classic, streamed, sink)
    assert not ran_again and sink.puts == 2  # a and b, once each
    assert sink.items[0].service["serviceConnectConfiguration"]["services"][0]["clientAliases"] == [
        {"port": 80, "dnsName": "s1"}]
    assert "serviceConnectConfiguration" not in sink.items[1].service
    assert "K2E-W403" in [f.code for f in streamed.findings]


@pytest.mark.parametrize("text", [
    "kind: List\napiVersion: v1\nitems:\n- " + _deployment("a", None, [("app", "x")], None).replace("\n", "\n  "),
    json.dumps(yaml.safe_load(_deployment("a", None, [("app", "x")], None))),
])
def test_a_workload_the_text_does_not_show_is_parsed_in_pass_one(text):
    classic, streamed, sink, ran_again = both([("f.yaml", text)])
    assert_same(classic, streamed, sink)
    assert not ran_again and len(sink.items) == 1


@pytest.mark.parametrize("text", [
    "---\nkind: Service\nmetadata: {name: s,\nkind: Deployment\n}\n",  # the text's guess is wrong
    "---\n" + _deployment("a", None, [("app", "x")], None) + "kind: Service\n",  # the last kind key is kept
])
def test_a_part_that_is_not_what_the_text_said_runs_again_with_nothing_deferred(text):
    classic, streamed, sink, ran_again = both([("f.yaml", text + "---\n" + _deployment("b", None, [("app", "y")], None))])
    assert_same(classic, streamed, sink)
    assert ran_again


def test_a_broken_document_costs_that_document_deferred_or_not():
    text = "---\n" + _deployment("a", None, [("app", "x")], None) + "---\nkind: Service\nmetadata: [\n" \
        + "---\nkind: Deployment\nmetadata: {name: b\n"
    classic, streamed, sink, ran_again = both([("f.yaml", text)])
    assert_same(classic, streamed, sink)
    assert not ran_again and [f.code for f in streamed.findings].count("K2E-E030") == 2


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_large_file_is_read_back_part_by_part_and_converts_the_same(tmp_path, bom):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import bundle

    text = bundle(30, seed=5)
    path = tmp_path / "bundle.yaml"
    path.write_bytes(bom + text.encode())
    source = SourceText.read(str(path))
    try:
        assert source.text is None and len(source.parts) >= SourceText.KEEP_BELOW_PARTS  # not kept in memory
        assert "".join(source.part(part) for part in source.parts) == text
        assert source.whole() == text
        sink = ListSink()
        streamed, ran_again = stream([source], sink)
    finally:
        source.close()
    classic = convert(parse_text(text, str(path)), Settings(), release=True)
    assert_same(classic, streamed, sink)
    assert not ran_again


def _bench_bundle_file(tmp_path, workloads: int = 30):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import bundle

    path = tmp_path / "bundle.yaml"
    path.write_text(bundle(workloads, seed=5))
    return path


def test_a_file_written_to_while_it_is_read_back_is_converted_again_whole(tmp_path):
    path = _bench_bundle_file(tmp_path)
    source = SourceText.read(str(path))
    try:
        assert source.text is None  # read back part by part
        with open(path, "r+b") as handle:  # in place, same size: only the name of the last workload changes
            data = handle.read()
            at = data.rindex(b"name: svc-")
            handle.seek(at)
            handle.write(b"name: xyz-")
        os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 1_000_000_000))  # on file systems with coarse times too
        assert not source.unchanged()
        sink = ListSink()
        streamed, ran_again = stream([source], sink)  # the run starts again on the file as it is now
    finally:
        source.close()
    assert ran_again
    assert_same(convert(read_whole([read_source(str(path))]), Settings(), release=True), streamed, sink)
    assert any("xyz-" in finding.message for finding in streamed.findings)  # the text as it is now was converted


def test_a_file_replaced_between_reading_and_opening_keeps_the_text_read(tmp_path, monkeypatch):
    from converter.pipeline import deferred

    path = _bench_bundle_file(tmp_path)
    real_read = deferred.read_source

    def read_then_replace(name):
        result = real_read(name)
        replacement = tmp_path / "new.yaml"
        replacement.write_bytes(path.read_bytes())
        os.replace(replacement, path)  # another inode, same size and text
        return result

    monkeypatch.setattr(deferred, "read_source", read_then_replace)
    source = SourceText.read(str(path))
    assert source.text is not None and source.handle is None and source.unchanged()


def test_a_small_or_non_ascii_file_keeps_its_text(tmp_path):
    small = tmp_path / "small.yaml"
    small.write_text(_deployment("a", None, [("app", "x")], None))
    wide = tmp_path / "wide.yaml"
    wide.write_text("".join("---\n" + _config(f"c{n}", "é") for n in range(80)))
    for path in (small, wide):
        source = SourceText.read(str(path))
        assert source.text is not None and source.handle is None


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a.yaml", "b.yaml"]), st.one_of(st.none(), st.integers(0, 5)),
                          st.sampled_from(["", "/spec", "/spec/a"]), st.sampled_from(["K2E-W001", "K2E-I002"]),
                          st.sampled_from(["m", "n", ""]), st.integers(0, 3)), max_size=60))
def test_sort_findings_gives_the_order_of_sort_key_ties_included(rows):
    from converter.core.findings import Finding, Severity, sort_findings

    findings = [Finding(code=code, severity=Severity.INFO, resource=f"R/{tag}", file=file, line=line, path=path,
                        message=message, suggestion="") for file, line, path, code, message, tag in rows]
    expected = sorted(findings, key=Finding.sort_key)
    sort_findings(findings)
    assert [(f.sort_key(), f.resource) for f in findings] == [(f.sort_key(), f.resource) for f in expected]


def _split_with_multiline_patterns(text: str) -> list[tuple]:
    """split_stream as first written, with ^ and re.M: the reference for its faster searches."""
    import re

    marker = re.compile(r"^---(?=[ \t\r\n]|\Z)", re.M)
    uncut = re.compile(r"^(?:%|\.\.\.(?:[ \t\r\n]|\Z))", re.M)
    workload = re.compile(r"^kind:[ \t]*(['\"]?)(?:Deployment|StatefulSet)\1[ \t]*(?:#[^\n]*)?\r?$", re.M)
    content = re.compile(r"^[ \t]*[^ \t\r\n#]", re.M)
    if uncut.search(text):
        return [(0, len(text), 1, 0, False)]
    starts = [m.start() for m in marker.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    parts, line, index, previous = [], 1, 0, 0
    for number, start in enumerate(starts):
        line += text.count("\n", previous, start)
        previous = start
        end = starts[number + 1] if number + 1 < len(starts) else len(text)
        parts.append((start, end, line, index, workload.search(text, start, end) is not None))
        if number > 0 or text.startswith("---") or content.search(text, start, end) is not None:
            index += 1
    return parts


_LINES = st.sampled_from(["---", "--- # c", "---x", "--- a", "----", " ---", "kind: Deployment", "kind: 'StatefulSet'",
                          'kind: "Deployment" # c', "kind: Deployment x", "  kind: Deployment", "kind:Deployment",
                          "%YAML 1.1", "...", "... x", "....", "", "# c", "a: b", "  - c"])


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(lines=st.lists(_LINES, max_size=12), ending=st.sampled_from(["\n", "\r\n"]), last=st.booleans())
def test_split_stream_cuts_as_line_patterns_say(lines: list[str], ending: str, last: bool) -> None:
    text = ending.join(lines) + (ending if last and lines else "")
    parts = [(p.start, p.end, p.first_line, p.first_index, p.workload) for p in split_stream(text, WORKLOAD_PARSERS)]
    assert parts == _split_with_multiline_patterns(text)


# -- one registry, one pipeline, one index ------------------------------------------------------

def test_a_workload_kind_registered_once_is_deferred_converted_and_bounded_like_a_deployment(monkeypatch):
    """Adding a workload kind is one WORKLOAD_PARSERS entry: the text cut defers its parts, and pass 2
    parses each batch only after the previous batch's outputs reached the sink, as for Deployments."""
    from converter.pipeline import convert as pipeline
    from converter.read.kubernetes.workload import parse_deployment

    events: list[str] = []

    def parse_thing(reader, context):  # a throwaway kind: a Deployment's fields under another kind
        events.append("parse " + reader.resource)
        return parse_deployment(reader, context)

    def parse_logged_deployment(reader, context):
        events.append("parse " + reader.resource)
        return parse_deployment(reader, context)

    class LoggingSink(ListSink):
        def put(self, position, output) -> None:
            events.append("put " + output.name)
            super().put(position, output)

    monkeypatch.setitem(WORKLOAD_PARSERS, "throwawaything", ("ThrowawayThing", parse_thing))
    monkeypatch.setitem(WORKLOAD_PARSERS, "deployment", ("Deployment", parse_logged_deployment))
    monkeypatch.setattr(pipeline, "BATCH_WORKLOADS", 1)
    for kind in ("ThrowawayThing", "Deployment"):
        events.clear()
        docs = [_deployment(name, None, [("app", name)], None).replace("kind: Deployment", f"kind: {kind}")
                for name in ("a", "b", "c")]
        source = SourceText("f.yaml", "---\n" + _service("s", None, [("app", "b")]) + "".join("---\n" + d for d in docs))
        assert sum(isinstance(entry, Deferred) for entry in source.entries()) == 3
        sink = LoggingSink()
        result, ran_again = stream([source], sink)
        assert not ran_again and [o.name for o in result.outputs] == ["a", "b", "c"]
        assert [e.split("/")[0] for e in events] == [f"parse {kind}", "put a", f"parse {kind}", "put b",
                                                       f"parse {kind}", "put c"]
        assert "serviceConnectConfiguration" in sink.items[1].service  # linked with the Service of pass 1
        classic = convert(read_whole([("f.yaml", "---\n" + _service("s", None, [("app", "b")])
                                       + "".join("---\n" + d for d in docs))]), Settings(), release=True)
        assert_same(classic, result, sink)


def test_linking_helm_style_selectors_is_linear():
    """Helm selectors all begin with the release's app.kubernetes.io/instance pair; indexed by their first
    pair, every Service fell in one bucket and N workloads tried N Services each (issue 24, cause 5)."""
    from converter.pipeline.linking import Links
    from tests.helpers import within_call_budget

    class Model:
        def __init__(self, **fields) -> None:
            self.__dict__.update(fields)

    def link_all(n: int) -> int:
        links = Links()
        release = ("app.kubernetes.io/instance", "shop")
        for number in range(n):
            links.add_exposure(Model(type="ClusterIP", selector=(release, ("app.kubernetes.io/name", f"svc{number}")),
                                     namespace=None, name=f"svc{number}"))
        links.index()
        for number in range(n):
            attached, _ = links.link(Model(kind="Deployment", name=f"svc{number}", namespace=None, resource=f"Deployment/svc{number}",
                                           pod_labels=(release, ("app.kubernetes.io/name", f"svc{number}"), ("tier", "web"))))
            assert [e.name for e in attached] == [f"svc{number}"]
        return len(links.findings(None))

    _, small = within_call_budget(10**6, link_all, 50)
    assert link_all(50) == 0
    _, large = within_call_budget(10 * small, link_all, 400)  # 8x the input: linear fits, quadratic (64x) does not
