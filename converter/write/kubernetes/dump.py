"""Kubernetes manifests as YAML: a multi-document stream, byte-for-byte the same for the same input.

Keys keep the order the renderers built (apiVersion, kind, metadata, spec); strings that YAML would read
as another type ("true", "8080", "1e3") are quoted by the emitter; no line folding.

PyYAML's representer is pure Python even with libyaml's emitter (CSafeDumper): it resolves every scalar
and builds a node for each value, which was a quarter of ``convert --to k8s`` at 10 MB (issue 24). So the
block layout libyaml writes for these options (two-space indent, a sequence under a key not indented,
``[]`` and ``{}`` for empty ones) is written here, and each scalar is written as the dumper writes it: a
plain string that YAML reads back as a string (:data:`_PLAIN`) as it is, any other scalar as the dumper
writes it in that place, asked once per value. A document where the dumper would write a scalar over
several lines, or a key it would not write as a plain one, is dumped by the dumper itself.
tests/test_kubernetes_dump.py compares the two ways.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_OPTIONS: dict[str, Any] = {"Dumper": _Dumper, "sort_keys": False, "default_flow_style": False,
                            "allow_unicode": True, "width": 2**31 - 1}

# A string libyaml writes plain in block context and YAML 1.1 reads back as a string: it starts with a letter
# or "/" (no indicator, no number, no timestamp), holds no character that needs quoting or escaping, has no
# ": " or trailing ":" or blank (libyaml's analyze_scalar), and is none of the words YAML 1.1 reads as a bool or
# a null (yaml.resolver.Resolver). Up to 128 characters, the longest simple key libyaml writes.
_PLAIN = re.compile(r"[A-Za-z/](?:[A-Za-z0-9_./=@+,-]|:(?=[^ ])|[ ]+(?=[^ ]))*")
_NOT_STRINGS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                         "null Null NULL".split())
_LONGEST_PLAIN = 128


class _Unusual(Exception):
    """A scalar written over several lines, or a key not written plain: the dumper writes the document."""


def dump_documents(documents: Iterable[dict[str, Any]]) -> str:
    scalars = _Scalars()
    return "".join("---\n" + _dump(document, scalars) for document in documents)


class ManifestWriter:
    """dump_documents() of one part of a stream after another, each part's text the same as in the whole
    stream's: ``convert --to k8s`` makes each workload's text as it renders it and lets its manifests go
    (as dicts, a 10 MB run's manifests weighed several times their text, issue 24). The scalars' texts are
    found once for every part, as dump_documents finds them once for its stream; past ``kept`` of them the
    cache starts again (a cache: the text does not depend on it), so it does not hold every value of a run."""

    def __init__(self, kept: int = 20_000) -> None:
        self.kept = kept
        self.scalars = _Scalars()

    def dump(self, documents: Iterable[dict[str, Any]]) -> str:
        scalars = self.scalars
        if len(scalars.keys) + len(scalars.values) + len(scalars.items) > self.kept:
            scalars = self.scalars = _Scalars()
        return "".join("---\n" + _dump(document, scalars) for document in documents)


def _dump(document: Any, scalars: "_Scalars") -> str:
    if document.__class__ is dict and document:
        out: list[str] = []
        try:
            _mapping(document, "", out, False, scalars)
            return "".join(out)
        except _Unusual:
            pass
    return yaml.dump(document, **_OPTIONS)


def _mapping(node: dict[Any, Any], pad: str, out: list[str], inline: bool, scalars: "_Scalars") -> None:
    """A non-empty mapping whose keys are at ``pad``; ``inline``: its first key follows a "- " already written."""
    inner = pad + "  "
    for key, value in node.items():
        text = scalars.key(key)
        out.append(text if inline else pad + text)
        inline = False
        cls = value.__class__
        if cls is dict:
            if value:
                out.append(":\n")
                _mapping(value, inner, out, False, scalars)
            else:
                out.append(": {}\n")
        elif cls is list:
            if value:
                out.append(":\n")
                _sequence(value, pad, out, False, scalars)  # under a key, "- " is not indented
            else:
                out.append(": []\n")
        else:
            out.append(": " + scalars.value(value) + "\n")


def _sequence(node: list[Any], pad: str, out: list[str], inline: bool, scalars: "_Scalars") -> None:
    inner = pad + "  "
    for item in node:
        out.append("- " if inline else pad + "- ")
        inline = False
        cls = item.__class__
        if cls is dict:
            if item:
                _mapping(item, inner, out, True, scalars)
            else:
                out.append("{}\n")
        elif cls is list:
            if item:
                _sequence(item, inner, out, True, scalars)
            else:
                out.append("[]\n")
        else:
            out.append(scalars.item(item) + "\n")


class _Scalars:
    """Each scalar's text as the dumper writes it as a key, a value of a key, or an item, found once per run
    (by the string alone for strings; by class and value otherwise, as True == 1 == 1.0)."""

    def __init__(self) -> None:
        self.keys: dict[Any, str] = {}
        self.values: dict[Any, str] = {}
        self.items: dict[Any, str] = {}

    def key(self, key: Any) -> str:
        found = self.keys.get(key) if key.__class__ is str else None
        if found is None:
            found = self._find(self.keys, key, {key: 0}, "", ": 0\n")
            if found.startswith("? "):  # libyaml's complex key ("? key\n: value"): not kept, not written here
                del self.keys[key if key.__class__ is str else (key.__class__, key)]
                raise _Unusual
        return found

    def value(self, value: Any) -> str:
        cls = value.__class__
        if cls is str:
            found = self.values.get(value)
            return self._find(self.values, value, {"k": value}, "k: ", "\n") if found is None else found
        if cls is int:
            return str(value)  # SafeRepresenter.represent_int; a decimal is always plain
        if cls is bool:
            return "true" if value else "false"
        if value is None:
            return "null"
        return self._find(self.values, value, {"k": value}, "k: ", "\n")

    def item(self, value: Any) -> str:
        cls = value.__class__
        if cls is str:
            found = self.items.get(value)
            return self._find(self.items, value, [value], "- ", "\n") if found is None else found
        if cls is int:
            return str(value)
        return self._find(self.items, value, [value], "- ", "\n")

    @staticmethod
    def _find(known: dict[Any, str], scalar: Any, node: Any, before: str, after: str) -> str:
        if scalar.__class__ is str:
            if _plain(scalar):
                known[scalar] = scalar
                return scalar
            place: Any = scalar
        else:
            place = (scalar.__class__, scalar)
        found = known.get(place)
        if found is None:
            found = known[place] = _written(node, before, after)
        return found


def _plain(text: str) -> bool:
    return len(text) <= _LONGEST_PLAIN and _PLAIN.fullmatch(text) is not None and text not in _NOT_STRINGS


def _written(node: Any, before: str, after: str) -> str:
    """The text the dumper writes for the one scalar of ``node`` between ``before`` and ``after``."""
    text = yaml.dump(node, **_OPTIONS)
    middle = text[len(before):len(text) - len(after)]
    # Over several lines (a line break, or U+2028 and the like, which libyaml writes as breaks): the indent of
    # the lines after the first depends on the place, so the dumper writes the whole document.
    if not (text.startswith(before) and text.endswith(after)) or len(middle.splitlines()) != 1:
        raise _Unusual
    return middle
