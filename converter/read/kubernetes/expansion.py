"""Kubernetes ``$(VAR)`` expansion, as the kubelet does it (issue 19, item 4).

A port of ``Expand``/``tryReadVariableName`` in kubernetes third_party/forked/golang/expansion/expand.go:
``$$`` is an escaped ``$``; ``$(NAME)`` is replaced by the value of NAME when the mapping knows it and kept
literally (``syntaxWrap``) when it does not; an unclosed ``$(`` and any other ``$x`` are copied as they are.
The kubelet (pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables) expands an env ``value`` with the
container's envFrom entries and its *earlier* env entries, and command and args with the whole final env
(pkg/kubelet/container/helpers.go, ExpandContainerCommandAndArgs). Which names are known is the caller's
business: ``lookup`` returns the value, or None when the name has no value known at conversion time.
"""

from __future__ import annotations

from typing import Callable

_OPERATOR = "$"
_OPENER = "("
_CLOSER = ")"


def expand(text: str, lookup: Callable[[str], str | None]) -> tuple[str, list[str]]:
    """``text`` expanded, and the names referred to that ``lookup`` did not know (kept as ``$(NAME)``)."""
    if _OPERATOR not in text:
        return text, []
    out: list[str] = []
    unknown: list[str] = []
    checkpoint = 0
    cursor = 0
    length = len(text)
    while cursor < length:
        if text[cursor] == _OPERATOR and cursor + 1 < length:
            out.append(text[checkpoint:cursor])
            following = text[cursor + 1]
            if following == _OPERATOR:  # escaped operator
                out.append(_OPERATOR)
                advance = 1
            elif following == _OPENER:
                closer = text.find(_CLOSER, cursor + 2)
                if closer == -1:  # incomplete reference: "$(" is copied
                    out.append(_OPERATOR + _OPENER)
                    advance = 1
                else:
                    name = text[cursor + 2:closer]
                    value = lookup(name)
                    if value is None:
                        unknown.append(name)
                        out.append(f"{_OPERATOR}{_OPENER}{name}{_CLOSER}")
                    else:
                        out.append(value)
                    advance = closer - cursor
            else:  # an operator that begins no expression: copied with the character after it
                out.append(_OPERATOR + following)
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out), unknown
