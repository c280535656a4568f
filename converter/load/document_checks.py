"""What every document passes as it is loaded: a printable identity, and a Secret's values replaced."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from converter.core.errors import InputError

if TYPE_CHECKING:  # converter.load.loader imports this module
    from converter.core.document import Document

# Control and bidirectional-override characters: never in a Kubernetes kind, name or namespace, and
# these three reach every report line and file name (a terminal escape there would rewrite a CI log).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_IDENTITY = (("kind",), ("metadata", "name"), ("metadata", "namespace"))


def check_identity(document: Document) -> None:
    data = document.data
    for path in _IDENTITY:
        value = data
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if isinstance(value, str) and _UNPRINTABLE.search(value):
            char = _UNPRINTABLE.search(value).group()
            raise InputError(f"{'.'.join(path)} contains the control character U+{ord(char):04X}",
                             file=document.file, line=document.line_of(path))


REDACTED = "<k2ecs:redacted>"
# Of a Secret, only these are ever read (its identity, and the keys of its data); every other string in it
# is replaced as it is loaded, so no later step (a renderer, a message, a crash report) can copy a value.
_SECRET_KEPT = frozenset({"apiVersion", "kind", "type", "immutable"})
_SECRET_METADATA_KEPT = frozenset({"name", "namespace", "labels"})


def redact_secret(data: dict[Any, Any]) -> None:
    kind = data.get("kind")
    if not isinstance(kind, str) or kind.lower() != "secret":
        return
    for key, value in data.items():
        if key == "metadata" and isinstance(value, dict):
            for meta_key, meta_value in value.items():
                if meta_key not in _SECRET_METADATA_KEPT:
                    value[meta_key] = _redacted(meta_value)
        elif key not in _SECRET_KEPT:
            data[key] = _redacted(value)


def _redacted(value: Any) -> Any:
    """``value`` with every string (and number) in it replaced; containers kept, in place, for their lines."""
    if isinstance(value, dict):
        for key in value:
            value[key] = _redacted(value[key])
        return value
    if isinstance(value, list):
        value[:] = [_redacted(item) for item in value]
        return value
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return REDACTED
    return value
