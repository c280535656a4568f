"""Kubernetes manifests as YAML: a multi-document stream, byte-for-byte the same for the same input.

Keys keep the order the renderers built (apiVersion, kind, metadata, spec); strings that YAML would read
as another type ("true", "8080", "1e3") are quoted by the emitter; no line folding.
"""

from __future__ import annotations

from typing import Any, Iterable

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_documents(documents: Iterable[dict[str, Any]]) -> str:
    return "".join("---\n" + yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                                       allow_unicode=True, width=2**31 - 1) for document in documents)
