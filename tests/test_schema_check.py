"""converter.validate.schema_check: the compiled check says what jsonschema says, valid or not, on the
manifests k2ecs writes and on every way of breaking them one value at a time."""

from __future__ import annotations

import copy
import random
from typing import Any

import jsonschema
import pytest

from converter.validate import kubernetes as validate
from converter.validate.schema_check import Unsupported, compile_schema
from tests.helpers import places, replaced
from tests.test_reverse_validation import DOCUMENTS

# Values of every JSON type and of Python's near misses (bool is an int, 1.0 an integer to Draft 2020-12).
ODD_VALUES = [None, True, False, 0, 1, -3, 1.0, 1.5, "", "x", "80", [], [1], {}, {"a": 1}, {"name": "x"}]


def _deleted(document: dict, path: tuple) -> dict:
    changed = copy.deepcopy(document)
    node = changed
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    return changed


def _validators(document: dict) -> tuple[Any, Any]:
    full = validate._validator(document["apiVersion"], document["kind"])
    return compile_schema(full.schema), full


def _one_of_each_kind() -> list[dict]:
    chosen: dict[str, dict] = {}
    for document in DOCUMENTS:  # the largest manifest of each kind: the most fields to break
        kind = document["kind"]
        if kind not in chosen or len(repr(document)) > len(repr(chosen[kind])):
            chosen[kind] = document
    return list(chosen.values())


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_what_k2ecs_writes_is_valid_to_both(document: dict) -> None:
    check, full = _validators(document)
    assert full.is_valid(document)
    assert check(document)


@pytest.mark.parametrize("document", _one_of_each_kind(), ids=lambda d: d["kind"])
def test_every_value_replaced_or_removed_gets_jsonschemas_answer(document: dict) -> None:
    check, full = _validators(document)
    rng = random.Random(24)
    tried = refused = 0
    for path in list(places(document))[1:]:
        variants = [replaced(document, path, value) for value in rng.sample(ODD_VALUES, 5)]
        if isinstance(path[-1], str):
            variants.append(_deleted(document, path))
        if isinstance(path[-1], str):  # a key of a mapping: another key beside it
            variants.append(replaced(document, path[:-1] + ("unknownField",), "x"))
        for variant in variants:
            expected = full.is_valid(variant)
            assert check(variant) == expected, (path, variant)
            tried += 1
            refused += not expected
    assert refused > tried // 4  # the variants do break documents, in many ways


def test_keywords_as_jsonschema_applies_them() -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": ["integer", "null"]},
            "q": {"oneOf": [{"type": ["string", "null"]}, {"type": ["number", "null"]}]},
            "e": {"enum": ["a", 1, None]},
            "m": {"type": "object", "additionalProperties": {"type": "string"}},
            "l": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            "never": False,
        },
        "required": ["n"],
        "additionalProperties": False,
        "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}},
                           "additionalProperties": False}},
    }
    check, full = compile_schema(schema), jsonschema.Draft202012Validator(schema)
    instances = [{"n": value} for value in ODD_VALUES] + [
        {"n": 1, "q": value} for value in ODD_VALUES] + [{"n": 1, "e": value} for value in ODD_VALUES + [1.0, "1"]] + [
        {"n": 1, "m": value} for value in ODD_VALUES] + [
        {"n": 1, "l": [{"child": {"child": {}}}]}, {"n": 1, "l": [{"child": {"child": {"x": 1}}}]},
        {"n": 1, "never": 1}, {"n": 1, "other": 1}, {}, [], None]
    for instance in instances:
        assert check(instance) == full.is_valid(instance), instance


def test_patterns_and_lengths_are_checked_as_jsonschema_checks_them() -> None:
    # pattern is searched (not matched whole); lengths count code points of a string and items of a list; each
    # keyword lets an instance of any other type through.
    schema = {"type": "object", "properties": {
        "p": {"pattern": "^a[0-9]+"}, "q": {"type": "string", "pattern": "b$", "minLength": 2, "maxLength": 3},
        "l": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string", "minLength": 1}}},
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/s"}
    check, full = compile_schema(schema), jsonschema.Draft202012Validator(schema)
    texts = ["", "a", "a1", "xa1", "a12x", "b", "ab", "abb", "abbb", "éb", "ééb", "a\nb", "a1\n"]
    instances = ([{"p": value} for value in ODD_VALUES + texts] + [{"q": value} for value in ODD_VALUES + texts]
                 + [{"l": value} for value in ODD_VALUES + [[""], ["a"], ["a", "b"], ["a", "b", "c"], ("a",), [1]]])
    for instance in instances:
        assert check(instance) == full.is_valid(instance), instance


@pytest.mark.parametrize("schema", [{"minLength": 1.5}, {"maxItems": True}, {"pattern": 1}])
def test_a_bound_or_pattern_of_another_type_is_refused(schema: dict) -> None:
    with pytest.raises(Unsupported):
        compile_schema(schema)


@pytest.mark.parametrize("schema", [{"uniqueItems": True}, {"type": "object", "patternProperties": {"^a": {}}},
                                    {"minimum": 1}, {"$ref": "https://example.com/x"}, {"type": "decimal"},
                                    {"enum": [{"a": 1}]}])
def test_a_keyword_it_does_not_compile_is_refused(schema: dict) -> None:
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_every_kind_k2ecs_writes_is_compiled() -> None:
    # Otherwise jsonschema validates every manifest of that kind again, which is what this module spares.
    for api_version, kind in validate.KINDS:
        assert validate._valid(api_version, kind) is not None, kind
