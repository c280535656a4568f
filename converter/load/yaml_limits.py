"""The limits on a YAML text that keep a hostile manifest from exhausting the machine (docs/ARCHITECTURE.md,
"Hostile input"): nesting depth, checked on the text before libyaml's recursive composer runs, and
depth and alias expansion, checked on the node graph before anything is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from converter.core.limits import limit_value
from converter.load.yaml_parts import LinePattern

MAX_ALIAS_REFERENCES = limit_value("yaml-alias-references")
MAX_DEPTH = limit_value("yaml-depth")
MAX_EXPANDED_NODES = limit_value("yaml-expanded-nodes")
# libyaml's parser is not exported at the top of the yaml package (``yaml.CParser`` does not exist, so
# looking it up there silently chose the pure-Python parser, about 8x slower); it lives in yaml.cyaml.
LIBYAML_PARSER = getattr(getattr(yaml, "cyaml", None), "CParser", None) if yaml.__with_libyaml__ else None


_BRACKETS_ONLY = str.maketrans({chr(c): None for c in range(128) if chr(c) not in "[]{}"})
# A line that starts deeper than MAX_DEPTH levels of indentation or block indicators. One way only to
# split a line into indicators and blanks: "[ \t]*" inside the repeated group made the split ambiguous
# and the search exponential ("-   -   -   ..." took minutes on a 3 KB file).
_DEEP_LINE = LinePattern(r"(?:[ \t]{%d}|[ \t]*+(?:[-?:][ \t]++){%d})" % (4 * MAX_DEPTH, MAX_DEPTH))


def might_be_too_deep(text: str) -> bool:
    """A cheap over-estimate of nesting depth on the text (brackets in strings count too)."""
    if _DEEP_LINE.search(text):
        return True
    if "[" not in text and "{" not in text:
        return False
    brackets = text.translate(_BRACKETS_ONLY)
    if len(brackets) <= MAX_DEPTH:
        return False
    depth = deepest = 0
    for char in brackets:
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest > MAX_DEPTH


def too_deep_line(text: str) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH, or None.

    libyaml's composer recurses in C once per level, and a document nested some 100,000 levels deep
    crashes the interpreter before any Python check on the node graph can run. The event stream is
    produced without recursion, so when the text looks deep the exact depth is counted on events.

    The answer must not depend on which libyaml the PyYAML wheel carries (issue 16). libyaml 0.2.6 has
    its own nesting limit (1000 levels, raised by its scanner while it looks up to 1024 characters ahead
    for a simple key, so before the 201st level's event is even produced); older ones have none. When
    libyaml stops on its own limit, the depth is counted again with PyYAML's pure-Python parser, which has
    no such limit and reads the same events: so the line and the message are the same either way.
    """
    if not might_be_too_deep(text):
        return None
    if LIBYAML_PARSER is not None:
        try:
            return _first_line_too_deep(LIBYAML_PARSER(text))
        except yaml.YAMLError as err:
            if not is_nesting_limit_error(err):
                return None  # the real parse reports the syntax error with its line
    try:
        return _first_line_too_deep(yaml.BaseLoader(text))
    except yaml.YAMLError:
        return None


def is_nesting_limit_error(err: yaml.YAMLError) -> bool:
    """Whether libyaml stopped on its own nesting limit (libyaml >= 0.2.6: "while increasing flow level;
    exceeded maximum nesting depth", likewise for the block level), rather than on a syntax error."""
    return "maximum nesting depth" in str(getattr(err, "problem", "") or err)


def _first_line_too_deep(events: Any) -> int | None:
    depth = 0
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        if hasattr(events, "dispose"):
            events.dispose()
    return None


def shape_problem(root: Any, *, aliases: bool = True) -> str | None:
    """Depth and alias-expansion limits, checked on the node graph before anything is constructed.

    An alias bomb is small as a graph and enormous once expanded, so the expanded size (each node
    counted once per path that reaches it) is computed with memoisation and compared to the real size.
    ``aliases=False``: the caller knows the document has no anchor (its text has no "&"), so no alias:
    it is a tree, its expanded size is its size, and only the depth is checked, however large it is
    (a large anchor-free template used to pass the node bound of within_limits and pay the memoised walk).
    """
    if within_limits(root, count_nodes=aliases):
        return None  # neither limit below can trip: the common case, decided by a cheaper walk
    return _expansion_problem(root)


def _expansion_problem(root: Any) -> str | None:
    """shape_problem's exact walk: the first node too deep, or the first whose expanded size is too large."""
    expanded: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if depth > MAX_DEPTH:
            return f"nesting deeper than {MAX_DEPTH} levels"
        if not isinstance(node, (MappingNode, SequenceNode)):
            if id(node) not in expanded:
                # Scalars count as distinct nodes too, as they count in the expanded size: counting only
                # collections called an anchor-free document with many scalars per mapping (a large
                # report.json, a 14 MB kind: List) an alias bomb. Without aliases a document is a tree,
                # so its expanded size equals its distinct nodes and the ratio below never trips.
                distinct += 1
                expanded[id(node)] = 1
            continue
        children = node.value if isinstance(node, SequenceNode) else [v for pair in node.value for v in pair]
        if children_done:
            expanded[id(node)] = 1 + sum(expanded[id(child)] for child in children)
            if expanded[id(node)] > MAX_EXPANDED_NODES and expanded[id(node)] > 4 * max(distinct, 1):
                return f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (YAML alias bomb?)"
            continue
        if id(node) in expanded:
            continue
        distinct += 1
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children if id(child) not in expanded)
    return None


def within_limits(root: Any, *, count_nodes: bool = True) -> bool:
    """Whether the node graph, unfolded (an alias counted again at each use), is at most MAX_DEPTH deep
    and MAX_EXPANDED_NODES nodes: then no expanded size exceeds MAX_EXPANDED_NODES and no path exceeds
    MAX_DEPTH, so shape_problem has nothing to report. The walk gives up (False) as soon as either
    bound is passed or a node of another class appears, and shape_problem's own walk then decides.
    No memo is needed: without aliases a document is a tree, and with them the walk stops at the bound.
    ``count_nodes=False`` (a document without aliases): the node bound is not applied, only the depth.
    """
    bound = MAX_EXPANDED_NODES if count_nodes else float("inf")
    count = 1
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        kind = node.__class__
        if kind is MappingNode:
            pairs = node.value
            if not pairs:
                continue
            count += 2 * len(pairs)
            if depth >= MAX_DEPTH or count > bound:
                return False
            for key, value in pairs:
                if key.__class__ is not ScalarNode:
                    stack.append((key, depth + 1))
                if value.__class__ is not ScalarNode:
                    stack.append((value, depth + 1))
        elif kind is SequenceNode:
            items = node.value
            if not items:
                continue
            count += len(items)
            if depth >= MAX_DEPTH or count > bound:
                return False
            for item in items:
                if item.__class__ is not ScalarNode:
                    stack.append((item, depth + 1))
        elif kind is not ScalarNode:
            return False
    return True
