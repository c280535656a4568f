"""A JSON text read with the stdlib json parser, with the line of every key and item as the YAML loader gives them.

k2ecs's own stdout document (``convert`` on stdout, read back by ``convert --to k8s``) is one JSON object of
some 20 MB at 10 MB of manifests. Read through the YAML loader (which keeps lines), it was a third of that
path (issue 24). JSON is YAML, so the YAML loader stays the reference: this module gives the same data and
the same line table (converter.core.document.LineTable) as converter.load.yaml_tree.build on the same text,
or None, and then the YAML loader reads the text as before (with its errors, duplicate keys and limits).

The lines: a member (a key of an object, an item of an array) starts at the first character after ``{``,
``[`` or ``,`` (outside strings) that is not a closing bracket, and these starts come in the order of a
pre-order walk of the parsed data. One regex finds them in C, each is turned into its line by the
positions of the line breaks, and one walk of the data gives each container its lines.

What YAML 1.1 (libyaml, PyYAML's resolver) reads differently from JSON is left to the YAML loader:
- a number YAML does not read as one (``1e5``, ``1.5e5``: no dot or no exponent sign) is the string
  YAML reads, and NaN or Infinity, which are plain strings to YAML, send the text back;
- a key on another line than its colon (libyaml's implicit keys are on one line), escaped UTF-16 surrogates (``\\ud83d\\ude00``, which libyaml refuses), characters YAML does not accept
  in a text (C1 controls, U+FFFE, ...) or reads as line breaks (U+0085, U+2028, U+2029, a lone CR), a tab,
  a duplicate key, a key of over 128 characters (YAML's implicit keys have a bound), nesting near the depth
  limit, and a text that is not one JSON object: the YAML loader reads it.
"""

from __future__ import annotations

import json
import re
from array import array
from sys import intern
from typing import Any, Iterator

from converter.core.document import packed_lines
from converter.load.yaml_limits import MAX_DEPTH
from converter.load.yaml_tree import SCANNED_KEYS

# From a member's start (or the text's) up to the next member's: strings whole (a comma in one is no
# separator), everything else but the opening brackets and commas, then one of those and the blanks after
# it; or, after the last member, up to the end (else the search would start again inside a string).
# Possessive: a valid JSON text splits one way only, and nothing is tried twice.
_TO_NEXT_MEMBER = re.compile(r'(?:"(?:[^"\\]++|\\.)*+"|[^"{\[,]++)*+(?:[{\[,][ \n\r]*+|\Z)')
# What the YAML loader must read (see the module's docstring), each searched on its own (one pattern with
# them all tried each at every character: a fifth of reading). json refuses the other control characters.
_NOT_YAML_TEXT = re.compile("[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LONE_CR = re.compile(r"\r(?!\n)")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_KEY_ABOVE_COLON = re.compile(r"\n[ \r]*:")  # in JSON a colon follows a key: this one's is on a line above
# YAML 1.1's float, as converter.load.yaml_line_loader resolves it: a dot, and a sign on the exponent.
_YAML_FLOAT = re.compile(r"-?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?")
_BLANKS = re.compile(r"[ \n\r]*")
_LONGEST_KEY = 128
_DEPTH = MAX_DEPTH - 2  # below the YAML loader's limit by a margin: nearer, the loader says what it says


class _NotPlain(Exception):
    """Something the YAML loader reads its own way: it reads the text."""


def _float(text: str) -> Any:
    # json hands over the text of every number with a fraction or an exponent.
    return float(text) if _YAML_FLOAT.fullmatch(text) else text


def _constant(text: str) -> Any:
    raise _NotPlain  # NaN, Infinity, -Infinity: strings to YAML, not JSON at all


def read_json(text: str, first_line: int = 1) -> tuple[dict[str, Any], int, dict[int, Any]] | None:
    """(data, line of the opening brace, line table) of a text that is one JSON object, as the YAML loader
    reads it, or None when the YAML loader must read the text. ``first_line``: the text's first line in its file."""
    start = _BLANKS.match(text).end()  # type: ignore[union-attr]  (not lstrip: a copy of a large YAML text)
    if text[start:start + 1] != "{" or not _yaml_reads_it_as_json(text):
        return None
    try:
        data = json.loads(text, parse_float=_float, parse_constant=_constant)
    except (ValueError, RecursionError, _NotPlain):  # JSONDecodeError and int's digit bound are ValueErrors
        return None
    if data.__class__ is not dict:
        return None
    first = text.count("\n", 0, start) + first_line
    line_table: dict[int, Any] = {}
    following = _member_lines(text, start, first)
    try:
        _walk(data, following, line_table, 1)
    except (_NotPlain, StopIteration):
        return None
    if next(following, None) is not None:
        return None  # more members in the text than in the data: a duplicate key, which json keeps the last of
    return data, first, line_table


def _yaml_reads_it_as_json(text: str) -> bool:
    """Whether nothing in the text (valid JSON or not) makes the YAML loader read it otherwise than json."""
    if "\t" in text or "\x7f" in text:  # the only characters outside YAML's printable ones json lets through
        return False
    if not text.isascii() and _NOT_YAML_TEXT.search(text) is not None:
        return False
    if "\r" in text and _LONE_CR.search(text) is not None:
        return False
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None:
        return False
    return _KEY_ABOVE_COLON.search(text) is None


def _member_lines(text: str, start: int, line: int) -> Iterator[int]:
    """The line of each member, in the text's order, made as the walk asks for it: the starts come in order, so
    each line is the last one plus the breaks between the two starts. Lists of every start, of every line break
    and of every line (ints each) were most of the memory of reading a large document (issue 24)."""
    last = len(text)
    previous = start
    count = text.count
    for found in _TO_NEXT_MEMBER.finditer(text, start):
        at = found.end()
        # after "{" or "[": an empty container has no member; and the end of the text starts none
        if at < last and text[at] not in "}]":
            line += count("\n", previous, at)
            previous = at
            yield line


def _walk(node: Any, following: Any, line_table: dict[int, Any], depth: int) -> None:
    if depth >= _DEPTH:
        raise _NotPlain
    # Each string value is interned as it is passed (json keeps one object per key text, not per value text):
    # the same texts recur in every workload, and a 2 MB document held 26,700 string objects of 4,000 texts,
    # 1.4 MB more than one each (issue 24). Setting a key's value does not disturb the iteration over items.
    lines = array("I")
    if node.__class__ is dict:
        for key, value in node.items():
            if len(key) > _LONGEST_KEY:
                raise _NotPlain
            lines.append(next(following))
            if value.__class__ is dict or value.__class__ is list:
                _walk(value, following, line_table, depth + 1)
            elif value.__class__ is str:
                node[key] = intern(value)
        line_table[id(node)] = packed_lines(lines) if len(lines) <= SCANNED_KEYS else dict(zip(node, lines))
    else:
        for index, value in enumerate(node):
            lines.append(next(following))
            if value.__class__ is dict or value.__class__ is list:
                _walk(value, following, line_table, depth + 1)
            elif value.__class__ is str:
                node[index] = intern(value)
        line_table[id(node)] = packed_lines(lines)
