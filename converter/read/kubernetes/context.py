"""What one parser may need from the rest of the input: referenced objects and the settings."""

from __future__ import annotations

from typing import Any

from converter.core.document import Document
from converter.core.findings import Origin
from converter.core.reader import Reader
from converter.core.record import MutableRecord, set_field
from converter.core.settings import Settings
from converter.read.kubernetes.metadata import ACCEPT_ANNOTATION


class Referenced(MutableRecord):
    """A ConfigMap, Secret or ServiceAccount, read on demand by the workloads that refer to it."""

    reader: Reader
    used: bool
    # A ConfigMap's data key -> its Origin, made once for all the workloads whose envFrom reads the ConfigMap
    # (container_env._env_from: a key's origin costs a line lookup, and a bundle repeats it per workload).
    data_origins: dict[str, Origin]

    def __init__(self, reader: Reader, used: bool = False, data_origins: dict[str, Origin] | None = None) -> None:
        set_field(self, "reader", reader)
        set_field(self, "used", used)
        set_field(self, "data_origins", {} if data_origins is None else data_origins)

    def data_origin(self, key: str) -> Origin:
        """Where ``data.<key>`` is written in this object."""
        origin = self.data_origins.get(key)
        if origin is None:
            origin = self.data_origins[key] = self.reader.origin(("data", key))
        return origin


class ParseContext(MutableRecord):
    settings: Settings
    # (kind, namespace or None, name) -> object; kind is "ConfigMap", "Secret" or "ServiceAccount".
    # Changed only through add() and remove(), which keep by_name in step.
    referenced: dict[tuple[str, str | None, str], Referenced]
    # (kind, name) -> the objects of that kind and name, in the order of ``referenced``: lookup's fallback
    # for a reference that names no namespace (or another one). Scanning ``referenced`` for each instead
    # made a bundle's workloads quadratic in its ConfigMaps and Secrets (issue 24: 7% of a 10 MB convert,
    # where 1,560 ServiceAccounts were not in the input).
    by_name: dict[tuple[str, str], dict[tuple[str, str | None, str], Referenced]]

    def __init__(self, settings: Settings,
                 referenced: dict[tuple[str, str | None, str], Referenced] | None = None,
                 by_name: dict[tuple[str, str], dict[tuple[str, str | None, str], Referenced]] | None = None) -> None:
        """``by_name``: None builds it from ``referenced``."""
        set_field(self, "settings", settings)
        set_field(self, "referenced", {} if referenced is None else referenced)
        if by_name is None:
            by_name = {}
            for identity, found in self.referenced.items():
                by_name.setdefault((identity[0], identity[2]), {})[identity] = found
        set_field(self, "by_name", by_name)

    def add(self, identity: tuple[str, str | None, str], found: Referenced) -> None:
        self.referenced[identity] = found
        self.by_name.setdefault((identity[0], identity[2]), {})[identity] = found

    def remove(self, identity: tuple[str, str | None, str]) -> None:
        if self.referenced.pop(identity, None) is not None:
            same = self.by_name[(identity[0], identity[2])]
            del same[identity]
            if not same:
                del self.by_name[(identity[0], identity[2])]

    def lookup(self, kind: str, namespace: str | None, name: str) -> Referenced | None:
        """Find a referenced object; a manifest without a namespace matches any namespace (the first
        object of that kind and name, in input order)."""
        found = self.referenced.get((kind, namespace, name))
        if found is None:
            same = self.by_name.get((kind, name))
            if same:
                found = next(iter(same.values()))
        if found is not None:
            found.used = True
        return found


def data_keys(obj: Referenced) -> list[str]:
    """Keys of a ConfigMap or Secret (data, stringData, binaryData); never the values of a Secret."""
    keys: list[str] = []
    for section in ("data", "stringData", "binaryData"):
        value: Any = obj.reader.raw((section,))
        if isinstance(value, dict):
            keys.extend(str(key) for key in value if str(key) not in keys)
    return keys


def read_part(document: Document, kind: str) -> Document:
    """What the workloads read of a ConfigMap or Secret (``kind``), in a document of its own: the reader of a
    referenced object of a convert(release=True) reads it through this until the last workload is parsed,
    and the rest of the document and of its line table goes at once (issue 24: the ConfigMaps and Secrets
    of a 10 MB bundle, kept whole to the end of pass 2, were 5 MB of its peak).

    A ConfigMap keeps ``data`` (its values are inlined; the lines of its keys are the origins of envFrom's
    values and of a value of the wrong type) and whether it has ``binaryData``; a Secret keeps its data,
    stringData and binaryData mappings (container_env reads their keys only; their values were redacted as
    they were loaded: converter.load.document_checks). Every read of converter.read.kubernetes.container_env
    answers as it does on the whole document, and the reader's
    take(()) at the end covers the rest of it (Intake.close_referenced): no catch-all finding is lost. A
    document with a k2ecs.io/accept annotation, or of another kind, is returned as it is (the review of
    accepted findings reads its metadata after the run, and a ServiceAccount's annotations are read)."""
    data = document.data
    if kind not in ("ConfigMap", "Secret") or data.__class__ is not dict:
        return document
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if isinstance(annotations, dict) and ACCEPT_ANNOTATION in annotations:
        return document
    kept: dict[str, Any] = {}
    table: dict[int, Any] = {}
    if kind == "ConfigMap":
        if "data" in data:
            section = kept["data"] = data["data"]
            lines = document.line_table.get(id(section))
            if lines is not None:
                table[id(section)] = lines
        if "binaryData" in data:
            kept["binaryData"] = None  # has() and take() only: its values are never read
    else:
        for name in ("data", "stringData", "binaryData"):
            section = data.get(name)
            if isinstance(section, dict):
                kept[name] = section
    root = {key: line for key in kept if (line := document.line_in(data, key)) is not None}
    if root:
        table[id(kept)] = root
    return Document(document.file, document.index, kept, document.line, table, document.prefix, document.plain_keys)
