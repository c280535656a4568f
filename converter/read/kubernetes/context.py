"""What one parser may need from the rest of the input: referenced objects and the settings."""

from __future__ import annotations

from typing import Any

from converter.core.reader import Reader
from converter.core.record import MutableRecord, set_field
from converter.core.settings import Settings


class Referenced(MutableRecord):
    """A ConfigMap, Secret or ServiceAccount, read on demand by the workloads that refer to it."""

    reader: Reader
    used: bool

    def __init__(self, reader: Reader, used: bool = False) -> None:
        set_field(self, "reader", reader)
        set_field(self, "used", used)


class ParseContext(MutableRecord):
    settings: Settings
    # (kind, namespace or None, name) -> object; kind is "ConfigMap", "Secret" or "ServiceAccount"
    referenced: dict[tuple[str, str | None, str], Referenced]

    def __init__(self, settings: Settings,
                 referenced: dict[tuple[str, str | None, str], Referenced] | None = None) -> None:
        set_field(self, "settings", settings)
        set_field(self, "referenced", {} if referenced is None else referenced)

    def lookup(self, kind: str, namespace: str | None, name: str) -> Referenced | None:
        """Find a referenced object; a manifest without a namespace matches any namespace."""
        found = self.referenced.get((kind, namespace, name))
        if found is None:
            for (other_kind, _, other_name), candidate in self.referenced.items():
                if other_kind == kind and other_name == name:
                    found = candidate
                    break
        if found is not None:
            found.used = True
        return found


def metadata_namespace(reader: Reader) -> str | None:
    return reader.get(("metadata", "namespace"), str)


def data_keys(obj: Referenced) -> list[str]:
    """Keys of a ConfigMap or Secret (data, stringData, binaryData); never the values of a Secret."""
    keys: list[str] = []
    for section in ("data", "stringData", "binaryData"):
        value: Any = obj.reader.raw((section,))
        if isinstance(value, dict):
            keys.extend(str(key) for key in value if str(key) not in keys)
    return keys
