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

from converter.rules.env import looks_like_a_credential

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


def recording(lookup: Callable[[str], str | None], used: dict[str, str]) -> Callable[[str], str | None]:
    """``lookup``, noting in ``used`` each name it knew and its value (what an expansion drew on)."""
    def look(name: str) -> str | None:
        found = lookup(name)
        if found is not None:
            used[name] = found
        return found
    return look


def expansion_note(subject: str, value: str, text: str, used: dict[str, str], name: str | None = None) -> str:
    """K2E-I170's message: the text before and after expansion, unless a variable it drew on (or ``name`` with
    the result) looks like a credential by K2E-W152's rule (converter/rules/env.py): then the names only. A
    report must never quote a credential, and W152 promises its value is not shown."""
    hidden = sorted({key for key, found in used.items() if looks_like_a_credential(key, found) is not None}
                    | ({name} if name is not None and looks_like_a_credential(name, text) is not None else set()))
    if hidden:
        return (f"{subject}: $(...) references expanded at conversion time, as the kubelet does (values not "
                f"shown: {', '.join(hidden)} {'looks' if len(hidden) == 1 else 'look'} like a credential)")
    return f"{subject}: {value!r} expanded to {text!r} at conversion time, as the kubelet does"
