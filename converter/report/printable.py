"""Text from the input made safe to print where a person (or a CI log parser) reads it.

A manifest's key or value can hold a newline followed by "::error file=...::" (a GitHub Actions workflow
command once it starts a line of the job log), ESC sequences that move the cursor and erase what was
printed above, or bidi overrides that reorder what is read. Every human-readable view (the text report,
the Markdown report, compare's terminal view) shows such characters as escapes instead.
"""

from __future__ import annotations

import unicodedata

_ESCAPED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")  # controls, format characters (bidi), line and paragraph separators


def escape_controls(text: str) -> str:
    """``text`` with control and format characters (newlines too) shown as Python escapes (``\\x1b``, ``\\n``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch == " " or unicodedata.category(ch) not in _ESCAPED_CATEGORIES
                   else ch.encode("unicode_escape").decode("ascii") for ch in text)
