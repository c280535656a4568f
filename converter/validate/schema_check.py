"""A JSON schema compiled once into nested Python checks that answer one question: is a document valid?

jsonschema's validator walks the schema anew for every document, with an evolved validator and an error
generator at each level: validating the manifests of ``convert --to k8s`` was a third of that path at 10 MB
(issue 24), and k2ecs's manifests are valid. So converter.validate.kubernetes asks this check first and
runs jsonschema, for its messages, only on a document the check refuses: the findings and the exit status
are jsonschema's. A check that says "valid" must therefore never be wrong, so only the keywords of
schemas/k8s_output_schemas.json are compiled, each as jsonschema's Draft 2020-12 applies it (the function
named beside each, in jsonschema._keywords and _types); a schema with any other keyword raises
:class:`Unsupported`, and then jsonschema validates every document, as before.
tests/test_schema_check.py compares the two on k2ecs's manifests and on broken ones.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Check = Callable[[Any], bool]

# Keywords that validate nothing (no format checker is given to jsonschema, so "format" is an annotation;
# "$id" and "$schema" only matter to a $ref that is not into "#/$defs/", which is not compiled).
_ANNOTATIONS = frozenset({"$defs", "format", "description", "title", "default", "$comment", "$id", "$schema"})


class Unsupported(ValueError):
    """The schema has a keyword this module does not compile."""


def _number(instance: Any) -> bool:  # is_number: bool is no number
    return isinstance(instance, (int, float)) and not isinstance(instance, bool)


def _integer(instance: Any) -> bool:  # draft6_type_checker's integer: an int, or a float with no fraction
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


_TYPES: dict[str, Check] = {
    "array": lambda instance: isinstance(instance, list),
    "boolean": lambda instance: isinstance(instance, bool),
    "integer": _integer,
    "null": lambda instance: instance is None,
    "number": _number,
    "object": lambda instance: isinstance(instance, dict),
    "string": lambda instance: isinstance(instance, str),
}
# The classes that pass a type test by isinstance alone (the others need their function).
_CLASSES = {"array": list, "boolean": bool, "object": dict, "string": str}


def compile_schema(root: dict[str, Any]) -> Check:
    """A function telling whether a document is valid under ``root`` (whose ``$ref`` point into its ``$defs``)."""
    return _Compiler(root.get("$defs", {})).compile(root)


class _Compiler:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self.done: dict[int, Check] = {}  # by id of the schema: inlined definitions are shared objects
        self.schemas: list[Any] = []  # keeps each compiled schema alive, so that its id stays its own

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _valid
        if schema is False:
            return _invalid
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema)[:80])
        found = self.done.get(id(schema))
        if found is not None:
            return found
        slot: list[Check] = []
        self.done[id(schema)] = lambda instance: slot[0](instance)  # a schema reached inside itself
        self.schemas.append(schema)
        check = self._build(schema)
        slot.append(check)
        self.done[id(schema)] = check
        return check

    def _reference(self, reference: Any) -> Check:
        if not (isinstance(reference, str) and reference.startswith("#/$defs/")):
            raise Unsupported(f"$ref {reference!r}")
        name = reference[len("#/$defs/"):]
        if name not in self.definitions or "~" in name or "/" in name or "%" in name:
            raise Unsupported(f"$ref {reference!r}")
        return self.compile(self.definitions[name])

    def _build(self, schema: dict[str, Any]) -> Check:
        unknown = [key for key in schema if key not in _COMPILED and key not in _ANNOTATIONS
                   and not key.startswith("x-kubernetes-")]
        if unknown:
            raise Unsupported(f"keywords {unknown}")
        parts: list[Check] = []
        if "type" in schema:
            parts.append(_type(schema["type"]))
        if "enum" in schema:
            parts.append(_enum(schema["enum"]))
        if any(key in schema for key in ("properties", "additionalProperties", "required")):
            parts.append(self._object(schema))
        if "items" in schema:
            parts.append(self._items(schema["items"]))
        for keyword in _LENGTHS:
            if keyword in schema:
                parts.append(_length(keyword, schema[keyword]))
        if "pattern" in schema:
            parts.append(_pattern(schema["pattern"]))
        if "oneOf" in schema:
            parts.append(self._one_of(schema["oneOf"]))
        if "$ref" in schema:
            parts.append(self._reference(schema["$ref"]))
        if not parts:
            return _valid
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda instance: first(instance) and second(instance)
        every = tuple(parts)
        return lambda instance: all(part(instance) for part in every)

    def _object(self, schema: dict[str, Any]) -> Check:
        """properties, additionalProperties and required (each ignores what is not a dict)."""
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        extra_schema = schema.get("additionalProperties", True)
        # additionalProperties: false refuses any other key; a schema checks each other value; true lets them be
        extra = None if extra_schema is False else self.compile(extra_schema)
        required = tuple(schema.get("required", ()))
        if not all(isinstance(name, str) for name in required):
            raise Unsupported("required")
        get = properties.get

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            for key, value in instance.items():
                sub = get(key)
                if sub is None:
                    sub = extra
                    if sub is None:
                        return False
                if not sub(value):
                    return False
            for name in required:
                if name not in instance:
                    return False
            return True
        return check

    def _items(self, items: Any) -> Check:
        if items is False:
            return lambda instance: not isinstance(instance, list) or not instance
        item = self.compile(items)

        def check(instance: Any) -> bool:
            if not isinstance(instance, list):
                return True
            for value in instance:
                if not item(value):
                    return False
            return True
        return check

    def _one_of(self, choices: Any) -> Check:
        if not isinstance(choices, list) or not choices:
            raise Unsupported("oneOf")
        compiled = tuple(self.compile(choice) for choice in choices)
        return lambda instance: sum(1 for choice in compiled if choice(instance)) == 1


def _valid(instance: Any) -> bool:
    return True


def _invalid(instance: Any) -> bool:
    return False


def _type(types: Any) -> Check:
    names = [types] if isinstance(types, str) else types
    if not isinstance(names, list) or not names or any(name not in _TYPES for name in names):
        raise Unsupported(f"type {types!r}")
    classes = tuple(_CLASSES[name] for name in names if name in _CLASSES)
    others = tuple(_TYPES[name] for name in names if name not in _CLASSES)
    if others == (_TYPES["null"],):
        return lambda instance: instance is None or isinstance(instance, classes)
    if not others:
        return lambda instance: isinstance(instance, classes)
    return lambda instance: isinstance(instance, classes) or any(other(instance) for other in others)


def _enum(values: Any) -> Check:
    # jsonschema._utils.equal: strings by ==, and True is not 1 nor False 0; only scalar values are compiled.
    if not isinstance(values, list) or any(isinstance(value, (dict, list)) for value in values):
        raise Unsupported("enum")
    keyed = tuple((value.__class__ is bool, value) for value in values)

    def check(instance: Any) -> bool:
        if isinstance(instance, (dict, list)):
            return False
        key = (instance.__class__ is bool, instance)
        return any(key == each for each in keyed)
    return check


# minLength, maxLength (of a string: len(), code points), minItems, maxItems (of a list): (the class it applies
# to, whether the bound is a minimum); jsonschema._keywords ignores an instance of any other class.
_LENGTHS = {"minLength": (str, True), "maxLength": (str, False), "minItems": (list, True), "maxItems": (list, False)}


def _length(keyword: str, bound: Any) -> Check:
    if bound.__class__ is not int:
        raise Unsupported(f"{keyword} {bound!r}")
    cls, minimum = _LENGTHS[keyword]
    if minimum:
        return lambda instance: not isinstance(instance, cls) or len(instance) >= bound
    return lambda instance: not isinstance(instance, cls) or len(instance) <= bound


def _pattern(pattern: Any) -> Check:
    # jsonschema._keywords.pattern: re.search(pattern, instance) on a string, anywhere in it (not a full match).
    if not isinstance(pattern, str):
        raise Unsupported("pattern")
    search = re.compile(pattern).search
    return lambda instance: not isinstance(instance, str) or search(instance) is not None


_COMPILED = frozenset({"type", "enum", "properties", "additionalProperties", "required", "items", "oneOf", "$ref",
                       "pattern", *_LENGTHS})
