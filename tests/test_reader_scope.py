"""Scope: a container's fields read by key record exactly what the Reader's read of the whole path records.

compare's rows and the catch-all walk (K2E-W901) are made from a reader's consumed and visited paths and its
findings, so a Scope's read must leave the same sets, the same findings (with their lines) and raise the same
errors as the Reader's call with the full path, whatever the document holds there.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import given, settings, strategies as st

from converter.core.errors import DocumentError
from converter.core.reader import Reader
from converter.core.scope import Scope
from converter.load.loader import read_text

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "25"))

_TEXT = """\
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: "1"}
spec:
  replicas: 2
  big: 4294967296
  runAsUser: 4294967296
  nothing: null
  text: hello
  flag: true
  ratio: 1.5
  items: [a, b, 3]
  template:
    metadata:
      annotations: {a: b}
    spec:
      containers:
        - name: app
          image: nginx
          ports:
            - containerPort: 80
          securityContext: null
          resources:
            limits: {cpu: 500m}
        - null
        - plain
"""

# Containers a parser may hold: present, absent, null, a scalar, a list, a list item, a null item.
_CONTAINERS = [(), ("metadata",), ("spec",), ("spec", "template", "spec"), ("spec", "template", "spec", "containers", 0),
               ("spec", "template", "spec", "containers", 0, "securityContext"),
               ("spec", "template", "spec", "containers", 0, "resources"),
               ("spec", "template", "spec", "containers", 1), ("spec", "template", "spec", "containers", 2),
               ("spec", "template", "spec", "containers"), ("spec", "absent"), ("spec", "nothing"), ("spec", "text"),
               ("spec", "items"), ("metadata", "labels")]
_KEYS = ["name", "image", "replicas", "big", "runAsUser", "nothing", "text", "flag", "ratio", "items", "template",
         "labels", "app", "absent", "containers", "spec", "metadata", "ports", "limits", "resources", 0, 1, 5]
_TYPES = [(), (str,), (int,), (int, str), (bool,), (float,), (list,), (dict,)]
_METHODS = ["get", "has", "raw", "present", "take", "mapping", "sequence", "string_map", "origin", "note",
            "note_open", "scope_get", "container_origin"]


def _document():
    return read_text(_TEXT, "in.yaml")[0]


def _by_path(reader: Reader, path: tuple[Any, ...], method: str, key: Any, types: tuple[type, ...]) -> Any:
    full = path + (key,)
    if method == "get":
        return reader.get(full, *types, default="d")
    if method == "has":
        return reader.has(full)
    if method == "raw":
        return reader.raw(full, "d")
    if method == "present":
        return reader.present(path, ("name", "image", key, "absent"))
    if method == "take":
        return reader.take(full)
    if method == "mapping":
        return reader.mapping(full)
    if method == "sequence":
        return list(reader.sequence(full))
    if method == "string_map":
        return reader.string_map(full)
    if method == "origin":
        return reader.origin(full)
    if method == "note":
        return reader.note(full, "K2E-W145", f"{key} has no ECS field")
    if method == "note_open":
        return reader.note(full, "K2E-I009", "named", covers=False, paths=["/x"])
    if method == "scope_get":
        return reader.get(full + ("name",), *types)
    return reader.origin(path)


def _by_scope(scope: Scope, method: str, key: Any, types: tuple[type, ...]) -> Any:
    if method == "get":
        return scope.get(key, *types, default="d")
    if method == "has":
        return scope.has(key)
    if method == "raw":
        return scope.raw(key, "d")
    if method == "present":
        return scope.present(("name", "image", key, "absent"))
    if method == "take":
        return scope.take(key)
    if method == "mapping":
        return scope.mapping(key)
    if method == "sequence":
        return list(scope.sequence(key))
    if method == "string_map":
        return scope.string_map(key)
    if method == "origin":
        return scope.origin(key)
    if method == "note":
        return scope.note(key, "K2E-W145", f"{key} has no ECS field")
    if method == "note_open":
        return scope.note(key, "K2E-I009", "named", covers=False, paths=["/x"])
    if method == "scope_get":
        return scope.scope(key).get("name", *types)
    return scope.origin()


def _outcome(call) -> Any:
    try:
        return ("value", call())
    except DocumentError as err:
        return ("error", str(err), err.path, err.line, err.detail)


def _state(reader: Reader) -> Any:
    return (set(reader.consumed), set(reader.visited),
            [(f.code, f.line, f.path, f.message, dict(f.extra)) for f in reader.findings])


def test_every_read_of_every_container_records_what_the_full_path_read_records() -> None:
    """Every method, key and container of the document, each on fresh readers: same result, sets, findings."""
    for number, (path, method, key) in enumerate((path, method, key) for path in _CONTAINERS for method in _METHODS
                                                 for key in _KEYS):
        types = _TYPES[number % len(_TYPES)]
        by_path = Reader(_document(), "Deployment/web")
        by_scope = Reader(_document(), "Deployment/web")
        expected = _outcome(lambda: _by_path(by_path, path, method, key, types))
        got = _outcome(lambda: _by_scope(Scope(by_scope, path), method, key, types))
        assert got == expected, (path, method, key, types)
        assert _state(by_scope) == _state(by_path), (path, method, key, types)


def test_a_full_path_read_after_any_scoped_read_finds_its_own_field() -> None:
    """A Scope sets the reader's last container (Reader.raw's and origin()'s shortcut) to the one it holds: the
    full-path read that follows it, of any field of the document, still finds that field and its line."""
    for path in _CONTAINERS:
        for method in _METHODS:
            by_path = Reader(_document(), "Deployment/web")
            by_scope = Reader(_document(), "Deployment/web")
            scope = Scope(by_scope, path)
            for other in _CONTAINERS:
                for key in _KEYS:
                    _outcome(lambda: _by_path(by_path, path, method, "name", ()))
                    _outcome(lambda: _by_scope(scope, method, "name", ()))
                    read = other + (key,)
                    assert by_scope.raw(read, "d") == by_path.raw(read, "d"), (path, method, read)
                    _outcome(lambda: _by_path(by_path, path, method, "name", ()))
                    _outcome(lambda: _by_scope(scope, method, "name", ()))
                    assert by_scope.origin(read) == by_path.origin(read), (path, method, read)
            assert _state(by_scope) == _state(by_path), (path, method)


_OPS = st.lists(st.tuples(st.sampled_from(_CONTAINERS), st.sampled_from(_METHODS), st.sampled_from(_KEYS),
                          st.sampled_from(_TYPES), st.booleans()), min_size=1, max_size=30)


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(ops=_OPS, early=st.booleans())
def test_scoped_and_full_path_reads_mixed_record_what_full_path_reads_record(ops: list, early: bool) -> None:
    """Reads by Scope and by full path mixed on one reader, as parsers mix them, against full-path reads alone
    on another: same result, same sets, same findings, same error, after every read (a Scope sets the reader's
    last container; a later full-path read must still find its own). ``early``: every Scope made before any
    read."""
    by_path = Reader(_document(), "Deployment/web")
    by_scope = Reader(_document(), "Deployment/web")
    scopes = {path: Scope(by_scope, path) for path in _CONTAINERS} if early else {}
    for path, method, key, types, scoped in ops:
        expected = _outcome(lambda: _by_path(by_path, path, method, key, types))
        if scoped:
            scope = scopes.get(path) or Scope(by_scope, path)
            got = _outcome(lambda: _by_scope(scope, method, key, types))
        else:
            got = _outcome(lambda: _by_path(by_scope, path, method, key, types))
        assert got == expected, (path, method, key, types, scoped)
        assert _state(by_scope) == _state(by_path), (path, method, key, types, scoped)


def test_a_scope_of_a_list_item_given_its_node_reads_as_the_path_does() -> None:
    """Parsers make a Scope of each item sequence() yields, with the item: the node is not looked up again."""
    by_path = Reader(_document(), "Deployment/web")
    by_scope = Reader(_document(), "Deployment/web")
    containers = ("spec", "template", "spec", "containers")
    for (item_path, item), (same_path, _) in zip(by_scope.sequence(containers), by_path.sequence(containers)):
        fields = Scope(by_scope, item_path, item)
        for key in ("name", "image", "absent"):
            assert fields.get(key, str) == by_path.get(same_path + (key,), str)
        assert fields.origin() == by_path.origin(same_path)
    assert _state(by_scope) == _state(by_path)
    assert ("spec", "template", "spec", "containers", 0, "image") in by_scope.consumed


def test_reads_through_a_scope_do_not_walk_from_the_root(monkeypatch) -> None:
    """The container is found once, when the Scope is made; its fields, present or not, and the Scopes under it
    are read from the mapping held (what makes a Scope cheaper than a path per field)."""
    reader = Reader(_document(), "Deployment/web")
    container = Scope(reader, ("spec", "template", "spec", "containers", 0))
    walks: list[Any] = []
    real = Reader.raw
    monkeypatch.setattr(Reader, "raw", lambda self, path, default=None: walks.append(path) or real(self, path, default))
    reader.raw(("spec", "replicas"))  # the reader's last container is now another one
    walks.clear()
    for key in ("name", "image", "absent", "imagePullPolicy"):
        container.get(key, str)
        container.has(key)
    container.scope("resources").get("requests")
    container.scope("absent").get("name", str)
    container.note("image", "K2E-W145", "image has no ECS field")
    assert walks == []
    assert reader.consumed == {container.path + ("name",), container.path + ("image",)}
