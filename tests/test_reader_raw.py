"""Reader.raw, which remembers the container it last reached, answers every read as a walk from the root."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import assume, given, settings, strategies as st

from converter.core.document import Document
from converter.core.reader import Reader, _walk

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "25"))

_STEPS = st.sampled_from(["a", "b", "spec", 0, 1, 2, -1, True, "0"])
_VALUES = st.recursive(st.none() | st.integers(0, 3) | st.text(max_size=3),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_STEPS, inner, max_size=4),
                       max_leaves=30)
_MISSING = object()


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path of the document, and each with a step more that may or may not exist."""
    found = [here, here + ("a",), here + (0,)]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found += _paths(child, here + (key,))
    return found


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(data=st.dictionaries(_STEPS, _VALUES, max_size=4), extra=st.lists(st.lists(_STEPS, max_size=4).map(tuple)),
       order=st.randoms(use_true_random=False))
def test_raw_is_a_walk_from_the_root(data: dict, extra: list[tuple[Any, ...]], order: Any) -> None:
    reader = Reader(Document("in.yaml", 0, data, 1, {}), "Deployment/x")
    paths = _paths(data) + extra
    order.shuffle(paths)
    for path in paths + list(reversed(paths)):
        assert reader.raw(path, _MISSING) is _walk(data, path, _MISSING), path


def test_siblings_of_the_same_shape_are_told_apart() -> None:
    data = {"a": {"x": 1, "l": [5]}, "b": {"x": 2, "l": [6]}}
    reader = Reader(Document("in.yaml", 0, data, 1, {}), "Deployment/x")
    assert [reader.raw(path) for path in (("a", "x"), ("b", "x"), ("a", "l", 0), ("b", "l", 0), ("a", "x"))] == [1, 2, 5, 6, 1]


def test_a_released_reader_forgets_the_container_it_reached() -> None:
    data = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}
    reader = Reader(Document("in.yaml", 0, data, 1, {}), "Deployment/x")
    assert reader.raw(("spec", "template", "spec", "containers", 0, "name")) == "app"
    reader.finish()
    reader.release()
    assert reader.raw(("spec", "template", "spec", "containers", 0, "name")) is None


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(data=st.dictionaries(_STEPS, _VALUES, max_size=4), extra=st.lists(st.lists(_STEPS, max_size=3).map(tuple)))
def test_present_is_has_of_each_key_in_order(data: dict, extra: list[tuple[Any, ...]]) -> None:
    reader = Reader(Document("in.yaml", 0, data, 1, {}), "Deployment/x")
    keys = ("spec", "b", "0", "a", "missing")
    for path in _paths(data) + extra:  # mappings, lists, scalars, null and absent paths
        assert reader.present(path, keys) == [key for key in keys if reader.has(path + (key,))], path


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(data=st.dictionaries(_STEPS, _VALUES, max_size=4), extra=st.lists(st.lists(_STEPS, max_size=4).map(tuple)),
       order=st.randoms(use_true_random=False))
def test_origin_is_line_of_and_pointer_whatever_was_read_before(data: dict, extra: list[tuple[Any, ...]], order: Any) -> None:
    """Reader.origin's shortcuts (the line in the container last reached, the pointer text of a path met
    before) give what Document.line_of and pointer give: for the loader's documents, whose keys are all
    strings, and for one made with other keys (True beside 1), whose pointers are not remembered."""
    import yaml

    from converter.core.document import pointer
    from converter.load.loader import parse_text

    assume(_keys_stay_apart(data))
    (loaded,) = parse_text(yaml.safe_dump(data), "in.yaml")
    assert loaded.plain_keys and all(isinstance(key, str) for key in _keys(loaded.data))
    made = Document("in.yaml", 0, data, 1, {})  # keys as generated: True, 1, "0"...
    assert not made.plain_keys
    paths = _paths(data) + extra
    order.shuffle(paths)
    for document in (loaded, made):
        reader = Reader(document, "Deployment/x")
        # A parser asks for paths of its own literals (strings and list indexes) and of the document's keys.
        asked_paths = [path for path in reversed(paths)
                       if not document.plain_keys or all(step.__class__ in (str, int) for step in path)]
        for read, asked in zip(paths, asked_paths):
            reader.raw(read)
            origin = reader.origin(asked)
            assert (origin.line, origin.path) == (document.line_of(asked), pointer(asked)), (read, asked)


def _keys_stay_apart(node: Any) -> bool:
    """Whether no two keys of one mapping are one key as Kubernetes reads them (0 and "0", True and "true")."""
    if isinstance(node, dict):
        spelled = [("true" if key else "false") if isinstance(key, bool) else str(key) for key in node]
        return len(set(spelled)) == len(spelled) and all(_keys_stay_apart(child) for child in node.values())
    if isinstance(node, list):
        return all(_keys_stay_apart(child) for child in node)
    return True


def _keys(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node) + [key for child in node.values() for key in _keys(child)]
    if isinstance(node, list):
        return [key for child in node for key in _keys(child)]
    return []


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(data=st.dictionaries(_STEPS, _VALUES, max_size=4), order=st.randoms(use_true_random=False),
       reads=st.lists(st.sampled_from(["raw", "mapping", "sequence", "present"]), min_size=1, max_size=40))
def test_reads_of_every_kind_leave_raw_and_origin_right(data: dict, order: Any, reads: list[str]) -> None:
    """mapping(), sequence() (as its items are handed out) and present() remember the container they reach,
    as raw() does; raw() and origin() then still answer as a walk from the root would."""
    import yaml

    from converter.core.errors import InputError
    from converter.core.document import pointer
    from converter.load.loader import parse_text

    assume(_keys_stay_apart(data))
    (document,) = parse_text(yaml.safe_dump(data), "in.yaml")
    reader = Reader(document, "Deployment/x")
    paths = [path for path in _paths(data) if all(step.__class__ in (str, int) for step in path)]
    order.shuffle(paths)
    for kind, path in zip(reads * len(paths), paths):
        try:
            if kind == "mapping":
                reader.mapping(path)
            elif kind == "sequence":
                for item_path, _ in reader.sequence(path):
                    assert reader.origin(item_path).line == document.line_of(item_path)
            elif kind == "present":
                reader.present(path, ("a", "spec"))
            else:
                reader.raw(path)
        except InputError:
            pass  # not a mapping or list there: the reader says so
        for asked in (path + ("a",), path + (0,), path):  # into what was reached first, then it
            assert reader.raw(asked, _MISSING) is _walk(document.data, asked, _MISSING), (kind, path, asked)
            origin = reader.origin(asked)
            assert (origin.line, origin.path) == (document.line_of(asked), pointer(asked)), (kind, path, asked)


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(data=st.dictionaries(_STEPS, _VALUES, max_size=4), extra=st.lists(st.lists(_STEPS, max_size=4).map(tuple)),
       order=st.randoms(use_true_random=False))
def test_present_is_has_of_each_key(data: dict, extra: list[tuple[Any, ...]], order: Any) -> None:
    # present() answers from the container itself, and [] when there is no mapping at the path (absent, a list,
    # a scalar): what has() of each key, a walk from the root, answers.
    reader = Reader(Document("in.yaml", 0, data, 1, {}), "Deployment/x")
    paths = _paths(data) + extra
    order.shuffle(paths)
    keys = ("a", "b", "spec", "0")
    for path in paths:
        expected = [key for key in keys if _walk(data, path + (key,), _MISSING) is not _MISSING]
        assert reader.present(path, keys) == expected, path
        assert reader.raw(path + ("a",), _MISSING) is _walk(data, path + ("a",), _MISSING), path


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(data=st.dictionaries(_STEPS, _VALUES, max_size=4), extra=st.lists(st.lists(_STEPS, max_size=4).map(tuple)),
       order=st.randoms(use_true_random=False))
def test_has_and_get_answer_as_the_walk(data: dict, extra: list[tuple[Any, ...]], order: Any) -> None:
    # has() and get() answer a read in the container last reached themselves: what raw(), a walk, answers.
    reader = Reader(Document("in.yaml", 0, data, 1, {}), "Deployment/x")
    paths = [path for path in _paths(data) + extra if path]
    order.shuffle(paths)
    for path in paths + list(reversed(paths)):
        found = _walk(data, path, _MISSING)
        assert reader.has(path) == (found is not _MISSING), path
        assert reader.get(path, default=_MISSING) is (_MISSING if found is None else found), path


def test_an_integer_out_of_its_fields_range_still_fails_whatever_its_width() -> None:
    # Reader.get skips the width check for a value inside int32 (which every integer field holds): the bounds of
    # both widths still fail, each field by its own width, and the ends of each range still pass.
    from converter.core.errors import DocumentError

    data = {"spec": {"replicas": 0, "template": {"spec": {"securityContext": {"runAsUser": 0}}}}}
    reader = Reader(Document("f.yaml", 0, data, 1, {}, plain_keys=True), "Deployment/x")
    cases = ((("spec", "replicas"), 32), (("spec", "template", "spec", "securityContext", "runAsUser"), 64))
    for path, bits in cases:
        holder = reader.raw(path[:-1])
        for value in (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1, 0, 2 ** 31 - 1, -(2 ** 31)):
            holder[path[-1]] = value
            assert reader.get(path, int) == value
        for value in (2 ** (bits - 1), -(2 ** (bits - 1)) - 1, 2 ** 63, -(2 ** 64)):
            holder[path[-1]] = value
            try:
                reader.get(path, int)
            except DocumentError as err:
                assert f"as a {bits}-bit integer" in str(err)
            else:
                raise AssertionError(f"{value} passed as a {bits}-bit {path[-1]}")
    holder = reader.raw(("spec",))
    holder["replicas"] = 2 ** 40  # a field that takes a number (float) has no integer width
    assert reader.get(("spec", "replicas"), int, float) == 2 ** 40
