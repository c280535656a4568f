"""A large YAML CloudFormation template built a few resources at a time, so its node graph is never whole.

libyaml composes a document into a graph of Python nodes (with two marks each) before anything is built
from it, and a template is one document: for the 16 MB template of the 10 MB bench bundle that graph was
most of `--to k8s`'s peak memory (538 MB resident after loading, 33 times the template; tracemalloc's
peak was 6 times what the built data and its lines take, issue 24). Here the text of the template's
``Resources`` mapping is cut between resources into parts of about PART_BYTES, each part is composed
and built alone, and the text around the mapping is built with the mapping's lines left blank: the data,
the lines and the document's line are the ones the whole text gives (tests/test_yaml_resources.py).
Parts of 32 KB are also built no slower than the whole text (their nodes stay in the CPU's caches; parts
of 128 KB were a tenth slower, the whole text's 400 MB of nodes cost page faults): at 10 MB, 164 MB
resident after loading instead of 538 MB, for about the same CPU time.

A cut is made only before a line indented exactly as the resources' keys that starts a plain key. Such a
line cannot continue a block or plain scalar of the resource before it (their lines are deeper); inside
a quoted scalar or a flow collection that spans lines it would leave the part before it unclosed, which
does not parse. So any part or outer text that does not parse, holds an anchor, a duplicate key or
anything converter.load.yaml_tree does not build, or a text of another shape, gives None, and the caller
reads the whole text as before (and reports what is wrong with it as before).
"""

from __future__ import annotations

import re
from array import array
from typing import Any, Mapping

from converter.core.document import entry_lines
from converter.core.quantity import KIB
from converter.load import yaml_tree
from converter.load.yaml_line_loader import LineLoader

PART_BYTES = 32 * KIB  # see the module docstring
MIN_BYTES = 512 * KIB  # below this the node graph is small: the whole text is read at once
_RESOURCES_LINE = re.compile(r"Resources:[ \t]*(?:#[^\n]*)?\n")  # matched where "Resources:" starts a line
_TOP_LINE = re.compile(r"\n(?=[^ \n#])")  # the end of the line before the next line of the top-level mapping
# A document marker or a directive at the start of a line: the text may hold several documents. Looked for
# with str.find, which skips to the next line break in C: a pattern starting "(?:^|\n)" is tried at every
# position of the text (0.05 s of 1.6 MB).
_NOT_ONE_DOCUMENT = ("\n---", "\n...", "\n%")
_KEY_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def build_by_resources(text: str, first_line: int, short_tags: Mapping[str, str]) -> tuple[Any, int, dict[int, Any]] | None:
    """(data, line of the document, line table) of a one-document template whose ``Resources`` is a block
    mapping, built part by part; None for any other text (or one this way cannot read: the caller reads it whole)."""
    if len(text) < MIN_BYTES or "\r" in text or text.startswith(("\ufeff", "---", "...", "%")) \
            or any(marker in text for marker in _NOT_ONE_DOCUMENT):
        return None
    found = _resources_lines(text)
    if len(found) != 1:
        return None  # no Resources line, or two (a duplicate key, or one inside a multi-line string)
    line = _RESOURCES_LINE.match(text, found[0])
    if line is None:
        return None  # "Resources: {...}" or another value on the line: not a block mapping below it
    start = line.end()
    top = _TOP_LINE.search(text, start - 1)
    end = len(text) if top is None else top.start() + 1
    if end < len(text) and text[end] not in _KEY_START:
        return None
    indent = _key_indent(text, start, end)
    if indent is None:
        return None
    line_table: dict[int, Any] = {}
    try:
        return _built(text, first_line, short_tags, start, end, indent, line_table)
    except Exception:  # noqa: BLE001 - whatever it is, the whole text is read again and reports it
        return None


def _resources_lines(text: str) -> list[int]:
    """Where each line that starts with "Resources:" starts."""
    starts = [0] if text.startswith("Resources:") else []
    at = text.find("\nResources:")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\nResources:", at + 1)
    return starts


def _key_indent(text: str, start: int, end: int) -> int | None:
    """The indentation of the first key of the Resources mapping (text[start:end]), or None if it is not a plain key."""
    position = start
    while position < end:
        line_end = text.find("\n", position, end)
        line_end = end if line_end < 0 else line_end
        line = text[position:line_end]
        content = line.lstrip(" ")
        if content and content[0] != "#":
            indent = len(line) - len(content)
            return indent if indent > 0 and content[0] in _KEY_START else None
        position = line_end + 1
    return None


def _parts(text: str, start: int, end: int, indent: int) -> list[tuple[int, int]]:
    """Cuts of text[start:end] into spans of about PART_BYTES, each before a line of the mapping's own keys."""
    lead = " " * indent
    parts = []
    last = start
    while last + PART_BYTES < end:
        position = text.find("\n", last + PART_BYTES, end)
        while position >= 0 and not (text.startswith(lead, position + 1) and text[position + 1 + indent] not in " #\n"):
            position = text.find("\n", position + 1, end)
        if position < 0:
            break
        if text[position + 1 + indent] not in _KEY_START:
            raise ValueError("a line of the mapping's keys that is not a plain key")  # read whole
        parts.append((last, position + 1))
        last = position + 1
    parts.append((last, end))
    return parts


def _built(text: str, first_line: int, short_tags: Mapping[str, str], start: int, end: int, indent: int,
           line_table: dict[int, Any]) -> tuple[Any, int, dict[int, Any]] | None:
    resources: dict[Any, Any] = {}
    lines: list[int] = []
    line = first_line + text.count("\n", 0, start)  # of the first line of the part
    previous = start
    for part_start, part_end in _parts(text, start, end, indent):
        line += text.count("\n", previous, part_start)
        previous = part_start
        if text.find("&", part_start, part_end) >= 0:
            return None  # an anchor: built whole, by the constructor where it must be
        part = _one(text[part_start:part_end], line, short_tags, line_table, depth=2)
        if part.__class__ is not dict:
            return None
        entry = line_table.pop(id(part))
        lines.extend(entry_lines(entry))
        size = len(resources)
        resources.update(part)
        if len(resources) != size + len(part):
            return None  # a key in two parts: a duplicate, which the whole text's reading refuses
    outer_text = text[:start] + "\n" * text.count("\n", start, end) + text[end:]
    if outer_text.find("&") >= 0:
        return None
    loader = LineLoader(outer_text)
    try:
        if not loader.check_node():
            return None
        node = loader.get_node()
        outer = yaml_tree.build(node, loader, first_line, line_table, short_tags)
        if loader.check_node():
            return None  # a second document
    finally:
        loader.dispose()
    if outer.__class__ is not dict or "Resources" not in outer or outer["Resources"] is not None:
        return None
    outer["Resources"] = resources
    line_table[id(resources)] = array("I", lines) if len(lines) <= yaml_tree.SCANNED_KEYS else dict(zip(resources, lines))
    return outer, node.start_mark.line + first_line, line_table


def _one(text: str, first_line: int, short_tags: Mapping[str, str], line_table: dict[int, Any], depth: int) -> Any:
    """The one document of ``text`` built by yaml_tree (which raises Unusual for what it does not build)."""
    loader = LineLoader(text)
    try:
        if not loader.check_node():
            return None
        data = yaml_tree.build(loader.get_node(), loader, first_line, line_table, short_tags, depth)
        return None if loader.check_node() else data
    finally:
        loader.dispose()
