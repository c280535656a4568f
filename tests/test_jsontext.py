"""converter.core.jsontext writes exactly what json.dumps(value, indent=2, ensure_ascii=False) writes.

The goldens compare output files byte for byte, so the faster writer (issue 9) must never differ by a
byte, and must fail the same way on what JSON cannot hold.
"""

from __future__ import annotations

import collections
import enum
import json
import os
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.core import jsontext
from tests.helpers import SAMPLES

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "150"))


def reference(value):
    return json.dumps(value, indent=2, ensure_ascii=False)


scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10 ** 30, max_value=10 ** 30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
keys = st.one_of(st.text(max_size=10), st.integers(-5, 5), st.floats(allow_nan=False), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(keys, inner, max_size=5)), max_leaves=40)


@settings(max_examples=EXAMPLES, deadline=None)
@given(values)
def test_any_json_value_is_written_as_json_dumps_writes_it(value):
    assert jsontext.dumps(value) == reference(value)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*/expected/*.json")), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_golden_file_is_reproduced(path):
    text = path.read_text(encoding="utf-8")
    assert jsontext.dumps(json.loads(text)) + "\n" == text


@pytest.mark.parametrize("value", [
    "", [], {}, [[]], {"a": {}}, "tab\there \"quoted\" \\ \x00 \u2028 é \U0001F600", -0.0, 1e300, 2 ** 70,
    {1: "int key", 2.5: "float key", None: "null key"}, {True: "bool key", False: 0}, (1, (2, 3)),
    [float("nan"), float("inf"), -float("inf")],
])
def test_edge_values(value):
    assert jsontext.dumps(value) == reference(value)


class Colour(enum.IntEnum):
    RED = 1


class Name(str):
    pass


@pytest.mark.parametrize("value", [
    {"colour": Colour.RED}, [Name("x")], collections.OrderedDict(b=1, a=2), {Colour.RED: 1},
    {"deep": json.loads("[" * 100 + "]" * 100)},
])
def test_subclasses_and_deep_nesting_are_written_by_json_itself(value):
    assert jsontext.dumps(value) == reference(value)


@pytest.mark.parametrize("value", [{"a": Decimal("1.5")}, {("tuple", "key"): 1}, [object()]])
def test_what_json_refuses_is_refused_the_same_way(value):
    with pytest.raises(TypeError) as expected:
        reference(value)
    with pytest.raises(TypeError) as ours:
        jsontext.dumps(value)
    assert str(ours.value) == str(expected.value)


def test_a_cycle_is_refused_the_same_way():
    cycle: list = []
    cycle.append({"again": cycle})
    with pytest.raises(ValueError, match="Circular reference detected"):
        reference(cycle)
    with pytest.raises(ValueError, match="Circular reference detected"):
        jsontext.dumps(cycle)


def compact_bytes(value) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(values)
def test_a_measured_text_is_dumps_and_its_size_the_compact_encodings(value):
    # dumps_measured stands in for dumps() plus the compact encoding ECS's task definition quota counts.
    measured = jsontext.dumps_measured(value)
    assert measured == (reference(value), compact_bytes(value))


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*/expected/*.json")), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_golden_file_is_measured_as_its_compact_encoding(path):
    value = json.loads(path.read_text(encoding="utf-8"))
    assert jsontext.dumps_measured(value) == (jsontext.dumps(value), compact_bytes(value))


@pytest.mark.parametrize("value", [{"colour": Colour.RED}, {"deep": json.loads("[" * 100 + "]" * 100)}, [Name("x")],
                                   {"a": Decimal("1.5")}])
def test_what_jsontext_leaves_to_json_is_not_measured(value):
    assert jsontext.dumps_measured(value) is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(values, values, st.integers(0, 3))
def test_a_verbatim_value_is_written_as_the_value_itself(inner, outer, depth):
    # A value whose text is known is placed where it goes, indented to its level, as dumps() of the value would.
    text = jsontext.dumps(inner)
    whole = {"x": outer, "known": inner}
    for _ in range(depth):
        whole = [whole]
    placed = {"x": outer, "known": jsontext.Verbatim(text, inner)}
    for _ in range(depth):
        placed = [placed]
    assert jsontext.dumps(placed) == reference(whole)


def test_a_verbatim_value_next_to_what_json_writes_is_its_value():
    inner = {"a": [1, "é"]}
    placed = {"colour": Colour.RED, "known": jsontext.Verbatim(jsontext.dumps(inner), inner)}
    assert jsontext.dumps(placed) == reference({"colour": Colour.RED, "known": inner})
    assert jsontext.dumps_measured(placed) is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(values, st.integers(0, 4))
def test_a_value_written_deeper_is_its_text_indented(value, level):
    assert jsontext.dumps(value, level=level) == reference(value).replace("\n", "\n" + "  " * level)


@pytest.mark.parametrize("level", [1, 2])
def test_what_json_writes_deeper_is_its_text_indented(level):
    value = {"colour": Colour.RED, "deep": json.loads("[" * 62 + "]" * 62)}
    assert jsontext.dumps(value, level=level) == reference(value).replace("\n", "\n" + "  " * level)


def test_the_key_texts_kept_per_depth_are_bounded_and_still_right():
    # jsontext keeps what comes before each key's value per depth (the keys of k2ecs's payloads recur); a
    # mapping of more keys than it keeps starts the table again instead of growing it, and the text is json's.
    many = {"outer": {f"key{index}": index for index in range(3 * jsontext._HEADS_KEPT)}}
    assert jsontext.dumps(many) == json.dumps(many, indent=2, ensure_ascii=False)
    assert all(len(heads) <= jsontext._HEADS_KEPT for heads in jsontext._HEADS + jsontext._FIRST_HEADS)
    again = {"outer": {"key1": "x", "\u00e9t\u00e9": [True, None], "a\"b": {}}}
    assert jsontext.dumps(again, level=3) == jsontext.dumps(again, level=3) == \
        json.dumps(again, indent=2, ensure_ascii=False).replace("\n", "\n      ")


def test_dump_to_a_file_writes_a_few_hundred_pieces_at_a_time():
    """A large report's findings are one piece each (about 500 bytes): dump joins and writes a bounded number of
    them at a time, not 4,096 (issue 24: 4 MB of a 10 MB convert -o's peak)."""
    import io

    class Counted(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.largest = 0

        def write(self, text: str) -> int:
            self.largest = max(self.largest, len(text))
            return super().write(text)

    finding = "x" * 500
    value = {"findings": jsontext.LazyList(list(range(5000)), lambda _: finding, lambda _, level: '"' + finding + '"')}
    handle = Counted()
    jsontext.dump(value, handle)
    assert handle.getvalue() == json.dumps({"findings": [finding] * 5000}, indent=2, ensure_ascii=False)
    assert handle.largest <= (jsontext._MOST_WRITTEN + 1) * 520 < 1000 * 500
