"""Read YAML and JSON manifests into Documents: plain Python data, keeping the line of every key and item.

Safety rules (all tested): only the YAML core types are constructed (converter.load.yaml_line_loader: no Python
or custom tags, no timestamps, no binary), duplicate keys are rejected as cfn-lint does, alias references and
nesting depth are bounded, and every syntax error becomes an InputError naming file and line.
Files are found, read and decoded by converter.load.source_files; a Document is converter.core.document's.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Iterable

import yaml

from converter.load import yaml_tree
from converter.core.document import Document, Unreadable, guess_resource, pointer
from converter.load.document_checks import check_identity, redact_secret
from converter.load.document_expansion import expand_document
from converter.core.errors import InputError
from converter.load.json_lines import read_json
from converter.load.yaml_cfn import CFN_SHORT_TAGS, long_form_intrinsics
from converter.load.yaml_line_loader import LimitError, LineLoader
from converter.load.yaml_resources import build_by_resources
from converter.load.source_files import expand_paths, read_source
from converter.load.yaml_parts import split_stream
from converter.load.yaml_limits import MAX_DEPTH, is_nesting_limit_error, shape_problem, too_deep_line


def parse_text(text: str, file: str, *, cfn_tags: bool = False, first_line: int = 1,
               first_index: int = 0, isolate: bool = False, keep_last: bool | None = None) -> list[Any]:
    """Every non-empty document of a YAML or JSON text; a ``kind: List`` is expanded into its items.

    ``cfn_tags``: read CloudFormation short-form intrinsics (``!Ref x``) as their long form (``{"Ref": x}``).
    ``first_line``, ``first_index``: where ``text`` starts in its file, when it is one part of it
    (:func:`split_stream`); the lines of what parses are then the file's lines. Errors in a part are
    for the caller to notice (converter.pipeline.deferred makes each an Unreadable, as read_text does).
    ``isolate`` (Kubernetes input, through :func:`read_text`): a document that cannot be built is an
    :class:`Unreadable` in the list rather than an error for the whole text, a duplicate key keeps its
    last value (``Document.duplicates``), and a string holding NUL makes its document Unreadable.
    A syntax error still raises: the parser cannot go on past it (read_text cuts the text instead).
    """
    nul_escapes = isolate and _NUL_ESCAPE.search(text) is not None
    if text[:1] in _JSON_OPENING:
        plain = read_json(text, first_line)
        if plain is not None:
            return _json_document(text, file, plain, first_index, cfn_tags=cfn_tags, isolate=isolate,
                                  nul_escapes=nul_escapes)
    deep = too_deep_line(text)
    if deep is not None:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels", file=file, line=deep + first_line - 1)
    if cfn_tags:  # a large CloudFormation template: built a few resources at a time (converter.load.yaml_resources)
        built = build_by_resources(text, first_line, CFN_SHORT_TAGS)
        if built is not None:
            data, line, line_table = built
            try:
                return _admitted(Document(file, first_index, data, line, line_table, plain_keys=True), cfn_tags=cfn_tags,
                                 nul_escapes=nul_escapes)
            except InputError:
                pass  # read whole below, which reports it as it always has
    loader = LineLoader(text)
    loader.first_line = first_line
    loader.keep_last = isolate if keep_last is None else keep_last
    documents: list[Any] = []
    # Where the text has no "&", no document has an anchor; in an ASCII text (its marks are then
    # offsets into it) each document's own span is searched instead (a "&" in a URL elsewhere).
    anchors_anywhere = "&" in text
    by_span = anchors_anywhere and text.isascii()
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
                    documents.extend(_admitted(built, cfn_tags=cfn_tags, nul_escapes=nul_escapes))
            except (LimitError, InputError) as err:
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
    except LimitError as err:
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


def _admitted(built: Document, *, cfn_tags: bool, nul_escapes: bool) -> list[Document]:
    """The documents of one that was read (a ``kind: List`` expanded), checked."""
    documents = []
    for document in expand_document(built, ecs=cfn_tags):
        check_identity(document)
        redact_secret(document.data)
        if nul_escapes:
            _check_no_nul(document)
        documents.append(document)
    return documents


# Where a JSON object may start: the text's first character is "{" or a blank (json_lines checks the rest).
_JSON_OPENING = frozenset("{ \n\r")


def _json_document(text: str, file: str, plain: tuple[Any, int, Any], index: int, *, cfn_tags: bool,
                   isolate: bool, nul_escapes: bool) -> list[Any]:
    """parse_text's documents of a text converter.load.json_lines read (one JSON object), as the YAML way gives them."""
    data, line, line_table = plain
    try:
        return _admitted(Document(file, index, data, line, line_table, plain_keys=True), cfn_tags=cfn_tags,
                         nul_escapes=nul_escapes)
    except InputError as err:
        if not isolate:
            raise
        return [Unreadable(err, index=index, guess=guess_resource(text))]


# Python's bound on the digits of an int read from text (int_max_str_digits): past it int() raises
# ValueError, which is an input's problem, not a bug.
_INT_TOO_LONG = re.compile(r"^Exceeds the limit \(\d+ digits\) for integer string conversion")


def read_text(text: str, file: str, *, cfn_tags: bool = False) -> list[Any]:
    """parse_text(isolate=True), and where the text has a syntax error, each of its documents read alone
    (converter.load.yaml_parts cuts it at its markers): the error costs the document it is in, which becomes
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
    """The document's data, built by converter.load.yaml_tree when ``directly`` (no anchor) and it can.

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
        raise LimitError(node, problem)
    if cfn_tags:
        node = long_form_intrinsics(node)
    return loader.construct_document(node)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
def _yaml_message(err: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (err.context, err.problem) if part]
    text = "; ".join(parts) or "not valid YAML"
    return "not valid YAML: " + _CONTROL.sub("?", " ".join(text.split()))



def load_paths(paths: Iterable[str], *, cfn_tags: bool = False, skipped: list[str] | None = None,
               texts: dict[str, str] | None = None) -> list[Document]:
    """The documents of every file; ``texts``, when given, receives each file's text by its display name
    (compare shows each source document from it, converter/compare/source_text.py)."""
    documents: list[Document] = []
    for path in expand_paths(paths, skipped):
        name, text = read_source(path)
        if texts is not None:
            texts[name] = text
        documents.extend(parse_text(text, name, cfn_tags=cfn_tags))
    return documents
