"""converter.load.loader in process: lines of keys and items, List expansion, JSON, YAML 1.1 quirks, and the safety limits."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from converter.load import loader, yaml_limits, yaml_line_loader
from converter.pipeline.convert import convert
from converter.core.document import Document, pointer
from converter.core.errors import InputError
from converter.load.loader import load_paths, parse_text
from converter.core.settings import Settings
from converter.load.source_files import expand_paths, read_source
from tests.helpers import within_call_budget

BAD_DIR = Path(__file__).resolve().parent / "bad_input"


def parse(text: str, file: str = "in.yaml") -> list[Document]:
    return parse_text(textwrap.dedent(text), file)


def error(text: str, file: str = "in.yaml") -> InputError:
    with pytest.raises(InputError) as caught:
        parse(text, file)
    return caught.value


DEPLOYMENT = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels:
        app: web
    spec:
      replicas: 2
      template:
        spec:
          containers:
          - name: app
            image: nginx
            ports:
            - containerPort: 80

            - containerPort: 443
          - name: sidecar
            image: envoy
    """


# -- lines ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, line", [
    ((), 1),
    (("apiVersion",), 1),
    (("kind",), 2),
    (("metadata",), 3),
    (("metadata", "name"), 4),
    (("metadata", "labels", "app"), 6),
    (("spec", "replicas"), 8),
    (("spec", "template", "spec", "containers"), 11),
    (("spec", "template", "spec", "containers", 0), 12),
    (("spec", "template", "spec", "containers", 0, "image"), 13),
    (("spec", "template", "spec", "containers", 0, "ports", 0), 15),
    (("spec", "template", "spec", "containers", 0, "ports", 1), 17),
    (("spec", "template", "spec", "containers", 0, "ports", 1, "containerPort"), 17),
    (("spec", "template", "spec", "containers", 1), 18),
    (("spec", "template", "spec", "containers", 1, "image"), 19),
])
def test_line_of_keys_and_items(path, line):
    [document] = parse(DEPLOYMENT)
    assert document.line_of(path) == line


def test_line_of_missing_path_is_the_deepest_existing_node():
    [document] = parse(DEPLOYMENT)
    assert document.line_of(("metadata", "namespace")) == 3  # metadata exists, namespace does not
    assert document.line_of(("spec", "template", "spec", "containers", 7, "image")) == 11
    assert document.line_of(("metadata", "name", "deeper")) == 4  # through a scalar


def test_line_of_flow_style_and_document_offsets():
    documents = parse("""\
        # comment
        ---
        kind: A
        ---
        kind: B
        metadata: {name: b, labels: {x: "1"}}
        list: [one,
          two]
        """)
    assert [d.data["kind"] for d in documents] == ["A", "B"]
    assert [d.index for d in documents] == [0, 1]
    a, b = documents
    assert a.line == 3 and b.line == 5
    assert b.line_of(("metadata", "labels", "x")) == 6
    assert b.line_of(("list", 1)) == 8


def test_document_index_counts_empty_documents():
    documents = parse("---\n---\nkind: A\n---\n...\n---\nkind: B\n")
    assert [(d.data["kind"], d.index, d.line) for d in documents] == [("A", 1, 3), ("B", 3, 7)]


def test_empty_and_comment_only_text():
    assert parse("") == []
    assert parse("# nothing\n---\n...\n") == []


# -- kind: List -----------------------------------------------------------------------------------------

LIST = """\
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: one
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: two
      data:
        key: value
    """


def test_list_expansion_prefixes_and_lines():
    documents = parse(LIST)
    assert [d.prefix for d in documents] == [("items", 0), ("items", 1)]
    assert [d.data["metadata"]["name"] for d in documents] == ["one", "two"]
    assert [d.line for d in documents] == [4, 8]
    assert documents[1].line_of(("data", "key")) == 13
    assert documents[1].line_of(("metadata", "name")) == 11
    assert all(d.index == 0 for d in documents)


@pytest.mark.parametrize("kind", ["List", "list", "LIST", "ConfigMapList", "DeploymentList"])
def test_list_kinds(kind):
    documents = parse(LIST.replace("kind: List", f"kind: {kind}"))
    if kind.lower() == "list":
        assert len(documents) == 2
    else:  # typed lists (kubectl get -o yaml of one kind) are not expanded by the loader
        assert len(documents) == 1 and documents[0].data["kind"] == kind


def test_list_finding_paths_carry_the_prefix():
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Widget
          metadata: {name: w}
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web}
          spec:
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec:
                containers: [{name: web, image: nginx, unknownField: 1}]
        """)
    result = convert(parse_text(text, "list.yaml"), Settings())
    [w901] = [f for f in result.findings if f.code == "K2E-W901"]
    assert w901.path == "/items/1/spec/template/spec/containers/0/unknownField"
    assert w901.line == 15
    [w001] = [f for f in result.findings if f.code == "K2E-W001"]
    assert (w001.path, w001.line) == ("/items/0", 4)


def test_list_item_that_is_not_a_mapping():
    err = error("kind: List\nitems:\n- kind: A\n- just text\n")
    assert (err.file, err.line) == ("in.yaml", 4)
    assert "items[1]" in err.message


def test_empty_list_yields_nothing():
    assert parse("kind: List\nitems: []\n") == []


# -- JSON -----------------------------------------------------------------------------------------------

def test_json_input_with_lines():
    text = '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {\n    "name": "cfg"\n  },\n' \
           '  "data": {"a": "1", "b": "true"},\n  "list": [\n    1,\n    2.5,\n    null\n  ]\n}\n'
    [document] = parse_text(text, "cfg.json")
    assert document.data == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
                             "data": {"a": "1", "b": "true"}, "list": [1, 2.5, None]}
    assert document.line_of(("metadata", "name")) == 5
    assert document.line_of(("data", "b")) == 7
    assert document.line_of(("list", 1)) == 10


def test_json_list_kind_and_duplicate_keys():
    [one, two] = parse_text('{"kind": "List", "items": [{"kind": "A"},\n{"kind": "B"}]}', "l.json")
    assert (one.prefix, two.prefix, two.line) == (("items", 0), ("items", 1), 2)
    with pytest.raises(InputError) as caught:
        parse_text('{"kind": "A",\n "kind": "B"}', "d.json")
    assert caught.value.line == 2 and "duplicate key 'kind'" in caught.value.message


def test_json_strings_stay_strings():
    [document] = parse_text('{"kind": "A", "v": "2024-01-01", "n": "1", "b": "yes"}', "s.json")
    assert document.data == {"kind": "A", "v": "2024-01-01", "n": "1", "b": "yes"}


# -- YAML value types -----------------------------------------------------------------------------------

def test_timestamps_stay_strings():
    [document] = parse("""\
        kind: A
        date: 2024-01-01
        stamp: 2024-01-01T10:00:00Z
        spaced: 2001-12-14 21:59:43.10 -5
        metadata:
          creationTimestamp: 2023-06-01T00:00:00Z
        """)
    assert document.data["date"] == "2024-01-01"
    assert document.data["stamp"] == "2024-01-01T10:00:00Z"
    assert document.data["spaced"] == "2001-12-14 21:59:43.10 -5"
    assert document.data["metadata"]["creationTimestamp"] == "2023-06-01T00:00:00Z"


def test_core_scalars():
    [document] = parse("""\
        kind: A
        i: 3
        f: 0.5
        t: true
        n: null
        tilde: ~
        s: "3"
        explicit: !!str 12
        int_tag: !!int "7"
        """)
    assert document.data == {"kind": "A", "i": 3, "f": 0.5, "t": True, "n": None, "tilde": None, "s": "3",
                             "explicit": "12", "int_tag": 7}


def test_merge_keys():
    [document] = parse("""\
        kind: A
        base: &base
          image: nginx
          imagePullPolicy: Always
        first:
          <<: *base
          name: one
        second:
          <<: *base
          imagePullPolicy: IfNotPresent
        both:
          <<: [{a: 1}, {a: 2, b: 2}]
          c: 3
        """)
    assert document.data["first"] == {"image": "nginx", "imagePullPolicy": "Always", "name": "one"}
    assert document.data["second"] == {"image": "nginx", "imagePullPolicy": "IfNotPresent"}  # explicit key wins
    assert document.data["both"] == {"a": 1, "b": 2, "c": 3}  # the first mapping in the list wins
    assert document.line_of(("second", "imagePullPolicy")) == 10
    assert document.line_of(("first", "name")) == 7


def test_merge_key_does_not_hide_a_real_duplicate():
    err = error("kind: A\nb: &b {x: 1}\nm:\n  <<: *b\n  y: 1\n  y: 2\n")
    assert err.line == 6 and "duplicate key 'y'" in err.message


def test_anchors_and_a_few_aliases_are_fine():
    [document] = parse("kind: A\nlabels: &l {app: web}\nselector: *l\nmore: [*l, *l]\n")
    assert document.data["selector"] == {"app": "web"} and document.data["more"] == [{"app": "web"}] * 2


def test_many_keys_are_not_an_alias_bomb():
    """A big ordinary file (thousands of keys, no aliases) must load: keys are not alias references."""
    body = "\n".join(f"  key{i}: value{i}" for i in range(5000))
    [document] = parse_text(f"kind: ConfigMap\nmetadata: {{name: big}}\ndata:\n{body}\n", "big.yaml")
    assert len(document.data["data"]) == 5000
    assert document.line_of(("data", "key4999")) == 5003


def test_many_documents_with_many_keys():
    one = "kind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n" + "".join(f"  k{j}: v\n" for j in range(50))
    text = "---\n".join(one.format(i=i) for i in range(100))
    documents = parse_text(text, "many.yaml")
    assert len(documents) == 100


# -- rejected constructs --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, fragment", [
    ("kind: A\nx: !!python/object:os.system {}\n", 2, "python/object"),
    ("kind: A\nx: !!python/name:os.system\n", 2, "python/name"),
    ("kind: A\nx: !Ref Thing\n", 2, "'!Ref'"),
    ("kind: A\nx: !GetAtt [a, b]\n", 2, "'!GetAtt'"),
    ("kind: A\nx: !!binary aGVsbG8=\n", 2, "binary"),
    ("kind: A\nx: !!timestamp 2024-01-01\n", 2, "timestamp"),
    ("kind: A\nx: !!set {a}\n", 2, "set"),
    ("kind: A\nx: !!omap [{a: 1}]\n", 2, "omap"),
    ("--- !Thing\nkind: A\n", 1, "'!Thing'"),
    ("%TAG !e! tag:example.com,2000:\n---\nkind: !e!x A\n", 3, "tag:example.com,2000:x"),
])
def test_tags_are_never_constructed(text, line, fragment):
    err = error(text)
    assert err.line == line and fragment in err.message and "not allowed" in err.message


@pytest.mark.parametrize("text, line, fragment", [
    ("kind: A\nkind: B\n", 2, "duplicate key 'kind' (first at line 1)"),
    ("kind: A\nm:\n  a: 1\n  b: 2\n  a: 3\n", 5, "duplicate key 'a' (first at line 3)"),
    ("kind: A\nl:\n- {x: 1, x: 2}\n", 3, "duplicate key 'x'"),
    ("kind: A\na: 1\n'a': 2\n", 3, "duplicate key 'a'"),
    ("kind: A\nn: 1\nn: 1\n", 3, "duplicate key 'n'"),  # same value: still a duplicate
])
def test_duplicate_keys_are_rejected(text, line, fragment):
    err = error(text)
    assert err.line == line and fragment in err.message


@pytest.mark.parametrize("text, keys", [
    ("9000: default/example-go:8080\n", ["9000"]),  # ingress-nginx's tcp-services ConfigMap, as its docs write it
    ("1: a\ntrue: b\nno: c\n0x1F: d\n010: e\n-3: f\n", ["1", "true", "false", "31", "8", "-3"]),
    ("base: &b {80: http}\nports:\n  <<: *b\n  443: https\n", None),  # merged keys too
])
def test_integer_and_boolean_keys_are_read_as_kubernetes_reads_them(text, keys):
    """kubectl turns YAML into JSON, whose keys are strings: 9000 is "9000", true (or yes) is "true"."""
    (document,) = parse("kind: ConfigMap\ndata:\n" + textwrap.indent(text, "  "), "in.yaml")
    data = document.data["data"]
    if keys is None:
        assert data["ports"] == {"80": "http", "443": "https"}
        return
    assert list(data) == keys
    assert [document.line_of(("data", key)) for key in keys] == list(range(3, 3 + len(keys)))


def test_a_configmap_with_an_integer_key_converts():
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tcp}\ndata:\n  9000: default/example-go:8080\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
            "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: app\n"
            "        image: nginx:1.27\n        env:\n        - name: BACKEND\n"
            "          valueFrom: {configMapKeyRef: {name: tcp, key: '9000'}}\n")
    result = convert(parse(text), Settings())
    (environment,) = [c["environment"] for c in result.outputs[0].task_definition["containerDefinitions"]]
    assert {"name": "BACKEND", "value": "default/example-go:8080"} in environment
    assert not [f for f in result.findings if f.severity.label == "error"]


@pytest.mark.parametrize("text, line, fragment", [
    ("kind: A\n1: a\n'1': b\n", 3, "duplicate key '1' (first at line 2)"),  # one key to Kubernetes as well
    ("kind: A\ntrue: a\nyes: b\n", 3, "duplicate key 'true' (first at line 2)"),
    ("kind: A\n1.5: a\n", 2, "mapping key '1.5' reads as a float, not a string; quote it"),
    ("kind: A\n~: a\n", 2, "mapping key '~' reads as null, not a string; quote it"),
    ("kind: A\nm: &m {1.5: a}\nn:\n  <<: *m\n", 2, "reads as a float"),
])
def test_keys_that_are_one_to_kubernetes_or_have_no_spelling_there_are_errors(text, line, fragment):
    err = error(text)
    assert err.line == line and fragment in err.message


def test_complex_keys_are_rejected():
    assert "plain value" in error("kind: A\n? [a, b]\n: c\n").message
    assert "plain value" in error("kind: A\n? {a: 1}\n: c\n").message


@pytest.mark.parametrize("text, kind", [("- a\n- b\n", "a list"), ("just text\n", "a str"), ("42\n", "a int"),
                                        ("kind: A\n---\n[1]\n", "a list")])
def test_documents_that_are_not_mappings(text, kind):
    err = error(text)
    assert kind.split()[1][:3] in err.message and "not a Kubernetes object" in err.message


def test_undefined_alias():
    err = error("kind: A\nx: *nope\n")
    assert err.line == 2 and "not valid YAML" in err.message


BILLION_LAUGHS = (BAD_DIR / "alias_bomb.yaml").read_text()


def test_alias_bomb_rejected_with_bounded_work():
    # The expansion is counted on the node graph with memoisation (yaml_limits.shape_problem): about 0.3
    # million calls here. Expanding the bomb would take billions; the budget stops the test long before.
    err, _ = within_call_budget(2_000_000, error, BILLION_LAUGHS, "bomb.yaml")
    assert "alias" in err.message and err.file == "bomb.yaml" and err.line == 1


def test_alias_bomb_of_mappings_rejected_with_bounded_work():
    lines = ["a: &a {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9, q: 10}"]
    for level, name in enumerate("bcdefghijk"):
        prev = "abcdefghijk"[level]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    err, _ = within_call_budget(2_000_000, error, "\n".join(lines) + "\n")
    assert "alias" in err.message


def test_alias_references_are_counted():
    refs = ", ".join(["*x"] * (yaml_limits.MAX_ALIAS_REFERENCES + 1))
    err = error(f"kind: A\nv: &x 1\nl: [{refs}]\n")
    assert "alias" in err.message
    refs_ok = ", ".join(["*x"] * 50)
    [document] = parse(f"kind: A\nv: &x 1\nl: [{refs_ok}]\n")
    assert document.data["l"] == [1] * 50


@pytest.mark.parametrize("depth, ok", [(50, True), (loader.MAX_DEPTH - 5, True), (loader.MAX_DEPTH + 1, False),
                                       (5000, False)])
def test_nesting_depth(depth, ok):
    text = "kind: A\nx: " + "[" * depth + "]" * depth + "\n"
    if ok:
        assert parse_text(text, "d.yaml")[0].data["kind"] == "A"
    else:
        with pytest.raises(InputError) as caught:
            parse_text(text, "d.yaml")
        assert "nesting deeper than" in caught.value.message and caught.value.line is not None


def test_block_nesting_depth():
    text = "kind: A\nx:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(loader.MAX_DEPTH + 5)) + \
        "  " * (loader.MAX_DEPTH + 6) + "v\n"
    err = error(text)
    assert "nesting deeper than" in err.message


@pytest.mark.parametrize("text, line", [
    ("kind: A\nmetadata:\n\tname: x\n", 3),  # tab indentation
    ("kind: A\nname: a: b\n", 2),
    ("kind: A\nlist: [1, 2\nnext: 3\n", 3),
    ("kind: A\n  bad: indent\n", 2),
    ("kind: A\n---\nkind: B\n- x\n", 4),
    ("kind: A\nx: @at\n", 2),
    ("kind: A\nx: `tick\n", 2),
])
def test_syntax_errors_name_the_line(text, line):
    err = error(text)
    assert err.line == line, err
    assert err.message.startswith("not valid YAML")
    assert "\n" not in str(err)


@pytest.mark.parametrize("text, line", [
    ('kind: A\nmetadata:\n  name: "web\nspec:\n  replicas: 1\n', 3),  # the quote left open
    ("kind: A\nmetadata:\n  name: 'web\n", 3),
    ('{"kind": "A",\n "data": {"a": "b"\n}\n', 1),  # the outer { left open
    ("kind: A\nlist: [1,\n  2\n", 2),
])
def test_error_at_end_of_stream_names_what_was_left_open(text, line):
    """Regression: the problem mark at the end of the stream named a line after the last one."""
    err = error(text)
    assert err.line == line, err
    assert err.line <= text.count("\n")


@pytest.mark.parametrize("text", ["kind: A\nlist: [1,\n  2,\n", "kind: A\nmap: {a: 1,\n  b: 2,\n"])
def test_trailing_comma_at_end_of_stream_names_a_real_line(text):
    err = error(text)
    assert 1 <= err.line <= text.count("\n"), err


# -- read_source, expand_paths, load_paths ---------------------------------------------------------------

def test_read_source_strips_bom(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfkind: A\n")
    name, text = read_source(str(path))
    assert name == str(path) and text == "kind: A\n"
    [document] = load_paths([str(path)])
    assert document.data == {"kind": "A"} and document.line == 1


@pytest.mark.parametrize("raw, line, fragment", [
    (b"kind: A\nname: caf\xe9\n", 2, "not UTF-8"),
    (b"kind: A\n\n\nx: \x00\n", 4, "NUL"),
    (b"\xff\xfek\x00i\x00", 1, "not UTF-8"),  # UTF-16 is not accepted
])
def test_read_source_rejects_binary(tmp_path, raw, line, fragment):
    path = tmp_path / "bin.yaml"
    path.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_source(str(path))
    assert caught.value.line == line and fragment in caught.value.message and caught.value.file == str(path)


def test_expand_paths_walks_folders_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/z.yaml", "a.yml", "c.json", "notes.txt", "b/a.YAML"):
        (tmp_path / name).write_text("kind: A\n")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)])]
    assert found == sorted(found) and set(found) == {"a.yml", "b/a.YAML", "b/z.yaml", "c.json"}
    with pytest.raises(InputError) as caught:
        expand_paths([str(tmp_path / "missing.yaml")])
    assert "missing.yaml" in str(caught.value)


def test_error_strings_are_one_line():
    for text in ("kind: A\nx: [\n", "kind: A\n\tx: 1\n", "kind: A\nkind: B\n", 'kind: "A\n'):
        err = error(text)
        assert "\n" not in str(err) and str(err).startswith("in.yaml:")


def test_pointer():
    assert pointer(()) == ""
    assert pointer(("a", 0, "b/c", "d~e")) == "/a/0/b~1c/d~0e"


@pytest.mark.parametrize("body", [
    "".join(f"  k{i}: \"^\\\\[{i}\"\n" for i in range(250)),  # 250 quoted values holding a bracket
    "  script: |\n" + "    echo '{'\n" * 250,  # a block scalar with 250 opening braces
])
def test_brackets_inside_strings_are_not_nesting(body):
    [document] = parse_text("kind: ConfigMap\nmetadata: {name: strings}\ndata:\n" + body, "strings.yaml")
    assert document.data["kind"] == "ConfigMap"


@pytest.mark.parametrize("text, line", [
    ("- " * 100_000 + "x\n", 1),  # a block chain on the first line
    ("kind: A\nx:\n" + "- " * 100_000 + "y\n", 3),  # and on a later one
    ("kind: A\nx: " + "[" * 100_000 + "]" * 100_000 + "\n", 2),
])
def test_nesting_deep_enough_to_crash_libyaml_is_an_error_with_its_line(text: str, line: int) -> None:
    """libyaml's composer recurses in C once per level: some 100,000 levels crash the interpreter, so the
    depth is checked on the text first (yaml_limits.too_deep_line). Run in a child, which a crash would kill."""
    code = ("import sys; from converter.load.loader import parse_text; from converter.core.errors import InputError\n"
            "try:\n    parse_text(sys.stdin.read(), 'deep.yaml')\n"
            "except InputError as err:\n    print(err.line, err.message)\n")
    result = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.startswith(f"{line} nesting deeper than {loader.MAX_DEPTH} levels")


@pytest.mark.parametrize("text, deep", [
    ("a: 1\n" * 1000, False),
    (" " * (4 * loader.MAX_DEPTH) + "x: 1\n", True),  # indentation alone, on the first line
    ("a: 1\n" + " " * (4 * loader.MAX_DEPTH) + "x: 1\n", True),
    ("a: 1\n" + " " * (4 * loader.MAX_DEPTH - 1) + "x: 1\n", False),
    ("- " * (loader.MAX_DEPTH - 1) + "x\n", False),
    ("? " * loader.MAX_DEPTH + "x\n", True),
    ("a:\n" + "-\t" * loader.MAX_DEPTH + "x\n", True),
])
def test_the_cheap_depth_estimate_errs_only_upwards(text: str, deep: bool) -> None:
    assert yaml_limits.might_be_too_deep(text) is deep


_PLAIN_VALUES = ["yes", "No", "ON", "off", "y", "true", "False", "null", "~", "", "Null", "0x1F", "0o17", "017", "1_000",
                 "-12", "+3", "1.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "190:20:30", "2024-01-01",
                 "2024-01-01T10:00:00Z", "<<", "=", "name", "nginx:1.25", "10m", "512Mi", "café", "12 monkeys"]


@pytest.mark.parametrize("value", _PLAIN_VALUES)
def test_plain_scalars_resolve_as_pyyaml_does_except_timestamps(value: str) -> None:
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    expected = Resolver().resolve(ScalarNode, value, (True, False))
    if expected == "tag:yaml.org,2002:timestamp" or ":" in value:
        expected = "tag:yaml.org,2002:str"  # nor base 60 (190:20:30): kubectl's decoder has neither
    ours = yaml_line_loader._CoreResolver()
    assert [ours.resolve(ScalarNode, value, (True, False)) for _ in range(2)] == [expected, expected]  # then cached
    assert ours.resolve(ScalarNode, value, (False, True)) == "tag:yaml.org,2002:str"  # quoted


def test_the_cache_of_plain_scalar_tags_stays_bounded() -> None:
    text = "kind: A\nitems:\n" + "".join(f"- value-{n}\n" for n in range(2 * yaml_line_loader._PLAIN_TAGS_KEPT))
    assert len(parse_text(text, "many.yaml")[0].data["items"]) == 2 * yaml_line_loader._PLAIN_TAGS_KEPT
    assert len(yaml_line_loader._PLAIN_TAGS) <= yaml_line_loader._PLAIN_TAGS_KEPT
    # and what is met after it filled up is remembered: the streaming conversion parses the Services and
    # HPAs first, whose names filled it before the workloads' repeated keys came
    parse_text("containerPort: 80\n", "late.yaml")
    assert yaml_line_loader._PLAIN_TAGS.get("containerPort") == "tag:yaml.org,2002:str"


class _LibyamlWithItsOwnLimit:
    """Stands in for a libyaml whose scanner stops on a nesting limit of its own before producing a single
    event (libyaml 0.2.6 does so at 1000 levels; a later one may stop earlier), with libyaml's own words."""

    def __init__(self, text: str) -> None:
        self.text = text

    def check_event(self) -> bool:
        mark = yaml.Mark("<unicode string>", 0, 0, 0, None, None)
        raise yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)

    def dispose(self) -> None:
        pass


_PARSERS = {
    "installed libyaml": lambda: yaml_limits.LIBYAML_PARSER,
    "no libyaml (pure-Python PyYAML)": lambda: None,
    "libyaml with its own limit": lambda: _LibyamlWithItsOwnLimit,
}


@pytest.mark.parametrize("parser", sorted(_PARSERS))
@pytest.mark.parametrize("text, line", [
    ("kind: A\nx: " + "[" * 5000 + "]" * 5000 + "\n", 2),  # past libyaml 0.2.6's flow limit
    ("kind: A\ny: 1\nx: " + "{a: " * 1500 + "1" + "}" * 1500 + "\n", 3),
    ("kind: A\nx:\n" + "- " * 1500 + "y\n", 3),  # past its block limit
    ("kind: A\nx: " + "[" * (loader.MAX_DEPTH + 1) + "]" * (loader.MAX_DEPTH + 1) + "\n", 2),  # under it
])
def test_nesting_limit_is_ours_whichever_libyaml_the_wheel_carries(monkeypatch, parser, text, line):
    """Issue 16: the same input gets the same message and line with every PyYAML 6.x build."""
    monkeypatch.setattr(yaml_limits, "LIBYAML_PARSER", _PARSERS[parser]())
    assert yaml_limits.too_deep_line(text) == line
    with pytest.raises(InputError) as caught:
        parse_text(text, "deep.yaml")
    assert (caught.value.message, caught.value.line) == (f"nesting deeper than {loader.MAX_DEPTH} levels", line)


def test_libyaml_nesting_message_never_reaches_the_user(monkeypatch):
    """Should the text pre-check miss a deep document, libyaml's own limit is still reported in our words."""
    monkeypatch.setattr(loader, "too_deep_line", lambda text: None)
    if yaml_limits.LIBYAML_PARSER is None:
        pytest.skip("no libyaml in this PyYAML build")
    text = "kind: A\nx: " + "[" * 1500 + "]" * 1500 + "\n"
    with pytest.raises(InputError) as caught:
        parse_text(text, "deep.yaml")
    assert caught.value.message == f"nesting deeper than {loader.MAX_DEPTH} levels"
    assert caught.value.line == 2


def test_a_syntax_error_is_not_taken_for_libyaml_nesting_limit():
    assert not yaml_limits.is_nesting_limit_error(yaml.scanner.ScannerError("while scanning", None, "found a tab", None))
