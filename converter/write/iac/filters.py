"""Jinja2 filters: every value a template writes goes through one of these, escaped for its target syntax.

Each filter returns ``Safe`` text, and the template environment refuses any ``{{ ... }}`` value that is not
``Safe`` (see ``templating.environment``), so a template cannot write a value unescaped by accident.

- YAML (CloudFormation): strings are always double-quoted; backslash, quote, every line break YAML knows
  (\\n \\r U+0085 U+2028 U+2029) and every character YAML does not allow raw are escaped. A string can
  therefore never turn into a number, a boolean, a tag (``!Ref``) or a second line.
- HCL (Terraform): strings are double-quoted with ``\\`` ``\\"`` ``\\n`` ``\\r`` ``\\t`` and ``\\uNNNN``
  escapes, and ``${`` / ``%{`` are written ``$${`` / ``%%{`` so they stay text instead of starting an
  interpolation or a directive. Other non-ASCII characters are written as they are (UTF-8).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


class Safe(str):
    """Text already escaped for the file it goes into."""


# -- scalars -----------------------------------------------------------------------------------------

def number(value: float) -> str:
    """An int or float as a literal both YAML (1.1 needs a dot in a float) and HCL read back exactly."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no literal in YAML or HCL")
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text if "." in text else text + ".0"


_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0",
               "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
# Outside the YAML printable set, or a line break, or a byte-order mark: escaped.
_YAML_UNSAFE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]')


def _yaml_escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _YAML_NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"


def yaml_str(value: str) -> Safe:
    if not isinstance(value, str):
        raise TypeError(f"yaml_str expects a string, got {type(value).__name__}")
    return Safe('"' + _YAML_UNSAFE.sub(_yaml_escape, value) + '"')


_HCL_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "${": "$${", "%{": "%%{"}
_HCL_UNSAFE = re.compile('\\$\\{|%\\{|[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]')


def _hcl_escape(match: re.Match[str]) -> str:
    text = match.group()
    named = _HCL_NAMED.get(text)
    return named if named is not None else f"\\u{ord(text):04X}"


def hcl_str(value: str) -> Safe:
    if not isinstance(value, str):
        raise TypeError(f"hcl_str expects a string, got {type(value).__name__}")
    return Safe('"' + _HCL_UNSAFE.sub(_hcl_escape, value) + '"')


# -- CloudFormation (YAML) ---------------------------------------------------------------------------

_LOGICAL_ID = re.compile(r"[A-Za-z0-9]{1,255}")
_REF_TARGET = re.compile(r"[A-Za-z0-9]{1,255}|AWS::[A-Za-z]+")
# Plain (unquoted) keys: names, but not the words YAML 1.1 reads as booleans or null.
_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


@dataclass(frozen=True)
class Ref:
    target: str

    def __post_init__(self) -> None:
        if not _REF_TARGET.fullmatch(self.target):
            raise ValueError(f"not a logical ID or pseudo parameter: {self.target!r}")


@dataclass(frozen=True)
class GetAtt:
    resource: str
    attribute: str


@dataclass(frozen=True)
class Sub:
    """A Fn::Sub string: literal parts and ``Ref``/``GetAtt`` parts."""

    parts: tuple[Any, ...]

    def text(self) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, Ref):
                out.append("${" + part.target + "}")
            elif isinstance(part, GetAtt):
                out.append("${" + part.resource + "." + part.attribute + "}")
            else:
                out.append(part.replace("${", "${!"))  # Fn::Sub's own escape for a literal ${
        return "".join(out)


_RESOURCE_TYPE = re.compile(r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+")


def cfn_type(value: str) -> Safe:
    if not isinstance(value, str) or not _RESOURCE_TYPE.fullmatch(value):
        raise ValueError(f"not a CloudFormation resource type: {value!r}")
    return Safe(value)


def cfn_id(value: str) -> Safe:
    if not isinstance(value, str) or not _LOGICAL_ID.fullmatch(value):
        raise ValueError(f"not a CloudFormation logical ID: {value!r}")
    return Safe(value)


def _yaml_key(key: str) -> str:
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS:
        return key
    return yaml_str(key)


def _inline(value: Any) -> bool:
    return not isinstance(value, (dict, list)) or not value


def cfn_value(value: Any) -> Safe:
    """A scalar, an intrinsic function or an empty collection, on one line."""
    if isinstance(value, bool):
        return Safe("true" if value else "false")
    if isinstance(value, (int, float)):
        return Safe(number(value))
    if isinstance(value, str):
        return yaml_str(value)
    if isinstance(value, Ref):
        return Safe(f"!Ref {value.target}")
    if isinstance(value, GetAtt):
        return Safe(f"!GetAtt {cfn_id(value.resource)}.{cfn_id(value.attribute)}")
    if isinstance(value, Sub):
        return Safe("!Sub " + yaml_str(value.text()))
    if value == {} or value == []:
        return Safe("{}" if isinstance(value, dict) else "[]")
    raise TypeError(f"no one-line YAML for {type(value).__name__}")


def _yaml_lines(value: Any, indent: int, lines: list[str]) -> None:
    """Append the block YAML of ``value`` at ``indent`` to ``lines``: one list for the whole mapping, as a
    list per level extended into its parent's copied each line once per level (issue 24)."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_yaml_key(key)}:"
            if _inline(item):
                lines.append(f"{head} {cfn_value(item)}")
            else:
                lines.append(head)
                _yaml_lines(item, indent + 2, lines)
    elif isinstance(value, list):
        for item in value:
            if _inline(item):
                lines.append(f"{pad}- {cfn_value(item)}")
            else:
                start = len(lines)
                _yaml_lines(item, indent + 2, lines)
                lines[start] = f"{pad}- {lines[start][indent + 2:]}"
    else:
        raise TypeError(f"not a collection: {type(value).__name__}")


def cfn_block(value: dict[str, Any], indent: int) -> Safe:
    """A mapping as block YAML, every line indented by ``indent`` spaces (no trailing newline)."""
    if not isinstance(value, dict) or not value:
        raise TypeError("cfn_block expects a non-empty mapping")
    lines: list[str] = []
    _yaml_lines(value, indent, lines)
    return Safe("\n".join(lines))


# -- Terraform (HCL) ---------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PLAIN_OBJECT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HCL_KEYWORDS = {"true", "false", "null", "for", "in", "if", "endif", "endfor", "else"}
_TRAVERSAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*")
INDENT = "  "


@dataclass(frozen=True)
class Expr:
    """A reference such as ``var.cluster`` or ``aws_ecs_service.web.name``."""

    text: str

    def __post_init__(self) -> None:
        if not _TRAVERSAL.fullmatch(self.text):
            raise ValueError(f"not an HCL traversal: {self.text!r}")


@dataclass(frozen=True)
class Template:
    """A quoted template: literal parts (escaped) and ``Expr`` parts (interpolated)."""

    parts: tuple[str | Expr, ...]


@dataclass(frozen=True)
class Call:
    function: str
    argument: Any


@dataclass(frozen=True)
class Attr:
    name: str
    value: Any


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: tuple[Any, ...]


@dataclass(frozen=True)
class _Line:
    level: int
    key: str | None  # set for a one-line "key = value": these align on "=" like terraform fmt
    text: str


def hcl_ident(value: str) -> Safe:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"not an HCL identifier: {value!r}")
    return Safe(value)


def _object_key(key: str) -> str:
    if _PLAIN_OBJECT_KEY.fullmatch(key) and key not in _HCL_KEYWORDS:
        return key
    return hcl_str(key)


def _one_line(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        return hcl_str(value)
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Template):
        return '"' + "".join("${" + p.text + "}" if isinstance(p, Expr) else hcl_str(p)[1:-1] for p in value.parts) + '"'
    if isinstance(value, list):
        items = [_one_line(item) for item in value]
        if all(item is not None for item in items):
            return "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
        return None
    if value == {}:
        return "{}"
    if isinstance(value, Call):
        inner = _one_line(value.argument)
        return None if inner is None else f"{hcl_ident(value.function)}({inner})"
    return None


def _value_lines(value: Any, level: int) -> tuple[str, list[_Line]]:
    """(what follows ``=`` on the attribute's own line, the lines after it) for a value at block depth ``level``."""
    single = _one_line(value)
    if single is not None:
        return single, []
    if isinstance(value, Call):
        head, rest = _value_lines(value.argument, level)
        last = rest[-1]
        return f"{hcl_ident(value.function)}({head}", rest[:-1] + [_Line(last.level, last.key, last.text + ")")]
    if isinstance(value, dict):
        lines: list[_Line] = []
        for key, item in value.items():
            lines.extend(_member(_object_key(key), item, level + 1))
        return "{", lines + [_Line(level, None, "}")]
    if isinstance(value, list):
        lines = []
        for item in value:
            head, rest = _value_lines(item, level + 1)
            if rest:
                lines.append(_Line(level + 1, None, head))
                lines.extend(rest[:-1])
                lines.append(_Line(rest[-1].level, rest[-1].key, rest[-1].text + ","))
            else:
                lines.append(_Line(level + 1, None, head + ","))
        return "[", lines + [_Line(level, None, "]")]
    raise TypeError(f"no HCL for {type(value).__name__}")


def _member(key: str, value: Any, level: int) -> list[_Line]:
    head, rest = _value_lines(value, level)
    if not rest:
        return [_Line(level, key, head)]
    return [_Line(level, None, f"{key} = {head}")] + rest


def _body_lines(body: Iterable[Any], level: int) -> list[_Line]:
    singles: list[_Line] = []
    groups: list[list[_Line]] = []
    for item in body:
        if isinstance(item, Attr):
            lines = _member(hcl_ident(item.name), item.value, level)
            if len(lines) == 1:
                singles.extend(lines)
            else:
                groups.append(lines)
        elif isinstance(item, Block):
            header = " ".join([hcl_ident(item.type)] + [hcl_str(label) for label in item.labels])
            inner = _body_lines(item.body, level + 1)
            groups.append([_Line(level, None, header + " {"), *inner, _Line(level, None, "}")] if inner
                          else [_Line(level, None, header + " {}")])
        else:
            raise TypeError(f"not an attribute or block: {type(item).__name__}")
    out = list(singles)
    for group in groups:
        if out:
            out.append(_Line(level, None, ""))  # a blank line between groups, as hand-written Terraform has
        out.extend(group)
    return out


def _text(lines: list[_Line]) -> str:
    """Lay lines out as terraform fmt does: 2-space indent, "=" aligned across consecutive one-line attributes."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and lines[end].key is not None:
            end += 1
        if end == index:
            line = lines[index]
            out.append(INDENT * line.level + line.text if line.text else "")
            index += 1
            continue
        width = max(len(INDENT * line.level + line.key) for line in lines[index:end])  # type: ignore[operator]
        for line in lines[index:end]:
            out.append((INDENT * line.level + line.key).ljust(width) + " = " + line.text)  # type: ignore[operator]
        index = end
    return "\n".join(out)


def hcl_body(body: Iterable[Any], level: int = 1) -> Safe:
    """A block body (``Attr``/``Block`` items) at nesting ``level``, without the braces."""
    return Safe(_text(_body_lines(body, level)))


def hcl_value(value: Any) -> Safe:
    """A value that fits on one line (variable defaults, output values)."""
    single = _one_line(value)
    if single is None:
        raise TypeError(f"{type(value).__name__} does not fit on one line")
    return Safe(single)


FILTERS = {
    "yaml_str": yaml_str, "cfn_id": cfn_id, "cfn_type": cfn_type, "cfn_value": cfn_value, "cfn_block": cfn_block,
    "hcl_str": hcl_str, "hcl_ident": hcl_ident, "hcl_body": hcl_body, "hcl_value": hcl_value,
}
