"""What one parsed document becomes: the items of a ``kind: List``, or ECS container definitions alone
wrapped as the task definition they belong in. converter.load.loader.parse_text calls expand_document.
"""

from __future__ import annotations

from array import array
from dataclasses import replace
from typing import Iterator

from converter.core.document import Document
from converter.core.errors import InputError


def _container_definitions(document: Document) -> Document | None:
    """ECS input that is container definitions alone, as Terraform's ``container_definitions`` files and the
    ECS console's JSON editor hold them: a list of them, or one (a mapping with name and image), read as a
    task definition with those containers (``{"containerDefinitions": [...]}``, the RegisterTaskDefinition
    member they belong in). The line of every key stays the file's; pointers gain /containerDefinitions."""
    data = document.data
    if isinstance(data, list) and data and all(isinstance(item, dict) and "image" in item for item in data):
        containers = data
    elif isinstance(data, dict) and "image" in data and "name" in data and "containerDefinitions" not in data \
            and "Resources" not in data and "kind" not in data:
        containers = [data]
        document.line_table[id(containers)] = array("I", [document.line])
    else:
        return None
    wrapper = {"containerDefinitions": containers}
    document.line_table[id(wrapper)] = {"containerDefinitions": document.line}
    return replace(document, data=wrapper)


def expand_document(document: Document, ecs: bool = False) -> Iterator[Document]:
    data = document.data
    if ecs:
        wrapped = _container_definitions(document)
        if wrapped is not None:
            yield wrapped
            return
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise InputError(f"document {document.index + 1} is {kind}, not a Kubernetes object or ECS payload (a mapping)",
                         file=document.file, line=document.line)
    if str(data.get("kind", "")).lower() == "list" and isinstance(data.get("items"), list):
        for position, item in enumerate(data["items"]):
            child = document.child(("items", position), item)
            if document.duplicates:
                child = replace(child, duplicates=tuple((path[2:], key, first, line) for path, key, first, line in document.duplicates
                                                        if path[:2] == ("items", position)))
            if not isinstance(item, dict):
                raise InputError(f"items[{position}] of a List is not a mapping", file=document.file, line=child.line)
            yield from expand_document(child)  # a List in a List is flattened too (cli-runtime pkg/resource/visitor.go, FlattenListVisitor)
        return
    yield document
