"""Helpers shared by the ECS rules (ecs_rules, ecs_rules_service): reading a payload that may be
malformed without raising, and the problems of names, ranges and tags."""

from __future__ import annotations

import re
from typing import Any

from converter.core.resources import load_schema

# ---- shared helpers --------------------------------------------------------------------------


def tag_problems(tags: Any, rules: dict) -> list[str]:
    """V23: count, key and value lengths, the reserved aws: prefix, unique keys."""
    return [] if _tags_ok(tags, rules) else tag_walk(tags, rules)


def tag_walk(tags: Any, rules: dict) -> list[str]:
    """tag_problems() without its shortcut: every problem, worded."""
    items = indexed(tags)
    problems: list[str] = []
    if len(items) > rules["max_count"]:
        problems.append(f"tags: {len(items)} tags, more than {rules['max_count']} (V23)")
    prefix = rules["reserved_prefix_any_case"]
    seen: set[str] = set()
    for index, tag in items:
        for field, bounds in (("key", rules["key_length"]), ("value", rules["value_length"])):
            text = tag.get(field)
            if not isinstance(text, str):
                continue
            if not bounds["min"] <= len(text) <= bounds["max"]:
                problems.append(f"tags[{index}].{field}: {len(text)} characters, expected {bounds['min']}-{bounds['max']} (V23)")
            if text.lower().startswith(prefix):
                problems.append(f"tags[{index}].{field}: {text!r} starts with the reserved prefix {prefix!r} (V23)")
        key = tag.get("key")
        if isinstance(key, str) and key in seen:
            problems.append(f"tags[{index}].key: {key!r} is used twice (V23)")
        if isinstance(key, str):
            seen.add(key)
    return problems


def _tags_ok(tags: Any, rules: dict) -> bool:
    """Whether tag_problems() finds nothing, for the tags k2ecs writes (a list of {key, value} strings): one pass
    with no message made. Anything else (and any tag it doubts) is left to tag_problems' walk, which words it.
    Each workload's tags are checked twice (task definition and service), ten or so each: 1% of a large run."""
    if tags.__class__ is not list or len(tags) > rules["max_count"]:
        return False
    key_bounds, value_bounds = rules["key_length"], rules["value_length"]
    key_min, key_max, value_min, value_max = key_bounds["min"], key_bounds["max"], value_bounds["min"], value_bounds["max"]
    prefix = rules["reserved_prefix_any_case"]
    cut = len(prefix)
    seen: set[str] = set()
    for tag in tags:
        if tag.__class__ is not dict:
            return False
        key, value = tag.get("key"), tag.get("value")
        if key.__class__ is not str or value.__class__ is not str or key in seen:
            return False
        if not (key_min <= len(key) <= key_max and value_min <= len(value) <= value_max):
            return False
        # the prefix is lower case: a text starts with it in any case only if its first characters, lowered, are it
        # (lower() of the whole text, as the walk does it, may change its length but not what starts it, for ASCII)
        if not (key.isascii() and value.isascii()) or key[:cut].lower() == prefix or value[:cut].lower() == prefix:
            return False
        seen.add(key)
    return prefix == prefix.lower() and prefix.isascii()


def name_problems(path: str, value: Any, rules: dict, rule: str) -> list[str]:
    if not isinstance(value, str):
        return []
    if not rules["min_length"] <= len(value) <= rules["max_length"]:
        return [f"{path}: {len(value)} characters, expected {rules['min_length']}-{rules['max_length']} ({rule})"]
    if _compiled(rules["pattern"]).fullmatch(value) is None:
        return [f"{path}: {value!r} does not match {rules['pattern']} ({rule})"]
    return []


_PATTERNS: dict[str, re.Pattern[str]] = {}  # each rule's name pattern, compiled once (re's own cache is a lookup more)


def _compiled(pattern: str) -> re.Pattern[str]:
    found = _PATTERNS.get(pattern)
    if found is None:
        found = _PATTERNS[pattern] = re.compile(pattern)
    return found


def range_problems(path: str, holder: dict, bounds: dict, rule: str) -> list[str]:
    """``holder[bounds["field"]]`` within ``bounds``; absent or non-numeric values are not this check's business."""
    value = as_number(holder.get(bounds["field"]))
    if value is None or bounds["min"] <= value <= bounds["max"]:
        return []
    unit = f" {bounds['unit']}" if bounds["unit"] else ""
    return [f"{path}.{bounds['field']}: {value}{unit} is outside {bounds['min']}-{bounds['max']} ({rule})"]


def fargate_row(cpu_units: int | None) -> dict | None:
    return next((row for row in load_schema("fargate_sizes.json") if row["cpu_units"] == cpu_units), None)


def as_whole(value: Any) -> int | None:
    """Task cpu/memory: the API takes strings, k2ecs writes digits; an int is accepted as well."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def as_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"[0-9]+", text))


def is_set(value: Any) -> bool:
    return value is not None and value is not False


def dotted_get(holder: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        holder = holder.get(part) if isinstance(holder, dict) else None
    return holder


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def indexed(value: Any) -> list[tuple[int, dict]]:
    """The dict items of a list with their original indexes, so paths stay right when some items are malformed."""
    return [(index, item) for index, item in enumerate(as_list(value)) if isinstance(item, dict)]


def join_ints(values: list[int]) -> str:
    return ", ".join(str(value) for value in values)
