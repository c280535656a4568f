"""The plain environment values the conversion flags as credentials (K2E-W152), which compare never shows.

The rule that decides what looks like a credential lives in one place, converter/rules/env.py;
compare does not guess again. It reads each K2E-W152 finding's origin (file, JSON Pointer to the ``env`` entry)
and takes the value found there: the entry's literal ``value`` in the input, and the value the task definition
carries for that container and variable (the one the rule looked at: after $(VAR) expansion, or inlined from a
ConfigMap by configMapKeyRef). A variable from envFrom is flagged at its ConfigMap's ``data`` key, whose value
is the one the task definition carries. The Redactor (converter/compare/sources.py) then replaces those values
wherever compare would show them: rows, source and payload panes, finding messages (K2E-I170 quotes an
expanded value).
"""

from __future__ import annotations

from typing import Any, Iterable

from converter.compare.paths import node_at
from converter.core.findings import Finding

PLAIN_CREDENTIAL = "K2E-W152"


def flagged_values(findings: Iterable[Finding], records: list[Any], outputs: list[Any]) -> set[str]:
    """Every value a K2E-W152 finding points at, in the input and in the task definitions made from it."""
    documents: dict[tuple[str, str], list[Any]] = {}
    for record in records:
        documents.setdefault((record.resource, record.file), []).append(record.reader.document)
    task_definitions: dict[str, list[dict[str, Any]]] = {}
    for output in outputs:
        task_definitions.setdefault(output.resource, []).append(output.task_definition)
    values: set[str] = set()
    for finding in findings:
        if finding.code != PLAIN_CREDENTIAL:
            continue
        for document in documents.get((finding.resource, finding.file), []):
            value = _config_map_value(document, finding.path)
            if value is not None:
                # An envFrom variable's finding points at its ConfigMap key; the task definitions carry that
                # value as it is (envFrom values are not $(VAR)-expanded), so the value itself is enough.
                values.add(value)
                continue
            entry = _entry(document, finding.path)
            if entry is None:
                continue
            if isinstance(entry.get("value"), str):
                values.add(entry["value"])
            container = node_at(document.data, _relative(finding.path, document.prefix)[:-2])
            name = container.get("name") if isinstance(container, dict) else None
            for task_definition in task_definitions.get(finding.resource, []):
                values.update(_environment_values(task_definition, name, entry.get("name")))
    values.discard("")
    return values


def _entry(document: Any, where: str) -> dict[str, Any] | None:
    """The ``env`` entry a finding points at, or None (another document, or not an env entry)."""
    path = _relative(where, document.prefix)
    if path is None or len(path) < 2 or path[-2] != "env":
        return None
    node = node_at(document.data, path)
    return node if isinstance(node, dict) and isinstance(node.get("name"), str) else None


def _config_map_value(document: Any, where: str) -> str | None:
    """The value of the ConfigMap ``data`` key a finding points at, or None (not a ConfigMap data key)."""
    path = _relative(where, document.prefix)
    if path is None or len(path) != 2 or path[0] != "data" or not isinstance(document.data, dict):
        return None
    if document.data.get("kind") != "ConfigMap":
        return None
    value = node_at(document.data, path)
    return value if isinstance(value, str) else None


def _relative(where: str, prefix: tuple[Any, ...]) -> tuple[Any, ...] | None:
    parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in where[1:].split("/")) if where else ()
    if tuple(str(p) for p in prefix) != parts[: len(prefix)]:
        return None
    return tuple(int(p) if p.isdigit() else p for p in parts[len(prefix):])


def _environment_values(task_definition: Any, container: Any, variable: Any) -> Iterable[str]:
    """The values of ``variable`` in the environment of the task definition's container named ``container``."""
    for definition in task_definition.get("containerDefinitions") or () if isinstance(task_definition, dict) else ():
        if not isinstance(definition, dict) or definition.get("name") != container:
            continue
        for item in definition.get("environment") or ():
            if isinstance(item, dict) and item.get("name") == variable and isinstance(item.get("value"), str):
                yield item["value"]
