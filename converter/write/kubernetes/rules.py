"""The API server's rules on names and keys, read from schemas/k8s_api_rules.json (each entry cites its upstream
function). Pure predicates: the reverse reader uses them to decide what it may write, and
converter.validate.kubernetes to check what was written, so the two cannot disagree.

Each predicate returns None when the value passes, else why it does not (a phrase for a finding or an error).
"""

from __future__ import annotations

import re
from functools import cache, wraps
from typing import Any, Callable

from converter.core.quantity import parse_quantity
from converter.core.resources import load_schema

RULES_FILE = "k8s_api_rules.json"


@cache
def rules() -> dict[str, Any]:
    return load_schema(RULES_FILE)


@cache
def _pattern(rule: str, key: str = "pattern") -> re.Pattern[str]:
    return re.compile(rules()[rule][key])


_KEPT = 4096  # answers remembered per predicate: keys, names and values repeat in every manifest of a run


def _remembered(check: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """``check`` answering each string once (until it has answered _KEPT of them: then it starts again). Every
    manifest of --to k8s has its labels, selectors and names checked; at 10 MB that was 1.3 million calls.
    The rules (rules()) are read when a string is first answered: they are the same for the whole run."""
    known: dict[str, str | None] = {}
    missing = object()

    @wraps(check)
    def remembered(value: str) -> str | None:
        if value.__class__ is not str:
            return check(value)
        found = known.get(value, missing)
        if found is missing:
            if len(known) >= _KEPT:
                known.clear()
            found = known[value] = check(value)
        return found  # type: ignore[return-value]
    return remembered


@_remembered
def dns_label_problem(value: str) -> str | None:
    """IsDNS1123Label: object, container and volume names."""
    if not value:
        return "is empty"
    if len(value) > rules()["dns1123_label"]["max_length"]:
        return f"is longer than {rules()['dns1123_label']['max_length']} characters"
    if _pattern("dns1123_label").match(value) is None:
        return "is not a DNS-1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit)"
    return None


@_remembered
def qualified_name_problem(value: str) -> str | None:
    """IsQualifiedName: label keys, and annotation keys once lower-cased."""
    parts = value.split("/")
    if len(parts) > 2:
        return "has more than one '/'"
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        subdomain = rules()["dns1123_subdomain"]
        if not prefix:
            return "has an empty prefix before '/'"
        if len(prefix) > subdomain["max_length"] or _pattern("dns1123_subdomain").match(prefix) is None:
            return "has a prefix that is not a DNS-1123 subdomain"
    qualified = rules()["qualified_name"]
    if not name:
        return "is empty" if len(parts) == 1 else "has an empty name after '/'"
    if len(name) > qualified["name_max_length"]:
        return f"has a name part longer than {qualified['name_max_length']} characters"
    if _pattern("qualified_name", "name_pattern").match(name) is None:
        return "has characters other than A-Z, a-z, 0-9, '-', '_' and '.', or does not start and end with a letter or digit"
    return None


@_remembered
def label_value_problem(value: str) -> str | None:
    """IsValidLabelValue."""
    rule = rules()["label_value"]
    if len(value) > rule["max_length"]:
        return f"is longer than {rule['max_length']} characters"
    if _pattern("label_value").match(value) is None:
        return "has characters other than A-Z, a-z, 0-9, '-', '_' and '.', or does not start and end with a letter or digit"
    return None


def annotation_key_problem(key: str) -> str | None:
    """ValidateAnnotations: IsQualifiedName of the lower-cased key."""
    return qualified_name_problem(key.lower() if rules()["annotations"]["key_lowercased"] else key)


def annotations_size_problem(annotations: dict[str, str]) -> str | None:
    """ValidateAnnotationsSize: len(key) + len(value) over all entries, in bytes as Go's len counts them."""
    limit = rules()["annotations"]["total_size_max_bytes"]
    size = sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in annotations.items())
    return f"total {size} bytes, more than {limit}" if size > limit else None


def port_name_problem(name: str) -> str | None:
    """IsValidPortName (IANA_SVC_NAME)."""
    rule = rules()["port_name"]
    if len(name) > rule["max_length"]:
        return f"is longer than {rule['max_length']} characters"
    if _pattern("port_name").match(name) is None:
        return "is not a-z, 0-9 and '-' starting and ending with a letter or digit"
    if rule["needs_letter"] and not any("a" <= c <= "z" for c in name):
        return "has no letter"
    if rule["no_double_hyphen"] and "--" in name:
        return "has '--'"
    return None


def env_name_problem(name: str) -> str | None:
    """IsRelaxedEnvVarName (see the rule's _source for the Kubernetes versions)."""
    rule = rules()["env_name"]
    if len(name) < rule["min_length"]:
        return "is empty"
    if any(c in rule["forbidden_characters"] for c in name):
        return f"holds {rule['forbidden_characters']!r}"
    if rule["printable_ascii"] and not all(" " <= c <= "~" for c in name):
        return "has a character that is not printable ASCII"
    return None


def resource_name_problem(name: str) -> str | None:
    """validateContainerResourceName: a standard container resource, or an extended one (a qualified name whose
    prefix is a domain outside kubernetes.io)."""
    rule = rules()["resources"]
    if name in rule["standard"] or any(name.startswith(p) for p in rule["standard_prefixes"]):
        return None
    prefix, slash, _ = name.partition("/")
    if not slash or qualified_name_problem(name) is not None or prefix == "kubernetes.io" or prefix.endswith(".kubernetes.io"):
        return "is neither a standard container resource nor an extended resource (domain/name)"
    return None


def resources_problems(resources: dict[str, dict[str, str]]) -> list[str]:
    """ValidateResourceRequirements, of what k2ecs writes: names, each request at most its limit, an extended
    resource's request equal to its limit."""
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    found = [f"resource {name!r} {problem}" for name in [*requests, *(n for n in limits if n not in requests)]
             if (problem := resource_name_problem(name)) is not None]
    if rules()["resources"]["requests_at_most_limits"]:
        for name in requests.keys() & limits.keys():
            request, limit = parse_quantity(requests[name]), parse_quantity(limits[name])
            if request > limit:
                found.append(f"request {requests[name]} of {name!r} is more than its limit {limits[name]}")
            elif "/" in name and request != limit:
                found.append(f"request {requests[name]} of extended resource {name!r} differs from its limit {limits[name]}")
    return found
