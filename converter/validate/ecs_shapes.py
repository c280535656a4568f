"""Check a payload against the model of the API call it is for (docs/MAPPING.md#topic-sources).

The model is schemas/ecs_api_shapes.json: the input shapes of the four calls, generated from botocore's
service models by converter/validate/ecs_botocore.py (a test keeps it equal to the installed botocore).
Reading it instead of botocore keeps botocore's import and model loading (about 80 ms) out of every
start-up, and checking it here is several times faster than botocore's ParamValidator plus a second walk.

Two kinds of problem are reported, in this order: what botocore's ParamValidator reports (required and
unknown members, types, tagged unions, documents), in the order it reports them; then the constraints
ParamValidator skips (enums, both ends of lengths and ranges, patterns), which AWS enforces anyway.
tests/test_validate_shapes.py holds the first kind to ParamValidator itself.

A payload is first checked by a compiled predicate that only answers "valid or not"; only an invalid
payload (rare: a k2ecs bug or an impossible input) is walked again to say what is wrong and where.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from functools import cache
from typing import Any, Callable

from converter.write.ecs.java_patterns import python_pattern
from converter.core.resources import load_schema
from converter.core.settings import is_placeholder

SHAPES_FILE = "ecs_api_shapes.json"
_SHOWN_CHARS = 60
# The type names in ParamValidator's "invalid type" report, per shape type.
_EXPECTED = {"structure": "dict", "map": "dict", "list": "list, tuple", "string": "str", "integer": "int",
             "long": "int", "boolean": "bool", "double": "float, Decimal, int", "float": "float, Decimal, int"}
_NUMBERS = ("integer", "long", "double", "float")


class Shape:
    """One shape of the generated model, linked to its member shapes."""

    __slots__ = ("name", "type", "required", "members", "member", "key", "value", "enum", "min", "max",
                 "pattern", "document", "union", "ok")

    def __init__(self, name: str, entry: dict[str, Any]) -> None:
        self.name = name
        self.type: str = entry["type"]
        self.required: tuple[str, ...] = tuple(entry.get("required", ()))
        self.members: dict[str, Shape] = {}
        self.member = self.key = self.value = None
        self.enum: list[str] | None = entry.get("enum")
        self.min = entry.get("min")
        self.max = entry.get("max")
        self.pattern: str | None = entry.get("pattern")
        self.document: bool = entry.get("document", False)
        self.union: bool = entry.get("union", False)
        self.ok: Callable[[Any], bool] = _never


def _never(_: Any) -> bool:  # replaced by the compiled predicate once every shape is linked
    raise AssertionError("shape predicate used before it was compiled")


@cache
def _service(service: str) -> dict[str, Any]:
    services = load_schema(SHAPES_FILE)["services"]
    if service not in services:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(services)}")
    entries = services[service]["shapes"]
    shapes = {name: Shape(name, entry) for name, entry in entries.items()}
    for name, shape in shapes.items():
        entry = entries[name]
        shape.members = {member: shapes[target] for member, target in entry.get("members", {}).items()}
        for part in ("member", "key", "value"):
            if part in entry:
                setattr(shape, part, shapes[entry[part]])
    compiled: dict[str, Callable[[Any], bool]] = {}
    for shape in shapes.values():
        _compile(shape, compiled)
    return {"operations": services[service]["operations"], "shapes": shapes}


def input_shape(service: str, operation: str) -> Shape:
    model = _service(service)
    if operation not in model["operations"]:
        raise ValueError(f"{service} has no operation {operation!r} in {SHAPES_FILE}")
    return model["shapes"][model["operations"][operation]]


def validate_operation(service: str, operation: str, payload: Any) -> list[str]:
    """Problems with ``payload`` as the input of ``service``'s ``operation``, one line each, path first."""
    shape = input_shape(service, operation)
    if shape.ok(payload):
        return []
    model: list[str] = []
    walk: list[str] = []
    _check(payload, shape, "", "", model, walk)
    return model + walk


def constraint_problems(service: str, operation: str, payload: Any) -> list[str]:
    """Only the constraints botocore's ParamValidator skips (for the tests' reference)."""
    walk: list[str] = []
    _check(payload, input_shape(service, operation), "", "", [], walk)
    return walk


# -- the predicate: valid or not, as fast as CPython allows -------------------------------------------

def _compile(shape: Shape, compiled: dict[str, Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if shape.name in compiled:
        return compiled[shape.name]
    compiled[shape.name] = lambda value: shape.ok(value)  # reached again only through a cycle of shapes
    shape.ok = _predicate(shape, compiled)
    compiled[shape.name] = shape.ok
    return shape.ok


def _predicate(shape: Shape, compiled: dict[str, Callable[[Any], bool]]) -> Callable[[Any], bool]:
    kind, low, high = shape.type, shape.min, shape.max
    if kind == "structure":
        if shape.document:
            return _document_ok
        checks = {name: _compile(member, compiled) for name, member in shape.members.items()}
        required, union = shape.required, shape.union

        def structure_ok(value: Any) -> bool:
            if not isinstance(value, dict) or (union and len(value) != 1):
                return False
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                check = checks.get(name)
                if check is None or not check(item):
                    return False
            return True
        return structure_ok
    if kind == "list":
        item_ok = _compile(shape.member, compiled)

        least, most = _bounds_of(low, high)

        def list_ok(value: Any) -> bool:
            if not isinstance(value, (list, tuple)) or not least <= len(value) <= most:
                return False
            for item in value:
                if not item_ok(item):
                    return False
            return True
        return list_ok
    if kind == "map":
        key_ok, value_ok = _compile(shape.key, compiled), _compile(shape.value, compiled)

        def map_ok(value: Any) -> bool:
            if not isinstance(value, dict) or not _within(len(value), low, high):
                return False
            for key, item in value.items():
                if not key_ok(key) or not value_ok(item):
                    return False
            return True
        return map_ok
    if kind == "string":
        return _string_predicate(shape)
    if kind in ("integer", "long"):  # bool is an int subclass: ParamValidator takes it, the walk does not
        return lambda value: (value.__class__ is int or isinstance(value, int) and not isinstance(value, bool)) \
            and _within(value, low, high)
    if kind in ("double", "float"):  # a Decimal passes ParamValidator and the walk checks no range on it
        return lambda value: not isinstance(value, bool) and (
            isinstance(value, (int, float)) and _within(value, low, high) or isinstance(value, Decimal))
    if kind == "boolean":
        return lambda value: isinstance(value, bool)
    raise ValueError(f"shape {shape.name} has type {kind}, which is not validated")  # the generator refuses it


def _string_predicate(shape: Shape) -> Callable[[Any], bool]:
    low, high, pattern = shape.min, shape.max, shape.pattern
    allowed = frozenset(shape.enum) if shape.enum else None
    if allowed is None and pattern is None:
        if low is None and high is None:
            return lambda value: isinstance(value, str)
        return lambda value: isinstance(value, str) and _within(len(value), low, high)
    matched: set[str] = set()  # values already known to match: the same few recur in every workload
    least, most = _bounds_of(low, high)

    def string_ok(value: Any) -> bool:
        if not isinstance(value, str) or not least <= len(value) <= most:
            return False
        if allowed is not None and value not in allowed:
            return False
        if pattern is None or value in matched or is_placeholder(value):
            return True
        compiled = python_pattern(pattern, ascii_only=value.isascii())
        if compiled is not None and compiled.fullmatch(value) is None:
            return False
        if len(matched) < 10_000:
            matched.add(value)
        return True
    return string_ok


def _bounds_of(low: Any, high: Any) -> tuple[Any, Any]:
    """A length's bounds for ``least <= length <= most``, what _within() says of a length (an int), without a
    call: an absent bound is one no length passes."""
    return (-1 if low is None else low), (float("inf") if high is None else high)


def _within(measured: Any, low: Any, high: Any) -> bool:
    return not (low is not None and measured < low) and not (high is not None and measured > high)


def _document_ok(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, bool, float)):
        return True
    if isinstance(value, dict):
        return all(_document_ok(item) for item in value.values())
    if isinstance(value, list):
        return all(_document_ok(item) for item in value)
    return False


# -- the explanation: every problem, with its path ----------------------------------------------------

def _check(value: Any, shape: Shape, path: str, model_path: str, model: list[str], walk: list[str]) -> None:
    """Append ParamValidator's problems to ``model`` and the skipped constraints' to ``walk``.

    ``model_path`` differs from ``path`` only for a map key, which ParamValidator names "(key: k)".
    """
    kind = shape.type
    if kind == "structure" and shape.document:
        _document(value, model_path, model)
        return
    if not isinstance(value, _TYPES[kind]):
        model.append(f"{model_path or 'payload'}: {_show(value)} has type {type(value).__name__}, expected {_EXPECTED[kind]}")
        return
    if kind == "structure":
        if shape.union and len(value) != 1:
            model.append(f"{model_path or 'payload'}: {'empty input' if not value else 'more than one input'}")
        for name in shape.required:
            if name not in value:
                model.append(f"{_join(model_path, name)}: required member is missing")
        known = []
        for name in value:
            if name in shape.members:
                known.append(name)
                continue
            close = difflib.get_close_matches(str(name), list(shape.members), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            model.append(f"{_join(model_path, name)}: unknown member{hint}")
        for name in known:
            _check(value[name], shape.members[name], _join(path, name), _join(model_path, name), model, walk)
    elif kind == "list":
        _bounds(path, len(value), shape, "items", walk)
        for index, item in enumerate(value):
            _check(item, shape.member, f"{path}[{index}]", f"{model_path}[{index}]", model, walk)
    elif kind == "map":
        _bounds(path, len(value), shape, "entries", walk)
        for key, item in value.items():
            _check(key, shape.key, f"{path} (key {key!r})", f"{model_path} (key: {key})", model, walk)
            _check(item, shape.value, _join(path, str(key)), _join(model_path, str(key)), model, walk)
    elif kind == "string":
        _string(value, shape, path, walk)
    elif kind in _NUMBERS:
        if isinstance(value, bool):  # bool is an int subclass, so ParamValidator lets it through
            walk.append(f"{path}: {value} has type bool, expected a number")
        elif isinstance(value, (int, float)):
            _bounds(path, value, shape, None, walk)


_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list, tuple), "string": (str,), "integer": (int,),
    "long": (int,), "boolean": (bool,), "double": (float, Decimal, int), "float": (float, Decimal, int)}


def _document(value: Any, name: str, model: list[str]) -> None:
    # ParamValidator names a value inside a document by its own key alone, not by the path to it.
    if isinstance(value, dict):
        for key, item in value.items():
            _document(item, key, model)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _document(item, f"{name}[{index}]", model)
    elif value is not None and not isinstance(value, (str, int, bool, float)):
        model.append(f"{str(name).lstrip('.') or 'payload'}: invalid type for document")


def _string(value: str, shape: Shape, path: str, walk: list[str]) -> None:
    before = len(walk)
    _bounds(path, len(value), shape, "characters", walk)
    length_problem = len(walk) > before
    if shape.enum and value not in shape.enum:
        walk.append(f"{path}: {_show(value)} is not one of {', '.join(shape.enum)}")
    pattern = shape.pattern
    # A placeholder is a visible gap for the user to fill, not a value to judge; and a value of the
    # wrong length already has its problem (an empty string "failing" \p{Print}+ would be noise).
    if pattern is None or is_placeholder(value) or length_problem:
        return
    # An ASCII value needs only the ASCII part of a Unicode category, which is cheap to build.
    compiled = python_pattern(pattern, ascii_only=value.isascii())
    # Whole-value match, as AWS's Java services do; the patterns in these models are written that way
    # (a search would let "[...]*" match any value at all).
    if compiled is not None and compiled.fullmatch(value) is None:
        walk.append(f"{path}: {_show(value)} does not match the pattern {pattern}")


def _bounds(path: str, measured: int | float, shape: Shape, noun: str | None, walk: list[str]) -> None:
    """``noun`` None: ``measured`` is the value itself; otherwise it is a length counted in ``noun``."""
    low, high = shape.min, shape.max
    subject = f"{measured}" if noun is None else f"has {measured} {noun}"
    if low is not None and measured < low:
        walk.append(f"{path}: {subject}, below the minimum {low}")
    if high is not None and measured > high:
        walk.append(f"{path}: {subject}, above the maximum {high}")


def _join(path: str, name: object) -> str:
    return f"{path}.{name}" if path else str(name)


def _show(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else shown[:_SHOWN_CHARS - 1] + "…"
