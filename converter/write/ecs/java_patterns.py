"""The API models' Java-flavoured string patterns as Python regexes (converter.validate.ecs_shapes checks
payloads with them).

botocore's service models carry the patterns AWS's Java services enforce: surrogate-pair ranges,
``\\p{..}`` properties and POSIX classes, which Python's re lacks or reads differently. A pattern that
cannot be translated safely is None, and its check is skipped rather than made wrong.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Java regex constructs the models use that Python's re lacks.
# A surrogate-pair range in a Java pattern means every code point above the Basic Multilingual Plane.
_JAVA_SUPPLEMENTARY_RANGE = r"\uD800\uDC00-\uDBFF\uDFFF"
_PYTHON_SUPPLEMENTARY_RANGE = r"\U00010000-\U0010FFFF"
_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}")
# Java's POSIX classes are US-ASCII only unless UNICODE_CHARACTER_CLASS is set.
_JAVA_POSIX = {"Print": r"\x20-\x7E", "Graph": r"\x21-\x7E", "Alpha": "A-Za-z", "Digit": "0-9", "Alnum": "0-9A-Za-z"}


@cache
def python_pattern(pattern: str, *, ascii_only: bool = False) -> re.Pattern[str] | None:
    """The model's Java-flavoured ``pattern`` as a Python regex, or None where it cannot be translated safely.

    ``ascii_only``: the result is only used on ASCII text, so ``\\p{..}`` may be cut down to ASCII.
    """
    text = pattern.replace(_JAVA_SUPPLEMENTARY_RANGE, _PYTHON_SUPPLEMENTARY_RANGE)
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            prop = _PROPERTY.match(text, index)
            if prop is None:
                out.append(text[index:index + 2])
                index += 2
                continue
            # \P{..} (negation) does not occur in the models yet; skipping beats a careless translation.
            ranges = None if prop[1] == "P" else _property_ranges(prop[2], ascii_only)
            if ranges is None:
                return None
            # An empty set ("" - no ASCII member) adds nothing to a class and matches nothing alone.
            out.append(ranges if in_class else f"[{ranges}]" if ranges else "(?!)")
            index = prop.end()
            continue
        if in_class and (char == "[" or text.startswith("&&", index)):
            return None  # Java class union/intersection: re would read it differently, silently
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append(char)
        index += 1
    translated = "".join(out)
    if ascii_only:
        # Character classes cut down to ASCII compile in a fraction of the time: a class spanning all
        # of Unicode (XmlString's) took 2.4 ms to compile, at every start.
        translated = _ascii_classes(translated) or translated
    try:
        return re.compile(translated)
    except re.error:
        return None


_CLASS_ATOM = re.compile(r"\\U([0-9A-Fa-f]{8})|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})|\\([rnt])|\\([dDwWsS])"
                         r"|\\([^0-9A-Za-z])|([^\\\]])", re.S)
_CONTROL_ESCAPES = {"r": 13, "n": 10, "t": 9}


def _ascii_classes(pattern: str) -> str | None:
    """``pattern`` with each character class reduced to its ASCII members, or None where unsure.

    For ASCII text the two match the same: an ASCII character is in a class exactly when it is in the
    class's ASCII part, negated or not.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index:index + 2])
            index += 2
            continue
        if char != "[":
            out.append(char)
            index += 1
            continue
        index += 1
        negated = pattern.startswith("^", index)
        index += negated
        atoms: list[int | str] = []  # a code point, "-" between two of them, or a class shorthand kept as is
        while index < len(pattern) and pattern[index] != "]":
            atom = _CLASS_ATOM.match(pattern, index)
            if atom is None:
                return None
            index = atom.end()
            if atom[5] is not None:
                atoms.append("\\" + atom[5])
            elif atom[7] == "-" and atoms and pattern[index:index + 1] != "]":
                if not isinstance(atoms[-1], int):
                    return None  # a range from a shorthand: re refuses it, and so should the result
                atoms.append("-")
            else:
                hexa = atom[1] or atom[2] or atom[3]
                atoms.append(int(hexa, 16) if hexa else _CONTROL_ESCAPES[atom[4]] if atom[4] else ord(atom[6] or atom[7]))
        if index >= len(pattern) or not atoms:
            return None  # an unclosed or empty class: left to re as it is
        index += 1
        kept: list[str] = []
        position = 0
        while position < len(atoms):
            atom = atoms[position]
            if isinstance(atom, str) and atom != "-":
                kept.append(atom)
                position += 1
                continue
            if atom == "-":
                return None  # a range with no start: not a form the models use
            low = high = atom
            if position + 2 < len(atoms) and atoms[position + 1] == "-":
                high = atoms[position + 2]
                if not isinstance(high, int) or high < low:
                    return None
                position += 3
            else:
                position += 1
            if low <= 0x7F:
                kept.append(f"\\x{low:02x}" if low == min(high, 0x7F) else f"\\x{low:02x}-\\x{min(high, 0x7F):02x}")
        if not kept:  # no ASCII member: for ASCII text, no character (or, negated, any character)
            out.append("[\\x00-\\x7f]" if negated else "[^\\x00-\\x7f]")
        else:
            out.append(("[^" if negated else "[") + "".join(kept) + "]")
    return "".join(out)


def _property_ranges(name: str, ascii_only: bool) -> str | None:
    if name in _JAVA_POSIX:
        return _JAVA_POSIX[name]
    if len(name) in (1, 2) and name[0] in "CLMNPSZ":
        return _category_ranges(name, ascii_only)
    return None


@cache
def _category_ranges(category: str, ascii_only: bool) -> str:
    """A Unicode general category ("L", "Nd") as explicit re ranges; all of Unicode takes about 0.15 s, once."""
    runs: list[list[int]] = []
    for code in range(0x80 if ascii_only else sys.maxunicode + 1):
        if unicodedata.category(chr(code)).startswith(category):
            if runs and runs[-1][1] == code - 1:
                runs[-1][1] = code
            else:
                runs.append([code, code])
    return "".join(rf"\U{low:08X}" if low == high else rf"\U{low:08X}-\U{high:08X}" for low, high in runs)
