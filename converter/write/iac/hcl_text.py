"""HCL text written straight into a list of lines: the layout of ``filters.hcl_body`` (terraform fmt's 2-space
indent, ``=`` aligned across consecutive one-line attributes, singles before nested groups), without the
Jinja templates, the per-line ``_Line`` records and the ``Safe`` wrappers in between.

``filters.hcl_body`` and the templates/*.tf.j2 stay the reference: tests/test_iac_fast_text.py renders every
sample both ways and compares the bytes. The Jinja rendering of a 10 MB bundle's main.tf took about as long
as the conversion's whole Terraform-specific part besides (issue 24).
"""

from __future__ import annotations

from typing import Any

from converter.write.iac.filters import (
    INDENT,
    Attr,
    Block,
    Call,
    Expr,
    _HCL_KEYWORDS,
    _HCL_UNSAFE,
    _PLAIN_OBJECT_KEY,
    _hcl_escape,
    _one_line,
    hcl_ident,
)

_PADS = [INDENT * level for level in range(64)]
_unsafe = _HCL_UNSAFE.search
_plain_key = _PLAIN_OBJECT_KEY.fullmatch


def _pad(level: int) -> str:
    return _PADS[level] if level < 64 else INDENT * level


def hcl_str(value: str) -> str:
    """filters.hcl_str without the type check and the Safe wrapper (callers pass ``str`` only)."""
    if _unsafe(value) is None:
        return '"' + value + '"'
    return '"' + _HCL_UNSAFE.sub(_hcl_escape, value) + '"'


_KEYS: dict[str, str] = {}  # object key -> its text; a run meets the same few keys again and again
_IDENTS: dict[str, str] = {}  # attribute or block name -> itself, once checked


def _object_key(key: str) -> str:
    text = _KEYS.get(key) if key.__class__ is str else None
    if text is None:
        text = key if _plain_key(key) and key not in _HCL_KEYWORDS else hcl_str(key)
        if key.__class__ is str and len(_KEYS) < 4096:
            _KEYS[key] = text
    return text


def _ident(name: str) -> str:
    text = _IDENTS.get(name) if name.__class__ is str else None
    if text is None:
        text = str(hcl_ident(name))
        if len(_IDENTS) < 4096:
            _IDENTS[name] = text
    return text


def one_line(value: Any) -> str | None:
    """filters._one_line: the value on one line, or None when it needs several."""
    cls = value.__class__
    if cls is str:
        return hcl_str(value)
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return str(value)
    if cls is list:
        items = []
        for item in value:
            text = one_line(item)
            if text is None:
                return None
            items.append(text)
        return "[" + ", ".join(items) + "]"
    if cls is Expr:
        return value.text
    if cls is dict:
        return None if value else "{}"
    return _one_line(value)  # the rarer classes (float, Template, Call, a subclass), as the reference writes them


def _value(value: Any, level: int, out: list[str]) -> str:
    """filters._value_lines for a value that is not one line: returns what follows ``=`` on the member's own
    line, and appends the lines after it (already laid out) to ``out``."""
    if isinstance(value, Call):
        head = value_head(value.argument, level, out)
        out[-1] += ")"  # the closing "}" or "]" of the argument
        return f"{hcl_ident(value.function)}({head}"
    if isinstance(value, dict):
        _members(value, level + 1, out)
        out.append(_pad(level) + "}")
        return "{"
    if isinstance(value, list):
        pad = _pad(level + 1)
        for item in value:
            single = one_line(item)
            if single is not None:
                out.append(pad + single + ",")
                continue
            at = len(out)
            out.append("")
            out[at] = pad + _value(item, level + 1, out)
            out[-1] += ","
        out.append(_pad(level) + "]")
        return "["
    raise TypeError(f"no HCL for {type(value).__name__}")


def value_head(value: Any, level: int, out: list[str]) -> str:
    """What follows ``=`` for any value: one line, or the head of several (the rest appended to ``out``)."""
    single = one_line(value)
    return single if single is not None else _value(value, level, out)


def _members(value: dict[str, Any], level: int, out: list[str]) -> None:
    """An object's members at ``level``: each run of one-line members aligned on "=", in the object's order."""
    run: list[tuple[str, str]] = []
    pad = _pad(level)
    for key, item in value.items():
        name = _object_key(key)
        single = one_line(item)
        if single is not None:
            run.append((name, single))
            continue
        if run:
            _aligned(run, pad, out)
            run = []
        at = len(out)
        out.append("")
        out[at] = f"{pad}{name} = " + _value(item, level, out)
    if run:
        _aligned(run, pad, out)


def _aligned(run: list[tuple[str, str]], pad: str, out: list[str]) -> None:
    if len(run) == 1:
        name, text = run[0]
        out.append(f"{pad}{name} = {text}")
        return
    width = 0
    for name, _ in run:
        if len(name) > width:
            width = len(name)
    for name, text in run:
        out.append(f"{pad}{name.ljust(width)} = {text}")


def body(items: Any, level: int, out: list[str]) -> None:
    """filters.hcl_body's lines, appended to ``out``: the one-line attributes first (aligned), then each nested
    attribute or block, a blank line before each group that follows something."""
    singles: list[tuple[str, str]] = []
    groups: list[list[str]] = []
    pad = _pad(level)
    for item in items:
        cls = item.__class__
        if cls is Attr or isinstance(item, Attr):
            name = _ident(item.name)
            single = one_line(item.value)
            if single is not None:
                singles.append((name, single))
                continue
            lines = [""]
            lines[0] = f"{pad}{name} = " + _value(item.value, level, lines)
            groups.append(lines)
        elif cls is Block or isinstance(item, Block):
            header = " ".join([_ident(item.type)] + [hcl_str(_label(label)) for label in item.labels])
            inner: list[str] = []
            body(item.body, level + 1, inner)
            groups.append([f"{pad}{header} {{", *inner, pad + "}"] if inner else [f"{pad}{header} {{}}"])
        else:
            raise TypeError(f"not an attribute or block: {type(item).__name__}")
    start = len(out)
    if singles:
        _aligned(singles, pad, out)
    for group in groups:
        if len(out) > start:
            out.append("")
        out.extend(group)


class Lines:
    """A block body collected as text (terraform._Context.body fills it): each attribute's line(s) made as it is
    added, laid out as ``body`` lays out the ``Attr``/``Block`` items they replace."""

    __slots__ = ("level", "singles", "groups")

    def __init__(self, level: int = 1) -> None:
        self.level = level
        self.singles: list[tuple[str, str]] = []
        self.groups: list[Any] = []  # a multi-line attribute's lines, or (name, Lines) of a nested block

    def attr(self, name: str, value: Any) -> None:
        ident = _ident(name)
        single = one_line(value)
        if single is not None:
            self.singles.append((ident, single))
            return
        lines = [""]
        lines[0] = f"{_pad(self.level)}{ident} = " + _value(value, self.level, lines)
        self.groups.append(lines)

    def block(self, name: str) -> Lines:
        child = Lines(self.level + 1)
        self.groups.append((name, child))
        return child

    def lines(self, out: list[str]) -> None:
        pad = _pad(self.level)
        start = len(out)
        if self.singles:
            _aligned(self.singles, pad, out)
        for group in self.groups:
            if len(out) > start:
                out.append("")
            if isinstance(group, list):
                out.extend(group)
                continue
            header = _ident(group[0])
            inner: list[str] = []
            group[1].lines(inner)
            if inner:
                out.append(f"{pad}{header} {{")
                out.extend(inner)
                out.append(pad + "}")
            else:
                out.append(f"{pad}{header} {{}}")

    def text(self) -> str:
        """The body's lines, each ending with a newline."""
        out: list[str] = []
        self.lines(out)
        return "\n".join(out) + "\n" if out else ""


def _label(label: Any) -> str:
    if not isinstance(label, str):
        raise TypeError(f"hcl_str expects a string, got {type(label).__name__}")
    return str(label)


def block(kind: str, labels: tuple[str, ...], items: Any) -> str:
    """``kind "label" ... {`` + body at level 1 + ``}``, each line ending with a newline, as the .tf templates
    write a resource, variable or output (a blank line before it)."""
    lines = ["", " ".join([kind] + [hcl_str(_label(label)) for label in labels]) + " {"]
    body(items, 1, lines)
    lines.append("}")
    return "\n".join(lines) + "\n"
