"""Names, labels and tags both ways: labels and annotations -> ECS tags within ECS tag rules (docs/MAPPING.md#topic-tags,
#limits-ecs), and ECS names -> Kubernetes names (RFC 1123 labels).

Model -> ECS: ``render_tags``. ECS -> model: ``dns_label``, ``member_label(s)``, ``unique_label``; the tags' way back
(converter/read/ecs/tags.py) needs the Kubernetes API rules (write/kubernetes/rules.py), which converting
Kubernetes must not load, so it stays with the ECS reader. The field pairs of both directions are at the end.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from converter.core.document import pointer
from converter.core.findings import Finding, make_finding
from converter.core.model import Workload
from converter.core.names import unique_within
from converter.core.resources import load_schema

_EXTRA_CHARACTERS = set("_.:/=+-@")
NAMESPACE_TAG = "k8s-namespace"


# What the pattern allows of ASCII: its letters (L), digits (N), the space (the only ASCII Z) and the extras.
_ASCII_TAG_TEXT = re.compile(r"[A-Za-z0-9 _.:/=+\-@]*")


def valid_tag_text(text: str) -> bool:
    """The [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]* pattern of the ECS Tag shape, which Python's re cannot spell."""
    if text.isascii():  # nearly every label and annotation: one regex instead of a lookup per character
        return _ASCII_TAG_TEXT.fullmatch(text) is not None
    return all(ch in _EXTRA_CHARACTERS or unicodedata.category(ch)[0] in "LZN" for ch in text)


def tag_rules() -> dict[str, Any]:
    """The ECS tag quotas (schemas/ecs_rules.json, V23): the one copy, which docs/MAPPING.md lists too."""
    return load_schema("ecs_rules.json")["V23_tags"]


def tag_problem(key: str, value: str) -> str | None:
    # Every workload's labels are judged, and most of them recur (Helm's chart, version and managed-by labels):
    # each pair's answer is kept (a bounded table, started again when full), with the quotas it was judged by.
    rules = tag_rules()
    pair = (key, value, rules["key_length"]["max"], rules["value_length"]["max"])
    known = _TAG_PROBLEMS.get(pair, _UNKNOWN)
    if known is _UNKNOWN:
        if len(_TAG_PROBLEMS) >= _TAG_PROBLEMS_KEPT:
            _TAG_PROBLEMS.clear()
        known = _TAG_PROBLEMS[pair] = judged_tag(key, value)
    return known  # type: ignore[return-value]


_TAG_PROBLEMS: dict[tuple[str, str, int, int], str | None] = {}
_TAG_PROBLEMS_KEPT = 8192
_UNKNOWN = object()


def judged_tag(key: str, value: str) -> str | None:
    """tag_problem() without the table: why ``key``/``value`` cannot be an ECS tag, or None."""
    rules = tag_rules()
    max_key, max_value = rules["key_length"]["max"], rules["value_length"]["max"]
    if not 1 <= len(key) <= max_key:
        return f"key is {len(key)} characters (1-{max_key})"
    if len(value) > max_value:
        return f"value is {len(value)} characters (at most {max_value})"
    if not valid_tag_text(key) or not valid_tag_text(value):
        return "has characters ECS tags do not allow"
    if key.lower().startswith("aws:") or value.lower().startswith("aws:"):
        return "starts with the reserved aws: prefix"
    return None


def _reads_as_label(key: str, value: str) -> bool:
    from converter.read.ecs.tags import label_problem  # the reverse direction's rule: tags that fit become labels
    return label_problem(key, value) is None


def render_tags(workload: Workload) -> tuple[list[dict[str, Any]], list[Finding]]:
    findings: list[Finding] = []
    tags: list[dict[str, Any]] = []
    candidates = [("labels", key, value) for key, value in workload.labels]
    candidates += [("annotations", key, value) for key, value in workload.annotations]
    if workload.namespace is not None:
        candidates.append(("namespace", NAMESPACE_TAG, workload.namespace))
    base = workload.origin.path
    max_tags = tag_rules()["max_count"]
    for section, key, value in candidates:
        problem = tag_problem(key, value)
        if problem is None and len(tags) >= max_tags:
            problem = f"ECS allows {max_tags} tags per resource"
        if problem is not None:
            findings.append(make_finding("K2E-I309", workload.origin.at(_tag_path(base, section, key)), f"{section[:-1] if section != 'namespace' else 'namespace'} {key} not carried as a tag: {problem}"))
            continue
        tags.append({"key": key, "value": value})
        if section == "annotations" and _reads_as_label(key, value):
            findings.append(make_finding("K2E-I312", workload.origin.at(_tag_path(base, section, key)),
                                         f"annotation {key} is carried as a tag, which reads back as a label"))
    if workload.namespace is not None:
        findings.append(make_finding("K2E-I005", workload.origin.at(f"{base}/metadata/namespace"),
                                     f"namespace {workload.namespace} kept as tag {NAMESPACE_TAG}; ECS has no namespaces"))
    return tags, findings


def _tag_path(base: str, section: str, key: str) -> str:
    """Where a label, annotation or the namespace is in the workload's document: made only for a finding (most
    labels become tags without one, and the pointer of each was a tenth of rendering the tags)."""
    return f"{base}/metadata/namespace" if section == "namespace" else f"{base}/metadata/{section}{pointer((key,))}"


# -- ECS -> the model: ECS names -> Kubernetes names (RFC 1123 labels; read/ecs/ and pipeline/reverse.py) --

DNS_LABEL_MAX = 63
_NOT_DNS = re.compile(r"[^a-z0-9-]+")


def dns_label(text: str, fallback: str) -> str:
    """A Kubernetes object or container name (RFC 1123 label) for an ECS name."""
    label = _NOT_DNS.sub("-", text.lower()).strip("-")[:DNS_LABEL_MAX].strip("-")
    return label or fallback


def member_label(kind: str, raw: str, index: int, taken: list[str]) -> str:
    """The Kubernetes name of member ``index`` of a task definition's containers or volumes (``kind``: "container"
    or "volume"), given the names of those before it: its ECS name as a DNS label (a container's name and a
    volume's must both be one, ValidateVolumes requiring them unique), ``<kind>-N`` when nothing of it is left (an
    empty name), ``-N`` added on a collision."""
    name = dns_label(raw, f"{kind}-{index + 1}")
    while name in taken:
        name = dns_label(f"{name[:DNS_LABEL_MAX - 3]}-{index + 1}", name)
    return name


def member_labels(kind: str, raw_names: list[str]) -> list[str]:
    """Every member's Kubernetes name, in order: compare finds the container or volume the conversion wrote with
    it (converter/compare/ecs_fields.py)."""
    names: list[str] = []
    for index, raw in enumerate(raw_names):
        names.append(member_label(kind, raw, index, names))
    return names


def unique_label(name: str, taken: set[str]) -> str:
    """``name`` made unique in ``taken``, still a DNS label."""
    return unique_within(name, taken, DNS_LABEL_MAX)


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
from converter.core.field_pairs import DEPLOYMENT, ECS_CONTAINER, TD, pair  # noqa: E402  (the pairs are data about the rules above)

_WORKLOAD_PAIRS = (
    pair("/metadata/name", f"{TD}.family", "service.serviceName"),
    pair("/metadata/namespace", f"{TD}.tags[key=k8s-namespace]"),
    pair("/metadata/labels", f"{TD}.tags"),
    pair("/metadata/annotations", f"{TD}.tags"),
)
PAIRS = {"Deployment": _WORKLOAD_PAIRS, "StatefulSet": _WORKLOAD_PAIRS}
CODE_FIELDS = {"K2E-I308": (f"{TD}.family", "service.serviceName")}  # renamed on ECS (converter.write.ecs.workload_names)
CONCERN = "naming"
# ECS -> Kubernetes (converter/read/ecs/tags.py task_tags, converter/write/kubernetes/deployment.py metadata).
REVERSE_PAIRS = {
    "TaskDefinition": (
        pair("/family", f"{DEPLOYMENT}.metadata.name"),
        pair("/tags/*", unit=True, resolver="tag"),
        pair(ECS_CONTAINER + "/dockerLabels", "Deployment.spec.template.metadata.annotations", unit=True),
    ),
    "Service": (
        pair("/serviceName", f"{DEPLOYMENT}.metadata.name"),
        pair("/tags/*", unit=True, resolver="tag"),
    ),
}
