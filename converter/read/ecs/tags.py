"""ECS tags (and Docker label keys) -> Kubernetes labels and annotations (docs/MAPPING.md#topic-tags, reverse).

A tag whose key and value fit a label becomes one; else an annotation (K2E-I732); a key that is no annotation
key either is left out (K2E-W744), for the API server would refuse the manifest. The rules are
converter.write.kubernetes.rules (schemas/k8s_api_rules.json), the ones the output validator checks.
"""

from __future__ import annotations

from converter.read.ecs.view import EcsView
from converter.core.reader import Path
from converter.write.kubernetes.rules import (annotation_key_problem, dns_label_problem, label_value_problem,
                                              qualified_name_problem)

NAMESPACE_TAG = "k8s-namespace"  # written by k2ecs convert (converter.rules.naming): the namespace comes back


def task_tags(view: EcsView, path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str | None]:
    labels: list[tuple[str, str]] = []
    annotations: list[tuple[str, str]] = []
    namespace = None
    for item_path, _ in view.sequence(path):
        key = view.get(item_path + ("key",), str)
        value = view.get(item_path + ("value",), str) or ""
        if key is None:
            continue
        if key == NAMESPACE_TAG and dns_label_problem(value) is None:  # ValidateNamespaceName: a DNS label
            namespace = value
        elif label_problem(key, value) is None:
            labels.append((key, value))
        elif tag_left_out(view, item_path, key, "tag"):
            continue
        else:
            annotations.append((key, value))
            view.note(item_path, "K2E-I732", f"tag {key} became an annotation: {label_problem(key, value)}", covers=False)
    return labels, annotations, namespace


def tag_left_out(view: EcsView, path: Path, key: str, what: str) -> bool:
    """True, with K2E-W744 at ``path``, when ``key`` cannot be an annotation key either (the API server would
    refuse the manifest: ValidateAnnotations); the entry is then left out."""
    problem = annotation_key_problem(key)
    if problem is None:
        return False
    view.note(path, "K2E-W744", f"{what} {key!r} was left out: as a Kubernetes annotation key it {problem}")
    return True


def label_problem(key: str, value: str) -> str | None:
    """Why a tag is no Kubernetes label (ValidateLabels: IsQualifiedName key, IsValidLabelValue value), or None."""
    if qualified_name_problem(key) is not None:
        return "the key is not a label name"
    if label_value_problem(value) is not None:
        return "the value is not a label value (at most 63 of A-Z, a-z, 0-9, '-', '_', '.')"
    return None
