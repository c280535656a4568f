"""The PyYAML loader k2ecs reads every manifest with: the YAML core types only, the line of every key and item.

Only the YAML core types are constructed (no Python or custom tags, no timestamps, no binary, no base-60
numbers), a mapping key is read as Kubernetes reads it (a string), duplicate keys are refused or kept last,
and alias references are bounded. Uses libyaml's C parser when present; the constructor (ours) stays in
Python either way. converter.load.loader drives it (parse_text) and turns its errors into InputErrors.
"""

from __future__ import annotations

import re
from operator import is_
from array import array
from sys import intern
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from converter.load import yaml_tree
from converter.core.document import LineTable
from converter.load.yaml_limits import LIBYAML_PARSER, MAX_ALIAS_REFERENCES

_SCANNED_KEYS = yaml_tree.SCANNED_KEYS  # up to this many keys, a mapping's key lines are an array looked up by position

_CORE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_Parser = LIBYAML_PARSER


class _CoreResolver(Resolver):
    """The YAML 1.1 resolver without timestamps: Kubernetes reads 2024-01-01 as a string."""

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        # BaseResolver.resolve, which libyaml's parser calls for every node (no path resolvers are
        # registered), with each first character's resolvers joined to the wildcard ones once instead of
        # on every call, and the tags of the short plain scalars met lately remembered: a manifest repeats a few
        # key names and values a lot (this was 10%, then 5% of loading).
        if kind is ScalarNode:
            if implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = _plain_tag(value)
                    if len(value) <= 40:
                        if len(_PLAIN_TAGS) >= _PLAIN_TAGS_KEPT:
                            _PLAIN_TAGS.clear()  # start again, so that what repeats now is found (names fill it)
                        _PLAIN_TAGS[value] = tag
                return tag
            return _STR
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        return None

    # The composer calls these around every node; they do something only for path resolvers, which k2ecs
    # never registers. C no-ops that take the same arguments spare a Python call each (3% of loading).
    descend_resolver = staticmethod(is_)  # (parent, index)
    ascend_resolver = staticmethod(tuple)  # ()


def _without_base_60(tag: str, regexp: Any) -> Any:
    """YAML 1.1's int and float patterns without their base-60 forms (``1:30`` is 90 to PyYAML): kubectl's
    decoder (sigs.k8s.io/yaml over go-yaml, which has no base 60) reads ``1:30`` as the string "1:30", so
    ``replicas: 1:30`` is refused as a string where an integer belongs, and ``TIME: 1:30`` stays "1:30"."""
    if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return regexp
    pattern = regexp.pattern
    for base_60 in (r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+", r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"):
        pattern = pattern.replace(base_60, "")
    assert "(?::" not in pattern, "PyYAML's resolver patterns changed: update _without_base_60"
    return re.compile(pattern, re.X)


_CoreResolver.yaml_implicit_resolvers = {
    first: [(tag, _without_base_60(tag, regexp)) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
_WILDCARD_RESOLVERS = tuple(_CoreResolver.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS_BY_FIRST = {first: tuple(resolvers) + _WILDCARD_RESOLVERS
                       for first, resolvers in _CoreResolver.yaml_implicit_resolvers.items() if first is not None}
_PLAIN_TAGS: dict[str, str] = {}  # plain scalar -> its tag, for the values met lately (a bounded cache)
_PLAIN_TAGS_KEPT = 8192


def _plain_tag(value: str) -> str:
    for tag, regexp in _RESOLVERS_BY_FIRST.get(value[:1], _WILDCARD_RESOLVERS):
        if regexp.match(value):
            return tag
    return _STR


class _LineConstructor(SafeConstructor):
    def __init__(self) -> None:
        super().__init__()
        self.line_table: LineTable = {}
        self.alias_references = 0
        self.first_line = 1  # the file line of the text's first line (a part of a file: split_stream)
        # Kubernetes input: a duplicate key keeps its last value, as kubectl's non-strict decoder does
        # (parse_text's keep_last); each is recorded here, (mapping, key, first line, line), for a finding.
        self.keep_last = False
        self.duplicates: list[tuple[dict[Any, Any], Any, int, int]] = []

    def construct_object(self, node, deep=False):  # type: ignore[override]
        if node in self.constructed_objects:
            self.alias_references += 1
            if self.alias_references > MAX_ALIAS_REFERENCES:
                raise LimitError(node, f"more than {MAX_ALIAS_REFERENCES} alias references (YAML alias bomb?)")
        elif node.tag not in _CORE_TAGS and not (isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:merge"):
            raise LimitError(node, f"YAML tag {node.tag!r} is not allowed in a manifest")
        if node.__class__ is ScalarNode and node.tag != _STR:
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, KeyError, IndexError):
                # An explicit tag on a value that is not of its type (`!!int limits`, `!!bool maybe`):
                # PyYAML's constructors raise bare errors. The value is not quoted: it may be a secret.
                raise LimitError(node, f"the value is not a valid {node.tag.rsplit(':', 1)[-1]} (explicit YAML tag)") from None
        return super().construct_object(node, deep=deep)

    def _construct(self, node: Any) -> Any:
        """construct_object, with its outcome for a plain string (most of any manifest) computed inline."""
        if node.__class__ is ScalarNode and node.tag == _STR and node not in self.constructed_objects:
            value = self.constructed_objects[node] = node.value
            return value
        return self.construct_object(node)

    def construct_yaml_map(self, node: MappingNode):  # type: ignore[override]
        data: dict[Any, Any] = {}
        yield data
        key_lines: dict[Any, int] = {}  # also the duplicate check: key -> line of its first occurrence
        keys: list[Any] = []  # the keys written here, in order, each constructed once
        merge = False
        construct = self._construct
        constructed = self.constructed_objects
        first_line = self.first_line
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                merge = True
                continue
            if key_node.__class__ is ScalarNode and key_node.tag == _STR and key_node not in constructed:
                key = constructed[key_node] = key_node.value  # _construct's plain-string case, inline (hot)
            elif not isinstance(key_node, ScalarNode):
                raise LimitError(key_node, "a mapping key must be a plain value")
            else:
                key = _string_key(construct(key_node), key_node)
            if key.__class__ is str:
                key = intern(key)  # one object per distinct key name: a manifest repeats a few names a lot
            if key in key_lines:
                if not self.keep_last:
                    raise LimitError(key_node, f"duplicate key {key!r} (first at line {key_lines[key]})")
                self.duplicates.append((data, key, key_lines[key], key_node.start_mark.line + first_line))
            key_lines[key] = key_node.start_mark.line + first_line  # a repeated key: the line of the value kept
            keys.append(key)
        # What SafeConstructor.construct_mapping does, except that the keys written here are not
        # constructed a second time: that counted every key as an alias reference, so any file with
        # more than MAX_ALIAS_REFERENCES keys in all was rejected as an alias bomb. Keys brought in by
        # a merge (<<) come from an anchor and still count.
        if not merge:
            for key, (_, value_node) in zip(keys, node.value):
                if value_node.__class__ is ScalarNode and value_node.tag == _STR and value_node not in constructed:
                    data[key] = constructed[value_node] = value_node.value  # as for keys above
                else:
                    data[key] = construct(value_node)
        else:
            explicit = dict(zip((k for k, _ in node.value if k.tag != _MERGE), keys))
            self.flatten_mapping(node)
            for key_node, value_node in node.value:
                if key_node in explicit:
                    key = explicit[key_node]
                else:
                    if not isinstance(key_node, ScalarNode):
                        raise LimitError(key_node, "a mapping key must be a plain value")
                    key = _string_key(self.construct_object(key_node), key_node)
                data[key] = self.construct_object(value_node)
        # Lines are kept for every mapping and list of every document, so they are kept compactly: an
        # array in key order (a dict of ints was two thirds of a loaded bundle's memory). A dict is
        # kept where a lookup by position would be wrong (merged keys) or slow (long mappings).
        self.line_table[id(data)] = (key_lines if merge or len(key_lines) > _SCANNED_KEYS
                                     else array("I", key_lines.values()))

    def construct_yaml_seq(self, node: SequenceNode):  # type: ignore[override]
        data: list[Any] = []
        yield data
        construct = self._construct
        data.extend([construct(item) for item in node.value])
        first_line = self.first_line
        self.line_table[id(data)] = array("I", [item.start_mark.line + first_line for item in node.value])


def _string_key(key: Any, node: Any) -> str:
    """A mapping key as Kubernetes reads it. kubectl and the API server turn YAML into JSON, whose keys are
    strings: sigs.k8s.io/yaml writes an integer key in decimal (``9000:`` in a ConfigMap is "9000") and a
    boolean one as true or false. A float or null key has no one spelling there, so it is refused."""
    if key.__class__ is str:
        return key
    if key is True or key is False:
        return "true" if key else "false"
    if key.__class__ is int:
        return str(key)
    kind = "null" if key is None else f"a {type(key).__name__}"
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    raise LimitError(node, f"mapping key {shown!r} reads as {kind}, not a string; quote it")


_LineConstructor.add_constructor("tag:yaml.org,2002:map", _LineConstructor.construct_yaml_map)
_LineConstructor.add_constructor("tag:yaml.org,2002:seq", _LineConstructor.construct_yaml_seq)


class LimitError(Exception):
    def __init__(self, node: Any, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1


if _Parser is not None:

    class LineLoader(_Parser, _LineConstructor, _CoreResolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: Any) -> None:
            _Parser.__init__(self, stream)
            _LineConstructor.__init__(self)
            _CoreResolver.__init__(self)

else:  # pragma: no cover - pure-Python PyYAML

    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class LineLoader(Reader, Scanner, Parser, Composer, _LineConstructor, _CoreResolver):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _LineConstructor.__init__(self)
            _CoreResolver.__init__(self)
