"""Bounds on how many YAML nodes and documents one input may hold, so that whatever the size limit
admits is converted in bounded memory (issue 17 item 4).

The 64 MiB size limit alone does not bound memory: a node can take one byte of text (``{a,b,c,...}``),
and PyYAML composes a whole document's nodes before anything is built (some 300 bytes each), so a 62 MB
flow list took 9.5 GB, and 16 MB of ``---`` lines 1.2 GB of empty documents. So an input may hold at most
MAX_DOCUMENTS documents, MAX_DOCUMENT_NODES nodes in one document and MAX_FILE_NODES in all.

Counting nodes exactly means reading the event stream, which costs a quarter of a parse. So the count
is first over-estimated from the text with str.count (C speed): every node of YAML (a collection, a key,
a value or an item, including the empty ones) is introduced by ``:``, ``?``, ``-``, ``,``, ``[`` or ``{``
at most three at a time, or is the one root of a document. Characters inside scalars make this an
over-estimate, never an under-estimate. Only an input whose estimate passes a bound is counted exactly,
on libyaml's event stream (constant memory), which stops as soon as a bound is passed.
Aliases are not nodes: a composed alias is the node it names (the alias limits are converter.load.yaml_limits').
"""

from __future__ import annotations

from typing import Any

import yaml

from converter.core.limits import limit_value
from converter.load.yaml_limits import LIBYAML_PARSER
from converter.load.yaml_parts import _MARKERS, _UNCUT_LINES  # the one definition of a document marker

MAX_DOCUMENTS = limit_value("yaml-documents")
MAX_DOCUMENT_NODES = limit_value("yaml-document-nodes")
MAX_FILE_NODES = limit_value("yaml-input-nodes")
# Per occurrence, the most nodes a character can introduce (see the module docstring).
_WEIGHTS = ((":", 3), ("?", 3), ("{", 3), ("-", 2), (",", 2), ("[", 2))


def estimated_nodes(text: str, start: int = 0, end: int | None = None) -> int:
    """At least the number of nodes of text[start:end] (its documents' roots counted by the caller)."""
    end = len(text) if end is None else end
    return sum(weight * text.count(char, start, end) for char, weight in _WEIGHTS)


def bound_problem(text: str) -> tuple[str, int] | None:
    """``(message, line)`` when the text holds more documents or nodes than the bounds, else None."""
    documents_at_most = text.count("---") + 1
    file_estimate = estimated_nodes(text) + documents_at_most
    if documents_at_most <= MAX_DOCUMENTS and file_estimate <= MAX_DOCUMENT_NODES:
        return None  # the common case: nothing to count
    if documents_at_most <= MAX_DOCUMENTS and file_estimate <= MAX_FILE_NODES:
        # The file is within its bound; only a document that may pass its own is counted.
        if not any(estimated_nodes(text, start, end) + 1 > MAX_DOCUMENT_NODES for start, end in _document_spans(text)):
            return None
    return counted_problem(text)


def _document_spans(text: str) -> list[tuple[int, int]]:
    """Where each document of the text starts and ends, cut at its markers as converter.load.yaml_parts cuts
    them (without its per-part guesses, which cost more than the estimate); the whole text when it
    cannot be cut there."""
    if _UNCUT_LINES.search(text):
        return [(0, len(text))]
    starts = [0] + [match.start() + 1 for match in _MARKERS.later.finditer(text)]
    return list(zip(starts, starts[1:] + [len(text)]))


def counted_problem(text: str) -> tuple[str, int] | None:
    """The bounds checked on the event stream: exact, and stopping at the first bound passed."""
    events = LIBYAML_PARSER(text) if LIBYAML_PARSER is not None else yaml.parser.Parser(text)  # type: ignore[attr-defined]
    node_events: tuple[Any, ...] = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
    documents = in_document = in_file = 0
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, node_events):
                in_document += 1
                in_file += 1
                if in_document > MAX_DOCUMENT_NODES:
                    return f"a document of more than {MAX_DOCUMENT_NODES} YAML nodes", event.start_mark.line + 1
                if in_file > MAX_FILE_NODES:
                    return f"more than {MAX_FILE_NODES} YAML nodes in one input", event.start_mark.line + 1
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                in_document = 0
                if documents > MAX_DOCUMENTS:
                    return f"more than {MAX_DOCUMENTS} documents in one input", event.start_mark.line + 1
    except yaml.YAMLError:
        return None  # the parse reports the syntax error with its line
    finally:
        if hasattr(events, "dispose"):
            events.dispose()
    return None
