"""Object metadata shared by every kind: name, namespace, labels, annotations, bookkeeping."""

from __future__ import annotations

import re
from sys import intern

from converter.core.reader import Reader
from converter.core.scope import Scope
from converter.core.limits import limit_value
from converter.core.record import Record, set_field

_BOOKKEEPING = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
                "ownerReferences", "finalizers", "generateName", "deletionTimestamp", "deletionGracePeriodSeconds")
# Annotations written by tools, with no meaning for the workload itself.
_TOOL_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
                     "meta.helm.sh/release-name", "meta.helm.sh/release-namespace")
# Read by converter.report.baseline (accepted findings), not a tag: consumed here with the rest of the map.
ACCEPT_ANNOTATION = "k2ecs.io/accept"


class Metadata(Record):
    kind: str
    name: str
    namespace: str | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]

    def __init__(self, kind: str, name: str, namespace: str | None, labels: tuple[tuple[str, str], ...],
                 annotations: tuple[tuple[str, str], ...]) -> None:
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "namespace", namespace)
        set_field(self, "labels", labels)
        set_field(self, "annotations", annotations)


def metadata_namespace(reader: Reader, metadata: Scope | None = None) -> str | None:
    """``metadata``: the document's metadata as a Scope, when the caller has one (the same read, without its walk)."""
    namespace = reader.get(("metadata", "namespace"), str) if metadata is None else metadata.get("namespace", str)
    # one of a few texts, kept by every workload, Service, HPA and finding to the end of pass 2: one string each
    # (issue 24)
    return intern(namespace) if namespace.__class__ is str else namespace


def read_metadata(reader: Reader, kind: str) -> Metadata:
    """``kind`` is the canonical spelling (manifests may write it in lower case)."""
    top = Scope(reader, ())
    top.get("kind", str)
    top.get("apiVersion", str)
    top.mapping("metadata")  # a metadata that is not a mapping is named as such, not as a missing name
    metadata = top.scope("metadata")
    name = metadata.get("name", str)
    if name is None or not name:
        reader.fail(("metadata",), f"{kind} has no metadata.name")
    namespace = metadata_namespace(reader, metadata)
    labels = metadata.string_map("labels")
    annotations = metadata.string_map("annotations")
    kept = {}
    for key, value in annotations.items():
        if key == ACCEPT_ANNOTATION:
            continue
        if key in _TOOL_ANNOTATIONS:
            reader.note(("metadata", "annotations", key), "K2E-I009", f"annotation {key} is written by a tool")
        else:
            kept[key] = value
    for key in metadata.present(_BOOKKEEPING):
        metadata.note(key, "K2E-I009", f"metadata.{key} is set by Kubernetes")
    if top.has("status"):
        top.note("status", "K2E-I004", "the status block is read-only")
    return Metadata(kind=kind, name=name, namespace=namespace, labels=tuple(sorted(labels.items())),
                    annotations=tuple(sorted(kept.items())))


# What the API server requires of a Deployment's or StatefulSet's name (a lower-case RFC 1123 subdomain).
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
MAX_NAME_CHARS = limit_value("workload-name-chars")
# Output files are <name>.taskdef.json (and .service.json, .scaling.json): within the usual 255-byte file name.
MAX_FILE_STEM_CHARS = limit_value("file-name-bytes") - len(".taskdef.json")


def name_problem(name: str) -> str | None:
    """Why a workload name cannot name output files (None when it can). Names are ASCII when they pass."""
    if len(name) > MAX_NAME_CHARS:
        return f"is {len(name)} characters; a Kubernetes name has at most {MAX_NAME_CHARS}"
    if not _SUBDOMAIN.fullmatch(name):
        return "is not a valid Kubernetes name (lower-case letters, digits, '-' and '.', starting and ending alphanumeric)"
    if len(name) > MAX_FILE_STEM_CHARS:
        return (f"is {len(name)} characters; output files are named <name>.taskdef.json, which must fit the "
                f"255-byte file-name limit: at most {MAX_FILE_STEM_CHARS}")
    return None


def shown(name: str) -> str:
    """A name as quoted in a message: escaped (no control characters reach a terminal) and cut short."""
    text = repr(name)
    return text if len(text) <= 60 else text[:57] + "..."
