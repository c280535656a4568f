"""converter.load.yaml_tree: documents built directly are what the loader's own constructor builds.

Every text here is loaded twice, once as converter.load.loader does it and once with the direct builder
turned off, and the two must give the same documents (data with its types, lines, line tables) or
the same error. Other tests pin which documents take which way.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from converter.core import document
from converter.core.document import entry_lines as document_module_lines
from converter.load import loader, yaml_tree
from converter.core.errors import InputError
from tests.helpers import SAMPLES, corpus_k8s_files

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "25"))


def _typed(value: Any) -> Any:
    """The value with every scalar's type beside it (1, 1.0 and True are equal but not the same)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(key), _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


def _tables(document: document.Document) -> list[Any]:
    """Each mapping's and list's entry of the line table, in document order."""
    found: list[Any] = []
    stack = [document.data]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            entry = document.line_table.get(id(node))
            if entry.__class__ is int:  # packed (converter.core.document.packed_lines): the same lines
                entry = document_module_lines(entry)
            found.append((type(entry).__name__, list(entry.items()) if isinstance(entry, dict) else list(entry or ())))
            stack.extend(reversed(list(node.values()) if isinstance(node, dict) else node))
    return found


def _outcome(text: str, name: str = "in.yaml", **options: Any) -> Any:
    try:
        documents = loader.parse_text(text, name, **options)
    except InputError as err:
        return ("error", str(err), err.line)
    return [(d.index, d.line, d.prefix, _typed(d.data), _tables(d)) for d in documents]


def _both(text: str, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[Any, Any]:
    """parse_text's outcome with converter.load.yaml_tree's builder and with it refused (the constructor's path);
    ``options`` go to parse_text (a file name, cfn_tags, keep_last)."""
    direct = _outcome(text, **options)
    with monkeypatch.context() as patch:
        patch.setattr(yaml_tree, "build", _refuse)
        constructed = _outcome(text, **options)
    return direct, constructed


def _refuse(*args: Any) -> Any:
    raise yaml_tree.Unusual


def _count_direct(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each call of yaml_tree.build: True when it built the document, False when it gave up."""
    calls: list[bool] = []
    real = yaml_tree.build

    def counting(*args: Any) -> Any:
        try:
            result = real(*args)
        except yaml_tree.Unusual:
            calls.append(False)
            raise
        calls.append(True)
        return result

    monkeypatch.setattr(yaml_tree, "build", counting)
    return calls


# -- the same documents -----------------------------------------------------------------------------

def _sample_and_corpus_files() -> list[Path]:
    return sorted(SAMPLES.rglob("*.yaml")) + corpus_k8s_files()


@pytest.mark.parametrize("path", _sample_and_corpus_files(), ids=lambda p: p.name)
def test_samples_and_corpus_load_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    direct, constructed = _both(path.read_text(encoding="utf-8"), monkeypatch)
    assert direct == constructed


ODD_DOCUMENTS = {
    "merge keys": "base: &b {a: 1}\nother:\n  <<: *b\n  c: 2\n",
    "alias of a scalar": "a: &x hello\nb: *x\n",
    "anchor on the root": "&root\na: 1\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "integer key": "1: one\n2: two\n",
    "boolean and null keys": "true: a\nnull: b\n~: c\n",
    "mapping as a key": "? [a, b]\n: value\n",
    "explicit int tag that fits": "a: !!int '12'\n",
    "explicit int tag that does not fit": "a: !!int twelve\n",
    "explicit str tag": "a: !!str 12\nb: !!str true\n",
    "explicit float tag": "a: !!float '1.5'\n",
    "binary tag": "a: !!binary aGVsbG8=\n",
    "set tag": "a: !!set {x, y}\n",
    "str tag on a mapping": "a: !!str {b: 1}\n",
    "timestamp-like value": "a: 2024-01-01\nb: 2024-01-01T10:00:00Z\n",
    "YAML 1.1 scalars": "a: yes\nb: off\nc: 0x1F\nd: 0o17\ne: 1_000\nf: .inf\ng: -.Inf\nh: .nan\ni: 1e3\nj: ~\nk: 010\n",
    "integers read without the constructor, and not": "a: 0\nb: 7\nc: 65535\nd: 007\ne: 08\nf: -5\ng: +5\n"
                                                        "h: 1:30\ni: \u0663\nj: 00\nk: 12345678901234567890\n",
    "long mapping": "".join(f"key{n}: {n}\n" for n in range(40)),
    "sixteen and seventeen keys": "a:\n" + "".join(f"  k{n}: v\n" for n in range(16)) + "b:\n"
                                  + "".join(f"  k{n}: v\n" for n in range(17)),
    "empty containers": "a: {}\nb: []\nc: [[], {}]\n",
    "scalar document": "just text\n",
    "null document": "~\n",
    "list document": "- a\n- b\n",
    "a kind List": "kind: List\nitems:\n- kind: A\n  metadata: {name: x}\n- kind: B\n  metadata: {name: y}\n",
    "flow style": "{a: [1, 2, {b: c}], d: 'e'}\n",
    "several documents, one anchored": "a: 1\n---\nb: &x 2\nc: *x\n---\nd: [3]\n",
    "ampersand in a value": "url: http://x/?a=1&b=2\n---\nother: doc\n",
    "ampersand, non-ASCII text": "url: http://x/?a=1&b=2\nname: café\n---\nother: doc\n",
    "alias to an undefined anchor": "a: *nothing\n",
    "directives": "%YAML 1.1\n---\na: 1\n",
    "tab in a value": "a: \"x\\ty\"\n",
    "interned keys repeated": "- {name: a, value: b}\n- {name: c, value: d}\n",
}


@pytest.mark.parametrize("text", list(ODD_DOCUMENTS.values()), ids=list(ODD_DOCUMENTS))
def test_odd_documents_load_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    direct, constructed = _both(text, monkeypatch)
    assert direct == constructed


_KEYS = st.sampled_from(["a", "name", "<<", "1", "true", "null", "~", "key with space", "k:v", "&x", "*y", "café",
                         "yes", "-", "2024-01-01"])
_SCALARS = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
            | st.sampled_from(["yes", "No", "0x1F", "1e3", ".inf", "2024-01-01", "", "~", "&a", "*a", "a: b", "- x",
                               "multi\nline", "tab\there", "ünïcode", "http://x/?a=1&b=2"]))
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
                     max_leaves=25)
_SNIPPETS = st.sampled_from(["", "extra: &anchor {a: 1}\nuse: *anchor\n", "merged:\n  <<: {m: 1}\n  n: 2\n",
                             "dup: 1\ndup: 2\n", "tagged: !!int '7'\n", "bad: !!int seven\n", "5: five\n"])


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=st.lists(st.tuples(st.dictionaries(_KEYS, _DATA, max_size=5), _SNIPPETS, st.booleans()),
                          min_size=1, max_size=3))
def test_generated_documents_load_the_same(documents: list[tuple[dict, str, bool]]) -> None:
    texts = []
    for data, snippet, flow in documents:
        dumped = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False) if data else ""
        texts.append(snippet + dumped if flow else dumped + snippet)
    text = "---\n".join(texts)
    with pytest.MonkeyPatch.context() as patch:
        direct, constructed = _both(text, patch)
    assert direct == constructed


# -- which way each document takes ------------------------------------------------------------------

DEPLOYMENT = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          containers:
          - {name: app, image: nginx}
    """)


def test_a_plain_document_is_built_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_direct(monkeypatch)
    (document,) = loader.parse_text(DEPLOYMENT, "in.yaml")
    assert calls == [True]
    assert document.line_of(("spec", "template", "spec", "containers", 0)) == 8


def test_an_anchored_document_is_left_to_the_constructor_and_its_neighbours_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_direct(monkeypatch)
    documents = loader.parse_text(DEPLOYMENT + "---\na: &x 1\nb: *x\n---\n" + DEPLOYMENT, "in.yaml")
    assert [d.data.get("b") for d in documents] == [None, 1, None]
    assert calls == [True, True]  # the middle document never reached the direct builder


def test_an_ampersand_in_a_non_ascii_text_sends_every_document_to_the_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_direct(monkeypatch)
    loader.parse_text("name: café\n---\nurl: http://x/?a=1&b=2\n", "in.yaml")
    assert calls == []


def test_a_document_the_builder_gives_up_on_leaves_no_stale_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_direct(monkeypatch)
    (document,) = loader.parse_text("a: [1, 2]\nb: {c: 3}\nd: !!int '5'\ne:\n  <<: {f: 6}\n", "in.yaml")
    assert calls == [False]
    assert document.data == {"a": [1, 2], "b": {"c": 3}, "d": 5, "e": {"f": 6}}
    # Only the constructor's entries are left: one per mapping and list of the document.
    assert len(document.line_table) == 4


def test_duplicate_keys_are_still_an_error_with_both_lines() -> None:
    with pytest.raises(InputError) as caught:
        loader.parse_text("a: 1\nb: 2\na: 3\n", "in.yaml")
    assert caught.value.line == 3
    assert "first at line 1" in str(caught.value)


def test_key_names_are_shared_between_documents() -> None:
    first, second = loader.parse_text("containerPort: 1\n---\ncontainerPort: 2\n", "in.yaml")
    (key_one,), (key_two,) = first.data, second.data
    assert key_one is key_two  # one string per key name: a large bundle repeats a few names a lot


@pytest.mark.parametrize("levels", [198, 199, 200, 201])
@pytest.mark.parametrize("inside", ["x", "", "{a: 1}"])
def test_depth_at_the_limit_is_decided_as_by_the_loaders_check(levels: int, inside: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder checks no limit first: it gives up where an item would pass the depth limit, and the
    loader's check (shape_problem) then reports it, as for a document the constructor builds."""
    text = "a: " + "[" * levels + inside + "]" * levels + "\n"
    direct, constructed = _both(text, monkeypatch)
    assert direct == constructed
    deepest = 1 + levels + (1 if inside == "x" else 2 if inside else 0)  # the mapping, the lists, what is inside
    assert (direct[0] == "error" and "nesting deeper than 200" in direct[1]) == (deepest > 200)
