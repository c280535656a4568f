"""Read YAML and JSON manifests into plain Python data, keeping the line of every key and item.

Safety rules (all tested): only the YAML core types are constructed (no Python or custom tags, no
timestamps, no binary), duplicate keys are rejected as cfn-lint does, alias references and nesting
depth are bounded, and every syntax error becomes an InputError naming file and line.
Uses libyaml's C parser when present; the constructor (ours) stays in Python either way.
"""

from __future__ import annotations

import os
import stat
import re
from operator import indexOf, is_
import sys
from array import array
from sys import intern
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from converter import yaml_tree
from converter.document_checks import REDACTED, check_identity, redact_secret  # noqa: F401 (REDACTED: for callers)
from converter.errors import InputError
from converter.yaml_cfn import CFN_SHORT_TAGS, long_form_intrinsics
from converter.limits import limit_value
from converter.yaml_bounds import bound_problem
from converter.yaml_parts import split_stream
from converter.yaml_limits import (LIBYAML_PARSER, MAX_ALIAS_REFERENCES, MAX_DEPTH, MAX_EXPANDED_NODES,  # noqa: F401
                                   is_nesting_limit_error, shape_problem, too_deep_line)

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = limit_value("input-file-bytes")
_SCANNED_KEYS = yaml_tree.SCANNED_KEYS  # up to this many keys, a mapping's key lines are an array looked up by position

# id() of each mapping and list of a file -> the line of each of its keys or items: an array in key or
# item order, or a dict from key to line (mappings with merged or many keys).
LineTable = dict[int, "array[int] | dict[Any, int]"]

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
                raise _LimitError(node, f"more than {MAX_ALIAS_REFERENCES} alias references (YAML alias bomb?)")
        elif node.tag not in _CORE_TAGS and not (isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:merge"):
            raise _LimitError(node, f"YAML tag {node.tag!r} is not allowed in a manifest")
        if node.__class__ is ScalarNode and node.tag != _STR:
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, KeyError, IndexError):
                # An explicit tag on a value that is not of its type (`!!int limits`, `!!bool maybe`):
                # PyYAML's constructors raise bare errors. The value is not quoted: it may be a secret.
                raise _LimitError(node, f"the value is not a valid {node.tag.rsplit(':', 1)[-1]} (explicit YAML tag)") from None
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
                raise _LimitError(key_node, "a mapping key must be a plain value")
            else:
                key = _string_key(construct(key_node), key_node)
            if key.__class__ is str:
                key = intern(key)  # one object per distinct key name: a manifest repeats a few names a lot
            if key in key_lines:
                if not self.keep_last:
                    raise _LimitError(key_node, f"duplicate key {key!r} (first at line {key_lines[key]})")
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
                        raise _LimitError(key_node, "a mapping key must be a plain value")
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
    raise _LimitError(node, f"mapping key {shown!r} reads as {kind}, not a string; quote it")


_LineConstructor.add_constructor("tag:yaml.org,2002:map", _LineConstructor.construct_yaml_map)
_LineConstructor.add_constructor("tag:yaml.org,2002:seq", _LineConstructor.construct_yaml_seq)


class _LimitError(Exception):
    def __init__(self, node: Any, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1


if _Parser is not None:

    class _Loader(_Parser, _LineConstructor, _CoreResolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: Any) -> None:
            _Parser.__init__(self, stream)
            _LineConstructor.__init__(self)
            _CoreResolver.__init__(self)

else:  # pragma: no cover - pure-Python PyYAML

    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _LineConstructor, _CoreResolver):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _LineConstructor.__init__(self)
            _CoreResolver.__init__(self)


@dataclass(frozen=True)
class Document:
    """One YAML document (or one item of a ``kind: List``), with its lines.

    ``prefix`` is the JSON Pointer path of ``data`` inside the document as written in the file
    (empty for a top-level document, ``("items", 3)`` for a List item). ``plain_keys``: every key of
    every mapping is a string (as parse_text reads every key: _string_key), so no path into it has a step
    that equals another of a different type (True and 1, 1.0 and 1).
    """

    file: str
    index: int
    data: Any
    line: int
    line_table: LineTable = field(repr=False, compare=False)
    prefix: tuple[Any, ...] = ()
    plain_keys: bool = field(default=False, compare=False)
    # keep_last: each duplicate key, as (path of its mapping relative to data, key, first line, line kept)
    duplicates: tuple[tuple[tuple[Any, ...], str, int, int], ...] = field(default=(), compare=False)

    def line_of(self, path: Iterable[Any]) -> int:
        """The line of the deepest node on ``path`` (relative to ``data``) that exists."""
        node = self.data
        line = self.line
        table = self.line_table
        for step in path:
            lines = table.get(id(node))
            if lines is None:
                break
            found = _line_in(lines, node, step)
            if found is not None:
                line = found
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        return line

    def child(self, path: tuple[Any, ...], data: Any) -> "Document":
        return Document(self.file, self.index, data, self.line_of(path), self.line_table, self.prefix + path,
                        self.plain_keys)

    def line_in(self, container: Any, step: Any) -> int | None:
        """The line of ``step`` in ``container`` (a mapping or list of this document), or None when it is
        not there: line_of's last step, for a caller that already holds the container."""
        lines = self.line_table.get(id(container))
        return None if lines is None else _line_in(lines, container, step)


def _line_in(lines: Any, container: Any, step: Any) -> int | None:
    """The line of ``step`` in ``container`` from its entry of the line table, or None when it is not there."""
    if lines.__class__ is dict:
        return lines.get(step)
    if isinstance(container, dict):
        try:  # a short mapping: its lines are in key order
            return lines[indexOf(container, step)]
        except ValueError:
            return None
    if step.__class__ is int and 0 <= step < len(lines):
        return lines[step]
    index = _list_index(step, len(lines))
    return None if index is None else lines[index]


def _list_index(step: Any, length: int) -> int | None:
    """The list index ``step`` stands for, as a dict keyed by 0..length-1 would find it (True is 1)."""
    if step.__class__ is not int:
        try:
            index = int(step)
        except (TypeError, ValueError, OverflowError):
            return None
        if index != step:
            return None
        step = index
    return step if 0 <= step < length else None


def pointer(path: Iterable[Any]) -> str:
    """JSON Pointer (RFC 6901) for a path of keys and indexes."""
    parts = [str(step) for step in path]
    if not parts:
        return ""
    text = "/".join(parts)
    # Escaping is needed only when a step holds "~" or "/", which is rare: then every step is escaped.
    if "~" in text or text.count("/") >= len(parts):
        text = "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + text


def parse_text(text: str, file: str, *, cfn_tags: bool = False, first_line: int = 1,
               first_index: int = 0, isolate: bool = False, keep_last: bool | None = None) -> list[Any]:
    """Every non-empty document of a YAML or JSON text; a ``kind: List`` is expanded into its items.

    ``cfn_tags``: read CloudFormation short-form intrinsics (``!Ref x``) as their long form (``{"Ref": x}``).
    ``first_line``, ``first_index``: where ``text`` starts in its file, when it is one part of it
    (:func:`split_stream`); the lines of what parses are then the file's lines. Errors in a part are
    for the caller to notice (converter.deferred makes each an Unreadable, as read_text does).
    ``isolate`` (Kubernetes input, through :func:`read_text`): a document that cannot be built is an
    :class:`Unreadable` in the list rather than an error for the whole text, a duplicate key keeps its
    last value (``Document.duplicates``), and a string holding NUL makes its document Unreadable.
    A syntax error still raises: the parser cannot go on past it (read_text cuts the text instead).
    """
    deep = too_deep_line(text)
    if deep is not None:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels", file=file, line=deep + first_line - 1)
    loader = _Loader(text)
    loader.first_line = first_line
    loader.keep_last = isolate if keep_last is None else keep_last
    documents: list[Any] = []
    # Where the text has no "&", no document has an anchor; in an ASCII text (its marks are then
    # offsets into it) each document's own span is searched instead (a "&" in a URL elsewhere).
    anchors_anywhere = "&" in text
    by_span = anchors_anywhere and text.isascii()
    nul_escapes = isolate and _NUL_ESCAPE.search(text) is not None
    try:
        index = first_index
        previous_end = 0
        while loader.check_node():
            node = loader.get_node()
            start, end = node.start_mark.index, node.end_mark.index
            no_anchor = not anchors_anywhere or (by_span and text.find("&", previous_end, end + 1) < 0)
            previous_end = end
            line = node.start_mark.line + first_line
            try:
                data = _construct_document(loader, node, directly=no_anchor, cfn_tags=cfn_tags)
                if data is not None:
                    built = Document(file, index, data, line, loader.line_table, plain_keys=True,
                                     duplicates=_duplicates(data, loader.duplicates))
                    for document in _expand(built, ecs=cfn_tags):
                        check_identity(document)
                        redact_secret(document.data)
                        if nul_escapes:
                            _check_no_nul(document)
                        documents.append(document)
            except (_LimitError, InputError) as err:
                if not isolate:
                    raise
                error = err if isinstance(err, InputError) else InputError(str(err), file=file, line=err.line + first_line - 1)
                documents.append(Unreadable(error, index=index, guess=guess_resource(text[start:end])))
                _reset_constructor(loader)
            loader.line_table = {}  # a table per document, so each is freed with its document
            loader.duplicates = []
            index += 1
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        at_end = err.problem_mark is not None and err.problem_mark.index >= len(text.rstrip())
        if err.context_mark is not None and (at_end or "end of stream" in (err.problem or "")):
            mark = err.context_mark  # point at the quote or bracket left open, not past the last line
        lines = text.splitlines()
        line = None if mark is None else min(mark.line, max(len(lines) - 1, 0))
        # libyaml >= 0.2.6 has a nesting limit of its own: its words must not reach the user in place of ours.
        message = f"nesting deeper than {MAX_DEPTH} levels" if is_nesting_limit_error(err) else _yaml_message(err)
        if line is not None and line < len(lines) and "\t" in lines[line][:len(lines[line]) - len(lines[line].lstrip())]:
            message += " (the line is indented with a tab; YAML indents with spaces)"
        raise InputError(message, file=file, line=None if line is None else line + first_line) from None
    except yaml.YAMLError as err:
        raise InputError(f"not valid YAML: {err}".splitlines()[0], file=file) from None
    except _LimitError as err:
        raise InputError(str(err), file=file, line=err.line + first_line - 1) from None
    except RecursionError:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels", file=file) from None
    except ValueError as err:
        if not _INT_TOO_LONG.search(str(err)):
            raise
        digits = sys.get_int_max_str_digits()
        found = re.search(r"\d{%d,}" % (digits + 1), text)
        line = None if found is None else text.count("\n", 0, found.start()) + first_line
        raise InputError(f"an integer of more than {digits} digits; no field holds one", file=file, line=line) from None
    finally:
        loader.dispose()
    return documents


# Python's bound on the digits of an int read from text (int_max_str_digits): past it int() raises
# ValueError, which is an input's problem, not a bug.
_INT_TOO_LONG = re.compile(r"^Exceeds the limit \(\d+ digits\) for integer string conversion")
@dataclass(frozen=True)
class Unreadable:
    """A document, or a whole file, that could not be read (syntax, limits, not a mapping, NUL): with
    isolation it becomes one error finding in the report (K2E-E030) and the rest of the run converts."""

    error: InputError
    index: int | None = None  # the document's number in its file; None: the whole file
    guess: str | None = None  # "Kind/name", when the text shows them

    @property
    def file(self) -> str:
        return self.error.file or "<input>"


_GUESS_KIND = re.compile(r"^kind:[ \t]*[\'\"]?([A-Za-z][A-Za-z0-9]*)", re.M)
# An indented line is one blank or tab, then the rest: it splits one way. "[ \t]+.*\r?\n" split k leading blanks
# k ways, so n indented lines with no name under them were tried k^n ways (tests/test_regex_bounds.py).
_GUESS_NAME = re.compile(r"^metadata:[ \t]*\r?\n(?:[ \t][^\n]*\n)*?[ \t]+name:[ \t]*[\'\"]?([A-Za-z0-9][-A-Za-z0-9_.]*)", re.M)


def guess_resource(text: str) -> str | None:
    """"Kind/name" of a document that did not parse, from its top-level kind: and metadata.name lines."""
    kind = _GUESS_KIND.search(text)
    if kind is None:
        return None
    name = _GUESS_NAME.search(text)
    return f"{kind.group(1)}/{name.group(1) if name is not None else '(unnamed)'}"


def read_text(text: str, file: str, *, cfn_tags: bool = False) -> list[Any]:
    """parse_text(isolate=True), and where the text has a syntax error, each of its documents read alone
    (converter.yaml_parts cuts it at its markers): the error costs the document it is in, which becomes
    an :class:`Unreadable`. A text that cannot be cut is one Unreadable when it does not parse.
    ``cfn_tags`` (ECS input): CloudFormation's short-form tags, and duplicate keys refused (as cfn-lint does)."""
    keep_last = not cfn_tags
    try:
        return parse_text(text, file, isolate=True, cfn_tags=cfn_tags, keep_last=keep_last)
    except InputError as whole:
        parts = split_stream(text)
        if len(parts) <= 1:
            return [Unreadable(whole, index=0 if parts else None, guess=guess_resource(text))]
    documents: list[Any] = []
    for part in parts:
        piece = text[part.start:part.end]
        try:
            documents.extend(parse_text(piece, file, first_line=part.first_line, first_index=part.first_index,
                                        isolate=True, cfn_tags=cfn_tags, keep_last=keep_last))
        except InputError as err:
            documents.append(Unreadable(err, index=part.first_index, guess=guess_resource(piece)))
    return documents


def _reset_constructor(loader: Any) -> None:
    """What SafeConstructor.construct_document resets, after a document whose construction failed."""
    loader.constructed_objects = {}
    loader.recursive_objects = {}
    loader.state_generators = []
    loader.deep_construct = False


def _duplicates(data: Any, found: list[tuple[dict[Any, Any], Any, int, int]]) -> tuple:
    """keep_last's duplicate keys of one document, each with the path of its mapping in ``data``."""
    if not found:
        return ()
    paths: dict[int, tuple[Any, ...]] = {}
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            paths.setdefault(id(node), path)
            stack.extend((value, path + (key,)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, path + (position,)) for position, value in enumerate(node))
    return tuple((paths[id(mapping)], key, first, line) for mapping, key, first, line in found if id(mapping) in paths)


# A NUL can reach a string only through an escape of a double-quoted scalar (a NUL byte in the text
# is refused with the file: decode_source); \0, \x00, \u0000 and \U00000000 are YAML's spellings.
_NUL_ESCAPE = re.compile(r"\\(?:0|x00|u0000|U00000000)")


def _check_no_nul(document: Document) -> None:
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document.data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and "\x00" in key:
                    stack.append((key, path))
                stack.append((value, path + (key,)))
        elif isinstance(node, list):
            stack.extend((value, path + (position,)) for position, value in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            raise InputError(f"{pointer(document.prefix + path) or '/'}: a string holds the NUL character (U+0000), "
                             "which no container runtime, Kubernetes field or ECS field carries",
                             file=document.file, line=document.line_of(path))


def _construct_document(loader: Any, node: Any, *, directly: bool, cfn_tags: bool) -> Any:
    """The document's data, built by converter.yaml_tree when ``directly`` (no anchor) and it can.

    The limits are checked before the constructor runs (shape_problem). Without an anchor, nothing
    expands and the builder gives up where the depth limit could be passed, so it needs no check first;
    nor is there an alias to expand when the constructor builds it (shape_problem's ``aliases``)."""
    if directly:
        try:
            return yaml_tree.build(node, loader, loader.first_line, loader.line_table,
                                   CFN_SHORT_TAGS if cfn_tags else yaml_tree.NO_TAGS)
        except yaml_tree.Unusual:
            loader.line_table = {}  # what it had recorded, for objects now gone
    problem = shape_problem(node, aliases=not directly)
    if problem is not None:
        raise _LimitError(node, problem)
    if cfn_tags:
        node = long_form_intrinsics(node)
    return loader.construct_document(node)


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


def _expand(document: Document, ecs: bool = False) -> Iterator[Document]:
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
            yield from _expand(child)  # a List in a List is flattened too (cli-runtime pkg/resource/visitor.go, FlattenListVisitor)
        return
    yield document


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
def _yaml_message(err: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (err.context, err.problem) if part]
    text = "; ".join(parts) or "not valid YAML"
    return "not valid YAML: " + _CONTROL.sub("?", " ".join(text.split()))


def read_source(path: str) -> tuple[str, str]:
    """Return ``(display name, text)`` for a path or ``-`` (stdin); the text must be UTF-8."""
    if path == "-":
        raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        name = "<stdin>"
    else:
        name = path
        try:
            raw = read_bounded(path, name)
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror or err}", file=name) from None
    return name, decode_source(raw, name)


def read_bounded(path: str, name: str) -> bytes:
    """At most MAX_FILE_BYTES of ``path``. The size a file reports is not a bound: it is 0 for /dev/zero,
    a FIFO or a procfs file, which read on without end, so the read itself stops one byte past the limit."""
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > MAX_FILE_BYTES:
            raise InputError(f"file is {status.st_size} bytes, over the {MAX_FILE_BYTES}-byte limit", file=name)
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"file is over the {MAX_FILE_BYTES}-byte limit", file=name)
    return raw


def decode_source(raw: bytes, name: str) -> str:
    """The text of a manifest's bytes: at most MAX_FILE_BYTES, UTF-8 (a BOM is dropped), no NUL byte."""
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"input is over the {MAX_FILE_BYTES}-byte limit", file=name)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[err.start]:02x})", file=name, line=line) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("binary data (NUL byte) in a manifest", file=name, line=line)
    problem = bound_problem(text)
    if problem is not None:
        raise InputError(problem[0], file=name, line=problem[1])
    return text


def expand_paths(paths: Iterable[str], skipped: list[str] | None = None) -> list[str]:
    """Files as given, directories walked recursively (sorted, manifest suffixes only), ``-`` kept.
    A file of a walk that is not a regular file (nor a link to one) is left out, and added to ``skipped``."""
    result: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = [
                os.path.join(root, name)
                for root, dirs, files in os.walk(path)
                for name in files
                if name.lower().endswith(MANIFEST_SUFFIXES)
            ]
            for file in sorted(found):
                if is_regular_file(file):
                    result.append(file)
                elif skipped is not None:
                    skipped.append(file)
        elif path == "-" or os.path.exists(path):
            result.append(path)
        else:
            raise InputError("no such file or directory", file=path)
    return result


def is_regular_file(path: str) -> bool:
    """Whether a file found in a folder is one to read: a regular file, or a link to one. A FIFO would
    wait for a writer forever, and a device or a link to one (/dev/zero) reads on without end; a walk
    skips them (a path named on the command line is read as given, bounded: `<(kustomize build)`)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # a dangling link: read_source reports it with its name


def load_paths(paths: Iterable[str], *, cfn_tags: bool = False, skipped: list[str] | None = None) -> list[Document]:
    documents: list[Document] = []
    for path in expand_paths(paths, skipped):
        name, text = read_source(path)
        documents.extend(parse_text(text, name, cfn_tags=cfn_tags))
    return documents
