"""Reader.raw, which remembers the container it last reached, answers every read as a walk from the root."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import given, settings, strategies as st

from converter.kubernetes.reader import Reader, _walk
from converter.loader import Document

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
