"""Plain data from a composed YAML document, built directly: the common case of converter.load.loader.

PyYAML's constructor goes through a generator per mapping and list and a table of every node it has
built, because a node may be reached twice (an alias) or contain itself. A document with no anchor
has neither, so it is built here by one recursive function instead, about twice as fast. Anything
this function does not build the very way loader._LineConstructor would (anchors, merge keys, tags
other than the plain core ones, keys that are not strings, duplicate keys, a scalar that does not
read as its tag, items deeper than the loader's depth limit) makes it give up with :class:`Unusual`, and the loader's constructor builds the
document instead, reporting any error with its line. tests/test_yaml_tree.py compares the two.

CloudFormation's short-form tags (``!Ref x``, ECS input) are built here too, as the one-key mapping
converter.load.yaml_cfn.long_form_intrinsics makes of them for the constructor (``{"Ref": "x"}``, its key on
the tag's line): a template then costs one walk, not a limit walk, a rewrite walk and the constructor's.
"""

from __future__ import annotations

from array import array
from sys import intern
from types import MappingProxyType
from typing import Any, Mapping

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from converter.core.document import packed_lines
from converter.load.yaml_limits import MAX_DEPTH

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"
_SCALAR_TAGS = frozenset("tag:yaml.org,2002:" + name for name in ("int", "float", "bool", "null"))
SCANNED_KEYS = 16  # up to this many keys, a mapping's key lines are an array (as loader._SCANNED_KEYS)


class Unusual(Exception):
    """The document has something only the loader's constructor builds: it builds the whole document."""


NO_TAGS: Mapping[str, str] = MappingProxyType({})


def build(root: Any, constructor: Any, first_line: int, line_table: dict[int, Any],
          short_tags: Mapping[str, str] = NO_TAGS, depth: int = 1) -> Any:
    """The data of the document ``root`` with the line of every key and item in ``line_table``, as
    ``constructor.construct_document(root)`` gives them; ``constructor`` reads the non-string scalars.
    The caller knows the document has no anchor (so every node is reached once). ``short_tags``: tag ->
    the long-form key it stands for (converter.load.yaml_cfn.CFN_SHORT_TAGS), built as yaml_cfn rewrites it.
    ``depth``: how deep ``root`` sits in its document (converter.load.yaml_resources builds a template's resources
    in parts, each a mapping two levels down), for the nesting limit."""
    if root.__class__ is ScalarNode and root.tag not in short_tags:
        return _scalar(root, constructor)
    return _container(root, constructor, first_line, line_table, depth, short_tags)


def _scalar(node: ScalarNode, constructor: Any) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _INT:
        text = node.value  # ports, counts, seconds: decimal digits without a leading 0 (which YAML 1.1 reads as octal)
        if text.isascii() and text.isdigit() and (text[0] != "0" or len(text) == 1):
            return int(text)
    if tag not in _SCALAR_TAGS:
        raise Unusual
    try:
        return constructor.yaml_constructors[tag](constructor, node)
    except Exception:  # an explicit tag the value does not fit (`!!int x`): the loader says so, with its line
        raise Unusual from None


def _container(node: Any, constructor: Any, first_line: int, line_table: dict[int, Any], depth: int,
               tags: Mapping[str, str], core: bool = False) -> Any:
    """``core``: read the node as its plain kind whatever its tag (the inside of a short-form tag).

    Every string is interned, keys and values: libyaml makes a new object for each scalar, and the same texts
    recur in every workload (protocols, log drivers, regions, images, Ref targets). A CloudFormation template
    of 1.6 MB held 29,000 string objects of 5,600 texts, 1.5 MB more than one each (issue 24)."""
    if depth >= MAX_DEPTH and node.value:
        raise Unusual  # its items would be deeper than the limit: the loader's check says so, with the line
    cls = node.__class__
    if cls is MappingNode and (core or node.tag == _MAP):
        data: dict[Any, Any] = {}
        lines: list[int] = []
        line_of_key = lines.append
        pairs = node.value
        for key_node, value_node in pairs:
            if key_node.__class__ is not ScalarNode or key_node.tag != _STR:
                raise Unusual  # a merge key (<<), a key of another type, or a mapping as a key
            key = intern(key_node.value)
            if value_node.__class__ is ScalarNode:
                tag = value_node.tag
                if tag == _STR:
                    data[key] = intern(value_node.value)  # one object per text: see _container's docstring
                elif tag not in tags:
                    data[key] = _scalar(value_node, constructor)
                else:
                    data[key] = _container(value_node, constructor, first_line, line_table, depth + 1, tags)
            else:
                data[key] = _container(value_node, constructor, first_line, line_table, depth + 1, tags)
            line_of_key(key_node.start_mark.line + first_line)
        if len(data) != len(pairs):
            raise Unusual  # a duplicate key (one entry for two pairs): the loader names both lines
        line_table[id(data)] = (packed_lines(array("I", lines)) if len(lines) <= SCANNED_KEYS else dict(zip(data, lines)))
        return data
    if cls is SequenceNode and (core or node.tag == _SEQ):
        items: list[Any] = []
        item_of = items.append
        for item in node.value:
            if item.__class__ is ScalarNode:
                tag = item.tag
                if tag == _STR:
                    item_of(intern(item.value))
                elif tag not in tags:
                    item_of(_scalar(item, constructor))
                else:
                    item_of(_container(item, constructor, first_line, line_table, depth + 1, tags))
            else:
                item_of(_container(item, constructor, first_line, line_table, depth + 1, tags))
        line_table[id(items)] = packed_lines(array("I", [item.start_mark.line + first_line for item in node.value]))
        return items
    long = None if core else tags.get(node.tag)
    if long is None:
        raise Unusual
    # A short-form tag: {long: the node read as its plain kind}, a one-key mapping one level deeper, as
    # yaml_cfn.long_form_intrinsics writes it (a scalar inside is a string, whatever it looks like).
    if depth >= MAX_DEPTH:
        raise Unusual
    inner = intern(node.value) if cls is ScalarNode else _container(node, constructor, first_line, line_table, depth + 1, tags, True)
    wrapper = {intern(long): inner}
    line_table[id(wrapper)] = node.start_mark.line + first_line  # packed_lines of its one line
    return wrapper
