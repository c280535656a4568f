"""Check a payload against the botocore model of the API call it is for ([BC-ECS], [BC-AAS] in MAPPING §0).

botocore's ParamValidator checks required members, unknown members, types and minimums. It skips
enums, maximum lengths and values, and patterns, so the walk here adds those. The service model is
loaded straight from botocore's data files: a session or client would cost far more and is not needed.
"""

from __future__ import annotations

import difflib
import re
import sys
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.loaders
import botocore.model
import botocore.validate

from converter.settings import is_placeholder

SERVICES = ("ecs", "application-autoscaling")
# ParamValidator reports minimums only, in its own wording; the walk below reports both ends of every
# range in one wording, so these two reports from botocore would be duplicates.
_WALK_REPORTS = {"invalid range", "invalid length"}
_SHOWN_CHARS = 60

# Java regex constructs the models use that Python's re lacks.
# A surrogate-pair range in a Java pattern means every code point above the Basic Multilingual Plane.
_JAVA_SUPPLEMENTARY_RANGE = r"\uD800\uDC00-\uDBFF\uDFFF"
_PYTHON_SUPPLEMENTARY_RANGE = r"\U00010000-\U0010FFFF"
_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}")
# Java's POSIX classes are US-ASCII only unless UNICODE_CHARACTER_CLASS is set.
_JAVA_POSIX = {"Print": r"\x20-\x7E", "Graph": r"\x21-\x7E", "Alpha": "A-Za-z", "Digit": "0-9", "Alnum": "0-9A-Za-z"}


@cache
def service_model(service: str) -> botocore.model.ServiceModel:
    """The botocore model of ``service`` (cached: about 80 ms to load each)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    loader = botocore.loaders.create_loader()
    return botocore.model.ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


def validate_operation(service: str, operation: str, payload: dict) -> list[str]:
    """Problems with ``payload`` as the input of ``service``'s ``operation``, one line each, path first."""
    shape = service_model(service).operation_model(operation).input_shape
    report = botocore.validate.ParamValidator().validate(payload, shape)
    problems = [_botocore_problem(reason, name, details)
                for reason, name, details in _report_errors(report) if reason not in _WALK_REPORTS]
    problems.extend(_walk(payload, shape, ""))
    return problems


def _report_errors(report: botocore.validate.ValidationErrors) -> list[tuple[str, str, dict]]:
    # generate_report() joins messages with newlines and a bad value may itself hold newlines, so it
    # cannot be split back reliably; the structured list behind it can.
    errors = getattr(report, "_errors", None)
    if errors is None:  # pragma: no cover - a botocore that renamed its internals
        return [("other", "", {"message": line}) for line in report.generate_report().splitlines() if line]
    return list(errors)


def _botocore_problem(reason: str, name: str, details: dict) -> str:
    path = name.lstrip(".")
    if reason == "missing required field":
        return f"{_join(path, details['required_name'])}: required member is missing"
    if reason == "unknown field":
        unknown = details["unknown_param"]
        close = difflib.get_close_matches(str(unknown), [str(n) for n in details["valid_names"]], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{_join(path, unknown)}: unknown member{hint}"
    if reason == "invalid type":
        expected = ", ".join(re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", t) for t in details["valid_types"])
        value = details["param"]
        return f"{path or 'payload'}: {_show(value)} has type {type(value).__name__}, expected {expected}"
    if "message" in details:  # pragma: no cover - see _report_errors
        return " ".join(details["message"].split())
    # The remaining reasons (documents, tagged unions) do not occur in ECS or AAS inputs today.
    return f"{path or 'payload'}: {reason}"  # pragma: no cover


def _walk(value: Any, shape: botocore.model.Shape, path: str) -> Iterator[str]:
    """The checks ParamValidator skips. Values of the wrong type are skipped: botocore reports those."""
    kind = shape.type_name
    if kind == "structure":
        if isinstance(value, dict) and not shape.is_document_type:
            for name, member in value.items():
                if name in shape.members:
                    yield from _walk(member, shape.members[name], _join(path, name))
    elif kind == "list":
        if isinstance(value, (list, tuple)):
            yield from _bounds(path, len(value), shape, "items")
            for index, item in enumerate(value):
                yield from _walk(item, shape.member, f"{path}[{index}]")
    elif kind == "map":
        if isinstance(value, dict):
            yield from _bounds(path, len(value), shape, "entries")
            for key, item in value.items():
                yield from _walk(key, shape.key, f"{path} (key {key!r})")
                yield from _walk(item, shape.value, _join(path, str(key)))
    elif kind == "string":
        if isinstance(value, str):
            yield from _string(value, shape, path)
    elif kind in ("integer", "long", "double", "float"):
        if isinstance(value, bool):  # bool is an int subclass, so ParamValidator lets it through
            yield f"{path}: {value} has type bool, expected a number"
        elif isinstance(value, (int, float)):
            yield from _bounds(path, value, shape, None)


def _string(value: str, shape: botocore.model.Shape, path: str) -> Iterator[str]:
    length_problems = list(_bounds(path, len(value), shape, "characters"))
    yield from length_problems
    allowed = shape.metadata.get("enum")
    if allowed and value not in allowed:
        yield f"{path}: {_show(value)} is not one of {', '.join(allowed)}"
    pattern = shape.metadata.get("pattern")
    # A placeholder is a visible gap for the user to fill, not a value to judge; and a value of the
    # wrong length already has its problem (an empty string "failing" \p{Print}+ would be noise).
    if pattern is None or is_placeholder(value) or length_problems:
        return
    # An ASCII value needs only the ASCII part of a Unicode category, which is cheap to build.
    compiled = python_pattern(pattern, ascii_only=value.isascii())
    # Whole-value match, as AWS's Java services do; the patterns in these models are written that way
    # (a search would let "[...]*" match any value at all).
    if compiled is not None and compiled.fullmatch(value) is None:
        yield f"{path}: {_show(value)} does not match the pattern {pattern}"


def _bounds(path: str, measured: int | float, shape: botocore.model.Shape, noun: str | None) -> Iterator[str]:
    """``noun`` None: ``measured`` is the value itself; otherwise it is a length counted in ``noun``."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    subject = f"{measured}" if noun is None else f"has {measured} {noun}"
    if low is not None and measured < low:
        yield f"{path}: {subject}, below the minimum {low}"
    if high is not None and measured > high:
        yield f"{path}: {subject}, above the maximum {high}"


@cache
def python_pattern(pattern: str, *, ascii_only: bool = False) -> re.Pattern[str] | None:
    """The model's Java-flavoured ``pattern`` as a Python regex, or None where it cannot be translated safely.

    ``ascii_only``: the result is only used on ASCII text, so ``\\p{..}`` may be cut down to ASCII.
    """
    text = pattern.replace(_JAVA_SUPPLEMENTARY_RANGE, _PYTHON_SUPPLEMENTARY_RANGE)
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            prop = _PROPERTY.match(text, index)
            if prop is None:
                out.append(text[index:index + 2])
                index += 2
                continue
            # \P{..} (negation) does not occur in the models yet; skipping beats a careless translation.
            ranges = None if prop[1] == "P" else _property_ranges(prop[2], ascii_only)
            if ranges is None:
                return None
            # An empty set ("" - no ASCII member) adds nothing to a class and matches nothing alone.
            out.append(ranges if in_class else f"[{ranges}]" if ranges else "(?!)")
            index = prop.end()
            continue
        if in_class and (char == "[" or text.startswith("&&", index)):
            return None  # Java class union/intersection: re would read it differently, silently
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append(char)
        index += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return None


def _property_ranges(name: str, ascii_only: bool) -> str | None:
    if name in _JAVA_POSIX:
        return _JAVA_POSIX[name]
    if len(name) in (1, 2) and name[0] in "CLMNPSZ":
        return _category_ranges(name, ascii_only)
    return None


@cache
def _category_ranges(category: str, ascii_only: bool) -> str:
    """A Unicode general category ("L", "Nd") as explicit re ranges; all of Unicode takes about 0.15 s, once."""
    runs: list[list[int]] = []
    for code in range(0x80 if ascii_only else sys.maxunicode + 1):
        if unicodedata.category(chr(code)).startswith(category):
            if runs and runs[-1][1] == code - 1:
                runs[-1][1] = code
            else:
                runs.append([code, code])
    return "".join(rf"\U{low:08X}" if low == high else rf"\U{low:08X}-\U{high:08X}" for low, high in runs)


def _join(path: str, name: object) -> str:
    return f"{path}.{name}" if path else str(name)


def _show(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else shown[:_SHOWN_CHARS - 1] + "…"
