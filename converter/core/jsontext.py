"""JSON text exactly as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, about 4x faster.

CPython's C encoder is only used without ``indent``; with it, ``json`` runs its pure-Python generator
encoder, which was a quarter of the time of a large conversion (docs/PERFORMANCE.md). The payloads and
reports k2ecs writes are plain dicts, lists, strings, numbers, booleans and None, which this module
writes with one recursive function and the C string encoder. Anything else (a subclass, a Decimal, a
cycle) is left to ``json.dumps`` itself, so the text, and any error, is always what ``json`` gives.
tests/test_jsontext.py compares the two byte for byte.
"""

from __future__ import annotations

import json
# The C implementations when CPython has them (c_make_encoder is None elsewhere: one_shot then gives encode as is).
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, Callable

_INDENT = 2
_NEWLINES = ["\n" + " " * (_INDENT * level) for level in range(64)]
_FOLLOWING = ["," + newline for newline in _NEWLINES]  # what comes before each item but the first


class _Unusual(Exception):
    """A value this module does not write itself: json.dumps writes the whole text instead."""


def dumps(value: Any, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``; with ``level``, as an item ``level`` levels deep writes
    it (each line after the first indented by 2 x ``level`` more spaces), without a second pass over the text."""
    try:
        out = _Pieces()
        _write(value, out, level)
        return out.text()
    except (_Unusual, RecursionError):
        text = json.dumps(value, indent=_INDENT, ensure_ascii=False, default=_materialized)
        return text.replace("\n", "\n" + " " * (_INDENT * level)) if level else text


def dump(value: Any, handle: Any) -> None:
    """``dumps(value)`` written to ``handle``; to a file, a few thousand pieces at a time, never whole in
    memory. Should ``json`` have to write it after all (see the module docstring), the file is cut back
    to where this began and ``json`` writes it instead."""
    seekable = getattr(handle, "seekable", None)
    if seekable is None or not seekable():
        handle.write(dumps(value))
        return
    start = handle.tell()
    try:
        out = _Pieces(handle)
        _write(value, out, 0)
        handle.write(out.text())
    except (_Unusual, RecursionError):
        handle.seek(start)
        handle.truncate()
        handle.write(json.dumps(value, indent=_INDENT, ensure_ascii=False, default=_materialized))


def dumps_measured(value: Any) -> tuple[str, int] | None:
    """``(dumps(value), the UTF-8 bytes of value's compact JSON)``: the text k2ecs writes a payload as, and the size
    ECS counts it by (``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, encoded), from one
    writing. The compact text is this one without the blanks the indented one adds (a newline and its
    indentation before each item and each closing bracket, a space after each key's colon; a string's own
    blanks are escaped or inside quotes), which _container counts as it writes. None: a value this module
    does not write itself (see the module docstring), which the caller measures otherwise."""
    try:
        out = _Pieces()
        out.blanks = 0
        _write(value, out, 0)
    except (_Unusual, RecursionError):
        return None
    text = out.text()
    return text, (len(text) if text.isascii() else len(text.encode("utf-8"))) - out.blanks


class Verbatim:
    """A value whose dumps() text is known already (dumps_measured): written as that text, indented to where it
    goes, rather than written again. ``value`` is what it stands for, should json.dumps write the whole text."""

    __slots__ = ("text", "value")

    def __init__(self, text: str, value: Any) -> None:
        self.text = text
        self.value = value


class LazyList:
    """A list whose items are made one at a time as they are written (a large report's findings as dicts,
    which would weigh several times the findings themselves if all were made at once).

    ``text``: item, level -> the text dumps() writes of make(item) as an item ``level`` deep, or None for an
    item it does not write (then make(item) is written as any value): a report's 60,000 findings are written
    from their fields, not each made a dict and walked (issue 24)."""

    __slots__ = ("items", "make", "text")

    def __init__(self, items: list[Any], make: Any, text: Any = None) -> None:
        self.items = items
        self.make = make
        self.text = text

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return map(self.make, self.items)


def _materialized(value: Any) -> Any:
    if value.__class__ is LazyList:
        return list(value)
    if value.__class__ is Verbatim:
        return value.value
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _scalar(value: Any) -> str | None:
    """The text of a scalar, or None for a container."""
    cls = value.__class__
    if cls is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if cls is int:
        return int.__repr__(value)
    if cls is float:
        return _float(value)
    if cls is dict or cls is list or cls is tuple or cls is LazyList or cls is Verbatim:
        return None
    raise _Unusual


_INFINITY = float("inf")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    # json turns these keys into strings first, and then quotes them like any string.
    if key.__class__ is str:
        return encode_basestring(key)
    if key is True or key is False or key is None or key.__class__ is int or key.__class__ is float:
        return encode_basestring(_scalar(key))
    raise _Unusual


_MOST_WRITTEN = 256  # pieces joined before a write to a file (dump)


class _Pieces(list):
    """The pieces of the text, joined a few thousand at a time: a list of a million small strings weighs
    several times the text they make (at 1,000 workloads, 30 MB for an 8 MB document)."""

    def __init__(self, handle: Any = None) -> None:
        super().__init__()
        self.joined: list[str] = []
        self.handle = handle  # where joined pieces go at once (dump), instead of self.joined
        self.blanks: int | None = None  # dumps_measured: the blanks of the indentation written so far
        # Written to a file, fewer at a time: a report's pieces are whole findings (about 500 bytes each), and 4,096
        # of them joined, then encoded, were 4 MB held at the end of a 10 MB convert -o (issue 24: its peak).
        self.most = 4096 if handle is None else _MOST_WRITTEN

    def compact(self) -> None:
        if len(self) > self.most:
            if self.handle is None:
                self.joined.append("".join(self))
            else:
                self.handle.write("".join(self))
            self.clear()

    def text(self) -> str:
        self.joined.append("".join(self))
        self.clear()
        return "".join(self.joined)


# Per depth: key -> what comes before its value (see _container); the first key of a mapping's, and the others'.
_FIRST_HEADS: list[dict[str, str]] = [{} for _ in _NEWLINES]
_HEADS: list[dict[str, str]] = [{} for _ in _NEWLINES]
_HEADS_KEPT = 512  # per depth: the keys of k2ecs's payloads; a report of many odd keys starts again


def _head(heads: dict[str, str], separator: str, key: Any) -> str:
    head = f"{separator}{encode_basestring(key) if key.__class__ is str else _key(key)}: "
    if key.__class__ is str:
        if len(heads) >= _HEADS_KEPT:
            heads.clear()
        heads[key] = head
    return head


def _write(value: Any, out: _Pieces, level: int) -> None:
    text = _scalar(value)
    if text is not None:
        out.append(text)
    else:
        _container(value, out, level)


def _container(value: Any, out: _Pieces, level: int) -> None:
    if level + 1 >= len(_NEWLINES):
        raise _Unusual
    if value.__class__ is Verbatim:
        if out.blanks is not None:
            raise _Unusual  # its blanks are not counted (nothing measures a text that holds one)
        out.append(value.text.replace("\n", _NEWLINES[level]) if level else value.text)
        return
    if not value:
        out.append("{}" if value.__class__ is dict else "[]")
        return
    if out.blanks is not None:
        # before each of the n items and the closing bracket, a newline and its indentation; after each key, a space
        count = len(value)
        out.blanks += count * (2 * level + 3) + 2 * level + 1 + (count if value.__class__ is dict else 0)
    inner = _NEWLINES[level + 1]
    following = _FOLLOWING[level + 1]
    compact = out.compact if level < 3 else None
    if value.__class__ is dict:
        # What comes before each value: the separator, the key's text and ": ", made once per key and level (a
        # payload's few dozen keys recur in every workload; issue 24). The first key's has "{" for its separator.
        firsts, heads = _FIRST_HEADS[level + 1], _HEADS[level + 1]
        head = None
        for key, item in value.items():
            if head is None:
                head = firsts.get(key) if key.__class__ is str else None
                if head is None:
                    head = _head(firsts, "{" + inner, key)
            else:
                head = heads.get(key) if key.__class__ is str else None
                if head is None:
                    head = _head(heads, following, key)
            if item.__class__ is str:  # most values: the common case first
                out.append(head + encode_basestring(item))
            else:
                text = _scalar(item)
                if text is None:
                    out.append(head)
                    _container(item, out, level + 1)
                else:
                    out.append(head + text)
            if compact is not None:
                compact()
        out.append(_NEWLINES[level] + "}")
    elif value.__class__ is LazyList and value.text is not None and out.blanks is None:
        separator = "[" + inner
        make, write = value.make, value.text
        for item in value.items:
            text = write(item, level + 1)
            if text is None:
                item = make(item)
                text = _scalar(item)
                if text is None:
                    out.append(separator)
                    _container(item, out, level + 1)
                else:
                    out.append(separator + text)
            else:
                out.append(separator + text)
            separator = following
            if compact is not None:
                compact()
        out.append(_NEWLINES[level] + "]")
    else:
        separator = "[" + inner
        for item in value:
            text = _scalar(item)
            if text is None:
                out.append(separator)
                _container(item, out, level + 1)
            else:
                out.append(separator + text)
            separator = following
            if compact is not None:
                compact()
        out.append(_NEWLINES[level] + "]")


def string(value: Any) -> str | None:
    """The JSON text of a str (exactly), as dumps() writes it; None for anything else."""
    return encode_basestring(value) if value.__class__ is str else None


def newline(level: int) -> str:
    """What starts each line of an item ``level`` deep (a newline and its indentation)."""
    if level >= len(_NEWLINES):
        raise IndexError(level)
    return _NEWLINES[level]


def one_shot(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """``encoder.encode`` with CPython's C encoder made once. ``JSONEncoder.encode`` makes a new C encoder (and its
    float function and cycle table) for every call, most of the cost of the small values compare writes row
    after row (issue 24). The text, and any error, is what ``encoder.encode`` gives: the same C encoder, with
    the same options; after an error its table of containers being written is emptied, as a fresh one is."""
    if c_make_encoder is None or encoder.indent is not None:
        return encoder.encode
    markers: dict[int, Any] | None = {} if encoder.check_circular else None
    strings = encode_basestring_ascii if encoder.ensure_ascii else encode_basestring
    made = c_make_encoder(markers, encoder.default, strings, encoder.indent, encoder.key_separator,
                          encoder.item_separator, encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return strings(value)
        try:
            return "".join(made(value, 0))
        except BaseException:
            if markers:
                markers.clear()
            raise

    return encode
