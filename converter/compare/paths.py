"""A small path language for naming a field of a target payload, and finding its value.

``taskDefinition.containerDefinitions[name={container}].healthCheck`` names the healthCheck of the
container called ``{container}`` in the taskDefinition payload. A segment may select list items:
``[*]`` (all), ``[0]`` (by index) or ``[field=value]``. ``a|b`` tries ``a`` first, then ``b``.
Variables in braces are filled from the source side after the path is parsed, so a value with dots or
brackets of its own (an env name, a mount path) selects exactly that value.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Mapping, Sequence

from converter.compare.model import MISSING
from converter.core.jsontext import one_shot

_SEGMENT = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<select>[^\]]*)\])?$")
_VARIABLE = re.compile(r"\{([A-Za-z_.]+)\}")
Segment = tuple[str, "str | None"]


@cache
def split(template: str) -> tuple[Segment, ...]:
    """``a.b[x={v}].c`` -> (("a", None), ("b", "x={v}"), ("c", None)); dots inside brackets stay."""
    segments, depth, current = [], 0, ""
    for char in template:
        if char == "." and depth == 0:
            segments.append(current)
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    segments.append(current)
    parsed = []
    for segment in segments:
        match = _SEGMENT.match(segment)
        if match is None:
            raise ValueError(f"bad target path segment {segment!r} in {template!r}")
        parsed.append((match["key"], match["select"]))
    return tuple(parsed)


def _fill(select: str | None, variables: Mapping[str, Any]) -> str | None:
    """A selector with its variables filled in; an unknown variable selects every item (``[*]``)."""
    if select is None or "{" not in select:
        return select
    parts = _template(select)
    # parts alternate text and variable names (re.split with a group): _VARIABLE.sub's text, the pattern read once.
    values = [variables.get(name) for name in parts[1::2]]
    if any(value is None for value in values):
        return "*"
    out = [parts[0]]
    for value, text in zip(values, parts[2::2]):
        out.append(str(value))
        out.append(text)
    return "".join(out)


@cache
def _template(select: str) -> list[str]:
    return _VARIABLE.split(select)


def _select(items: list[Any], select: str) -> list[Any]:
    if select == "*":
        return list(items)
    if select.isdigit():
        index = int(select)
        return [items[index]] if index < len(items) else []
    field, _, wanted = select.partition("=")
    return [item for item in items if isinstance(item, dict) and str(item.get(field)) == wanted]


def _resolve(payloads: Mapping[str, Any], segments: Sequence[Segment]) -> Any:
    """The value the segments name; a list when a selector matched several; MISSING when absent."""
    nodes: list[Any] = [payloads]
    fanned = False
    for key, select in segments:
        following = []
        for node in nodes:
            if isinstance(node, dict) and key in node:
                value = node[key]
                if select is None:
                    following.append(value)
                elif isinstance(value, list):
                    chosen = _select(value, select)
                    fanned = fanned or len(chosen) > 1 or select == "*"
                    following.extend(chosen)
        nodes = following
        if not nodes:
            return MISSING
    if not fanned or len(nodes) == 1:  # one node: what the lines below give for it, without its text
        return nodes[0]
    unique: dict[str, Any] = {}
    for node in nodes:
        unique.setdefault(_KEYED(node), node)
    values = list(unique.values())
    return values[0] if len(values) == 1 else values


# json.dumps(node, sort_keys=True, default=str), its encoder made once: json.dumps with options builds one per
# call, and a fanned-out target (every env entry of a container) is told apart by its text (issue 24).
_KEYED = one_shot(json.JSONEncoder(sort_keys=True, default=str))  # its C encoder made once too (jsontext)


def resolve(payloads: Mapping[str, Any], template: str, variables: Mapping[str, Any] | None = None) -> Any:
    return _resolve(payloads, [(key, _fill(select, variables or {})) for key, select in split(template)])


def _label(segments: Sequence[Segment]) -> str:
    """How a target path is shown: ``[name=web]`` reads as ``[web]``."""
    parts = []
    for key, select in segments:
        if select is None:
            parts.append(key)
        else:
            parts.append(f"{key}[{select[5:] if select.startswith('name=') else select}]")
    return ".".join(parts)


def label(template: str, variables: Mapping[str, Any] | None = None) -> str:
    return _label([(key, _fill(select, variables or {})) for key, select in split(template)])


@cache
def _alternatives(alternatives: str) -> tuple[tuple[tuple[Segment, ...], bool, str], ...]:
    """Each alternative of ``a|b``: its segments, whether a selector holds a variable, and its label when none
    does. Rows ask for the same few targets again and again (issue 24): parsed and labelled once."""
    out = []
    for option in alternatives.split("|"):
        segments = split(option)
        variable = any(select is not None and "{" in select for _, select in segments)
        out.append((segments, variable, "" if variable else _label(segments)))
    return tuple(out)


def resolve_first(payloads: Mapping[str, Any], alternatives: str, variables: Mapping[str, Any]) -> tuple[str, Any]:
    """(label, value) of the first alternative of ``a|b`` that resolves; the first one's label when none does."""
    first_label = None
    for segments, variable, fixed in _alternatives(alternatives):
        if variable:
            filled = [(key, _fill(select, variables)) for key, select in segments]
            value = _resolve(payloads, filled)
            shown = _label(filled) if value is not MISSING or first_label is None else ""
        else:
            value = _resolve(payloads, segments)
            shown = fixed
        if value is not MISSING:
            return shown, value
        if first_label is None:
            first_label = shown
    return first_label or alternatives, MISSING


def node_at(data: Any, path: tuple[Any, ...]) -> Any:
    """The node at ``path`` in a source document, or None. A digit step also finds a string key "3"."""
    for step in path:
        if isinstance(data, dict) and (step in data or str(step) in data):
            data = data[step] if step in data else data[str(step)]
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def pattern_parts(pattern: str) -> tuple[str, ...]:
    """A field-table pattern (a JSON Pointer with ``*``) as its steps."""
    if pattern == "":
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pattern[1:].split("/"))


def pattern_matches(parts: tuple[str, ...], path: tuple[Any, ...]) -> bool:
    """``*`` matches any key or index; ``{containers}`` matches containers or initContainers."""
    if len(parts) != len(path):
        return False
    for part, step in zip(parts, path, strict=True):
        if part == "*":
            continue
        if part == "{containers}":
            if step not in ("containers", "initContainers"):
                return False
        elif part != str(step):
            return False
    return True


def combine(results: list[tuple[str, Any]]) -> tuple[str, Any]:
    """Several target fields: their labels joined; one value when they agree, else each value as text."""
    if len(results) == 1:  # what the lines below give for one field, without writing its value out as JSON
        return results[0]
    labels = "; ".join(name for name, _ in results)
    texts = [as_text(value) for _, value in results if value is not MISSING]
    if not texts:
        return labels, MISSING
    if len(texts) == len(results) and len(set(texts)) == 1:
        return labels, results[0][1]
    return labels, "; ".join(as_text(value) if value is not MISSING else "(not set)" for _, value in results)


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else _SORTED(value)


# json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), its encoder made once (issue 24).
_SORTED = one_shot(json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str))
